/**
 * Realistic household lists for tests and benchmarks: Vietnamese names with diacritics, villages
 * of a northern mountain commune, the many ways officials write categories and yes/no — and,
 * on request, rows with exactly one invalid cell each, at known row numbers.
 *
 * Also a command: `npx tsx scripts/dev/generate-household-file.ts --count 5000 --seed 1
 * --errors 20 --out /tmp/ho.xlsx [--numbers]` (`.csv` or `.xlsx` by the extension of --out).
 * Exit codes: 0 success, 2 bad option, 1 anything else.
 */

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import ExcelJS from 'exceljs';
import { type CsvDelimiter, formatCsv } from '../../bot/files/csv.ts';
import { mulberry32, type Random } from '../random.ts';

/** Options of `generateHouseholdRows`. */
export interface GenerateOptions {
  /** Same seed, same rows. */
  seed: number;
  /** How many rows get exactly one invalid cell; default 0, at most `count`. */
  plantErrors?: number;
}

/** A generated list: the header row first, then one row per household, all cells text. */
export interface GeneratedHouseholdRows {
  rows: string[][];
  /**
   * 1-based row numbers, ascending, of the rows with a planted error, counted as in the written
   * file where the header is row 1 (so they equal `RawHouseholdRow.rowNumber` after reading).
   */
  plantedErrorRows: number[];
}

/** The header the generator writes: STT and the canonical Vietnamese headers. */
export const GENERATED_HEADER: readonly string[] = [
  'STT',
  'Mã hộ',
  'Thôn/Tổ',
  'Họ tên chủ hộ',
  'Năm sinh',
  'Số CCCD',
  'Diện',
  'Nhu cầu',
  'Nền móng bền chắc',
  'Khung tường bền chắc',
  'Mái bền chắc',
  'Diện tích (m2)',
  'Số nhân khẩu',
  'Đất hợp pháp',
  'Không tranh chấp',
  'Ngoài vùng sạt lở',
  'UBND xã, phường xác nhận',
  'Đã được hỗ trợ',
];

const COL = {
  code: 1,
  village: 2,
  headName: 3,
  birthYear: 4,
  idNumber: 5,
  category: 6,
  need: 7,
  foundationDurable: 8,
  frameDurable: 9,
  roofDurable: 10,
  area: 11,
  members: 12,
  landLegal: 13,
  landUndisputed: 14,
  outsideLandslideZone: 15,
  confirmedByCommune: 16,
  supportedBefore: 17,
} as const;

const YES_NO_COLUMNS = [
  COL.foundationDurable,
  COL.frameDurable,
  COL.roofDurable,
  COL.landLegal,
  COL.landUndisputed,
  COL.outsideLandslideZone,
  COL.confirmedByCommune,
] as const;

const REQUIRED_COLUMNS = [
  COL.code,
  COL.village,
  COL.headName,
  COL.category,
  COL.need,
  COL.members,
  ...YES_NO_COLUMNS,
] as const;

const FAMILY_NAMES = [
  'Nguyễn',
  'Trần',
  'Lê',
  'Phạm',
  'Hoàng',
  'Vũ',
  'Đặng',
  'Bùi',
  'Đỗ',
  'Ngô',
  'Dương',
  'Lý',
  'Hà',
  'Nông',
  'Triệu',
  'Lường',
  'Ma',
  'Lục',
  'Bế',
  'Đinh',
  'Lâm',
  'Sầm',
];
const MALE_MIDDLE = ['Văn', 'Đức', 'Minh', 'Hữu', 'Quang', 'Xuân', 'Văn', 'Thế', 'Đình'];
const FEMALE_MIDDLE = ['Thị', 'Thị', 'Thị Thu', 'Ngọc', 'Thị Hồng', 'Thanh', 'Thị Kim'];
const MALE_GIVEN = [
  'An',
  'Bình',
  'Cường',
  'Dũng',
  'Hải',
  'Hùng',
  'Nam',
  'Phúc',
  'Quân',
  'Sơn',
  'Thắng',
  'Tuấn',
  'Khánh',
  'Lộc',
  'Pảo',
  'Dìn',
];
const FEMALE_GIVEN = [
  'Hà',
  'Hạnh',
  'Hoa',
  'Hương',
  'Lan',
  'Linh',
  'Mai',
  'Nga',
  'Thảo',
  'Trang',
  'Vân',
  'Yến',
  'Sáu',
  'Mùi',
  'Nhung',
];
const VILLAGES = [
  'Thôn Nà Cưởm',
  'Thôn Bản Đén',
  'Thôn Khuổi Cuồng',
  'Bản Pác Nặm',
  'Xóm Nà Hoi',
  'Thôn Nặm Dất',
  'Thôn Phiêng Lủng',
  'Tổ 3',
  'Tổ 5',
  'Tổ 11',
  'Tổ dân phố Phùng Chí Kiên',
];
/** Each label weighted by repetition: poor households dominate the campaign. */
const CATEGORY_WRITINGS = [
  'Hộ nghèo',
  'Hộ nghèo',
  'Hộ nghèo',
  'HN',
  'nghèo',
  'Hộ cận nghèo',
  'Cận nghèo',
  'HCN',
  'Người có công',
  'NCC',
  'Khác',
];
const NEED_WRITINGS = ['Xây mới', 'Xây mới', 'XM', 'Làm mới', 'Sửa chữa', 'Sửa chữa', 'SC'];
const YES_WRITINGS = ['Có', 'Có', 'có', 'C', 'x', '1', 'Đúng'];
const NO_WRITINGS = ['Không', 'Không', 'không', 'K', '0', 'Sai'];
const SUPPORT_WRITINGS = [
  'Không',
  'Chương trình 167 (2015)',
  'Quỹ Vì người nghèo huyện (2019)',
  'Chương trình 135',
];
/** CCCD province codes of the northern mountains (Bắc Kạn 006, Cao Bằng 004, Hà Giang 002, …). */
const PROVINCE_CODES = ['006', '006', '006', '004', '002', '008', '020', '019'];

/** The kinds of planted error; each makes exactly one cell invalid. */
const ERROR_KINDS = [
  'yes_no',
  'members_negative',
  'members_fraction',
  'birth_letters',
  'birth_range',
  'category',
  'need',
  'required_empty',
  'area',
  'id_number',
] as const;

type ErrorKind = (typeof ERROR_KINDS)[number];

function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) {
    throw new RangeError('pick from an empty list');
  }
  return item;
}

function integer(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

function digits(random: Random, count: number): string {
  let text = '';
  for (let i = 0; i < count; i += 1) {
    text += String(Math.floor(random() * 10));
  }
  return text;
}

function householdRow(random: Random, index: number): string[] {
  const female = random() < 0.35;
  const name = [
    pick(random, FAMILY_NAMES),
    pick(random, female ? FEMALE_MIDDLE : MALE_MIDDLE),
    pick(random, female ? FEMALE_GIVEN : MALE_GIVEN),
  ].join(' ');
  const birthYear = integer(random, 1938, 2000);
  // CCCD: province (3 digits), sex and century (0 man / 1 woman born 1900–1999), year (2), 6 more.
  const idNumber = `${pick(random, PROVINCE_CODES)}${female ? '1' : '0'}${String(birthYear % 100).padStart(2, '0')}${digits(random, 6)}`;
  const yesNo = (yesShare: number) => pick(random, random() < yesShare ? YES_WRITINGS : NO_WRITINGS);
  const area =
    random() < 0.5
      ? String(integer(random, 12, 45))
      : `${integer(random, 12, 45)}${pick(random, [',', '.'])}5`;
  return [
    String(index + 1),
    `H${String(index + 1).padStart(5, '0')}`,
    pick(random, VILLAGES),
    name,
    random() < 0.1 ? '' : String(birthYear),
    random() < 0.15 ? '' : idNumber,
    pick(random, CATEGORY_WRITINGS),
    pick(random, NEED_WRITINGS),
    yesNo(0.2),
    yesNo(0.15),
    yesNo(0.1),
    random() < 0.1 ? '' : area,
    String(integer(random, 1, 8)),
    yesNo(0.9),
    yesNo(0.95),
    yesNo(0.85),
    yesNo(0.7),
    random() < 0.6 ? '' : pick(random, SUPPORT_WRITINGS),
  ];
}

/** Makes exactly one cell of `row` invalid, of the given kind. */
function plantError(random: Random, row: string[], kind: ErrorKind): void {
  const set = (column: number, value: string) => {
    row[column] = value;
  };
  switch (kind) {
    case 'yes_no':
      set(pick(random, YES_NO_COLUMNS), pick(random, ['chưa rõ', 'Có thể', '?', 'đang xác minh', '2']));
      return;
    case 'members_negative':
      set(COL.members, pick(random, ['-1', '-3', '-5']));
      return;
    case 'members_fraction':
      set(COL.members, pick(random, ['2,5', '3.5', 'bốn']));
      return;
    case 'birth_letters':
      set(COL.birthYear, pick(random, ['19a5', '196O', 'năm 60', 'không rõ']));
      return;
    case 'birth_range':
      set(COL.birthYear, pick(random, ['1850', '60', '3000']));
      return;
    case 'category':
      set(COL.category, pick(random, ['Hộ khá', 'Trung bình', 'Hộ mới thoát nghèo', 'Hộ khó khăn']));
      return;
    case 'need':
      set(COL.need, pick(random, ['Mua nhà', 'Thuê nhà', 'Chưa có']));
      return;
    case 'required_empty':
      set(pick(random, REQUIRED_COLUMNS), '');
      return;
    case 'area':
      set(COL.area, pick(random, ['khoảng 30', '-20', '0', '25 x 4']));
      return;
    case 'id_number':
      set(COL.idNumber, pick(random, ['0060850A2345', '12345', '1234567890123']));
      return;
  }
}

/**
 * Generates a household list of `count` rows after the header, deterministic for `seed`, with
 * exactly `plantErrors` rows holding exactly one invalid cell each (kinds rotate: bad yes/no,
 * negative or fractional members, letters or an impossible birth year, unknown category or
 * need, an empty required cell, bad area, bad ID number). Every other cell reads back valid.
 * Throws RangeError when `plantErrors` is negative or above `count`.
 */
export function generateHouseholdRows(count: number, opts: GenerateOptions): GeneratedHouseholdRows {
  const plantCount = opts.plantErrors ?? 0;
  if (
    !Number.isInteger(count) ||
    count < 0 ||
    !Number.isInteger(plantCount) ||
    plantCount < 0 ||
    plantCount > count
  ) {
    throw new RangeError(`cannot plant ${plantCount} errors in ${count} rows`);
  }
  const random = mulberry32(opts.seed);
  const data = Array.from({ length: count }, (_, i) => householdRow(random, i));

  // A partial Fisher–Yates shuffle picks the rows; the kinds rotate from a random start.
  const indices = Array.from({ length: count }, (_, i) => i);
  for (let i = 0; i < plantCount; i += 1) {
    const j = integer(random, i, count - 1);
    const a = indices[i] ?? i;
    indices[i] = indices[j] ?? j;
    indices[j] = a;
  }
  const chosen = indices.slice(0, plantCount).sort((a, b) => a - b);
  const firstKind = integer(random, 0, ERROR_KINDS.length - 1);
  chosen.forEach((index, i) => {
    const row = data[index];
    const kind = ERROR_KINDS[(firstKind + i) % ERROR_KINDS.length];
    if (row !== undefined && kind !== undefined) {
      plantError(random, row, kind);
    }
  });
  return { rows: [[...GENERATED_HEADER], ...data], plantedErrorRows: chosen.map((index) => index + 2) };
}

/** Options of `writeCsv`. */
export interface WriteCsvOptions {
  /** Default ','. */
  delimiter?: CsvDelimiter;
  /** Start with a UTF-8 BOM so Excel opens the file as UTF-8; default true. */
  bom?: boolean;
}

/** Writes rows as a CSV file (UTF-8, CRLF, quoting only where needed). */
export async function writeCsv(
  file: string,
  rows: readonly (readonly string[])[],
  opts: WriteCsvOptions = {},
): Promise<void> {
  const text = formatCsv(rows, opts.delimiter ?? ',');
  await writeFile(file, (opts.bom ?? true) ? `\uFEFF${text}` : text, 'utf8');
}

/** Options of `writeXlsx`. */
export interface WriteXlsxOptions {
  /**
   * Store digit-only cells ("1958", "-3", "006085012345") as numbers, the way Excel types
   * what an official enters — leading zeros are lost, as in real files. Default false (all text).
   */
  numericCells?: boolean;
}

const NUMERIC_TEXT = /^-?\d+(?:\.\d+)?$/;

/** Writes rows, starting at A1, to the first worksheet of an XLSX file. */
export async function writeXlsx(
  file: string,
  rows: readonly (readonly string[])[],
  opts: WriteXlsxOptions = {},
): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Danh sách');
  for (const row of rows) {
    sheet.addRow(
      row.map((cell) =>
        cell === '' ? null : opts.numericCells === true && NUMERIC_TEXT.test(cell) ? Number(cell) : cell,
      ),
    );
  }
  await workbook.xlsx.writeFile(file);
}

const USAGE = [
  'Tạo danh sách hộ mẫu (dữ liệu giả) để thử nhập tệp.',
  '',
  'Cách dùng: npx tsx scripts/dev/generate-household-file.ts --out <tệp .csv|.xlsx> [--count N] [--seed N] [--errors N] [--numbers] [--delimiter ";"]',
  '  --count      số hộ (mặc định 100)',
  '  --seed       hạt giống ngẫu nhiên, cùng hạt giống cho cùng dữ liệu (mặc định 1)',
  '  --errors     số dòng cài sẵn đúng một ô sai (mặc định 0)',
  '  --numbers    (xlsx) lưu ô toàn chữ số thành số như Excel — mất số 0 đầu của CCCD',
  '  --delimiter  (csv) dấu phân cách: "," (mặc định), ";" hoặc "tab"',
];

class UsageError extends Error {}

function wholeNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }
  if (!/^\d+$/.test(value)) {
    throw new UsageError(`--${name} phải là số nguyên không âm, nhận được "${value}"`);
  }
  return Number(value);
}

async function main(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parseCliArgs>['values'];
  try {
    ({ values } = parseCliArgs(argv));
  } catch (error) {
    // parseArgs explains in English; name the option it quotes instead.
    const option = error instanceof Error ? (/'([^' ]+)/.exec(error.message)?.[1] ?? '') : '';
    process.stderr.write(`Lỗi: tùy chọn không hợp lệ hoặc thiếu giá trị: ${option}\n${USAGE.join('\n')}\n`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE.join('\n')}\n`);
    return 0;
  }
  try {
    const out = values.out;
    if (out === undefined) {
      throw new UsageError('thiếu --out <tệp .csv hoặc .xlsx>');
    }
    const ext = path.extname(out).toLowerCase();
    if (ext !== '.csv' && ext !== '.xlsx') {
      throw new UsageError(`--out phải là tệp .csv hoặc .xlsx, nhận được "${out}"`);
    }
    const delimiter = values.delimiter === 'tab' ? '\t' : (values.delimiter ?? ',');
    if (delimiter !== ',' && delimiter !== ';' && delimiter !== '\t') {
      throw new UsageError(`--delimiter chỉ nhận ",", ";" hoặc "tab", nhận được "${delimiter}"`);
    }
    const count = wholeNumber('count', values.count, 100);
    const plantErrors = wholeNumber('errors', values.errors, 0);
    if (plantErrors > count) {
      throw new UsageError(`--errors (${plantErrors}) không được lớn hơn --count (${count})`);
    }
    const { rows, plantedErrorRows } = generateHouseholdRows(count, {
      seed: wholeNumber('seed', values.seed, 1),
      plantErrors,
    });
    if (ext === '.csv') {
      await writeCsv(out, rows, { delimiter });
    } else {
      await writeXlsx(out, rows, { numericCells: values.numbers === true });
    }
    process.stdout.write(`Đã ghi ${count} hộ vào ${out}.\n`);
    if (plantedErrorRows.length > 0) {
      process.stdout.write(`Dòng có lỗi cài sẵn: ${plantedErrorRows.join(', ')}\n`);
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`Lỗi: ${error.message}\n${USAGE.join('\n')}\n`);
      return 2;
    }
    throw error;
  }
}

function parseCliArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      count: { type: 'string' },
      seed: { type: 'string' },
      errors: { type: 'string' },
      delimiter: { type: 'string' },
      numbers: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  main(process.argv.slice(2))
    .then((code) => {
      process.exitCode = code;
    })
    .catch((error: unknown) => {
      process.stderr.write(`Lỗi: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    });
}
