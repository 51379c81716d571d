import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitOfWork } from '../../core/unit-of-work.ts';
import type { PrismaClient } from '../../prisma/client.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import { createStore } from '../../prisma/store.ts';
import type { CliContext } from '../../scripts/cli/context.ts';
import { unitsImport } from '../../scripts/cli/units-import.ts';
import { writeCsv } from '../../scripts/dev/generate-household-file.ts';
import { GENERATED_PROVINCES, generateUnitList, REUSED_EVERY } from '../../scripts/dev/generate-unit-file.ts';
import { failingAuditStore, migratedDb } from '../support/app-harness.ts';
import { rawNumber } from '../support/raw-sql.ts';

/**
 * `units import` of a national-like list (issue 15 §2–3) in one call, on the suite's database
 * (SQLite, or PostgreSQL with TEST_DATABASE=postgres): a few thousand records — provinces and their
 * communes and wards, with reused codes — planned and written in one transaction, all or nothing,
 * in batches, and imported again without a change.
 */

const NOW = new Date('2026-12-01T03:00:00Z');
const RECORDS = 4_000;

let db: SqlDb;
let close: () => Promise<void>;
let dir: string;
const list = generateUnitList(RECORDS);
const records = list.rows.length - 1;

/** The store, counting the unit repository's writes (each call is one or a few statements). */
function watched(writes: string[]): UnitOfWork {
  const store = createStore(db);
  const WRITES = new Set(['create', 'createMany', 'setValidTo', 'end', 'addSuccession']);
  return {
    run: (work) =>
      store.run((tx) =>
        work({
          ...tx,
          units: new Proxy(tx.units, {
            get(target, name, receiver) {
              if (typeof name === 'string' && WRITES.has(name)) {
                writes.push(name);
              }
              return Reflect.get(target, name, receiver);
            },
          }),
        }),
      ),
  };
}

function context(uow: UnitOfWork = createStore(db)): CliContext & { lines: string[] } {
  const lines: string[] = [];
  return {
    prisma: undefined as unknown as PrismaClient,
    db,
    uow,
    now: NOW,
    timeZone: 'Asia/Ho_Chi_Minh',
    out: (line) => lines.push(line),
    lines,
  };
}

const count = (table: string, where = '') => rawNumber(db, `SELECT COUNT(*) AS n FROM "${table}" ${where}`);
const units = () => createStore(db).run((tx) => tx.units.listAllDated());

beforeAll(async () => {
  ({ db, close } = await migratedDb());
  dir = await mkdtemp(path.join(tmpdir(), 'units-national-'));
});

afterAll(async () => {
  await close();
  await rm(dir, { recursive: true, force: true });
});

describe('units import of a national list', () => {
  it('writes nothing when the audit row fails after the units', async () => {
    const file = path.join(dir, 'national.csv');
    await writeCsv(file, list.rows);
    await expect(unitsImport(context(failingAuditStore(db)), { file, dryRun: false })).rejects.toThrow(
      'audit log unavailable',
    );
    expect(await count('Unit')).toBe(0);
  });

  it('writes every record in one call, in batches, parents by date', async () => {
    const writes: string[] = [];
    const outcome = await unitsImport(context(watched(writes)), {
      file: path.join(dir, 'national.csv'),
      dryRun: false,
    });
    expect(outcome).toMatchObject({ rows: records, problems: [], added: records, written: true });
    expect(records).toBe(RECORDS);
    // One batch of provinces, one of communes and wards (a multi-row INSERT per 500): not one per unit.
    expect(writes).toEqual(['createMany', 'createMany']);
    expect(await count('Unit')).toBe(records);
    expect(await count('Unit', `WHERE "kind" = 'province'`)).toBe(2 * GENERATED_PROVINCES);
    expect(await count('Unit', `WHERE "validTo" IS NULL`)).toBe(list.current);
    expect(await count('AuditLog', `WHERE "action" = 'units.import'`)).toBe(1);

    // A reused code (every REUSED_EVERY-th commune): each record sits under the province record of
    // its time (province 20 also has two records).
    expect(REUSED_EVERY).toBe(20);
    const all = await units();
    const byId = new Map(all.map((u) => [u.id, u]));
    const pair = all
      .filter((u) => u.code === '00020')
      .map((u) => `${u.name} ${u.validFrom}–${u.validTo} in ${byId.get(u.parentId ?? 0)?.name}`)
      .sort();
    expect(pair).toEqual([
      'Xã Cũ Số 20 2015-03-11–2025-06-30 in Tỉnh Cũ Số 20',
      'Xã Số 20 2025-07-01–null in Tỉnh Số 20',
    ]);
    // Every commune and ward has a parent valid on its first day.
    const orphans = all.filter((u) => {
      const parent = u.kind === 'province' ? undefined : byId.get(u.parentId ?? 0);
      return (
        u.kind !== 'province' &&
        !(parent && parent.validFrom <= u.validFrom && (parent.validTo ?? '9999') >= u.validFrom)
      );
    });
    expect(orphans).toEqual([]);
  });

  it('imports the same list again without a change', async () => {
    const ctx = context();
    const outcome = await unitsImport(ctx, { file: path.join(dir, 'national.csv'), dryRun: false });
    expect(outcome).toMatchObject({ problems: [], added: 0, updated: 0, unchanged: records, written: false });
    expect(ctx.lines.at(-1)).toBe('Không có gì mới để ghi: danh sách đã được nhập trước đây.');
    expect(await count('Unit')).toBe(records);
    expect(await count('AuditLog', `WHERE "action" = 'units.import'`)).toBe(1);
  });

  it('records the end dates a later list gives every current commune, in a few statements', async () => {
    const ended = list.rows.map((row, i) =>
      i > 0 && row[2] !== 'tỉnh' && row[5] === '' ? [...row.slice(0, 5), '2026-06-30'] : row,
    );
    const toEnd = ended.filter((row) => row[5] === '2026-06-30').length;
    expect(toEnd).toBe(list.current - GENERATED_PROVINCES);
    const file = path.join(dir, 'ended.csv');
    await writeCsv(file, ended);
    const writes: string[] = [];
    const outcome = await unitsImport(context(watched(writes)), { file, dryRun: false });
    expect(outcome).toMatchObject({ problems: [], added: 0, updated: toEnd, written: true });
    expect(writes).toEqual(['setValidTo']);
    expect(await count('Unit', `WHERE "validTo" = '2026-06-30'`)).toBe(toEnd);
    expect(await count('Unit', `WHERE "validTo" IS NULL`)).toBe(GENERATED_PROVINCES);
    expect(await count('AuditLog', `WHERE "action" = 'units.import'`)).toBe(2);
  });
});
