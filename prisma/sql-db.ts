import pg from 'pg';
import { cachedStatements, openSqlite, type SqliteDatabase, sqlitePathFromUrl, toDbTime } from './sqlite.ts';

export type SqlParam = string | number | bigint | boolean | null | Date;
export type Row = Record<string, unknown>;
export type Dialect = 'sqlite' | 'postgres';

/**
 * The one database interface the stores are written against, on SQLite (better-sqlite3, the embedded
 * default) and on PostgreSQL (node-postgres, for several instances). SQL is written once, in the
 * common subset: `?` placeholders, camelCase column names as Prisma creates them, `TRUE`/`FALSE`,
 * `ON CONFLICT … DO …`, `RETURNING`. For PostgreSQL the text is rewritten once per statement
 * (`$1…`, camelCase identifiers quoted, see `toPostgresSql`).
 *
 * Rows read the same on both: integers as numbers (bigint only beyond 2^53), booleans as 1/0,
 * DateTime columns as ISO text that `fromDbTime` reads, so code above this never asks which one it is.
 */
export interface SqlDb {
  readonly dialect: Dialect;
  /** PostgreSQL: the schema a `?schema=` URL names (created by the first migration run). */
  readonly schema?: string;
  all(sql: string, params?: readonly SqlParam[]): Promise<Row[]>;
  get(sql: string, params?: readonly SqlParam[]): Promise<Row | undefined>;
  /** Runs a statement; resolves with the number of rows it changed. */
  run(sql: string, params?: readonly SqlParam[]): Promise<number>;
  /** Runs an INSERT and resolves with the new row's `id` (or undefined when ON CONFLICT DO NOTHING skipped it). */
  insert(sql: string, params?: readonly SqlParam[]): Promise<number | undefined>;
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

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/** Opens the database a DATABASE_URL names: `file:…` for SQLite, `postgres(ql)://…` for PostgreSQL. */
export function openSqlDb(url: string, opts: { poolSize?: number } = {}): SqlDb {
  return isPostgresUrl(url) ? openPostgres(url, opts) : sqliteDb(openSqlite(sqlitePathFromUrl(url)));
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
  if (code.startsWith('08') || ['57P01', '57P02', '57P03', '53300', ...RETRYABLE].includes(code)) {
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

// ---------------------------------------------------------------------------------------------
// SQLite

/**
 * SQLite through better-sqlite3: one connection, so one transaction at a time through a promise
 * queue; statements outside a transaction also wait for the one in progress (they would otherwise
 * run inside it). `BEGIN IMMEDIATE` takes the write lock at once, so another process (the CLI)
 * waits on the busy timeout instead of failing half-way.
 */
export function sqliteDb(raw: SqliteDatabase): SqlDb & { raw: SqliteDatabase } {
  const stmt = cachedStatements(raw);
  let queue: Promise<unknown> = Promise.resolve();

  function serial<T>(work: () => Promise<T> | T): Promise<T> {
    const next = queue.then(work);
    queue = next.catch(() => undefined);
    return next;
  }

  const direct = {
    all(sql: string, params: readonly SqlParam[] = []): Row[] {
      const s = stmt(sql);
      return (s.reader ? s.safeIntegers(true).all(...sqliteParams(params)) : []).map(normaliseSqliteRow);
    },
    get(sql: string, params: readonly SqlParam[] = []): Row | undefined {
      const r = stmt(sql)
        .safeIntegers(true)
        .get(...sqliteParams(params)) as Row | undefined;
      return r ? normaliseSqliteRow(r) : undefined;
    },
    run(sql: string, params: readonly SqlParam[] = []): number {
      return stmt(sql).run(...sqliteParams(params)).changes;
    },
    insert(sql: string, params: readonly SqlParam[] = []): number | undefined {
      const r = stmt(`${sql} RETURNING id`)
        .safeIntegers(false)
        .get(...sqliteParams(params)) as { id: number } | undefined;
      return r ? Number(r.id) : undefined;
    },
  };

  // The connection as seen from inside a transaction: statements run at once.
  const inTx: SqlDb = {
    dialect: 'sqlite',
    all: async (sql, params) => direct.all(sql, params),
    get: async (sql, params) => direct.get(sql, params),
    run: async (sql, params) => direct.run(sql, params),
    insert: async (sql, params) => direct.insert(sql, params),
    exec: async (sql) => {
      raw.exec(sql);
    },
    transaction: (work) => work(inTx),
    lock: async () => undefined,
    tryLock: async () => true,
    close: async () => undefined,
  };

  return {
    dialect: 'sqlite',
    raw,
    all: (sql, params) => serial(() => direct.all(sql, params)),
    get: (sql, params) => serial(() => direct.get(sql, params)),
    run: (sql, params) => serial(() => direct.run(sql, params)),
    insert: (sql, params) => serial(() => direct.insert(sql, params)),
    exec: (sql) =>
      serial(() => {
        raw.exec(sql);
      }),
    transaction: (work) =>
      serial(async () => {
        stmt('BEGIN IMMEDIATE').run();
        try {
          const result = await work(inTx);
          stmt('COMMIT').run();
          return result;
        } catch (error) {
          if (raw.inTransaction) {
            stmt('ROLLBACK').run();
          }
          throw error;
        }
      }),
    lock: async () => undefined,
    tryLock: async () => true,
    close: () =>
      serial(() => {
        if (raw.open) {
          raw.close();
        }
      }),
  };
}

function sqliteParams(params: readonly SqlParam[]): unknown[] {
  return params.map((p) => {
    if (p instanceof Date) {
      return toDbTime(p);
    }
    if (typeof p === 'boolean') {
      return p ? 1 : 0;
    }
    return p;
  });
}

function normaliseSqliteRow(row: unknown): Row {
  const r = row as Row;
  for (const key of Object.keys(r)) {
    const v = r[key];
    if (
      typeof v === 'bigint' &&
      v <= BigInt(Number.MAX_SAFE_INTEGER) &&
      v >= BigInt(Number.MIN_SAFE_INTEGER)
    ) {
      r[key] = Number(v);
    }
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/** Errors after which the same transaction may simply be tried again. */
const RETRYABLE = new Set(['40001', '40P01']);

/**
 * PostgreSQL through a node-postgres pool. Each transaction takes its own connection; a
 * serialization failure or deadlock is retried (the work only touches the database). Types are
 * read as SQLite's are (see `SqlDb`), and `timestamp` columns — Prisma's DateTime, UTC wall time —
 * are read as UTC whatever the machine's time zone.
 */
function openPostgres(url: string, opts: { poolSize?: number }): SqlDb {
  const { connectionString, schema } = postgresConnection(url);
  const pool = new pg.Pool({
    connectionString,
    max: opts.poolSize ?? 10,
    options: schema ? `-c search_path="${schema.replace(/"/g, '')}"` : undefined,
    types: { getTypeParser: pgTypeParser },
    connectionTimeoutMillis: 10_000,
  });
  // An idle connection dropped by a server restart must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  // Nor one ended between being made and being handed out: the server's "terminating connection"
  // can arrive in the same read as the end of the start-up, after the pool took its idle listener
  // off and before `transaction` puts its own on — with no listener the 'error' event would end
  // the process. Each connection keeps this listener; queries still get the error.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });

  function on(client: pg.Pool | pg.PoolClient, inTx: boolean): SqlDb {
    // One connection runs one statement at a time: statements a transaction issues together
    // (Promise.all over several reads) are queued here in order rather than inside node-postgres.
    let chain: Promise<unknown> = Promise.resolve();
    const inTurn = <R>(run: () => Promise<R>): Promise<R> => {
      if (!inTx) {
        return run();
      }
      const next = chain.then(run);
      chain = next.catch(() => undefined);
      return next;
    };
    const query = (c: pg.Pool | pg.PoolClient, sql: string, params: readonly SqlParam[]) =>
      inTurn(() => c.query(toPostgresSql(sql), pgParams(params)));
    const db: SqlDb = {
      dialect: 'postgres',
      schema,
      all: async (sql, params = []) => (await query(client, sql, params)).rows as Row[],
      get: async (sql, params = []) => (await query(client, sql, params)).rows[0] as Row | undefined,
      run: async (sql, params = []) => (await query(client, sql, params)).rowCount ?? 0,
      insert: async (sql, params = []) => {
        const r = (await query(client, `${sql} RETURNING id`, params)).rows[0] as { id: number } | undefined;
        return r ? Number(r.id) : undefined;
      },
      exec: async (sql) => {
        await inTurn(() => client.query(sql));
      },
      transaction: inTx ? (work) => work(db) : (work) => transaction(work),
      lock: async (key) => {
        if (!inTx) {
          throw new Error('lock() needs a transaction');
        }
        await inTurn(() =>
          client.query(
            "SELECT pg_advisory_xact_lock(hashtextextended(current_setting('search_path') || ':' || $1, 0))",
            [key],
          ),
        );
      },
      tryLock: async (key) => {
        if (!inTx) {
          throw new Error('tryLock() needs a transaction');
        }
        const r = await inTurn(() =>
          client.query(
            "SELECT pg_try_advisory_xact_lock(hashtextextended(current_setting('search_path') || ':' || $1, 0)) AS ok",
            [key],
          ),
        );
        return Number((r.rows[0] as { ok: unknown }).ok) === 1;
      },
      close: async () => {
        if (!inTx) {
          await pool.end();
        }
      },
    };
    return db;
  }

  async function transaction<T>(work: (db: SqlDb) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await pool.connect();
      let broken = false;
      // A connection the server ends while it is checked out (a restart, pg_terminate_backend)
      // emits 'error' on the client, and with no listener that kills the process. The statement
      // running gets the error as well; the connection is dropped rather than given back.
      const onError = () => {
        broken = true;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await work(on(client, true));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        const code = (error as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < 5) {
          continue;
        }
        throw error;
      } finally {
        client.removeListener('error', onError);
        client.release(broken);
      }
    }
  }

  return on(pool, false);
}

/** Prisma-style `?schema=name` becomes the connection's search_path (node-postgres does not know it). */
export function postgresConnection(url: string): { connectionString: string; schema: string | undefined } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}

const OID = { bool: 16, int8: 20, numeric: 1700, timestamp: 1114, timestamptz: 1184 } as const;

function pgTypeParser(oid: number, format?: string): (value: string) => unknown {
  if (format === 'binary') {
    return (v) => v;
  }
  switch (oid) {
    case OID.bool:
      return (v) => (v === 't' ? 1 : 0);
    case OID.int8:
    case OID.numeric:
      return parseInteger;
    case OID.timestamp:
      // '2026-11-28 10:00:00.123' is UTC wall time (Prisma writes UTC): ISO with a Z.
      return (v) => `${v.replace(' ', 'T')}Z`;
    case OID.timestamptz:
      return (v) => new Date(v).toISOString();
    default:
      return pg.types.getTypeParser(oid, 'text') as (value: string) => unknown;
  }
}

function parseInteger(value: string): number | bigint {
  if (/^-?\d+$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : BigInt(value);
  }
  return Number(value);
}

function pgParams(params: readonly SqlParam[]): unknown[] {
  return params.map((p) => {
    if (p instanceof Date) {
      // timestamp (without time zone) columns hold UTC wall time; the Z is ignored by the server.
      return p.toISOString();
    }
    if (typeof p === 'bigint') {
      return p.toString();
    }
    return p;
  });
}

const translated = new Map<string, string>();

/**
 * Rewrites the common SQL for PostgreSQL: `?` → `$n`, and camelCase identifiers (Prisma's column
 * names; SQLite matches them without quotes, PostgreSQL folds unquoted names to lower case) quoted.
 * String literals and quoted identifiers are left alone; keywords are written in capitals and
 * plain lower-case names need no quotes.
 */
export function toPostgresSql(sql: string): string {
  const cached = translated.get(sql);
  if (cached !== undefined) {
    return cached;
  }
  let out = '';
  let n = 0;
  for (const part of sql.split(/('(?:[^']|'')*'|"[^"]*")/)) {
    if (part.startsWith("'") || part.startsWith('"')) {
      out += part;
      continue;
    }
    out += part
      .replace(/\?/g, () => `$${++n}`)
      .replace(/\b([a-z_][a-z0-9_]*[A-Z][A-Za-z0-9_]*)\b/g, (_m, id: string) => `"${id}"`);
  }
  translated.set(sql, out);
  return out;
}
