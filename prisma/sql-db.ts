import { isPostgresUrl, type SqlDb } from './database.ts';
import { openPostgres } from './postgres-db.ts';
import { openSqlite, sqlitePathFromUrl } from './sqlite.ts';
import { sqliteDb } from './sqlite-db.ts';

export * from './database.ts';
export type { DB } from './kysely-dialect.ts';
export { sqliteDb } from './sqlite-db.ts';

/** Opens the database a DATABASE_URL names: `file:…` for SQLite, `postgres(ql)://…` for PostgreSQL. */
export function openSqlDb(url: string, opts: { poolSize?: number } = {}): SqlDb {
  return isPostgresUrl(url) ? openPostgres(url, opts) : sqliteDb(openSqlite(sqlitePathFromUrl(url)));
}
