import { describe, expect, it } from 'vitest';
import type { THouseholdInput } from './household.ts';
import {
  HOUSEHOLD_CATEGORIES,
  HOUSEHOLD_CATEGORY_LABELS,
  HOUSEHOLD_NEED_LABELS,
  HOUSEHOLD_NEEDS,
  householdInputSchema,
  isHouseholdCategory,
  isHouseholdNeed,
  isHouseholdStatus,
} from './household.ts';

const schema = householdInputSchema({ year: 2025 });

const valid: THouseholdInput = {
  code: 'BK-XT/012',
  village: 'Thôn Nà Pài',
  headName: 'Nguyễn Văn An',
  birthYear: 1958,
  idNumber: '001058012345',
  category: 'poor',
  need: 'new_build',
  foundationDurable: false,
  frameDurable: false,
  roofDurable: true,
  area: 24.5,
  members: 4,
  landLegal: true,
  landUndisputed: true,
  outsideLandslideZone: true,
  confirmedByCommune: true,
  supportedBefore: 'Chương trình 167',
};

/** The first issue's path and message, or 'ok'. */
function firstIssue(input: unknown): [string, string] | 'ok' {
  const result = schema.safeParse(input);
  if (result.success) {
    return 'ok';
  }
  const issue = result.error.issues[0];
  return [issue?.path.join('.') ?? '', issue?.message ?? ''];
}

describe('householdInputSchema', () => {
  it('accepts a complete household and trims strings', () => {
    expect(schema.parse({ ...valid, code: ' BK-XT/012 ', headName: '  Nguyễn Văn An ' })).toEqual(valid);
  });

  it('accepts a household without the optional fields', () => {
    const { birthYear, idNumber, area, supportedBefore, ...required } = valid;
    expect(schema.parse(required)).toEqual(required);
  });

  it.each<[string, Partial<Record<keyof THouseholdInput, unknown>>, [string, string] | 'ok']>([
    ['code with a space', { code: 'BK 012' }, ['code', expect.stringContaining('Mã hộ chỉ gồm')]],
    ['empty code', { code: '  ' }, ['code', 'Vui lòng nhập mã hộ.']],
    ['code of 31 characters', { code: 'A'.repeat(31) }, ['code', 'Mã hộ dài tối đa 30 ký tự.']],
    ['missing code', { code: undefined }, ['code', 'Vui lòng nhập mã hộ.']],
    ['empty village', { village: '' }, ['village', 'Vui lòng nhập tên thôn/tổ dân phố.']],
    [
      'village of 101 characters',
      { village: 'x'.repeat(101) },
      ['village', 'Tên thôn/tổ dân phố dài tối đa 100 ký tự.'],
    ],
    ['one-letter name', { headName: 'A' }, ['headName', 'Họ tên chủ hộ phải có ít nhất 2 ký tự.']],
    [
      'name with digits',
      { headName: 'Nguyễn Văn 2' },
      ['headName', expect.stringContaining('chỉ gồm chữ cái')],
    ],
    ['Ê Đê name with an apostrophe', { headName: "H'Hen Niê" }, 'ok'],
    ['name with a hyphen', { headName: 'Lò Thị A-Lăng' }, 'ok'],
    ['decomposed diacritics', { headName: 'Nguye\u0302\u0303n Va\u0306n An' }, 'ok'],
    ['birth year 1899', { birthYear: 1899 }, ['birthYear', 'Năm sinh phải từ 1900 đến 2025.']],
    ['birth year 2026', { birthYear: 2026 }, ['birthYear', 'Năm sinh phải từ 1900 đến 2025.']],
    ['birth year 1958.5', { birthYear: 1958.5 }, ['birthYear', 'Năm sinh phải là số nguyên, ví dụ 1958.']],
    ['birth year as text', { birthYear: '1958' }, ['birthYear', 'Năm sinh phải là một số, ví dụ 1958.']],
    ['CMND of 9 digits', { idNumber: '123456789' }, 'ok'],
    ['ID of 10 digits', { idNumber: '1234567890' }, ['idNumber', expect.stringContaining('9 chữ số (CMND)')]],
    [
      'ID with letters',
      { idNumber: '00105801234A' },
      ['idNumber', expect.stringContaining('12 chữ số (CCCD)')],
    ],
    ['unknown category', { category: 'rich' }, ['category', expect.stringContaining('Hộ cận nghèo')]],
    ['unknown need', { need: 'paint' }, ['need', 'Nhu cầu hỗ trợ phải là Xây mới hoặc Sửa chữa.']],
    ['roof as text', { roofDurable: 'có' }, ['roofDurable', expect.stringContaining('có hoặc không')]],
    ['land missing', { landLegal: undefined }, ['landLegal', expect.stringContaining('Vui lòng cho biết')]],
    ['area 0', { area: 0 }, ['area', 'Diện tích nhà phải lớn hơn 0 và không quá 1.000 m².']],
    ['area 1000.1', { area: 1000.1 }, ['area', 'Diện tích nhà phải lớn hơn 0 và không quá 1.000 m².']],
    ['area 1000', { area: 1000 }, 'ok'],
    ['area NaN', { area: Number.NaN }, ['area', expect.stringContaining('phải là một số')]],
    ['0 members', { members: 0 }, ['members', 'Số nhân khẩu phải là số nguyên từ 1 đến 50.']],
    ['51 members', { members: 51 }, ['members', 'Số nhân khẩu phải là số nguyên từ 1 đến 50.']],
    ['2.5 members', { members: 2.5 }, ['members', 'Số nhân khẩu phải là số nguyên từ 1 đến 50.']],
    [
      'empty supportedBefore',
      { supportedBefore: ' ' },
      ['supportedBefore', expect.stringContaining('bỏ trống')],
    ],
  ])('%s', (_name, change, expected) => {
    expect(firstIssue({ ...valid, ...change })).toEqual(expected);
  });

  it('stores decomposed diacritics (old keyboards) in NFC', () => {
    const parsed = schema.parse({
      ...valid,
      headName: 'Nguye\u0302\u0303n Va\u0306n An',
      village: 'Tho\u0302n Na\u0300 Pa\u0300i',
    });
    expect([parsed.headName, parsed.village]).toEqual(['Nguyễn Văn An', 'Thôn Nà Pài']);
  });

  it('rejects a non-object in Vietnamese', () => {
    expect(firstIssue('hộ nghèo')).toEqual(['', 'Dữ liệu hộ gia đình không hợp lệ.']);
  });

  it('takes the latest birth year from the caller, never from the clock', () => {
    expect(householdInputSchema({ year: 2030 }).safeParse({ ...valid, birthYear: 2030 }).success).toBe(true);
    expect(householdInputSchema({ year: 2025 })).toBe(schema);
    expect(() => householdInputSchema({ year: 1800 })).toThrow(RangeError);
  });

  it('labels every category and need in Vietnamese', () => {
    expect(HOUSEHOLD_CATEGORIES.map((c) => HOUSEHOLD_CATEGORY_LABELS[c])).toEqual([
      'Hộ nghèo',
      'Hộ cận nghèo',
      'Người có công',
      'Khác',
    ]);
    expect(HOUSEHOLD_NEEDS.map((n) => HOUSEHOLD_NEED_LABELS[n])).toEqual(['Xây mới', 'Sửa chữa']);
  });

  it.each<[string, boolean, boolean, boolean]>([
    ['poor', true, false, false],
    ['repair', false, true, false],
    ['handed_over', false, false, true],
    ['Poor', false, false, false],
  ])('narrows stored string %s', (value, category, need, status) => {
    expect([isHouseholdCategory(value), isHouseholdNeed(value), isHouseholdStatus(value)]).toEqual([
      category,
      need,
      status,
    ]);
  });
});
