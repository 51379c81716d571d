/**
 * The startup section of `npm run bench` (issue 14 §7): how soon the bot answers after it is
 * started, how long one operator CLI call takes, and how much memory the idle bot holds — the
 * compiled JavaScript that `npm start` / `npm run cli` now run (scripts/build.mjs) side by side with
 * the same programs under tsx, as they ran before, in one run on one machine.
 *
 * - Start: from spawning the process to the playground's answer to "/menu" (POSTed to
 *   /api/playground/messages as soon as the port accepts it, the reply long-polled), on an existing
 *   SQLite database: a seeded demo database, a fresh copy per start. Three ways: the old command
 *   (`tsx --max-semi-space-size=4 bot/main.ts`), the new one (`node --max-semi-space-size=4
 *   dist/main.js`), and `npm start` itself (npm, then the new one with the freshness check of
 *   scripts/ensure-build.mjs).
 * - Idle RSS: VmRSS (/proc/<pid>/status) of the process running the bot, IDLE_MS after it answered.
 * - CLI: wall time of `units list` on a copy of the same database: `tsx scripts/cli.ts`,
 *   `node dist/cli.js`, and `npm run cli` (with the same check).
 * - Beside each wall time, the CPU seconds (user + system, /proc/<pid>/stat) the started processes
 *   used: wall time grows with whatever else the machine runs, CPU time much less.
 *
 * The variants alternate within each repetition (BENCH_STARTUP_RUNS, default 5); figures are medians.
 * Goals: `npm start` answers in ≤ 1.5 s, `npm run cli -- units list` ≤ 0.8 s, idle RSS ≤ 120 MB.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { percentile } from './bench-inbound.ts';
import { botEnv, cmdlineOf, type Figure, freePort, memoryOf, processTree } from './bench-memory.ts';

const ROOT = path.dirname(import.meta.dirname);
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 5);
/** How long the bot sits idle after its first answer before its RSS is read. */
const IDLE_MS = 4_000;
const GOALS = { startSeconds: 1.5, cliSeconds: 0.8, idleMb: 120 };
/** A demo officer of the seeded database (prisma/seed.ts). */
const PERSONA = 'officer-ducxuan';
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

interface StartRun {
  /** Spawn to the first answer. */
  ms: number;
  /** CPU seconds of the started processes until then. */
  cpu: number;
  /** VmRSS of the bot's process, idle. */
  rss: number;
  tree: string;
}

export interface Variant {
  label: string;
  command: string;
  args: string[];
  /** The process that runs the program, among those the command starts. */
  isProgram: (cmdline: string) => boolean;
}

export const BOT: Variant[] = [
  {
    label: 'tsx (before)',
    command: TSX,
    args: ['--max-semi-space-size=4', 'bot/main.ts'],
    // tsx's own process starts a second node with its loader: that one runs the bot.
    isProgram: (cmd) => cmd.includes('bot/main.ts') && cmd.includes('--require'),
  },
  {
    label: 'node dist/main.js',
    command: process.execPath,
    args: ['--max-semi-space-size=4', 'dist/main.js'],
    isProgram: (cmd) => cmd.includes('dist/main.js'),
  },
  {
    label: 'npm start',
    command: 'npm',
    args: ['start', '--silent'],
    isProgram: (cmd) => cmd.includes('dist/main.js'),
  },
];

const CLI: Variant[] = [
  { label: 'tsx scripts/cli.ts', command: TSX, args: ['scripts/cli.ts'], isProgram: () => true },
  { label: 'node dist/cli.js', command: process.execPath, args: ['dist/cli.js'], isProgram: () => true },
  { label: 'npm run cli', command: 'npm', args: ['run', '--silent', 'cli', '--'], isProgram: () => true },
];

/** Clock ticks per second of /proc/<pid>/stat's CPU times. */
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/**
 * CPU seconds (user + system) a process has used, with those of its children it has reaped: on a
 * machine shared with other work, wall time grows with the load and this does not.
 */
function cpuOf(pid: number | 'self'): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: state is field 3, utime…cstime are 14–17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
    return ticks / CLK_TCK;
  } catch {
    return 0;
  }
}

/** CPU seconds of the children this process has reaped (a finished CLI call). */
function reapedChildrenCpu(): number {
  const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[13] ?? 0) + Number(fields[14] ?? 0)) / CLK_TCK;
}

const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mb = (n: number) => `${n.toFixed(0)} MB`;

/** A copy of the seeded database (and its ID-hash key) in a folder of its own. */
function copyDatabase(base: string, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const name of fs.readdirSync(path.dirname(base))) {
    if (name.startsWith(path.basename(base)) || name === 'id-hash.key') {
      fs.copyFileSync(path.join(path.dirname(base), name), path.join(dir, name));
    }
  }
  return `file:${path.join(dir, path.basename(base))}`;
}

/** Posts "/menu" until the port accepts it, then long-polls until the bot's reply is there. */
async function firstAnswer(port: number, exited: () => boolean, persona: string): Promise<void> {
  const api = `http://127.0.0.1:${port}/api/playground/messages`;
  const deadline = performance.now() + 60_000;
  for (;;) {
    if (exited()) {
      throw new Error('the bot exited before it answered');
    }
    if (performance.now() > deadline) {
      throw new Error('the bot did not answer within 60 s');
    }
    const posted = await fetch(api, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ personaId: persona, clientMessageId: randomUUID(), text: '/menu' }),
    }).catch(() => undefined);
    if (posted?.status === 202) {
      break;
    }
    if (posted !== undefined) {
      throw new Error(`the playground answered ${posted.status}: ${await posted.text()}`);
    }
    await sleep(10);
  }
  let after = 0;
  while (performance.now() < deadline) {
    const polled = await fetch(`${api}?personaId=${persona}&after=${after}&wait=10`);
    const { messages } = (await polled.json()) as { messages: { seq: number; from: string }[] };
    if (messages.some((m) => m.from === 'bot')) {
      return;
    }
    // The person's own message comes first: wait past it.
    after = Math.max(after, ...messages.map((m) => m.seq));
  }
  throw new Error('no reply within 60 s');
}

/**
 * Starts the bot one way on a copy of the database (or any DATABASE_URL: the scale section starts
 * it on the national data set, whose playground persona is another); the time to its first
 * answer, then its idle RSS.
 */
export async function startOnce(variant: Variant, databaseUrl: string, persona = PERSONA): Promise<StartRun> {
  const port = await freePort();
  const env = botEnv({ DATABASE_URL: databaseUrl, PORT: String(port), LOG_LEVEL: 'warn' });
  const started = performance.now();
  const child: ChildProcess = spawn(variant.command, variant.args, {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let gone = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      gone = true;
      resolve();
    }),
  );
  try {
    await firstAnswer(port, () => gone, persona).catch((error: unknown) => {
      throw new Error(`${variant.label}: ${error instanceof Error ? error.message : error}\n${stderr}`);
    });
    const ms = performance.now() - started;
    const cpu = processTree(child.pid ?? -1).reduce((sum, p) => sum + cpuOf(p), 0);
    await sleep(IDLE_MS);
    const tree = processTree(child.pid ?? -1);
    const pid = tree.filter((p) => variant.isProgram(cmdlineOf(p))).at(-1);
    const rss = pid === undefined ? Number.NaN : (memoryOf(pid)?.rss ?? Number.NaN);
    const all = tree.reduce((sum, p) => sum + (memoryOf(p)?.rss ?? 0), 0);
    return { ms, cpu, rss, tree: `${tree.length} processes, ${mb(all)} in all` };
  } finally {
    if (!gone && child.pid !== undefined) {
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
  }
}

/** Wall time and CPU seconds of one `units list` call. */
async function cliOnce(variant: Variant, databaseUrl: string): Promise<{ ms: number; cpu: number }> {
  const env = botEnv({ DATABASE_URL: databaseUrl });
  const cpuBefore = reapedChildrenCpu();
  const started = performance.now();
  const child = spawn(variant.command, [...variant.args, 'units', 'list'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const ms = performance.now() - started;
  if (code !== 0) {
    throw new Error(`${variant.label} units list exited with ${code}: ${stderr.slice(-2000)}`);
  }
  return { ms, cpu: reapedChildrenCpu() - cpuBefore };
}

export async function benchStartup(dir: string, record: (figure: Figure) => void): Promise<void> {
  // What the first `npm start` after a change would do: measured here, not inside that start.
  const buildStarted = performance.now();
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  const buildMs = performance.now() - buildStarted;

  // The existing database: migrated and seeded with the demo once, by the CLI.
  const base = path.join(dir, 'startup', 'base', 'bot.db');
  fs.mkdirSync(path.dirname(base), { recursive: true });
  execFileSync(process.execPath, ['dist/cli.js', 'units', 'list'], {
    cwd: ROOT,
    env: botEnv({ DATABASE_URL: `file:${base}` }),
    stdio: 'ignore',
  });
  console.log(
    `Start-up on an existing SQLite database (the seeded demo, a copy per run), ${RUNS} runs each, variants alternating; build (esbuild) ${seconds(buildMs)}`,
  );

  const starts = new Map(BOT.map((v) => [v.label, [] as StartRun[]]));
  const calls = new Map(CLI.map((v) => [v.label, [] as { ms: number; cpu: number }[]]));
  for (let run = 0; run < RUNS; run++) {
    for (const [i, variant] of BOT.entries()) {
      const url = copyDatabase(base, path.join(dir, 'startup', `start-${run}-${i}`));
      starts.get(variant.label)?.push(await startOnce(variant, url));
    }
    for (const [i, variant] of CLI.entries()) {
      const url = copyDatabase(base, path.join(dir, 'startup', `cli-${run}-${i}`));
      calls.get(variant.label)?.push(await cliOnce(variant, url));
    }
  }

  for (const variant of BOT) {
    const runs = starts.get(variant.label) ?? [];
    const ms = median(runs.map((r) => r.ms));
    const cpu = median(runs.map((r) => r.cpu));
    const rss = median(runs.map((r) => r.rss));
    console.log(
      `  start, ${variant.label.padEnd(18)} answered after ${seconds(ms)} (${runs.map((r) => (r.ms / 1000).toFixed(2)).join(' ')}), CPU ${cpu.toFixed(2)} s; idle RSS of the bot ${mb(rss)} (${runs.at(-1)?.tree})`,
    );
    const goal = variant.label === 'npm start';
    record({
      what: `start → playground answer (CPU), ${variant.label}`,
      value: `${seconds(ms)} (${cpu.toFixed(2)} s)`,
      ...(goal ? { goal: `≤ ${GOALS.startSeconds} s`, pass: ms <= GOALS.startSeconds * 1000 } : {}),
    });
    record({
      what: `idle RSS of the bot, ${variant.label}`,
      value: mb(rss),
      ...(goal ? { goal: `≤ ${GOALS.idleMb} MB`, pass: rss <= GOALS.idleMb } : {}),
    });
  }
  for (const variant of CLI) {
    const runs = calls.get(variant.label) ?? [];
    const ms = median(runs.map((r) => r.ms));
    const cpu = median(runs.map((r) => r.cpu));
    console.log(
      `  CLI units list, ${variant.label.padEnd(18)} ${seconds(ms)} (${runs.map((r) => (r.ms / 1000).toFixed(2)).join(' ')}), CPU ${cpu.toFixed(2)} s`,
    );
    const goal = variant.label === 'npm run cli';
    record({
      what: `CLI units list (CPU), ${variant.label}`,
      value: `${seconds(ms)} (${cpu.toFixed(2)} s)`,
      ...(goal ? { goal: `≤ ${GOALS.cliSeconds} s`, pass: ms <= GOALS.cliSeconds * 1000 } : {}),
    });
  }
}
