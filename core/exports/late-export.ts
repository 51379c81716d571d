import type { Period } from '../campaigns/campaign.ts';
import type { ReportRecord } from '../reports/report.ts';
import { idsByRow, rowReport } from '../reports/row-report.ts';
import { dateInZone, fromIsoDate, toIsoDate } from '../shared/calendar.ts';
import { formatDate } from '../shared/format.ts';
import type { UnitView } from '../units/unit.repository.ts';
import { daysBetween, displayUnitName, lastDayOnTime } from './export-scope.ts';
import type { PeriodUnits } from './period-units.ts';
import { type ExportColumn, type ExportRow, type ExportSheet, STT_COLUMN, sheet } from './sheet.ts';

export const LATE_COLUMNS: ExportColumn[] = [
  STT_COLUMN,
  { key: 'period', header: 'Kỳ báo cáo', width: 14, format: 'text' },
  { key: 'due', header: 'Hạn gửi (trước ngày)', width: 12, format: 'date' },
  { key: 'unit', header: 'Đơn vị', width: 26, format: 'text' },
  { key: 'missing', header: 'Chưa báo cáo', width: 10, format: 'text', total: 'count' },
  { key: 'late', header: 'Báo cáo muộn', width: 10, format: 'text', total: 'count' },
  { key: 'submitted', header: 'Ngày gửi', width: 11, format: 'date' },
  { key: 'daysLate', header: 'Số ngày chậm', width: 9, format: 'integer' },
  { key: 'note', header: 'Ghi chú', width: 26, format: 'text' },
];

export const LATE_TITLE = 'DANH SÁCH ĐƠN VỊ CHẬM BÁO CÁO TIẾN ĐỘ';

export interface LateInput {
  /** Weekly and monthly periods whose reports are due by `today`, oldest first. */
  periods: Period[];
  units: UnitView[];
  /** The units of each period (by id) when they differ from `units`: those valid while its report is owed. */
  unitsOf?: ReadonlyMap<number, PeriodUnits>;
  /** Every revision of those periods' reports. */
  reports: ReportRecord[];
  /**
   * By period id, the rows that sent a report serving it (`unitsReported`): a row without figures
   * for the period sent the report of another period due the same day, which serves both
   * (`oneReportWhenSameDay`) — not missing; its timing is that report's.
   */
  reportedOf?: ReadonlyMap<number, ReadonlySet<number>>;
  /** `${periodId}:${unitId}` of units whose officers all said they reported on paper. */
  onPaper: ReadonlySet<string>;
  timeZone: string;
  today: string;
}

/**
 * For each period due, the wards and communes (valid while its report is owed, `unitsOf`) that have
 * not reported or whose first submission came late (a successor's report is its own, or its
 * predecessors' when all of them sent theirs: `rowReport`), with the due date and the days late: counted from the last day on time (reports are
 * due *before* the due day), to the day of the first submission, or to today when none came.
 */
export function lateSheet(input: LateInput): ExportSheet {
  const rows: ExportRow[] = [];
  // The six-monthly report is the area committee's own (issue 16 §2): no ward is late for it.
  const periods = input.periods.filter((p) => p.kind !== 'semiannual');
  for (const period of periods) {
    const lastOnTime = lastDayOnTime(period.dueOn);
    const view = input.unitsOf?.get(period.id) ?? { units: input.units };
    const ids = idsByRow(view);
    for (const unit of view.units) {
      if (view.expected && !view.expected.has(unit.id)) {
        continue;
      }
      const report = rowReport(unit.id, ids.get(unit.id) ?? [unit.id], input.reports, period.id, view.owes);
      if (!report && input.reportedOf?.get(period.id)?.has(unit.id)) {
        continue;
      }
      const first = report && { late: report.late, submittedAt: report.firstAt };
      const sentOn = first ? toIsoDate(dateInZone(first.submittedAt, input.timeZone)) : undefined;
      if ((first && !first.late) || (!first && input.today < period.dueOn)) {
        continue;
      }
      const base = { period: period.label, due: period.dueOn, unit: displayUnitName(unit) };
      const note = input.onPaper.has(`${period.id}:${unit.id}`) ? 'Đã báo cáo bằng văn bản' : null;
      rows.push(
        sentOn === undefined
          ? { ...base, missing: 'x', daysLate: Math.max(0, daysBetween(lastOnTime, input.today)), note }
          : {
              ...base,
              late: 'x',
              submitted: sentOn,
              daysLate: Math.max(0, daysBetween(lastOnTime, sentOn)),
              note,
            },
      );
    }
  }
  const cadence = cadenceWord(periods);
  const listed =
    periods.length === 1 && periods[0]
      ? `Kỳ báo cáo ${periods[0].label}`
      : `Các kỳ báo cáo ${cadence} đã đến hạn`;
  return sheet({
    name: 'Chậm báo cáo',
    title: LATE_TITLE,
    subtitle: `${listed} – tính đến ngày ${formatDate(fromIsoDate(input.today))}`,
    columns: LATE_COLUMNS,
    rows: rows.map((r, i) => ({ stt: i + 1, ...r })),
    notes: [
      `Báo cáo ${cadence} phải gửi trước ngày ghi ở cột "Hạn gửi"; số ngày chậm tính từ ngày cuối cùng còn đúng hạn đến ngày gửi bản đầu tiên (hoặc đến hôm nay nếu chưa gửi).`,
      ...(rows.length === 0 ? ['Không có đơn vị nào chậm báo cáo.'] : []),
    ],
  });
}

/** "tháng" (the seed's monthly reports), "tuần", or "tuần và tháng" when both are listed. */
function cadenceWord(periods: readonly Pick<Period, 'kind'>[]): string {
  const weekly = periods.some((p) => p.kind === 'weekly');
  const monthly = periods.some((p) => p.kind === 'monthly');
  return weekly ? (monthly ? 'tuần và tháng' : 'tuần') : 'tháng';
}
