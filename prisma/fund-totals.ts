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

const ADD_TOTAL = `INSERT INTO "FundTotal" (campaignId, levelUnitId, kind, amount, entries) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (campaignId, levelUnitId, kind)
  DO UPDATE SET amount = "FundTotal".amount + excluded.amount, entries = "FundTotal".entries + excluded.entries`;

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
  if (e.kind === 'transfer') {
    await db.run(ADD_TOTAL, [e.campaignId, e.levelUnitId, 'transfer_out', amount, sign]);
    if (e.toUnitId !== null) {
      await db.run(ADD_TOTAL, [e.campaignId, e.toUnitId, 'transfer_in', amount, sign]);
    }
    return;
  }
  await db.run(ADD_TOTAL, [e.campaignId, e.levelUnitId, e.kind, amount, sign]);
  if ((e.kind === 'receipt' || e.kind === 'in_kind') && e.pledgeId !== null) {
    await db.run('UPDATE "Pledge" SET received = received + ? WHERE id = ?', [amount, e.pledgeId]);
  }
}

/** A live pledge counts as 'pledged', or as 'unverified' while it waits for a fund officer. */
const PLEDGE_KIND = `CASE WHEN "verification" = 'pending' THEN 'unverified' ELSE 'pledged' END`;

const PLEDGE_TOTAL = (
  sign: '' | '-',
) => `INSERT INTO "FundTotal" (campaignId, levelUnitId, kind, amount, entries)
  SELECT campaignId, fundUnitId, ${PLEDGE_KIND}, ${sign}amount, ${sign}1 FROM "Pledge" WHERE id = ? AND cancelledAt IS NULL
  ON CONFLICT (campaignId, levelUnitId, kind)
  DO UPDATE SET amount = "FundTotal".amount + excluded.amount, entries = "FundTotal".entries + excluded.entries`;
const ADD_PLEDGE = PLEDGE_TOTAL('');
const TAKE_PLEDGE = PLEDGE_TOTAL('-');

/**
 * Counts a pledge as it stands in FundTotal's 'pledged' (its level's live pledges; 'unverified'
 * while it waits for verification), or takes it out (-1): a change, cancellation or verification is
 * taken out before and counted again after it (a cancelled pledge counts for nothing, so the two
 * cancel out when nothing changed).
 */
export async function countPledge(db: SqlDb, pledgeId: number, sign: 1 | -1): Promise<void> {
  await db.run(sign === 1 ? ADD_PLEDGE : TAKE_PLEDGE, [pledgeId]);
}

/**
 * Recomputes the sums from the ledger, in the caller's transaction (the same SQL as the migration
 * that introduced them).
 */
export async function rebuildFundTotals(db: SqlDb): Promise<void> {
  await db.run('DELETE FROM "FundTotal"');
  await db.run(`UPDATE "Pledge" SET "received" = COALESCE((
      SELECT SUM(e."amount") FROM "FundEntry" e
       WHERE e."pledgeId" = "Pledge"."id" AND e."kind" IN ('receipt', 'in_kind')
         AND NOT EXISTS (SELECT 1 FROM "FundEntry" r WHERE r."reversesId" = e."id")), 0)`);
  await db.run(`INSERT INTO "FundTotal" ("campaignId", "levelUnitId", "kind", "amount", "entries")
    SELECT "campaignId", "levelUnitId", "kind", SUM("amount"), SUM("entries") FROM (
      SELECT e."campaignId" AS "campaignId", e."levelUnitId" AS "levelUnitId",
             CASE WHEN e."kind" = 'transfer' THEN 'transfer_out' ELSE e."kind" END AS "kind",
             CASE WHEN r."id" IS NULL THEN e."amount" ELSE 0 END AS "amount",
             CASE WHEN r."id" IS NULL THEN 1 ELSE 0 END AS "entries"
        FROM "FundEntry" e LEFT JOIN "FundEntry" r ON r."reversesId" = e."id"
       WHERE e."kind" <> 'reversal'
      UNION ALL
      SELECT e."campaignId", e."toUnitId", 'transfer_in',
             CASE WHEN r."id" IS NULL THEN e."amount" ELSE 0 END,
             CASE WHEN r."id" IS NULL THEN 1 ELSE 0 END
        FROM "FundEntry" e LEFT JOIN "FundEntry" r ON r."reversesId" = e."id"
       WHERE e."kind" = 'transfer' AND e."toUnitId" IS NOT NULL
      UNION ALL
      SELECT "campaignId", "fundUnitId", ${PLEDGE_KIND}, "amount", 1 FROM "Pledge" WHERE "cancelledAt" IS NULL
    ) ledger
    GROUP BY "campaignId", "levelUnitId", "kind"`);
}
