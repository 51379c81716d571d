/**
 * The committee's own report in chat (issue 16 §2): a staff member of the campaign's area unit opens
 * the six-monthly or final report (`/baocao6thang`), gets the bot's draft as a Word document, adds
 * the committee's own texts (overall assessment; key tasks ahead; proposals), confirms, and the
 * bot stores it as the area unit's NarrativeReport for the period, gives it the next number of the
 * register ("Số: 12/BC-MTTQ-BTT"), withdraws the reminders still queued for it, and sends the issued
 * document. A revision is a new document with a new number.
 */

import { z } from 'zod';
import type { Campaign, Period } from '../campaigns/campaign.ts';
import { addressOf, closedRefusal } from '../campaigns/campaign-of.ts';
import { withdrawReportReminders } from '../campaigns/same-day-reports.ts';
import type { FlowDef, StepDef, Text } from '../flows/flow.ts';
import { defineFlow } from '../flows/flow-runner.ts';
import { isLocale, type Locale, type MessageKey, t } from '../messaging/catalog.ts';
import type { OutboundDocument } from '../messaging/message.ts';
import type { Actor } from '../shared/actor.ts';
import { AppError } from '../shared/app-error.ts';
import { dateInZone, fromIsoDate, toIsoDate } from '../shared/calendar.ts';
import { formatDate } from '../shared/format.ts';
import type { Tx } from '../unit-of-work.ts';
import { committeeOf } from '../units/kinds.ts';
import {
  COMMITTEE_ENTITY,
  type CommitteeArea,
  committeeAreasOf,
  committeeNumberText,
  committeePeriods,
  committeeRef,
  type IssuedCommitteeReport,
  issuedCommitteeReports,
} from './obligation.ts';

/** The recipe kind of the committee's report (core/exports/official-documents.ts). */
export const COMMITTEE_REPORT_KIND = 'committee-report';

/** The committee's texts: the answers' keys the report's builder reads (core/exports/committee-report.ts). */
export const COMMITTEE_ANSWER_KEYS = ['assessment', 'nextTasks', 'proposals'] as const;

/** How many of the latest opened periods the chat offers (older ones: the CLI). */
const OFFERED = 3;

/** One committee report a staff member may draft now: its area, its period and what was issued. */
export interface CommitteeChoice {
  area: CommitteeArea;
  period: Period;
  today: string;
  late: boolean;
  issued?: IssuedCommitteeReport;
}

/**
 * The committee reports the actor may open now: of each campaign whose area unit they work at, the
 * six-monthly and final periods already open, latest first (`OFFERED` of them).
 */
export async function committeeChoices(tx: Tx, actor: Actor, now: Date): Promise<CommitteeChoice[]> {
  const out: CommitteeChoice[] = [];
  for (const area of await committeeAreasOf(tx, actor, now)) {
    const today = toIsoDate(dateInZone(now, area.campaign.timeZone));
    const opened = (await committeePeriods(tx, area.campaign.id))
      .filter((p) => p.opensOn <= today)
      .reverse()
      .slice(0, OFFERED);
    const issued = await issuedCommitteeReports(tx, area.campaign, opened);
    for (const period of opened) {
      const done = issued.get(period.id);
      out.push({ area, period, today, late: today >= period.dueOn, ...(done ? { issued: done } : {}) });
    }
  }
  return out;
}

/** The next committee period of the actor's areas not open yet (what "nothing to draft now" names). */
export async function nextCommitteePeriod(
  tx: Tx,
  actor: Actor,
  now: Date,
): Promise<{ area: CommitteeArea; period: Period } | undefined> {
  for (const area of await committeeAreasOf(tx, actor, now)) {
    const today = toIsoDate(dateInZone(now, area.campaign.timeZone));
    const next = (await committeePeriods(tx, area.campaign.id)).find((p) => p.opensOn > today);
    if (next) {
      return { area, period: next };
    }
  }
  return undefined;
}

const display = (iso: string) => formatDate(fromIsoDate(iso));

/** The CLI command that writes the report where the chat cannot carry a file. */
export function committeeCliCommand(
  campaign: Pick<Campaign, 'code'>,
  period: Pick<Period, 'kind' | 'code'>,
  reportRef?: string,
): string {
  const out = `bao-cao-${period.kind === 'final' ? 'ket-qua' : period.code.toLowerCase()}.docx`;
  return [
    'npm run cli -- reports committee --campaign',
    campaign.code,
    '--period',
    period.code,
    ...(reportRef ? ['--ref', reportRef] : []),
    '--out',
    out,
  ].join(' ');
}

/** The draft as a document message: the recipe without a report (number blank, placeholders). */
export function draftDocument(choice: CommitteeChoice, locale: Locale): OutboundDocument {
  return {
    kind: COMMITTEE_REPORT_KIND,
    params: { periodId: choice.period.id, unitId: choice.area.unitId },
    fallbackText: t(locale, 'committee.draft_fallback', {
      command: committeeCliCommand(choice.area.campaign, choice.period),
    }),
  };
}

/** The draft's caption. */
export function draftText(choice: CommitteeChoice): Text {
  return {
    key: 'committee.draft',
    params: {
      period: choice.period.label,
      area: committeeOf(choice.area.unitName),
      due: display(choice.period.dueOn),
      address: addressOf(choice.area.campaign),
    },
  };
}

const ZContext = z.object({
  campaignId: z.number().int(),
  unitId: z.number().int(),
  unitCode: z.string(),
  unitName: z.string(),
  period: z.object({
    id: z.number().int(),
    code: z.string(),
    kind: z.enum(['semiannual', 'final']),
    label: z.string(),
    dueOn: z.string(),
  }),
  late: z.boolean(),
  /** The revision issued before, if any: its number and day. */
  previous: z.object({ number: z.string(), issuedOn: z.string() }).optional(),
});
type CommitteeContext = z.infer<typeof ZContext>;

const ZAnswers = z.object({
  assessment: z.string(),
  nextTasks: z.string().optional(),
  proposals: z.string().optional(),
});

function text(
  key: (typeof COMMITTEE_ANSWER_KEYS)[number],
  label: MessageKey,
  prompt: MessageKey,
  optional: boolean,
): StepDef<CommitteeContext> {
  return {
    key,
    kind: 'text',
    label,
    prompt: (ctx) => ({ key: prompt, params: { period: ctx.period.label } }),
    optional,
    maxLength: 4000,
  };
}

const committeeFlowDef: FlowDef<CommitteeContext> = {
  id: 'committee-report',
  version: 1,
  title: 'committee.title',
  summaryHeader: (ctx) => {
    const lines: Text[] = [
      {
        key: 'committee.summary.report',
        params: { period: ctx.period.label, area: committeeOf(ctx.unitName), due: display(ctx.period.dueOn) },
      },
    ];
    if (ctx.previous) {
      lines.push({
        key: 'committee.summary.revision',
        params: { number: ctx.previous.number, date: display(ctx.previous.issuedOn) },
      });
    }
    return lines;
  },
  steps: [
    text('assessment', 'committee.field.assessment', 'committee.ask.assessment', false),
    text('nextTasks', 'committee.field.tasks', 'committee.ask.tasks', true),
    text('proposals', 'committee.field.proposals', 'committee.ask.proposals', true),
  ],
};

/** The committee's report: started with the period's id (the feature picks it and sends the draft). */
export const committeeReportRunner = defineFlow({
  def: committeeFlowDef,
  context: ZContext,
  answers: ZAnswers,
  async start(tx, actor, now, arg) {
    const choices = await committeeChoices(tx, actor, now);
    const choice =
      arg === undefined
        ? choices.length === 1
          ? choices[0]
          : undefined
        : choices.find((c) => String(c.period.id) === arg);
    if (!choice) {
      return { ok: false, reason: { key: choices.length === 0 ? 'committee.refused' : 'flow.stale_button' } };
    }
    const { area, period } = choice;
    const closed = await closedRefusal(tx, area.campaign, 'report', now, addressOf(area.campaign));
    if (closed) {
      return { ok: false, reason: closed };
    }
    if (period.kind !== 'semiannual' && period.kind !== 'final') {
      return { ok: false, reason: { key: 'flow.stale_button' } };
    }
    const ctx: CommitteeContext = {
      campaignId: area.campaign.id,
      unitId: area.unitId,
      unitCode: area.unitCode,
      unitName: area.unitName,
      period: {
        id: period.id,
        code: period.code,
        kind: period.kind,
        label: period.label,
        dueOn: period.dueOn,
      },
      late: choice.late,
      ...(choice.issued
        ? { previous: { number: choice.issued.numberText, issuedOn: choice.issued.issuedOn } }
        : {}),
    };
    return { ok: true, ctx };
  },
  async submit(tx, actor, { ctx, answers }, now, inbound) {
    const campaign = await tx.campaigns.findById(ctx.campaignId);
    if (!campaign) {
      throw new AppError('NOT_FOUND', `committee report: campaign ${ctx.campaignId} is gone`);
    }
    const closed = await closedRefusal(tx, campaign, 'report', now, addressOf(campaign));
    if (closed) {
      return [closed];
    }
    const today = toIsoDate(dateInZone(now, campaign.timeZone));
    const late = today >= ctx.period.dueOn;
    const revision = (await tx.narratives.lastRevision(ctx.period.id, ctx.unitId)) + 1;
    const ref = committeeRef(ctx.period, ctx.unitCode, revision);
    const stored: Record<string, string> = {};
    for (const key of COMMITTEE_ANSWER_KEYS) {
      stored[key] = answers[key] ?? '';
    }
    const id = await tx.narratives.create({
      ref,
      periodId: ctx.period.id,
      unitId: ctx.unitId,
      personId: actor.personId,
      revision,
      answers: stored,
      late,
      channel: inbound.channel,
      submittedAt: now,
    });
    // A revision is a new document: the register gives it the next number of the year.
    const issued = await tx.documents.issue(
      {
        campaignId: campaign.id,
        issuerUnitId: ctx.unitId,
        docType: 'BC',
        year: fromIsoDate(today).year,
        entity: COMMITTEE_ENTITY,
        entityId: String(id),
        issuedOn: today,
        personId: actor.personId,
      },
      now,
    );
    const number = await committeeNumberText(tx, campaign, issued.number);
    await withdrawReportReminders(tx, campaign.id, ctx.period, ctx.unitId, now);
    await tx.audit.record(
      {
        personId: actor.personId,
        channel: inbound.channel,
        action: 'committee.report',
        entity: COMMITTEE_ENTITY,
        entityId: String(id),
        after: { ref, periodId: ctx.period.id, revision, number: issued.number, issuedOn: today, late },
      },
      now,
    );
    const params = {
      period: ctx.period.label,
      area: committeeOf(ctx.unitName),
      number,
      date: display(today),
      ref,
    };
    const locale: Locale = isLocale(actor.locale) ? actor.locale : 'vi';
    // The issued document to the chat it was confirmed in; the receipt below follows it.
    await tx.outbox.enqueue(
      [
        {
          channel: inbound.channel,
          chatId: inbound.chatId,
          idempotencyKey: `committee-report:${id}@${inbound.channel}`,
          personId: actor.personId,
          message: {
            text: t(locale, 'committee.issued_document', params),
            document: {
              kind: COMMITTEE_REPORT_KIND,
              params: { periodId: ctx.period.id, unitId: ctx.unitId, reportId: id },
              fallbackText: t(locale, 'committee.issued_fallback', {
                command: committeeCliCommand(campaign, ctx.period, ref),
              }),
            },
          },
        },
      ],
      now,
    );
    return [
      { key: 'committee.issued', params },
      ...(late
        ? [{ key: 'committee.issued.late' as const, params: { due: display(ctx.period.dueOn) } }]
        : []),
    ];
  },
});
