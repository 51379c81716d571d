import type { Text } from '../flows/flow.ts';
import type { MessageKey } from '../messaging/catalog.ts';
import { code } from '../messaging/markup.ts';
import { fromIsoDate } from '../shared/calendar.ts';
import { formatDate, formatDateTime } from '../shared/format.ts';

/**
 * The wards' final report as the campaign plan names it: "báo cáo kết quả thực hiện Kế hoạch" (due
 * before 10/12/2025). "Tổng kết" is the Party committee's review afterwards, not this report.
 */
export const FINAL_REPORT_NAME = 'kết quả thực hiện Kế hoạch';

/** A final report's reference: "BCKQ-01840-1" ("BCTK-…" of reports sent before stays readable). */
export const FINAL_REF_PREFIX = 'BCKQ';

/**
 * What a written report is of, to follow "báo cáo": "quý IV/2025", "6 tháng đầu năm 2025",
 * "kết quả thực hiện Kế hoạch" (a final period stored with its old label "tổng kết" too).
 */
export function narrativeName(period: { kind: string; label: string }): string {
  return period.kind === 'final' ? FINAL_REPORT_NAME : period.label;
}

/** "Báo cáo quý IV/2025", "Báo cáo kết quả thực hiện Kế hoạch": a written report's title. */
export function narrativeTitle(period: { kind: string; label: string }): string {
  return `Báo cáo ${narrativeName(period)}`;
}

/** The unit and period lines above a report's summary (monthly, quarterly and final alike). */
export function periodHeader(
  unitName: string,
  period: { label: string; dueOn: string; late: boolean } | undefined,
  keys: { onTime: MessageKey; late: MessageKey } = {
    onTime: 'report.summary.period',
    late: 'report.summary.period_late',
  },
): Text[] {
  const lines: Text[] = [{ key: 'report.summary.unit', params: { unit: unitName } }];
  if (period) {
    lines.push({
      key: period.late ? keys.late : keys.onTime,
      params: { period: period.label, due: formatDate(fromIsoDate(period.dueOn)) },
    });
  }
  return lines;
}

/** The receipt of a submitted report: reference, time, on time or late, and the revision. */
export function reportReceipt(r: {
  periodLabel: string;
  unitName: string;
  ref: string;
  at: Date;
  timeZone: string;
  late: boolean;
  revision: number;
}): Text[] {
  const receipt: Text[] = [
    {
      key: 'report.receipt',
      params: {
        period: r.periodLabel,
        unit: r.unitName,
        ref: code(r.ref),
        at: formatDateTime(r.at, r.timeZone),
      },
    },
    { key: r.late ? 'report.receipt.late' : 'report.receipt.on_time' },
  ];
  if (r.revision > 1) {
    receipt.push({ key: 'report.receipt.revision', params: { revision: r.revision } });
  }
  return receipt;
}
