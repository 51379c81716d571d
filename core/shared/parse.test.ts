import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDate, formatDateLong, formatInteger, formatMoney } from './format.ts';
import type { CalendarDate, ParseErrorCode, ParseResult } from './parse.ts';
import { normalizeVi, parseDate, parseInteger, parseMoney, parseYesNo } from './parse.ts';

const RUNS = { numRuns: 1000 };

const ERROR_CODES: readonly ParseErrorCode[] = [
  'empty',
  'not_number',
  'not_integer',
  'negative',
  'too_large',
  'too_small',
  'invalid_date',
  'not_date',
  'not_yes_no',
];

/** The result is exactly one of the two union shapes, with a known error code. */
function expectShape<T>(result: ParseResult<T>, checkValue: (value: T) => boolean): void {
  if (result.ok) {
    expect(Object.keys(result).sort()).toEqual(['ok', 'value']);
    expect(checkValue(result.value)).toBe(true);
  } else {
    expect(Object.keys(result).sort()).toEqual(['error', 'ok']);
    expect(ERROR_CODES).toContain(result.error);
  }
}

function isRealDate(d: CalendarDate): boolean {
  const utc = new Date(Date.UTC(d.year, d.month - 1, d.day));
  return utc.getUTCFullYear() === d.year && utc.getUTCMonth() === d.month - 1 && utc.getUTCDate() === d.day;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Any real calendar date in 2000..2099. */
const dateArb: fc.Arbitrary<CalendarDate> = fc
  .record({
    year: fc.integer({ min: 2000, max: 2099 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
  })
  .map(({ year, month, day }) => {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    const last = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 31);
    return { year, month, day: Math.min(day, last) };
  });

/** Strings assembled from the pieces the parsers actually look at, to reach deep branches. */
const vietnameseishArb = fc
  .array(
    fc.constantFrom(
      '0',
      '1',
      '12',
      '200',
      '500',
      '1.500',
      '.',
      ',',
      ' ',
      '-',
      '/',
      'tr',
      'triệu',
      'tỷ',
      'tỉ',
      'k',
      'nghìn',
      'rưỡi',
      'đ',
      'đồng',
      'VNĐ',
      '₫',
      'hộ',
      'ngày',
      'tháng',
      'năm',
      'ngày công',
      'có',
      'không',
      'ạ',
      '!',
      '😀',
      '\ud800',
      '\u0301',
      '"',
      ';',
    ),
    { maxLength: 12 },
  )
  .map((pieces) => pieces.join(''));

const anyStringArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  vietnameseishArb,
  fc.string({ minLength: 190, maxLength: 5000 }),
);

describe('normalizeVi', () => {
  it.each([
    ['  Đồng   Ý  ', 'dong y'],
    ['Tiếng Việt', 'tieng viet'],
    ['ĐÃ XÂY XONG', 'da xay xong'],
    ['Nhà\u00a0ở\tmới\n', 'nha o moi'],
    // Decomposed input (some Windows keyboards) folds the same as precomposed.
    ['co\u0301', 'co'],
    ['zero\u200bwidth', 'zerowidth'],
    ['', ''],
  ])('normalizeVi(%j) → %j', (input, expected) => {
    expect(normalizeVi(input)).toBe(expected);
  });
});

describe('parseInteger', () => {
  it.each([
    ['12', 12],
    [' 12 ', 12],
    ['0', 0],
    ['1.200', 1200],
    ['1 200', 1200],
    ['1,200', 1200],
    ['1.000.000', 1_000_000],
    ['12 hộ', 12],
    ['12hộ', 12],
    ['3 nhà', 3],
    ['2 căn', 2],
    ['7 ngày', 7],
    ['5 ngày công', 5],
    ['4 người', 4],
    ['12 HỘ', 12],
    ['12 ho', 12],
    ['5 NGAY CONG', 5],
    ['-0', 0],
  ])('parseInteger(%j) → %d', (input, expected) => {
    expect(parseInteger(input)).toEqual({ ok: true, value: expected });
  });

  it.each<[string, ParseErrorCode]>([
    ['', 'empty'],
    ['   ', 'empty'],
    ['12,5', 'not_integer'],
    ['1.5', 'not_integer'],
    ['5,0', 'not_integer'],
    ['-5', 'negative'],
    ['abc', 'not_number'],
    ['1e9', 'not_number'],
    ['12 con mèo', 'not_number'],
    ['1.2.3', 'not_number'],
    ['12 5', 'not_number'],
    ['hộ', 'not_number'],
    ['1000001', 'too_large'],
    ['9007199254740993', 'too_large'],
    ['x'.repeat(201), 'not_number'],
    ['1'.repeat(5000), 'not_number'],
  ])('parseInteger(%j) → error %s', (input, error) => {
    expect(parseInteger(input)).toEqual({ ok: false, error });
  });

  it.each<[string, { min?: number; max?: number }, ParseResult<number>]>([
    ['-5', { min: -10 }, { ok: true, value: -5 }],
    ['-50', { min: -10 }, { ok: false, error: 'too_small' }],
    ['3', { min: 5 }, { ok: false, error: 'too_small' }],
    ['11', { max: 10 }, { ok: false, error: 'too_large' }],
    ['10', { max: 10 }, { ok: true, value: 10 }],
    ['9007199254740991', { max: Number.POSITIVE_INFINITY }, { ok: true, value: Number.MAX_SAFE_INTEGER }],
    ['9007199254740992', { max: Number.POSITIVE_INFINITY }, { ok: false, error: 'too_large' }],
    ['2000000', { max: Number.NaN }, { ok: false, error: 'too_large' }],
  ])('parseInteger(%j, %o) → %o', (input, opts, expected) => {
    expect(parseInteger(input, opts)).toEqual(expected);
  });

  it('never throws and returns a well-formed result for any string', () => {
    fc.assert(
      fc.property(anyStringArb, (text) => {
        expectShape(parseInteger(text), (n) => Number.isSafeInteger(n) && n >= 0 && n <= 1_000_000);
      }),
      RUNS,
    );
  });

  it('round-trips formatInteger for every count 0..1,000,000', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (n) => {
        expect(parseInteger(formatInteger(n))).toEqual({ ok: true, value: n });
        expect(parseInteger(String(n))).toEqual({ ok: true, value: n });
      }),
      RUNS,
    );
  });

  it('round-trips formatInteger for every safe integer when max allows it', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (n) => {
        expect(parseInteger(formatInteger(n), { max: Number.MAX_SAFE_INTEGER })).toEqual({
          ok: true,
          value: n,
        });
      }),
      RUNS,
    );
  });

  it('rejects a comma decimal "a,b" with one or two decimal digits', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{1,12}$/),
        fc.stringMatching(/^\d{1,2}$/),
        fc.constantFrom('', ' hộ', ' ngày công'),
        (a, b, unit) => {
          expect(parseInteger(`${a},${b}${unit}`)).toEqual({ ok: false, error: 'not_integer' });
        },
      ),
      RUNS,
    );
  });
});

describe('parseMoney', () => {
  it.each<[string, bigint]>([
    ['0', 0n],
    ['60tr', 60_000_000n],
    ['60 tr', 60_000_000n],
    ['60 triệu', 60_000_000n],
    ['60trieu', 60_000_000n],
    ['60 TRIEU', 60_000_000n],
    ['60 Triệu đồng', 60_000_000n],
    ['1,5 tỷ', 1_500_000_000n],
    ['1.5 tỷ', 1_500_000_000n],
    ['1,5 ty', 1_500_000_000n],
    ['1,5 tỉ', 1_500_000_000n],
    ['2.5tr', 2_500_000n],
    ['2,25 tr', 2_250_000n],
    ['1,250 tr', 1_250_000n],
    ['1.500', 1_500n],
    ['1,500', 1_500n],
    ['1.500.000', 1_500_000n],
    ['1,500,000', 1_500_000n],
    ['1 500 000', 1_500_000n],
    ['1500000', 1_500_000n],
    ['1500000đ', 1_500_000n],
    ['1.500.000 đ', 1_500_000n],
    ['1.500.000 đồng', 1_500_000n],
    ['1.500.000 VNĐ', 1_500_000n],
    ['1.500.000 vnd', 1_500_000n],
    ['1.500.000₫', 1_500_000n],
    ['150.000,00 đ', 150_000n],
    ['500k', 500_000n],
    ['500K', 500_000n],
    ['500 nghìn', 500_000n],
    ['500 ngàn', 500_000n],
    ['1 tỷ 200 triệu', 1_200_000_000n],
    ['1 tỷ 200 triệu 500 nghìn', 1_200_500_000n],
    ['1,2345 tr', 1_234_500n],
    // Vietnamese grouping wins over a decimal reading when exactly three digits follow the dot.
    ['1.200 triệu', 1_200_000_000n],
    ['1.500,5 triệu', 1_500_500_000n],
    // Colloquial tails after the last unit.
    ['7tr5', 7_500_000n],
    ['1tr500', 1_500_000n],
    ['1tr050', 1_050_000n],
    ['2 tỷ 3', 2_300_000_000n],
    ['1k5', 1_500n],
    ['1 triệu rưỡi', 1_500_000n],
    ['1000 tỷ', 1_000_000_000_000n],
    ['-0', 0n],
  ])('parseMoney(%j) → %s', (input, expected) => {
    expect(parseMoney(input)).toEqual({ ok: true, value: expected });
  });

  it.each<[string, ParseErrorCode]>([
    ['', 'empty'],
    ['  ', 'empty'],
    ['0,0000001 tr', 'not_integer'],
    ['1,5', 'not_integer'],
    ['1.5', 'not_integer'],
    ['-5', 'negative'],
    ['-60tr', 'negative'],
    ['abc', 'not_number'],
    ['tr', 'not_number'],
    ['đ', 'not_number'],
    ['1e6', 'not_number'],
    ['60 triệu đô', 'not_number'],
    ['1tr50', 'not_number'],
    ['1 tỷ 1500 triệu', 'not_number'],
    ['200 triệu 1 tỷ', 'not_number'],
    ['5 tr 3 tr', 'not_number'],
    ['1.2.3', 'not_number'],
    ['1001 tỷ', 'too_large'],
    ['1.500 tỷ', 'too_large'],
    ['9'.repeat(150), 'too_large'],
    ['1'.repeat(201), 'not_number'],
  ])('parseMoney(%j) → error %s', (input, error) => {
    expect(parseMoney(input)).toEqual({ ok: false, error });
  });

  it('honours a custom max', () => {
    expect(parseMoney('60tr', { max: 50_000_000n })).toEqual({ ok: false, error: 'too_large' });
    expect(parseMoney('50tr', { max: 50_000_000n })).toEqual({ ok: true, value: 50_000_000n });
  });

  it('never throws and returns a well-formed result for any string', () => {
    fc.assert(
      fc.property(anyStringArb, (text) => {
        expectShape(parseMoney(text), (v) => typeof v === 'bigint' && v >= 0n && v <= 1_000_000_000_000n);
      }),
      RUNS,
    );
  });

  it('round-trips formatMoney and plain digits for every amount 0..10^12', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1_000_000_000_000n }), (v) => {
        expect(parseMoney(formatMoney(v))).toEqual({ ok: true, value: v });
        expect(parseMoney(v.toString())).toEqual({ ok: true, value: v });
      }),
      RUNS,
    );
  });

  it('reads "N triệu" and "N tr" as N × 1,000,000', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.constantFrom(' triệu', 'tr', ' TRIEU'),
        (n, unit) => {
          const expected = { ok: true, value: BigInt(n) * 1_000_000n };
          expect(parseMoney(`${n}${unit}`)).toEqual(expected);
          expect(parseMoney(`${formatInteger(n)}${unit}`)).toEqual(expected);
        },
      ),
      RUNS,
    );
  });
});

describe('parseDate', () => {
  const ref = { year: 2025 };

  it.each<[string, CalendarDate]>([
    ['15/3', { year: 2025, month: 3, day: 15 }],
    ['15/03/2025', { year: 2025, month: 3, day: 15 }],
    ['15-3-2025', { year: 2025, month: 3, day: 15 }],
    ['15.3.2025', { year: 2025, month: 3, day: 15 }],
    ['15/3/25', { year: 2025, month: 3, day: 15 }],
    ['15/3/2024', { year: 2024, month: 3, day: 15 }],
    ['ngày 15 tháng 3 năm 2025', { year: 2025, month: 3, day: 15 }],
    ['Ngày 15 Tháng 3 Năm 2024', { year: 2024, month: 3, day: 15 }],
    ['ngay 15 thang 3 nam 2025', { year: 2025, month: 3, day: 15 }],
    ['15 tháng 3', { year: 2025, month: 3, day: 15 }],
    ['ngày 05 tháng 7 năm 2023', { year: 2023, month: 7, day: 5 }],
    ['2025-03-15', { year: 2025, month: 3, day: 15 }],
    [' 1/1 ', { year: 2025, month: 1, day: 1 }],
    ['29/2/2024', { year: 2024, month: 2, day: 29 }],
    ['29/2/2000', { year: 2000, month: 2, day: 29 }],
    ['31/12/2099', { year: 2099, month: 12, day: 31 }],
  ])('parseDate(%j) → %o', (input, expected) => {
    expect(parseDate(input, ref)).toEqual({ ok: true, value: expected });
  });

  it.each<[string, ParseErrorCode]>([
    ['', 'empty'],
    ['  ', 'empty'],
    ['30/2', 'invalid_date'],
    ['29/2', 'invalid_date'],
    ['29/2/2023', 'invalid_date'],
    ['29/2/1900', 'invalid_date'],
    ['31/4/2025', 'invalid_date'],
    ['32/1', 'invalid_date'],
    ['0/1', 'invalid_date'],
    ['15/13', 'invalid_date'],
    ['15/0', 'invalid_date'],
    ['2025-02-30', 'invalid_date'],
    ['15/3/2205', 'invalid_date'],
    ['abc', 'not_date'],
    ['15', 'not_date'],
    ['15/3-2025', 'not_date'],
    ['15/3/202', 'not_date'],
    ['hôm nay', 'not_date'],
    ['ngày', 'not_date'],
    ['1'.repeat(201), 'not_date'],
  ])('parseDate(%j) → error %s', (input, error) => {
    expect(parseDate(input, ref)).toEqual({ ok: false, error });
  });

  it('never throws and returns a well-formed result for any string', () => {
    fc.assert(
      fc.property(anyStringArb, (text) => {
        expectShape(parseDate(text, ref), isRealDate);
      }),
      RUNS,
    );
  });

  it('round-trips formatDate, formatDateLong and "d/m" with the reference year', () => {
    fc.assert(
      fc.property(dateArb, (d) => {
        expect(parseDate(formatDate(d), { year: 1999 })).toEqual({ ok: true, value: d });
        expect(parseDate(formatDateLong(d), { year: 1999 })).toEqual({ ok: true, value: d });
        expect(parseDate(`${d.day}/${d.month}`, { year: d.year })).toEqual({ ok: true, value: d });
      }),
      RUNS,
    );
  });
});

describe('parseYesNo', () => {
  it.each([
    'có',
    'Có',
    'CÓ',
    'co',
    'c',
    'yes',
    'Yes',
    'y',
    'ok',
    'OK',
    'đồng ý',
    'Đồng ý',
    'dong y',
    'đúng',
    'dung',
    'ừ',
    'u',
    'vâng',
    'dạ',
    'Có ạ!',
    'có nhé',
    '  ok.  ',
    '"có"',
    'có 😀',
  ])('parseYesNo(%j) → yes', (input) => {
    expect(parseYesNo(input)).toEqual({ ok: true, value: true });
  });

  it.each([
    'không',
    'Không',
    'KHÔNG',
    'khong',
    'k',
    'K',
    'ko',
    'no',
    'NO',
    'n',
    'sai',
    'không ạ',
    'Không!',
    'không đồng ý',
  ])('parseYesNo(%j) → no', (input) => {
    expect(parseYesNo(input)).toEqual({ ok: true, value: false });
  });

  it.each<[string, ParseErrorCode]>([
    ['', 'empty'],
    [' ', 'empty'],
    ['1', 'not_yes_no'],
    ['0', 'not_yes_no'],
    ['có lẽ', 'not_yes_no'],
    ['maybe', 'not_yes_no'],
    ['có không', 'not_yes_no'],
    ['!!!', 'not_yes_no'],
    ['có'.repeat(101), 'not_yes_no'],
  ])('parseYesNo(%j) → error %s', (input, error) => {
    expect(parseYesNo(input)).toEqual({ ok: false, error });
  });

  it('never throws and returns a well-formed result for any string', () => {
    fc.assert(
      fc.property(anyStringArb, (text) => {
        expectShape(parseYesNo(text), (v) => typeof v === 'boolean');
      }),
      RUNS,
    );
  });
});

describe('normalizeVi on any string', () => {
  it('never throws, is idempotent and leaves no edge or double spaces', () => {
    fc.assert(
      fc.property(anyStringArb, (text) => {
        const once = normalizeVi(text);
        expect(normalizeVi(once)).toBe(once);
        expect(once).toBe(once.trim());
        expect(once).not.toMatch(/\s\s/);
      }),
      RUNS,
    );
  });
});
