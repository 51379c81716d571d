/**
 * The scale section of `npm run bench` (issue 19 §3): does an answer cost more when the campaign is
 * bigger? The bot's report answers — one instance, one answer at a time, as the `report` section
 * measures them (scripts/bench-inbound.ts) — at growing sizes of the data: at each point the
 * national data set (scripts/national-data.ts) at scale officers / 100,000, with that many officers
 * added to its communes (each with a Telegram identity and a membership; several share a commune,
 * as the nation's 3,321 communes would have a few officers each). The default points:
 *
 *   1,000 officers,  national scale 0.01:   3,350 households,    10,000 ledger rows
 *   10,000 officers, national scale 0.1:   33,500 households,   100,000 ledger rows
 *   100,000 officers, the national set:   335,000 households, 1,000,000 ledger rows
 *
 * At every point the same number of officers (BENCH_SCALE_SAMPLE, 400, plus 40 that warm up),
 * picked evenly across the whole list, open the report (`/baocao`, timed apart: it reads the
 * commune's households and ledger) and answer its 14 questions, so the work per answer is the same
 * and only the data around it grows. The check: one report per sampled officer, none lost, none
 * stored twice. On the largest point, the compiled bot (`node dist/main.js`, scripts/bench-startup.ts)
 * is started on the same database: the time until the playground answers and its idle RSS.
 *
 *   npm run bench -- --only scale [--db sqlite|postgres]
 *   npx tsx scripts/bench-scale.ts [--db sqlite|postgres]
 *
 * BENCH_SCALE_POINTS=1000,10000,100000 (officers; a point's data scale is officers / 100,000, at
 * most 1), BENCH_SCALE_SAMPLE (400), BENCH_SCALE_STARTS (3 starts of the compiled bot; 0 = none),
 * BENCH_SCALE_CHART=docs/benchmark-scale.png (writes the chart there; nothing is written without it).
 *
 * The full national set is generated once per database and reused (the `national` section's
 * cache: ./data/national.db, schema bench_national of database test or BENCH_PG_URL); each run
 * measures on a copy of it (SQLite: the file; PostgreSQL: a fresh migrated schema filled from the
 * cache's tables), so the cache never holds the bench officers or their reports. Smaller points
 * generate their set afresh (seconds).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Update } from 'grammy/types';
import { sql } from 'kysely';
import { renderPng } from '../bot/digests/render-png.ts';
import { COLORS, svgDocument } from '../core/digests/chart.ts';
import { COUNT_FIELDS } from '../core/reports/report.ts';
import { applyMigrations } from '../prisma/migrate.ts';
import { type Dialect, openSqlDb, type SqlDb } from '../prisma/sql-db.ts';
import {
  ANSWERS,
  answerReports,
  FIRST_OFFICER,
  percentile,
  REPORT_CLOCK_AT,
  reportBot,
  type Timed,
  updateMaker,
} from './bench-inbound.ts';
import type { Figure } from './bench-memory.ts';
import { DEFAULT_PG_URL, DEFAULT_SQLITE_URL } from './bench-national.ts';
import { BOT, startOnce } from './bench-startup.ts';
import { findNational, generateNational } from './national-data.ts';

const ROOT = path.dirname(import.meta.dirname);
export const DEFAULT_POINTS = [1_000, 10_000, 100_000];
/** Officers at the full national data set: a point's data scale is its officers over this. */
const FULL_OFFICERS = 100_000;
const SAMPLE = Number(process.env.BENCH_SCALE_SAMPLE ?? 400);
const WARMUP = 40;
const STARTS = Number(process.env.BENCH_SCALE_STARTS ?? 3);
/** Goal: an answer's p99 at the largest point at most this many times the smallest point's. */
const P99_GROWTH_GOAL = 2;
/** A playground identity of the national data set (scripts/national-data.ts): the bot's start is timed to its answer. */
const NATIONAL_PERSONA = 'national-leader';

export interface ScalePoint {
  officers: number;
  scale: number;
  households: number;
  fundEntries: number;
  people: number;
  /** Milliseconds to get the database ready (generate or copy the data set, add the officers). */
  prepareMs: number;
  sample: number;
  rate: number;
  p50: number;
  p99: number;
  /** CPU of this process per answer, ms (on SQLite the queries run in it too). */
  cpuMs: number;
  /** `/baocao`: reads the commune's households and ledger. */
  openP50: number;
  openP99: number;
  check: { ok: boolean; text: string };
  start?: { ms: number; cpu: number; rss: number };
}

export interface ScaleRun {
  dialect: Dialect;
  points: ScalePoint[];
}

// ---------------------------------------------------------------------------------------------
// The data

/** Generates the full national set into `url` unless it is there already (the `national` section's cache). */
async function ensureNational(url: string, log: (line: string) => void): Promise<void> {
  const db = openSqlDb(url);
  try {
    await applyMigrations(db);
    if (await findNational(db)) {
      return;
    }
    log(`  generating the national data set into ${redact(url)} (once; reused by later runs) …`);
    await generateNational(db, { scale: 1, log: (line) => log(`    ${line}`) });
    await analyze(db);
  } finally {
    await db.close();
  }
}

/** Planner statistics after a bulk load (PostgreSQL's autovacuum would come later, SQLite's never). */
async function analyze(db: SqlDb): Promise<void> {
  await db.exec('ANALYZE');
}

/** Where the working copies go: a temporary folder (SQLite), fresh schemas (PostgreSQL). */
interface Workspace {
  dialect: Dialect;
  /** The full national set (the cache). */
  nationalUrl: string;
  dir: string;
  schemas: string[];
}

function workspaceFor(dialect: Dialect): Workspace {
  return {
    dialect,
    nationalUrl: dialect === 'sqlite' ? DEFAULT_SQLITE_URL : (process.env.BENCH_PG_URL ?? DEFAULT_PG_URL),
    dir: fs.mkdtempSync(path.join(os.tmpdir(), 'mttq-bench-scale-')),
    schemas: [],
  };
}

/** A new, empty database of the workspace: a file, or a schema in the cache's PostgreSQL database. */
function newUrl(ws: Workspace, name: string): string {
  if (ws.dialect === 'sqlite') {
    return `file:${path.join(ws.dir, `${name}.db`)}`;
  }
  const schema = `bench_scale_${name}_${randomBytes(4).toString('hex')}`;
  ws.schemas.push(schema);
  const url = new URL(ws.nationalUrl);
  url.searchParams.set('schema', schema);
  return url.toString();
}

async function cleanup(ws: Workspace): Promise<void> {
  fs.rmSync(ws.dir, { recursive: true, force: true });
  if (ws.schemas.length > 0) {
    const admin = openSqlDb(ws.nationalUrl);
    try {
      for (const schema of ws.schemas) {
        await admin.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      }
    } finally {
      await admin.close();
    }
  }
}

/**
 * A working copy of the full national set. SQLite: the file (closed first, so its WAL is folded
 * in). PostgreSQL: a schema migrated afresh (its own sequences and indexes), each table filled
 * from the cache's with one INSERT … SELECT in one transaction, foreign keys checked once, not per
 * row (session_replication_role), then the sequences moved past the copied ids.
 */
async function copyNational(ws: Workspace, url: string): Promise<void> {
  if (ws.dialect === 'sqlite') {
    fs.copyFileSync(fileOf(ws.nationalUrl), fileOf(url));
    return;
  }
  const source = new URL(ws.nationalUrl).searchParams.get('schema') ?? 'public';
  const db = openSqlDb(url);
  try {
    await applyMigrations(db);
    const target = db.schema ?? 'public';
    const columns = await sql<{ table: string; column: string }>`
      SELECT t.table_name AS "table", t.column_name AS "column"
      FROM information_schema.columns t
      JOIN information_schema.columns s
        ON s.table_schema = ${source} AND s.table_name = t.table_name AND s.column_name = t.column_name
      JOIN information_schema.tables k
        ON k.table_schema = t.table_schema AND k.table_name = t.table_name AND k.table_type = 'BASE TABLE'
      WHERE t.table_schema = ${target} AND t.table_name NOT LIKE '\\_%'
      ORDER BY t.table_name, t.ordinal_position`.execute(db.kysely);
    const byTable = new Map<string, string[]>();
    for (const { table, column } of columns.rows) {
      byTable.set(table, [...(byTable.get(table) ?? []), column]);
    }
    await db.transaction(async (tx) => {
      await tx.exec('SET LOCAL session_replication_role = replica');
      for (const [table, cols] of byTable) {
        const list = cols.map((c) => `"${c}"`).join(', ');
        await tx.exec(
          `INSERT INTO "${target}"."${table}" (${list}) SELECT ${list} FROM "${source}"."${table}"`,
        );
        if (cols.includes('id')) {
          await tx.exec(
            `SELECT setval(pg_get_serial_sequence('"${target}"."${table}"', 'id'), GREATEST(1, (SELECT MAX(id) FROM "${target}"."${table}")))
             WHERE pg_get_serial_sequence('"${target}"."${table}"', 'id') IS NOT NULL`,
          );
        }
      }
    });
    await analyze(db);
  } finally {
    await db.close();
  }
}

const fileOf = (url: string) => path.resolve(ROOT, url.replace(/^file:/, ''));
const redact = (url: string) => url.replace(/:[^:@/]*@/, ':***@');

/**
 * `userIds.length` officers, officer i in commune i mod communes (the data set's communes and
 * wards in id order), each a person with a unit_officer membership and a Telegram identity, in
 * multi-row INSERTs in one transaction. Resolves with each officer's person id, in order.
 */
export async function addCommuneOfficers(db: SqlDb, userIds: number[], at: Date): Promise<number[]> {
  const communes = (
    await db.kysely
      .selectFrom('Unit')
      .select('id')
      .where('kind', 'in', ['commune', 'ward'])
      .orderBy('id')
      .execute()
  ).map((u) => u.id);
  if (communes.length === 0) {
    throw new Error('no commune to add officers to');
  }
  const personIds: number[] = [];
  await db.transaction(async (tx) => {
    const CHUNK = 2_000;
    for (let from = 0; from < userIds.length; from += CHUNK) {
      const chunk = userIds.slice(from, from + CHUNK);
      const people = await tx.kysely
        .insertInto('Person')
        .values(chunk.map((u) => ({ fullName: `Cán bộ ${u}`, locale: 'vi', active: true, createdAt: at })))
        .returning(['id', 'fullName'])
        .execute();
      // By name, not by position: RETURNING promises no order.
      const idOf = new Map(people.map((p) => [p.fullName, p.id]));
      const ids = chunk.map((u) => idOf.get(`Cán bộ ${u}`) ?? 0);
      await tx.kysely
        .insertInto('Membership')
        .values(
          ids.map((personId, k) => ({
            personId,
            unitId: communes[(from + k) % communes.length] ?? 0,
            role: 'unit_officer',
            createdAt: at,
          })),
        )
        .execute();
      await tx.kysely
        .insertInto('ChannelIdentity')
        .values(
          ids.map((personId, k) => ({
            channel: 'telegram',
            externalUserId: String(chunk[k]),
            personId,
            createdAt: at,
          })),
        )
        .execute();
      personIds.push(...ids);
    }
  });
  return personIds;
}

/** `count` indexes spread evenly over 0 … `total` − 1 (the middle of each of `count` equal slices). */
export function spread(total: number, count: number): number[] {
  const n = Math.min(total, count);
  return Array.from({ length: n }, (_, k) => Math.floor(((k + 0.5) * total) / n));
}

/** The sampled officers' reports: one each, none lost, no (period, ward, revision) twice. */
async function checkSample(db: SqlDb, personIds: number[]): Promise<{ ok: boolean; text: string }> {
  const rows = await db.kysely
    .selectFrom('Report')
    .select(['personId', 'periodId', 'unitId', 'revision'])
    .where('personId', 'in', personIds)
    .execute();
  const officers = new Set(rows.map((r) => r.personId)).size;
  const numbers = new Set(rows.map((r) => `${r.periodId}:${r.unitId}:${r.revision}`)).size;
  const ok = rows.length === personIds.length && officers === personIds.length && numbers === rows.length;
  return {
    ok,
    text: `${rows.length} reports by ${officers} of ${personIds.length} sampled officers: ${personIds.length - officers} lost, ${rows.length - officers} duplicates, ${rows.length - numbers} revision numbers taken twice`,
  };
}

/**
 * The officers' answers with the house counts their commune's household registry shows (the
 * report offers them as one-tap buttons), the rest as ANSWERS types them. The `report` section's
 * wards have no households, so its officers' counts are never checked against a registry; here
 * every commune has some, and a count that differs from the registry asks for a reason — one more
 * step for some officers and not others. With the registry's counts every officer answers the same
 * 15 prompts. The registry is read from the report's conversation state after `/baocao`.
 */
async function asTheRegistrySays(
  db: SqlDb,
  users: number[],
  makeUpdate: (userId: number, text: string) => Update,
): Promise<(userId: number, text: string) => Update> {
  const states = await db.kysely
    .selectFrom('FlowState')
    .select(['chatId', 'data'])
    .where('channel', '=', 'telegram')
    .where(
      'chatId',
      'in',
      users.map((u) => String(u)),
    )
    .execute();
  const registry = new Map<number, Record<string, number> | null>();
  for (const state of states) {
    const { ctx } = JSON.parse(state.data) as {
      ctx?: { periods?: { registry?: Record<string, number> | null }[] };
    };
    registry.set(Number(state.chatId), ctx?.periods?.[0]?.registry ?? null);
  }
  const missing = users.filter((u) => !registry.has(u));
  if (missing.length > 0) {
    throw new Error(`/baocao opened no report for ${missing.length} officers (first: ${missing[0]})`);
  }
  // answerReports asks for each officer's prompts in order: the k-th call for an officer is prompt k.
  const step = new Map<number, number>();
  return (userId, text) => {
    const k = step.get(userId) ?? 0;
    step.set(userId, k + 1);
    const field = COUNT_FIELDS[k];
    const counts = registry.get(userId);
    return makeUpdate(userId, field && counts ? String(counts[field] ?? text) : text);
  };
}

// ---------------------------------------------------------------------------------------------
// One point

async function measurePoint(
  ws: Workspace,
  officers: number,
  opts: { start: boolean; log: (line: string) => void },
): Promise<ScalePoint> {
  const { log } = opts;
  const scale = Math.min(1, officers / FULL_OFFICERS);
  const prepared = performance.now();
  const url = newUrl(ws, `p${officers}`);
  if (scale >= 1) {
    await ensureNational(ws.nationalUrl, log);
    await copyNational(ws, url);
  }
  const db = openSqlDb(url);
  try {
    if (scale < 1) {
      await applyMigrations(db);
      await generateNational(db, { scale });
      await analyze(db);
    }
    const set = await findNational(db);
    if (!set) {
      throw new Error(`${redact(url)}: no national data set`);
    }
    const users = Array.from({ length: officers }, (_, i) => FIRST_OFFICER + i);
    const personIds = await addCommuneOfficers(db, users, new Date(REPORT_CLOCK_AT));
    await analyze(db);
    const prepareMs = performance.now() - prepared;

    // The sample: evenly across all officers; every 11th of them warms up.
    const picked = spread(officers, SAMPLE + WARMUP);
    const warmEvery = Math.max(2, Math.round(picked.length / WARMUP));
    const warmup = picked.filter((_, k) => k % warmEvery === 0);
    const measured = picked.filter((_, k) => k % warmEvery !== 0);
    const userOf = (i: number) => users[i] ?? 0;
    log(
      `  ${officers.toLocaleString('en')} officers (+${set.counts.people.toLocaleString('en')} people of the set), ${set.counts.households.toLocaleString('en')} households, ${set.counts.fundEntries.toLocaleString('en')} ledger rows: ready in ${(prepareMs / 1000).toFixed(1)} s; ${measured.length} officers measured, ${warmup.length} warm up`,
    );

    const { bot, failures, lastError } = await reportBot(db);
    const makeUpdate = updateMaker(1);
    const opens: number[] = [];
    for (const i of [...warmup, ...measured]) {
      const t0 = performance.now();
      await bot.handleUpdate(makeUpdate(userOf(i), '/baocao'));
      opens.push(performance.now() - t0);
    }
    const answer = await asTheRegistrySays(db, [...warmup, ...measured].map(userOf), makeUpdate);
    await answerReports(bot, warmup.map(userOf), answer);
    const timed: Timed = await answerReports(bot, measured.map(userOf), answer);
    const check = await checkSample(
      db,
      picked.map((i) => personIds[i] ?? 0),
    );
    if (!check.ok || failures() > 0) {
      throw new Error(
        `${check.text}; ${failures()} updates failed (${lastError()}): the benchmark did not run the real flow`,
      );
    }
    const sorted = [...timed.samples].sort((a, b) => a - b);
    const sortedOpens = opens.slice(warmup.length).sort((a, b) => a - b);
    const point: ScalePoint = {
      officers,
      scale: set.scale,
      households: set.counts.households,
      fundEntries: set.counts.fundEntries,
      people: set.counts.people + officers,
      prepareMs,
      sample: measured.length,
      rate: (timed.samples.length / (timed.endMs - timed.startMs)) * 1000,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      cpuMs: timed.cpuMs / timed.samples.length,
      openP50: percentile(sortedOpens, 50),
      openP99: percentile(sortedOpens, 99),
      check,
    };
    log(
      `    ${point.rate.toFixed(0)} answers/s, median ${point.p50.toFixed(3)} ms, p99 ${point.p99.toFixed(3)} ms, CPU ${point.cpuMs.toFixed(3)} ms per answer; /baocao median ${point.openP50.toFixed(2)} ms, p99 ${point.openP99.toFixed(2)} ms [load average ${os.loadavg()[0]?.toFixed(2)}]`,
    );
    log(`    check: ${check.text}`);
    if (opts.start) {
      // The bench's bot has no dispatcher: its replies wait in the outbox. A real bot would have
      // sent them; left pending, the started bot's dispatcher would work through thousands of them
      // (to a channel it does not run) before the playground's answer.
      await db.kysely
        .updateTable('Outbox')
        .set((eb) => ({ status: 'sent', sentAt: eb.ref('createdAt') }))
        .where('status', '=', 'pending')
        .where('channel', '=', 'telegram')
        .where(
          'chatId',
          'in',
          picked.map((i) => String(userOf(i))),
        )
        .execute();
      await db.close();
      point.start = await startCompiled(url, log);
    }
    return point;
  } finally {
    await db.close().catch(() => undefined);
  }
}

/** The compiled bot (`node dist/main.js`) started STARTS times on `url`: medians of the start, its CPU and idle RSS. */
async function startCompiled(
  url: string,
  log: (line: string) => void,
): Promise<{ ms: number; cpu: number; rss: number } | undefined> {
  const variant = BOT.find((v) => v.args.includes('dist/main.js') && v.command === process.execPath);
  if (STARTS <= 0 || !variant) {
    return undefined;
  }
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'ignore' });
  const runs = [];
  for (let run = 0; run < STARTS; run++) {
    runs.push(await startOnce(variant, url, NATIONAL_PERSONA));
  }
  const median = (values: number[]) =>
    percentile(
      [...values].sort((a, b) => a - b),
      50,
    );
  const start = {
    ms: median(runs.map((r) => r.ms)),
    cpu: median(runs.map((r) => r.cpu)),
    rss: median(runs.map((r) => r.rss)),
  };
  log(
    `    node dist/main.js on this database: answered after ${(start.ms / 1000).toFixed(2)} s (${runs.map((r) => (r.ms / 1000).toFixed(2)).join(' ')}), CPU ${start.cpu.toFixed(2)} s; idle RSS ${start.rss.toFixed(0)} MB`,
  );
  return start;
}

// ---------------------------------------------------------------------------------------------
// The section

export function scalePoints(): number[] {
  const env = process.env.BENCH_SCALE_POINTS;
  const points = env ? env.split(',').map((v) => Number(v.trim())) : DEFAULT_POINTS;
  if (points.some((p) => !Number.isInteger(p) || p < SAMPLE + WARMUP)) {
    throw new Error(
      `BENCH_SCALE_POINTS: officer counts of at least ${SAMPLE + WARMUP} (the sample), not "${env}"`,
    );
  }
  return [...points].sort((a, b) => a - b);
}

export async function benchScale(opts: {
  dialects: Dialect[];
  record: (figure: Figure) => void;
  log?: (line: string) => void;
}): Promise<ScaleRun[]> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const points = scalePoints();
  const runs: ScaleRun[] = [];
  for (const dialect of opts.dialects) {
    const ws = workspaceFor(dialect);
    const name = dbName(dialect);
    log(
      `\n== scale: ${name}, officers ${points.map((p) => p.toLocaleString('en')).join(' → ')} (data scale officers / ${FULL_OFFICERS.toLocaleString('en')}), one answer at a time${dialect === 'postgres' ? ` (${redact(ws.nationalUrl)})` : ''}`,
    );
    try {
      if (dialect === 'postgres' && !(await postgresAnswers(ws.nationalUrl))) {
        log('PostgreSQL does not answer: skipped.');
        continue;
      }
      const run: ScaleRun = { dialect, points: [] };
      for (const [k, officers] of points.entries()) {
        run.points.push(await measurePoint(ws, officers, { start: k === points.length - 1, log }));
      }
      runs.push(run);
      recordRun(run, opts.record);
    } finally {
      await cleanup(ws);
    }
  }
  log(`\n${formatScale(runs)}`);
  const chart = process.env.BENCH_SCALE_CHART;
  if (chart && runs.length > 0) {
    fs.mkdirSync(path.dirname(path.resolve(ROOT, chart)), { recursive: true });
    fs.writeFileSync(path.resolve(ROOT, chart), renderPng(scaleChartSvg(runs)));
    log(`chart: ${chart}`);
  }
  return runs;
}

const dbName = (dialect: Dialect) => (dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL');

async function postgresAnswers(url: string): Promise<boolean> {
  const db = openSqlDb(url.replace(/\?.*$/, ''));
  try {
    await db.exec('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await db.close().catch(() => undefined);
  }
}

function recordRun(run: ScaleRun, record: (figure: Figure) => void): void {
  const name = dbName(run.dialect);
  const first = run.points[0];
  const last = run.points.at(-1);
  for (const p of run.points) {
    record({
      what: `${name}, ${p.officers.toLocaleString('en')} officers, ${p.households.toLocaleString('en')} households: answers/s, median / p99`,
      value: `${p.rate.toFixed(0)}, ${p.p50.toFixed(2)} / ${p.p99.toFixed(2)} ms`,
      goal: 'one report per officer, 0 lost, 0 doubled',
      pass: p.check.ok,
    });
  }
  if (first && last && last !== first) {
    record({
      what: `${name}: p99 at ${last.officers.toLocaleString('en')} / at ${first.officers.toLocaleString('en')} officers`,
      value: `${(last.p99 / first.p99).toFixed(2)} (${last.p99.toFixed(2)} / ${first.p99.toFixed(2)} ms)`,
      goal: `≤ ${P99_GROWTH_GOAL}`,
      pass: last.p99 <= P99_GROWTH_GOAL * first.p99,
    });
  }
  if (last?.start) {
    record({
      what: `${name}: node dist/main.js start (CPU), idle RSS, on ${last.households.toLocaleString('en')} households`,
      value: `${(last.start.ms / 1000).toFixed(2)} s (${last.start.cpu.toFixed(2)} s), ${last.start.rss.toFixed(0)} MB`,
    });
  }
}

/** One table per database: a row per point. */
export function formatScale(runs: ScaleRun[]): string {
  const header = [
    'officers',
    'households',
    'ledger rows',
    'answers/s',
    'median ms',
    'p99 ms',
    'CPU ms/answer',
    '/baocao p50/p99 ms',
    'check',
  ];
  const lines: string[] = [];
  for (const run of runs) {
    const rows = run.points.map((p) => [
      p.officers.toLocaleString('en'),
      p.households.toLocaleString('en'),
      p.fundEntries.toLocaleString('en'),
      p.rate.toFixed(0),
      p.p50.toFixed(3),
      p.p99.toFixed(3),
      p.cpuMs.toFixed(3),
      `${p.openP50.toFixed(2)} / ${p.openP99.toFixed(2)}`,
      p.check.ok ? `${p.sample} + ${WARMUP} reports, 0 lost, 0 doubled` : 'FAILED',
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (cells: string[]) =>
      cells
        .map((c, i) => (i === cells.length - 1 ? c : c.padStart(widths[i] ?? 0)))
        .join('  ')
        .trimEnd();
    lines.push(`${dbName(run.dialect)} (${ANSWERS.length} answers per officer, one at a time)`, line(header));
    lines.push(...rows.map(line));
    const start = run.points.at(-1)?.start;
    if (start) {
      lines.push(
        `node dist/main.js on the largest: answers after ${(start.ms / 1000).toFixed(2)} s (CPU ${start.cpu.toFixed(2)} s), idle RSS ${start.rss.toFixed(0)} MB`,
      );
    }
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}

// ---------------------------------------------------------------------------------------------
// The chart: two panels (answers/s, p99) against officers on a logarithmic axis, a line per database

const LINE_COLORS: Record<Dialect, string> = { sqlite: COLORS.received, postgres: COLORS.pledged };

export function scaleChartSvg(runs: ScaleRun[]): string {
  const width = 800;
  const panelHeight = 330;
  const left = 120;
  const right = 110;
  const all = runs.flatMap((r) => r.points);
  const ticks = [...new Map(all.map((p) => [p.officers, p])).values()].sort(
    (a, b) => a.officers - b.officers,
  );
  const minX = Math.log10(ticks[0]?.officers ?? 1);
  const maxX = Math.log10(ticks.at(-1)?.officers ?? 1);
  const x = (n: number) =>
    left + (maxX === minX ? 0.5 : (Math.log10(n) - minX) / (maxX - minX)) * (width - left - right);
  const parts: string[] = [];
  const text = (tx: number, ty: number, s: string, size: number, extra = '') =>
    parts.push(
      `<text x="${tx.toFixed(1)}" y="${ty.toFixed(1)}" font-size="${size}"${extra.includes('fill=') ? '' : ` fill="${COLORS.text}"`}${extra}>${escapeXml(s)}</text>`,
    );
  text(24, 40, 'Report answers as the data grows', 26, ' font-weight="bold"');
  text(
    24,
    68,
    `One instance, one answer at a time, ${all[0]?.sample ?? SAMPLE} officers × ${ANSWERS.length} answers per point`,
    17,
    ` fill="${COLORS.muted}"`,
  );
  const panel = (top: number, title: string, pick: (p: ScalePoint) => number, unit: string) => {
    const bottom = top + panelHeight - 80;
    const step = niceStep(Math.max(...all.map(pick)) / 4);
    const ceiling = step * Math.max(1, Math.ceil((Math.max(...all.map(pick)) * 1.05) / step));
    const y = (v: number) => bottom - (v / ceiling) * (bottom - top - 44);
    text(24, top + 26, title, 22, ' font-weight="bold"');
    for (let v = 0; v <= ceiling + step / 2; v += step) {
      parts.push(
        `<line x1="${left}" y1="${y(v).toFixed(1)}" x2="${width - right}" y2="${y(v).toFixed(1)}" stroke="${COLORS.track}" stroke-width="1"/>`,
      );
      text(
        left - 10,
        y(v) + 6,
        `${formatValue(v)}${v + step > ceiling + step / 2 ? ` ${unit}` : ''}`,
        16,
        ' text-anchor="end"',
      );
    }
    for (const p of ticks) {
      text(
        x(p.officers),
        bottom + 24,
        `${p.officers.toLocaleString('en')} officers`,
        16,
        ' text-anchor="middle"',
      );
      text(
        x(p.officers),
        bottom + 44,
        `${p.households.toLocaleString('en')} households`,
        14,
        ` text-anchor="middle" fill="${COLORS.muted}"`,
      );
    }
    for (const run of runs) {
      const color = LINE_COLORS[run.dialect];
      const pts = run.points.map((p) => `${x(p.officers).toFixed(1)},${y(pick(p)).toFixed(1)}`);
      parts.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${color}" stroke-width="3"/>`);
      for (const p of run.points) {
        parts.push(
          `<circle cx="${x(p.officers).toFixed(1)}" cy="${y(pick(p)).toFixed(1)}" r="5" fill="${color}"/>`,
        );
      }
    }
  };
  panel(84, 'Answers per second', (p) => p.rate, '/s');
  panel(84 + panelHeight, 'p99 per answer', (p) => p.p99, 'ms');
  const legendY = 84 + 2 * panelHeight + 4;
  runs.forEach((run, i) => {
    const lx = left + i * 220;
    parts.push(
      `<rect x="${lx}" y="${legendY - 8}" width="32" height="6" fill="${LINE_COLORS[run.dialect]}"/>`,
    );
    text(lx + 42, legendY, dbName(run.dialect), 18);
  });
  text(
    24,
    legendY + 30,
    'Officers on a log scale; households and ledger rows: the national set × officers / 100,000.',
    14,
    ` fill="${COLORS.muted}"`,
  );
  return svgDocument(width, legendY + 48, parts);
}

/** 1, 2 or 5 times a power of ten, at least `v`: a tick step. */
function niceStep(v: number): number {
  const power = 10 ** Math.floor(Math.log10(v > 0 ? v : 1));
  return ([1, 2, 5, 10].find((m) => m * power >= v) ?? 10) * power;
}

const formatValue = (v: number) => (v >= 10 || Number.isInteger(v) ? v.toFixed(0) : v.toFixed(1));
const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { db: { type: 'string' } } });
  if (values.db !== undefined && values.db !== 'sqlite' && values.db !== 'postgres') {
    throw new Error(`--db must be sqlite or postgres, not "${values.db}"`);
  }
  const dialects: Dialect[] = values.db ? [values.db] : ['sqlite', 'postgres'];
  await benchScale({ dialects, record: () => undefined });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  });
}
