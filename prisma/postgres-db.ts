import type { CompiledQuery, QueryResult } from 'kysely';
import pg from 'pg';
import { PG_RETRYABLE, postgresConnection, type SqlDb } from './database.ts';
import { kyselyOn } from './kysely-dialect.ts';

/**
 * PostgreSQL through a node-postgres pool. Each transaction takes its own connection; a
 * serialization failure or deadlock is retried (the work only touches the database). Rows read as
 * the generated types say, as on SQLite (see `SqlDb`), and `timestamp` columns — Prisma's DateTime,
 * UTC wall time — are read as UTC whatever the machine's time zone.
 */
export function openPostgres(url: string, opts: { poolSize?: number }): SqlDb {
  const { connectionString, schema } = postgresConnection(url);
  const pool = new pg.Pool({
    connectionString,
    max: opts.poolSize ?? 10,
    options: schema ? `-c search_path="${schema.replace(/"/g, '')}"` : undefined,
    // The generated types' parsers for every statement (Kysely's, and the locks' and scripts'),
    // set here rather than per query: a statement given as text and values is run as it is, while
    // a query config object (the only way to pass `types` per query) is copied property by property
    // by node-postgres on every statement — the largest extra CPU per answer the profile showed.
    types: TYPED,
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
    // A transaction's BEGIN goes with its first statement (see `transaction`): with the lock when
    // that comes first, as in every chat's transaction (one round trip fewer), or just before it.
    const opened = openedOf(client);
    const inTurn = <R>(run: () => Promise<R>): Promise<R> => {
      if (!inTx) {
        return run();
      }
      const next = chain.then(async () => {
        if (!opened.begun) {
          opened.begun = true;
          await client.query('BEGIN');
        }
        return run();
      });
      chain = next.catch(() => undefined);
      return next;
    };
    let kysely: SqlDb['kysely'] | undefined;
    const db: SqlDb = {
      dialect: 'postgres',
      schema,
      // Made when first used: a transaction that only locks or runs a script never asks for it.
      get kysely() {
        kysely ??= kyselyOn('postgres', (compiled) => inTurn(() => typedQuery(client, compiled)));
        return kysely;
      },
      exec: async (sql) => {
        await inTurn(() => client.query(sql));
      },
      transaction: inTx ? (work) => work(db) : (work) => transaction(work),
      lock: async (key) => {
        if (!inTx) {
          throw new Error('lock() needs a transaction');
        }
        const next = chain.then(() => {
          if (opened.begun) {
            return client.query(LOCK_SQL, [key]);
          }
          // BEGIN and the lock in one simple query (several statements, so no parameters: the key
          // is quoted by node-postgres' escapeLiteral).
          opened.begun = true;
          return client.query(
            `BEGIN; ${LOCK_SQL.replace('$1', (client as pg.PoolClient).escapeLiteral(key))}`,
          );
        });
        chain = next.catch(() => undefined);
        await next;
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

  // A pooled connection runs one transaction at a time, so the `SqlDb` of a transaction (with its
  // Kysely instance, and the repositories a store makes over it) is made once per connection and
  // used again by its later transactions, rather than made and collected for each.
  const inTransaction = new WeakMap<pg.PoolClient, SqlDb>();
  function inTransactionOn(client: pg.PoolClient): SqlDb {
    let t = inTransaction.get(client);
    if (!t) {
      t = on(client, true);
      inTransaction.set(client, t);
    }
    return t;
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
      // BEGIN is sent with the transaction's first statement (a transaction that runs none sends
      // nothing), COMMIT or ROLLBACK only after a BEGIN.
      const opened = openedOf(client);
      opened.begun = false;
      try {
        const result = await work(inTransactionOn(client));
        if (opened.begun) {
          await client.query('COMMIT');
        }
        return result;
      } catch (error) {
        if (opened.begun) {
          await client.query('ROLLBACK').catch(() => {
            broken = true;
          });
        }
        const code = (error as { code?: string }).code;
        if (code && PG_RETRYABLE.has(code) && attempt < 5) {
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

/** The advisory lock of `SqlDb.lock` (the key with the schema, so tests in schemas do not meet). */
const LOCK_SQL =
  "SELECT pg_advisory_xact_lock(hashtextextended(current_setting('search_path') || ':' || $1, 0))";

/** Whether the transaction now running on a pooled connection has sent its BEGIN. */
const openedOn = new WeakMap<object, { begun: boolean }>();
function openedOf(client: object): { begun: boolean } {
  let opened = openedOn.get(client);
  if (!opened) {
    opened = { begun: true };
    openedOn.set(client, opened);
  }
  return opened;
}

/**
 * Runs a Kysely statement with the parsers of the generated types (`kysely-dialect.ts`): booleans,
 * bigint for int8, `Date` for timestamps.
 */
async function typedQuery(
  client: pg.Pool | pg.PoolClient,
  query: CompiledQuery,
): Promise<QueryResult<unknown>> {
  // Text and values, not a config object (see the pool's `types`): node-postgres copies those.
  const result = await client.query(query.sql, pgParams(query.parameters));
  const changed = ['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(result.command);
  return {
    rows: result.rows,
    numAffectedRows: changed && result.rowCount !== null ? BigInt(result.rowCount) : undefined,
  };
}

const OID = { bool: 16, int8: 20, numeric: 1700, timestamp: 1114, timestamptz: 1184 } as const;

/** The parsers of the generated types (`kysely-dialect.ts`): booleans, bigint for int8, `Date` for timestamps. */
function typedParser(oid: number, format?: string): (value: string) => unknown {
  if (format === 'binary') {
    return (v) => v;
  }
  switch (oid) {
    case OID.bool:
      return (v) => v === 't';
    case OID.int8:
      return (v) => BigInt(v);
    case OID.numeric:
      return parseInteger;
    case OID.timestamp:
      // UTC wall time (Prisma writes UTC), whatever the machine's time zone.
      return (v) => new Date(`${v.replace(' ', 'T')}Z`);
    case OID.timestamptz:
      return (v) => new Date(v);
    default:
      return pg.types.getTypeParser(oid, 'text') as (value: string) => unknown;
  }
}

const TYPED = { getTypeParser: typedParser };

function parseInteger(value: string): number | bigint {
  if (/^-?\d+$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : BigInt(value);
  }
  return Number(value);
}

function pgParams(params: readonly unknown[]): unknown[] {
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
