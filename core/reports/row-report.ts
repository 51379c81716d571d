import { type OwesReports, owingPredecessors } from '../people/area-view.ts';
import { COUNT_FIELDS, type ReportRecord, type TReportFigures } from './report.ts';

/**
 * A listed unit's report of a period, as the exports and `/tinhhinh` show it (issue 15 §2): its own
 * latest revision, or — for a successor that has not reported itself — its predecessors' summed.
 */

/** The units a view lists and, for the units merged into them, the row they count under. */
export interface ReportRows {
  units: readonly { id: number }[];
  /** Each unit counted → its row; absent: every row counts alone. */
  countsUnder?: ReadonlyMap<number, number>;
}

/** Each row → the ids counted under it (itself first). */
export function idsByRow(view: ReportRows): Map<number, number[]> {
  const rows = new Map<number, number[]>(view.units.map((u) => [u.id, [u.id]]));
  for (const [id, row] of view.countsUnder ?? []) {
    if (id !== row) {
      rows.get(row)?.push(id);
    }
  }
  return rows;
}

type Figures = Pick<
  TReportFigures,
  | 'approvedNew'
  | 'approvedRepair'
  | 'startedNew'
  | 'startedRepair'
  | 'completedNew'
  | 'completedRepair'
  | 'handedOverNew'
  | 'handedOverRepair'
  | 'moneyReceived'
  | 'moneyPaid'
  | 'labourDays'
>;

/** A row's report for a period: its own latest revision, or its predecessors' summed. */
export interface RowReport extends Figures {
  /** The latest revision's submission (the last of them for predecessors). */
  submittedAt: Date;
  /** The first submission: when the row's report became complete (the last predecessor's first). */
  firstAt: Date;
  /** The first submission was late (any predecessor's). */
  late: boolean;
}

const NUMBERS = [...COUNT_FIELDS, 'labourDays'] as const;

/**
 * The report a row shows for the period: the unit's own (its latest revision, cumulative figures of
 * its whole area), or — for a successor that has not reported itself — the sum of the latest
 * revisions of the predecessors merged into it that owed the campaign's reports (`owes`), when every
 * one of them reported (`reportedUnder`: otherwise the row has not reported). `reports` lists
 * revisions in order, as `listByPeriods` does.
 */
export function rowReport(
  unitId: number,
  ids: readonly number[],
  reports: readonly ReportRecord[],
  periodId: number,
  owes?: OwesReports,
): RowReport | undefined {
  const revisions = (id: number) => reports.filter((r) => r.periodId === periodId && r.unitId === id);
  const own = revisions(unitId);
  const parts = own.length > 0 ? [own] : owingPredecessors(unitId, ids, owes).map(revisions);
  if (parts.length === 0 || parts.some((p) => p.length === 0)) {
    return undefined;
  }
  const latest = parts.map((p) => p.at(-1) as ReportRecord);
  const firsts = parts.map((p) => p[0] as ReportRecord);
  const [only] = latest;
  const sum: Figures =
    only && latest.length === 1
      ? only
      : {
          ...(Object.fromEntries(NUMBERS.map((k) => [k, latest.reduce((n, r) => n + r[k], 0)])) as Pick<
            Figures,
            (typeof NUMBERS)[number]
          >),
          moneyReceived: latest.reduce((n, r) => n + r.moneyReceived, 0n),
          moneyPaid: latest.reduce((n, r) => n + r.moneyPaid, 0n),
        };
  const last = (dates: Date[]) => new Date(Math.max(...dates.map((d) => d.getTime())));
  return {
    ...sum,
    submittedAt: last(latest.map((r) => r.submittedAt)),
    firstAt: last(firsts.map((r) => r.submittedAt)),
    late: firsts.some((r) => r.late),
  };
}
