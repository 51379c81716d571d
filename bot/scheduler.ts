import cron, { type ScheduledTask } from 'node-cron';
import { runReminders } from '../core/reminders/run-reminders.ts';
import type { Clock } from '../core/shared/clock.ts';
import type { UnitOfWork } from '../core/unit-of-work.ts';
import type { Logger } from './logger.ts';

export interface SchedulerDeps {
  store: UnitOfWork;
  clock: Clock;
  log: Logger;
  /** The cron expression of a planning pass (default every 5 minutes). */
  expression: string;
  timeZone: string;
  /** Called when a pass added messages to the outbox (wakes the dispatcher). */
  afterEnqueue: () => void;
  /** Further scheduled work that runs after the reminders in the same pass (digests). */
  extraJobs?: ((now: Date) => Promise<number>)[];
  /** Told after each pass what it added (metrics). */
  afterPass?: (pass: SchedulerPass) => void;
}

export interface SchedulerPass {
  reminders: number;
  extra: number;
}

/**
 * node-cron (Asia/Ho_Chi_Minh) wakes the planner every few minutes (issue 6 §2). A pass plans in
 * one transaction and enqueues under unique keys, so a pass that overlaps another (here or on
 * another instance) or repeats after a crash adds nothing twice; passes in this process never
 * overlap (node-cron's `noOverlap` plus our own guard for `runOnce`).
 */
export function createScheduler(deps: SchedulerDeps) {
  let task: ScheduledTask | undefined;
  let running: Promise<SchedulerPass> | undefined;

  async function pass(now: Date): Promise<SchedulerPass> {
    const run = await deps.store.run((tx) => runReminders(tx, now));
    let extra = 0;
    for (const job of deps.extraJobs ?? []) {
      extra += await job(now);
    }
    const reminders = run?.enqueued ?? 0;
    deps.afterPass?.({ reminders, extra });
    if (reminders + extra > 0) {
      deps.log.info({ reminders, extra, planned: run?.planned.length ?? 0 }, 'scheduled messages enqueued');
      deps.afterEnqueue();
    }
    return { reminders, extra };
  }

  /** One pass now (or at `at`, for the CLI and tests); waits for a pass already running. */
  async function runOnce(at?: Date): Promise<SchedulerPass> {
    while (running !== undefined) {
      await running.catch(() => undefined);
    }
    running = pass(at ?? deps.clock.now());
    try {
      return await running;
    } finally {
      running = undefined;
    }
  }

  return {
    runOnce,
    start(): void {
      task = cron.schedule(
        deps.expression,
        async () => {
          await runOnce().catch((error: unknown) => deps.log.error({ err: error }, 'scheduler pass failed'));
        },
        { timezone: deps.timeZone, noOverlap: true, name: 'reminders' },
      );
    },
    async stop(): Promise<void> {
      await task?.destroy();
      task = undefined;
      await running?.catch(() => undefined);
    },
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
