import { z } from 'zod';
import { reachesEverywhere } from '../../access/access.ts';
import { moneyAnswer, textAnswer, zIdChoice, zMoney, zTextWhenAsked } from '../../flows/answers.ts';
import type { FlowData, FlowDef, Text } from '../../flows/flow.ts';
import { defineFlow, type FlowStart } from '../../flows/flow-runner.ts';
import { householdScope } from '../../households/allocation-scope.ts';
import { HOUSEHOLD_NEED_LABELS } from '../../households/household.ts';
import { formatMoney } from '../../shared/format.ts';
import { ledgerFor, normsOn } from '../fund-service.ts';
import type { Need } from '../ledger.ts';
import {
  availableAt,
  chosenLevel,
  commitHouseholdEntry,
  entryCampaign,
  flowHousehold,
  levelById,
  levelStep,
  levelsWithBalance,
  MAX_ENTRY,
  withinBalance,
  ZHousehold,
  ZLevel,
} from './shared.ts';

/** Allocating money of a fund level to an approved household, at most the campaign's norm. */

const ZAllocationContext = z.object({
  campaignId: z.number(),
  today: z.string(),
  levels: z.array(ZLevel),
  household: ZHousehold,
  norm: z.string(),
  /** Only an admin may allocate above the norm, with a written reason. */
  isAdmin: z.boolean(),
});
type AllocationContext = z.infer<typeof ZAllocationContext>;

const ZAllocationAnswers = z.object({
  level: zIdChoice.optional(),
  amount: zMoney,
  overrideReason: zTextWhenAsked,
});

const ALLOCATABLE = new Set(['approved', 'started', 'completed', 'handed_over']);

function aboveNorm(ctx: AllocationContext, data: FlowData): boolean {
  const amount = moneyAnswer(data.amount);
  return amount !== undefined && amount > BigInt(ctx.norm);
}

const allocationFlow: FlowDef<AllocationContext> = {
  id: 'fund-allocation',
  version: 1,
  title: 'fund.allocation.title',
  summaryHeader: (ctx, data) => [
    {
      key: 'fund.allocation.header',
      params: {
        name: ctx.household.name,
        code: ctx.household.code,
        unit: ctx.household.unitName,
        need: HOUSEHOLD_NEED_LABELS[ctx.household.need],
        norm: formatMoney(BigInt(ctx.norm)),
        level: chosenLevel(ctx, data)?.name ?? '',
      },
    },
  ],
  steps: [
    levelStep,
    {
      key: 'amount',
      kind: 'money',
      label: 'fund.field.amount',
      prompt: (ctx, data) => ({
        key: 'fund.ask.allocation',
        params: { norm: formatMoney(BigInt(ctx.norm)), available: formatMoney(availableAt(ctx, data)) },
      }),
      maxMoney: MAX_ENTRY,
      choices: (ctx) => [{ id: ctx.norm, label: `${formatMoney(BigInt(ctx.norm))} (định mức)` }],
      check: (value, data, ctx): Text | undefined => {
        const problem = withinBalance(value, data, ctx);
        if (problem) {
          return problem;
        }
        return (moneyAnswer(value) ?? 0n) > BigInt(ctx.norm) && !ctx.isAdmin
          ? { key: 'fund.refused.norm', params: { norm: formatMoney(BigInt(ctx.norm)) } }
          : undefined;
      },
    },
    {
      key: 'overrideReason',
      kind: 'text',
      label: 'fund.field.overrideReason',
      prompt: (ctx) => ({ key: 'fund.ask.overrideReason', params: { norm: formatMoney(BigInt(ctx.norm)) } }),
      maxLength: 500,
      check: (value) =>
        (textAnswer(value) ?? '').trim().length < 5 ? { key: 'fund.rule.reason' } : undefined,
      when: aboveNorm,
    },
  ],
};

export const allocationRunner = defineFlow({
  def: allocationFlow,
  context: ZAllocationContext,
  answers: ZAllocationAnswers,
  /** `arg`: the household's id. */
  async start(tx, actor, now, arg): Promise<FlowStart<AllocationContext>> {
    const current = await entryCampaign(tx, now, actor);
    if (!current.ok) {
      return { ok: false, reason: current.reason };
    }
    const scope = await householdScope(tx, actor);
    const h = await tx.households.findById(Number(arg));
    if (!h || !scope.includes(h.unitId)) {
      return { ok: false, reason: { key: 'household.refused.not_found' } };
    }
    if (!ALLOCATABLE.has(h.status)) {
      return { ok: false, reason: { key: 'fund.refused.not_approved', params: { name: h.headName } } };
    }
    const need: Need = h.need === 'repair' ? 'repair' : 'new_build';
    const state = await ledgerFor(tx, current.campaign.id, { levels: [], householdIds: [h.id] });
    const existing = state.allocations.get(`${h.id}:${need}`);
    if (existing) {
      return {
        ok: false,
        reason: {
          key: 'fund.refused.household_has',
          params: {
            name: h.headName,
            amount: formatMoney(existing.amount),
            paid: formatMoney(existing.paid),
          },
        },
      };
    }
    // The level closest to the household first: its ward's fund, then the city's.
    const levels = (await levelsWithBalance(tx, actor, current.campaign, 'fund.allocate')).sort(
      (a, b) => Number(b.id === h.unitId) - Number(a.id === h.unitId),
    );
    if (levels.length === 0) {
      return { ok: false, reason: { key: 'fund.refused.not_fund_officer' } };
    }
    return {
      ok: true,
      ctx: {
        campaignId: current.campaign.id,
        today: current.today,
        levels,
        household: await flowHousehold(tx, h),
        // The norm in force on the allocation's day (its `occurredOn`, today).
        norm: (await normsOn(tx, current.campaign, current.today))[need].toString(),
        // Above the norm is for the keepers of every level (the admins), never a level's own officer.
        isAdmin: reachesEverywhere(actor, 'fund.allocate'),
      },
    };
  },
  submit: (tx, actor, { ctx, answers }, now, inbound) =>
    commitHouseholdEntry(
      tx,
      actor,
      { campaignId: ctx.campaignId, level: levelById(ctx, answers.level), household: ctx.household },
      {
        kind: 'allocation',
        amount: answers.amount,
        overrideReason: answers.overrideReason,
        occurredOn: ctx.today,
      },
      now,
      inbound,
      'fund.allocation.done',
    ),
});
