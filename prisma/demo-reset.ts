import { sql } from 'kysely';
import type { SqlDb } from './database.ts';
import { PLAYGROUND_CHANNEL } from './demo-marks.ts';
import { type SeedProfile, seedInto } from './seed.ts';

/**
 * "Bắt đầu lại" of the playground (issue 18 §1): the demo database emptied and seeded afresh, as an
 * empty database is at the first `npm start`. Only a demo database: one the seed made as a demo
 * (`seed.demo` in the audit log) where nobody has a Telegram or Zalo identity.
 */

/** Why a database may not be reset, or undefined when it is the playground's demo. */
export async function demoResetRefusal(db: SqlDb): Promise<string | undefined> {
  const seeded = await db.kysely
    .selectFrom('AuditLog')
    .select('id')
    .where('action', '=', 'seed.demo')
    .limit(1)
    .executeTakeFirst();
  if (!seeded) {
    return 'not a demo database';
  }
  const real = await db.kysely
    .selectFrom('ChannelIdentity')
    .select('id')
    .where('channel', '<>', PLAYGROUND_CHANNEL)
    .limit(1)
    .executeTakeFirst();
  return real ? 'people of a messenger in it' : undefined;
}

/** The tables that hold data (the migrations' own table kept). */
async function dataTables(t: SqlDb): Promise<string[]> {
  const rows =
    t.dialect === 'postgres'
      ? (
          await sql<{
            name: string;
          }>`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()`.execute(t.kysely)
        ).rows
      : (
          await sql<{
            name: string;
          }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`.execute(
            t.kysely,
          )
        ).rows;
  return rows.map((r) => r.name).filter((name) => name !== '_prisma_migrations');
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Every data table emptied, in the caller's transaction; ids start from 1 again. */
async function emptyTables(t: SqlDb): Promise<void> {
  const tables = await dataTables(t);
  if (t.dialect === 'postgres') {
    // TRUNCATE fires no row trigger: the ledger's "never deleted" guard stays as it is.
    await t.exec(`TRUNCATE ${tables.map(quote).join(', ')} RESTART IDENTITY CASCADE`);
    return;
  }
  // SQLite: the ledger's guard against DELETE is set aside for this and put back as it was.
  const guards = (
    await sql<{
      name: string;
      sql: string;
    }>`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%BEFORE DELETE%RAISE%'`.execute(
      t.kysely,
    )
  ).rows;
  const statements = [
    'PRAGMA defer_foreign_keys = ON',
    ...guards.map((g) => `DROP TRIGGER ${quote(g.name)}`),
    ...tables.map((name) => `DELETE FROM ${quote(name)}`),
    "DELETE FROM sqlite_sequence WHERE name <> '_prisma_migrations'",
    ...guards.map((g) => g.sql),
  ];
  await t.exec(statements.join(';\n'));
}

/**
 * Empties the demo database and seeds `profile` as of `now`, in one transaction (a failure leaves
 * the demo as it was). Throws when the database is not a demo (`demoResetRefusal`).
 */
export async function resetDemoDatabase(db: SqlDb, now: Date, profile: Exclude<SeedProfile, 'reference'>) {
  await db.transaction(async (t) => {
    await t.lock('seed');
    const refusal = await demoResetRefusal(t);
    if (refusal) {
      throw new Error(`refusing to reset the database: ${refusal}`);
    }
    await emptyTables(t);
    await seedInto(t, now, profile);
  });
}
