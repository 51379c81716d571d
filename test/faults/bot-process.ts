import { createApp } from '../../bot/app.ts';
import { loadConfig } from '../../bot/config.ts';
import { createLogger } from '../../bot/logger.ts';
import type { Clock } from '../../core/shared/clock.ts';

/**
 * The whole bot in a process of its own, for fault tests whose fault would also stop the test
 * process (better-sqlite3 waits for a lock synchronously): built by `createApp` from the
 * environment as `npm start` builds it, with a clock FAULT_CLOCK_OFFSET_MS off the real one (the
 * demo campaign is in 2025; one offset for a test keeps the time going on across restarts). Over IPC the test asks it to plan reminders now
 * (`{ kind: 'reminders' }`, answered with the scheduler's pass) and to stop (`{ kind: 'stop' }`).
 */

const offset = Number(process.env.FAULT_CLOCK_OFFSET_MS);
if (!Number.isFinite(offset)) {
  throw new Error('FAULT_CLOCK_OFFSET_MS is not a number');
}
const clock: Clock = { now: () => new Date(Date.now() + offset) };

const config = loadConfig({ PORT: '0', ...process.env });
const app = await createApp(config, createLogger({ level: config.logLevel, secrets: config.secrets }), {
  clock,
  scheduler: false,
  outboxPollMs: Number(process.env.FAULT_OUTBOX_POLL_MS ?? 2_000),
});
await app.start();

process.on('message', (message: { kind: string }) => {
  if (message.kind === 'reminders') {
    app.scheduler.runOnce().then(
      (pass) => process.send?.({ kind: 'reminders', pass }),
      (error: unknown) => process.send?.({ kind: 'reminders', error: String(error) }),
    );
  } else if (message.kind === 'stop') {
    void app.stop().finally(() => process.exit(0));
  }
});
process.send?.({ kind: 'ready' });
