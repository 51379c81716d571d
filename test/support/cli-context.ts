import type { PrismaClient } from '../../prisma/client.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import type { CliContext } from '../../scripts/cli/context.ts';

/**
 * A CLI context over a database for commands that run on the SqlDb alone (no Prisma client), with
 * every printed line kept: `lines`, or `text()` joined.
 */
export function recordingCliContext(
  db: SqlDb,
  now: Date,
): CliContext & { lines: string[]; text: () => string } {
  const lines: string[] = [];
  return {
    prisma: undefined as unknown as PrismaClient,
    db,
    now,
    timeZone: 'Asia/Ho_Chi_Minh',
    out: (line) => lines.push(line),
    lines,
    text: () => lines.join('\n'),
  };
}
