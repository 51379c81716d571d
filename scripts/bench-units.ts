/**
 * The child process of `npm run bench -- --only units`: imports one unit list into one database
 * exactly as `npm run cli -- units import --file <file>` does (same command code and SqlDb), then
 * imports it again (a re-import adds nothing), and prints one JSON line: rows, added, the
 * milliseconds of each import and the peak resident memory of this process.
 *
 * Usage: node --import tsx scripts/bench-units.ts <DATABASE_URL> <file.csv|file.xlsx>
 */
import type { PrismaClient } from '../prisma/client.ts';
import { openSqlDb } from '../prisma/sql-db.ts';
import type { CliContext } from './cli/context.ts';
import { unitsImport } from './cli/units-import.ts';

export interface UnitsBenchResult {
  rows: number;
  added: number;
  /** The first import: plan and write. */
  ms: number;
  /** The same file again: plan only, nothing to write. */
  againMs: number;
  againAdded: number;
  problems: number;
  maxRssMb: number;
}

async function main(url: string, file: string): Promise<void> {
  const db = openSqlDb(url);
  try {
    const ctx: CliContext = {
      // `units import` writes through the SqlDb only.
      prisma: undefined as unknown as PrismaClient,
      db,
      now: new Date(),
      out: () => undefined,
      timeZone: 'Asia/Ho_Chi_Minh',
    };
    const started = performance.now();
    const first = await unitsImport(ctx, { file, dryRun: false });
    const ms = performance.now() - started;
    const againStarted = performance.now();
    const again = await unitsImport(ctx, { file, dryRun: false });
    const againMs = performance.now() - againStarted;
    const result: UnitsBenchResult = {
      rows: first.rows,
      added: first.added,
      ms,
      againMs,
      againAdded: again.added,
      problems: first.problems.length + again.problems.length,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await db.close();
  }
}

const [url, file] = process.argv.slice(2);
if (url === undefined || file === undefined) {
  process.stderr.write('usage: node --import tsx scripts/bench-units.ts <DATABASE_URL> <file>\n');
  process.exitCode = 2;
} else {
  main(url, file).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
