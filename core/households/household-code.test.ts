import { describe, expect, it } from 'vitest';
import { formatArea, parseArea } from './area.ts';
import { followingCode, nextHouseholdCode, unitPrefix } from './household-code.ts';

describe('the next household code of a unit', () => {
  it.each<[string[], string]>([
    [['DX-001', 'DX-004', 'DX-002', 'DX-003'], 'DX-005'],
    [['DX-009'], 'DX-010'],
    [['H9', 'H10'], 'H11'],
    // The series most codes follow; a stray code does not lead.
    [['DX-001', 'DX-002', 'OLD-77'], 'DX-003'],
    [['dx-1', 'DX-0007', 'DX-0003'], 'DX-0008'],
  ])('after %j gives %s', (codes, next) => {
    expect(nextHouseholdCode(codes, 'Phường Đức Xuân')).toBe(next);
  });

  it("starts a unit without codes from its name's initials", () => {
    expect(nextHouseholdCode([], 'Phường Đức Xuân')).toBe('DX-001');
    expect(nextHouseholdCode(['không số'], 'Xã Nông Thượng')).toBe('NT-001');
    expect(unitPrefix('Phường Sông Cầu')).toBe('SC');
    expect(unitPrefix('Thị trấn Bằng Lũng')).toBe('BL');
    expect(unitPrefix('')).toBe('HO');
  });

  it('moves on to the following code when one is taken', () => {
    expect(followingCode('DX-005')).toBe('DX-006');
    expect(followingCode('DX-099')).toBe('DX-100');
    expect(followingCode('DX')).toBe('DX-2');
  });
});

describe('a floor area as typed', () => {
  it.each<[string, number]>([
    ['24', 24],
    ['24 m2', 24],
    ['24m2', 24],
    ['24 m²', 24],
    ['24 M2', 24],
    ['24,5 m2', 24.5],
    ['24.5', 24.5],
    ['24,25', 24.25],
    ['30 mét vuông', 30],
    ['1.000', 1000],
  ])('reads %j as %d m²', (text, area) => {
    expect(parseArea(text)).toBe(area);
  });

  it.each(['', 'abc', '24 m3', 'hai mươi', '24,5,5', '-3', '12345'])('refuses %j', (text) => {
    expect(parseArea(text)).toBeUndefined();
  });

  it('writes an area the Vietnamese way', () => {
    expect(formatArea(24.5)).toBe('24,5');
    expect(formatArea(30)).toBe('30');
  });
});
