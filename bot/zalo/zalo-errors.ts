import type { AxiosError } from 'axios';

const TOKEN_CODES: ReadonlySet<number> = new Set([-216, -220, -401, 216, 401]);
const WINDOW_CODES: ReadonlySet<number> = new Set([-213, -217, -227, -230, -232, -234, -244]);
const RATE_LIMIT_CODE = -32;
const ATTACHMENT_EXPIRED_CODE = -100;

/**
 * Zalo answered, and the answer was no. Zalo reports errors with HTTP 200 and `error != 0`, so this
 * is thrown for any body whose `error` is non-zero. Carries no token: only what Zalo said.
 */
export class ZaloApiError extends Error {
  readonly endpoint: string;
  readonly code: number;
  readonly apiMessage: string;

  constructor(endpoint: string, code: number, apiMessage: string) {
    super(`Zalo ${endpoint} refused with error ${code}: ${apiMessage}`);
    this.name = 'ZaloApiError';
    this.endpoint = endpoint;
    this.code = code;
    this.apiMessage = apiMessage;
  }

  /** The access token was refused: refresh it and try once more. */
  get isTokenError(): boolean {
    return TOKEN_CODES.has(this.code);
  }

  /** The app or the OA went over its per-minute quota. */
  get isRateLimit(): boolean {
    return this.code === RATE_LIMIT_CODE;
  }

  /** The user cannot be reached by a consultation message now; sending again will not help until they write. */
  get isWindowError(): boolean {
    return WINDOW_CODES.has(this.code);
  }

  /** Worth trying again later: rate limits, expired uploads (re-upload) and server-side faults. */
  get isRetryable(): boolean {
    const abs = Math.abs(this.code);
    return (
      this.code === RATE_LIMIT_CODE || this.code === ATTACHMENT_EXPIRED_CODE || (abs >= 500 && abs < 600)
    );
  }
}

/** Zalo could not be reached or did not answer in its own format (network, timeout, non-JSON, HTTP 5xx). */
export class ZaloHttpError extends Error {
  readonly endpoint: string;
  readonly status: number | undefined;

  constructor(endpoint: string, message: string, options: { cause?: unknown; status?: number } = {}) {
    super(`Zalo ${endpoint}: ${message}`, { cause: options.cause });
    this.name = 'ZaloHttpError';
    this.endpoint = endpoint;
    this.status = options.status;
  }
}

/** Zalo refused the refresh token: nothing can be sent until an OA admin supplies a new one. */
export class ZaloTokenDeadError extends Error {
  readonly deadSince: Date | null;

  constructor(message: string, options: { deadSince?: Date | null; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ZaloTokenDeadError';
    this.deadSince = options.deadSince ?? null;
  }
}

/**
 * axios's own test (the flag every AxiosError carries), written here so that the bot loads axios
 * only when Zalo is configured (issue 14 §7, start-up).
 */
function isAxiosError(error: unknown): error is AxiosError {
  return (
    typeof error === 'object' && error !== null && 'isAxiosError' in error && error.isAxiosError === true
  );
}

/**
 * Wraps a failed request. An AxiosError keeps the request config, whose headers and form hold the
 * access token, refresh token and app secret, so only its message, code and status survive as cause.
 */
export function toZaloHttpError(endpoint: string, error: unknown): ZaloHttpError {
  if (isAxiosError(error)) {
    const cause = new Error(error.message);
    cause.name = error.code ? `AxiosError ${error.code}` : 'AxiosError';
    return new ZaloHttpError(endpoint, error.code ? `${error.code} ${error.message}` : error.message, {
      cause,
      status: error.response?.status,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ZaloHttpError(endpoint, message, { cause: error });
}
