import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Outbound } from '../core/messaging/message.ts';
import type { ChannelSender, SendResult } from '../core/messaging/messenger.ts';
import type { OutboxItem } from '../core/messaging/outbox.repository.ts';
import { createFixedClock } from '../core/shared/clock.ts';
import type { SqlDb } from '../prisma/sql-db.ts';
import { createStore } from '../prisma/store.ts';
import { migratedDb, TEST_DIALECT } from '../test/support/app-harness.ts';
import { createLogger } from './logger.ts';
import { createOutboxDispatcher } from './outbox-dispatcher.ts';

/**
 * The limiters' time, moved by the test from one timer to the next: each fires at its exact
 * instant, and only after real time let the database answer (a PostgreSQL round trip is real I/O).
 * Faking the global timers instead would also fake node-postgres' own (connect and idle timeouts)
 * and move time on while a statement runs.
 */
function manualTimers() {
  let now = 0;
  let next = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  return {
    timers: {
      now: () => now,
      setTimeout: (fn: () => void, ms: number) => {
        next += 1;
        pending.set(next, { at: now + Math.max(0, ms), fn });
        return next;
      },
      clearTimeout: (handle: unknown) => {
        pending.delete(handle as number);
      },
    },
    /** Lets real time pass for the I/O in progress, then fires the earliest timer, if any. */
    async step(): Promise<void> {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const due = [...pending].sort((a, b) => a[1].at - b[1].at)[0];
      if (due) {
        pending.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].fn();
      }
    },
  };
}

/** A sender that answers from a script of results, then succeeds, recording what it delivered. */
function scriptedSender(script: SendResult[]): ChannelSender & { delivered: string[] } {
  const delivered: string[] = [];
  return {
    delivered,
    async send(_chatId: string, message: Outbound) {
      const result = script.shift() ?? { ok: true };
      if (result.ok) {
        delivered.push(message.text);
      }
      return result;
    },
  };
}

describe(`outbox dispatcher on ${TEST_DIALECT}`, () => {
  const clock = createFixedClock('2025-03-10T03:00:00Z');
  const log = createLogger({ level: 'silent', secrets: [] });

  let db: SqlDb;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ db, close } = await migratedDb());
  });
  afterEach(() => close());

  async function enqueue(store: ReturnType<typeof createStore>, texts: string[]) {
    await store.run((tx) =>
      tx.outbox.enqueue(
        texts.map((text) => ({ channel: 'telegram', chatId: '42', message: { text }, idempotencyKey: text })),
        clock.now(),
      ),
    );
  }

  function status() {
    return db.kysely
      .selectFrom('Outbox')
      .select(['idempotencyKey as k', 'status', 'attempts'])
      .orderBy('id')
      .execute();
  }

  it('keeps a chat in order when a send fails, and retries after retry_after', async () => {
    const store = createStore(db);
    const sender = scriptedSender([
      { ok: true },
      { ok: false, retry: true, error: '429', retryAfterMs: 3_000 },
    ]);
    const dispatcher = createOutboxDispatcher({
      queue: store.outbox,
      senders: { telegram: sender },
      clock,
      log,
    });
    await enqueue(store, ['one', 'two', 'three']);
    await dispatcher.flush();
    expect(sender.delivered).toEqual(['one']);
    expect(await status()).toEqual([
      { k: 'one', status: 'sent', attempts: 1 },
      { k: 'two', status: 'pending', attempts: 1 },
      { k: 'three', status: 'pending', attempts: 1 },
    ]);
    clock.advance(2_999);
    await dispatcher.flush();
    expect(sender.delivered).toEqual(['one']);
    clock.advance(1);
    await dispatcher.flush();
    expect(sender.delivered).toEqual(['one', 'two', 'three']);
  });

  it('keeps a permanent failure visible and goes on with the next message', async () => {
    const store = createStore(db);
    const sender = scriptedSender([
      { ok: false, retry: false, error: '403 Forbidden: bot was blocked by the user' },
    ]);
    const dispatcher = createOutboxDispatcher({
      queue: store.outbox,
      senders: { telegram: sender },
      clock,
      log,
    });
    await enqueue(store, ['blocked', 'next']);
    await dispatcher.flush();
    expect(sender.delivered).toEqual(['next']);
    expect(
      await db.kysely
        .selectFrom('Outbox')
        .select(['status', 'lastError'])
        .where('idempotencyKey', '=', 'blocked')
        .executeTakeFirst(),
    ).toEqual({
      status: 'failed',
      lastError: '403 Forbidden: bot was blocked by the user',
    });
  });

  it('gives up after the maximum number of attempts', async () => {
    const store = createStore(db);
    const failing: ChannelSender = { send: async () => ({ ok: false, retry: true, error: 'network down' }) };
    const dispatcher = createOutboxDispatcher({
      queue: store.outbox,
      senders: { telegram: failing },
      clock,
      log,
      maxAttempts: 3,
    });
    await enqueue(store, ['x']);
    for (let i = 0; i < 5; i++) {
      await dispatcher.flush();
      clock.advance(60_000);
    }
    expect(await status()).toEqual([{ k: 'x', status: 'failed', attempts: 3 }]);
  });

  function item(chatId: string, text: string, purpose: OutboxItem['purpose'] = 'reminder'): OutboxItem {
    return { channel: 'telegram', chatId, message: { text }, idempotencyKey: text, purpose };
  }

  /** A sender recording `chatId:text` in the order the sends started. */
  function recordingSender(answer: (chatId: string, text: string) => SendResult = () => ({ ok: true })) {
    const started: Array<{ to: string; at: number }> = [];
    const sender: ChannelSender = {
      async send(chatId, message) {
        started.push({ to: `${chatId}:${message.text}`, at: performance.now() });
        return answer(chatId, message.text);
      },
    };
    return { sender, started };
  }

  it('takes a chat with a reply due first, with its earlier messages, in order', async () => {
    const store = createStore(db);
    const { sender, started } = recordingSender();
    const dispatcher = createOutboxDispatcher({
      queue: store.outbox,
      senders: { telegram: sender },
      clock,
      log,
      batchSize: 5,
      rateLimits: { telegram: false },
    });
    await store.run((tx) =>
      tx.outbox.enqueue(
        [
          ...Array.from({ length: 20 }, (_, i) => item(String(100 + i), `bulk ${i}`)),
          item('42', 'earlier reminder'),
          item('42', 'the reply', 'reply'),
        ],
        clock.now(),
      ),
    );
    // The queue hands out chat 42 first: its reminder and the reply, before the older bulk.
    const first = await store.outbox.claim(clock.now(), 3, new Date(clock.now().getTime() - 60_000));
    expect(first.map((m) => [m.message.text, m.purpose])).toEqual([
      ['bulk 0', 'reminder'],
      ['earlier reminder', 'reminder'],
      ['the reply', 'reply'],
    ]);
    await db.kysely.updateTable('Outbox').set({ status: 'pending', attempts: 0 }).execute();
    await dispatcher.flush();
    const order = started.map((s) => s.to);
    expect(order).toHaveLength(22);
    expect(order.indexOf('42:earlier reminder')).toBeLessThan(5);
    expect(order.indexOf('42:the reply')).toBeGreaterThan(order.indexOf('42:earlier reminder'));
    // The reply waits for its chat's earlier message to be marked sent; on PostgreSQL that round
    // trip may let one more claimed batch of 5 start first.
    expect(order.indexOf('42:the reply')).toBeLessThan(TEST_DIALECT === 'postgres' ? 15 : 10);
  });

  it('pauses the whole channel, not only the chat, on a 429', async () => {
    const store = createStore(db);
    const { sender, started } = recordingSender((chatId) =>
      chatId === '1' && started.length === 1
        ? { ok: false, retry: true, error: '429 Too Many Requests: retry after 1', retryAfterMs: 300 }
        : { ok: true },
    );
    const dispatcher = createOutboxDispatcher({
      queue: store.outbox,
      senders: { telegram: sender },
      clock,
      log,
    });
    await store.run((tx) => tx.outbox.enqueue([item('1', 'a'), item('2', 'b')], clock.now()));
    await dispatcher.flush();
    expect(started.map((s) => s.to)).toEqual(['1:a', '2:b']);
    expect((started[1]?.at ?? 0) - (started[0]?.at ?? 0)).toBeGreaterThanOrEqual(295);
    expect(dispatcher.stats()).toMatchObject({ sent: 1, retried: 1, rateLimited: 1 });
    expect(await status()).toEqual([
      { k: 'a', status: 'pending', attempts: 1 },
      { k: 'b', status: 'sent', attempts: 1 },
    ]);
  });

  it('sends a message claimed by a process that died, after the claim timeout', async () => {
    const store = createStore(db);
    const { sender, started } = recordingSender();
    const dispatcher = createOutboxDispatcher({
      queue: store.outbox,
      senders: { telegram: sender },
      clock,
      log,
    });
    await store.run((tx) => tx.outbox.enqueue([item('1', 'orphan')], clock.now()));
    await store.outbox.claim(clock.now(), 10, new Date(clock.now().getTime() - 60_000)); // and then it died
    await dispatcher.flush();
    expect(started).toEqual([]);
    clock.advance(60_001);
    await dispatcher.flush();
    expect(started.map((s) => s.to)).toEqual(['1:orphan']);
    expect(await status()).toEqual([{ k: 'orphan', status: 'sent', attempts: 2 }]);
  });

  it('sends what a claim took when the claim committed but its answer was lost, at once', async () => {
    // A PostgreSQL connection cut at COMMIT: the rows are ours ('sending') but the claim threw.
    const store = createStore(db);
    let cut = true;
    const queue = {
      ...store.outbox,
      claim: async (...args: Parameters<typeof store.outbox.claim>) => {
        const claimed = await store.outbox.claim(...args);
        if (cut && claimed.length > 0) {
          cut = false;
          throw new Error('Connection terminated unexpectedly');
        }
        return claimed;
      },
    };
    const sender = scriptedSender([]);
    const dispatcher = createOutboxDispatcher({ queue, senders: { telegram: sender }, clock, log });
    await enqueue(store, ['one', 'two']);
    await dispatcher.flush();
    expect(sender.delivered).toEqual([]);
    // The next pass, well before the claim timeout (the clock has not moved).
    await dispatcher.flush();
    expect(sender.delivered).toEqual(['one', 'two']);
    expect(await status()).toEqual([
      { k: 'one', status: 'sent', attempts: 2 },
      { k: 'two', status: 'sent', attempts: 2 },
    ]);
  });
  it('holds a chat that cannot be reached, with its later messages', async () => {
    const store = createStore(db);
    const sender = scriptedSender([{ ok: false, hold: true, error: '-230 outside the window' }]);
    const dispatcher = createOutboxDispatcher({
      queue: store.outbox,
      senders: { telegram: sender },
      clock,
      log,
    });
    await enqueue(store, ['one', 'two']);
    await dispatcher.flush();
    expect(sender.delivered).toEqual([]);
    expect(await status()).toEqual([
      { k: 'one', status: 'held', attempts: 1 },
      { k: 'two', status: 'held', attempts: 1 },
    ]);
  });

  it('hands a message back when it gets no send slot in time (a group over its minute)', async () => {
    const store = createStore(db);
    const { sender, started } = recordingSender();
    const time = manualTimers();
    const dispatcher = createOutboxDispatcher({
      queue: store.outbox,
      senders: { telegram: sender },
      clock,
      log,
      rateLimits: { telegram: { perGroupPerMinute: 1 } },
      timers: time.timers,
    });
    await store.run((tx) =>
      tx.outbox.enqueue(
        [item('-100', 'digest 1', 'digest'), item('-100', 'digest 2', 'digest')],
        clock.now(),
      ),
    );
    let done = false;
    const flushed = dispatcher.flush().finally(() => {
      done = true;
    });
    for (let i = 0; !done && i < 1_000; i++) {
      await time.step();
    }
    await flushed;
    expect(started.map((s) => s.to)).toEqual(['-100:digest 1']);
    const row = await db.kysely
      .selectFrom('Outbox')
      .select(['status', 'lastError', 'nextAttemptAt'])
      .where('idempotencyKey', '=', 'digest 2')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'pending', lastError: 'waiting for a send slot (timeout)' });
    // Tried again when the group's minute (at 97 %: 61.86 s) is over: 31.86 s after the hand-back.
    expect(row.nextAttemptAt.getTime() - clock.now().getTime()).toBeCloseTo(31_856, -1);
    expect(dispatcher.stats()).toMatchObject({ sent: 1, handedBack: 1, inFlight: 0 });
  });
});
