import type { PrismaClient } from '../../prisma/client.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import type { CliContext } from '../../scripts/cli/context.ts';

/**
 * A CLI context over a database, with every printed line kept: `lines`, or `text()` joined. No
 * Prisma client unless `extra` gives one (commands that run on the SqlDb alone need none); `extra`
 * adds or replaces the other parts (e.g. `hashIdNumber`).
 */
export function recordingCliContext(
  db: SqlDb,
  now: Date,
  extra: Partial<CliContext> = {},
): CliContext & { lines: string[]; text: () => string } {
  const lines: string[] = [];
  return {
    prisma: undefined as unknown as PrismaClient,
    db,
    now,
    timeZone: 'Asia/Ho_Chi_Minh',
    out: (line) => lines.push(line),
    ...extra,
    lines,
    text: () => lines.join('\n'),
  };
}
