import { fromIsoDate, zonedParts } from '../../core/shared/calendar.ts';
import { formatDate, formatTime } from '../../core/shared/format.ts';

/**
 * Makes text from the database safe for one terminal cell: control characters (newlines, tabs,
 * ANSI escape sequences a chat display name could carry) become spaces; the result is NFC.
 */
export function clean(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\p{Cc}+/gu, ' ')
    .trim();
}

/** The columns a string takes in a monospace terminal (combining marks take none). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text.normalize('NFC')) {
    if (!/\p{M}/u.test(char)) {
      width += 1;
    }
  }
  return width;
}

function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/**
 * Renders rows as an aligned text table: a header line, a rule of dashes, then one line per row,
 * columns separated by two spaces. Cells are cleaned with `clean`.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const cleanRows = rows.map((row) => headers.map((_, i) => clean(row[i] ?? '')));
  const widths = headers.map((header, i) =>
    Math.max(displayWidth(header), ...cleanRows.map((row) => displayWidth(row[i] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => padEnd(cell, widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cleanRows.map(line)];
}

/** An instant as "15/03/2025 14:05" (dd/mm/yyyy HH:MM) on the wall clock of `timeZone`. */
export function formatInstant(instant: Date, timeZone: string): string {
  const p = zonedParts(instant, timeZone);
  return `${formatDate(p)} ${formatTime(p)}`;
}

/** A stored 'YYYY-MM-DD' day as "15/03/2025"; anything else is shown as stored. */
export function formatIsoDate(iso: string): string {
  try {
    return formatDate(fromIsoDate(iso));
  } catch {
    return iso;
  }
}

/**
 * Renders label/value pairs as aligned lines ("  Label   value"). A multi-line value continues
 * under the first one; an empty value is shown as "(không có)".
 */
export function renderFields(fields: readonly (readonly [string, string])[], indent = '  '): string[] {
  const width = Math.max(0, ...fields.map(([label]) => displayWidth(label)));
  const lines: string[] = [];
  for (const [label, value] of fields) {
    const parts = value
      .split(/\r\n|\r|\n/)
      .map(clean)
      .filter((part) => part.length > 0);
    const [first = '(không có)', ...rest] = parts;
    lines.push(`${indent}${padEnd(label, width)}  ${first}`);
    for (const part of rest) {
      lines.push(`${indent}${' '.repeat(width)}  ${part}`);
    }
  }
  return lines;
}
