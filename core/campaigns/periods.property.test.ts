import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbScheduleRules } from '../testing/schedule-arbitrary.ts';
import type { PeriodKind, PeriodSpec } from './campaign.ts';
import type { Schedule } from './definition.ts';
import { generatePeriods, scheduleOfCampaign, schedulePeriods } from './periods.ts';

/**
 * The period generator over random schedule rules (issue 15 acceptance). The expectations are
 * computed here with Date.UTC arithmetic, independently of the generator's calendar helpers.
 */

const DAY_MS = 86_400_000;
const ms = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
const plusDays = (day: string, n: number) => iso(ms(day) + n * DAY_MS);
const lastDay = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
/** Day `day` of month `month` (1-based; 13 = January of the next year), clamped to the month's end. */
const clampedDay = (year: number, month: number, day: number) => {
  const first = new Date(Date.UTC(year, month - 1, 1));
  const y = first.getUTCFullYear();
  const m = first.getUTCMonth() + 1;
  return `${y}-${String(m).padStart(2, '0')}-${String(Math.min(day, lastDay(y, m))).padStart(2, '0')}`;
};

const arbSchedule = arbScheduleRules;
const dayOfMonth = fc.integer({ min: 1, max: 31 });

const arbInput = fc
  .record({
    start: fc.integer({ min: 0, max: 5 * 365 }),
    length: fc.integer({ min: 0, max: 800 }),
    finalAfterStart: fc.integer({ min: 0, max: 900 }),
    opensDaysBefore: fc.integer({ min: 0, max: 365 }),
    rules: arbSchedule,
  })
  .map(({ start, length, finalAfterStart, opensDaysBefore, rules }) => {
    const startsOn = plusDays('2023-01-01', start);
    return {
      startsOn,
      endsOn: plusDays(startsOn, length),
      schedule: {
        ...rules,
        final: { dueOn: plusDays(startsOn, finalAfterStart), opensDaysBefore },
      } as Schedule,
    };
  });

const KINDS: PeriodKind[] = ['weekly', 'monthly', 'quarterly', 'semiannual', 'final'];
const RUNS = { numRuns: 200 };

function ofKind(periods: PeriodSpec[], kind: PeriodKind): PeriodSpec[] {
  return periods.filter((p) => p.kind === kind);
}

describe('schedulePeriods over random rules', () => {
  it('lists the kinds in order, each in calendar order, with unique codes, each period opening before it is due', () => {
    fc.assert(
      fc.property(arbInput, (input) => {
        const periods = schedulePeriods(input);
        const kindIndex = periods.map((p) => KINDS.indexOf(p.kind));
        expect(kindIndex).toEqual([...kindIndex].sort((a, b) => a - b));
        for (const kind of KINDS) {
          const list = ofKind(periods, kind);
          for (let i = 1; i < list.length; i++) {
            expect((list[i - 1] as PeriodSpec).startsOn < (list[i] as PeriodSpec).startsOn).toBe(true);
            expect((list[i - 1] as PeriodSpec).dueOn <= (list[i] as PeriodSpec).dueOn).toBe(true);
          }
        }
        expect(new Set(periods.map((p) => p.code)).size).toBe(periods.length);
        for (const p of periods) {
          expect(p.opensOn <= p.dueOn, `${p.code} opens ${p.opensOn}, due ${p.dueOn}`).toBe(true);
          expect(p.startsOn <= p.endsOn).toBe(true);
        }
        expect(periods.at(-1)).toMatchObject({
          kind: 'final',
          dueOn: input.schedule.final.dueOn,
          opensOn: plusDays(input.schedule.final.dueOn, -input.schedule.final.opensDaysBefore),
        });
        expect(ofKind(periods, 'final')).toHaveLength(1);
      }),
      RUNS,
    );
  });

  it('keeps every period within the campaign; weekly, monthly and quarterly reports due after its end go to the final report', () => {
    fc.assert(
      fc.property(arbInput, ({ startsOn, endsOn, schedule }) => {
        for (const p of schedulePeriods({ startsOn, endsOn, schedule })) {
          // Each period covers part of the campaign.
          expect(p.startsOn <= endsOn && p.endsOn >= startsOn, `${p.code} ${p.startsOn}–${p.endsOn}`).toBe(
            true,
          );
          if (p.kind === 'weekly' || p.kind === 'monthly' || p.kind === 'quarterly') {
            expect(p.dueOn <= endsOn, `${p.code} due ${p.dueOn}`).toBe(true);
          }
        }
      }),
      RUNS,
    );
  });

  it('makes one monthly report for each month of the campaign whose deadline falls within it, with clamped days', () => {
    fc.assert(
      fc.property(arbInput, ({ startsOn, endsOn, schedule }) => {
        const monthly = ofKind(schedulePeriods({ startsOn, endsOn, schedule }), 'monthly');
        const rule = schedule.monthly;
        if (!rule) {
          expect(monthly).toEqual([]);
          return;
        }
        const expected: PeriodSpec[] = [];
        const [y0, m0] = startsOn.split('-').map(Number) as [number, number];
        for (let i = 0; clampedDay(y0, m0 + i, 1) <= endsOn; i++) {
          const first = clampedDay(y0, m0 + i, 1);
          const [y, m] = first.split('-').map(Number) as [number, number];
          const dueOn = clampedDay(y, rule.dueMonth === 'next' ? m + 1 : m, rule.dueDay);
          const opens = clampedDay(y, m, rule.opensDay);
          if (dueOn > endsOn) {
            continue;
          }
          expected.push({
            kind: 'monthly',
            code: first.slice(0, 7),
            label: `tháng ${m}/${y}`,
            startsOn: first,
            endsOn: clampedDay(y, m, 31),
            opensOn: [opens, dueOn].sort()[0] as string,
            dueOn,
          });
        }
        expect(monthly).toEqual(expected);
        // Each calendar month once, back to back.
        for (let i = 1; i < monthly.length; i++) {
          expect((monthly[i] as PeriodSpec).startsOn).toBe(
            plusDays((monthly[i - 1] as PeriodSpec).endsOn, 1),
          );
        }
      }),
      RUNS,
    );
  });

  it('dates quarterly and six-monthly reports by their rules, clamped to short months', () => {
    fc.assert(
      fc.property(arbInput, ({ startsOn, endsOn, schedule }) => {
        const periods = schedulePeriods({ startsOn, endsOn, schedule });
        const quarterly = ofKind(periods, 'quarterly');
        const q = schedule.quarterly;
        if (!q) {
          expect(quarterly).toEqual([]);
        }
        for (const p of quarterly) {
          const [y, m] = p.startsOn.split('-').map(Number) as [number, number];
          expect([1, 4, 7, 10]).toContain(m);
          expect(p.code).toBe(`${y}-Q${(m + 2) / 3}`);
          expect(p.endsOn).toBe(clampedDay(y, m + 2, 31));
          expect(p.dueOn).toBe(clampedDay(y, q?.dueMonth === 'next' ? m + 3 : m + 2, q?.dueDay ?? 0));
          // Never after the due day: the quarter's last month starts before any due day in it.
          expect(p.opensOn).toBe(clampedDay(y, m + 2, 1));
        }
        if (q) {
          // No quarter whose report falls due within the campaign is missing.
          const quarters = new Set(quarterly.map((p) => p.code));
          const [y0, m0] = startsOn.split('-').map(Number) as [number, number];
          const firstMonth = Math.floor((m0 - 1) / 3) * 3 + 1;
          for (let i = 0; clampedDay(y0, firstMonth + 3 * i, 1) <= endsOn; i++) {
            const [y, m] = clampedDay(y0, firstMonth + 3 * i, 1)
              .split('-')
              .map(Number) as [number, number];
            const due = clampedDay(y, q.dueMonth === 'next' ? m + 3 : m + 2, q.dueDay);
            expect(quarters.has(`${y}-Q${(m + 2) / 3}`)).toBe(due <= endsOn);
          }
        }
        const halves = ofKind(periods, 'semiannual');
        const h = schedule.semiannual;
        expect(halves.length > 0).toBe(h !== undefined);
        for (const p of halves) {
          const [y, m] = p.startsOn.split('-').map(Number) as [number, number];
          expect([1, 7]).toContain(m);
          expect(p.dueOn).toBe(clampedDay(y, m + 6, h?.dueDay ?? 0));
        }
      }),
      RUNS,
    );
  });

  it('makes ISO weeks, Monday to Sunday, due before the chosen weekday of the next week', () => {
    fc.assert(
      fc.property(arbInput, ({ startsOn, endsOn, schedule }) => {
        const weekly = ofKind(schedulePeriods({ startsOn, endsOn, schedule }), 'weekly');
        const rule = schedule.weekly;
        if (!rule) {
          expect(weekly).toEqual([]);
          return;
        }
        for (const p of weekly) {
          expect(new Date(ms(p.startsOn)).getUTCDay()).toBe(1);
          expect(p.endsOn).toBe(plusDays(p.startsOn, 6));
          expect(p.opensOn).toBe(p.startsOn);
          expect(p.dueOn).toBe(plusDays(p.endsOn, rule.dueWeekday));
          // ISO 8601: week 1 is the week with the year's 4 January.
          const thursday = plusDays(p.startsOn, 3);
          const year = Number(thursday.slice(0, 4));
          const jan4 = ms(`${year}-01-04`);
          const week1Monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS;
          const week = Math.round((ms(p.startsOn) - week1Monday) / (7 * DAY_MS)) + 1;
          expect(p.code).toBe(`${year}-W${String(week).padStart(2, '0')}`);
          expect(p.label).toMatch(/^tuần \d{2}\/\d{4} \(\d{2}\/\d{2}–\d{2}\/\d{2}\)$/);
        }
        for (let i = 1; i < weekly.length; i++) {
          expect((weekly[i] as PeriodSpec).startsOn).toBe(
            plusDays((weekly[i - 1] as PeriodSpec).startsOn, 7),
          );
        }
        // The first week holds the campaign's first day unless its report would be due after the end.
        const firstMonday = plusDays(startsOn, -((new Date(ms(startsOn)).getUTCDay() + 6) % 7));
        const firstDue = plusDays(firstMonday, 6 + rule.dueWeekday);
        expect(weekly[0]?.startsOn).toBe(firstDue <= endsOn ? firstMonday : undefined);
      }),
      RUNS,
    );
  });

  it('gives a campaign row without a definition the schedule of the 2024–2025 plan', () => {
    fc.assert(
      fc.property(
        arbInput,
        dayOfMonth,
        dayOfMonth,
        ({ startsOn, endsOn, schedule }, monthlyDueDay, quarterlyDueDay) => {
          const row = { startsOn, endsOn, monthlyDueDay, quarterlyDueDay, finalDueOn: schedule.final.dueOn };
          expect(generatePeriods(row)).toEqual(
            schedulePeriods({
              startsOn,
              endsOn,
              schedule: {
                monthly: { dueDay: monthlyDueDay, dueMonth: 'next', opensDay: 20 },
                quarterly: { dueDay: quarterlyDueDay, dueMonth: 'last' },
                semiannual: { dueDay: 15, owner: 'area' },
                final: { dueOn: row.finalDueOn, opensDaysBefore: 30 },
                oneReportWhenSameDay: false,
              },
            }),
          );
          expect(scheduleOfCampaign(row).oneReportWhenSameDay).toBe(false);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('schedulePeriods examples', () => {
  const final = { dueOn: '2025-12-10', opensDaysBefore: 30 };

  it('names weeks as officials read them, across year ends', () => {
    const weeks = ofKind(
      schedulePeriods({
        startsOn: '2025-02-12',
        endsOn: '2025-02-28',
        schedule: { weekly: { dueWeekday: 2 }, final, oneReportWhenSameDay: true },
      }),
      'weekly',
    );
    expect(weeks[0]).toEqual({
      kind: 'weekly',
      code: '2025-W07',
      label: 'tuần 07/2025 (10/02–16/02)',
      startsOn: '2025-02-10',
      endsOn: '2025-02-16',
      opensOn: '2025-02-10',
      dueOn: '2025-02-18',
    });
    // The week of 24/02 would be due on 04/03, after the campaign.
    expect(weeks.map((w) => w.code)).toEqual(['2025-W07', '2025-W08']);
    const codes = (startsOn: string) =>
      ofKind(
        schedulePeriods({
          startsOn,
          endsOn: plusDays(startsOn, 20),
          schedule: { weekly: { dueWeekday: 1 }, final, oneReportWhenSameDay: true },
        }),
        'weekly',
      ).map((w) => w.code);
    expect(codes('2024-12-31')).toEqual(['2025-W01', '2025-W02', '2025-W03']);
    expect(codes('2020-12-29')).toEqual(['2020-W53', '2021-W01', '2021-W02']);
  });

  it('clamps the window of a same-month report to its due day, and due days to short months', () => {
    const periods = schedulePeriods({
      startsOn: '2025-01-01',
      endsOn: '2025-12-31',
      schedule: {
        monthly: { dueDay: 10, dueMonth: 'same', opensDay: 25 },
        quarterly: { dueDay: 31, dueMonth: 'next' },
        semiannual: { dueDay: 31, owner: 'area' },
        final,
        oneReportWhenSameDay: true,
      },
    });
    expect(periods.find((p) => p.code === '2025-02')).toMatchObject({
      opensOn: '2025-02-10',
      dueOn: '2025-02-10',
    });
    expect(periods.find((p) => p.code === '2025-Q1')).toMatchObject({
      opensOn: '2025-03-01',
      dueOn: '2025-04-30',
    });
    // The fourth quarter's report would be due on 31/01/2026: left to the final report.
    expect(ofKind(periods, 'quarterly').map((p) => p.code)).toEqual(['2025-Q1', '2025-Q2', '2025-Q3']);
    expect(ofKind(periods, 'semiannual').map((p) => p.dueOn)).toEqual(['2025-07-31', '2026-01-31']);
  });

  it('ends at the last day a date can hold (compares dates, not strings: year 10000 sorts before 9999)', () => {
    const periods = schedulePeriods({
      startsOn: '9999-01-01',
      endsOn: '9999-12-31',
      schedule: {
        weekly: { dueWeekday: 7 },
        monthly: { dueDay: 15, dueMonth: 'next', opensDay: 20 },
        quarterly: { dueDay: 15, dueMonth: 'next' },
        semiannual: { dueDay: 15, owner: 'area' },
        final: { dueOn: '9999-12-31', opensDaysBefore: 30 },
        oneReportWhenSameDay: true,
      },
    });
    expect(ofKind(periods, 'monthly').at(-1)?.code).toBe('9999-11');
    expect(ofKind(periods, 'quarterly').at(-1)?.code).toBe('9999-Q3');
    expect(ofKind(periods, 'semiannual').map((p) => p.code)).toEqual(['9999-H1']);
    for (const p of periods) {
      for (const day of [p.startsOn, p.endsOn, p.opensOn, p.dueOn]) {
        expect(day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      }
    }
  });
});
