import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type App, type AppOptions, createApp } from '../../bot/app.ts';
import { loadConfig } from '../../bot/config.ts';
import { createLogger } from '../../bot/logger.ts';
import type { UnitOfWork } from '../../core/unit-of-work.ts';
import { createPrismaClient, type PrismaClient } from '../../prisma/client.ts';
import { applyMigrations } from '../../prisma/migrate.ts';
import { seedIfEmpty } from '../../prisma/seed.ts';
import { type Dialect, openSqlDb, type SqlDb } from '../../prisma/sql-db.ts';
import { createStore } from '../../prisma/store.ts';
import type { BotApiEmulator } from './bot-api-emulator.ts';

/**
 * The database the suite runs on: SQLite by default, PostgreSQL with TEST_DATABASE=postgres
 * (`.ci/run` runs the whole suite both ways). TEST_PG_URL names the server (trust auth).
 */
export const TEST_DIALECT: Dialect = process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';
export const TEST_PG_URL = process.env.TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

export interface TempDatabase {
  /** DATABASE_URL for the bot and the CLI. */
  url: string;
  /** A temporary folder of the test's own (SQLite: the database file is in it). */
  dir: string;
  /** SQLite: the database file (PostgreSQL: a path in `dir` nothing uses). */
  file: string;
  cleanup: () => Promise<void>;
}

/**
 * A fresh, empty database in the suite's dialect: a SQLite file in a temporary folder, or a new
 * schema in the PostgreSQL test database (created by the first migration run, dropped by cleanup).
 */
export function tempDatabase(dialect: Dialect = TEST_DIALECT): TempDatabase {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mttq-bot-'));
  const file = path.join(dir, 'bot.db');
  if (dialect === 'sqlite') {
    return {
      file,
      dir,
      url: `file:${file}`,
      cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const url = new URL(TEST_PG_URL);
  url.searchParams.set('schema', schema);
  return {
    file,
    dir,
    url: url.toString(),
    cleanup: async () => {
      fs.rmSync(dir, { recursive: true, force: true });
      const client = new pg.Client({ connectionString: TEST_PG_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** The tests' ZALO_TOKEN_KEY (the stored Zalo tokens' encryption key), given to every app unless set. */
export const TEST_ZALO_TOKEN_KEY = '7a'.repeat(32);

/**
 * Builds the whole bot as `npm start` does, from an environment, with a silent logger. An empty
 * database gets the demo even with a messenger token (`seed: 'demo'`: the suite's conversations
 * use its people and households); pass `seed: 'auto'` for what `npm start` seeds.
 */
export async function startApp(env: Record<string, string>, options: AppOptions = {}): Promise<App> {
  const config = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', ZALO_TOKEN_KEY: TEST_ZALO_TOKEN_KEY, ...env });
  const app = await createApp(config, createLogger({ level: 'silent', secrets: config.secrets }), {
    outboxPollMs: 200,
    // Tests drive the scheduler with `app.scheduler.runOnce()`; the cron would use the wall clock.
    scheduler: false,
    // Likewise the groups' pinned totals (`app.pinnedTotals.runOnce()`): a group's chat then holds
    // only what the test made the bot say.
    pinnedTotals: false,
    seed: 'demo',
    ...options,
  });
  await app.start();
  return app;
}

/**
 * An invite `code` for `role` at the newest unit of `unitCode`, valid to the end of 2025 (the
 * fixture campaign's year), for a test user to accept with `/start <code>`.
 */
export async function createInvite(app: App, code: string, role: string, unitCode: string): Promise<void> {
  const unit = await app.prisma.unit.findFirstOrThrow({
    orderBy: { validFrom: 'desc' },
    where: { code: unitCode },
  });
  await app.prisma.invite.create({
    data: { code, role, unitId: unit.id, createdBy: 'test', expiresAt: new Date('2025-12-31') },
  });
}

/**
 * The bot with Telegram (long polling) against the Bot API emulator on the database at `databaseUrl`,
 * as `startApp` builds it (`options` add a clock, say); `env` adds to the environment.
 */
export function startTelegramApp(
  emulator: Pick<BotApiEmulator, 'token' | 'apiRoot' | 'botInfo'>,
  databaseUrl: string,
  options: AppOptions = {},
  env: Record<string, string> = {},
): Promise<App> {
  return startApp(
    {
      DATABASE_URL: databaseUrl,
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      ...env,
    },
    { telegramBotInfo: emulator.botInfo, ...options },
  );
}

/** A TCP port free at the moment of asking, for a server whose URL must be known before it listens. */
/**
 * The environment of a bot on both channels in webhook mode against the two emulators: Telegram's
 * webhook at PUBLIC_URL with `secret`, Zalo with `refreshToken` and the test token key.
 */
export function bothChannelsEnv(input: {
  databaseUrl: string;
  port: number;
  secret: string;
  refreshToken: string;
  telegram: { token: string; apiRoot: string };
  zalo: { appId: string; appSecret: string; oaSecretKey: string; apiBase: string; oauthBase: string };
}): Record<string, string> {
  return {
    DATABASE_URL: input.databaseUrl,
    PORT: String(input.port),
    PUBLIC_URL: `http://127.0.0.1:${input.port}`,
    TELEGRAM_BOT_TOKEN: input.telegram.token,
    TELEGRAM_API_ROOT: input.telegram.apiRoot,
    TELEGRAM_WEBHOOK_SECRET: input.secret,
    ZALO_APP_ID: input.zalo.appId,
    ZALO_APP_SECRET: input.zalo.appSecret,
    ZALO_OA_SECRET_KEY: input.zalo.oaSecretKey,
    ZALO_REFRESH_TOKEN: input.refreshToken,
    ZALO_API_BASE: input.zalo.apiBase,
    ZALO_OAUTH_BASE: input.zalo.oauthBase,
    ZALO_TOKEN_KEY: TEST_ZALO_TOKEN_KEY,
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** A fresh database with every migration applied (no seed); `close` removes it. */
export async function migratedDb(dialect: Dialect = TEST_DIALECT): Promise<{
  db: SqlDb;
  url: string;
  close: () => Promise<void>;
}> {
  const temp = tempDatabase(dialect);
  const db = openSqlDb(temp.url);
  await applyMigrations(db);
  return {
    db,
    url: temp.url,
    close: async () => {
      await db.close();
      await temp.cleanup();
    },
  };
}

/** Migrates `db` and seeds it with the suite's fixture (prisma/seed.ts 'fixture'), if it is empty. */
async function migrateAndSeedFixture(db: SqlDb, now: Date): Promise<void> {
  await applyMigrations(db);
  await seedIfEmpty(db, now, { demo: 'fixture' });
}

/**
 * Seeds the suite's fixture — the Bắc Kạn campaign BK-XNT-2025 as it ran (open, units of 2024, the
 * demo people, invite and households) — into the database at `url`, migrating it first. For tests
 * that start `bot/main.ts` or `scripts/cli.ts` with a messenger token: on an empty database those
 * seed what a real deployment gets (the closed history only), so a test of the campaign as it ran
 * seeds it before the process starts. `now` is the instant the process would have seeded at.
 */
export async function seedFixture(url: string, now: Date): Promise<void> {
  const db = openSqlDb(url);
  try {
    await migrateAndSeedFixture(db, now);
  } finally {
    await db.close();
  }
}

/** A migrated database seeded with the demo, with both connections the CLI uses; `close` removes it. */
export async function seededDatabase(
  now: Date,
  dialect: Dialect = TEST_DIALECT,
): Promise<{
  url: string;
  file: string;
  dir: string;
  db: SqlDb;
  prisma: PrismaClient;
  close: () => Promise<void>;
}> {
  const temp = tempDatabase(dialect);
  const db = openSqlDb(temp.url);
  await migrateAndSeedFixture(db, now);
  const prisma = createPrismaClient(temp.url);
  return {
    url: temp.url,
    file: temp.file,
    dir: temp.dir,
    db,
    prisma,
    close: async () => {
      await prisma.$disconnect();
      await db.close();
      await temp.cleanup();
    },
  };
}

/**
 * The database's store, except that writing an audit row fails: a use case that writes its change
 * and its audit row in one transaction must then leave nothing behind.
 */
export function failingAuditStore(db: SqlDb): UnitOfWork {
  const store = createStore(db);
  return {
    run: (work) =>
      store.run((tx) =>
        work({
          ...tx,
          audit: {
            record: async () => {
              throw new Error('audit log unavailable');
            },
          },
        }),
      ),
  };
}
