import { z } from 'zod';
import { can } from '../../access/access.ts';
import { addressOf, campaignOfActor, campaignOfUnit, closedRefusal } from '../../campaigns/campaign-of.ts';
import { textAnswer, zIdChoice } from '../../flows/answers.ts';
import type { FlowData, FlowDef, Text } from '../../flows/flow.ts';
import { defineFlow, type FlowStart } from '../../flows/flow-runner.ts';
import { type Locale, type ParamValue, t } from '../../messaging/catalog.ts';
import { fundLevelsFor } from '../../people/fund-levels.ts';
import type { Actor } from '../../shared/actor.ts';
import { dateInZone, toIsoDate } from '../../shared/calendar.ts';
import { formatInteger, formatMoney } from '../../shared/format.ts';
import { normalizeVi } from '../../shared/parse.ts';
import type { Tx } from '../../unit-of-work.ts';
import {
  type BatchPledge,
  type BatchRead,
  goodsText,
  MAX_BATCH_LINES,
  mergeCorrections,
  parseBatch,
  type UnreadLine,
} from '../batch-pledges.ts';
import { accountParams, fundAccountOf } from '../fund-accounts.ts';
import { fundName } from '../fund-views.ts';
import { MAX_PLEDGE, MIN_PLEDGE } from '../pledge-flow.ts';
import { createPledge } from '../pledge-record.ts';

/**
 * Registering the pledges announced at a launch ceremony (issue 17 §3): an officer of the fund's
 * level sends them as one message, one a line; what was read is summed up line by line, lines not
 * understood are listed with why and may be sent again corrected (or skipped), the names' publicity
 * is asked once for the whole list, and on confirmation each pledge is written through the pledge
 * repository (counted in the level's pledged total) with its audit row, the receipt listing every
 * reference. A confirmation delivered twice is one inbound message (its dedupe key), so it writes once.
 */

/** The skip answer of the "lines not understood" step (a button, or "bỏ qua" typed). */
const SKIP = 'skip';
/** A Telegram message holds 4,096 characters: what one message of the officer can be. */
const MAX_MESSAGE = 4_096;
const QUOTED = 80;

const ZLevel = z.object({ id: z.number(), name: z.string() });
const ZBatchContext = z.object({
  campaignId: z.number(),
  today: z.string(),
  levels: z.array(ZLevel),
  /** Of the lines just sent as corrections, how many still cannot be read (said so above them). */
  stillUnread: z.number().default(0),
});
type BatchContext = z.infer<typeof ZBatchContext>;

const ZBatchAnswers = z.object({
  level: zIdChoice.optional(),
  lines: z.string(),
  fix: z.literal(SKIP).optional(),
  publicName: z.boolean(),
});

/** The level chosen (the only one when there was no choice); undefined when it is not offered. */
export function ceremonyLevel(
  ctx: BatchContext,
  level: number | string | undefined,
): BatchContext['levels'][number] | undefined {
  return level === undefined ? ctx.levels[0] : ctx.levels.find((l) => String(l.id) === String(level));
}

/** The list as read now (parsed again each time: pure and cheap, and the saved state stays the text). */
const readOf = (data: FlowData): BatchRead => parseBatch(textAnswer(data.lines) ?? '');

/** "Công ty A — 50.000.000 đ", "Ông B — 5 bao xi măng, trị giá 500.000 đ". */
function whatOf(p: BatchPledge): ParamValue {
  return p.kind === 'money'
    ? formatMoney(p.amount)
    : { key: 'batch.what.goods', params: { goods: goodsText(p), amount: formatMoney(p.amount) } };
}

/** Lines one under the other as one param (a catalog list param joins with commas). */
function stacked(lines: Text[]): Text {
  const [first, ...rest] = lines;
  if (!first) {
    return { key: 'batch.chain', params: { line: '', rest: '' } };
  }
  return rest.length === 0 ? first : { key: 'batch.chain', params: { line: first, rest: stacked(rest) } };
}

function unreadLine(u: UnreadLine): Text {
  return {
    key: 'batch.unread',
    params: {
      // A line quoted back whole up to a phone's width, so a pasted wall of text is not echoed.
      text: u.text.length > QUOTED ? `${u.text.slice(0, QUOTED - 1)}…` : u.text,
      problem: {
        key: `batch.problem.${u.problem}`,
        params: { min: formatMoney(MIN_PLEDGE), max: formatMoney(MAX_PLEDGE) },
      },
    },
  };
}

const total = (pledges: readonly BatchPledge[]) => pledges.reduce((sum, p) => sum + p.amount, 0n);

const batchFlow: FlowDef<BatchContext> = {
  id: 'pledge-batch',
  version: 1,
  title: 'batch.title',
  summaryHeader: (ctx, data): Text[] => {
    const read = readOf(data);
    const level = ceremonyLevel(ctx, textAnswer(data.level));
    const lines: Text[] = [
      {
        key: 'batch.summary.head',
        params: {
          count: read.pledges.length,
          fund: fundName(level?.name ?? ''),
          total: formatMoney(total(read.pledges)),
        },
      },
      ...read.pledges.map(
        (p, i): Text => ({
          key: 'batch.summary.line',
          params: {
            n: i + 1,
            donor: p.donorName,
            what: whatOf(p),
            kind: { key: `pledge.donor_kind.${p.donorKind}` },
            duplicate:
              (read.duplicateOf[i] ?? -1) >= 0
                ? { key: 'batch.summary.duplicate', params: { n: (read.duplicateOf[i] ?? 0) + 1 } }
                : '',
          },
        }),
      ),
    ];
    if (read.duplicateOf.some((d) => d >= 0)) {
      lines.push({ key: 'batch.summary.duplicates' });
    }
    if (read.unread.length > 0) {
      lines.push({ key: 'batch.summary.skipped', params: { count: read.unread.length } });
    }
    return lines;
  },
  steps: [
    {
      key: 'level',
      kind: 'choice',
      label: 'batch.field.level',
      prompt: () => ({ key: 'batch.ask.level' }),
      choices: (ctx) => ctx.levels.map((l) => ({ id: String(l.id), label: l.name })),
      when: (ctx) => ctx.levels.length > 1,
    },
    {
      key: 'lines',
      kind: 'text',
      label: 'batch.field.lines',
      prompt: () => ({ key: 'batch.ask.lines' }),
      hint: 'batch.hint.lines',
      maxLength: MAX_MESSAGE,
      parse: (text) => {
        const problem = listProblem(text);
        return problem ? { ok: false, problem } : { ok: true, value: text };
      },
      // A new list: its lines not understood are asked about again.
      clears: () => ['fix'],
      display: (value, _ctx, locale) => countLabel(locale, readOf({ lines: value }).pledges.length),
    },
    {
      key: 'fix',
      kind: 'text',
      label: 'batch.field.fix',
      aside: true,
      prompt: (ctx, data): Text => {
        const read = readOf(data);
        const lines = stacked(read.unread.map(unreadLine));
        const prompt: Text =
          read.pledges.length === 0
            ? { key: 'batch.ask.fix_all', params: { lines } }
            : {
                key: 'batch.chain',
                params: {
                  line: {
                    key: 'batch.ask.fix',
                    params: { read: read.pledges.length, count: read.unread.length, lines },
                  },
                  rest: { key: 'batch.ask.fix_again' },
                },
              };
        // The corrected line sent is wrong still: said first, or it reads as the same question again.
        return ctx.stillUnread > 0
          ? { key: 'batch.chain', params: { line: { key: 'batch.still_unread' }, rest: prompt } }
          : prompt;
      },
      hint: 'batch.hint.fix',
      maxLength: MAX_MESSAGE,
      choices: (_ctx, data) =>
        readOf(data).pledges.length > 0 ? [{ id: SKIP, label: t('vi', 'batch.skip') }] : [],
      parse: (text, _ctx, data) => {
        if (['bo qua', 'bo qua cac dong nay', 'skip'].includes(normalizeVi(text))) {
          return readOf(data).pledges.length > 0
            ? { ok: true, value: SKIP }
            : { ok: false, problem: { key: 'batch.rule.nothing_read' } };
        }
        const problem = listProblem(mergeCorrections(textAnswer(data.lines) ?? '', text));
        return problem ? { ok: false, problem } : { ok: true, value: text };
      },
      when: (_ctx, data) => readOf(data).unread.length > 0,
      display: (_value, _ctx, locale) => skippedLabel(locale),
    },
    {
      key: 'publicName',
      kind: 'yesno',
      label: 'batch.field.publicName',
      prompt: () => ({ key: 'batch.ask.publicName' }),
    },
  ],
};

function listProblem(text: string): Text | undefined {
  // The step reads its own text, so the engine's length check is done here.
  if (text.length > MAX_MESSAGE) {
    return { key: 'error.too_long', params: { max: formatInteger(MAX_MESSAGE) } };
  }
  const read = parseBatch(text);
  if (read.tooMany) {
    return { key: 'batch.rule.too_many', params: { max: MAX_BATCH_LINES } };
  }
  return read.pledges.length + read.unread.length === 0 ? { key: 'batch.rule.empty' } : undefined;
}

const countLabel = (locale: Locale, count: number) => t(locale, 'batch.lines_count', { count });
const skippedLabel = (locale: Locale) => t(locale, 'batch.skip');

/** The fund levels of the actor's campaign where they may register a ceremony's pledges. */
async function ceremonyLevels(tx: Tx, actor: Actor, campaignId: number, now: Date) {
  const levels = [];
  for (const level of await fundLevelsFor(tx, actor, 'pledge.batch')) {
    if ((await campaignOfUnit(tx, level.id, now))?.id === campaignId) {
      levels.push({ id: level.id, name: level.name });
    }
  }
  return levels;
}

export const batchPledgeRunner = defineFlow({
  def: batchFlow,
  context: ZBatchContext,
  answers: ZBatchAnswers,
  async start(tx, actor, now): Promise<FlowStart<BatchContext>> {
    if (!can(actor, 'pledge.batch')) {
      return { ok: false, reason: { key: 'batch.refused.no_level' } };
    }
    const campaign = await campaignOfActor(tx, actor, now);
    if (!campaign) {
      return { ok: false, reason: { key: 'report.refused.no_campaign' } };
    }
    const closed = await closedRefusal(tx, campaign, 'pledge', now, addressOf(campaign));
    if (closed) {
      return { ok: false, reason: closed };
    }
    const levels = await ceremonyLevels(tx, actor, campaign.id, now);
    if (levels.length === 0) {
      return { ok: false, reason: { key: 'batch.refused.no_level' } };
    }
    return {
      ok: true,
      ctx: {
        campaignId: campaign.id,
        today: toIsoDate(dateInZone(now, campaign.timeZone)),
        levels,
        stillUnread: 0,
      },
    };
  },

  /** Corrected lines sent for those not understood join the list (or replace it, typed whole again). */
  async afterAnswer(_tx, _actor, state) {
    const fixed = textAnswer(state.data.fix);
    if (fixed === undefined || fixed === SKIP) {
      return state.ctx.stillUnread > 0
        ? { ctx: { ...state.ctx, stillUnread: 0 }, data: state.data }
        : undefined;
    }
    const data: FlowData = {
      ...state.data,
      lines: mergeCorrections(textAnswer(state.data.lines) ?? '', fixed),
    };
    delete data.fix;
    const sent = new Set(parseBatch(fixed).unread.map((u) => u.text));
    const stillUnread = readOf(data).unread.filter((u) => sent.has(u.text)).length;
    return { ctx: { ...state.ctx, stillUnread }, data };
  },

  async submit(tx, actor, { ctx, answers }, now, inbound) {
    // Closed since the list was sent: nothing is written (a closed campaign takes no pledge).
    const campaign = await tx.campaigns.findById(ctx.campaignId);
    if (!campaign) {
      return [{ key: 'fund.refused.nothing_saved' }];
    }
    const closed = await closedRefusal(tx, campaign, 'pledge', now, addressOf(campaign));
    if (closed) {
      return [closed];
    }
    const level = ceremonyLevel(ctx, answers.level);
    const { pledges } = parseBatch(answers.lines);
    if (!level || pledges.length === 0) {
      return [{ key: 'fund.refused.nothing_saved' }];
    }
    const lines: Text[] = [
      {
        key: 'batch.done',
        params: { count: pledges.length, total: formatMoney(total(pledges)), fund: fundName(level.name) },
      },
    ];
    for (const p of pledges) {
      const { ref } = await createPledge(
        tx,
        {
          campaignId: campaign.id,
          donorKind: p.donorKind,
          donorName: p.donorName,
          donorPhone: null,
          // Registered by the officer on the donor's behalf: the officer answers for it.
          personId: actor.personId,
          orgUnitId: null,
          fundUnitId: level.id,
          kind: p.kind,
          description: p.description,
          quantity: p.quantity,
          quantityUnit: p.quantityUnit,
          amount: p.amount,
          householdId: null,
          targetUnitId: null,
          dueOn: null,
          publicName: answers.publicName,
          channel: inbound.channel,
        },
        { batch: true },
        now,
      );
      lines.push({ key: 'batch.done.line', params: { ref, donor: p.donorName, what: whatOf(p) } });
    }
    const account = await fundAccountOf(tx, campaign, level.id);
    if (account && pledges.some((p) => p.kind === 'money')) {
      lines.push({ key: 'batch.done.account', params: accountParams(level.name, account) });
    }
    return lines;
  },
});
