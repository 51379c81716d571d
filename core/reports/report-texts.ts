import type { Text } from '../flows/flow.ts';
import { fromIsoDate } from '../shared/calendar.ts';
import { formatDate, formatDateTime } from '../shared/format.ts';

/** The unit and period lines above a report's summary (monthly, quarterly and final alike). */
export function periodHeader(
  unitName: string,
  period: { label: string; dueOn: string; late: boolean } | undefined,
): Text[] {
  const lines: Text[] = [{ key: 'report.summary.unit', params: { unit: unitName } }];
  if (period) {
    lines.push({
      key: period.late ? 'report.summary.period_late' : 'report.summary.period',
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
      params: { period: r.periodLabel, unit: r.unitName, ref: r.ref, at: formatDateTime(r.at, r.timeZone) },
    },
    { key: r.late ? 'report.receipt.late' : 'report.receipt.on_time' },
  ];
  if (r.revision > 1) {
    receipt.push({ key: 'report.receipt.revision', params: { revision: r.revision } });
  }
  return receipt;
}
