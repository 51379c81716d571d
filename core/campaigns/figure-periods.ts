import type { Tx } from '../unit-of-work.ts';
import type { Period, PeriodKind } from './campaign.ts';

/**
 * The periods a ward or commune sends its figures for — the 14-question progress report of
 * /baocao: the weekly and the monthly reports of the campaign's schedule, whichever it has (issue
 * 15 §1; weekly was the national practice in 2025). Quarterly and final reports are narratives
 * (core/reports/narrative-report.ts); six-monthly summaries are the area's own staff's.
 */
export const FIGURE_PERIOD_KINDS: readonly PeriodKind[] = ['weekly', 'monthly'];

/** The code of a weekly or monthly period: "2026-W07" (ISO week), "2025-02" (month). */
export const FIGURE_PERIOD_CODE = /^\d{4}-(0[1-9]|1[0-2]|W(0[1-9]|[1-4]\d|5[0-3]))$/;

/** A report of this kind is sent with the figures form (/baocao). */
export function isFigurePeriod(kind: PeriodKind): boolean {
  return FIGURE_PERIOD_KINDS.includes(kind);
}

/**
 * A campaign's weekly and monthly periods in due order (then by start, so a week comes before the
 * month due the same day). For a campaign with monthly reports only, exactly its monthly periods.
 */
export async function figurePeriods(tx: Tx, campaignId: number): Promise<Period[]> {
  const periods: Period[] = [];
  for (const kind of FIGURE_PERIOD_KINDS) {
    periods.push(...(await tx.campaigns.listPeriods(campaignId, kind)));
  }
  return periods.sort(
    (a, b) => a.dueOn.localeCompare(b.dueOn) || a.startsOn.localeCompare(b.startsOn) || a.id - b.id,
  );
}

/**
 * The figures period of a code ("2025-02", "2026-W07"), or by default the latest one due by
 * `today` (the report officials are chasing), or the first one when none is due yet.
 */
export async function figurePeriod(
  tx: Tx,
  campaignId: number,
  code: string | undefined,
  today: string,
): Promise<Period | undefined> {
  const periods = await figurePeriods(tx, campaignId);
  if (code !== undefined) {
    return periods.find((p) => p.code === code);
  }
  return periods.filter((p) => p.dueOn <= today).at(-1) ?? periods[0];
}
