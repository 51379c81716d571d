import { closedRefusal } from '../campaigns/campaign-of.ts';
import type { Text } from '../flows/flow.ts';
import type { SubmitResult } from '../flows/flow-runner.ts';
import { t } from '../messaging/catalog.ts';
import { code } from '../messaging/markup.ts';
import type { Inbound } from '../messaging/message.ts';
import { type Actor, isGuest } from '../shared/actor.ts';
import { AppError } from '../shared/app-error.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { parsePhone } from '../shared/parse.ts';
import type { Tx } from '../unit-of-work.ts';
import type { DonorKind, NewPledge, PledgeChanges } from './fund.repository.ts';
import { pledgeCard } from './fund-views.ts';
import type { PledgeAnswers, PledgeContext } from './pledge-schemas.ts';
import {
  isAnonymousDonor,
  needsVerification,
  notifyVerifiers,
  type PledgeSafeguards,
  pledgeRateRefusal,
  pledgeSafeguards,
} from './pledge-verification.ts';
import { pledgePayment } from './vietqr.ts';

/**
 * Writing a confirmed pledge (pledge-flow.ts): a change to the person's own pledge, or a new one —
 * a guest becoming a donor on the way — each audited and answered with the pledge's card.
 */

/** What the answers say about the pledge itself, whoever makes it. */
function changesOf(ctx: PledgeContext, answers: PledgeAnswers): PledgeChanges {
  const { kind } = answers;
  return {
    kind,
    description: kind === 'money' ? null : (answers.description ?? ''),
    quantity: kind === 'money' ? null : (answers.quantity ?? 0),
    quantityUnit:
      kind === 'materials' ? (answers.quantityUnit ?? '') : kind === 'labour' ? 'ngày công' : null,
    amount: (kind === 'money' ? answers.amount : answers.value) ?? 0n,
    dueOn: answers.dueOn,
    publicName: answers.publicName,
    fundUnitId: answers.level ?? levelsOfCampaign(ctx, campaignOfAnswers(ctx, answers))[0]?.id ?? 0,
    targetUnitId: answers.target === undefined || answers.target === 0 ? null : answers.target,
    verification: null,
  };
}

/** The campaign the pledge goes to: the one the donor chose among several, else the flow's. */
export function campaignOfAnswers(ctx: PledgeContext, answers: Pick<PledgeAnswers, 'campaign'>): number {
  return answers.campaign ?? ctx.campaignId;
}

/** The fund levels of a campaign among those the flow offers (all of them when levels name none). */
export function levelsOfCampaign(ctx: PledgeContext, campaignId: number): PledgeContext['levels'] {
  return ctx.levels.filter((l) => l.campaignId === undefined || l.campaignId === campaignId);
}

export async function recordPledge(
  tx: Tx,
  actor: Actor,
  ctx: PledgeContext,
  answers: PledgeAnswers,
  now: Date,
  inbound: Inbound,
): Promise<SubmitResult> {
  const campaignId = campaignOfAnswers(ctx, answers);
  // Closed since the flow started: nothing is written (a closed campaign takes no pledge).
  const campaign = await tx.campaigns.findById(campaignId);
  const closed = campaign && (await closedRefusal(tx, campaign, 'pledge', now));
  if (closed) {
    return [closed];
  }
  const changes = changesOf(ctx, answers);
  const safeguards = await pledgeSafeguards(tx, campaignId);
  const unverified = needsVerification(actor, changes.amount, safeguards);
  if (ctx.editing) {
    return updatePledge(
      tx,
      actor,
      { ...ctx.editing, today: ctx.today },
      changes,
      { unverified, safeguards },
      now,
      inbound,
    );
  }
  if (isAnonymousDonor(actor)) {
    // Checked again, one chat at a time: two chats must not both take the last place.
    await tx.lock('Pledge.anonymous');
    const refusal = await pledgeRateRefusal(tx, actor, safeguards, now);
    if (refusal) {
      return [refusal];
    }
  }
  const level = changes.fundUnitId;
  let personId = actor.personId;
  const donorKind: DonorKind = ctx.mode === 'org' ? 'organisation' : (answers.donorKind ?? 'individual');
  const donorName = ctx.mode === 'org' ? (ctx.orgName ?? '') : (answers.donorName ?? '').trim();
  if (isGuest(actor)) {
    personId = await tx.people.create({ fullName: donorName, locale: 'vi' }, now);
    await tx.people.addIdentity(
      {
        channel: inbound.channel,
        externalUserId: inbound.senderId,
        personId,
        displayName: inbound.senderName ?? null,
      },
      now,
    );
    await tx.people.addMembership(personId, level, 'donor', now);
  } else if (ctx.mode === 'donor' && !actor.memberships.some((m) => m.role === 'donor')) {
    // Not a permission: a person pledging as a donor holds the donor role from now on (once).
    await tx.people.addMembership(personId, level, 'donor', now);
  }
  const workplace = (answers.workplace ?? '').trim();
  const { id } = await createPledge(
    tx,
    {
      ...changes,
      campaignId,
      donorKind,
      // "Lê Văn Bình – Sở Xây dựng": the card adds "(cá nhân)", and brackets must not nest.
      donorName: workplace ? `${donorName} – ${workplace}` : donorName,
      donorPhone: answers.phone === undefined ? null : (parsePhone(answers.phone) ?? null),
      personId,
      orgUnitId: ctx.orgUnitId,
      householdId: ctx.household?.id ?? null,
      channel: inbound.channel,
      anonymous: isAnonymousDonor(actor),
      verification: unverified ? 'pending' : null,
    },
    {
      orgUnitId: ctx.orgUnitId,
      ...(ctx.appeal ? { appeal: ctx.appeal.code } : {}),
      ...(unverified ? { verification: 'pending' } : {}),
    },
    now,
  );
  if (ctx.appeal) {
    await tx.appeals.attributePledge(id, ctx.appeal.id);
  }
  const receipt = await pledgeReceipt(tx, id, 'pledge.created', ctx.today, {
    notify: unverified,
    now,
    safeguards,
  });
  return askContactConsent(tx, personId, inbound, receipt);
}

/**
 * Records a new pledge and its `pledge.create` audit row by whoever answers for it (its person): the
 * reference, donor kind, kind, amount and fund level, then `audited` (what else the caller notes).
 */
export async function createPledge(
  tx: Tx,
  pledge: NewPledge,
  audited: Record<string, unknown>,
  now: Date,
): Promise<{ id: number; ref: string }> {
  const { id, ref } = await tx.pledges.create(pledge, now);
  await tx.audit.record(
    {
      personId: pledge.personId,
      channel: pledge.channel,
      action: 'pledge.create',
      entity: 'Pledge',
      entityId: String(id),
      after: {
        ref,
        donorKind: pledge.donorKind,
        kind: pledge.kind,
        amount: pledge.amount.toString(),
        fundUnitId: pledge.fundUnitId,
        ...audited,
      },
    },
    now,
  );
  return { id, ref };
}

/**
 * A new pledge's receipt asks the donor, in their private chat, whether they want news of the
 * campaign (appeals go to those who agree): not again once they agreed, nor in a chat that stopped
 * appeals. The two answers come before the menu (the donor may leave the question unanswered).
 */
async function askContactConsent(
  tx: Tx,
  personId: number,
  inbound: Inbound,
  receipt: SubmitResult,
): Promise<SubmitResult> {
  if (
    inbound.chatType !== 'private' ||
    (await tx.appeals.hasContactConsent(personId)) ||
    (await tx.appeals.isOptedOut(inbound.channel, inbound.chatId))
  ) {
    return receipt;
  }
  const reply = Array.isArray(receipt) ? { lines: receipt } : receipt;
  return {
    ...reply,
    lines: [...reply.lines, { key: 'pledge.consent.ask' }],
    choices: [
      [{ id: menuButtonId('consent', 'yes'), label: t('vi', 'pledge.consent.yes') }],
      [{ id: menuButtonId('consent', 'no'), label: t('vi', 'pledge.consent.no') }],
    ],
    menu: true,
  };
}

/** A change to the person's own pledge while nothing was paid against it. */
async function updatePledge(
  tx: Tx,
  actor: Actor,
  editing: { id: number; ref: string; today: string },
  changes: PledgeChanges,
  verify: { unverified: boolean; safeguards: PledgeSafeguards },
  now: Date,
  inbound: Inbound,
): Promise<SubmitResult> {
  const before = await tx.pledges.findById(editing.id);
  // An anonymous donor raising a pledge above the threshold waits for verification again.
  changes.verification = verify.unverified
    ? 'pending'
    : before?.verification === 'pending' && isAnonymousDonor(actor)
      ? null
      : (before?.verification ?? null);
  const changed = await tx.pledges.update(editing.id, changes, now);
  if (!changed) {
    return [{ key: 'pledge.refused.paid', params: { ref: editing.ref } }];
  }
  await tx.audit.record(
    {
      personId: actor.personId,
      channel: inbound.channel,
      action: 'pledge.update',
      entity: 'Pledge',
      entityId: String(editing.id),
      after: { ...changes, amount: changes.amount.toString() },
    },
    now,
  );
  return pledgeReceipt(tx, editing.id, 'pledge.updated', editing.today, {
    notify: changes.verification === 'pending' && before?.verification !== 'pending',
    now,
    safeguards: verify.safeguards,
  });
}

/**
 * The donor's receipt: the number and the card, where to transfer the money and the VietQR code that
 * fills the transfer in (issue 17 §1); a pledge that waits for verification says so, and with
 * `notify` (it just started waiting) the fund officers hear of it. No choices: the menu follows.
 */
async function pledgeReceipt(
  tx: Tx,
  id: number,
  key: 'pledge.created' | 'pledge.updated',
  today: string,
  verify: { notify: boolean; now: Date; safeguards: PledgeSafeguards },
): Promise<SubmitResult> {
  const pledge = await tx.pledges.findById(id);
  if (!pledge) {
    throw new AppError('NOT_FOUND', `pledge ${id} vanished inside its transaction`);
  }
  if (verify.notify) {
    await notifyVerifiers(tx, pledge, verify.safeguards, today, verify.now);
  }
  // The whole amount: nothing was received against a pledge just made or changed. A pledge that
  // waits for verification gets its QR too: the code only fills in a transfer to the fund's own
  // account, so nothing can go astray, and verification decides whether the pledge counts in the
  // totals, not whether money may come in (a transfer received is recorded against it as usual).
  const payment = await pledgePayment(tx, pledge, pledge.amount - pledge.received);
  const lines: Text[] = [
    { key, params: { ref: code(pledge.ref), handover: { key: `pledge.handover.${pledge.kind}` } } },
    ...pledgeCard(pledge, today),
    // Where to transfer the money, with the pledge's number as the transfer's content.
    ...payment.lines,
  ];
  if (pledge.verification === 'pending') {
    lines.push({ key: 'pledge.unverified.note' });
  }
  return payment.qr ? { lines, image: payment.qr.image, caption: payment.qr.caption } : lines;
}
