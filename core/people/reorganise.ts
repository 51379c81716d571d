import type { AuditSource } from '../messaging/outbox.repository.ts';
import type { Role } from '../shared/actor.ts';
import { AppError } from '../shared/app-error.ts';
import type { Tx } from '../unit-of-work.ts';
import type { ReorganisationContext, ReorganisationPlan } from './reorganisation.ts';

/** Roles that belong to a ward's people and follow the ward into its successor (a merge). */
const MOVED_ROLES: readonly Role[] = ['unit_officer', 'leader'];

/** What a merge or split is planned against, read in the transaction that applies it. */
export async function reorganisationContext(tx: Tx): Promise<ReorganisationContext | undefined> {
  const campaign = await tx.campaigns.findCurrent();
  if (!campaign) {
    return undefined;
  }
  return {
    units: await tx.units.listAllDated(),
    campaign: { startsOn: campaign.startsOn, endsOn: campaign.endsOn },
  };
}

/**
 * Applies a planned merge or split (core/people/reorganisation.ts plans it) in the caller's
 * transaction: creates the successors, links them to the predecessors from the effective day,
 * ends the predecessors the day before, moves the officers and leaders of merged units to the
 * successor, and writes the audit row. Raises AppError CONFLICT (the transaction then writes
 * nothing) when a predecessor was ended meanwhile by another reorganisation.
 * Returns the people moved, as "name (role)".
 */
export async function applyReorganisation(
  tx: Tx,
  plan: ReorganisationPlan,
  by: AuditSource,
  now: Date,
): Promise<{ moved: string[] }> {
  const predecessorIds = plan.predecessors.map((u) => u.id);
  const successorIds: number[] = [];
  for (const spec of plan.successors) {
    const id = await tx.units.create(
      {
        code: spec.code,
        name: spec.name,
        kind: spec.kind,
        parentId: spec.parentId,
        validFrom: plan.effectiveOn,
      },
      now,
    );
    successorIds.push(id);
    for (const predecessorId of predecessorIds) {
      await tx.units.addSuccession({ predecessorId, successorId: id, effectiveOn: plan.effectiveOn });
    }
  }
  // Only units still open (checked in the plan) are ended: a concurrent reorganisation loses here.
  if ((await tx.units.end(predecessorIds, plan.endsOn)) !== predecessorIds.length) {
    throw new AppError('CONFLICT', 'a unit of the plan was reorganised meanwhile');
  }
  const moved: string[] = [];
  const successorId = successorIds[0];
  if (plan.kind === 'merge' && successorId !== undefined) {
    const added = new Set<string>();
    for (const m of await tx.people.liveMemberships(predecessorIds, MOVED_ROLES)) {
      await tx.people.revokeRole(m.personId, m.unitId, m.role, now);
      const key = `${m.personId}:${m.role}`;
      if (!added.has(key)) {
        added.add(key);
        await tx.people.addMembership(m.personId, successorId, m.role, now);
        moved.push(`${m.fullName} (${m.role})`);
      }
    }
  }
  await tx.audit.record(
    {
      ...by,
      action: plan.kind === 'merge' ? 'unit.merge' : 'unit.split',
      entity: 'Unit',
      entityId: successorIds.join(','),
      before: { units: plan.predecessors.map((u) => ({ code: u.code, validTo: u.validTo })) },
      after: {
        effectiveOn: plan.effectiveOn,
        endedOn: plan.endsOn,
        successors: plan.successors.map((s) => s.code),
        moved,
      },
    },
    now,
  );
  return { moved };
}
