import { z } from 'zod';
import { moneyAnswer, textAnswer, zIdChoice, zIsoDate, zMoney, zOptionalText } from '../../flows/answers.ts';
import type { FlowData, FlowDef, Text } from '../../flows/flow.ts';
import { defineFlow, type FlowStart } from '../../flows/flow-runner.ts';
import type { Inbound } from '../../messaging/message.ts';
import type { Actor } from '../../shared/actor.ts';
import { formatMoney } from '../../shared/format.ts';
import { normalizeVi } from '../../shared/parse.ts';
import type { Tx } from '../../unit-of-work.ts';
import type { PledgeView } from '../fund.repository.ts';
import { pledgeLine } from '../fund-views.ts';
import { confirmPledge } from '../pledge-verification.ts';
import { noticeReceipt } from '../receipt-notice.ts';
import { type GiftForm, pledgeGoods } from '../receipt-words.ts';
import {
  chosenLevel,
  commitEntryWithId,
  confirmedCampaign,
  dateStep,
  documentStep,
  entryCampaign,
  levelById,
  levelStep,
  levelsWithBalance,
  MAX_ENTRY,
  positiveAmount,
  ZLevel,
} from './shared.ts';

/**
 * A receipt into a fund level, against a pledge (its payment, in money or in kind) or not (a
 * walk-in: who gave, whether they may be named publicly, and money, goods or labour days). Goods
 * and labour are recorded at their estimated value with what was given ("100 bao xi măng"), which
 * the acknowledgement letter confirms as such.
 */

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
      /** A pledge in kind: what it promised, offered as the answer to "what was received". */
      goods: z.string().default(''),
      amount: z.string(),
      received: z.string(),
      levelId: z.number(),
    })
    .nullable(),
});
type ReceiptContext = z.infer<typeof ZReceiptContext>;

const ZReceiptAnswers = z.object({
  level: zIdChoice.optional(),
  payer: z.string().optional(),
  form: z.enum(['money', 'materials', 'labour']).optional(),
  description: z.string().trim().optional(),
  amount: zMoney.optional(),
  value: zMoney.optional(),
  publicName: z.boolean().optional(),
  overpay: z.enum(['yes', 'again']).optional(),
  occurredOn: zIsoDate,
  documentRef: zOptionalText,
});

function remaining(ctx: ReceiptContext): bigint {
  const p = ctx.pledge;
  if (!p) {
    return 0n;
  }
  const left = BigInt(p.amount) - BigInt(p.received);
  return left > 0n ? left : 0n;
}

/** Money, goods or labour days: the pledge's kind, or the walk-in's answer. */
function formOf(ctx: ReceiptContext, data: FlowData): GiftForm {
  const kind = ctx.pledge ? ctx.pledge.kind : textAnswer(data.form);
  return kind === 'materials' || kind === 'labour' ? kind : 'money';
}

const inKind = (ctx: ReceiptContext, data: FlowData) => formOf(ctx, data) !== 'money';

/** The amount typed: money received, or the value of what was given. */
const amountOf = (data: FlowData) => moneyAnswer(data.amount ?? data.value);

function overpays(ctx: ReceiptContext, data: FlowData): boolean {
  const amount = amountOf(data);
  return ctx.pledge !== null && amount !== undefined && amount > remaining(ctx);
}

/** The amount step, asked as money or as the value of goods and labour days. */
function amountStep(key: 'amount' | 'value') {
  return {
    key,
    kind: 'money' as const,
    label: key === 'amount' ? ('fund.field.amount' as const) : ('fund.field.value' as const),
    prompt: (ctx: ReceiptContext): Text => {
      if (ctx.pledge) {
        return {
          key: ctx.pledge.kind === 'money' ? 'fund.ask.receipt_pledge' : 'fund.ask.receipt_in_kind',
          params: { ref: ctx.pledge.ref, remaining: formatMoney(remaining(ctx)) },
        };
      }
      return { key: key === 'amount' ? 'fund.ask.receipt' : 'fund.ask.receipt_value' };
    },
    maxMoney: MAX_ENTRY,
    choices: (ctx: ReceiptContext) =>
      remaining(ctx) > 0n ? [{ id: remaining(ctx).toString(), label: formatMoney(remaining(ctx)) }] : [],
    check: positiveAmount,
    when: (ctx: ReceiptContext, data: FlowData) => inKind(ctx, data) === (key === 'value'),
  };
}

const RECEIVED_ON = {
  money: 'fund.ask.received_money',
  materials: 'fund.ask.received_goods',
  labour: 'fund.ask.received_labour',
} as const;

const receiptFlow: FlowDef<ReceiptContext> = {
  id: 'fund-receipt',
  version: 2,
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
      key: 'form',
      kind: 'choice',
      label: 'fund.field.form',
      prompt: () => ({ key: 'fund.ask.form' }),
      choices: () => [
        { id: 'money', label: '💵 Tiền (tiền mặt, chuyển khoản)' },
        { id: 'materials', label: '🧱 Hiện vật (vật liệu xây dựng…)' },
        { id: 'labour', label: '👷 Ngày công' },
      ],
      when: (ctx) => ctx.pledge === null,
    },
    {
      key: 'description',
      kind: 'text',
      label: 'fund.field.goods',
      prompt: (ctx, data) => ({
        key: formOf(ctx, data) === 'labour' ? 'fund.ask.labour' : 'fund.ask.goods',
      }),
      maxLength: 200,
      choices: (ctx) => (ctx.pledge?.goods ? [{ id: ctx.pledge.goods, label: ctx.pledge.goods }] : []),
      // Labour is written as days, so the letter reads "50 ngày công …".
      check: (value, data, ctx) =>
        formOf(ctx, data) === 'labour' && !normalizeVi(textAnswer(value) ?? '').includes('ngay cong')
          ? { key: 'fund.rule.labour' }
          : undefined,
      when: inKind,
    },
    amountStep('amount'),
    amountStep('value'),
    {
      key: 'overpay',
      kind: 'choice',
      label: 'fund.field.overpay',
      prompt: (ctx, data) => ({
        key: 'fund.ask.overpay',
        params: {
          amount: formatMoney(amountOf(data) ?? 0n),
          remaining: formatMoney(remaining(ctx)),
        },
      }),
      choices: () => [
        { id: 'yes', label: '✅ Đúng, ghi nhận nộp vượt' },
        { id: 'again', label: '✏️ Nhập lại số tiền' },
      ],
      when: overpays,
      // "Nhập lại số tiền": forget the amount and this answer, so the amount is asked again.
      clears: (value) => (value === 'again' ? ['amount', 'value', 'overpay'] : []),
    },
    {
      key: 'publicName',
      kind: 'yesno',
      label: 'fund.field.publicName',
      prompt: () => ({ key: 'fund.ask.publicName' }),
      when: (ctx) => ctx.pledge === null,
    },
    dateStep<ReceiptContext>((ctx, data) => ({ key: RECEIVED_ON[formOf(ctx, data)] })),
    documentStep,
  ],
};

export const receiptRunner = defineFlow({
  def: receiptFlow,
  context: ZReceiptContext,
  answers: ZReceiptAnswers,
  /** `arg`: the pledge paid, or none (0) for a receipt not against a pledge. */
  async start(tx, actor, now, arg): Promise<FlowStart<ReceiptContext>> {
    const current = await entryCampaign(tx, now, actor);
    if (!current.ok) {
      return { ok: false, reason: current.reason };
    }
    const levels = await levelsWithBalance(tx, actor, current.campaign, 'fund.receipt');
    if (levels.length === 0) {
      return { ok: false, reason: { key: 'fund.refused.not_fund_officer' } };
    }
    const ctx: ReceiptContext = {
      campaignId: current.campaign.id,
      today: current.today,
      levels,
      pledge: null,
    };
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
        goods: p.kind === 'money' ? '' : pledgeGoods(p),
        amount: p.amount.toString(),
        received: p.received.toString(),
        levelId: p.fundUnitId,
      };
      ctx.levels = levels.filter((l) => l.id === p.fundUnitId);
    }
    return { ok: true, ctx };
  },
  async submit(tx, actor, { ctx, answers }, now, inbound) {
    const confirmed = await confirmedCampaign(tx, ctx.campaignId, now);
    if (!confirmed.ok) {
      return confirmed.lines;
    }
    const { campaign } = confirmed;
    const level = levelById(ctx, answers.level);
    if (!level) {
      return [{ key: 'fund.refused.nothing_saved' }];
    }
    const amount = answers.amount ?? answers.value;
    if (amount === undefined) {
      return [{ key: 'fund.refused.nothing_saved' }];
    }
    let pledge: PledgeView | undefined;
    if (ctx.pledge) {
      // Re-read inside the transaction: another officer may have recorded a receipt meanwhile.
      pledge = await tx.pledges.findById(ctx.pledge.id);
      if (!pledge || pledge.cancelledAt !== null) {
        return [{ key: 'fund.refused.pledge_cancelled', params: { ref: ctx.pledge.ref } }];
      }
    }
    const overpayment = pledge !== undefined && amount > pledge.amount - pledge.received;
    const form = pledge ? (pledge.kind === 'money' ? 'money' : pledge.kind) : (answers.form ?? 'money');
    const goods = form !== 'money';
    const { lines, id } = await commitEntryWithId(
      tx,
      actor,
      campaign,
      {
        kind: goods ? 'in_kind' : 'receipt',
        levelUnitId: level.id,
        amount,
        pledgeId: pledge?.id ?? null,
        overpayment,
        documentRef: answers.documentRef,
        note: pledge ? null : (answers.payer ?? ''),
        publicName: pledge ? false : (answers.publicName ?? false),
        description: goods ? (answers.description ?? null) : null,
        occurredOn: answers.occurredOn,
      },
      now,
      inbound,
      {
        key: goods ? 'fund.receipt.done_in_kind' : 'fund.receipt.done',
        params: { amount: formatMoney(amount), what: answers.description ?? '' },
      },
    );
    if (pledge && id !== null) {
      const receipt = { id, overpayment, today: ctx.today };
      lines.push(...(await afterPledgeReceipt(tx, actor, pledge, receipt, now, inbound)));
    }
    return lines;
  },
});

/**
 * A receipt against a pledge ends with what `verifyByReceipt` did, the pledge's line, and what was
 * paid above it; the donor hears of it (`noticeReceipt`).
 */
async function afterPledgeReceipt(
  tx: Tx,
  actor: Actor,
  before: PledgeView,
  receipt: { id: number; overpayment: boolean; today: string },
  now: Date,
  inbound: Inbound,
): Promise<Text[]> {
  const lines = await verifyByReceipt(tx, actor, before, now, inbound.channel);
  await noticeReceipt(tx, receipt.id, now);
  const after = await tx.pledges.findById(before.id);
  if (after) {
    lines.push(pledgeLine(after, receipt.today));
    if (receipt.overpayment && after.received > after.amount) {
      lines.push({
        key: 'pledge.card.overpaid',
        params: { extra: formatMoney(after.received - after.amount) },
      });
    }
  }
  return lines;
}

/**
 * Money received against a pledge waiting for verification verifies it (it counts from now on):
 * what every receipt against a pledge does besides its entry — the receipt flow's and a bank
 * statement's (core/funds/statements/). `before`: the pledge as read before the receipt.
 */
export async function verifyByReceipt(
  tx: Tx,
  actor: Actor,
  before: Pick<PledgeView, 'id' | 'verification' | 'received'>,
  now: Date,
  channel: Inbound['channel'] | null,
): Promise<Text[]> {
  if (before.verification !== 'pending') {
    return [];
  }
  const after = await tx.pledges.findById(before.id);
  if (after && after.received !== before.received && (await confirmPledge(tx, actor, after, now, channel))) {
    return [{ key: 'fund.receipt.verified', params: { ref: after.ref } }];
  }
  return [];
}
