import type { Period, PeriodKind } from './campaign.ts';

/**
 * One report serves a ward's obligations due the same day (issue 15 §1, the definition's
 * `schedule.oneReportWhenSameDay`): under the 2024–2025 plan the monthly report and the quarterly
 * one both fall before the 15th of the quarter's last month, and a ward must not be asked twice.
 * The weekly, monthly and quarterly periods due the same day are then one obligation: reminded
 * once under one key (`remind:2025-05+2025-Q2:…`, core/reminders/planner.ts), withdrawn when either
 * report is sent (core/reports), and a report of any of them counts for all of them in every view
 * (digests, `/tinhhinh`, the late list, the progress export's "chưa gửi báo cáo"). The pairing is
 * here, once, pure; the planner and the views (through same-day-reports.ts, which reads the
 * campaign's periods and reports) both use it.
 */

/** The period fields the pairing reads (the planner's periods and the stored ones both have them). */
export type PairedPeriod = Pick<Period, 'id' | 'kind' | 'code' | 'label' | 'opensOn' | 'dueOn'>;

/**
 * What a unit owes by one deadline: a period's report or, when one report serves several periods
 * due the same day, those periods together (code "2025-05+2025-Q2", label "tháng 5/2025 và quý
 * II/2025"). Its key part is the code, so each obligation has its own reminder keys.
 */
export interface Obligation<P extends PairedPeriod = PairedPeriod> {
  periods: readonly P[];
  /** The period whose report is sent for it (the first: weekly, monthly, then quarterly). */
  primary: P;
  code: string;
  label: string;
  /** The earliest day one of its reports may be sent. */
  opensOn: string;
  dueOn: string;
}

/** Kinds whose reports one report may serve when they are due the same day (not the final report). */
export const COMBINABLE_KINDS: readonly PeriodKind[] = ['weekly', 'monthly', 'quarterly'];

const KIND_ORDER: Record<PeriodKind, number> = {
  weekly: 0,
  monthly: 1,
  quarterly: 2,
  semiannual: 3,
  final: 4,
};

const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The obligation of periods served by one report (one period: its own). */
export function obligationOf<P extends PairedPeriod>(periods: readonly P[]): Obligation<P> {
  const sorted = [...periods].sort(
    (a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || byCode(a.code, b.code),
  );
  const primary = sorted[0] as P;
  return {
    periods: sorted,
    primary,
    code: sorted.map((p) => p.code).join('+'),
    label: sorted.map((p) => p.label).join(' và '),
    opensOn: sorted.map((p) => p.opensOn).sort()[0] ?? primary.opensOn,
    dueOn: primary.dueOn,
  };
}

/**
 * The obligations of `periods`: with `oneReportWhenSameDay`, the weekly, monthly and quarterly
 * periods due the same day together; every other period on its own. In due order, then by code.
 */
export function sameDayObligations<P extends PairedPeriod>(
  periods: readonly P[],
  oneReportWhenSameDay: boolean,
): Obligation<P>[] {
  const groups = new Map<string, P[]>();
  for (const p of periods) {
    const key =
      oneReportWhenSameDay && COMBINABLE_KINDS.includes(p.kind) ? `due ${p.dueOn}` : `period ${p.id}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  return [...groups.values()].map(obligationOf).sort(compareObligations);
}

/** Due order, then by code. */
export function compareObligations(
  a: Pick<Obligation, 'dueOn' | 'code'>,
  b: Pick<Obligation, 'dueOn' | 'code'>,
): number {
  return byCode(a.dueOn, b.dueOn) || byCode(a.code, b.code);
}

/** Each period's id → the periods one report of it serves (itself first, then the others of its obligation). */
export function servedTogether<P extends PairedPeriod>(
  periods: readonly P[],
  oneReportWhenSameDay: boolean,
): Map<number, P[]> {
  const served = new Map<number, P[]>();
  for (const o of sameDayObligations(periods, oneReportWhenSameDay)) {
    for (const period of o.periods) {
      served.set(period.id, [period, ...o.periods.filter((p) => p.id !== period.id)]);
    }
  }
  return served;
}

/** The start of the keys of a unit's reminders of an obligation: `remind:<code>:<unit>:` (then person and offset). */
export function reportReminderPrefix(code: string, unitId: number): string {
  return `remind:${code}:${unitId}:`;
}
