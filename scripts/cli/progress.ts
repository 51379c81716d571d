import { formatInteger } from '../../core/shared/format.ts';
import type { ProgressReporter, ProgressUpdate } from '../../core/shared/progress.ts';

/**
 * The progress of long operator commands (imports, exports, the national data set), shown on one
 * stream (stderr, so the report on stdout stays clean):
 * - on a terminal, one line updated in place (`\r`, cleared to the end of the line), redrawn at most
 *   every `redrawMs`, and cleared when the command prints something else or ends;
 * - anywhere else (a log file, CI, a pipe; also TERM=dumb), plain lines, never a `\r`: the first of
 *   each phase, one at every 10 % when the total is known, one at least every `everyMs` otherwise,
 *   and the phase's end with its duration.
 */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  /** The terminal's width: the updating line is cut to fit, so it never wraps. */
  columns?: number;
}

export interface ProgressLineOptions {
  /** Plain lines instead of an updating line; by default when the stream is not a terminal. */
  plain?: boolean;
  /** Milliseconds on a monotonic clock (tests pass their own). */
  now?: () => number;
  /** Plain lines: the longest wait between two lines of one phase. Default 5 s. */
  everyMs?: number;
  /** Terminal: the shortest wait between two redraws of the line. Default 0.1 s. */
  redrawMs?: number;
}

export interface ProgressLine {
  report: ProgressReporter;
  /** Takes the updating line off the terminal (before other output); the next update draws it again. */
  clear(): void;
  /** The command is over: the updating line is cleared. */
  end(): void;
}

const CLEAR_TO_END = '\u001b[K';

/** Whether progress on `stream` should be plain lines: not a terminal, or a terminal that cannot redraw. */
export function wantsPlainLines(stream: ProgressStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY !== true || env.TERM === 'dumb';
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1).replace('.', ',')} giây`;
}

function percent(update: ProgressUpdate): number | undefined {
  const { done, total } = update;
  if (total === undefined) {
    return undefined;
  }
  return total === 0 ? 100 : Math.floor((100 * Math.min(done, total)) / total);
}

/** "Ghi vào cơ sở dữ liệu: 5.000/19.629 hộ (25%)", "Đọc và kiểm tra tệp: 12.500 dòng". */
export function progressText(update: ProgressUpdate): string {
  const { phase, done, total, unit } = update;
  if (total === undefined) {
    return `${phase}: ${formatInteger(done)} ${unit}…`;
  }
  return `${phase}: ${formatInteger(done)}/${formatInteger(total)} ${unit} (${percent(update)}%)`;
}

function finished(update: ProgressUpdate): boolean {
  return update.total !== undefined && update.done >= update.total;
}

/** Shows progress updates on `stream` (see the module's comment). */
export function createProgressLine(stream: ProgressStream, options: ProgressLineOptions = {}): ProgressLine {
  const plain = options.plain ?? wantsPlainLines(stream);
  const now = options.now ?? (() => performance.now());
  const everyMs = options.everyMs ?? 5000;
  const redrawMs = options.redrawMs ?? 100;
  let phase: string | undefined;
  let phaseStarted = 0;
  let lastShown = Number.NEGATIVE_INFINITY;
  let lastTenth = -1;
  let ended = false;
  let drawn = false;

  const fitted = (text: string): string => {
    const width = (stream.columns ?? 0) - 1;
    const chars = [...text.normalize('NFC')];
    return width > 1 && chars.length > width ? `${chars.slice(0, width - 1).join('')}…` : text;
  };

  const report: ProgressReporter = (update) => {
    const at = now();
    const isNew = update.phase !== phase;
    if (isNew) {
      phase = update.phase;
      phaseStarted = at;
      lastTenth = -1;
      ended = false;
    }
    if (ended) {
      return;
    }
    const complete = finished(update);
    ended = complete;
    const text = complete
      ? `${update.phase}: xong ${formatInteger(update.done)} ${update.unit} (${seconds(at - phaseStarted)})`
      : progressText(update);
    if (!plain) {
      if (isNew || complete || at - lastShown >= redrawMs) {
        stream.write(`\r${fitted(text)}${CLEAR_TO_END}`);
        drawn = true;
        lastShown = at;
      }
      return;
    }
    const tenth = Math.floor((percent(update) ?? -10) / 10);
    if (isNew || complete || tenth > lastTenth || at - lastShown >= everyMs) {
      stream.write(`${text}\n`);
      lastShown = at;
      lastTenth = Math.max(lastTenth, tenth);
    }
  };

  const clear = () => {
    if (drawn) {
      stream.write(`\r${CLEAR_TO_END}`);
      drawn = false;
      // Drawn again at the next update, whatever the time since the last one.
      lastShown = Number.NEGATIVE_INFINITY;
    }
  };

  return { report, clear, end: clear };
}
