import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../bot/app.ts';
import { SHOWN_CHOICES_FLOW } from '../core/flows/shown-choices.ts';
import { plainText } from '../core/messaging/markup.ts';
import { createFixedClock } from '../core/shared/clock.ts';
import { openSqlDb, type SqlDb } from '../prisma/sql-db.ts';
import { startApp, type TempDatabase, tempDatabase } from './support/app-harness.ts';
import { type BotApiEmulator, type EmulatorUser, startBotApiEmulator } from './support/bot-api-emulator.ts';

/**
 * Two bot instances on one PostgreSQL database, as docs/deployment.md runs them: both behind one
 * webhook URL (a load balancer here, sending each update to either instance and one in five to
 * BOTH, the second copy up to 2 s later, as a proxy retrying after a timeout would), both dispatching the outbox and both
 * running the scheduler. Many donors register pledges at the same time through the multi-step
 * /ungho conversation; then the pledge reminders fall due and both schedulers run together.
 *
 * Guards checked by removing them by hand (the file then failed as noted):
 * - the per-chat lock (`tx.lock('chat:…')` first in handle-inbound's transaction): "serialises two
 *   different answers" fails — both answers read the name step and no refusal is sent;
 * - the inbound id recorded in the answer's transaction (InboundSeen): the same test fails — a
 *   late second copy of an earlier update is applied again (the conversations are otherwise built
 *   to shrug off a repeated answer, so the first test alone would not notice).
 * PostgreSQL is the database for several instances, so this test always uses it.
 */

const DONORS = 150;
// 10/03/2025 10:00 in Vietnam. Pledges are due on 20/03; the first reminder is 3 days before.
const clock = createFixedClock('2025-03-10T03:00:00Z');
const SECRET = 'multi-instance-secret-1';

let emulator: BotApiEmulator;
let temp: TempDatabase;
let db: SqlDb;
const apps: App[] = [];
let balancer: http.Server;
const forwards = new Set<Promise<void>>();
const deliveries = { a: 0, b: 0, both: 0 };

/** A seeded PRNG: the same spread of updates over the instances on every run. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}
const rnd = random(20250310);

async function forward(target: App, body: Buffer, headers: http.IncomingHttpHeaders): Promise<void> {
  const address = target.http.server.address() as AddressInfo;
  // A proxy retries what an instance did not accept (Telegram would too).
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`http://127.0.0.1:${address.port}/telegram/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-telegram-bot-api-secret-token': String(headers['x-telegram-bot-api-secret-token'] ?? ''),
      },
      body: new Uint8Array(body),
    });
    await response.arrayBuffer();
    if (response.ok || attempt >= 5) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Answers the emulator at once and hands the update to one instance, or to both together. */
function startBalancer(): Promise<string> {
  balancer = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const [a, b] = apps as [App, App];
      const pick = rnd();
      const targets = pick < 0.2 ? [a, b] : pick < 0.6 ? [a] : [b];
      if (targets.length === 2) {
        deliveries.both++;
      } else if (targets[0] === a) {
        deliveries.a++;
      } else {
        deliveries.b++;
      }
      // The second copy comes a little later, as a proxy's retry after a slow answer would.
      const delay = Math.floor(rnd() * 2_000);
      const done = Promise.all(
        targets.map((t, n) =>
          n === 0
            ? forward(t, body, req.headers)
            : new Promise((resolve) => setTimeout(resolve, delay)).then(() => forward(t, body, req.headers)),
        ),
      ).then(() => undefined);
      forwards.add(done);
      void done.finally(() => forwards.delete(done));
      res.writeHead(200).end();
    });
  });
  return new Promise((resolve) => {
    balancer.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(balancer.address() as AddressInfo).port}`),
    );
  });
}

function donor(i: number): EmulatorUser {
  return { id: 900_000 + i, first_name: `Donor ${i}`, language_code: 'vi' };
}

/** Sends an update and waits for the bot's answer (a new message in the chat). */
async function step(user: EmulatorUser, send: () => void): Promise<{ text: string; buttons: string[] }> {
  const before = emulator.messagesTo(user.id).length;
  send();
  const messages = await emulator.waitForMessages(user.id, before + 1, 30_000);
  const last = messages.at(-1);
  const markup = last?.replyMarkup as { inline_keyboard?: { callback_data?: string }[][] } | undefined;
  return {
    text: messages
      .slice(before)
      .map((m) => m.text ?? '')
      .join('\n'),
    buttons: (markup?.inline_keyboard ?? []).flat().map((b) => b.callback_data ?? ''),
  };
}

function say(user: EmulatorUser, text: string) {
  return step(user, () => emulator.sendText(user, text));
}

function press(user: EmulatorUser, data: string) {
  return step(user, () => {
    const last = emulator.lastMessageTo(user.id);
    emulator.pressButton(user, last?.messageId ?? 0, data);
  });
}

async function pledge(i: number): Promise<void> {
  const user = donor(i);
  await say(user, '/ungho');
  await press(user, 'donorKind:enterprise');
  await say(user, `Công ty số ${i}`);
  await say(user, `09${String(10_000_000 + i).slice(-8)}`);
  await press(user, 'kind:money');
  const level = await say(user, `${i + 1}tr`);
  const city = level.buttons.find((b) => b.startsWith('level:'));
  if (!city) {
    throw new Error(`donor ${i}: no level offered: ${level.text}`);
  }
  await press(user, city);
  await press(user, 'target:0');
  await say(user, '20/3/2025');
  await press(user, 'publicName:no');
  const done = await press(user, '@confirm:yes');
  if (!/UH-\d{4}/.test(done.text)) {
    throw new Error(`donor ${i}: not confirmed: ${done.text}`);
  }
}

async function settle(): Promise<void> {
  // Forwarded updates answered, then every instance's outbox drained.
  while (forwards.size > 0) {
    await Promise.all([...forwards]);
  }
  // Each instance sends at its own share of Telegram's rate: wait until nothing is left to send.
  const deadline = Date.now() + 60_000;
  for (;;) {
    for (const app of apps) {
      await app.dispatcher.flush();
    }
    const left = await db.kysely
      .selectFrom('Outbox')
      .select((eb) => eb.fn.countAll<number | bigint>().as('n'))
      .where('channel', '=', 'telegram')
      .where('status', 'in', ['pending', 'sending'])
      .executeTakeFirstOrThrow();
    if (Number(left.n) === 0 || Date.now() > deadline) {
      return;
    }
    // A message told to wait (a 429's retry_after) waits on the campaign clock, which is fixed here.
    clock.advance(1_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  emulator = await startBotApiEmulator();
  temp = tempDatabase('postgres');
  const publicUrl = await startBalancer();
  for (const instance of ['a', 'b']) {
    apps.push(
      await startApp(
        {
          DATABASE_URL: temp.url,
          TELEGRAM_BOT_TOKEN: emulator.token,
          TELEGRAM_API_ROOT: emulator.apiRoot,
          PUBLIC_URL: publicUrl,
          TELEGRAM_WEBHOOK_SECRET: SECRET,
          INSTANCE_ID: instance,
          // The emulator sets no overall limit; per chat it is still one message a second.
          TELEGRAM_RATE_PER_SECOND: '200',
          // The demo people are on the playground, which a messenger token switches off.
          PLAYGROUND: 'off',
        },
        { clock, telegramBotInfo: emulator.botInfo, outboxPollMs: 100 },
      ),
    );
  }
  db = openSqlDb(temp.url);
  // 150 strangers pledge within the same minute: above the campaign's default limit across donors
  // with no invite (30 an hour, issue 13 §6), raised here as an operator would for a drive.
  for (const c of await db.kysely.selectFrom('Campaign').select(['id', 'settings']).execute()) {
    const settings = { ...JSON.parse(c.settings), pledgeSafeguards: { anonymousPerHour: 1000 } };
    await db.kysely
      .updateTable('Campaign')
      .set({ settings: JSON.stringify(settings) })
      .where('id', '=', c.id)
      .execute();
  }
}, 60_000);

afterAll(async () => {
  for (const app of apps) {
    await app.stop();
  }
  await new Promise((resolve) => balancer.close(resolve));
  await emulator.close();
  await db.close();
  await temp.cleanup();
});

describe('two instances on one PostgreSQL database', () => {
  it('takes every update once, keeps each conversation in order and sends each answer once', async () => {
    await Promise.all(Array.from({ length: DONORS }, (_, i) => pledge(i)));
    await settle();

    // Both instances took traffic, and many updates reached both.
    expect(deliveries.a).toBeGreaterThan(DONORS);
    expect(deliveries.b).toBeGreaterThan(DONORS);
    expect(deliveries.both).toBeGreaterThan(DONORS);
    const updates = DONORS * 11;
    expect(deliveries.a + deliveries.b + deliveries.both).toBe(updates);
    // COUNT is an integer on SQLite, a bigint on PostgreSQL.
    const seen = await db.kysely
      .selectFrom('InboundSeen')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('channel', '=', 'telegram')
      .executeTakeFirstOrThrow();
    expect(Number(seen.n)).toBe(updates);

    // One pledge per donor, with the amount and date each one typed, and distinct references.
    const pledges = await db.kysely
      .selectFrom('Pledge')
      .select(['ref', 'donorName', 'amount', 'dueOn'])
      .orderBy('id')
      .execute();
    expect(pledges).toHaveLength(DONORS);
    expect(new Set(pledges.map((p) => p.ref)).size).toBe(DONORS);
    for (const p of pledges) {
      const i = Number(String(p.donorName).replace('Công ty số ', ''));
      expect(p.amount).toBe(BigInt(i + 1) * 1_000_000n);
      expect(p.dueOn).toBe('2025-03-20');
    }
    // No conversation left open (the list of choices last shown is kept beside).
    const open = await db.kysely
      .selectFrom('FlowState')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('channel', '=', 'telegram')
      .where('chatId', 'like', '9%')
      .where('flow', '<>', SHOWN_CHOICES_FLOW)
      .executeTakeFirstOrThrow();
    expect(Number(open.n)).toBe(0);

    // Each chat got exactly the messages the outbox holds for it, once each, in the outbox's order.
    const sent = await db.kysely
      .selectFrom('Outbox')
      .select(['chatId', 'payload'])
      .where('channel', '=', 'telegram')
      .where('status', '=', 'sent')
      .orderBy('id')
      .execute();
    const byChat = new Map<string, string[]>();
    for (const row of sent) {
      const list = byChat.get(row.chatId) ?? [];
      // As read: the bold and code markers of the outbox text dropped.
      list.push(plainText(String((JSON.parse(row.payload) as { text: string }).text)));
      byChat.set(row.chatId, list);
    }
    for (let i = 0; i < DONORS; i++) {
      const chat = donor(i).id;
      const received = emulator.messagesTo(chat).map((m) => m.text ?? '');
      expect(received.length, `donor ${i}`).toBe(byChat.get(String(chat))?.length);
      expect(received.length).toBeGreaterThanOrEqual(11);
      // The emulator may render markup; compare the first line of each.
      expect(received.map((t) => t.split('\n')[0])).toEqual(
        byChat.get(String(chat))?.map((t) => t.split('\n')[0]),
      );
    }
  }, 240_000);

  it('serialises two different answers of one chat that reach the instances at the same time', async () => {
    const chats = Array.from({ length: 40 }, (_, i) => ({ id: 950_000 + i, first_name: `Race ${i}` }));
    await Promise.all(
      chats.map(async (user) => {
        await say(user, '/ungho');
        await press(user, 'donorKind:enterprise');
        // A double send: two answers to the name question, in flight together.
        const before = emulator.messagesTo(user.id).length;
        emulator.sendText(user, `Công ty ${user.id} A`);
        emulator.sendText(user, `Công ty ${user.id} B`);
        const replies = (await emulator.waitForMessages(user.id, before + 2, 30_000)).slice(before);
        // One took the name and asked for the phone; the other was then read as the phone and
        // refused. Without the per-chat lock both read the name step: two "phone?" questions.
        expect(
          replies.filter((m) => (m.text ?? '').startsWith('⚠️')),
          `chat ${user.id}: ${JSON.stringify(replies.map((m) => m.text?.slice(0, 60)))}`,
        ).toHaveLength(1);
      }),
    );
    await settle();
    const states = await db.kysely
      .selectFrom('FlowState')
      .select(['chatId', 'step', 'data'])
      .where('chatId', 'like', '95%')
      .where('flow', '<>', SHOWN_CHOICES_FLOW)
      .execute();
    expect(states).toHaveLength(40);
    for (const state of states) {
      expect(state.step, state.chatId).toBe('phone');
      expect(state.data).toMatch(new RegExp(`Công ty ${state.chatId} [AB]`));
    }
  }, 120_000);

  it('sends each pledge reminder once while both schedulers run at the same moments', async () => {
    const before = new Map(
      Array.from({ length: DONORS }, (_, i) => [i, emulator.messagesTo(donor(i).id).length]),
    );
    // 17/03 08:05: three days before the pledges are due; then a second pass a little later.
    for (const at of ['2025-03-17T01:05:00Z', '2025-03-17T01:10:00Z', '2025-03-17T04:00:00Z']) {
      clock.set(new Date(at));
      await Promise.all(apps.map((app) => app.scheduler.runOnce()));
      // Sent before the clock jumps: a jump of minutes would make claims in flight look abandoned.
      await settle();
    }
    const reminders = await db.kysely
      .selectFrom('Outbox')
      .select(['chatId', 'status'])
      .where('purpose', '=', 'pledge_reminder')
      .where('channel', '=', 'telegram')
      .execute();
    expect(reminders).toHaveLength(DONORS);
    expect(reminders.filter((r) => r.status !== 'sent')).toEqual([]);
    for (let i = 0; i < DONORS; i++) {
      const received = emulator.messagesTo(donor(i).id).slice(before.get(i));
      expect(received, `donor ${i}`).toHaveLength(1);
      expect(received[0]?.text).toMatch(/UH-\d{4}/);
    }
  }, 120_000);
});
