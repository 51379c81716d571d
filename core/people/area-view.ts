import type { Tx } from '../unit-of-work.ts';
import { rollUp } from '../units/succession.ts';
import {
  type DatedUnit,
  isAreaKind,
  isLocalKind,
  type UnitSuccessionView,
} from '../units/unit.repository.ts';

/**
 * The units a view of an area lists for a day, after reorganisations (issue 7 §2, issue 15 §2).
 * Records stay attached to the unit they were made for; what changes from an effective date is the
 * unit their figures count under. A predecessor with a single successor (a merge, a rename, a
 * one-to-one succession) counts under it, across parents too; a split unit has several successors
 * and keeps its own figures (and row) until its households are reassigned, so nothing is counted
 * twice and nothing is lost.
 *
 * What belongs to the view of an area on a day:
 * - every ward and commune that is, or ever was, below the area (a unit of the area), counted under
 *   the unit its figures roll into by that day — even when that successor now lies outside the area
 *   (the wards of Bắc Kạn city went into wards of the province of Thái Nguyên on 01/07/2025, the
 *   view of the city after that date lists those successors);
 * - a predecessor from outside the area whose figures roll into a unit of the area (a commune that
 *   joined it from another district);
 * - a successor outside the area counts its own records and those of its predecessors of the area,
 *   never those of its predecessors from elsewhere: xã Phong Quang (01849, from 01/07/2025) in the
 *   view of Bắc Kạn city counts what Dương Quang brought, not what Đôn Phong of Bạch Thông did —
 *   that stays in the views of Bạch Thông, so two campaigns over the two former areas never count a
 *   record twice.
 * Codes are reused across dates (01840 named two different wards), so units are keyed by id; lists
 * are sorted by code, then first valid day, then id.
 */

export { rollUp };

/** Whether the unit is valid on the ISO day: from its first to its last valid day. */
export function isValidOn(unit: Pick<DatedUnit, 'validFrom' | 'validTo'>, day: string): boolean {
  return unit.validFrom <= day && (unit.validTo === null || unit.validTo >= day);
}

/** Code, then first valid day, then id: a stable order where a code names two units at two dates. */
export function byCodeAndDate(a: DatedUnit, b: DatedUnit): number {
  return a.code.localeCompare(b.code) || a.validFrom.localeCompare(b.validFrom) || a.id - b.id;
}

/** The units a view lists at a date and, for every unit of the area, the listed unit it counts under. */
export interface AreaUnits {
  /** Units valid at the date, plus ended units whose figures roll nowhere (a split), by code. */
  units: DatedUnit[];
  /** Every unit counted (listed or rolled in) → the listed unit; units not yet valid are absent. */
  countsUnder: Map<number, number>;
  /** The listed units valid at the date: those that owe that day's reports ("chưa gửi báo cáo" counts them). */
  expected: Set<number>;
}

/**
 * What a view of an area lists: its wards and communes (`AreaUnits`), or — for an area of several
 * levels (the nation, a province with districts) — the units right below it, each standing for
 * everything under it. `local` is always the wards and communes, the units that report.
 */
export interface AreaView extends AreaUnits {
  local: AreaUnits & {
    /** Each listed ward or commune → the listed unit of the view it belongs to (itself in a one-level view). */
    rowOf: Map<number, number>;
  };
}

function expectedAt(units: readonly DatedUnit[], asOf: string): Set<number> {
  return new Set(units.filter((u) => isValidOn(u, asOf)).map((u) => u.id));
}

/** The wards and communes of one parent at `asOf`: merged ones once, under their successor. */
export function unitsShownAt(
  children: readonly DatedUnit[],
  successions: readonly UnitSuccessionView[],
  asOf: string,
): AreaUnits {
  const under = rollUp(children, successions, asOf);
  const units = children.filter((u) => under.get(u.id) === u.id && u.validFrom <= asOf).sort(byCodeAndDate);
  const shown = new Set(units.map((u) => u.id));
  const countsUnder = new Map<number, number>();
  for (const [id, target] of under) {
    if (shown.has(target)) {
      countsUnder.set(id, target);
    }
  }
  return { units, countsUnder, expected: expectedAt(units, asOf) };
}

/**
 * The view of the area below `parentIds` at `asOf`, from every unit ever below it (`descendants`:
 * any depth, any kind, member organisations are left out here) and `linked`, the units outside it
 * that successions join to its wards and communes (their successors and predecessors elsewhere).
 * Wards and communes are listed as they are that day (see the rules at the top of this file); a
 * unit of a higher level right below (a province under the nation) is listed while valid, or while
 * something still counts under it, and counts everything under it.
 */
export function areaViewAt(
  parentIds: readonly number[],
  descendants: readonly DatedUnit[],
  successions: readonly UnitSuccessionView[],
  asOf: string,
  linked: readonly DatedUnit[] = [],
): AreaView {
  const area = descendants.filter((u) => isAreaKind(u.kind));
  const inArea = new Set(area.map((u) => u.id));
  const outside = linked.filter((u) => isAreaKind(u.kind) && !inArea.has(u.id));
  const byId = new Map([...area, ...outside].map((u) => [u.id, u]));
  const roots = new Set(parentIds);
  const started = [...area, ...outside].filter((u) => isLocalKind(u.kind) && u.validFrom <= asOf);
  const under = rollUp(started, successions, asOf);
  const target = (u: DatedUnit) => under.get(u.id) ?? u.id;
  const targetsOfArea = new Set(started.filter((u) => inArea.has(u.id)).map(target));
  // A unit of the area, a predecessor from elsewhere rolling into one, or a successor elsewhere of one.
  const counted = started.filter((u) => inArea.has(u.id) || inArea.has(target(u)) || targetsOfArea.has(u.id));

  // The child of a root a unit lies under (the unit itself for a ward right below); none outside.
  const rootChild = (u: DatedUnit | undefined): DatedUnit | undefined => {
    for (let cur = u, depth = 0; cur && depth < 16; cur = byId.get(cur.parentId ?? -1), depth++) {
      if (cur.parentId !== null && roots.has(cur.parentId)) {
        return cur;
      }
    }
    return undefined;
  };
  const upperOf = (u: DatedUnit): DatedUnit | undefined => {
    const child = rootChild(u);
    return child && !isLocalKind(child.kind) ? child : undefined;
  };

  const localUnits = new Map<number, DatedUnit>();
  const localCounts = new Map<number, number>();
  for (const u of counted) {
    const t = byId.get(target(u));
    if (t) {
      localUnits.set(t.id, t);
      localCounts.set(u.id, t.id);
    }
  }
  const local = [...localUnits.values()].sort(byCodeAndDate);
  const rowOf = new Map<number, number>();
  const upper = new Map<number, DatedUnit>();
  for (const u of local) {
    const row = upperOf(u);
    rowOf.set(u.id, row?.id ?? u.id);
    if (row) {
      upper.set(row.id, row);
    }
  }
  for (const u of area) {
    if (!isLocalKind(u.kind) && u.parentId !== null && roots.has(u.parentId) && isValidOn(u, asOf)) {
      upper.set(u.id, u);
    }
  }
  const localView = {
    units: local,
    countsUnder: localCounts,
    expected: expectedAt(local, asOf),
    rowOf,
  };
  if (upper.size === 0) {
    return { ...localView, local: localView };
  }
  const countsUnder = new Map<number, number>();
  for (const [id, t] of localCounts) {
    countsUnder.set(id, rowOf.get(t) ?? t);
  }
  // The levels in between (a district under a province row) count under their row too.
  for (const u of area) {
    const row = isLocalKind(u.kind) || u.validFrom > asOf ? undefined : upperOf(u);
    if (row && upper.has(row.id)) {
      countsUnder.set(u.id, row.id);
    }
  }
  const units = [...upper.values(), ...local.filter((u) => rowOf.get(u.id) === u.id)].sort(byCodeAndDate);
  return { units, countsUnder, expected: expectedAt(units, asOf), local: localView };
}

/** Ids joined to `ids` by successions: every successor after them and every predecessor before them. */
export function linkedUnitIds(
  ids: Iterable<number>,
  successions: readonly UnitSuccessionView[],
): Set<number> {
  const linked = new Set<number>();
  for (const [from, to] of [
    ['predecessorId', 'successorId'],
    ['successorId', 'predecessorId'],
  ] as const) {
    const stack = [...ids];
    const seen = new Set(stack);
    for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
      for (const s of successions) {
        if (s[from] === id && !seen.has(s[to])) {
          seen.add(s[to]);
          linked.add(s[to]);
          stack.push(s[to]);
        }
      }
    }
  }
  return linked;
}

/** The units below the given ones as a view shows them on `asOf` (ISO day): see `areaViewAt`. */
export async function loadAreaUnits(tx: Tx, parentIds: number[], asOf: string): Promise<AreaView> {
  const [descendants, successions] = await Promise.all([
    tx.units.listDescendantsDated(parentIds),
    tx.units.successions(),
  ]);
  const inArea = new Set(descendants.map((u) => u.id));
  const wanted = linkedUnitIds(
    descendants.filter((u) => isLocalKind(u.kind)).map((u) => u.id),
    successions,
  );
  for (const id of inArea) {
    wanted.delete(id);
  }
  // Most areas were never reorganised across their border: nothing more to read.
  const linked = wanted.size === 0 ? [] : (await tx.units.listAllDated()).filter((u) => wanted.has(u.id));
  return areaViewAt(parentIds, descendants, successions, asOf, linked);
}

/** Each listed unit → every unit counted under it (itself included). */
export function unitsByShown(countsUnder: ReadonlyMap<number, number>): Map<number, number[]> {
  const byShown = new Map<number, number[]>();
  for (const [id, target] of countsUnder) {
    const ids = byShown.get(target);
    if (ids) {
      ids.push(id);
    } else {
      byShown.set(target, [id]);
    }
  }
  return byShown;
}

/**
 * Whether a unit owed a campaign's reports (issue 15 §2): a unit that is or was in the campaign's
 * area, or a successor of one. A predecessor from elsewhere never did — Đôn Phong of Bạch Thông,
 * merged with Dương Quang of Bắc Kạn city into xã Phong Quang, sent nothing to the city's campaign
 * — so a successor's report is complete when the predecessors that owed it sent theirs. The one
 * rule `reportedUnder`, `reportsNotOwed` and `rowReport` (exports) apply through `owingPredecessors`.
 */
export type OwesReports = (unitId: number) => boolean;

/** A campaign over everything (no area): every unit owed its reports. */
export const EVERY_UNIT_OWES: OwesReports = () => true;

/**
 * `OwesReports` of a campaign over `areaUnitId` (null: everything), from the units ever below the
 * area (`listDescendantsDated`) and the successions: those units, the area itself, and every unit
 * that succeeded one of them, along chains.
 */
export function owesReportsOf(
  areaUnitId: number | null,
  area: readonly Pick<DatedUnit, 'id'>[],
  successions: readonly UnitSuccessionView[],
): OwesReports {
  if (areaUnitId === null) {
    return EVERY_UNIT_OWES;
  }
  const owing = new Set([areaUnitId, ...area.map((u) => u.id)]);
  for (let changed = true; changed; ) {
    changed = false;
    for (const s of successions) {
      if (owing.has(s.predecessorId) && !owing.has(s.successorId)) {
        owing.add(s.successorId);
        changed = true;
      }
    }
  }
  return (id) => owing.has(id);
}

/**
 * Reads `OwesReports` of the campaign over `areaUnitId`; with `countsUnder`, only when a view
 * counts some predecessor under a successor (otherwise nothing asks).
 */
export async function loadOwesReports(
  tx: Tx,
  areaUnitId: number | null,
  countsUnder?: ReadonlyMap<number, number>,
): Promise<OwesReports> {
  const merged = countsUnder === undefined || [...countsUnder].some(([id, shown]) => id !== shown);
  if (areaUnitId === null || !merged) {
    return EVERY_UNIT_OWES;
  }
  const [area, successions] = await Promise.all([
    tx.units.listDescendantsDated([areaUnitId]),
    tx.units.successions(),
  ]);
  return owesReportsOf(areaUnitId, area, successions);
}

/** The units counted under `shownId` (`ids`) whose reports it stands for: its predecessors that owed them. */
export function owingPredecessors(
  shownId: number,
  ids: readonly number[],
  owes: OwesReports = EVERY_UNIT_OWES,
): number[] {
  return ids.filter((id) => id !== shownId && owes(id));
}

/**
 * The listed units that sent a period's report: the unit itself, or — for a period reported before
 * the merge — every predecessor rolled into it that owed it (`owes`). One report of a merged area is
 * never counted twice.
 */
export function reportedUnder(
  countsUnder: ReadonlyMap<number, number>,
  reportedIds: ReadonlySet<number>,
  owes: OwesReports = EVERY_UNIT_OWES,
): Set<number> {
  const result = new Set<number>();
  for (const [shownId, ids] of unitsByShown(countsUnder)) {
    const rolledIn = owingPredecessors(shownId, ids, owes);
    if (reportedIds.has(shownId) || (rolledIn.length > 0 && rolledIn.every((id) => reportedIds.has(id)))) {
      result.add(shownId);
    }
  }
  return result;
}

/**
 * The reports wards and communes are not asked for, as (period, unit) pairs (issue 15 §2): a unit
 * not valid on a period's last day on time (`dueOn` here) owes none — the wards ended on 30/06/2025
 * nothing due later, the wards created on 01/07/2025 nothing due before; and a successor owes none
 * for a period every predecessor merged into it that owed it (`owes`) had already reported, as the
 * views count it (`reportedUnder`). `units` are the wards and communes; `reported` says who sent
 * which report.
 */
export function reportsNotOwed(
  units: readonly DatedUnit[],
  successions: readonly UnitSuccessionView[],
  periods: readonly { id: number; dueOn: string }[],
  reported: (periodId: number, unitId: number) => boolean,
  owes: OwesReports = EVERY_UNIT_OWES,
): { periodId: number; unitId: number }[] {
  const linked = new Set(successions.flatMap((s) => [s.predecessorId, s.successorId]));
  const merged = units.filter((u) => linked.has(u.id));
  const result: { periodId: number; unitId: number }[] = [];
  for (const period of periods) {
    const rolled = unitsByShown(rollUp(merged, successions, period.dueOn));
    for (const unit of units) {
      const predecessors = owingPredecessors(unit.id, rolled.get(unit.id) ?? [], owes);
      if (
        !isValidOn(unit, period.dueOn) ||
        (predecessors.length > 0 &&
          !reported(period.id, unit.id) &&
          predecessors.every((id) => reported(period.id, id)))
      ) {
        result.push({ periodId: period.id, unitId: unit.id });
      }
    }
  }
  return result;
}

/**
 * Fills in, for a successor without a value of its own, the value of one of its predecessors (along
 * chains of successions): the wards created on 01/07/2025 under the province of Thái Nguyên carry on
 * the campaign of Bắc Kạn city their predecessors belonged to, as its views list them. Changes `byUnit`.
 */
export function inheritBySuccession<T>(
  byUnit: Map<number, T>,
  successions: readonly UnitSuccessionView[],
): Map<number, T> {
  for (let changed = true; changed; ) {
    changed = false;
    for (const s of successions) {
      const value = byUnit.get(s.predecessorId);
      if (value !== undefined && !byUnit.has(s.successorId)) {
        byUnit.set(s.successorId, value);
        changed = true;
      }
    }
  }
  return byUnit;
}
