import type { Tx } from '../unit-of-work.ts';
import type { Period } from './campaign.ts';
import { definitionFromJson } from './definition.ts';
import { COMBINABLE_KINDS, obligationOf, reportReminderPrefix, servedTogether } from './same-day.ts';

/**
 * "One report serves the obligations due the same day" (same-day.ts) read from a campaign's
 * definition and applied to its stored periods, reports and queued reminders.
 */

/**
 * Whether one report serves a unit's obligations due the same day (the definition's
 * schedule.oneReportWhenSameDay); a campaign without a definition ('{}') keeps them apart.
 */
export async function oneReportWhenSameDay(tx: Tx, campaignId: number): Promise<boolean> {
  const json = (await tx.campaigns.definition(campaignId)).trim();
  return json === '' || json === '{}' ? false : definitionFromJson(json).schedule.oneReportWhenSameDay;
}

/**
 * The periods of the campaign one report of `period` serves (itself first), when the campaign says
 * one report serves the obligations due the same day (`oneReportWhenSameDay`) and `period` is a
 * weekly, monthly or quarterly one; else none (its report serves itself alone).
 */
export async function periodsServedWith(
  tx: Tx,
  campaignId: number,
  period: Pick<Period, 'id' | 'dueOn'>,
): Promise<Period[]> {
  if (!(await oneReportWhenSameDay(tx, campaignId))) {
    return [];
  }
  const sameDay: Period[] = [];
  for (const kind of COMBINABLE_KINDS) {
    const periods = await tx.campaigns.listPeriods(campaignId, kind);
    sameDay.push(...periods.filter((p) => p.dueOn === period.dueOn));
  }
  return servedTogether(sameDay, true).get(period.id) ?? [];
}

/**
 * The units (of `unitIds`) that sent a report serving `period`: one of its own or, with
 * `oneReportWhenSameDay`, of a period due the same day (`periodsServedWith`). A monthly report, or
 * a narrative one for quarterly, six-monthly and final periods.
 */
export async function unitsWithReportFor(
  tx: Tx,
  period: Pick<Period, 'id' | 'dueOn' | 'campaignId'>,
  unitIds: readonly number[],
): Promise<Set<number>> {
  const served = await periodsServedWith(tx, period.campaignId, period);
  const wanted = new Set(unitIds);
  const submitted = await tx.reminders.submitted(
    period.campaignId,
    served.length > 0 ? served.map((p) => p.id) : [period.id],
  );
  return new Set(submitted.filter((s) => wanted.has(s.unitId)).map((s) => s.unitId));
}

/**
 * Withdraws the reminders still queued (quiet hours, a long fan-out) for the unit's report of
 * `period` once it is in: those of the period alone and those of every obligation one report of it
 * serves (`remind:2025-05+2025-Q2:…`, and any part of it the reminder policy reminds alone).
 * Without a campaign (a conversation saved before it was kept), the period's own.
 */
export async function withdrawReportReminders(
  tx: Tx,
  campaignId: number | undefined,
  period: Pick<Period, 'id' | 'code' | 'dueOn'>,
  unitId: number,
  now: Date,
): Promise<void> {
  const served = campaignId === undefined ? [] : await periodsServedWith(tx, campaignId, period);
  const codes = new Set([period.code]);
  // Every non-empty part of the obligation (at most weekly, monthly and quarterly: 7 parts).
  for (let mask = 1; mask < 1 << served.length; mask++) {
    codes.add(obligationOf(served.filter((_, i) => mask & (1 << i))).code);
  }
  for (const code of codes) {
    await tx.outbox.cancelPending(reportReminderPrefix(code, unitId), now);
  }
}
