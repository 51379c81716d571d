/**
 * The monthly-report answers of `npm run bench`, shared by the in-process measurement (scripts/bench.ts),
 * the worker processes of the two-instance run (scripts/bench-inbound-worker.ts) and the memory
 * section's load (scripts/bench-memory.ts): the officers, their answers as grammY updates, and the
 * handler built the way the bot builds it (store → core inbound handler → Telegram adapter).
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Bot } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import pg from 'pg';
import { createLogger } from '../bot/logger.ts';
import { createTelegramBot } from '../bot/telegram/create-telegram-bot.ts';
import { createInboundHandler } from '../core/inbound/handle-inbound.ts';
import { createFixedClock } from '../core/shared/clock.ts';
import { seedDemo } from '../prisma/seed.ts';
import type { SqlDb } from '../prisma/sql-db.ts';
import { createStore } from '../prisma/store.ts';

/** 05/11/2024 (campaign time): only October's report is open, so `/baocao` starts at the first figure. */
export const REPORT_CLOCK_AT = '2024-11-05T03:00:00Z';
/** The seeded ward next to which the bench officers' wards are made (or where they all are). */
export const OFFICER_UNIT = '01840';
/** BENCH_SAME_WARD=1: all bench officers in ward 01840 (their reports revise one ward's report). */
export const SAME_WARD = process.env.BENCH_SAME_WARD === '1';
/** Telegram user ids of the bench officers start here. */
export const FIRST_OFFICER = 100_000;

/** The 14 prompts of the monthly report and the closing "gửi", answered the way officers type. */
export const ANSWERS = [
  '12',
  '5',
  '10',
  '4',
  '6',
  '3',
  '5',
  '2',
  '1,5 tỷ',
  '600tr',
  '1.250',
  'Không có',
  'Không có',
  'Không có',
  'gửi',
];

export const BENCH_BOT_INFO: UserFromGetMe = {
  id: 1,
  is_bot: true,
  first_name: 'Bench',
  username: 'bench_bot',
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
} as UserFromGetMe;

/**
 * Private-chat text updates numbered from `firstUpdateId`. Telegram numbers a bot's updates once
 * for all its webhooks, so processes sharing a database take disjoint ranges.
 */
export function updateMaker(firstUpdateId = 1): (userId: number, text: string) => Update {
  let updateId = firstUpdateId;
  return (userId, text) => {
    const entities = text.startsWith('/')
      ? [{ type: 'bot_command' as const, offset: 0, length: text.length }]
      : undefined;
    const id = updateId++;
    return {
      update_id: id,
      message: {
        message_id: id,
        date: 1_741_575_600,
        chat: { id: userId, type: 'private', first_name: 'Cán bộ' },
        from: { id: userId, is_bot: false, first_name: 'Cán bộ' },
        text,
        entities,
      },
    } as Update;
  };
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Now, as epoch milliseconds with sub-millisecond precision, comparable across processes. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Officers with a Telegram identity each (user ids as given), in one transaction: each in a ward of
 * their own under the seeded city (as in the field: one reporting officer per ward), or with
 * `sameWard` all in the seeded ward 01840 — then their reports are revisions of one ward's report,
 * numbered by concurrent transactions.
 */
export async function addOfficers(db: SqlDb, userIds: number[], at: Date, opts: { sameWard?: boolean } = {}) {
  const ward = await db.kysely
    .selectFrom('Unit')
    .select(['id', 'parentId'])
    .where('code', '=', OFFICER_UNIT)
    .executeTakeFirst();
  if (!ward) {
    throw new Error(`seed unit ${OFFICER_UNIT} missing`);
  }
  await db.transaction(async (tx) => {
    for (const userId of userIds) {
      const unitId = opts.sameWard
        ? ward.id
        : (
            await tx.kysely
              .insertInto('Unit')
              .values({
                code: `B${userId}`,
                name: `Phường thử ${userId}`,
                kind: 'ward',
                parentId: ward.parentId,
                validFrom: '2015-03-11',
                createdAt: at,
              })
              .returning('id')
              .executeTakeFirstOrThrow()
          ).id;
      const { id: personId } = await tx.kysely
        .insertInto('Person')
        .values({ fullName: `Cán bộ ${userId}`, locale: 'vi', active: true, createdAt: at })
        .returning('id')
        .executeTakeFirstOrThrow();
      await tx.kysely
        .insertInto('Membership')
        .values({ personId, unitId, role: 'unit_officer', createdAt: at })
        .execute();
      await tx.kysely
        .insertInto('ChannelIdentity')
        .values({ channel: 'telegram', externalUserId: String(userId), personId, createdAt: at })
        .execute();
    }
  });
}

/** The demo campaign seeded (as of `now`) and `count` officers added; resolves with their user ids. */
export async function seedOfficers(
  db: SqlDb,
  count: number,
  now: Date,
  opts: { sameWard?: boolean } = {},
): Promise<number[]> {
  await seedDemo(db, now);
  const users = Array.from({ length: count }, (_, i) => FIRST_OFFICER + i);
  await addOfficers(db, users, now, opts);
  return users;
}

/**
 * The bot's inbound path on `db`: store → core inbound handler → grammY Telegram adapter, as
 * bot/app.ts builds it, with its retry (a failed transaction left nothing behind, so the message is
 * tried again: up to 3 attempts, 50 ms × attempt apart) — but without the HTTP server and the
 * dispatcher: replies stay in the outbox. `retries` counts attempts that failed and were tried
 * again (on PostgreSQL, two instances numbering one ward's report revisions at once collide on
 * `Report.ref`); `failures` counts updates still failing after the last attempt, which the channel
 * would see as an error (a webhook answered 500, redelivered by Telegram) — here they are dropped,
 * and the count of reports shows them.
 */
export async function reportBot(
  db: SqlDb,
  opts: { instanceId?: string; chatTurns?: boolean } = {},
): Promise<{
  bot: Bot;
  failures: () => number;
  retries: () => number;
  lastError: () => string | undefined;
  /** How the chat turns ended (PostgreSQL): in one or two round trips, or why in a full transaction. */
  turns: () => Record<string, number>;
}> {
  const clock = createFixedClock(REPORT_CLOCK_AT);
  const turns: Record<string, number> = {};
  const store = createStore(db, {
    instanceId: opts.instanceId,
    chatTurns: opts.chatTurns,
    onChatTurn: (how) => {
      turns[how] = (turns[how] ?? 0) + 1;
    },
  });
  const handle = createInboundHandler({
    uow: store,
    clock,
    flowTtlMs: 86_400_000,
    timeZone: 'Asia/Ho_Chi_Minh',
  });
  let failed = 0;
  let retried = 0;
  let lastError: string | undefined;
  const bot = createTelegramBot({
    token: '1:bench',
    apiRoot: 'http://127.0.0.1:9',
    botInfo: BENCH_BOT_INFO,
    handleInbound: async (inbound) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await handle(inbound);
        } catch (error) {
          lastError = error instanceof Error ? error.message : String(error);
          if (attempt >= 3) {
            failed++;
            return undefined;
          }
          retried++;
          await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
        }
      }
    },
    log: createLogger({ level: 'silent', secrets: [] }),
  });
  await bot.init();
  return {
    bot,
    failures: () => failed,
    retries: () => retried,
    lastError: () => lastError,
    turns: () => ({ ...turns }),
  };
}

/**
 * CPU time (user + system, ms) used so far by every PostgreSQL server process on this machine (the
 * backends serving the bot, and the server's own writer and WAL processes), from /proc: the
 * database's own share of an answer's cost, when PostgreSQL runs on the same machine. Undefined
 * where /proc is not readable.
 */
export function postgresCpuMs(): number | undefined {
  let dirs: string[];
  try {
    dirs = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  let ticks = 0;
  for (const pid of dirs) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // "pid (comm) state ppid …": utime and stime are fields 14 and 15, counted after the comm.
      const close = stat.lastIndexOf(')');
      if (!stat.slice(0, close).includes('(postgres')) {
        continue;
      }
      const fields = stat.slice(close + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended meanwhile.
    }
  }
  // Linux reports these in clock ticks of 1/100 s.
  return ticks * 10;
}

/**
 * Counts the statements node-postgres sends from this process (each one round trip): the
 * benchmark's "round trips per answer". Wraps `pg.Client.prototype.query` until `stop`.
 */
export function countPostgresStatements(): { count: () => number; reset: () => void; stop: () => void } {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  let n = 0;
  proto.query = function (this: unknown, ...args: unknown[]) {
    n++;
    return original.apply(this, args);
  };
  return {
    count: () => n,
    reset: () => {
      n = 0;
    },
    stop: () => {
      proto.query = original;
    },
  };
}

export interface Timed {
  /** Milliseconds per update. */
  samples: number[];
  /** For each sample, the index in ANSWERS of the answer it timed (the last is "gửi", the submission). */
  steps: number[];
  /** Wall-clock start and end of the run (epoch ms, see `wallMs`). */
  startMs: number;
  endMs: number;
  /** CPU time of this process during the run (user + system), ms. */
  cpuMs: number;
}

/**
 * Every officer of `users` answers the report's prompts, one prompt per round, officers in turn —
 * on `lanes` concurrent lanes (officers split between them; 1 = strictly sequential). Each update
 * is timed from `handleUpdate` to its end.
 */
export async function answerReports(
  bot: Bot,
  users: number[],
  makeUpdate: (userId: number, text: string) => Update,
  lanes = 1,
): Promise<Timed> {
  const samples: number[] = [];
  const steps: number[] = [];
  const laneUsers = Array.from({ length: lanes }, (_, k) => users.filter((_, i) => i % lanes === k));
  const cpu = process.cpuUsage();
  const startMs = wallMs();
  await Promise.all(
    laneUsers.map(async (mine) => {
      for (const [step, answer] of ANSWERS.entries()) {
        for (const u of mine) {
          const t0 = performance.now();
          await bot.handleUpdate(makeUpdate(u, answer));
          samples.push(performance.now() - t0);
          steps.push(step);
        }
      }
    }),
  );
  const endMs = wallMs();
  const used = process.cpuUsage(cpu);
  return { samples, steps, startMs, endMs, cpuMs: (used.user + used.system) / 1000 };
}

/**
 * The reports stored: how many, by how many officers, how many distinct (ward, revision) numbers,
 * and the highest revision. Each officer's report stored exactly once: the first three equal.
 */
export async function countReports(
  db: SqlDb,
): Promise<{ reports: number; officers: number; revisions: number; maxRevision: number }> {
  // COUNT is an integer on SQLite, a bigint on PostgreSQL.
  const row = await db.kysely
    .selectFrom('Report')
    .select((eb) => [
      eb.fn.countAll<number | bigint>().as('n'),
      eb.fn.count<number | bigint>('personId').distinct().as('people'),
      eb.fn.max('revision').as('rev'),
    ])
    .executeTakeFirstOrThrow();
  const distinct = await db.kysely
    .selectFrom((eb) => eb.selectFrom('Report').select(['unitId', 'revision']).distinct().as('numbered'))
    .select((eb) => eb.fn.countAll<number | bigint>().as('n'))
    .executeTakeFirstOrThrow();
  return {
    reports: Number(row.n),
    officers: Number(row.people),
    revisions: Number(distinct.n),
    maxRevision: row.rev ?? 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Several instances: one process each (scripts/bench-inbound-worker.ts)

/** What a worker is given (environment variable BENCH_WORKER_SETUP, JSON). */
export interface WorkerSetup {
  url: string;
  instanceId: string;
  firstUpdateId: number;
  warmup: number[];
  measured: number[];
  lanes: number;
  /** PostgreSQL chat turns in one or two round trips (false: every answer in a full transaction). */
  chatTurns: boolean;
}

/** Parent → worker: the next phase. */
export type ToWorker = { type: 'warmup' } | { type: 'measure' };

/** Worker → parent. */
export type FromWorker =
  | { type: 'ready'; rssMb: number }
  | { type: 'warmed' }
  | {
      type: 'measured';
      timed: Timed;
      failures: number;
      retries: number;
      lastError?: string;
      rssMb: number;
      turns: Record<string, number>;
      statements: number;
    }
  | { type: 'error'; message: string };

/** What an instance measured (`statements`: sent to PostgreSQL while measuring, i.e. round trips). */
export type InstanceResult = Omit<Extract<FromWorker, { type: 'measured' }>, 'type'> & { instanceId: string };

const WORKER = path.join(import.meta.dirname, 'bench-inbound-worker.ts');

/**
 * Starts `count` worker processes on one database (each its own pool, store and handler), gives
 * each its share of the officers, and runs the phases together: open the reports (not measured),
 * warm up, then every worker answers its officers' reports at the same time.
 */
export async function runInstances(opts: {
  url: string;
  count: number;
  warmup: number[];
  measured: number[];
  lanes: number;
  chatTurns: boolean;
}): Promise<InstanceResult[]> {
  const share = (list: number[], k: number) => list.filter((_, i) => i % opts.count === k);
  const workers = Array.from({ length: opts.count }, (_, k) => {
    const setup: WorkerSetup = {
      url: opts.url,
      instanceId: `bench-${k + 1}`,
      firstUpdateId: (k + 1) * 10_000_000,
      warmup: share(opts.warmup, k),
      measured: share(opts.measured, k),
      lanes: opts.lanes,
      chatTurns: opts.chatTurns,
    };
    const child = fork(WORKER, [], {
      cwd: path.dirname(import.meta.dirname),
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, BENCH_WORKER_SETUP: JSON.stringify(setup) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const inbox: FromWorker[] = [];
    const waiting: ((m: FromWorker) => void)[] = [];
    let exited: string | undefined;
    child.on('message', (message) => {
      const m = message as FromWorker;
      const w = waiting.shift();
      if (w) {
        w(m);
      } else {
        inbox.push(m);
      }
    });
    child.on('exit', (code, signal) => {
      exited = `instance ${k + 1} exited (${signal ?? code})`;
      for (const w of waiting.splice(0)) {
        w({ type: 'error', message: exited });
      }
    });
    const next = async <T extends FromWorker['type']>(type: T): Promise<Extract<FromWorker, { type: T }>> => {
      const m =
        inbox.shift() ??
        (exited !== undefined
          ? ({ type: 'error', message: exited } as const)
          : await new Promise<FromWorker>((resolve) => waiting.push(resolve)));
      if (m.type !== type) {
        throw new Error(
          `instance ${k + 1}: ${m.type === 'error' ? m.message : `expected ${type}, got ${m.type}`}`,
        );
      }
      return m as Extract<FromWorker, { type: T }>;
    };
    const send = (m: ToWorker) => child.send(m);
    return { child, next, send, instanceId: setup.instanceId };
  });
  try {
    await Promise.all(workers.map((w) => w.next('ready')));
    for (const w of workers) {
      w.send({ type: 'warmup' });
    }
    await Promise.all(workers.map((w) => w.next('warmed')));
    for (const w of workers) {
      w.send({ type: 'measure' });
    }
    const results = await Promise.all(workers.map((w) => w.next('measured')));
    return results.map((r, k) => ({
      instanceId: workers[k]?.instanceId ?? '',
      timed: r.timed,
      failures: r.failures,
      retries: r.retries,
      lastError: r.lastError,
      rssMb: r.rssMb,
      turns: r.turns,
      statements: r.statements,
    }));
  } finally {
    // Each worker closes its pool and exits after its last message; one still running is stopped.
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.child.exitCode !== null || w.child.signalCode !== null) {
              resolve();
              return;
            }
            const timer = setTimeout(() => w.child.kill('SIGTERM'), 10_000);
            w.child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    );
  }
}
