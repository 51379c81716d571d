import type { Period } from '../campaigns/campaign.ts';
import { loadAreaUnits, loadOwesReports, type OwesReports } from '../people/area-view.ts';
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
