import fs from 'node:fs';
import path from 'node:path';
import Database, { type Statement } from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

/** 'file:./data/bot.db' → './data/bot.db' (relative to the working directory, as Prisma reads it). */
export function sqlitePathFromUrl(url: string): string {
  return url.replace(/^file:/, '').replace(/\?.*$/, '');
}

/**
 * Opens the SQLite file with the settings every connection needs: WAL so readers never block the
 * writer, a busy timeout so a second connection (Prisma's, the CLI's) waits instead of failing.
 */
export function openSqlite(file: string): SqliteDatabase {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
}

/** The text form Prisma's SQLite adapter writes for DateTime columns, so both read each other's rows. */
export function toDbTime(d: Date): string {
  return d.toISOString().replace('Z', '+00:00');
}

export function fromDbTime(value: unknown): Date {
  if (value instanceof Date) {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    return new Date(Number(value));
  }
  return new Date(String(value).replace(' ', 'T'));
}

/** Prepares each SQL text once per connection: preparing costs more than running a small statement. */
export function cachedStatements(db: SqliteDatabase): (sql: string) => Statement<unknown[]> {
  const cache = new Map<string, Statement<unknown[]>>();
  return (sql) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = db.prepare<unknown[]>(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
}
