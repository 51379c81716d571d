import { describe, expect, it } from 'vitest';
import type { PeriodKind } from './campaign.ts';
import { reportReminderPrefix, sameDayObligations, servedTogether } from './same-day.ts';

const period = (id: number, kind: PeriodKind, code: string, label: string, dueOn: string) => ({
  id,
  kind,
  code,
  label,
  opensOn: '2025-05-20',
  dueOn,
});

/** The Bắc Kạn plan: May's report and the second quarter's both before 15/06; six-monthly and final apart. */
const PERIODS = [
  period(2, 'quarterly', '2025-Q2', 'quý II/2025', '2025-06-15'),
  period(1, 'monthly', '2025-05', 'tháng 5/2025', '2025-06-15'),
  period(3, 'monthly', '2025-06', 'tháng 6/2025', '2025-07-15'),
  period(4, 'semiannual', '2025-H1', '6 tháng đầu năm 2025', '2025-07-15'),
  period(5, 'final', 'final', 'tổng kết', '2025-06-15'),
];

describe('one report for the obligations due the same day', () => {
  it('pairs the weekly, monthly and quarterly periods due the same day, monthly first; never six-monthly or final', () => {
    expect(sameDayObligations(PERIODS, true).map((o) => [o.code, o.label, o.primary.id])).toEqual([
      ['2025-05+2025-Q2', 'tháng 5/2025 và quý II/2025', 1],
      ['final', 'tổng kết', 5],
      ['2025-06', 'tháng 6/2025', 3],
      ['2025-H1', '6 tháng đầu năm 2025', 4],
    ]);
    expect(sameDayObligations(PERIODS, false).map((o) => o.code)).toEqual([
      '2025-05',
      '2025-Q2',
      'final',
      '2025-06',
      '2025-H1',
    ]);
  });

  it('says which periods one report of each serves, itself first', () => {
    const served = servedTogether(PERIODS, true);
    expect(served.get(2)?.map((p) => p.id)).toEqual([2, 1]);
    expect(served.get(1)?.map((p) => p.id)).toEqual([1, 2]);
    expect(served.get(3)?.map((p) => p.id)).toEqual([3]);
    expect(served.get(4)?.map((p) => p.id)).toEqual([4]);
    expect(
      servedTogether(PERIODS, false)
        .get(2)
        ?.map((p) => p.id),
    ).toEqual([2]);
  });

  it('keys a unit’s reminders by the obligation code, ending before the person', () => {
    expect(reportReminderPrefix('2025-05+2025-Q2', 12)).toBe('remind:2025-05+2025-Q2:12:');
  });
});
