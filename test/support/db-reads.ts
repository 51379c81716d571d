import type { SqlDb } from '../../prisma/sql-db.ts';

/** The id of the unit `code` (the newest version of it, after a reorganisation). */
export async function unitIdOf(db: SqlDb, code: string): Promise<number> {
  const row = await db.kysely
    .selectFrom('Unit')
    .select('id')
    .where('code', '=', code)
    .orderBy('validFrom', 'desc')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** A fund level's pledged total as the ledger keeps it (FundTotal, kind 'pledged'); 0 before any. */
export async function pledgedAt(db: SqlDb, levelUnitId: number): Promise<bigint> {
  const row = await db.kysely
    .selectFrom('FundTotal')
    .select('amount')
    .where('levelUnitId', '=', levelUnitId)
    .where('kind', '=', 'pledged')
    .executeTakeFirst();
  return BigInt(row?.amount ?? 0);
}
