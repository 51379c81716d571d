import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type App, type AppOptions, createApp } from '../../bot/app.ts';
import { loadConfig } from '../../bot/config.ts';
import { createLogger } from '../../bot/logger.ts';
import { createPrismaClient, type PrismaClient } from '../../prisma/client.ts';
import { applyMigrations } from '../../prisma/migrate.ts';
import { seedIfEmpty } from '../../prisma/seed.ts';
import { openSqlite, type SqliteDatabase } from '../../prisma/sqlite.ts';

/** A fresh SQLite file in a temporary folder; removed by the returned cleanup. */
export function tempDatabase(): { file: string; url: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mttq-bot-'));
  const file = path.join(dir, 'bot.db');
  return { file, url: `file:${file}`, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Builds the whole bot as `npm start` does, from an environment, with a silent logger. */
export async function startApp(env: Record<string, string>, options: AppOptions = {}): Promise<App> {
  const config = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', ...env });
  const app = await createApp(config, createLogger({ level: 'silent', secrets: config.secrets }), {
    outboxPollMs: 200,
    // Tests drive the scheduler with `app.scheduler.runOnce()`; the cron would use the wall clock.
    scheduler: false,
    ...options,
  });
  await app.start();
  return app;
}

/** A TCP port free at the moment of asking, for a server whose URL must be known before it listens. */
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

/** A migrated SQLite file opened with the app's settings; `close` also deletes it. */
export function migratedSqlite(): { db: SqliteDatabase; close: () => void } {
  const file = tempDatabase();
  const db = openSqlite(file.file);
  applyMigrations(db);
  return {
    db,
    close: () => {
      db.close();
      file.cleanup();
    },
  };
}

/** A migrated and seeded SQLite file with both connections the CLI uses; `close` removes it. */
export async function seededDatabase(now: Date): Promise<{
  file: string;
  dir: string;
  db: SqliteDatabase;
  prisma: PrismaClient;
  close: () => Promise<void>;
}> {
  const temp = tempDatabase();
  const db = openSqlite(temp.file);
  applyMigrations(db);
  const prisma = createPrismaClient(temp.file);
  await seedIfEmpty(prisma, now);
  return {
    file: temp.file,
    dir: path.dirname(temp.file),
    db,
    prisma,
    close: async () => {
      await prisma.$disconnect();
      db.close();
      temp.cleanup();
    },
  };
}
