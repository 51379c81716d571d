import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratedDb } from '../test/support/app-harness.ts';
import { createFundRepository } from './fund-repository.ts';
import { seedDemo } from './seed.ts';
import type { SqlDb } from './sql-db.ts';

/**
 * `unitMoney` sums each part of a ward's money through its own index (its level, transfers to it,
 * its households) and counts an entry touching it in more than one way once: on a ledger of every
 * kind of entry, some reversed, some of another campaign, its figures are those the definition
 * gives, computed here from the rows (SQLite, or PostgreSQL with TEST_DATABASE).
 */
describe('the ledger money of a unit', () => {
  const at = new Date('2025-03-10T03:00:00Z');
  const DAYS = ['2025-03-01', '2025-03-05', '2025-03-09'];
  let db: SqlDb;
  let close: () => Promise<void>;
  let campaignId: number;
  /** The units with households, and the one above the first (the level paying from above). */
  let units: number[];
  let unitOf: Map<number, number>;
  let rows: Row[];

  interface Row {
    id: number;
    campaignId: number;
    kind: string;
    levelUnitId: number;
    toUnitId: number | null;
    householdId: number | null;
    amount: bigint;
    reversesId: number | null;
    occurredOn: string;
  }

  beforeAll(async () => {
    ({ db, close } = await migratedDb());
    await seedDemo(db, at);
    campaignId = (await db.kysely.selectFrom('Campaign').select('id').orderBy('id').executeTakeFirstOrThrow())
      .id;
    // The fixture's households are of one ward: half of them moved to another ward under its city.
    const households = await db.kysely
      .selectFrom('Household')
      .select(['id', 'unitId'])
      .where('campaignId', '=', campaignId)
      .orderBy('id')
      .execute();
    const ward = households[0]?.unitId ?? 0;
    const { parentId: city } = await db.kysely
      .selectFrom('Unit')
      .select('parentId')
      .where('id', '=', ward)
      .executeTakeFirstOrThrow();
    const { id: sibling } = await db.kysely
      .selectFrom('Unit')
      .select('id')
      .where('parentId', '=', city)
      .where('id', '<>', ward)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const moved = households.slice(households.length / 2).map((h) => h.id);
    await db.kysely.updateTable('Household').set({ unitId: sibling }).where('id', 'in', moved).execute();
    unitOf = new Map(households.map((h) => [h.id, moved.includes(h.id) ? sibling : h.unitId]));
    units = [ward, sibling, city ?? 0];
    expect(moved.length).toBeGreaterThan(0);

    // A seeded pseudo-random ledger: the same rows on every run.
    let seed = 19;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)] as T;
    const householdIds = [...unitOf.keys()];
    for (let i = 0; i < 240; i++) {
      const kind = pick(['receipt', 'in_kind', 'transfer', 'allocation', 'disbursement'] as const);
      const level = pick(units);
      const toHousehold = kind === 'allocation' || kind === 'disbursement' || rand(10) === 0;
      await db.kysely
        .insertInto('FundEntry')
        .values({
          // One in ten of another campaign (its households are this campaign's: only the campaign tells).
          campaignId: rand(10) === 0 ? campaignId + 1 : campaignId,
          kind,
          levelUnitId: level,
          toUnitId: kind === 'transfer' ? pick(units.filter((u) => u !== level)) : null,
          householdId: toHousehold ? pick(householdIds) : null,
          amount: BigInt(1 + rand(50)) * 1_000_000n,
          occurredOn: pick(DAYS),
          createdAt: at,
        })
        .execute();
    }
    // Reversals of one entry in six, as the ledger writes them: the same level, amount and household.
    const written = await db.kysely.selectFrom('FundEntry').selectAll().orderBy('id').execute();
    for (const e of written.filter((_, i) => i % 6 === 0)) {
      await db.kysely
        .insertInto('FundEntry')
        .values({
          campaignId: e.campaignId,
          kind: 'reversal',
          levelUnitId: e.levelUnitId,
          toUnitId: e.toUnitId,
          householdId: e.householdId,
          amount: e.amount,
          reversesId: e.id,
          reason: 'nhầm',
          occurredOn: pick(DAYS),
          createdAt: at,
        })
        .execute();
    }
    rows = await db.kysely
      .selectFrom('FundEntry')
      .select([
        'id',
        'campaignId',
        'kind',
        'levelUnitId',
        'toUnitId',
        'householdId',
        'amount',
        'reversesId',
        'occurredOn',
      ])
      .execute();
  });
  afterAll(() => close());

  /** The figures by their definition (core/funds/fund.repository.ts, `unitMoney`), from the rows. */
  function expected(unitId: number, throughDay: string) {
    const reversed = new Set(rows.map((r) => r.reversesId));
    const ledger = rows.filter((r) => r.campaignId === campaignId && r.occurredOn <= throughDay);
    const inForce = ledger.filter((r) => !reversed.has(r.id));
    const toItsHousehold = (r: Row) => r.householdId !== null && unitOf.get(r.householdId) === unitId;
    const sum = (xs: Row[]) => xs.reduce((a, r) => a + r.amount, 0n);
    const paid = inForce.filter((r) => r.kind === 'disbursement' && toItsHousehold(r));
    return {
      received:
        sum(
          inForce.filter(
            (r) =>
              (r.kind === 'receipt' && r.levelUnitId === unitId) ||
              (r.kind === 'transfer' && r.toUnitId === unitId),
          ),
        ) + sum(paid.filter((r) => r.levelUnitId !== unitId)),
      paid: sum(paid),
      entries: ledger.filter((r) => r.levelUnitId === unitId || r.toUnitId === unitId || toItsHousehold(r))
        .length,
    };
  }

  it('is what the definition gives, for every unit and day', async () => {
    const funds = createFundRepository(db);
    const checked: string[] = [];
    for (const unitId of units) {
      for (const day of DAYS) {
        const want = expected(unitId, day);
        expect(await funds.unitMoney(campaignId, unitId, day), `unit ${unitId} through ${day}`).toEqual(want);
        checked.push(`${want.received}/${want.paid}/${want.entries}`);
      }
    }
    // The ledger gave every part something to sum: no figure is trivially 0 everywhere.
    const [someReceived, somePaid] = [
      units.some((u) => expected(u, DAYS[2] ?? '').received > 0n),
      units.some((u) => expected(u, DAYS[2] ?? '').paid > 0n),
    ];
    expect([someReceived, somePaid, new Set(checked).size > units.length]).toEqual([true, true, true]);
  });

  it('counts an entry that touches the unit in several ways once', async () => {
    const [ward = 0, other = 0] = units;
    const household = [...unitOf].find(([, u]) => u === ward)?.[0] ?? 0;
    const funds = createFundRepository(db);
    const before = await funds.unitMoney(campaignId, ward, '2025-03-31');
    // At its level, transferred to it (a level to itself never is, but the count must not double)
    // and to its household: one entry.
    await db.kysely
      .insertInto('FundEntry')
      .values({
        campaignId,
        kind: 'allocation',
        levelUnitId: ward,
        toUnitId: ward,
        householdId: household,
        amount: 1n,
        occurredOn: '2025-03-31',
        createdAt: at,
      })
      .execute();
    // Transferred to it and to its household from another level: one entry.
    await db.kysely
      .insertInto('FundEntry')
      .values({
        campaignId,
        kind: 'allocation',
        levelUnitId: other,
        toUnitId: ward,
        householdId: household,
        amount: 1n,
        occurredOn: '2025-03-31',
        createdAt: at,
      })
      .execute();
    const after = await funds.unitMoney(campaignId, ward, '2025-03-31');
    expect(after).toEqual({ ...before, entries: before.entries + 2 });
  });
});
