import type { Campaign, Period } from '../campaigns/campaign.ts';
import { campaignsByUnit } from '../campaigns/campaign-of.ts';
import { campaignFor, isClosed } from '../campaigns/coverage.ts';
import type { Outbound } from '../messaging/message.ts';
import { addDays, dateInZone, fromIsoDate, startOfDay, toIsoDate } from '../shared/calendar.ts';
import type { Tx } from '../unit-of-work.ts';
import { AREA_KINDS } from '../units/unit.repository.ts';
import type { LeadershipGroupRecord, ScheduledDigestKind } from './group.repository.ts';

/**
 * When leadership groups get their digests (issue 6 §4): weekly on Monday at 07:30, the morning
 * after each weekly, monthly and quarterly deadline at 08:00 (reports are due before `dueOn`, so on `dueOn`
 * itself), and each six-monthly summary's due morning. Pure: the job inserts each under a key per
 * group and slot, so repeating it, a restart or a second instance sends nothing twice; a slot more
 * than `catchUpHours` old is dropped rather than sent late.
 */

export interface DueDigest {
  group: LeadershipGroupRecord;
  kind: ScheduledDigestKind;
  key: string;
  slotAt: Date;
}

const WEEKLY_AT = 7 * 60 + 30;
const DEADLINE_AT = 8 * 60;

export function dueDigests(
  groups: readonly LeadershipGroupRecord[],
  periods: readonly Pick<Period, 'kind' | 'code' | 'dueOn'>[],
  now: Date,
  timeZone: string,
  catchUpHours = 12,
): DueDigest[] {
  const today = dateInZone(now, timeZone);
  const at = (day: ReturnType<typeof dateInZone>, minutes: number) =>
    new Date(startOfDay(day, timeZone).getTime() + minutes * 60_000);
  const fresh = (slot: Date) => slot <= now && now.getTime() - slot.getTime() < catchUpHours * 3_600_000;
  const out: DueDigest[] = [];
  for (const group of groups) {
    // This week's Monday (and last week's, for a pass just after midnight inside the window).
    for (const back of [0, 7]) {
      // The calendar date's weekday (0 = Sunday), independent of the machine's zone.
      const weekday = new Date(Date.UTC(today.year, today.month - 1, today.day)).getUTCDay();
      const monday = addDays(today, -((weekday + 6) % 7) - back);
      const slot = at(monday, WEEKLY_AT);
      if (group.digests.includes('weekly') && fresh(slot)) {
        out.push({
          group,
          kind: 'weekly',
          key: `digest:${group.id}:weekly:${toIsoDate(monday)}`,
          slotAt: slot,
        });
      }
    }
    for (const p of periods) {
      const kind: ScheduledDigestKind | undefined =
        p.kind === 'weekly' || p.kind === 'monthly' || p.kind === 'quarterly'
          ? 'deadline'
          : p.kind === 'semiannual'
            ? 'semiannual'
            : undefined;
      if (!kind || !group.digests.includes(kind)) {
        continue;
      }
      const slot = at(fromIsoDate(p.dueOn), DEADLINE_AT);
      if (fresh(slot)) {
        out.push({ group, kind, key: `digest:${group.id}:${kind}:${p.code}`, slotAt: slot });
      }
    }
  }
  // A monthly and a quarterly deadline on the same morning make one digest, not two.
  const seen = new Set<string>();
  return out
    .sort((a, b) => a.slotAt.getTime() - b.slotAt.getTime() || a.key.localeCompare(b.key))
    .filter((d) => {
      const day = `${d.group.id}:${d.kind}:${toIsoDate(dateInZone(d.slotAt, timeZone))}`;
      if (seen.has(day)) {
        return false;
      }
      seen.add(day);
      return true;
    });
}

export type DigestBuilder = (
  tx: Tx,
  opts: { areaUnitId: number; kind: ScheduledDigestKind | 'on_demand'; now: Date },
) => Promise<Outbound | undefined>;

/** The scheduler's digest job: builds and enqueues each digest due now that is not out yet. */
export async function runDigests(tx: Tx, now: Date, build: DigestBuilder): Promise<number> {
  // One instance builds the due digests at a time; the other then finds them in the outbox.
  await tx.lock('scheduler:digests');
  const groups = await tx.groups.listActive();
  if (groups.length === 0) {
    return 0;
  }
  // Each group gets the digests of its area's campaign, on that campaign's deadlines. A closed
  // campaign's groups get none any more (issue 15 §1): its figures stay readable on /digest,
  // /tinhhinh and in the exports, but nothing is pushed for a campaign that ended.
  const campaignOf = await groupCampaigns(tx, groups, now);
  const due: DueDigest[] = [];
  for (const [campaign, own] of campaignOf) {
    if (isClosed(campaign, now)) {
      continue;
    }
    const periods = (
      await Promise.all(
        (['weekly', 'monthly', 'quarterly', 'semiannual'] as const).map((k) =>
          tx.campaigns.listPeriods(campaign.id, k),
        ),
      )
    ).flat();
    due.push(...dueDigests(own, periods, now, campaign.timeZone));
  }
  if (due.length === 0) {
    return 0;
  }
  const sent = new Set(
    (await tx.reminders.bulkSince(new Date(now.getTime() - 2 * 86_400_000)))
      .filter((m) => m.purpose === 'digest')
      .map((m) => m.idempotencyKey),
  );
  let added = 0;
  for (const d of due) {
    if (sent.has(d.key)) {
      continue;
    }
    const message = await build(tx, { areaUnitId: d.group.unitId, kind: d.kind, now });
    if (message) {
      added += await tx.outbox.enqueue(
        [
          {
            channel: d.group.channel,
            chatId: d.group.chatId,
            message,
            idempotencyKey: d.key,
            purpose: 'digest',
          },
        ],
        now,
      );
    }
  }
  return added;
}

/** The groups of each campaign: the campaign covering the group's unit (or below it, for a group above every area). */
async function groupCampaigns(
  tx: Tx,
  groups: readonly LeadershipGroupRecord[],
  now: Date,
): Promise<Map<Campaign, LeadershipGroupRecord[]>> {
  const campaigns = await tx.campaigns.list();
  const byUnit = campaignsByUnit(campaigns, await tx.units.listByKinds(AREA_KINDS), now);
  const out = new Map<Campaign, LeadershipGroupRecord[]>();
  for (const group of groups) {
    const campaign = byUnit.get(group.unitId) ?? (await campaignFor(tx, [group.unitId], now));
    if (campaign) {
      const same = [...out.keys()].find((c) => c.id === campaign.id) ?? campaign;
      out.set(same, [...(out.get(same) ?? []), group]);
    }
  }
  return out;
}
