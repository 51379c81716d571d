import type { Channel } from '../core/messaging/message.ts';
import type { ChannelSender, SendResult } from '../core/messaging/messenger.ts';
import type { ClaimedMessage, OutboxQueue } from '../core/messaging/outbox.repository.ts';
import type { Clock } from '../core/shared/clock.ts';
import { createDrainLoop } from './drain-loop.ts';
import type { Logger } from './logger.ts';

export interface DispatcherDeps {
  queue: OutboxQueue;
  senders: Partial<Record<Channel, ChannelSender>>;
  clock: Clock;
  log: Logger;
  /** How often to look for retries due, besides the kick after each commit. */
  pollMs?: number;
  batchSize?: number;
  maxAttempts?: number;
}

/** A claimed message whose process died is taken again after this long. */
const CLAIM_TIMEOUT_MS = 60_000;

/**
 * Sends what the outbox holds: right after each commit (kick) and on a timer for retries. Messages
 * to one chat go out in order, one at a time; different chats in parallel. A failure that may pass
 * is retried with backoff (or after the channel's retry_after); a permanent one is kept as
 * `failed` with its error so an admin can see it.
 */
export function createOutboxDispatcher(deps: DispatcherDeps) {
  const pollMs = deps.pollMs ?? 2_000;
  const batchSize = deps.batchSize ?? 50;
  const maxAttempts = deps.maxAttempts ?? 8;

  async function sendChat(messages: ClaimedMessage[]): Promise<void> {
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i];
      if (!m) {
        continue;
      }
      const sender = deps.senders[m.channel];
      const result: SendResult = sender
        ? await sender.send(m.chatId, m.message).catch(
            (error: unknown): SendResult => ({
              ok: false,
              retry: true,
              error: error instanceof Error ? error.message : String(error),
            }),
          )
        : { ok: false, retry: true, error: `channel ${m.channel} is not running` };
      const now = deps.clock.now();
      if (result.ok) {
        await deps.queue.markSent(m.id, now);
        continue;
      }
      if ('hold' in result) {
        // The chat cannot be reached until its user writes; later messages wait with it, in order.
        deps.log.info({ outboxId: m.id, channel: m.channel, error: result.error }, 'outbox message held');
        for (const held of messages.slice(i)) {
          await deps.queue.markHeld(held.id, result.error);
        }
        return;
      }
      const permanent = !result.retry || m.attempts >= maxAttempts;
      const delay = (result.retry ? result.retryAfterMs : undefined) ?? backoffMs(m.attempts);
      const next = permanent ? null : new Date(now.getTime() + delay);
      deps.log.warn(
        { outboxId: m.id, channel: m.channel, attempts: m.attempts, permanent, error: result.error },
        'outbox send failed',
      );
      await deps.queue.markFailed(m.id, result.error, next);
      if (!permanent) {
        // Keep the chat's order: later messages wait for this one.
        for (const later of messages.slice(i + 1)) {
          await deps.queue.markFailed(later.id, 'waiting for an earlier message', next);
        }
        return;
      }
    }
  }

  async function drainOnce(): Promise<number> {
    const now = deps.clock.now();
    const claimed = await deps.queue.claim(now, batchSize, new Date(now.getTime() - CLAIM_TIMEOUT_MS));
    const byChat = new Map<string, ClaimedMessage[]>();
    for (const m of claimed) {
      const key = `${m.channel}:${m.chatId}`;
      byChat.set(key, [...(byChat.get(key) ?? []), m]);
    }
    const results = await Promise.allSettled([...byChat.values()].map(sendChat));
    for (const r of results) {
      if (r.status === 'rejected') {
        deps.log.error({ err: r.reason }, 'outbox dispatch failed');
      }
    }
    return claimed.length;
  }

  return createDrainLoop({
    drainOnce: async () => (await drainOnce()) === batchSize,
    pollMs,
    log: deps.log,
    name: 'outbox drain',
  });
}

export type OutboxDispatcher = ReturnType<typeof createOutboxDispatcher>;

function backoffMs(attempts: number): number {
  return Math.min(1_000 * 2 ** Math.max(0, attempts - 1), 10 * 60_000);
}
