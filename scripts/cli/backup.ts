import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { inPhase, type ProgressReporter } from '../../core/shared/progress.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import type { SqliteDatabase } from '../../prisma/sqlite.ts';
import { type CliContext, UsageError } from './context.ts';

export const ZBackupArgs = z.object({
  file: z.string({ error: 'thiếu tên tệp: npm run cli -- backup <tệp sao lưu> [--force]' }).trim().min(1),
  force: z.boolean().default(false),
});
export type BackupArgs = z.output<typeof ZBackupArgs>;

/**
 * What `backup` answers on PostgreSQL: it copies a SQLite file only; a PostgreSQL database is
 * backed up with pg_dump on the database host (docs/deployment.md, section 5). Exit code 2.
 */
export const POSTGRES_BACKUP_MESSAGE =
  'lệnh backup chỉ sao lưu cơ sở dữ liệu SQLite. Với PostgreSQL (DATABASE_URL postgresql://…), sao lưu bằng ' +
  'pg_dump -Fc trên máy chủ cơ sở dữ liệu, ví dụ: sudo -u postgres pg_dump -Fc --dbname=mttq ' +
  '--file=/var/backups/mttq-bot/pg-$(date +%F).dump — xem docs/deployment.md, mục 5 (Backups).';

/**
 * The better-sqlite3 connection under a SQLite `SqlDb` (`sqliteDb` exposes it as `raw`), or
 * undefined on PostgreSQL.
 */
export function sqliteConnectionOf(db: SqlDb): SqliteDatabase | undefined {
  const raw = (db as SqlDb & { raw?: SqliteDatabase }).raw;
  return db.dialect === 'sqlite' && raw ? raw : undefined;
}

/** The phases of a backup on the progress line. */
const COPYING = 'Sao chép cơ sở dữ liệu';
const CHECKING = 'Kiểm tra toàn vẹn bản sao';

/** better-sqlite3 takes at most 2^31 − 1 pages a step: more than any database has. */
const ALL_PAGES = 0x7fffffff;

export interface BackupResult {
  file: string;
  bytes: number;
  ms: number;
  pages: number;
}

/**
 * A consistent copy of the live database, taken while the bot keeps writing (SQLite's online
 * backup API through better-sqlite3). The copy is written next to the target and renamed over it
 * only once it is complete and passes `PRAGMA integrity_check`, so a failed or interrupted backup
 * never leaves a half-written file under the target's name. An existing target is replaced only
 * with `force`. The copy is readable by its owner only (mode 0600, from its first byte): it holds
 * everything the database holds.
 */
export async function backupDatabase(
  db: SqliteDatabase,
  target: string,
  options: { force: boolean; progress?: ProgressReporter },
): Promise<BackupResult> {
  const file = path.resolve(target);
  if (file === path.resolve(db.name)) {
    throw new UsageError('tệp sao lưu không được trùng với cơ sở dữ liệu đang dùng');
  }
  if (!fs.existsSync(path.dirname(file))) {
    throw new UsageError(`thư mục ${path.dirname(target)} không tồn tại`);
  }
  if (fs.existsSync(file) && !options.force) {
    throw new UsageError(`tệp ${target} đã có; thêm --force để ghi đè`);
  }
  const partial = `${file}.part-${process.pid}`;
  const started = performance.now();
  try {
    // Created empty with mode 0600 before SQLite writes into it, so no one else can open it meanwhile.
    fs.rmSync(partial, { force: true });
    fs.closeSync(fs.openSync(partial, 'wx', 0o600));
    const copying = () =>
      db.backup(partial, {
        // The first step only opens the copy; the next copies every page there is, in one step.
        // Between steps, any write the bot commits restarts the copy (SQLite's backup API), so with
        // small steps a busy bot could keep it from ever finishing — and "all pages" must not mean
        // the count seen before, which a write may have grown. One step reads one snapshot, and in
        // WAL mode the bot keeps writing meanwhile.
        progress: () => ALL_PAGES,
      });
    const progress = await inPhase(options.progress, COPYING, 'trang', copying, (p) => p.totalPages);
    const checking = async () => {
      const copy = new Database(partial);
      try {
        // A self-contained file: no -wal beside it to lose when it is copied elsewhere.
        copy.pragma('journal_mode = DELETE');
        const check = copy.pragma('integrity_check', { simple: true });
        if (check !== 'ok') {
          throw new Error(`bản sao không toàn vẹn: ${String(check)}`);
        }
      } finally {
        copy.close();
      }
    };
    await inPhase(options.progress, CHECKING, 'trang', checking, () => progress.totalPages);
    // A -wal left by someone who opened the old file would be replayed onto the new one.
    fs.rmSync(`${file}-wal`, { force: true });
    fs.rmSync(`${file}-shm`, { force: true });
    fs.chmodSync(partial, 0o600);
    fs.renameSync(partial, file);
    return {
      file,
      bytes: fs.statSync(file).size,
      ms: performance.now() - started,
      pages: progress.totalPages,
    };
  } finally {
    for (const leftover of [partial, `${partial}-wal`, `${partial}-shm`, `${partial}-journal`]) {
      fs.rmSync(leftover, { force: true });
    }
  }
}

/** "12,3 MB": Vietnamese decimal comma. */
function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1).replace('.', ',')} MB`;
}

function groupThousands(n: number): string {
  return String(n).replace(/\B(?=(?:\d{3})+$)/g, '.');
}

/**
 * `backup <file> [--force]`: copies the database online and prints where, how big and how long.
 * SQLite only: on PostgreSQL a UsageError says to use pg_dump (the CLI does not even open it).
 */
export async function backup(ctx: CliContext, args: BackupArgs): Promise<BackupResult> {
  if (!ctx.db) {
    throw new Error('backup needs the database connection');
  }
  const sqlite = sqliteConnectionOf(ctx.db);
  if (!sqlite) {
    throw new UsageError(POSTGRES_BACKUP_MESSAGE);
  }
  const result = await backupDatabase(sqlite, args.file, { force: args.force, progress: ctx.progress });
  ctx.out(`Đã sao lưu ${sqlite.name} → ${result.file}`);
  ctx.out(
    `Kích thước: ${megabytes(result.bytes)} (${groupThousands(result.bytes)} byte); thời gian: ${(result.ms / 1000).toFixed(2).replace('.', ',')} giây; kiểm tra toàn vẹn: ok.`,
  );
  return result;
}
