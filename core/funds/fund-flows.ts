import { z } from 'zod';
import type { Campaign } from '../campaigns/campaign.ts';
import { answeredData } from '../flows/engine.ts';
import type { FlowData, FlowDef, Text } from '../flows/flow.ts';
import type { FlowRunner, FlowStart } from '../flows/flow-runner.ts';
import type { HouseholdView } from '../households/household.repository.ts';
import { HOUSEHOLD_NEED_LABELS } from '../households/household.ts';
import type { Choice, Inbound } from '../messaging/message.ts';
import { FUND_LEVEL_KINDS } from '../people/unit.repository.ts';
import type { Actor } from '../shared/actor.ts';
import { dateInZone, fromIsoDate, toIsoDate } from '../shared/calendar.ts';
import { formatDate, formatMoney } from '../shared/format.ts';
import type { Tx } from '../unit-of-work.ts';
import type { PledgeView } from './fund.repository.ts';
import {
  campaignNorms,
  type EntryFields,
  fundEntry,
  ledgerFor,
  levelTotals,
  recordFundEntry,
} from './fund-service.ts';
import { pledgeLine, statusOf } from './fund-views.ts';
import { available, type LedgerRefusal, type Need } from './ledger.ts';
import { confirmPledge } from './pledge-verification.ts';

/**
 * The fund officer's work in chat (issue 5 §3): record a receipt (against a pledge or not), allocate
 * to an approved household, record a disbursement, transfer between levels. Every entry is checked
 * by the ledger rules when typed, shown in a summary, checked again inside the transaction that
 * records it, and answered with the level's new balance.
 */

const MAX_ENTRY = 100_000_000_000n;

/** The fund levels an actor keeps: a fund officer's own; an admin's, every level of the campaign. */
export async function fundLevelsOf(
  tx: Tx,
  actor: Actor,
): Promise<{ id: number; name: string; parentId: number | null }[]> {
  const all = (await tx.units.listByKinds(FUND_LEVEL_KINDS)).filter((u) => u.kind !== 'province');
  if (actor.memberships.some((m) => m.role === 'admin')) {
    return all.map((u) => ({ id: u.id, name: u.name, parentId: u.parentId }));
  }
  const own = new Set(actor.memberships.filter((m) => m.role === 'fund_officer').map((m) => m.unitId));
  return all.filter((u) => own.has(u.id)).map((u) => ({ id: u.id, name: u.name, parentId: u.parentId }));
}

export function isFundKeeper(actor: Actor): boolean {
  return actor.memberships.some((m) => m.role === 'fund_officer' || m.role === 'admin');
}

const ZLevel = z.object({ id: z.number(), name: z.string(), available: z.string() });
type Level = z.infer<typeof ZLevel>;

async function levelsWithBalance(tx: Tx, actor: Actor, campaign: Campaign): Promise<Level[]> {
  const levels = await fundLevelsOf(tx, actor);
  const state = await ledgerFor(tx, campaign.id, { levels: levels.map((l) => l.id), householdIds: [] });
  return levels.map((l) => ({
    id: l.id,
    name: l.name,
    available: available(levelTotals(state, l.id)).toString(),
  }));
}

export function chosenLevel<C extends { levels: Level[] }>(ctx: C, data: FlowData): Level | undefined {
  return data.level === undefined
    ? ctx.levels[0]
    : ctx.levels.find((l) => String(l.id) === String(data.level));
}

const levelStep = {
  key: 'level',
  kind: 'choice' as const,
  label: 'fund.field.level' as const,
  prompt: () => ({ key: 'fund.ask.level' as const }),
  choices: (ctx: { levels: Level[] }) =>
    ctx.levels.map((l) => ({ id: String(l.id), label: `${l.name} (${formatMoney(BigInt(l.available))})` })),
  when: (ctx: { levels: Level[] }) => ctx.levels.length > 1,
};

function dateStep<C extends { today: string }>() {
  return {
    key: 'occurredOn',
    kind: 'date' as const,
    label: 'fund.field.occurredOn' as const,
    prompt: () => ({ key: 'fund.ask.occurredOn' as const }),
    choices: (ctx: C) => [{ id: ctx.today, label: `📅 Hôm nay (${formatDate(fromIsoDate(ctx.today))})` }],
    check: (value: string | number | boolean, _data: FlowData, ctx: C): Text | undefined =>
      String(value) > ctx.today
        ? { key: 'fund.rule.future', params: { today: formatDate(fromIsoDate(ctx.today)) } }
        : undefined,
    display: (value: string | number | boolean) => formatDate(fromIsoDate(String(value))),
  };
}

const documentStep = {
  key: 'documentRef',
  kind: 'text' as const,
  label: 'fund.field.documentRef' as const,
  prompt: () => ({ key: 'fund.ask.documentRef' as const }),
  maxLength: 100,
  optional: true,
};

async function currentCampaign(
  tx: Tx,
  now: Date,
): Promise<{ campaign: Campaign; today: string } | undefined> {
  const campaign = await tx.campaigns.findCurrent();
  return campaign ? { campaign, today: toIsoDate(dateInZone(now, campaign.timeZone)) } : undefined;
}

function refusalText(r: LedgerRefusal): Text {
  switch (r.code) {
    case 'insufficient_balance':
      return { key: 'fund.refused.balance', params: { available: formatMoney(r.available) } };
    case 'above_norm':
      return { key: 'fund.refused.norm', params: { norm: formatMoney(r.norm) } };
    case 'already_allocated':
      return { key: 'fund.refused.already_allocated' };
    case 'not_allocated':
      return { key: 'fund.refused.unpaid', params: { unpaid: formatMoney(r.unpaid) } };
    default:
      return { key: `fund.refused.${r.code}` };
  }
}

/** Records an entry from a confirmed flow and answers with the level's new balance. */
async function commit(
  tx: Tx,
  actor: Actor,
  campaign: Campaign,
  entry: Omit<EntryFields, 'campaignId'>,
  now: Date,
  inbound: Inbound,
  done: Text,
): Promise<Text[]> {
  const outcome = await recordFundEntry(
    tx,
    campaign,
    fundEntry({ ...entry, campaignId: campaign.id, personId: actor.personId, channel: inbound.channel }),
    now,
  );
  if (!outcome.ok) {
    return [{ key: 'fund.refused.nothing_saved' }, refusalText(outcome.refusal)];
  }
  await tx.audit.record(
    {
      personId: actor.personId,
      channel: inbound.channel,
      action: `fund.${entry.kind}`,
      entity: 'FundEntry',
      entityId: String(outcome.id),
      after: { ...entry, amount: entry.amount.toString() },
    },
    now,
  );
  const unit = await tx.units.findById(entry.levelUnitId);
  return [
    done,
    {
      key: 'fund.balance',
      params: {
        id: outcome.id,
        level: unit?.name ?? '',
        available: formatMoney(available(levelTotals(outcome.state, entry.levelUnitId))),
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Receipts

const ZReceiptContext = z.object({
  campaignId: z.number(),
  today: z.string(),
  levels: z.array(ZLevel),
  pledge: z
    .object({
      id: z.number(),
      ref: z.string(),
      donor: z.string(),
      kind: z.string(),
      amount: z.string(),
      received: z.string(),
      levelId: z.number(),
    })
    .nullable(),
});
type ReceiptContext = z.infer<typeof ZReceiptContext>;

function remaining(ctx: ReceiptContext): bigint {
  const p = ctx.pledge;
  if (!p) {
    return 0n;
  }
  const left = BigInt(p.amount) - BigInt(p.received);
  return left > 0n ? left : 0n;
}

function overpays(ctx: ReceiptContext, data: FlowData): boolean {
  return ctx.pledge !== null && data.amount !== undefined && BigInt(String(data.amount)) > remaining(ctx);
}

const receiptFlow: FlowDef<ReceiptContext> = {
  id: 'fund-receipt',
  version: 1,
  title: 'fund.receipt.title',
  summaryHeader: (ctx, data): Text[] => [
    ctx.pledge
      ? {
          key: 'fund.receipt.header_pledge',
          params: {
            ref: ctx.pledge.ref,
            donor: ctx.pledge.donor,
            pledged: formatMoney(BigInt(ctx.pledge.amount)),
            received: formatMoney(BigInt(ctx.pledge.received)),
          },
        }
      : { key: 'fund.receipt.header', params: { level: chosenLevel(ctx, data)?.name ?? '' } },
  ],
  steps: [
    { ...levelStep, when: (ctx) => ctx.pledge === null && ctx.levels.length > 1 },
    {
      key: 'payer',
      kind: 'text',
      label: 'fund.field.payer',
      prompt: () => ({ key: 'fund.ask.payer' }),
      maxLength: 200,
      when: (ctx) => ctx.pledge === null,
    },
    {
      key: 'amount',
      kind: 'money',
      label: 'fund.field.amount',
      prompt: (ctx) =>
        ctx.pledge
          ? {
              key: ctx.pledge.kind === 'money' ? 'fund.ask.receipt_pledge' : 'fund.ask.receipt_in_kind',
              params: { ref: ctx.pledge.ref, remaining: formatMoney(remaining(ctx)) },
            }
          : { key: 'fund.ask.receipt' },
      maxMoney: MAX_ENTRY,
      choices: (ctx) =>
        remaining(ctx) > 0n ? [{ id: remaining(ctx).toString(), label: formatMoney(remaining(ctx)) }] : [],
      check: (value) => (BigInt(String(value)) <= 0n ? { key: 'fund.rule.positive' } : undefined),
    },
    {
      key: 'overpay',
      kind: 'choice',
      label: 'fund.field.overpay',
      prompt: (ctx, data) => ({
        key: 'fund.ask.overpay',
        params: {
          amount: formatMoney(BigInt(String(data.amount ?? 0))),
          remaining: formatMoney(remaining(ctx)),
        },
      }),
      choices: () => [
        { id: 'yes', label: '✅ Đúng, ghi nhận nộp vượt' },
        { id: 'again', label: '✏️ Nhập lại số tiền' },
      ],
      when: overpays,
      // "Nhập lại số tiền": forget the amount and this answer, so the amount is asked again.
      clears: (value) => (value === 'again' ? ['amount', 'overpay'] : []),
    },
    dateStep<ReceiptContext>(),
    documentStep,
  ],
};

async function receiptStart(
  tx: Tx,
  actor: Actor,
  now: Date,
  arg: string | undefined,
): Promise<FlowStart<ReceiptContext>> {
  const current = await currentCampaign(tx, now);
  if (!current) {
    return { ok: false, reason: { key: 'report.refused.no_campaign' } };
  }
  const levels = await levelsWithBalance(tx, actor, current.campaign);
  if (levels.length === 0) {
    return { ok: false, reason: { key: 'fund.refused.not_fund_officer' } };
  }
  const ctx: ReceiptContext = { campaignId: current.campaign.id, today: current.today, levels, pledge: null };
  const pledgeId = Number(arg ?? 0);
  if (pledgeId > 0) {
    const p = await tx.pledges.findById(pledgeId);
    if (!p || !levels.some((l) => l.id === p.fundUnitId)) {
      return { ok: false, reason: { key: 'fund.refused.pledge_elsewhere' } };
    }
    if (p.cancelledAt !== null) {
      return { ok: false, reason: { key: 'fund.refused.pledge_cancelled', params: { ref: p.ref } } };
    }
    ctx.pledge = {
      id: p.id,
      ref: p.ref,
      donor: p.donorName,
      kind: p.kind,
      amount: p.amount.toString(),
      received: p.received.toString(),
      levelId: p.fundUnitId,
    };
    ctx.levels = levels.filter((l) => l.id === p.fundUnitId);
  }
  return { ok: true, ctx };
}

export const receiptRunner: FlowRunner<ReceiptContext> = {
  def: receiptFlow,
  parseContext: (raw) => parsed(ZReceiptContext, raw),
  start: receiptStart,
  async submit(tx, actor, state, now, inbound) {
    const ctx = state.ctx as ReceiptContext;
    const data = answeredData(receiptFlow, state);
    const campaign = await tx.campaigns.findCurrent();
    const level = chosenLevel(ctx, data);
    if (!campaign || !level) {
      return [{ key: 'fund.refused.nothing_saved' }];
    }
    const amount = BigInt(String(data.amount));
    let pledge: PledgeView | undefined;
    if (ctx.pledge) {
      // Re-read inside the transaction: another officer may have recorded a receipt meanwhile.
      pledge = await tx.pledges.findById(ctx.pledge.id);
      if (!pledge || pledge.cancelledAt !== null) {
        return [{ key: 'fund.refused.pledge_cancelled', params: { ref: ctx.pledge.ref } }];
      }
    }
    const overpayment = pledge !== undefined && amount > pledge.amount - pledge.received;
    const inKind = pledge !== undefined && pledge.kind !== 'money';
    const lines = await commit(
      tx,
      actor,
      campaign,
      {
        kind: inKind ? 'in_kind' : 'receipt',
        levelUnitId: level.id,
        amount,
        pledgeId: pledge?.id ?? null,
        overpayment,
        documentRef: data.documentRef ? String(data.documentRef) : null,
        note: pledge ? null : String(data.payer ?? ''),
        occurredOn: String(data.occurredOn),
      },
      now,
      inbound,
      {
        key: inKind ? 'fund.receipt.done_in_kind' : 'fund.receipt.done',
        params: { amount: formatMoney(amount) },
      },
    );
    if (pledge) {
      let after = await tx.pledges.findById(pledge.id);
      // Money received against a pledge waiting for verification verifies it: it counts from now on.
      if (after && pledge.verification === 'pending' && after.received !== pledge.received) {
        if (await confirmPledge(tx, actor, after, now, inbound.channel)) {
          lines.push({ key: 'fund.receipt.verified', params: { ref: after.ref } });
          after = await tx.pledges.findById(pledge.id);
        }
      }
      if (after) {
        lines.push(pledgeLine(after, ctx.today));
        if (overpayment && after.received > after.amount) {
          lines.push({
            key: 'pledge.card.overpaid',
            params: { extra: formatMoney(after.received - after.amount) },
          });
        }
      }
    }
    return lines;
  },
};

// ---------------------------------------------------------------------------------------------
// Allocations

const ZHousehold = z.object({
  id: z.number(),
  code: z.string(),
  name: z.string(),
  unitName: z.string(),
  unitId: z.number(),
  need: z.enum(['new_build', 'repair']),
});

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

const ALLOCATABLE = new Set(['approved', 'started', 'completed', 'handed_over']);

function aboveNorm(ctx: AllocationContext, data: FlowData): boolean {
  return data.amount !== undefined && BigInt(String(data.amount)) > BigInt(ctx.norm);
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
        params: {
          norm: formatMoney(BigInt(ctx.norm)),
          available: formatMoney(BigInt(chosenLevel(ctx, data)?.available ?? '0')),
        },
      }),
      maxMoney: MAX_ENTRY,
      choices: (ctx) => [{ id: ctx.norm, label: `${formatMoney(BigInt(ctx.norm))} (định mức)` }],
      check: (value, data, ctx): Text | undefined => {
        const amount = BigInt(String(value));
        const free = BigInt(chosenLevel(ctx, data)?.available ?? '0');
        if (amount <= 0n) {
          return { key: 'fund.rule.positive' };
        }
        if (amount > free) {
          return { key: 'fund.refused.balance', params: { available: formatMoney(free) } };
        }
        if (amount > BigInt(ctx.norm) && !ctx.isAdmin) {
          return { key: 'fund.refused.norm', params: { norm: formatMoney(BigInt(ctx.norm)) } };
        }
        return undefined;
      },
    },
    {
      key: 'overrideReason',
      kind: 'text',
      label: 'fund.field.overrideReason',
      prompt: (ctx) => ({ key: 'fund.ask.overrideReason', params: { norm: formatMoney(BigInt(ctx.norm)) } }),
      maxLength: 500,
      check: (value) => (String(value).trim().length < 5 ? { key: 'fund.rule.reason' } : undefined),
      when: aboveNorm,
    },
  ],
};

export const allocationRunner: FlowRunner<AllocationContext> = {
  def: allocationFlow,
  parseContext: (raw) => parsed(ZAllocationContext, raw),
  async start(tx, actor, now, arg): Promise<FlowStart<AllocationContext>> {
    const current = await currentCampaign(tx, now);
    if (!current) {
      return { ok: false, reason: { key: 'report.refused.no_campaign' } };
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
    const levels = (await levelsWithBalance(tx, actor, current.campaign)).sort(
      (a, b) => Number(b.id === h.unitId) - Number(a.id === h.unitId),
    );
    if (levels.length === 0) {
      return { ok: false, reason: { key: 'fund.refused.not_fund_officer' } };
    }
    const unit = await tx.units.findById(h.unitId);
    return {
      ok: true,
      ctx: {
        campaignId: current.campaign.id,
        today: current.today,
        levels,
        household: { ...householdRef(h), unitName: unit?.name ?? '', need },
        norm: campaignNorms(current.campaign)[need].toString(),
        isAdmin: actor.memberships.some((m) => m.role === 'admin'),
      },
    };
  },
  async submit(tx, actor, state, now, inbound) {
    const ctx = state.ctx as AllocationContext;
    const data = answeredData(allocationFlow, state);
    const campaign = await tx.campaigns.findCurrent();
    const level = chosenLevel(ctx, data);
    if (!campaign || !level) {
      return [{ key: 'fund.refused.nothing_saved' }];
    }
    const amount = BigInt(String(data.amount));
    return commit(
      tx,
      actor,
      campaign,
      {
        kind: 'allocation',
        levelUnitId: level.id,
        amount,
        householdId: ctx.household.id,
        need: ctx.household.need,
        overrideReason: data.overrideReason ? String(data.overrideReason) : null,
        occurredOn: ctx.today,
      },
      now,
      inbound,
      { key: 'fund.allocation.done', params: { amount: formatMoney(amount), name: ctx.household.name } },
    );
  },
};

function householdRef(h: HouseholdView): { id: number; code: string; name: string; unitId: number } {
  return { id: h.id, code: h.code, name: h.headName, unitId: h.unitId };
}

/** The units whose households a fund keeper may allocate to: their levels and the wards below. */
export async function householdScope(tx: Tx, actor: Actor): Promise<number[]> {
  const levels = await fundLevelsOf(tx, actor);
  const ids = levels.map((l) => l.id);
  const children = await tx.units.listChildren(ids);
  return [...new Set([...ids, ...children.map((c) => c.id)])];
}

// ---------------------------------------------------------------------------------------------
// Disbursements

const ZDisbursementContext = z.object({
  campaignId: z.number(),
  today: z.string(),
  levels: z.array(ZLevel),
  household: ZHousehold,
  allocated: z.string(),
  unpaid: z.string(),
});
type DisbursementContext = z.infer<typeof ZDisbursementContext>;

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
      check: (value, _data, ctx) => {
        const amount = BigInt(String(value));
        if (amount <= 0n) {
          return { key: 'fund.rule.positive' };
        }
        return amount > BigInt(ctx.unpaid)
          ? { key: 'fund.refused.unpaid', params: { unpaid: formatMoney(BigInt(ctx.unpaid)) } }
          : undefined;
      },
    },
    dateStep<DisbursementContext>(),
    documentStep,
  ],
};

export const disbursementRunner: FlowRunner<DisbursementContext> = {
  def: disbursementFlow,
  parseContext: (raw) => parsed(ZDisbursementContext, raw),
  async start(tx, actor, now, arg): Promise<FlowStart<DisbursementContext>> {
    const current = await currentCampaign(tx, now);
    if (!current) {
      return { ok: false, reason: { key: 'report.refused.no_campaign' } };
    }
    const h = await tx.households.findById(Number(arg));
    const levels = await levelsWithBalance(tx, actor, current.campaign);
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
    const unit = await tx.units.findById(h.unitId);
    return {
      ok: true,
      ctx: {
        campaignId: current.campaign.id,
        today: current.today,
        levels: levels.filter((l) => l.id === allocation.level),
        household: { ...householdRef(h), unitName: unit?.name ?? '', need },
        allocated: allocation.amount.toString(),
        unpaid: unpaid.toString(),
      },
    };
  },
  async submit(tx, actor, state, now, inbound) {
    const ctx = state.ctx as DisbursementContext;
    const data = answeredData(disbursementFlow, state);
    const campaign = await tx.campaigns.findCurrent();
    const level = ctx.levels[0];
    if (!campaign || !level) {
      return [{ key: 'fund.refused.nothing_saved' }];
    }
    const amount = BigInt(String(data.amount));
    return commit(
      tx,
      actor,
      campaign,
      {
        kind: 'disbursement',
        levelUnitId: level.id,
        amount,
        householdId: ctx.household.id,
        need: ctx.household.need,
        documentRef: data.documentRef ? String(data.documentRef) : null,
        occurredOn: String(data.occurredOn),
      },
      now,
      inbound,
      { key: 'fund.disbursement.done', params: { amount: formatMoney(amount), name: ctx.household.name } },
    );
  },
};

/** Households with money allocated but not yet paid at the actor's levels, as buttons. */
export async function unpaidHouseholds(
  tx: Tx,
  actor: Actor,
): Promise<{ lines: Text[]; choices: Choice[][] } | undefined> {
  const campaign = await tx.campaigns.findCurrent();
  const levels = await fundLevelsOf(tx, actor);
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
      choices: [[{ id: 'menu:alloc', label: '🏠 Phân bổ cho hộ' }]],
    };
  }
  const choices: Choice[][] = [];
  for (const [key, a] of open) {
    const h = await tx.households.findById(Number(key.split(':')[0]));
    if (h) {
      choices.push([
        {
          id: `menu:disb:${h.id}`,
          label: `${h.headName} (${h.code}) · còn ${formatMoney(a.amount - a.paid)}`,
        },
      ]);
    }
  }
  return { lines: [{ key: 'fund.disbursement.pick' }], choices };
}

// ---------------------------------------------------------------------------------------------
// Transfers between levels

const ZTransferContext = z.object({
  campaignId: z.number(),
  today: z.string(),
  levels: z.array(ZLevel),
  /** Per source level: the levels it may send to (its parent and its children). */
  targets: z.record(z.string(), z.array(z.object({ id: z.number(), name: z.string() }))),
});
type TransferContext = z.infer<typeof ZTransferContext>;

function targetsOf(ctx: TransferContext, data: FlowData): Choice[] {
  const from = chosenLevel(ctx, data);
  return (from ? (ctx.targets[String(from.id)] ?? []) : []).map((t) => ({ id: String(t.id), label: t.name }));
}

const transferFlow: FlowDef<TransferContext> = {
  id: 'fund-transfer',
  version: 1,
  title: 'fund.transfer.title',
  summaryHeader: () => [{ key: 'fund.transfer.header' }],
  steps: [
    levelStep,
    {
      key: 'to',
      kind: 'choice',
      label: 'fund.field.to',
      prompt: () => ({ key: 'fund.ask.to' }),
      choices: targetsOf,
    },
    {
      key: 'amount',
      kind: 'money',
      label: 'fund.field.amount',
      prompt: (ctx, data) => ({
        key: 'fund.ask.transfer',
        params: { available: formatMoney(BigInt(chosenLevel(ctx, data)?.available ?? '0')) },
      }),
      maxMoney: MAX_ENTRY,
      check: (value, data, ctx) => {
        const amount = BigInt(String(value));
        const free = BigInt(chosenLevel(ctx, data)?.available ?? '0');
        if (amount <= 0n) {
          return { key: 'fund.rule.positive' };
        }
        return amount > free
          ? { key: 'fund.refused.balance', params: { available: formatMoney(free) } }
          : undefined;
      },
    },
    dateStep<TransferContext>(),
    {
      key: 'note',
      kind: 'text',
      label: 'fund.field.note',
      prompt: () => ({ key: 'fund.ask.transfer_note' }),
      maxLength: 300,
      optional: true,
    },
  ],
};

export const transferRunner: FlowRunner<TransferContext> = {
  def: transferFlow,
  parseContext: (raw) => parsed(ZTransferContext, raw),
  async start(tx, actor, now) {
    const current = await currentCampaign(tx, now);
    if (!current) {
      return { ok: false, reason: { key: 'report.refused.no_campaign' } };
    }
    const levels = await levelsWithBalance(tx, actor, current.campaign);
    if (levels.length === 0) {
      return { ok: false, reason: { key: 'fund.refused.not_fund_officer' } };
    }
    const all = (await tx.units.listByKinds(FUND_LEVEL_KINDS)).filter((u) => u.kind !== 'province');
    const targets: TransferContext['targets'] = {};
    for (const l of levels) {
      const unit = all.find((u) => u.id === l.id);
      targets[String(l.id)] = all
        .filter((u) => u.id !== l.id && (u.id === unit?.parentId || u.parentId === l.id))
        .map((u) => ({ id: u.id, name: u.name }));
    }
    return { ok: true, ctx: { campaignId: current.campaign.id, today: current.today, levels, targets } };
  },
  async submit(tx, actor, state, now, inbound) {
    const ctx = state.ctx as TransferContext;
    const data = answeredData(transferFlow, state);
    const campaign = await tx.campaigns.findCurrent();
    const from = chosenLevel(ctx, data);
    const to = targetsOf(ctx, data).find((t) => t.id === String(data.to));
    if (!campaign || !from || !to) {
      return [{ key: 'fund.refused.nothing_saved' }];
    }
    const amount = BigInt(String(data.amount));
    return commit(
      tx,
      actor,
      campaign,
      {
        kind: 'transfer',
        levelUnitId: from.id,
        toUnitId: Number(to.id),
        amount,
        note: data.note ? String(data.note) : null,
        occurredOn: String(data.occurredOn),
      },
      now,
      inbound,
      { key: 'fund.transfer.done', params: { amount: formatMoney(amount), to: to.label } },
    );
  },
};

// ---------------------------------------------------------------------------------------------
// Finding a pledge (for a receipt or an acknowledgement)

const ZPledgeSearchContext = z.object({
  purpose: z.enum(['receipt', 'ack']),
  campaignId: z.number(),
  levelIds: z.array(z.number()),
  today: z.string(),
});
type PledgeSearchContext = z.infer<typeof ZPledgeSearchContext>;

const pledgeSearchFlow: FlowDef<PledgeSearchContext> = {
  id: 'pledge-search',
  version: 1,
  title: 'fund.search.title',
  confirm: false,
  summaryHeader: () => [],
  steps: [
    {
      key: 'query',
      kind: 'text',
      label: 'fund.search.title',
      prompt: () => ({ key: 'fund.search.ask' }),
      maxLength: 100,
    },
  ],
};

export const pledgeSearchRunner: FlowRunner<PledgeSearchContext> = {
  def: pledgeSearchFlow,
  parseContext: (raw) => parsed(ZPledgeSearchContext, raw),
  async start(tx, actor, now, arg) {
    const current = await currentCampaign(tx, now);
    const levels = await fundLevelsOf(tx, actor);
    if (!current || levels.length === 0) {
      return { ok: false, reason: { key: 'fund.refused.not_fund_officer' } };
    }
    return {
      ok: true,
      ctx: {
        purpose: arg === 'ack' ? 'ack' : 'receipt',
        campaignId: current.campaign.id,
        levelIds: levels.map((l) => l.id),
        today: current.today,
      },
    };
  },
  async submit(tx, _actor, state) {
    const ctx = state.ctx as PledgeSearchContext;
    const query = String(state.data.query ?? '');
    const found = await tx.pledges.search(ctx.campaignId, ctx.levelIds, query, 8);
    return pledgeChoices(found, ctx.purpose, ctx.today, query);
  },
};

/** Pledges as buttons leading to a receipt or an acknowledgement. */
export function pledgeChoices(
  found: PledgeView[],
  purpose: 'receipt' | 'ack',
  today: string,
  query?: string,
): { lines: Text[]; choices: Choice[][] } {
  const lines: Text[] =
    found.length === 0
      ? [
          query === undefined
            ? { key: 'fund.search.open_none' }
            : { key: 'fund.search.none', params: { query } },
        ]
      : [
          {
            key: query === undefined ? 'fund.search.open' : 'fund.search.found',
            params: { count: found.length },
          },
        ];
  lines.push(...found.map((p) => pledgeLine(p, today)));
  const target = purpose === 'ack' ? 'ack' : 'receipt';
  const choices: Choice[][] = found.map((p) => [
    { id: `menu:${target}:${p.id}`, label: `${p.ref} · ${p.donorName}`.slice(0, 60) },
  ]);
  choices.push([{ id: `menu:pledgesearch:${purpose}`, label: '🔎 Tìm theo tên, số đăng ký' }]);
  if (purpose === 'receipt') {
    choices.push([{ id: 'menu:receipt:0', label: '➕ Khoản thu không theo đăng ký' }]);
  }
  return { lines, choices };
}

/** The pledges still owing money at the actor's levels, newest first (the receipt menu). */
export async function openPledges(
  tx: Tx,
  actor: Actor,
  now: Date,
): Promise<{ lines: Text[]; choices: Choice[][] } | undefined> {
  const current = await currentCampaign(tx, now);
  const levels = await fundLevelsOf(tx, actor);
  if (!current || levels.length === 0) {
    return undefined;
  }
  const pledges = await tx.pledges.search(
    current.campaign.id,
    levels.map((l) => l.id),
    '',
    200,
  );
  const open = pledges
    .filter((p) => ['pledged', 'partly_paid', 'overdue', 'unverified'].includes(statusOf(p, current.today)))
    .slice(0, 8);
  return pledgeChoices(open, 'receipt', current.today);
}

function parsed<T>(schema: z.ZodType<T>, raw: unknown): T | undefined {
  const r = schema.safeParse(raw);
  return r.success ? r.data : undefined;
}
