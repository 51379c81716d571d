import type { Channel } from '../messaging/message.ts';

export const DIGEST_KINDS = ['weekly', 'deadline', 'semiannual'] as const;
export type ScheduledDigestKind = (typeof DIGEST_KINDS)[number];

export type GroupStatus = 'pending' | 'active' | 'removed';

/** A leadership group (Telegram group or Zalo GMF) and the digests it receives for its area. */
export interface LeadershipGroupRecord {
  id: number;
  channel: Channel;
  chatId: string;
  title: string | null;
  unitId: number;
  digests: ScheduledDigestKind[];
  status: GroupStatus;
  requestedBy: number | null;
  requestedAt: Date;
  confirmedBy: number | null;
  confirmedAt: Date | null;
  /** The pinned totals message (issue 17 §3); all null before the first one is sent. */
  pinned: PinnedMessage;
}

/** The group's pinned totals message: its id in the chat, the text last put in it, and when. */
export interface PinnedMessage {
  messageId: string | null;
  text: string | null;
  /** The last send or edit, or a claim of the next one (`claimPinned`): the edits' pace and lease. */
  at: Date | null;
}

export interface GroupRepository {
  findByChat(channel: Channel, chatId: string): Promise<LeadershipGroupRecord | undefined>;
  findById(id: number): Promise<LeadershipGroupRecord | undefined>;
  /**
   * Records a registration request for the chat (a repeated request updates the area and the
   * digests); a group already active stays active unless `status` says otherwise.
   */
  request(
    g: {
      channel: Channel;
      chatId: string;
      title: string | null;
      unitId: number;
      digests: ScheduledDigestKind[];
      requestedBy: number;
    },
    status: GroupStatus,
    at: Date,
  ): Promise<LeadershipGroupRecord>;
  /** Changes the status only from `from`; false when it was no longer `from` (a second tap). */
  setStatus(
    id: number,
    from: GroupStatus,
    to: GroupStatus,
    personId: number | null,
    at: Date,
  ): Promise<boolean>;
  listActive(): Promise<LeadershipGroupRecord[]>;
  /**
   * Takes the group's next pinned-message send or edit: moves `pinned.at` from `seenAt` (as read,
   * null for never) to `at`. False when it had moved meanwhile: another instance took it.
   */
  claimPinned(id: number, seenAt: Date | null, at: Date): Promise<boolean>;
  /** Records the pinned message sent or edited (its id and text) at `at`. */
  setPinned(id: number, pinned: { messageId: string; text: string }, at: Date): Promise<void>;
}
