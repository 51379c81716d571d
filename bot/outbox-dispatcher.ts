import type { Channel } from '../core/messaging/message.ts';
import type { ChannelSender, SendResult } from '../core/messaging/messenger.ts';
import type { ClaimedMessage, OutboxQueue } from '../core/messaging/outbox.repository.ts';
import type { Clock } from '../core/shared/clock.ts';
import { isDatabaseUnavailable } from '../prisma/sql-db.ts';
import type { Logger } from './logger.ts';
import {
  createRateLimiter,
  type LimiterTimers,
  type Permit,
  type RateLimiter,
  type RateLimits,
  RateLimitWaitError,
  realTimers,
  TELEGRAM_RATE_LIMITS,
} from './rate-limiter.ts';
import { splitText } from './split-text.ts';

/** How one channel is paced (see bot/rate-limiter.ts); `false` sends without pacing. */
export interface ChannelRateLimits extends RateLimits {
  /** Whether a chat id is a group (its per-minute window applies). Telegram: negative ids. */
  isGroup?: (chatId: string) => boolean;
  /** Characters per API message: a longer text costs several slots (a picture one more). Telegram: 4096. */
  textLimit?: number;
}

export interface DispatcherDeps {
  queue: OutboxQueue;
  senders: Partial<Record<Channel, ChannelSender>>;
  clock: Clock;
  log: Logger;
  /** How often to look for retries due, besides the kick after each commit. */
  pollMs?: number;
  /** The most messages claimed by one query. Default 50. */
  batchSize?: number;
  maxAttempts?: number;
  /**
   * Pacing per channel. Default: Telegram's limits (30/s overall, 1/s per chat, 20/min per group,
   * run at 97 %); other channels unpaced (Zalo's client has its own per-minute limiter). Given
   * options are merged over the defaults; `false` turns pacing off for the channel.
   */
  rateLimits?: Partial<Record<Channel, ChannelRateLimits | false>>;
  /**
   * The most messages claimed and not yet finished (sent, failed or handed back). More are claimed
   * whenever a batch fits. Default: 2 s worth of the paced channels' overall rate, at least 2 batches.
   */
  maxInFlight?: number;
  /**
   * The limiters' clock and timers (tests). Default: the monotonic clock, moved ahead when `clock`
   * jumps ahead of it by more than a second (tests moving a fixed clock past a retry_after).
   */
  timers?: LimiterTimers;
  /**
   * Whether an error recording a send's outcome means the database is unavailable: recording is
   * then tried again for as long as it takes (a sent message left claimed would be sent again).
   * Default: `isDatabaseUnavailable`.
   */
  mustWait?: (error: unknown) => boolean;
  /** Told what became of each message tried (metrics: bot/metrics.ts). */
  observe?: (outcome: OutboxOutcome, message: ClaimedMessage) => void;
}

/** What became of a send: `rate_limited` is a retry_after answer (Telegram's 429), also `retried`. */
export type OutboxOutcome = 'sent' | 'retried' | 'rate_limited' | 'failed' | 'held';

/** A claimed message whose process died is taken again after this long. */
const CLAIM_TIMEOUT_MS = 60_000;
/** A claimed message that gets no send slot within this long is handed back to the queue. */
const MAX_SLOT_WAIT_MS = CLAIM_TIMEOUT_MS / 2;
/** What a kick claims at once even when the pipeline is full (chats with a reply due come first). */
const URGENT_CLAIM = 10;
/** On a paced channel a flood-control answer (retry_after) is not the message's fault: allow more of them. */
const FLOOD_ATTEMPTS_FACTOR = 3;
/**
 * How long recording a send's outcome is tried again while the database is busy or unreachable
 * (well within the claim timeout, so the row is not taken again meanwhile).
 */
const RECORD_RETRY_MS = CLAIM_TIMEOUT_MS / 2;

const DEFAULT_LIMITS: Partial<Record<Channel, ChannelRateLimits>> = {
  telegram: {
    ...TELEGRAM_RATE_LIMITS,
    isGroup: (chatId) => chatId.startsWith('-'),
    textLimit: 4096,
  },
};

export interface DispatcherStats {
  /** Claimed and not yet finished. */
  inFlight: number;
  sent: number;
  /** Scheduled for another attempt (incl. flood-control answers). */
  retried: number;
  /** Answers with a retry_after seen (Telegram: 429 flood control). */
  rateLimited: number;
  /** Given up: kept as `failed` with their error. */
  failed: number;
  held: number;
  /** Claimed but handed back unsent (no slot in time, shutdown, an earlier message of the chat waits). */
  handedBack: number;
}

interface Lane {
  queue: ClaimedMessage[];
  /** An earlier message of the chat will be tried again then: later ones wait for it. */
  retryAt?: Date;
  /** The chat is held (Zalo window): later ones are held with it. */
  held?: string;
}

/**
 * Sends what the outbox holds: right after each commit (kick) and on a timer for retries.
 *
 * Messages to one chat go out in order, one at a time (a lane per chat); different chats in
 * parallel, each send taking a slot from its channel's rate limiter, so a bulk send of thousands of
 * reminders stays under the channel's flood limits. Claims are pipelined: more messages are claimed
 * while earlier ones wait for slots, up to `maxInFlight`. Replies (purpose 'reply') go first: the
 * queue claims chats with a reply due first, a kick (a commit, likely a reply) claims at once even
 * when the pipeline is full, and the limiter gives them the next free slot.
 *
 * A failure that may pass is retried with backoff (or after the channel's retry_after, when the
 * whole channel is also paused); a permanent one is kept as `failed` with its error so an admin
 * (and the digests) can see it.
 */
export function createOutboxDispatcher(deps: DispatcherDeps) {
  const pollMs = deps.pollMs ?? 2_000;
  const batchSize = deps.batchSize ?? 50;
  const maxAttempts = deps.maxAttempts ?? 8;
  const timers = deps.timers ?? followClock(deps.clock);
  const mustWait = deps.mustWait ?? isDatabaseUnavailable;

  const paced = new Map<
    Channel,
    { limiter: RateLimiter; isGroup: (chatId: string) => boolean; textLimit: number }
  >();
  for (const channel of new Set([
    ...Object.keys(DEFAULT_LIMITS),
    ...Object.keys(deps.rateLimits ?? {}),
  ]) as Set<Channel>) {
    const given = deps.rateLimits?.[channel];
    if (given === false) {
      continue;
    }
    const { isGroup, textLimit, ...limits } = { ...DEFAULT_LIMITS[channel], ...given };
    paced.set(channel, {
      limiter: createRateLimiter(limits, timers),
      isGroup: isGroup ?? (() => false),
      textLimit: textLimit ?? Number.POSITIVE_INFINITY,
    });
  }
  const pacedRate = [...paced.values()].reduce((sum, p) => sum + p.limiter.limits.globalPerSecond, 0);
  const maxInFlight = Math.max(deps.maxInFlight ?? Math.ceil(2 * pacedRate), 2 * batchSize);

  const stats: DispatcherStats = {
    inFlight: 0,
    sent: 0,
    retried: 0,
    rateLimited: 0,
    failed: 0,
    held: 0,
    handedBack: 0,
  };
  // What became of a claimed message is recorded even while the database is busy (SQLite's write
  // lock held past the busy timeout) or its connection was just cut (a PostgreSQL restart): a row
  // left claimed is taken again after the claim timeout, and one already sent would go out twice.
  const record = {
    markSent: async (id: number, at: Date) => {
      await retrying(id, () => deps.queue.markSent(id, at));
      sentHere.add(id);
      if (sentHere.size > 10_000) {
        sentHere.delete(sentHere.values().next().value as number);
      }
    },
    markFailed: (id: number, error: string, next: Date | null) =>
      retrying(id, () => deps.queue.markFailed(id, error, next)),
    markHeld: (id: number, error: string) => retrying(id, () => deps.queue.markHeld(id, error)),
  };

  // While the database is unavailable (an outage outlasting the claim timeout included), it is
  // tried until it works — only a shutdown gives up (the row is then sent again after a restart).
  async function retrying(id: number, write: () => Promise<void>): Promise<void> {
    const giveUpAt = performance.now() + RECORD_RETRY_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        await write();
        return;
      } catch (error) {
        const delay = Math.min(100 * 2 ** (attempt - 1), 2_000);
        const waitForDatabase = !stopped && mustWait(error);
        if (performance.now() + delay > giveUpAt && !waitForDatabase) {
          throw error;
        }
        if (attempt <= 10 || attempt % 30 === 0) {
          deps.log.warn({ err: error, outboxId: id, attempt }, 'recording an outbox send failed; retrying');
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  const inFlight = new Set<number>();
  /**
   * Messages this dispatcher recorded as sent lately. A claim of stale rows that ran while a send's
   * outcome was still being recorded (after an outage longer than the claim timeout) can return one
   * of them just after it was recorded: it is not sent again.
   */
  const sentHere = new Set<number>();
  const lanes = new Map<string, Lane>();
  /** Chats whose earlier message will be retried at the given time: later claims wait for it. */
  const deferred = new Map<string, Date>();
  let idleWaiters: Array<() => void> = [];

  let stopped = false;
  let started = false;
  let claimLost = false;
  let pumping: Promise<void> | undefined;
  let again = false;
  let urgent = false;
  let wakeCapacity: (() => void) | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryTimerAt = Number.POSITIVE_INFINITY;
  /** When the dispatcher last claimed or finished something (`Date.now()`; /healthz). */
  let lastRunAt = Date.now();

  // ---------------------------------------------------------------- claiming

  async function pump(): Promise<void> {
    do {
      again = false;
      while (!stopped) {
        lastRunAt = Date.now();
        // A full batch fits, or a kick asks for a few at once (a reply comes first in the claim) —
        // unless kicks have already overfilled the pipeline by a batch.
        const full = inFlight.size > maxInFlight - batchSize;
        const overfull = inFlight.size >= maxInFlight + batchSize;
        if ((full && !urgent) || overfull) {
          await new Promise<void>((resolve) => {
            wakeCapacity = resolve;
          });
          wakeCapacity = undefined;
          continue;
        }
        const wasUrgent = urgent;
        urgent = false;
        const limit = wasUrgent
          ? Math.min(batchSize, URGENT_CLAIM)
          : Math.min(batchSize, maxInFlight - inFlight.size);
        const now = deps.clock.now();
        if (claimLost) {
          // A claim failed: it may have committed with its answer lost (a PostgreSQL connection
          // cut at COMMIT), leaving rows claimed by us that no lane holds. Hand them back now
          // rather than after the claim timeout; what is on its way stays claimed.
          const released = await deps.queue.releaseClaims(new Date(now.getTime() + 1), [...inFlight]);
          claimLost = false;
          if (released > 0) {
            deps.log.info({ released }, 'claims of a failed claim released');
          }
        }
        let claimed: ClaimedMessage[];
        try {
          claimed = await deps.queue.claim(now, limit, new Date(now.getTime() - CLAIM_TIMEOUT_MS));
        } catch (error) {
          claimLost = true;
          throw error;
        }
        for (const m of claimed.sort((a, b) => a.id - b.id)) {
          dispatch(m);
        }
        if (claimed.length < limit) {
          break;
        }
      }
    } while (again && !stopped);
  }

  function run(): void {
    if (pumping !== undefined) {
      again = true;
      wakeCapacity?.();
      return;
    }
    pumping = pump()
      .catch((error: unknown) => deps.log.error({ err: error }, 'outbox drain failed'))
      .finally(() => {
        pumping = undefined;
      });
  }

  function kick(): void {
    if (stopped) {
      return;
    }
    // A commit: most likely a reply to someone chatting. Claim now even if the pipeline is full.
    urgent = true;
    run();
  }

  function scheduleRetryWake(at: Date): void {
    if (!started || stopped || at.getTime() >= retryTimerAt) {
      return;
    }
    if (retryTimer) {
      clearTimeout(retryTimer);
    }
    retryTimerAt = at.getTime();
    retryTimer = setTimeout(
      () => {
        retryTimer = undefined;
        retryTimerAt = Number.POSITIVE_INFINITY;
        if (!stopped) {
          run();
        }
      },
      Math.max(0, at.getTime() - deps.clock.now().getTime()) + 5,
    );
    retryTimer.unref();
  }

  // ---------------------------------------------------------------- sending

  function dispatch(m: ClaimedMessage): void {
    if (inFlight.has(m.id) || sentHere.has(m.id)) {
      // Ours, still waiting for a slot (or just sent), taken again as stale: it is already on its way.
      return;
    }
    inFlight.add(m.id);
    stats.inFlight = inFlight.size;
    const key = `${m.channel}:${m.chatId}`;
    const lane = lanes.get(key);
    if (lane) {
      lane.queue.push(m);
      return;
    }
    const fresh: Lane = { queue: [m] };
    lanes.set(key, fresh);
    void runLane(key, fresh);
  }

  async function runLane(key: string, lane: Lane): Promise<void> {
    try {
      for (let m = lane.queue.shift(); m; m = lane.queue.shift()) {
        try {
          await sendOne(key, lane, m);
        } catch (error) {
          // The row stays claimed and is taken again after the claim timeout.
          deps.log.error({ err: error, outboxId: m.id }, 'outbox dispatch failed');
        }
        finish(m.id);
      }
    } finally {
      lanes.delete(key);
    }
  }

  function finish(id: number): void {
    lastRunAt = Date.now();
    inFlight.delete(id);
    stats.inFlight = inFlight.size;
    if (inFlight.size <= maxInFlight - batchSize) {
      wakeCapacity?.();
    }
    if (inFlight.size === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) {
        resolve();
      }
    }
  }

  async function handBack(lane: Lane, m: ClaimedMessage, reason: string, next: Date): Promise<void> {
    stats.handedBack++;
    lane.retryAt = next;
    await record.markFailed(m.id, reason, next);
  }

  async function sendOne(key: string, lane: Lane, m: ClaimedMessage): Promise<void> {
    // A notice (reminder, escalation, acknowledgement) may still reach the person another way (Zalo's
    // ZNS template): it is tried; anything else waits with the held message before it.
    if (lane.held !== undefined && !m.message.notice) {
      stats.held++;
      deps.observe?.('held', m);
      await record.markHeld(m.id, lane.held);
      return;
    }
    if (lane.retryAt) {
      stats.handedBack++;
      await record.markFailed(m.id, 'waiting for an earlier message', lane.retryAt);
      return;
    }
    const waitFor = deferred.get(key);
    if (waitFor) {
      if (waitFor > deps.clock.now()) {
        await handBack(lane, m, 'waiting for an earlier message', waitFor);
        return;
      }
      deferred.delete(key);
    }
    if (stopped) {
      await handBack(lane, m, 'dispatcher stopped before sending', deps.clock.now());
      return;
    }
    const pacing = paced.get(m.channel);
    let permit: Permit | undefined;
    if (pacing) {
      try {
        permit = await pacing.limiter.acquire(m.chatId, {
          group: pacing.isGroup(m.chatId),
          priority: (m.purpose ?? 'reply') === 'reply',
          cost: apiMessages(m, pacing.textLimit),
          maxWaitMs: MAX_SLOT_WAIT_MS,
        });
      } catch (error) {
        if (!(error instanceof RateLimitWaitError)) {
          throw error;
        }
        const now = deps.clock.now();
        const next = new Date(
          now.getTime() + (error.reason === 'cancelled' ? 0 : Math.max(1_000, error.readyInMs)),
        );
        await handBack(lane, m, `waiting for a send slot (${error.reason})`, next);
        scheduleRetryWake(next);
        return;
      }
    }
    const sender = deps.senders[m.channel];
    const result: SendResult = sender
      ? await sender
          .send(m.chatId, m.message, { outboxId: m.id })
          .catch(
            (error: unknown): SendResult => ({
              ok: false,
              retry: true,
              error: error instanceof Error ? error.message : String(error),
            }),
          )
          .finally(() => permit?.done())
      : { ok: false, retry: true, error: `channel ${m.channel} is not running` };
    if (!sender) {
      permit?.done();
    }
    const now = deps.clock.now();
    if (result.ok) {
      stats.sent++;
      deps.observe?.('sent', m);
      await record.markSent(m.id, now);
      return;
    }
    if ('hold' in result) {
      // The chat cannot be reached until its user writes; later messages wait with it, in order.
      deps.log.info({ outboxId: m.id, channel: m.channel, error: result.error }, 'outbox message held');
      stats.held++;
      deps.observe?.('held', m);
      lane.held = result.error;
      await record.markHeld(m.id, result.error);
      return;
    }
    const retryAfterMs = result.retry ? result.retryAfterMs : undefined;
    if (retryAfterMs !== undefined) {
      stats.rateLimited++;
      deps.observe?.('rate_limited', m);
      // Flood control covers the whole channel: stop every send of it, not only this chat's.
      pacing?.limiter.pause(retryAfterMs);
    }
    const allowed = retryAfterMs !== undefined && pacing ? maxAttempts * FLOOD_ATTEMPTS_FACTOR : maxAttempts;
    const permanent = !result.retry || m.attempts >= allowed;
    const next = permanent ? null : new Date(now.getTime() + (retryAfterMs ?? backoffMs(m.attempts)));
    deps.log.warn(
      { outboxId: m.id, channel: m.channel, attempts: m.attempts, permanent, error: result.error },
      'outbox send failed',
    );
    await record.markFailed(m.id, result.error, next);
    if (next) {
      // Keep the chat's order: later messages wait for this one.
      stats.retried++;
      deps.observe?.('retried', m);
      lane.retryAt = next;
      deferred.set(key, next);
      if (deferred.size > 10_000) {
        for (const [k, at] of deferred) {
          if (at <= now) {
            deferred.delete(k);
          }
        }
      }
      scheduleRetryWake(next);
    } else {
      stats.failed++;
      deps.observe?.('failed', m);
    }
  }

  function idle(): Promise<void> {
    return inFlight.size === 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          idleWaiters.push(resolve);
        });
  }

  return {
    kick,
    start(): void {
      stopped = false;
      started = true;
      pollTimer = setInterval(run, pollMs);
      pollTimer.unref();
      // Whatever this instance (INSTANCE_ID) still has marked "sending" was claimed by a run of it
      // that died; send it now rather than after the claim timeout. Other instances' claims stay.
      void deps.queue
        .releaseClaims(deps.clock.now())
        .then((released) => {
          if (released > 0) {
            deps.log.info({ released }, 'claims of a previous run released');
          }
        })
        .catch((error: unknown) => deps.log.error({ err: error }, 'releasing old claims failed'))
        .finally(kick);
    },
    /** Stops claiming, hands back what waits for a slot, and waits for the sends in flight. */
    async stop(): Promise<void> {
      stopped = true;
      started = false;
      if (pollTimer) {
        clearInterval(pollTimer);
      }
      if (retryTimer) {
        clearTimeout(retryTimer);
        retryTimer = undefined;
        retryTimerAt = Number.POSITIVE_INFINITY;
      }
      for (const p of paced.values()) {
        p.limiter.cancelWaiting();
      }
      wakeCapacity?.();
      await pumping;
      await idle();
    },
    /** Does everything due now and resolves when it is sent, failed or handed back (tests, shutdown). */
    async flush(): Promise<void> {
      await pumping;
      stopped = false;
      urgent = false;
      run();
      await pumping;
      await idle();
    },
    stats(): DispatcherStats {
      return { ...stats };
    },
    /** Whether it runs, and when it last claimed or finished a message or looked for some. */
    liveness(): { started: boolean; lastRunAt: number; pollMs: number } {
      return { started, lastRunAt, pollMs };
    },
    /** The channel's limiter, if it is paced. */
    limiter(channel: Channel): RateLimiter | undefined {
      return paced.get(channel)?.limiter;
    },
  };
}

export type OutboxDispatcher = ReturnType<typeof createOutboxDispatcher>;

/** How many API messages a send makes: a picture before the text, then the text in parts. */
function apiMessages(m: ClaimedMessage, textLimit: number): number {
  const parts = Number.isFinite(textLimit) ? splitText(m.message.text, textLimit).length : 1;
  return (m.message.image ? 1 : 0) + Math.max(1, parts);
}

function backoffMs(attempts: number): number {
  return Math.min(1_000 * 2 ** Math.max(0, attempts - 1), 10 * 60_000);
}

/**
 * The limiters' time: the monotonic clock, moved ahead when the app's clock jumps ahead of it by
 * more than a second (a test moving a fixed clock past a retry_after ends the channel's pause too).
 * With the system clock the two run together and this is just `performance.now()`.
 */
function followClock(clock: Clock): LimiterTimers {
  let real = performance.now();
  let app = clock.now().getTime();
  let offset = 0;
  return {
    ...realTimers,
    now: () => {
      const nextReal = performance.now();
      const nextApp = clock.now().getTime();
      const ahead = nextApp - app - (nextReal - real);
      if (ahead > 1_000) {
        offset += ahead;
      }
      real = nextReal;
      app = nextApp;
      return nextReal + offset;
    },
  };
}
