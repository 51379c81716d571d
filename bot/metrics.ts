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

  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers });
  const byMessage = ['channel', 'purpose'] as const;

  const updates = counter('mttq_updates_received_total', 'Messages and button presses received, by channel', [
    'channel',
  ]);
  const answerSeconds = new Histogram({
    name: 'mttq_answer_duration_seconds',
    help: 'From receiving a message to its answer being committed to the outbox, by channel and outcome',
    labelNames: ['channel', 'outcome'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const outbox = {
    sent: counter('mttq_outbox_sent_total', 'Outbox messages sent, by channel and purpose', byMessage),
    retried: counter(
      'mttq_outbox_retried_total',
      'Outbox sends that failed and will be tried again, by channel and purpose',
      byMessage,
    ),
    failed: counter(
      'mttq_outbox_failed_total',
      'Outbox messages given up (kept as failed), by channel and purpose',
      byMessage,
    ),
    held: counter(
      'mttq_outbox_held_total',
      'Outbox messages held until the user writes again (Zalo interaction window), by channel and purpose',
      byMessage,
    ),
  };
  const rateLimited = counter(
    'mttq_rate_limited_total',
    'Sends answered with flood control (HTTP 429 / retry_after), by channel',
    ['channel'],
  );
  const remindersPlanned = counter(
    'mttq_reminders_planned_total',
    'Reminders put in the outbox by the planner (new ones only: a repeated pass adds none)',
  );
  const remindersSent = counter(
    'mttq_reminders_sent_total',
    'Reminders sent (outbox purposes reminder and pledge_reminder), by channel and purpose',
    byMessage,
  );
  const databaseErrors = counter(
    'mttq_database_errors_total',
    'Failed database statements: unavailable (connection, disk, busy) or other',
    ['kind'],
  );
  const imports = counter(
    'mttq_imports_total',
    'Imports run by the bot process, by kind (statement) and outcome (ok, refused, failed)',
    ['kind', 'outcome'],
  );
  const importRows = counter(
    'mttq_import_rows_total',
    'Rows read by the imports run by the bot process, by kind',
    ['kind'],
  );
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
  /** A gauge by channel, set from the backlog at each scrape. */
  const backlogGauge = (name: string, help: string, measure: (row: OutboxBacklog, now: number) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['channel'],
      registers,
      async collect() {
        this.reset();
        const now = opts.clock.now().getTime();
        for (const row of await backlog().catch(() => [])) {
          this.set({ channel: row.channel }, measure(row, now));
        }
      },
    });
  backlogGauge(
    'mttq_outbox_pending',
    'Outbox messages not sent yet (pending, retrying or being sent), by channel',
    (row) => row.pending,
  );
  backlogGauge(
    'mttq_outbox_oldest_due_seconds',
    'How long the longest-waiting due outbox message has waited, by channel (0: none due)',
    (row, now) => (row.oldestDueAt ? Math.max(0, (now - row.oldestDueAt.getTime()) / 1000) : 0),
  );

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
