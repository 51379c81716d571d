import type { Logger } from './logger.ts';

/**
 * Runs `drainOnce` until it reports less than a full batch: right away when kicked (after a commit,
 * after a webhook), and on a timer for retries. Kicks during a run are coalesced into one more pass,
 * so work is never done twice at once and never left waiting for the timer.
 */
export function createDrainLoop(opts: {
  /** Handles one batch; returns true when there may be more. */
  drainOnce: () => Promise<boolean>;
  pollMs: number;
  log: Logger;
  name: string;
}) {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  async function drain(): Promise<void> {
    do {
      again = false;
      while (!stopped && (await opts.drainOnce())) {
        // A full batch: there may be more.
      }
    } while (again && !stopped);
  }

  function kick(): void {
    if (stopped) {
      return;
    }
    if (running !== undefined) {
      again = true;
      return;
    }
    running = drain()
      .catch((error: unknown) => opts.log.error({ err: error }, `${opts.name} failed`))
      .finally(() => {
        running = undefined;
      });
  }

  return {
    kick,
    start(): void {
      stopped = false;
      timer = setInterval(kick, opts.pollMs);
      timer.unref();
      kick();
    },
    /** Stops the timer and waits for the pass in flight. */
    async stop(): Promise<void> {
      stopped = true;
      if (timer) {
        clearInterval(timer);
      }
      await running;
    },
    /** Does everything due now and resolves when done (tests, shutdown). */
    async flush(): Promise<void> {
      await running;
      stopped = false;
      await drain();
    },
  };
}
