import { fundLevelsFor } from '../people/fund-levels.ts';
import type { Actor } from '../shared/actor.ts';
import type { Tx } from '../unit-of-work.ts';

/**
 * The units whose households a fund keeper may allocate to: their fund levels and the wards
 * below. The household search offers these to the allocation flow (core/funds/flows/allocation.ts).
 */
export async function householdScope(tx: Tx, actor: Actor): Promise<number[]> {
  const levels = await fundLevelsFor(tx, actor, 'fund.allocate');
  const ids = levels.map((l) => l.id);
  const children = await tx.units.listChildren(ids);
  return [...new Set([...ids, ...children.map((c) => c.id)])];
}
