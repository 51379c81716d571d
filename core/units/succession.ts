import type { UnitSuccessionView, UnitView } from './unit.repository.ts';

/**
 * Each unit id → the id of the unit its figures count under at `asOf` (ISO day): itself, or the
 * end of its chain of single successors in effect by then (a merge of a merged ward follows on).
 */
export function rollUp(
  units: readonly Pick<UnitView, 'id'>[],
  successions: readonly UnitSuccessionView[],
  asOf: string,
): Map<number, number> {
  const next = new Map<number, Set<number>>();
  for (const s of successions) {
    if (s.effectiveOn <= asOf) {
      next.set(s.predecessorId, (next.get(s.predecessorId) ?? new Set()).add(s.successorId));
    }
  }
  // The successor a unit's figures move to, if exactly one link is in effect (a split has several).
  const single = (id: number) => {
    const ids = next.get(id);
    return ids?.size === 1 ? [...ids][0] : undefined;
  };
  const under = new Map<number, number>();
  for (const unit of units) {
    let current = unit.id;
    const seen = new Set<number>([current]);
    for (let to = single(current); to !== undefined && !seen.has(to); to = single(current)) {
      seen.add(to);
      current = to;
    }
    under.set(unit.id, current);
  }
  return under;
}
