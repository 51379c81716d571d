import { can, membershipsFor } from '../access/access.ts';
import { campaignOf, unitIdsOf } from '../campaigns/campaign-of.ts';
import type { Text } from '../flows/flow.ts';
import type { Channel } from '../messaging/message.ts';
import type { Actor } from '../shared/actor.ts';
import type { Tx } from '../unit-of-work.ts';

/**
 * "Đã báo cáo bằng văn bản": the officer reported on paper, so no more reminders for that period.
 * Returns what to tell them: the pause, or why there is none (not an officer, no such period).
 */
export async function pauseReminders(
  tx: Tx,
  actor: Actor,
  periodId: number,
  now: Date,
  channel: Channel,
): Promise<Text> {
  // The campaign of the officer's units: its periods are the ones they are reminded of.
  const campaign = await campaignOf(tx, unitIdsOf(membershipsFor(actor, 'reminder.pause')), now);
  if (!campaign || !can(actor, 'reminder.pause')) {
    return { key: 'report.refused.not_officer' };
  }
  const periods = (
    await Promise.all(
      (['weekly', 'monthly', 'quarterly', 'semiannual', 'final'] as const).map((k) =>
        tx.campaigns.listPeriods(campaign.id, k),
      ),
    )
  ).flat();
  const period = periods.find((p) => p.id === periodId);
  if (!period) {
    return { key: 'flow.stale_button' };
  }
  await tx.reminders.addPause(
    { personId: actor.personId, periodId, until: null, reason: 'đã báo cáo bằng văn bản' },
    now,
  );
  await tx.audit.record(
    {
      personId: actor.personId,
      channel,
      action: 'reminder.pause',
      entity: 'ReportingPeriod',
      entityId: String(periodId),
    },
    now,
  );
  return { key: 'reminder.paused', params: { period: period.label } };
}
