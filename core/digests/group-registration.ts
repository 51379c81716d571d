import { can, canAt, unitPath, unitsFor } from '../access/access.ts';
import type { Text } from '../flows/flow.ts';
import { t } from '../messaging/catalog.ts';
import type { Choice, Inbound } from '../messaging/message.ts';
import type { Actor } from '../shared/actor.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { normalizeVi } from '../shared/parse.ts';
import type { Tx } from '../unit-of-work.ts';
import { DIGEST_KINDS, type ScheduledDigestKind } from './group.repository.ts';

/**
 * `/dangkynhom` in a Telegram group (or a Zalo GMF group): a leader asks for the group to receive
 * the digests of their area; an admin confirms from a private chat (issue 6 §4). An admin's own
 * request needs no second confirmation.
 */

const KIND_WORDS: Record<string, ScheduledDigestKind> = {
  tuan: 'weekly',
  weekly: 'weekly',
  han: 'deadline',
  deadline: 'deadline',
  '6thang': 'semiannual',
  semiannual: 'semiannual',
};

/** "tuan han" → weekly + deadline; nothing (or nothing known) → every kind. */
export function parseDigestKinds(args: string): ScheduledDigestKind[] {
  const words = normalizeVi(args).replace(/[, ]+/g, ' ').split(' ');
  const kinds = DIGEST_KINDS.filter((k) => words.some((w) => KIND_WORDS[w.replace(/\s/g, '')] === k));
  return kinds.length > 0 ? kinds : [...DIGEST_KINDS];
}

export async function registerGroup(
  tx: Tx,
  inbound: Inbound,
  actor: Actor | undefined,
  args: string,
  now: Date,
): Promise<Text[]> {
  // The group gets the digests of the sender's first area (a leader's or an admin's unit).
  const areaId = unitsFor(actor, 'group.register')[0];
  const area = actor?.memberships.find((m) => m.unitId === areaId);
  if (!actor || !area) {
    return [{ key: 'group.refused.not_leader' }];
  }
  // An admin of the area needs no second confirmation of their own request.
  const isAdmin = await canAt(tx.units, actor, 'group.decide', area.unitId);
  const digests = parseDigestKinds(args);
  const group = await tx.groups.request(
    {
      channel: inbound.channel,
      chatId: inbound.chatId,
      title: inbound.chatTitle ?? null,
      unitId: area.unitId,
      digests,
      requestedBy: actor.personId,
    },
    isAdmin ? 'active' : 'pending',
    now,
  );
  await tx.audit.record(
    {
      personId: actor.personId,
      channel: inbound.channel,
      action: 'group.request',
      entity: 'LeadershipGroup',
      entityId: String(group.id),
      after: { unitId: area.unitId, digests, status: group.status },
    },
    now,
  );
  const kinds = digests.map((k) => ({ key: `group.kind.${k}` as const }));
  if (group.status === 'active') {
    return [{ key: 'group.active', params: { unit: area.unitName, kinds } }];
  }
  // Every admin of the area (of the unit or one above it) hears of it in private, with the buttons.
  const path = await unitPath(tx.units, area.unitId);
  const above = new Set([path.id, ...path.ancestors]);
  const admins = (await tx.reminders.members(['admin'])).filter((a) => above.has(a.unitId));
  const text = t('vi', 'group.ask_admin', {
    name: actor.fullName,
    title: inbound.chatTitle ?? inbound.chatId,
    unit: area.unitName,
    kinds: digests.map((k) => t('vi', `group.kind.${k}`)).join(', '),
  });
  const choices: Choice[][] = [
    [
      { id: menuButtonId('grpok', group.id), label: '✅ Xác nhận' },
      { id: menuButtonId('grpno', group.id), label: '✖️ Từ chối' },
    ],
  ];
  await tx.outbox.enqueue(
    admins.flatMap((a) =>
      a.chats.map((c) => ({
        channel: c.channel,
        chatId: c.chatId,
        message: { text, choices },
        idempotencyKey: `group-request:${group.id}:${now.getTime()}:${c.channel}:${c.chatId}`,
        purpose: 'notice' as const,
        personId: a.personId,
      })),
    ),
    now,
  );
  return [{ key: 'group.pending', params: { unit: area.unitName, kinds } }];
}

/** An admin's answer to a group's request; the group hears of it. */
export async function decideGroup(
  tx: Tx,
  actor: Actor,
  id: number,
  approve: boolean,
  now: Date,
): Promise<Text[]> {
  if (!can(actor, 'group.decide')) {
    return [{ key: 'group.refused.not_admin' }];
  }
  const group = await tx.groups.findById(id);
  if (!group) {
    return [{ key: 'flow.stale_button' }];
  }
  // Only an admin of the group's area (its unit or a unit above it) decides.
  if (!(await canAt(tx.units, actor, 'group.decide', group.unitId))) {
    return [{ key: 'group.refused.not_admin' }];
  }
  const changed = await tx.groups.setStatus(
    id,
    'pending',
    approve ? 'active' : 'removed',
    actor.personId,
    now,
  );
  if (!changed) {
    return [{ key: 'group.already', params: { status: { key: `group.status.${group.status}` } } }];
  }
  await tx.audit.record(
    {
      personId: actor.personId,
      channel: null,
      action: approve ? 'group.confirm' : 'group.refuse',
      entity: 'LeadershipGroup',
      entityId: String(id),
    },
    now,
  );
  const unit = await tx.units.findById(group.unitId);
  const kinds = group.digests.map((k) => ({ key: `group.kind.${k}` as const }));
  await tx.outbox.enqueue(
    [
      {
        channel: group.channel,
        chatId: group.chatId,
        message: {
          text: approve
            ? t('vi', 'group.active', { unit: unit?.name ?? '', kinds })
            : t('vi', 'group.refused_by_admin'),
        },
        idempotencyKey: `group-decision:${id}:${approve ? 'ok' : 'no'}`,
        purpose: 'notice',
      },
    ],
    now,
  );
  return [
    { key: approve ? 'group.confirmed' : 'group.refused', params: { title: group.title ?? group.chatId } },
  ];
}
