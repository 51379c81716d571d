/**
 * Vietnamese-first parsers for what officials type into the chat: counts, money, dates and yes/no.
 *
 * Every parser is total: any string (empty, 5,000 characters, emoji, lone surrogates) yields a
 * `ParseResult`, never an exception, so a flow can always answer "please type it again".
 * Vietnamese conventions win where they clash with English ones: "." groups thousands and ","
 * is the decimal separator ("1.200" = 1200, "12,5" = twelve and a half).
 */

import type { CalendarDate } from './calendar.ts';

export type { CalendarDate };

export type ParseErrorCode =
  | 'empty'
  | 'not_number'
  | 'not_integer'
  | 'negative'
  | 'too_large'
  | 'too_small'
  | 'invalid_date'
  | 'not_date'
  | 'not_yes_no';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: ParseErrorCode };

export interface IntegerOptions {
  /** Smallest accepted value; default 0. A negative input is 'negative' unless `min < 0`. */
  min?: number;
  /** Largest accepted value; default 1,000,000, never above `Number.MAX_SAFE_INTEGER`. */
  max?: number;
}

export interface MoneyOptions {
  /** Largest accepted amount in đồng; default 1,000 tỷ (10^12). */
  max?: bigint;
}

/**
 * Longer inputs are rejected before any regex runs: nobody types a 200-character number,
 * and it keeps every parser cheap on pasted walls of text.
 */
const MAX_INPUT_LENGTH = 200;

const DEFAULT_INTEGER_MAX = 1_000_000;
const DEFAULT_MONEY_MAX = 1_000_000_000_000n;

/** Explicit years outside this window are typos ("15/3/2205"), not campaign dates. */
const MIN_YEAR = 1900;
const MAX_YEAR = 2199;

function ok<T>(value: T): ParseResult<T> {
  return { ok: true, value };
}

function fail<T>(error: ParseErrorCode): ParseResult<T> {
  return { ok: false, error };
}

/**
 * Folds text for matching: lower case, Vietnamese diacritics removed (đ → d), zero-width
 * characters dropped, runs of whitespace collapsed to one space, trimmed.
 * Works on both precomposed and decomposed (tổ hợp) input, so "Đồng Ý" and "dong y" compare equal.
 */
export function normalizeVi(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f\u200b-\u200d\u2060]/g, '')
    .replace(/đ/g, 'd')
    .replace(/\s+/g, ' ')
    .trim()
    .normalize('NFC');
}

/**
 * Zero-width characters and the controls that reorder text (U+200B–U+200F, U+202A–U+202E,
 * U+2066–U+2069, U+FEFF, U+061C): invisible in a chat, they can make a name or a text shown to
 * other people read differently from what was stored ("\u202Egnp.exe").
 */
const HIDDEN_CONTROLS = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u061c]/g;

/** `text` without zero-width and direction control characters (see HIDDEN_CONTROLS). */
export function stripHiddenControls(text: string): string {
  return text.replace(HIDDEN_CONTROLS, '');
}

/** A number split into its integer digits and fraction digits (both ASCII digits only). */
interface Numeral {
  int: string;
  frac: string;
}

/** Digits in groups separated by single ".", "," or " " (the shape of every numeral we accept). */
const NUMERAL_SHAPE = /^\d+(?:[., ]\d+)*$/;

function isThousandsGrouping(parts: readonly string[]): boolean {
  return (
    parts.length >= 2 &&
    parts.every((part, i) => (i === 0 ? part.length >= 1 && part.length <= 3 : part.length === 3))
  );
}

/**
 * Reads a numeral of shape `NUMERAL_SHAPE`, deciding which separators group thousands and
 * which one marks decimals. A single "." followed by exactly three digits always groups
 * ("1.500" = 1500, "1.200 triệu" = 1.2 tỷ as in official documents); a single "," followed by
 * three digits groups only when no unit follows ("1,500" = 1500 but "1,500 tỷ" = 1.5 tỷ).
 * With two kinds of separator the last one, used once, is the decimal mark ("1.500,5", "1,500.5").
 */
function readNumeral(token: string, unitFollows: boolean): Numeral | undefined {
  const parts = token.split(/[., ]/);
  const seps = token.match(/[., ]/g) ?? [];
  const last = seps.at(-1);
  if (last === undefined) {
    return { int: token, frac: '' };
  }
  const kinds = new Set(seps);
  if (kinds.size === 1) {
    if (seps.length > 1) {
      return isThousandsGrouping(parts) ? { int: parts.join(''), frac: '' } : undefined;
    }
    const [head = '', tail = ''] = parts;
    const groups = isThousandsGrouping(parts);
    if (last === ' ') {
      return groups ? { int: head + tail, frac: '' } : undefined;
    }
    if (groups && (last === '.' || !unitFollows)) {
      return { int: head + tail, frac: '' };
    }
    return { int: head, frac: tail };
  }
  if (kinds.size === 2 && last !== ' ') {
    const groupSeps = seps.slice(0, -1);
    const intParts = parts.slice(0, -1);
    if (groupSeps.includes(last) || !isThousandsGrouping(intParts)) {
      return undefined;
    }
    return { int: intParts.join(''), frac: parts.at(-1) ?? '' };
  }
  return undefined;
}

/** NaN (a bad config value) falls back to the default instead of silently disabling a check. */
function optionOr(value: number | undefined, fallback: number): number {
  return value === undefined || Number.isNaN(value) ? fallback : value;
}

/** Count units officials append to a number ("12 hộ", "30 ngày công"); matched after normalizeVi. */
const COUNT_UNIT = /(?<=\d) ?(?:ngay cong|ho gia dinh|can nha|can ho|nguoi|ngay|cong|nha|can|ho)$/;

/**
 * Parses a whole count such as a number of households or work days.
 *
 * Accepts plain digits, Vietnamese grouping ("1.200", "1 200"), English grouping ("1,200") and one
 * trailing unit word ("12 hộ", "5 ngày công", "3 người", "2 căn"). Any decimal part is
 * 'not_integer' ("12,5", "1.5", even "5,0"); exponents and words are 'not_number'.
 * Range: `min` (default 0) and `max` (default 1,000,000, capped at MAX_SAFE_INTEGER); a leading
 * minus is 'negative' while `min >= 0`, otherwise values below `min` are 'too_small'.
 * Never throws.
 */
export function parseInteger(text: string, opts: IntegerOptions = {}): ParseResult<number> {
  if (text.length > MAX_INPUT_LENGTH) {
    return fail('not_number');
  }
  let s = normalizeVi(text);
  if (s === '') {
    return fail('empty');
  }
  s = s.replace(COUNT_UNIT, '');
  const negative = s.startsWith('-') || s.startsWith('\u2212');
  if (negative) {
    s = s.slice(1).trimStart();
  }
  if (!NUMERAL_SHAPE.test(s)) {
    return fail('not_number');
  }
  const numeral = readNumeral(s, false);
  if (numeral === undefined) {
    return fail('not_number');
  }
  if (numeral.frac !== '') {
    return fail('not_integer');
  }
  const min = Math.max(optionOr(opts.min, 0), Number.MIN_SAFE_INTEGER);
  const max = Math.min(optionOr(opts.max, DEFAULT_INTEGER_MAX), Number.MAX_SAFE_INTEGER);
  const magnitude = BigInt(numeral.int);
  if (magnitude === 0n) {
    // "-0" is just zero; avoids handing out a JavaScript -0.
    return 0 < min ? fail('too_small') : 0 > max ? fail('too_large') : ok(0);
  }
  if (negative && min >= 0) {
    return fail('negative');
  }
  if (magnitude > BigInt(Number.MAX_SAFE_INTEGER)) {
    return fail(negative ? 'too_small' : 'too_large');
  }
  const value = negative ? -Number(magnitude) : Number(magnitude);
  if (value < min) {
    return fail('too_small');
  }
  if (value > max) {
    return fail('too_large');
  }
  return ok(value);
}

/** Multipliers, matched after normalizeVi ("tỷ"/"tỉ" → ty/ti, "nghìn"/"ngàn" → nghin/ngan). */
const MONEY_UNITS: Readonly<Record<string, bigint>> = {
  ty: 1_000_000_000n,
  ti: 1_000_000_000n,
  trieu: 1_000_000n,
  tr: 1_000_000n,
  nghin: 1_000n,
  ngan: 1_000n,
  k: 1_000n,
};

/** One trailing currency word or sign: đ, đồng, VNĐ, VND, ₫ (after normalizeVi). */
const CURRENCY_SUFFIX = / ?(?:vnd|dong|d|\u20ab)$/;

/** Numbers, unit words and "rưỡi" (a half), each optionally preceded by one space. */
const MONEY_TOKEN = / ?(?:(\d+(?:[., ]\d+)*)|(ty|ti|trieu|tr|nghin|ngan|k|ruoi)(?![a-z]))/y;

type MoneyToken = { kind: 'number'; text: string } | { kind: 'unit'; multiplier: bigint } | { kind: 'half' };

function tokenizeMoney(s: string): MoneyToken[] | undefined {
  const tokens: MoneyToken[] = [];
  MONEY_TOKEN.lastIndex = 0;
  while (MONEY_TOKEN.lastIndex < s.length) {
    const match = MONEY_TOKEN.exec(s);
    if (match === null) {
      return undefined;
    }
    const [, digits, word] = match;
    if (digits !== undefined) {
      tokens.push({ kind: 'number', text: digits });
    } else if (word === 'ruoi') {
      tokens.push({ kind: 'half' });
    } else {
      tokens.push({ kind: 'unit', multiplier: MONEY_UNITS[word ?? ''] ?? 1n });
    }
  }
  return tokens;
}

/** An exact rational amount `numerator / 10^scale`, so "1,2345 tr" never touches a float. */
interface ScaledAmount {
  numerator: bigint;
  scale: number;
}

function addScaled(sum: ScaledAmount, numerator: bigint, scale: number): ScaledAmount {
  if (scale > sum.scale) {
    return { numerator: sum.numerator * 10n ** BigInt(scale - sum.scale) + numerator, scale };
  }
  return { numerator: sum.numerator + numerator * 10n ** BigInt(sum.scale - scale), scale: sum.scale };
}

/**
 * Evaluates tokens: either one bare numeral (đồng), or segments "N unit" with strictly
 * decreasing units ("1 tỷ 200 triệu"), optionally ended by colloquial digits after the last unit
 * ("7tr5" = 7,5 triệu, "1tr500" = 1,5 triệu, "2 tỷ 3" = 2,3 tỷ) or "rưỡi" ("1 triệu rưỡi").
 * Two trailing digits ("1tr50") are refused as ambiguous.
 */
function evaluateMoney(tokens: readonly MoneyToken[]): ScaledAmount | 'not_number' {
  const [first, second] = tokens;
  if (first?.kind === 'number' && second === undefined) {
    const numeral = readNumeral(first.text, false);
    return numeral === undefined
      ? 'not_number'
      : { numerator: BigInt(numeral.int + numeral.frac), scale: numeral.frac.length };
  }
  let sum: ScaledAmount = { numerator: 0n, scale: 0 };
  let previousUnit: bigint | undefined;
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i];
    const next = tokens[i + 1];
    if (token?.kind === 'number' && next?.kind === 'unit') {
      const numeral = readNumeral(token.text, true);
      const unit = next.multiplier;
      if (numeral === undefined || (previousUnit !== undefined && unit >= previousUnit)) {
        return 'not_number';
      }
      const numerator = BigInt(numeral.int + numeral.frac) * unit;
      const scale = numeral.frac.length;
      // A later segment must fit below the previous unit: "1 tỷ 1500 triệu" is a typo.
      if (previousUnit !== undefined && numerator >= previousUnit * 10n ** BigInt(scale)) {
        return 'not_number';
      }
      sum = addScaled(sum, numerator, scale);
      previousUnit = unit;
      i += 2;
      continue;
    }
    if (previousUnit === undefined || i !== tokens.length - 1 || token === undefined) {
      return 'not_number';
    }
    if (token.kind === 'half') {
      return addScaled(sum, 5n * previousUnit, 1);
    }
    if (token.kind === 'number' && /^(?:\d|\d{3})$/.test(token.text)) {
      return addScaled(sum, BigInt(token.text) * previousUnit, token.text.length);
    }
    return 'not_number';
  }
  return previousUnit === undefined ? 'not_number' : sum;
}

/**
 * Parses an amount of money into whole đồng as a bigint (never a float).
 *
 * Accepts "1500000", "1.500.000", "1,500,000", "1 500 000", with an optional currency suffix
 * (đ, đồng, VNĐ, VND, ₫), multipliers k/nghìn/ngàn, tr/triệu, tỷ/tỉ in any case and with or without
 * diacritics ("60tr", "60 TRIEU", "1,5 tỷ", "2.5tr", "500k"), compound amounts ("1 tỷ 200 triệu")
 * and colloquial tails ("7tr5", "1 triệu rưỡi"). A decimal part is allowed when it still
 * gives whole đồng ("1,2345 tr" = 1,234,500; "0,0000001 tr" is 'not_integer').
 * Errors: 'empty', 'not_number', 'not_integer', 'negative', 'too_large' (above `max`, default
 * 1,000 tỷ). Never throws.
 */
export function parseMoney(text: string, opts: MoneyOptions = {}): ParseResult<bigint> {
  if (text.length > MAX_INPUT_LENGTH) {
    return fail('not_number');
  }
  let s = normalizeVi(text);
  if (s === '') {
    return fail('empty');
  }
  const negative = s.startsWith('-') || s.startsWith('\u2212');
  if (negative) {
    s = s.slice(1).trimStart();
  }
  s = s.replace(CURRENCY_SUFFIX, '');
  const tokens = s === '' ? undefined : tokenizeMoney(s);
  if (tokens === undefined) {
    return fail('not_number');
  }
  const amount = evaluateMoney(tokens);
  if (amount === 'not_number') {
    return fail(amount);
  }
  const divisor = 10n ** BigInt(amount.scale);
  if (amount.numerator % divisor !== 0n) {
    return fail('not_integer');
  }
  const value = amount.numerator / divisor;
  if (negative && value > 0n) {
    return fail('negative');
  }
  if (value > (opts.max ?? DEFAULT_MONEY_MAX)) {
    return fail('too_large');
  }
  return ok(value);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    return isLeapYear(year) ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function calendarDate(year: number, month: number, day: number): ParseResult<CalendarDate> {
  const valid =
    Number.isInteger(year) &&
    year >= MIN_YEAR &&
    year <= MAX_YEAR &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month);
  return valid ? ok({ year, month, day }) : fail('invalid_date');
}

/** "2025-03-15", also with "/" or "." as long as the year comes first and has four digits. */
const ISO_DATE = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/;
/** "15/3", "15/03/2025", "15-3-2025", "15.3.2025", "15/3/25": one separator kind throughout. */
const NUMERIC_DATE = /^(\d{1,2}) ?([-/.]) ?(\d{1,2})(?: ?\2 ?(\d{4}|\d{2}))?$/;
/** "15 tháng 3", "15 tháng 3 năm 2025", "15 thg 3, 2025" (the "ngày" prefix is removed first). */
const WORDED_DATE = /^(\d{1,2}) ?(?:thang|thg) ?(\d{1,2})(?:(?:[ ,]+(?:nam ?)?| ?nam ?)(\d{4}))?$/;

/**
 * Parses a calendar date typed day-first, the Vietnamese way.
 *
 * Accepts "15/3" (year taken from `ref.year`), "15/03/2025", "15-3-2025", "15.3.2025",
 * "15/3/25" (two-digit years are 20xx), "ngày 15 tháng 3 năm 2025" (with or without diacritics)
 * and ISO "2025-03-15". The result is checked against the real calendar (leap years included);
 * years must lie in 1900..2199.
 * Errors: 'empty', 'not_date' (not shaped like a date), 'invalid_date' (shaped like one but not
 * a real day, e.g. "30/2" or "15/13"). Never throws.
 */
export function parseDate(text: string, ref: { year: number }): ParseResult<CalendarDate> {
  if (text.length > MAX_INPUT_LENGTH) {
    return fail('not_date');
  }
  const s = normalizeVi(text).replace(/^ngay ?/, '');
  if (s === '') {
    return normalizeVi(text) === '' ? fail('empty') : fail('not_date');
  }
  const iso = ISO_DATE.exec(s);
  if (iso !== null) {
    return calendarDate(Number(iso[1]), Number(iso[3]), Number(iso[4]));
  }
  const numeric = NUMERIC_DATE.exec(s);
  const worded = numeric === null ? WORDED_DATE.exec(s) : null;
  const [day, month, year] =
    numeric !== null ? [numeric[1], numeric[3], numeric[4]] : (worded?.slice(1) ?? []);
  if (day === undefined || month === undefined) {
    return fail('not_date');
  }
  let fullYear = ref.year;
  if (year !== undefined) {
    fullYear = year.length === 2 ? 2000 + Number(year) : Number(year);
  }
  return calendarDate(fullYear, Number(month), Number(day));
}

const YES_WORDS: ReadonlySet<string> = new Set([
  'co',
  'c',
  'yes',
  'y',
  'ok',
  'oke',
  'okay',
  'dong y',
  'dung',
  'dung roi',
  'u',
  'uh',
  'vang',
  'da',
  'da co',
  'da vang',
  'da dung',
]);

const NO_WORDS: ReadonlySet<string> = new Set([
  'khong',
  'kh',
  'k',
  'ko',
  'kg',
  'hong',
  'no',
  'n',
  'sai',
  'khong co',
  'khong dung',
  'khong dong y',
  'da khong',
]);

/**
 * Parses a yes/no answer. Yes: có, c, yes, y, ok, đồng ý, đúng, ừ, vâng, dạ…; no: không, k, ko,
 * no, n, sai, hông…. Case, diacritics, punctuation, emoji and the polite particles "ạ", "nhé",
 * "nha" are ignored ("Có ạ!" is yes). Digits are not answers ("1" is 'not_yes_no').
 * Never throws.
 */
export function parseYesNo(text: string): ParseResult<boolean> {
  if (text.length > MAX_INPUT_LENGTH) {
    return fail('not_yes_no');
  }
  if (normalizeVi(text) === '') {
    return fail('empty');
  }
  const words = normalizeVi(text.replace(/[^\p{L}\p{N}\p{M}\s]/gu, ' ')).replace(/(?: (?:a|nhe|nha))+$/, '');
  if (YES_WORDS.has(words)) {
    return ok(true);
  }
  if (NO_WORDS.has(words)) {
    return ok(false);
  }
  return fail('not_yes_no');
}

/**
 * A Vietnamese phone number as the person may type it ("0912 345 678", "+84 912.345.678",
 * "84912345678") → "0912345678"; undefined when it is not one (10 digits for mobiles, 11 for the
 * old landlines, always starting with 0 once normalised).
 */
export function parsePhone(text: string): string | undefined {
  if (text.length > 40) {
    return undefined;
  }
  const compact = text.replace(/[\s.\-()]/g, '');
  const digits = compact.replace(/^\+?84/, '0');
  return /^0\d{9,10}$/.test(digits) ? digits : undefined;
}
