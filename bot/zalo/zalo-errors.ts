import type { AxiosError } from 'axios';

// -124: the ZNS API's "access token invalid" (reference/zalo-oa.md §4).
const TOKEN_CODES: ReadonlySet<number> = new Set([-216, -220, -401, 216, 401, -124]);
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

/**
 * What a refusal of a ZNS template message means for the message (reference/zalo-oa.md §4; the
 * codes are from second-hand copies of Zalo's tables — an unknown code is `other`: held and the
 * admin told, never retried blindly nor dropped):
 * - `token`: the access token (refreshed and tried once already) — try again later;
 * - `rate`: too many requests a minute — try again in a minute;
 * - `quota`: the OA's daily ZNS quota, a template's daily quota or the account's balance — try
 *   again tomorrow;
 * - `night`: not sent between 22:00 and 06:00 — try again at 06:00;
 * - `template`: the template id, its approval or its parameters — held, the admin told;
 * - `permission`: the OA, the app or the Zalo Cloud Account may not send ZNS — held, the admin told;
 * - `recipient`: this phone number cannot get it (not on Zalo, refused ZNS, an old Zalo) — held.
 */
export type ZnsProblem =
  | 'token'
  | 'rate'
  | 'quota'
  | 'night'
  | 'template'
  | 'permission'
  | 'recipient'
  | 'other';

const ZNS_PROBLEMS: ReadonlyArray<[ZnsProblem, readonly number[]]> = [
  ['rate', [-32]],
  ['quota', [-115, -144, -147, -211]],
  ['night', [-133]],
  ['template', [-109, -111, -112, -113, -116, -117, -130, -131, -132, -146, -153, -201, -210]],
  [
    'permission',
    [
      -101, -102, -103, -104, -105, -120, -125, -135, -136, -137, -138, -140, -145, -209, -212, -219, -223,
      -224,
    ],
  ],
  ['recipient', [-108, -110, -114, -118, -119, -139, -141]],
];

export function znsProblem(error: ZaloApiError): ZnsProblem {
  if (error.isTokenError) {
    return 'token';
  }
  return ZNS_PROBLEMS.find(([, codes]) => codes.includes(error.code))?.[0] ?? 'other';
}

/** A transport failure before the request left (nothing can have been sent). */
export function failedBeforeSending(error: ZaloHttpError): boolean {
  const cause = error.cause instanceof Error ? error.cause.name : '';
  return /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ERR_INVALID_URL/.test(`${cause} ${error.message}`);
}
