import type { Campaign, Period, PeriodKind } from '../campaigns/campaign.ts';
import type { Text } from '../flows/flow.ts';
import { fundScope, loadRollup } from '../funds/fund-reports.ts';
import type { FundRollup } from '../funds/fund-views.ts';
import {
  completionPercent,
  loadUnitProgress,
  shortUnitName,
  stagesReached,
  sumProgress,
  type UnitProgress,
  unitsReported,
} from '../households/unit-progress.ts';
import { type Locale, type MessageKey, t } from '../messaging/catalog.ts';
import type { Outbound } from '../messaging/message.ts';
import { type AreaView, loadAreaUnits } from '../people/reorganisation.ts';
import { isLocalKind, type UnitView } from '../people/unit.repository.ts';
import { ROLES } from '../shared/actor.ts';
import { dateInZone, fromIsoDate, toIsoDate } from '../shared/calendar.ts';
import { formatDate, formatDateTime, formatInteger, formatMoney } from '../shared/format.ts';
import { proposalsFor } from '../summaries/proposals.ts';
import type { Tx } from '../unit-of-work.ts';
import { type ChartData, renderChartSvg } from './chart.ts';

/**
 * Digests to leadership groups (issue 6 §4): progress per ward and commune, who sent the report
 * due, the fund, and who the reminders could not reach, in short lines a phone shows without
 * wrapping much, plus one chart. The scheduled kinds differ in focus; `on_demand` is the weekly
 * view asked for at any time.
 */
export type DigestKind = 'weekly' | 'deadline' | 'semiannual' | 'on_demand';

export interface Digest {
  /** Title and subtitle (kind, area, date), in the options' locale: the picture's caption. */
  title: string;
  /** The text, one short line each; `digest.break` is the blank line between sections. */
  lines: Text[];
  chart: ChartData;
  /** `renderChartSvg(chart)`. */
  svg: string;
}

export interface DigestOptions {
  /** A city (its wards and communes are shown) or a single ward or commune. */
  areaUnitId: number;
  kind: DigestKind;
  now: Date;
  /** The language of the title and the chart (default Vietnamese); `lines` are rendered by the caller. */
  locale?: Locale;
}

/** Reminders that failed this recently make a person "unreachable". */
export const UNREACHABLE_DAYS = 7;
const MAX_UNREACHABLE = 10;
const MAX_COMMENDATIONS = 20;
const TOP_ORGANISATIONS = 5;
/** Names per line in a list of units: a line stays short on a phone. */
const LIST_WIDTH = 60;
const PERIOD_KINDS: readonly PeriodKind[] = ['monthly', 'quarterly', 'semiannual', 'final'];
const DAY_MS = 86_400_000;
const BREAK: Text = { key: 'digest.break' };

/** Builds the digest of an area; undefined without a current campaign or for an unknown unit. */
export async function buildDigest(tx: Tx, opts: DigestOptions): Promise<Digest | undefined> {
  const locale = opts.locale ?? 'vi';
  const campaign = await tx.campaigns.findCurrent();
  const area = await tx.units.findById(opts.areaUnitId);
  if (!campaign || !area) {
    return undefined;
  }
  const today = toIsoDate(dateInZone(opts.now, campaign.timeZone));
  // The wards and communes as they are on that day (merged ones once, under their successor) or,
  // for an area of several levels, the units right below it with everything under them.
  const view = await loadAreaUnits(tx, [area.id], today);
  const listed = view.units.length > 0;
  const units: UnitView[] = listed ? view.units : [area];
  const countsUnder = listed ? view.countsUnder : undefined;
  const local = listed && units.some((u) => !isLocalKind(u.kind)) ? view.local : undefined;
  const areaLabel = areaName(area.name);

  const progress = await loadUnitProgress(tx, units, countsUnder);
  const periods = await loadPeriods(tx, campaign.id);
  const justDue = periodsDueOn(periods, periods.filter((p) => p.dueOn <= today).at(-1)?.dueOn);
  const shown =
    opts.kind === 'semiannual'
      ? unique([...periods.filter((p) => p.kind === 'semiannual' && p.dueOn <= today).slice(-1), ...justDue])
      : justDue;
  const next = periodsDueOn(periods, periods.find((p) => p.dueOn > today)?.dueOn);
  // Donors only count for the six-monthly proposals: a national campaign has tens of thousands.
  const loaded = await loadRollup(tx, {
    ...(await fundScope(tx, [area.id], { rows: false })),
    perLevel: false,
    donors: opts.kind === 'semiannual',
  });
  const rollup = loaded?.rollup;

  const heading: Text =
    opts.kind === 'deadline' && justDue.length > 0
      ? { key: 'digest.title.deadline', params: { period: justDue.map((p) => p.label).join(', ') } }
      : { key: `digest.title.${opts.kind === 'deadline' ? 'on_demand' : opts.kind}` };
  const subtitle: Text =
    opts.kind === 'on_demand'
      ? {
          key: 'digest.subtitle_at',
          params: { area: areaLabel, at: formatDateTime(opts.now, campaign.timeZone) },
        }
      : { key: 'digest.subtitle', params: { area: areaLabel, date: isoToDisplay(today) } };

  const reports = local
    ? await localReportLines(tx, shown, units, opts.kind === 'deadline', local)
    : await reportLines(tx, shown, units, opts.kind === 'deadline', countsUnder);
  if (opts.kind !== 'semiannual' && next.length > 0) {
    reports.push({
      key: 'digest.reports.next',
      params: { period: next.map((p) => p.label).join(', '), due: isoToDisplay(next[0]?.dueOn ?? today) },
    });
  }
  const houses = houseLines(units, progress, local !== undefined);
  if (opts.kind === 'weekly') {
    // Right under the total, above the legend.
    const counted = countsUnder ? [...countsUnder.keys()] : units.map((u) => u.id);
    houses.splice(-1, 0, await weekChange(tx, counted, opts.now));
  }
  const sections: Text[][] =
    opts.kind === 'deadline'
      ? [reports, houses, moneyLines(rollup, locale, 0)]
      : [houses, reports, moneyLines(rollup, locale, TOP_ORGANISATIONS)];
  if (opts.kind === 'semiannual') {
    sections.unshift(cumulativeLines(campaign, today, progress, rollup));
  }
  if (opts.kind === 'semiannual') {
    // The collectives and people proposed for commendation, by the campaign's criteria.
    const proposals = await proposalsFor(tx, campaign, units, progress, rollup, today);
    // A national campaign proposes thousands of donors: the digest names the first ones.
    const named = proposals.slice(0, MAX_COMMENDATIONS);
    sections.push([
      { key: proposals.length > 0 ? 'digest.commendations' : 'digest.commendations.none' },
      ...named.map((p) => ({
        key: 'digest.commendation' as const,
        params: { name: p.name, reason: p.reason },
      })),
      ...(proposals.length > named.length
        ? [{ key: 'digest.commendation.more' as const, params: { count: proposals.length - named.length } }]
        : []),
    ]);
  }
  sections.push(await unreachableLines(tx, area, units, opts.now, countsUnder, local));

  const lines: Text[] = [heading, subtitle];
  for (const section of sections) {
    lines.push(BREAK, ...section);
  }

  const title = [t(locale, heading.key, heading.params), t(locale, subtitle.key, subtitle.params)];
  const chart: ChartData = {
    locale,
    // The chart's font has no emoji: the title starts at its first letter.
    title: title.map((line) => line.replace(/^[^\p{L}\p{N}]+/u, '')),
    units: units.map((u, i) => ({
      name: shortUnitName(u.name),
      percent: completionPercent(progress[i] ?? { approved: 0, completed: 0 }),
    })),
    organisations: (rollup?.organisations ?? []).slice(0, TOP_ORGANISATIONS).map((o) => ({
      name: organisationName(o.name),
      pledged: o.pledged,
      received: o.received,
    })),
  };
  return { title: title.join('\n'), lines, chart, svg: renderChartSvg(chart) };
}

/** The digest as one message: the chart first (captioned with the title), then the text. */
export function digestMessage(digest: Digest, locale: Locale): Outbound {
  return { text: digestText(digest, locale), image: { svg: digest.svg, caption: digest.title } };
}

/** The text, one line per `Text`; a long digest splits at its blank lines (bot/split-text.ts). */
export function digestText(digest: Digest, locale: Locale): string {
  return digest.lines.map((line) => t(locale, line.key, line.params)).join('\n');
}

async function loadPeriods(tx: Tx, campaignId: number): Promise<Period[]> {
  const lists = await Promise.all(PERIOD_KINDS.map((kind) => tx.campaigns.listPeriods(campaignId, kind)));
  return lists.flat().sort((a, b) => a.dueOn.localeCompare(b.dueOn) || a.id - b.id);
}

/** Periods that fall due the same day (the February report and the first quarter's, both on 15/03). */
function periodsDueOn(periods: Period[], dueOn: string | undefined): Period[] {
  return dueOn === undefined ? [] : periods.filter((p) => p.dueOn === dueOn);
}

function unique(periods: Period[]): Period[] {
  return periods.filter((p, i) => periods.findIndex((q) => q.id === p.id) === i);
}

function houseLines(units: UnitView[], progress: UnitProgress[], multiLevel: boolean): Text[] {
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
async function weekChange(tx: Tx, unitIds: number[], now: Date): Promise<Text> {
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

async function reportLines(
  tx: Tx,
  periods: Period[],
  units: UnitView[],
  detailed: boolean,
  countsUnder: ReadonlyMap<number, number> | undefined,
): Promise<Text[]> {
  if (periods.length === 0) {
    return [{ key: 'digest.reports.none_due' }];
  }
  const ids = units.map((u) => u.id);
  const lines: Text[] = [];
  let anyLate = false;
  for (const period of periods) {
    const reported = await unitsReported(tx, period, ids, countsUnder);
    const done = units.filter((u) => reported.has(u.id)).map((u) => shortUnitName(u.name));
    const late = units.filter((u) => !reported.has(u.id)).map((u) => shortUnitName(u.name));
    lines.push({
      key: 'digest.reports.status',
      params: {
        period: period.label,
        due: isoToDisplay(period.dueOn),
        count: done.length,
        total: units.length,
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
async function localReportLines(
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
    const missing = new Map<number, number>();
    const expected = new Map<number, number>();
    for (const u of local.units) {
      const row = local.rowOf.get(u.id) ?? u.id;
      expected.set(row, (expected.get(row) ?? 0) + 1);
      if (!reported.has(u.id)) {
        missing.set(row, (missing.get(row) ?? 0) + 1);
      }
    }
    const count = local.units.filter((u) => reported.has(u.id)).length;
    lines.push({
      key: 'digest.reports.status_local',
      params: {
        period: period.label,
        due: isoToDisplay(period.dueOn),
        count: formatInteger(count),
        total: formatInteger(local.units.length),
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

function moneyLines(rollup: FundRollup | undefined, locale: Locale, topOrganisations: number): Text[] {
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
    rollup.pledged > 0n
      ? {
          key: 'digest.money.received_share',
          params: {
            amount: formatMoney(total.received),
            percent: share(total.received, rollup.pledged, locale),
          },
        }
      : { key: 'digest.money.received', params: { amount: formatMoney(total.received) } },
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

function cumulativeLines(
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

/**
 * People of the area whose reminders or escalations of the last days could not be delivered
 * (failed, or held until they write to the bot again) and who received nothing since.
 */
async function unreachableLines(
  tx: Tx,
  area: UnitView,
  units: UnitView[],
  now: Date,
  countsUnder: ReadonlyMap<number, number> | undefined,
  local: AreaView['local'] | undefined,
): Promise<Text[]> {
  const since = new Date(now.getTime() - UNREACHABLE_DAYS * DAY_MS);
  const messages = await tx.reminders.bulkSince(since);
  const lastSent = new Map<number, number>();
  for (const m of messages) {
    if (m.personId !== null && m.status === 'sent') {
      lastSent.set(m.personId, Math.max(lastSent.get(m.personId) ?? 0, m.createdAt.getTime()));
    }
  }
  const unreached = new Set<number>();
  for (const m of messages) {
    if (
      m.personId !== null &&
      (m.purpose === 'reminder' || m.purpose === 'escalation') &&
      (m.status === 'failed' || m.status === 'held') &&
      (lastSent.get(m.personId) ?? 0) <= m.createdAt.getTime()
    ) {
      unreached.add(m.personId);
    }
  }
  const days = { days: UNREACHABLE_DAYS };
  if (unreached.size === 0) {
    return [{ key: 'digest.unreachable.none', params: days }];
  }
  const unitNames = new Map<number, string>([
    [area.id, areaName(area.name)],
    ...units.map((u): [number, string] => [u.id, shortUnitName(u.name)]),
  ]);
  // Below an area of several levels, a ward or commune is named with the unit it is listed under.
  if (local) {
    for (const u of local.units) {
      const row = unitNames.get(local.rowOf.get(u.id) ?? u.id);
      unitNames.set(u.id, row === undefined ? shortUnitName(u.name) : `${shortUnitName(u.name)}, ${row}`);
    }
  }
  // People still attached to a merged predecessor are shown under its successor.
  for (const [id, shownId] of [...(local?.countsUnder ?? []), ...(countsUnder ?? [])]) {
    const name = unitNames.get(shownId);
    if (name !== undefined && !unitNames.has(id)) {
      unitNames.set(id, name);
    }
  }
  const people = new Map<number, { name: string; unit: string }>();
  for (const member of await tx.reminders.members(ROLES, [...unreached])) {
    const unit = unitNames.get(member.unitId);
    if (unit !== undefined && unreached.has(member.personId) && !people.has(member.personId)) {
      people.set(member.personId, { name: member.fullName, unit });
    }
  }
  if (people.size === 0) {
    return [{ key: 'digest.unreachable.none', params: days }];
  }
  const named = [...people.values()].sort(
    (a, b) => a.unit.localeCompare(b.unit, 'vi') || a.name.localeCompare(b.name, 'vi'),
  );
  const lines: Text[] = [{ key: 'digest.unreachable.heading', params: days }];
  for (const p of named.slice(0, MAX_UNREACHABLE)) {
    lines.push({ key: 'digest.unreachable.person', params: { name: p.name, unit: p.unit } });
  }
  if (named.length > MAX_UNREACHABLE) {
    lines.push({ key: 'digest.unreachable.more', params: { count: named.length - MAX_UNREACHABLE } });
  }
  return lines;
}

/**
 * "Ủy ban MTTQ Việt Nam thành phố Bắc Kạn" → "Thành phố Bắc Kạn", the central committee → "Cả nước";
 * a ward keeps its name.
 */
export function areaName(name: string): string {
  if (/^(Ủy ban|Uỷ ban|UB)\s+Trung ương\s+MTTQ/iu.test(name)) {
    return 'Cả nước';
  }
  const bare = name.replace(/^(Ủy ban|Uỷ ban|UB)\s+MTTQ(\s+Việt Nam)?\s+/iu, '');
  return bare.charAt(0).toLocaleUpperCase('vi') + bare.slice(1);
}

/** "Hội Liên hiệp Phụ nữ thành phố Bắc Kạn" → "Hội Liên hiệp Phụ nữ": the place is the digest's. */
export function organisationName(name: string): string {
  return name.replace(/\s+(thành phố|tỉnh|huyện|thị xã|quận|phường|xã|thị trấn)\s+\p{Lu}.*$/u, '');
}

function share(part: bigint, whole: bigint, locale: Locale): string {
  const tenths = Number((part * 1000n) / whole);
  return `${Math.floor(tenths / 10)}${locale === 'vi' ? ',' : '.'}${tenths % 10}%`;
}

function isoToDisplay(iso: string): string {
  return formatDate(fromIsoDate(iso));
}
