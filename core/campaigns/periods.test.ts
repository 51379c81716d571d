import { describe, expect, it } from 'vitest';
import { generatePeriods } from './periods.ts';

const seedPlan = {
  startsOn: '2024-10-01',
  endsOn: '2025-12-31',
  monthlyDueDay: 15,
  quarterlyDueDay: 15,
  finalDueOn: '2025-12-10',
};

describe('generatePeriods', () => {
  const periods = generatePeriods(seedPlan);

  it('makes a monthly report for each month, due before the 15th of the next month', () => {
    const monthly = periods.filter((p) => p.kind === 'monthly');
    expect(monthly[0]).toEqual({
      kind: 'monthly',
      code: '2024-10',
      label: 'tháng 10/2024',
      startsOn: '2024-10-01',
      endsOn: '2024-10-31',
      opensOn: '2024-10-20',
      dueOn: '2024-11-15',
    });
    expect(monthly.find((p) => p.code === '2025-02')?.endsOn).toBe('2025-02-28');
    // December 2025 would be due in January 2026, after the campaign: the final report covers it.
    expect(monthly.at(-1)?.code).toBe('2025-11');
    expect(monthly).toHaveLength(14);
  });

  it('makes quarterly reports due before the 15th of the last month of the quarter', () => {
    const quarterly = periods.filter((p) => p.kind === 'quarterly');
    expect(quarterly.map((p) => [p.code, p.dueOn])).toEqual([
      ['2024-Q4', '2024-12-15'],
      ['2025-Q1', '2025-03-15'],
      ['2025-Q2', '2025-06-15'],
      ['2025-Q3', '2025-09-15'],
      ['2025-Q4', '2025-12-15'],
    ]);
  });

  it('makes six-monthly summaries due before the 15th of the month after each half-year', () => {
    const halves = periods.filter((p) => p.kind === 'semiannual');
    expect(halves.map((p) => [p.code, p.label, p.startsOn, p.endsOn, p.dueOn])).toEqual([
      ['2024-H2', '6 tháng cuối năm 2024', '2024-07-01', '2024-12-31', '2025-01-15'],
      ['2025-H1', '6 tháng đầu năm 2025', '2025-01-01', '2025-06-30', '2025-07-15'],
      ['2025-H2', '6 tháng cuối năm 2025', '2025-07-01', '2025-12-31', '2026-01-15'],
    ]);
  });

  it('ends with the final report on its fixed date', () => {
    expect(periods.at(-1)).toMatchObject({
      kind: 'final',
      code: 'final',
      dueOn: '2025-12-10',
      opensOn: '2025-11-10',
    });
  });

  it('clamps a due day to short months', () => {
    const p = generatePeriods({
      ...seedPlan,
      startsOn: '2025-01-01',
      endsOn: '2025-04-30',
      monthlyDueDay: 31,
    });
    expect(p.find((x) => x.code === '2025-01')?.dueOn).toBe('2025-02-28');
  });
});
