import fs from 'node:fs';
import { createApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { describePlaygroundStart } from './playground/access.ts';

async function main(): Promise<void> {
  if (fs.existsSync('.env')) {
    process.loadEnvFile('.env');
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger({ level: config.logLevel, secrets: config.secrets, format: config.logFormat });
  for (const warning of config.warnings) {
    log.warn(warning);
  }
  const app = await createApp(config, log);
  app.metrics.collectProcessMetrics();
  const listening = await app.start();
  if (config.playground) {
    const start = describePlaygroundStart(
      config.host,
      listening,
      config.playgroundAccess.password !== undefined,
    );
    log.info(
      {
        url: start.url,
        host: config.host,
        reachableFrom: start.reachableFrom,
        passwordRequired: start.password,
      },
      'playground started',
    );
    // A plain line for the person at the terminal, whatever the log format.
    console.log(`\n  ${start.line}\n`);
  }
  if (!config.telegram) {
    log.info('No TELEGRAM_BOT_TOKEN: Telegram is off. See README "Connecting Telegram".');
  }

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) {
      return;
    }
    shuttingDown = true;
    log.info({ signal }, 'shutting down');
    app
      .stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  // A configuration found wrong only when used (DATABASE_URL) is said as loadConfig says it.
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error('Start-up failed:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
