import { z } from 'zod';
import { campaignOfActor } from '../../campaigns/campaign-of.ts';
import { moneyAnswer, zIsoDate, zMoney, zOptionalText } from '../../flows/answers.ts';
import type { FlowDef, Text } from '../../flows/flow.ts';
import { defineFlow, type FlowStart } from '../../flows/flow-runner.ts';
import type { Choice } from '../../messaging/message.ts';
import { fundLevelsFor } from '../../people/fund-levels.ts';
import type { Actor } from '../../shared/actor.ts';
import { formatMoney } from '../../shared/format.ts';
import { menuButtonId } from '../../shared/menu-button.ts';
import type { Tx } from '../../unit-of-work.ts';
import { ledgerFor } from '../fund-service.ts';
import type { Need } from '../ledger.ts';
import {
  commitHouseholdEntry,
  dateStep,
  documentStep,
  entryCampaign,
  flowHousehold,
  levelsWithBalance,
  MAX_ENTRY,
  positiveAmount,
  ZHousehold,
  ZLevel,
} from './shared.ts';

/** Paying a household what was allocated to it, in one or more instalments. */

const ZDisbursementContext = z.object({
  campaignId: z.number(),
  today: z.string(),
  levels: z.array(ZLevel),
  household: ZHousehold,
  allocated: z.string(),
  unpaid: z.string(),
});
type DisbursementContext = z.infer<typeof ZDisbursementContext>;

const ZDisbursementAnswers = z.object({
  amount: zMoney,
  occurredOn: zIsoDate,
  documentRef: zOptionalText,
});

const disbursementFlow: FlowDef<DisbursementContext> = {
  id: 'fund-disbursement',
  version: 1,
  title: 'fund.disbursement.title',
  summaryHeader: (ctx) => [
    {
      key: 'fund.disbursement.header',
      params: {
        name: ctx.household.name,
        code: ctx.household.code,
        allocated: formatMoney(BigInt(ctx.allocated)),
        unpaid: formatMoney(BigInt(ctx.unpaid)),
      },
    },
  ],
  steps: [
    {
      key: 'amount',
      kind: 'money',
      label: 'fund.field.amount',
      prompt: (ctx) => ({
        key: 'fund.ask.disbursement',
        params: { unpaid: formatMoney(BigInt(ctx.unpaid)) },
      }),
      maxMoney: MAX_ENTRY,
      choices: (ctx) => {
        const unpaid = BigInt(ctx.unpaid);
        const half = BigInt(ctx.allocated) / 2n;
        const options = [{ id: ctx.unpaid, label: `${formatMoney(unpaid)} (toàn bộ còn lại)` }];
        if (half < unpaid) {
          options.push({ id: half.toString(), label: `${formatMoney(half)} (đợt 1: 50%)` });
        }
        return options;
      },
      check: (value, _data, ctx) =>
        positiveAmount(value) ??
        ((moneyAnswer(value) ?? 0n) > BigInt(ctx.unpaid)
          ? { key: 'fund.refused.unpaid', params: { unpaid: formatMoney(BigInt(ctx.unpaid)) } }
          : undefined),
    },
    dateStep<DisbursementContext>(() => ({ key: 'fund.ask.paid_on' })),
    documentStep,
  ],
};

export const disbursementRunner = defineFlow({
  def: disbursementFlow,
  context: ZDisbursementContext,
  answers: ZDisbursementAnswers,
  /** `arg`: the household's id. */
  async start(tx, actor, now, arg): Promise<FlowStart<DisbursementContext>> {
    const current = await entryCampaign(tx, now, actor);
    if (!current.ok) {
      return { ok: false, reason: current.reason };
    }
    const h = await tx.households.findById(Number(arg));
    const levels = await levelsWithBalance(tx, actor, current.campaign, 'fund.disburse');
    const state = h
      ? await ledgerFor(tx, current.campaign.id, { levels: [], householdIds: [h.id] })
      : undefined;
    const need: Need = h?.need === 'repair' ? 'repair' : 'new_build';
    const allocation = h ? state?.allocations.get(`${h.id}:${need}`) : undefined;
    if (!h || !allocation || !levels.some((l) => l.id === allocation.level)) {
      return { ok: false, reason: { key: 'fund.refused.no_allocation' } };
    }
    const unpaid = allocation.amount - allocation.paid;
    if (unpaid <= 0n) {
      return { ok: false, reason: { key: 'fund.refused.fully_paid', params: { name: h.headName } } };
    }
    return {
      ok: true,
      ctx: {
        campaignId: current.campaign.id,
        today: current.today,
        levels: levels.filter((l) => l.id === allocation.level),
        household: await flowHousehold(tx, h),
        allocated: allocation.amount.toString(),
        unpaid: unpaid.toString(),
      },
    };
  },
  submit: (tx, actor, { ctx, answers }, now, inbound) =>
    commitHouseholdEntry(
      tx,
      actor,
      // The level the household's money was allocated from.
      { campaignId: ctx.campaignId, level: ctx.levels[0], household: ctx.household },
      {
        kind: 'disbursement',
        amount: answers.amount,
        documentRef: answers.documentRef,
        occurredOn: answers.occurredOn,
      },
      now,
      inbound,
      'fund.disbursement.done',
    ),
});

/** Households with money allocated but not yet paid at the actor's levels, as buttons. */
export async function unpaidHouseholds(
  tx: Tx,
  actor: Actor,
  now: Date,
): Promise<{ lines: Text[]; choices: Choice[][] } | undefined> {
  const campaign = await campaignOfActor(tx, actor, now);
  const levels = await fundLevelsFor(tx, actor, 'fund.disburse');
  if (!campaign || levels.length === 0) {
    return undefined;
  }
  const state = await ledgerFor(tx, campaign.id, { levels: levels.map((l) => l.id), householdIds: [] });
  const open = [...state.allocations.entries()]
    .filter(([, a]) => a.paid < a.amount && levels.some((l) => l.id === a.level))
    .slice(0, 12);
  if (open.length === 0) {
    return {
      lines: [{ key: 'fund.disbursement.none' }],
      choices: [[{ id: menuButtonId('alloc'), label: '🏠 Phân bổ cho hộ' }]],
    };
  }
  const choices: Choice[][] = [];
  for (const [key, a] of open) {
    const h = await tx.households.findById(Number(key.split(':')[0]));
    if (h) {
      choices.push([
        {
          id: menuButtonId('disb', h.id),
          label: `${h.headName} (${h.code}) · còn ${formatMoney(a.amount - a.paid)}`,
        },
      ]);
    }
  }
  return { lines: [{ key: 'fund.disbursement.pick' }], choices };
}
