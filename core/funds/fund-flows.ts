import { can } from '../access/access.ts';
import type { Actor } from '../shared/actor.ts';

/**
 * Transitional: the fund officer's flows now live one per file in core/funds/flows/. This file only
 * forwards their names while the feature modules move their imports; it goes when nothing imports it.
 */
export { allocationRunner } from './flows/allocation.ts';
export { disbursementRunner, unpaidHouseholds } from './flows/disbursement.ts';
export { openPledges, pledgeChoices, pledgeSearchRunner } from './flows/pledge-search.ts';
export { receiptRunner } from './flows/receipt.ts';
export { chosenLevel, householdScope } from './flows/shared.ts';
export { transferRunner } from './flows/transfer.ts';

/** @deprecated ask core/access: `can(actor, 'fund.receipt')`. */
export function isFundKeeper(actor: Actor): boolean {
  return can(actor, 'fund.receipt');
}
