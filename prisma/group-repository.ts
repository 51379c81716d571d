import type { Selectable } from 'kysely';
import {
  DIGEST_KINDS,
  type GroupRepository,
  type GroupStatus,
  type LeadershipGroupRecord,
  type ScheduledDigestKind,
} from '../core/digests/group.repository.ts';
import { isChannel } from '../core/messaging/message.ts';
import type { DB } from './kysely-dialect.ts';
import type { SqlDb } from './sql-db.ts';

/** The digests a group's JSON names (unknown kinds and broken JSON read as none). */
function digestsOf(json: string): ScheduledDigestKind[] {
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? DIGEST_KINDS.filter((k) => parsed.includes(k)) : [];
  } catch {
    return [];
  }
}

function toRecord(r: Selectable<DB['LeadershipGroup']>): LeadershipGroupRecord | undefined {
  if (!isChannel(r.channel)) {
    return undefined;
  }
  return {
    id: r.id,
    channel: r.channel,
    chatId: r.chatId,
    title: r.title,
    unitId: r.unitId,
    digests: digestsOf(r.digests),
    status: r.status === 'active' || r.status === 'removed' ? r.status : 'pending',
    requestedBy: r.requestedBy,
    requestedAt: r.requestedAt,
    confirmedBy: r.confirmedBy,
    confirmedAt: r.confirmedAt,
    pinned: { messageId: r.pinnedMessageId, text: r.pinnedText, at: r.pinnedAt },
  };
}

export function createGroupRepository(db: SqlDb): GroupRepository {
  const groups = () => db.kysely.selectFrom('LeadershipGroup').selectAll();
  const byChat = async (channel: string, chatId: string) => {
    const r = await groups().where('channel', '=', channel).where('chatId', '=', chatId).executeTakeFirst();
    return r ? toRecord(r) : undefined;
  };
  return {
    findByChat: byChat,
    async findById(id) {
      const r = await groups().where('id', '=', id).executeTakeFirst();
      return r ? toRecord(r) : undefined;
    },
    async request(g, status: GroupStatus, at) {
      const confirmed = status === 'active';
      await db.kysely
        .insertInto('LeadershipGroup')
        .values({
          channel: g.channel,
          chatId: g.chatId,
          title: g.title,
          unitId: g.unitId,
          digests: JSON.stringify(g.digests),
          status,
          requestedBy: g.requestedBy,
          requestedAt: at,
          confirmedBy: confirmed ? g.requestedBy : null,
          confirmedAt: confirmed ? at : null,
        })
        .onConflict((oc) =>
          oc.columns(['channel', 'chatId']).doUpdateSet((eb) => ({
            title: eb.ref('excluded.title'),
            unitId: eb.ref('excluded.unitId'),
            digests: eb.ref('excluded.digests'),
            requestedBy: eb.ref('excluded.requestedBy'),
            requestedAt: eb.ref('excluded.requestedAt'),
            // A repeated request does not take an active group back to pending.
            status: eb
              .case()
              .when(
                eb.and([eb('LeadershipGroup.status', '=', 'active'), eb('excluded.status', '=', 'pending')]),
              )
              .then('active')
              .else(eb.ref('excluded.status'))
              .end(),
            confirmedBy: eb.fn.coalesce('excluded.confirmedBy', 'LeadershipGroup.confirmedBy'),
            confirmedAt: eb.fn.coalesce('excluded.confirmedAt', 'LeadershipGroup.confirmedAt'),
          })),
        )
        .execute();
      const record = await byChat(g.channel, g.chatId);
      if (!record) {
        throw new Error('leadership group vanished inside its transaction');
      }
      return record;
    },
    async setStatus(id, from, to, personId, at) {
      const r = await db.kysely
        .updateTable('LeadershipGroup')
        .set({ status: to, confirmedBy: personId, confirmedAt: at })
        .where('id', '=', id)
        .where('status', '=', from)
        .executeTakeFirst();
      return r.numUpdatedRows === 1n;
    },
    async listActive() {
      const rows = await groups().where('status', '=', 'active').orderBy('id').execute();
      return rows.flatMap((r) => toRecord(r) ?? []);
    },
    async claimPinned(id, seenAt, at) {
      const r = await db.kysely
        .updateTable('LeadershipGroup')
        .set({ pinnedAt: at })
        .where('id', '=', id)
        .where('pinnedAt', seenAt === null ? 'is' : '=', seenAt)
        .executeTakeFirst();
      return r.numUpdatedRows === 1n;
    },
    async setPinned(id, pinned, at) {
      await db.kysely
        .updateTable('LeadershipGroup')
        .set({ pinnedMessageId: pinned.messageId, pinnedText: pinned.text, pinnedAt: at })
        .where('id', '=', id)
        .execute();
    },
  };
}
