import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type AcquireOptions,
  createRateLimiter,
  type LimiterTimers,
  type RateLimits,
  RateLimitWaitError,
  TELEGRAM_RATE_LIMITS,
} from './rate-limiter.ts';

/** The limiter on vitest's fake timers: time only moves when the test advances it. */
const fakeTimers: LimiterTimers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

let start = 0;
beforeEach(() => {
  vi.useFakeTimers();
  start = Date.now();
});
afterEach(() => {
  vi.useRealTimers();
});

/**
 * Starts the acquires in order and records when each was granted (ms from the start). Each send
 * ends `sendMs` after its grant (default: at once).
 */
function grants(
  limits: RateLimits,
  requests: Array<[key: string, options?: AcquireOptions]>,
  sendMs = 0,
): { at: Array<number | undefined>; limiter: ReturnType<typeof createRateLimiter> } {
  const limiter = createRateLimiter(limits, fakeTimers);
  const at: Array<number | undefined> = requests.map(() => undefined);
  requests.forEach(([key, options], i) => {
    void limiter.acquire(key, options).then((permit) => {
      at[i] = Date.now() - start;
      if (sendMs === 0) {
        permit.done();
      } else {
        setTimeout(() => permit.done(), sendMs);
      }
    });
  });
  return { at, limiter };
}

const exact = { headroom: 1, perChatPerSecond: 0, perGroupPerMinute: 0 } satisfies RateLimits;

describe('rate limiter', () => {
  it('defaults to Telegram: 30/s run at 97 %, 1/s per chat, 20/min per group', () => {
    expect(createRateLimiter({}, fakeTimers).limits).toEqual(TELEGRAM_RATE_LIMITS);
    expect(
      createRateLimiter({ globalPerSecond: 300, perChatPerSecond: undefined }, fakeTimers).limits,
    ).toEqual({
      ...TELEGRAM_RATE_LIMITS,
      globalPerSecond: 300,
    });
    expect(() => createRateLimiter({ headroom: 0 }, fakeTimers)).toThrow(/headroom/);
    expect(() => createRateLimiter({ globalPerSecond: -1 }, fakeTimers)).toThrow(/globalPerSecond/);
  });

  it('spaces sends evenly at the overall rate, without a burst after being idle', async () => {
    const { at, limiter } = grants({ ...exact, globalPerSecond: 10 }, [['1'], ['2'], ['3'], ['4'], ['5']]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(at).toEqual([0, 100, 200, 300, 400]);

    // Idle for a while: the missed slots are not made up in a burst.
    await vi.advanceTimersByTimeAsync(5_000);
    const later: number[] = [];
    for (const key of ['6', '7', '8']) {
      void limiter.acquire(key).then((permit) => {
        later.push(Date.now() - start);
        permit.done();
      });
    }
    await vi.advanceTimersByTimeAsync(1_000);
    expect(later).toEqual([6_000, 6_100, 6_200]);
    expect(limiter.stats()).toEqual({ granted: 8, pauses: 0, waiting: 0, inFlight: 0 });
  });

  it('runs under the configured rate by the headroom: never more than rate × headroom in any second', async () => {
    const { at } = grants(
      { globalPerSecond: 300, headroom: 0.97, perChatPerSecond: 0 },
      Array.from({ length: 1_500 }, (_, i): [string] => [String(i)]),
      2,
    );
    await vi.advanceTimersByTimeAsync(6_000);
    const times = at.map((t) => t ?? Number.NaN);
    expect(times.every(Number.isFinite)).toBe(true);
    let most = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while ((times[i] ?? 0) - (times[j] ?? 0) >= 1_000) {
        j++;
      }
      most = Math.max(most, i - j + 1);
    }
    expect(most).toBeLessThanOrEqual(292);
    // …and the average rate is the configured one (not slowed by whole-millisecond timers).
    const rate = (times.length - 1) / (((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1_000);
    expect(rate).toBeGreaterThan(290);
    expect(rate).toBeLessThan(292);
  });

  it('counts a send in the windows until it has ended: requests delayed and bunched cannot overflow', async () => {
    // 3 a second; the first sends hang for 700 ms (a stall), later ones answer at once.
    const limiter = createRateLimiter({ ...exact, globalPerSecond: 3 }, fakeTimers);
    const at: number[] = [];
    for (let i = 0; i < 5; i++) {
      void limiter.acquire(String(i)).then((permit) => {
        at.push(Date.now() - start);
        setTimeout(() => permit.done(), i < 3 ? 700 : 0);
      });
    }
    await vi.advanceTimersByTimeAsync(3_000);
    // Paced at 333 ms, but the 4th waits until a second after the 1st ENDED (700 + 1000): had it
    // gone at 1000, the server might have seen the three stalled ones and it within one second.
    expect(at).toEqual([0, 334, 667, 1_700, 2_034]);
    expect(limiter.stats()).toMatchObject({ granted: 5, inFlight: 0 });
  });

  it('can count sends at their grant only (no round trip in the windows)', async () => {
    const limiter = createRateLimiter(
      { ...exact, globalPerSecond: 3, countUntilAnswered: false },
      fakeTimers,
    );
    const at: number[] = [];
    for (let i = 0; i < 5; i++) {
      void limiter.acquire(String(i)).then((permit) => {
        at.push(Date.now() - start);
        setTimeout(() => permit.done(), i < 3 ? 700 : 0);
      });
    }
    await vi.advanceTimersByTimeAsync(3_000);
    expect(at).toEqual([0, 334, 667, 1_000, 1_334]);
  });

  it('keeps one second between sends to one chat without holding the other chats behind it', async () => {
    const { at } = grants(
      { ...exact, globalPerSecond: 100, perChatPerSecond: 1 },
      [['A'], ['A'], ['A'], ['B'], ['C']],
      50,
    );
    await vi.advanceTimersByTimeAsync(4_000);
    // A second after each send to A has ended (each takes 50 ms).
    expect(at).toEqual([0, 1_050, 2_100, 10, 20]);
  });

  it('gives replies the next slot and lets them skip the per-chat interval (they still count for it)', async () => {
    const { at } = grants({ ...exact, globalPerSecond: 10, perChatPerSecond: 1 }, [
      ['A'],
      ['B'],
      ['C'],
      ['D'],
      ['A', { priority: true }],
      ['A'],
    ]);
    await vi.advanceTimersByTimeAsync(3_000);
    // The reply to A goes right after the first send (before B, C, D) although A just had one;
    // the bulk message to A after it keeps its second from the reply.
    expect(at).toEqual([0, 200, 300, 400, 100, 1_100]);
  });

  it('can hold replies to the per-chat interval too', async () => {
    const { at } = grants(
      { ...exact, globalPerSecond: 10, perChatPerSecond: 1, priorityBypassesPerChat: false },
      [['A'], ['A', { priority: true }]],
    );
    await vi.advanceTimersByTimeAsync(2_000);
    expect(at).toEqual([0, 1_000]);
  });

  it('allows at most perGroupPerMinute sends to a group in any minute', async () => {
    const { at } = grants(
      { ...exact, globalPerSecond: 100, perGroupPerMinute: 3 },
      [1, 2, 3, 4, 5].map((): [string, AcquireOptions] => ['-100', { group: true }]).concat([['7', {}]]),
    );
    await vi.advanceTimersByTimeAsync(61_000);
    expect(at).toEqual([0, 10, 20, 60_000, 60_010, 30]);
  });

  it('runs the group window under the minute by the headroom', async () => {
    const { at } = grants(
      { globalPerSecond: 100, headroom: 0.97, perChatPerSecond: 0, perGroupPerMinute: 1 },
      [
        ['-5', { group: true }],
        ['-5', { group: true }],
      ],
    );
    await vi.advanceTimersByTimeAsync(62_000);
    expect(at[1]).toBe(Math.ceil(60_000 / 0.97));
  });

  it('counts a long text split in parts as several sends', async () => {
    const { at } = grants({ ...exact, globalPerSecond: 10, perGroupPerMinute: 4 }, [
      ['-1', { cost: 3, group: true }],
      ['B'],
      ['-1', { group: true }],
      ['-1', { group: true }],
    ]);
    await vi.advanceTimersByTimeAsync(61_000);
    // Three slots of the pace (B at 300 ms); three of the group's four a minute.
    expect(at).toEqual([0, 300, 400, 60_000]);
  });

  it('pauses the whole channel on a 429 and then goes on at the same pace', async () => {
    const { at, limiter } = grants({ ...exact, globalPerSecond: 10 }, [['1'], ['2'], ['3'], ['4']]);
    await vi.advanceTimersByTimeAsync(150);
    expect(at).toEqual([0, 100, undefined, undefined]);
    limiter.pause(2_000);
    expect(limiter.pausedForMs()).toBe(2_000);
    limiter.pause(500); // a shorter pause does not shorten the longer one
    await vi.advanceTimersByTimeAsync(1_999);
    expect(at).toEqual([0, 100, undefined, undefined]);
    await vi.advanceTimersByTimeAsync(501);
    expect(at).toEqual([0, 100, 2_150, 2_250]);
    expect(limiter.pausedForMs()).toBe(0);
    expect(limiter.stats().pauses).toBe(2);
  });

  it('gives up on a wait longer than maxWaitMs, telling when a slot is expected', async () => {
    const limiter = createRateLimiter({ ...exact, globalPerSecond: 10 }, fakeTimers);
    limiter.pause(10_000);
    const waiting = limiter.acquire('A', { maxWaitMs: 3_000 });
    const outcome = waiting.then(
      () => 'granted',
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(3_000);
    const error = await outcome;
    expect(error).toBeInstanceOf(RateLimitWaitError);
    expect(error).toMatchObject({ reason: 'timeout', readyInMs: 7_000 });
    expect(limiter.stats().waiting).toBe(0);
  });

  it('cancels every waiter on shutdown and works again afterwards', async () => {
    const limiter = createRateLimiter({ ...exact, globalPerSecond: 1 }, fakeTimers);
    (await limiter.acquire('A')).done();
    const pending = [limiter.acquire('B'), limiter.acquire('C', { priority: true })].map((p) =>
      p.then(
        () => 'granted',
        (error: unknown) => (error instanceof RateLimitWaitError ? error.reason : 'other'),
      ),
    );
    limiter.cancelWaiting();
    expect(await Promise.all(pending)).toEqual(['cancelled', 'cancelled']);
    let granted = false;
    void limiter.acquire('D').then(() => {
      granted = true;
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(granted).toBe(true);
  });
});
