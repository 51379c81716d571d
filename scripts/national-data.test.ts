import { type RawBuilder, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDigest, type Digest } from '../core/digests/digest.ts';
import type { Text } from '../core/flows/flow.ts';
import { fundRollupFor, loadRollup } from '../core/funds/fund-reports.ts';
import { buildRollup } from '../core/funds/fund-rollup.ts';
import { campaignNorms, fundEntry, recordFundEntry, toLedgerEntry } from '../core/funds/fund-service.ts';
import { check, emptyLedger, record } from '../core/funds/ledger.ts';
import { shortUnitName } from '../core/households/unit-progress.ts';
import { plainText } from '../core/messaging/markup.ts';
import { buildLeadersView } from '../core/reports/leaders-view.ts';
import { cumulativeCounts } from '../core/reports/registry-counts.ts';
import type { Actor } from '../core/shared/actor.ts';
import { formatInteger, formatMoney } from '../core/shared/format.ts';
import type { Tx } from '../core/unit-of-work.ts';
import { FUND_LEVEL_KINDS } from '../core/units/unit.repository.ts';
import { insertHouseholds, type NewHousehold } from '../prisma/household-writer.ts';
import type { SqlDb } from '../prisma/sql-db.ts';
import { createStore } from '../prisma/store.ts';
import { migratedDb } from '../test/support/app-harness.ts';
import { findNational, generateNational, NATIONAL_AS_OF, type NationalDataSet } from './national-data.ts';

// The national data set at 0.2 % (670 households, 2,000 ledger entries, 34 provinces with 149
// communes) on the suite's database: the digest's national figures are summed by the database
// (running totals, GROUP BY), and must equal what plain counts over every row say, to the đồng.

let db: SqlDb;
let close: () => Promise<void>;
let set: NationalDataSet;
let digest: Digest;

const run = <T>(work: (tx: Tx) => Promise<T>): Promise<T> => createStore(db).run(work);
/**
 * The rows of one of this test's own statements, which check the repositories' figures against
 * plain SQL (quoted identifiers, as PostgreSQL needs them). Computed integers (COUNT, SUM) come as
 * numbers on SQLite and may be bigints on PostgreSQL: read them with Number or BigInt.
 */
async function rowsOf<R>(query: RawBuilder<R>, on: SqlDb = db): Promise<R[]> {
  return (await query.execute(on.kysely)).rows;
}
async function rowOf<R>(query: RawBuilder<R>, on: SqlDb = db): Promise<R | undefined> {
  return (await rowsOf(query, on))[0];
}
const money = async (query: RawBuilder<{ n: unknown }>): Promise<bigint> =>
  BigInt(((await rowOf(query))?.n ?? 0) as number | bigint);
/** Entries not reversed. */
const LIVE = sql`NOT EXISTS (SELECT 1 FROM "FundEntry" r WHERE r."reversesId" = e.id)`;

function line(lines: Text[], key: string): Record<string, unknown> {
  const found = lines.find((l) => l.key === key);
  if (!found) {
    throw new Error(`no line ${key}`);
  }
  return found.params ?? {};
}

/** Households by stage reached (a completed house was also approved and started), from statuses. */
function stages(byStatus: Map<string, number>) {
  const n = (...statuses: string[]) => statuses.reduce((sum, s) => sum + (byStatus.get(s) ?? 0), 0);
  return {
    approved: n('approved', 'started', 'completed', 'handed_over'),
    started: n('started', 'completed', 'handed_over'),
    completed: n('completed', 'handed_over'),
    handedOver: n('handed_over'),
  };
}

function nationalLeader(): Actor {
  return {
    personId: 0,
    fullName: 'Lãnh đạo',
    locale: 'vi',
    memberships: [
      { role: 'leader', unitId: set.nationId, unitCode: 'VN', unitName: 'Cả nước', unitKind: 'nation' },
    ],
  };
}

beforeAll(async () => {
  ({ db, close } = await migratedDb());
  set = await generateNational(db, { scale: 0.002 });
  const built = await run((tx) =>
    buildDigest(tx, { areaUnitId: set.nationId, kind: 'weekly', now: NATIONAL_AS_OF }),
  );
  if (!built) {
    throw new Error('no national digest');
  }
  digest = built;
}, 120_000);

afterAll(async () => {
  await close();
});

describe('the national data set', () => {
  it('has the country in small: 34 provinces, their communes, and the promised rows at scale', async () => {
    expect(set.counts).toMatchObject({
      provinces: 34,
      communes: 149,
      households: 670,
      pledges: 200,
      fundEntries: 2_000,
      people: 733,
    });
    const count = async (table: string) =>
      Number((await rowOf(sql<{ n: unknown }>`SELECT COUNT(*) AS n FROM ${sql.table(table)}`))?.n);
    expect(await count('Household')).toBe(set.counts.households);
    expect(await count('FundEntry')).toBe(set.counts.fundEntries);
    expect(await count('Pledge')).toBe(set.counts.pledges);
    expect(await count('HouseholdEvent')).toBe(set.counts.householdEvents);
    expect(await count('Unit')).toBe(set.counts.units);
    // The units came in one `units import` (one plan, one audit row), as an official list does.
    const imports = await rowOf(
      sql<{ n: unknown }>`SELECT COUNT(*) AS n FROM "AuditLog" WHERE "action" = 'units.import'`,
    );
    expect(Number(imports?.n)).toBe(1);
    expect(await findNational(db)).toEqual(set);
    await expect(generateNational(db, { scale: 0.002 })).rejects.toThrow(/already holds/);
  });

  it('has a ledger every entry of which the ledger rules accept, in order', async () => {
    const campaign = await run((tx) => tx.campaigns.findCurrent());
    const rows = await run(async (tx) => tx.funds.listByCampaign(set.campaignId));
    let state = emptyLedger();
    const refused: unknown[] = [];
    for (const row of rows) {
      const { id: _, ...entry } = toLedgerEntry(row);
      const refusal = check(state, entry as Parameters<typeof check>[1], campaignNorms(campaign ?? never()));
      if (refusal) {
        refused.push({ id: row.id, kind: row.kind, refusal });
      }
      state = record(state, toLedgerEntry(row));
    }
    expect(refused).toEqual([]);
    expect(new Set(rows.map((r) => r.kind))).toEqual(
      new Set(['receipt', 'in_kind', 'allocation', 'disbursement', 'transfer', 'reversal']),
    );
  });
});

describe('the national digest', () => {
  it('lists the 34 provinces, each with the houses of all its communes', async () => {
    const rows = digest.lines.filter((l) => l.key === 'digest.houses.unit');
    expect(rows).toHaveLength(34);
    expect(digest.lines).toContainEqual({ key: 'digest.houses.heading_provinces' });
    const counted = await rowsOf(
      sql<{ province: string; status: string; n: unknown }>`SELECT p.name AS province, h.status, COUNT(*) AS n
        FROM "Household" h JOIN "Unit" c ON c.id = h."unitId" JOIN "Unit" p ON p.id = c."parentId"
        GROUP BY p.name, h.status`,
    );
    const byProvince = new Map<string, Map<string, number>>();
    for (const r of counted) {
      const name = shortUnitName(r.province);
      byProvince.set(name, (byProvince.get(name) ?? new Map()).set(r.status, Number(r.n)));
    }
    for (const row of rows) {
      const params = row.params ?? {};
      const expected = stages(byProvince.get(String(params.unit)) ?? new Map());
      expect(params).toMatchObject({
        approved: formatInteger(expected.approved),
        started: formatInteger(expected.started),
        completed: formatInteger(expected.completed),
        handedOver: formatInteger(expected.handedOver),
      });
    }
  });

  it('totals the houses as counting every household does', async () => {
    const byStatus = new Map(
      (
        await rowsOf(
          sql<{ status: string; n: unknown }>`SELECT status, COUNT(*) AS n FROM "Household" GROUP BY status`,
        )
      ).map((r) => [r.status, Number(r.n)]),
    );
    const expected = stages(byStatus);
    expect(line(digest.lines, 'digest.houses.total')).toMatchObject({
      approved: formatInteger(expected.approved),
      started: formatInteger(expected.started),
      completed: formatInteger(expected.completed),
      handedOver: formatInteger(expected.handedOver),
    });
  });

  it('sums the money as summing every ledger row and pledge does, to the đồng', async () => {
    const sum = (kind: string) =>
      money(
        sql`SELECT COALESCE(SUM(e.amount), 0) AS n FROM "FundEntry" e WHERE e.kind = ${kind} AND ${LIVE}`,
      );
    const pledged = await money(
      sql`SELECT COALESCE(SUM(amount), 0) AS n FROM "Pledge" WHERE "cancelledAt" IS NULL`,
    );
    const households = Number(
      (
        await rowOf(
          sql<{
            n: unknown;
          }>`SELECT COUNT(*) AS n FROM (SELECT DISTINCT e."householdId", e.need FROM "FundEntry" e
             WHERE e.kind = 'allocation' AND ${LIVE}) allocated`,
        )
      )?.n,
    );
    expect(pledged).toBeGreaterThan(0n);
    expect(line(digest.lines, 'digest.money.pledged')).toEqual({ amount: formatMoney(pledged) });
    // Money received in all (against pledges and without: the national data has both).
    expect(line(digest.lines, 'digest.money.received').amount).toBe(formatMoney(await sum('receipt')));
    expect(line(digest.lines, 'digest.money.in_kind')).toEqual({ amount: formatMoney(await sum('in_kind')) });
    expect(line(digest.lines, 'digest.money.allocated')).toEqual({
      amount: formatMoney(await sum('allocation')),
      households: formatInteger(households),
    });
    expect(line(digest.lines, 'digest.money.disbursed')).toEqual({
      amount: formatMoney(await sum('disbursement')),
    });
  });

  it("counts the communes that sent the month's report", async () => {
    const period = await rowOf(
      sql<{ id: number; label: string }>`SELECT id, label FROM "ReportingPeriod"
        WHERE kind = 'monthly' AND "dueOn" <= '2025-09-18' ORDER BY "dueOn" DESC LIMIT 1`,
    );
    const reported = Number(
      (
        await rowOf(
          sql<{
            n: unknown;
          }>`SELECT COUNT(DISTINCT "unitId") AS n FROM "Report" WHERE "periodId" = ${Number(period?.id)}`,
        )
      )?.n,
    );
    const status = digest.lines.find(
      (l) => l.key === 'digest.reports.status_local' && l.params?.period === period?.label,
    );
    expect(status?.params).toMatchObject({ count: formatInteger(reported), total: formatInteger(149) });
  });

  it('tells the houses that moved in the last 7 days as replaying the history does', async () => {
    const weekAgo = new Date(NATIONAL_AS_OF.getTime() - 7 * 86_400_000);
    const communes = await rowsOf(
      sql<{ id: number }>`SELECT id FROM "Unit" WHERE kind IN ('ward', 'commune')`,
    );
    const then = { approved: 0, started: 0, completed: 0, handedOver: 0 };
    await run(async (tx) => {
      for (const c of communes) {
        const counts = cumulativeCounts(await tx.households.statusCountsAsOf(Number(c.id), weekAgo));
        then.approved += (counts?.approvedNew ?? 0) + (counts?.approvedRepair ?? 0);
        then.started += (counts?.startedNew ?? 0) + (counts?.startedRepair ?? 0);
        then.completed += (counts?.completedNew ?? 0) + (counts?.completedRepair ?? 0);
        then.handedOver += (counts?.handedOverNew ?? 0) + (counts?.handedOverRepair ?? 0);
      }
    });
    const total = line(digest.lines, 'digest.houses.total');
    const now = (key: string) => Number(String(total[key]).replace(/\./g, ''));
    const signed = (n: number) => (n >= 0 ? `+${formatInteger(n)}` : `−${formatInteger(-n)}`);
    expect(line(digest.lines, 'digest.houses.week')).toEqual({
      approved: signed(now('approved') - then.approved),
      started: signed(now('started') - then.started),
      completed: signed(now('completed') - then.completed),
      handedOver: signed(now('handedOver') - then.handedOver),
    });
  });

  it("builds a province's digest over its own communes and funds", async () => {
    const province = await rowOf(
      sql<{ id: number; name: string }>`SELECT id, name FROM "Unit" WHERE code = 'P08'`,
    );
    const d = await run((tx) =>
      buildDigest(tx, { areaUnitId: Number(province?.id), kind: 'deadline', now: NATIONAL_AS_OF }),
    );
    const communes = Number(
      (
        await rowOf(
          sql<{ n: unknown }>`SELECT COUNT(*) AS n FROM "Unit"
            WHERE "parentId" = ${Number(province?.id)} AND kind IN ('ward', 'commune')`,
        )
      )?.n,
    );
    expect(d?.lines.filter((l) => l.key === 'digest.houses.unit')).toHaveLength(communes);
    const pledged = await money(
      sql`SELECT COALESCE(SUM(p.amount), 0) AS n FROM "Pledge" p
        WHERE p."cancelledAt" IS NULL AND (p."fundUnitId" = ${Number(province?.id)}
          OR p."fundUnitId" IN (SELECT id FROM "Unit" WHERE "parentId" = ${Number(province?.id)}))`,
    );
    expect(line(d?.lines ?? [], 'digest.money.pledged')).toEqual({ amount: formatMoney(pledged) });
  });
});

describe("the leaders' views of the nation", () => {
  it('/tinhhinh: one block per province', async () => {
    const lines = (await run((tx) => buildLeadersView(tx, nationalLeader(), NATIONAL_AS_OF))) ?? [];
    const units = lines.filter((l) => l.key === 'leaders.unit');
    expect(units).toHaveLength(34);
    expect(plainText(String(units[0]?.params?.name))).toMatch(/Hà Nội$/);
    expect(lines.filter((l) => l.key === 'leaders.registry')).toHaveLength(34);
  });

  it("/quy: the centre's own fund and one line per province, adding up to the digest's totals", async () => {
    const lines = (await run((tx) => fundRollupFor(tx, nationalLeader(), NATIONAL_AS_OF))) ?? [];
    expect(lines.filter((l) => l.key === 'fund.level.line')).toHaveLength(35);
    expect(line(lines, 'fund.rollup.total').received).toBe(
      line(digest.lines, 'digest.money.received').amount,
    );
  });
});

describe('the household counts kept by the database', () => {
  type Counted = { unitId: number; status: string; n: unknown };
  const sorted = (counts: Counted[]) =>
    counts.map((r) => `${r.unitId}:${r.status}:${Number(r.n)}`).sort((a, b) => a.localeCompare(b));
  /** The counts kept in HouseholdCount equal counting the households, on `on` (a transaction). */
  async function expectCountsKept(on: SqlDb = db): Promise<void> {
    const counted = await rowsOf(
      sql<Counted>`SELECT "unitId", status, COUNT(*) AS n FROM "Household" GROUP BY "unitId", status`,
      on,
    );
    const kept = await rowsOf(
      sql<Counted>`SELECT "unitId", status, households AS n FROM "HouseholdCount" WHERE households > 0`,
      on,
    );
    expect(sorted(kept)).toEqual(sorted(counted));
  }

  it('equal counting the registry, after any insert, move or correction', async () => {
    await expectCountsKept();
    const [first, second] = await rowsOf(
      sql<{ id: number; unitId: number }>`SELECT id, "unitId" FROM "Household"
        WHERE status = 'approved' ORDER BY id LIMIT 2`,
    );
    const other = await rowOf(
      sql<{ id: number }>`SELECT id FROM "Unit"
        WHERE kind = 'commune' AND id <> ${Number(second?.unitId)} ORDER BY id LIMIT 1`,
    );
    await run(async (tx) => {
      expect(await tx.households.moveStatus(Number(first?.id), 'approved', 'started', NATIONAL_AS_OF)).toBe(
        true,
      );
    });
    await sql`UPDATE "Household" SET "unitId" = ${Number(other?.id)}, status = ${'completed'}
      WHERE id = ${Number(second?.id)}`.execute(db.kysely);
    await sql`UPDATE "Household" SET village = ${'Thôn 99'} WHERE id = ${Number(second?.id)}`.execute(
      db.kysely,
    );
    await sql`INSERT INTO "Household" ("campaignId", "unitId", code, village, "headName", "headNameKey", category,
         need, "foundationDurable", "frameDurable", "roofDurable", members, "landLegal", "landUndisputed",
         "outsideLandslideZone", "confirmedByCommune", eligible, status, "createdAt", "updatedAt")
       VALUES (${set.campaignId}, ${Number(other?.id)}, 'NEW-1', 'Thôn 1', 'Lò Văn Mới', 'lo van moi', 'poor',
         'repair', FALSE, FALSE, FALSE, 3, TRUE, TRUE, TRUE, TRUE, TRUE, 'proposed', ${NATIONAL_AS_OF},
         ${NATIONAL_AS_OF})`.execute(db.kysely);
    await expectCountsKept();
  });

  it('equal counting the registry after an import-sized batched insert, each counter row changed once per statement', async () => {
    const communes = await rowsOf(
      sql<{ id: number }>`SELECT id FROM "Unit" WHERE kind = 'commune' ORDER BY id LIMIT 2`,
    );
    const households: NewHousehold[] = Array.from({ length: 1200 }, (_, i) => ({
      campaignId: set.campaignId,
      unitId: Number(communes[i % 2]?.id),
      status: i % 3 === 0 ? 'approved' : 'proposed',
      code: `BATCH-${i}`,
      village: 'Thôn 1',
      headName: `Lò Văn Lô ${i}`,
      category: 'poor',
      need: 'repair',
      foundationDurable: false,
      frameDurable: false,
      roofDurable: false,
      members: 3,
      landLegal: true,
      landUndisputed: true,
      outsideLandslideZone: true,
      confirmedByCommune: true,
    }));
    const rolledBack = new Error('rolled back');
    await expect(
      db.transaction(async (tx) => {
        const ids = await insertHouseholds(tx, households, NATIONAL_AS_OF, null, 'cli');
        expect(new Set(ids).size).toBe(1200);
        const events = await rowOf(
          sql<{
            n: unknown;
          }>`SELECT COUNT(*) AS n FROM "HouseholdEvent" e JOIN "Household" h ON h.id = e."householdId"
            WHERE h.code LIKE 'BATCH-%' AND e.kind = 'created' AND e."toStatus" = h.status AND e.channel = 'cli'`,
          tx,
        );
        expect(Number(events?.n)).toBe(1200);
        await expectCountsKept(tx);
        if (tx.dialect === 'postgres') {
          // PostgreSQL keeps every version of a row until commit: one counter update per household
          // (1,200 here) made a large import quadratic. Now a few per statement: 3 statements (500 a
          // batch) × 4 (unit, status) keys, plus the insert attempts ON CONFLICT turned into updates.
          const changes = await rowOf(
            sql<{ n: unknown }>`SELECT n_tup_ins + n_tup_upd AS n FROM pg_stat_xact_user_tables
              WHERE relid = '"HouseholdCount"'::regclass`,
            tx,
          );
          expect(Number(changes?.n)).toBeLessThan(30);
        }
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
    await expectCountsKept();
  });
});

describe('the roll-up from running totals', () => {
  async function bothRollups() {
    return run(async (tx) => {
      const units = await tx.units.listByKinds([...FUND_LEVEL_KINDS, 'member_org']);
      const fromRows = buildRollup(
        units,
        await tx.pledges.listByCampaign(set.campaignId),
        await tx.funds.listByCampaign(set.campaignId),
      );
      return { fromTotals: (await loadRollup(tx))?.rollup, fromRows };
    });
  }

  it('equals the roll-up folded from every row', async () => {
    const { fromTotals, fromRows } = await bothRollups();
    expect(fromTotals).toEqual(fromRows);
    expect(fromRows.levels.length).toBeGreaterThan(100);
  });

  it('stays equal as entries are recorded and reversed through the repository', async () => {
    const commune = await rowOf(
      sql<{ id: number; parentId: number | null }>`SELECT id, "parentId" FROM "Unit"
        WHERE kind = 'commune' ORDER BY id LIMIT 1`,
    );
    const household = await rowOf(
      sql<{ id: number; need: string }>`SELECT h.id, h.need FROM "Household" h WHERE h.status = 'approved'
          AND NOT EXISTS (SELECT 1 FROM "FundEntry" e WHERE e."householdId" = h.id AND e.kind = 'allocation')
        ORDER BY h.id LIMIT 1`,
    );
    const pledge = await rowOf(
      sql<{ id: number; fundUnitId: number | null }>`SELECT id, "fundUnitId" FROM "Pledge"
        WHERE "cancelledAt" IS NULL AND kind = 'money' ORDER BY id LIMIT 1`,
    );
    const level = Number(commune?.id);
    const province = Number(commune?.parentId);
    await run(async (tx) => {
      const campaign = (await tx.campaigns.findCurrent()) ?? never();
      const entry = async (fields: Partial<Parameters<typeof fundEntry>[0]>) => {
        const outcome = await recordFundEntry(
          tx,
          campaign,
          fundEntry({
            campaignId: campaign.id,
            kind: 'receipt',
            levelUnitId: level,
            amount: 0n,
            occurredOn: '2025-09-18',
            ...fields,
          }),
          NATIONAL_AS_OF,
        );
        if (!outcome.ok) {
          throw new Error(`refused: ${outcome.refusal.code}`);
        }
        return outcome.id;
      };
      await entry({ amount: 5_000_000n, note: 'Hòm ủng hộ' });
      const allocation = await entry({
        kind: 'allocation',
        amount: 1_000_000n,
        householdId: Number(household?.id),
        need: household?.need === 'repair' ? 'repair' : 'new_build',
      });
      await entry({ kind: 'reversal', reversesId: allocation, reason: 'Phân bổ nhầm hộ' });
      await entry({ levelUnitId: province, amount: 2_000_000n });
      await entry({ kind: 'transfer', levelUnitId: province, toUnitId: level, amount: 1_000_000n });
      const receipt = await entry({
        levelUnitId: Number(pledge?.fundUnitId),
        amount: 3_000_000n,
        pledgeId: Number(pledge?.id),
      });
      await entry({ kind: 'reversal', reversesId: receipt, reason: 'Nhập nhầm phiếu thu' });
      await entry({
        levelUnitId: Number(pledge?.fundUnitId),
        amount: 300_000n,
        pledgeId: Number(pledge?.id),
      });
    });
    const { fromTotals, fromRows } = await bothRollups();
    expect(fromTotals).toEqual(fromRows);
  });
});

function never(): never {
  throw new Error('missing');
}
