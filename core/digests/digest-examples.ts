import type { Campaign, Period } from '../campaigns/campaign.ts';
import { examplesIn } from '../examples/model-examples.ts';
import type { Text } from '../flows/flow.ts';
import { shortUnitName } from '../households/unit-progress.ts';
import { fromIsoDate, startOfDay } from '../shared/calendar.ts';
import type { Tx } from '../unit-of-work.ts';
import { organisationName } from './digest-names.ts';

/** The most examples a digest names; the rest are counted. */
const MAX_EXAMPLES = 3;
/** A description longer than this is cut in a digest (a phone's few lines); the report has it whole. */
const WHAT_IN_DIGEST = 160;
const WEEK_MS = 7 * 86_400_000;

/**
 * "🌟 Gương điển hình mới" (issue 17 §4): the model examples of the area recorded since the last
 * digest of the kind — the week before a weekly (or asked-for) digest, the six months of a six-monthly
 * one — newest first, at most three named. Nothing when none was recorded, or for a deadline digest
 * (it is about the reports due).
 */
export async function exampleLines(
  tx: Tx,
  input: {
    campaign: Campaign;
    areaUnitId: number;
    /** The digest's kind (digest.ts `DigestKind`, not imported: digest.ts imports this file). */
    kind: 'weekly' | 'deadline' | 'semiannual' | 'on_demand';
    now: Date;
    /** The six-monthly period a six-monthly digest is about. */
    semiannual?: Period;
  },
): Promise<Text[]> {
  const { campaign, kind, now } = input;
  if (kind === 'deadline') {
    return [];
  }
  const since =
    kind === 'semiannual' && input.semiannual
      ? startOfDay(fromIsoDate(input.semiannual.startsOn), campaign.timeZone)
      : new Date(now.getTime() - WEEK_MS);
  const recent = (
    await examplesIn(
      tx.units,
      input.areaUnitId,
      // Up to and including `now` (an example recorded this very instant is in).
      (
        await tx.examples.listBetween(campaign.id, since, new Date(now.getTime() + 1))
      ).filter((e) => e.withdrawnAt === null),
    )
  ).reverse();
  if (recent.length === 0) {
    return [];
  }
  const named = recent.slice(0, MAX_EXAMPLES);
  return [
    { key: 'digest.examples.heading' },
    ...named.map((e) => ({
      key: 'digest.examples.item' as const,
      params: { who: e.who, unit: unitLabel(e.unitName ?? ''), what: shortened(e.what) },
    })),
    ...(recent.length > named.length
      ? [{ key: 'digest.examples.more' as const, params: { count: recent.length - named.length } }]
      : []),
  ];
}

/** A member organisation without its place ("Hội Liên hiệp Phụ nữ"), a ward by its short name ("Đức Xuân"). */
function unitLabel(name: string): string {
  const organisation = organisationName(name);
  return organisation !== name ? organisation : shortUnitName(name);
}

function shortened(what: string): string {
  const flat = what.replace(/\s*\n\s*/gu, '; ').trim();
  return flat.length <= WHAT_IN_DIGEST ? flat : `${flat.slice(0, WHAT_IN_DIGEST - 1).trimEnd()}…`;
}
