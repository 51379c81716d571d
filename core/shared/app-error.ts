export const APP_ERROR_CODES = [
  'NOT_FOUND',
  'INVALID_ARGUMENT',
  'CONFLICT',
  'FORBIDDEN',
  'INTERNAL',
] as const;
export type AppErrorCode = (typeof APP_ERROR_CODES)[number];

/**
 * A fault with a code; expected refusals are returned as unions instead (STYLE.md habit 12).
 *
 * The core raises it where a domain rule is broken in a way no flow can answer (a record gone
 * inside its own transaction, an answer outside the choices offered, a stored date that is not a
 * date); the message is for the log, in English. Only the edges translate the code: the bot into
 * a reply to the chat (bot/fault-reply.ts), the CLI into a Vietnamese line and an exit code
 * (scripts/cli/fault-exit.ts).
 */
export class AppError extends Error {
  readonly code: AppErrorCode;

  constructor(code: AppErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }
}

/** Whether trying the same work again may succeed: only a conflict with a concurrent change may. */
export function isRetryable(error: AppError): boolean {
  return error.code === 'CONFLICT';
}
