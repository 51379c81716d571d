import type { Channel } from '../messaging/message.ts';

/** Citizen feedback (issue 7 §5): what it is about and how far it got. */
export const FEEDBACK_TOPICS = ['household', 'construction', 'fund', 'other'] as const;
export type FeedbackTopic = (typeof FEEDBACK_TOPICS)[number];

export const FEEDBACK_STATUSES = ['received', 'handled', 'answered'] as const;
export type FeedbackStatus = (typeof FEEDBACK_STATUSES)[number];

export interface FeedbackPhoto {
  channel: Channel;
  fileId: string;
}

export interface NewFeedback {
  channel: Channel;
  /** The citizen's chat: kept to answer them, never shown to anyone else. */
  chatId: string;
  personId: number | null;
  name: string | null;
  unitId: number;
  topic: FeedbackTopic;
  text: string;
  photos: FeedbackPhoto[];
}

export interface FeedbackRecord extends NewFeedback {
  id: number;
  ref: string;
  unitName: string;
  status: FeedbackStatus;
  answer: string | null;
  handledBy: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface FeedbackRepository {
  /** Stores a new feedback with the next tracking number ("PA-0001"). */
  create(feedback: NewFeedback, at: Date): Promise<{ id: number; ref: string }>;
  findById(id: number): Promise<FeedbackRecord | undefined>;
  /** By tracking number, case-insensitive. */
  findByRef(ref: string): Promise<FeedbackRecord | undefined>;
  /** How many feedbacks a chat sent since `since` (the rate limit). */
  countByChatSince(channel: Channel, chatId: string, since: Date): Promise<number>;
  /** The chat's latest feedbacks, newest first. */
  listByChat(channel: Channel, chatId: string, limit: number): Promise<FeedbackRecord[]>;
  /** Feedback not yet answered about the given units, oldest first. */
  listOpen(unitIds: number[], limit: number): Promise<FeedbackRecord[]>;
  /**
   * Moves a feedback to `to` if its status is one of `from` (false otherwise: someone else did it
   * first); `answer` is stored when given.
   */
  setStatus(
    id: number,
    from: readonly FeedbackStatus[],
    to: FeedbackStatus,
    change: { handledBy: number; answer?: string },
    at: Date,
  ): Promise<boolean>;
}
