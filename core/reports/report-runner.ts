import { membershipsFor } from '../access/access.ts';
import { addressOf, campaignOfUnit, closedRefusal } from '../campaigns/campaign-of.ts';
import { figurePeriods } from '../campaigns/figure-periods.ts';
import { withdrawReportReminders } from '../campaigns/same-day-reports.ts';
import type { FlowData } from '../flows/flow.ts';
import { defineFlow } from '../flows/flow-runner.ts';
import { AppError } from '../shared/app-error.ts';
import { addDays, dateInZone, fromIsoDate, startOfDay, toIsoDate } from '../shared/calendar.ts';
import { cumulativeCounts } from './registry-counts.ts';
import { type ReportRecord, ZReportFigures } from './report.ts';
import {
  type PreviousFigures,
  type ReportFlowContext,
  type ReportPeriodOption,
  reportFlow,
  ZReportAnswers,
  ZReportFlowContext,
} from './report-flow.ts';
import { reportReceipt } from './report-texts.ts';

/** How many past periods an officer may still choose (late reports and amendments). */
const PERIOD_CHOICES = 3;

export const reportRunner = defineFlow({
  def: reportFlow,
  context: ZReportFlowContext,
  answers: ZReportAnswers,

  async start(tx, actor, now, arg) {
    const units = membershipsFor(actor, 'report.submit');
    // A button names its unit; one for a unit the officer no longer serves opens nothing.
    const unit = arg === undefined ? units[0] : units.find((m) => String(m.unitId) === arg);
    if (!unit) {
      return { ok: false, reason: { key: 'report.refused.not_officer' } };
    }
    // The campaign whose area holds the unit (several may run at once, each over its own area).
    const campaign = await campaignOfUnit(tx, unit.unitId, now);
    if (!campaign) {
      return { ok: false, reason: { key: 'report.refused.no_campaign' } };
    }
    const closed = await closedRefusal(tx, campaign, 'report', now, addressOf(campaign));
    if (closed) {
      return { ok: false, reason: closed };
    }
    const today = toIsoDate(dateInZone(now, campaign.timeZone));
    const reported = new Set(await tx.reports.reportedPeriodIds(unit.unitId));
    // The weekly and monthly periods of the campaign's schedule (whichever it has), newest first.
    const open = (await figurePeriods(tx, campaign.id)).filter((p) => p.opensOn <= today).reverse();
    // The newest open period is always offered (to amend it); older ones only while unreported.
    const chosen = open
      .filter((p, i) => i === 0 || p.dueOn > today || !reported.has(p.id))
      .slice(0, PERIOD_CHOICES);
    if (chosen.length === 0) {
      return { ok: false, reason: { key: 'report.refused.no_period' } };
    }
    const periods: ReportPeriodOption[] = [];
    for (const p of chosen) {
      const previous = await tx.reports.findLatestBefore(unit.unitId, p.dueOn);
      const periodEnd = startOfDay(addDays(fromIsoDate(p.endsOn), 1), campaign.timeZone);
      const registry = cumulativeCounts(await tx.households.statusCountsAsOf(unit.unitId, periodEnd));
      const money = await tx.funds.unitMoney(campaign.id, unit.unitId, p.endsOn);
      periods.push({
        id: p.id,
        code: p.code,
        label: p.label,
        dueOn: p.dueOn,
        late: today >= p.dueOn,
        reported: reported.has(p.id),
        previous: previous ? toPrevious(previous) : null,
        registry,
        ledger:
          money.entries > 0
            ? { moneyReceived: money.received.toString(), moneyPaid: money.paid.toString() }
            : null,
      });
    }
    const ctx: ReportFlowContext = {
      campaignId: campaign.id,
      unitId: unit.unitId,
      unitCode: unit.unitCode,
      unitName: unit.unitName,
      periods,
    };
    const only = periods.length === 1 ? periods[0] : undefined;
    const data: FlowData = only ? { period: String(only.id) } : {};
    return { ok: true, ctx, data };
  },

  async submit(tx, actor, { ctx, answers }, now, inbound) {
    const period = ctx.periods.find((p) => p.id === (answers.period ?? ctx.periods[0]?.id));
    if (!period) {
      throw new AppError('INVALID_ARGUMENT', 'report submitted without a period among those offered');
    }
    const figures = ZReportFigures.parse(answers);
    const { registryReason } = answers;
    const photos = answers.photo ? [{ channel: inbound.channel, fileId: answers.photo }] : [];
    // One read, as before: the campaign the report was started in (its unit's, for an older conversation).
    const campaign =
      ctx.campaignId === undefined
        ? await campaignOfUnit(tx, ctx.unitId, now)
        : await tx.campaigns.findById(ctx.campaignId);
    const closed = campaign && (await closedRefusal(tx, campaign, 'report', now, addressOf(campaign)));
    if (closed) {
      return [closed];
    }
    const timeZone = campaign?.timeZone ?? 'Asia/Ho_Chi_Minh';
    const late = toIsoDate(dateInZone(now, timeZone)) >= period.dueOn;
    const revision = (await tx.reports.lastRevision(period.id, ctx.unitId)) + 1;
    // BC-202503-01840-1 for March 2025, BC-2026W07-01840-1 for week 07 of 2026.
    const ref = `BC-${period.code.replace('-', '')}-${ctx.unitCode}-${revision}`;
    const id = await tx.reports.create({
      ...figures,
      ref,
      periodId: period.id,
      unitId: ctx.unitId,
      personId: actor.personId,
      revision,
      late,
      channel: inbound.channel,
      photos,
      registryReason,
      submittedAt: now,
    });
    // The report is in: reminders for it still queued are withdrawn, combined ones too.
    await withdrawReportReminders(tx, campaign?.id, period, ctx.unitId, now);
    await tx.audit.record(
      {
        personId: actor.personId,
        channel: inbound.channel,
        action: revision === 1 ? 'report.submit' : 'report.revise',
        entity: 'Report',
        entityId: String(id),
        after: {
          ref,
          periodId: period.id,
          unitId: ctx.unitId,
          revision,
          late,
          photos: photos.length,
          ...figures,
        },
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

function toPrevious(r: ReportRecord): PreviousFigures {
  return {
    approvedNew: r.approvedNew,
    approvedRepair: r.approvedRepair,
    startedNew: r.startedNew,
    startedRepair: r.startedRepair,
    completedNew: r.completedNew,
    completedRepair: r.completedRepair,
    handedOverNew: r.handedOverNew,
    handedOverRepair: r.handedOverRepair,
    labourDays: r.labourDays,
    moneyReceived: r.moneyReceived.toString(),
    moneyPaid: r.moneyPaid.toString(),
  };
}
