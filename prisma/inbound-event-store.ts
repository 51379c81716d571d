import { cachedStatements, fromDbTime, type SqliteDatabase, toDbTime } from './sqlite.ts';

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
  /** When the last event of a channel arrived, for the operator's status view. */
  lastReceivedAt(channel: string): Promise<Date | null>;
}

export function createSqliteInboundEventStore(db: SqliteDatabase): InboundEventStore {
  const stmt = cachedStatements(db);
  return {
    async accept(event, at) {
      return (
        stmt(
          `INSERT INTO "InboundEvent" (channel, externalId, payload, receivedAt, attempts)
           VALUES (?, ?, ?, ?, 0) ON CONFLICT (channel, externalId) DO NOTHING`,
        ).run(event.channel, event.externalId, event.payload, toDbTime(at)).changes === 1
      );
    },
    async pending(limit, maxAttempts) {
      const rows = stmt(
        `SELECT id, channel, externalId, payload, receivedAt, attempts FROM "InboundEvent"
          WHERE processedAt IS NULL AND attempts < ? ORDER BY id LIMIT ?`,
      ).all(maxAttempts, limit) as Record<string, unknown>[];
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
      stmt('UPDATE "InboundEvent" SET processedAt = ?, lastError = NULL WHERE id = ?').run(toDbTime(at), id);
    },
    async markFailed(id, error) {
      stmt('UPDATE "InboundEvent" SET attempts = attempts + 1, lastError = ? WHERE id = ?').run(
        error.slice(0, 500),
        id,
      );
    },
    async lastReceivedAt(channel) {
      const row = stmt('SELECT MAX(receivedAt) AS at FROM "InboundEvent" WHERE channel = ?').get(channel) as
        | { at: string | null }
        | undefined;
      return row?.at ? fromDbTime(row.at) : null;
    },
  };
}
