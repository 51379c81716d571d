import type { Inbound } from '../core/messaging/message.ts';
import type { Clock } from '../core/shared/clock.ts';
import type { InboundEventStore, StoredEvent } from '../prisma/inbound-event-store.ts';
import { isDatabaseUnavailable } from '../prisma/sql-db.ts';
import { createDrainLoop } from './drain-loop.ts';
import type { Logger } from './logger.ts';

export interface EventProcessorDeps {
  events: InboundEventStore;
  /** Turns a stored event into the core's message; undefined for events the bot ignores. */
  toInbound: (event: StoredEvent) => Inbound | undefined;
  handleInbound: (inbound: Inbound) => Promise<unknown>;
  /**
   * Whether a failure means the database is unavailable: the event then stays pending without
   * counting as a failed try, and the events after it wait too (a chat's order is kept).
   * Default: `isDatabaseUnavailable`.
   */
  mustWait?: (error: unknown) => boolean;
  clock: Clock;
  log: Logger;
  pollMs?: number;
  maxAttempts?: number;
}

/**
 * Processes accepted webhook events in arrival order, one at a time (so one chat's messages keep
 * their order), right after each is accepted and on a timer for ones that failed. The core dedupes
 * by the event id, so processing an event twice after a crash changes nothing.
 */
export function createInboundEventProcessor(deps: EventProcessorDeps) {
  const maxAttempts = deps.maxAttempts ?? 10;
  const batchSize = 50;

  const mustWait = deps.mustWait ?? isDatabaseUnavailable;

  /** Resolves false when the event must wait for the database (and the ones after it with it). */
  async function processOne(event: StoredEvent): Promise<boolean> {
    try {
      const inbound = deps.toInbound(event);
      if (inbound) {
        await deps.handleInbound(inbound);
      }
      await deps.events.markProcessed(event.id, deps.clock.now());
      return true;
    } catch (error) {
      if (mustWait(error)) {
        deps.log.warn(
          { eventId: event.id, channel: event.channel, err: error },
          'event waits for the database',
        );
        return false;
      }
      const message = error instanceof Error ? error.message : String(error);
      deps.log.error(
        { eventId: event.id, channel: event.channel, attempts: event.attempts + 1, err: error },
        'event failed',
      );
      await deps.events.markFailed(event.id, message);
      return true;
    }
  }

  let retry: NodeJS.Timeout | undefined;
  const loop = createDrainLoop({
    drainOnce: async () => {
      const full = await deps.events.exclusive(async () => {
        const batch = await deps.events.pending(batchSize, maxAttempts);
        for (const event of batch) {
          if (!(await processOne(event))) {
            return false;
          }
        }
        return batch.length === batchSize;
      });
      if (full === undefined && retry === undefined) {
        // Another instance is processing: it may have read the queue before our event was
        // accepted, so look again shortly rather than at the next poll.
        retry = setTimeout(() => {
          retry = undefined;
          loop.kick();
        }, BUSY_RETRY_MS);
        retry.unref();
      }
      return full === true;
    },
    pollMs: deps.pollMs ?? 5_000,
    log: deps.log,
    name: 'event processing',
  });
  return {
    ...loop,
    async stop(): Promise<void> {
      clearTimeout(retry);
      retry = undefined;
      await loop.stop();
    },
  };
}

/** How soon to look again when another instance held the processor lock. */
const BUSY_RETRY_MS = 100;

export type InboundEventProcessor = ReturnType<typeof createInboundEventProcessor>;
