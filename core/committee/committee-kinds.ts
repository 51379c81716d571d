/**
 * Which reports are the area committee's own (issue 16 §2), pure: the reminder planner reads these
 * without the database-facing helpers of obligation.ts.
 */

import type { Period, PeriodKind } from '../campaigns/campaign.ts';

/** The kinds of period whose report the area's committee issues itself. */
export const COMMITTEE_KINDS: readonly PeriodKind[] = ['semiannual', 'final'];

export function isCommitteeKind(kind: PeriodKind): boolean {
  return COMMITTEE_KINDS.includes(kind);
}

/** Whether only the committee reports for the period (the six-monthly report: no ward owes it). */
export function isCommitteeOnly(kind: PeriodKind): boolean {
  return kind === 'semiannual';
}

/** "BC6T-2025H1-058-1" (six-monthly), "BCKQ-058-2" (final results report): the ref of a revision. */
export function committeeRef(
  period: Pick<Period, 'kind' | 'code'>,
  areaCode: string,
  revision: number,
): string {
  return period.kind === 'final'
    ? `BCKQ-${areaCode}-${revision}`
    : `BC6T-${period.code.replace('-', '')}-${areaCode}-${revision}`;
}

/** The chat command that opens the committee's report of a kind (the reminders name it). */
export function committeeCommand(kind: PeriodKind): string {
  return kind === 'final' ? '/baocaoketqua' : '/baocao6thang';
}
