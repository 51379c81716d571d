import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SqliteDatabase } from './sqlite.ts';
import { toDbTime } from './sqlite.ts';

export const MIGRATIONS_DIR = path.join(import.meta.dirname, 'migrations');

/**
 * Applies the committed migrations that are not yet applied, in name order, each in its own
 * transaction, and records them in Prisma's own `_prisma_migrations` table (same columns and
 * checksum), so `prisma migrate status` agrees. We do this ourselves because it needs no engine
 * at all at start-up (DESIGN.md §7) and takes milliseconds.
 */
export function applyMigrations(db: SqliteDatabase, dir = MIGRATIONS_DIR): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" TEXT PRIMARY KEY NOT NULL,
    "checksum" TEXT NOT NULL,
    "finished_at" DATETIME,
    "migration_name" TEXT NOT NULL,
    "logs" TEXT,
    "rolled_back_at" DATETIME,
    "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
  )`);
  const names = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'migration.sql')))
    .map((e) => e.name)
    .sort();
  const applied: string[] = [];
  for (const name of names) {
    const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
    const checksum = createHash('sha256').update(sql).digest('hex');
    // IMMEDIATE takes the write lock first, so two processes starting together apply each migration once.
    const apply = db.transaction(() => {
      const done = db
        .prepare(
          `SELECT checksum FROM "_prisma_migrations" WHERE migration_name = ? AND rolled_back_at IS NULL`,
        )
        .get(name) as { checksum: string } | undefined;
      if (done) {
        if (done.checksum !== checksum) {
          throw new Error(`Migration ${name} was changed after it was applied; add a new migration instead.`);
        }
        return false;
      }
      const startedAt = toDbTime(new Date());
      db.exec(sql);
      db.prepare(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
         VALUES (?, ?, ?, ?, ?, 1)`,
      ).run(randomUUID(), checksum, toDbTime(new Date()), name, startedAt);
      return true;
    });
    if (apply.immediate()) {
      applied.push(name);
    }
  }
  return applied;
}

/** The schema as of the newest migration: each migration folder keeps the schema it was made from. */
export function latestSchemaSnapshot(dir = MIGRATIONS_DIR): string {
  const dirs = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'schema.prisma')))
    .map((e) => e.name)
    .sort();
  const last = dirs.at(-1);
  if (!last) {
    throw new Error('No migration has a schema.prisma snapshot');
  }
  return path.join(dir, last, 'schema.prisma');
}
