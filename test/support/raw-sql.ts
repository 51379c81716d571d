import { type RawBuilder, sql } from 'kysely';
import type { SqlDb } from '../../prisma/sql-db.ts';

/**
 * Hand-written SQL for tests that look at the tables directly (checksums, counts, a row planted
 * to fake an old conversation), run through the database's Kysely instance on either database.
 * The text is not rewritten: it must be valid as written on SQLite and PostgreSQL alike — quote
 * camelCase identifiers ("chatId"), `?` marks the parameters.
 */
export type Row = Record<string, unknown>;
export type Param = string | number | bigint | boolean | null | Date;

export async function rawRows(db: SqlDb, text: string, params: readonly Param[] = []): Promise<Row[]> {
  const parts = text.split('?');
  if (parts.length !== params.length + 1) {
    throw new Error(`${parts.length - 1} placeholders for ${params.length} parameters: ${text}`);
  }
  const pieces: RawBuilder<unknown>[] = [];
  parts.forEach((part, i) => {
    pieces.push(sql.raw(part));
    if (i < params.length) {
      pieces.push(sql`${params[i]}`);
    }
  });
  const result = await sql.join(pieces, sql.raw('')).execute(db.kysely);
  return result.rows as Row[];
}

/** The first column of the first row as a number (a COUNT, an id): 0 when there is no row. */
export async function rawNumber(db: SqlDb, text: string, params: readonly Param[] = []): Promise<number> {
  const row = (await rawRows(db, text, params))[0];
  return Number(row === undefined ? 0 : (Object.values(row)[0] ?? 0));
}
