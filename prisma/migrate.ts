import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import type { Dialect, SqlDb } from './sql-db.ts';

/** SQLite migrations (the embedded default) and PostgreSQL's, each written by `npm run db:migration`. */
export const MIGRATIONS_DIR = path.join(import.meta.dirname, 'migrations');
export const PG_MIGRATIONS_DIR = path.join(import.meta.dirname, 'postgres', 'migrations');
export const SCHEMA_FILE = path.join(import.meta.dirname, 'schema.prisma');
export const PG_SCHEMA_FILE = path.join(import.meta.dirname, 'postgres', 'schema.prisma');

export function migrationsDir(dialect: Dialect): string {
  return dialect === 'postgres' ? PG_MIGRATIONS_DIR : MIGRATIONS_DIR;
}

// Prisma's own bookkeeping table, column for column, so `prisma migrate status` agrees with us.
const BOOKKEEPING: Record<Dialect, string> = {
  sqlite: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" TEXT PRIMARY KEY NOT NULL,
    "checksum" TEXT NOT NULL,
    "finished_at" DATETIME,
    "migration_name" TEXT NOT NULL,
    "logs" TEXT,
    "rolled_back_at" DATETIME,
    "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
  )`,
  postgres: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
  )`,
};

/**
 * Applies the committed migrations of the database's dialect that are not yet applied, in name
 * order, each in its own transaction, and records them in Prisma's `_prisma_migrations` table
 * (same columns and checksum). We do this ourselves because it needs no engine at start-up
 * (DESIGN.md §7: Prisma's wasm migrate path fails on PostgreSQL, prisma/orm issue 27403, and the
 * native engines cannot be downloaded) and takes milliseconds. Several processes starting
 * together apply each migration once: SQLite's `BEGIN IMMEDIATE` and PostgreSQL's advisory lock
 * (taken first in every migration's transaction) make them wait for each other, and each
 * re-reads what is applied after getting the lock. DDL is transactional on both.
 */
export async function applyMigrations(db: SqlDb, dir = migrationsDir(db.dialect)): Promise<string[]> {
  const names = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'migration.sql')))
    .map((e) => e.name)
    .sort();
  const applied: string[] = [];
  for (const name of names) {
    const script = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
    const checksum = createHash('sha256').update(script).digest('hex');
    const done = await db.transaction(async (tx) => {
      await tx.lock(`migrations:${db.schema ?? ''}`);
      if (db.schema) {
        await tx.exec(`CREATE SCHEMA IF NOT EXISTS "${db.schema.replace(/"/g, '')}"`);
      }
      await tx.exec(BOOKKEEPING[db.dialect]);
      // Prisma's table, not one of the models: written with Kysely's sql, its row typed here.
      const [row] = (
        await sql<{ checksum: string }>`SELECT checksum FROM "_prisma_migrations"
          WHERE migration_name = ${name} AND rolled_back_at IS NULL`.execute(tx.kysely)
      ).rows;
      if (row) {
        if (row.checksum !== checksum) {
          throw new Error(`Migration ${name} was changed after it was applied; add a new migration instead.`);
        }
        return false;
      }
      const startedAt = new Date();
      await tx.exec(script);
      await sql`INSERT INTO "_prisma_migrations"
          (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
        VALUES (${randomUUID()}, ${checksum}, ${new Date()}, ${name}, ${startedAt}, 1)`.execute(tx.kysely);
      return true;
    });
    if (done) {
      applied.push(name);
    }
  }
  return applied;
}

/** The schema as of the newest migration: each migration folder keeps the schema it was made from. */
export function latestSchemaSnapshot(dir = MIGRATIONS_DIR): string | undefined {
  const dirs = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'schema.prisma')))
    .map((e) => e.name)
    .sort();
  const last = dirs.at(-1);
  return last ? path.join(dir, last, 'schema.prisma') : undefined;
}

/**
 * prisma/postgres/schema.prisma is derived from prisma/schema.prisma (the one we edit): the same
 * models, a PostgreSQL datasource and its own generated client. `npm run db:migration` writes it;
 * a test checks it is up to date, so the two databases always describe the same model.
 */
export function postgresSchemaFrom(sqliteSchema: string): string {
  const replaced = sqliteSchema
    // The Kysely types are generated once, from the SQLite schema (the same models).
    .replace(/\n(\/\/[^\n]*\n)*generator kysely \{[^}]*\}\n/, '')
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace(/url\s*=\s*"file:[^"]*"/, 'url      = "postgresql://localhost/mttq"')
    .replace(/output\s*=\s*"generated\/client"/, 'output     = "../generated/pg-client"');
  return `// GENERATED from prisma/schema.prisma by \`npm run db:migration\`: edit that file, not this one.\n${replaced}`;
}
