import type { MessageKey, Params, ParamValue } from '../messaging/catalog.ts';
import type { Actor } from '../shared/actor.ts';
import { fromIsoDate } from '../shared/calendar.ts';
import { formatDate } from '../shared/format.ts';
import type { Tx } from '../unit-of-work.ts';
import { placeInSentence } from '../units/kinds.ts';
import { rollUp } from '../units/succession.ts';
import type { Campaign } from './campaign.ts';
import { addressOf, capitalised } from './campaign.ts';
import { campaignFor, campaignState, campaignToday, pickCampaign } from './coverage.ts';

export { addressOf, capitalised };

/**
 * Which campaign a person, a record or a unit belongs to when several run at once (issue 15 §1),
 * and what a closed campaign answers. The chat paths and use cases ask these functions instead of
 * "the latest campaign".
 */

/** A line the chat renders from the catalog (the shape of core/flows Text, without importing it). */
export interface CampaignText {
  key: MessageKey;
  params?: Params;
}

/** The distinct units of a person's memberships (of the given ones, e.g. `membershipsFor(actor, action)`). */
export function unitIdsOf(memberships: readonly { unitId: number }[]): number[] {
  return [...new Set(memberships.map((m) => m.unitId))];
}

/**
 * The campaign of the given units (campaignFor: the one whose area holds them, else the ones below
 * them). With no unit known — a stranger, a person with no membership, a command naming no unit —
 * the latest campaign (`findCurrent`): on a database of one campaign, the one there is.
 */
export async function campaignOf(
  tx: Tx,
  unitIds: readonly number[],
  now: Date,
): Promise<Campaign | undefined> {
  if (unitIds.length === 0) {
    return tx.campaigns.findCurrent();
  }
  return campaignFor(tx, unitIds, now);
}

/** The campaign a person works in: the one covering the units of their memberships. */
export function campaignOfActor(tx: Tx, actor: Actor, now: Date): Promise<Campaign | undefined> {
  return campaignOf(tx, unitIdsOf(actor.memberships), now);
}

/** The campaign a unit belongs to (a household's, a pledge's fund level, a fund entry's level). */
export function campaignOfUnit(tx: Tx, unitId: number, now: Date): Promise<Campaign | undefined> {
  return campaignOf(tx, [unitId], now);
}

/**
 * Each unit's campaign, decided in memory for many units at once (the reminder run, a donor's fund
 * levels): among the campaigns whose area is the unit or above it (or that cover everything), the
 * one `pickCampaign` picks. `units` must hold the units' ancestors for their areas to be found.
 */
export function campaignsByUnit(
  campaigns: readonly Campaign[],
  units: readonly { id: number; parentId: number | null }[],
  now: Date,
): Map<number, Campaign> {
  const parentOf = new Map(units.map((u) => [u.id, u.parentId]));
  const byArea = new Map<number | null, Campaign[]>();
  for (const c of campaigns) {
    byArea.set(c.areaUnitId, [...(byArea.get(c.areaUnitId) ?? []), c]);
  }
  const everywhere = byArea.get(null) ?? [];
  const out = new Map<number, Campaign>();
  for (const unit of units) {
    const candidates = [...everywhere];
    const seen = new Set<number>();
    for (let id: number | null | undefined = unit.id; id != null && !seen.has(id); id = parentOf.get(id)) {
      seen.add(id);
      candidates.push(...(byArea.get(id) ?? []));
    }
    const picked = pickCampaign(candidates, now);
    if (picked) {
      out.set(unit.id, picked);
    }
  }
  return out;
}

export function isOpenOrUpcoming(campaign: Campaign, now: Date): boolean {
  return campaignState(campaign, campaignToday(campaign, now)) !== 'closed';
}

/** What a closed campaign no longer accepts (the `{what}` of its message). */
export type ClosedAction = 'report' | 'pledge' | 'household' | 'fund';

/** How many of the area's admins the message names. */
const MAX_CONTACTS = 3;

/** The day a campaign closed, if it is closed at `now` (undefined while it runs or before it starts). */
function closedDay(campaign: Campaign, now: Date): string | undefined {
  return campaign.closedOn !== null && campaignState(campaign, campaignToday(campaign, now)) === 'closed'
    ? campaign.closedOn
    : undefined;
}

/**
 * The answer of a closed campaign to a write: it ended on that day, everything stays readable and
 * exportable, and whom to contact (`contactsOf`). Undefined while it runs.
 */
export async function closedRefusal(
  tx: Tx,
  campaign: Campaign,
  what: ClosedAction,
  now: Date,
  address = 'anh/chị',
): Promise<CampaignText | undefined> {
  const closedOn = closedDay(campaign, now);
  if (closedOn === undefined) {
    return undefined;
  }
  return {
    key: 'campaign.closed',
    params: {
      campaign: campaign.name,
      date: formatDate(fromIsoDate(closedOn)),
      what: { key: `campaign.closed.what.${what}` },
      address,
      contacts: await contactsOf(tx, campaign, now),
    },
  };
}

/**
 * What a donor with no unit (a stranger writing /ungho) hears when no campaign is open, `latest`
 * being the latest one and closed: none takes pledges now, that one closed on that day, and whom to
 * contact (`contactsOf`). Undefined while `latest` runs.
 */
export async function noCampaignOpen(tx: Tx, latest: Campaign, now: Date): Promise<CampaignText | undefined> {
  const closedOn = closedDay(latest, now);
  if (closedOn === undefined) {
    return undefined;
  }
  return {
    key: 'campaign.none_open',
    params: {
      campaign: latest.name,
      date: formatDate(fromIsoDate(closedOn)),
      contacts: await contactsOf(tx, latest, now),
    },
  };
}

/**
 * Whom a closed campaign's messages name: the admins of its area — the nearest unit of the area or
 * above it that has some, by name and unit, never a phone number — else the Front committee of the
 * area. An area that has since ended (Bắc Kạn city on 01/07/2025) is read as the unit its successions
 * lead to today (the province of Thái Nguyên): its committee took the work over, and its admins are
 * the ones to ask.
 */
async function contactsOf(tx: Tx, campaign: Campaign, now: Date): Promise<ParamValue> {
  const admins = await tx.reminders.members(['admin']);
  const areaId =
    campaign.areaUnitId === null
      ? null
      : (rollUp(
          [{ id: campaign.areaUnitId }],
          await tx.units.successions(),
          campaignToday(campaign, now),
        ).get(campaign.areaUnitId) ?? campaign.areaUnitId);
  const chain: { id: number; name: string }[] = [];
  const seen = new Set<number>();
  for (let id = areaId; id !== null && !seen.has(id); ) {
    seen.add(id);
    const unit = await tx.units.findById(id);
    if (!unit) {
      break;
    }
    chain.push(unit);
    id = unit.parentId;
  }
  let contacts: string[] = [];
  if (areaId === null) {
    const names = new Map<number, string>();
    for (const a of admins.slice(0, MAX_CONTACTS)) {
      names.set(a.unitId, names.get(a.unitId) ?? (await tx.units.findById(a.unitId))?.name ?? '');
      contacts.push(`${a.fullName} (${names.get(a.unitId)})`);
    }
  } else {
    for (const unit of chain) {
      const here = admins.filter((a) => a.unitId === unit.id);
      if (here.length > 0) {
        contacts = here.slice(0, MAX_CONTACTS).map((a) => `${a.fullName} (${unit.name})`);
        break;
      }
    }
  }
  const area = chain[0]?.name;
  return contacts.length > 0
    ? contacts.join(', ')
    : area
      ? { key: 'campaign.closed.contact_area', params: { area: placeInSentence(area) } }
      : { key: 'campaign.closed.contact_none' };
}
