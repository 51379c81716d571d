/**
 * How far a long operation has come (an import, an export, a generated data set), told by the
 * code doing it to whoever shows it: the operator CLI's progress line (scripts/cli/progress.ts), a
 * bot's progress message. The code reporting knows nothing of terminals or chats.
 */
export interface ProgressUpdate {
  /** What is being done, in Vietnamese for a person: "Đọc và kiểm tra tệp", "Ghi vào cơ sở dữ liệu". */
  phase: string;
  /** How many have been done so far in this phase. */
  done: number;
  /** How many there are in this phase, when known (a percentage can then be shown). */
  total?: number;
  /** What is counted, in Vietnamese: "dòng", "hộ", "bút toán". */
  unit: string;
}

/** The phases most long operations go through, named alike everywhere. */
export const PHASE = {
  read: 'Đọc và kiểm tra tệp',
  check: 'Đối chiếu',
  write: 'Ghi vào cơ sở dữ liệu',
  build: 'Tổng hợp số liệu',
  file: 'Ghi tệp',
} as const;

/** Receives progress updates; a phase ends with an update whose `done` equals its `total`. */
export type ProgressReporter = (update: ProgressUpdate) => void;

/**
 * Reports a phase of `total` items worked through in steps: its start (0 of `total`), then after
 * each `step(n)` the count so far, or with `at(n)` the count itself (held below `total`: the phase
 * ends only with `finish()`, which reports the whole, `total` of `total`).
 */
export function progressPhase(
  report: ProgressReporter | undefined,
  phase: string,
  unit: string,
  total: number,
): { step(count: number): void; at(done: number): void; finish(): void } {
  let done = 0;
  report?.({ phase, unit, done, total });
  return {
    step(count) {
      done = Math.min(total, done + count);
      report?.({ phase, unit, done, total });
    },
    at(count) {
      done = Math.min(total - 1, count);
      report?.({ phase, unit, done, total });
    },
    finish() {
      if (done < total) {
        done = total;
        report?.({ phase, unit, done, total });
      }
    },
  };
}

/**
 * Runs one step of unknown length as a phase: reported when it starts and, with what `count` says
 * it did, when it ends.
 */
export async function inPhase<T>(
  report: ProgressReporter | undefined,
  phase: string,
  unit: string,
  work: () => Promise<T>,
  count: (result: T) => number,
): Promise<T> {
  report?.({ phase, unit, done: 0 });
  const result = await work();
  const done = count(result);
  report?.({ phase, unit, done, total: done });
  return result;
}
