/**
 * Kysely over our own connections: typed queries (`Kysely<DB>`, the table types generated from
 * prisma/schema.prisma by `npm run db:generate` into prisma/generated/kysely/types.ts), compiled by
 * Kysely's own SQLite or PostgreSQL query compiler, and run through the connection handling of
 * prisma/sqlite-db.ts and prisma/postgres-db.ts (one queued connection with `BEGIN IMMEDIATE` and
 * cached prepared statements on SQLite, the pool on PostgreSQL, retries, advisory locks).
 *
 * How a repository gets it: every `SqlDb` carries `kysely`, bound to where that `SqlDb` runs. Inside
 * `db.transaction((t) => …)` (or `UnitOfWork.run`, whose `makeTx` receives the transaction's `t`),
 * `t.kysely` runs every statement in that transaction, on its connection:
 *
 *     export function createThingRepository(t: SqlDb): ThingRepository {
 *       return {
 *         async find(id) {
 *           const r = await t.kysely.selectFrom('Thing').selectAll().where('id', '=', id).executeTakeFirst();
 *           return r ? toThing(r) : undefined;
 *         },
 *       };
 *     }
 *
 * Kysely's own `transaction()` is not used (it would bypass the queue, the retries and the locks):
 * call `t.transaction`, `t.lock`, `t.tryLock` for those. Outside a transaction `db.kysely` runs each
 * statement on its own (SQLite: in turn with the transactions; PostgreSQL: any pooled connection).
 *
 * Rows read the same on both databases, as the generated types say: DateTime columns as `Date`,
 * Boolean as `boolean`, BigInt as `bigint`, Int as `number`. Computed columns (COUNT, MAX, SUM…)
 * come as the database gives them, whatever Kysely infers: an integer is a number on SQLite and may
 * be a bigint on PostgreSQL (COUNT) — read it with `Number(…)`; MAX of a DateTime is text on SQLite
 * and a Date on PostgreSQL — read it with `fromDbTime`. Parameters: Dates, booleans and bigints are
 * converted for the driver.
 */
import {
  type Compilable,
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type DialectAdapter,
  type Driver,
  Kysely,
  type Dialect as KyselyDialectInterface,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import type { DB } from './generated/kysely/types.ts';

export type { DB };

/** Runs one compiled statement where the Kysely instance runs (a queue, a pool, a transaction). */
export type ExecuteCompiled = (query: CompiledQuery) => Promise<QueryResult<unknown>>;

/** A Kysely instance whose statements `execute` runs, compiled for `dialect`. */
export function kyselyOn(dialect: 'sqlite' | 'postgres', execute: ExecuteCompiled): Kysely<DB> {
  const kysely = new Kysely<DB>({ dialect: new StatementDialect(dialect, execute) });
  runners.set(kysely, { dialect, execute });
  return kysely;
}

/** Where each Kysely instance of `kyselyOn` runs, for `prepared` statements. */
const runners = new WeakMap<Kysely<DB>, { dialect: 'sqlite' | 'postgres'; execute: ExecuteCompiled }>();

/** Stands for the named parameter of a `prepared` statement while it is built. */
export type Param<P> = <K extends keyof P & string>(name: K) => P[K];

/** A statement built and compiled once per database kind, run with new values each time. */
export interface Prepared<P, R> {
  /** All rows (a SELECT, or a statement with RETURNING). */
  all(db: Kysely<DB>, params: P): Promise<R[]>;
  first(db: Kysely<DB>, params: P): Promise<R | undefined>;
  /** Runs it (no RETURNING); resolves with the number of rows it inserted, changed or deleted. */
  run(db: Kysely<DB>, params: P): Promise<number>;
}

/**
 * For the hot path (one chat answer is about ten statements): a statement whose shape never
 * changes, built with Kysely once per database kind and compiled once; each call only puts the
 * values in and runs it — building and compiling with Kysely costs 5–20 µs a statement, about as
 * much as running it on SQLite. `$('name')` stands for a parameter in the builder (not for a list:
 * an `in` over a list of varying length changes the SQL, so it has no place here); `dialect` is
 * there for what only one database has (`FOR SHARE`):
 *
 *     const findFlow = prepared((db, $: Param<{ channel: string; chatId: string }>) =>
 *       db.selectFrom('FlowState').selectAll().where('channel', '=', $('channel')).where('chatId', '=', $('chatId')));
 *     const row = await findFlow.first(t.kysely, { channel, chatId });
 */
export function prepared<P, R>(
  build: (db: Kysely<DB>, $: Param<P>, dialect: 'sqlite' | 'postgres') => Compilable<R>,
): Prepared<P, R> {
  const compiled: Partial<Record<'sqlite' | 'postgres', { sql: CompiledQuery; slots: Slot<P>[] }>> = {};
  const compile = (dialect: 'sqlite' | 'postgres') => {
    const $ = <K extends keyof P & string>(name: K) => new Placeholder(name) as unknown as P[K];
    const sql = build(compilerOf(dialect), $, dialect).compile();
    const slots = sql.parameters.map(
      (value): Slot<P> => (value instanceof Placeholder ? { name: value.name as keyof P } : { value }),
    );
    const made = { sql, slots };
    compiled[dialect] = made;
    return made;
  };
  const execute = (db: Kysely<DB>, params: P) => {
    const runner = runners.get(db);
    if (!runner) {
      throw new Error('prepared statements run on a SqlDb kysely');
    }
    const { sql, slots } = compiled[runner.dialect] ?? compile(runner.dialect);
    const parameters = slots.map((slot) => ('name' in slot ? params[slot.name] : slot.value));
    return runner.execute({ ...sql, parameters });
  };
  return {
    all: async (db, params) => (await execute(db, params)).rows as R[],
    first: async (db, params) => (await execute(db, params)).rows[0] as R | undefined,
    run: async (db, params) => Number((await execute(db, params)).numAffectedRows ?? 0),
  };
}

class Placeholder {
  constructor(readonly name: string) {}
}

type Slot<P> = { name: keyof P } | { value: unknown };

/** Kysely instances that only build and compile (the `prepared` statements). */
const compilers: Partial<Record<'sqlite' | 'postgres', Kysely<DB>>> = {};

function compilerOf(dialect: 'sqlite' | 'postgres'): Kysely<DB> {
  compilers[dialect] ??= new Kysely<DB>({ dialect: new StatementDialect(dialect, notRun) });
  return compilers[dialect];
}

async function notRun(): Promise<never> {
  throw new Error('a compiler-only Kysely instance runs no statement');
}

const NO_KYSELY_TRANSACTION =
  'Kysely transactions are not used here: run the work in SqlDb.transaction and use its kysely';

class StatementDialect implements KyselyDialectInterface {
  readonly #dialect: 'sqlite' | 'postgres';
  readonly #execute: ExecuteCompiled;

  constructor(dialect: 'sqlite' | 'postgres', execute: ExecuteCompiled) {
    this.#dialect = dialect;
    this.#execute = execute;
  }

  createAdapter(): DialectAdapter {
    return this.#dialect === 'sqlite' ? new SqliteAdapter() : new PostgresAdapter();
  }

  createDriver(): Driver {
    return new StatementDriver(this.#execute);
  }

  createQueryCompiler(): QueryCompiler {
    return this.#dialect === 'sqlite' ? new SqliteQueryCompiler() : new PostgresQueryCompiler();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return this.#dialect === 'sqlite' ? new SqliteIntrospector(db) : new PostgresIntrospector(db);
  }
}

/** Hands every query the one connection object; the connection handling lives below it. */
class StatementDriver implements Driver {
  readonly #connection: DatabaseConnection;

  constructor(execute: ExecuteCompiled) {
    this.#connection = {
      // The rows are of the type the query builder worked out from DB (the generated types).
      executeQuery: <R>(query: CompiledQuery) => execute(query) as Promise<QueryResult<R>>,
      streamQuery: () => {
        throw new Error('streamQuery is not supported');
      },
    };
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return this.#connection;
  }

  async beginTransaction(): Promise<void> {
    throw new Error(NO_KYSELY_TRANSACTION);
  }

  async commitTransaction(): Promise<void> {
    throw new Error(NO_KYSELY_TRANSACTION);
  }

  async rollbackTransaction(): Promise<void> {
    throw new Error(NO_KYSELY_TRANSACTION);
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {}
}
