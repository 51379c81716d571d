import type { FastifyInstance } from 'fastify';
import type { OutboxBacklog } from '../core/messaging/outbox.repository.ts';
import type { Clock } from '../core/shared/clock.ts';
import type { HealthThresholds } from './config.ts';
import type { DatabaseHealth } from './database-health.ts';
import type { PollingStatus } from './telegram/telegram-polling.ts';
import type { ZaloTokenStatus } from './zalo/zalo-tokens.ts';

/** One part's state: `reason` (a sentence for the operator) when it is not ok. */
export type Check = { ok: boolean; reason?: string } & Record<string, unknown>;

/**
 * The answer of /healthz and /readyz: ok, or the failing parts' names (`reason`: the first one,
 * `reasons`: one line each), and every part's state. `since` when the database fails (as before).
 */
export interface HealthReport {
  ok: boolean;
  reason?: string;
  since?: string;
  reasons?: string[];
  checks: Record<string, Check>;
}

export interface HealthDeps {
  database: Pick<DatabaseHealth, 'status'>;
  /** A real write (bot/database-health.ts's probe): whether the database takes writes now. */
  probeWrite: () => Promise<void>;
  /** Telegram's state; undefined without Telegram. Polling's status is undefined until it starts. */
  telegram?: () => { mode: 'polling'; status: PollingStatus | undefined } | { mode: 'webhook'; set: boolean };
  outbox: {
    liveness(): { started: boolean; lastRunAt: number; pollMs: number };
    backlog(now: Date): Promise<OutboxBacklog[]>;
  };
  /** The Zalo tokens' state; undefined without Zalo. */
  zalo?: () => Promise<ZaloTokenStatus>;
  thresholds: HealthThresholds;
  clock: Clock;
  /** Removes secrets from texts that reach the answer (error messages). */
  scrub: (text: string) => string;
}

/**
 * Liveness (/healthz: is the process working — the database taking work, Telegram's long polling
 * fetching updates, the outbox dispatcher running; in-memory state only, no query) and readiness
 * (/readyz: all of that, and the database taking a write now, the outbox not falling behind, the
 * Zalo token alive, Telegram's webhook set). Loop times are wall-clock (`Date.now()`); ages of
 * outbox rows use the app's clock, which wrote them.
 */
export function createHealth(deps: HealthDeps) {
  const t = deps.thresholds;
  const seconds = (ms: number) => Math.round(ms / 1000);

  function database(): Check {
    const status = deps.database.status();
    if (status.ok) {
      return { ok: true };
    }
    return {
      ok: false,
      since: status.since,
      reason: `the database takes no writes since ${status.since} (${deps.scrub(status.error)})`,
    };
  }

  function polling(status: PollingStatus | undefined): Check {
    if (!status) {
      return { ok: true, mode: 'polling', state: 'starting' };
    }
    const now = Date.now();
    const details = {
      mode: 'polling',
      lastProgressSecondsAgo: seconds(now - status.lastProgressAt),
    };
    if (status.ended) {
      return { ok: false, ...details, reason: 'Telegram long polling has stopped: no update is fetched' };
    }
    // Between failed tries (not while a retry is in flight: a long poll that works only answers
    // when an update comes or its timeout ends; one that hangs is caught below).
    if (
      status.callSince === undefined &&
      status.failingSince !== undefined &&
      now - status.failingSince >= t.telegramStallMs
    ) {
      return {
        ok: false,
        ...details,
        reason: `Telegram getUpdates has failed for ${seconds(now - status.failingSince)} s (${deps.scrub(status.lastError ?? 'no detail')})`,
      };
    }
    if (status.callSince !== undefined && now - status.callSince > status.pollTimeoutMs + t.telegramStallMs) {
      return {
        ok: false,
        ...details,
        reason: `a Telegram getUpdates call has hung for ${seconds(now - status.callSince)} s`,
      };
    }
    if (
      status.callSince === undefined &&
      status.failingSince === undefined &&
      now - status.lastProgressAt > t.telegramStallMs
    ) {
      return {
        ok: false,
        ...details,
        reason: `Telegram long polling has made no progress for ${seconds(now - status.lastProgressAt)} s (an update is still being handled)`,
      };
    }
    return status.failingSince === undefined
      ? { ok: true, ...details }
      : { ok: true, ...details, failingSeconds: seconds(now - status.failingSince) };
  }

  function telegram(): Check | undefined {
    const state = deps.telegram?.();
    if (!state) {
      return undefined;
    }
    if (state.mode === 'polling') {
      return polling(state.status);
    }
    return state.set
      ? { ok: true, mode: 'webhook' }
      : { ok: false, mode: 'webhook', reason: 'the Telegram webhook is not set' };
  }

  function dispatcher(): Check {
    const { started, lastRunAt, pollMs } = deps.outbox.liveness();
    const ago = Date.now() - lastRunAt;
    const details = { lastRunSecondsAgo: seconds(ago) };
    if (started && ago > Math.max(t.outboxStallMs, 3 * pollMs)) {
      return {
        ok: false,
        ...details,
        reason: `the outbox dispatcher has not run for ${seconds(ago)} s`,
      };
    }
    return { ok: true, ...details };
  }

  function report(checks: Record<string, Check | undefined>): HealthReport {
    const present = Object.fromEntries(
      Object.entries(checks).filter((entry): entry is [string, Check] => entry[1] !== undefined),
    );
    const failing = Object.entries(present).filter(([, check]) => !check.ok);
    const first = failing[0];
    if (!first) {
      return { ok: true, checks: present };
    }
    const since = present.database?.ok === false ? String(present.database.since) : undefined;
    return {
      ok: false,
      reason: first[0],
      ...(since ? { since } : {}),
      reasons: failing.map(([name, check]) => `${name}: ${check.reason ?? 'failing'}`),
      checks: present,
    };
  }

  // One write probe per PROBE_REUSE_MS whoever asks (/readyz may be polled by anyone reaching it),
  // and never a second while one waits for the database (each would hold a connection).
  let probed: { at: number; pending: boolean; done: Promise<unknown> } | undefined;
  function probe(): Promise<string | undefined> {
    if (!probed || (!probed.pending && Date.now() - probed.at > PROBE_REUSE_MS)) {
      const current = { at: Date.now(), pending: true, done: deps.probeWrite() };
      current.done = current.done.finally(() => {
        current.pending = false;
      });
      probed = current;
    }
    return withTimeout(probed.done, t.databaseTimeoutMs).then(
      () => undefined,
      (error: unknown) => deps.scrub(error instanceof Error ? error.message : String(error)),
    );
  }

  const liveChecks = () => ({ database: database(), telegram: telegram(), outbox: dispatcher() });

  async function outboxReadiness(): Promise<{ database: Check; backlog: Check }> {
    const now = deps.clock.now();
    let rows: OutboxBacklog[];
    try {
      rows = await withTimeout(deps.outbox.backlog(now), t.databaseTimeoutMs);
    } catch (error) {
      const message = deps.scrub(error instanceof Error ? error.message : String(error));
      return {
        database: { ok: false, reason: `the database does not answer a read (${message})` },
        backlog: { ok: false, reason: 'unknown: the database does not answer' },
      };
    }
    const pending = rows.reduce((sum, r) => sum + r.pending, 0);
    const oldest = rows.reduce<number | undefined>(
      (min, r) =>
        r.oldestDueAt && (min === undefined || r.oldestDueAt.getTime() < min) ? r.oldestDueAt.getTime() : min,
      undefined,
    );
    const waitedMs = oldest === undefined ? 0 : Math.max(0, now.getTime() - oldest);
    const backlog: Check = {
      ok: true,
      pending,
      oldestDueSeconds: seconds(waitedMs),
      byChannel: Object.fromEntries(rows.map((r) => [r.channel, r.pending])),
    };
    if (pending > t.outboxMaxPending) {
      Object.assign(backlog, {
        ok: false,
        reason: `${pending} messages wait in the outbox (more than ${t.outboxMaxPending})`,
      });
    } else if (waitedMs > t.outboxMaxAgeMs) {
      Object.assign(backlog, {
        ok: false,
        reason: `an outbox message has waited ${seconds(waitedMs)} s to be sent (more than ${seconds(t.outboxMaxAgeMs)} s)`,
      });
    }
    return { database: { ok: true }, backlog };
  }

  async function zalo(): Promise<Check | undefined> {
    if (!deps.zalo) {
      return undefined;
    }
    try {
      const status = await withTimeout(deps.zalo(), t.databaseTimeoutMs);
      if (status.deadSince) {
        return {
          ok: false,
          reason: `Zalo refused the refresh token on ${status.deadSince.toISOString()} (${deps.scrub(status.lastError ?? 'no detail')}); supply a new one: npm run cli -- zalo set-token <token>`,
        };
      }
      return { ok: true, accessExpiresAt: status.accessExpiresAt?.toISOString() ?? null };
    } catch (error) {
      return {
        ok: false,
        reason: `the Zalo token cannot be read (${deps.scrub(error instanceof Error ? error.message : String(error))})`,
      };
    }
  }

  return {
    liveness(): HealthReport {
      return report(liveChecks());
    },
    async readiness(): Promise<HealthReport> {
      const [written, read, zaloCheck] = await Promise.all([probe(), outboxReadiness(), zalo()]);
      const live = liveChecks();
      const writeCheck: Check =
        written === undefined
          ? read.database
          : { ok: false, reason: `the database takes no writes (${written})` };
      return report({
        database: live.database.ok ? writeCheck : live.database,
        telegram: live.telegram,
        outbox: live.outbox,
        outboxBacklog: read.backlog,
        zalo: zaloCheck,
      });
    },
  };
}

export type Health = ReturnType<typeof createHealth>;

/** GET /healthz (liveness) and GET /readyz (readiness): 200 or 503 with the report as JSON. */
export function registerHealth(http: FastifyInstance, health: Health): void {
  http.get('/healthz', async (_request, reply) => {
    const body = health.liveness();
    return reply
      .code(body.ok ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(body);
  });
  http.get('/readyz', async (_request, reply) => {
    const body = await health.readiness();
    return reply
      .code(body.ok ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(body);
  });
}

/** How long one write probe's answer serves /readyz. */
const PROBE_REUSE_MS = 1_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
