import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/** Phone numbers (+84 / 0 followed by 9–10 digits) and 12-digit citizen ID numbers. */
// Phone numbers as people write them ("0912345678", "+84 912 345 678", "0912.345.678") and 12-digit
// CCCD numbers. Grouped digits count only with a phone's prefix, so amounts like "60 000 000" stay.
const PERSONAL_NUMBERS =
  /(?<!\d)(?:\+?84|0)(?:[ .-]?\d){9,10}(?![\d])|(?<!\d)\d{12}(?!\d)|(?<!\d)\d{3}[ .]\d{3}[ .]\d{6}(?!\d)/g;

/**
 * pino, with every string that reaches a log line scrubbed of the configured secrets (bot token,
 * webhook secret, Zalo keys) and of phone and ID numbers.
 */
export function createLogger(
  opts: { level: string; secrets: string[] },
  destination?: DestinationStream,
): Logger {
  const secrets = opts.secrets.filter((s) => s.length >= 6);
  const scrub = (text: string): string => {
    let out = text;
    for (const secret of secrets) {
      out = out.split(secret).join('[secret]');
    }
    return out.replace(PERSONAL_NUMBERS, '[number]');
  };
  const scrubDeep = (value: unknown, depth = 0): unknown => {
    if (typeof value === 'string') {
      return scrub(value);
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
    destination ?? pino.destination(1),
  );
}
