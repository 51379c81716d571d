import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type App, type AppOptions, createApp } from '../../bot/app.ts';
import { loadConfig } from '../../bot/config.ts';
import { createLogger } from '../../bot/logger.ts';

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
    ...options,
  });
  await app.start();
  return app;
}
