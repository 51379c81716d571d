import type { Period } from '../campaigns/campaign.ts';
import { loadAreaUnits, loadOwesReports, type OwesReports, owingPredecessors } from '../people/area-view.ts';
import { COUNT_FIELDS, type ReportRecord, type TReportFigures } from '../reports/report.ts';
import type { Tx } from '../unit-of-work.ts';
import { isLocalKind, type UnitView } from '../units/unit.repository.ts';
import { type ExportScope, lastDayOnTime } from './export-scope.ts';

/**
 * The wards and communes an export of a period lists (issue 15 §2): the units valid while that
 * period's report is owed — its last day on time, the day the reminders ask them for it — with the
 * units merged into them by then counted under them (`loadAreaUnits`). The progress export and the
 * late list of a period after 01/07/2025 list each successor once and count "chưa gửi báo cáo"
 * over the units valid then, as the digests and `/tinhhinh` do.
 */
export interface PeriodUnits {
  /** The rows, by code. */
  units: UnitView[];
  /** Each unit counted → its row; absent: every row counts alone. */
  countsUnder?: ReadonlyMap<number, number>;
  /** The rows that owe the period's report (valid that day); absent: all of them. */
  expected?: ReadonlySet<number>;
  /** Which units owed the campaign's reports (a predecessor from outside its area did not); absent: all. */
  owes?: OwesReports;
}

/** The day a period's units are taken at: the last day its report is on time. */
export function periodUnitsDay(period: Pick<Period, 'dueOn'>): string {
  return lastDayOnTime(period.dueOn);
}

/**
 * The scope's wards and communes on `day`: those of each city, province or district of the scope
 * as `loadAreaUnits` lists them (its wards and communes, successors across parents included), and
 * each ward or commune of the scope for itself.
 */
export async function scopeUnitsAt(
  tx: Tx,
  scope: Pick<ExportScope, 'own' | 'campaign'>,
  day: string,
): Promise<Required<PeriodUnits>> {
  const areas = scope.own.filter((u) => !isLocalKind(u.kind));
  const view =
    areas.length > 0 ? (await loadAreaUnits(tx, [...new Set(areas.map((u) => u.id))], day)).local : undefined;
  const units: UnitView[] = [...(view?.units ?? [])];
  const countsUnder = new Map(view?.countsUnder ?? []);
  const expected = new Set(view?.expected ?? []);
  for (const u of scope.own.filter((o) => isLocalKind(o.kind))) {
    if (!countsUnder.has(u.id)) {
      units.push(u);
      countsUnder.set(u.id, u.id);
      expected.add(u.id);
    }
  }
  return {
    units,
    countsUnder,
    expected,
    owes: await loadOwesReports(tx, scope.campaign.areaUnitId, countsUnder),
  };
}

/** The units a scope's export of each period lists, by period id. */
export async function scopeUnitsByPeriod(
  tx: Tx,
  scope: Pick<ExportScope, 'own' | 'campaign'>,
  periods: readonly Period[],
): Promise<Map<number, Required<PeriodUnits>>> {
  const byDay = new Map<string, Required<PeriodUnits>>();
  const result = new Map<number, Required<PeriodUnits>>();
  for (const period of periods) {
    const day = periodUnitsDay(period);
    const units = byDay.get(day) ?? (await scopeUnitsAt(tx, scope, day));
    byDay.set(day, units);
    result.set(period.id, units);
  }
  return result;
}

/** Each row → the ids counted under it (itself first). */
export function idsByRow(view: PeriodUnits): Map<number, number[]> {
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
