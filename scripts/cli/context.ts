import type { IdNumberHasher } from '../../core/households/id-number.ts';
import type { HouseholdImportLimits } from '../../core/households/import-limits.ts';
import type { ProgressReporter } from '../../core/shared/progress.ts';
import type { UnitOfWork } from '../../core/unit-of-work.ts';
import type { PrismaClient } from '../../prisma/client.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import { createStore } from '../../prisma/store.ts';

/** The zone dates are shown in when the caller gives none (the campaign's, as in the seed). */
export const DEFAULT_TIME_ZONE = 'Asia/Ho_Chi_Minh';

/** What every command needs; tests pass a collecting `out` and a fixed `now`. */
export interface CliContext {
  prisma: PrismaClient;
  now: Date;
  /** Receives one line of standard output at a time, without the newline. */
  out: (line: string) => void;
  /** IANA zone for the dates shown (TZ_CAMPAIGN); DEFAULT_TIME_ZONE if absent. */
  timeZone?: string;
  /**
   * The database (SQLite or PostgreSQL) for the transactional store and bulk writes in one fast
   * transaction (imports); the commands that need it fail without it.
   */
  db?: SqlDb;
  /**
   * Progress of long commands (reading and writing), shown by the CLI on stderr so the report on
   * stdout stays clean (scripts/cli/progress.ts).
   */
  progress?: ProgressReporter;
  /** ZALO_TOKEN_KEY: `zalo set-token` stores the token encrypted with it (refuses without it). */
  zaloTokenKey?: Buffer;
  /**
   * Hashes ID numbers with the deployment's key (bot/id-hash-key.ts: ID_HASH_KEY, or the local key
   * without a messenger token); commands that store ID numbers refuse them without it.
   */
  hashIdNumber?: IdNumberHasher;
  /**
   * The unit of work the commands run their use cases in; the store on `db` without it (tests
   * pass one to watch or break a transaction).
   */
  uow?: UnitOfWork;
  /** Bounds of `households import` (HOUSEHOLD_IMPORT_MAX_MB/_MAX_ROWS); the defaults without it. */
  householdImportLimits?: HouseholdImportLimits;
}

/**
 * A mistake of the operator (unknown command, bad option, unknown unit code or report reference):
 * reported in one line on stderr with a usage hint, exit code 2.
 */
export class UsageError extends Error {
  /** The command (or group) the mistake is in, when known: the hint points to its `--help`. */
  command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

/**
 * The store's unit of work on the CLI's database: every CLI write runs a core use case in one of
 * its transactions, the audit row included, as a chat message does.
 */
export function storeOf(ctx: CliContext): UnitOfWork {
  if (ctx.uow) {
    return ctx.uow;
  }
  if (!ctx.db) {
    throw new Error('this command needs the database connection');
  }
  return createStore(ctx.db, ctx.hashIdNumber === undefined ? {} : { hashId: ctx.hashIdNumber });
}
