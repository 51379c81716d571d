import { describe, expect, it } from 'vitest';
import { committeeOf, placeInSentence } from './kinds.ts';

describe('placeInSentence', () => {
  it('names the place after "Ủy ban MTTQ" with the kind word in lower case', () => {
    expect(placeInSentence('Tỉnh Thái Nguyên')).toBe('tỉnh Thái Nguyên');
    expect(placeInSentence('Phường Đức Xuân')).toBe('phường Đức Xuân');
    expect(placeInSentence('Xã Phong Quang')).toBe('xã Phong Quang');
    expect(placeInSentence('Đặc khu Phú Quốc')).toBe('đặc khu Phú Quốc');
    expect(placeInSentence('Thành phố Hà Nội')).toBe('thành phố Hà Nội');
  });

  it("drops the committee's own words from a committee's name", () => {
    expect(placeInSentence('Ủy ban MTTQ Việt Nam thành phố Bắc Kạn')).toBe('thành phố Bắc Kạn');
    expect(placeInSentence('Uỷ ban MTTQ Tỉnh Cao Bằng')).toBe('tỉnh Cao Bằng');
  });

  it('keeps a name that does not start with a kind word', () => {
    expect(placeInSentence('Hội Liên hiệp Phụ nữ thành phố Bắc Kạn')).toBe(
      'Hội Liên hiệp Phụ nữ thành phố Bắc Kạn',
    );
    expect(placeInSentence('Tỉnhlộ')).toBe('Tỉnhlộ');
  });
});

describe('committeeOf', () => {
  it('names the Front committee of a unit whichever way its name is stored', () => {
    expect(committeeOf('Tỉnh Thái Nguyên')).toBe('Ủy ban MTTQ Việt Nam tỉnh Thái Nguyên');
    expect(committeeOf('Ủy ban MTTQ Việt Nam thành phố Bắc Kạn')).toBe(
      'Ủy ban MTTQ Việt Nam thành phố Bắc Kạn',
    );
  });
});
