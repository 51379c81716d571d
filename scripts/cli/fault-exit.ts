import { AppError, type AppErrorCode } from '../../core/shared/app-error.ts';

/** What the operator reads for each code of a core fault (the English detail follows it). */
const FAULT_LINES: Readonly<Record<AppErrorCode, string>> = {
  INVALID_ARGUMENT: 'dữ liệu không hợp lệ',
  NOT_FOUND: 'không tìm thấy dữ liệu cần dùng',
  CONFLICT: 'trùng với một thay đổi vừa được lưu, hãy chạy lại lệnh',
  FORBIDDEN: 'không được phép',
  INTERNAL: 'lỗi hệ thống',
};

/**
 * How a command that failed ends: the line printed on stderr and the exit code. A core fault
 * (`AppError`) is named by its code in Vietnamese — exit code 2 when the input was wrong, as for a
 * usage error, 1 otherwise; any other error prints its message with exit code 1.
 */
export function failureExit(error: unknown): { line: string; exitCode: number } {
  if (error instanceof AppError) {
    return {
      line: `Lỗi: ${FAULT_LINES[error.code]} (chi tiết kỹ thuật: ${error.message})`,
      exitCode: error.code === 'INVALID_ARGUMENT' ? 2 : 1,
    };
  }
  return { line: `Lỗi: ${error instanceof Error ? error.message : String(error)}`, exitCode: 1 };
}
