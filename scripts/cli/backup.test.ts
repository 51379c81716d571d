import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../prisma/client.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import type { SqliteDatabase } from '../../prisma/sqlite.ts';
import { migratedDb, seededDatabase, tempDatabase } from '../../test/support/app-harness.ts';
import { runCli } from '../../test/support/cli-process.ts';
import { backupDatabase, POSTGRES_BACKUP_MESSAGE, sqliteConnectionOf } from './backup.ts';
import { executeCommand, parseCommand } from './commands.ts';
import { UsageError } from './context.ts';

const NOW = new Date('2025-03-20T03:00:00Z');
const REPO = path.resolve(import.meta.dirname, '../..');
/** Rows each of the writer's transactions inserts: a consistent copy holds a multiple of it. */
const BATCH = 100;

/**
 * Another process writing to the database for `ms` milliseconds, one transaction of BATCH audit
 * rows after another; it prints "started" after its first commit and, at the end, the time of
 * every commit.
 */
const WRITER = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 5000');
const insert = db.prepare(
  'INSERT INTO "AuditLog" (at, personId, channel, action, entity, entityId, after) VALUES (?, NULL, ?, ?, ?, ?, ?)',
);
const batch = db.transaction((n) => {
  for (let i = 0; i < ${BATCH}; i++) {
    insert.run(new Date().toISOString().replace('Z', '+00:00'), 'cli', 'probe', 'Probe', String(n), 'x'.repeat(300));
  }
});
const commits = [];
const stopAt = Date.now() + Number(process.argv[2]);
for (let n = 0; Date.now() < stopAt; n++) {
  batch(n);
  commits.push(Date.now());
  if (n === 0) process.stdout.write('started\\n');
}
db.close();
process.stdout.write(JSON.stringify(commits) + '\\n');
`;

function startWriter(file: string, ms: number): { started: Promise<void>; done: Promise<number[]> } {
  const child = spawn(process.execPath, ['-e', WRITER, file, String(ms)], { cwd: REPO });
  let out = '';
  let err = '';
  let onStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    onStarted = resolve;
  });
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes('started')) {
      onStarted();
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const done = new Promise<number[]>((resolve, reject) => {
    child.on('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`writer exited with ${code}: ${err}`));
        return;
      }
      resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '[]') as number[]);
    });
  });
  return { started, done };
}

function count(db: Database.Database, sql: string): number {
  return Number((db.prepare(sql).get() as { n: number }).n);
}

// `backup` copies a SQLite file: these tests run on SQLite whatever the suite's dialect.
let sqlDb: SqlDb;
let db: SqliteDatabase;
let prisma: PrismaClient;
let dir: string;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ db: sqlDb, prisma, dir, close } = await seededDatabase(NOW, 'sqlite'));
  const raw = sqliteConnectionOf(sqlDb);
  if (!raw) {
    throw new Error('no SQLite connection');
  }
  db = raw;
  // Some 20 MB of history, so that copying takes a while.
  const insert = db.prepare(
    `INSERT INTO "AuditLog" (at, personId, channel, action, entity, entityId, after) VALUES (?, NULL, 'cli', 'bulk', 'Bulk', ?, ?)`,
  );
  db.transaction(() => {
    for (let i = 0; i < 40_000; i++) {
      insert.run('2025-03-01T00:00:00.000+00:00', String(i), 'y'.repeat(450));
    }
  })();
});

afterAll(async () => {
  await close();
});

describe('backup', () => {
  it('copies the database consistently while another process keeps writing', async () => {
    const writer = startWriter(db.name, 2_000);
    await writer.started;
    const target = path.join(dir, 'ban-sao.db');
    const began = Date.now();
    const result = await backupDatabase(db, target, { force: false });
    const ended = Date.now();
    const commits = await writer.done;

    // The writer committed while the copy was being taken, and went on after it.
    expect(commits.some((t) => t >= began && t <= ended)).toBe(true);
    expect(commits.some((t) => t > ended)).toBe(true);
    expect(result.bytes).toBe(fs.statSync(target).size);
    expect(result.bytes).toBeGreaterThan(15_000_000);
    expect(fs.existsSync(`${target}-wal`)).toBe(false);

    const copy = new Database(target, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
      const probes = count(copy, `SELECT COUNT(*) AS n FROM "AuditLog" WHERE action = 'probe'`);
      // A snapshot between two of the writer's commits: whole transactions only.
      expect(probes).toBeGreaterThan(0);
      expect(probes % BATCH).toBe(0);
      expect(probes).toBeLessThan(commits.length * BATCH);
      expect(count(copy, `SELECT COUNT(*) AS n FROM "AuditLog" WHERE action = 'bulk'`)).toBe(40_000);
      expect(count(copy, 'SELECT COUNT(*) AS n FROM "Unit"')).toBe(await prisma.unit.count());
      expect(count(copy, 'SELECT COUNT(*) AS n FROM "Household"')).toBe(4);
      expect(count(copy, 'SELECT COUNT(*) AS n FROM "_prisma_migrations"')).toBeGreaterThan(0);
    } finally {
      copy.close();
    }
    expect(count(db, `SELECT COUNT(*) AS n FROM "AuditLog" WHERE action = 'probe'`)).toBe(
      commits.length * BATCH,
    );
  });

  it('refuses to overwrite a file unless forced, and then replaces it whole', async () => {
    const target = path.join(dir, 'da-co.db');
    fs.writeFileSync(target, 'không phải cơ sở dữ liệu');
    await expect(backupDatabase(db, target, { force: false })).rejects.toThrow(UsageError);
    expect(fs.readFileSync(target, 'utf8')).toBe('không phải cơ sở dữ liệu');

    const lines: string[] = [];
    await executeCommand(parseCommand(['backup', target, '--force']), {
      prisma,
      db: sqlDb,
      now: NOW,
      out: (line) => lines.push(line),
    });
    expect(lines[0]).toContain(`→ ${target}`);
    expect(lines[1]).toMatch(
      /^Kích thước: \d+,\d MB \([\d.]+ byte\); thời gian: \d+,\d\d giây; kiểm tra toàn vẹn: ok\.$/,
    );
    const copy = new Database(target, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      copy.close();
    }
    expect(fs.readdirSync(dir).filter((f) => f.includes('.part-'))).toEqual([]);
    // Readable by its owner only, whatever the file it replaced allowed.
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
  });

  it.each([
    [['backup'], /thiếu tên tệp/],
    [['backup', 'a.db', 'b.db'], /thừa đối số/],
    [['backup', 'a.db', '--force=yes'], /--force không nhận giá trị/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(message);
  });

  it('refuses to copy over the live database or into a missing folder', async () => {
    await expect(backupDatabase(db, db.name, { force: true })).rejects.toThrow(/trùng với cơ sở dữ liệu/);
    await expect(backupDatabase(db, path.join(dir, 'khong-co', 'x.db'), { force: false })).rejects.toThrow(
      /không tồn tại/,
    );
  });
});

describe('backup on PostgreSQL (always: it pins its own database)', () => {
  it('is refused with a pointer to pg_dump -Fc, exit code 2', { timeout: 60_000 }, async () => {
    const migrated = await migratedDb('postgres');
    try {
      await expect(
        executeCommand(parseCommand(['backup', 'x.db']), {
          prisma,
          db: migrated.db,
          now: NOW,
          out: () => {},
        }),
      ).rejects.toMatchObject({ name: 'UsageError', message: POSTGRES_BACKUP_MESSAGE });
    } finally {
      await migrated.close();
    }

    const temp = tempDatabase('postgres');
    try {
      const run = await runCli(['backup', path.join(temp.dir, 'x.db')], temp);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(POSTGRES_BACKUP_MESSAGE);
      expect(run.stderr).toContain('pg_dump -Fc');
      expect(fs.existsSync(path.join(temp.dir, 'x.db'))).toBe(false);
    } finally {
      await temp.cleanup();
    }
  });
});
