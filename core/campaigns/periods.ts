import { addDays, addMonths, compareDates, daysInMonth, fromIsoDate, toIsoDate } from '../shared/calendar.ts';
import type { Campaign, PeriodSpec } from './campaign.ts';

/** A monthly report can be sent from this day of its own month (so an officer can report early). */
export const MONTHLY_WINDOW_OPENS_DAY = 20;

/** Six-monthly summaries are due before this day of the month after the half-year. */
export const SEMIANNUAL_DUE_DAY = 15;

/**
 * The reporting periods a campaign's rules produce (DESIGN.md §1): a report for each month M,
 * due before `monthlyDueDay` of month M+1; a quarterly report due before `quarterlyDueDay` of the
 * quarter's last month; and the final report. Months whose report would fall due after the
 * campaign ends are left to the final report.
 */
export function generatePeriods(
  campaign: Pick<Campaign, 'startsOn' | 'endsOn' | 'monthlyDueDay' | 'quarterlyDueDay' | 'finalDueOn'>,
): PeriodSpec[] {
  const start = fromIsoDate(campaign.startsOn);
  const end = fromIsoDate(campaign.endsOn);
  const periods: PeriodSpec[] = [];

  for (let month = { year: start.year, month: start.month, day: 1 }; compareDates(month, end) <= 0; ) {
    const next = addMonths(month, 1);
    const due = { ...next, day: Math.min(campaign.monthlyDueDay, daysInMonth(next.year, next.month)) };
    if (compareDates(due, end) > 0) {
      break;
    }
    periods.push({
      kind: 'monthly',
      code: `${month.year}-${String(month.month).padStart(2, '0')}`,
      label: `tháng ${month.month}/${month.year}`,
      startsOn: toIsoDate(month),
      endsOn: toIsoDate(addDays(next, -1)),
      opensOn: toIsoDate({ ...month, day: MONTHLY_WINDOW_OPENS_DAY }),
      dueOn: toIsoDate(due),
    });
    month = next;
  }

  const firstQuarterMonth = Math.floor((start.month - 1) / 3) * 3 + 1;
  for (
    let q = { year: start.year, month: firstQuarterMonth, day: 1 };
    compareDates(q, end) <= 0;
    q = addMonths(q, 3)
  ) {
    const lastMonth = addMonths(q, 2);
    const quarter = Math.floor((q.month - 1) / 3) + 1;
    periods.push({
      kind: 'quarterly',
      code: `${q.year}-Q${quarter}`,
      label: `quý ${['I', 'II', 'III', 'IV'][quarter - 1]}/${q.year}`,
      startsOn: toIsoDate(q),
      endsOn: toIsoDate({ ...lastMonth, day: daysInMonth(lastMonth.year, lastMonth.month) }),
      opensOn: toIsoDate(lastMonth),
      dueOn: toIsoDate({
        ...lastMonth,
        day: Math.min(campaign.quarterlyDueDay, daysInMonth(lastMonth.year, lastMonth.month)),
      }),
    });
  }

  // Six-monthly summaries to the Party standing committee: due before the 15th of the month after
  // the half-year (the plan names no day; SEMIANNUAL_DUE_DAY is that assumption).
  for (
    let h = { year: start.year, month: start.month <= 6 ? 1 : 7, day: 1 };
    compareDates(h, end) <= 0;
    h = addMonths(h, 6)
  ) {
    const lastMonth = addMonths(h, 5);
    const due = { ...addMonths(h, 6), day: SEMIANNUAL_DUE_DAY };
    periods.push({
      kind: 'semiannual',
      code: `${h.year}-H${h.month === 1 ? 1 : 2}`,
      label: `${h.month === 1 ? '6 tháng đầu năm' : '6 tháng cuối năm'} ${h.year}`,
      startsOn: toIsoDate(h),
      endsOn: toIsoDate({ ...lastMonth, day: daysInMonth(lastMonth.year, lastMonth.month) }),
      opensOn: toIsoDate({ ...lastMonth, day: MONTHLY_WINDOW_OPENS_DAY }),
      dueOn: toIsoDate(due),
    });
  }

  const finalDue = fromIsoDate(campaign.finalDueOn);
  periods.push({
    kind: 'final',
    code: 'final',
    label: 'tổng kết',
    startsOn: campaign.startsOn,
    endsOn: campaign.endsOn,
    opensOn: toIsoDate(addDays(finalDue, -30)),
    dueOn: campaign.finalDueOn,
  });
  return periods;
}
