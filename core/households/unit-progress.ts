import type { Period, PeriodKind } from '../campaigns/campaign.ts';
import { figurePeriods } from '../campaigns/figure-periods.ts';
import { unitsWithReportFor } from '../campaigns/same-day-reports.ts';
import { loadOwesReports, reportedUnder } from '../people/area-view.ts';
import type { Tx } from '../unit-of-work.ts';
import type { UnitView } from '../units/unit.repository.ts';

/**
 * What the leaders' view (`/tinhhinh`) and the digests to leadership groups both show per ward and
 * commune: households by stage and % completed, and which units sent the report of a period.
 */

const STAGES = ['approved', 'started', 'completed', 'handed_over'] as const;
type Stage = (typeof STAGES)[number];

/** Houses of a unit by stage, cumulative: a completed house was also approved and started. */
export interface UnitProgress {
  unitId: number;
  approved: number;
  started: number;
  completed: number;
  handedOver: number;
}

/**
 * Per unit, in the order given (units without households count zeros). With `countsUnder` (every
 * unit of the area → the listed unit it counts under, `loadAreaUnits`), the households of merged
 * predecessors are counted in their successor's row; each household is counted once.
 */
export async function loadUnitProgress(
  tx: Tx,
  units: UnitView[],
  countsUnder?: ReadonlyMap<number, number>,
): Promise<UnitProgress[]> {
  const ids = countsUnder ? [...countsUnder.keys()] : units.map((u) => u.id);
  const counts = await tx.households.countsByUnit(ids);
  // Households by listed unit and stage reached, in one pass over the grouped counts.
  const byUnit = new Map<number, number[]>();
  for (const c of counts) {
    const stage = STAGES.indexOf(c.status as Stage);
    if (stage < 0) {
      continue;
    }
    const shown = countsUnder?.get(c.unitId) ?? c.unitId;
    const reached = byUnit.get(shown) ?? [0, 0, 0, 0];
    for (let s = 0; s <= stage; s++) {
      reached[s] = (reached[s] ?? 0) + c.count;
    }
    byUnit.set(shown, reached);
  }
  return units.map((unit) => {
    const [approved = 0, started = 0, completed = 0, handedOver = 0] = byUnit.get(unit.id) ?? [];
    return { unitId: unit.id, approved, started, completed, handedOver };
  });
}

/** Which stages a household in `status` has reached: 1 or 0 for approved, started, completed, handed over. */
export function stagesReached(status: string | null): [number, number, number, number] {
  const stage = STAGES.indexOf(status as Stage);
  return [stage >= 0 ? 1 : 0, stage >= 1 ? 1 : 0, stage >= 2 ? 1 : 0, stage >= 3 ? 1 : 0];
}

export function sumProgress(rows: UnitProgress[]): Omit<UnitProgress, 'unitId'> {
  return rows.reduce(
    (s, r) => ({
      approved: s.approved + r.approved,
      started: s.started + r.started,
      completed: s.completed + r.completed,
      handedOver: s.handedOver + r.handedOver,
    }),
    { approved: 0, started: 0, completed: 0, handedOver: 0 },
  );
}

/** Completed of approved, rounded to a whole per cent; undefined while nothing is approved. */
export function completionPercent(p: Pick<UnitProgress, 'approved' | 'completed'>): number | undefined {
  return p.approved > 0 ? Math.round((p.completed / p.approved) * 100) : undefined;
}

/**
 * The latest weekly or monthly period (the figures report, whichever the campaign has) whose
 * report is due (due date on or before `today`, ISO).
 */
export async function latestDuePeriod(
  tx: Tx,
  campaignId: number,
  today: string,
): Promise<Period | undefined> {
  return (await figurePeriods(tx, campaignId)).filter((p) => p.dueOn <= today).at(-1);
}

/** The first period of the kind not yet due. */
export async function nextDuePeriod(
  tx: Tx,
  campaignId: number,
  kind: PeriodKind,
  today: string,
): Promise<Period | undefined> {
  const periods = await tx.campaigns.listPeriods(campaignId, kind);
  return periods.find((p) => p.dueOn > today);
}

/**
 * The units (of those given) that sent a report for the period, late or not: a monthly report, or
 * a narrative one for quarterly, six-monthly and final periods, or — when one report serves the
 * obligations due the same day — a report of one of those (`unitsWithReportFor`, as the reminders
 * count it). With `countsUnder`, a listed
 * successor counts as reported when it, or every predecessor merged into it that owed the
 * campaign's reports, reported (`reportedUnder`).
 */
export async function unitsReported(
  tx: Tx,
  period: Period,
  unitIds: number[],
  countsUnder?: ReadonlyMap<number, number>,
): Promise<Set<number>> {
  if (countsUnder) {
    const campaign = await tx.campaigns.findById(period.campaignId);
    return reportedUnder(
      countsUnder,
      await unitsReported(tx, period, [...countsUnder.keys()]),
      await loadOwesReports(tx, campaign?.areaUnitId ?? null, countsUnder),
    );
  }
  return unitsWithReportFor(tx, period, unitIds);
}

/** The longest short name: what fits a chart label and keeps a phone line to one row. */
export const SHORT_NAME_MAX = 15;

/**
 * A unit's name without its kind word, for lists on a phone and chart labels: "Phường Phùng Chí
 * Kiên" → "Phùng Chí Kiên", "Thành phố Hồ Chí Minh" → "Hồ Chí Minh". A longer one keeps its last
 * two words whole with dotted initials before them, "Phường Nguyễn Thị Minh Khai" → "N.T. Minh
 * Khai": never a cut word or a bare letter that reads as another name ("P Chí Kiên").
 */
export function shortUnitName(name: string): string {
  const bare = name
    .replace(
      /^(?:Ủy ban MTTQ(?:\s+Việt Nam)?\s+)?(?:phường|xã|thị trấn|đặc khu|tỉnh|thành phố|quận|huyện|thị xã)\s+/iu,
      '',
    )
    .trim();
  if ([...bare].length <= SHORT_NAME_MAX) {
    return bare;
  }
  const words = bare.split(/\s+/);
  const tail = words.slice(-2).join(' ');
  // Initials of the words before, skipping a dash: "Bà Rịa - Vũng Tàu" → "B.R. Vũng Tàu".
  const initials = words
    .slice(0, -2)
    .filter((w) => /\p{L}/u.test(w))
    .map((w) => `${[...w][0]}.`)
    .join('');
  return initials === '' ? tail : `${initials} ${tail}`;
}
