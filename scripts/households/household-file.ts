/**
 * Household lists as commune officers keep them: `.csv` or `.xlsx` files with a title block, a
 * header row in Vietnamese (spelt many ways) and one household per row.
 *
 * `readHouseholdFile` is the raw, cell-level layer: it finds the header row, maps headers to
 * fields and converts every cell into a typed value or a Vietnamese error naming the row and
 * column, so an official can fix the file. Whole-household validation happens above it.
 * `writeHouseholdsXlsx` writes the same layout back, and its output reads back unchanged.
 */

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Borders, CellValue, Fill, Worksheet } from 'exceljs';
import ExcelJS from 'exceljs';
import { dateInZone } from '../../core/shared/calendar.ts';
import { formatDate } from '../../core/shared/format.ts';
import { DEFAULT_TIME_ZONE } from '../cli/context.ts';
import { CSV_DELIMITERS, type CsvDelimiter, decodeCsvBytes, parseCsvRecords } from './csv.ts';
import {
  CATEGORY_LABELS,
  type CellProblem,
  type Conversion,
  classifyHeader,
  convertCell,
  emptyRequiredProblem,
  FIELD_SPECS,
  HOUSEHOLD_FIELDS,
  type HouseholdCategory,
  type HouseholdField,
  type HouseholdNeed,
  NEED_LABELS,
  type RawHouseholdValues,
  REQUIRED_FIELDS,
  type SheetCell,
} from './household-columns.ts';

export type {
  HouseholdCategory,
  HouseholdField,
  HouseholdNeed,
  RawHouseholdValues,
} from './household-columns.ts';
export { CATEGORY_LABELS, NEED_LABELS, REQUIRED_FIELDS } from './household-columns.ts';

/** One cell that could not be used. */
export interface HouseholdCellError {
  /** The column's header as written in the file. */
  column: string;
  /** The field the column maps to, e.g. 'members'. */
  field: string;
  /** Vietnamese: what is wrong, quoting the cell. */
  message: string;
  /** Vietnamese: how to fix it, e.g. 'Ghi "Có" hoặc "Không"'. */
  suggestion?: string;
}

/** One household row: the values that converted, and an entry for every cell that did not. */
export interface RawHouseholdRow {
  /** 1-based row number as Excel shows it (for CSV: the record number). */
  rowNumber: number;
  /** Converted values; an empty optional cell, or a bad cell, leaves its field absent. */
  values: Partial<RawHouseholdValues>;
  errors: HouseholdCellError[];
}

/** Everything read from a household file. */
export interface HouseholdFileResult {
  /** Data rows below the header, fully empty rows skipped. */
  rows: RawHouseholdRow[];
  /** 1-based row number of the header row (the first one, for a two-row header). */
  headerRow: number;
  /** field → header as found in the file, for every recognised column. */
  columns: Record<string, string>;
  /** Required fields (see REQUIRED_FIELDS) that have no column. */
  missingColumns: string[];
  /** Headers that name no field (nor STT), as written; a repeated field's second column is one. */
  unknownColumns: string[];
}

/** Options of `readHouseholdFile`. */
export interface ReadHouseholdFileOptions {
  /**
   * Called with the number of data rows converted so far, every 500 rows and once at the end.
   * Between calls the reader yields to the event loop, so a bot can update a progress message.
   */
  onProgress?: (rowsRead: number) => void;
}

/** Options of `writeHouseholdsXlsx`. */
export interface WriteHouseholdsOptions {
  /** First line of the title block, e.g. "ỦY BAN MTTQ VIỆT NAM XÃ ĐỒNG PHÚC". */
  title: string;
  /** Second line: the unit the list belongs to. */
  unitName: string;
  /** Shown as "Ngày xuất: dd/mm/yyyy". */
  generatedAt: Date;
  /** IANA zone for the export date; default Asia/Ho_Chi_Minh. */
  timeZone?: string;
  /** Turns a stored `status` code into the label written under "Trạng thái"; default: as is. */
  statusLabel?: (status: string) => string;
}

/** A header row needs this many distinct recognised fields; title lines never reach it. */
const MIN_RECOGNISED_HEADERS = 3;
/** Records the CSV delimiter detection looks at before giving up on a delimiter. */
const DELIMITER_SCAN_RECORDS = 100;
const PROGRESS_EVERY = 500;

/** A row of the file before conversion; `cells[i]` is column i + 1, undefined when empty. */
interface SheetRow {
  rowNumber: number;
  cells: ReadonlyArray<SheetCell | undefined>;
}

interface MappedColumn {
  index: number;
  field: HouseholdField;
  header: string;
  apply: (values: Partial<RawHouseholdValues>, cell: SheetCell) => CellProblem | undefined;
}

interface ColumnLayout {
  mapped: MappedColumn[];
  /** Columns whose values are ignored when deciding whether a row is empty (STT). */
  ordinal: ReadonlySet<number>;
  unknown: string[];
  /** Index in the row list of the first data row. */
  dataStart: number;
}

/**
 * Reads a household list from a `.csv` or `.xlsx` file (the first worksheet).
 *
 * CSV: UTF-8 with or without BOM (UTF-16 with BOM and Windows-1258 are accepted too), delimiter
 * `,`, `;` or tab chosen by which one yields a header row, RFC 4180 quotes, CRLF or LF.
 * XLSX: numbers, text, rich text, dates, formula results and hyperlinks become cell values; a
 * merged range's value counts in its first column (repeated down a vertical merge).
 * The header row is the first with at least 3 recognised headers; a second header row right
 * below it (merged group headers) and a column-numbering row ("1 2 3 …") are recognised too.
 * Fully empty rows — and rows with nothing but an STT number — are skipped.
 *
 * Bad cells never throw: they become entries in `errors` with a Vietnamese message. Throws an
 * Error with a Vietnamese message when the file cannot be read at all: unknown extension,
 * missing or corrupt file, no header row.
 */
export async function readHouseholdFile(
  file: string,
  opts: ReadHouseholdFileOptions = {},
): Promise<HouseholdFileResult> {
  const ext = path.extname(file).toLowerCase();
  let sheetRows: SheetRow[];
  if (ext === '.csv') {
    sheetRows = readCsvRows(decodeCsvBytes(await readBytes(file)));
  } else if (ext === '.xlsx') {
    sheetRows = await readXlsxRows(file);
  } else if (ext === '.xls') {
    throw new Error(
      `Chưa đọc được tệp Excel 97–2003 (.xls) "${path.basename(file)}". Hãy mở tệp bằng Excel, chọn Lưu thành (Save As) → "Excel Workbook (.xlsx)" rồi gửi lại.`,
    );
  } else {
    throw new Error(
      `Không đọc được tệp "${path.basename(file)}": chỉ nhận danh sách hộ dạng Excel (.xlsx) hoặc CSV (.csv).`,
    );
  }

  const headerIndex = sheetRows.findIndex((row) => countRecognised(row.cells) >= MIN_RECOGNISED_HEADERS);
  const headerSheetRow = sheetRows[headerIndex];
  if (headerSheetRow === undefined) {
    throw new Error(
      `Không tìm thấy dòng tiêu đề cột trong tệp "${path.basename(file)}": cần một dòng có ít nhất ${MIN_RECOGNISED_HEADERS} cột như "Mã hộ", "Thôn/Tổ", "Họ tên chủ hộ", "Diện", "Nhu cầu".`,
    );
  }
  const layout = buildLayout(sheetRows, headerIndex);
  const rows: RawHouseholdRow[] = [];
  let reported = -1;
  for (const sheetRow of sheetRows.slice(layout.dataStart)) {
    if (sheetRow.cells.every((cell, i) => cell === undefined || layout.ordinal.has(i))) {
      continue;
    }
    rows.push(convertRow(sheetRow, layout));
    if (opts.onProgress !== undefined && rows.length % PROGRESS_EVERY === 0) {
      opts.onProgress(rows.length);
      reported = rows.length;
      await nextTurn();
    }
  }
  if (opts.onProgress !== undefined && reported !== rows.length) {
    opts.onProgress(rows.length);
  }

  const columns: Record<string, string> = {};
  for (const column of layout.mapped) {
    columns[column.field] = column.header;
  }
  return {
    rows,
    headerRow: headerSheetRow.rowNumber,
    columns,
    missingColumns: REQUIRED_FIELDS.filter((field) => columns[field] === undefined),
    unknownColumns: layout.unknown,
  };
}

async function readBytes(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    throw openError(file, error);
  }
}

function openError(file: string, error: unknown): Error {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  const reason =
    code === 'ENOENT'
      ? 'tệp không tồn tại'
      : code === 'EACCES'
        ? 'không có quyền đọc tệp'
        : error instanceof Error
          ? error.message
          : String(error);
  return new Error(`Không mở được tệp "${path.basename(file)}": ${reason}.`, { cause: error });
}

function readCsvRows(text: string): SheetRow[] {
  const delimiter = detectDelimiter(text);
  const rows: SheetRow[] = [];
  let rowNumber = 0;
  for (const record of parseCsvRecords(text, delimiter)) {
    rowNumber += 1;
    const cells = record.map((field) => (field.trim() === '' ? undefined : field));
    if (cells.some((cell) => cell !== undefined)) {
      rows.push({ rowNumber, cells });
    }
  }
  return rows;
}

/** The delimiter under which some early record reads as the best header row; ',' if none. */
function detectDelimiter(text: string): CsvDelimiter {
  let best: CsvDelimiter = ',';
  let bestCount = 0;
  for (const delimiter of CSV_DELIMITERS) {
    let scanned = 0;
    for (const record of parseCsvRecords(text, delimiter)) {
      const count = countRecognised(record);
      if (count > bestCount) {
        best = delimiter;
        bestCount = count;
      }
      scanned += 1;
      if (count >= MIN_RECOGNISED_HEADERS || scanned >= DELIMITER_SCAN_RECORDS) {
        break;
      }
    }
  }
  return best;
}

async function readXlsxRows(file: string): Promise<SheetRow[]> {
  const bytes = await readBytes(file);
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs types its input as an ArrayBuffer; JSZip reads one as well as a Buffer.
    await workbook.xlsx.load(new Uint8Array(bytes).buffer);
  } catch (error) {
    throw new Error(
      `Không đọc được tệp Excel "${path.basename(file)}": tệp bị hỏng hoặc không phải định dạng .xlsx. Hãy mở bằng Excel và lưu lại dạng .xlsx.`,
      { cause: error },
    );
  }
  const sheet = workbook.worksheets[0];
  if (sheet === undefined) {
    throw new Error(`Tệp Excel "${path.basename(file)}" không có trang tính nào.`);
  }
  return worksheetRows(sheet);
}

function worksheetRows(sheet: Worksheet): SheetRow[] {
  const rows: SheetRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: Array<SheetCell | undefined> = [];
    let filled = false;
    row.eachCell({ includeEmpty: false }, (cell, colNumber) => {
      // A merged range's value belongs to its first column (and is repeated down that column).
      if (cell.master.address !== cell.address && cell.master.fullAddress.col !== colNumber) {
        return;
      }
      const value = toSheetCell(cell.value);
      if (value !== undefined) {
        while (cells.length < colNumber - 1) {
          cells.push(undefined);
        }
        cells[colNumber - 1] = value;
        filled = true;
      }
    });
    if (filled) {
      rows.push({ rowNumber, cells });
    }
  });
  return rows;
}

/** Converts an exceljs cell value (of any shape, nested ones included) into a `SheetCell`. */
function toSheetCell(value: CellValue | unknown): SheetCell | undefined {
  if (value === null || value === undefined) {
    return undefined;
  }
  if (typeof value === 'string') {
    return value.trim() === '' ? undefined : value;
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : undefined;
  }
  if (typeof value === 'boolean') {
    return value;
  }
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? undefined : value;
  }
  if (typeof value !== 'object') {
    return undefined;
  }
  if ('richText' in value && Array.isArray(value.richText)) {
    const parts: unknown[] = value.richText;
    return toSheetCell(
      parts
        .map((part) =>
          typeof part === 'object' && part !== null && 'text' in part && typeof part.text === 'string'
            ? part.text
            : '',
        )
        .join(''),
    );
  }
  if ('formula' in value || 'sharedFormula' in value) {
    return 'result' in value ? toSheetCell(value.result) : undefined;
  }
  if ('hyperlink' in value) {
    return toSheetCell('text' in value ? value.text : value.hyperlink);
  }
  if ('error' in value && typeof value.error === 'string') {
    return { formulaError: value.error };
  }
  return undefined;
}

/** A header cell as text: trimmed, line breaks and runs of spaces collapsed. */
function headerText(cell: SheetCell | undefined): string {
  if (cell === undefined || (typeof cell === 'object' && !(cell instanceof Date))) {
    return '';
  }
  return (cell instanceof Date ? cell.toISOString().slice(0, 10) : String(cell)).replace(/\s+/g, ' ').trim();
}

function countRecognised(cells: ReadonlyArray<SheetCell | undefined>): number {
  const fields = new Set<HouseholdField>();
  for (const cell of cells) {
    const kind = classifyHeader(headerText(cell));
    if (kind !== undefined && kind !== 'ordinal') {
      fields.add(kind);
    }
  }
  return fields.size;
}

function buildLayout(rows: readonly SheetRow[], headerIndex: number): ColumnLayout {
  const header = rows[headerIndex];
  const next = rows[headerIndex + 1];
  const topCells = header?.cells ?? [];
  const mapped = new Map<number, MappedColumn>();
  const mappedFields = new Set<HouseholdField>();
  const ordinal = new Set<number>();
  const map = (index: number, field: HouseholdField, text: string) => {
    mapped.set(index, { index, field, header: text, apply: columnConverter(field, text) });
    mappedFields.add(field);
  };
  topCells.forEach((cell, index) => {
    const text = headerText(cell);
    const kind = classifyHeader(text);
    if (kind === 'ordinal') {
      ordinal.add(index);
    } else if (kind !== undefined && !mappedFields.has(kind)) {
      map(index, kind, text);
    }
  });

  // A second header row under merged group headers ("Hiện trạng nhà ở" over "Nền móng", "Mái"…).
  let subCells: ReadonlyArray<SheetCell | undefined> = [];
  if (next !== undefined && header !== undefined && next.rowNumber === header.rowNumber + 1) {
    const additions: Array<[number, HouseholdField, string]> = [];
    const added = new Set<HouseholdField>();
    next.cells.forEach((cell, index) => {
      const text = headerText(cell);
      const kind = classifyHeader(text);
      if (kind !== undefined && kind !== 'ordinal' && !mapped.has(index) && !mappedFields.has(kind)) {
        if (!added.has(kind)) {
          additions.push([index, kind, text]);
          added.add(kind);
        }
      }
    });
    if (additions.length > 0) {
      subCells = next.cells;
      for (const [index, field, text] of additions) {
        map(index, field, text);
      }
    }
  }

  const unknown: string[] = [];
  const width = Math.max(topCells.length, subCells.length);
  for (let index = 0; index < width; index += 1) {
    if (mapped.has(index) || ordinal.has(index)) {
      continue;
    }
    const text = headerText(topCells[index]) || headerText(subCells[index]);
    if (classifyHeader(text) === 'ordinal') {
      ordinal.add(index);
    } else if (text !== '' && !unknown.includes(text)) {
      unknown.push(text);
    }
  }

  let dataStart = headerIndex + (subCells.length > 0 ? 2 : 1);
  const numbering = rows[dataStart];
  if (numbering !== undefined && isColumnNumbering(numbering.cells)) {
    dataStart += 1;
  }
  return {
    mapped: [...mapped.values()].sort((a, b) => a.index - b.index),
    ordinal,
    unknown,
    dataStart,
  };
}

/** "1 2 3 …" or "(1) (2) (3) …" under the header, as official forms number their columns. */
function isColumnNumbering(cells: ReadonlyArray<SheetCell | undefined>): boolean {
  const numbers: number[] = [];
  for (const cell of cells) {
    if (cell === undefined) {
      continue;
    }
    const match = /^\(?(\d{1,3})\)?$/.exec(headerText(cell));
    if (match === null) {
      return false;
    }
    numbers.push(Number(match[1]));
  }
  return (
    numbers.length >= MIN_RECOGNISED_HEADERS && numbers.every((n, i) => i === 0 || n > (numbers[i - 1] ?? n))
  );
}

function convertRow(sheetRow: SheetRow, layout: ColumnLayout): RawHouseholdRow {
  const values: Partial<RawHouseholdValues> = {};
  const errors: HouseholdCellError[] = [];
  for (const column of layout.mapped) {
    const cell = sheetRow.cells[column.index];
    const problem =
      cell === undefined
        ? REQUIRED_FIELDS.includes(column.field)
          ? emptyRequiredProblem(column.field)
          : undefined
        : column.apply(values, cell);
    if (problem !== undefined) {
      const error: HouseholdCellError = {
        column: column.header,
        field: column.field,
        message: problem.message,
      };
      if (problem.suggestion !== undefined) {
        error.suggestion = problem.suggestion;
      }
      errors.push(error);
    }
  }
  return { rowNumber: sheetRow.rowNumber, values, errors };
}

/** Distinct texts remembered per column; lists repeat "Có", "Hộ nghèo", "Thôn Nà Cưởm" endlessly. */
const MAX_CACHED_TEXTS = 5_000;
const MAX_CACHED_LENGTH = 64;

/**
 * The converter of one column: stores the value of a good cell in `values`, returns the problem
 * of a bad one. Conversions of short texts are memoised (they are pure for a given header).
 */
function columnConverter<K extends HouseholdField>(field: K, header: string): MappedColumn['apply'] {
  const cache = new Map<string, Conversion<RawHouseholdValues[K] | undefined>>();
  return (values, cell) => {
    let result: Conversion<RawHouseholdValues[K] | undefined> | undefined;
    if (typeof cell === 'string' && cell.length <= MAX_CACHED_LENGTH) {
      result = cache.get(cell);
      if (result === undefined) {
        result = convertCell(field, cell, header);
        if (cache.size < MAX_CACHED_TEXTS) {
          cache.set(cell, result);
        }
      }
    } else {
      result = convertCell(field, cell, header);
    }
    if (result.ok) {
      if (result.value !== undefined) {
        values[field] = result.value;
      }
      return undefined;
    }
    return result;
  };
}

/** Rows of the title block; the header row follows a blank line. */
const EXPORT_HEADER_ROW = 5;

/** Extra columns of the export, after the household fields. */
const EXPORT_STATUS_HEADER = 'Trạng thái';
const EXPORT_ELIGIBLE_HEADER = 'Đủ điều kiện';

/** Column widths in characters, by header. */
const EXPORT_WIDTHS: Readonly<Record<string, number>> = {
  STT: 6,
  code: 12,
  village: 20,
  headName: 26,
  birthYear: 9,
  idNumber: 15,
  category: 15,
  need: 11,
  foundationDurable: 11,
  frameDurable: 11,
  roofDurable: 10,
  area: 10,
  members: 10,
  landLegal: 10,
  landUndisputed: 11,
  outsideLandslideZone: 11,
  confirmedByCommune: 10,
  supportedBefore: 20,
  status: 16,
  eligible: 11,
};

const NUMERIC_FIELDS: ReadonlySet<HouseholdField> = new Set(['birthYear', 'area', 'members']);
const TEXT_FIELDS: ReadonlySet<HouseholdField> = new Set(['code', 'idNumber']);

const THIN_BORDER: Partial<Borders> = {
  top: { style: 'thin' },
  left: { style: 'thin' },
  bottom: { style: 'thin' },
  right: { style: 'thin' },
};
const HEADER_FILL: Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };

function isCategory(value: string): value is HouseholdCategory {
  return Object.hasOwn(CATEGORY_LABELS, value);
}

function isNeed(value: string): value is HouseholdNeed {
  return Object.hasOwn(NEED_LABELS, value);
}

/** A value of the export, in the form the reader accepts back. */
function exportValue(field: HouseholdField | 'status' | 'eligible', value: unknown): CellValue {
  if (value === undefined || value === null || value === '') {
    return null;
  }
  if (typeof value === 'boolean') {
    return value ? 'Có' : 'Không';
  }
  if (field === 'category' && typeof value === 'string' && isCategory(value)) {
    return CATEGORY_LABELS[value];
  }
  if (field === 'need' && typeof value === 'string' && isNeed(value)) {
    return NEED_LABELS[value];
  }
  if (typeof value === 'number') {
    return field !== 'status' && field !== 'eligible' && NUMERIC_FIELDS.has(field) ? value : String(value);
  }
  if (value instanceof Date) {
    return formatDate({
      year: value.getUTCFullYear(),
      month: value.getUTCMonth() + 1,
      day: value.getUTCDate(),
    });
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'bigint') {
    return value.toString();
  }
  return JSON.stringify(value) ?? null;
}

/**
 * Writes households as an XLSX in the layout officials use: a title block (`title`, `unitName`,
 * "Ngày xuất: dd/mm/yyyy"), then a header row with the Vietnamese headers `readHouseholdFile`
 * accepts ("STT", "Mã hộ", … "Đã được hỗ trợ") plus "Trạng thái" and "Đủ điều kiện", one row per
 * household. Household keys are the field names of `RawHouseholdValues` plus `status` (text, or
 * a code turned into a label by `opts.statusLabel`) and `eligible` (a boolean); other keys are
 * ignored. Booleans become "Có"/"Không",
 * categories and needs their Vietnamese labels, code and ID number stay text (leading zeros
 * kept). The header is frozen, filtered and repeated on printed pages.
 */
export async function writeHouseholdsXlsx(
  file: string,
  households: ReadonlyArray<Record<string, unknown>>,
  opts: WriteHouseholdsOptions,
): Promise<void> {
  const keys = [...HOUSEHOLD_FIELDS, 'status', 'eligible'] as const;
  const headers = [
    'STT',
    ...HOUSEHOLD_FIELDS.map((field) => FIELD_SPECS[field].label),
    EXPORT_STATUS_HEADER,
    EXPORT_ELIGIBLE_HEADER,
  ];
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Bot MTTQ';
  workbook.created = opts.generatedAt;
  workbook.modified = opts.generatedAt;
  const sheet = workbook.addWorksheet('Danh sách hộ', {
    views: [{ state: 'frozen', xSplit: 0, ySplit: EXPORT_HEADER_ROW }],
    pageSetup: {
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: `${EXPORT_HEADER_ROW}:${EXPORT_HEADER_ROW}`,
    },
  });
  sheet.columns = ['STT', ...keys].map((key) => ({ width: EXPORT_WIDTHS[key] ?? 12 }));

  const exportDate = formatDate(dateInZone(opts.generatedAt, opts.timeZone ?? DEFAULT_TIME_ZONE));
  const titleLines: Array<[string, number, boolean]> = [
    [opts.title, 14, true],
    [opts.unitName, 12, true],
    [`Ngày xuất: ${exportDate}`, 11, false],
  ];
  titleLines.forEach(([text, size, bold], i) => {
    const row = sheet.getRow(i + 1);
    row.getCell(1).value = text;
    row.getCell(1).font = { size, bold, italic: !bold };
    row.getCell(1).alignment = { horizontal: 'center', vertical: 'middle' };
    sheet.mergeCells(i + 1, 1, i + 1, headers.length);
  });

  const headerRow = sheet.getRow(EXPORT_HEADER_ROW);
  headerRow.values = headers;
  headerRow.height = 45;
  headerRow.eachCell((cell) => {
    cell.font = { bold: true };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.border = THIN_BORDER;
    cell.fill = HEADER_FILL;
  });

  households.forEach((household, i) => {
    const row = sheet.getRow(EXPORT_HEADER_ROW + 1 + i);
    const status = household.status;
    row.values = [
      i + 1,
      ...keys.map((key) =>
        exportValue(
          key,
          key === 'status' && typeof status === 'string' && opts.statusLabel !== undefined
            ? opts.statusLabel(status)
            : household[key],
        ),
      ),
    ];
    for (let col = 1; col <= headers.length; col += 1) {
      const cell = row.getCell(col);
      cell.border = THIN_BORDER;
      const key = keys[col - 2];
      if (key !== undefined && key !== 'status' && key !== 'eligible' && TEXT_FIELDS.has(key)) {
        cell.numFmt = '@';
      }
    }
  });
  sheet.autoFilter = {
    from: { row: EXPORT_HEADER_ROW, column: 1 },
    to: { row: EXPORT_HEADER_ROW, column: headers.length },
  };
  await workbook.xlsx.writeFile(file);
}
