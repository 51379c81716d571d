import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../test/support/app-harness.ts';
import { DIST, ENTRIES, isStale } from './build.mjs';

/**
 * Issue 14 §7: `npm start` and `npm run cli` run the compiled bundles in dist/, which the install
 * step builds (postinstall) and scripts/ensure-build.mjs, loaded before them, rebuilds when a
 * source is newer. Here: the CLI run by its npm script's own command line (the build made fresh
 * first, as then), the bundles there and fresh, and the bot under plain node on a new database —
 * migrations, the generated Prisma client and the seed all found from dist/.
 */

const REPO = path.resolve(import.meta.dirname, '..');
const run = promisify(execFile);
const scripts: Record<string, string> = JSON.parse(
  fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'),
).scripts;

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mttq-build-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** This environment without anything naming a channel, a database or npm. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(TELEGRAM_|ZALO_|PUBLIC_URL$|DATABASE_URL$|PLAYGROUND|PORT$|HOST$|NODE_OPTIONS$|npm_)/.test(key)) {
      env[key] = value;
    }
  }
  return { ...env, ...extra };
}

/** The first bot message in the persona's chat, long-polled past the person's own message. */
async function botReply(api: string, personaId: string): Promise<string | undefined> {
  let after = 0;
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${api}?personaId=${personaId}&after=${after}&wait=10`);
    const { messages } = (await res.json()) as { messages: { seq: number; from: string; text: string }[] };
    const reply = messages.find((m) => m.from === 'bot');
    if (reply) {
      return reply.text;
    }
    after = Math.max(after, ...messages.map((m) => m.seq));
  }
  return undefined;
}

describe('the compiled programs', () => {
  it('`npm run cli -- units list` runs the compiled CLI on a new database', async () => {
    expect(scripts.cli).toBe('node --import ./scripts/ensure-build.mjs dist/cli.js');
    const { stdout, stderr } = await run('sh', ['-c', `${scripts.cli} units list`], {
      cwd: REPO,
      env: cleanEnv({ DATABASE_URL: `file:${path.join(dir, 'cli.db')}` }),
    });
    expect(stderr).toContain('Đã áp dụng migration: 20261128000000_init');
    expect(stderr).toContain('đã nạp dữ liệu mẫu');
    expect(stdout).toContain('Phường Đức Xuân');
    expect(stdout).toMatch(/Tổng: \d+ đơn vị\./);
  }, 60_000);

  it('are built by the install step and fresh after the check', async () => {
    expect(scripts.postinstall).toBe('npm run db:generate && node scripts/build.mjs --at-install');
    expect(scripts.start).toBe(
      'node --max-semi-space-size=4 --import ./scripts/ensure-build.mjs dist/main.js',
    );
    for (const file of Object.values(ENTRIES)) {
      expect(fs.existsSync(path.join(DIST, file))).toBe(true);
    }
    // The check alone (others may be editing sources meanwhile: judged right after it).
    await run(process.execPath, ['--import', './scripts/ensure-build.mjs', '-e', ''], { cwd: REPO });
    expect(isStale()).toBe(false);
  });

  it('starts the bot with plain node: the playground answers', async () => {
    const port = await freePort();
    const child: ChildProcess = spawn(process.execPath, ['--max-semi-space-size=4', 'dist/main.js'], {
      cwd: REPO,
      env: cleanEnv({ DATABASE_URL: `file:${path.join(dir, 'bot.db')}`, PORT: String(port) }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const api = `http://127.0.0.1:${port}/api/playground/messages`;
      const body = { personaId: 'officer-ducxuan', clientMessageId: crypto.randomUUID(), text: '/menu' };
      let status: number | undefined;
      for (let i = 0; i < 300 && status === undefined && child.exitCode === null; i++) {
        status = await fetch(api, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
          .then((res) => res.status)
          .catch(() => new Promise<undefined>((resolve) => setTimeout(resolve, 100)));
      }
      expect(status, output).toBe(202);
      expect(await botReply(api, 'officer-ducxuan')).toContain('Danh mục');
      expect(output).toContain('Local playground');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
