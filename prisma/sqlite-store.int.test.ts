import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migratedSqlite } from '../test/support/app-harness.ts';
import type { SqliteDatabase } from './sqlite.ts';
import { createSqliteStore } from './sqlite-store.ts';

/** The store's database guarantees, on a real SQLite file. */
describe('createSqliteStore', () => {
  const at = new Date('2025-03-10T03:00:00Z');

  let db: SqliteDatabase;
  let close: () => void;
  beforeEach(() => {
    ({ db, close } = migratedSqlite());
  });
  afterEach(() => close());

  it('rolls back everything a failed transaction wrote', async () => {
    const store = createSqliteStore(db);
    await expect(
      store.run(async (tx) => {
        await tx.inbound.markSeen('telegram', '1', at);
        await tx.outbox.enqueue(
          [{ channel: 'telegram', chatId: '5', message: { text: 'x' }, idempotencyKey: 'k' }],
          at,
        );
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(db.prepare('SELECT COUNT(*) AS n FROM "InboundSeen"').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM "Outbox"').get()).toEqual({ n: 0 });
    // The next transaction runs normally after a rollback.
    expect(await store.run((tx) => tx.inbound.markSeen('telegram', '1', at))).toBe(true);
    expect(await store.run((tx) => tx.inbound.markSeen('telegram', '1', at))).toBe(false);
  });

  it('serialises concurrent transactions and keeps outbox keys unique', async () => {
    const store = createSqliteStore(db);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.run(async (tx) => {
          await tx.outbox.enqueue(
            [
              {
                channel: 'telegram',
                chatId: String(i % 3),
                message: { text: `m${i}` },
                idempotencyKey: `k${i % 10}`,
              },
            ],
            at,
          );
        }),
      ),
    );
    expect(db.prepare('SELECT COUNT(*) AS n FROM "Outbox"').get()).toEqual({ n: 10 });
  });

  it('claims each due message once, retries later, and re-claims one whose sender died', async () => {
    const store = createSqliteStore(db);
    await store.run((tx) =>
      tx.outbox.enqueue(
        [
          { channel: 'telegram', chatId: '1', message: { text: 'a' }, idempotencyKey: 'a' },
          { channel: 'telegram', chatId: '1', message: { text: 'b' }, idempotencyKey: 'b' },
        ],
        at,
      ),
    );
    const first = await store.outbox.claim(at, 10, new Date(at.getTime() - 60_000));
    expect(first.map((m) => m.message.text)).toEqual(['a', 'b']);
    expect(await store.outbox.claim(at, 10, new Date(at.getTime() - 60_000))).toEqual([]);
    await store.outbox.markSent(first[0]?.id ?? 0, at);
    await store.outbox.markFailed(first[1]?.id ?? 0, '500', new Date(at.getTime() + 5_000));
    expect(await store.outbox.claim(at, 10, new Date(at.getTime() - 60_000))).toEqual([]);
    const later = new Date(at.getTime() + 5_000);
    const retried = await store.outbox.claim(later, 10, new Date(later.getTime() - 60_000));
    expect(retried).toMatchObject([{ idempotencyKey: 'b', attempts: 2 }]);
    // Claimed, then the process died: after the claim timeout another dispatcher takes it.
    const muchLater = new Date(at.getTime() + 120_000);
    expect(await store.outbox.claim(muchLater, 10, new Date(muchLater.getTime() - 60_000))).toMatchObject([
      { idempotencyKey: 'b', attempts: 3 },
    ]);
    await store.outbox.markFailed(retried[0]?.id ?? 0, '403 Forbidden: bot was blocked by the user', null);
    expect(db.prepare(`SELECT status, lastError FROM "Outbox" WHERE idempotencyKey = 'b'`).get()).toEqual({
      status: 'failed',
      lastError: '403 Forbidden: bot was blocked by the user',
    });
  });

  it('prunes old inbound ids and sent messages', async () => {
    const store = createSqliteStore(db);
    await store.run(async (tx) => {
      await tx.inbound.markSeen('telegram', 'old', at);
      await tx.outbox.enqueue(
        [{ channel: 'telegram', chatId: '1', message: { text: 'a' }, idempotencyKey: 'a' }],
        at,
      );
    });
    const [claimed] = await store.outbox.claim(at, 1, at);
    await store.outbox.markSent(claimed?.id ?? 0, at);
    expect(await store.prune(new Date(at.getTime() + 1))).toBe(2);
    expect(await store.run((tx) => tx.inbound.markSeen('telegram', 'old', at))).toBe(true);
  });
});
