import type { Text } from '../flows/flow.ts';
import { leaderUnitIds } from '../households/leaders-view.ts';
import { t } from '../messaging/catalog.ts';
import type { Choice } from '../messaging/message.ts';
import type { Actor } from '../people/people.ts';
import { dateInZone, toIsoDate } from '../shared/calendar.ts';
import type { Tx } from '../unit-of-work.ts';
import { fundLevelsOf, isFundKeeper } from './fund-flows.ts';
import { acknowledgementLines, buildRollup, publicSummaryLines, rollupLines } from './fund-views.ts';

/** Everything the roll-ups are built from, read in the same transaction. */
export async function loadRollup(tx: Tx) {
  const campaign = await tx.campaigns.findCurrent();
  if (!campaign) {
    return undefined;
  }
  const [units, pledges, entries] = await Promise.all([
    tx.units.listByKinds(['province', 'city', 'district', 'ward', 'commune', 'member_org']),
    tx.pledges.listByCampaign(campaign.id),
    tx.funds.listByCampaign(campaign.id),
  ]);
  return { campaign, rollup: buildRollup(units, pledges, entries) };
}

/** `/congkhai`: the public summary, for anyone (it names only donors who agreed). */
export async function publicSummary(tx: Tx, now: Date): Promise<Text[]> {
  const loaded = await loadRollup(tx);
  if (!loaded) {
    return [{ key: 'report.refused.no_campaign' }];
  }
  const today = toIsoDate(dateInZone(now, loaded.campaign.timeZone));
  return publicSummaryLines(loaded.rollup, loaded.campaign.name, today);
}

/** `/quy`: the fund board's and leaders' roll-up; undefined for anyone else. */
export async function fundRollupFor(tx: Tx, actor: Actor): Promise<Text[] | undefined> {
  if (!isFundKeeper(actor) && leaderUnitIds(actor).length === 0) {
    return undefined;
  }
  const loaded = await loadRollup(tx);
  return loaded ? rollupLines(loaded.rollup) : [{ key: 'report.refused.no_campaign' }];
}

/**
 * The acknowledgement of a donation ("xác nhận việc tài trợ, ủng hộ"): shown to the fund officer,
 * and with `send` put in the outbox for the donor's chats (once per amount received: pressing the
 * button again sends nothing new).
 */
export async function acknowledgement(
  tx: Tx,
  actor: Actor,
  pledgeId: number,
  now: Date,
  send: boolean,
): Promise<{ lines: Text[]; choices: Choice[][] } | undefined> {
  const campaign = await tx.campaigns.findCurrent();
  const pledge = await tx.pledges.findById(pledgeId);
  const levels = await fundLevelsOf(tx, actor);
  if (!campaign || !pledge || !levels.some((l) => l.id === pledge.fundUnitId)) {
    return undefined;
  }
  const today = toIsoDate(dateInZone(now, campaign.timeZone));
  if (pledge.received === 0n) {
    return { lines: [{ key: 'fund.ack.nothing', params: { ref: pledge.ref } }], choices: [] };
  }
  const lines = acknowledgementLines(pledge, campaign.name, today);
  const chats = pledge.personId === null ? [] : await tx.people.identitiesOf(pledge.personId);
  if (!send) {
    const choices: Choice[][] =
      chats.length > 0 ? [[{ id: `menu:acksend:${pledge.id}`, label: '📨 Gửi cho người ủng hộ' }]] : [];
    return {
      lines: [...lines, { key: chats.length > 0 ? 'fund.ack.can_send' : 'fund.ack.no_chat' }],
      choices,
    };
  }
  await tx.outbox.enqueue(
    chats.map((c) => ({
      channel: c.channel,
      chatId: c.externalUserId,
      message: { text: lines.map((l) => t('vi', l.key, l.params)).join('\n') },
      idempotencyKey: `ack:${pledge.id}:${pledge.received}:${c.channel}:${c.externalUserId}`,
      purpose: 'notice' as const,
      personId: pledge.personId,
    })),
    now,
  );
  await tx.audit.record(
    {
      personId: actor.personId,
      channel: null,
      action: 'pledge.acknowledge',
      entity: 'Pledge',
      entityId: String(pledge.id),
      after: { received: pledge.received.toString() },
    },
    now,
  );
  return {
    lines: [{ key: 'fund.ack.sent', params: { ref: pledge.ref, donor: pledge.donorName } }],
    choices: [],
  };
}
