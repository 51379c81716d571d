/**
 * `npx tsx scripts/bench-compare.ts [--base <git-rev>] [--rounds 3] [--db sqlite|postgres] [--full] [--store]`:
 * the `report` section of `npm run bench` on an older commit and on this working tree, in one run
 * on one machine, taking turns (old, new, old, new, …) so both see the same load; then the figures
 * of each round and the median of each side, with new / old.
 *
 * The older commit is checked out with `git worktree` into a temporary folder (removed at the end)
 * whose node_modules and prisma/generated are links to this tree's: it runs with the same packages
 * and generated clients (fine while the Prisma models are the same). The default base is the
 * last commit before issue 14 (a6c2361): the SqlDb design of the hot path, which Kysely must stay
 * within 10 % of. (It measures all of issue 14's changes to the hot path, not Kysely's alone.)
 *
 * Without `--full` each round skips the PostgreSQL runs with answers in flight
 * (BENCH_CONCURRENT_LANES=0): one instance on each database and two instances on PostgreSQL.
 *
 * `--store` compares the data layers alone instead: scripts/bench-store-answer.ts runs one report
 * answer's store transaction on each tree's store (no grammY, no core engine, whose changes the
 * report section also measures).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '..');

interface Figures {
  /** e.g. "SQLite median ms" → value. */
  [what: string]: number;
}

function git(args: string[], cwd = ROOT): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`git ${args.join(' ')}: ${r.stderr.trim()}`);
  }
  return r.stdout.trim();
}

/**
 * The last commit before issue 14's work (Kysely, the feature registry, typed flows…) came in, all
 * at once, by several hands: the commits in between do not all run on their own.
 */
const DEFAULT_BASE = 'a6c2361';

/** Runs `npx args` in `cwd`; resolves with its output. */
function run(cwd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', args, {
      cwd,
      env: { ...process.env, TZ: 'UTC', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`bench in ${cwd} exited ${code}:\n${out.slice(-3000)}`)),
    );
  });
}

/** The report section of `npm run bench` in the tree `root`. */
async function reportFigures(root: string, db: string | undefined, full: boolean): Promise<Figures> {
  const args = ['tsx', 'scripts/bench.ts', '--only', 'report', ...(db ? ['--db', db] : [])];
  return parseReport(await run(root, args, full ? {} : { BENCH_CONCURRENT_LANES: '0' }));
}

/** The store alone (scripts/bench-store-answer.ts of this tree) on the data layer of `root`. */
async function storeFigures(root: string, db: string | undefined): Promise<Figures> {
  const figures: Figures = {};
  for (const dialect of db ? [db] : ['sqlite', 'postgres']) {
    const args = ['tsx', 'scripts/bench-store-answer.ts', '--root', root, '--db', dialect];
    const out = (await run(ROOT, args)).trim().split('\n').at(-1) ?? '{}';
    const r: { cpuMsPerAnswer?: number; wallMsPerAnswer?: number } = JSON.parse(out);
    const name = dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    figures[`${name} store: CPU ms per answer`] = r.cpuMsPerAnswer ?? Number.NaN;
    figures[`${name} store: wall ms per answer`] = r.wallMsPerAnswer ?? Number.NaN;
  }
  return figures;
}

/** The figures of one report section's output. */
export function parseReport(out: string): Figures {
  const figures: Figures = {};
  let db = '';
  let instances = '';
  for (const line of out.split('\n')) {
    const one = /^Report answers on (SQLite|PostgreSQL), one instance:/.exec(line);
    if (one?.[1]) {
      db = one[1];
      instances = '';
      continue;
    }
    const many = /^Report answers on PostgreSQL, (\d+) instances/.exec(line);
    if (many) {
      db = 'PostgreSQL';
      instances = `${many[1]} instances`;
      continue;
    }
    if (line.startsWith('Report answers on PostgreSQL, one instance (process)')) {
      db = 'PostgreSQL';
      instances = '1 instance in flight';
      continue;
    }
    const median = /^ {2}engine \+ transaction \+ outbox: median ([\d.]+) ms, p99 ([\d.]+) ms/.exec(line);
    if (median && db && !instances) {
      figures[`${db}: median ms`] = Number(median[1]);
      figures[`${db}: p99 ms`] = Number(median[2]);
    }
    const rate = /^ {2}throughput: (\d+) answers\/s \(one process; its CPU ([\d.]+) ms per answer/.exec(line);
    if (rate && db && !instances) {
      figures[`${db}: answers/s`] = Number(rate[1]);
      figures[`${db}: CPU ms per answer`] = Number(rate[2]);
    }
    const combined = /^ {2}combined: (\d+) answers\/s/.exec(line);
    if (combined && instances) {
      figures[`${db}, ${instances}: answers/s`] = Number(combined[1]);
    }
  }
  return figures;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

const round = (v: number) => Number(v.toPrecision(4));

/** Where higher is better (answers/s) the ratio is still new / old: > 1 is faster there. */
function table(base: string, old: Figures[], now: Figures[]): string {
  const keys = [...new Set([...old, ...now].flatMap((f) => Object.keys(f)))];
  const width = Math.max(...keys.map((k) => k.length), 10);
  const lines = [
    `${'figure'.padEnd(width)}  ${'old (median)'.padStart(12)}  ${'new (median)'.padStart(12)}  new/old   rounds old | new`,
  ];
  for (const key of keys) {
    const o = old.map((f) => f[key]).filter((v): v is number => v !== undefined);
    const n = now.map((f) => f[key]).filter((v): v is number => v !== undefined);
    const mo = median(o);
    const mn = median(n);
    lines.push(
      `${key.padEnd(width)}  ${mo.toFixed(3).padStart(12)}  ${mn.toFixed(3).padStart(12)}  ${(mo ? mn / mo : Number.NaN).toFixed(3).padStart(7)}   ${o.map(round).join(', ')} | ${n.map(round).join(', ')}`,
    );
  }
  return `old = ${base}, new = this working tree\n${lines.join('\n')}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      base: { type: 'string' },
      rounds: { type: 'string', default: '3' },
      db: { type: 'string' },
      full: { type: 'boolean', default: false },
      store: { type: 'boolean', default: false },
    },
  });
  const base = git(['rev-parse', '--short', values.base ?? DEFAULT_BASE]);
  const rounds = Number(values.rounds);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mttq-bench-base-'));
  git(['worktree', 'add', '--detach', dir, base]);
  try {
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    fs.symlinkSync(path.join(ROOT, 'prisma', 'generated'), path.join(dir, 'prisma', 'generated'));
    const old: Figures[] = [];
    const now: Figures[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const [side, cwd, into] of [
        ['old', dir, old],
        ['new', ROOT, now],
      ] as const) {
        const started = performance.now();
        const figures = values.store
          ? await storeFigures(cwd, values.db)
          : await reportFigures(cwd, values.db, values.full);
        into.push(figures);
        console.log(
          `round ${round} ${side} (${((performance.now() - started) / 1000).toFixed(0)} s, load ${os.loadavg()[0]?.toFixed(2)}): ${Object.entries(
            figures,
          )
            .map(([k, v]) => `${k} ${v}`)
            .join('; ')}`,
        );
      }
    }
    console.log(`\n${table(base, old, now)}`);
  } finally {
    git(['worktree', 'remove', '--force', dir]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
