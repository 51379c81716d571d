/**
 * The digest's last section: people of the area the reminders could not reach lately, so the
 * leaders can call them.
 */

import type { Text } from '../flows/flow.ts';
import { shortUnitName } from '../households/unit-progress.ts';
import type { AreaView } from '../people/area-view.ts';
import { ROLES } from '../shared/actor.ts';
import type { Tx } from '../unit-of-work.ts';
import type { UnitView } from '../units/unit.repository.ts';
import { areaName } from './digest-names.ts';

/** Reminders that failed this recently make a person "unreachable". */
export const UNREACHABLE_DAYS = 7;
const MAX_UNREACHABLE = 10;
const DAY_MS = 86_400_000;

/**
 * People of the area whose reminders or escalations of the last days could not be delivered
 * (failed, or held until they write to the bot again) and who received nothing since.
 */
export async function unreachableLines(
  tx: Tx,
  area: UnitView,
  units: UnitView[],
  now: Date,
  countsUnder: ReadonlyMap<number, number> | undefined,
  local: AreaView['local'] | undefined,
): Promise<Text[]> {
  const since = new Date(now.getTime() - UNREACHABLE_DAYS * DAY_MS);
  const messages = await tx.reminders.bulkSince(since);
  const lastSent = new Map<number, number>();
  for (const m of messages) {
    if (m.personId !== null && m.status === 'sent') {
      lastSent.set(m.personId, Math.max(lastSent.get(m.personId) ?? 0, m.createdAt.getTime()));
    }
  }
  const unreached = new Set<number>();
  for (const m of messages) {
    if (
      m.personId !== null &&
      (m.purpose === 'reminder' || m.purpose === 'escalation') &&
      (m.status === 'failed' || m.status === 'held') &&
      (lastSent.get(m.personId) ?? 0) <= m.createdAt.getTime()
    ) {
      unreached.add(m.personId);
    }
  }
  const days = { days: UNREACHABLE_DAYS };
  if (unreached.size === 0) {
    return [{ key: 'digest.unreachable.none', params: days }];
  }
  const unitNames = new Map<number, string>([
    [area.id, areaName(area.name)],
    ...units.map((u): [number, string] => [u.id, shortUnitName(u.name)]),
  ]);
  // Below an area of several levels, a ward or commune is named with the unit it is listed under.
  if (local) {
    for (const u of local.units) {
      const row = unitNames.get(local.rowOf.get(u.id) ?? u.id);
      unitNames.set(u.id, row === undefined ? shortUnitName(u.name) : `${shortUnitName(u.name)}, ${row}`);
    }
  }
  // People still attached to a merged predecessor are shown under its successor.
  for (const [id, shownId] of [...(local?.countsUnder ?? []), ...(countsUnder ?? [])]) {
    const name = unitNames.get(shownId);
    if (name !== undefined && !unitNames.has(id)) {
      unitNames.set(id, name);
    }
  }
  const people = new Map<number, { name: string; unit: string }>();
  for (const member of await tx.reminders.members(ROLES, [...unreached])) {
    const unit = unitNames.get(member.unitId);
    if (unit !== undefined && unreached.has(member.personId) && !people.has(member.personId)) {
      people.set(member.personId, { name: member.fullName, unit });
    }
  }
  if (people.size === 0) {
    return [{ key: 'digest.unreachable.none', params: days }];
  }
  const named = [...people.values()].sort(
    (a, b) => a.unit.localeCompare(b.unit, 'vi') || a.name.localeCompare(b.name, 'vi'),
  );
  const lines: Text[] = [{ key: 'digest.unreachable.heading', params: days }];
  for (const p of named.slice(0, MAX_UNREACHABLE)) {
    lines.push({ key: 'digest.unreachable.person', params: { name: p.name, unit: p.unit } });
  }
  if (named.length > MAX_UNREACHABLE) {
    lines.push({ key: 'digest.unreachable.more', params: { count: named.length - MAX_UNREACHABLE } });
  }
  return lines;
}
