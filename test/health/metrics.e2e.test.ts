import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../bot/app.ts';
import { startApp, startTelegramApp, type TempDatabase, tempDatabase } from '../support/app-harness.ts';
import { type BotApiEmulator, type EmulatorUser, startBotApiEmulator } from '../support/bot-api-emulator.ts';

/**
 * /metrics (issue 18 §3): Prometheus' text format scraped over HTTP from the real bot (grammY long
 * polling against the Bot API emulator, a real database) and parsed; the counters move with a real
 * message in and its answer out, a 429 is counted, two apps in one process keep their own
 * registries, and docs/operations.md describes every metric the bot exports.
 */

const STRANGER: EmulatorUser = { id: 777_201, first_name: 'Khách', language_code: 'vi' };

let emulator: BotApiEmulator;
let temp: TempDatabase;
const apps: App[] = [];

beforeEach(async () => {
  emulator = await startBotApiEmulator();
  temp = tempDatabase();
});

afterEach(async () => {
  for (const app of apps.splice(0)) {
    await app.stop();
  }
  await emulator.close();
  await temp.cleanup();
});

interface Scrape {
  /** `name{label="value",…}` (labels sorted) → value. */
  samples: Map<string, number>;
  /** Metric name → its `# TYPE`. */
  types: Map<string, string>;
  contentType: string;
}

/** GET /metrics, parsed from the text exposition format (version 0.0.4). */
async function scrape(app: App): Promise<Scrape> {
  const { port } = app.http.server.address() as AddressInfo;
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(response.status).toBe(200);
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  for (const line of (await response.text()).split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample) {
      throw new Error(`not a sample line: ${line}`);
    }
    const labels = [...(sample[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)]
      .map((m) => `${m[1]}="${m[2]}"`)
      .sort();
    const key = labels.length > 0 ? `${sample[1]}{${labels.join(',')}}` : (sample[1] as string);
    samples.set(key, Number(sample[3]));
  }
  return { samples, types, contentType: response.headers.get('content-type') ?? '' };
}

const value = (s: Scrape, key: string) => s.samples.get(key) ?? 0;

describe('/metrics', () => {
  it('counts a real message in, its answer out and a 429, in Prometheus text format', async () => {
    const app = await startTelegramApp(emulator, temp.url, { outboxPollMs: 50 });
    apps.push(app);
    const before = await scrape(app);
    expect(before.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(before.types.get('mttq_updates_received_total')).toBe('counter');
    expect(before.types.get('mttq_answer_duration_seconds')).toBe('histogram');
    expect(before.types.get('mttq_outbox_pending')).toBe('gauge');

    emulator.sendText(STRANGER, 'Xin chào');
    await emulator.waitForMessages(STRANGER.id, 1, 15_000);
    await app.dispatcher.flush();
    const after = await scrape(app);
    const delta = (key: string) => value(after, key) - value(before, key);
    expect(delta('mttq_updates_received_total{channel="telegram"}')).toBe(1);
    expect(delta('mttq_answer_duration_seconds_count{channel="telegram",outcome="answered"}')).toBe(1);
    expect(
      delta('mttq_answer_duration_seconds_bucket{channel="telegram",le="+Inf",outcome="answered"}'),
    ).toBe(1);
    expect(delta('mttq_outbox_sent_total{channel="telegram",purpose="reply"}')).toBe(1);
    expect(value(after, 'mttq_outbox_pending{channel="telegram"}')).toBe(0);

    // Telegram's flood control answers the next send with 429: counted, and the message still goes.
    emulator.failNext('sendMessage', 1, {
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    });
    emulator.sendText(STRANGER, 'Tôi muốn ủng hộ');
    await emulator.waitForMessages(STRANGER.id, 2, 15_000);
    await app.dispatcher.flush();
    const limited = await scrape(app);
    expect(value(limited, 'mttq_rate_limited_total{channel="telegram"}')).toBe(1);
    expect(value(limited, 'mttq_outbox_retried_total{channel="telegram",purpose="reply"}')).toBe(1);
    expect(value(limited, 'mttq_outbox_sent_total{channel="telegram",purpose="reply"}')).toBe(2);
    expect(value(limited, 'mttq_updates_received_total{channel="telegram"}')).toBe(2);
  }, 60_000);

  it('gives each app in a process its own registry', async () => {
    const first = await startApp({ DATABASE_URL: temp.url });
    apps.push(first);
    const other = tempDatabase();
    try {
      const second = await startApp({ DATABASE_URL: other.url });
      apps.push(second);
      second.metrics.remindersPlanned(3);
      expect(value(await scrape(second), 'mttq_reminders_planned_total')).toBe(3);
      expect(value(await scrape(first), 'mttq_reminders_planned_total')).toBe(0);
      await second.stop();
    } finally {
      await other.cleanup();
    }
  }, 60_000);

  it('is documented: docs/operations.md describes every metric the bot exports, with its labels', async () => {
    const app = await startTelegramApp(emulator, temp.url);
    apps.push(app);
    const docs = fs.readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
    const metrics = app.metrics.registry.getMetricsAsArray();
    expect(metrics.length).toBeGreaterThan(10);
    for (const metric of metrics) {
      const { name, labelNames } = metric as unknown as { name: string; labelNames: string[] };
      const row = docs.split('\n').find((line) => line.startsWith(`| \`${name}\``));
      expect(row, name).toBeDefined();
      for (const label of labelNames) {
        expect(row, `${name} ${label}`).toContain(`\`${label}\``);
      }
    }
  }, 60_000);
});
