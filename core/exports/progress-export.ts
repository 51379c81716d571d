import type { Period } from '../campaigns/campaign.ts';
import { unitsReported } from '../households/unit-progress.ts';
import { cumulativeCounts } from '../reports/registry-counts.ts';
import type { HouseCounts, ReportRecord } from '../reports/report.ts';
import { idsByRow, rowReport } from '../reports/row-report.ts';
import { addDays, dateInZone, fromIsoDate, startOfDay, toIsoDate } from '../shared/calendar.ts';
import { formatDate } from '../shared/format.ts';
import type { Tx } from '../unit-of-work.ts';
import type { UnitView } from '../units/unit.repository.ts';
import { displayUnitName, type ExportScope } from './export-scope.ts';
import { type PeriodUnits, periodUnitsDay, scopeUnitsAt } from './period-units.ts';
import { type ExportColumn, type ExportRow, type ExportSheet, ratio, STT_COLUMN, sheet } from './sheet.ts';

export interface ProgressInput extends PeriodUnits {
  period: Period;
  timeZone: string;
  units: UnitView[];
  /** Every revision of the period's reports (other units are ignored). */
  reports: ReportRecord[];
  /** The registry's cumulative counts per row at the period's end; null when it has no household. */
  registry: ReadonlyMap<number, HouseCounts | null>;
  /**
   * The rows that sent a report serving the period (`unitsReported`): a row without figures in it
   * sent the report of another period due the same day, which serves both (`oneReportWhenSameDay`).
   */
  reported?: ReadonlySet<number>;
}

const APPROVED = 'Số hộ được phê duyệt';
const STARTED = 'Số nhà đã khởi công';
const COMPLETED = 'Số nhà đã hoàn thành';
const HANDED_OVER = 'Số nhà đã bàn giao';
const MONEY = 'Kinh phí (đồng)';
const REGISTRY = 'Sổ theo dõi hộ (cuối kỳ)';

export const PROGRESS_COLUMNS: ExportColumn[] = [
  STT_COLUMN,
  { key: 'unit', header: 'Đơn vị', width: 24, format: 'text' },
  { key: 'approvedNew', header: 'Xây mới', group: APPROVED, width: 8, format: 'integer', total: 'sum' },
  { key: 'approvedRepair', header: 'Sửa chữa', group: APPROVED, width: 8, format: 'integer', total: 'sum' },
  { key: 'startedNew', header: 'Xây mới', group: STARTED, width: 8, format: 'integer', total: 'sum' },
  { key: 'startedRepair', header: 'Sửa chữa', group: STARTED, width: 8, format: 'integer', total: 'sum' },
  { key: 'completedNew', header: 'Xây mới', group: COMPLETED, width: 8, format: 'integer', total: 'sum' },
  { key: 'completedRepair', header: 'Sửa chữa', group: COMPLETED, width: 8, format: 'integer', total: 'sum' },
  { key: 'handedOverNew', header: 'Xây mới', group: HANDED_OVER, width: 8, format: 'integer', total: 'sum' },
  {
    key: 'handedOverRepair',
    header: 'Sửa chữa',
    group: HANDED_OVER,
    width: 8,
    format: 'integer',
    total: 'sum',
  },
  {
    key: 'completion',
    header: 'Tỷ lệ hoàn thành',
    width: 11,
    format: 'percent',
    total: {
      ratio: {
        numerator: ['completedNew', 'completedRepair'],
        denominator: ['approvedNew', 'approvedRepair'],
      },
    },
  },
  { key: 'moneyReceived', header: 'Đã tiếp nhận', group: MONEY, width: 15, format: 'money', total: 'sum' },
  { key: 'moneyPaid', header: 'Đã chi', group: MONEY, width: 15, format: 'money', total: 'sum' },
  { key: 'labourDays', header: 'Ngày công', width: 10, format: 'integer', total: 'sum' },
  { key: 'submitted', header: 'Ngày gửi báo cáo', width: 12, format: 'date' },
  { key: 'onTime', header: 'Đúng hạn / muộn', width: 13, format: 'text' },
  {
    key: 'registryApproved',
    header: 'Đã duyệt',
    group: REGISTRY,
    width: 10,
    format: 'integer',
    total: 'sum',
  },
  {
    key: 'registryCompleted',
    header: 'Đã hoàn thành',
    group: REGISTRY,
    width: 10,
    format: 'integer',
    total: 'sum',
  },
];

const MISSING = 'Chưa báo cáo';
const ENDED = 'Hết hiệu lực';
/** Sent the report of another period due the same day, which serves this one too. */
export const SERVED_SAME_DAY = 'Đã gửi báo cáo chung cùng hạn';

export const PROGRESS_TITLE = 'BÁO CÁO TIẾN ĐỘ XÓA NHÀ TẠM, NHÀ DỘT NÁT THEO ĐƠN VỊ';

/**
 * Progress by unit for a weekly or monthly period: per ward and commune valid while the report is owed the
 * figures of its latest revision for the period (cumulative since the campaign began), whether the
 * first submission was late, and the registry's approved and completed houses at the period's end
 * for comparison. A successor that has not reported itself shows its predecessors' reports summed
 * when all of them reported (`rowReport`). A unit without a report has an empty row marked "Chưa
 * báo cáo"; a row kept for an ended unit (a split ward's own figures) owes none.
 */
export function progressSheet(input: ProgressInput): ExportSheet {
  const ids = idsByRow(input);
  const rows: ExportRow[] = input.units.map((unit, i) => {
    const latest = rowReport(
      unit.id,
      ids.get(unit.id) ?? [unit.id],
      input.reports,
      input.period.id,
      input.owes,
    );
    const registry = input.registry.get(unit.id) ?? null;
    const row: ExportRow = {
      stt: i + 1,
      unit: displayUnitName(unit),
      registryApproved: registry ? registry.approvedNew + registry.approvedRepair : null,
      registryCompleted: registry ? registry.completedNew + registry.completedRepair : null,
    };
    if (!latest) {
      const onTime =
        input.expected && !input.expected.has(unit.id)
          ? ENDED
          : input.reported?.has(unit.id)
            ? SERVED_SAME_DAY
            : MISSING;
      return { ...row, onTime };
    }
    return {
      ...row,
      approvedNew: latest.approvedNew,
      approvedRepair: latest.approvedRepair,
      startedNew: latest.startedNew,
      startedRepair: latest.startedRepair,
      completedNew: latest.completedNew,
      completedRepair: latest.completedRepair,
      handedOverNew: latest.handedOverNew,
      handedOverRepair: latest.handedOverRepair,
      completion: ratio(
        latest.completedNew + latest.completedRepair,
        latest.approvedNew + latest.approvedRepair,
      ),
      moneyReceived: latest.moneyReceived,
      moneyPaid: latest.moneyPaid,
      labourDays: latest.labourDays,
      submitted: toIsoDate(dateInZone(latest.submittedAt, input.timeZone)),
      onTime: latest.late ? 'Muộn' : 'Đúng hạn',
    };
  });
  const { period } = input;
  const missing = rows.filter((r) => r.onTime === MISSING).length;
  return sheet({
    name: `Tiến độ ${period.code}`,
    title: PROGRESS_TITLE,
    subtitle: `Kỳ báo cáo ${period.label} (số liệu cộng dồn đến ngày ${formatDate(fromIsoDate(period.endsOn))})`,
    columns: PROGRESS_COLUMNS,
    rows,
    notes: [
      `Hạn gửi báo cáo: trước ngày ${formatDate(fromIsoDate(period.dueOn))}. Số liệu theo bản báo cáo mới nhất của kỳ; "Muộn" khi bản gửi đầu tiên quá hạn.`,
      'Tỷ lệ hoàn thành = số nhà đã hoàn thành / số hộ được phê duyệt.',
      `Sổ theo dõi hộ: số hộ trong sổ của bot đến hết ngày ${formatDate(fromIsoDate(period.endsOn))}, để đối chiếu.`,
      ...(missing > 0 ? [`Còn ${missing} đơn vị chưa gửi báo cáo kỳ này.`] : []),
    ],
  });
}

/** Reads what `progressSheet` needs for the scope's wards and communes valid while the report is owed. */
export async function loadProgressInput(tx: Tx, scope: ExportScope, period: Period): Promise<ProgressInput> {
  const reports = await tx.reports.listByPeriods([period.id]);
  const view = await scopeUnitsAt(tx, scope, periodUnitsDay(period));
  // The registry as the period closed: everything up to the first instant of the next day, the
  // households of merged predecessors in their successor's row.
  const asOf = startOfDay(addDays(fromIsoDate(period.endsOn), 1), scope.campaign.timeZone);
  const registry = new Map<number, HouseCounts | null>();
  for (const [row, ids] of idsByRow(view)) {
    const counts = await Promise.all(ids.map((id) => tx.households.statusCountsAsOf(id, asOf)));
    registry.set(row, sumCounts(counts.map(cumulativeCounts)));
  }
  const reported = await unitsReported(tx, period, [], view.countsUnder);
  return { period, timeZone: scope.campaign.timeZone, ...view, reports, registry, reported };
}

/** The counts of several units added up; null when none has a household. */
function sumCounts(counts: (HouseCounts | null)[]): HouseCounts | null {
  const present = counts.filter((c): c is HouseCounts => c !== null);
  const [first, ...rest] = present;
  if (!first) {
    return null;
  }
  const total = { ...first };
  for (const c of rest) {
    for (const key of Object.keys(total) as (keyof HouseCounts)[]) {
      total[key] += c[key];
    }
  }
  return total;
}
