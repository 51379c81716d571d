import { type ExpressionBuilder, sql } from 'kysely';
import type { DB } from './kysely-dialect.ts';
import type { SqlDb } from './sql-db.ts';

/**
 * The ledger's derived sums (DESIGN.md §5, issue 5 §4): FundTotal (per fund level and kind, and the
 * live pledges per level) and Pledge.received. Summing a national ledger of a million rows for every digest costs more than
 * the digest may take, so the repository keeps these in the same transaction as each entry it
 * writes; `rebuildFundTotals` recomputes them from the ledger (bulk loads, repairs). The ledger
 * stays the record: FundEntry rows are still never updated or deleted.
 */

export interface CountedEntry {
  campaignId: number;
  kind: string;
  levelUnitId: number;
  toUnitId: number | null;
  amount: bigint;
  pledgeId: number | null;
}

/** Adds `amount` and `entries` to a level's sum of one kind (the row made on first use). */
async function addTotal(
  db: SqlDb,
  total: { campaignId: number; levelUnitId: number; kind: string; amount: bigint; entries: number },
): Promise<void> {
  await db.kysely
    .insertInto('FundTotal')
    .values(total)
    .onConflict((oc) =>
      oc.columns(['campaignId', 'levelUnitId', 'kind']).doUpdateSet((eb) => ({
        amount: eb('FundTotal.amount', '+', eb.ref('excluded.amount')),
        entries: eb('FundTotal.entries', '+', eb.ref('excluded.entries')),
      })),
    )
    .execute();
}

/**
 * Adds an entry to the sums (`sign` 1), or takes a reversed one out (-1): a transfer counts out
 * at its level and in at its target; a receipt or in-kind entry also counts for its pledge.
 * Reversals themselves change nothing: the caller takes their target out.
 */
export async function countEntry(db: SqlDb, e: CountedEntry, sign: 1 | -1): Promise<void> {
  if (e.kind === 'reversal') {
    return;
  }
  const amount = e.amount * BigInt(sign);
  const { campaignId } = e;
  if (e.kind === 'transfer') {
    await addTotal(db, {
      campaignId,
      levelUnitId: e.levelUnitId,
      kind: 'transfer_out',
      amount,
      entries: sign,
    });
    if (e.toUnitId !== null) {
      await addTotal(db, { campaignId, levelUnitId: e.toUnitId, kind: 'transfer_in', amount, entries: sign });
    }
    return;
  }
  await addTotal(db, { campaignId, levelUnitId: e.levelUnitId, kind: e.kind, amount, entries: sign });
  if ((e.kind === 'receipt' || e.kind === 'in_kind') && e.pledgeId !== null) {
    await db.kysely
      .updateTable('Pledge')
      .set((eb) => ({ received: eb('received', '+', amount) }))
      .where('id', '=', e.pledgeId)
      .execute();
  }
}

/**
 * Adds receipts (and in-kind entries) to the sums in a few statements: one per level and kind, and
 * one per 500 pledges for their received — what `countEntry` does for each, for a bulk write.
 */
export async function countReceipts(db: SqlDb, entries: readonly CountedEntry[]): Promise<void> {
  const totals = new Map<
    string,
    { campaignId: number; levelUnitId: number; kind: string; amount: bigint; entries: number }
  >();
  const pledges = new Map<number, bigint>();
  for (const e of entries) {
    if (e.kind !== 'receipt' && e.kind !== 'in_kind') {
      throw new Error(`countReceipts: ${e.kind} is not a receipt`);
    }
    const key = `${e.campaignId}:${e.levelUnitId}:${e.kind}`;
    const t = totals.get(key) ?? {
      campaignId: e.campaignId,
      levelUnitId: e.levelUnitId,
      kind: e.kind,
      amount: 0n,
      entries: 0,
    };
    t.amount += e.amount;
    t.entries += 1;
    totals.set(key, t);
    if (e.pledgeId !== null) {
      pledges.set(e.pledgeId, (pledges.get(e.pledgeId) ?? 0n) + e.amount);
    }
  }
  for (const t of totals.values()) {
    await addTotal(db, t);
  }
  const all = [...pledges];
  for (let i = 0; i < all.length; i += 500) {
    const part = all.slice(i, i + 500);
    const added = sql<bigint>`CASE ${sql.join(
      part.map(([id, amount]) => sql`WHEN "id" = ${id} THEN CAST(${amount.toString()} AS BIGINT)`),
      sql` `,
    )} ELSE 0 END`;
    await db.kysely
      .updateTable('Pledge')
      .set((eb) => ({ received: eb('received', '+', added) }))
      .where(
        'id',
        'in',
        part.map(([id]) => id),
      )
      .execute();
  }
}

/** A live pledge counts as 'pledged', or as 'unverified' while it waits for a fund officer. */
function pledgeKind(eb: ExpressionBuilder<DB, 'Pledge'>) {
  return eb
    .case()
    .when('Pledge.verification', '=', sql.lit('pending'))
    .then(sql.lit('unverified'))
    .else(sql.lit('pledged'))
    .end();
}

/**
 * Counts a pledge as it stands in FundTotal's 'pledged' (its level's live pledges; 'unverified'
 * while it waits for verification), or takes it out (-1): a change, cancellation or verification is
 * taken out before and counted again after it (a cancelled pledge counts for nothing, so the two
 * cancel out when nothing changed).
 */
export async function countPledge(db: SqlDb, pledgeId: number, sign: 1 | -1): Promise<void> {
  await db.kysely
    .insertInto('FundTotal')
    .columns(['campaignId', 'levelUnitId', 'kind', 'amount', 'entries'])
    .expression((eb) =>
      eb
        .selectFrom('Pledge')
        .select((p) => [
          'Pledge.campaignId',
          'Pledge.fundUnitId',
          pledgeKind(p).as('kind'),
          (sign === 1 ? p.ref('Pledge.amount') : p.neg(p.ref('Pledge.amount'))).as('amount'),
          sql.lit(sign).as('entries'),
        ])
        .where('Pledge.id', '=', pledgeId)
        .where('Pledge.cancelledAt', 'is', null),
    )
    .onConflict((oc) =>
      oc.columns(['campaignId', 'levelUnitId', 'kind']).doUpdateSet((eb) => ({
        amount: eb('FundTotal.amount', '+', eb.ref('excluded.amount')),
        entries: eb('FundTotal.entries', '+', eb.ref('excluded.entries')),
      })),
    )
    .execute();
}

/**
 * Recomputes the sums from the ledger, in the caller's transaction (the same sums as the migration
 * that introduced them): an entry counts unless a reversal names it.
 */
export async function rebuildFundTotals(db: SqlDb): Promise<void> {
  const k = db.kysely;
  await k.deleteFrom('FundTotal').execute();
  await k
    .updateTable('Pledge')
    .set((eb) => ({
      received: eb.fn.coalesce(
        eb
          .selectFrom('FundEntry as e')
          .select((s) => s.fn.sum<bigint>('e.amount').as('sum'))
          .whereRef('e.pledgeId', '=', 'Pledge.id')
          .where('e.kind', 'in', ['receipt', 'in_kind'])
          .where(({ not, exists, selectFrom }) =>
            not(exists(selectFrom('FundEntry as r').select('r.id').whereRef('r.reversesId', '=', 'e.id'))),
          ),
        sql.lit(0n),
      ),
    }))
    .execute();
  // Each entry in force at its level (a transfer counts out there), each transfer in at its target,
  // each live pledge at its fund level.
  const ledger = k
    .selectFrom('FundEntry as e')
    .leftJoin('FundEntry as r', 'r.reversesId', 'e.id')
    .select((eb) => [
      'e.campaignId as campaignId',
      'e.levelUnitId as levelUnitId',
      eb
        .case()
        .when('e.kind', '=', sql.lit('transfer'))
        .then(sql.lit('transfer_out'))
        .else(eb.ref('e.kind'))
        .end()
        .as('kind'),
      eb.case().when('r.id', 'is', null).then(eb.ref('e.amount')).else(sql.lit(0n)).end().as('amount'),
      eb.case().when('r.id', 'is', null).then(sql.lit(1)).else(sql.lit(0)).end().as('entries'),
    ])
    .where('e.kind', '<>', sql.lit('reversal'))
    .unionAll(
      k
        .selectFrom('FundEntry as e')
        .leftJoin('FundEntry as r', 'r.reversesId', 'e.id')
        .select((eb) => [
          'e.campaignId as campaignId',
          eb.fn.coalesce('e.toUnitId', sql.lit(0)).as('levelUnitId'),
          sql.lit('transfer_in').as('kind'),
          eb.case().when('r.id', 'is', null).then(eb.ref('e.amount')).else(sql.lit(0n)).end().as('amount'),
          eb.case().when('r.id', 'is', null).then(sql.lit(1)).else(sql.lit(0)).end().as('entries'),
        ])
        .where('e.kind', '=', sql.lit('transfer'))
        .where('e.toUnitId', 'is not', null),
    )
    .unionAll(
      k
        .selectFrom('Pledge')
        .select((eb) => [
          'Pledge.campaignId as campaignId',
          'Pledge.fundUnitId as levelUnitId',
          pledgeKind(eb).as('kind'),
          'Pledge.amount as amount',
          sql.lit(1).as('entries'),
        ])
        .where('Pledge.cancelledAt', 'is', null),
    );
  await k
    .insertInto('FundTotal')
    .columns(['campaignId', 'levelUnitId', 'kind', 'amount', 'entries'])
    .expression(
      k
        .selectFrom(ledger.as('ledger'))
        .select((eb) => [
          'ledger.campaignId',
          'ledger.levelUnitId',
          'ledger.kind',
          eb.fn.sum<bigint>('ledger.amount').as('amount'),
          eb.fn.sum<number>('ledger.entries').as('entries'),
        ])
        .groupBy(['ledger.campaignId', 'ledger.levelUnitId', 'ledger.kind']),
    )
    .execute();
}
