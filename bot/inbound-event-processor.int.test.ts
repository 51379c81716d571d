import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Inbound } from '../core/messaging/message.ts';
import { createFixedClock } from '../core/shared/clock.ts';
import { createInboundEventStore } from '../prisma/inbound-event-store.ts';
import type { SqlDb } from '../prisma/sql-db.ts';
import { migratedDb, TEST_DIALECT } from '../test/support/app-harness.ts';
import { createInboundEventProcessor } from './inbound-event-processor.ts';
import { createLogger } from './logger.ts';

/**
 * Stored webhook events (Zalo) and a database that fails while they are processed: an event whose
 * handling meets an unavailable database is not a failed try — it stays pending however long the
 * database fails (more passes than the 10 tries a broken event gets), and the events after it wait
 * with it, so a chat's messages keep their order. A broken event still counts its tries.
 */
describe(`stored events while the database fails (${TEST_DIALECT})`, () => {
  const clock = createFixedClock('2025-03-10T03:00:00Z');
  const log = createLogger({ level: 'silent', secrets: [] });
  let db: SqlDb;
  let close: () => Promise<void>;

  beforeEach(async () => {
    ({ db, close } = await migratedDb());
  });
  afterEach(() => close());

  function inbound(text: string): Inbound {
    return {
      channel: 'zalo',
      chatId: 'u1',
      chatType: 'private',
      senderId: 'u1',
      externalId: text,
      receivedAt: clock.now(),
      kind: 'text',
      text,
    };
  }

  it('keeps an event waiting for the database pending, in order, past the tries a broken event gets', async () => {
    const events = createInboundEventStore(db);
    for (const id of ['m1', 'm2', 'm3']) {
      await events.accept({ channel: 'zalo', externalId: id, payload: id }, clock.now());
    }
    let outage = 15;
    const handled: string[] = [];
    const processor = createInboundEventProcessor({
      events,
      toInbound: (event) => inbound(event.payload),
      handleInbound: async (message) => {
        if (outage > 0) {
          outage -= 1;
          throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' });
        }
        handled.push(message.externalId);
      },
      clock,
      log,
    });
    for (let pass = 0; pass < 15; pass++) {
      await processor.flush();
      expect(handled).toEqual([]);
    }
    expect(
      await db.kysely.selectFrom('InboundEvent').select(['externalId', 'attempts']).orderBy('id').execute(),
    ).toEqual([
      { externalId: 'm1', attempts: 0 },
      { externalId: 'm2', attempts: 0 },
      { externalId: 'm3', attempts: 0 },
    ]);
    await processor.flush();
    expect(handled).toEqual(['m1', 'm2', 'm3']);
    const unprocessed = await db.kysely
      .selectFrom('InboundEvent')
      .select((eb) => eb.fn.countAll<number | bigint>().as('n'))
      .where('processedAt', 'is', null)
      .executeTakeFirstOrThrow();
    // COUNT is an integer on SQLite, a bigint on PostgreSQL.
    expect(Number(unprocessed.n)).toBe(0);
    await processor.stop();
  });

  it('still counts the tries of an event that fails for another reason, and goes on with the next', async () => {
    const events = createInboundEventStore(db);
    for (const id of ['bad', 'good']) {
      await events.accept({ channel: 'zalo', externalId: id, payload: id }, clock.now());
    }
    const handled: string[] = [];
    const processor = createInboundEventProcessor({
      events,
      toInbound: (event) => inbound(event.payload),
      handleInbound: async (message) => {
        if (message.externalId === 'bad') {
          throw new Error('a bug');
        }
        handled.push(message.externalId);
      },
      clock,
      log,
    });
    await processor.flush();
    expect(handled).toEqual(['good']);
    expect(
      await db.kysely
        .selectFrom('InboundEvent')
        .select(['attempts', 'lastError'])
        .where('externalId', '=', 'bad')
        .executeTakeFirst(),
    ).toEqual({
      attempts: 1,
      lastError: 'a bug',
    });
    await processor.stop();
  });
});
