import type { AxiosInstance } from 'axios';
import { z } from 'zod';
import type { Clock } from '../../core/shared/clock.ts';
import type { ZaloTokenState, ZaloTokenStore } from '../../prisma/zalo-token-store.ts';
import type { Logger } from '../logger.ts';
import { toZaloHttpError, ZaloApiError, ZaloHttpError, ZaloTokenDeadError } from './zalo-errors.ts';

export const ZALO_OAUTH_TOKEN_PATH = '/v4/oa/access_token';

const HOUR_MS = 3_600_000;
const POLL_MS = 100;
const OAUTH_TIMEOUT_MS = 10_000;

/** `expires_in` comes as a string ("90000") in Zalo's own example, as a number elsewhere. */
const ZOAuthPair = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.union([z.string(), z.number()]).transform(Number).pipe(z.number().positive()),
});
const ZOAuthError = z.object({
  error: z.union([z.number(), z.string().regex(/^-?\d+$/)]).transform(Number),
  message: z.string().optional(),
  error_name: z.string().optional(),
});

export interface ZaloTokensDeps {
  store: ZaloTokenStore;
  /** baseURL = ZALO_OAUTH_BASE. */
  oauth: AxiosInstance;
  appId: string;
  appSecret: string;
  clock: Clock;
  log: Logger;
  /** Refresh when less than this much of the token's 25 h remains; default 5 h. */
  refreshAheadMs?: number;
  /** How long one process may hold the refresh lease; default 30 s (the OAuth call times out after 10 s). */
  leaseMs?: number;
  /** How long to wait for another process's refresh; default 15 s. */
  waitMs?: number;
  /** Told once per refusal, so a human can be alerted to supply a new refresh token. */
  onDead?: (error: string) => void;
}

export interface ZaloTokenStatus {
  accessExpiresAt: Date | null;
  refreshedAt: Date | null;
  deadSince: Date | null;
  lastError: string | null;
}

export interface ZaloTokens {
  /** A usable access token, refreshed first when it is close to expiry. */
  accessToken(): Promise<string>;
  /** Replaces `rejected` (or the current token) with a new one, unless someone already did. */
  refresh(rejected?: string): Promise<string>;
  status(): Promise<ZaloTokenStatus>;
}

/**
 * The OA access token, kept fresh. Zalo's refresh token is single-use: two refreshes with the same
 * one leave the loser with a dead token and the OA mute until an admin re-consents. So a refresh
 * is single-flight twice over (one promise per process, a database lease across processes), and
 * the new pair is stored before anyone gets to use it.
 */
export function createZaloTokens(deps: ZaloTokensDeps): ZaloTokens {
  const { store, oauth, clock, log } = deps;
  const refreshAheadMs = deps.refreshAheadMs ?? 5 * HOUR_MS;
  const leaseMs = deps.leaseMs ?? 30_000;
  const maxPolls = Math.ceil((deps.waitMs ?? 15_000) / POLL_MS);
  let inFlight: Promise<string> | undefined;

  async function readLive(): Promise<ZaloTokenState> {
    const state = await store.read();
    if (!state) {
      throw new ZaloTokenDeadError('No Zalo token is stored: set ZALO_REFRESH_TOKEN and restart');
    }
    if (state.deadSince) {
      throw new ZaloTokenDeadError(
        `Zalo refused the refresh token (${state.lastError ?? 'no detail'}); an OA admin must supply a new one`,
        { deadSince: state.deadSince },
      );
    }
    return state;
  }

  /** True when `state` holds a token other than `seen` that still works: somebody else refreshed. */
  function replaced(state: ZaloTokenState, seen: string, now: Date): boolean {
    return state.accessToken !== '' && state.accessToken !== seen && state.accessExpiresAt > now;
  }

  async function refreshOnce(rejected: string | undefined): Promise<string> {
    // Without `rejected`, the token to replace is the one stored right now.
    let seen = rejected;
    for (let poll = 0; ; poll++) {
      const state = await readLive();
      const now = clock.now();
      if (seen === undefined) {
        seen = state.accessToken;
      } else if (replaced(state, seen, now)) {
        return state.accessToken;
      }
      const leaseFree = state.leaseUntil === null || state.leaseUntil <= now;
      if (leaseFree && (await store.tryLease(now, new Date(now.getTime() + leaseMs)))) {
        return refreshUnderLease(seen);
      }
      if (poll >= maxPolls) {
        throw new ZaloHttpError(ZALO_OAUTH_TOKEN_PATH, 'timed out waiting for another process to refresh');
      }
      await sleep(POLL_MS);
    }
  }

  async function refreshUnderLease(seen: string): Promise<string> {
    // The lease excludes dead tokens, so this read cannot fail on deadSince.
    const state = await readLive();
    const now = clock.now();
    // Another process may have finished and dropped its lease between our read and our lease.
    if (replaced(state, seen, now)) {
      await store.releaseLease();
      return state.accessToken;
    }
    const started = performance.now();
    let status: number;
    let body: unknown;
    try {
      const response = await oauth.post<unknown>(
        ZALO_OAUTH_TOKEN_PATH,
        new URLSearchParams({
          refresh_token: state.refreshToken,
          app_id: deps.appId,
          grant_type: 'refresh_token',
        }).toString(),
        {
          headers: { secret_key: deps.appSecret, 'Content-Type': 'application/x-www-form-urlencoded' },
          timeout: OAUTH_TIMEOUT_MS,
          validateStatus: () => true,
        },
      );
      status = response.status;
      body = response.data;
    } catch (error) {
      throw await transient(toZaloHttpError(ZALO_OAUTH_TOKEN_PATH, error), started);
    }
    if (status >= 500) {
      throw await transient(new ZaloHttpError(ZALO_OAUTH_TOKEN_PATH, `HTTP ${status}`, { status }), started);
    }
    const failure = ZOAuthError.safeParse(body);
    const pair = ZOAuthPair.safeParse(body);
    if (pair.success && (!failure.success || failure.data.error === 0)) {
      const fresh = {
        accessToken: pair.data.access_token,
        refreshToken: pair.data.refresh_token,
        accessExpiresAt: new Date(now.getTime() + pair.data.expires_in * 1000),
      };
      try {
        await store.saveRefreshed(fresh, clock.now());
      } catch (error) {
        // The old refresh token is spent and the new one exists only in memory: nothing can recover it.
        log.error(
          { endpoint: ZALO_OAUTH_TOKEN_PATH, err: error },
          'Zalo token refreshed but could not be stored; an OA admin may need to supply a new refresh token',
        );
        throw error;
      }
      log.info(
        { endpoint: ZALO_OAUTH_TOKEN_PATH, ms: elapsed(started), accessExpiresAt: fresh.accessExpiresAt },
        'Zalo access token refreshed',
      );
      return fresh.accessToken;
    }
    if (typeof body !== 'object' || body === null) {
      // Not JSON at all (a proxy page, an outage): the refresh token was probably not spent.
      throw await transient(
        new ZaloHttpError(ZALO_OAUTH_TOKEN_PATH, `HTTP ${status} without a JSON body`, { status }),
        started,
      );
    }
    const refusal = failure.success
      ? new ZaloApiError(
          ZALO_OAUTH_TOKEN_PATH,
          failure.data.error,
          [failure.data.error_name, failure.data.message].filter(Boolean).join(': ') || 'no message',
        )
      : new ZaloApiError(ZALO_OAUTH_TOKEN_PATH, 0, 'response without access_token/refresh_token');
    if (refusal.isRetryable) {
      throw await transient(refusal, started);
    }
    const error = `refresh refused with error ${refusal.code}: ${refusal.apiMessage}`;
    await store.markDead(error, clock.now());
    log.error(
      {
        endpoint: ZALO_OAUTH_TOKEN_PATH,
        code: refusal.code,
        apiMessage: refusal.apiMessage,
        ms: elapsed(started),
      },
      'Zalo refused the refresh token; Zalo sending stops until an OA admin supplies a new one',
    );
    if (deps.onDead) {
      try {
        deps.onDead(error);
      } catch (alertError) {
        log.error({ err: alertError }, 'Zalo onDead alert failed');
      }
    }
    throw new ZaloTokenDeadError(`Zalo ${error}; an OA admin must supply a new refresh token`, {
      deadSince: clock.now(),
      cause: refusal,
    });
  }

  /** A failure that did not spend the refresh token: hand the lease back so the next call can retry. */
  async function transient<E extends Error>(error: E, started: number): Promise<E> {
    await store.releaseLease(error.message);
    log.warn(
      { endpoint: ZALO_OAUTH_TOKEN_PATH, ms: elapsed(started), err: error },
      'Zalo token refresh failed; will retry',
    );
    return error;
  }

  const tokens: ZaloTokens = {
    async accessToken() {
      const state = await readLive();
      const now = clock.now();
      if (state.accessToken !== '' && state.accessExpiresAt.getTime() - now.getTime() > refreshAheadMs) {
        return state.accessToken;
      }
      try {
        return await tokens.refresh();
      } catch (error) {
        // An early refresh that failed transiently leaves a token that still works for hours.
        if (
          (error instanceof ZaloHttpError || (error instanceof ZaloApiError && error.isRetryable)) &&
          state.accessToken !== '' &&
          state.accessExpiresAt > clock.now()
        ) {
          return state.accessToken;
        }
        throw error;
      }
    },
    refresh(rejected) {
      if (!inFlight) {
        inFlight = refreshOnce(rejected).finally(() => {
          inFlight = undefined;
        });
      }
      return inFlight;
    },
    async status() {
      const state = await store.read();
      return {
        accessExpiresAt: state ? state.accessExpiresAt : null,
        refreshedAt: state?.refreshedAt ?? null,
        deadSince: state?.deadSince ?? null,
        lastError: state?.lastError ?? null,
      };
    },
  };
  return tokens;
}

/** The global timer rather than node:timers/promises, so vitest's fake timers can drive the waits. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
