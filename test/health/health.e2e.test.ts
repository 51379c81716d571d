import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../bot/app.ts';
import { canMakeImmutable, sqliteUnwritable } from '../faults/support.ts';
import {
  startApp,
  startTelegramApp,
  TEST_DIALECT,
  TEST_PG_URL,
  type TempDatabase,
  tempDatabase,
} from '../support/app-harness.ts';
import { type BotApiEmulator, type EmulatorUser, startBotApiEmulator } from '../support/bot-api-emulator.ts';

/**
 * /healthz and /readyz tell the truth (issue 18 §3): the real bot — grammY long polling against the
 * Bot API emulator over HTTP, a real database — turns 503 with the reasons when Telegram's
 * getUpdates keeps failing and when the database stops taking writes, and 200 again once they
 * work. Thresholds are set low through the environment (HEALTH_*), as an operator would.
 */

const STRANGER: EmulatorUser = { id: 777_101, first_name: 'Khách', language_code: 'vi' };

let emulator: BotApiEmulator;
let temp: TempDatabase;
let app: App | undefined;

beforeEach(async () => {
  emulator = await startBotApiEmulator();
  temp = tempDatabase();
});

afterEach(async () => {
  await app?.stop();
  app = undefined;
  await emulator.close();
  await temp.cleanup();
});

interface Answer {
  status: number;
  body: { ok: boolean; reason?: string; reasons?: string[]; checks: Record<string, { ok: boolean }> };
}

async function get(target: App, route: '/healthz' | '/readyz'): Promise<Answer> {
  const { port } = target.http.server.address() as AddressInfo;
  const response = await fetch(`http://127.0.0.1:${port}${route}`);
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

/** Asks `route` until it answers `status`; resolves with the body. */
async function becomes(target: App, route: '/healthz' | '/readyz', status: number, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await get(target, route);
    if (answer.status === status) {
      return answer.body;
    }
    if (Date.now() > deadline) {
      throw new Error(`${route} still ${answer.status} ${JSON.stringify(answer.body)} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Telegram long polling', () => {
  it('503 with the reason while getUpdates keeps failing, 200 once it works again', async () => {
    app = await startTelegramApp(emulator, temp.url, {}, { HEALTH_TELEGRAM_STALL_SECONDS: '0.3' });
    const up = await get(app, '/healthz');
    expect(up).toMatchObject({
      status: 200,
      body: { ok: true, checks: { telegram: { ok: true, mode: 'polling' } } },
    });
    expect((await get(app, '/readyz')).status).toBe(200);

    // The next two getUpdates fail (Telegram's side down); a message ends the long poll in flight.
    emulator.failNext('getUpdates', 2, { error_code: 502, description: 'Bad Gateway' });
    emulator.sendText(STRANGER, 'Xin chào');
    await emulator.waitForMessages(STRANGER.id, 1, 15_000);

    const down = await becomes(app, '/healthz', 503);
    expect(down).toMatchObject({ ok: false, reason: 'telegram', checks: { database: { ok: true } } });
    expect(down.reasons).toEqual([
      expect.stringMatching(/^telegram: Telegram getUpdates has failed for \d+ s \(.*Bad Gateway/),
    ]);
    expect(JSON.stringify(down)).not.toContain(emulator.token);
    expect(await becomes(app, '/readyz', 503)).toMatchObject({ reason: 'telegram' });

    // The failures run out: polling resumes and both answer 200; messages are answered again.
    expect(await becomes(app, '/healthz', 200)).toMatchObject({ ok: true });
    expect(await becomes(app, '/readyz', 200)).toMatchObject({ ok: true });
    emulator.sendText(STRANGER, 'Còn đó không?');
    await emulator.waitForMessages(STRANGER.id, 2, 15_000);
  }, 60_000);
});

// Each run tests its own database's fault: the SQLite run a file made immutable (chattr +i, as root on
// Linux — the machines this suite runs on), the PostgreSQL run a table locked by another session.
// A fault test of the other database is not registered at all, rather than reported as skipped.
const SQLITE_FAULT = TEST_DIALECT === 'sqlite' && canMakeImmutable('health.e2e (SQLite database)');
const describeSqlite = SQLITE_FAULT ? describe : () => undefined;
const describePostgres = TEST_DIALECT === 'postgres' ? describe : () => undefined;

describeSqlite('the SQLite database stops taking writes', () => {
  const unwritable = (on: boolean) => sqliteUnwritable(temp.file, on);

  afterEach(() => unwritable(false));

  it('/readyz finds it with a write, /healthz follows; both 200 once the file is writable again', async () => {
    app = await startApp({ DATABASE_URL: temp.url });
    expect((await get(app, '/readyz')).status).toBe(200);

    unwritable(true);
    // No traffic: /readyz's own write probe finds the fault (reads still work on this file).
    const down = await becomes(app, '/readyz', 503);
    expect(down).toMatchObject({ ok: false, reason: 'database', checks: { database: { ok: false } } });
    expect(down.reasons?.[0]).toMatch(
      /^database: the database takes no writes .*(disk I\/O error|readonly|IOERR)/i,
    );
    expect(await becomes(app, '/healthz', 503)).toMatchObject({ ok: false, reason: 'database' });

    unwritable(false);
    expect(await becomes(app, '/healthz', 200)).toMatchObject({ ok: true });
    expect(await becomes(app, '/readyz', 200)).toMatchObject({
      ok: true,
      checks: { database: { ok: true } },
    });
  }, 60_000);
});

describePostgres('the PostgreSQL database stops taking writes', () => {
  it('/readyz 503 while a write waits past HEALTH_DATABASE_TIMEOUT_SECONDS, 200 once it goes through', async () => {
    app = await startApp({ DATABASE_URL: temp.url, HEALTH_DATABASE_TIMEOUT_SECONDS: '0.3' });
    expect((await get(app, '/readyz')).status).toBe(200);
    // Another session holds the table the probe writes to (as a stuck migration or a hung disk would).
    const schema = new URL(temp.url).searchParams.get('schema') as string;
    const blocker = new pg.Client({ connectionString: TEST_PG_URL });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE "${schema}"."InboundSeen" IN ACCESS EXCLUSIVE MODE`);
      const down = await becomes(app, '/readyz', 503);
      expect(down).toMatchObject({ ok: false, reason: 'database' });
      expect(down.reasons).toEqual(['database: the database takes no writes (no answer within 0.3 s)']);
      await blocker.query('ROLLBACK');
      expect(await becomes(app, '/readyz', 200)).toMatchObject({ ok: true });
    } finally {
      await blocker.end();
    }
  }, 60_000);
});
