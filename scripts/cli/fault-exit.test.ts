import { describe, expect, it } from 'vitest';
import { AppError } from '../../core/shared/app-error.ts';
import { failureExit } from './fault-exit.ts';

describe('the CLI translates a core fault into a line and an exit code', () => {
  it('names the code in Vietnamese, exit code 2 for wrong input as for a usage error', () => {
    expect(failureExit(new AppError('INVALID_ARGUMENT', 'Not an ISO date: 15/03'))).toEqual({
      line: 'Lỗi: dữ liệu không hợp lệ (chi tiết kỹ thuật: Not an ISO date: 15/03)',
      exitCode: 2,
    });
    expect(failureExit(new AppError('NOT_FOUND', 'pledge 7 vanished'))).toEqual({
      line: 'Lỗi: không tìm thấy dữ liệu cần dùng (chi tiết kỹ thuật: pledge 7 vanished)',
      exitCode: 1,
    });
  });

  it('prints any other error as it is, with exit code 1', () => {
    expect(failureExit(new Error('disk full'))).toEqual({ line: 'Lỗi: disk full', exitCode: 1 });
    expect(failureExit('boom')).toEqual({ line: 'Lỗi: boom', exitCode: 1 });
  });
});
