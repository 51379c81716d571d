import { addressOf, campaignOfUnit, capitalised } from '../campaigns/campaign-of.ts';
import type { Text } from '../flows/flow.ts';
import type { Inbound } from '../messaging/message.ts';
import type { Actor, Role } from '../shared/actor.ts';
import type { Tx } from '../unit-of-work.ts';
import type { ThrottleRecord } from './people.repository.ts';

export const INVITE_THROTTLE = {
  maxFailures: 5,
  windowMs: 15 * 60_000,
  blockMs: 15 * 60_000,
};

/** Roles of the campaign's own people, addressed by its form of address (donors and citizens: "anh/chị"). */
const OFFICIAL_ROLES: ReadonlySet<Role> = new Set([
  'admin',
  'leader',
  'unit_officer',
  'org_leader',
  'fund_officer',
]);

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
    return { ok: false, reply: throttledReply(throttle.blockedUntil, now) };
  }

  const invite = await tx.invites.findByCode(code);
  if (invite?.usedAt && actor && invite.usedByPersonId === actor.personId) {
    // The officer tapped their own link again: not a guess, and nothing to do.
    return { ok: false, reply: { key: 'invite.already_yours', params: { unit: invite.unitName } } };
  }
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
    const blockedUntil = await countFailure(tx, key, throttle, now);
    return {
      ok: false,
      reply: blockedUntil ? throttledReply(blockedUntil, now) : (problem ?? { key: 'invite.unknown' }),
    };
  }

  // Claim the code before writing anything else: a redemption that loses a race writes nothing.
  if (!(await tx.invites.markUsed(invite.id, now))) {
    return { ok: false, reply: { key: 'invite.used' } };
  }
  const personId =
    actor?.personId ??
    (await tx.people.create(
      { fullName: invite.fullName ?? inbound.senderName ?? 'Chưa có tên', locale: 'vi' },
      now,
    ));
  await tx.invites.setUsedBy(invite.id, personId);
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
  // The officers of a campaign are addressed as its definition says ("đồng chí" or "anh/chị").
  const address = OFFICIAL_ROLES.has(invite.role)
    ? addressOf(await campaignOfUnit(tx, invite.unitId, now))
    : addressOf(undefined);
  return {
    ok: true,
    personId,
    reply: {
      key: 'invite.welcome',
      params: { unit: invite.unitName, role: { key: `role.${invite.role}` }, Address: capitalised(address) },
    },
  };
}

function throttledReply(blockedUntil: Date, now: Date): Text {
  const minutes = Math.max(1, Math.ceil((blockedUntil.getTime() - now.getTime()) / 60_000));
  return { key: 'invite.throttled', params: { minutes } };
}

/** Records a wrong code; returns when the chat is blocked if this failure reached the limit. */
async function countFailure(
  tx: Tx,
  key: string,
  current: ThrottleRecord | undefined,
  now: Date,
): Promise<Date | null> {
  const fresh = !current || now.getTime() - current.windowStart.getTime() > INVITE_THROTTLE.windowMs;
  const failures = fresh ? 1 : current.failures + 1;
  const windowStart = fresh ? now : current.windowStart;
  const blockedUntil =
    failures >= INVITE_THROTTLE.maxFailures ? new Date(now.getTime() + INVITE_THROTTLE.blockMs) : null;
  await tx.throttle.save(key, { failures: blockedUntil ? 0 : failures, windowStart, blockedUntil });
  return blockedUntil;
}
