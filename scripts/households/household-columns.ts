/**
 * The columns of a household list as officials keep it in Excel: which headers name which field,
 * the Vietnamese labels the export writes, and the conversion of one cell into a typed value or
 * a Vietnamese error. Cell level only — whether a household as a whole is valid is decided above
 * this layer.
 */

import type { CategoryChoice } from '../../core/households/household.ts';
import { normalizeVi, parseInteger, parseYesNo } from '../../core/shared/parse.ts';

/** Household category ("Diện"). */
export type HouseholdCategory = 'poor' | 'near_poor' | 'merit' | 'other';

/** What the household needs ("Nhu cầu"). */
export type HouseholdNeed = 'new_build' | 'repair';

/** Every value a household row can carry, each converted from one cell. */
export interface RawHouseholdValues {
  code: string;
  village: string;
  headName: string;
  birthYear: number;
  idNumber: string;
  /** A category code: the built-in four's, or the campaign's own (`categories` of the reader). */
  category: string;
  need: HouseholdNeed;
  foundationDurable: boolean;
  frameDurable: boolean;
  roofDurable: boolean;
  area: number;
  members: number;
  landLegal: boolean;
  landUndisputed: boolean;
  outsideLandslideZone: boolean;
  confirmedByCommune: boolean;
  supportedBefore: string;
}

/** The name of a household field. */
export type HouseholdField = keyof RawHouseholdValues;

/**
 * A cell as read from a file, before conversion: CSV gives strings; XLSX also numbers, booleans,
 * dates and formula errors. An empty cell is `undefined`.
 */
export type SheetCell = string | number | boolean | Date | FormulaErrorCell;

/** A formula whose result is an Excel error such as `#N/A` or `#DIV/0!`. */
export interface FormulaErrorCell {
  formulaError: string;
}

/** A cell that could not be converted: the Vietnamese explanation and, when useful, a fix. */
export interface CellProblem {
  message: string;
  suggestion?: string;
}

/** The outcome of converting one non-empty cell. */
export type Conversion<T> = { ok: true; value: T } | ({ ok: false } & CellProblem);

interface FieldSpec<K extends HouseholdField> {
  /** The header the export writes (and the first one accepted). */
  label: string;
  /** Further accepted headers, compared with `headerKey`. */
  aliases: readonly string[];
  /** `{ ok: true, value: undefined }` means the cell says "nothing" and the field stays absent. */
  convert: (
    cell: SheetCell,
    header: string,
    categories?: readonly CategoryChoice[],
  ) => Conversion<RawHouseholdValues[K] | undefined>;
  /** Suggestion for an empty cell in a required column. */
  fillHint: string;
}

/** Required fields: a list without one of these columns cannot be imported as is. */
export const REQUIRED_FIELDS: readonly HouseholdField[] = [
  'code',
  'village',
  'headName',
  'category',
  'need',
  'foundationDurable',
  'frameDurable',
  'roofDurable',
  'members',
  'landLegal',
  'landUndisputed',
  'outsideLandslideZone',
  'confirmedByCommune',
];

/** Vietnamese labels of the categories, as the export writes them (and the reader accepts). */
export const CATEGORY_LABELS: Readonly<Record<HouseholdCategory, string>> = {
  poor: 'Hộ nghèo',
  near_poor: 'Hộ cận nghèo',
  merit: 'Người có công',
  other: 'Khác',
};

/** Vietnamese labels of the needs, as the export writes them (and the reader accepts). */
export const NEED_LABELS: Readonly<Record<HouseholdNeed, string>> = {
  new_build: 'Xây mới',
  repair: 'Sửa chữa',
};

/**
 * Folds a header or a coded cell for comparison: normalizeVi (case, diacritics, spaces) after
 * compatibility folding ("m²" → "m2"), then every run of punctuation becomes one space, so
 * "Thôn/Tổ", "Thôn, tổ" and "THON  TO" all give "thon to".
 */
export function headerKey(text: string): string {
  return normalizeVi(text.normalize('NFKC'))
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** How much of a bad value an error message quotes. */
const MAX_QUOTED = 40;

/** A cell shown back to the official inside an error message. */
export function describeCell(cell: SheetCell): string {
  let text: string;
  if (cell instanceof Date) {
    text = formatDayMonthYear(cell);
  } else if (typeof cell === 'object') {
    text = cell.formulaError;
  } else if (typeof cell === 'boolean') {
    text = cell ? 'TRUE' : 'FALSE';
  } else {
    text = String(cell);
  }
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED - 1)}…` : text;
}

function formatDayMonthYear(date: Date): string {
  const dd = String(date.getUTCDate()).padStart(2, '0');
  const mm = String(date.getUTCMonth() + 1).padStart(2, '0');
  return `${dd}/${mm}/${date.getUTCFullYear()}`;
}

function ok<T>(value: T): Conversion<T> {
  return { ok: true, value };
}

function problem<T>(message: string, suggestion?: string): Conversion<T> {
  return suggestion === undefined ? { ok: false, message } : { ok: false, message, suggestion };
}

/** "(ô đang ghi "…")", appended to every message about a value. */
function shown(cell: SheetCell): string {
  return `(ô đang ghi "${describeCell(cell)}")`;
}

/** A number as Excel shows it, without binary noise (0.1 + 0.2 → "0.3"). */
function cleanNumber(value: number): number {
  return Number(value.toPrecision(15));
}

const DATE_CELL_HINT = 'Định dạng ô là Số (Number) hoặc Văn bản (Text) rồi nhập lại';

function dateNotNumber<T>(what: string, cell: SheetCell): Conversion<T> {
  return problem(`${what} đang ở dạng ngày tháng, không phải số ${shown(cell)}`, DATE_CELL_HINT);
}

function convertText(cell: SheetCell): Conversion<string> {
  if (cell instanceof Date) {
    return ok(formatDayMonthYear(cell));
  }
  if (typeof cell === 'object') {
    return problem(`Ô có lỗi công thức ${cell.formulaError}`, 'Sửa công thức hoặc nhập trực tiếp giá trị');
  }
  if (typeof cell === 'boolean') {
    return ok(cell ? 'Có' : 'Không');
  }
  if (typeof cell === 'number') {
    return ok(String(cleanNumber(cell)));
  }
  return ok(cell.normalize('NFC').replace(/\s+/g, ' ').trim());
}

const YES_MARKS: ReadonlySet<string> = new Set(['x', '1', 'true', '✓', '✔', '☑']);
const NO_MARKS: ReadonlySet<string> = new Set(['0', 'false']);
const YES_NO_HINT = 'Ghi "Có" hoặc "Không"';

function convertYesNo(cell: SheetCell): Conversion<boolean> {
  if (typeof cell === 'boolean') {
    return ok(cell);
  }
  if (typeof cell === 'number') {
    if (cell === 1 || cell === 0) {
      return ok(cell === 1);
    }
    return problem(`Chỉ được ghi Có hoặc Không ${shown(cell)}`, YES_NO_HINT);
  }
  if (typeof cell !== 'string') {
    return problem(`Chỉ được ghi Có hoặc Không ${shown(cell)}`, YES_NO_HINT);
  }
  const key = normalizeVi(cell);
  if (YES_MARKS.has(key)) {
    return ok(true);
  }
  if (NO_MARKS.has(key)) {
    return ok(false);
  }
  const parsed = parseYesNo(cell);
  return parsed.ok ? ok(parsed.value) : problem(`Chỉ được ghi Có hoặc Không ${shown(cell)}`, YES_NO_HINT);
}

const CATEGORY_WORDS: ReadonlyMap<string, HouseholdCategory> = new Map([
  ...['ngheo', 'ho ngheo', 'hn', 'poor'].map((w) => [w, 'poor'] as const),
  ...['can ngheo', 'ho can ngheo', 'hcn', 'near poor'].map((w) => [w, 'near_poor'] as const),
  ...[
    'co cong',
    'nguoi co cong',
    'ho co cong',
    'gia dinh co cong',
    'ncc',
    'nguoi co cong voi cach mang',
    'ho co cong voi cach mang',
    'gia dinh co cong voi cach mang',
    'merit',
  ].map((w) => [w, 'merit'] as const),
  ...['khac', 'doi tuong khac', 'ho khac', 'other'].map((w) => [w, 'other'] as const),
]);

const CATEGORY_HINT = `Ghi một trong: ${Object.values(CATEGORY_LABELS).join(', ')} (hoặc HN, HCN, NCC)`;

/**
 * A category cell: the built-in words (HN, hộ cận nghèo, …); with a campaign's `categories`, also
 * their labels and codes as written, and only the campaign's categories are accepted.
 */
function convertCategory(
  cell: SheetCell,
  _header: string,
  categories?: readonly CategoryChoice[],
): Conversion<string> {
  const key = typeof cell === 'string' ? headerKey(cell) : undefined;
  const builtIn = key === undefined ? undefined : CATEGORY_WORDS.get(key);
  if (categories === undefined) {
    return builtIn === undefined
      ? problem(`Diện hộ không hợp lệ ${shown(cell)}`, CATEGORY_HINT)
      : ok(builtIn);
  }
  const own = categories.find((c) => headerKey(c.label) === key || headerKey(c.code) === key);
  const code = own?.code ?? categories.find((c) => c.code === builtIn)?.code;
  return code === undefined
    ? problem(
        `Diện hộ không hợp lệ ${shown(cell)}`,
        `Ghi một trong các diện của đợt vận động: ${categories.map((c) => c.label).join(', ')}`,
      )
    : ok(code);
}

const NEED_WORDS: ReadonlyMap<string, HouseholdNeed> = new Map([
  ...['xay moi', 'xm', 'lam moi', 'xay dung moi', 'lam nha moi', 'xay nha moi', 'new build'].map(
    (w) => [w, 'new_build'] as const,
  ),
  ...['sua chua', 'sc', 'sua nha', 'sua chua nha', 'repair'].map((w) => [w, 'repair'] as const),
]);

const NEED_HINT = 'Ghi "Xây mới" (XM) hoặc "Sửa chữa" (SC)';

function convertNeed(cell: SheetCell): Conversion<HouseholdNeed> {
  const need = typeof cell === 'string' ? NEED_WORDS.get(headerKey(cell)) : undefined;
  return need === undefined ? problem(`Nhu cầu hỗ trợ không hợp lệ ${shown(cell)}`, NEED_HINT) : ok(need);
}

const MIN_BIRTH_YEAR = 1900;
const BIRTH_YEAR_HINT = 'Ghi năm sinh đủ 4 chữ số, ví dụ 1965';
/** "15/03/1960", "15-3-1960", "1960-03-15": a full birth date typed as text. */
const TEXT_DATE = /^(?:\d{1,2}[/.-]\d{1,2}[/.-](\d{4})|(\d{4})[/.-]\d{1,2}[/.-]\d{1,2})$/;
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;

function checkBirthYear(year: number, cell: SheetCell): Conversion<number> {
  const maxYear = new Date().getUTCFullYear();
  if (!Number.isInteger(year)) {
    return problem(`Năm sinh phải là số nguyên ${shown(cell)}`, BIRTH_YEAR_HINT);
  }
  if (year < MIN_BIRTH_YEAR || year > maxYear) {
    return problem(`Năm sinh phải trong khoảng ${MIN_BIRTH_YEAR}–${maxYear} ${shown(cell)}`, BIRTH_YEAR_HINT);
  }
  return ok(year);
}

function convertBirthYear(cell: SheetCell): Conversion<number> {
  if (cell instanceof Date) {
    // A year typed into a date-formatted cell: Excel shows serial 1960 as 13/05/1905.
    const serial = (cell.getTime() - EXCEL_EPOCH_MS) / DAY_MS;
    if (Number.isInteger(serial) && serial >= MIN_BIRTH_YEAR && serial <= 2100) {
      return checkBirthYear(serial, cell);
    }
    return checkBirthYear(cell.getUTCFullYear(), cell);
  }
  if (typeof cell === 'number') {
    return checkBirthYear(cleanNumber(cell), cell);
  }
  if (typeof cell !== 'string') {
    return problem(`Năm sinh không phải là số ${shown(cell)}`, BIRTH_YEAR_HINT);
  }
  const date = TEXT_DATE.exec(cell.trim());
  if (date !== null) {
    return checkBirthYear(Number(date[1] ?? date[2]), cell);
  }
  if (!/^\s*-?\d+\s*$/.test(cell)) {
    return problem(`Năm sinh phải là số, không có chữ hay dấu ${shown(cell)}`, BIRTH_YEAR_HINT);
  }
  return checkBirthYear(Number(cell.trim()), cell);
}

const MAX_MEMBERS = 99;
const MEMBERS_HINT = 'Ghi số người trong hộ, ví dụ 4';

function checkMembers(value: number, cell: SheetCell): Conversion<number> {
  if (value < 0) {
    return problem(`Số nhân khẩu không được là số âm ${shown(cell)}`, MEMBERS_HINT);
  }
  if (!Number.isInteger(value)) {
    return problem(`Số nhân khẩu phải là số nguyên ${shown(cell)}`, MEMBERS_HINT);
  }
  if (value < 1) {
    return problem(`Số nhân khẩu phải từ 1 trở lên ${shown(cell)}`, MEMBERS_HINT);
  }
  if (value > MAX_MEMBERS) {
    return problem(`Số nhân khẩu quá lớn (tối đa ${MAX_MEMBERS}) ${shown(cell)}`, MEMBERS_HINT);
  }
  return ok(value);
}

function convertMembers(cell: SheetCell): Conversion<number> {
  if (cell instanceof Date) {
    return dateNotNumber('Số nhân khẩu', cell);
  }
  if (typeof cell === 'number') {
    return checkMembers(cleanNumber(cell), cell);
  }
  if (typeof cell !== 'string') {
    return problem(`Số nhân khẩu không phải là số ${shown(cell)}`, MEMBERS_HINT);
  }
  const parsed = parseInteger(cell, { min: 1, max: MAX_MEMBERS });
  if (parsed.ok) {
    return ok(parsed.value);
  }
  switch (parsed.error) {
    case 'negative':
      return problem(`Số nhân khẩu không được là số âm ${shown(cell)}`, MEMBERS_HINT);
    case 'not_integer':
      return problem(`Số nhân khẩu phải là số nguyên ${shown(cell)}`, MEMBERS_HINT);
    case 'too_small':
      return problem(`Số nhân khẩu phải từ 1 trở lên ${shown(cell)}`, MEMBERS_HINT);
    case 'too_large':
      return problem(`Số nhân khẩu quá lớn (tối đa ${MAX_MEMBERS}) ${shown(cell)}`, MEMBERS_HINT);
    default:
      return problem(`Số nhân khẩu không phải là số ${shown(cell)}`, MEMBERS_HINT);
  }
}

const AREA_HINT = 'Ghi số mét vuông, ví dụ 25,5';
/** "25", "25,5", "25.5", optionally followed by m2 / m² / mét vuông; "-" allowed to report it. */
const AREA_TEXT = /^(-?)(\d+)(?:[.,](\d+))?(?: ?(?:m2|met vuong|m))?$/;

function checkArea(value: number, cell: SheetCell): Conversion<number> {
  if (!Number.isFinite(value) || value <= 0) {
    return problem(`Diện tích phải lớn hơn 0 ${shown(cell)}`, AREA_HINT);
  }
  return ok(cleanNumber(value));
}

function convertArea(cell: SheetCell): Conversion<number> {
  if (cell instanceof Date) {
    return dateNotNumber('Diện tích', cell);
  }
  if (typeof cell === 'number') {
    return checkArea(cell, cell);
  }
  if (typeof cell !== 'string') {
    return problem(`Diện tích không phải là số ${shown(cell)}`, AREA_HINT);
  }
  const match = AREA_TEXT.exec(normalizeVi(cell.normalize('NFKC')));
  if (match === null) {
    return problem(`Diện tích không phải là số ${shown(cell)}`, AREA_HINT);
  }
  const [, sign = '', int = '', frac] = match;
  return checkArea(Number(`${sign}${int}${frac === undefined ? '' : `.${frac}`}`), cell);
}

const ID_HINT =
  'Ghi đủ 12 chữ số của CCCD (hoặc 9 chữ số CMND cũ); để Excel giữ số 0 đầu, định dạng ô là Văn bản (Text)';

/**
 * Restores the leading zeros Excel drops when it turns an ID into a number. Every CCCD starts
 * with a 0 (province codes run 001–096) and has 12 digits, so 10 or 11 digits without a leading
 * 0 lost one or two zeros; an 8-digit number under a CMND header lost the 0 of a 9-digit CMND.
 */
function restoreIdZeros(digits: string, header: string): string {
  const key = headerKey(header);
  if ((digits.length === 10 || digits.length === 11) && !digits.startsWith('0')) {
    return digits.padStart(12, '0');
  }
  if (digits.length === 8 && key.includes('cmnd')) {
    return digits.padStart(9, '0');
  }
  return digits;
}

function convertIdNumber(cell: SheetCell, header: string): Conversion<string> {
  let digits: string;
  if (typeof cell === 'number') {
    if (!Number.isSafeInteger(cell) || cell < 0) {
      return problem(`Số CCCD/CMND chỉ được gồm chữ số ${shown(cell)}`, ID_HINT);
    }
    digits = String(cell);
  } else if (typeof cell === 'string') {
    // Spaces, dots and dashes are grouping; a leading apostrophe is Excel's "keep as text" mark.
    digits = cell.replace(/^'/, '').replace(/[\s.-]/g, '');
    if (!/^\d+$/.test(digits)) {
      return problem(`Số CCCD/CMND chỉ được gồm chữ số ${shown(cell)}`, ID_HINT);
    }
  } else {
    return problem(`Số CCCD/CMND chỉ được gồm chữ số ${shown(cell)}`, ID_HINT);
  }
  const restored = restoreIdZeros(digits, header);
  if (restored.length !== 12 && restored.length !== 9) {
    return problem(
      `Số CCCD phải có 12 chữ số (CMND cũ: 9 chữ số), ô đang có ${restored.length} chữ số ${shown(cell)}`,
      ID_HINT,
    );
  }
  return ok(restored);
}

/** "Chưa", "Chưa được hỗ trợ", "-": the household has not been supported before. */
const NOT_SUPPORTED: ReadonlySet<string> = new Set([
  'chua',
  'chua duoc ho tro',
  'chua ho tro',
  'khong duoc ho tro',
  'khong co',
  '',
]);

/**
 * The programme that supported the household before. A "no" ("Không", "Chưa", "0", "-") leaves
 * the field absent — it means not supported, not a programme called "Không"; a bare "yes"
 * ("Có", "x", "1") becomes "Có"; anything else is kept as text.
 */
function convertSupportedBefore(cell: SheetCell): Conversion<string | undefined> {
  if (typeof cell === 'boolean' || cell === 0 || cell === 1) {
    return ok(cell === true || cell === 1 ? 'Có' : undefined);
  }
  if (typeof cell === 'string') {
    if (NOT_SUPPORTED.has(headerKey(cell))) {
      return ok(undefined);
    }
    const answer = convertYesNo(cell);
    if (answer.ok) {
      return ok(answer.value ? 'Có' : undefined);
    }
  }
  return convertText(cell);
}

const YES_NO_FILL = 'Ghi "Có" hoặc "Không"';

/** Every field: its export label, the other headers accepted, and its cell conversion. */
export const FIELD_SPECS: { readonly [K in HouseholdField]: FieldSpec<K> } = {
  code: {
    label: 'Mã hộ',
    aliases: ['Ma ho', 'Mã', 'Code', 'Mã số hộ', 'Mã hộ gia đình'],
    convert: convertText,
    fillHint: 'Ghi mã hộ',
  },
  village: {
    label: 'Thôn/Tổ',
    aliases: ['Thôn', 'Thôn, tổ', 'Tổ dân phố', 'Bản', 'Xóm', 'Thôn/Bản', 'Thôn, bản', 'Thôn/Tổ dân phố'],
    convert: convertText,
    fillHint: 'Ghi tên thôn, tổ dân phố',
  },
  headName: {
    label: 'Họ tên chủ hộ',
    aliases: ['Chủ hộ', 'Họ và tên chủ hộ', 'Họ và tên', 'Họ tên', 'Tên chủ hộ'],
    convert: convertText,
    fillHint: 'Ghi họ và tên chủ hộ',
  },
  birthYear: {
    label: 'Năm sinh',
    aliases: ['Năm sinh chủ hộ'],
    convert: convertBirthYear,
    fillHint: BIRTH_YEAR_HINT,
  },
  idNumber: {
    label: 'Số CCCD',
    aliases: ['CCCD', 'CMND', 'Số CMND/CCCD', 'Số định danh', 'Số CMND', 'CMND/CCCD', 'Số định danh cá nhân'],
    convert: convertIdNumber,
    fillHint: ID_HINT,
  },
  category: {
    label: 'Diện',
    aliases: ['Đối tượng', 'Phân loại', 'Diện hộ', 'Phân loại hộ'],
    convert: convertCategory,
    fillHint: CATEGORY_HINT,
  },
  need: {
    label: 'Nhu cầu',
    aliases: ['Hình thức hỗ trợ', 'Xây mới/Sửa chữa', 'Nhu cầu hỗ trợ'],
    convert: convertNeed,
    fillHint: NEED_HINT,
  },
  foundationDurable: {
    label: 'Nền móng bền chắc',
    aliases: ['Nền - móng bền chắc', 'Nền móng bền vững', 'Nền móng cứng'],
    convert: convertYesNo,
    fillHint: YES_NO_FILL,
  },
  frameDurable: {
    label: 'Khung tường bền chắc',
    aliases: ['Khung - tường bền chắc', 'Khung tường bền vững', 'Khung tường cứng'],
    convert: convertYesNo,
    fillHint: YES_NO_FILL,
  },
  roofDurable: {
    label: 'Mái bền chắc',
    aliases: ['Mái nhà bền chắc', 'Mái bền vững', 'Mái cứng'],
    convert: convertYesNo,
    fillHint: YES_NO_FILL,
  },
  area: {
    label: 'Diện tích (m2)',
    aliases: ['Diện tích', 'Diện tích (m²)', 'Diện tích nhà'],
    convert: convertArea,
    fillHint: AREA_HINT,
  },
  members: {
    label: 'Số nhân khẩu',
    aliases: ['Nhân khẩu', 'Số người', 'Số khẩu'],
    convert: convertMembers,
    fillHint: MEMBERS_HINT,
  },
  landLegal: {
    label: 'Đất hợp pháp',
    aliases: [],
    convert: convertYesNo,
    fillHint: YES_NO_FILL,
  },
  landUndisputed: {
    label: 'Không tranh chấp',
    aliases: ['Đất không tranh chấp'],
    convert: convertYesNo,
    fillHint: YES_NO_FILL,
  },
  outsideLandslideZone: {
    label: 'Ngoài vùng sạt lở',
    aliases: ['Không thuộc vùng sạt lở'],
    convert: convertYesNo,
    fillHint: YES_NO_FILL,
  },
  confirmedByCommune: {
    label: 'UBND xã, phường xác nhận',
    aliases: ['Xã xác nhận', 'UBND xã xác nhận', 'Đã xác nhận'],
    convert: convertYesNo,
    fillHint: YES_NO_FILL,
  },
  supportedBefore: {
    label: 'Đã được hỗ trợ',
    aliases: ['Đã hỗ trợ (chương trình)', 'Đã hỗ trợ'],
    convert: convertSupportedBefore,
    fillHint: 'Ghi tên chương trình đã hỗ trợ; bỏ trống nếu chưa được hỗ trợ',
  },
};

/** Fields in the order the export writes them. */
export const HOUSEHOLD_FIELDS = Object.keys(FIELD_SPECS) as HouseholdField[];

/** Headers of the running-number column, which carries no household data. */
const ORDINAL_KEYS: ReadonlySet<string> = new Set(['stt', 'tt', 'so tt', 'so thu tu']);

const FIELD_BY_KEY: ReadonlyMap<string, HouseholdField> = new Map(
  HOUSEHOLD_FIELDS.flatMap((field) => {
    const spec = FIELD_SPECS[field];
    return [spec.label, ...spec.aliases].map((header) => [headerKey(header), field] as const);
  }),
);

/** The field a header names, 'ordinal' for the STT column, undefined for anything else. */
export function classifyHeader(header: string): HouseholdField | 'ordinal' | undefined {
  const key = headerKey(header);
  return ORDINAL_KEYS.has(key) ? 'ordinal' : FIELD_BY_KEY.get(key);
}

/** Converts one non-empty cell of `field`; `header` is the column's header as written. */
export function convertCell<K extends HouseholdField>(
  field: K,
  cell: SheetCell,
  header: string,
  categories?: readonly CategoryChoice[],
): Conversion<RawHouseholdValues[K] | undefined> {
  const spec: FieldSpec<K> = FIELD_SPECS[field];
  return spec.convert(cell, header, categories);
}

/** The problem reported for an empty cell in a required column. */
export function emptyRequiredProblem(field: HouseholdField): CellProblem {
  return {
    message: 'Ô bị bỏ trống nhưng đây là thông tin bắt buộc',
    suggestion: FIELD_SPECS[field].fillHint,
  };
}
