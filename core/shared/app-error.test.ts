import { describe, expect, it } from 'vitest';
import { AppError, isRetryable } from './app-error.ts';
import { fromIsoDate } from './calendar.ts';

describe('AppError', () => {
  it('carries its code and cause, and only a conflict may succeed when tried again', () => {
    const cause = new Error('unique constraint');
    const error = new AppError('CONFLICT', 'invite code taken', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'AppError', code: 'CONFLICT', message: 'invite code taken', cause });
    expect(isRetryable(error)).toBe(true);
    expect(isRetryable(new AppError('NOT_FOUND', 'pledge 7 vanished'))).toBe(false);
    expect(isRetryable(new AppError('INVALID_ARGUMENT', 'no period'))).toBe(false);
  });

  it('is what the core raises for a stored date that is not a date', () => {
    expect(() => fromIsoDate('15/03/2025')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'Not an ISO date: 15/03/2025' }),
    );
    expect(fromIsoDate('2025-03-15')).toEqual({ year: 2025, month: 3, day: 15 });
  });
});
