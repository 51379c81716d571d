import { can, membershipsFor, reachesEverywhere, unitsFor } from '../access/access.ts';
import type { Campaign } from '../campaigns/campaign.ts';
import { campaignOf } from '../campaigns/campaign-of.ts';
import { campaignRules } from '../campaigns/campaign-rules.ts';
import type { Text } from '../flows/flow.ts';
import type { Actor } from '../shared/actor.ts';
import { dateInZone, toIsoDate } from '../shared/calendar.ts';
import type { Tx } from '../unit-of-work.ts';
import { committeeOf } from '../units/kinds.ts';
import { FUND_LEVEL_KINDS, isLocalKind, type UnitView } from '../units/unit.repository.ts';
import { fundAccountLines } from './fund-accounts.ts';
import { BRANCH_PARENT_KINDS, rollupFromFigures } from './fund-rollup.ts';
import { publicSummaryLines, rollupLines, type SupportedWard } from './fund-views.ts';

/** Which fund levels a roll-up sums and in which row each is shown (`fundScope`). */
export interface FundScope {
  /** null: every level of the campaign. */
  levelIds: number[] | null;
  /** The row a level's money is shown in; undefined: left out. */
  rowOf?: (levelId: number) => number | undefined;
}

/**
 * The roll-up, summed by the database (the ledger's running totals, the pledges by organisation
 * and donor), read in the same transaction. Without a scope: every level of the campaign, each
 * in its own row. `perLevel: false` gives the totals without rows and `donors: false` no donors:
 * a national campaign has thousands of levels and tens of thousands of donors.
 */
export async function loadRollup(
  tx: Tx,
  opts: FundScope & { perLevel?: boolean; donors?: boolean; campaign?: Campaign | undefined } = {
    levelIds: null,
  },
) {
  // The caller's campaign (the viewer's or the area's); without one, no unit is known (the public
  // summary, a command without --campaign): the latest campaign.
  const campaign = opts.campaign ?? (await tx.campaigns.findCurrent());
  if (!campaign) {
    return undefined;
  }
  const perLevel = opts.perLevel ?? true;
  const [units, figures] = await Promise.all([
    // The levels' names for their rows; otherwise the organisations and the levels that name them.
    tx.units.listByKinds(
      perLevel ? [...FUND_LEVEL_KINDS, 'member_org'] : ['member_org', ...BRANCH_PARENT_KINDS],
    ),
    tx.funds.rollupFigures(campaign.id, { levelIds: opts.levelIds, perLevel, donors: opts.donors ?? true }),
  ]);
  return { campaign, rollup: rollupFromFigures(units, figures, opts.rowOf) };
}

/**
 * The money a view of these units shows: the funds of the nearest unit at or above each one that
 * is not a ward or commune (a ward's digest shows its city's funds, as the city's does), listed as
 * that unit's own level and one row per unit right below it, summing everything under it. An area
 * at the top of the tree (the nation) covers the whole campaign; without `rows`, its units are not
 * even read.
 */
export async function fundScope(
  tx: Pick<Tx, 'units'>,
  unitIds: number[],
  opts: { rows?: boolean } = {},
): Promise<FundScope> {
  const roots = new Map<number, UnitView>();
  for (const id of unitIds) {
    let unit = await tx.units.findById(id);
    while (unit && isLocalKind(unit.kind) && unit.parentId !== null) {
      unit = await tx.units.findById(unit.parentId);
    }
    if (unit) {
      roots.set(unit.id, unit);
    }
  }
  const atTop = [...roots.values()].some((u) => u.parentId === null);
  if (atTop && opts.rows === false) {
    return { levelIds: null };
  }
  const below = await tx.units.listDescendantsDated([...roots.keys()]);
  const parentOf = new Map(below.map((u) => [u.id, u.parentId]));
  // A root under another one is covered by it.
  const tops = new Set([...roots.keys()].filter((id) => !parentOf.has(id)));
  const rows = new Map<number, number>([...tops].map((id) => [id, id]));
  for (const u of below) {
    let row = u.id;
    for (
      let parent = u.parentId;
      parent !== null && !tops.has(parent);
      parent = parentOf.get(parent) ?? null
    ) {
      row = parent;
    }
    rows.set(u.id, row);
  }
  const levels = new Set<string>(FUND_LEVEL_KINDS);
  return {
    levelIds: atTop ? null : [...tops, ...below.filter((u) => levels.has(u.kind)).map((u) => u.id)],
    rowOf: (levelId) => rows.get(levelId),
  };
}

/** `/congkhai`: the public summary, for anyone (it names only donors who agreed). */
export async function publicSummary(tx: Tx, now: Date): Promise<Text[]> {
  const loaded = await loadRollup(tx);
  if (!loaded) {
    return [{ key: 'report.refused.no_campaign' }];
  }
  const { campaign } = loaded;
  const today = toIsoDate(dateInZone(now, campaign.timeZone));
  const { transparency } = await campaignRules(tx, campaign);
  const area = campaign.areaUnitId === null ? undefined : await tx.units.findById(campaign.areaUnitId);
  return publicSummaryLines(loaded.rollup, campaign.name, today, {
    // The levels' bank accounts, when the campaign's definition gives them.
    accounts: await fundAccountLines(tx, campaign),
    wards: await supportedWards(tx, campaign, transparency.householdNames),
    ...(area ? { committee: committeeOf(area.name) } : {}),
  });
}

/**
 * The households the fund supports, per ward in the order of the wards' codes: how many, the money
 * allocated and paid; each household's name and village only when `names` (the campaign publishes
 * the list), never an ID or phone number.
 */
export async function supportedWards(tx: Tx, campaign: Campaign, names: boolean): Promise<SupportedWard[]> {
  const wards = new Map<number, SupportedWard & { list: SupportedWard['list'][number][] }>();
  for (const h of await tx.funds.supportedHouseholds(campaign.id)) {
    const ward = wards.get(h.unitId) ?? { name: '', households: 0, allocated: 0n, paid: 0n, list: [] };
    ward.households += 1;
    ward.allocated += h.allocated;
    ward.paid += h.paid;
    if (names) {
      ward.list.push({ name: h.headName, village: h.village, allocated: h.allocated, paid: h.paid });
    }
    wards.set(h.unitId, ward);
  }
  const units = await Promise.all([...wards.keys()].map((id) => tx.units.findById(id)));
  return units
    .flatMap((u) => {
      const ward = u && wards.get(u.id);
      return u && ward ? [{ code: u.code, ward: { ...ward, name: u.name } }] : [];
    })
    .sort((a, b) => a.code.localeCompare(b.code))
    .map((w) => w.ward);
}

/**
 * `/quy`: the fund board's and leaders' roll-up of their area (`fundScope`: a city's funds level by
 * level, the nation's as the centre and one row per province); undefined for anyone else.
 */
export async function fundRollupFor(tx: Tx, actor: Actor, now: Date): Promise<Text[] | undefined> {
  if (!can(actor, 'fund.view')) {
    return undefined;
  }
  const units = unitsFor(actor, 'fund.view');
  const loaded = await loadRollup(tx, {
    ...(await fundScope(tx, units)),
    campaign: await campaignOf(tx, units, now),
  });
  if (!loaded) {
    return [{ key: 'report.refused.no_campaign' }];
  }
  // A ward's leader or fund officer sees the city's money, but not the names of the donors who asked
  // not to be named (another ward's among them): those stay with the city's board and admins.
  const local =
    !reachesEverywhere(actor, 'fund.donors') &&
    membershipsFor(actor, 'fund.donors').every((m) => isLocalKind(m.unitKind));
  const { rollup } = loaded;
  return rollupLines(local ? { ...rollup, donors: rollup.donors.filter((d) => d.publicName) } : rollup);
}
