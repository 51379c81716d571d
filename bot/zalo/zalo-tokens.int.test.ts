import axios, { AxiosError, type InternalAxiosRequestConfig } from 'axios';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFixedClock } from '../../core/shared/clock.ts';
import { openSqlDb, type SqlDb } from '../../prisma/sql-db.ts';
import { createZaloTokenStore, openToken, type ZaloTokenStore } from '../../prisma/zalo-token-store.ts';
import { migratedDb, TEST_DIALECT } from '../../test/support/app-harness.ts';
import { createLogger } from '../logger.ts';
import { ZaloHttpError, ZaloTokenDeadError } from './zalo-errors.ts';
import { createZaloTokens, type ZaloTokensDeps } from './zalo-tokens.ts';

const APP_ID = '1234567890';
const APP_SECRET = 'app-secret-XYZ';
const HOUR = 3_600_000;
/** ZALO_TOKEN_KEY of these tests. */
const KEY = Buffer.alloc(32, 7);

/**
 * Zalo's token endpoint as far as refresh goes: each refresh token works once and yields the next
 * pair (access-n, refresh-n); a spent or unknown one gets -14014. Scripted failures come first.
 */
function fakeOAuth(known: string[]) {
  const valid = new Set(known);
  const requests: InternalAxiosRequestConfig[] = [];
  const failures: Array<Error | { status: number; body: unknown }> = [];
  let issued = 0;
  const http = axios.create({
    baseURL: 'https://oauth.zaloapp.com',
    adapter: async (config) => {
      requests.push(config);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const reply = (body: unknown, status = 200) => ({
        data: body,
        status,
        statusText: 'OK',
        headers: {},
        config,
      });
      const failure = failures.shift();
      if (failure instanceof Error) {
        throw failure;
      }
      if (failure) {
        return reply(failure.body, failure.status);
      }
      const form = new URLSearchParams(String(config.data));
      if (!valid.delete(form.get('refresh_token') ?? '')) {
        return reply({ error: -14014, error_name: 'invalid_grant', message: 'Invalid refresh token' });
      }
      issued += 1;
      valid.add(`refresh-${issued}`);
      return reply({
        access_token: `access-${issued}`,
        refresh_token: `refresh-${issued}`,
        expires_in: '90000',
      });
    },
  });
  return { http, requests, failures };
}

describe(`Zalo tokens on ${TEST_DIALECT}`, () => {
  const start = '2025-03-10T03:00:00.000Z';
  let clock: ReturnType<typeof createFixedClock>;
  let db: SqlDb;
  let url: string;
  let close: () => Promise<void>;
  let logLines: string[];
  beforeEach(async () => {
    ({ db, url, close } = await migratedDb());
    clock = createFixedClock(start);
    logLines = [];
  });
  afterEach(() => close());

  function manager(
    store: ZaloTokenStore,
    oauth: ReturnType<typeof fakeOAuth>,
    extra: Partial<ZaloTokensDeps> = {},
  ) {
    const log = createLogger(
      { level: 'info', secrets: [] },
      { write: (line: string) => logLines.push(line) },
    );
    return createZaloTokens({
      store,
      oauth: oauth.http,
      appId: APP_ID,
      appSecret: APP_SECRET,
      clock,
      log,
      ...extra,
    });
  }

  /**
   * The token row, its times as ISO text (each dialect writes its own form) and its tokens
   * decrypted — after checking that the stored ones are encrypted (or empty).
   */
  async function row() {
    const r = await db.kysely.selectFrom('ZaloToken').selectAll().where('id', '=', 1).executeTakeFirst();
    if (!r) {
      return undefined;
    }
    for (const token of [r.accessToken, r.refreshToken]) {
      expect(token).toMatch(/^$|^enc:v1:[A-Za-z0-9+/=]{40,}$/);
    }
    const iso = (at: Date | null) => (at === null ? null : at.toISOString());
    return {
      ...r,
      accessToken: openToken(KEY, r.accessToken),
      refreshToken: openToken(KEY, r.refreshToken),
      accessExpiresAt: r.accessExpiresAt.toISOString(),
      refreshedAt: iso(r.refreshedAt),
      leaseUntil: iso(r.leaseUntil),
      deadSince: iso(r.deadSince),
    };
  }

  it('starts from the env refresh token and persists the first refreshed pair before returning it', async () => {
    const store = createZaloTokenStore(db, KEY);
    const oauth = fakeOAuth(['refresh-0']);
    await store.init('refresh-0', clock.now());
    await store.init('refresh-from-a-stale-env', clock.now());
    expect(await row()).toMatchObject({ accessToken: '', refreshToken: 'refresh-0', deadSince: null });

    const tokens = manager(store, oauth);
    await expect(tokens.accessToken()).resolves.toBe('access-1');
    expect(await row()).toEqual({
      id: 1,
      accessToken: 'access-1',
      refreshToken: 'refresh-1',
      accessExpiresAt: '2025-03-11T04:00:00.000Z',
      refreshedAt: '2025-03-10T03:00:00.000Z',
      leaseUntil: null,
      deadSince: null,
      lastError: null,
    });

    const [request] = oauth.requests;
    expect(oauth.requests).toHaveLength(1);
    expect(request?.method).toBe('post');
    expect(request?.url).toBe('/v4/oa/access_token');
    expect(request?.headers.get('secret_key')).toBe(APP_SECRET);
    expect(String(request?.headers.get('Content-Type'))).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(String(request?.data)))).toEqual({
      refresh_token: 'refresh-0',
      app_id: APP_ID,
      grant_type: 'refresh_token',
    });
    await expect(tokens.status()).resolves.toEqual({
      accessExpiresAt: new Date('2025-03-11T04:00:00Z'),
      refreshedAt: new Date(start),
      deadSince: null,
      lastError: null,
    });
    expect(logLines.join('\n')).not.toMatch(/access-1|refresh-[01]|app-secret/);
  });

  it('reuses the stored token and refreshes only within refreshAheadMs of expiry', async () => {
    const store = createZaloTokenStore(db, KEY);
    const oauth = fakeOAuth(['refresh-0']);
    await store.init('refresh-0', clock.now());
    const tokens = manager(store, oauth);
    await expect(tokens.accessToken()).resolves.toBe('access-1');

    clock.advance(20 * HOUR - 60_000);
    await expect(tokens.accessToken()).resolves.toBe('access-1');
    expect(oauth.requests).toHaveLength(1);

    clock.advance(2 * 60_000);
    await expect(tokens.accessToken()).resolves.toBe('access-2');
    expect(oauth.requests).toHaveLength(2);
    expect(await row()).toMatchObject({ accessToken: 'access-2', refreshToken: 'refresh-2' });
  });

  describe('two processes on one database', () => {
    let db2: SqlDb;
    beforeEach(() => {
      db2 = openSqlDb(url);
    });
    afterEach(() => db2.close());

    it('spends the refresh token once for 10 concurrent refreshes across both', async () => {
      const oauth = fakeOAuth(['refresh-0']);
      const storeA = createZaloTokenStore(db, KEY);
      await storeA.init('refresh-0', clock.now());
      const a = manager(storeA, oauth);
      const b = manager(createZaloTokenStore(db2, KEY), oauth);

      const first = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).refresh()));
      expect(first).toEqual(Array(10).fill('access-1'));
      expect(oauth.requests).toHaveLength(1);

      // Both processes saw -216 on access-1 at once.
      const second = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? b : a).refresh('access-1')),
      );
      expect(second).toEqual(Array(10).fill('access-2'));
      expect(oauth.requests).toHaveLength(2);
      expect(await row()).toMatchObject({
        accessToken: 'access-2',
        refreshToken: 'refresh-2',
        leaseUntil: null,
      });
    });

    it('does not refresh when the rejected token was already replaced', async () => {
      const oauth = fakeOAuth(['refresh-0']);
      const storeA = createZaloTokenStore(db, KEY);
      await storeA.init('refresh-0', clock.now());
      const a = manager(storeA, oauth);
      const b = manager(createZaloTokenStore(db2, KEY), oauth);
      await expect(a.refresh()).resolves.toBe('access-1');

      await expect(b.refresh('an-older-access-token')).resolves.toBe('access-1');
      await expect(a.refresh('an-older-access-token')).resolves.toBe('access-1');
      expect(oauth.requests).toHaveLength(1);
    });

    it('waits for a live lease, gives up after waitMs, and refreshes once it expires', async () => {
      const oauth = fakeOAuth(['refresh-0']);
      const storeA = createZaloTokenStore(db, KEY);
      await storeA.init('refresh-0', clock.now());
      // A process that took the lease and died.
      await expect(storeA.tryLease(clock.now(), new Date(clock.now().getTime() + 30_000))).resolves.toBe(
        true,
      );
      const b = manager(createZaloTokenStore(db2, KEY), oauth, { waitMs: 300 });

      await expect(b.refresh()).rejects.toBeInstanceOf(ZaloHttpError);
      expect(oauth.requests).toHaveLength(0);

      clock.advance(30_000);
      await expect(b.refresh()).resolves.toBe('access-1');
    });
  });

  it('marks a refused refresh token dead, alerts, and stops handing out tokens', async () => {
    const store = createZaloTokenStore(db, KEY);
    const oauth = fakeOAuth([]);
    await store.init('refresh-revoked', clock.now());
    const alerts: string[] = [];
    const tokens = manager(store, oauth, { onDead: (error) => alerts.push(error) });

    await expect(tokens.accessToken()).rejects.toBeInstanceOf(ZaloTokenDeadError);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toContain('-14014');
    await expect(tokens.accessToken()).rejects.toBeInstanceOf(ZaloTokenDeadError);
    await expect(tokens.refresh()).rejects.toBeInstanceOf(ZaloTokenDeadError);
    expect(oauth.requests).toHaveLength(1);

    const status = await tokens.status();
    expect(status.deadSince).toEqual(new Date(start));
    expect(status.lastError).toContain('-14014');
    expect(await row()).toMatchObject({ leaseUntil: null, refreshToken: 'refresh-revoked' });

    const logs = logLines.join('\n');
    expect(logs).toContain('"level":50');
    expect(logs).toContain('-14014');
    expect(logs).not.toMatch(/refresh-revoked|app-secret/);
    expect(`${alerts.join()} ${status.lastError}`).not.toMatch(/refresh-revoked|app-secret/);

    // An admin supplies a new refresh token.
    clock.advance(HOUR);
    await store.replaceRefreshToken('refresh-0', clock.now());
    await expect(tokens.status()).resolves.toMatchObject({ deadSince: null, lastError: null });
    const revived = fakeOAuth(['refresh-0']);
    await expect(manager(store, revived).accessToken()).resolves.toBe('access-1');
  });

  it('releases the lease on a network failure so the next call can refresh', async () => {
    const store = createZaloTokenStore(db, KEY);
    const oauth = fakeOAuth(['refresh-0']);
    await store.init('refresh-0', clock.now());
    oauth.failures.push(
      new AxiosError('connect ECONNREFUSED 203.0.113.7:443', 'ECONNREFUSED'),
      { status: 502, body: '<html>Bad gateway</html>' },
      { status: 200, body: { error: -32, message: 'Your application reached limit call api' } },
    );
    const tokens = manager(store, oauth);

    const error = await tokens.refresh().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZaloHttpError);
    expect(String(error)).not.toMatch(/refresh-0|app-secret/);
    expect(await row()).toMatchObject({ leaseUntil: null, refreshToken: 'refresh-0', deadSince: null });
    expect(String((await row())?.lastError)).toContain('ECONNREFUSED');

    await expect(tokens.refresh()).rejects.toMatchObject({ name: 'ZaloHttpError', status: 502 });
    await expect(tokens.refresh()).rejects.toMatchObject({ name: 'ZaloApiError', code: -32 });
    expect(await row()).toMatchObject({ leaseUntil: null, deadSince: null });

    await expect(tokens.refresh()).resolves.toBe('access-1');
    expect(await row()).toMatchObject({
      accessToken: 'access-1',
      refreshToken: 'refresh-1',
      lastError: null,
    });
  });

  it('keeps using a still-valid token when an early refresh fails on the network', async () => {
    const store = createZaloTokenStore(db, KEY);
    const oauth = fakeOAuth(['refresh-0']);
    await store.init('refresh-0', clock.now());
    const tokens = manager(store, oauth);
    await expect(tokens.accessToken()).resolves.toBe('access-1');

    clock.advance(22 * HOUR);
    oauth.failures.push(new AxiosError('timeout of 10000ms exceeded', 'ECONNABORTED'));
    await expect(tokens.accessToken()).resolves.toBe('access-1');
    await expect(tokens.accessToken()).resolves.toBe('access-2');
  });

  it('stores both tokens encrypted, encrypts a plain-text row once, and refuses a wrong key', async () => {
    const store = createZaloTokenStore(db, KEY);
    const oauth = fakeOAuth(['refresh-0']);
    await store.init('refresh-0', clock.now());
    await expect(manager(store, oauth).accessToken()).resolves.toBe('access-1');
    const tokens = () =>
      db.kysely
        .selectFrom('ZaloToken')
        .select(['accessToken', 'refreshToken'])
        .where('id', '=', 1)
        .executeTakeFirst();
    const stored = await tokens();
    expect(JSON.stringify(stored)).not.toMatch(/access-1|refresh-1/);

    // A row written in plain text before this version: read as it is, encrypted at the next start.
    await db.kysely
      .updateTable('ZaloToken')
      .set({ accessToken: 'access-1', refreshToken: 'refresh-1' })
      .where('id', '=', 1)
      .execute();
    await expect(store.read()).resolves.toMatchObject({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    await store.init('refresh-from-env', clock.now());
    const migrated = await tokens();
    expect(JSON.stringify(migrated)).not.toMatch(/access-1|refresh-1/);
    expect(await row()).toMatchObject({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    clock.advance(HOUR);
    await expect(manager(store, oauth).accessToken()).resolves.toBe('access-1');

    // Another key cannot read them, and says what to do.
    await expect(createZaloTokenStore(db, Buffer.alloc(32, 9)).read()).rejects.toThrow(/ZALO_TOKEN_KEY/);
  });
});
