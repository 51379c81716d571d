import { describe, expect, it } from 'vitest';
import type { HouseholdStatus } from './household.ts';
import { HOUSEHOLD_STATUSES } from './household.ts';
import { canMove, isAdminOnly, needsPhoto, nextStatuses, statusLabel } from './status.ts';

describe('household status lifecycle', () => {
  it.each<[HouseholdStatus, HouseholdStatus[]]>([
    ['proposed', ['approved', 'rejected', 'withdrawn']],
    ['approved', ['started', 'withdrawn']],
    ['started', ['completed']],
    ['completed', ['handed_over']],
    ['handed_over', []],
    ['rejected', ['proposed']],
    ['withdrawn', []],
  ])('from %s the next statuses are %j', (from, expected) => {
    expect(nextStatuses(from)).toEqual(expected);
  });

  it.each<[HouseholdStatus, HouseholdStatus, boolean]>([
    ['proposed', 'approved', true],
    ['approved', 'started', true],
    ['started', 'completed', true],
    ['completed', 'handed_over', true],
    ['proposed', 'rejected', true],
    ['proposed', 'withdrawn', true],
    ['approved', 'withdrawn', true],
    ['rejected', 'proposed', true],
    ['proposed', 'started', false],
    ['proposed', 'handed_over', false],
    ['approved', 'completed', false],
    ['started', 'approved', false],
    ['started', 'withdrawn', false],
    ['completed', 'started', false],
    ['handed_over', 'completed', false],
    ['handed_over', 'withdrawn', false],
    ['rejected', 'approved', false],
    ['withdrawn', 'proposed', false],
    ['proposed', 'proposed', false],
    ['started', 'started', false],
  ])('%s → %s allowed: %s', (from, to, allowed) => {
    expect(canMove(from, to)).toBe(allowed);
    expect(nextStatuses(from).includes(to)).toBe(allowed);
  });

  it.each<[HouseholdStatus, boolean]>([
    ['proposed', false],
    ['approved', false],
    ['started', true],
    ['completed', true],
    ['handed_over', true],
    ['rejected', false],
    ['withdrawn', false],
  ])('moving into %s needs photos: %s', (to, expected) => {
    expect(needsPhoto(to)).toBe(expected);
  });

  it.each<[HouseholdStatus, HouseholdStatus, boolean]>([
    ['rejected', 'proposed', true],
    ['proposed', 'approved', false],
    ['proposed', 'rejected', false],
    ['approved', 'started', false],
    ['withdrawn', 'proposed', false],
  ])('%s → %s is admin only: %s', (from, to, expected) => {
    expect(isAdminOnly(from, to)).toBe(expected);
  });

  it('every status has a Vietnamese label', () => {
    expect(HOUSEHOLD_STATUSES.map(statusLabel)).toEqual([
      'Đề xuất',
      'Đã duyệt',
      'Đã khởi công',
      'Đã hoàn thành',
      'Đã bàn giao',
      'Không duyệt',
      'Rút khỏi danh sách',
    ]);
  });

  it('every admin-only move is also an allowed move', () => {
    for (const from of HOUSEHOLD_STATUSES) {
      for (const to of HOUSEHOLD_STATUSES) {
        if (isAdminOnly(from, to)) {
          expect(canMove(from, to)).toBe(true);
        }
      }
    }
  });
});
