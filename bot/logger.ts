import { createRequire } from 'node:module';
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/** Phone numbers (+84 / 0 followed by 9–10 digits) and 12-digit citizen ID numbers. */
// Phone numbers as people write them ("0912345678", "+84 912 345 678", "0912.345.678") and 12-digit
// CCCD numbers. Grouped digits count only with a phone's prefix, so amounts like "60 000 000" stay.
const PERSONAL_NUMBERS =
  /(?<!\d)(?:\+?84|0)(?:[ .-]?\d){9,10}(?![\d])|(?<!\d)\d{12}(?!\d)|(?<!\d)\d{3}[ .]\d{3}[ .]\d{6}(?!\d)/g;

/**
 * A warning that an outsider can repeat at will (a forged webhook): the first is logged, then at
 * most one line per `windowMs` saying how many more came (`repeated`), so a flood cannot fill the
 * log. The summary of the last window is written when it ends, even if nothing follows.
 */
export function limitRepeats(
  log: Logger,
  message: string,
  windowMs = 60_000,
): (fields?: Record<string, unknown>) => void {
  let windowEnds = 0;
  let repeated = 0;
  let last: Record<string, unknown> = {};
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    if (repeated > 0) {
      log.warn({ ...last, repeated, windowSeconds: windowMs / 1000 }, `${message} (repeated)`);
      repeated = 0;
      windowEnds = Date.now() + windowMs;
      timer = setTimeout(flush, windowMs);
      timer.unref();
    }
  };
  return (fields = {}) => {
    last = fields;
    if (Date.now() >= windowEnds && timer === undefined) {
      log.warn(fields, message);
      windowEnds = Date.now() + windowMs;
      timer = setTimeout(flush, windowMs);
      timer.unref();
      return;
    }
    repeated += 1;
  };
}

/** Removes the given secrets and phone and ID numbers from a text (log lines, health reasons). */
export function scrubber(secrets: readonly string[]): (text: string) => string {
  const long = secrets.filter((s) => s.length >= 6);
  return (text) => {
    let out = text;
    for (const secret of long) {
      out = out.split(secret).join('[secret]');
    }
    return out.replace(PERSONAL_NUMBERS, '[number]');
  };
}

/**
 * Readable lines for a person at a terminal (`npm run dev`, LOG_FORMAT=pretty): pino-pretty, in
 * this thread (no worker), given the lines already scrubbed. A devDependency: a production install
 * without it is told so rather than failing obscurely.
 */
function prettyDestination(destination: DestinationStream | undefined): DestinationStream {
  let build: (options: Record<string, unknown>) => DestinationStream;
  try {
    build = createRequire(import.meta.url)('pino-pretty') as typeof build;
  } catch {
    throw new Error(
      'LOG_FORMAT=pretty needs the pino-pretty package (a development dependency): run `npm install`, or set LOG_FORMAT=json',
    );
  }
  return build({
    colorize: process.stdout.isTTY === true,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
    ignore: 'pid,hostname',
    sync: true,
    ...(destination ? { destination } : {}),
  });
}

/**
 * pino, with every string that reaches a log line scrubbed of the configured secrets (bot token,
 * webhook secret, Zalo keys) and of phone and ID numbers.
 */
export function createLogger(
  opts: { level: string; secrets: string[]; format?: 'json' | 'pretty' },
  destination?: DestinationStream,
): Logger {
  const scrub = scrubber(opts.secrets);
  const scrubDeep = (value: unknown, depth = 0): unknown => {
    if (typeof value === 'string') {
      return scrub(value);
    }
    if (value instanceof Date) {
      // JSON would write {} for a Date reached through pino's formatter.
      return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    }
    if (depth > 4 || value === null || typeof value !== 'object') {
      return value;
    }
    if (value instanceof Error) {
      return {
        type: value.name,
        message: scrub(value.message),
        stack: value.stack ? scrub(value.stack) : undefined,
      };
    }
    if (Array.isArray(value)) {
      return value.map((v) => scrubDeep(v, depth + 1));
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v, depth + 1)]));
  };
  return pino(
    {
      level: opts.level,
      base: undefined,
      // ISO times ("time":"2025-04-09T01:00:00.000Z") rather than epoch milliseconds.
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: (object) => scrubDeep(object) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as Parameters<typeof method>,
          );
        },
      },
    },
    opts.format === 'pretty' ? prettyDestination(destination) : (destination ?? pino.destination(1)),
  );
}
