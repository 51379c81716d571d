import type { AuditSource } from '../messaging/outbox.repository.ts';
import type { Tx } from '../unit-of-work.ts';
import type { HouseholdPhoto } from './household.repository.ts';

export interface StatusMove {
  householdId: number;
  from: string;
  to: string;
  note: string | null;
  photos: HouseholdPhoto[];
  /**
   * An admin's written reason to approve a household the criteria find ineligible: kept on the
   * household, in its history (an 'override' event) and in the audit row.
   */
  overrideReason?: string;
}

/**
 * Moves a household from one status to the next, with its history event and its audit row, in
 * the caller's transaction: the chat's status flow and the CLI's `households approve` both come
 * here. Conditional on the status read: false (nothing written) when someone moved it meanwhile.
 */
export async function moveHouseholdStatus(
  tx: Tx,
  move: StatusMove,
  by: AuditSource,
  now: Date,
): Promise<boolean> {
  const override = move.overrideReason;
  if (!(await tx.households.moveStatus(move.householdId, move.from, move.to, now, override))) {
    return false;
  }
  await tx.households.addEvent(
    {
      householdId: move.householdId,
      kind: override === undefined ? 'status' : 'override',
      fromStatus: move.from,
      toStatus: move.to,
      note: move.note,
      photos: move.photos,
      personId: by.personId,
      channel: by.channel,
    },
    now,
  );
  await tx.audit.record(
    {
      ...by,
      action: override === undefined ? 'household.status' : 'household.approve-override',
      entity: 'Household',
      entityId: String(move.householdId),
      before: { status: move.from },
      after: {
        status: move.to,
        photos: move.photos.length,
        ...(override === undefined ? {} : { reason: override }),
      },
    },
    now,
  );
  return true;
}
