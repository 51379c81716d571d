import { donorLabel } from '../board/board-view.ts';
import { campaignOfUnit } from '../campaigns/campaign-of.ts';
import type { Text } from '../flows/flow.ts';
import { fundScope, loadRollup } from '../funds/fund-reports.ts';
import { pledgeWhat } from '../funds/fund-views.ts';
import { type Locale, t } from '../messaging/catalog.ts';
import { zonedParts } from '../shared/calendar.ts';
import { formatDateTime, formatInteger, formatMoney, formatTime } from '../shared/format.ts';
import type { Tx } from '../unit-of-work.ts';
import { receivedLines } from './digest-sections.ts';

/**
 * The pinned totals message of a leadership group (issue 17 §3): the campaign's money for the
 * group's area — pledged (and how many pledges), received, allocated and paid when any — and the
 * newest pledges, donors named only with their consent. Kept to about a dozen short lines so a
 * phone shows it whole when the pin is opened; the bot edits it in place as pledges arrive.
 */

/** How many of the newest pledges the message lists. */
export const PINNED_LATEST = 3;
/** The newest pledges of the campaign looked through for those of the area's funds. */
const LATEST_SCAN = 30;
/** A donor's name longer than this is cut (a company's full registered name can be very long). */
const NAME_LENGTH = 60;

export interface PinnedTotals {
  campaignId: number;
  /** The message without its time line: an edit is due only when this changes. */
  body: string;
  /** The campaign's time zone, for the time line. */
  timeZone: string;
}

/**
 * The message for a group whose area is `areaUnitId`; undefined when no campaign covers it. The
 * money is that of the area's funds as the digests show it (`fundScope`: a ward's group sees its
 * city's funds).
 */
export async function buildPinnedTotals(
  tx: Tx,
  areaUnitId: number,
  now: Date,
  locale: Locale = 'vi',
): Promise<PinnedTotals | undefined> {
  const campaign = await campaignOfUnit(tx, areaUnitId, now);
  if (!campaign) {
    return undefined;
  }
  const scope = await fundScope(tx, [areaUnitId], { rows: false });
  const inScope = (levelId: number) => scope.levelIds === null || scope.levelIds.includes(levelId);
  const [loaded, sums, latest] = await Promise.all([
    loadRollup(tx, { campaign, ...scope, perLevel: false, donors: false }),
    tx.board.levelSums(campaign.id),
    tx.board.latestPledges(campaign.id, LATEST_SCAN),
  ]);
  if (!loaded) {
    return undefined;
  }
  const { rollup } = loaded;
  const { total } = rollup;
  const lines: Text[] = [
    { key: 'pinned.title', params: { campaign: campaign.name } },
    { key: 'digest.money.heading' },
    {
      key: 'pinned.pledged',
      params: {
        amount: formatMoney(rollup.pledged),
        count: formatInteger(sums.filter((s) => inScope(s.unitId)).reduce((n, s) => n + s.pledges, 0)),
      },
    },
    ...receivedLines(rollup, locale),
  ];
  if (total.allocated > 0n) {
    lines.push({
      key: 'digest.money.allocated',
      params: { amount: formatMoney(total.allocated), households: formatInteger(rollup.households) },
    });
  }
  if (total.disbursed > 0n) {
    lines.push({ key: 'digest.money.disbursed', params: { amount: formatMoney(total.disbursed) } });
  }
  // The board reads the campaign's newest pledges; a province's campaign has other cities' too.
  const newest = latest.filter((p) => inScope(p.fundUnitId)).slice(0, PINNED_LATEST);
  if (newest.length > 0) {
    lines.push({ key: 'pinned.latest' });
    for (const p of newest) {
      const donor = donorLabel(p, locale);
      lines.push({
        key: 'pinned.latest.line',
        params: {
          time: formatTime(zonedParts(p.createdAt, campaign.timeZone)),
          donor: donor.length > NAME_LENGTH ? `${donor.slice(0, NAME_LENGTH - 1)}…` : donor,
          what: pledgeWhat(p),
        },
      });
    }
  }
  return {
    campaignId: campaign.id,
    body: lines.map((line) => t(locale, line.key, line.params)).join('\n'),
    timeZone: campaign.timeZone,
  };
}

/**
 * The whole message: the body and "🕒 Cập nhật lúc 09:42 ngày 14/04/2025", when the figures it
 * shows last changed (with the day: a quiet week leaves the message as it was).
 */
export function pinnedTotalsText(totals: PinnedTotals, at: Date, locale: Locale = 'vi'): string {
  return `${totals.body}\n${t(locale, 'pinned.updated', { time: formatDateTime(at, totals.timeZone) })}`;
}

/** Whether the message last put in the pin (`pinnedTotalsText`) already shows this body. */
export function showsTotals(text: string | null, totals: PinnedTotals): boolean {
  return text !== null && text.slice(0, text.lastIndexOf('\n')) === totals.body;
}
