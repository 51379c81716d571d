import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignState, campaignToday } from '../../core/campaigns/coverage.ts';
import { fundLevelsFor } from '../../core/people/fund-levels.ts';
import { runReminders } from '../../core/reminders/run-reminders.ts';
import { cumulativeCounts } from '../../core/reports/registry-counts.ts';
import { findDemoData, LIVING_DEMO_PEOPLE, seedIfEmpty } from '../../prisma/seed.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import { createStore } from '../../prisma/store.ts';
import { migratedDb } from '../support/app-harness.ts';

/**
 * The playground of `npm start` without a messenger token (issue 15 §3): the Bắc Kạn history with
 * the reform applied, and a demo campaign open on the day the database is made, whose people have
 * reports to send, reminders due and a registry that is not empty. Seeded at a fixed day: Wednesday
 * 09/12/2026, 08:00 in Vietnam, five days before the last day on time of the November report (it and
 * the fourth quarter's are due before 15/12, one report serving both).
 */

const NOW = new Date('2026-12-09T01:00:00Z');
let db: SqlDb;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ db, close } = await migratedDb());
  expect(await seedIfEmpty(db, NOW, { demo: 'living' })).toBe(true);
});

afterAll(async () => {
  await close();
});

const units = (code: string) =>
  db.kysely
    .selectFrom('Unit as u')
    .leftJoin('Unit as p', 'p.id', 'u.parentId')
    .select(['u.id', 'u.name', 'u.kind', 'u.validFrom', 'u.validTo', 'p.code as parent'])
    .where('u.code', '=', code)
    .orderBy('u.validFrom')
    .execute();

describe('the Bắc Kạn history', () => {
  it('keeps BK-XNT-2025 over city 058, closed from 01/07/2025', async () => {
    const campaign = await createStore(db).run((tx) => tx.campaigns.findByCode('BK-XNT-2025'));
    expect(campaign).toMatchObject({ closedOn: '2025-07-01', startsOn: '2024-10-01' });
    expect(campaign && campaignState(campaign, campaignToday(campaign, NOW))).toBe('closed');
    const [city] = await units('058');
    expect(campaign?.areaUnitId).toBe(city?.id);
    expect(city?.validTo).toBe('2025-06-30');
  });

  it('has the reform of 01/07/2025 applied: codes reused, a merge across districts, province 19', async () => {
    expect(await units('01840')).toMatchObject([
      { name: 'Phường Đức Xuân', validTo: '2025-06-30', parent: '058' },
      { name: 'Phường Đức Xuân', validFrom: '2025-07-01', validTo: null, parent: '19' },
    ]);
    expect((await units('01843')).map((u) => u.name)).toEqual(['Phường Phùng Chí Kiên', 'Phường Bắc Kạn']);
    expect((await units('01849')).map((u) => u.name)).toEqual(['Xã Dương Quang', 'Xã Phong Quang']);
    expect(await units('19')).toMatchObject([
      { name: 'Tỉnh Thái Nguyên', validFrom: '2025-07-01', kind: 'province' },
    ]);
    // Đôn Phong, of Bạch Thông district, went into Phong Quang with Dương Quang.
    const links = await db.kysely
      .selectFrom('UnitSuccession as s')
      .innerJoin('Unit as a', 'a.id', 's.predecessorId')
      .innerJoin('Unit as b', 'b.id', 's.successorId')
      .select(['a.code as from', 'b.name as into', 's.effectiveOn'])
      .where('b.code', '=', '01849')
      .orderBy('a.code')
      .execute();
    expect(links).toEqual([
      { from: '01849', into: 'Xã Phong Quang', effectiveOn: '2025-07-01' },
      { from: '01984', into: 'Xã Phong Quang', effectiveOn: '2025-07-01' },
    ]);
    // The city's member organisations ended with it.
    expect((await units('HLHPN-058'))[0]?.validTo).toBe('2025-06-30');
  });
});

describe('the demo campaign', () => {
  it('is open today over province 19, from four months ago to eight months ahead', async () => {
    const campaign = await createStore(db).run((tx) => tx.campaigns.findByCode('TN-XNT-DEMO'));
    expect(campaign).toMatchObject({ startsOn: '2026-08-01', endsOn: '2027-08-31', closedOn: null });
    expect(campaign && campaignState(campaign, campaignToday(campaign, NOW))).toBe('open');
    const [province] = await units('19');
    expect(campaign?.areaUnitId).toBe(province?.id);
  });

  it('places the playground people in the units after the reform', async () => {
    const placed = await db.kysely
      .selectFrom('ChannelIdentity as i')
      .innerJoin('Membership as m', 'm.personId', 'i.personId')
      .innerJoin('Unit as u', 'u.id', 'm.unitId')
      .select(['i.externalUserId as key', 'm.role', 'u.code', 'u.validFrom'])
      .where('i.channel', '=', 'playground')
      .orderBy('i.id')
      .execute();
    expect(placed.map((p) => [p.key, p.role, p.code])).toEqual(
      LIVING_DEMO_PEOPLE.map((p) => [p.key, p.role, p.unit]),
    );
    expect(placed.every((p) => p.validFrom >= '2025-07-01')).toBe(true);
  });

  it('owes the November report: reminders are due this morning for both officers', async () => {
    const run = await createStore(db).run((tx) => runReminders(tx, NOW, { dryRun: true }));
    expect(run?.campaigns).toEqual(['TN-XNT-DEMO']);
    const reminded = (run?.planned ?? [])
      .filter((r) => r.key.includes('2026-11'))
      .flatMap((r) => r.chats.map((c) => c.chatId))
      .sort();
    expect(reminded).toEqual(['officer-ducxuan', 'officer-phongquang']);
  });

  it('has reports already sent, Phong Quang the last month due late, two days ago', async () => {
    const sent = await db.kysely
      .selectFrom('Report as r')
      .innerJoin('ReportingPeriod as p', 'p.id', 'r.periodId')
      .innerJoin('Unit as u', 'u.id', 'r.unitId')
      .select(['p.code', 'u.code as unit', 'r.late', 'r.submittedAt', 'r.approvedNew', 'r.completedNew'])
      .orderBy('u.code')
      .orderBy('p.code')
      .execute();
    expect(sent.map((r) => `${r.unit} ${r.code}${r.late ? ' late' : ''}`)).toEqual([
      '01840 2026-08',
      '01840 2026-09',
      '01840 2026-10',
      '01849 2026-08',
      '01849 2026-09',
      '01849 2026-10 late',
    ]);
    // This month's report: 07/12/2026 09:00 in Vietnam.
    expect(sent.at(-1)?.submittedAt).toEqual(new Date('2026-12-07T02:00:00Z'));
    // The houses as the registry had them at the month's end: Đức Xuân's grow month by month.
    expect(sent.filter((r) => r.unit === '01840').map((r) => [r.approvedNew, r.completedNew])).toEqual([
      [2, 0],
      [2, 0],
      [2, 1],
    ]);
  });

  it("offers the registry's counts at the end of the month the officers owe (not all zero)", async () => {
    const counts = await createStore(db).run(async (tx) => {
      const unit = await tx.units.findByCode('01840', '2026-12-09');
      // The end of November in Vietnam: what the November report offers to confirm.
      return (
        unit &&
        cumulativeCounts(await tx.households.statusCountsAsOf(unit.id, new Date('2026-11-30T17:00:00Z')))
      );
    });
    expect(counts).toMatchObject({
      approvedNew: 2,
      startedNew: 2,
      completedNew: 1,
      approvedRepair: 1,
      handedOverRepair: 1,
    });
  });

  it("has pledges of the last weeks, some received, the donor persona's not yet paid", async () => {
    const pledges = await db.kysely
      .selectFrom('Pledge as p')
      .leftJoin('FundEntry as e', 'e.pledgeId', 'p.id')
      .select(['p.donorName', 'p.amount', 'p.createdAt', 'e.amount as received', 'e.occurredOn'])
      .orderBy('p.id')
      .execute();
    expect(pledges.map((p) => [p.donorName, p.amount, p.received, p.occurredOn])).toEqual([
      ['Công ty TNHH Xây dựng An Phú', 200_000_000n, 100_000_000n, '2026-11-29'],
      ['Hội Liên hiệp Phụ nữ tỉnh Thái Nguyên', 50_000_000n, 50_000_000n, '2026-12-06'],
      ['Lê Văn Bình', 5_000_000n, null, null],
    ]);
    expect(pledges.every((p) => p.createdAt.getTime() > NOW.getTime() - 30 * 86_400_000)).toBe(true);
  });

  it('has a registry that is not all zero: households in several statuses across the units', async () => {
    const rows = await db.kysely
      .selectFrom('Household as h')
      .innerJoin('Campaign as c', 'c.id', 'h.campaignId')
      .innerJoin('Unit as u', 'u.id', 'h.unitId')
      .select(['u.code', 'h.status'])
      .where('c.code', '=', 'TN-XNT-DEMO')
      .execute();
    expect(new Set(rows.map((r) => r.code)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(rows.map((r) => r.status)).size).toBeGreaterThanOrEqual(4);
  });

  it('is demo data `demo remove` finds: the people, the invite and the untouched households', async () => {
    const found = await findDemoData(db);
    expect(found.people).toHaveLength(LIVING_DEMO_PEOPLE.length);
    expect(found.invites.map((i) => i.code)).toEqual(['DEMO2025']);
    expect(found.households).toHaveLength(11);
  });
});

describe('the living demo on another day', () => {
  it('on the 17th, after a deadline, the month due on the 15th is still owed by both officers', async () => {
    const other = await migratedDb();
    try {
      await seedIfEmpty(other.db, new Date('2027-03-17T03:00:00Z'), { demo: 'living' });
      const reported = await other.db.kysely
        .selectFrom('Report as r')
        .innerJoin('ReportingPeriod as p', 'p.id', 'r.periodId')
        .select('p.code')
        .distinct()
        .orderBy('p.code')
        .execute();
      // Started 01/11/2026: November to January were due before March; February's report is owed.
      expect(reported.map((r) => r.code)).toEqual(['2026-11', '2026-12', '2027-01']);
    } finally {
      await other.close();
    }
  });
});

describe("the demo campaign's fund", () => {
  it('is kept by the province fund officer: a provincial campaign makes its province a fund level', async () => {
    const levels = await createStore(db).run(async (tx) => {
      const actor = await tx.people.findActor('playground', 'fund');
      expect(actor).toBeDefined();
      return actor ? fundLevelsFor(tx, actor, 'fund.acknowledge') : [];
    });
    expect(levels.map((l) => l.name)).toEqual(['Tỉnh Thái Nguyên']);
  });
});
