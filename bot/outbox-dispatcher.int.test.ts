import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Outbound } from '../core/messaging/message.ts';
import type { ChannelSender, SendResult } from '../core/messaging/messenger.ts';
import type { OutboxItem } from '../core/messaging/outbox.repository.ts';
import { createFixedClock } from '../core/shared/clock.ts';
import type { SqliteDatabase } from '../prisma/sqlite.ts';
import { createSqliteStore } from '../prisma/sqlite-store.ts';
import { migratedSqlite } from '../test/support/app-harness.ts';
import { createLogger } from './logger.ts';
import { createOutboxDispatcher } from './outbox-dispatcher.ts';

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

describe('outbox dispatcher on SQLite', () => {
  const clock = createFixedClock('2025-03-10T03:00:00Z');
  const log = createLogger({ level: 'silent', secrets: [] });

  let db: SqliteDatabase;
  let close: () => void;
  beforeEach(() => {
    ({ db, close } = migratedSqlite());
  });
  afterEach(() => close());

  async function enqueue(store: ReturnType<typeof createSqliteStore>, texts: string[]) {
    await store.run((tx) =>
      tx.outbox.enqueue(
        texts.map((text) => ({ channel: 'telegram', chatId: '42', message: { text }, idempotencyKey: text })),
        clock.now(),
      ),
    );
  }

  function status(): unknown[] {
    return db.prepare('SELECT idempotencyKey AS k, status, attempts FROM "Outbox" ORDER BY id').all();
  }

  it('keeps a chat in order when a send fails, and retries after retry_after', async () => {
    const store = createSqliteStore(db);
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
    expect(status()).toEqual([
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
    const store = createSqliteStore(db);
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
      db.prepare(`SELECT status, lastError FROM "Outbox" WHERE idempotencyKey = 'blocked'`).get(),
    ).toEqual({
      status: 'failed',
      lastError: '403 Forbidden: bot was blocked by the user',
    });
  });

  it('gives up after the maximum number of attempts', async () => {
    const store = createSqliteStore(db);
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
    expect(status()).toEqual([{ k: 'x', status: 'failed', attempts: 3 }]);
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
    const store = createSqliteStore(db);
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
    db.prepare(`UPDATE "Outbox" SET status = 'pending', attempts = 0`).run();
    await dispatcher.flush();
    const order = started.map((s) => s.to);
    expect(order).toHaveLength(22);
    expect(order.indexOf('42:earlier reminder')).toBeLessThan(5);
    expect(order.indexOf('42:the reply')).toBeGreaterThan(order.indexOf('42:earlier reminder'));
    expect(order.indexOf('42:the reply')).toBeLessThan(10);
  });

  it('pauses the whole channel, not only the chat, on a 429', async () => {
    const store = createSqliteStore(db);
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
    expect(status()).toEqual([
      { k: 'a', status: 'pending', attempts: 1 },
      { k: 'b', status: 'sent', attempts: 1 },
    ]);
  });

  it('sends a message claimed by a process that died, after the claim timeout', async () => {
    const store = createSqliteStore(db);
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
    expect(status()).toEqual([{ k: 'orphan', status: 'sent', attempts: 2 }]);
  });

  it('holds a chat that cannot be reached, with its later messages', async () => {
    const store = createSqliteStore(db);
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
    expect(status()).toEqual([
      { k: 'one', status: 'held', attempts: 1 },
      { k: 'two', status: 'held', attempts: 1 },
    ]);
  });

  it('hands a message back when it gets no send slot in time (a group over its minute)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const store = createSqliteStore(db);
      const { sender, started } = recordingSender();
      const dispatcher = createOutboxDispatcher({
        queue: store.outbox,
        senders: { telegram: sender },
        clock,
        log,
        rateLimits: { telegram: { perGroupPerMinute: 1 } },
        timers: {
          now: () => Date.now(),
          setTimeout: (fn, ms) => setTimeout(fn, ms),
          clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
        },
      });
      await store.run((tx) =>
        tx.outbox.enqueue(
          [item('-100', 'digest 1', 'digest'), item('-100', 'digest 2', 'digest')],
          clock.now(),
        ),
      );
      const flushed = dispatcher.flush();
      await vi.advanceTimersByTimeAsync(30_000);
      await flushed;
      expect(started.map((s) => s.to)).toEqual(['-100:digest 1']);
      const row = db
        .prepare(`SELECT status, lastError, nextAttemptAt FROM "Outbox" WHERE idempotencyKey = 'digest 2'`)
        .get() as { status: string; lastError: string; nextAttemptAt: string };
      expect(row).toMatchObject({ status: 'pending', lastError: 'waiting for a send slot (timeout)' });
      // Tried again when the group's minute (at 97 %: 61.86 s) is over: 31.86 s after the hand-back.
      expect(new Date(row.nextAttemptAt).getTime() - clock.now().getTime()).toBeCloseTo(31_856, -1);
      expect(dispatcher.stats()).toMatchObject({ sent: 1, handedBack: 1, inFlight: 0 });
    } finally {
      vi.useRealTimers();
    }
  });
});
