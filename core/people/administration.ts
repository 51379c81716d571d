import type { AuditSource } from '../messaging/outbox.repository.ts';
import type { Role } from '../shared/actor.ts';
import type { Tx } from '../unit-of-work.ts';
import { normalizeInviteCode } from './invite-code.ts';

/**
 * People administration (issue 7 §1, issue 14 §6): revoking an invite, deactivating or
 * reactivating a person, giving or taking a role. Each runs in the caller's transaction with its
 * audit row, so the change and its record commit together; the CLI is their caller today, a chat
 * feature for the same action must call them too.
 */

export type RevokeInviteOutcome = 'unknown' | 'used' | 'already_revoked' | 'revoked';

/** An unused invite stops working (a used one cannot be taken back: its role is removed instead). */
export async function revokeInvite(
  tx: Tx,
  typedCode: string,
  by: AuditSource,
  now: Date,
): Promise<RevokeInviteOutcome> {
  const invite = await tx.invites.findByCode(normalizeInviteCode(typedCode) ?? typedCode.toUpperCase());
  if (!invite) {
    return 'unknown';
  }
  if (invite.usedAt !== null) {
    return 'used';
  }
  // Conditional on still unused and unrevoked: a redemption at the same moment wins or loses whole.
  if (invite.revokedAt !== null || !(await tx.invites.revoke(invite.id, now))) {
    return invite.revokedAt !== null ? 'already_revoked' : 'used';
  }
  await tx.audit.record(
    {
      ...by,
      action: 'invite.revoke',
      entity: 'Invite',
      entityId: String(invite.id),
      before: { revokedAt: null },
      after: { revokedAt: now },
    },
    now,
  );
  return 'revoked';
}

export type PersonChange = { outcome: 'unknown' } | { outcome: 'unchanged' | 'changed'; fullName: string };

/** A deactivated person is a stranger to the bot; reactivating gives back the roles not revoked. */
export async function setPersonActive(
  tx: Tx,
  personId: number,
  active: boolean,
  by: AuditSource,
  now: Date,
): Promise<PersonChange> {
  const person = await tx.people.findPerson(personId);
  if (!person) {
    return { outcome: 'unknown' };
  }
  if (person.active === active || !(await tx.people.setActive(personId, active))) {
    return { outcome: 'unchanged', fullName: person.fullName };
  }
  await tx.audit.record(
    {
      ...by,
      action: active ? 'person.activate' : 'person.deactivate',
      entity: 'Person',
      entityId: String(personId),
      before: { active: !active },
      after: { active },
    },
    now,
  );
  return { outcome: 'changed', fullName: person.fullName };
}

export interface RoleChange {
  personId: number;
  unitId: number;
  /** The unit's code, kept in the audit row as the operator typed it. */
  unitCode: string;
  role: Role;
  /** true: give the role (a revoked membership is restored); false: take it (revoked, never deleted). */
  add: boolean;
}

export type RoleChangeOutcome =
  | { outcome: 'unknown_person' }
  | { outcome: 'unchanged' | 'changed'; fullName: string };

/** Gives or takes a role at a unit; 'unchanged' when the person already has it (add) or has not (remove). */
export async function changeRole(
  tx: Tx,
  change: RoleChange,
  by: AuditSource,
  now: Date,
): Promise<RoleChangeOutcome> {
  const person = await tx.people.findPerson(change.personId);
  if (!person) {
    return { outcome: 'unknown_person' };
  }
  const held = await tx.people.hasRole(change.personId, change.unitId, change.role);
  if (held === change.add) {
    return { outcome: 'unchanged', fullName: person.fullName };
  }
  if (change.add) {
    await tx.people.addMembership(change.personId, change.unitId, change.role, now);
  } else {
    await tx.people.revokeRole(change.personId, change.unitId, change.role, now);
  }
  const what = { role: change.role, unit: change.unitCode };
  await tx.audit.record(
    {
      ...by,
      action: change.add ? 'membership.add' : 'membership.remove',
      entity: 'Person',
      entityId: String(change.personId),
      before: change.add ? null : what,
      after: change.add ? what : null,
    },
    now,
  );
  return { outcome: 'changed', fullName: person.fullName };
}
