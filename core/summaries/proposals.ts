import type { Campaign } from '../campaigns/campaign.ts';
import { figurePeriods } from '../campaigns/figure-periods.ts';
import type { FundRollup } from '../funds/fund-rollup.ts';
import type { UnitProgress } from '../households/unit-progress.ts';
import type { Tx } from '../unit-of-work.ts';
import type { UnitView } from '../units/unit.repository.ts';
import { type Proposal, parseCommendationCriteria, proposeCommendations } from './commendations.ts';

/** Weekly and monthly reports due by `today` and how many each unit sent on time. */
export async function punctuality(
  tx: Tx,
  campaign: Campaign,
  units: readonly UnitView[],
  today: string,
): Promise<{ due: number; onTime: Map<number, number> }> {
  const periods = (await figurePeriods(tx, campaign.id)).filter((p) => p.dueOn <= today);
  const counts = await tx.reports.onTimeCounts(
    periods.map((p) => p.id),
    units.map((u) => u.id),
  );
  const onTime = new Map(units.map((u) => [u.id, 0]));
  for (const c of counts) {
    onTime.set(c.unitId, c.periods);
  }
  return { due: periods.length, onTime };
}

/** The commendations proposed for an area by the campaign's criteria (summary export and digest). */
export async function proposalsFor(
  tx: Tx,
  campaign: Campaign,
  units: readonly UnitView[],
  progress: readonly UnitProgress[],
  rollup: FundRollup | undefined,
  today: string,
): Promise<Proposal[]> {
  const criteria = parseCommendationCriteria((await tx.reminders.settings(campaign.id)).commendationCriteria);
  const { due, onTime } = await punctuality(tx, campaign, units, today);
  return proposeCommendations(
    criteria,
    units.map((u, i) => ({
      name: u.name,
      approved: progress[i]?.approved ?? 0,
      completed: progress[i]?.completed ?? 0,
      reportsDue: due,
      reportsOnTime: onTime.get(u.id) ?? 0,
    })),
    rollup?.organisations ?? [],
    rollup?.donors ?? [],
  );
}
