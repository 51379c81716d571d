import { type Action, unitsWhere } from '../access/access.ts';
import type { Actor } from '../shared/actor.ts';
import type { Tx } from '../unit-of-work.ts';
import { FUND_LEVEL_KINDS } from '../units/unit.repository.ts';

export interface FundLevel {
  id: number;
  name: string;
  parentId: number | null;
}

/**
 * The fund levels where the actor may do a fund action (core/access): a fund officer's own level,
 * every level of the campaign for an admin. A province keeps a fund of the campaign's own only when
 * it is a campaign's area (a provincial campaign since issue 15; a city's campaign leaves its
 * province out).
 */
export async function fundLevelsFor(tx: Tx, actor: Actor, action: Action): Promise<FundLevel[]> {
  const areas = new Set((await tx.campaigns.list()).map((c) => c.areaUnitId));
  const all = (await tx.units.listByKinds(FUND_LEVEL_KINDS)).filter(
    (u) => u.kind !== 'province' || areas.has(u.id),
  );
  const kept = await unitsWhere(tx.units, actor, action, all);
  return kept.map((u) => ({ id: u.id, name: u.name, parentId: u.parentId }));
}

/** Whether the actor may do a fund action at `levelId` (a level of the campaign, see `fundLevelsFor`). */
export async function keepsLevel(
  tx: Tx,
  actor: Actor,
  action: Action,
  levelId: number | null,
): Promise<boolean> {
  return levelId !== null && (await fundLevelsFor(tx, actor, action)).some((l) => l.id === levelId);
}
