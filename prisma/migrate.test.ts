import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type RawBuilder, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_DIALECT, type TempDatabase, tempDatabase } from '../test/support/app-harness.ts';
import {
  applyMigrations,
  latestSchemaSnapshot,
  MIGRATIONS_DIR,
  PG_MIGRATIONS_DIR,
  PG_SCHEMA_FILE,
  postgresSchemaFrom,
  SCHEMA_FILE,
} from './migrate.ts';
import { LIVING_DEMO_PEOPLE } from './seed.ts';
import { type Dialect, openSqlDb, type SqlDb } from './sql-db.ts';

const temps: TempDatabase[] = [];
const dbs: SqlDb[] = [];

function open(dialect: Dialect = TEST_DIALECT): { db: SqlDb; temp: TempDatabase } {
  const temp = tempDatabase(dialect);
  temps.push(temp);
  const db = openSqlDb(temp.url);
  dbs.push(db);
  return { db, temp };
}

afterEach(async () => {
  for (const db of dbs.splice(0)) {
    await db.close();
  }
  for (const temp of temps.splice(0)) {
    await temp.cleanup();
  }
});

type Row = Record<string, unknown>;

/**
 * The rows of a statement on tables the generated types do not describe (the migrations' own
 * bookkeeping, the catalogues, tables of a test schema): a Kysely `sql` template, identifiers quoted.
 */
async function rowsOf(db: SqlDb, query: RawBuilder<Row>): Promise<Row[]> {
  return (await query.execute(db.kysely)).rows;
}

/** COUNT(*) of a table: an integer on SQLite, a bigint on PostgreSQL. */
async function countOf(db: SqlDb, table: string): Promise<number> {
  const [row] = await rowsOf(db, sql`SELECT COUNT(*) AS n FROM ${sql.table(table)}`);
  return Number(row?.n);
}

/** Whether `prisma migrate diff` finds no change from the newest migration's schema to `schema`. */
function upToDate(dir: string, schema: string) {
  const from = latestSchemaSnapshot(dir);
  // Comparing two schema files needs no database (offline, WebAssembly engine); 2 means "differs".
  return spawnSync(
    path.join('node_modules', '.bin', 'prisma'),
    [
      'migrate',
      'diff',
      '--from-schema-datamodel',
      String(from),
      '--to-schema-datamodel',
      schema,
      '--exit-code',
    ],
    { encoding: 'utf8' },
  );
}

describe(`migrations (${TEST_DIALECT})`, () => {
  it('applies each committed migration once and records it as Prisma does', async () => {
    const { db } = open();
    const first = await applyMigrations(db);
    expect(first.length).toBeGreaterThan(0);
    expect(await applyMigrations(db)).toEqual([]);
    const rows = await rowsOf(
      db,
      sql`SELECT migration_name, checksum, finished_at FROM "_prisma_migrations"`,
    );
    expect(rows).toHaveLength(first.length);
    expect(rows.every((r) => r.finished_at !== null && String(r.checksum).length === 64)).toBe(true);
    expect(await countOf(db, 'Outbox')).toBe(0);
  });

  it('two processes starting together apply each migration exactly once', async () => {
    const { db, temp } = open();
    const deploy = () =>
      new Promise<string>((resolve, reject) => {
        execFile(
          path.join('node_modules', '.bin', 'tsx'),
          ['scripts/db.ts', 'deploy'],
          { env: { ...process.env, DATABASE_URL: temp.url } },
          (error, stdout) => (error ? reject(error) : resolve(stdout)),
        );
      });
    const outputs = await Promise.all([deploy(), deploy()]);
    const applied = outputs.flatMap((o) => o.match(/^Applied: (.*)$/m)?.[1]?.split(', ') ?? []);
    const committed = fs
      .readdirSync(TEST_DIALECT === 'postgres' ? PG_MIGRATIONS_DIR : MIGRATIONS_DIR)
      .filter((n) => /^\d/.test(n))
      .sort();
    expect(applied.sort()).toEqual(committed);
    expect(await countOf(db, '_prisma_migrations')).toBe(committed.length);
    // …and the living demo was seeded once (no messenger token): the closed Bắc Kạn campaign and the
    // open demo campaign, the playground's people once each.
    const campaigns = await db.kysely.selectFrom('Campaign').select('code').orderBy('code').execute();
    expect(campaigns.map((c) => c.code)).toEqual(['BK-XNT-2025', 'TN-XNT-DEMO']);
    expect(await countOf(db, 'Person')).toBe(LIVING_DEMO_PEOPLE.length);
  });

  it('refuses a migration that was edited after it was applied', async () => {
    const { db, temp } = open();
    const dir = path.join(temp.dir, 'migrations');
    fs.mkdirSync(path.join(dir, '001_a'), { recursive: true });
    fs.writeFileSync(path.join(dir, '001_a', 'migration.sql'), 'CREATE TABLE t (id INTEGER);');
    expect(await applyMigrations(db, dir)).toEqual(['001_a']);
    fs.writeFileSync(path.join(dir, '001_a', 'migration.sql'), 'CREATE TABLE t (id INTEGER, x TEXT);');
    await expect(applyMigrations(db, dir)).rejects.toThrow(/changed after it was applied/);
  });

  it('keeps the fund ledger append-only', async () => {
    const { db } = open();
    await applyMigrations(db);
    const zeroAmounts = () => db.kysely.updateTable('FundEntry').set({ amount: 0n }).executeTakeFirst();
    expect((await zeroAmounts()).numUpdatedRows).toBe(0n);
    // The triggers fire per row: with no row they say nothing, so add one.
    const { id: campaignId } = await db.kysely
      .insertInto('Campaign')
      .values({
        code: 'c',
        name: 'c',
        startsOn: '2025-01-01',
        endsOn: '2025-12-31',
        finalDueOn: '2025-12-31',
        normNewBuild: 60_000_000n,
        normRepair: 30_000_000n,
        createdAt: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const { id: levelUnitId } = await db.kysely
      .insertInto('Unit')
      .values({ code: 'u', name: 'u', kind: 'city', validFrom: '2025-01-01', createdAt: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const entry = await db.kysely
      .insertInto('FundEntry')
      .values({
        campaignId,
        kind: 'receipt',
        levelUnitId,
        amount: 1000n,
        occurredOn: '2025-06-01',
        createdAt: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(entry.id).toBeGreaterThan(0);
    await expect(zeroAmounts()).rejects.toThrow(/never changed/);
    await expect(db.kysely.deleteFrom('FundEntry').execute()).rejects.toThrow(/never deleted/);
  });
});

describe('SQLite and PostgreSQL describe the same model', () => {
  it('prisma/postgres/schema.prisma is derived from prisma/schema.prisma (run npm run db:migration)', () => {
    expect(fs.readFileSync(PG_SCHEMA_FILE, 'utf8')).toBe(
      postgresSchemaFrom(fs.readFileSync(SCHEMA_FILE, 'utf8')),
    );
  });

  it.each([
    ['SQLite', MIGRATIONS_DIR, SCHEMA_FILE],
    ['PostgreSQL', PG_MIGRATIONS_DIR, PG_SCHEMA_FILE],
  ])('%s has a migration for every change in the schema', (_name, dir, schema) => {
    const result = upToDate(dir, schema);
    expect(result.status, `${result.stdout}${result.stderr}\nRun: npm run db:migration -- <name>`).toBe(0);
  });

  it('the migrated databases have the same tables, columns, types, keys and indexes', async () => {
    const sqlite = open('sqlite').db;
    const postgres = open('postgres').db;
    await applyMigrations(sqlite);
    await applyMigrations(postgres);
    const a = await introspect(sqlite);
    const b = await introspect(postgres);
    expect(Object.keys(a).length).toBeGreaterThan(20);
    // The one known difference: SQLite's ZaloToken table was first created with an AUTOINCREMENT
    // id (migration zalo_channel) that the model no longer asks for; the single row has id 1.
    const zaloId = a.ZaloToken?.columns.id;
    expect(zaloId?.hasDefault).toBe(true);
    if (zaloId) {
      zaloId.hasDefault = false;
    }
    expect(b).toEqual(a);
  });
});

interface TableModel {
  columns: Record<string, { type: string; nullable: boolean; hasDefault: boolean }>;
  /** Each index as "unique? col,col" — primary keys included. */
  indexes: string[];
  /** "col -> Table.col". */
  foreignKeys: string[];
  triggers: string[];
}

/** Folds each database's own type names into the model's kinds. */
function kind(type: string): string {
  const t = type.toLowerCase();
  if (t.startsWith('timestamp') || t === 'datetime') {
    return 'datetime';
  }
  if (t === 'bigint') {
    return 'bigint';
  }
  if (t.startsWith('int') || t === 'serial') {
    return 'int';
  }
  if (t === 'boolean') {
    return 'boolean';
  }
  if (t === 'real' || t.startsWith('double')) {
    return 'float';
  }
  return t === 'text' ? 'text' : t;
}

async function introspect(db: SqlDb): Promise<Record<string, TableModel>> {
  const model: Record<string, TableModel> = {};
  if (db.dialect === 'sqlite') {
    const tables = await rowsOf(
      db,
      sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'`,
    );
    for (const { name } of tables) {
      const table = String(name);
      const columns: TableModel['columns'] = {};
      const [created] = await rowsOf(db, sql`SELECT sql FROM sqlite_master WHERE name = ${table}`);
      const ddl = String(created?.sql);
      for (const c of await rowsOf(db, sql`SELECT * FROM pragma_table_info(${table})`)) {
        const autoincrement = ddl.includes(`"${String(c.name)}" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT`);
        columns[String(c.name)] = {
          type: kind(String(c.type)),
          nullable: Number(c.notnull) === 0 && Number(c.pk) === 0,
          hasDefault: c.dflt_value !== null || autoincrement,
        };
      }
      const indexes: string[] = [];
      for (const i of await rowsOf(db, sql`SELECT * FROM pragma_index_list(${table})`)) {
        const cols = await rowsOf(
          db,
          sql`SELECT name FROM pragma_index_info(${String(i.name)}) ORDER BY seqno`,
        );
        indexes.push(
          `${Number(i.unique) === 1 ? 'unique ' : ''}${cols.map((c) => String(c.name)).join(',')}`,
        );
      }
      const pk = (
        await rowsOf(db, sql`SELECT name FROM pragma_table_info(${table}) WHERE pk > 0 ORDER BY pk`)
      ).map((c) => String(c.name));
      if (pk.length > 0 && !indexes.includes(`unique ${pk.join(',')}`)) {
        indexes.push(`unique ${pk.join(',')}`);
      }
      const foreignKeys = (await rowsOf(db, sql`SELECT * FROM pragma_foreign_key_list(${table})`)).map(
        (f) => `${String(f.from)} -> ${String(f.table)}.${String(f.to)}`,
      );
      const triggers = (
        await rowsOf(db, sql`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ${table}`)
      ).map((t) => String(t.name));
      model[table] = {
        columns,
        indexes: indexes.sort(),
        foreignKeys: foreignKeys.sort(),
        triggers: triggers.sort(),
      };
    }
    return model;
  }
  const tables = await rowsOf(
    db,
    sql`SELECT table_name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'`,
  );
  for (const { table_name } of tables) {
    const table = String(table_name);
    const columns: TableModel['columns'] = {};
    for (const c of await rowsOf(
      db,
      sql`SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = ${table}`,
    )) {
      columns[String(c.column_name)] = {
        type: kind(String(c.data_type)),
        nullable: c.is_nullable === 'YES',
        hasDefault: c.column_default !== null,
      };
    }
    const indexes = (
      await rowsOf(
        db,
        sql`SELECT ix.indisunique AS uniq,
                (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum) AS cols
           FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid
          WHERE t.relname = ${table} AND t.relnamespace = current_schema()::regnamespace`,
      )
    ).map((i) => `${Number(i.uniq) === 1 ? 'unique ' : ''}${String(i.cols)}`);
    const foreignKeys = (
      await rowsOf(
        db,
        sql`SELECT a.attname AS col, rt.relname AS ref, ra.attname AS refcol
           FROM pg_constraint c
           JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class rt ON rt.oid = c.confrelid
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
           JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1]
          WHERE c.contype = 'f' AND t.relname = ${table} AND t.relnamespace = current_schema()::regnamespace`,
      )
    ).map((f) => `${String(f.col)} -> ${String(f.ref)}.${String(f.refcol)}`);
    const triggers = (
      await rowsOf(
        db,
        sql`SELECT tg.tgname AS name FROM pg_trigger tg JOIN pg_class t ON t.oid = tg.tgrelid
          WHERE NOT tg.tgisinternal AND t.relname = ${table} AND t.relnamespace = current_schema()::regnamespace`,
      )
    ).map((t) => String(t.name));
    model[table] = {
      columns,
      indexes: indexes.sort(),
      foreignKeys: foreignKeys.sort(),
      triggers: triggers.sort(),
    };
  }
  return model;
}
