import type { SqlDb } from './sql-db.ts';
import { fromDbTime } from './sqlite.ts';

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
      return (
        (await db.run(
          `INSERT INTO "InboundEvent" (channel, externalId, payload, receivedAt, attempts)
           VALUES (?, ?, ?, ?, 0) ON CONFLICT (channel, externalId) DO NOTHING`,
          [event.channel, event.externalId, event.payload, at],
        )) === 1
      );
    },
    async pending(limit, maxAttempts) {
      const rows = await db.all(
        `SELECT id, channel, externalId, payload, receivedAt, attempts FROM "InboundEvent"
          WHERE processedAt IS NULL AND attempts < ? ORDER BY id LIMIT ?`,
        [maxAttempts, limit],
      );
      return rows.map((r) => ({
        id: Number(r.id),
        channel: String(r.channel),
        externalId: String(r.externalId),
        payload: String(r.payload),
        receivedAt: fromDbTime(r.receivedAt),
        attempts: Number(r.attempts),
      }));
    },
    async markProcessed(id, at) {
      await db.run('UPDATE "InboundEvent" SET processedAt = ?, lastError = NULL WHERE id = ?', [at, id]);
    },
    async markFailed(id, error) {
      await db.run('UPDATE "InboundEvent" SET attempts = attempts + 1, lastError = ? WHERE id = ?', [
        error.slice(0, 500),
        id,
      ]);
    },
    async pruneProcessed(before) {
      return db.run('DELETE FROM "InboundEvent" WHERE processedAt IS NOT NULL AND processedAt < ?', [before]);
    },
    async lastReceivedAt(channel) {
      const row = await db.get('SELECT MAX(receivedAt) AS at FROM "InboundEvent" WHERE channel = ?', [
        channel,
      ]);
      return row?.at ? fromDbTime(row.at) : null;
    },
  };
}
