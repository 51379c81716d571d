/**
 * Messages the bot sends on its own reach the playground page of the persona they are for (issue 13,
 * review): the real app (`startApp`, no messenger token, so the playground is on) on the suite's
 * database (SQLite, or PostgreSQL with TEST_DATABASE=postgres), driven through real HTTP requests
 * as the page makes them (POST /api/playground/messages, GET …/messages long polls).
 *
 * A reply goes to the chat the message came from, a notice to a person to the chat id of their
 * playground identity: both are the persona id (`fund`), as a Telegram private chat's id is the
 * user's (issue 18 §1). When the chat was `pg:<persona>`, the fund officer's page never showed the
 * verification notice of a 100 tỷ pledge (the test stopped with "no such message on fund's page: []").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../bot/app.ts';
import { createFixedClock } from '../../core/shared/clock.ts';
import { freePort, startApp, tempDatabase } from '../support/app-harness.ts';

interface PageMessage {
  seq: number;
  from: 'bot' | 'user';
  text: string;
  choices?: { id: string; label: string }[][];
}

// Inside the seeded campaign (2024-10-01..2025-12-31), 10:00 in Asia/Ho_Chi_Minh.
const clock = createFixedClock('2025-03-10T03:00:00Z');
const db = tempDatabase();
let app: App;
let base = '';
let messageNo = 0;

beforeAll(async () => {
  const port = await freePort();
  app = await startApp({ DATABASE_URL: db.url, PORT: String(port) }, { clock });
  base = `http://127.0.0.1:${port}/api/playground`;
});

afterAll(async () => {
  await app?.stop();
  await db.cleanup();
});

/** The persona's conversation after `after`, waiting up to `wait` seconds for something new. */
async function messages(personaId: string, after = 0, wait = 0): Promise<PageMessage[]> {
  const response = await fetch(`${base}/messages?personaId=${personaId}&after=${after}&wait=${wait}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { messages: PageMessage[] }).messages;
}

const lastSeq = async (personaId: string) => (await messages(personaId)).at(-1)?.seq ?? 0;

/** Waits until the persona's page holds a bot message after `after` that `match` accepts. */
async function botMessage(personaId: string, after: number, match: (text: string) => boolean) {
  const deadline = Date.now() + 20_000;
  let cursor = after;
  while (Date.now() < deadline) {
    const fresh = await messages(personaId, cursor, 2);
    const found = fresh.find((m) => m.from === 'bot' && match(m.text));
    if (found) {
      return found;
    }
    cursor = fresh.at(-1)?.seq ?? cursor;
  }
  throw new Error(
    `no such message on ${personaId}'s page: ${JSON.stringify(await messages(personaId, after))}`,
  );
}

/** Sends as the page does and returns the bot's next message in that chat. */
async function post(personaId: string, body: { text: string } | { choiceId: string }): Promise<PageMessage> {
  const before = await lastSeq(personaId);
  messageNo += 1;
  const response = await fetch(`${base}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ personaId, clientMessageId: `notice-test-${messageNo}`, ...body }),
  });
  expect(response.status, await response.text()).toBe(202);
  // The person's own message is stored at `before + 1`; the reply comes after it.
  return botMessage(personaId, before + 1, () => true);
}

/** Presses the first button of the persona's last bot message whose id starts with `prefix`. */
async function press(personaId: string, prefix: string): Promise<PageMessage> {
  const last = (await messages(personaId)).filter((m) => m.from === 'bot').at(-1);
  const choice = last?.choices?.flat().find((c) => c.id.startsWith(prefix));
  if (!choice) {
    throw new Error(`no button ${prefix} in ${JSON.stringify(last)}`);
  }
  return post(personaId, { choiceId: choice.id });
}

describe('playground notices', () => {
  it("a visitor's 100 tỷ pledge puts the verification notice on the fund officer's page", async () => {
    const city = await app.prisma.unit.findFirstOrThrow({
      orderBy: { validFrom: 'desc' },
      where: { code: '058' },
    });
    const fundBefore = await lastSeq('fund');
    // "Khách mới": a stranger of the playground, as the page makes one.
    const made = await fetch(`${base}/strangers`, { method: 'POST' });
    expect(made.status).toBe(201);
    const visitor = ((await made.json()) as { persona: { id: string } }).persona.id;

    expect((await post(visitor, { text: '/ungho' })).text).toContain('Người ủng hộ là');
    await press(visitor, 'donorKind:enterprise');
    if ((await post(visitor, { text: 'Công ty Thử Nghiệm' })).text.includes('điện thoại')) {
      await post(visitor, { text: '0912 345 678' });
    }
    await press(visitor, 'kind:money');
    let step = await post(visitor, { text: '100 tỷ' });
    if (step.choices?.flat().some((c) => c.id.startsWith('level:'))) {
      step = await press(visitor, `level:${city.id}`);
    }
    if (step.choices?.flat().some((c) => c.id === 'target:0')) {
      await press(visitor, 'target:0');
    }
    await press(visitor, 'dueOn:');
    await press(visitor, 'publicName:no');
    const done = await press(visitor, '@confirm:yes');
    const ref = /UH-\d{4}/.exec(done.text)?.[0];
    expect(ref, done.text).toBeDefined();
    expect(await app.prisma.pledge.findUniqueOrThrow({ where: { ref } })).toMatchObject({
      amount: 100_000_000_000n,
      verification: 'pending',
    });

    // The notice the core queued for the fund officer shows on the `fund` persona's page.
    const notice = await botMessage('fund', fundBefore, (text) => text.includes('cần xác minh'));
    expect(notice.text).toContain(ref);
    expect(notice.choices?.flat().map((c) => c.id)).toContain(
      `menu:pledgeok:${(await app.prisma.pledge.findUniqueOrThrow({ where: { ref } })).id}`,
    );
  });
});
