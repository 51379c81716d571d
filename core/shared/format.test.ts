import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CalendarDate, dateInZone } from './calendar.ts';
import { formatDate, formatDateLong, formatDateTime, formatInteger, formatMoney } from './format.ts';

const VN = 'Asia/Ho_Chi_Minh';

describe('formatMoney', () => {
  it.each<[bigint, string]>([
    [0n, '0 đ'],
    [5n, '5 đ'],
    [999n, '999 đ'],
    [1_000n, '1.000 đ'],
    [1_500_000n, '1.500.000 đ'],
    [60_000_000n, '60.000.000 đ'],
    [1_200_000_000n, '1.200.000.000 đ'],
    [-50_000n, '-50.000 đ'],
    [-1n, '-1 đ'],
    [123_456_789_012_345_678_901n, '123.456.789.012.345.678.901 đ'],
  ])('formatMoney(%s) → %j', (value, expected) => {
    expect(formatMoney(value)).toBe(expected);
  });

  it('always groups digits by three with dots', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (v) => {
        const text = formatMoney(v);
        expect(text).toMatch(/^-?\d{1,3}(?:\.\d{3})* đ$/);
        expect(BigInt(text.replace(/[.\s đ]/g, ''))).toBe(v);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('formatInteger', () => {
  it.each<[number, string]>([
    [0, '0'],
    [7, '7'],
    [999, '999'],
    [1_200, '1.200'],
    [1_000_000, '1.000.000'],
    [-1_200, '-1.200'],
    [Number.MAX_SAFE_INTEGER, '9.007.199.254.740.991'],
    [12.6, '13'],
    [-0, '0'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
  ])('formatInteger(%d) → %j', (value, expected) => {
    expect(formatInteger(value)).toBe(expected);
  });
});

describe('formatDate and formatDateLong', () => {
  it.each<[CalendarDate, string, string]>([
    [{ year: 2025, month: 3, day: 15 }, '15/03/2025', 'ngày 15 tháng 3 năm 2025'],
    [{ year: 2023, month: 7, day: 5 }, '05/07/2023', 'ngày 05 tháng 7 năm 2023'],
    [{ year: 2023, month: 2, day: 1 }, '01/02/2023', 'ngày 01 tháng 02 năm 2023'],
    [{ year: 2024, month: 1, day: 31 }, '31/01/2024', 'ngày 31 tháng 01 năm 2024'],
    [{ year: 2025, month: 12, day: 15 }, '15/12/2025', 'ngày 15 tháng 12 năm 2025'],
    [{ year: 2025, month: 10, day: 9 }, '09/10/2025', 'ngày 09 tháng 10 năm 2025'],
  ])('%o → %j / %j', (date, short, long) => {
    expect(formatDate(date)).toBe(short);
    expect(formatDateLong(date)).toBe(long);
  });
});

describe('dateInZone and formatDateTime', () => {
  it('uses the campaign zone, not the machine zone: 17:30Z on the 14th is the 15th in Vietnam', () => {
    const instant = new Date('2025-03-14T17:30:00Z');
    expect(dateInZone(instant, VN)).toEqual({ year: 2025, month: 3, day: 15 });
    expect(formatDate(dateInZone(instant, VN))).toBe('15/03/2025');
    expect(formatDateTime(instant, VN)).toBe('00:30 ngày 15/03/2025');
    expect(dateInZone(instant, 'UTC')).toEqual({ year: 2025, month: 3, day: 14 });
  });

  it.each<[string, CalendarDate]>([
    ['2025-03-14T16:59:59Z', { year: 2025, month: 3, day: 14 }],
    ['2025-03-14T17:00:00Z', { year: 2025, month: 3, day: 15 }],
    ['2024-12-31T17:00:00Z', { year: 2025, month: 1, day: 1 }],
    ['2024-02-28T17:00:00Z', { year: 2024, month: 2, day: 29 }],
  ])('dateInZone(%s, VN) → %o', (iso, expected) => {
    expect(dateInZone(new Date(iso), VN)).toEqual(expected);
  });

  it.each<[string, string]>([
    ['2025-03-15T07:05:00Z', '14:05 ngày 15/03/2025'],
    ['2025-03-14T17:00:00Z', '00:00 ngày 15/03/2025'],
    ['2025-03-15T16:59:00Z', '23:59 ngày 15/03/2025'],
  ])('formatDateTime(%s, VN) → %j', (iso, expected) => {
    expect(formatDateTime(new Date(iso), VN)).toBe(expected);
  });

  it('does not depend on the process time zone', () => {
    const saved = process.env.TZ;
    try {
      process.env.TZ = 'America/Los_Angeles';
      expect(formatDateTime(new Date('2025-03-15T07:05:00Z'), VN)).toBe('14:05 ngày 15/03/2025');
    } finally {
      if (saved === undefined) {
        Reflect.deleteProperty(process.env, 'TZ');
      } else {
        process.env.TZ = saved;
      }
    }
  });

  it('throws RangeError for an unknown zone or an invalid Date (configuration errors)', () => {
    expect(() => dateInZone(new Date(0), 'Mars/Olympus_Mons')).toThrow(RangeError);
    expect(() => formatDateTime(new Date(Number.NaN), VN)).toThrow(RangeError);
  });
});
