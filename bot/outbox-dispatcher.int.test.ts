import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Outbound } from '../core/messaging/message.ts';
import type { ChannelSender, SendResult } from '../core/messaging/messenger.ts';
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
});
