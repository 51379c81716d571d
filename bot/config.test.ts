import fs from 'node:fs';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  databaseStartError,
  KNOWN_VARIABLES,
  loadConfig,
  unknownVariableWarnings,
  variableDefault,
} from './config.ts';

describe('loadConfig', () => {
  it('runs the playground on SQLite with nothing set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      sqliteFile: './data/bot.db',
      port: 3000,
      host: '127.0.0.1',
      telegram: undefined,
      playground: true,
      timeZone: 'Asia/Ho_Chi_Minh',
      flowTtlMs: 24 * 3_600_000,
      remindersCron: '*/5 * * * *',
      telegramRate: { globalPerSecond: 30, perChatPerSecond: 1, perGroupPerMinute: 20 },
    });
    expect(loadConfig({ REMINDERS_CRON: 'off', TELEGRAM_RATE_PER_SECOND: '25' })).toMatchObject({
      remindersCron: undefined,
      telegramRate: { globalPerSecond: 25 },
    });
    expect(() => loadConfig({ TELEGRAM_RATE_PER_SECOND: 'fast' })).toThrow(ConfigError);
    expect(loadConfig({ DATABASE_URL: 'postgresql://bot@db:5432/mttq', INSTANCE_ID: 'a-1' })).toMatchObject({
      databaseUrl: 'postgresql://bot@db:5432/mttq',
      sqliteFile: undefined,
      instanceId: 'a-1',
    });
    expect(() => loadConfig({ REMINDERS_CRON: 'every day' })).toThrow(ConfigError);
  });

  it('uses long polling with a token, and a webhook when PUBLIC_URL is set', () => {
    const token = '123456:ABC-def_1';
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: token }).telegram).toEqual({
      mode: 'polling',
      token,
      apiRoot: 'https://api.telegram.org',
    });
    const webhook = loadConfig({
      TELEGRAM_BOT_TOKEN: token,
      PUBLIC_URL: 'https://bot.example.vn/',
      TELEGRAM_WEBHOOK_SECRET: 'a-long-secret_1',
    });
    expect(webhook.telegram).toMatchObject({
      mode: 'webhook',
      webhookUrl: 'https://bot.example.vn/telegram/webhook',
    });
    expect(webhook.playground).toBe(false);
    expect(webhook.secrets).toEqual([token, 'a-long-secret_1']);
  });

  it('starts Zalo only with all four credentials, and then not the playground', () => {
    const zalo = loadConfig({
      ZALO_APP_ID: '123',
      ZALO_APP_SECRET: 'app-secret',
      ZALO_OA_SECRET_KEY: 'oa-secret',
      ZALO_REFRESH_TOKEN: 'refresh-token-value',
      ZALO_TOKEN_KEY: 'ab'.repeat(32),
    });
    expect(zalo.zalo).toMatchObject({
      appId: '123',
      apiBase: 'https://openapi.zalo.me',
      webhookMaxAgeMs: 300_000,
    });
    expect(zalo.playground).toBe(false);
    expect(zalo.secrets).toEqual(expect.arrayContaining(['app-secret', 'oa-secret', 'refresh-token-value']));
    expect(loadConfig({}).zalo).toBeUndefined();
  });

  it('keeps the playground to loopback, or behind a password, and away from a real token', () => {
    const token = '123456:ABC-def_1';
    const staging = loadConfig({
      TELEGRAM_BOT_TOKEN: token,
      PLAYGROUND: 'staging',
      PLAYGROUND_PASSWORD: 'staging-pass-1',
    });
    expect(staging).toMatchObject({
      playground: true,
      playgroundAccess: { password: 'staging-pass-1', publicUrl: undefined },
    });
    expect(staging.secrets).toContain('staging-pass-1');
    expect(loadConfig({ HOST: '0.0.0.0', PLAYGROUND_PASSWORD: 'network-pass' })).toMatchObject({
      playground: true,
      host: '0.0.0.0',
    });
    expect(loadConfig({ HOST: '::1' }).playground).toBe(true);
    // A token with the default PLAYGROUND=auto: no playground, so any HOST is fine.
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: token, HOST: '0.0.0.0' }).playground).toBe(false);
    expect(loadConfig({ HOST: '0.0.0.0', PLAYGROUND: 'off' }).playground).toBe(false);
  });

  it.each([
    [{ TELEGRAM_BOT_TOKEN: '1:a', PLAYGROUND: 'on' }, 'PLAYGROUND=on'],
    [
      {
        ZALO_APP_ID: '1',
        ZALO_APP_SECRET: 's',
        ZALO_OA_SECRET_KEY: 'k',
        ZALO_REFRESH_TOKEN: 'r',
        ZALO_TOKEN_KEY: 'a'.repeat(64),
        PLAYGROUND: 'on',
      },
      'ZALO_',
    ],
    [{ TELEGRAM_BOT_TOKEN: '1:a', PLAYGROUND: 'staging' }, 'PLAYGROUND_PASSWORD'],
    [{ HOST: '0.0.0.0' }, 'PLAYGROUND_PASSWORD'],
    [{ HOST: '192.168.1.10', PLAYGROUND: 'on' }, 'HOST=192.168.1.10'],
    [{ PLAYGROUND_PASSWORD: 'short' }, 'PLAYGROUND_PASSWORD'],
  ])('refuses the exposed playground %o with one line naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain(name);
      expect(message.split('\n')).toHaveLength(1);
    }
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ TELEGRAM_BOT_TOKEN: 'not-a-token' }, 'TELEGRAM_BOT_TOKEN'],
    [{ TELEGRAM_API_ROOT: 'nowhere' }, 'TELEGRAM_API_ROOT'],
    [{ DATABASE_URL: 'mysql://localhost/test' }, 'DATABASE_URL'],
    [{ INSTANCE_ID: 'two words' }, 'INSTANCE_ID'],
    [{ TZ_CAMPAIGN: 'Mars/Base' }, 'TZ_CAMPAIGN'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ TELEGRAM_BOT_TOKEN: '1:a', PUBLIC_URL: 'https://x.vn' }, 'TELEGRAM_WEBHOOK_SECRET'],
    [{ ZALO_APP_ID: '123', ZALO_APP_SECRET: 's' }, 'ZALO_OA_SECRET_KEY'],
    [{ ZALO_WEBHOOK_MAX_AGE_SECONDS: '1' }, 'ZALO_WEBHOOK_MAX_AGE_SECONDS'],
    [
      { ZALO_APP_ID: '1', ZALO_APP_SECRET: 's', ZALO_OA_SECRET_KEY: 'o', ZALO_REFRESH_TOKEN: 'r' },
      'ZALO_TOKEN_KEY',
    ],
    [{ MEDIA_MAX_BYTES: '10' }, 'MEDIA_MAX_BYTES'],
    [{ REMINDERS_CRON: 'every day' }, 'REMINDERS_CRON'],
    [{ REMINDERS_CRON: '99 * * * *' }, 'REMINDERS_CRON'],
    [{ REMINDERS_CRON: '*/5 * * * * * *' }, 'REMINDERS_CRON'],
    [{ TELEGRAM_MODE: 'longpoll' }, 'TELEGRAM_MODE'],
    [{ TELEGRAM_BOT_TOKEN: '1:a', TELEGRAM_MODE: 'webhook' }, 'TELEGRAM_MODE=webhook needs PUBLIC_URL'],
    [{ LOG_FORMAT: 'text' }, 'LOG_FORMAT'],
    [{ HEALTH_TELEGRAM_STALL_SECONDS: '-1' }, 'HEALTH_TELEGRAM_STALL_SECONDS'],
    [{ HEALTH_OUTBOX_MAX_PENDING: 'many' }, 'HEALTH_OUTBOX_MAX_PENDING'],
    [
      { TELEGRAM_BOT_TOKEN: '1:a', PUBLIC_URL: 'https://x.vn', TELEGRAM_WEBHOOK_SECRET: 'short' },
      'TELEGRAM_WEBHOOK_SECRET',
    ],
  ])('stops on %o with one line naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain(name);
      expect(message.split('\n')).toHaveLength(1);
    }
  });
  it('bounds households import by HOUSEHOLD_IMPORT_MAX_MB and HOUSEHOLD_IMPORT_MAX_ROWS', () => {
    expect(loadConfig({}).householdImport).toEqual({ maxBytes: 20 * 1024 * 1024, maxRows: 200_000 });
    expect(
      loadConfig({ HOUSEHOLD_IMPORT_MAX_MB: '2.5', HOUSEHOLD_IMPORT_MAX_ROWS: '5000' }).householdImport,
    ).toEqual({ maxBytes: 2.5 * 1024 * 1024, maxRows: 5000 });
    expect(() => loadConfig({ HOUSEHOLD_IMPORT_MAX_ROWS: '0' })).toThrow(/HOUSEHOLD_IMPORT_MAX_ROWS/);
  });
});

describe('the list of variables', () => {
  const example = parseEnv(fs.readFileSync(new URL('../.env.example', import.meta.url), 'utf8'));

  it('.env.example lists every variable the bot reads, with its default, and no other', () => {
    expect(Object.keys(example).sort()).toEqual([...KNOWN_VARIABLES].sort());
    for (const name of KNOWN_VARIABLES) {
      expect(example[name], name).toBe(variableDefault(name) ?? '');
    }
    // Copied as it is, it starts the bot exactly as no .env does.
    expect(loadConfig(example)).toEqual(loadConfig({}));
  });

  it('takes an empty variable for its default (PORT= is 3000, not a random port)', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(3000);
    expect(loadConfig({ PORT: '  ', LOG_LEVEL: '', REMINDERS_CRON: '', DATABASE_URL: '' })).toMatchObject({
      port: 3000,
      logLevel: 'info',
      remindersCron: '*/5 * * * *',
      databaseUrl: 'file:./data/bot.db',
    });
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
  });

  it('honours TELEGRAM_MODE: polling even with PUBLIC_URL, webhook only with it', () => {
    const token = '123456:ABC-def_1';
    const publicUrl = 'https://bot.example.vn';
    expect(
      loadConfig({ TELEGRAM_BOT_TOKEN: token, PUBLIC_URL: publicUrl, TELEGRAM_MODE: 'polling' }).telegram,
    ).toEqual({
      mode: 'polling',
      token,
      apiRoot: 'https://api.telegram.org',
    });
    expect(
      loadConfig({
        TELEGRAM_BOT_TOKEN: token,
        PUBLIC_URL: publicUrl,
        TELEGRAM_WEBHOOK_SECRET: 'a-long-secret_1',
        TELEGRAM_MODE: 'webhook',
      }).telegram,
    ).toMatchObject({ mode: 'webhook', webhookUrl: `${publicUrl}/telegram/webhook` });
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_MODE: 'webhook' })).toThrow(
      'Invalid configuration: TELEGRAM_MODE=webhook needs PUBLIC_URL',
    );
  });

  it('warns about variables that look like ours but are not read, and about no other', () => {
    expect(
      unknownVariableWarnings({
        TELEGRAM_BOT_TOKNE: '1:a',
        DATBASE_URL: 'file:x.db',
        log_level: 'debug',
        PROT: '3000',
        ZALO_OA_TOKEN: 'x',
        REMINDERS_TIME: '08:00',
        PLAYGROUND_USER: 'me',
        TELEGRAM_BOT_TOKEN: '1:a',
      }),
    ).toEqual([
      'TELEGRAM_BOT_TOKNE is not a variable of the bot; did you mean TELEGRAM_BOT_TOKEN? It is ignored.',
      'DATBASE_URL is not a variable of the bot; did you mean DATABASE_URL? It is ignored.',
      'log_level is not a variable of the bot; did you mean LOG_LEVEL? It is ignored.',
      'PROT is not a variable of the bot; did you mean PORT? It is ignored.',
      'ZALO_OA_TOKEN is not a variable of the bot (see .env.example); it is ignored.',
      'REMINDERS_TIME is not a variable of the bot (see .env.example); it is ignored.',
      'PLAYGROUND_USER is not a variable of the bot (see .env.example); it is ignored.',
    ]);
    // A machine's usual environment (and this test run's) says nothing.
    const usual = [
      'HOME',
      'HOSTNAME',
      'PATH',
      'PWD',
      'USER',
      'SHELL',
      'TERM',
      'LANG',
      'TZ',
      'NODE_ENV',
      'CI',
    ];
    const ordinary = Object.fromEntries(usual.map((name) => [name, 'x']));
    const ours = new Set(KNOWN_VARIABLES);
    const running = Object.fromEntries(Object.entries(process.env).filter(([name]) => !ours.has(name)));
    expect(unknownVariableWarnings({ ...ordinary, ...running })).toEqual([]);
    expect(loadConfig({ TELEGRAM_BOT_TOKNE: '1:a' }).warnings).toHaveLength(1);
  });

  it('names DATABASE_URL when the database cannot be opened, without its password', () => {
    const error = databaseStartError(
      'postgresql://bot:s3cret-pass@db.example:5432/mttq',
      Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' }),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      'Invalid configuration: DATABASE_URL (postgresql://bot:***@db.example:5432/mttq): the database cannot be opened: ECONNREFUSED: connect ECONNREFUSED 10.0.0.5:5432',
    );
  });
});

describe('ZNS templates (issue 18 §4)', () => {
  const zalo = {
    ZALO_APP_ID: '123',
    ZALO_APP_SECRET: 'app-secret',
    ZALO_OA_SECRET_KEY: 'oa-secret',
    ZALO_REFRESH_TOKEN: 'refresh-token-value',
    ZALO_TOKEN_KEY: 'ab'.repeat(32),
  };

  it('takes the templates given, their parameter pairs and prices; none given: no ZNS', () => {
    expect(loadConfig(zalo).zalo?.zns).toBeUndefined();
    const zns = loadConfig({
      ...zalo,
      ZALO_ZNS_TEMPLATE_REMINDER: '240101',
      ZALO_ZNS_PARAMS_REMINDER: ' ten = name , noi_dung=title',
      ZALO_ZNS_COST_REMINDER: '220',
      ZALO_ZNS_WINDOW_DAYS: '6',
    }).zalo?.zns;
    expect(zns).toEqual({
      url: 'https://business.openapi.zalo.me/message/template',
      windowMs: 6 * 86_400_000,
      mode: undefined,
      templates: {
        reminder: {
          templateId: '240101',
          params: [
            ['ten', 'name'],
            ['noi_dung', 'title'],
          ],
          costDong: 220,
          variable: 'ZALO_ZNS_TEMPLATE_REMINDER',
        },
      },
    });
  });

  it('names the variable of a bad template id or parameter list', () => {
    expect(() => loadConfig({ ...zalo, ZALO_ZNS_TEMPLATE_ESCALATION: 'abc' })).toThrow(
      /ZALO_ZNS_TEMPLATE_ESCALATION must be the template id/,
    );
    expect(() => loadConfig({ ...zalo, ZALO_ZNS_PARAMS_ACKNOWLEDGEMENT: 'ten:name' })).toThrow(
      /ZALO_ZNS_PARAMS_ACKNOWLEDGEMENT must be template_param=our_param pairs/,
    );
  });
});
