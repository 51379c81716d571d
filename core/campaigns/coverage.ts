import { dateInZone, toIsoDate } from '../shared/calendar.ts';
import type { Tx } from '../unit-of-work.ts';
import type { Campaign } from './campaign.ts';

/**
 * Several campaigns may run at once, each over its own area (issue 15 §1). A person's reports and
 * actions go to the campaign covering their unit; these functions say which one.
 */

export type CampaignState = 'upcoming' | 'open' | 'closed';

/** The campaign's calendar day at `now`, ISO. */
export function campaignToday(campaign: Pick<Campaign, 'timeZone'>, now: Date): string {
  return toIsoDate(dateInZone(now, campaign.timeZone));
}

/** Closed from its `closedOn` day; upcoming before its start; open in between (and after its end until closed). */
export function campaignState(
  campaign: Pick<Campaign, 'startsOn' | 'closedOn'>,
  today: string,
): CampaignState {
  if (campaign.closedOn !== null && today >= campaign.closedOn) {
    return 'closed';
  }
  return today < campaign.startsOn ? 'upcoming' : 'open';
}

export function isClosed(campaign: Pick<Campaign, 'startsOn' | 'closedOn' | 'timeZone'>, now: Date): boolean {
  return campaignState(campaign, campaignToday(campaign, now)) === 'closed';
}

const STATE_RANK: Record<CampaignState, number> = { open: 0, upcoming: 1, closed: 2 };

/**
 * The one campaign among `campaigns` a person works in at `now`: an open one before one not yet
 * started before a closed one; among equals the one with an area (a specific campaign beats a
 * campaign over everything), then the latest started, then the latest created.
 */
export function pickCampaign(campaigns: readonly Campaign[], now: Date): Campaign | undefined {
  const ranked = campaigns.map((c) => ({ c, state: STATE_RANK[campaignState(c, campaignToday(c, now))] }));
  ranked.sort(
    (a, b) =>
      a.state - b.state ||
      Number(a.c.areaUnitId === null) - Number(b.c.areaUnitId === null) ||
      b.c.startsOn.localeCompare(a.c.startsOn) ||
      b.c.id - a.c.id,
  );
  return ranked[0]?.c;
}

/**
 * The campaign for someone working at the given units: one whose area holds them, else (a person
 * above several areas, e.g. a province officer) one whose area lies below them; else, for units a
 * reorganisation made outside every campaign's area, the campaign of their predecessors (issue 15
 * §2: the wards of the province of Thái Nguyên from 01/07/2025 carry on the campaign of Bắc Kạn
 * city, as its views and reminders count them); undefined when no campaign concerns these units.
 */
export async function campaignFor(
  tx: Tx,
  unitIds: readonly number[],
  now: Date,
): Promise<Campaign | undefined> {
  const found = await coveringOrBelow(tx, unitIds, now);
  if (found || unitIds.length === 0) {
    return found;
  }
  const predecessors = predecessorIds(unitIds, await tx.units.successions());
  return predecessors.length > 0 ? coveringOrBelow(tx, predecessors, now) : undefined;
}

async function coveringOrBelow(tx: Tx, unitIds: readonly number[], now: Date): Promise<Campaign | undefined> {
  const covering = pickCampaign(await tx.campaigns.covering(unitIds), now);
  return covering ?? pickCampaign(await tx.campaigns.below(unitIds), now);
}

/** Every unit the given ones succeed, directly or along a chain of successions. */
function predecessorIds(
  unitIds: readonly number[],
  successions: readonly { predecessorId: number; successorId: number }[],
): number[] {
  const found = new Set<number>();
  for (let ids = new Set(unitIds); ids.size > 0; ) {
    const earlier = successions
      .filter((s) => ids.has(s.successorId) && !found.has(s.predecessorId))
      .map((s) => s.predecessorId);
    ids = new Set(earlier);
    for (const id of ids) {
      found.add(id);
    }
  }
  return [...found];
}

/** The campaigns a donor choosing where to give sees: the open ones, latest first. */
export async function openCampaigns(tx: Tx, now: Date): Promise<Campaign[]> {
  return (await tx.campaigns.list()).filter((c) => campaignState(c, campaignToday(c, now)) === 'open');
}
