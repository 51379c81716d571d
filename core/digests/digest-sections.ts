/**
 * The sections of a digest (digest.ts assembles them): houses per unit and the week's change,
 * which reports came in, the fund and the campaign so far — each a list of catalog lines.
 */

import type { Campaign, Period } from '../campaigns/campaign.ts';
import type { Text } from '../flows/flow.ts';
import type { FundRollup } from '../funds/fund-rollup.ts';
import { available, held } from '../funds/ledger.ts';
import {
  completionPercent,
  shortUnitName,
  stagesReached,
  sumProgress,
  type UnitProgress,
  unitsReported,
} from '../households/unit-progress.ts';
import type { Locale, MessageKey } from '../messaging/catalog.ts';
import type { AreaView } from '../people/area-view.ts';
import { formatInteger, formatMoney } from '../shared/format.ts';
import { criteriaBasis } from '../summaries/commendations.ts';
import { criteriaOwnerName, fieldProposals } from '../summaries/field-proposals.ts';
import { proposalsFor } from '../summaries/proposals.ts';
import type { Tx } from '../unit-of-work.ts';
import type { UnitView } from '../units/unit.repository.ts';
import { isoToDisplay, organisationName } from './digest-names.ts';

/** Names per line in a list of units: a line stays short on a phone. */
const LIST_WIDTH = 60;
const DAY_MS = 86_400_000;

export function houseLines(units: UnitView[], progress: UnitProgress[], multiLevel: boolean): Text[] {
  const heading: MessageKey = !multiLevel
    ? 'digest.houses.heading'
    : units.every((u) => u.kind === 'province')
      ? 'digest.houses.heading_provinces'
      : 'digest.houses.heading_areas';
  const lines: Text[] = [{ key: heading }];
  for (const [i, unit] of units.entries()) {
    const p = progress[i];
    if (p) {
      lines.push({
        key: 'digest.houses.unit',
        params: { unit: shortUnitName(unit.name), ...countParams(p) },
      });
    }
  }
  if (units.length > 1) {
    lines.push({ key: 'digest.houses.total', params: countParams(sumProgress(progress)) });
  }
  lines.push({ key: 'digest.houses.legend' });
  return lines;
}

function countParams(p: Omit<UnitProgress, 'unitId'>): Record<string, string> {
  const percent = completionPercent(p);
  return {
    approved: formatInteger(p.approved),
    started: formatInteger(p.started),
    completed: formatInteger(p.completed),
    handedOver: formatInteger(p.handedOver),
    percent: percent === undefined ? '–' : `${percent}% HT`,
  };
}

/**
 * Houses that moved in the last 7 days: today's counts against the registry's history a week ago.
 * Only households with a status event in the week differ (every change of status is an event, the
 * first one included), so the difference is summed over those alone.
 */
export async function weekChange(tx: Tx, unitIds: number[], now: Date): Promise<Text> {
  const weekAgo = new Date(now.getTime() - 7 * DAY_MS);
  const change = [0, 0, 0, 0];
  for (const c of await tx.households.statusChangesSince(unitIds, weekAgo)) {
    const reachedNow = stagesReached(c.status);
    const reachedThen = stagesReached(c.statusThen);
    for (let stage = 0; stage < change.length; stage++) {
      change[stage] = (change[stage] ?? 0) + c.count * ((reachedNow[stage] ?? 0) - (reachedThen[stage] ?? 0));
    }
  }
  const signed = (n = 0) => (n >= 0 ? `+${formatInteger(n)}` : `−${formatInteger(-n)}`);
  return {
    key: 'digest.houses.week',
    params: {
      approved: signed(change[0]),
      started: signed(change[1]),
      completed: signed(change[2]),
      handedOver: signed(change[3]),
    },
  };
}

export async function reportLines(
  tx: Tx,
  periods: Period[],
  units: UnitView[],
  detailed: boolean,
  countsUnder: ReadonlyMap<number, number> | undefined,
  expected?: ReadonlySet<number>,
): Promise<Text[]> {
  if (periods.length === 0) {
    return [{ key: 'digest.reports.none_due' }];
  }
  // Only the units valid that day owe a report (a split ward keeps its row, not the duty).
  const owing = expected ? units.filter((u) => expected.has(u.id)) : units;
  const ids = owing.map((u) => u.id);
  const lines: Text[] = [];
  let anyLate = false;
  for (const period of periods) {
    const reported = await unitsReported(tx, period, ids, countsUnder);
    const done = owing.filter((u) => reported.has(u.id)).map((u) => shortUnitName(u.name));
    const late = owing.filter((u) => !reported.has(u.id)).map((u) => shortUnitName(u.name));
    lines.push({
      key: 'digest.reports.status',
      params: {
        period: period.label,
        due: isoToDisplay(period.dueOn),
        count: done.length,
        total: owing.length,
      },
    });
    if (detailed && done.length > 0) {
      lines.push(...listLines('digest.reports.done', done));
    }
    if (late.length > 0) {
      anyLate = true;
      lines.push(...listLines('digest.reports.late', late));
    } else {
      lines.push({ key: 'digest.reports.all_in' });
    }
  }
  if (detailed && anyLate) {
    lines.push({ key: 'digest.reports.urge' });
  }
  return lines;
}

/**
 * The reports of an area of several levels: how many of its wards and communes sent each period's
 * report, and how many are missing under each listed unit ("Hà Nội (12)").
 */
export async function localReportLines(
  tx: Tx,
  periods: Period[],
  units: UnitView[],
  detailed: boolean,
  local: AreaView['local'],
): Promise<Text[]> {
  if (periods.length === 0) {
    return [{ key: 'digest.reports.none_due' }];
  }
  const lines: Text[] = [];
  let anyLate = false;
  for (const period of periods) {
    const reported = await unitsReported(tx, period, [], local.countsUnder);
    const owing = local.units.filter((u) => local.expected.has(u.id));
    const missing = new Map<number, number>();
    const expected = new Map<number, number>();
    for (const u of owing) {
      const row = local.rowOf.get(u.id) ?? u.id;
      expected.set(row, (expected.get(row) ?? 0) + 1);
      if (!reported.has(u.id)) {
        missing.set(row, (missing.get(row) ?? 0) + 1);
      }
    }
    const count = owing.filter((u) => reported.has(u.id)).length;
    lines.push({
      key: 'digest.reports.status_local',
      params: {
        period: period.label,
        due: isoToDisplay(period.dueOn),
        count: formatInteger(count),
        total: formatInteger(owing.length),
      },
    });
    const complete = units.filter((u) => (expected.get(u.id) ?? 0) > 0 && !missing.has(u.id));
    if (detailed && complete.length > 0) {
      lines.push(
        ...listLines(
          'digest.reports.complete',
          complete.map((u) => shortUnitName(u.name)),
        ),
      );
    }
    const short = units.filter((u) => missing.has(u.id));
    if (short.length > 0) {
      anyLate = true;
      lines.push(
        ...listLines(
          'digest.reports.missing',
          short.map((u) => `${shortUnitName(u.name)} (${formatInteger(missing.get(u.id) ?? 0)})`),
        ),
      );
    } else {
      lines.push({ key: 'digest.reports.all_in' });
    }
  }
  if (detailed && anyLate) {
    lines.push({ key: 'digest.reports.urge' });
  }
  return lines;
}

/** "⏰ Chưa nộp: A, B, C," then "   D, E": a long list of units wraps onto short lines of its own. */
function listLines(key: MessageKey, names: string[]): Text[] {
  const chunks: string[][] = [];
  for (const name of names) {
    const last = chunks.at(-1);
    if (last && [...last, name].join(', ').length <= LIST_WIDTH) {
      last.push(name);
    } else {
      chunks.push([name]);
    }
  }
  return chunks.map((chunk, i) => ({
    key: i === 0 ? key : 'digest.reports.more',
    params: { units: `${chunk.join(', ')}${i < chunks.length - 1 ? ',' : ''}` },
  }));
}

export function moneyLines(rollup: FundRollup | undefined, locale: Locale, topOrganisations: number): Text[] {
  if (!rollup) {
    return [];
  }
  const { total } = rollup;
  const lines: Text[] = [
    { key: 'digest.money.heading' },
    { key: 'digest.money.pledged', params: { amount: formatMoney(rollup.pledged) } },
    // Large pledges of anonymous donors not yet verified count in no figure: shown apart.
    ...(rollup.unverified > 0n
      ? [{ key: 'digest.money.unverified' as const, params: { amount: formatMoney(rollup.unverified) } }]
      : []),
    ...receivedLines(rollup, locale),
  ];
  if (total.inKind > 0n) {
    lines.push({ key: 'digest.money.in_kind', params: { amount: formatMoney(total.inKind) } });
  }
  lines.push(
    {
      key: 'digest.money.allocated',
      params: { amount: formatMoney(total.allocated), households: formatInteger(rollup.households) },
    },
    { key: 'digest.money.disbursed', params: { amount: formatMoney(total.disbursed) } },
    // What the funds hold ("tồn quỹ"), and of it what is not yet allocated to a household.
    {
      key: 'digest.money.held',
      params: { held: formatMoney(held(total)), available: formatMoney(available(total)) },
    },
  );
  const organisations = rollup.organisations.slice(0, topOrganisations);
  if (organisations.length > 0) {
    lines.push({ key: 'digest.money.orgs' });
    for (const [i, o] of organisations.entries()) {
      lines.push({
        key: 'digest.money.org',
        params: {
          n: i + 1,
          name: organisationName(o.name),
          received: formatMoney(o.received),
          pledged: formatMoney(o.pledged),
        },
      });
    }
  }
  return lines;
}

/**
 * The money received: against pledges compared with the money pledged (never goods, never money
 * given without a pledge), and money received without a pledge on its own line.
 */
export function receivedLines(rollup: FundRollup, locale: Locale): Text[] {
  const walkIn = rollup.walkIn.received;
  const pledged = rollup.total.received - walkIn;
  const lines: Text[] = [];
  if (walkIn > 0n && pledged > 0n) {
    lines.push({ key: 'digest.money.received', params: { amount: formatMoney(rollup.total.received) } });
  }
  if (rollup.pledgedMoney > 0n) {
    const percent = share(pledged, rollup.pledgedMoney, locale);
    lines.push(
      rollup.pledgedMoney === rollup.pledged
        ? { key: 'digest.money.received_pledged', params: { amount: formatMoney(pledged), percent } }
        : {
            key: 'digest.money.received_pledged_money',
            params: { amount: formatMoney(pledged), percent, pledged: formatMoney(rollup.pledgedMoney) },
          },
    );
  } else if (pledged > 0n) {
    lines.push({ key: 'digest.money.received_pledged_plain', params: { amount: formatMoney(pledged) } });
  }
  if (walkIn > 0n) {
    lines.push({ key: 'digest.money.received_walk_in', params: { amount: formatMoney(walkIn) } });
  }
  return lines.length > 0
    ? lines
    : [{ key: 'digest.money.received', params: { amount: formatMoney(rollup.total.received) } }];
}

export function cumulativeLines(
  campaign: Campaign,
  today: string,
  progress: UnitProgress[],
  rollup: FundRollup | undefined,
): Text[] {
  const houses = sumProgress(progress);
  const percent = completionPercent(houses);
  const lines: Text[] = [
    {
      key: 'digest.cumulative.heading',
      params: { start: isoToDisplay(campaign.startsOn), date: isoToDisplay(today) },
    },
    {
      key: 'digest.cumulative.houses',
      params: {
        completed: formatInteger(houses.completed),
        approved: formatInteger(houses.approved),
        handedOver: formatInteger(houses.handedOver),
        percent: percent === undefined ? '–' : `${percent}%`,
      },
    },
  ];
  if (rollup) {
    lines.push(
      {
        key: 'digest.cumulative.money',
        params: {
          received: formatMoney(rollup.total.received),
          disbursed: formatMoney(rollup.total.disbursed),
        },
      },
      { key: 'digest.cumulative.households', params: { households: formatInteger(rollup.households) } },
    );
  }
  return lines;
}

function share(part: bigint, whole: bigint, locale: Locale): string {
  const tenths = Number((part * 1000n) / whole);
  return `${Math.floor(tenths / 10)}${locale === 'vi' ? ',' : '.'}${tenths % 10}%`;
}

/** The most proposals a digest names of each kind; the rest are counted (see the summary export). */
const MAX_COMMENDATIONS = 20;

/**
 * The six-monthly digest's commendation section (issue 16 §6): who the campaign's criteria propose
 * (named as the campaign's, set by the area's standing committee), then what the wards proposed
 * in their reports, each with the ward's name.
 */
export async function commendationLines(
  tx: Tx,
  input: {
    campaign: Campaign;
    area: UnitView;
    units: UnitView[];
    progress: UnitProgress[];
    rollup: FundRollup | undefined;
    today: string;
    /** Every unit counted (predecessors too); the listed units when absent. */
    counted: readonly number[];
  },
): Promise<Text[]> {
  const { campaign, units, progress, rollup, today } = input;
  const proposals = await proposalsFor(tx, campaign, units, progress, rollup, today);
  const basis = criteriaBasis(await criteriaOwnerName(tx, campaign, input.area.name));
  const field = await fieldProposals(tx, campaign, input.counted);
  // A national campaign proposes thousands of donors: the digest names the first ones.
  const named = proposals.slice(0, MAX_COMMENDATIONS);
  const fieldNamed = field.slice(0, MAX_COMMENDATIONS);
  const more = proposals.length - named.length + field.length - fieldNamed.length;
  return [
    proposals.length > 0
      ? { key: 'digest.commendations', params: { basis } }
      : { key: 'digest.commendations.none', params: { basis } },
    ...named.map((p) => ({
      key: 'digest.commendation' as const,
      params: { name: p.name, reason: p.reason },
    })),
    ...(field.length > 0 ? [{ key: 'digest.commendations.field' as const }] : []),
    ...fieldNamed.map((f) => ({
      key: 'digest.commendation' as const,
      params: { name: shortUnitName(f.unit), reason: f.text.replace(/\s*\n\s*/g, '; ') },
    })),
    ...(more > 0 ? [{ key: 'digest.commendation.more' as const, params: { count: more } }] : []),
  ];
}
