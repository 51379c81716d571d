import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migratedDb } from '../test/support/app-harness.ts';
import { openSqlDb, type SqlDb } from './sql-db.ts';
import { createStore } from './store.ts';

/** The store's database guarantees, on a real database (SQLite, or PostgreSQL with TEST_DATABASE). */
describe('createStore', () => {
  const at = new Date('2025-03-10T03:00:00Z');

  let db: SqlDb;
  let url: string;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ db, url, close } = await migratedDb());
  });
  afterEach(() => close());

  it('rolls back everything a failed transaction wrote', async () => {
    const store = createStore(db);
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
    expect(await rowsIn(db, 'InboundSeen')).toBe(0);
    expect(await rowsIn(db, 'Outbox')).toBe(0);
    // The next transaction runs normally after a rollback.
    expect(await store.run((tx) => tx.inbound.markSeen('telegram', '1', at))).toBe(true);
    expect(await store.run((tx) => tx.inbound.markSeen('telegram', '1', at))).toBe(false);
  });

  it('serialises concurrent transactions and keeps outbox keys unique', async () => {
    const store = createStore(db);
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
    expect(await rowsIn(db, 'Outbox')).toBe(10);
  });

  it('claims each due message once, retries later, and re-claims one whose sender died', async () => {
    const store = createStore(db);
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
    expect(
      await db.kysely
        .selectFrom('Outbox')
        .select(['status', 'lastError'])
        .where('idempotencyKey', '=', 'b')
        .executeTakeFirst(),
    ).toEqual({
      status: 'failed',
      lastError: '403 Forbidden: bot was blocked by the user',
    });
  });

  it('prunes old inbound ids and sent messages', async () => {
    const store = createStore(db);
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
  it('enqueues a large fan-out once, in order, skipping keys already queued', async () => {
    const store = createStore(db);
    const items = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => ({
        channel: 'telegram' as const,
        chatId: String(from + i),
        message: { text: `m${from + i}` },
        idempotencyKey: `fan:${from + i}`,
        purpose: 'reminder' as const,
        personId: from + i,
      }));
    expect(await store.run((tx) => tx.outbox.enqueue(items(0, 150), at))).toBe(150);
    expect(await store.run((tx) => tx.outbox.enqueue([...items(100, 250), ...items(240, 260)], at))).toBe(
      110,
    );
    const rows = await db.kysely
      .selectFrom('Outbox')
      .select(['idempotencyKey', 'personId'])
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.idempotencyKey)).toEqual(Array.from({ length: 260 }, (_, i) => `fan:${i}`));
    expect(rows[259]).toEqual({ idempotencyKey: 'fan:259', personId: 259 });
  });

  it('withdraws exactly the pending messages under a key prefix', async () => {
    const store = createStore(db);
    const keys = [
      'remind:m1:12:a@telegram',
      'remind:m1:123:a@telegram',
      'remind:m1:1:a@telegram',
      'remind:m1:12',
    ];
    await store.run((tx) =>
      tx.outbox.enqueue(
        keys.map((k) => ({ channel: 'telegram', chatId: '1', message: { text: k }, idempotencyKey: k })),
        at,
      ),
    );
    expect(await store.run((tx) => tx.outbox.cancelPending('remind:m1:12:', at))).toBe(1);
    const rows = await db.kysely
      .selectFrom('Outbox')
      .select(['idempotencyKey as k', 'status'])
      .orderBy('id')
      .execute();
    expect(rows.filter((r) => r.status === 'cancelled').map((r) => r.k)).toEqual(['remind:m1:12:a@telegram']);
  });

  it('never hands one message to two dispatchers claiming at once', async () => {
    const other = openSqlDb(url);
    try {
      const a = createStore(db);
      const b = createStore(other);
      await a.run((tx) =>
        tx.outbox.enqueue(
          Array.from({ length: 200 }, (_, i) => ({
            channel: 'telegram' as const,
            chatId: String(i % 7),
            message: { text: `m${i}` },
            idempotencyKey: `k${i}`,
            purpose: i % 50 === 0 ? ('reply' as const) : ('reminder' as const),
          })),
          at,
        ),
      );
      const stale = new Date(at.getTime() - 60_000);
      const claimed: number[] = [];
      await Promise.all(
        [a, b, a, b].map(async (store) => {
          for (;;) {
            const batch = await store.outbox.claim(at, 7, stale);
            if (batch.length === 0) {
              return;
            }
            claimed.push(...batch.map((m) => m.id));
          }
        }),
      );
      expect(claimed).toHaveLength(200);
      expect(new Set(claimed).size).toBe(200);
      const sending = await db.kysely
        .selectFrom('Outbox')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('status', '=', 'sending')
        .where('attempts', '=', 1)
        .executeTakeFirstOrThrow();
      expect(Number(sending.n)).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('holds the roles read for a confirmation: a revoke or a deactivation at that moment waits or is seen', async () => {
    const { id: unitId } = await db.kysely
      .insertInto('Unit')
      .values({
        code: '01837',
        name: 'Phường Sông Cầu',
        kind: 'ward',
        validFrom: '2025-01-01',
        createdAt: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const { id: personId } = await db.kysely
      .insertInto('Person')
      .values({ fullName: 'Lã Thị Hà', locale: 'vi', active: true, createdAt: at })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.kysely
      .insertInto('Membership')
      .values({ personId, unitId, role: 'unit_officer', createdAt: at })
      .execute();
    const store = createStore(db);
    const roles = async () =>
      (await store.run((tx) => tx.people.currentActor(personId)))?.memberships.map(
        (m) => `${m.role}@${m.unitCode}`,
      );
    expect(await roles()).toEqual(['unit_officer@01837']);
    if (db.dialect === 'postgres') {
      // The CLI writes on its own connection while a confirmation's transaction holds the roles.
      const cli = openSqlDb(url);
      try {
        const events: string[] = [];
        let release = () => {};
        const held = new Promise<void>((resolve) => {
          release = resolve;
        });
        let read: (() => void) | undefined;
        const wasRead = new Promise<void>((resolve) => {
          read = resolve;
        });
        const confirmation = store.run(async (tx) => {
          await tx.people.currentActor(personId);
          read?.();
          await held;
          events.push('confirmation committed');
        });
        await wasRead;
        const revoke = revokeRoles(cli, personId, at).then(() => events.push('revoke committed'));
        const deactivate = cli.kysely
          .updateTable('Person')
          .set({ active: false })
          .where('id', '=', personId)
          .execute()
          .then(() => events.push('deactivation committed'));
        // Both writes wait on the confirmation's row locks (not on anything else) until it ends.
        // (Kysely writes its statements in lower case.)
        const waiting = async () =>
          Number(
            (
              await sql<{ n: unknown }>`SELECT COUNT(*) AS n FROM pg_stat_activity
                  WHERE datname = current_database() AND wait_event_type = 'Lock'
                    AND (query ILIKE 'update "Membership"%' OR query ILIKE 'update "Person"%')`.execute(
                cli.kysely,
              )
            ).rows[0]?.n,
          );
        for (let i = 0; i < 500 && (await waiting()) < 2; i++) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        expect(await waiting()).toBe(2);
        expect(events).toEqual([]);
        release();
        await Promise.all([confirmation, revoke, deactivate]);
        expect(events[0]).toBe('confirmation committed');
        expect(events).toHaveLength(3);
      } finally {
        await cli.close();
      }
    } else {
      await revokeRoles(db, personId, at);
    }
    // Once revoked (and deactivated), the next confirmation sees it.
    expect(await roles()).toEqual(db.dialect === 'postgres' ? undefined : []);
  });

  it('runs transactions holding the same lock one after the other, across connections', async () => {
    // SQLite: one connection per process (a second one would block the thread on the file lock
    // while the first transaction awaits); its transactions run one at a time anyway.
    const other = db.dialect === 'postgres' ? openSqlDb(url) : db;
    try {
      const events: string[] = [];
      const hold = (store: ReturnType<typeof createStore>, name: string, key: string) =>
        store.run(async (tx) => {
          await tx.lock(key);
          events.push(`${name} in`);
          await new Promise((resolve) => setTimeout(resolve, 50));
          events.push(`${name} out`);
        });
      await Promise.all([
        hold(createStore(db), 'a', 'chat:telegram:1'),
        hold(createStore(other), 'b', 'chat:telegram:1'),
      ]);
      expect(['a in,a out,b in,b out', 'b in,b out,a in,a out']).toContain(events.join(','));
    } finally {
      if (other !== db) {
        await other.close();
      }
    }
  });
});

/** COUNT(*) of a table: an integer on SQLite, a bigint on PostgreSQL. */
async function rowsIn(db: SqlDb, table: 'InboundSeen' | 'Outbox'): Promise<number> {
  const r = await db.kysely
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Revokes every role of the person (as a revoke from the CLI would). */
function revokeRoles(db: SqlDb, personId: number, at: Date) {
  return db.kysely
    .updateTable('Membership')
    .set({ revokedAt: at })
    .where('personId', '=', personId)
    .execute();
}
