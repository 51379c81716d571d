import { AsyncLocalStorage } from 'node:async_hooks';
import type { CompiledQuery } from 'kysely';
import type { Tx, UnitOfWork } from '../../core/unit-of-work.ts';
import { kyselyOn } from '../../prisma/kysely-dialect.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';

/** The chat-turn entry of a unit of work, where the store has one (`UnitOfWork.runChatTurn`). */
interface ChatTurns {
  runChatTurn: ((turn: never, work: (tx: Tx) => Promise<unknown>) => Promise<unknown>) | undefined;
}

/** A statement a repository sent, with the repository call it ran in (`people.findActor`). */
export interface RecordedQuery {
  label: string;
  sql: string;
  parameters: readonly unknown[];
}

/**
 * Records the statements the repositories really send — compiled by Kysely, `prepared` or `sql`
 * templates alike — so a test can look at them (EXPLAIN) without copying their SQL. Each is
 * labelled with the repository call it ran in: the label given to `as`, or the `repo.method` of a
 * Tx made by `labelled` (AsyncLocalStorage, so reads a transaction issues together keep theirs).
 */
export function queryRecorder() {
  const recorded: RecordedQuery[] = [];
  const current = new AsyncLocalStorage<string>();
  const wrapped = new WeakMap<SqlDb, SqlDb>();

  /** `db` as it is, but each statement run through its `kysely` (in a transaction or not) recorded. */
  function recording(db: SqlDb): SqlDb {
    const known = wrapped.get(db);
    if (known) {
      return known;
    }
    const kysely = kyselyOn(db.dialect, (query: CompiledQuery) => {
      recorded.push({ label: current.getStore() ?? '?', sql: query.sql, parameters: query.parameters });
      return db.kysely.executeQuery(query);
    });
    const made: SqlDb = {
      dialect: db.dialect,
      ...(db.schema === undefined ? {} : { schema: db.schema }),
      kysely,
      exec: (sql) => db.exec(sql),
      transaction: (work) => db.transaction((t) => work(recording(t))),
      lock: (key) => db.lock(key),
      tryLock: (key) => db.tryLock(key),
      close: () => db.close(),
    };
    wrapped.set(db, made);
    return made;
  }

  /** Runs `work` with its statements labelled `label`. */
  function as<T>(label: string, work: () => Promise<T>): Promise<T> {
    return current.run(label, work);
  }

  /** `tx` whose repository calls label the statements they send `repo.method`. */
  function labelled(tx: Tx): Tx {
    return new Proxy(tx, {
      get(target, repo, receiver) {
        const value: unknown = Reflect.get(target, repo, receiver);
        if (typeof value !== 'object' || value === null || typeof repo !== 'string') {
          return value;
        }
        return new Proxy(value, {
          get(methods, method, r) {
            const fn: unknown = Reflect.get(methods, method, r);
            return typeof fn === 'function' && typeof method === 'string'
              ? (...args: unknown[]) => as(`${repo}.${method}`, () => fn.apply(methods, args))
              : fn;
          },
        });
      },
    });
  }

  /**
   * A unit of work whose transactions are given `labelled` Txs. Where the store runs a message as a
   * chat turn (prisma/chat-turn.ts), the turn's own statements (its read and its commit) are
   * labelled `chatTurn`; with `chatTurns: false` it has none, and every message runs in a full
   * transaction (what a chat turn falls back to).
   */
  function labelledUow<U extends UnitOfWork>(uow: U, opts: { chatTurns?: boolean } = {}): U {
    // Read loosely: a store without chat turns has no such method.
    const runChatTurn = (uow as Partial<ChatTurns>).runChatTurn;
    const run: UnitOfWork['run'] = (work) => uow.run((tx) => work(labelled(tx)));
    const turns: ChatTurns = {
      runChatTurn:
        runChatTurn && opts.chatTurns !== false
          ? (turn, work) => as('chatTurn', () => runChatTurn.call(uow, turn, (tx: Tx) => work(labelled(tx))))
          : undefined,
    };
    return Object.assign({}, uow, { run }, turns);
  }

  return { recorded, recording, as, labelled, labelledUow };
}
