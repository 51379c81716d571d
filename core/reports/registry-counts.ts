import type { StatusCounts } from '../households/household.repository.ts';
import type { HouseCounts } from './report.ts';

/** Later stages include the earlier ones: a completed house was also approved and started. */
const REACHED: Record<'approved' | 'started' | 'completed' | 'handedOver', string[]> = {
  approved: ['approved', 'started', 'completed', 'handed_over'],
  started: ['started', 'completed', 'handed_over'],
  completed: ['completed', 'handed_over'],
  handedOver: ['handed_over'],
};

/**
 * The report's cumulative counts from the registry's households by status; null when the unit has
 * no household in the registry yet (the report is then typed in as before).
 */
export function cumulativeCounts(byStatus: StatusCounts): HouseCounts | null {
  const total = Object.values(byStatus).reduce((n, c) => n + c.new_build + c.repair, 0);
  if (total === 0) {
    return null;
  }
  const sum = (statuses: string[], need: 'new_build' | 'repair') =>
    statuses.reduce((n, s) => n + (byStatus[s]?.[need] ?? 0), 0);
  return {
    approvedNew: sum(REACHED.approved, 'new_build'),
    approvedRepair: sum(REACHED.approved, 'repair'),
    startedNew: sum(REACHED.started, 'new_build'),
    startedRepair: sum(REACHED.started, 'repair'),
    completedNew: sum(REACHED.completed, 'new_build'),
    completedRepair: sum(REACHED.completed, 'repair'),
    handedOverNew: sum(REACHED.handedOver, 'new_build'),
    handedOverRepair: sum(REACHED.handedOver, 'repair'),
  };
}
