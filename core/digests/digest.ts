import type { Period, PeriodKind } from '../campaigns/campaign.ts';
import { campaignOfUnit } from '../campaigns/campaign-of.ts';
import { isCommitteeOnly } from '../committee/obligation.ts';
import type { Text } from '../flows/flow.ts';
import { fundScope, loadRollup } from '../funds/fund-reports.ts';
import { completionPercent, loadUnitProgress, shortUnitName } from '../households/unit-progress.ts';
import { type Locale, t } from '../messaging/catalog.ts';
import { bold } from '../messaging/markup.ts';
import type { Outbound } from '../messaging/message.ts';
import { loadAreaUnits } from '../people/area-view.ts';
import { dateInZone, toIsoDate } from '../shared/calendar.ts';
import { formatDateTime } from '../shared/format.ts';
import type { Tx } from '../unit-of-work.ts';
import { isLocalKind, type UnitView } from '../units/unit.repository.ts';
import { type ChartData, renderChartSvg } from './chart.ts';
import { committeeLines } from './digest-committee.ts';
import { exampleLines } from './digest-examples.ts';
import { areaName, isoToDisplay, organisationName } from './digest-names.ts';
import {
  commendationLines,
  cumulativeLines,
  houseLines,
  localReportLines,
  moneyLines,
  reportLines,
  weekChange,
} from './digest-sections.ts';
import { unreachableLines } from './digest-unreachable.ts';

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

const TOP_ORGANISATIONS = 5;
const PERIOD_KINDS: readonly PeriodKind[] = ['weekly', 'monthly', 'quarterly', 'semiannual', 'final'];
const BREAK: Text = { key: 'digest.break' };

/** Builds the digest of an area; undefined without a current campaign or for an unknown unit. */
export async function buildDigest(tx: Tx, opts: DigestOptions): Promise<Digest | undefined> {
  const locale = opts.locale ?? 'vi';
  // The campaign of the area (several may run at once, each over its own area).
  const campaign = await campaignOfUnit(tx, opts.areaUnitId, opts.now);
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
  // The wards' next report: the six-monthly one is the committee's own (issue 16 §2), shown apart.
  const wardPeriods = periods.filter((p) => !isCommitteeOnly(p.kind));
  const next = periodsDueOn(wardPeriods, wardPeriods.find((p) => p.dueOn > today)?.dueOn);
  // Donors only count for the six-monthly proposals: a national campaign has tens of thousands.
  const loaded = await loadRollup(tx, {
    campaign,
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

  // The wards are counted for their own reports only; the committee's own are shown as its.
  const owed = shown.filter((p) => !isCommitteeOnly(p.kind));
  const reports =
    owed.length === 0 && shown.length > 0
      ? []
      : local
        ? await localReportLines(tx, owed, units, opts.kind === 'deadline', local)
        : await reportLines(
            tx,
            owed,
            units,
            opts.kind === 'deadline',
            countsUnder,
            listed ? view.expected : undefined,
          );
  reports.push(...(await committeeLines(tx, campaign, area.id, shown, today)));
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
    // Proposed for commendation: by the campaign's criteria, and by the wards in their reports.
    sections.push(
      await commendationLines(tx, {
        campaign,
        area,
        units,
        progress,
        rollup,
        today,
        counted: countsUnder ? [...countsUnder.keys()] : units.map((u) => u.id),
      }),
    );
  }
  const examples = await exampleLines(tx, {
    campaign,
    areaUnitId: area.id,
    kind: opts.kind,
    now: opts.now,
    semiannual: shown.find((p) => p.kind === 'semiannual'),
  });
  if (examples.length > 0) {
    sections.push(examples);
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

/**
 * The text, one line per `Text`; a long digest splits at its blank lines (bot/split-text.ts). The
 * title and each section's heading (its first line) are in bold.
 */
export function digestText(digest: Digest, locale: Locale): string {
  return digest.lines
    .map((line, i) => {
      const text = t(locale, line.key, line.params);
      const heading = i === 0 || line.key.endsWith('.heading') || digest.lines[i - 1]?.key === BREAK.key;
      return heading && text !== '' ? bold(text) : text;
    })
    .join('\n');
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
