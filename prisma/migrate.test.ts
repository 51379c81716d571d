import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDatabase } from '../test/support/app-harness.ts';
import { applyMigrations, latestSchemaSnapshot, MIGRATIONS_DIR } from './migrate.ts';
import { openSqlite } from './sqlite.ts';

describe('migrations', () => {
  let db: ReturnType<typeof tempDatabase>;
  beforeEach(() => {
    db = tempDatabase();
  });
  afterEach(() => db.cleanup());

  it('applies each committed migration once and records it as Prisma does', () => {
    const sqlite = openSqlite(db.file);
    const first = applyMigrations(sqlite);
    expect(first.length).toBeGreaterThan(0);
    expect(applyMigrations(sqlite)).toEqual([]);
    const rows = sqlite
      .prepare('SELECT migration_name, checksum, finished_at FROM "_prisma_migrations"')
      .all();
    expect(rows).toHaveLength(first.length);
    const tables = sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all();
    expect(tables).toEqual(
      expect.arrayContaining([{ name: 'Report' }, { name: 'Outbox' }, { name: 'FlowState' }]),
    );
    sqlite.close();
  });

  it('refuses a migration that was edited after it was applied', () => {
    const dir = fs.mkdtempSync(path.join(path.dirname(db.file), 'migrations-'));
    fs.mkdirSync(path.join(dir, '001_a'));
    fs.writeFileSync(path.join(dir, '001_a', 'migration.sql'), 'CREATE TABLE t (id INTEGER);');
    const sqlite = openSqlite(db.file);
    expect(applyMigrations(sqlite, dir)).toEqual(['001_a']);
    fs.writeFileSync(path.join(dir, '001_a', 'migration.sql'), 'CREATE TABLE t (id INTEGER, x TEXT);');
    expect(() => applyMigrations(sqlite, dir)).toThrow(/changed after it was applied/);
    sqlite.close();
  });

  it('has a migration for every change in prisma/schema.prisma', () => {
    // prisma migrate diff compares two schema files offline; --exit-code gives 2 when they differ.
    const result = spawnSync(
      path.join('node_modules', '.bin', 'prisma'),
      [
        'migrate',
        'diff',
        '--from-schema-datamodel',
        latestSchemaSnapshot(MIGRATIONS_DIR),
        '--to-schema-datamodel',
        'prisma/schema.prisma',
        '--exit-code',
      ],
      { encoding: 'utf8' },
    );
    expect(result.status, `${result.stdout}${result.stderr}\nRun: npm run db:migration -- <name>`).toBe(0);
  });
});
