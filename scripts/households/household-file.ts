/**
 * Household lists as commune officers keep them: `.csv` or `.xlsx` files with a title block, a
 * header row in Vietnamese (spelt many ways) and one household per row.
 *
 * `readHouseholdFile` is the raw, cell-level layer: it finds the header row, maps headers to
 * fields and converts every cell into a typed value or a Vietnamese error naming the row and
 * column, so an official can fix the file. Whole-household validation happens above it.
 * `writeHouseholdsXlsx` writes the same layout back, and its output reads back unchanged.
 */

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type ExcelJS from 'exceljs';
import type { Borders, CellValue, Fill } from 'exceljs';
import {
  CSV_DELIMITERS,
  type CsvDelimiter,
  CsvLimitError,
  CsvParser,
  csvDecoder,
  detectCsvEncoding,
} from '../../bot/files/csv.ts';
import type { CategoryChoice } from '../../core/households/household.ts';
import { DEFAULT_HOUSEHOLD_IMPORT_LIMITS } from '../../core/households/import-limits.ts';
import { dateInZone } from '../../core/shared/calendar.ts';
import { formatDate, formatInteger } from '../../core/shared/format.ts';
import { DEFAULT_TIME_ZONE } from '../cli/context.ts';
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

/** Options of `readHouseholdFile` and `openHouseholdFile`. */
export interface ReadHouseholdFileOptions {
  /**
   * Called with the number of data rows converted so far, every 500 rows and once at the end.
   * Between calls the reader yields to the event loop, so a bot can update a progress message.
   */
  onProgress?: (rowsRead: number) => void;
  /** A larger file is refused before it is parsed; default 20 MB (DEFAULT_HOUSEHOLD_IMPORT_LIMITS). */
  maxBytes?: number;
  /** Reading stops with an error at the first household row past this; default 200,000. */
  maxRows?: number;
  /**
   * The campaign's categories (core/campaigns/campaign-rules.ts): the "Diện" column then accepts
   * their labels and codes, and only them. Without: the built-in four.
   */
  categories?: readonly CategoryChoice[];
}

/** A household file opened for reading: the header as found, the rows as they are read. */
export interface HouseholdRowStream extends Omit<HouseholdFileResult, 'rows'> {
  /**
   * The data rows, read from the file while they are iterated (once). Throws a
   * `HouseholdFileError` at the first row past `maxRows`, or at a CSV record that cannot end.
   */
  rows: AsyncIterable<RawHouseholdRow>;
  /** Stops reading and closes the file, when the rows are not read to the end. */
  close: () => Promise<void>;
}

/**
 * A file that cannot be read as a household list — too large, too many rows, a quote that never
 * closes — in the words of the import report: the row and column when known, the problem and
 * how to fix it. `message` is the whole report line.
 */
export class HouseholdFileError extends Error {
  readonly row: number | undefined;
  readonly column: string | undefined;
  readonly problem: string;
  readonly suggestion: string;

  constructor(problem: string, suggestion: string, where: { row?: number; column?: string } = {}) {
    const place =
      where.row === undefined
        ? ''
        : `Dòng ${where.row}${where.column === undefined ? '' : `, cột "${where.column}"`}: `;
    super(`${place}${problem} → ${suggestion}`);
    this.name = 'HouseholdFileError';
    this.row = where.row;
    this.column = where.column;
    this.problem = problem;
    this.suggestion = suggestion;
  }
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
  /**
   * Turns a stored category code into the label written under "Diện" (the campaign's labels,
   * which its import reads back); default: the built-in labels.
   */
  categoryLabel?: (category: string) => string;
}

/** A header row needs this many distinct recognised fields; title lines never reach it. */
const MIN_RECOGNISED_HEADERS = 3;
/** Records the CSV delimiter detection looks at before giving up on a delimiter. */
const DELIMITER_SCAN_RECORDS = 100;
const PROGRESS_EVERY = 500;

/** A row of the file before conversion; `cells[i]` is column i + 1, undefined when empty. */
export interface SheetRow {
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
 * The header row is the first with at least 3 recognised headers, among the first 100 rows; a second
 * header row right below it (merged group headers) and a column-numbering row ("1 2 3 …") are
 * recognised too. Fully empty rows — and rows with nothing but an STT number — are skipped.
 *
 * Bad cells never throw: they become entries in `errors` with a Vietnamese message. Throws an
 * Error with a Vietnamese message when the file cannot be read at all: unknown extension,
 * missing or corrupt file, no header row; a `HouseholdFileError` when it is over the limits of
 * `opts` or a CSV quote never closes. All rows are returned at once: an import reads them one by
 * one with `openHouseholdFile` instead.
 */
export async function readHouseholdFile(
  file: string,
  opts: ReadHouseholdFileOptions = {},
): Promise<HouseholdFileResult> {
  const { rows: stream, close, ...head } = await openHouseholdFile(file, opts);
  const rows: RawHouseholdRow[] = [];
  try {
    for await (const row of stream) {
      rows.push(row);
    }
  } finally {
    await close();
  }
  return { rows, ...head };
}

/**
 * Opens a household list as `readHouseholdFile` reads it, but hands the rows over one by one as the
 * file is read, so memory holds one row at a time whatever the size of the file (CSV: one chunk
 * and one record; XLSX: exceljs's streaming reader, the shared strings and the merged ranges).
 * Refuses a file over `maxBytes` before reading it; the rows stop with a `HouseholdFileError`
 * at the first one past `maxRows`.
 */
export async function openHouseholdFile(
  file: string,
  opts: ReadHouseholdFileOptions = {},
): Promise<HouseholdRowStream> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.xls') {
    throw new Error(
      `Chưa đọc được tệp Excel 97–2003 (.xls) "${path.basename(file)}". Hãy mở tệp bằng Excel, chọn Lưu thành (Save As) → "Excel Workbook (.xlsx)" rồi gửi lại.`,
    );
  }
  if (ext !== '.csv' && ext !== '.xlsx') {
    throw new Error(
      `Không đọc được tệp "${path.basename(file)}": chỉ nhận danh sách hộ dạng Excel (.xlsx) hoặc CSV (.csv).`,
    );
  }
  const maxBytes = opts.maxBytes ?? DEFAULT_HOUSEHOLD_IMPORT_LIMITS.maxBytes;
  const maxRows = opts.maxRows ?? DEFAULT_HOUSEHOLD_IMPORT_LIMITS.maxRows;
  await checkFileSize(file, maxBytes);
  const source = ext === '.csv' ? await csvSheetRows(file) : xlsxSheetRows(file, maxRows);

  // The header row and the two rows below it (a second header row, a column-numbering row).
  const head: SheetRow[] = [];
  let headerIndex = -1;
  try {
    for (;;) {
      const next = await source.next();
      if (next.done) {
        break;
      }
      head.push(next.value);
      if (headerIndex < 0 && countRecognised(next.value.cells) >= MIN_RECOGNISED_HEADERS) {
        headerIndex = head.length - 1;
      }
      if (headerIndex < 0 ? head.length >= HEADER_SCAN_ROWS : head.length >= headerIndex + 3) {
        break;
      }
    }
  } catch (error) {
    await source.return(undefined);
    throw fileProblem(error);
  }
  const headerSheetRow = head[headerIndex];
  if (headerSheetRow === undefined) {
    await source.return(undefined);
    throw new Error(
      `Không tìm thấy dòng tiêu đề cột trong tệp "${path.basename(file)}": cần một dòng có ít nhất ${MIN_RECOGNISED_HEADERS} cột như "Mã hộ", "Thôn/Tổ", "Họ tên chủ hộ", "Diện", "Nhu cầu".`,
    );
  }
  const layout = buildLayout(head, headerIndex, opts.categories);
  const columns: Record<string, string> = {};
  for (const column of layout.mapped) {
    columns[column.field] = column.header;
  }
  const headerOf = (index: number) =>
    layout.mapped.find((column) => column.index === index)?.header ??
    (headerText(headerSheetRow.cells[index]) || undefined);

  async function* rows(): AsyncGenerator<RawHouseholdRow> {
    let count = 0;
    let reported = -1;
    const all = async function* () {
      yield* head.slice(layout.dataStart);
      yield* source;
    };
    try {
      for await (const sheetRow of all()) {
        if (sheetRow.cells.every((cell, i) => cell === undefined || layout.ordinal.has(i))) {
          continue;
        }
        count += 1;
        if (count > maxRows) {
          throw new HouseholdFileError(
            `Tệp có hơn ${formatInteger(maxRows)} hộ, quá giới hạn của một lần nhập; đã dừng đọc ở dòng này.`,
            `Chia danh sách thành nhiều tệp (ví dụ mỗi thôn một tệp) rồi nhập từng tệp; nếu cần, người quản trị nâng giới hạn bằng HOUSEHOLD_IMPORT_MAX_ROWS hoặc --max-rows.`,
            { row: sheetRow.rowNumber },
          );
        }
        yield convertRow(sheetRow, layout);
        if (opts.onProgress !== undefined && count % PROGRESS_EVERY === 0) {
          opts.onProgress(count);
          reported = count;
          await nextTurn();
        }
      }
    } catch (error) {
      throw fileProblem(error, headerOf);
    } finally {
      await source.return(undefined);
    }
    if (opts.onProgress !== undefined && reported !== count) {
      opts.onProgress(count);
    }
  }

  return {
    rows: rows(),
    close: async () => {
      await source.return(undefined);
    },
    headerRow: headerSheetRow.rowNumber,
    columns,
    missingColumns: REQUIRED_FIELDS.filter((field) => columns[field] === undefined),
    unknownColumns: layout.unknown,
  };
}

/** Rows scanned for the header row; a title block is a few rows. */
const HEADER_SCAN_ROWS = 100;

/** How many headers of a list a row holds (the CSV delimiter is the one that finds most). */
export type HeaderCounter = (cells: ReadonlyArray<SheetCell | undefined>) => number;

/**
 * The non-empty rows of a `.csv` or `.xlsx` list other than households (a list of units), read as
 * a household list is read: CSV encodings and delimiters, the first worksheet, merged cells,
 * formula results, the size and row limits (`maxBytes` checked first). Cells are as read: text,
 * numbers, dates. A CSV quote that never closes ends the rows with a `HouseholdFileError`.
 */
export async function openSheetRows(
  file: string,
  opts: { countHeaders: HeaderCounter; maxBytes?: number; maxRows?: number },
): Promise<AsyncGenerator<SheetRow, void, undefined>> {
  await checkFileSize(file, opts.maxBytes ?? DEFAULT_HOUSEHOLD_IMPORT_LIMITS.maxBytes);
  const maxRows = opts.maxRows ?? DEFAULT_HOUSEHOLD_IMPORT_LIMITS.maxRows;
  const source =
    path.extname(file).toLowerCase() === '.csv'
      ? await csvSheetRows(file, opts.countHeaders)
      : xlsxSheetRows(file, maxRows);
  return (async function* () {
    try {
      yield* source;
    } catch (error) {
      throw fileProblem(error);
    }
  })();
}

async function checkFileSize(file: string, maxBytes: number): Promise<void> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    throw openError(file, error);
  }
  if (size > maxBytes) {
    throw new HouseholdFileError(
      `Tệp "${path.basename(file)}" nặng ${megabytes(size)} MB, quá giới hạn ${megabytes(maxBytes)} MB của một lần nhập; chưa đọc gì trong tệp.`,
      'Chia danh sách thành nhiều tệp nhỏ hơn (ví dụ mỗi thôn một tệp) rồi nhập từng tệp; nếu tệp đúng là lớn như vậy, người quản trị nâng giới hạn bằng HOUSEHOLD_IMPORT_MAX_MB hoặc --max-mb.',
    );
  }
}

function megabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1).replace('.', ',').replace(/,0$/, '');
}

/** A CSV limit error in the words of the report; other errors as they are. */
function fileProblem(error: unknown, headerOf?: (index: number) => string | undefined): unknown {
  if (!(error instanceof CsvLimitError)) {
    return error;
  }
  const header = headerOf?.(error.column - 1);
  const where = { row: error.record, column: header };
  const which = header === undefined ? ` (cột thứ ${error.column})` : '';
  if (error.kind === 'fields') {
    return new HouseholdFileError(
      `Dòng có hơn ${formatInteger(error.limit)} cột; tệp không giống một danh sách hộ.`,
      'Mở tệp bằng Excel, kiểm tra dấu phân cách cột rồi lưu lại dạng CSV UTF-8.',
      { row: error.record },
    );
  }
  if (error.quoted) {
    return new HouseholdFileError(
      `Dấu ngoặc kép (") mở ở dòng ${error.record}${which} không được đóng: ô đã dài hơn ${formatInteger(error.limit)} ký tự, phần sau của tệp bị đọc lẫn vào ô này nên đã dừng đọc.`,
      `Mở tệp, tìm dấu " ở đầu ô này và thêm dấu " đóng (hoặc xóa nó); muốn viết dấu " trong chữ thì viết hai lần "".`,
      where,
    );
  }
  return new HouseholdFileError(
    `Ô dài hơn ${formatInteger(error.limit)} ký tự${which}; tệp không giống một danh sách hộ.`,
    'Rút gọn nội dung ô, hoặc kiểm tra lại đúng tệp danh sách hộ chưa.',
    where,
  );
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

/** The bytes of `file` as a stream; opening errors in Vietnamese. */
async function* fileChunks(file: string): AsyncGenerator<Uint8Array> {
  const stream = createReadStream(file, { highWaterMark: READ_CHUNK_BYTES });
  try {
    for await (const chunk of stream) {
      yield chunk as Uint8Array;
    }
  } catch (error) {
    throw openError(file, error);
  } finally {
    stream.destroy();
  }
}

const READ_CHUNK_BYTES = 64 * 1024;

/** The non-empty records of a CSV file as rows, read as a stream (encoding and delimiter first). */
async function csvSheetRows(
  file: string,
  countHeaders: HeaderCounter = countRecognised,
): Promise<AsyncGenerator<SheetRow, void, undefined>> {
  const encoding = await detectCsvEncoding(fileChunks(file));
  const delimiter = await detectDelimiter(file, encoding, countHeaders);
  return (async function* () {
    let rowNumber = 0;
    for await (const record of csvRecords(file, encoding, delimiter)) {
      rowNumber += 1;
      const cells = record.map((field) => (field.trim() === '' ? undefined : field));
      if (cells.some((cell) => cell !== undefined)) {
        yield { rowNumber, cells };
      }
    }
  })();
}

/** The records of a CSV file, fields in NFC (decomposed tone marks compare equal to precomposed). */
async function* csvRecords(
  file: string,
  encoding: string,
  delimiter: CsvDelimiter,
): AsyncGenerator<string[]> {
  const decoder = csvDecoder(encoding);
  const parser = new CsvParser(delimiter);
  const normalized = (record: string[]) => record.map((field) => field.normalize('NFC'));
  for await (const chunk of fileChunks(file)) {
    for (const record of parser.push(decoder.decode(chunk, { stream: true }))) {
      yield normalized(record);
    }
  }
  for (const record of [...parser.push(decoder.decode()), ...parser.end()]) {
    yield normalized(record);
  }
}

/** The delimiter under which some early record reads as the best header row; ',' if none. */
async function detectDelimiter(
  file: string,
  encoding: string,
  countHeaders: HeaderCounter,
): Promise<CsvDelimiter> {
  let best: CsvDelimiter = ',';
  let bestCount = 0;
  for (const delimiter of CSV_DELIMITERS) {
    let scanned = 0;
    try {
      for await (const record of csvRecords(file, encoding, delimiter)) {
        const count = countHeaders(record);
        if (count > bestCount) {
          best = delimiter;
          bestCount = count;
        }
        scanned += 1;
        if (count >= MIN_RECOGNISED_HEADERS || scanned >= DELIMITER_SCAN_RECORDS) {
          break;
        }
      }
    } catch (error) {
      // Under a wrong delimiter a record may look broken: the real reading reports it if it is.
      if (!(error instanceof CsvLimitError)) {
        throw error;
      }
    }
  }
  return best;
}

/** Options of exceljs's streaming reader: shared strings and styles (date formats) are needed. */
const XLSX_READER_OPTIONS = {
  worksheets: 'emit',
  sharedStrings: 'cache',
  styles: 'cache',
  hyperlinks: 'ignore',
  entries: 'ignore',
} as const;

function corruptXlsx(file: string, error: unknown): Error {
  return new Error(
    `Không đọc được tệp Excel "${path.basename(file)}": tệp bị hỏng hoặc không phải định dạng .xlsx. Hãy mở bằng Excel và lưu lại dạng .xlsx.`,
    { cause: error },
  );
}

/** exceljs's streaming reader as it is at run time: the workbook model and the raw XML parts. */
interface WorkbookReaderInternals {
  model?: { sheets?: Array<{ name?: string }> };
  _parseSharedStrings?: (entry: Readable) => AsyncGenerator<unknown>;
}
interface WorksheetReaderInternals {
  name?: string;
  iterator?: AsyncIterable<Uint8Array | string>;
}

/**
 * exceljs 4.4's streaming reader decodes every chunk of XML on its own, so a Vietnamese letter
 * whose UTF-8 bytes straddle two chunks comes out as "��". Its XML parser takes text chunks as
 * they are: these decode the bytes with one streaming decoder first.
 */
async function* utf8Chunks(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  for await (const chunk of chunks) {
    yield typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
  }
  yield decoder.decode();
}

function utf8Stream(entry: Readable): Readable {
  const decoder = new TextDecoder();
  return entry.pipe(
    new Transform({
      readableObjectMode: true,
      transform(chunk: Uint8Array, _encoding, done) {
        done(null, decoder.decode(chunk, { stream: true }));
      },
      flush(done) {
        done(null, decoder.decode());
      },
    }),
  );
}

function decodeSharedStringsWhole(reader: ExcelJS.stream.xlsx.WorkbookReader): void {
  const internals = reader as unknown as WorkbookReaderInternals;
  const parse = internals._parseSharedStrings;
  if (parse !== undefined) {
    internals._parseSharedStrings = (entry) => parse.call(reader, utf8Stream(entry));
  }
}

/**
 * exceljs, loaded when a spreadsheet is read or written rather than with every CLI command that
 * imports this module (≈ 0.2 s and 16 MB; issue 14 §7).
 */
async function loadExcel(): Promise<typeof ExcelJS> {
  return (await import('exceljs')).default;
}

/**
 * The first worksheet of an XLSX file (in the workbook's order), through exceljs's streaming
 * WorkbookReader; `use` gets its reader, every other sheet is skipped unread. Errors of the zip or
 * the XML become the Vietnamese "corrupt file" error; `use`'s own errors pass through.
 */
async function* firstWorksheet<T>(
  file: string,
  options: Partial<ExcelJS.stream.xlsx.WorkbookStreamReaderOptions>,
  use: (sheet: ExcelJS.stream.xlsx.WorksheetReader & WorksheetReaderInternals) => AsyncGenerator<T>,
): AsyncGenerator<T> {
  const excel = await loadExcel();
  const input = createReadStream(file);
  const reader = new excel.stream.xlsx.WorkbookReader(input, options);
  if (options.sharedStrings === 'cache') {
    decodeSharedStringsWhole(reader);
  }
  let found = false;
  let own = false;
  try {
    for await (const sheet of reader) {
      const first = (reader as unknown as WorkbookReaderInternals).model?.sheets?.[0]?.name;
      const named = sheet as ExcelJS.stream.xlsx.WorksheetReader & WorksheetReaderInternals;
      if (found || (first !== undefined && named.name !== first)) {
        continue;
      }
      found = true;
      own = true;
      if (named.iterator !== undefined) {
        named.iterator = utf8Chunks(named.iterator);
      }
      yield* use(named);
      own = false;
      break;
    }
  } catch (error) {
    throw own || error instanceof HouseholdFileError ? error : corruptXlsx(file, error);
  } finally {
    input.destroy();
  }
  if (!found) {
    throw new Error(`Tệp Excel "${path.basename(file)}" không có trang tính nào.`);
  }
}

/** A merged range, 1-based and inclusive. */
interface MergeRange {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

/** What the rows of a sheet need that exceljs's streaming reader does not give, read beforehand. */
interface SheetExtras {
  merges: MergeRange[];
  /** Cells whose value is an Excel error ("#DIV/0!"), by address: a formula's error result is lost otherwise. */
  errorCells: Map<string, string>;
}

/** Merged ranges kept at most; an official form has a few dozen. */
const MAX_MERGES = 100_000;
const MAX_ERROR_CELLS = 100_000;

/**
 * Scans the raw XML of the first sheet for merged ranges (written after the rows, so they must be
 * known before the rows are read) and error cells, without building any row.
 */
async function sheetExtras(file: string): Promise<SheetExtras> {
  const extras: SheetExtras = { merges: [], errorCells: new Map() };
  const scans = firstWorksheet(
    file,
    { ...XLSX_READER_OPTIONS, sharedStrings: 'ignore', styles: 'ignore' },
    async function* (sheet) {
      let carry = '';
      for await (const chunk of sheet.iterator ?? []) {
        const text = carry + chunk;
        carry = scanSheetXml(text, extras);
        if (extras.merges.length > MAX_MERGES) {
          throw new HouseholdFileError(
            `Trang tính có hơn ${formatInteger(MAX_MERGES)} vùng gộp ô.`,
            'Bỏ gộp ô (Unmerge) rồi lưu lại tệp.',
          );
        }
      }
      yield undefined;
    },
  );
  for await (const _ of scans) {
    // The scan fills `extras`.
  }
  return extras;
}

const MERGE_CELL = /<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"/g;

/** Scans complete tags of `text` into `extras`; returns the tail to prepend to the next chunk. */
function scanSheetXml(text: string, extras: SheetExtras): string {
  let keepFrom = text.lastIndexOf('<');
  if (keepFrom < 0) {
    keepFrom = text.length;
  }
  let at = text.indexOf('t="e"');
  while (at !== -1 && at < keepFrom) {
    const open = text.lastIndexOf('<c ', at);
    const close = text.indexOf('</c>', at);
    if (close === -1) {
      keepFrom = Math.min(keepFrom, open < 0 ? at : open);
      break;
    }
    const cell = text.slice(open < 0 ? at : open, close);
    const ref = /\br="([A-Z]+\d+)"/.exec(cell)?.[1];
    const value = /<v>([^<]*)<\/v>/.exec(cell)?.[1];
    if (ref !== undefined && value !== undefined && extras.errorCells.size < MAX_ERROR_CELLS) {
      extras.errorCells.set(ref, value);
    }
    at = text.indexOf('t="e"', close);
  }
  const done = text.slice(0, keepFrom);
  if (done.includes('mergeCell')) {
    for (const match of done.matchAll(MERGE_CELL)) {
      const top = Number(match[2]);
      const left = columnNumber(match[1] ?? 'A');
      extras.merges.push({
        top,
        left,
        bottom: match[4] === undefined ? top : Number(match[4]),
        right: match[3] === undefined ? left : columnNumber(match[3]),
      });
    }
  }
  return text.slice(keepFrom);
}

/** "A" → 1, "AB" → 28. */
function columnNumber(letters: string): number {
  let n = 0;
  for (let i = 0; i < letters.length; i += 1) {
    n = n * 26 + (letters.charCodeAt(i) - 64);
  }
  return n;
}

/**
 * The rows of the first worksheet through exceljs's streaming reader, with merged ranges applied as
 * the full reader applied them: only a range's first column counts, and its value is repeated down
 * that column (in rows the file does not even hold, when the range covers them).
 */
function xlsxSheetRows(file: string, maxRows: number): AsyncGenerator<SheetRow, void, undefined> {
  return (async function* () {
    const extras = await sheetExtras(file);
    const merged = new MergedColumns(extras.merges);
    let previous = 0;
    yield* firstWorksheet(file, XLSX_READER_OPTIONS, async function* (sheet) {
      for await (const row of sheet) {
        const rowNumber = row.number;
        yield* merged.rowsBetween(previous, rowNumber, maxRows);
        previous = rowNumber;
        const cells: Array<SheetCell | undefined> = [];
        row.eachCell({ includeEmpty: false }, (cell, colNumber) => {
          const error = extras.errorCells.get(cell.address);
          const value = toSheetCell(error === undefined ? cell.value : { error });
          if (value !== undefined) {
            cells[colNumber - 1] = value;
          }
        });
        merged.apply(rowNumber, cells);
        if (cells.some((cell) => cell !== undefined)) {
          yield { rowNumber, cells: Array.from(cells) };
        }
      }
    });
  })();
}

/** Merged ranges applied row by row, rows in ascending order (see `xlsxSheetRows`). */
class MergedColumns {
  readonly #pending: MergeRange[];
  #next = 0;
  #active: Array<{ range: MergeRange; value: SheetCell | undefined }> = [];

  constructor(ranges: readonly MergeRange[]) {
    this.#pending = [...ranges].sort((a, b) => a.top - b.top);
  }

  #advance(rowNumber: number): void {
    while (this.#next < this.#pending.length && (this.#pending[this.#next]?.top ?? 0) <= rowNumber) {
      const range = this.#pending[this.#next];
      if (range !== undefined) {
        this.#active.push({ range, value: undefined });
      }
      this.#next += 1;
    }
    this.#active = this.#active.filter((a) => a.range.bottom >= rowNumber);
  }

  /** Keeps a range's first column only, its value repeated below the first row. */
  apply(rowNumber: number, cells: Array<SheetCell | undefined>): void {
    if (this.#next >= this.#pending.length && this.#active.length === 0) {
      return;
    }
    this.#advance(rowNumber);
    for (const active of this.#active) {
      const { top, left, right } = active.range;
      if (rowNumber === top) {
        active.value = cells[left - 1];
      } else {
        cells[left - 1] = active.value;
      }
      for (let col = left + 1; col <= right; col += 1) {
        cells[col - 1] = undefined;
      }
    }
  }

  /** Rows after `from` and before `to` that the file lacks but a vertical merge fills. */
  *rowsBetween(from: number, to: number, maxRows: number): Generator<SheetRow> {
    let made = 0;
    for (let rowNumber = from + 1; rowNumber < to; rowNumber += 1) {
      if (!this.#active.some((a) => a.value !== undefined && a.range.bottom >= rowNumber)) {
        return;
      }
      this.#advance(rowNumber);
      const cells: Array<SheetCell | undefined> = [];
      this.apply(rowNumber, cells);
      if (cells.some((cell) => cell !== undefined)) {
        yield { rowNumber, cells: Array.from(cells) };
        made += 1;
        if (made > maxRows) {
          return;
        }
      }
    }
  }
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

function buildLayout(
  rows: readonly SheetRow[],
  headerIndex: number,
  categories?: readonly CategoryChoice[],
): ColumnLayout {
  const header = rows[headerIndex];
  const next = rows[headerIndex + 1];
  const topCells = header?.cells ?? [];
  const mapped = new Map<number, MappedColumn>();
  const mappedFields = new Set<HouseholdField>();
  const ordinal = new Set<number>();
  const map = (index: number, field: HouseholdField, text: string) => {
    mapped.set(index, { index, field, header: text, apply: columnConverter(field, text, categories) });
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
function columnConverter<K extends HouseholdField>(
  field: K,
  header: string,
  categories?: readonly CategoryChoice[],
): MappedColumn['apply'] {
  const cache = new Map<string, Conversion<RawHouseholdValues[K] | undefined>>();
  return (values, cell) => {
    let result: Conversion<RawHouseholdValues[K] | undefined> | undefined;
    if (typeof cell === 'string' && cell.length <= MAX_CACHED_LENGTH) {
      result = cache.get(cell);
      if (result === undefined) {
        result = convertCell(field, cell, header, categories);
        if (cache.size < MAX_CACHED_TEXTS) {
          cache.set(cell, result);
        }
      }
    } else {
      result = convertCell(field, cell, header, categories);
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
  const workbook = new (await loadExcel()).Workbook();
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
            : key === 'category' && typeof household.category === 'string' && opts.categoryLabel
              ? opts.categoryLabel(household.category)
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
