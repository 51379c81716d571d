import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SqlDb } from './sql-db.ts';

/** The single Zalo OA token row (id = 1). */
export interface ZaloTokenState {
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: Date;
  refreshedAt: Date | null;
  leaseUntil: Date | null;
  deadSince: Date | null;
  lastError: string | null;
}

/**
 * Where the rotated Zalo token pair lives. Zalo's refresh token is single-use, so the pair must be
 * stored before it is used and only one process may spend it: every write here is one statement on
 * the single row, and the refresh lease is taken with a conditional UPDATE.
 */
export interface ZaloTokenStore {
  read(): Promise<ZaloTokenState | undefined>;
  /** First start: store the refresh token from ZALO_REFRESH_TOKEN with an empty, already-expired access token. No-op when a row exists (rotated tokens live in the database, the env var is only the first one). */
  init(refreshToken: string, now: Date): Promise<void>;
  /** Takes the refresh lease if nobody holds a live one (atomic conditional UPDATE on the single row id=1); true when taken. Never taken while the token is dead. */
  tryLease(now: Date, until: Date): Promise<boolean>;
  /** Persists a new pair and clears lease, deadSince and lastError — in one statement, BEFORE the new token is used. */
  saveRefreshed(
    pair: { accessToken: string; refreshToken: string; accessExpiresAt: Date },
    now: Date,
  ): Promise<void>;
  /** The refresh token was refused: sets deadSince and lastError, clears the lease. */
  markDead(error: string, now: Date): Promise<void>;
  /** Gives up the lease after a transient failure, keeping the tokens; records `error` when given. */
  releaseLease(error?: string): Promise<void>;
  /** An admin supplied a new refresh token: replaces the pair, clears deadSince. */
  replaceRefreshToken(refreshToken: string, now: Date): Promise<void>;
}

const SEALED = 'enc:v1:';

/**
 * A token as stored: AES-256-GCM under ZALO_TOKEN_KEY, "enc:v1:" + base64(12-byte IV, 16-byte
 * tag, ciphertext). The empty token (none yet) stays empty.
 */
export function sealToken(key: Buffer, token: string): string {
  if (token === '') {
    return '';
  }
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return SEALED + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

/** The token back; a value stored before encryption (no prefix) is returned as it is. */
export function openToken(key: Buffer, stored: string): string {
  if (!stored.startsWith(SEALED)) {
    return stored;
  }
  const raw = Buffer.from(stored.slice(SEALED.length), 'base64');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    throw new Error(
      'ZALO_TOKEN_KEY does not open the stored Zalo tokens: set the key they were stored with, or store a new refresh token (npm run cli -- zalo set-token <token>)',
    );
  }
}

/**
 * The token store on the bot's database, so that two bot processes (or instances) on one database
 * agree on who refreshes: every write is one statement on the single row. Both tokens are stored
 * encrypted with `key` (ZALO_TOKEN_KEY, never in the database or a backup); a row stored in
 * plain text before is read as it is and encrypted by `init` at the next start.
 */
export function createZaloTokenStore(db: SqlDb, key: Buffer): ZaloTokenStore {
  const seal = (token: string): string => sealToken(key, token);
  const row = () => db.kysely.updateTable('ZaloToken').where('id', '=', 1);

  return {
    async read() {
      const r = await db.kysely.selectFrom('ZaloToken').selectAll().where('id', '=', 1).executeTakeFirst();
      if (!r) {
        return undefined;
      }
      return {
        accessToken: openToken(key, r.accessToken),
        refreshToken: openToken(key, r.refreshToken),
        accessExpiresAt: r.accessExpiresAt,
        refreshedAt: r.refreshedAt,
        leaseUntil: r.leaseUntil,
        deadSince: r.deadSince,
        lastError: r.lastError,
      };
    },
    async init(refreshToken, now) {
      await db.kysely
        .insertInto('ZaloToken')
        .values({ id: 1, accessToken: '', refreshToken: seal(refreshToken), accessExpiresAt: now })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      // Tokens stored in plain text (before encryption): encrypted once, unless they changed meanwhile.
      const r = await db.kysely
        .selectFrom('ZaloToken')
        .select(['accessToken', 'refreshToken'])
        .where('id', '=', 1)
        .executeTakeFirst();
      if (!r) {
        return;
      }
      const { accessToken: access, refreshToken: refresh } = r;
      const plain = (v: string): boolean => v !== '' && !v.startsWith(SEALED);
      if (plain(access) || plain(refresh)) {
        await row()
          .set({
            accessToken: plain(access) ? seal(access) : access,
            refreshToken: plain(refresh) ? seal(refresh) : refresh,
          })
          .where('accessToken', '=', access)
          .where('refreshToken', '=', refresh)
          .execute();
      }
    },
    async tryLease(now, until) {
      // A conditional UPDATE of the one row: of two processes asking at once, one changes it.
      const r = await row()
        .set({ leaseUntil: until })
        .where('deadSince', 'is', null)
        .where((eb) => eb.or([eb('leaseUntil', 'is', null), eb('leaseUntil', '<=', now)]))
        .executeTakeFirst();
      return r.numUpdatedRows === 1n;
    },
    async saveRefreshed(pair, now) {
      await row()
        .set({
          accessToken: seal(pair.accessToken),
          refreshToken: seal(pair.refreshToken),
          accessExpiresAt: pair.accessExpiresAt,
          refreshedAt: now,
          leaseUntil: null,
          deadSince: null,
          lastError: null,
        })
        .execute();
    },
    async markDead(error, now) {
      // COALESCE keeps the first refusal: that is when sending actually stopped.
      await row()
        .set((eb) => ({
          deadSince: eb.fn.coalesce('deadSince', eb.val(now)),
          lastError: error,
          leaseUntil: null,
        }))
        .execute();
    },
    async releaseLease(error) {
      await row()
        .set(error === undefined ? { leaseUntil: null } : { leaseUntil: null, lastError: error })
        .execute();
    },
    async replaceRefreshToken(refreshToken, now) {
      // The old access token belongs to the old grant; leaving it empty and expired forces a refresh.
      await db.kysely
        .insertInto('ZaloToken')
        .values({ id: 1, accessToken: '', refreshToken: seal(refreshToken), accessExpiresAt: now })
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            accessToken: '',
            refreshToken: eb.ref('excluded.refreshToken'),
            accessExpiresAt: eb.ref('excluded.accessExpiresAt'),
            deadSince: null,
            lastError: null,
          })),
        )
        .execute();
    },
  };
}
