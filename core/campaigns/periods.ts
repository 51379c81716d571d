import {
  addDays,
  addMonths,
  type CalendarDate,
  compareDates,
  daysInMonth,
  fromIsoDate,
  toIsoDate,
} from '../shared/calendar.ts';
import type { Campaign, PeriodSpec } from './campaign.ts';
import type { Schedule } from './definition.ts';

/** A monthly report can be sent from this day of its own month (so an officer can report early). */
export const MONTHLY_WINDOW_OPENS_DAY = 20;

/** Six-monthly summaries are due before this day of the month after the half-year. */
export const SEMIANNUAL_DUE_DAY = 15;

/** Day `day` of the month of `month`, clamped to the month's last day (31 → 28/02). */
function dayOf(month: CalendarDate, day: number): CalendarDate {
  return { year: month.year, month: month.month, day: Math.min(day, daysInMonth(month.year, month.month)) };
}

function lastDayOf(month: CalendarDate): CalendarDate {
  return dayOf(month, 31);
}

/** The earlier of two days. */
function earlier(a: CalendarDate, b: CalendarDate): CalendarDate {
  return compareDates(a, b) <= 0 ? a : b;
}

const two = (n: number) => String(n).padStart(2, '0');

/** 1 = Monday … 7 = Sunday. */
function isoWeekday(d: CalendarDate): number {
  const js = new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
  return js === 0 ? 7 : js;
}

/** The ISO week-numbering year and week of a day (the week belongs to the year of its Thursday). */
function isoWeek(monday: CalendarDate): { year: number; week: number } {
  const thursday = addDays(monday, 3);
  const dayOfYear =
    Math.round(
      (Date.UTC(thursday.year, thursday.month - 1, thursday.day) - Date.UTC(thursday.year, 0, 1)) /
        86_400_000,
    ) + 1;
  return { year: thursday.year, week: Math.floor((dayOfYear - 1) / 7) + 1 };
}

/** "10/02" */
function dayMonth(d: CalendarDate): string {
  return `${two(d.day)}/${two(d.month)}`;
}

const ROMAN_QUARTERS = ['I', 'II', 'III', 'IV'];

/**
 * The reporting periods a campaign's schedule rules produce (issue 15 §1), kind by kind (weekly,
 * monthly, quarterly, semiannual, final), each kind in calendar order:
 * - weekly: each ISO week (Monday–Sunday) that meets the campaign, due before `dueWeekday` of the
 *   following week, open from the week's Monday;
 * - monthly: each month M, due before `dueDay` of month M+1 (`next`) or of month M (`same`), open
 *   from `opensDay` of month M — never later than the due day;
 * - quarterly: due before `dueDay` of the quarter's last month (`last`) or of the month after
 *   (`next`), open from the first day of the quarter's last month (never later than the due day);
 * - semiannual (the area's own report to the Party committee): due before `dueDay` of the month after
 *   the half-year, open from the 20th of its last month;
 * - final: due `dueOn`, open `opensDaysBefore` days earlier.
 * Day numbers beyond a month's length are its last day. Weekly, monthly and quarterly reports that
 * would fall due after the campaign ends are left to the final report; every half-year that meets
 * the campaign keeps its summary (the last one is due after the end, as in the 2024–2025 plan).
 */
export function schedulePeriods(input: {
  startsOn: string;
  endsOn: string;
  schedule: Schedule;
}): PeriodSpec[] {
  const { schedule } = input;
  const start = fromIsoDate(input.startsOn);
  const end = fromIsoDate(input.endsOn);
  const periods: PeriodSpec[] = [];
  // Dates compared as dates, never as strings: a year after 9999 would sort before it.
  const within = (d: CalendarDate) => compareDates(d, end) <= 0;
  /** A report due within the campaign, open from `opens` but never after its due day. */
  const keep = (p: Omit<PeriodSpec, 'opensOn' | 'dueOn'>, opens: CalendarDate, due: CalendarDate): void => {
    if (within(due)) {
      periods.push({ ...p, opensOn: toIsoDate(earlier(opens, due)), dueOn: toIsoDate(due) });
    }
  };

  if (schedule.weekly) {
    const { dueWeekday } = schedule.weekly;
    for (let monday = addDays(start, 1 - isoWeekday(start)); within(monday); ) {
      const next = addDays(monday, 7);
      const sunday = addDays(next, -1);
      const { year, week } = isoWeek(monday);
      keep(
        {
          kind: 'weekly',
          code: `${year}-W${two(week)}`,
          label: `tuần ${two(week)}/${year} (${dayMonth(monday)}–${dayMonth(sunday)})`,
          startsOn: toIsoDate(monday),
          endsOn: toIsoDate(sunday),
        },
        monday,
        addDays(next, dueWeekday - 1),
      );
      monday = next;
    }
  }

  if (schedule.monthly) {
    const { dueDay, dueMonth, opensDay } = schedule.monthly;
    for (let month = { year: start.year, month: start.month, day: 1 }; within(month); ) {
      const next = addMonths(month, 1);
      keep(
        {
          kind: 'monthly',
          code: `${month.year}-${two(month.month)}`,
          label: `tháng ${month.month}/${month.year}`,
          startsOn: toIsoDate(month),
          endsOn: toIsoDate(addDays(next, -1)),
        },
        dayOf(month, opensDay),
        dayOf(dueMonth === 'next' ? next : month, dueDay),
      );
      month = next;
    }
  }

  if (schedule.quarterly) {
    const { dueDay, dueMonth } = schedule.quarterly;
    const firstQuarterMonth = Math.floor((start.month - 1) / 3) * 3 + 1;
    for (let q = { year: start.year, month: firstQuarterMonth, day: 1 }; within(q); ) {
      const lastMonth = addMonths(q, 2);
      const quarter = Math.floor((q.month - 1) / 3) + 1;
      const next = addMonths(q, 3);
      keep(
        {
          kind: 'quarterly',
          code: `${q.year}-Q${quarter}`,
          label: `quý ${ROMAN_QUARTERS[quarter - 1]}/${q.year}`,
          startsOn: toIsoDate(q),
          endsOn: toIsoDate(lastDayOf(lastMonth)),
        },
        lastMonth,
        dayOf(dueMonth === 'last' ? lastMonth : next, dueDay),
      );
      q = next;
    }
  }

  if (schedule.semiannual) {
    const { dueDay } = schedule.semiannual;
    for (let h = { year: start.year, month: start.month <= 6 ? 1 : 7, day: 1 }; within(h); ) {
      const lastMonth = addMonths(h, 5);
      const next = addMonths(h, 6);
      const due = dayOf(next, dueDay);
      // Due after the campaign is fine (the last summary usually is), but not beyond what a date holds.
      if (due.year <= 9999) {
        periods.push({
          kind: 'semiannual',
          code: `${h.year}-H${h.month === 1 ? 1 : 2}`,
          label: `${h.month === 1 ? '6 tháng đầu năm' : '6 tháng cuối năm'} ${h.year}`,
          startsOn: toIsoDate(h),
          endsOn: toIsoDate(lastDayOf(lastMonth)),
          opensOn: toIsoDate(earlier(dayOf(lastMonth, MONTHLY_WINDOW_OPENS_DAY), due)),
          dueOn: toIsoDate(due),
        });
      }
      h = next;
    }
  }

  const { dueOn, opensDaysBefore } = schedule.final;
  periods.push({
    kind: 'final',
    code: 'final',
    // The plan's "báo cáo kết quả thực hiện Kế hoạch" ("tổng kết" is the Party committee's review).
    label: 'kết quả thực hiện Kế hoạch',
    startsOn: input.startsOn,
    endsOn: input.endsOn,
    opensOn: toIsoDate(addDays(fromIsoDate(dueOn), -opensDaysBefore)),
    dueOn,
  });
  return periods;
}

/**
 * The schedule of a campaign row from before definition files (DESIGN.md §1): month M due before
 * `monthlyDueDay` of month M+1, open from the 20th; the quarterly report before `quarterlyDueDay`
 * of the quarter's last month; six-monthly summaries before the 15th; the final report on its date,
 * open 30 days before. Reports sent for the same due day are NOT merged: such campaigns reminded
 * of each obligation separately.
 */
export function scheduleOfCampaign(
  campaign: Pick<Campaign, 'monthlyDueDay' | 'quarterlyDueDay' | 'finalDueOn'>,
): Schedule {
  return {
    monthly: { dueDay: campaign.monthlyDueDay, dueMonth: 'next', opensDay: MONTHLY_WINDOW_OPENS_DAY },
    quarterly: { dueDay: campaign.quarterlyDueDay, dueMonth: 'last' },
    semiannual: { dueDay: SEMIANNUAL_DUE_DAY, owner: 'area' },
    final: { dueOn: campaign.finalDueOn, opensDaysBefore: 30 },
    oneReportWhenSameDay: false,
  };
}

/** The periods of a campaign row from before definition files (see `scheduleOfCampaign`). */
export function generatePeriods(
  campaign: Pick<Campaign, 'startsOn' | 'endsOn' | 'monthlyDueDay' | 'quarterlyDueDay' | 'finalDueOn'>,
): PeriodSpec[] {
  return schedulePeriods({
    startsOn: campaign.startsOn,
    endsOn: campaign.endsOn,
    schedule: scheduleOfCampaign(campaign),
  });
}
