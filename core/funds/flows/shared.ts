import { z } from 'zod';
import type { Action } from '../../access/access.ts';
import type { Campaign } from '../../campaigns/campaign.ts';
import { addressOf, campaignOfActor, closedRefusal } from '../../campaigns/campaign-of.ts';
import { moneyAnswer, textAnswer } from '../../flows/answers.ts';
import type { FieldValue, FlowData, Text } from '../../flows/flow.ts';
import type { HouseholdView } from '../../households/household.repository.ts';
import type { Inbound } from '../../messaging/message.ts';
import { fundLevelsFor } from '../../people/fund-levels.ts';
import type { Actor } from '../../shared/actor.ts';
import { dateInZone, fromIsoDate, toIsoDate } from '../../shared/calendar.ts';
import { formatDate, formatMoney } from '../../shared/format.ts';
import type { Tx } from '../../unit-of-work.ts';
import { type EntryFields, fundEntry, ledgerFor, levelTotals, recordFundEntry } from '../fund-service.ts';
import { fundName } from '../fund-views.ts';
import { available, held, type LedgerRefusal } from '../ledger.ts';

/**
 * What the fund officer's flows (issue 5 §3) share: the fund levels with their balance, the level,
 * date and document steps, and recording a confirmed entry answered with the level's new balance.
 * Every entry is checked by the ledger rules when typed, shown in a summary, checked again inside
 * the transaction that records it.
 */

export const MAX_ENTRY = 100_000_000_000n;

export const ZLevel = z.object({ id: z.number(), name: z.string(), available: z.string() });
export type Level = z.infer<typeof ZLevel>;

/** The levels where the actor may do `action`, each with the money free to use there. */
export async function levelsWithBalance(
  tx: Tx,
  actor: Actor,
  campaign: Campaign,
  action: Action,
): Promise<Level[]> {
  const levels = await fundLevelsFor(tx, actor, action);
  const state = await ledgerFor(tx, campaign.id, { levels: levels.map((l) => l.id), householdIds: [] });
  return levels.map((l) => ({
    id: l.id,
    name: l.name,
    available: available(levelTotals(state, l.id)).toString(),
  }));
}

/** The level picked so far (the only one when there is no choice); undefined when it is gone. */
export function chosenLevel<C extends { levels: Level[] }>(ctx: C, data: FlowData): Level | undefined {
  return data.level === undefined ? ctx.levels[0] : ctx.levels.find((l) => String(l.id) === data.level);
}

/** The confirmed level: `id` is the answer of the level step, absent when it was not asked. */
export function levelById<C extends { levels: Level[] }>(ctx: C, id: number | undefined): Level | undefined {
  return id === undefined ? ctx.levels[0] : ctx.levels.find((l) => l.id === id);
}

/** The free money of the level picked so far. */
export function availableAt<C extends { levels: Level[] }>(ctx: C, data: FlowData): bigint {
  return BigInt(chosenLevel(ctx, data)?.available ?? '0');
}

export const levelStep = {
  key: 'level',
  kind: 'choice' as const,
  label: 'fund.field.level' as const,
  prompt: () => ({ key: 'fund.ask.level' as const }),
  choices: (ctx: { levels: Level[] }) =>
    ctx.levels.map((l) => ({ id: String(l.id), label: `${l.name} (${formatMoney(BigInt(l.available))})` })),
  when: (ctx: { levels: Level[] }) => ctx.levels.length > 1,
};

/** The day of the entry, asked in its own words ("Ngày nhận tiền?", "Ngày chi?"). */
export function dateStep<C extends { today: string }>(prompt: (ctx: C, data: FlowData) => Text) {
  return {
    key: 'occurredOn',
    kind: 'date' as const,
    label: 'fund.field.occurredOn' as const,
    prompt,
    choices: (ctx: C) => [{ id: ctx.today, label: `📅 Hôm nay (${formatDate(fromIsoDate(ctx.today))})` }],
    check: (value: FieldValue, _data: FlowData, ctx: C): Text | undefined =>
      (textAnswer(value) ?? '') > ctx.today
        ? { key: 'fund.rule.future', params: { today: formatDate(fromIsoDate(ctx.today)) } }
        : undefined,
    display: (value: FieldValue) => formatDate(fromIsoDate(textAnswer(value) ?? '')),
  };
}

export const documentStep = {
  key: 'documentRef',
  kind: 'text' as const,
  label: 'fund.field.documentRef' as const,
  prompt: () => ({ key: 'fund.ask.documentRef' as const }),
  maxLength: 100,
  optional: true,
};

/** An amount must be above zero. */
export function positiveAmount(value: FieldValue): Text | undefined {
  return (moneyAnswer(value) ?? 0n) <= 0n ? { key: 'fund.rule.positive' } : undefined;
}

/** An amount above zero and within what the level picked has free. */
export function withinBalance<C extends { levels: Level[] }>(
  value: FieldValue,
  data: FlowData,
  ctx: C,
): Text | undefined {
  const free = availableAt(ctx, data);
  return (
    positiveAmount(value) ??
    ((moneyAnswer(value) ?? 0n) > free
      ? { key: 'fund.refused.balance', params: { available: formatMoney(free) } }
      : undefined)
  );
}

/** The campaign of the actor's units (their fund levels') and today on its calendar; a closed one too (reading). */
export async function currentCampaign(
  tx: Tx,
  now: Date,
  actor: Actor,
): Promise<{ campaign: Campaign; today: string } | undefined> {
  const campaign = await campaignOfActor(tx, actor, now);
  return campaign ? { campaign, today: toIsoDate(dateInZone(now, campaign.timeZone)) } : undefined;
}

/** The same for a fund entry: refused with its message when the campaign is closed (issue 15 §1). */
export async function entryCampaign(
  tx: Tx,
  now: Date,
  actor: Actor,
): Promise<{ ok: true; campaign: Campaign; today: string } | { ok: false; reason: Text }> {
  const current = await currentCampaign(tx, now, actor);
  if (!current) {
    return { ok: false, reason: { key: 'report.refused.no_campaign' } };
  }
  const closed = await closedRefusal(tx, current.campaign, 'fund', now, addressOf(current.campaign));
  return closed ? { ok: false, reason: closed } : { ok: true, ...current };
}

/** The campaign a fund flow started in, read again when it is confirmed: closed since, its message. */
export async function confirmedCampaign(
  tx: Tx,
  campaignId: number,
  now: Date,
): Promise<{ ok: true; campaign: Campaign } | { ok: false; lines: Text[] }> {
  const campaign = await tx.campaigns.findById(campaignId);
  if (!campaign) {
    return { ok: false, lines: [{ key: 'fund.refused.nothing_saved' }] };
  }
  const closed = await closedRefusal(tx, campaign, 'fund', now, addressOf(campaign));
  return closed ? { ok: false, lines: [closed] } : { ok: true, campaign };
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
export async function commitEntry(...args: Parameters<typeof commitEntryWithId>): Promise<Text[]> {
  return (await commitEntryWithId(...args)).lines;
}

/** `commitEntry`, with the id of the entry written (null when the ledger refused it). */
export async function commitEntryWithId(
  tx: Tx,
  actor: Actor,
  campaign: Campaign,
  entry: Omit<EntryFields, 'campaignId'>,
  now: Date,
  inbound: Inbound,
  done: Text,
): Promise<{ lines: Text[]; id: number | null }> {
  const outcome = await recordFundEntry(
    tx,
    campaign,
    fundEntry({ ...entry, campaignId: campaign.id, personId: actor.personId, channel: inbound.channel }),
    now,
  );
  if (!outcome.ok) {
    return { lines: [{ key: 'fund.refused.nothing_saved' }, refusalText(outcome.refusal)], id: null };
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
  const totals = levelTotals(outcome.state, entry.levelUnitId);
  const lines: Text[] = [
    done,
    {
      key: 'fund.balance',
      params: {
        id: outcome.id,
        fund: fundName(unit?.name ?? ''),
        held: formatMoney(held(totals)),
        available: formatMoney(available(totals)),
      },
    },
  ];
  return { lines, id: outcome.id };
}

/** A household as the allocation and disbursement flows keep it. */
export const ZHousehold = z.object({
  id: z.number(),
  code: z.string(),
  name: z.string(),
  unitName: z.string(),
  unitId: z.number(),
  need: z.enum(['new_build', 'repair']),
});
export type FlowHousehold = z.infer<typeof ZHousehold>;

export async function flowHousehold(tx: Tx, h: HouseholdView): Promise<FlowHousehold> {
  const unit = await tx.units.findById(h.unitId);
  return {
    id: h.id,
    code: h.code,
    name: h.headName,
    unitId: h.unitId,
    unitName: unit?.name ?? '',
    need: h.need === 'repair' ? 'repair' : 'new_build',
  };
}

/**
 * Allocation and disbursement end alike: money of one level to one household's need, recorded and
 * answered with the level's balance; they differ in the entry kind and what is written beside it.
 */
export async function commitHouseholdEntry(
  tx: Tx,
  actor: Actor,
  target: { campaignId: number; level: Level | undefined; household: FlowHousehold },
  entry: Pick<EntryFields, 'kind' | 'amount' | 'occurredOn'> & Partial<EntryFields>,
  now: Date,
  inbound: Inbound,
  done: 'fund.allocation.done' | 'fund.disbursement.done',
): Promise<Text[]> {
  const confirmed = await confirmedCampaign(tx, target.campaignId, now);
  const { level, household } = target;
  if (!confirmed.ok) {
    return confirmed.lines;
  }
  if (!level) {
    return [{ key: 'fund.refused.nothing_saved' }];
  }
  return commitEntry(
    tx,
    actor,
    confirmed.campaign,
    { ...entry, levelUnitId: level.id, householdId: household.id, need: household.need },
    now,
    inbound,
    { key: done, params: { amount: formatMoney(entry.amount), name: household.name } },
  );
}
