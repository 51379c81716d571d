import { describe, expect, it, vi } from 'vitest';
import type { OutboxBacklog } from '../core/messaging/outbox.repository.ts';
import { loadConfig } from './config.ts';
import { createHealth, type HealthDeps } from './health.ts';
import type { PollingStatus } from './telegram/telegram-polling.ts';

const NOW = new Date('2025-04-09T01:00:00Z');
const thresholds = loadConfig({}).health;

function polling(over: Partial<PollingStatus> = {}): PollingStatus {
  return {
    ended: false,
    lastProgressAt: Date.now(),
    failingSince: undefined,
    lastError: undefined,
    callSince: Date.now(),
    pollTimeoutMs: 30_000,
    ...over,
  };
}

function health(over: Partial<HealthDeps> = {}, backlog: OutboxBacklog[] = []) {
  return createHealth({
    database: { status: () => ({ ok: true }) },
    probeWrite: async () => undefined,
    outbox: {
      liveness: () => ({ started: true, lastRunAt: Date.now(), pollMs: 2_000 }),
      backlog: async () => backlog,
    },
    thresholds,
    clock: { now: () => NOW },
    scrub: (text) => text.replaceAll('123456:SECRET', '[secret]'),
    ...over,
  });
}

describe('liveness (/healthz)', () => {
  it('is ok with every part working, and says how each is', () => {
    const report = health({ telegram: () => ({ mode: 'polling', status: polling() }) }).liveness();
    expect(report).toEqual({
      ok: true,
      checks: {
        database: { ok: true },
        telegram: { ok: true, mode: 'polling', lastProgressSecondsAgo: 0 },
        outbox: { ok: true, lastRunSecondsAgo: 0 },
      },
    });
  });

  it.each([
    ['the loop ended', polling({ ended: true }), 'Telegram long polling has stopped: no update is fetched'],
    [
      'getUpdates failing past the threshold',
      polling({
        callSince: undefined,
        failingSince: Date.now() - 95_000,
        lastError: "Call to 'getUpdates' failed! (502: Bad Gateway) bot123456:SECRET",
      }),
      "Telegram getUpdates has failed for 95 s (Call to 'getUpdates' failed! (502: Bad Gateway) bot[secret])",
    ],
    [
      'a getUpdates call hanging past its long-poll timeout',
      polling({ callSince: Date.now() - 125_000 }),
      'a Telegram getUpdates call has hung for 125 s',
    ],
    [
      'an update handled for too long',
      polling({ callSince: undefined, lastProgressAt: Date.now() - 100_000 }),
      'Telegram long polling has made no progress for 100 s (an update is still being handled)',
    ],
  ])('turns 503 when Telegram polling is wedged: %s', (_what, status, reason) => {
    const report = health({ telegram: () => ({ mode: 'polling', status }) }).liveness();
    expect(report).toMatchObject({ ok: false, reason: 'telegram', reasons: [`telegram: ${reason}`] });
  });

  it('stays ok while getUpdates has failed for less than the threshold, a long poll waits, or polling starts', () => {
    const short = polling({ callSince: undefined, failingSince: Date.now() - 10_000, lastError: 'x' });
    expect(
      health({ telegram: () => ({ mode: 'polling', status: short }) }).liveness().checks.telegram,
    ).toEqual({
      ok: true,
      mode: 'polling',
      lastProgressSecondsAgo: 0,
      failingSeconds: 10,
    });
    const waiting = polling({ callSince: Date.now() - 29_000, lastProgressAt: Date.now() - 29_000 });
    expect(health({ telegram: () => ({ mode: 'polling', status: waiting }) }).liveness().ok).toBe(true);
    expect(health({ telegram: () => ({ mode: 'polling', status: undefined }) }).liveness().ok).toBe(true);
  });

  it('turns 503 when the outbox dispatcher has not run, and when the database fails (reason and since as before)', () => {
    const stalled = health({
      outbox: {
        liveness: () => ({ started: true, lastRunAt: Date.now() - 130_000, pollMs: 2_000 }),
        backlog: async () => [],
      },
    }).liveness();
    expect(stalled).toMatchObject({
      ok: false,
      reason: 'outbox',
      reasons: ['outbox: the outbox dispatcher has not run for 130 s'],
    });
    const since = '2025-04-09T00:59:00.000Z';
    const down = health({
      database: {
        status: () => ({ ok: false, reason: 'database', since, error: 'SQLITE_IOERR_WRITE: disk I/O error' }),
      },
    }).liveness();
    expect(down).toMatchObject({
      ok: false,
      reason: 'database',
      since,
      reasons: [`database: the database takes no writes since ${since} (SQLITE_IOERR_WRITE: disk I/O error)`],
    });
  });
});

describe('readiness (/readyz)', () => {
  it('reports the outbox backlog and turns 503 past its thresholds', async () => {
    const waiting = [
      { channel: 'telegram' as const, pending: 12, oldestDueAt: new Date(NOW.getTime() - 60_000) },
      { channel: 'zalo' as const, pending: 3, oldestDueAt: null },
    ];
    expect((await health({}, waiting).readiness()).checks.outboxBacklog).toEqual({
      ok: true,
      pending: 15,
      oldestDueSeconds: 60,
      byChannel: { telegram: 12, zalo: 3 },
    });
    const old = [
      { channel: 'telegram' as const, pending: 1, oldestDueAt: new Date(NOW.getTime() - 1_000_000) },
    ];
    expect(await health({}, old).readiness()).toMatchObject({
      ok: false,
      reason: 'outboxBacklog',
      reasons: ['outboxBacklog: an outbox message has waited 1000 s to be sent (more than 900 s)'],
    });
    const many = [{ channel: 'telegram' as const, pending: 10_001, oldestDueAt: NOW }];
    expect((await health({}, many).readiness()).reasons).toEqual([
      'outboxBacklog: 10001 messages wait in the outbox (more than 10000)',
    ]);
  });

  it('turns 503 when the database takes no write, when the Zalo token is dead, and when the webhook is not set', async () => {
    const unwritable = await health({
      probeWrite: async () => Promise.reject(new Error('disk I/O error')),
    }).readiness();
    expect(unwritable.reasons).toEqual(['database: the database takes no writes (disk I/O error)']);
    const dead = await health({
      zalo: async () => ({
        accessExpiresAt: null,
        refreshedAt: null,
        deadSince: NOW,
        lastError: '-14014 invalid refresh token',
      }),
    }).readiness();
    expect(dead.reasons).toEqual([
      'zalo: Zalo refused the refresh token on 2025-04-09T01:00:00.000Z (-14014 invalid refresh token); supply a new one: npm run cli -- zalo set-token <token>',
    ]);
    const webhook = await health({ telegram: () => ({ mode: 'webhook', set: false }) }).readiness();
    expect(webhook.reasons).toEqual(['telegram: the Telegram webhook is not set']);
    expect((await health({ telegram: () => ({ mode: 'webhook', set: true }) }).readiness()).ok).toBe(true);
  });

  it('waits for a hanging database no longer than HEALTH_DATABASE_TIMEOUT_SECONDS, with one probe at a time', async () => {
    let probes = 0;
    const hanging = health({
      thresholds: { ...thresholds, databaseTimeoutMs: 50 },
      probeWrite: () => {
        probes += 1;
        return new Promise(() => undefined);
      },
    });
    expect((await hanging.readiness()).reasons).toEqual([
      'database: the database takes no writes (no answer within 0.05 s)',
    ]);
    // Past the reuse window the first probe still waits: no second one is started.
    const later = Date.now() + 2_000;
    vi.spyOn(Date, 'now').mockReturnValue(later);
    try {
      await hanging.readiness();
    } finally {
      vi.restoreAllMocks();
    }
    expect(probes).toBe(1);
  });
});
