/**
 * A spreadsheet as officials lay out a report, without any spreadsheet library: the title block,
 * one table with numbered columns and a totals row. core/exports/* build it from the database;
 * bot/exports/xlsx.ts writes it with exceljs. Keeping the model pure lets tests check the figures
 * without opening a file, and lets another writer (PDF, CSV) reuse it.
 */

import { fromIsoDate } from '../shared/calendar.ts';
import { formatDate, formatInteger, formatMoney } from '../shared/format.ts';
import type { DocumentFooter, DocumentHeading } from './document-blocks.ts';

/**
 * A cell: text, a count, money in whole đồng (bigint), a fraction shown as a percentage, or a
 * calendar day as ISO 'YYYY-MM-DD' in a `date` column. null is an empty cell.
 */
export type CellValue = string | number | bigint | null;

/**
 * How a column's cells are shown: money and counts with thousands grouping, a year without it,
 * a fraction as a percentage, dates dd/mm/yyyy.
 */
export type ColumnFormat = 'text' | 'integer' | 'year' | 'money' | 'percent' | 'date';

/**
 * What the totals row holds under a column: the sum, the number of non-empty cells (a column of
 * "x" marks), or a ratio of two summed groups of columns (completed of approved).
 */
export type TotalSpec =
  | 'sum'
  | 'count'
  | { ratio: { numerator: readonly string[]; denominator: readonly string[] } };

export interface ExportColumn {
  key: string;
  header: string;
  /** A heading shared by adjacent columns (e.g. "Số hộ được duyệt" over "Xây mới" and "Sửa chữa"). */
  group?: string;
  /** In characters, as spreadsheets measure it. */
  width: number;
  format: ColumnFormat;
  total?: TotalSpec;
}

export type ExportRow = Record<string, CellValue>;

export interface ExportSheet {
  /** The tab's name: at most 31 characters, none of : \ / ? * [ ]. */
  name: string;
  /** The report's name, in capitals, bold in the title block. */
  title: string;
  /** The line under the title: the period, the unit, "đến ngày …". */
  subtitle: string;
  columns: ExportColumn[];
  rows: ExportRow[];
  /** The totals row, computed from `rows` by `totalsOf` (absent when no column is totalled). */
  totals?: ExportRow;
  /** Lines under the table (sources, legends). */
  notes: string[];
}

export interface ExportWorkbook {
  fileName: string;
  /**
   * The blocks above each sheet's title, as on every document the committee issues: the issuing
   * body with "BAN THƯỜNG TRỰC", the national title and motto, "Số:" and the place and date.
   */
  heading: DocumentHeading;
  /** Under each sheet's table: "Nơi nhận:" on the left, the signature block on the right. */
  footer: DocumentFooter;
  sheets: ExportSheet[];
}

export const TOTALS_LABEL = 'Tổng cộng';

/**
 * The totals row of a table: per column its sum, count or ratio (undefined ratio when the
 * denominator is 0). Money sums stay bigint, so no đồng is lost however large.
 */
export function totalsOf(columns: readonly ExportColumn[], rows: readonly ExportRow[]): ExportRow {
  const sums = new Map<string, bigint | number>();
  const sum = (key: string): bigint | number => {
    let s = sums.get(key);
    if (s === undefined) {
      s = rows.reduce<bigint | number>((acc, row) => add(acc, row[key] ?? null), 0);
      sums.set(key, s);
    }
    return s;
  };
  const totals: ExportRow = {};
  for (const column of columns) {
    const spec = column.total;
    if (spec === undefined) {
      continue;
    }
    if (spec === 'sum') {
      totals[column.key] = sum(column.key);
    } else if (spec === 'count') {
      totals[column.key] = rows.filter((r) => (r[column.key] ?? '') !== '').length;
    } else {
      const num = spec.ratio.numerator.reduce((s, k) => s + Number(sum(k)), 0);
      const den = spec.ratio.denominator.reduce((s, k) => s + Number(sum(k)), 0);
      totals[column.key] = den === 0 ? null : num / den;
    }
  }
  return totals;
}

function add(acc: bigint | number, value: CellValue): bigint | number {
  if (typeof value === 'bigint') {
    return (typeof acc === 'bigint' ? acc : BigInt(acc)) + value;
  }
  if (typeof value === 'number') {
    return typeof acc === 'bigint' ? acc + BigInt(Math.round(value)) : acc + value;
  }
  return acc;
}

/** A sheet with its totals row filled in (none when no column is totalled). */
export function sheet(spec: Omit<ExportSheet, 'totals' | 'notes'> & { notes?: string[] }): ExportSheet {
  const totalled = spec.columns.some((c) => c.total !== undefined);
  return {
    ...spec,
    name: sheetName(spec.name),
    notes: spec.notes ?? [],
    ...(totalled ? { totals: totalsOf(spec.columns, spec.rows) } : {}),
  };
}

/** Spreadsheet tab names: ≤ 31 characters, without the characters Excel refuses. */
export function sheetName(name: string): string {
  return name.replace(/[:\\/?*[\]]/g, '-').slice(0, 31);
}

/** The STT ("số thứ tự") column every official table starts with. */
export const STT_COLUMN: ExportColumn = { key: 'stt', header: 'STT', width: 6, format: 'integer' };

/** Completed of approved and similar, as a fraction for a percent cell; null when nothing to divide. */
export function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

/**
 * A cell as printed text (a Word table, a chat line): money and counts grouped "1.500.000" (no
 * "đ": the heading says "(đồng)"), a year as is, a fraction "45,5%", an ISO day "15/03/2025".
 */
export function formatCell(value: CellValue, format: ColumnFormat): string {
  if (value === null) {
    return '';
  }
  if (typeof value === 'string') {
    return format === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? formatDate(fromIsoDate(value)) : value;
  }
  switch (format) {
    case 'money':
      return formatMoney(typeof value === 'bigint' ? value : BigInt(Math.round(value))).replace(/\s*đ$/u, '');
    case 'percent':
      return `${(Number(value) * 100).toFixed(1).replace('.', ',')}%`;
    case 'year':
    case 'text':
    case 'date':
      return String(value);
    case 'integer':
      return formatInteger(Number(value));
  }
}
