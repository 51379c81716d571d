import type { Role } from '../shared/actor.ts';
import type { ReminderChat } from './planner.ts';

/** A person with a role in a unit and the chats they can be reached in. */
export interface MemberWithChats {
  personId: number;
  fullName: string;
  unitId: number;
  role: Role;
  chats: ReminderChat[];
}

export interface ReminderPauseRecord {
  personId: number;
  periodId: number | null;
  until: string | null;
}

/** A bulk message already in the outbox (reminders, escalations, pledge reminders, digests). */
export interface BulkMessage {
  idempotencyKey: string;
  personId: number | null;
  purpose: string;
  status: string;
  lastError: string | null;
  createdAt: Date;
}

/** What the reminder scheduler reads and writes besides the outbox (issue 6). */
export interface ReminderRepository {
  /** Active people with one of the roles (only these people, if given), one row per membership, with their chats. */
  members(roles: readonly Role[], personIds?: readonly number[]): Promise<MemberWithChats[]>;
  /** Every (period, unit) that has a monthly, quarterly or final report (of these periods, if given). */
  submitted(
    campaignId: number,
    periodIds?: readonly number[],
  ): Promise<{ periodId: number; unitId: number }[]>;
  pauses(): Promise<ReminderPauseRecord[]>;
  addPause(pause: ReminderPauseRecord & { reason: string }, at: Date): Promise<void>;
  /** Bulk messages created since `since` (not replies). */
  bulkSince(since: Date): Promise<BulkMessage[]>;
  /** The campaign's settings object (JSON in the database; `{}` when unset). */
  settings(campaignId: number): Promise<Record<string, unknown>>;
  saveSettings(campaignId: number, settings: Record<string, unknown>): Promise<void>;
}
