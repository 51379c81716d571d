import { describe, expect, it } from 'vitest';
import { placeInSentence } from './kinds.ts';

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
