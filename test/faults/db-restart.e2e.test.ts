import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../bot/app.ts';
import { createFixedClock } from '../../core/shared/clock.ts';
import { openSqlDb, type SqlDb } from '../../prisma/sql-db.ts';
import { startApp, TEST_PG_URL, type TempDatabase, tempDatabase } from '../support/app-harness.ts';
import { type BotApiEmulator, startBotApiEmulator } from '../support/bot-api-emulator.ts';
import {
  addOfficers,
  type Conversation,
  expectEachRowDeliveredOnce,
  expectOneReplyPerUpdate,
  officer,
  outboxSettled,
  type PgProxy,
  PLEDGE_UPDATES,
  pledgeConversation,
  pledgeCount,
  seenCount,
  startPgProxy,
} from './support.ts';

/**
 * Faults: the database restarted in the middle of requests (PostgreSQL). While donors are in the
 * middle of their pledge conversations and a reminder fan-out is being sent, every connection of
 * the bot is terminated by the server (`pg_terminate_backend`, as a fast shutdown does: FATAL
 * 57P01 to each session, in a transaction or idle), again and again, and once also with the
 * database unreachable for a while (a proxy in front of it refuses connections, as a server that
 * is starting up does). The pools replace the dead connections, a transaction cut off is rolled
 * back and the update tried again, a send whose outcome could not be recorded is recorded once the
 * database is back: every pledge exists once, every update got exactly one reply, every outbox
 * row was delivered exactly once. Only the bot's own sessions are terminated: they carry an
 * application_name of their own (other test files use the same server at the same time).
 * PostgreSQL only (SQLite: test/faults/db-busy.e2e.test.ts).
 *
 * Guards checked by removing them by hand (the file then failed as noted):
 * - the error listener on a pooled client checked out for a transaction (`client.on('error', …)`
 *   in prisma/sql-db.ts, added for this test): the run fails with uncaught exceptions
 *   ("terminating connection due to administrator command", "Connection terminated
 *   unexpectedly") as soon as a session in a transaction is terminated — each one would end the
 *   bot's process (vitest only reports them);
 * - the pool's 'error' handler (`pool.on('error', …)` in prisma/sql-db.ts): the same, for idle
 *   pooled connections, and "a restart" fails;
 * - `withRetry`'s patience with a database that is away (bot/app.ts, added for this test; back to
 *   three tries over 150 ms): "a restart" fails — an answer taken while the database is
 *   unreachable is dropped by grammY under long polling, and that donor never gets a reply;
 * - `withRetry` altogether: both fail the same way (an answer cut off mid-transaction is lost);
 * - the dispatcher's retry when recording a send (`retrying` in bot/outbox-dispatcher.ts): both
 *   fail — a reply delivered as its session was cut stays claimed, is sent a second time once the
 *   claim times out, and a donor gets twelve replies to eleven messages.
 *
 * Found when the file failed now and then on a loaded machine (issue 13), and guarded since:
 * - a claim whose COMMIT went through but whose answer was lost with the connection left the
 *   replies it claimed as 'sending' with no lane to send them until the 60 s claim timeout — with
 *   the clock fixed, a donor waited for ever for a reply (a chat got 4 of its 5 messages). The
 *   dispatcher now hands such claims back after a failed claim (`claimLost` in
 *   bot/outbox-dispatcher.ts; without it "a restart" failed now and then under load);
 * - a connection terminated in the same read as the end of its start-up emitted 'error' between the
 *   pool's listener and ours — an uncaught exception, the end of the bot's process (the
 *   `pool.on('connect', …)` listener in prisma/sql-db.ts);
 * - an update whose handling still failed after `withRetry` was confirmed by grammY's polling and
 *   lost; the bot's own polling loop (bot/telegram/telegram-polling.ts) tries it again instead.
 */

// 09/04/2025 08:00 in Vietnam: March's reports are due on 15/04, the reminders go out today.
const clock = createFixedClock('2025-04-09T01:00:00Z');
const DONORS = 12;
const OFFICERS = 60;
/**
 * Waits are generous: the file must pass on a machine loaded many times over (issue 13: 30 runs in
 * a row beside the rest of the suite), where starting the bot alone can take 20 s. A reply lost for
 * good still fails it — the clock is fixed, so a message left claimed is never taken again on its own.
 */
const REPLY_MS = 60_000;
const TEST_MS = 240_000;

let emulator: BotApiEmulator;
let temp: TempDatabase;
let proxy: PgProxy;
let app: App | undefined;
let db: SqlDb;
let admin: pg.Client;
let applicationName = '';

beforeEach(async () => {
  clock.set('2025-04-09T01:00:00Z');
  emulator = await startBotApiEmulator();
  temp = tempDatabase('postgres');
  proxy = await startPgProxy(TEST_PG_URL);
  const url = new URL(proxy.url(temp.url));
  applicationName = `faults_${new URL(temp.url).searchParams.get('schema')}`;
  url.searchParams.set('application_name', applicationName);
  app = await startApp(
    {
      DATABASE_URL: url.toString(),
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
    },
    { clock, telegramBotInfo: emulator.botInfo, outboxPollMs: 100 },
  );
  db = openSqlDb(temp.url);
  await addOfficers(db, OFFICERS);
  admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
});

afterEach(async () => {
  await app?.stop();
  app = undefined;
  await admin.end();
  await db.close();
  await proxy.close();
  await emulator.close();
  await temp.cleanup();
});

/** The server ends every session of the bot (and only the bot's); resolves with how many. */
async function terminateBotSessions(): Promise<number> {
  const result = await admin.query(
    'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1',
    [applicationName],
  );
  return result.rows.length;
}

function current(): App {
  if (!app) {
    throw new Error('no app');
  }
  return app;
}

/** Donors a few answers in and a reminder fan-out under way: the moment the faults come. */
async function busyMoment(): Promise<Conversation[]> {
  const conversations = Array.from({ length: DONORS }, (_, i) =>
    pledgeConversation(emulator, i, '30/4/2025'),
  );
  await Promise.all(conversations.map((c) => c.run(3, REPLY_MS)));
  const planned = await current().scheduler.runOnce();
  expect(planned.reminders).toBeGreaterThanOrEqual(OFFICERS);
  await emulator.waitForMessages(officer(0).id, 1);
  return conversations;
}

async function expectNothingLostOrDoubled(conversations: Conversation[]): Promise<void> {
  const target = current();
  // Retries wait on the campaign clock, which is fixed here: move it along.
  await outboxSettled(db, 30_000, () => clock.advance(1_000), { stuckClaims: true });
  // A row left claimed is taken again (and sent again) once its claim is a minute old.
  clock.advance(61_000);
  await target.dispatcher.flush();
  await outboxSettled(db, 10_000, () => clock.advance(1_000));

  expect(await pledgeCount(db)).toBe(DONORS);
  for (const c of conversations) {
    expect(c.updates).toBe(PLEDGE_UPDATES);
    expect(c.lastReply.text).toMatch(/UH-\d{4}/);
  }
  expectOneReplyPerUpdate(emulator, conversations);
  expect(await seenCount(db, 'telegram')).toBe(DONORS * PLEDGE_UPDATES);
  for (let i = 0; i < OFFICERS; i++) {
    expect(emulator.messagesTo(officer(i).id), `officer ${i}`).toHaveLength(1);
  }
  await expectEachRowDeliveredOnce(db, emulator);
}

describe('the database restarted mid-request (PostgreSQL)', () => {
  it(
    'every session of the bot terminated eight times during conversations and a fan-out',
    async () => {
      const conversations = await busyMoment();
      let terminated = 0;
      const chaos = (async () => {
        for (let n = 0; n < 8; n++) {
          await new Promise((resolve) => setTimeout(resolve, 150));
          terminated += await terminateBotSessions();
        }
      })();
      await Promise.all([chaos, ...conversations.map((c) => c.run(undefined, REPLY_MS))]);
      expect(terminated).toBeGreaterThan(8);
      await expectNothingLostOrDoubled(conversations);
    },
    TEST_MS,
  );

  it(
    'a restart: sessions terminated and the database unreachable for 2 s, twice',
    async () => {
      const conversations = await busyMoment();
      const restarts = (async () => {
        for (let n = 0; n < 2; n++) {
          await new Promise((resolve) => setTimeout(resolve, 300));
          proxy.refuseFor(2_000);
          await terminateBotSessions();
          proxy.cut();
          await new Promise((resolve) => setTimeout(resolve, 2_000));
        }
      })();
      await Promise.all([restarts, ...conversations.map((c) => c.run(undefined, REPLY_MS))]);
      expect(proxy.refused).toBeGreaterThan(0);
      await expectNothingLostOrDoubled(conversations);
    },
    TEST_MS,
  );
});
