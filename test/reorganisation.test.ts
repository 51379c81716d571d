import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDigest, digestText } from '../core/digests/digest.ts';
import { unitsReported } from '../core/households/unit-progress.ts';
import { owesReportsOf, reportsNotOwed } from '../core/people/area-view.ts';
import {
  parseSplitTargets,
  planMerge,
  reportedUnder,
  rollUp,
  unitsShownAt,
} from '../core/people/reorganisation.ts';
import { runReminders } from '../core/reminders/run-reminders.ts';
import type { DatedUnit } from '../core/units/unit.repository.ts';
import type { PrismaClient } from '../prisma/client.ts';
import type { SqlDb } from '../prisma/sql-db.ts';
import { createStore } from '../prisma/store.ts';
import { parseCommand } from '../scripts/cli/commands.ts';
import { type CliContext, UsageError } from '../scripts/cli/context.ts';
import { unitsMerge, unitsSplit } from '../scripts/cli/units-reorg.ts';
import { failingAuditStore, seededDatabase } from './support/app-harness.ts';
import { addHousehold as addHouseholdTo, ZERO_FIGURES } from './support/fixtures.ts';

// The middle of the second quarter of 2025 (10:00 in Vietnam): April's report fell due on 15/05.
const SEEDED_AT = new Date('2025-04-01T03:00:00Z');
const NOW = new Date('2025-05-20T03:00:00Z');
const BEFORE_EFFECTIVE = new Date('2025-04-25T03:00:00Z');
const LATER = new Date('2025-06-20T03:00:00Z');

let db: SqlDb;
let prisma: PrismaClient;
let close: () => Promise<void>;
let cityId = 0;

function addHousehold(unitCode: string, code: string, status: string, at: Date): Promise<void> {
  return addHouseholdTo(prisma, unitCode, { code, status, at, village: 'Tổ 3', members: 3 });
}

function context(now = NOW): CliContext & { lines: string[] } {
  const lines: string[] = [];
  // Merging and splitting run core applyReorganisation in a transaction of the store on `db`.
  return { prisma, db, now, out: (line) => lines.push(line), timeZone: 'Asia/Ho_Chi_Minh', lines };
}

async function digestLines(now: Date): Promise<string[]> {
  const digest = await createStore(db).run((tx) =>
    buildDigest(tx, { areaUnitId: cityId, kind: 'weekly', now }),
  );
  if (!digest) {
    throw new Error('no digest');
  }
  return digestText(digest, 'vi').split('\n');
}

const totalLine = (lines: string[]) => lines.find((l) => l.startsWith('Cộng:'));
const unitLine = (lines: string[], name: string) => lines.filter((l) => l.startsWith(`• ${name}:`));

async function attachments(): Promise<{ households: string[]; reports: string[] }> {
  const households = await prisma.household.findMany({ orderBy: { id: 'asc' } });
  const reports = await prisma.report.findMany({ orderBy: { id: 'asc' } });
  return {
    households: households.map((h) => `${h.code}@${h.unitId}`),
    reports: reports.map((r) => `${r.ref}@${r.unitId}`),
  };
}

beforeAll(async () => {
  ({ db, prisma, close } = await seededDatabase(SEEDED_AT));
  cityId = (await prisma.unit.findFirstOrThrow({ orderBy: { validFrom: 'desc' }, where: { code: '058' } }))
    .id;
  await addHousehold('01837', 'SC-1', 'approved', new Date('2025-04-02T03:00:00Z'));
  await addHousehold('01837', 'SC-2', 'started', new Date('2025-04-03T03:00:00Z'));
  await addHousehold('01837', 'SC-3', 'completed', new Date('2025-04-04T03:00:00Z'));
  await addHousehold('01837', 'SC-4', 'handed_over', new Date('2025-04-05T03:00:00Z'));
  const campaign = await prisma.campaign.findFirstOrThrow();
  const lan = await prisma.person.findFirstOrThrow({ where: { fullName: 'Nguyễn Thị Lan' } });
  await createStore(db).run(async (tx) => {
    const monthly = await tx.campaigns.listPeriods(campaign.id, 'monthly');
    const march = monthly.find((p) => p.code === '2025-03');
    const april = monthly.find((p) => p.code === '2025-04');
    if (!march || !april) {
      throw new Error('periods missing');
    }
    let n = 0;
    for (const code of ['01837', '01840']) {
      const unit = await prisma.unit.findFirstOrThrow({ orderBy: { validFrom: 'desc' }, where: { code } });
      for (const [period, at] of [
        [march, '2025-04-10T03:00:00Z'],
        [april, '2025-05-10T03:00:00Z'],
      ] as const) {
        n += 1;
        await tx.reports.create({
          ref: `BC-R${n}`,
          periodId: period.id,
          unitId: unit.id,
          personId: lan.id,
          revision: 1,
          late: false,
          channel: 'telegram',
          photos: [],
          registryReason: null,
          submittedAt: new Date(at),
          ...ZERO_FIGURES,
          approvedNew: 4,
        });
      }
    }
  });
});

afterAll(async () => {
  await close();
});

describe('merging two wards in the middle of a quarter', () => {
  it('keeps every record where it was, the digest totals equal and lists the successor once', async () => {
    const before = await digestLines(NOW);
    const beforeEarly = await digestLines(BEFORE_EFFECTIVE);
    const total = totalLine(before);
    expect(total).toBeDefined();
    expect(unitLine(before, 'Sông Cầu')).toHaveLength(1);
    expect(unitLine(before, 'Đức Xuân')).toHaveLength(1);
    const attached = await attachments();
    expect(attached.households.length).toBeGreaterThanOrEqual(8);

    const ctx = context();
    await unitsMerge(ctx, {
      codes: ['01837', '01840'],
      into: '01900',
      name: 'Phường Trung Tâm',
      on: '2025-05-01',
      kind: undefined,
    });
    expect(ctx.lines[0]).toContain('Đã sáp nhập Phường Sông Cầu (01837), Phường Đức Xuân (01840)');
    expect(ctx.lines.join('\n')).toContain('Nguyễn Thị Lan');

    // Nothing moved: every household and report keeps its unit.
    expect(await attachments()).toEqual(attached);

    const after = await digestLines(NOW);
    expect(totalLine(after)).toBe(total);
    expect(unitLine(after, 'Trung Tâm')).toHaveLength(1);
    expect(unitLine(after, 'Sông Cầu')).toHaveLength(0);
    expect(unitLine(after, 'Đức Xuân')).toHaveLength(0);
    // The successor's row is the sum of its predecessors' rows.
    const approved = (line: string | undefined) => Number(/: (\d+) duyệt/.exec(line ?? '')?.[1]);
    expect(approved(unitLine(after, 'Trung Tâm')[0])).toBe(
      approved(unitLine(before, 'Sông Cầu')[0]) + approved(unitLine(before, 'Đức Xuân')[0]),
    );
    // Eight units before, seven after: April's report of both predecessors counts once, for the successor.
    const status = (lines: string[]) =>
      lines.find((l) => l.includes('Báo cáo') && l.includes('đơn vị đã nộp'));
    expect(status(before)).toContain('2/8');
    expect(status(after)).toContain('1/7');

    // Asked for a day before the merge took effect, the predecessors are listed separately.
    const early = await digestLines(BEFORE_EFFECTIVE);
    expect(early).toEqual(beforeEarly);
    expect(unitLine(early, 'Trung Tâm')).toHaveLength(0);

    const later = await digestLines(LATER);
    expect(totalLine(later)).toBe(total);
    expect(unitLine(later, 'Trung Tâm')).toHaveLength(1);
  });

  it('ends the predecessors, links them to the successor and moves their officers', async () => {
    const successor = await prisma.unit.findFirstOrThrow({
      orderBy: { validFrom: 'desc' },
      where: { code: '01900' },
    });
    expect(successor.validFrom).toBe('2025-05-01');
    expect(successor.kind).toBe('ward');
    expect(successor.parentId).toBe(cityId);
    for (const code of ['01837', '01840']) {
      const old = await prisma.unit.findFirstOrThrow({ orderBy: { validFrom: 'desc' }, where: { code } });
      expect(old.validTo).toBe('2025-04-30');
      expect(
        await prisma.unitSuccession.count({ where: { predecessorId: old.id, successorId: successor.id } }),
      ).toBe(1);
      expect(
        await prisma.membership.count({ where: { unitId: old.id, role: 'unit_officer', revokedAt: null } }),
      ).toBe(0);
    }
    const officers = await prisma.membership.findMany({
      where: { unitId: successor.id, role: 'unit_officer', revokedAt: null },
      include: { person: true },
    });
    expect(officers.map((m) => m.person.fullName).sort()).toEqual(['Hoàng Văn Minh', 'Nguyễn Thị Lan']);
    expect(await prisma.auditLog.count({ where: { action: 'unit.merge' } })).toBe(1);
    // April's report, sent by both predecessors, counts for the successor once.
    const campaign = await prisma.campaign.findFirstOrThrow();
    const reported = await createStore(db).run(async (tx) => {
      const period = (await tx.campaigns.listPeriods(campaign.id, 'monthly')).find(
        (p) => p.code === '2025-04',
      );
      const children = await tx.units.listChildrenDated([cityId]);
      const shown = unitsShownAt(children, await tx.units.successions(), '2025-05-20');
      return period ? unitsReported(tx, period, [], shown.countsUnder) : new Set<number>();
    });
    expect([...reported]).toEqual([successor.id]);
  });

  it('reminds the successor, not the ended wards, of reports due after the merger', async () => {
    const successor = await prisma.unit.findFirstOrThrow({
      orderBy: { validFrom: 'desc' },
      where: { code: '01900' },
    });
    const olds = await prisma.unit.findMany({ where: { code: { in: ['01837', '01840'] } } });
    // May's report is due before 15/06: the first reminder goes at 08:00 on 09/06.
    const run = await createStore(db).run((tx) =>
      runReminders(tx, new Date('2025-06-09T01:00:00Z'), { dryRun: true }),
    );
    const units = new Set(
      (run?.planned ?? []).flatMap((p) => (p.subject.kind === 'report' ? [p.subject.unitId] : [])),
    );
    expect(units.has(successor.id)).toBe(true);
    for (const old of olds) {
      expect(units.has(old.id)).toBe(false);
    }
  });

  it('writes the new units, their links and the audit row in one transaction: a failing audit leaves no unit', async () => {
    const units = await prisma.unit.count();
    const links = await prisma.unitSuccession.count();
    const failingAudit = failingAuditStore(db);
    await expect(
      unitsSplit(
        { ...context(), uow: failingAudit },
        { code: '01843', into: '01970:Phường C,01971:Phường D', on: '2025-06-01', kind: undefined },
      ),
    ).rejects.toThrow('audit log unavailable');
    expect(await prisma.unit.count()).toBe(units);
    expect(await prisma.unitSuccession.count()).toBe(links);
    expect(
      (await prisma.unit.findFirstOrThrow({ orderBy: { validFrom: 'desc' }, where: { code: '01843' } }))
        .validTo,
    ).toBeNull();
  });

  it('refuses bad input in Vietnamese and writes nothing', async () => {
    const refusal = async (run: () => Promise<void>) => {
      const error = await run().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UsageError);
      return (error as Error).message;
    };
    const units = await prisma.unit.count();
    const merge = (codes: string[], on = '2025-06-01', into = '01950') =>
      unitsMerge(context(), { codes, into, name: 'Phường Mới', on, kind: undefined });
    expect(await refusal(() => merge(['01843', '09999']))).toContain('không có đơn vị mã "09999"');
    expect(await refusal(() => merge(['01837', '01843']))).toContain('đã hết hiệu lực');
    // Any date after the campaign is fine (the reform of 01/07/2025 came after it); decades ahead is a typo.
    expect(await refusal(() => merge(['01843', '01846'], '2035-02-01'))).toContain('quá xa');
    expect(await refusal(() => merge(['01843', '01846'], '2025-02-30'))).toContain('không hợp lệ');
    expect(await refusal(() => merge(['01843', '01846'], '2025-06-01', '01900'))).toContain('đã dùng');
    expect(await refusal(() => merge(['01843', 'HLHPN-058']))).toContain('không phải phường, xã');
    const province = await prisma.unit.findFirstOrThrow({
      orderBy: { validFrom: 'desc' },
      where: { code: '06' },
    });
    await prisma.unit.create({
      data: {
        code: '01999',
        name: 'Xã Khác Huyện',
        kind: 'commune',
        parentId: province.id,
        validFrom: '2015-01-01',
      },
    });
    expect(await refusal(() => merge(['01843', '01999']))).toContain('đơn vị cấp trên khác nhau');
    expect(
      await refusal(() =>
        unitsSplit(context(), { code: '01843', into: '01960:Phường A', on: '2025-06-01', kind: undefined }),
      ),
    ).toContain('ít nhất hai đơn vị mới');
    expect(await prisma.unit.count()).toBe(units + 1);
    expect(() =>
      parseCommand(['units', 'merge', '01843', '01846', '--into', 'X', '--name', 'Phường X']),
    ).toThrow('thiếu ngày hiệu lực');
    expect(
      parseCommand([
        'units',
        'merge',
        '01843',
        '01846',
        '--into',
        '01950',
        '--name',
        'Phường Y',
        '--on',
        '2025-06-01',
      ]),
    ).toMatchObject({ name: 'units merge', args: { codes: ['01843', '01846'], into: '01950' } });
  });

  it('splits a unit: its households stay and count for it, the new units start empty', async () => {
    const before = totalLine(await digestLines(LATER));
    const ctx = context(LATER);
    await unitsSplit(ctx, {
      code: '01852',
      into: '01961:"Xã Nông A",01962:"Xã Nông B"',
      on: '2025-06-10',
      kind: undefined,
    });
    expect(ctx.lines.join('\n')).toContain('nhập lại danh sách hộ');
    const after = await digestLines(LATER);
    expect(totalLine(after)).toBe(before);
    expect(unitLine(after, 'Nông Thượng')).toHaveLength(1);
    expect(unitLine(after, 'Nông A')).toHaveLength(1);
    expect(unitLine(after, 'Nông B')).toHaveLength(1);
  });
});

describe('reorganisation rules', () => {
  const unit = (id: number, code: string, validFrom: string, validTo: string | null = null): DatedUnit => ({
    id,
    code,
    name: `Phường ${code}`,
    kind: 'ward',
    parentId: 1,
    validFrom,
    validTo,
  });
  const units = [
    unit(2, 'A', '2015-01-01', '2025-04-30'),
    unit(3, 'B', '2015-01-01', '2025-04-30'),
    unit(4, 'C', '2025-05-01', '2025-08-31'),
    unit(5, 'D', '2025-09-01'),
  ];
  const successions = [
    { predecessorId: 2, successorId: 4, effectiveOn: '2025-05-01' },
    { predecessorId: 3, successorId: 4, effectiveOn: '2025-05-01' },
    { predecessorId: 4, successorId: 5, effectiveOn: '2025-09-01' },
  ];

  it('rolls predecessors into their successor from the effective date, along a chain', () => {
    expect([...rollUp(units, successions, '2025-04-30')]).toEqual([
      [2, 2],
      [3, 3],
      [4, 4],
      [5, 5],
    ]);
    expect([...rollUp(units, successions, '2025-05-01')]).toEqual([
      [2, 4],
      [3, 4],
      [4, 4],
      [5, 5],
    ]);
    expect([...rollUp(units, successions, '2025-09-01')]).toEqual([
      [2, 5],
      [3, 5],
      [4, 5],
      [5, 5],
    ]);
    expect(unitsShownAt(units, successions, '2025-04-30').units.map((u) => u.code)).toEqual(['A', 'B']);
    expect(unitsShownAt(units, successions, '2025-06-01').units.map((u) => u.code)).toEqual(['C']);
  });

  it('counts a successor reported when it or all its predecessors reported', () => {
    const { countsUnder } = unitsShownAt(units, successions, '2025-06-01');
    expect([...reportedUnder(countsUnder, new Set([2]))]).toEqual([]);
    expect([...reportedUnder(countsUnder, new Set([2, 3]))]).toEqual([4]);
    expect([...reportedUnder(countsUnder, new Set([4]))]).toEqual([4]);
  });

  it('waits only for the predecessors that owed the campaign’s reports: one from outside its area never did', () => {
    // The campaign's area (unit 1) held A (2) alone; B (3) came from elsewhere into C (4), then D (5).
    const owes = owesReportsOf(1, [unit(2, 'A', '2015-01-01', '2025-04-30')], successions);
    expect([1, 2, 3, 4, 5].filter(owes)).toEqual([1, 2, 4, 5]);
    expect([1, 2, 3, 4, 5].filter(owesReportsOf(null, [], successions))).toEqual([1, 2, 3, 4, 5]);
    const { countsUnder } = unitsShownAt(units, successions, '2025-06-01');
    expect([...reportedUnder(countsUnder, new Set([2]))]).toEqual([]);
    expect([...reportedUnder(countsUnder, new Set([2]), owes)]).toEqual([4]);
    const june = [{ id: 9, dueOn: '2025-06-01' }];
    const notOwed = (o?: typeof owes) =>
      reportsNotOwed(units, successions, june, (_, u) => u === 2, o).map((n) => n.unitId);
    expect(notOwed()).toEqual([2, 3, 5]);
    expect(notOwed(owes)).toEqual([2, 3, 4, 5]);
  });

  it('plans and refuses', () => {
    const ctx = { units, campaign: { startsOn: '2024-10-01', endsOn: '2025-12-31' } };
    expect(
      planMerge({ codes: ['A'], into: { code: 'Z', name: 'Phường Z' }, on: '2025-06-01' }, ctx),
    ).toMatchObject({
      ok: false,
    });
    expect(parseSplitTargets('01:"Phường A", 02:Phường B')).toEqual([
      { code: '01', name: 'Phường A' },
      { code: '02', name: 'Phường B' },
    ]);
    expect(typeof parseSplitTargets('Phường A')).toBe('string');
  });
});
