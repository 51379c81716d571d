/**
 * The lifecycle of a household in the campaign:
 *
 *   proposed → approved → started → completed → handed_over
 *   proposed → rejected → (admin only) proposed
 *   proposed | approved → withdrawn
 *
 * Only forward moves: a house once started stays in the campaign's counts (reports are cumulative
 * and `statusCountsAsOf` replays the history). 'handed_over' and 'withdrawn' are final.
 * Whether an ineligible household may be approved is decided by the caller (admin override with a
 * written reason); this module only knows the shape of the graph.
 */

import type { HouseholdStatus } from './household.ts';
import { HOUSEHOLD_STATUS_LABELS } from './household.ts';

const TRANSITIONS: Readonly<Record<HouseholdStatus, readonly HouseholdStatus[]>> = {
  proposed: ['approved', 'rejected', 'withdrawn'],
  approved: ['started', 'withdrawn'],
  started: ['completed'],
  completed: ['handed_over'],
  handed_over: [],
  rejected: ['proposed'],
  withdrawn: [],
};

/** Statuses that need before/after photos: officials expect them at start, completion and handover. */
export const PHOTO_STATUSES: readonly HouseholdStatus[] = ['started', 'completed', 'handed_over'];

/**
 * The statuses a household may move to from `status`, in the order a menu should offer them
 * (the forward step first). Empty for final statuses. Includes admin-only moves; check
 * `isAdminOnly` before offering them to an officer.
 */
export function nextStatuses(status: HouseholdStatus): readonly HouseholdStatus[] {
  return TRANSITIONS[status];
}

/** Whether `from → to` is an edge of the lifecycle; staying in the same status is not a move. */
export function canMove(from: HouseholdStatus, to: HouseholdStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Whether moving into `to` must come with photos (the flow asks for at least one). */
export function needsPhoto(to: HouseholdStatus): boolean {
  return PHOTO_STATUSES.includes(to);
}

/**
 * Whether the move may only be made by an admin: reopening a rejected household
 * (rejected → proposed), because rejection is a decision of the commune's review.
 * False for moves that are not allowed at all; combine with `canMove`.
 */
export function isAdminOnly(from: HouseholdStatus, to: HouseholdStatus): boolean {
  return from === 'rejected' && to === 'proposed';
}

/** The Vietnamese label of a status, e.g. 'Đã khởi công'. */
export function statusLabel(status: HouseholdStatus): string {
  return HOUSEHOLD_STATUS_LABELS[status];
}
