/** Time is a dependency: read `now` once at the top of a use case and pass it down. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can set and move. */
export function createFixedClock(
  start: Date | string,
): Clock & { set(t: Date | string): void; advance(ms: number): void } {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set(t) {
      current = new Date(t);
    },
    advance(ms) {
      current = new Date(current.getTime() + ms);
    },
  };
}
