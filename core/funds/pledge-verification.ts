import { type PledgeSafeguards, ZPledgeSafeguards } from '../campaigns/sections.ts';
import type { Text } from '../flows/flow.ts';
import { t } from '../messaging/catalog.ts';
import type { Choice, Inbound } from '../messaging/message.ts';
import type { Actor } from '../shared/actor.ts';
import { formatMoney } from '../shared/format.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { firstLimitReached } from '../shared/rate-limit.ts';
import type { Tx } from '../unit-of-work.ts';
import type { PledgeView } from './fund.repository.ts';
import { pledgeCard, pledgeWhat } from './fund-views.ts';
import { noticeToKeepers, noticeToPerson, renderVi } from './keeper-notices.ts';

export type { PledgeSafeguards };
export { ZPledgeSafeguards };

/**
 * Anonymous pledges can't flood the leaders' figures (issue 13 §6). Anyone may pledge without an
 * invite (issue 5 §1), so a pledge of a donor with no invite is limited per chat and across all such
 * donors, and one above a threshold waits for a fund officer ("chờ xác minh") before it counts in
 * any pledged total: /quy and the digests show it apart until then. The limits and the threshold
 * are campaign settings (`Campaign.settings.pledgeSafeguards`, changed with
 * `npm run cli -- campaign pledges --set '{…}'`, audited).
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export function parsePledgeSafeguards(raw: unknown): PledgeSafeguards {
  return ZPledgeSafeguards.parse(raw ?? {});
}

export async function pledgeSafeguards(tx: Tx, campaignId: number): Promise<PledgeSafeguards> {
  return parsePledgeSafeguards((await tx.reminders.settings(campaignId)).pledgeSafeguards);
}

/**
 * A donor no one vouched for: a stranger, or someone whose only role is the donor role the pledge
 * flow gives itself (every other role, a citizen's too, comes from an invite or an admin).
 */
export function isAnonymousDonor(actor: Actor): boolean {
  return actor.memberships.every((m) => m.role === 'donor');
}

/**
 * The refusal when an anonymous donor may not register one more pledge now: their chat's share of
 * the day, or all anonymous donors' share of the hour. Invited people are not limited. The caller
 * holds the `Pledge.anonymous` lock when it is about to write, so two chats never pass together.
 */
export async function pledgeRateRefusal(
  tx: Tx,
  actor: Actor,
  limits: PledgeSafeguards,
  now: Date,
): Promise<Text | undefined> {
  if (!isAnonymousDonor(actor)) {
    return undefined;
  }
  const personId = actor.personId;
  return firstLimitReached<Text>(
    [
      {
        // A stranger has no pledge yet: their chat's person is created with the first one.
        count: (since) => (personId > 0 ? tx.pledges.countSince({ personId }, since) : Promise.resolve(0)),
        max: limits.perChatPerDay,
        windowMs: DAY_MS,
        refusal: { key: 'pledge.refused.rate_chat', params: { max: limits.perChatPerDay } },
      },
      {
        count: (since) => tx.pledges.countSince({ anonymous: true }, since),
        max: limits.anonymousPerHour,
        windowMs: HOUR_MS,
        refusal: { key: 'pledge.refused.rate_all' },
      },
    ],
    now,
  );
}

/** Whether an anonymous donor's pledge of `amount` waits for a fund officer. */
export function needsVerification(actor: Actor, amount: bigint, limits: PledgeSafeguards): boolean {
  return isAnonymousDonor(actor) && amount > BigInt(limits.verifyAbove);
}

function verifyChoices(p: PledgeView): Choice[] {
  return [
    { id: menuButtonId('pledgeok', p.id), label: t('vi', 'pledge.verify.button.confirm', { ref: p.ref }) },
    { id: menuButtonId('pledgeno', p.id), label: t('vi', 'pledge.verify.button.reject', { ref: p.ref }) },
  ];
}

/**
 * The fund officers of the pledge's level hear of a pledge to verify, with the donor's phone to
 * call back and the two buttons; a level without a fund officer, its admins (who keep every level).
 */
export async function notifyVerifiers(
  tx: Tx,
  pledge: PledgeView,
  limits: PledgeSafeguards,
  today: string,
  now: Date,
): Promise<void> {
  const lines: Text[] = [
    { key: 'pledge.verify.notice', params: { threshold: formatMoney(BigInt(limits.verifyAbove)) } },
    ...pledgeCard(pledge, today),
  ];
  if (pledge.donorPhone) {
    lines.push({ key: 'pledge.verify.phone', params: { phone: pledge.donorPhone } });
  }
  await noticeToKeepers(
    tx,
    {
      levelUnitId: pledge.fundUnitId,
      message: { text: renderVi(lines), choices: [verifyChoices(pledge)] },
      key: `pledge:${pledge.id}:verify`,
      except: pledge.personId,
    },
    now,
  );
}

/** The donor's chats hear of the decision. */
export async function notifyDonor(tx: Tx, pledge: PledgeView, line: Text, now: Date): Promise<void> {
  await noticeToPerson(
    tx,
    {
      personId: pledge.personId,
      message: { text: renderVi([line]) },
      key: `pledge:${pledge.id}:${pledge.verification ?? 'none'}`,
    },
    now,
  );
}

/**
 * Confirms a pledge waiting for verification ("✅ Xác nhận", or a receipt recorded against it with
 * `quiet`): it counts from now on, the decision is audited and the donor told. False when it was
 * not waiting (someone else decided first).
 */
export async function confirmPledge(
  tx: Tx,
  actor: Actor,
  pledge: PledgeView,
  now: Date,
  channel: Inbound['channel'] | null,
): Promise<boolean> {
  if (!(await tx.pledges.decide(pledge.id, { verification: 'confirmed' }, actor.personId, now))) {
    return false;
  }
  await tx.audit.record(
    {
      personId: actor.personId,
      channel,
      action: 'pledge.verify',
      entity: 'Pledge',
      entityId: String(pledge.id),
      before: { verification: 'pending' },
      after: { verification: 'confirmed' },
    },
    now,
  );
  await notifyDonor(
    tx,
    { ...pledge, verification: 'confirmed' },
    { key: 'pledge.verify.donor_confirmed', params: { ref: pledge.ref, what: pledgeWhat(pledge) } },
    now,
  );
  return true;
}
