import path from 'node:path';
import type ExcelJS from 'exceljs';
import {
  type BankMapping,
  type BankMappingFile,
  locateColumns,
  type MappedColumn,
  ZBankMapping,
} from '../../core/funds/statements/bank-mapping.ts';
import type { StatementRow } from '../../core/funds/statements/statement.ts';
import { CSV_DELIMITERS, decodeCsvBytes, parseCsvRecords } from '../files/csv.ts';
import agribank from './banks/agribank.json' with { type: 'json' };
import bidv from './banks/bidv.json' with { type: 'json' };
import generic from './banks/generic.json' with { type: 'json' };
import vcb from './banks/vcb.json' with { type: 'json' };
import vietinbank from './banks/vietinbank.json' with { type: 'json' };

/**
 * Bank statements as the banks export them (issue 17 §2): CSV or XLSX, a few title rows, then a
 * header row and one row per transaction, then totals. The layout of each bank is data
 * (./banks/*.json, format in docs/bank-statements.md); the header row is found by the mapping's
 * column names, and rows without a day (totals, closing balance, signatures) are left out.
 */

/** The built-in mappings, in the order a file's header is tried against them (the generic one last). */
export const BANK_MAPPINGS: readonly BankMapping[] = (
  [vcb, vietinbank, bidv, agribank, generic] as BankMappingFile[]
).map((m) => ZBankMapping.parse(m));

/** A line of the file that could not be read, in Vietnamese for the officer. */
export interface StatementFileProblem {
  /** The file's row number (1-based), or 0 for the whole file. */
  line: number;
  message: string;
}

export interface StatementFile {
  /** The mapping's code (vcb, bidv, agribank, vietinbank, generic, or the operator's own). */
  bank: string;
  /** The bank's name as officers say it ("Vietcombank"). */
  bankName: string;
  rows: StatementRow[];
  problems: StatementFileProblem[];
}

/** An operator's mapping file (JSON), checked; the reason in Vietnamese when it is not one. */
export function parseMappingFile(
  text: string,
): { ok: true; mapping: BankMapping } | { ok: false; message: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, message: 'tệp cấu hình cột không phải JSON hợp lệ' };
  }
  const parsed = ZBankMapping.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      message: `tệp cấu hình cột chưa đúng: ${issue?.path.join('.') || '(gốc)'} — ${issue?.message ?? ''}`,
    };
  }
  return { ok: true, mapping: parsed.data };
}

type Cell = string | number | Date | null;

const MAX_ROWS = 200_000;

function xlsxCell(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) {
    return null;
  }
  if (typeof value === 'string' || typeof value === 'number' || value instanceof Date) {
    return value;
  }
  if (typeof value === 'boolean') {
    return String(value);
  }
  if (typeof value === 'object') {
    if ('richText' in value) {
      return value.richText.map((r) => r.text).join('');
    }
    if ('result' in value) {
      return xlsxCell(value.result as ExcelJS.CellValue);
    }
    if ('text' in value) {
      return String(value.text);
    }
  }
  return null;
}

async function xlsxRows(bytes: Buffer): Promise<Cell[][]> {
  const Excel = (await import('exceljs')).default;
  const book = new Excel.Workbook();
  await book.xlsx.load(bytes as unknown as ArrayBuffer);
  const sheet = book.worksheets[0];
  const rows: Cell[][] = [];
  sheet?.eachRow({ includeEmpty: true }, (row, n) => {
    if (n > MAX_ROWS) {
      return;
    }
    const values = row.values as ExcelJS.CellValue[];
    // exceljs numbers cells from 1; row.values[0] is empty.
    rows[n - 1] = values.slice(1).map(xlsxCell);
  });
  return Array.from(rows, (r) => r ?? []);
}

const cellText = (c: Cell | undefined): string =>
  c === null || c === undefined ? '' : c instanceof Date ? c.toISOString() : String(c).trim();

/** The header row and its columns, for the mapping given or the best-fitting built-in one. */
function findHeader(
  rows: readonly Cell[][],
  mappings: readonly BankMapping[],
): { mapping: BankMapping; at: number; columns: Partial<Record<MappedColumn, number>> } | undefined {
  let best: ReturnType<typeof findHeader>;
  for (const mapping of mappings) {
    for (let at = 0; at < Math.min(rows.length, mapping.headerWithin); at++) {
      const columns = locateColumns(mapping, (rows[at] ?? []).map(cellText));
      if (columns) {
        if (!best || Object.keys(columns).length > Object.keys(best.columns).length) {
          best = { mapping, at, columns };
        }
        break;
      }
    }
  }
  return best;
}

/** CSV rows with the delimiter whose split finds a header (Excel in a Vietnamese locale writes `;`). */
function csvRows(bytes: Buffer, mappings: readonly BankMapping[]): Cell[][] {
  const text = decodeCsvBytes(bytes);
  let fallback: Cell[][] = [];
  for (const delimiter of CSV_DELIMITERS) {
    const rows: Cell[][] = [];
    for (const record of parseCsvRecords(text, delimiter)) {
      rows.push(record);
      if (rows.length >= MAX_ROWS) {
        break;
      }
    }
    if (findHeader(rows, mappings)) {
      return rows;
    }
    if (delimiter === ',') {
      fallback = rows;
    }
  }
  return fallback;
}

const pad = (n: number) => String(n).padStart(2, '0');

function validDay(y: number, m: number, d: number): string | undefined {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d && y > 1990
    ? `${y}-${pad(m)}-${pad(d)}`
    : undefined;
}

/** The day of a date cell: a spreadsheet date or serial number, or text in the mapping's format. */
function parseDay(cell: Cell, format: BankMapping['dateFormat']): string | undefined {
  if (cell instanceof Date) {
    // exceljs reads a date cell as that day at midnight UTC (a time of day, later that day).
    return validDay(cell.getUTCFullYear(), cell.getUTCMonth() + 1, cell.getUTCDate());
  }
  if (typeof cell === 'number') {
    const day = new Date(Math.round((cell - 25_569) * 86_400_000));
    return cell > 30_000 && cell < 80_000
      ? validDay(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate())
      : undefined;
  }
  const text = cellText(cell);
  const parts = /^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})(?:\s|T|$)/.exec(text);
  if (!parts) {
    return undefined;
  }
  const [a, b, c] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (format === 'yyyy-mm-dd' || (parts[1]?.length ?? 0) === 4) {
    return validDay(a, b, c);
  }
  return format === 'mm/dd/yyyy' ? validDay(c, a, b) : validDay(c, b, a);
}

/**
 * An amount in đồng: a number cell, or text in the mapping's number format with an optional sign,
 * parentheses for money out, "VND"/"đ"; undefined when it is not a whole number of đồng.
 */
function parseAmount(cell: Cell, format: BankMapping['numberFormat']): bigint | undefined {
  if (typeof cell === 'number') {
    return Number.isFinite(cell) && Number.isInteger(Math.round(cell * 100) / 100)
      ? BigInt(Math.round(cell))
      : undefined;
  }
  let text = cellText(cell)
    .replace(/vnd|đồng|đ/gi, '')
    .replace(/\s/g, '');
  if (text === '') {
    return undefined;
  }
  let sign = 1n;
  if (/^\(.*\)$/.test(text)) {
    sign = -1n;
    text = text.slice(1, -1);
  }
  if (text.startsWith('-') || text.startsWith('+')) {
    sign = text.startsWith('-') ? -sign : sign;
    text = text.slice(1);
  }
  const [thousands, decimal] = format === 'vi' ? ['.', ','] : [',', '.'];
  const [whole = '', fraction = ''] = text.split(decimal);
  const digits = whole.split(thousands).join('');
  if (!/^\d+$/.test(digits) || !/^0*$/.test(fraction) || text.split(decimal).length > 2) {
    return undefined;
  }
  return sign * BigInt(digits);
}

const ROW_PROBLEM = {
  date: 'ngày giao dịch không đọc được',
  amount: 'không có số tiền ghi có, ghi nợ (hoặc số tiền) hợp lệ',
  both: 'có cả số ghi có lẫn ghi nợ trên một dòng',
} as const;

/** One transaction row; undefined for a row that is not one (no day: totals, footers, blank). */
function readRow(
  cells: readonly Cell[],
  n: number,
  mapping: BankMapping,
  at: Partial<Record<MappedColumn, number>>,
): StatementRow | StatementFileProblem | undefined {
  const get = (c: MappedColumn): Cell => (at[c] === undefined ? null : (cells[at[c]] ?? null));
  const text = (c: MappedColumn) => cellText(get(c));
  if (text('date') === '') {
    return undefined;
  }
  const postedOn = parseDay(get('date'), mapping.dateFormat);
  if (!postedOn) {
    return { line: n, message: ROW_PROBLEM.date };
  }
  let amount: bigint | undefined;
  if (at.credit !== undefined) {
    const credit = parseAmount(get('credit'), mapping.numberFormat) ?? 0n;
    const debit = parseAmount(get('debit'), mapping.numberFormat) ?? 0n;
    if (credit !== 0n && debit !== 0n) {
      return { line: n, message: ROW_PROBLEM.both };
    }
    amount = credit !== 0n ? credit : debit !== 0n ? -(debit < 0n ? -debit : debit) : undefined;
  } else {
    amount = parseAmount(get('amount'), mapping.numberFormat);
  }
  if (amount === undefined || amount === 0n) {
    return { line: n, message: ROW_PROBLEM.amount };
  }
  const counterparty = text('counterparty');
  const bankRef = text('bankRef');
  return {
    line: n,
    postedOn,
    direction: amount > 0n ? 'credit' : 'debit',
    amount: amount > 0n ? amount : -amount,
    description: text('description'),
    ...(counterparty ? { counterparty } : {}),
    ...(bankRef ? { bankRef } : {}),
  };
}

/**
 * Reads a bank statement (CSV or XLSX, told by the file's name and its first bytes) with the
 * mapping given — a bank's code, or a mapping object (an operator's `--mapping` file read by
 * `parseMappingFile`) — or, when none is given, the built-in mapping whose header fits it best.
 * Never throws on bad content: a file no mapping fits gives no rows and one problem (line 0).
 */
export async function readStatementFile(
  bytes: Buffer,
  fileName: string,
  mapping?: string | BankMapping,
): Promise<StatementFile> {
  const unknown = (message: string): StatementFile => ({
    bank: typeof mapping === 'object' ? mapping.code : (mapping ?? ''),
    bankName: '',
    rows: [],
    problems: [{ line: 0, message }],
  });
  let mappings: readonly BankMapping[] = BANK_MAPPINGS;
  if (typeof mapping === 'string') {
    const named = BANK_MAPPINGS.find((m) => m.code === mapping);
    if (!named) {
      return unknown(`không có mẫu sao kê "${mapping}"; có: ${BANK_MAPPINGS.map((m) => m.code).join(', ')}`);
    }
    mappings = [named];
  } else if (mapping) {
    mappings = [mapping];
  }
  const zip = bytes[0] === 0x50 && bytes[1] === 0x4b;
  const ext = path.extname(fileName).toLowerCase();
  if (ext === '.xls' && !zip) {
    return unknown(
      'tệp .xls (Excel 97–2003) chưa đọc được: mở bằng Excel rồi lưu thành .xlsx hoặc CSV UTF-8',
    );
  }
  let rows: Cell[][];
  try {
    rows = zip ? await xlsxRows(bytes) : csvRows(bytes, mappings);
  } catch (error) {
    return unknown(
      error instanceof Error && /UTF-8/.test(error.message)
        ? error.message
        : 'không đọc được tệp: cần sao kê dạng Excel (.xlsx) hoặc CSV',
    );
  }
  const header = findHeader(rows, mappings);
  if (!header) {
    return unknown(
      'không tìm thấy dòng tiêu đề của sao kê (cột ngày giao dịch, số tiền và nội dung); chọn đúng ngân hàng hoặc viết tệp cấu hình cột (docs/bank-statements.md)',
    );
  }
  const out: StatementFile = {
    bank: header.mapping.code,
    bankName: header.mapping.name,
    rows: [],
    problems: [],
  };
  for (let i = header.at + 1; i < rows.length; i++) {
    const read = readRow(rows[i] ?? [], i + 1, header.mapping, header.columns);
    if (read && 'message' in read) {
      out.problems.push(read);
    } else if (read) {
      out.rows.push(read);
    }
  }
  return out;
}
