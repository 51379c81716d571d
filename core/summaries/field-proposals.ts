import type { Campaign } from '../campaigns/campaign.ts';
import { narrativeTitle } from '../reports/report-texts.ts';
import type { Tx } from '../unit-of-work.ts';
import type { FieldProposal } from './commendations.ts';

/**
 * The wards' own proposals for commendation (issue 16 §6): the "Đề nghị khen thưởng" answer of the
 * latest revision of each unit's final report, and of its quarterly reports when one holds it —
 * the final report first, then the quarters latest first; within a report, in the order of
 * `unitIds` (the area's units with the units merged into them).
 */
export async function fieldProposals(
  tx: Tx,
  campaign: Pick<Campaign, 'id'>,
  unitIds: readonly number[],
): Promise<FieldProposal[]> {
  const periods = [
    ...(await tx.campaigns.listPeriods(campaign.id, 'final')),
    ...(await tx.campaigns.listPeriods(campaign.id, 'quarterly')),
  ].sort((a, b) => b.dueOn.localeCompare(a.dueOn));
  if (periods.length === 0 || unitIds.length === 0) {
    return [];
  }
  const reports = (
    await tx.narratives.latest(
      periods.map((p) => p.id),
      unitIds,
    )
  ).filter((r) => (r.answers.commendations ?? '').trim() !== '');
  const names = new Map<number, string>();
  for (const id of new Set(reports.map((r) => r.unitId))) {
    names.set(id, (await tx.units.findById(id))?.name ?? `#${id}`);
  }
  const order = new Map(unitIds.map((id, i) => [id, i]));
  return periods.flatMap((period) =>
    reports
      .filter((r) => r.periodId === period.id)
      .sort((a, b) => (order.get(a.unitId) ?? 0) - (order.get(b.unitId) ?? 0))
      .map((r) => ({
        unitId: r.unitId,
        unit: names.get(r.unitId) ?? `#${r.unitId}`,
        report: narrativeTitle(period),
        ref: r.ref,
        text: (r.answers.commendations ?? '').trim(),
      })),
  );
}

/**
 * The name of the unit whose standing committee set the campaign's criteria: the campaign's area
 * ("Ủy ban MTTQ Việt Nam thành phố Bắc Kạn"), or `fallback` for a campaign stored without one.
 */
export async function criteriaOwnerName(
  tx: Tx,
  campaign: Pick<Campaign, 'areaUnitId'>,
  fallback: string,
): Promise<string> {
  const area = campaign.areaUnitId === null ? undefined : await tx.units.findById(campaign.areaUnitId);
  return area?.name ?? fallback;
}
