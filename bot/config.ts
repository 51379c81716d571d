import { createRequire } from 'node:module';
import os from 'node:os';
import { z } from 'zod';
import { parseIdHashKey } from '../core/households/id-number.ts';
import {
  DEFAULT_HOUSEHOLD_IMPORT_LIMITS,
  type HouseholdImportLimits,
} from '../core/households/import-limits.ts';
import { NOTICE_KINDS, type NoticeKind } from '../core/messaging/message.ts';
import { isLoopbackHost } from './playground/access.ts';

const MEBIBYTE = 1024 * 1024;
const DEFAULT_REMINDERS_CRON = '*/5 * * * *';

const optional = z
  .string()
  .transform((v) => (v.trim() === '' ? undefined : v.trim()))
  .optional();

/** A ZNS template id as the Zalo Cloud Account shows it (digits). */
const znsTemplateId = z
  .string()
  .regex(/^\d{1,20}$/, 'must be the template id (digits) from the Zalo Cloud Account')
  .optional();

/** "template_param=our_param, …" → pairs; an empty list is refused. */
const znsParams = z
  .string()
  .regex(
    /^\s*\w+\s*=\s*\w+\s*(,\s*\w+\s*=\s*\w+\s*)*$/,
    'must be template_param=our_param pairs separated by commas, e.g. customer_name=name,content=title',
  )
  .transform((v) =>
    v.split(',').map((pair) => pair.split('=').map((side) => side.trim()) as [string, string]),
  )
  .optional();

/**
 * Every environment variable the bot reads, with its type and default: the one place they are
 * listed. A new variable is added here (with a doc comment) and, with its default, to
 * `.env.example` — `bot/config.test.ts` compares the two, and `KNOWN_VARIABLES` (the start-up
 * warning about unknown variables that look like ours) is derived from this object. An empty
 * value means the variable is unset (its default).
 */
const ZEnv = z.object({
  DATABASE_URL: z
    .string()
    .default('file:./data/bot.db')
    .refine((v) => v.startsWith('file:') || /^postgres(ql)?:\/\/[^/]+/.test(v), {
      message:
        'must be a SQLite URL such as file:./data/bot.db or a PostgreSQL URL such as postgresql://user@host:5432/db',
    }),
  INSTANCE_ID: optional.pipe(
    z
      .string()
      .regex(/^[\w.:-]{1,64}$/, 'must be 1–64 letters, digits, . : _ -')
      .optional(),
  ),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: optional.pipe(z.url().optional()),
  TELEGRAM_BOT_TOKEN: optional.pipe(
    z
      .string()
      .regex(/^\d+:[A-Za-z0-9_-]+$/, 'must look like 123456789:AA… (from @BotFather)')
      .optional(),
  ),
  TELEGRAM_API_ROOT: z.url().default('https://api.telegram.org'),
  TELEGRAM_WEBHOOK_SECRET: optional.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{12,256}$/, 'must be 12–256 characters of A-Z, a-z, 0-9, _ and -')
      .optional(),
  ),
  /** The bot's username for the live board's `t.me/<username>?start=ungho` link (else from getMe). */
  TELEGRAM_BOT_USERNAME: optional.pipe(
    z
      .string()
      .regex(/^@?[A-Za-z][A-Za-z0-9_]{3,31}$/, 'must be a Telegram username such as MTTQ_BacKan_bot')
      .optional(),
  ),
  /** The Official Account's id for the live board's `zalo.me/<id>` link. */
  ZALO_OA_ID: optional.pipe(
    z
      .string()
      .regex(/^\d{5,25}$/, 'must be the Official Account id (digits), as in https://zalo.me/<id>')
      .optional(),
  ),
  ZALO_APP_ID: optional,
  ZALO_APP_SECRET: optional,
  ZALO_OA_SECRET_KEY: optional,
  ZALO_REFRESH_TOKEN: optional,
  ZALO_API_BASE: z.url().default('https://openapi.zalo.me'),
  ZALO_OAUTH_BASE: z.url().default('https://oauth.zaloapp.com'),
  /** Signed webhook events older than this are refused as replays (Zalo states no limit; 5 min by default). */
  ZALO_WEBHOOK_MAX_AGE_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  /** The app's Official Account API limit (4,000 requests/min per Zalo's table). */
  ZALO_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(4000),
  /** Zalo Notification Service (ZNS): the template message API, by phone number (docs/zalo.md). */
  ZALO_ZNS_URL: z.url().default('https://business.openapi.zalo.me/message/template'),
  /** Days without a message to the OA after which Zalo refuses consultation messages (Zalo: 7). */
  ZALO_ZNS_WINDOW_DAYS: z.coerce.number().positive().max(365).default(7),
  /** `development`: ZNS delivers only to the app's and OA's admins (trying a template out). */
  ZALO_ZNS_MODE: optional.pipe(
    z.enum(['development'], { message: 'must be development, or empty' }).optional(),
  ),
  /** The approved ZNS template of reminders; empty: reminders wait for the person to write again. */
  ZALO_ZNS_TEMPLATE_REMINDER: optional.pipe(znsTemplateId),
  /** The approved ZNS template of late-report escalations to unit heads; empty: none by ZNS. */
  ZALO_ZNS_TEMPLATE_ESCALATION: optional.pipe(znsTemplateId),
  /** The approved ZNS template of a donor's receipt notice and acknowledgement letter; empty: none. */
  ZALO_ZNS_TEMPLATE_ACKNOWLEDGEMENT: optional.pipe(znsTemplateId),
  /** The reminder template's parameters from ours: "template_param=our_param,…"; empty: our names. */
  ZALO_ZNS_PARAMS_REMINDER: optional.pipe(znsParams),
  ZALO_ZNS_PARAMS_ESCALATION: optional.pipe(znsParams),
  ZALO_ZNS_PARAMS_ACKNOWLEDGEMENT: optional.pipe(znsParams),
  /** The price of one message of each template in đồng (the Zalo Cloud Account shows it): `zalo status`. */
  ZALO_ZNS_COST_REMINDER: z.coerce.number().int().min(0).max(1_000_000).default(300),
  ZALO_ZNS_COST_ESCALATION: z.coerce.number().int().min(0).max(1_000_000).default(300),
  ZALO_ZNS_COST_ACKNOWLEDGEMENT: z.coerce.number().int().min(0).max(1_000_000).default(300),
  TZ_CAMPAIGN: z
    .string()
    .default('Asia/Ho_Chi_Minh')
    .refine(isTimeZone, { message: 'must be an IANA time zone such as Asia/Ho_Chi_Minh' }),
  /** Key of the ID number hash (HMAC-SHA-256), never stored: ≥ 32 bytes as hex or base64. */
  ID_HASH_KEY: optional.pipe(
    z
      .string()
      .refine((v) => parseIdHashKey(v) !== undefined, {
        message:
          'must be at least 32 random bytes as hex or base64, e.g. the output of `openssl rand -hex 32`',
      })
      .optional(),
  ),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FLOW_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  /** Local copies of evidence photos. */
  MEDIA_DIR: z.string().default('./data/media'),
  /** A photo larger than this is not archived (the download stops there). */
  MEDIA_MAX_BYTES: z.coerce.number().int().min(1024).max(1_073_741_824).default(10_485_760),
  /** How long one photo download may take in all (connecting: at most 10 s of it). */
  MEDIA_FETCH_TIMEOUT_SECONDS: z.coerce.number().positive().max(600).default(30),
  /** Hosts Zalo photo URLs may be fetched from: exact names, or "*.domain" (Zalo's CDN is *.zdn.vn). */
  ZALO_MEDIA_HOSTS: z.string().default('*.zdn.vn'),
  /** A request (headers and body) must arrive within this; a trickling body is cut off. */
  HTTP_REQUEST_TIMEOUT_SECONDS: z.coerce.number().positive().max(600).default(30),
  /** An idle connection (nothing received, or kept alive between requests) is closed after this. */
  HTTP_IDLE_TIMEOUT_SECONDS: z.coerce.number().positive().max(600).default(10),
  /** Raw Zalo webhook bodies are deleted this many days after they were processed. */
  ZALO_RAW_RETENTION_DAYS: z.coerce.number().min(0).max(3650).default(7),
  /** 32 bytes (64 hex characters or base64) encrypting the stored Zalo tokens; required with Zalo. */
  ZALO_TOKEN_KEY: optional,
  /** `staging`: the playground next to a messenger token, on a staging database, behind PLAYGROUND_PASSWORD. */
  PLAYGROUND: z.enum(['auto', 'on', 'off', 'staging']).default('auto'),
  /** Required for the playground on a non-loopback HOST or with PLAYGROUND=staging (HTTP Basic auth). */
  PLAYGROUND_PASSWORD: optional.pipe(z.string().min(8, 'must be at least 8 characters').optional()),
  /** `households import` refuses a larger file before reading it (MB of 1,048,576 bytes). */
  HOUSEHOLD_IMPORT_MAX_MB: z.coerce
    .number()
    .positive()
    .max(10_240)
    .default(DEFAULT_HOUSEHOLD_IMPORT_LIMITS.maxBytes / MEBIBYTE),
  /** `households import` stops at the first household row past this, writing nothing. */
  HOUSEHOLD_IMPORT_MAX_ROWS: z.coerce
    .number()
    .int()
    .positive()
    .max(10_000_000)
    .default(DEFAULT_HOUSEHOLD_IMPORT_LIMITS.maxRows),
  /** Telegram's flood limits the dispatcher keeps to (Bot API FAQ: ~30/s overall, 1/s per chat, 20/min per group). */
  TELEGRAM_RATE_PER_SECOND: z.coerce.number().min(0).max(1000).default(30),
  TELEGRAM_RATE_PER_CHAT: z.coerce.number().min(0).max(100).default(1),
  TELEGRAM_RATE_PER_GROUP_MINUTE: z.coerce.number().min(0).max(10_000).default(20),
  /**
   * The pinned totals message of leadership groups: at most one edit per group in this many seconds
   * (a group takes ~20 messages a minute, digests included); 0 turns the message off.
   */
  PINNED_TOTALS_EDIT_SECONDS: z.coerce
    .number()
    .int()
    .max(3600)
    .refine((v) => v === 0 || v >= 3, { message: 'must be 0 (off) or at least 3' })
    .default(10),
  /** When the reminder planner runs (node-cron, campaign time zone); "off" disables reminders. */
  REMINDERS_CRON: z
    .string()
    .default(DEFAULT_REMINDERS_CRON)
    .refine((v) => v === 'off' || isCronExpression(v), {
      message: 'must be a cron expression such as "*/5 * * * *" (minute hour day month weekday), or "off"',
    }),
  /** `polling` or `webhook` (needs PUBLIC_URL); unset: webhook when PUBLIC_URL is set, else polling. */
  TELEGRAM_MODE: z
    .enum(['polling', 'webhook'], { message: 'must be polling or webhook (or unset: chosen by PUBLIC_URL)' })
    .optional(),
  /** `json` (one JSON object a line, for log collectors) or `pretty` (readable; `npm run dev`). */
  LOG_FORMAT: z.enum(['json', 'pretty'], { message: 'must be json or pretty' }).default('json'),
  /** /healthz and /readyz: Telegram long polling failing or making no progress this long is down. */
  HEALTH_TELEGRAM_STALL_SECONDS: z.coerce.number().positive().max(86_400).default(90),
  /** /healthz and /readyz: the outbox dispatcher not having run for this long is wedged. */
  HEALTH_OUTBOX_STALL_SECONDS: z.coerce.number().positive().max(86_400).default(120),
  /** /readyz: more messages than this waiting in the outbox is not ready. */
  HEALTH_OUTBOX_MAX_PENDING: z.coerce.number().int().positive().default(10_000),
  /** /readyz: a message due this long ago and still not sent is not ready. */
  HEALTH_OUTBOX_MAX_AGE_SECONDS: z.coerce.number().positive().max(604_800).default(900),
  /** /readyz: the database not taking a write or answering a read within this is not ready. */
  HEALTH_DATABASE_TIMEOUT_SECONDS: z.coerce.number().positive().max(600).default(5),
});

/** Every variable the bot reads (the keys of ZEnv). */
export const KNOWN_VARIABLES: readonly string[] = Object.keys(ZEnv.shape);

/** A variable's default as it would be written in .env (undefined: none, the feature is off). */
export function variableDefault(name: string): string | undefined {
  const schema = (ZEnv.shape as Record<string, z.ZodType>)[name];
  const parsed = schema?.safeParse(undefined);
  return parsed?.success && parsed.data !== undefined ? String(parsed.data) : undefined;
}

/**
 * Prefixes that mark a variable as ours: one with such a prefix that is not known is most likely a
 * misspelt or outdated name (warned about at start-up).
 */
const OUR_PREFIXES = [
  'DATABASE_',
  'TELEGRAM_',
  'ZALO_',
  'PLAYGROUND_',
  'REMINDERS_',
  'HEALTH_',
  'MEDIA_',
  'HOUSEHOLD_',
  'PINNED_',
  'FLOW_',
  'ID_HASH',
  'TZ_CAMPAIGN',
  'INSTANCE_',
];

/**
 * Warnings about variables that look like ours but are not read: a known prefix, or a name one or
 * two letters away from a known one (`TELEGRAM_BOT_TOKNE`, `DATBASE_URL`, `log_level`).
 */
export function unknownVariableWarnings(env: Record<string, string | undefined>): string[] {
  const known = new Set(KNOWN_VARIABLES);
  const warnings: string[] = [];
  for (const name of Object.keys(env)) {
    if (known.has(name)) {
      continue;
    }
    const upper = name.toUpperCase();
    const near = KNOWN_VARIABLES.find(
      (k) => upper === k || editDistance(upper, k) <= (k.length <= 6 ? 1 : 2),
    );
    if (near) {
      warnings.push(`${name} is not a variable of the bot; did you mean ${near}? It is ignored.`);
    } else if (OUR_PREFIXES.some((prefix) => upper.startsWith(prefix))) {
      warnings.push(`${name} is not a variable of the bot (see .env.example); it is ignored.`);
    }
  }
  return warnings;
}

/** Damerau–Levenshtein distance (optimal string alignment): a swap of two letters counts one. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) {
    return 3;
  }
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) {
    (d[0] as number[])[j] = j;
  }
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] as number[];
    const prev = d[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/**
 * Whether node-cron accepts the expression. node-cron is loaded only for an expression other than
 * the default (it costs the CLI ~50 ms to load, and the default is known to be good).
 */
function isCronExpression(value: string): boolean {
  if (value === DEFAULT_REMINDERS_CRON) {
    return true;
  }
  const cron = createRequire(import.meta.url)('node-cron') as { validate(expression: string): boolean };
  return cron.validate(value);
}

/**
 * A database URL fit for a message: the password replaced by `***` (the rest names the host,
 * database and schema the operator must check).
 */
export function describeDatabaseUrl(url: string): string {
  if (url.startsWith('file:')) {
    return url;
  }
  try {
    const parsed = new URL(url);
    if (parsed.password) {
      parsed.password = '***';
    }
    return parsed.toString();
  } catch {
    return 'postgresql://…';
  }
}

/** A database that cannot be opened or migrated at start-up, named by its variable. */
export function databaseStartError(url: string, error: unknown): ConfigError {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const code = typeof e?.code === 'string' && !message.startsWith(e.code) ? `${e.code}: ` : '';
  const reason = `${code}${message}`.split('\n')[0];
  return new ConfigError(
    `Invalid configuration: DATABASE_URL (${describeDatabaseUrl(url)}): the database cannot be opened: ${reason}`,
  );
}

/** ZALO_TOKEN_KEY as 32 bytes: 64 hex characters or base64 of 32 bytes. */
function zaloTokenKey(value: string | undefined): Buffer {
  const key =
    value === undefined
      ? undefined
      : /^[0-9a-fA-F]{64}$/.test(value)
        ? Buffer.from(value, 'hex')
        : Buffer.from(value, 'base64');
  if (key?.length !== 32) {
    throw new ConfigError(
      'Invalid configuration: ZALO_TOKEN_KEY must be 32 random bytes (64 hex characters, e.g. `openssl rand -hex 32`) when Zalo is configured',
    );
  }
  return key;
}

/**
 * Whether the playground runs; refuses the combinations that would expose it (issue 13 §2): next
 * to a messenger token only as PLAYGROUND=staging, and beyond loopback only behind a password.
 */
function playgroundWanted(
  mode: 'auto' | 'on' | 'off' | 'staging',
  anyMessenger: boolean,
  host: string,
  password: string | undefined,
): boolean {
  if (mode === 'on' && anyMessenger) {
    throw new ConfigError(
      'Invalid configuration: PLAYGROUND=on is refused when TELEGRAM_BOT_TOKEN or ZALO_* is set (anyone reaching it could act as any person on the real database); use PLAYGROUND=off, or PLAYGROUND=staging with PLAYGROUND_PASSWORD on a staging database',
    );
  }
  if (mode === 'staging' && !password) {
    throw new ConfigError('Invalid configuration: PLAYGROUND_PASSWORD is required when PLAYGROUND=staging');
  }
  const on = mode === 'on' || mode === 'staging' || (mode === 'auto' && !anyMessenger);
  if (on && !password && !isLoopbackHost(host)) {
    throw new ConfigError(
      `Invalid configuration: PLAYGROUND_PASSWORD is required when the playground listens on HOST=${host} (reachable from the network); set it, or HOST=127.0.0.1, or PLAYGROUND=off`,
    );
  }
  return on;
}

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export type TelegramConfig =
  | { mode: 'polling'; token: string; apiRoot: string }
  | { mode: 'webhook'; token: string; apiRoot: string; webhookUrl: string; secret: string };

export interface ZaloConfig {
  appId: string;
  appSecret: string;
  oaSecretKey: string;
  refreshToken: string;
  apiBase: string;
  oauthBase: string;
  webhookMaxAgeMs: number;
  requestsPerMinute: number;
  /** AES-256-GCM key of the stored access and refresh tokens (ZALO_TOKEN_KEY). */
  tokenKey: Buffer;
  /** ZNS template messages past the consultation window; undefined: no template configured. */
  zns: ZnsConfig | undefined;
}

export interface ZnsConfig {
  url: string;
  windowMs: number;
  mode: 'development' | undefined;
  templates: Partial<Record<NoticeKind, ZnsTemplate>>;
}

export interface ZnsTemplate {
  templateId: string;
  /** [template param, our param] pairs; undefined: our params under their own names. */
  params: [string, string][] | undefined;
  costDong: number;
  /** The variable naming it (told to the admin when Zalo refuses the template). */
  variable: string;
}

function znsConfig(e: z.infer<typeof ZEnv>): ZnsConfig | undefined {
  const given = {
    reminder: [e.ZALO_ZNS_TEMPLATE_REMINDER, e.ZALO_ZNS_PARAMS_REMINDER, e.ZALO_ZNS_COST_REMINDER],
    escalation: [e.ZALO_ZNS_TEMPLATE_ESCALATION, e.ZALO_ZNS_PARAMS_ESCALATION, e.ZALO_ZNS_COST_ESCALATION],
    acknowledgement: [
      e.ZALO_ZNS_TEMPLATE_ACKNOWLEDGEMENT,
      e.ZALO_ZNS_PARAMS_ACKNOWLEDGEMENT,
      e.ZALO_ZNS_COST_ACKNOWLEDGEMENT,
    ],
  } as const;
  const templates: Partial<Record<NoticeKind, ZnsTemplate>> = {};
  for (const kind of NOTICE_KINDS) {
    const [templateId, params, costDong] = given[kind];
    if (templateId !== undefined) {
      templates[kind] = {
        templateId,
        params,
        costDong,
        variable: `ZALO_ZNS_TEMPLATE_${kind.toUpperCase()}`,
      };
    }
  }
  return Object.keys(templates).length === 0
    ? undefined
    : {
        url: e.ZALO_ZNS_URL,
        windowMs: e.ZALO_ZNS_WINDOW_DAYS * 86_400_000,
        mode: e.ZALO_ZNS_MODE,
        templates,
      };
}

export interface Config {
  /** `file:…` (SQLite, the embedded default) or `postgresql://…` (several instances). */
  databaseUrl: string;
  /** The SQLite file for `file:` URLs (undefined on PostgreSQL). */
  sqliteFile: string | undefined;
  /** Names this process among several on one database (its outbox claims); default host:port. */
  instanceId: string;
  port: number;
  host: string;
  telegram: TelegramConfig | undefined;
  zalo: ZaloConfig | undefined;
  playground: boolean;
  /** The live board's start links: the bot's username (without @) and the Official Account's id. */
  board: { telegramUsername: string | undefined; zaloOaId: string | undefined };
  /** The playground's password (undefined: none, loopback only) and PUBLIC_URL, whose host it answers to. */
  playgroundAccess: { password: string | undefined; publicUrl: string | undefined };
  /** Bounds of `households import`: file size and household rows. */
  householdImport: HouseholdImportLimits;
  timeZone: string;
  logLevel: z.infer<typeof ZEnv>['LOG_LEVEL'];
  flowTtlMs: number;
  mediaDir: string;
  /** Photo downloads: size cap, total timeout, Zalo's allowed hosts. */
  media: { maxBytes: number; timeoutMs: number; zaloHosts: string[] };
  /** HTTP server: whole-request and idle-connection timeouts. */
  httpTimeouts: { requestMs: number; idleMs: number };
  /** Days a processed raw Zalo webhook body is kept. */
  zaloRawRetentionDays: number;
  /** The reminder planner's cron expression; undefined when REMINDERS_CRON=off. */
  remindersCron: string | undefined;
  /** The dispatcher's pacing of Telegram sends (0 = no limit). */
  telegramRate: { globalPerSecond: number; perChatPerSecond: number; perGroupPerMinute: number };
  /** The pinned totals message's pace per group, in ms; 0: no pinned message. */
  pinnedTotalsEditMs: number;
  /**
   * The key ID numbers are hashed with (ID_HASH_KEY); undefined: bot/id-hash-key.ts decides (a local
   * key file without a messenger token, a refusal with one).
   */
  idHashKey: Buffer | undefined;
  /** Values that must never reach a log line. */
  secrets: string[];
  /** `json` lines (production) or `pretty` (readable, for a person at a terminal). */
  logFormat: 'json' | 'pretty';
  /** Thresholds of /healthz and /readyz (bot/health.ts), in ms and messages. */
  health: HealthThresholds;
  /** Said once at start-up (main.ts): variables that look like ours but are not read. */
  warnings: string[];
}

export interface HealthThresholds {
  telegramStallMs: number;
  outboxStallMs: number;
  outboxMaxPending: number;
  outboxMaxAgeMs: number;
  databaseTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Reads the environment once (STYLE.md habit 1); the first problem is reported in one line. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable (`PORT=` as in .env.example) means its default.
  const given = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = ZEnv.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(`Invalid configuration: ${name} ${issue?.message ?? 'is invalid'}`);
  }
  const e = parsed.data;
  let telegram: TelegramConfig | undefined;
  if (e.TELEGRAM_MODE === 'webhook' && !e.PUBLIC_URL) {
    throw new ConfigError(
      'Invalid configuration: TELEGRAM_MODE=webhook needs PUBLIC_URL (the public HTTPS address Telegram posts to); set it, or TELEGRAM_MODE=polling',
    );
  }
  if (e.TELEGRAM_BOT_TOKEN) {
    if (e.PUBLIC_URL && e.TELEGRAM_MODE !== 'polling') {
      if (!e.TELEGRAM_WEBHOOK_SECRET) {
        throw new ConfigError(
          'Invalid configuration: TELEGRAM_WEBHOOK_SECRET is required when PUBLIC_URL is set (webhook mode)',
        );
      }
      telegram = {
        mode: 'webhook',
        token: e.TELEGRAM_BOT_TOKEN,
        apiRoot: e.TELEGRAM_API_ROOT,
        webhookUrl: `${e.PUBLIC_URL.replace(/\/$/, '')}/telegram/webhook`,
        secret: e.TELEGRAM_WEBHOOK_SECRET,
      };
    } else {
      telegram = { mode: 'polling', token: e.TELEGRAM_BOT_TOKEN, apiRoot: e.TELEGRAM_API_ROOT };
    }
  }
  const zaloKeys = ['ZALO_APP_ID', 'ZALO_APP_SECRET', 'ZALO_OA_SECRET_KEY', 'ZALO_REFRESH_TOKEN'] as const;
  const zaloGiven = zaloKeys.filter((key) => e[key] !== undefined);
  if (zaloGiven.length > 0 && zaloGiven.length < zaloKeys.length) {
    const missing = zaloKeys.find((key) => e[key] === undefined);
    throw new ConfigError(`Invalid configuration: ${missing} is required when any ZALO_* credential is set`);
  }
  const zalo: ZaloConfig | undefined =
    e.ZALO_APP_ID && e.ZALO_APP_SECRET && e.ZALO_OA_SECRET_KEY && e.ZALO_REFRESH_TOKEN
      ? {
          appId: e.ZALO_APP_ID,
          appSecret: e.ZALO_APP_SECRET,
          oaSecretKey: e.ZALO_OA_SECRET_KEY,
          refreshToken: e.ZALO_REFRESH_TOKEN,
          apiBase: e.ZALO_API_BASE.replace(/\/$/, ''),
          oauthBase: e.ZALO_OAUTH_BASE.replace(/\/$/, ''),
          webhookMaxAgeMs: e.ZALO_WEBHOOK_MAX_AGE_SECONDS * 1000,
          requestsPerMinute: e.ZALO_REQUESTS_PER_MINUTE,
          tokenKey: zaloTokenKey(e.ZALO_TOKEN_KEY),
          zns: znsConfig(e),
        }
      : undefined;
  const anyMessenger = telegram !== undefined || zalo !== undefined;
  const playground = playgroundWanted(e.PLAYGROUND, anyMessenger, e.HOST, e.PLAYGROUND_PASSWORD);
  return {
    databaseUrl: e.DATABASE_URL,
    sqliteFile: e.DATABASE_URL.startsWith('file:')
      ? e.DATABASE_URL.replace(/^file:/, '').replace(/\?.*$/, '')
      : undefined,
    instanceId: e.INSTANCE_ID ?? `${os.hostname()}:${e.PORT}`,
    port: e.PORT,
    host: e.HOST,
    telegram,
    zalo,
    playground,
    board: { telegramUsername: e.TELEGRAM_BOT_USERNAME?.replace(/^@/, ''), zaloOaId: e.ZALO_OA_ID },
    playgroundAccess: { password: e.PLAYGROUND_PASSWORD, publicUrl: e.PUBLIC_URL },
    householdImport: {
      maxBytes: Math.floor(e.HOUSEHOLD_IMPORT_MAX_MB * MEBIBYTE),
      maxRows: e.HOUSEHOLD_IMPORT_MAX_ROWS,
    },
    timeZone: e.TZ_CAMPAIGN,
    logLevel: e.LOG_LEVEL,
    flowTtlMs: e.FLOW_TTL_HOURS * 3_600_000,
    mediaDir: e.MEDIA_DIR,
    media: {
      maxBytes: e.MEDIA_MAX_BYTES,
      timeoutMs: e.MEDIA_FETCH_TIMEOUT_SECONDS * 1000,
      zaloHosts: e.ZALO_MEDIA_HOSTS.split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    },
    httpTimeouts: {
      requestMs: e.HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
      idleMs: e.HTTP_IDLE_TIMEOUT_SECONDS * 1000,
    },
    zaloRawRetentionDays: e.ZALO_RAW_RETENTION_DAYS,
    remindersCron: e.REMINDERS_CRON === 'off' ? undefined : e.REMINDERS_CRON,
    pinnedTotalsEditMs: e.PINNED_TOTALS_EDIT_SECONDS * 1000,
    telegramRate: {
      globalPerSecond: e.TELEGRAM_RATE_PER_SECOND,
      perChatPerSecond: e.TELEGRAM_RATE_PER_CHAT,
      perGroupPerMinute: e.TELEGRAM_RATE_PER_GROUP_MINUTE,
    },
    idHashKey: e.ID_HASH_KEY === undefined ? undefined : parseIdHashKey(e.ID_HASH_KEY),
    secrets: [
      e.ID_HASH_KEY,
      e.TELEGRAM_BOT_TOKEN,
      e.TELEGRAM_WEBHOOK_SECRET,
      e.ZALO_APP_SECRET,
      e.ZALO_OA_SECRET_KEY,
      e.ZALO_REFRESH_TOKEN,
      e.ZALO_TOKEN_KEY,
      e.PLAYGROUND_PASSWORD,
    ].filter((s): s is string => typeof s === 'string' && s.length > 0),
    logFormat: e.LOG_FORMAT,
    health: {
      telegramStallMs: e.HEALTH_TELEGRAM_STALL_SECONDS * 1000,
      outboxStallMs: e.HEALTH_OUTBOX_STALL_SECONDS * 1000,
      outboxMaxPending: e.HEALTH_OUTBOX_MAX_PENDING,
      outboxMaxAgeMs: e.HEALTH_OUTBOX_MAX_AGE_SECONDS * 1000,
      databaseTimeoutMs: e.HEALTH_DATABASE_TIMEOUT_SECONDS * 1000,
    },
    warnings: unknownVariableWarnings(env),
  };
}
