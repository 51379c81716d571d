export type AppErrorCode = 'NOT_FOUND' | 'INVALID_ARGUMENT' | 'CONFLICT' | 'FORBIDDEN' | 'INTERNAL';

/** A fault with a code; expected refusals are returned as unions instead (STYLE.md habit 12). */
export class AppError extends Error {
  readonly code: AppErrorCode;

  constructor(code: AppErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }
}
