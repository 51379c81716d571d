import type { Channel, Outbound } from './message.ts';

export interface OutboxItem {
  channel: Channel;
  chatId: string;
  message: Outbound;
  /** Unique: enqueueing the same key twice keeps the first (safe to repeat). */
  idempotencyKey: string;
  /** What the message is (default a reply): bulk sends are counted and reported by it. */
  purpose?: OutboxPurpose;
  /** The person a reminder or notice is for. */
  personId?: number | null;
}

export type OutboxPurpose =
  | 'reply'
  | 'reminder'
  | 'escalation'
  | 'pledge_reminder'
  | 'digest'
  | 'notice'
  /** An appeal (Thư kêu gọi ủng hộ): withdrawn when its chat asks for no more. */
  | 'appeal';

export interface ClaimedMessage extends OutboxItem {
  id: number;
  attempts: number;
}

export interface OutboxRepository {
  /** Returns how many were new (a key already there is skipped). */
  enqueue(items: OutboxItem[], at: Date): Promise<number>;
  /**
   * Withdraws messages not sent yet whose key starts with `keyPrefix` (a report came in: its
   * queued reminders must not go out); returns how many.
   */
  cancelPending(keyPrefix: string, at: Date): Promise<number>;
  /** The user wrote: messages held until they did go out again. */
  releaseHeld(channel: Channel, chatId: string, at: Date): Promise<void>;
  /** Messages by purpose and status, with the oldest one's creation time (operators' overview). */
  counts(): Promise<{ purpose: string; status: string; count: number; oldest: Date }[]>;
}

/** Used by the dispatcher outside inbound transactions. */
export interface OutboxQueue {
  /** Atomically claims due messages (also ones claimed long ago by a process that died). */
  claim(now: Date, limit: number, staleBefore: Date): Promise<ClaimedMessage[]>;
  markSent(id: number, at: Date): Promise<void>;
  /** Schedules another attempt, or gives up with `failed` when `nextAttemptAt` is null. */
  markFailed(id: number, error: string, nextAttemptAt: Date | null): Promise<void>;
  /**
   * Puts messages claimed before `before` back to `pending` (a dispatcher starting after a crash:
   * its predecessor's claims would otherwise wait out the claim timeout; a claim whose answer was
   * lost with its connection), except those in `keep` (still on their way). Returns how many.
   */
  releaseClaims(before: Date, keep?: readonly number[]): Promise<number>;
  /** Keeps the message until the user writes again (see OutboxRepository.releaseHeld). */
  markHeld(id: number, error: string): Promise<void>;
  /** What waits to be sent, by channel (health and metrics): one indexed query. */
  backlog(now: Date): Promise<OutboxBacklog[]>;
}

export interface OutboxBacklog {
  channel: Channel;
  /** Not sent yet: pending (due or scheduled for a retry) or being sent. */
  pending: number;
  /** When the longest-waiting message that is due became due; null when none is due. */
  oldestDueAt: Date | null;
}

export interface InboundRepository {
  /** Records an inbound event id; false when it was seen before (a redelivery). */
  markSeen(channel: Channel, externalId: string, at: Date): Promise<boolean>;
}

/** Where an audited change came from: a chat channel, or the operator's command line. */
export type AuditChannel = Channel | 'cli';

export interface AuditEntry {
  personId: number | null;
  channel: AuditChannel | null;
  action: string;
  entity: string;
  entityId: string | null;
  before?: unknown;
  after?: unknown;
}

/** Who made an audited change: a person in a chat, or the operator's shell (`{ personId: null, channel: 'cli' }`). */
export type AuditSource = Pick<AuditEntry, 'personId' | 'channel'>;

/** The operator's command line, as an audit source. */
export const CLI_SOURCE: AuditSource = { personId: null, channel: 'cli' };

export interface AuditRepository {
  record(entry: AuditEntry, at: Date): Promise<void>;
}
