import { z } from 'zod';
import { campaignOfUnit } from '../campaigns/campaign-of.ts';
import { reasonFlow, type Text } from '../flows/flow.ts';
import { defineFlow } from '../flows/flow-runner.ts';
import type { Inbound } from '../messaging/message.ts';
import { keepsLevel } from '../people/fund-levels.ts';
import type { Actor } from '../shared/actor.ts';
import { dateInZone, toIsoDate } from '../shared/calendar.ts';
import type { Tx } from '../unit-of-work.ts';
import type { PledgeView } from './fund.repository.ts';
import { pledgeWhat, statusOf } from './fund-views.ts';
import { renderVi } from './keeper-notices.ts';
import { confirmPledge, notifyDonor } from './pledge-verification.ts';

/**
 * The fund officer's side of a pledge waiting for verification (issue 13 §6): the notice's
 * "✅ Xác nhận" confirms it (it counts from then on), "✖️ Từ chối" asks the reason and cancels it;
 * either way the donor is told. Only a fund officer of the pledge's level or an admin decides, checked
 * again when the decision is written.
 */

/** The pledge if the actor keeps its fund level (a fund officer of it, or an admin). */
async function keptPledge(tx: Tx, actor: Actor, id: number): Promise<PledgeView | undefined> {
  const pledge = await tx.pledges.findById(id);
  if (!pledge) {
    return undefined;
  }
  return (await keepsLevel(tx, actor, 'pledge.verify', pledge.fundUnitId)) ? pledge : undefined;
}

async function today(tx: Tx, now: Date, pledge: PledgeView): Promise<string> {
  const campaign = await campaignOfUnit(tx, pledge.fundUnitId, now);
  return toIsoDate(dateInZone(now, campaign?.timeZone ?? 'Asia/Ho_Chi_Minh'));
}

async function already(tx: Tx, pledge: PledgeView, now: Date): Promise<Text[]> {
  return [
    {
      key: 'pledge.verify.already',
      params: {
        ref: pledge.ref,
        status: { key: `pledge.status.${statusOf(pledge, await today(tx, now, pledge))}` },
      },
    },
  ];
}

/** "✅ Xác nhận" on the notice. */
export async function confirmPledgeFromChat(
  tx: Tx,
  actor: Actor,
  id: number,
  now: Date,
  inbound: Pick<Inbound, 'channel'>,
): Promise<Text[]> {
  const pledge = await keptPledge(tx, actor, id);
  if (!pledge) {
    return [{ key: 'fund.refused.pledge_elsewhere' }];
  }
  if (!(await confirmPledge(tx, actor, pledge, now, inbound.channel))) {
    return already(tx, pledge, now);
  }
  return [{ key: 'pledge.verify.confirmed', params: { ref: pledge.ref } }];
}

const ZRejectContext = z.object({ id: z.number(), ref: z.string(), donor: z.string(), what: z.string() });
type RejectContext = z.infer<typeof ZRejectContext>;

const rejectFlow = reasonFlow<RejectContext>({
  id: 'pledge-reject',
  version: 1,
  title: 'pledge.reject.title',
  header: (ctx) => ({
    key: 'pledge.reject.header',
    params: { ref: ctx.ref, donor: ctx.donor, what: ctx.what },
  }),
  label: 'pledge.field.rejectReason',
  prompt: (ctx) => ({ key: 'pledge.ask.rejectReason', params: { ref: ctx.ref } }),
});

/** "✖️ Từ chối": the fund officer gives the reason; the pledge is cancelled and the donor told why. */
export const pledgeRejectRunner = defineFlow({
  def: rejectFlow,
  context: ZRejectContext,
  answers: z.object({ reason: z.string().trim() }),
  async start(tx, actor, now, arg) {
    const pledge = await keptPledge(tx, actor, Number(arg));
    if (!pledge) {
      return { ok: false, reason: { key: 'fund.refused.pledge_elsewhere' } };
    }
    if (statusOf(pledge, await today(tx, now, pledge)) !== 'unverified') {
      return { ok: false, reason: (await already(tx, pledge, now))[0] as Text };
    }
    return {
      ok: true,
      ctx: { id: pledge.id, ref: pledge.ref, donor: pledge.donorName, what: renderVi([pledgeWhat(pledge)]) },
    };
  },
  async submit(tx, actor, { ctx, answers: { reason } }, now, inbound) {
    // Checked again: the role may have gone, or another officer decided meanwhile.
    const pledge = await keptPledge(tx, actor, ctx.id);
    if (!pledge) {
      return [{ key: 'fund.refused.pledge_elsewhere' }];
    }
    if (!(await tx.pledges.decide(pledge.id, { verification: 'rejected', reason }, actor.personId, now))) {
      return already(tx, pledge, now);
    }
    await tx.audit.record(
      {
        personId: actor.personId,
        channel: inbound.channel,
        action: 'pledge.reject',
        entity: 'Pledge',
        entityId: String(pledge.id),
        before: { verification: 'pending' },
        after: { verification: 'rejected', reason },
      },
      now,
    );
    await notifyDonor(
      tx,
      { ...pledge, verification: 'rejected' },
      { key: 'pledge.verify.donor_rejected', params: { ref: pledge.ref, what: pledgeWhat(pledge), reason } },
      now,
    );
    return [{ key: 'pledge.verify.rejected', params: { ref: pledge.ref } }];
  },
});
