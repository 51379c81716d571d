/**
 * Rolling-window limits counted from what was stored (feedbacks per chat, pledges per chat and
 * across anonymous donors): nothing extra to keep, and a refused attempt stores nothing, so it does
 * not count. Callers that must not let two transactions slip past a limit together take a lock first.
 */
export interface RateLimit<R> {
  /** How many were stored since `since`. */
  count: (since: Date) => Promise<number>;
  max: number;
  windowMs: number;
  /** What to answer when the window is full. */
  refusal: R;
}

/** The refusal of the first limit already reached, in order; undefined when all allow one more. */
export async function firstLimitReached<R>(
  limits: readonly RateLimit<R>[],
  now: Date,
): Promise<R | undefined> {
  for (const limit of limits) {
    if ((await limit.count(new Date(now.getTime() - limit.windowMs))) >= limit.max) {
      return limit.refusal;
    }
  }
  return undefined;
}
