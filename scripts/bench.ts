/**
 * `npm run bench`, in sections:
 *
 * - `report` (issue 2): the cost of one monthly-report answer through the whole hot path — a grammY
 *   update → the core engine → one database transaction (dedupe, state, report, audit, outbox) —
 *   against a bare grammY handler that does one insert per update, in the same run, same machine;
 *   on SQLite, then on PostgreSQL, then with two instances (two processes, each its own pool) on
 *   one PostgreSQL database, then one and two instances with 8 answers in flight each.
 *   Goals: median ratio ≤ 3, p99 ≤ 10 ms, ≥ 1,000 answers/s.
 * - `households` (issue 4): the household import and the leaders' view.
 * - `import` (issue 13 §7): `households import` of BENCH_IMPORT_ROWS generated valid rows (default
 *   10,000, 40,000 and 100,000, to show the time is linear) into a fresh database, each in a child
 *   process (scripts/bench-import.ts) that reports its own peak RSS. Goal: 100,000 rows in ≤ 30 s
 *   and ≤ 300 MB.
 * - `units` (issue 15 §2): `units import` of a generated national-like unit list (BENCH_UNITS_ROWS,
 *   default 3,500, 10,000 and 30,000 records) into a fresh database and the same list again, each
 *   in a child process (scripts/bench-units.ts). Goal: 30,000 records in ≤ 5 s, re-import ≤ 5 s.
 * - `fanout` (issue 6): a bulk fan-out through the outbox within Telegram's flood limits.
 * - `memory`: the RSS of the real bot process (`npm start`) idle and under inbound load
 *   (scripts/bench-memory.ts). Goals: ≤ 150 MB idle, ≤ 300 MB loaded.
 * - `startup` (issue 14 §7): `npm start` until the playground answers, a CLI call and the idle RSS,
 *   compiled (dist/, what `npm start` runs) against tsx, on SQLite (scripts/bench-startup.ts).
 *   Goals: ≤ 1.5 s, ≤ 0.8 s, ≤ 120 MB.
 * - `board` (issue 17 §3): the live board's cost: donors' `/ungho` answers with no viewer and with
 *   BENCH_BOARD_VIEWERS (200) event streams open, the update's delivery to them, the RSS
 *   (scripts/bench-board.ts).
 * - `statements` (issue 17 §2): a 2,050-line bank statement matched to 1,900 pledges, as a dry run
 *   and as a real import (scripts/bench-statements.ts). Goal: ≥ 5,000 lines/s.
 * - `national` (only with `--only national`: generating the national data set takes minutes the
 *   first time): the national digest and leaders' views over 335,000 households
 *   (scripts/bench-national.ts), on SQLite and PostgreSQL (`--db` for one). Goal: digest ≤ 300 ms.
 * - `scale` (issue 19 §3; only with `--only scale`: it reuses, or first generates, the national data
 *   set): report answers and their p99 as officers grow 1,000 → 10,000 → 100,000 over the national
 *   set at officers / 100,000 (up to 335,000 households, 1,000,000 ledger rows), then the compiled
 *   bot's start and idle RSS on the largest (scripts/bench-scale.ts; BENCH_SCALE_POINTS,
 *   BENCH_SCALE_CHART=docs/benchmark-scale.png). Goal: p99 at the largest ≤ 2 × at the smallest.
 *
 * The database: SQLite files in a temporary folder, and for the `report` section also PostgreSQL
 * (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/postgres; skipped with a note
 * when it does not answer). `--db sqlite` runs everything on SQLite only; `--db postgres` (or a
 * BENCH_DATABASE_URL) runs every section on PostgreSQL only, each in a fresh schema of that
 * database, dropped at the end. `--only report,households,import,units,fanout,memory,startup,board,national,scale` runs those
 * sections.
 *
 * BENCH_OFFICERS (400), BENCH_LANES (1), BENCH_CONCURRENT_LANES (8, 0 = skip), BENCH_SAME_WARD=1
 * (all officers in one ward: their reports revise one ward's report), BENCH_FANOUT_RATE,
 * BENCH_FANOUT_MESSAGES, BENCH_MEMORY_USERS, BENCH_MEMORY_CONNECTIONS, BENCH_MEMORY_SECONDS,
 * BENCH_MEMORY_NODE_OPTIONS, BENCH_IMPORT_ROWS and BENCH_UNITS_ROWS (comma-separated row counts),
 * BENCH_STARTUP_RUNS tune the sections.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Bot } from 'grammy';
import { sql } from 'kysely';
import pg from 'pg';
import { createLogger } from '../bot/logger.ts';
import { createOutboxDispatcher } from '../bot/outbox-dispatcher.ts';
import { createTelegramSender } from '../bot/telegram/telegram-sender.ts';
import { idNumberHasher } from '../core/households/id-number.ts';
import { buildLeadersView } from '../core/reports/leaders-view.ts';
import { systemClock } from '../core/shared/clock.ts';
import { createPrismaClient } from '../prisma/client.ts';
import { applyMigrations } from '../prisma/migrate.ts';
import { seedDemo } from '../prisma/seed.ts';
import { type Dialect, isPostgresUrl, openSqlDb, type SqlDb } from '../prisma/sql-db.ts';
import { openSqlite } from '../prisma/sqlite.ts';
import { createStore } from '../prisma/store.ts';
import { startBotApiEmulator } from '../test/support/bot-api-emulator.ts';
import { benchBoard } from './bench-board.ts';
import {
  ANSWERS,
  answerReports,
  BENCH_BOT_INFO,
  countPostgresStatements,
  countReports,
  percentile,
  postgresCpuMs,
  REPORT_CLOCK_AT,
  reportBot,
  runInstances,
  SAME_WARD,
  seedOfficers,
  type Timed,
  updateMaker,
} from './bench-inbound.ts';
import { benchMemory, type Figure } from './bench-memory.ts';
import {
  benchNational,
  formatNationalBench,
  DEFAULT_PG_URL as NATIONAL_PG_URL,
  DEFAULT_SQLITE_URL as NATIONAL_SQLITE_URL,
  type NationalBench,
} from './bench-national.ts';
import { benchPeer } from './bench-peer.ts';
import { benchScale } from './bench-scale.ts';
import { benchStartup } from './bench-startup.ts';
import { benchStatements } from './bench-statements.ts';
import type { UnitsBenchResult } from './bench-units.ts';
import { householdsImport } from './cli/households.ts';
import { GENERATED_HEADER, generateHouseholdRows, writeCsv } from './dev/generate-household-file.ts';
import { generateUnitList } from './dev/generate-unit-file.ts';

// ---------------------------------------------------------------------------------------------
// Where the benchmark runs

const DEFAULT_PG_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
const SECTIONS = [
  'report',
  'households',
  'import',
  'units',
  'fanout',
  'memory',
  'startup',
  'board',
  'national',
  'scale',
  'statements',
] as const;
type Section = (typeof SECTIONS)[number];
/** Run unless `--only` names sections. */
const DEFAULT_SECTIONS: Section[] = [
  'report',
  'households',
  'import',
  'units',
  'fanout',
  'memory',
  'startup',
  'board',
  'statements',
];

/** A fresh, migrated database of one section; `close` closes it (the target removes it at the end). */
interface BenchDatabase {
  /** DATABASE_URL of this database (for the Prisma client). */
  url: string;
  db: SqlDb;
  close: () => Promise<void>;
}

/** The database server the sections run on, and a fresh database per section. */
interface BenchTarget {
  dialect: Dialect;
  /** A temporary folder for files (SQLite databases, the CSV of the import). */
  dir: string;
  fresh: (name: string) => Promise<BenchDatabase>;
  /** The URL of a new database that nobody has migrated yet. */
  emptyUrl: (name: string) => Promise<string>;
  /** Removes the folder and, on PostgreSQL, every schema `fresh` created. */
  cleanup: () => Promise<void>;
}

function benchTarget(pgUrl: string | undefined): BenchTarget {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mttq-bench-'));
  const removeDir = async () => fs.rmSync(dir, { recursive: true, force: true });
  if (pgUrl === undefined) {
    return {
      dialect: 'sqlite',
      dir,
      fresh: async (name) => {
        const url = `file:${path.join(dir, `${name}.db`)}`;
        const db = openSqlDb(url);
        await applyMigrations(db);
        return { url, db, close: () => db.close() };
      },
      emptyUrl: async (name) => `file:${path.join(dir, `${name}.db`)}`,
      cleanup: removeDir,
    };
  }
  const schemas: string[] = [];
  // A schema of our own per section (created by the first migration run), as the tests do.
  const schemaUrl = (name: string) => {
    const schema = `bench_${name}_${randomBytes(4).toString('hex')}`;
    schemas.push(schema);
    const url = new URL(pgUrl);
    url.searchParams.set('schema', schema);
    return url.toString();
  };
  return {
    dialect: 'postgres',
    dir,
    fresh: async (name) => {
      const url = schemaUrl(name);
      const db = openSqlDb(url, { poolSize: 4 });
      await applyMigrations(db);
      return { url, db, close: () => db.close() };
    },
    emptyUrl: async (name) => schemaUrl(name),
    cleanup: async () => {
      await removeDir();
      const admin = openSqlDb(pgUrl);
      try {
        for (const schema of schemas) {
          await admin.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        }
      } finally {
        await admin.close();
      }
    },
  };
}

async function postgresAnswers(url: string): Promise<boolean> {
  const server = new URL(url);
  server.search = '';
  const client = new pg.Client({ connectionString: server.toString(), connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

interface BenchOptions {
  /** The database of every section but `report`. */
  primary: 'sqlite' | 'postgres';
  /** The databases of the `report` section: both unless `--db` (or BENCH_DATABASE_URL) says one. */
  reportOn: ('sqlite' | 'postgres')[];
  pgUrl: string;
  sections: Set<Section>;
}

/** `--db sqlite|postgres`, `--only <sections>`; BENCH_DATABASE_URL=postgresql://… also selects PostgreSQL. */
function benchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({ args: argv, options: { db: { type: 'string' }, only: { type: 'string' } } });
  const envUrl = process.env.BENCH_DATABASE_URL;
  if (envUrl !== undefined && envUrl !== '' && !isPostgresUrl(envUrl)) {
    throw new Error('BENCH_DATABASE_URL must be a postgresql:// URL (SQLite is the default)');
  }
  const db = values.db ?? (envUrl ? 'postgres' : undefined);
  if (db !== undefined && db !== 'sqlite' && db !== 'postgres') {
    throw new Error(`--db must be sqlite or postgres, not "${db}"`);
  }
  const only = values.only?.split(',').map((v) => v.trim()) ?? DEFAULT_SECTIONS;
  const unknown = only.filter((v) => !(SECTIONS as readonly string[]).includes(v));
  if (unknown.length > 0) {
    throw new Error(`--only takes ${SECTIONS.join(', ')}; unknown: ${unknown.join(', ')}`);
  }
  return {
    primary: db ?? 'sqlite',
    reportOn: db ? [db] : ['sqlite', 'postgres'],
    pgUrl: envUrl || DEFAULT_PG_URL,
    sections: new Set(only as Section[]),
  };
}

/** The machine's 1-minute load average now (other work slows every figure down). */
function loadNow(): string {
  return ` [load average ${os.loadavg()[0]?.toFixed(2)}]`;
}

/** The figures of the run, printed together at the end. */
const figures: { section: string; figure: Figure }[] = [];
function recorder(section: string): (figure: Figure) => void {
  return (figure) => figures.push({ section, figure });
}

// ---------------------------------------------------------------------------------------------
// Report answers (issue 2)

const OFFICERS = Number(process.env.BENCH_OFFICERS ?? 400);
const WARMUP_OFFICERS = 40;
/** Concurrent lanes per process (1: each process handles one update at a time, as published). */
const LANES = Number(process.env.BENCH_LANES ?? 1);
/** Concurrent lanes per process in the extra PostgreSQL runs (webhook updates are handled concurrently). */
const CONCURRENT_LANES = Number(process.env.BENCH_CONCURRENT_LANES ?? 8);

/**
 * The bare handler's one insert per update. SQLite: raw better-sqlite3, same settings as the bot's
 * connection (the figure the goals were set against). PostgreSQL: one INSERT through the same pool
 * interface the store uses, so the ratio is against one round trip.
 */
async function bareInsert(target: BenchTarget): Promise<{
  label: string;
  insert: (updateId: number, chatId: string, text: string) => void | Promise<void>;
  close: () => Promise<void>;
}> {
  const ddl =
    'CREATE TABLE answers (id INTEGER PRIMARY KEY, "updateId" INTEGER UNIQUE, "chatId" TEXT, text TEXT)';
  if (target.dialect === 'sqlite') {
    const raw = openSqlite(path.join(target.dir, 'baseline.db'));
    raw.exec(ddl);
    const insert = raw.prepare('INSERT INTO answers (updateId, chatId, text) VALUES (?, ?, ?)');
    return {
      label: 'one SQLite insert (raw better-sqlite3)',
      // Synchronous, as the handler was before the database became selectable.
      insert: (updateId, chatId, text) => {
        insert.run(updateId, chatId, text);
      },
      close: async () => {
        raw.close();
      },
    };
  }
  const base = await target.fresh('baseline');
  await base.db.exec(ddl.replace('INTEGER PRIMARY KEY', 'SERIAL PRIMARY KEY'));
  // A raw statement on purpose (a table outside the schema), compiled once: the baseline is the
  // round trip, not building the statement.
  const statement = sql`INSERT INTO answers ("updateId", "chatId", text) VALUES (${0}, ${''}, ${''})`.compile(
    base.db.kysely,
  );
  return {
    label: 'one PostgreSQL insert (SqlDb pool)',
    insert: async (updateId, chatId, text) => {
      await base.db.kysely.executeQuery({ ...statement, parameters: [updateId, chatId, text] });
    },
    close: base.close,
  };
}

const fmt = (n: number) => n.toFixed(3);
const sortedOf = (t: Timed) => [...t.samples].sort((a, b) => a - b);
const perSecond = (t: Timed) => (t.samples.length / (t.endMs - t.startMs)) * 1000;
const dbName = (dialect: Dialect) => (dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL');

/** Seeds the demo campaign (as of 05/11/2024) and the officers; the first WARMUP_OFFICERS warm up. */
async function reportDatabase(target: BenchTarget, name: string) {
  const database = await target.fresh(name);
  const users = await seedOfficers(database.db, OFFICERS + WARMUP_OFFICERS, new Date(REPORT_CLOCK_AT), {
    sameWard: SAME_WARD,
  });
  return {
    ...database,
    users,
    warmup: users.slice(0, WARMUP_OFFICERS),
    measured: users.slice(WARMUP_OFFICERS),
  };
}

/** One report per officer: nothing lost, nothing stored twice. */
async function checkReports(db: SqlDb, expected: number): Promise<{ ok: boolean; text: string }> {
  const r = await countReports(db);
  const ok = r.reports === expected && r.officers === expected && r.revisions === expected;
  return {
    ok,
    text: `${r.reports} reports by ${r.officers} of ${expected} officers (${SAME_WARD ? `revisions 1–${r.maxRevision} of one ward` : 'one ward each'}): ${expected - r.officers} lost, ${r.reports - r.officers} duplicates`,
  };
}

/** How the measured chat turns ended, as a line: "5,200 in one round trip, 400 in two round trips, …". */
function turnsOf(now: Record<string, number>, before: Record<string, number> = {}): string {
  const parts = Object.entries(now)
    .map(([how, n]) => [how, n - (before[how] ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .map(
      ([how, n]) =>
        `${n} ${how.includes('round-trip') ? `in ${how.replaceAll('-', ' ')}` : `in a full transaction (${how})`}`,
    );
  return parts.length > 0
    ? `chat turns: ${parts.join(', ')}`
    : 'chat turns: none (every answer in a full transaction)';
}

/** The 14 answers and the submission ("gửi", which stores the report) timed apart. */
function answersAndSubmissions(t: Timed): string {
  const last = ANSWERS.length - 1;
  const answers = t.samples.filter((_, i) => t.steps[i] !== last).sort((a, b) => a - b);
  const submissions = t.samples.filter((_, i) => t.steps[i] === last).sort((a, b) => a - b);
  return `the 14 answers: median ${fmt(percentile(answers, 50))} ms, p99 ${fmt(percentile(answers, 99))} ms; "gửi" (the report stored): median ${fmt(percentile(submissions, 50))} ms, p99 ${fmt(percentile(submissions, 99))} ms`;
}

/** PostgreSQL's "before": every answer in a full transaction, one instance, one at a time. */
function reportBefore(
  ours: Timed,
  check: { ok: boolean; text: string },
  statements: number,
  dbCpu: string,
  record: (figure: Figure) => void,
): void {
  const sorted = sortedOf(ours);
  const rate = perSecond(ours);
  const p99 = percentile(sorted, 99);
  console.log(
    `Report answers on PostgreSQL, one instance, BEFORE (every answer in a full transaction): ${ours.samples.length} measured`,
  );
  console.log(
    `  median ${fmt(percentile(sorted, 50))} ms, p99 ${fmt(p99)} ms, max ${fmt(sorted.at(-1) ?? 0)} ms; ${rate.toFixed(0)} answers/s; CPU ${(ours.cpuMs / ours.samples.length).toFixed(3)} ms per answer; ${(statements / ours.samples.length).toFixed(2)} statements per answer${dbCpu}`,
  );
  console.log(`  ${answersAndSubmissions(ours)}`);
  console.log(`  check: ${check.text}`);
  record({
    what: 'PostgreSQL, one instance, before: answers/s, median / p99',
    value: `${rate.toFixed(0)}; ${fmt(percentile(sorted, 50))} / ${fmt(p99)} ms; ${(statements / ours.samples.length).toFixed(2)} statements per answer`,
  });
  record({
    what: 'PostgreSQL, one instance, before: Report rows',
    value: check.text.split(':')[0] ?? '',
    goal: '0 duplicates, 0 lost',
    pass: check.ok,
  });
}

/**
 * Our answers on one instance, one process: `chatTurns` false is PostgreSQL's "before" (every answer
 * in a full transaction, as until issue 19) — then only our figures are measured, not the baselines.
 */
async function benchReportAnswers(
  target: BenchTarget,
  record: (figure: Figure) => void,
  { chatTurns }: { chatTurns: boolean } = { chatTurns: true },
): Promise<void> {
  const name = dbName(target.dialect);
  const { url, db, close, users, warmup, measured } = await reportDatabase(
    target,
    chatTurns ? 'report' : 'report_before',
  );
  const { bot, failures, retries, lastError, turns } = await reportBot(db, { chatTurns });
  const makeUpdate = updateMaker(1);

  // Each officer opens the report (not measured), then all answer round-robin, step by step.
  for (const u of users) {
    await bot.handleUpdate(makeUpdate(u, '/baocao'));
  }
  await answerReports(bot, warmup, makeUpdate, LANES);
  const statements = target.dialect === 'postgres' ? countPostgresStatements() : undefined;
  const turnsBefore = turns();
  const dbCpuBefore = target.dialect === 'postgres' ? postgresCpuMs() : undefined;
  const ours = await answerReports(bot, measured, makeUpdate, LANES);
  const dbCpuAfter = target.dialect === 'postgres' ? postgresCpuMs() : undefined;
  statements?.stop();
  const dbCpu =
    dbCpuBefore !== undefined && dbCpuAfter !== undefined
      ? `; PostgreSQL's own CPU ${((dbCpuAfter - dbCpuBefore) / ours.samples.length).toFixed(3)} ms per answer`
      : '';
  const check = await checkReports(db, users.length);
  if (!check.ok || failures() > 0) {
    throw new Error(
      `${check.text}; ${failures()} updates failed (${lastError()}): the benchmark did not run the real flow`,
    );
  }
  if (!chatTurns) {
    reportBefore(ours, check, statements?.count() ?? 0, dbCpu, record);
    await close();
    return;
  }
  const turnsText = turnsOf(turns(), turnsBefore);

  // Baseline: the same grammY, one insert per update.
  const baseline = await bareInsert(target);
  const bare = new Bot('1:bench', { botInfo: BENCH_BOT_INFO, client: { apiRoot: 'http://127.0.0.1:9' } });
  bare.on('message:text', (ctx) =>
    baseline.insert(ctx.update.update_id, String(ctx.chat.id), ctx.message.text),
  );
  await bare.init();
  await answerReports(bare, warmup, makeUpdate);
  const base = await answerReports(bare, measured, makeUpdate);
  await baseline.close();

  // Second baseline: the same bare handler writing its one row through the Prisma client, the way
  // the rest of this codebase (CLI, seed) writes.
  const prismaBase = createPrismaClient(url);
  const prismaBare = new Bot('1:bench', {
    botInfo: BENCH_BOT_INFO,
    client: { apiRoot: 'http://127.0.0.1:9' },
  });
  prismaBare.on('message:text', async (ctx) => {
    await prismaBase.inboundSeen.create({
      data: { channel: 'bench', externalId: String(ctx.update.update_id), receivedAt: new Date() },
    });
  });
  await prismaBare.init();
  await answerReports(prismaBare, warmup, makeUpdate);
  const viaPrisma = await answerReports(prismaBare, measured, makeUpdate);
  await prismaBase.$disconnect();

  const sortedOurs = sortedOf(ours);
  const sortedBase = sortedOf(base);
  const sortedPrisma = sortedOf(viaPrisma);
  const median = percentile(sortedOurs, 50);
  const p99 = percentile(sortedOurs, 99);
  const ratio = median / percentile(sortedBase, 50);
  const prismaRatio = median / percentile(sortedPrisma, 50);
  const rate = perSecond(ours);
  console.log(
    `Report answers on ${name}, one instance: ${ours.samples.length} measured (${OFFICERS} officers × ${ANSWERS.length} answers${LANES > 1 ? `, ${LANES} lanes` : ', one at a time'})`,
  );
  console.log(
    `  engine + transaction + outbox: median ${fmt(median)} ms, p99 ${fmt(p99)} ms, max ${fmt(sortedOurs.at(-1) ?? 0)} ms`,
  );
  console.log(
    `  throughput: ${rate.toFixed(0)} answers/s (one process; its CPU ${(ours.cpuMs / ours.samples.length).toFixed(3)} ms per answer, ${((ours.cpuMs / (ours.endMs - ours.startMs)) * 100).toFixed(0)} % of one core)`,
  );
  console.log(`  check: ${check.text}; attempts retried: ${retries()}`);
  console.log(`  ${answersAndSubmissions(ours)}`);
  if (statements) {
    console.log(
      `  round trips: ${(statements.count() / ours.samples.length).toFixed(2)} statements per answer; ${turnsText}${dbCpu}`,
    );
    record({
      what: 'PostgreSQL, one instance: statements (round trips) per answer',
      value: (statements.count() / ours.samples.length).toFixed(2),
    });
  }
  console.log(
    `Bare grammY handler + ${baseline.label}: median ${fmt(percentile(sortedBase, 50))} ms, p99 ${fmt(percentile(sortedBase, 99))} ms`,
  );
  console.log(
    `Bare grammY handler + one Prisma insert: median ${fmt(percentile(sortedPrisma, 50))} ms, p99 ${fmt(percentile(sortedPrisma, 99))} ms`,
  );
  console.log(`Ratio (median ours / median bare, ${baseline.label}): ${ratio.toFixed(2)}`);
  console.log(`Ratio (median ours / median bare, Prisma insert): ${prismaRatio.toFixed(2)}`);
  const goals = [
    [
      `ratio ≤ 3 against the ${target.dialect === 'sqlite' ? 'raw' : 'PostgreSQL'}-insert handler`,
      ratio <= 3,
    ],
    [`ratio ≤ 3 against the Prisma-insert handler`, prismaRatio <= 3],
    [`p99 ≤ 10 ms`, p99 <= 10],
    [`≥ 1,000 answers/s`, rate >= 1000],
  ] as const;
  for (const [goal, ok] of goals) {
    console.log(`  ${ok ? 'PASS' : 'FAIL'} ${goal}`);
  }
  record({
    what: `${name}, one instance: answers/s`,
    value: rate.toFixed(0),
    goal: '≥ 1,000',
    pass: rate >= 1000,
  });
  record({
    what: `${name}, one instance: median / p99 per answer`,
    value: `${fmt(median)} / ${fmt(p99)} ms`,
    goal: 'p99 ≤ 10 ms',
    pass: p99 <= 10,
  });
  record({
    what: `${name}: ratio of medians vs bare insert / vs Prisma insert`,
    value: `${ratio.toFixed(2)} / ${prismaRatio.toFixed(2)}`,
    goal: '≤ 3',
    pass: ratio <= 3,
  });
  // The peer (issue 19 §1): grammY + @grammyjs/conversations on the same database, same officers.
  await benchPeer({ url, name, warmup, measured, lanes: LANES, ours, record });
  await close();
}

/**
 * Bot instances on one PostgreSQL database: `count` processes (scripts/bench-inbound-worker.ts),
 * each with its own pool (the bot's default, 10), store and handler, each answering for its share
 * of the officers on `lanes` concurrent lanes, started together. Combined answers/s over the
 * wall-clock span from the first start to the last end.
 */
async function benchInstances(
  target: BenchTarget,
  record: (figure: Figure) => void,
  { count, lanes, chatTurns }: { count: number; lanes: number; chatTurns: boolean },
): Promise<number> {
  const { url, db, close, users, warmup, measured } = await reportDatabase(
    target,
    `instances${count}x${lanes}${chatTurns ? '' : '_before'}`,
  );
  const results = await runInstances({ url, count, warmup, measured, lanes, chatTurns });
  const check = await checkReports(db, users.length);
  await close();
  const total = results.reduce((n, r) => n + r.timed.samples.length, 0);
  const span =
    Math.max(...results.map((r) => r.timed.endMs)) - Math.min(...results.map((r) => r.timed.startMs));
  const combined = (total / span) * 1000;
  const failures = results.reduce((n, r) => n + r.failures, 0);
  const retries = results.reduce((n, r) => n + r.retries, 0);
  const all = results.flatMap((r) => r.timed.samples).sort((a, b) => a - b);
  const p99s = results.map((r) => percentile(sortedOf(r.timed), 99));
  const how = `${count === 1 ? 'one instance (process)' : `${count} instances (processes) on one database`}, ${lanes === 1 ? 'one answer at a time' : `${lanes} answers in flight`}${count > 1 ? ' each' : ''}${chatTurns ? '' : ', BEFORE (every answer in a full transaction)'}`;
  const label = `PostgreSQL, ${count === 1 ? '1 instance' : `${count} instances`}, ${lanes} in flight${count > 1 ? ' each' : ''}${chatTurns ? '' : ', before'}`;
  console.log(
    `Report answers on PostgreSQL, ${how}: ${total} measured (${OFFICERS} officers × ${ANSWERS.length} answers${count > 1 ? `, 1/${count} each` : ''})${loadNow()}`,
  );
  for (const r of results) {
    const sorted = sortedOf(r.timed);
    console.log(
      `  ${r.instanceId}: ${r.timed.samples.length} answers, ${perSecond(r.timed).toFixed(0)} answers/s, median ${fmt(percentile(sorted, 50))} ms, p99 ${fmt(percentile(sorted, 99))} ms, max ${fmt(sorted.at(-1) ?? 0)} ms; CPU ${(r.timed.cpuMs / r.timed.samples.length).toFixed(3)} ms per answer; RSS ${r.rssMb} MB; attempts retried ${r.retries}, updates failed after 3 attempts ${r.failures}${r.lastError ? ` (last error: ${r.lastError})` : ''}`,
    );
  }
  console.log(
    `  combined: ${combined.toFixed(0)} answers/s (${total} answers in ${(span / 1000).toFixed(2)} s, first start to last end); p99 over all ${fmt(percentile(all, 99))} ms`,
  );
  console.log(
    `  check: ${check.text}; attempts retried: ${retries} (${((retries / total) * 100).toFixed(2)} % of answers); updates failed after 3 attempts: ${failures}`,
  );
  const statements = results.reduce((n, r) => n + r.statements, 0);
  const turns: Record<string, number> = {};
  for (const r of results) {
    for (const [how, n] of Object.entries(r.turns)) {
      turns[how] = (turns[how] ?? 0) + n;
    }
  }
  console.log(
    `  round trips: ${(statements / total).toFixed(2)} statements per answer; ${turnsOf(turns)}; CPU ${(results.reduce((n, r) => n + r.timed.cpuMs, 0) / total).toFixed(3)} ms per answer (bot processes)`,
  );
  const goals = [
    [`0 duplicates, 0 lost (one Report row per officer)`, check.ok && failures === 0],
    [`p99 ≤ 10 ms on each instance`, p99s.every((p) => p <= 10)],
    [`≥ 1,000 answers/s combined`, combined >= 1000],
  ] as const;
  for (const [goal, ok] of goals) {
    console.log(`  ${ok ? 'PASS' : 'FAIL'} ${goal}`);
  }
  record({
    what: `${label}: answers/s`,
    value: combined.toFixed(0),
    goal: '≥ 1,000',
    pass: combined >= 1000,
  });
  record({
    what: `${label}: p99 per answer${count > 1 ? ' of each' : ''}`,
    value: p99s.map((p) => `${fmt(p)} ms`).join(' / '),
    goal: 'p99 ≤ 10 ms',
    pass: p99s.every((p) => p <= 10),
  });
  record({
    what: `${label}: Report rows, retried attempts`,
    value: `${check.text.split(':')[0]}; ${retries} retried`,
    goal: '0 duplicates, 0 lost',
    pass: check.ok && failures === 0,
  });
  return combined;
}

/**
 * PostgreSQL, before and after issue 19 in one run: every answer in a full transaction (before),
 * then chat turns in one or two round trips (after) — each time one instance one answer at a time (in this
 * process), two instances (processes) one at a time each, then one and two instances with answers in
 * flight as webhooks bring them (BENCH_CONCURRENT_LANES per process, 0 to skip). Goals (issue 19):
 * ≥ 1,000 answers/s with 8 in flight, p99 ≤ 10 ms one at a time, two instances ≥ 1.6 × one.
 */
async function benchPostgresAnswers(target: BenchTarget, record: (figure: Figure) => void): Promise<void> {
  for (const chatTurns of [false, true]) {
    console.log(
      chatTurns
        ? '\n-- after: chat turns in one or two round trips'
        : '-- before: every answer in a full transaction',
    );
    await benchReportAnswers(target, record, { chatTurns });
    const rates = new Map<string, number>();
    const runs = [
      { count: 1, lanes: LANES },
      { count: 2, lanes: LANES },
    ];
    if (CONCURRENT_LANES > 0) {
      runs.push({ count: 1, lanes: CONCURRENT_LANES }, { count: 2, lanes: CONCURRENT_LANES });
    }
    for (const run of runs) {
      console.log('');
      rates.set(`${run.count}x${run.lanes}`, await benchInstances(target, record, { ...run, chatTurns }));
    }
    for (const lanes of new Set(runs.map((r) => r.lanes))) {
      const ratio = (rates.get(`2x${lanes}`) ?? 0) / (rates.get(`1x${lanes}`) ?? 1);
      const pass = chatTurns ? ratio >= 1.6 : undefined;
      console.log(
        `  two instances / one, ${lanes} in flight each: ${ratio.toFixed(2)}×${pass === undefined ? '' : `  ${pass ? 'PASS' : 'FAIL'} ≥ 1.6×`}`,
      );
      record({
        what: `PostgreSQL, two instances / one, ${lanes} in flight each${chatTurns ? '' : ', before'}`,
        value: `${ratio.toFixed(2)}×`,
        ...(chatTurns ? { goal: '≥ 1.6×', pass: ratio >= 1.6 } : {}),
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Household import and leaders' view (issue 4)

/** Import throughput of a 5,000-row commune list, and the leaders' view over those households. */
async function benchHouseholds(target: BenchTarget, record: (figure: Figure) => void): Promise<void> {
  const { url, db, close } = await target.fresh('households');
  const now = new Date('2025-03-20T03:00:00Z');
  await seedDemo(db, now);
  const prisma = createPrismaClient(url);
  const { rows } = generateHouseholdRows(5000, { seed: 11 });
  const idAt = GENERATED_HEADER.findIndex((h) => /CCCD/.test(h));
  rows.forEach((row, i) => {
    if (i > 0 && row[idAt] === '') {
      row[idAt] = `0069${String(i).padStart(8, '0')}`;
    }
  });
  const csv = path.join(target.dir, 'households.csv');
  await writeCsv(csv, rows);
  const t0 = process.hrtime.bigint();
  const outcome = await householdsImport(
    // A key of its own, as ID_HASH_KEY would be: the import hashes every CCCD with it.
    {
      prisma,
      db,
      now,
      out: () => undefined,
      timeZone: 'Asia/Ho_Chi_Minh',
      hashIdNumber: idNumberHasher(randomBytes(32)),
    },
    { file: csv, unit: '01852', dryRun: false, acceptValid: true },
  );
  const importMs = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(
    `Household import: ${outcome.rows} rows (${outcome.written} written) in ${importMs.toFixed(0)} ms = ${((outcome.rows / importMs) * 1000).toFixed(0)} rows/s (read, validate, duplicate check, write)`,
  );
  record({ what: 'import, 5,000 rows', value: `${((outcome.rows / importMs) * 1000).toFixed(0)} rows/s` });
  await prisma.$disconnect();

  const store = createStore(db);
  const city = await db.kysely
    .selectFrom('Unit')
    .select('id')
    .where('code', '=', '058')
    .executeTakeFirstOrThrow();
  const leader = {
    personId: 1,
    fullName: 'Lãnh đạo',
    locale: 'vi',
    memberships: [
      {
        role: 'leader' as const,
        unitId: city.id,
        unitCode: '058',
        unitName: 'TP',
        unitKind: 'city',
      },
    ],
  };
  const samples: number[] = [];
  for (let i = 0; i < 60; i++) {
    const s = process.hrtime.bigint();
    await store.run((tx) => buildLeadersView(tx, leader, now));
    samples.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  const sorted = samples.slice(10).sort((a, b) => a - b);
  console.log(
    `Leaders' view over ${outcome.written + 4} households in 8 units: median ${percentile(sorted, 50).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms`,
  );
  record({
    what: "leaders' view, median / p99",
    value: `${percentile(sorted, 50).toFixed(2)} / ${percentile(sorted, 99).toFixed(2)} ms`,
  });
  await close();
}

// ---------------------------------------------------------------------------------------------
// Household import at scale (issue 13 §7)

const IMPORT_GOAL = { rows: 100_000, seconds: 30, rssMb: 300 };

/** A generated list of `count` households, every row valid and with its own CCCD (no namesake is a duplicate). */
async function validHouseholdCsv(file: string, count: number): Promise<void> {
  const { rows } = generateHouseholdRows(count, { seed: 13 });
  const idAt = GENERATED_HEADER.findIndex((h) => /CCCD/.test(h));
  rows.forEach((row, i) => {
    if (i > 0) {
      row[idAt] = `0069${String(i).padStart(8, '0')}`;
    }
  });
  await writeCsv(file, rows);
}

/**
 * Issue 13 §7: `households import` of N valid rows (BENCH_IMPORT_ROWS, default 10,000, 40,000 and
 * 100,000) into a fresh database with the demo data, each run in its own child process
 * (scripts/bench-import.ts: the command's code, the Prisma client and the SqlDb, under tsx as
 * `npm run cli` runs it) reporting its time and peak RSS. Linear: rows/s about the same at every N.
 * Goal: 100,000 rows in ≤ 30 s and ≤ 300 MB.
 */
async function benchImport(target: BenchTarget, record: (figure: Figure) => void): Promise<void> {
  const counts = (process.env.BENCH_IMPORT_ROWS ?? '10000,40000,100000')
    .split(',')
    .map((v) => Number(v.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
  for (const count of counts) {
    const { url, db, close } = await target.fresh(`import_${count}`);
    await seedDemo(db, new Date());
    await close();
    const file = path.join(target.dir, `import-${count}.csv`);
    await validHouseholdCsv(file, count);
    const sizeMb = fs.statSync(file).size / (1024 * 1024);
    const result = await jsonOfChild<ChildImport>('scripts/bench-import.ts', url, file);
    fs.rmSync(file, { force: true });
    const seconds = result.ms / 1000;
    const rate = result.rows / seconds;
    console.log(
      `Import of ${count} rows (CSV ${sizeMb.toFixed(1)} MB): ${result.written} written, ${result.problems} problems, ${seconds.toFixed(1)} s = ${rate.toFixed(0)} rows/s, peak RSS ${result.maxRssMb.toFixed(0)} MB`,
    );
    const goal = count === IMPORT_GOAL.rows;
    record({
      what: `import, ${count.toLocaleString('en')} rows: time, rows/s, peak RSS`,
      value: `${seconds.toFixed(1)} s, ${rate.toFixed(0)}/s, ${result.maxRssMb.toFixed(0)} MB`,
      ...(goal
        ? {
            goal: `≤ ${IMPORT_GOAL.seconds} s, ≤ ${IMPORT_GOAL.rssMb} MB`,
            pass:
              result.written === count &&
              seconds <= IMPORT_GOAL.seconds &&
              result.maxRssMb <= IMPORT_GOAL.rssMb,
          }
        : {}),
    });
  }
}

interface ChildImport {
  rows: number;
  written: number;
  problems: number;
  ms: number;
  maxRssMb: number;
}

/** Runs a benchmark child (`script <url> <file>` under tsx) and reads the JSON line it prints last. */
async function jsonOfChild<T>(script: string, url: string, file: string): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, url, file], {
    cwd: path.dirname(import.meta.dirname),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || line === '') {
    throw new Error(`${path.basename(script)} exited with ${code}: ${stderr.slice(-2000)}`);
  }
  return JSON.parse(line) as T;
}

// ---------------------------------------------------------------------------------------------
// Unit list import (issue 15 §2)

const UNITS_GOAL = { rows: 30_000, seconds: 5 };

/**
 * Issue 15 §2: `units import` of a generated national-like list (scripts/dev/generate-unit-file.ts:
 * 34 provinces and their communes and wards, with reused codes; BENCH_UNITS_ROWS, default 3,500 —
 * the country's count —, 10,000 and 30,000 records) into a fresh migrated database, then the
 * same file again (nothing to add), in a child process (scripts/bench-units.ts, the command's own
 * code). Linear: rows/s about the same at every N. Goal: 30,000 records in ≤ 5 s, and again.
 */
async function benchUnits(target: BenchTarget, record: (figure: Figure) => void): Promise<void> {
  const counts = (process.env.BENCH_UNITS_ROWS ?? '3500,10000,30000')
    .split(',')
    .map((v) => Number(v.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
  for (const count of counts) {
    const { url, close } = await target.fresh(`units_${count}`);
    await close();
    const file = path.join(target.dir, `units-${count}.csv`);
    await writeCsv(file, generateUnitList(count).rows);
    const r = await jsonOfChild<UnitsBenchResult>('scripts/bench-units.ts', url, file);
    fs.rmSync(file, { force: true });
    const seconds = r.ms / 1000;
    const again = r.againMs / 1000;
    console.log(
      `Units import of ${r.rows} records: ${r.added} added, ${r.problems} problems, ${seconds.toFixed(2)} s = ${(r.rows / seconds).toFixed(0)} rows/s; again: ${r.againAdded} added, ${again.toFixed(2)} s; peak RSS ${r.maxRssMb.toFixed(0)} MB`,
    );
    const goal = count === UNITS_GOAL.rows;
    record({
      what: `units import, ${count.toLocaleString('en')} rows: import, again, peak RSS`,
      value: `${seconds.toFixed(2)} s, ${again.toFixed(2)} s, ${r.maxRssMb.toFixed(0)} MB`,
      ...(goal
        ? {
            goal: `≤ ${UNITS_GOAL.seconds} s each`,
            pass:
              r.added === r.rows &&
              r.againAdded === 0 &&
              r.problems === 0 &&
              seconds <= UNITS_GOAL.seconds &&
              again <= UNITS_GOAL.seconds,
          }
        : {}),
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Fan-out through the outbox (issue 6)

/**
 * Issue 6: 10,000 reminders to 10,000 chats through the outbox — database queue, dispatcher and rate
 * limiter, Telegram sender, grammY over HTTP — to the Bot API emulator enforcing a flood limit of
 * BENCH_FANOUT_RATE messages/s (sliding 1 s window, 1/s per chat); the dispatcher is configured with
 * the same rate. A reply is enqueued a third of the way through and timed to its delivery.
 * Goals: achieved rate ≥ 0.95 × allowed, 0 × 429, 0 duplicates, 0 lost.
 */
async function benchFanOut(target: BenchTarget, record: (figure: Figure) => void): Promise<void> {
  const rate = Number(process.env.BENCH_FANOUT_RATE ?? 300);
  const count = Number(process.env.BENCH_FANOUT_MESSAGES ?? 10_000);
  const { db, close } = await target.fresh('fanout');
  const store = createStore(db);
  const emulator = await startBotApiEmulator({
    floodLimits: { globalPerSecond: rate, perChatPerSecond: 1, perGroupPerMinute: 20 },
  });
  const api = new Bot(emulator.token, { botInfo: emulator.botInfo, client: { apiRoot: emulator.apiRoot } })
    .api;
  const firstChat = 1_000_000;
  await store.run((tx) =>
    tx.outbox.enqueue(
      Array.from({ length: count }, (_, i) => ({
        channel: 'telegram' as const,
        chatId: String(firstChat + i),
        message: { text: `Nhắc: báo cáo tháng 2/2025 của đơn vị cần gửi trước ngày 15/03 (#${i})` },
        idempotencyKey: `bench-reminder:${i}`,
        purpose: 'reminder' as const,
        personId: i,
      })),
      new Date(),
    ),
  );
  const dispatcher = createOutboxDispatcher({
    queue: store.outbox,
    senders: { telegram: createTelegramSender(api) },
    clock: systemClock,
    log: createLogger({ level: 'silent', secrets: [] }),
    rateLimits: { telegram: { globalPerSecond: rate } },
  });
  const replyChat = 42;
  const started = performance.now();
  dispatcher.start();
  // A third of the way through, someone writes and gets a reply: how long does it wait?
  while (emulator.deliveryStats().delivered < count / 3) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const asked = performance.now();
  await store.run((tx) =>
    tx.outbox.enqueue(
      [
        {
          channel: 'telegram',
          chatId: String(replyChat),
          message: { text: 'Đã nhận' },
          idempotencyKey: 'bench-reply',
        },
      ],
      new Date(),
    ),
  );
  dispatcher.kick();
  await emulator.waitForMessages(replyChat, 1, 60_000);
  const replyMs = performance.now() - asked;
  const deadline = started + (count / rate) * 3_000 + 60_000;
  for (;;) {
    const s = dispatcher.stats();
    if (s.sent + s.failed >= count + 1 || performance.now() > deadline) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const wallMs = performance.now() - started;
  await dispatcher.stop();

  const stats = emulator.deliveryStats();
  let duplicates = 0;
  let lost = 0;
  for (let i = 0; i < count; i++) {
    const n = stats.perChat.get(firstChat + i) ?? 0;
    duplicates += Math.max(0, n - 1);
    lost += n === 0 ? 1 : 0;
  }
  // COUNT is an integer on SQLite, a bigint on PostgreSQL.
  const statuses = await db.kysely
    .selectFrom('Outbox')
    .select((eb) => ['status', eb.fn.countAll<number | bigint>().as('n')])
    .groupBy('status')
    .execute();
  const notSent = statuses.filter((r) => r.status !== 'sent').reduce((sum, r) => sum + Number(r.n), 0);
  const spanMs = (stats.lastAt ?? 0) - (stats.firstAt ?? 0);
  const achieved = (stats.delivered / spanMs) * 1000;
  const ratio = achieved / rate;
  console.log(
    `Fan-out: ${count} reminders to ${count} chats, emulator flood limit ${rate}/s (dispatcher configured ${rate}/s)`,
  );
  console.log(
    `  delivered ${stats.delivered} in ${(spanMs / 1000).toFixed(2)} s (first to last delivery; ${(wallMs / 1000).toFixed(2)} s from start) = ${achieved.toFixed(1)} messages/s, ratio ${ratio.toFixed(3)} of the allowed rate`,
  );
  console.log(
    `  429s answered: ${stats.tooManyRequests}; duplicates: ${duplicates}; lost: ${lost}; outbox rows not sent: ${notSent}`,
  );
  console.log(`  a reply enqueued a third of the way through was delivered after ${replyMs.toFixed(0)} ms`);
  const goals = [
    [`achieved rate ≥ 0.95 × allowed`, ratio >= 0.95],
    [`0 × 429 answered`, stats.tooManyRequests === 0],
    [`0 duplicates`, duplicates === 0],
    [`0 lost`, lost === 0 && notSent === 0],
  ] as const;
  for (const [name, ok] of goals) {
    console.log(`  ${ok ? 'PASS' : 'FAIL'} ${name}`);
  }
  record({
    what: `${count} reminders, flood limit ${rate}/s`,
    value: `${achieved.toFixed(1)}/s = ${ratio.toFixed(3)}; 429s ${stats.tooManyRequests}; dup ${duplicates}; lost ${lost + notSent}`,
    goal: '≥ 0.95, 0, 0, 0',
    pass: goals.every(([, ok]) => ok),
  });
  await emulator.close();
  await close();
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// National digest (scripts/bench-national.ts)

/**
 * The national data set lives in its own databases, generated on the first run and reused after
 * (SQLite ./data/national.db; PostgreSQL schema bench_national of database test, or BENCH_PG_URL).
 */
async function runNational(opts: BenchOptions, record: (figure: Figure) => void): Promise<void> {
  const urls = opts.reportOn.map((dialect) =>
    dialect === 'sqlite' ? NATIONAL_SQLITE_URL : (process.env.BENCH_PG_URL ?? NATIONAL_PG_URL),
  );
  const results: NationalBench[] = [];
  for (const url of urls) {
    console.log(`\n== national: ${url.replace(/:[^:@/]*@/, ':***@')}`);
    if (isPostgresUrl(url) && opts.primary !== 'postgres' && !(await postgresAnswers(url))) {
      console.log('PostgreSQL does not answer: skipped.');
      continue;
    }
    const r = await benchNational({ url, log: (line) => console.log(line) });
    results.push(r);
    record({
      what: `${dbName(r.dialect)}: national digest, median / p95`,
      value: `${r.nationalDigest.medianMs.toFixed(1)} / ${r.nationalDigest.p95Ms.toFixed(1)} ms`,
      goal: `median ≤ ${r.goalMs} ms`,
      pass: r.meetsGoal,
    });
    record({
      what: `${dbName(r.dialect)}: /tinhhinh of the nation, median`,
      value: `${r.leadersView.medianMs.toFixed(1)} ms`,
    });
  }
  console.log(`\n${formatNationalBench(results)}`);
}

type Bench = (target: BenchTarget, record: (figure: Figure) => void) => Promise<void>;
const BENCHES: Record<Exclude<Section, 'report' | 'national' | 'scale'>, Bench> = {
  households: benchHouseholds,
  import: benchImport,
  units: benchUnits,
  fanout: benchFanOut,
  memory: benchMemory,
  // On SQLite files whatever --db says: the start on an existing database of a newcomer's install.
  startup: (target, record) => benchStartup(target.dir, record),
  statements: (target, record) => benchStatements(target.fresh, record),
  board: benchBoard,
};

async function main(): Promise<void> {
  const opts = benchOptions(process.argv.slice(2));
  const started = performance.now();
  const targets = new Map<'sqlite' | 'postgres', BenchTarget>();
  const targetFor = (dialect: 'sqlite' | 'postgres') => {
    let target = targets.get(dialect);
    if (!target) {
      target = benchTarget(dialect === 'postgres' ? opts.pgUrl : undefined);
      targets.set(dialect, target);
    }
    return target;
  };
  const pgHost = new URL(opts.pgUrl).host;
  const [load1, load5] = os.loadavg();
  console.log(
    `${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? '?'}), Node ${process.version}, load average ${load1?.toFixed(2)} / ${load5?.toFixed(2)} (1 / 5 min) at the start`,
  );
  try {
    if (opts.sections.has('report')) {
      for (const dialect of opts.reportOn) {
        if (dialect === 'postgres' && !(await postgresAnswers(opts.pgUrl))) {
          if (opts.primary === 'postgres') {
            throw new Error(`PostgreSQL does not answer at ${pgHost}`);
          }
          console.log(
            `PostgreSQL does not answer at ${pgHost}: its report figures are skipped (start it, or set BENCH_DATABASE_URL).`,
          );
          continue;
        }
        console.log(
          `\n== report answers: ${dbName(dialect)} ${dialect === 'postgres' ? `${pgHost} (fresh schemas)` : '(temporary files)'}${loadNow()}`,
        );
        if (dialect === 'postgres') {
          await benchPostgresAnswers(targetFor(dialect), recorder('report'));
        } else {
          await benchReportAnswers(targetFor(dialect), recorder('report'));
        }
      }
    }
    for (const section of SECTIONS) {
      if (
        section !== 'report' &&
        section !== 'national' &&
        section !== 'scale' &&
        opts.sections.has(section)
      ) {
        console.log(`\n== ${section}: ${dbName(opts.primary)}${loadNow()}`);
        await BENCHES[section](targetFor(opts.primary), recorder(section));
      }
    }
    if (opts.sections.has('national')) {
      await runNational(opts, recorder('national'));
    }
    if (opts.sections.has('scale')) {
      await benchScale({ dialects: opts.reportOn, record: recorder('scale') });
    }
  } finally {
    for (const target of targets.values()) {
      await target.cleanup();
    }
  }
  const [end1] = os.loadavg();
  console.log(
    `\n== Summary (${((performance.now() - started) / 1000).toFixed(0)} s; load average ${end1?.toFixed(2)} at the end)`,
  );
  const width = Math.max(...figures.map((f) => f.figure.what.length), 10);
  for (const { section, figure } of figures) {
    const verdict = figure.pass === undefined ? '' : `  ${figure.pass ? 'PASS' : 'FAIL'} (${figure.goal})`;
    console.log(`  ${section.padEnd(10)} ${figure.what.padEnd(width)}  ${figure.value}${verdict}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
