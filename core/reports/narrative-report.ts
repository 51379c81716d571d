import { z } from 'zod';
import { membershipsFor } from '../access/access.ts';
import { addressOf, campaignOfUnit, closedRefusal } from '../campaigns/campaign-of.ts';
import { withdrawReportReminders } from '../campaigns/same-day-reports.ts';
import { zIdChoice } from '../flows/answers.ts';
import type { FlowData, FlowDef, StepDef } from '../flows/flow.ts';
import { defineFlow } from '../flows/flow-runner.ts';
import type { MessageKey } from '../messaging/catalog.ts';
import { AppError } from '../shared/app-error.ts';
import { dateInZone, toIsoDate } from '../shared/calendar.ts';
import { ASKED_IN, answerLabelKey, type NarrativeAnswer } from './narrative-answers.ts';
import {
  FINAL_REF_PREFIX,
  narrativeName,
  narrativeTitle,
  periodHeader,
  reportReceipt,
} from './report-texts.ts';

const ZOption = z.object({
  id: z.number().int(),
  code: z.string(),
  kind: z.enum(['quarterly', 'final']),
  label: z.string(),
  dueOn: z.string(),
  late: z.boolean(),
});

const ZNarrativeContext = z.object({
  unitId: z.number().int(),
  unitCode: z.string(),
  unitName: z.string(),
  periods: z.array(ZOption).min(1),
});
type NarrativeContext = z.infer<typeof ZNarrativeContext>;

/** The answers: the period (asked when several are open) and the texts its kind asks for. */
const ZNarrativeAnswers = z.object({
  period: zIdChoice.optional(),
  assessment: z.string().optional(),
  achievements: z.string().optional(),
  obstacles: z.string().optional(),
  commendations: z.string().optional(),
  proposals: z.string().optional(),
});

function periodById(ctx: NarrativeContext, id: number | undefined) {
  return ctx.periods.find((p) => p.id === id) ?? (ctx.periods.length === 1 ? ctx.periods[0] : undefined);
}

function chosen(ctx: NarrativeContext, data: FlowData) {
  return periodById(ctx, ctx.periods.find((p) => String(p.id) === data.period)?.id);
}

/** The step of one written answer, asked in the kinds of report `ASKED_IN` names. */
function question(
  key: NarrativeAnswer,
  prompt: MessageKey,
  optional = false,
  finalPrompt: MessageKey = prompt,
): StepDef<NarrativeContext> {
  return {
    key,
    kind: 'text',
    label: answerLabelKey(key),
    prompt: (ctx, data) => ({ key: chosen(ctx, data)?.kind === 'final' ? finalPrompt : prompt }),
    optional,
    maxLength: 2000,
    when: (ctx, data) => {
      const period = chosen(ctx, data);
      return period !== undefined && ASKED_IN[key].includes(period.kind);
    },
  };
}

const narrativeFlow: FlowDef<NarrativeContext> = {
  id: 'narrative-report',
  version: 1,
  title: 'narrative.title',
  summaryHeader: (ctx, data) =>
    periodHeader(ctx.unitName, chosen(ctx, data), {
      onTime: 'narrative.summary.report',
      late: 'narrative.summary.report_late',
    }),
  steps: [
    {
      key: 'period',
      kind: 'choice',
      label: 'report.field.period',
      prompt: () => ({ key: 'narrative.ask.period' }),
      choices: (ctx) =>
        ctx.periods.map((p) => ({ id: String(p.id), label: `${narrativeTitle(p)}${p.late ? ' ⏰' : ''}` })),
      when: (ctx) => ctx.periods.length > 1,
    },
    question('assessment', 'narrative.ask.assessment'),
    question('achievements', 'narrative.ask.achievements', false, 'narrative.ask.achievements_final'),
    question('obstacles', 'narrative.ask.obstacles', true),
    question('commendations', 'narrative.ask.commendations', true),
    question('proposals', 'narrative.ask.proposals', true),
  ],
};

/** The quarterly report (before the 15th of the quarter's last month) and the final report. */
export const narrativeReportRunner = defineFlow({
  def: narrativeFlow,
  context: ZNarrativeContext,
  answers: ZNarrativeAnswers,
  async start(tx, actor, now) {
    const unit = membershipsFor(actor, 'narrative.submit')[0];
    if (!unit) {
      return { ok: false, reason: { key: 'report.refused.not_officer' } };
    }
    // The campaign covering the unit; a closed one takes no report.
    const campaign = await campaignOfUnit(tx, unit.unitId, now);
    if (!campaign) {
      return { ok: false, reason: { key: 'report.refused.no_campaign' } };
    }
    const closed = await closedRefusal(tx, campaign, 'report', now, addressOf(campaign));
    if (closed) {
      return { ok: false, reason: closed };
    }
    const today = toIsoDate(dateInZone(now, campaign.timeZone));
    const periods = [
      ...(await tx.campaigns.listPeriods(campaign.id, 'quarterly')),
      ...(await tx.campaigns.listPeriods(campaign.id, 'final')),
    ]
      .filter((p) => p.opensOn <= today)
      .sort((a, b) => b.dueOn.localeCompare(a.dueOn))
      .slice(0, 3)
      .map((p) => ({
        id: p.id,
        code: p.code,
        kind: p.kind === 'final' ? ('final' as const) : ('quarterly' as const),
        // "quý IV/2025", "kết quả thực hiện Kế hoạch": after "báo cáo" in the receipt and header.
        label: narrativeName(p),
        dueOn: p.dueOn,
        late: today >= p.dueOn,
      }));
    if (periods.length === 0) {
      return { ok: false, reason: { key: 'report.refused.no_period' } };
    }
    const ctx: NarrativeContext = {
      unitId: unit.unitId,
      unitCode: unit.unitCode,
      unitName: unit.unitName,
      periods,
    };
    const only = periods.length === 1 ? periods[0] : undefined;
    const data: FlowData = only ? { period: String(only.id) } : {};
    return { ok: true, ctx, data };
  },
  async submit(tx, actor, { ctx, answers: { period: periodId, ...texts } }, now, inbound) {
    const period = periodById(ctx, periodId);
    if (!period) {
      throw new AppError(
        'INVALID_ARGUMENT',
        'narrative report submitted without a period among those offered',
      );
    }
    // Only the questions asked for this kind of report (their answers may be '' for none).
    const answers: Record<string, string> = {};
    for (const [key, value] of Object.entries(texts)) {
      if (value !== undefined) {
        answers[key] = value;
      }
    }
    const campaign = await campaignOfUnit(tx, ctx.unitId, now);
    const closed = campaign && (await closedRefusal(tx, campaign, 'report', now, addressOf(campaign)));
    if (closed) {
      return [closed];
    }
    const timeZone = campaign?.timeZone ?? 'Asia/Ho_Chi_Minh';
    const late = toIsoDate(dateInZone(now, timeZone)) >= period.dueOn;
    const revision = (await tx.narratives.lastRevision(period.id, ctx.unitId)) + 1;
    const ref = `${period.kind === 'final' ? FINAL_REF_PREFIX : `BCQ-${period.code.replace('-', '')}`}-${ctx.unitCode}-${revision}`;
    const id = await tx.narratives.create({
      ref,
      periodId: period.id,
      unitId: ctx.unitId,
      personId: actor.personId,
      revision,
      answers,
      late,
      channel: inbound.channel,
      submittedAt: now,
    });
    // The report is in: reminders for it still queued are withdrawn, combined ones too.
    await withdrawReportReminders(tx, campaign?.id, period, ctx.unitId, now);
    await tx.audit.record(
      {
        personId: actor.personId,
        channel: inbound.channel,
        action: 'narrative.submit',
        entity: 'NarrativeReport',
        entityId: String(id),
        after: { ref, periodId: period.id, revision, late },
      },
      now,
    );
    return reportReceipt({
      periodLabel: period.label,
      unitName: ctx.unitName,
      ref,
      at: now,
      timeZone,
      late,
      revision,
    });
  },
});
