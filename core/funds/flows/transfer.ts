import { z } from 'zod';
import { zIdChoice, zIsoDate, zMoney, zOptionalText } from '../../flows/answers.ts';
import type { FlowData, FlowDef } from '../../flows/flow.ts';
import { defineFlow, type FlowStart } from '../../flows/flow-runner.ts';
import type { Choice } from '../../messaging/message.ts';
import { formatMoney } from '../../shared/format.ts';
import { FUND_LEVEL_KINDS } from '../../units/unit.repository.ts';
import {
  availableAt,
  chosenLevel,
  commitEntry,
  confirmedCampaign,
  dateStep,
  entryCampaign,
  type Level,
  levelById,
  levelStep,
  levelsWithBalance,
  MAX_ENTRY,
  withinBalance,
  ZLevel,
} from './shared.ts';

/** Moving money between fund levels: to the level above or to one below. */

const ZTransferContext = z.object({
  campaignId: z.number(),
  today: z.string(),
  levels: z.array(ZLevel),
  /** Per source level: the levels it may send to (its parent and its children). */
  targets: z.record(z.string(), z.array(z.object({ id: z.number(), name: z.string() }))),
});
type TransferContext = z.infer<typeof ZTransferContext>;

const ZTransferAnswers = z.object({
  level: zIdChoice.optional(),
  to: zIdChoice,
  amount: zMoney,
  occurredOn: zIsoDate,
  note: zOptionalText,
});

function targetsFrom(ctx: TransferContext, from: Level | undefined): Choice[] {
  return (from ? (ctx.targets[String(from.id)] ?? []) : []).map((t) => ({ id: String(t.id), label: t.name }));
}

function targetsOf(ctx: TransferContext, data: FlowData): Choice[] {
  return targetsFrom(ctx, chosenLevel(ctx, data));
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
        params: { available: formatMoney(availableAt(ctx, data)) },
      }),
      maxMoney: MAX_ENTRY,
      check: withinBalance,
    },
    dateStep<TransferContext>(() => ({ key: 'fund.ask.transferred_on' })),
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

export const transferRunner = defineFlow({
  def: transferFlow,
  context: ZTransferContext,
  answers: ZTransferAnswers,
  async start(tx, actor, now): Promise<FlowStart<TransferContext>> {
    const current = await entryCampaign(tx, now, actor);
    if (!current.ok) {
      return { ok: false, reason: current.reason };
    }
    const levels = await levelsWithBalance(tx, actor, current.campaign, 'fund.transfer');
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
  async submit(tx, actor, { ctx, answers }, now, inbound) {
    const confirmed = await confirmedCampaign(tx, ctx.campaignId, now);
    if (!confirmed.ok) {
      return confirmed.lines;
    }
    const { campaign } = confirmed;
    const from = levelById(ctx, answers.level);
    const to = targetsFrom(ctx, from).find((t) => t.id === String(answers.to));
    if (!from || !to) {
      return [{ key: 'fund.refused.nothing_saved' }];
    }
    return commitEntry(
      tx,
      actor,
      campaign,
      {
        kind: 'transfer',
        levelUnitId: from.id,
        toUnitId: answers.to,
        amount: answers.amount,
        note: answers.note,
        occurredOn: answers.occurredOn,
      },
      now,
      inbound,
      { key: 'fund.transfer.done', params: { amount: formatMoney(answers.amount), to: to.label } },
    );
  },
});
