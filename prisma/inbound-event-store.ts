import type { SqlDb } from './sql-db.ts';

export interface StoredEvent {
  id: number;
  channel: string;
  externalId: string;
  payload: string;
  receivedAt: Date;
  attempts: number;
}

/**
 * Webhook events accepted before they are processed. A webhook answers 200 only after `accept`
 * committed, so an event Zalo considers delivered survives a crash right after the answer.
 */
export interface InboundEventStore {
  /** Stores the event unless one with the same id was accepted before; false for a duplicate. */
  accept(event: { channel: string; externalId: string; payload: string }, at: Date): Promise<boolean>;
  /** Unprocessed events in arrival order, at most `limit`, skipping those that failed too often. */
  pending(limit: number, maxAttempts: number): Promise<StoredEvent[]>;
  markProcessed(id: number, at: Date): Promise<void>;
  markFailed(id: number, error: string): Promise<void>;
  /** Deletes the raw bodies of events processed before `before` (unprocessed ones stay); how many. */
  pruneProcessed(before: Date): Promise<number>;
  /** When the last event of a channel arrived, for the operator's status view. */
  lastReceivedAt(channel: string): Promise<Date | null>;
  /**
   * Runs `work` as the only processor of accepted events among the instances on this database, or
   * resolves undefined at once when another instance's processor is at work: events are processed
   * one at a time in arrival order, so one chat's messages keep their order whichever instance
   * accepted them. (PostgreSQL advisory lock, held by a transaction while `work` runs on other
   * connections; SQLite has one process.)
   */
  exclusive<T>(work: () => Promise<T>): Promise<T | undefined>;
}

export function createInboundEventStore(db: SqlDb): InboundEventStore {
  return {
    async exclusive(work) {
      if (db.dialect === 'sqlite') {
        return work();
      }
      return db.transaction(async (t) => ((await t.tryLock('inbound:processor')) ? work() : undefined));
    },
    async accept(event, at) {
      const r = await db.kysely
        .insertInto('InboundEvent')
        .values({
          channel: event.channel,
          externalId: event.externalId,
          payload: event.payload,
          receivedAt: at,
          attempts: 0,
        })
        .onConflict((oc) => oc.columns(['channel', 'externalId']).doNothing())
        .executeTakeFirst();
      return r.numInsertedOrUpdatedRows === 1n;
    },
    async pending(limit, maxAttempts) {
      return db.kysely
        .selectFrom('InboundEvent')
        .select(['id', 'channel', 'externalId', 'payload', 'receivedAt', 'attempts'])
        .where('processedAt', 'is', null)
        .where('attempts', '<', maxAttempts)
        .orderBy('id')
        .limit(limit)
        .execute();
    },
    async markProcessed(id, at) {
      await db.kysely
        .updateTable('InboundEvent')
        .set({ processedAt: at, lastError: null })
        .where('id', '=', id)
        .execute();
    },
    async markFailed(id, error) {
      await db.kysely
        .updateTable('InboundEvent')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), lastError: error.slice(0, 500) }))
        .where('id', '=', id)
        .execute();
    },
    async pruneProcessed(before) {
      const r = await db.kysely
        .deleteFrom('InboundEvent')
        .where('processedAt', 'is not', null)
        .where('processedAt', '<', before)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async lastReceivedAt(channel) {
      const row = await db.kysely
        .selectFrom('InboundEvent')
        .select('receivedAt')
        .where('channel', '=', channel)
        .orderBy('receivedAt', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row?.receivedAt ?? null;
    },
  };
}
