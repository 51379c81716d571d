import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Inbound } from '../core/messaging/message.ts';
import type { ClaimedMessage, OutboxBacklog } from '../core/messaging/outbox.repository.ts';
import type { Clock } from '../core/shared/clock.ts';
import type { OutboxOutcome } from './outbox-dispatcher.ts';

/**
 * The bot's Prometheus metrics (served at /metrics; every one is described in docs/operations.md,
 * "Metrics"). Each app has its own registry — tests run several apps in one process — and the core
 * never sees prom-client: the parts report through callbacks (the dispatcher's `observe`, the
 * scheduler's `afterPass`, `watchDb`'s error hook) wired in bot/app.ts.
 */
export function createMetrics(opts: {
  /** What waits in the outbox, read at each scrape (one indexed query). */
  backlog: (now: Date) => Promise<OutboxBacklog[]>;
  clock: Clock;
}) {
  const registry = new Registry();
  const registers = [registry];

  const updates = new Counter({
    name: 'mttq_updates_received_total',
    help: 'Messages and button presses received, by channel',
    labelNames: ['channel'],
    registers,
  });
  const answerSeconds = new Histogram({
    name: 'mttq_answer_duration_seconds',
    help: 'From receiving a message to its answer being committed to the outbox, by channel and outcome',
    labelNames: ['channel', 'outcome'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const outbox = {
    sent: new Counter({
      name: 'mttq_outbox_sent_total',
      help: 'Outbox messages sent, by channel and purpose',
      labelNames: ['channel', 'purpose'],
      registers,
    }),
    retried: new Counter({
      name: 'mttq_outbox_retried_total',
      help: 'Outbox sends that failed and will be tried again, by channel and purpose',
      labelNames: ['channel', 'purpose'],
      registers,
    }),
    failed: new Counter({
      name: 'mttq_outbox_failed_total',
      help: 'Outbox messages given up (kept as failed), by channel and purpose',
      labelNames: ['channel', 'purpose'],
      registers,
    }),
    held: new Counter({
      name: 'mttq_outbox_held_total',
      help: 'Outbox messages held until the user writes again (Zalo interaction window), by channel',
      labelNames: ['channel', 'purpose'],
      registers,
    }),
  };
  const rateLimited = new Counter({
    name: 'mttq_rate_limited_total',
    help: 'Sends answered with flood control (HTTP 429 / retry_after), by channel',
    labelNames: ['channel'],
    registers,
  });
  const remindersPlanned = new Counter({
    name: 'mttq_reminders_planned_total',
    help: 'Reminders put in the outbox by the planner (new ones only: a repeated pass adds none)',
    registers,
  });
  const remindersSent = new Counter({
    name: 'mttq_reminders_sent_total',
    help: 'Reminders sent (outbox purposes reminder and pledge_reminder), by channel and purpose',
    labelNames: ['channel', 'purpose'],
    registers,
  });
  const databaseErrors = new Counter({
    name: 'mttq_database_errors_total',
    help: 'Failed database statements: unavailable (connection, disk, busy) or other',
    labelNames: ['kind'],
    registers,
  });
  const imports = new Counter({
    name: 'mttq_imports_total',
    help: 'Imports run by the bot process, by kind (statement) and outcome (ok, refused, failed)',
    labelNames: ['kind', 'outcome'],
    registers,
  });
  const importRows = new Counter({
    name: 'mttq_import_rows_total',
    help: 'Rows read by the imports run by the bot process, by kind',
    labelNames: ['kind'],
    registers,
  });
  // Read at scrape time: the outbox's backlog by channel (shared by the two gauges of one scrape).
  let scrape: Promise<OutboxBacklog[]> | undefined;
  const backlog = (): Promise<OutboxBacklog[]> => {
    scrape ??= opts.backlog(opts.clock.now()).finally(() => {
      setImmediate(() => {
        scrape = undefined;
      });
    });
    return scrape;
  };
  new Gauge({
    name: 'mttq_outbox_pending',
    help: 'Outbox messages not sent yet (pending, retrying or being sent), by channel',
    labelNames: ['channel'],
    registers,
    async collect() {
      this.reset();
      for (const row of await backlog().catch(() => [])) {
        this.set({ channel: row.channel }, row.pending);
      }
    },
  });
  new Gauge({
    name: 'mttq_outbox_oldest_due_seconds',
    help: 'How long the longest-waiting due outbox message has waited, by channel (0: none due)',
    labelNames: ['channel'],
    registers,
    async collect() {
      this.reset();
      const now = opts.clock.now().getTime();
      for (const row of await backlog().catch(() => [])) {
        const waited = row.oldestDueAt ? Math.max(0, (now - row.oldestDueAt.getTime()) / 1000) : 0;
        this.set({ channel: row.channel }, waited);
      }
    },
  });

  return {
    registry,
    /** Node's own metrics (memory, CPU, event loop lag): the real process only (bot/main.ts). */
    collectProcessMetrics(): void {
      collectDefaultMetrics({ register: registry });
    },
    /** `handle` counted and timed per message. */
    timeInbound<T>(handle: (inbound: Inbound) => Promise<T>): (inbound: Inbound) => Promise<T> {
      return async (inbound) => {
        updates.inc({ channel: inbound.channel });
        const end = answerSeconds.startTimer({ channel: inbound.channel });
        try {
          const result = await handle(inbound);
          end({ outcome: 'answered' });
          return result;
        } catch (error) {
          end({ outcome: 'failed' });
          throw error;
        }
      };
    },
    /** The dispatcher's `observe`. */
    outboxOutcome(outcome: OutboxOutcome, m: ClaimedMessage): void {
      const labels = { channel: m.channel, purpose: m.purpose ?? 'reply' };
      if (outcome === 'rate_limited') {
        rateLimited.inc({ channel: m.channel });
        return;
      }
      outbox[outcome].inc(labels);
      if (outcome === 'sent' && (labels.purpose === 'reminder' || labels.purpose === 'pledge_reminder')) {
        remindersSent.inc(labels);
      }
    },
    remindersPlanned(count: number): void {
      remindersPlanned.inc(count);
    },
    databaseError(unavailable: boolean): void {
      databaseErrors.inc({ kind: unavailable ? 'unavailable' : 'other' });
    },
    imported(kind: 'statement', outcome: 'ok' | 'refused' | 'failed', rows = 0): void {
      imports.inc({ kind, outcome });
      if (rows > 0) {
        importRows.inc({ kind }, rows);
      }
    },
    /** The text exposition format, for GET /metrics. */
    async text(): Promise<{ contentType: string; body: string }> {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** GET /metrics: the text exposition format Prometheus scrapes. */
export function registerMetrics(http: FastifyInstance, metrics: Metrics): void {
  http.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await metrics.text();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  });
}
