/**
 * The operator CLI: `npm run cli -- <command>` (see `npm run cli -- help`). Opens the database
 * DATABASE_URL names (a SQLite file or PostgreSQL), applies pending migrations and seeds an empty
 * database (so it works on a fresh clone: the demo without a messenger token, the campaign's
 * reference data only with one, as the bot does), then runs one command with the Prisma
 * client and the `SqlDb` (the transactional store and bulk writes).
 * Exit codes: 0 success, 2 usage error (bad command, option or value), 1 anything else.
 */
import fs from 'node:fs';
import { loadConfig } from '../bot/config.ts';
import { idNumberHasherFor } from '../bot/id-hash-key.ts';
import { createPrismaClient, type PrismaClient } from '../prisma/client.ts';
import { applyMigrations } from '../prisma/migrate.ts';
import { hasCampaignData, SEEDED_NOTE_VI, seedIfEmpty, wantsDemo } from '../prisma/seed.ts';
import { openSqlDb } from '../prisma/sql-db.ts';
import { POSTGRES_BACKUP_MESSAGE } from './cli/backup.ts';
import { executeCommand, helpText, parseCommand, USAGE_HINT } from './cli/commands.ts';
import { UsageError } from './cli/context.ts';
import { telegramBotUsername } from './cli/demo.ts';
import { failureExit } from './cli/fault-exit.ts';
import { createProgressLine } from './cli/progress.ts';

// Output piped into a reader that stops early (`… | head`) is not an error of the command.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') {
    process.exit(0);
  }
  throw error;
});

// One updating line on a terminal, plain lines in a log file (never a `\r` there).
const progress = createProgressLine(process.stderr);

function out(line: string): void {
  // The report goes over the progress line only when both are on the terminal.
  if (process.stdout.isTTY) {
    progress.clear();
  }
  process.stdout.write(`${line}\n`);
}

function note(line: string): void {
  progress.clear();
  process.stderr.write(`${line}\n`);
}

function usageFailure(error: UsageError): number {
  note(`Lỗi: ${error.message}`);
  note(
    error.command === undefined
      ? USAGE_HINT
      : `${USAGE_HINT} (cách dùng lệnh này: npm run cli -- ${error.command} --help)`,
  );
  return 2;
}

async function main(argv: readonly string[]): Promise<number> {
  let command: ReturnType<typeof parseCommand>;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      return usageFailure(error);
    }
    throw error;
  }
  if (command.name === 'help') {
    for (const line of helpText(command.topic)) {
      out(line);
    }
    return 0;
  }

  if (fs.existsSync('.env')) {
    process.loadEnvFile('.env');
  }
  const config = loadConfig(process.env);
  // A backup copies the database as it is: it never creates, migrates or seeds one.
  const asItIs = command.name === 'backup';
  if (asItIs) {
    if (config.sqliteFile === undefined) {
      // Not a mistake in the command line: no usage hint, but exit code 2 all the same.
      note(`Lỗi: ${POSTGRES_BACKUP_MESSAGE}`);
      return 2;
    }
    if (!fs.existsSync(config.sqliteFile)) {
      return usageFailure(new UsageError(`không có cơ sở dữ liệu ${config.sqliteFile} (xem DATABASE_URL)`));
    }
  }
  const db = openSqlDb(config.databaseUrl);
  // Made on first use: a command on Kysely never loads Prisma's query compiler (issue 14 §7).
  let prismaClient: PrismaClient | undefined;
  const prisma = (): PrismaClient => {
    prismaClient ??= createPrismaClient(config.databaseUrl);
    return prismaClient;
  };
  try {
    const applied = asItIs ? [] : await applyMigrations(db);
    if (applied.length > 0) {
      note(`Đã áp dụng migration: ${applied.join(', ')}`);
    }
    // Without a messenger token the playground's living demo, as `npm start` seeds it.
    const demo = wantsDemo(config) && 'living';
    // Asked without the Prisma client first: on an existing database a command that does not use
    // it never runs its query compiler (issue 14 §7).
    if (!asItIs && !(await hasCampaignData(db)) && (await seedIfEmpty(db, new Date(), { demo }))) {
      note(
        demo
          ? 'Cơ sở dữ liệu trống: đã nạp dữ liệu mẫu (chiến dịch thành phố Bắc Kạn 2024–2025 đã khép lại, đơn vị sắp xếp ngày 01/07/2025, và chiến dịch mẫu đang chạy của tỉnh Thái Nguyên).'
          : SEEDED_NOTE_VI,
      );
    }
    if (command.name === 'admin create' && command.args.bot === undefined && config.telegram) {
      // The link needs the bot's username: Telegram tells it for the configured token.
      const bot = await telegramBotUsername(config.telegram);
      command = bot === undefined ? command : { ...command, args: { ...command.args, bot } };
    }
    await executeCommand(command, {
      get prisma() {
        return prisma();
      },
      now: new Date(),
      out,
      timeZone: config.timeZone,
      db,
      progress: progress.report,
      zaloTokenKey: config.zalo?.tokenKey,
      hashIdNumber: idNumberHasherFor(config),
      householdImportLimits: config.householdImport,
    });
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      return usageFailure(error);
    }
    throw error;
  } finally {
    progress.end();
    await prismaClient?.$disconnect();
    await db.close();
  }
}

main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = process.exitCode || code;
  })
  .catch((error: unknown) => {
    const failure = failureExit(error);
    note(failure.line);
    process.exitCode = failure.exitCode;
  });
