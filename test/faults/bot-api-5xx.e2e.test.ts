import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../bot/app.ts';
import { startApp, type TempDatabase, tempDatabase } from '../support/app-harness.ts';
import { type BotApiEmulator, startBotApiEmulator } from '../support/bot-api-emulator.ts';
import {
  addOfficers,
  type Conversation,
  donor,
  expectEachRowDeliveredOnce,
  expectOneReplyPerUpdate,
  officer,
  outboxSettled,
  PLEDGE_UPDATES,
  pledgeConversation,
  pledgeCount,
  runningClock,
} from './support.ts';

/**
 * Faults: the Bot API answering 5xx (and 429) storms, on the suite's database. The real app sends
 * a reminder fan-out and the replies of donors in the middle of their pledge conversations while
 * the emulator answers sendMessage with 502 Bad Gateway and 500 Internal Server Error (not
 * delivered) and, at the same time, 429 flood control. Afterwards every outbox row was delivered
 * exactly once — the failed calls left nothing behind — every update got one reply and every
 * pledge exists once; the emulator's calls add up exactly: delivered + 5xx + 429.
 *
 * A 5xx goes straight back to the outbox dispatcher, which retries it with backoff (the send is
 * classed as worth retrying, bot/telegram/telegram-sender.ts; grammY's auto-retry rethrows 5xx,
 * bot/telegram/create-telegram-bot.ts). A 429 goes back the same way, and the dispatcher pauses the
 * channel for retry_after.
 *
 * Guards checked by removing them by hand (the file then failed as noted):
 * - the dispatcher's retry of a 5xx (`error_code >= 500` → `retry: true` in telegram-sender.ts made
 *   `retry: false`): "more 5xx than the client retries" fails — the chats whose sends failed four
 *   times are marked failed and never get their message (donor 0 is left without a reply);
 * - (with grammY's auto-retry still retrying 5xx inside the send, as it first did: "a storm" failed
 *   as well once the dispatcher's retry was gone);
 * - the dispatcher's retry of a 429 (`retry: true` for error_code 429 in telegram-sender.ts made
 *   `retry: false`): "a storm" fails — messages answered 429 are marked failed and never arrive.
 *
 * (grammY's auto-retry used to retry 5xx inside the send, holding a failing message for ~45 s — near
 * the 60 s claim timeout after which another instance may take it; it now rethrows them.)
 */

const START = '2025-04-09T01:00:00Z';
const DONORS = 6;
const OFFICERS = 60;

let clock: ReturnType<typeof runningClock>;
let emulator: BotApiEmulator;
let temp: TempDatabase;
let app: App | undefined;

beforeEach(async () => {
  clock = runningClock(START);
  emulator = await startBotApiEmulator();
  temp = tempDatabase();
  app = await startApp(
    {
      DATABASE_URL: temp.url,
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      // More than the emulator's flood limit below allows: the storm has 429s in it too.
      TELEGRAM_RATE_PER_SECOND: '60',
    },
    { clock, telegramBotInfo: emulator.botInfo, outboxPollMs: 100 },
  );
  await addOfficers(app.db, OFFICERS);
});

afterEach(async () => {
  emulator.onBeforeSend = undefined;
  await app?.stop();
  app = undefined;
  await emulator.close();
  await temp.cleanup();
});

function current(): App {
  if (!app) {
    throw new Error('no app');
  }
  return app;
}

function donors(): Conversation[] {
  return Array.from({ length: DONORS }, (_, i) => pledgeConversation(emulator, i, '30/4/2025'));
}

async function planReminders(): Promise<void> {
  const planned = await current().scheduler.runOnce();
  expect(planned.reminders).toBeGreaterThanOrEqual(OFFICERS);
}

async function expectNothingLostOrDoubled(conversations: Conversation[]): Promise<void> {
  const { db, dispatcher } = current();
  await outboxSettled(db, 40_000, undefined, { stuckClaims: true });
  // A row left claimed is taken again (and sent again) once its claim is a minute old.
  clock.advance(61_000);
  await dispatcher.flush();
  await outboxSettled(db, 10_000);

  expect(await pledgeCount(db)).toBe(conversations.length);
  for (const c of conversations) {
    expect(c.updates).toBe(PLEDGE_UPDATES);
    expect(c.lastReply.text).toMatch(/UH-\d{4}/);
  }
  expectOneReplyPerUpdate(emulator, conversations);
  for (let i = 0; i < OFFICERS; i++) {
    expect(emulator.messagesTo(officer(i).id), `officer ${i}`).toHaveLength(1);
  }
  await expectEachRowDeliveredOnce(db, emulator);
}

const sendMessageCalls = () => emulator.calls.filter((c) => c.method === 'sendMessage').length;

describe('the Bot API answering 5xx storms', () => {
  it('a storm of 502s, 500s and 429s for 4 s during a fan-out and replies: each delivered once', async () => {
    const conversations = donors();
    await Promise.all(conversations.map((c) => c.run(3)));
    const callsBefore = sendMessageCalls();
    const deliveredBefore = emulator.deliveryStats().delivered;

    // The storm: 20 answers 502, then 500 for every send for 4 s, and flood control throughout.
    emulator.failNext('sendMessage', 20, { error_code: 502, description: 'Bad Gateway' });
    const stormEnds = Date.now() + 4_000;
    let internalErrors = 0;
    emulator.onBeforeSend = () => {
      if (Date.now() < stormEnds) {
        internalErrors += 1;
        return false;
      }
      return undefined;
    };
    emulator.setFloodLimits({ globalPerSecond: 20 });
    await planReminders();
    await Promise.all(conversations.map((c) => c.run()));
    await expectNothingLostOrDoubled(conversations);

    expect(internalErrors).toBeGreaterThan(20);
    expect(emulator.tooManyRequests).toBeGreaterThan(0);
    // Every call is accounted for: delivered once, or refused (and delivered by a later call).
    const delivered = emulator.deliveryStats().delivered - deliveredBefore;
    expect(sendMessageCalls() - callsBefore).toBe(delivered + 20 + internalErrors + emulator.tooManyRequests);
  }, 60_000);

  it('chats whose sends fail more often than the client retries are delivered by the dispatcher', async () => {
    const conversations = donors();
    await Promise.all(conversations.map((c) => c.run(3)));
    // Four 500s in a row for three officers and for donor 0: the dispatcher tries again with backoff.
    const unlucky = new Map([officer(0).id, officer(1).id, officer(2).id, donor(0).id].map((id) => [id, 4]));
    emulator.onBeforeSend = (chatId) => {
      const left = unlucky.get(chatId) ?? 0;
      if (left > 0) {
        unlucky.set(chatId, left - 1);
        return false;
      }
      return undefined;
    };
    await planReminders();
    await Promise.all(conversations.map((c) => c.run(undefined, 55_000)));
    await expectNothingLostOrDoubled(conversations);

    expect([...unlucky.values()]).toEqual([0, 0, 0, 0]);
    const retried = await current()
      .db.kysely.selectFrom('Outbox')
      .select(['chatId', 'attempts'])
      .where('attempts', '>', 1)
      .where('channel', '=', 'telegram')
      .orderBy('chatId')
      .execute();
    expect(retried.map((r) => Number(r.chatId))).toEqual(
      expect.arrayContaining([officer(0).id, officer(1).id, officer(2).id, donor(0).id]),
    );
  }, 80_000);
});
