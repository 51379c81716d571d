import type { InboundOutcome } from '../core/inbound/handle-inbound.ts';
import type { Inbound } from '../core/messaging/message.ts';
import { AppError, isRetryable } from '../core/shared/app-error.ts';
import type { DatabaseHealth } from './database-health.ts';
import type { Logger } from './logger.ts';

/** How long one handling of a message waits for a database that is away before the channel takes over. */
const DATABASE_PATIENCE_MS = 5_000;

/**
 * A failed transaction left nothing behind (the inbound id is not recorded), so trying the same
 * message again is safe. Three tries in general; while the database is unavailable (a restart, a
 * lock held past the busy timeout, an unwritable disk) tries go on, further apart, for up to
 * DATABASE_PATIENCE_MS (a restart of a few seconds passes unnoticed), and during an outage the chat
 * is told once that its message waits. Then the error reaches the channel, which keeps the message
 * for later: long polling tries the same update again and fetches nothing past it
 * (telegram-polling.ts), a Telegram webhook answers 500 so Telegram delivers it again, a stored Zalo
 * event stays pending (inbound-event-processor.ts).
 */
export function withRetry(
  handle: (inbound: Inbound) => Promise<InboundOutcome>,
  log: Logger,
  health: Pick<DatabaseHealth, 'mustWait' | 'busy'>,
  replyToFault: (inbound: Inbound, error: AppError) => Promise<void>,
) {
  return async (inbound: Inbound): Promise<InboundOutcome> => {
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await handle(inbound);
      } catch (error) {
        if (error instanceof AppError && !isRetryable(error)) {
          // A coded fault of the core comes back on every try: not retried, the fault is logged and
          // the chat told that nothing was saved; the message counts as answered.
          log.error(
            { code: error.code, err: error, channel: inbound.channel },
            'inbound message met a fault',
          );
          await replyToFault(inbound, error);
          return { duplicate: false, replies: 1 };
        }
        const mustWait = health.mustWait(error);
        if (mustWait) {
          health.busy(inbound);
        }
        const waitForDatabase = mustWait && performance.now() - started < DATABASE_PATIENCE_MS;
        if (attempt >= 3 && !waitForDatabase) {
          throw error;
        }
        log.warn({ err: error, channel: inbound.channel, attempt }, 'inbound handling failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** (attempt - 1), 2_000)));
      }
    }
  };
}
