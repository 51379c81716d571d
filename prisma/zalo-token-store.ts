import type { SqlDb } from './sql-db.ts';
import { fromDbTime } from './sqlite.ts';

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

/**
 * The token store on the bot's database, so that two bot processes (or instances) on one database
 * agree on who refreshes: every write is one statement on the single row.
 */
export function createZaloTokenStore(db: SqlDb): ZaloTokenStore {
  const optionalTime = (value: unknown): Date | null => (value === null ? null : fromDbTime(value));

  return {
    async read() {
      const r = await db.get('SELECT * FROM "ZaloToken" WHERE id = 1');
      if (!r) {
        return undefined;
      }
      return {
        accessToken: String(r.accessToken),
        refreshToken: String(r.refreshToken),
        accessExpiresAt: fromDbTime(r.accessExpiresAt),
        refreshedAt: optionalTime(r.refreshedAt),
        leaseUntil: optionalTime(r.leaseUntil),
        deadSince: optionalTime(r.deadSince),
        lastError: r.lastError === null ? null : String(r.lastError),
      };
    },
    async init(refreshToken, now) {
      await db.run(
        `INSERT INTO "ZaloToken" (id, accessToken, refreshToken, accessExpiresAt) VALUES (1, '', ?, ?)
         ON CONFLICT (id) DO NOTHING`,
        [refreshToken, now],
      );
    },
    async tryLease(now, until) {
      // A conditional UPDATE of the one row: of two processes asking at once, one changes it.
      return (
        (await db.run(
          `UPDATE "ZaloToken" SET leaseUntil = ?
            WHERE id = 1 AND deadSince IS NULL AND (leaseUntil IS NULL OR leaseUntil <= ?)`,
          [until, now],
        )) === 1
      );
    },
    async saveRefreshed(pair, now) {
      await db.run(
        `UPDATE "ZaloToken" SET accessToken = ?, refreshToken = ?, accessExpiresAt = ?, refreshedAt = ?,
           leaseUntil = NULL, deadSince = NULL, lastError = NULL
          WHERE id = 1`,
        [pair.accessToken, pair.refreshToken, pair.accessExpiresAt, now],
      );
    },
    async markDead(error, now) {
      // COALESCE keeps the first refusal: that is when sending actually stopped.
      await db.run(
        `UPDATE "ZaloToken" SET deadSince = COALESCE(deadSince, ?), lastError = ?, leaseUntil = NULL
          WHERE id = 1`,
        [now, error],
      );
    },
    async releaseLease(error) {
      await db.run(
        'UPDATE "ZaloToken" SET leaseUntil = NULL, lastError = COALESCE(?, lastError) WHERE id = 1',
        [error ?? null],
      );
    },
    async replaceRefreshToken(refreshToken, now) {
      // The old access token belongs to the old grant; leaving it empty and expired forces a refresh.
      await db.run(
        `INSERT INTO "ZaloToken" (id, accessToken, refreshToken, accessExpiresAt) VALUES (1, '', ?, ?)
         ON CONFLICT (id) DO UPDATE SET accessToken = '', refreshToken = excluded.refreshToken,
           accessExpiresAt = excluded.accessExpiresAt, deadSince = NULL, lastError = NULL`,
        [refreshToken, now],
      );
    },
  };
}
