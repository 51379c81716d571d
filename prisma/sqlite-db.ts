import type { ColumnDefinition, Statement } from 'better-sqlite3';
import type { CompiledQuery, QueryResult } from 'kysely';
import type { SqlDb } from './database.ts';
import { type ExecuteCompiled, kyselyOn } from './kysely-dialect.ts';
import { cachedStatements, fromDbTime, type SqliteDatabase, toDbTime } from './sqlite.ts';

/**
 * SQLite through better-sqlite3: one connection, so one transaction at a time through a promise
 * queue; statements outside a transaction also wait for the one in progress (they would otherwise
 * run inside it). `BEGIN IMMEDIATE` takes the write lock at once, so another process (the CLI)
 * waits on the busy timeout instead of failing half-way. Kysely's statements are prepared once per
 * SQL text, with how to read their rows worked out once from the declared types.
 */
export function sqliteDb(raw: SqliteDatabase): SqlDb & { raw: SqliteDatabase } {
  const stmt = cachedStatements(raw);
  const typed = typedStatements(raw);
  let queue: Promise<unknown> = Promise.resolve();

  function serial<T>(work: () => Promise<T> | T): Promise<T> {
    const next = queue.then(work);
    queue = next.catch(() => undefined);
    return next;
  }

  const direct = {
    query(query: CompiledQuery): QueryResult<unknown> {
      const { statement, read } = typed(query.sql);
      const params = sqliteParams(query.parameters);
      if (statement.reader) {
        const rows = statement.all(...params) as Row[];
        for (const row of rows) {
          read(row);
        }
        return { rows };
      }
      const { changes, lastInsertRowid } = statement.run(...params);
      return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
    },
  };

  const inTxQuery: ExecuteCompiled = async (query) => direct.query(query);
  // The connection as seen from inside a transaction: statements run at once.
  const inTx: SqlDb = {
    dialect: 'sqlite',
    kysely: kyselyOn('sqlite', inTxQuery),
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
    kysely: kyselyOn('sqlite', (query) => serial(() => direct.query(query))),
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

/** A row as better-sqlite3 reads it, converted in place to the generated types. */
type Row = Record<string, unknown>;

export function sqliteParams(params: readonly unknown[]): unknown[] {
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

/** An integer as a number where that is exact, else as the bigint it came as. */
function safeNumber(v: unknown): unknown {
  return typeof v === 'bigint' && v <= MAX_SAFE && v >= MIN_SAFE ? Number(v) : v;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

interface TypedStatement {
  statement: Statement<unknown[]>;
  /** Turns a row as better-sqlite3 reads it (integers as bigint) into the generated types, in place. */
  read: (row: Row) => void;
}

/** Kysely's statements, prepared once each, with their rows read by the columns' declared types. */
function typedStatements(raw: SqliteDatabase): (sql: string) => TypedStatement {
  const cache = new Map<string, TypedStatement>();
  return (sql) => {
    let typed = cache.get(sql);
    if (!typed) {
      const statement = raw.prepare<unknown[]>(sql).safeIntegers(true);
      typed = { statement, read: statement.reader ? rowReader(statement.columns()) : () => undefined };
      cache.set(sql, typed);
    }
    return typed;
  };
}

/**
 * How Prisma declares its types in SQLite: DateTime columns hold ISO text, Boolean ones 0/1, BigInt
 * ones integers that must stay bigint (money). A computed column has no declared type: its integers
 * become numbers where exact.
 */
function rowReader(columns: ColumnDefinition[]): (row: Row) => void {
  const convert = columns.map((c) => [c.name, converterFor(c.type)] as const);
  return (row) => {
    for (const [name, to] of convert) {
      row[name] = to(row[name]);
    }
  };
}

function converterFor(declared: string | null): (v: unknown) => unknown {
  switch (declared?.toUpperCase()) {
    case 'DATETIME':
      return (v) => (v === null ? null : fromDbTime(v));
    case 'BOOLEAN':
      return (v) => (v === null ? null : Number(v) !== 0);
    case 'BIGINT':
      return (v) => v;
    default:
      return safeNumber;
  }
}
