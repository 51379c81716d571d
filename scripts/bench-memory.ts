/**
 * The memory section of `npm run bench`: the resident memory (VmRSS, /proc/<pid>/status) of the real
 * bot process, started as `npm start` starts it (npm → node --max-semi-space-size=4 dist/main.js, the
 * compiled bot: scripts/build.mjs), idle after start-up and under a sustained inbound load through
 * its Telegram webhook. The startup section (scripts/bench-startup.ts) compares it with tsx.
 * Goals: ≤ 150 MB idle, ≤ 300 MB loaded.
 *
 * 1. Baselines: plain `node` and `node --import tsx` doing nothing (tsx's own cost).
 * 2. Idle, first start: an empty database (the bot migrates and seeds it), playground on, no token —
 *    `npm start` as a newcomer runs it. Then idle after a restart on that database.
 * 3. Loaded: a seeded database with BENCH_MEMORY_USERS officers (default 200); the bot in webhook
 *    mode against the Bot API emulator (test/support/bot-api-emulator.ts, which answers getMe,
 *    setWebhook and the replies); BENCH_MEMORY_CONNECTIONS (default 40, Telegram's default
 *    max_connections) concurrent webhook requests for BENCH_MEMORY_SECONDS (default 25), each officer
 *    going through `/baocao`, the period, the 14 answers and "gửi" again and again, one update at a
 *    time; replies are sent as fast as the emulator takes them (TELEGRAM_RATE_* = 0, the heavier case).
 *    VmRSS is sampled every 250 ms; afterwards every accepted update must be recorded once.
 *    BENCH_MEMORY_NODE_OPTIONS gives this bot a NODE_OPTIONS (e.g. --max-semi-space-size=4).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSqlDb, type SqlDb } from '../prisma/sql-db.ts';
import { startBotApiEmulator } from '../test/support/bot-api-emulator.ts';
import { ANSWERS, countReports, percentile, seedOfficers, updateMaker } from './bench-inbound.ts';

const ROOT = path.dirname(import.meta.dirname);
const SAMPLE_MS = 250;
const SETTLE_MS = 5_000;
const IDLE_SAMPLES_MS = 4_000;
const GOAL_IDLE_MB = 150;
const GOAL_LOADED_MB = 300;

export interface MemoryTarget {
  dir: string;
  /** The URL of a new database nobody has migrated yet (the bot does). */
  emptyUrl: (name: string) => Promise<string>;
  /** A new migrated database. */
  fresh: (name: string) => Promise<{ url: string; db: SqlDb; close: () => Promise<void> }>;
}

export interface Figure {
  what: string;
  value: string;
  goal?: string;
  pass?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Processes and their memory

interface Memory {
  /** VmRSS, RssAnon, RssFile, VmHWM in MB. */
  rss: number;
  anon: number;
  file: number;
  hwm: number;
}

export function memoryOf(pid: number): Memory | undefined {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return {
    rss: kb('VmRSS') / 1024,
    anon: kb('RssAnon') / 1024,
    file: kb('RssFile') / 1024,
    hwm: kb('VmHWM') / 1024,
  };
}

/** Proportional set size in MB: file pages shared with other processes (the node binary) counted in part. */
function pssOf(pid: number): number {
  try {
    const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

export function cmdlineOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** `root` and its descendants, parents first. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      // The command name is in parentheses and may contain spaces: the fields after ")" are fixed.
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    tree.push(...(children.get(tree[i] ?? -1) ?? []));
  }
  return tree;
}

const mb = (n: number) => `${n.toFixed(0)} MB`;

interface RunningBot {
  /** The process running the bot (the innermost of npm → sh → node dist/main.js). */
  pid: number;
  /** The process started (npm, or the bot itself). */
  root: ChildProcess;
  /** The last lines it printed (for errors). */
  tail: () => string;
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The environment of the bot: this one without anything naming a channel or a database. */
export function botEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      !/^(TELEGRAM_|ZALO_|PUBLIC_URL$|DATABASE_URL$|INSTANCE_ID$|PLAYGROUND$|PORT$|NODE_OPTIONS$|npm_)/.test(
        key,
      )
    ) {
      env[key] = value;
    }
  }
  return { ...env, LOG_LEVEL: 'info', ...extra };
}

/**
 * Starts the bot (`npm start`, or `node <file>`) in a process group of its own and waits until
 * /healthz answers (and `ready()`, when given).
 */
async function startBot(
  command: { npm: true } | { node: string },
  env: NodeJS.ProcessEnv,
  port: number,
  ready: () => boolean = () => true,
): Promise<RunningBot> {
  const root =
    'npm' in command
      ? spawn('npm', ['start', '--silent'], {
          cwd: ROOT,
          env,
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        })
      : spawn(process.execPath, [command.node], {
          cwd: ROOT,
          env,
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n'));
    lines.splice(0, Math.max(0, lines.length - 40));
  };
  root.stdout?.on('data', keep);
  root.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => root.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const tail = () => lines.join('\n');
  const stop = async () => {
    if (!gone && root.pid !== undefined) {
      process.kill(-root.pid, 'SIGTERM');
      const killed = setTimeout(() => root.pid !== undefined && process.kill(-root.pid, 'SIGKILL'), 15_000);
      await exited;
      clearTimeout(killed);
    }
  };
  const deadline = performance.now() + 120_000;
  for (;;) {
    if (gone) {
      throw new Error(`the bot exited during start-up:\n${tail()}`);
    }
    if (performance.now() > deadline) {
      await stop();
      throw new Error(`the bot did not start within 120 s:\n${tail()}`);
    }
    const healthy = await fetch(`http://127.0.0.1:${port}/healthz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (healthy && ready()) {
      break;
    }
    await sleep(100);
  }
  const pid =
    'npm' in command
      ? processTree(root.pid ?? -1)
          .filter((p) => /bot\/main\.ts|dist\/main\.js/.test(cmdlineOf(p)))
          .at(-1)
      : root.pid;
  if (pid === undefined) {
    await stop();
    throw new Error('the bot process was not found');
  }
  return { pid, root, tail, stop };
}

/** VmRSS every 250 ms for `ms`; resolves with the samples (MB). */
async function sampleRss(pid: number, ms: number): Promise<Memory[]> {
  const samples: Memory[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const m = memoryOf(pid);
    if (m) {
      samples.push(m);
    }
    await sleep(SAMPLE_MS);
  }
  return samples;
}

function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** Idle figures of a started bot: after SETTLE_MS, the median of IDLE_SAMPLES_MS of samples. */
async function idle(bot: RunningBot): Promise<{ rss: number; anon: number; file: number; hwm: number }> {
  await sleep(SETTLE_MS);
  const samples = await sampleRss(bot.pid, IDLE_SAMPLES_MS);
  return {
    rss: median(samples.map((s) => s.rss)),
    anon: median(samples.map((s) => s.anon)),
    file: median(samples.map((s) => s.file)),
    hwm: samples.at(-1)?.hwm ?? 0,
  };
}

/** Each process of the tree started by `npm start`, with its RSS and PSS. */
function describeTree(bot: RunningBot): string[] {
  return processTree(bot.root.pid ?? -1).map((pid) => {
    const m = memoryOf(pid);
    const cmd = cmdlineOf(pid).replace(ROOT, '.');
    return `      ${String(pid).padStart(7)}  RSS ${mb(m?.rss ?? 0).padStart(7)}  PSS ${mb(pssOf(pid)).padStart(7)}  ${cmd.length > 110 ? `${cmd.slice(0, 107)}...` : cmd}`;
  });
}

async function idleNode(args: string[]): Promise<number> {
  const child = spawn(process.execPath, [...args, '-e', 'setInterval(() => {}, 1000)'], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  await sleep(2_000);
  const rss = memoryOf(child.pid ?? -1)?.rss ?? 0;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  return rss;
}

// ---------------------------------------------------------------------------------------------

export async function benchMemory(target: MemoryTarget, record: (figure: Figure) => void): Promise<void> {
  const plainNode = await idleNode([]);
  const withTsx = await idleNode(['--import', 'tsx']);
  console.log(
    `Memory (VmRSS of the bot process, /proc/<pid>/status; sampled every ${SAMPLE_MS} ms; idle = median of ${IDLE_SAMPLES_MS / 1000} s after ${SETTLE_MS / 1000} s settling)`,
  );
  console.log(
    `  baseline: plain node doing nothing ${mb(plainNode)}; node --import tsx doing nothing ${mb(withTsx)} (tsx's loader: +${mb(withTsx - plainNode)})`,
  );
  record({ what: 'node doing nothing / with tsx loader', value: `${mb(plainNode)} / ${mb(withTsx)}` });

  // Idle as a newcomer starts it: `npm start`, empty database, playground.
  const url = await target.emptyUrl('memory');
  const media = path.join(target.dir, 'media');
  const playground = async (label: string, extra: Record<string, string>) => {
    const port = await freePort();
    const env = botEnv({
      DATABASE_URL: url,
      PORT: String(port),
      HOST: '127.0.0.1',
      PLAYGROUND: 'on',
      MEDIA_DIR: media,
      ...extra,
    });
    const bot = await startBot({ npm: true }, env, port);
    try {
      const m = await idle(bot);
      console.log(
        `  ${label}: ${mb(m.rss)} (anonymous ${mb(m.anon)}, file-backed ${mb(m.file)}; peak during start-up ${mb(m.hwm)})`,
      );
      return { m, tree: describeTree(bot) };
    } finally {
      await bot.stop();
    }
  };
  const first = await playground('idle, first start (`npm start`: migrate, seed, playground)', {});
  console.log('    processes of `npm start` (PSS counts pages shared between processes in part):');
  for (const line of first.tree) {
    console.log(line);
  }
  record({
    what: 'idle, first start (npm start)',
    value: mb(first.m.rss),
    goal: `≤ ${GOAL_IDLE_MB} MB`,
    pass: first.m.rss <= GOAL_IDLE_MB,
  });
  const restart = await playground('idle, restart on that database (`npm start`)', {});
  record({
    what: 'idle, restart (npm start)',
    value: mb(restart.m.rss),
    goal: `≤ ${GOAL_IDLE_MB} MB`,
    pass: restart.m.rss <= GOAL_IDLE_MB,
  });

  await benchLoaded(target, record);
}

async function benchLoaded(target: MemoryTarget, record: (figure: Figure) => void): Promise<void> {
  const users = Number(process.env.BENCH_MEMORY_USERS ?? 200);
  const connections = Number(process.env.BENCH_MEMORY_CONNECTIONS ?? 40);
  const seconds = Number(process.env.BENCH_MEMORY_SECONDS ?? 25);
  const nodeOptions = process.env.BENCH_MEMORY_NODE_OPTIONS;
  const seeded = await target.fresh('memoryload');
  const officers = await seedOfficers(seeded.db, users, new Date());
  await seeded.close();

  const emulator = await startBotApiEmulator();
  const port = await freePort();
  const secret = randomBytes(16).toString('hex');
  const env = botEnv({
    DATABASE_URL: seeded.url,
    PORT: String(port),
    HOST: '127.0.0.1',
    MEDIA_DIR: path.join(target.dir, 'media-load'),
    TELEGRAM_BOT_TOKEN: emulator.token,
    TELEGRAM_API_ROOT: emulator.apiRoot,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    TELEGRAM_WEBHOOK_SECRET: secret,
    TELEGRAM_RATE_PER_SECOND: '0',
    TELEGRAM_RATE_PER_CHAT: '0',
    ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
  });
  const bot = await startBot({ npm: true }, env, port, () => emulator.webhookUrl !== '');
  let accepted = 0;
  let refused = 0;
  const latencies: number[] = [];
  try {
    const before = await idle(bot);
    console.log(
      `  idle, Telegram webhook mode, ${users} officers in the database${nodeOptions ? `, NODE_OPTIONS=${nodeOptions}` : ''}: ${mb(before.rss)} (anonymous ${mb(before.anon)})`,
    );
    record({
      what: `idle, webhook mode (npm start${nodeOptions ? `, ${nodeOptions}` : ''})`,
      value: mb(before.rss),
      goal: `≤ ${GOAL_IDLE_MB} MB`,
      pass: before.rss <= GOAL_IDLE_MB,
    });

    // The load: each connection takes the next officer not waiting for an answer and sends their
    // next message; an officer's messages go one at a time, in order, as a person's would.
    const script = ['/baocao', '1', ...ANSWERS];
    const next = new Map<number, number>();
    const idleUsers = [...officers];
    const makeUpdate = updateMaker(1);
    const hook = `http://127.0.0.1:${port}/telegram/webhook`;
    let stopSampling = false;
    const samples: Memory[] = [];
    const sampler = (async () => {
      while (!stopSampling) {
        const m = memoryOf(bot.pid);
        if (m) {
          samples.push(m);
        }
        await sleep(SAMPLE_MS);
      }
    })();
    const loadAtStart = os.loadavg()[0] ?? 0;
    const started = performance.now();
    const end = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < end) {
          const user = idleUsers.shift();
          if (user === undefined) {
            await sleep(1);
            continue;
          }
          const step = next.get(user) ?? 0;
          next.set(user, step + 1);
          const update = makeUpdate(user, script[step % script.length] ?? 'gửi');
          const t0 = performance.now();
          const response = await fetch(hook, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
            body: JSON.stringify(update),
          });
          await response.arrayBuffer();
          latencies.push(performance.now() - t0);
          if (response.ok) {
            accepted++;
          } else {
            refused++;
          }
          idleUsers.push(user);
        }
      }),
    );
    const loadMs = performance.now() - started;
    stopSampling = true;
    await sampler;
    // Replies still queued are sent before the figures after the load are taken.
    const drainUntil = performance.now() + 30_000;
    for (let last = -1; emulator.sent.length !== last && performance.now() < drainUntil; ) {
      last = emulator.sent.length;
      await sleep(1_000);
    }
    const after = await sampleRss(bot.pid, 2_000);
    const peak = Math.max(...samples.map((s) => s.rss));
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(
      `  load: ${accepted} updates in ${(loadMs / 1000).toFixed(1)} s over ${connections} connections = ${((accepted / loadMs) * 1000).toFixed(0)} updates/s (webhook request p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms); refused: ${refused}; replies delivered: ${emulator.sent.length}; load average ${loadAtStart.toFixed(2)} → ${os.loadavg()[0]?.toFixed(2)}`,
    );
    console.log(
      `  loaded: peak ${mb(peak)} (median ${mb(median(samples.map((s) => s.rss)))} over ${samples.length} samples; anonymous peak ${mb(Math.max(...samples.map((s) => s.anon)))}); after the load (replies drained) ${mb(median(after.map((s) => s.rss)))}; kernel high-water mark ${mb(after.at(-1)?.hwm ?? 0)}`,
    );
    record({
      what: `loaded, ${connections} connections × ${seconds} s (npm start${nodeOptions ? `, ${nodeOptions}` : ''})`,
      value: `peak ${mb(peak)} at ${((accepted / loadMs) * 1000).toFixed(0)} updates/s`,
      goal: `≤ ${GOAL_LOADED_MB} MB`,
      pass: peak <= GOAL_LOADED_MB,
    });
  } catch (error) {
    console.error(bot.tail());
    throw error;
  } finally {
    await bot.stop();
    await emulator.close();
  }

  // Every accepted update recorded once, and the reports stored.
  const db = openSqlDb(seeded.url);
  try {
    // COUNT is an integer on SQLite, a bigint on PostgreSQL.
    const seenRow = await db.kysely
      .selectFrom('InboundSeen')
      .select((eb) => eb.fn.countAll<number | bigint>().as('n'))
      .where('channel', '=', 'telegram')
      .executeTakeFirstOrThrow();
    const reports = await countReports(db);
    const unsentRow = await db.kysely
      .selectFrom('Outbox')
      .select((eb) => eb.fn.countAll<number | bigint>().as('n'))
      .where('status', '<>', 'sent')
      .executeTakeFirstOrThrow();
    const seen = Number(seenRow.n);
    const unsent = Number(unsentRow.n);
    console.log(
      `  check: ${seen} of ${accepted} accepted updates recorded; ${reports.reports} reports stored; outbox rows not sent: ${unsent}`,
    );
    console.log(`  ${seen === accepted ? 'PASS' : 'FAIL'} every accepted update recorded once`);
  } finally {
    await db.close();
  }
}
