import type { Kysely } from 'kysely';
import type { DB } from './kysely-dialect.ts';

export type Dialect = 'sqlite' | 'postgres';

/**
 * The one database interface the stores are written against, on SQLite (better-sqlite3, the embedded
 * default) and on PostgreSQL (node-postgres, for several instances): transactions, advisory locks
 * and typed queries through `kysely` (prisma/kysely-dialect.ts), compiled by Kysely for each
 * database — statements outside the generated types (catalogues, older schemas in tests) are Kysely
 * `sql` templates, which quote identifiers and bind parameters the same way.
 */
export interface SqlDb {
  readonly dialect: Dialect;
  /**
   * Typed queries (Kysely) on this same connection or transaction: see prisma/kysely-dialect.ts.
   * Inside `transaction(work)`, the `kysely` of the `SqlDb` given to `work` runs in that transaction.
   */
  readonly kysely: Kysely<DB>;
  /** PostgreSQL: the schema a `?schema=` URL names (created by the first migration run). */
  readonly schema?: string;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `work` in one transaction on one connection: everything it wrote commits together or
   * not at all. Inside a transaction, `transaction` just runs `work` in the same one.
   */
  transaction<T>(work: (db: SqlDb) => Promise<T>): Promise<T>;
  /**
   * Inside a transaction: waits until no other transaction holding `key` is running, and holds it
   * until this one ends (PostgreSQL advisory lock; SQLite has one writer at a time already).
   */
  lock(key: string): Promise<void>;
  /** As `lock`, but without waiting: false when another transaction holds `key`. */
  tryLock(key: string): Promise<boolean>;
  close(): Promise<void>;
}

/** PostgreSQL errors after which the same transaction may simply be tried again. */
export const PG_RETRYABLE = new Set(['40001', '40P01']);

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/**
 * Whether an error says the database was out of reach for a moment rather than that the work was
 * wrong: SQLite's write lock held past the busy timeout; PostgreSQL restarting, shutting a session
 * down or refusing connections, the connection cut or not made in time, a serialization failure or
 * deadlock. The same work may well succeed a little later.
 */
export function isTransientDbError(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return true;
  }
  // Connection exceptions (08…), admin/crash shutdown and start-up (57P01–57P03), too many connections.
  if (code.startsWith('08') || ['57P01', '57P02', '57P03', '53300', ...PG_RETRYABLE].includes(code)) {
    return true;
  }
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN'].includes(code)) {
    return true;
  }
  const message = typeof e?.message === 'string' ? e.message : '';
  // node-postgres: the socket closed, or the pool could not connect in time.
  return /Connection terminated|not queryable|timeout exceeded when trying to connect/i.test(message);
}

/**
 * Whether an error says the database cannot take work now — not that the work was wrong: the
 * transient cases above, and a database that fails for longer: SQLite's file or journal not
 * writable or the disk failing or full (SQLITE_IOERR…, SQLITE_READONLY…, SQLITE_FULL,
 * SQLITE_CANTOPEN), PostgreSQL out of disk or memory, read-only (a standby) or failing I/O. Work
 * that failed this way must wait for the database, never be dropped.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (isTransientDbError(error)) {
    return true;
  }
  const code = String((error as { code?: unknown } | null | undefined)?.code ?? '');
  return (
    /^SQLITE_(IOERR|READONLY|FULL|CANTOPEN|PROTOCOL|NOMEM)/.test(code) ||
    ['53100', '53200', '25006', '58000', '58030', 'XX001'].includes(code)
  );
}

/** Prisma-style `?schema=name` becomes the connection's search_path (node-postgres does not know it). */
export function postgresConnection(url: string): { connectionString: string; schema: string | undefined } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}
