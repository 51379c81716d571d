import type { AuditSource } from '../messaging/outbox.repository.ts';
import type { Tx } from '../unit-of-work.ts';

/** Why the demo people's pledges are cancelled (shown with the pledge, kept in the audit). */
export const DEMO_PLEDGE_CANCEL_REASON = 'Dữ liệu mẫu (playground)';

/** The playground's demo found in a database (prisma/seed.ts findDemoData). */
export interface DemoRecords {
  /** Demo people: known on the playground only. */
  personIds: readonly number[];
  /** Unused invites of the seed and of the demo people (ids: a code is a credential). */
  inviteIds: readonly number[];
  /** Seeded demo households nobody has worked on. */
  households: readonly { id: number; code: string }[];
  /** The playground's channel, whose identities of demo people are deleted. */
  playgroundChannel: string;
}

export interface DemoRemoval {
  rolesRevoked: number;
  identitiesDeleted: number;
  invitesRevoked: number;
  householdsDeleted: number;
  /** Refs of the pledges cancelled, and of those left (money recorded: `funds reverse` first). */
  cancelled: string[];
  paid: string[];
}

/**
 * Takes the demo out of a real deployment's database in the caller's transaction, with one audit
 * row: demo people deactivated, their roles revoked and playground identities deleted, their live
 * pledges with nothing paid cancelled (through the pledge repository, so the totals follow), the
 * unused demo invites revoked, the untouched demo households deleted. Nothing of a Telegram or Zalo
 * user is touched; running it again finds nothing.
 */
export async function removeDemo(
  tx: Tx,
  demo: DemoRecords,
  by: AuditSource,
  now: Date,
): Promise<DemoRemoval> {
  const cancelled: string[] = [];
  const paid: string[] = [];
  let rolesRevoked = 0;
  let identitiesDeleted = 0;
  for (const personId of demo.personIds) {
    for (const pledge of await tx.pledges.listByPerson(personId)) {
      if (pledge.cancelledAt === null) {
        // Refused when money (or in kind) was recorded against it: that needs `funds reverse`.
        const done = await tx.pledges.cancel(pledge.id, DEMO_PLEDGE_CANCEL_REASON, now);
        (done ? cancelled : paid).push(pledge.ref);
      }
    }
    rolesRevoked += await tx.people.revokeAllRoles(personId, now);
    identitiesDeleted += await tx.people.deleteIdentities(personId, demo.playgroundChannel);
    await tx.people.setActive(personId, false);
  }
  let invitesRevoked = 0;
  for (const id of demo.inviteIds) {
    invitesRevoked += (await tx.invites.revoke(id, now)) ? 1 : 0;
  }
  const householdsDeleted = await tx.households.remove(demo.households.map((h) => h.id));
  await tx.audit.record(
    {
      ...by,
      action: 'demo.remove',
      entity: 'Person',
      entityId: demo.personIds.join(',') || '-',
      before: {
        people: demo.personIds,
        invites: demo.inviteIds,
        households: demo.households.map((h) => h.code),
        pledges: [...cancelled, ...paid],
      },
      after: {
        active: false,
        rolesRevoked,
        identitiesDeleted,
        invitesRevoked,
        householdsDeleted,
        pledgesCancelled: cancelled,
        pledgesPaid: paid,
        cancelReason: DEMO_PLEDGE_CANCEL_REASON,
      },
    },
    now,
  );
  return { rolesRevoked, identitiesDeleted, invitesRevoked, householdsDeleted, cancelled, paid };
}
