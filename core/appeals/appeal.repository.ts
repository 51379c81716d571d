import type { Address, Channel } from '../messaging/message.ts';

/** Who an appeal goes to (issue 17 §4), in the order duplicates are counted: a chat counts once, first. */
export const APPEAL_AUDIENCES = ['members', 'groups', 'donors'] as const;
export type AppealAudience = (typeof APPEAL_AUDIENCES)[number];

/** The photo sent with an appeal: the channel's own file id, usable on that channel. */
export interface AppealPhoto {
  channel: Channel;
  fileId: string;
}

/** An appeal (Thư kêu gọi ủng hộ) as stored. */
export interface AppealRecord {
  id: number;
  campaignId: number;
  /** "KG1": in deep links and on the pledges it brought. */
  code: string;
  text: string;
  photo: AppealPhoto | null;
  audiences: AppealAudience[];
  createdBy: number | null;
  createdAt: Date;
  sentAt: Date | null;
  recipients: number;
}

/** A chat an appeal can reach, and the person behind it (none for a group). */
export interface AppealAddress extends Address {
  personId: number | null;
}

/** What an appeal brought: its live pledges (cancelled and unverified ones left out) and the money received. */
export interface AppealTally {
  appealId: number;
  pledges: number;
  pledged: bigint;
  received: bigint;
}

export interface AppealRepository {
  /** A new appeal with the next free code ("KG1", "KG2"…), unique across campaigns. */
  create(
    appeal: Pick<AppealRecord, 'campaignId' | 'text' | 'photo' | 'audiences' | 'createdBy'>,
    at: Date,
  ): Promise<{ id: number; code: string }>;
  markSent(id: number, recipients: number, at: Date): Promise<void>;
  findById(id: number): Promise<AppealRecord | undefined>;
  /** By code, case-insensitive ("kg1" finds "KG1"). */
  findByCode(code: string): Promise<AppealRecord | undefined>;
  listByCampaign(campaignId: number): Promise<AppealRecord[]>;
  /** Records that a pledge came from an appeal (its link or its button). */
  attributePledge(pledgeId: number, appealId: number): Promise<void>;
  /** The appeal of each attributed pledge of a campaign (pledge id → appeal id). */
  pledgeAppeals(campaignId: number): Promise<Map<number, number>>;
  /** What each appeal of the campaign brought (appeals with no pledge too, at zero). */
  tallies(campaignId: number): Promise<AppealTally[]>;
  /** The private chats of people holding a live membership at one of the units. */
  memberChats(unitIds: readonly number[]): Promise<AppealAddress[]>;
  /** The private chats of people who agreed to be contacted and pledged to one of the fund levels. */
  consentingDonorChats(campaignId: number, fundUnitIds: readonly number[]): Promise<AppealAddress[]>;
  /** Whether the person agreed to hear about the campaign. */
  hasContactConsent(personId: number): Promise<boolean>;
  /** The person agreed (or no longer agrees) to hear about the campaign. */
  setContactConsent(personId: number, consent: boolean): Promise<void>;
  /** Records that the chat wants no more appeals; false when it had already said so. */
  optOut(channel: Channel, chatId: string, personId: number | null, at: Date): Promise<boolean>;
  /** Undoes `optOut`; false when the chat had not opted out. */
  optIn(channel: Channel, chatId: string): Promise<boolean>;
  isOptedOut(channel: Channel, chatId: string): Promise<boolean>;
  /**
   * Withdraws the chat's appeal messages not sent yet (status 'cancelled', as a withdrawn reminder
   * is); returns how many.
   */
  cancelQueued(channel: Channel, chatId: string, at: Date): Promise<number>;
  /** The addresses of `addresses` that did not opt out, in the same order. */
  withoutOptedOut<A extends Address>(addresses: readonly A[]): Promise<A[]>;
}
