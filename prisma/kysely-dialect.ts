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
  return new Kysely<DB>({ dialect: new StatementDialect(dialect, execute) });
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
