import { describe, expect, it } from 'vitest';
import { SHORT_NAME_MAX, shortUnitName } from './unit-progress.ts';

describe('a unit named short for a phone line or a chart label', () => {
  it.each<[string, string]>([
    ['Phường Phùng Chí Kiên', 'Phùng Chí Kiên'],
    ['Phường Đức Xuân', 'Đức Xuân'],
    ['Xã Dương Quang', 'Dương Quang'],
    ['Thành phố Hồ Chí Minh', 'Hồ Chí Minh'],
    ['Ủy ban MTTQ Việt Nam thành phố Bắc Kạn', 'Bắc Kạn'],
    ['Đặc khu Phú Quốc', 'Phú Quốc'],
  ])('keeps the whole name when it fits: %j → %j', (name, short) => {
    expect(shortUnitName(name)).toBe(short);
  });

  it.each<[string, string]>([
    ['Phường Nguyễn Thị Minh Khai', 'N.T. Minh Khai'],
    ['Tỉnh Bà Rịa - Vũng Tàu', 'B.R. Vũng Tàu'],
  ])('gives a longer name dotted initials and its last two words whole: %j → %j', (name, short) => {
    expect(shortUnitName(name)).toBe(short);
    expect([...short].length).toBeLessThanOrEqual(SHORT_NAME_MAX);
  });

  it('never leaves a bare letter that reads as a kind or another word ("P Chí Kiên", "NT Minh Khai")', () => {
    for (const name of ['Phường Phùng Chí Kiên', 'Phường Nguyễn Thị Minh Khai', 'Xã Nông Thượng']) {
      expect(shortUnitName(name)).not.toMatch(/(^|\s)\p{Lu}{1,2}\s/u);
    }
  });
});
