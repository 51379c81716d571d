/**
 * Paces the sends of one channel so they stay under the channel's flood limits instead of running
 * into them. Every send asks `acquire(chatId)` for a permit, goes out when it is granted and calls
 * `permit.done()` when the API answered.
 *
 * - Overall pace: a leaky bucket, one slot every 1 / (rate × headroom) seconds. A timer that fires a
 *   little late may take its slot late (up to `catchUpMs`) without shifting the grid, so the average
 *   rate holds; after a longer stall (or idleness) the grid starts again from now — missed slots are
 *   never made up in a burst.
 * - Sliding windows, counted on when sends END: overall at most `globalPerSecond` in any second, per
 *   chat `perChatPerSecond` (window stretched by the headroom), per group `perGroupPerMinute` in
 *   60 s / headroom. A send counts from its grant until its window has passed after `done()`; while
 *   it is in flight it counts as not yet ended. The server sees a message somewhere between the
 *   grant and the answer, so a window never holds more at the server than here — however the
 *   network delays, stalls and then bunches requests (a pure pace cannot promise that).
 * - Priority sends (replies to a person who is chatting) take the next free slot before bulk ones
 *   and, by default, skip the per-chat window (Telegram allows short bursts in a chat; a reply
 *   should not wait a second behind the previous one) — they still count in it for bulk sends.
 * - `pause(ms)` holds the whole channel (a 429 with retry_after).
 *
 * Among equals, first come first served, skipping a waiter whose chat or group must wait so the
 * others are not held behind it. Times are milliseconds from `timers.now()`; tests replace it.
 */

export interface RateLimits {
  /** Messages per second over the whole channel; 0 = no limit. Default 30 (Telegram). */
  globalPerSecond?: number;
  /** Messages per second to one chat; 0 = no limit. Default 1 (Telegram). */
  perChatPerSecond?: number;
  /** Messages per minute to one group chat; 0 = no limit. Default 20 (Telegram). */
  perGroupPerMinute?: number;
  /**
   * The share of each rate actually used, to absorb jitter between this process and the server.
   * Default 0.97 (30/s → one send every 34.4 ms; per chat one per 1.03 s; per group 20 per 61.9 s).
   */
  headroom?: number;
  /** Priority sends skip the per-chat window (they still count in it). Default true. */
  priorityBypassesPerChat?: boolean;
  /** How late a slot of the overall pace may still be taken without moving the grid. Default 10 ms. */
  catchUpMs?: number;
  /**
   * A send counts in the windows until its answer came back (default true): safe however requests
   * are delayed and bunched on the way, at the price of ≈ rate / (1 + round trip in s) at most — a
   * 200 ms round trip caps 30/s at 25/s. False counts a send at its grant only (the pace's headroom
   * then has to absorb all jitter).
   */
  countUntilAnswered?: boolean;
}

/** Telegram's documented limits: ~30 messages/s overall, 1/s per chat, 20/min per group. */
export const TELEGRAM_RATE_LIMITS = {
  globalPerSecond: 30,
  perChatPerSecond: 1,
  perGroupPerMinute: 20,
  headroom: 0.97,
  priorityBypassesPerChat: true,
  catchUpMs: 10,
  countUntilAnswered: true,
} as const satisfies Required<RateLimits>;

export interface AcquireOptions {
  /** The chat is a group: the per-group window applies too. */
  group?: boolean;
  /** Goes before bulk waiters (a reply to someone chatting). */
  priority?: boolean;
  /** How many API messages the send will be (a long text split in parts). Default 1. */
  cost?: number;
  /** Give up (reject with RateLimitWaitError 'timeout') if no permit came within this long. */
  maxWaitMs?: number;
}

/** A granted send. Call `done()` once the API answered (whatever it answered). */
export interface Permit {
  done(): void;
}

/** The clock and timers the limiter runs on (real ones by default). */
export interface LimiterTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: LimiterTimers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** An `acquire` that got no permit: it waited too long, or the waiters were cancelled. */
export class RateLimitWaitError extends Error {
  readonly reason: 'timeout' | 'cancelled';
  /** When a permit is expected for this send (ms from now; 0 when that hangs on sends in flight). */
  readonly readyInMs: number;

  constructor(reason: 'timeout' | 'cancelled', readyInMs: number) {
    super(
      reason === 'timeout' ? 'no send slot within the wait limit' : 'waiting for a send slot was cancelled',
    );
    this.name = 'RateLimitWaitError';
    this.reason = reason;
    this.readyInMs = readyInMs;
  }
}

export interface RateLimiterStats {
  granted: number;
  /** Pauses asked for (429s seen). */
  pauses: number;
  waiting: number;
  /** Granted and not yet done. */
  inFlight: number;
}

export interface RateLimiter {
  /** Resolves when a message to `key` (the chat id) may be sent. */
  acquire(key: string, options?: AcquireOptions): Promise<Permit>;
  /** Holds every send of the channel for `ms` (the longest pause wins). */
  pause(ms: number): void;
  /** How long the channel is still paused (0 when not). */
  pausedForMs(): number;
  /** Rejects every waiter with RateLimitWaitError 'cancelled' (shutdown); later acquires work again. */
  cancelWaiting(): void;
  stats(): RateLimiterStats;
  /** The limits in force (defaults filled in). */
  readonly limits: Readonly<Required<RateLimits>>;
}

/** Sends within a sliding window, by the time they ended; those in flight count as not ended. */
class SendWindow {
  private readonly ends: number[] = [];
  private head = 0;
  open = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** When `cost` more sends may start (−∞: now; +∞: once a send in flight ends). */
  readyAt(now: number, cost: number): number {
    this.prune(now);
    const excess = this.ends.length - this.head + this.open + Math.min(cost, this.limit) - this.limit;
    if (excess <= 0) {
      return Number.NEGATIVE_INFINITY;
    }
    const end = this.ends[this.head + excess - 1];
    return end === undefined ? Number.POSITIVE_INFINITY : end + this.windowMs;
  }

  start(cost: number): void {
    this.open += cost;
  }

  end(now: number, cost: number): void {
    this.open -= cost;
    for (let i = 0; i < cost; i++) {
      this.ends.push(now);
    }
  }

  /** Nothing in it any more (may be forgotten). */
  empty(now: number): boolean {
    this.prune(now);
    return this.open === 0 && this.head === this.ends.length;
  }

  private prune(now: number): void {
    while (this.head < this.ends.length && (this.ends[this.head] ?? 0) <= now - this.windowMs) {
      this.head++;
    }
    if (this.head > 256 && this.head * 2 > this.ends.length) {
      this.ends.splice(0, this.head);
      this.head = 0;
    }
  }
}

interface Waiter {
  key: string;
  group: boolean;
  priority: boolean;
  cost: number;
  deadline: number;
  resolve: (permit: Permit) => void;
  reject: (error: Error) => void;
}

export function createRateLimiter(options: RateLimits = {}, timers: LimiterTimers = realTimers): RateLimiter {
  const limits: Required<RateLimits> = { ...TELEGRAM_RATE_LIMITS, ...definedOnly(options) };
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value === 'number' && !(value >= 0)) {
      throw new Error(`rate limiter: ${name} must be a number ≥ 0, got ${value}`);
    }
  }
  if (!(limits.headroom > 0 && limits.headroom <= 1)) {
    throw new Error(`rate limiter: headroom must be in (0, 1], got ${limits.headroom}`);
  }
  const spacing = limits.globalPerSecond > 0 ? 1000 / (limits.globalPerSecond * limits.headroom) : 0;
  // The overall window is the server's own second: the pace above already runs under it.
  const global = windowFor(limits.globalPerSecond, 1000, 1);
  const chatWindow = (): SendWindow | undefined => windowFor(limits.perChatPerSecond, 1000, limits.headroom);
  const groupWindow = (): SendWindow | undefined =>
    windowFor(limits.perGroupPerMinute, 60_000, limits.headroom);

  const priorityQueue: Waiter[] = [];
  const bulkQueue: Waiter[] = [];
  const chats = new Map<string, SendWindow>();
  const groups = new Map<string, SendWindow>();
  let nextSlot = Number.NEGATIVE_INFINITY;
  let pausedUntil = Number.NEGATIVE_INFINITY;
  let timer: unknown;
  let timerAt = Number.POSITIVE_INFINITY;
  let granted = 0;
  let pauses = 0;
  let inFlight = 0;
  let ends = 0;

  function windowOf(map: Map<string, SendWindow>, key: string, make: () => SendWindow | undefined) {
    let w = map.get(key);
    if (!w) {
      w = make();
      if (w) {
        map.set(key, w);
      }
    }
    return w;
  }

  /** When this waiter's chat, group and the overall window allow it (the pace and pauses aside). */
  function readyAt(w: Waiter, now: number): number {
    let at = global?.readyAt(now, w.cost) ?? Number.NEGATIVE_INFINITY;
    if (!(w.priority && limits.priorityBypassesPerChat)) {
      at = Math.max(at, chats.get(w.key)?.readyAt(now, w.cost) ?? Number.NEGATIVE_INFINITY);
    }
    if (w.group) {
      at = Math.max(at, groups.get(w.key)?.readyAt(now, w.cost) ?? Number.NEGATIVE_INFINITY);
    }
    return at;
  }

  function take(queue: Waiter[], now: number): Waiter | undefined {
    for (let i = 0; i < queue.length; i++) {
      const w = queue[i];
      if (w && readyAt(w, now) <= now) {
        queue.splice(i, 1);
        return w;
      }
    }
    return undefined;
  }

  function expire(queue: Waiter[], now: number): void {
    for (let i = queue.length - 1; i >= 0; i--) {
      const w = queue[i];
      if (w && w.deadline <= now) {
        queue.splice(i, 1);
        w.reject(new RateLimitWaitError('timeout', readyInMs(w, now)));
      }
    }
  }

  function readyInMs(w: Waiter, now: number): number {
    const at = Math.max(readyAt(w, now), nextSlot, pausedUntil);
    return Number.isFinite(at) ? Math.max(0, at - now) : 0;
  }

  function grant(w: Waiter): Permit {
    const windows = [global, windowOf(chats, w.key, chatWindow)];
    if (w.group) {
      windows.push(windowOf(groups, w.key, groupWindow));
    }
    const counted = limits.countUntilAnswered;
    for (const window of windows) {
      window?.start(w.cost);
      if (!counted) {
        window?.end(timers.now(), w.cost);
      }
    }
    granted++;
    inFlight++;
    let ended = false;
    return {
      done() {
        if (ended) {
          return;
        }
        ended = true;
        inFlight--;
        const at = timers.now();
        if (counted) {
          for (const window of windows) {
            window?.end(at, w.cost);
          }
        }
        forget(at);
        pump();
      },
    };
  }

  /** Drops the windows of chats and groups with nothing left in them, now and then. */
  function forget(now: number): void {
    if (++ends % 1024 !== 0) {
      return;
    }
    for (const map of [chats, groups]) {
      for (const [key, window] of map) {
        if (window.empty(now)) {
          map.delete(key);
        }
      }
    }
  }

  function schedule(at: number, now: number): void {
    if (at === Number.POSITIVE_INFINITY || (timer !== undefined && timerAt <= at)) {
      // Nothing to wait for but a send in flight: its done() pumps.
      return;
    }
    if (timer !== undefined) {
      timers.clearTimeout(timer);
    }
    timerAt = at;
    timer = timers.setTimeout(
      () => {
        timer = undefined;
        timerAt = Number.POSITIVE_INFINITY;
        pump();
      },
      // Whole milliseconds, rounded up: the timer never fires before the slot.
      Math.max(0, Math.ceil(at - now)),
    );
  }

  function clearTimer(): void {
    if (timer !== undefined) {
      timers.clearTimeout(timer);
      timer = undefined;
      timerAt = Number.POSITIVE_INFINITY;
    }
  }

  function earliestDeadline(): number {
    let at = Number.POSITIVE_INFINITY;
    for (const w of priorityQueue) {
      at = Math.min(at, w.deadline);
    }
    for (const w of bulkQueue) {
      at = Math.min(at, w.deadline);
    }
    return at;
  }

  function pump(): void {
    const now = timers.now();
    expire(priorityQueue, now);
    expire(bulkQueue, now);
    while (priorityQueue.length > 0 || bulkQueue.length > 0) {
      if (now < pausedUntil) {
        schedule(Math.min(pausedUntil, earliestDeadline()), now);
        return;
      }
      // A slot missed by at most catchUpMs is still taken (timer lateness); after a longer stall or
      // idleness the grid starts again from now, so missed slots are never made up in a burst.
      const slot = nextSlot >= now - limits.catchUpMs ? nextSlot : now;
      if (slot > now) {
        schedule(Math.min(slot, earliestDeadline()), now);
        return;
      }
      const w = take(priorityQueue, now) ?? take(bulkQueue, now);
      if (!w) {
        let at = earliestDeadline();
        for (const q of [...priorityQueue, ...bulkQueue]) {
          at = Math.min(at, readyAt(q, now));
        }
        schedule(at, now);
        return;
      }
      nextSlot = slot + spacing * w.cost;
      w.resolve(grant(w));
    }
  }

  return {
    limits,
    acquire(key, opts = {}) {
      return new Promise<Permit>((resolve, reject) => {
        const now = timers.now();
        const w: Waiter = {
          key,
          group: opts.group ?? false,
          priority: opts.priority ?? false,
          cost: Math.max(1, Math.floor(opts.cost ?? 1)),
          deadline: opts.maxWaitMs === undefined ? Number.POSITIVE_INFINITY : now + opts.maxWaitMs,
          resolve,
          reject,
        };
        (w.priority ? priorityQueue : bulkQueue).push(w);
        pump();
      });
    },
    pause(ms) {
      const now = timers.now();
      pauses++;
      pausedUntil = Math.max(pausedUntil, now + ms);
      nextSlot = Math.max(nextSlot, pausedUntil);
      clearTimer();
      pump();
    },
    pausedForMs() {
      return Math.max(0, pausedUntil - timers.now());
    },
    cancelWaiting() {
      const now = timers.now();
      const all = [...priorityQueue.splice(0), ...bulkQueue.splice(0)];
      clearTimer();
      for (const w of all) {
        w.reject(new RateLimitWaitError('cancelled', readyInMs(w, now)));
      }
    },
    stats() {
      return { granted, pauses, waiting: priorityQueue.length + bulkQueue.length, inFlight };
    },
  };
}

/** `perPeriod` sends per `periodMs`, as a window of whole sends (a fractional rate widens it). */
function windowFor(perPeriod: number, periodMs: number, headroom: number): SendWindow | undefined {
  if (!(perPeriod > 0) || !Number.isFinite(perPeriod)) {
    return undefined;
  }
  const limit = Math.max(1, Math.floor(perPeriod));
  return new SendWindow(limit, (limit * periodMs) / (perPeriod * headroom));
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
