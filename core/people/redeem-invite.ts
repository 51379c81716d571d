import type { Text } from '../flows/flow.ts';
import type { Inbound } from '../messaging/message.ts';
import type { Tx } from '../unit-of-work.ts';
import type { Actor } from './people.ts';

export const INVITE_THROTTLE = {
  maxFailures: 5,
  windowMs: 15 * 60_000,
  blockMs: 15 * 60_000,
};

export type RedeemOutcome = { ok: true; personId: number; reply: Text } | { ok: false; reply: Text };

/**
 * Binds the sender's chat identity to the invite's unit and role. Wrong codes count against the
 * chat; after too many the chat must wait before trying again, so codes cannot be guessed.
 */
export async function redeemInvite(
  tx: Tx,
  inbound: Inbound,
  code: string,
  actor: Actor | undefined,
  now: Date,
): Promise<RedeemOutcome> {
  const key = `invite:${inbound.channel}:${inbound.chatId}`;
  const throttle = await tx.throttle.find(key);
  if (throttle?.blockedUntil && throttle.blockedUntil > now) {
    const minutes = Math.ceil((throttle.blockedUntil.getTime() - now.getTime()) / 60_000);
    return { ok: false, reply: { key: 'invite.throttled', params: { minutes } } };
  }

  const invite = await tx.invites.findByCode(code);
  const problem: Text | undefined = !invite
    ? { key: 'invite.unknown' }
    : invite.revokedAt
      ? { key: 'invite.revoked' }
      : invite.usedAt
        ? { key: 'invite.used' }
        : invite.expiresAt <= now
          ? { key: 'invite.expired' }
          : undefined;
  if (!invite || problem) {
    await countFailure(tx, key, throttle, now);
    return { ok: false, reply: problem ?? { key: 'invite.unknown' } };
  }

  const personId =
    actor?.personId ??
    (await tx.people.create(
      { fullName: invite.fullName ?? inbound.senderName ?? 'Chưa có tên', locale: 'vi' },
      now,
    ));
  if (!(await tx.invites.markUsed(invite.id, personId, now))) {
    return { ok: false, reply: { key: 'invite.used' } };
  }
  if (!actor) {
    await tx.people.addIdentity(
      {
        channel: inbound.channel,
        externalUserId: inbound.senderId,
        personId,
        displayName: inbound.senderName ?? null,
      },
      now,
    );
  }
  if (!actor?.memberships.some((m) => m.unitId === invite.unitId && m.role === invite.role)) {
    await tx.people.addMembership(personId, invite.unitId, invite.role, now);
  }
  await tx.throttle.delete(key);
  await tx.audit.record(
    {
      personId,
      channel: inbound.channel,
      action: 'invite.redeem',
      entity: 'Invite',
      entityId: String(invite.id),
      after: { role: invite.role, unitId: invite.unitId },
    },
    now,
  );
  return {
    ok: true,
    personId,
    reply: { key: 'invite.welcome', params: { unit: invite.unitName, role: { key: `role.${invite.role}` } } },
  };
}

async function countFailure(
  tx: Tx,
  key: string,
  current: { failures: number; windowStart: Date } | undefined,
  now: Date,
): Promise<void> {
  const fresh = !current || now.getTime() - current.windowStart.getTime() > INVITE_THROTTLE.windowMs;
  const failures = fresh ? 1 : current.failures + 1;
  const windowStart = fresh ? now : current.windowStart;
  const blockedUntil =
    failures >= INVITE_THROTTLE.maxFailures ? new Date(now.getTime() + INVITE_THROTTLE.blockMs) : null;
  await tx.throttle.save(key, { failures: blockedUntil ? 0 : failures, windowStart, blockedUntil });
}
