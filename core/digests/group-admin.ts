import type { AuditSource } from '../messaging/outbox.repository.ts';
import type { Tx } from '../unit-of-work.ts';
import type { LeadershipGroupRecord } from './group.repository.ts';

export type GroupStatusChange =
  | { outcome: 'unknown' }
  | { outcome: 'changed' | 'unchanged'; group: LeadershipGroupRecord };

/**
 * An operator confirms a leadership group (it receives digests) or stops it, whatever its status
 * (the chat's admin decision answers a pending request only: core/digests/group-registration.ts).
 * The status changes from the one read, so a decision in chat at the same moment wins or loses
 * whole; the audit row commits with it.
 */
export async function setGroupStatus(
  tx: Tx,
  id: number,
  to: 'active' | 'removed',
  by: AuditSource,
  now: Date,
): Promise<GroupStatusChange> {
  const group = await tx.groups.findById(id);
  if (!group) {
    return { outcome: 'unknown' };
  }
  if (group.status === to || !(await tx.groups.setStatus(id, group.status, to, by.personId, now))) {
    return { outcome: 'unchanged', group };
  }
  await tx.audit.record(
    {
      ...by,
      action: to === 'active' ? 'group.confirm' : 'group.stop',
      entity: 'LeadershipGroup',
      entityId: String(id),
      before: { status: group.status },
      after: { status: to },
    },
    now,
  );
  return { outcome: 'changed', group };
}
