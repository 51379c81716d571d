/**
 * The child process of `npm run bench -- --only import`: imports one household file into one
 * database exactly as `npm run cli -- households import <file> --unit 01852 --accept-valid` does
 * (same command code, the Prisma client and the SqlDb), then prints one JSON line: rows, written,
 * milliseconds, and the peak resident memory of this process (process.resourceUsage().maxRSS),
 * so the figure is the import's own and not the benchmark's.
 *
 * Usage: node --import tsx scripts/bench-import.ts <DATABASE_URL> <file.csv|file.xlsx>
 */
import { randomBytes } from 'node:crypto';
import { idNumberHasher } from '../core/households/id-number.ts';
import { createPrismaClient } from '../prisma/client.ts';
import { openSqlDb } from '../prisma/sql-db.ts';
import { householdsImport } from './cli/households.ts';

/** The unit the benchmark imports into (a commune of the demo data). */
export const BENCH_IMPORT_UNIT = '01852';

async function main(url: string, file: string): Promise<void> {
  const db = openSqlDb(url);
  const prisma = createPrismaClient(url);
  try {
    const started = performance.now();
    const outcome = await householdsImport(
      {
        prisma,
        db,
        now: new Date(),
        out: () => undefined,
        timeZone: 'Asia/Ho_Chi_Minh',
        hashIdNumber: idNumberHasher(randomBytes(32)),
      },
      { file, unit: BENCH_IMPORT_UNIT, dryRun: false, acceptValid: true },
    );
    const ms = performance.now() - started;
    process.stdout.write(
      `${JSON.stringify({
        rows: outcome.rows,
        written: outcome.written,
        problems: outcome.problemCount,
        ms,
        maxRssMb: process.resourceUsage().maxRSS / 1024,
      })}\n`,
    );
  } finally {
    await prisma.$disconnect();
    await db.close();
  }
}

const [url, file] = process.argv.slice(2);
if (url === undefined || file === undefined) {
  process.stderr.write('usage: node --import tsx scripts/bench-import.ts <DATABASE_URL> <file>\n');
  process.exitCode = 2;
} else {
  main(url, file).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
