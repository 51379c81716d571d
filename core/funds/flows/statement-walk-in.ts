import { z } from 'zod';
import type { FlowDef, Text } from '../../flows/flow.ts';
import { defineFlow, type FlowStart } from '../../flows/flow-runner.ts';
import { fromIsoDate } from '../../shared/calendar.ts';
import { formatDate, formatMoney } from '../../shared/format.ts';
import { decisionLines, lineForOfficer, unmatchedLeft } from '../statement-chat.ts';
import { walkInFromLine } from '../statements/statement.ts';

/**
 * "➕ Ghi thu không theo đăng ký" on an unmatched credit of a bank statement: who paid (the name the
 * bank gives, to confirm with one tap or type correctly, with its diacritics) and whether they may
 * be named publicly; confirmed, the line becomes a walk-in receipt of its fund level
 * (`walkInFromLine`, which checks the line is still unmatched), and the credits left are shown.
 */

const ZWalkInContext = z.object({
  lineId: z.number(),
  levelUnitId: z.number(),
  amount: z.string(),
  postedOn: z.string(),
  description: z.string(),
  /** The payer as the bank wrote it ('' when it gives none). */
  payer: z.string(),
});
type WalkInContext = z.infer<typeof ZWalkInContext>;

const ZWalkInAnswers = z.object({
  payer: z.string().trim().min(1),
  publicName: z.boolean(),
});

/** A quick answer's id goes into Telegram's callback data (64 bytes with the step's prefix). */
const MAX_SUGGESTION_BYTES = 48;

const walkInFlow: FlowDef<WalkInContext> = {
  id: 'statement-walk-in',
  version: 1,
  title: 'stmtchat.walkin.title',
  summaryHeader: (ctx) => [
    {
      key: 'stmtchat.walkin.header',
      params: {
        amount: formatMoney(BigInt(ctx.amount)),
        date: formatDate(fromIsoDate(ctx.postedOn)),
        description: ctx.description,
      },
    },
  ],
  steps: [
    {
      key: 'payer',
      kind: 'text',
      label: 'fund.field.payer',
      prompt: (ctx): Text =>
        ctx.payer
          ? {
              key: 'stmtchat.walkin.ask_payer_bank',
              params: {
                amount: formatMoney(BigInt(ctx.amount)),
                date: formatDate(fromIsoDate(ctx.postedOn)),
                payer: ctx.payer,
              },
            }
          : {
              key: 'stmtchat.walkin.ask_payer',
              params: {
                amount: formatMoney(BigInt(ctx.amount)),
                date: formatDate(fromIsoDate(ctx.postedOn)),
                description: ctx.description,
              },
            },
      maxLength: 200,
      choices: (ctx) =>
        ctx.payer && Buffer.byteLength(ctx.payer) <= MAX_SUGGESTION_BYTES
          ? [{ id: ctx.payer, label: ctx.payer }]
          : [],
    },
    {
      key: 'publicName',
      kind: 'yesno',
      label: 'fund.field.publicName',
      prompt: () => ({ key: 'fund.ask.publicName' }),
    },
  ],
};

export const statementWalkInRunner = defineFlow({
  def: walkInFlow,
  context: ZWalkInContext,
  answers: ZWalkInAnswers,
  /** `arg`: the unmatched line. */
  async start(tx, actor, _now, arg): Promise<FlowStart<WalkInContext>> {
    const line = await lineForOfficer(tx, actor, Number(arg ?? 0));
    if (!line) {
      return { ok: false, reason: { key: 'fund.refused.not_fund_officer' } };
    }
    if (line.direction !== 'credit' || line.status !== 'unmatched') {
      return { ok: false, reason: { key: 'stmtchat.already_decided' } };
    }
    return {
      ok: true,
      ctx: {
        lineId: line.id,
        levelUnitId: line.levelUnitId,
        amount: line.amount.toString(),
        postedOn: line.postedOn,
        description: line.description.replace(/\s+/g, ' ').trim().slice(0, 160),
        payer: (line.counterparty ?? '').replace(/\s+/g, ' ').trim().slice(0, 200),
      },
    };
  },
  async submit(tx, actor, { ctx, answers }, now, inbound) {
    const decision = await walkInFromLine(
      tx,
      actor,
      ctx.lineId,
      { payerName: answers.payer, publicName: answers.publicName },
      now,
      inbound.channel,
    );
    const left = await unmatchedLeft(
      tx,
      actor,
      ctx.lineId,
      decisionLines(decision),
      actor.locale === 'en' ? 'en' : 'vi',
    );
    return left.menu ? left.lines : { lines: left.lines, choices: left.choices };
  },
});
