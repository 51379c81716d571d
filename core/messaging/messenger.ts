import type { Outbound } from './message.ts';

/** The outcome of one send, as the dispatcher needs it to decide on retries. */
export type SendResult =
  | { ok: true }
  /** Worth retrying later (network, 5xx, 429); `retryAfterMs` when the channel said how long to wait. */
  | { ok: false; retry: true; error: string; retryAfterMs?: number }
  /** Will never succeed (bot blocked, chat not found, message rejected): record it for an admin. */
  | { ok: false; retry: false; error: string }
  /**
   * Cannot reach the chat now but can once the user writes again (Zalo's 7-day window): keep it,
   * with the chat's later messages, until then.
   */
  | { ok: false; hold: true; error: string };

/**
 * One channel's way to deliver a message to a chat. Implemented in bot/ for Telegram, Zalo and
 * the playground; the outbox dispatcher is the only caller.
 */
export interface ChannelSender {
  send(chatId: string, message: Outbound, context?: SendContext): Promise<SendResult>;
}

/** Which outbox row a send is: a channel that must never send a row twice (Zalo's ZNS) keys on it. */
export interface SendContext {
  outboxId: number;
}
