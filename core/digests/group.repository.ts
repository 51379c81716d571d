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
}
