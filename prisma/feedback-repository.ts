import type { Selectable } from 'kysely';
import {
  FEEDBACK_STATUSES,
  FEEDBACK_TOPICS,
  type FeedbackPhoto,
  type FeedbackRecord,
  type FeedbackRepository,
} from '../core/feedback/feedback.repository.ts';
import { isChannel } from '../core/messaging/message.ts';
import type { DB } from './kysely-dialect.ts';
import type { SqlDb } from './sql-db.ts';

function photosOf(json: string): FeedbackPhoto[] {
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed)
      ? parsed.flatMap((p: { channel?: unknown; fileId?: unknown }) =>
          typeof p?.channel === 'string' && isChannel(p.channel) && typeof p.fileId === 'string'
            ? [{ channel: p.channel, fileId: p.fileId }]
            : [],
        )
      : [];
  } catch {
    return [];
  }
}

function toRecord(r: Selectable<DB['Feedback']> & { unitName: string }): FeedbackRecord | undefined {
  const channel = r.channel;
  if (!isChannel(channel)) {
    return undefined;
  }
  return {
    id: r.id,
    ref: r.ref,
    channel,
    chatId: r.chatId,
    personId: r.personId,
    name: r.name,
    unitId: r.unitId,
    unitName: r.unitName,
    topic: FEEDBACK_TOPICS.find((t) => t === r.topic) ?? 'other',
    text: r.text,
    photos: photosOf(r.photos),
    status: FEEDBACK_STATUSES.find((s) => s === r.status) ?? 'received',
    answer: r.answer,
    handledBy: r.handledBy,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/**
 * Citizen feedback on the transaction's connection (issue 7 §5). The next "PA-0001" reference is
 * the largest id plus one, taken under a lock so two transactions on PostgreSQL never pick the same one.
 */
export function createFeedbackRepository(db: SqlDb): FeedbackRepository {
  const view = () =>
    db.kysely
      .selectFrom('Feedback as f')
      .innerJoin('Unit as u', 'u.id', 'f.unitId')
      .selectAll('f')
      .select('u.name as unitName');
  const records = (rows: (Selectable<DB['Feedback']> & { unitName: string })[]) =>
    rows.flatMap((r) => toRecord(r) ?? []);
  return {
    async create(f, at) {
      return db.transaction(async (tx) => {
        await tx.lock('Feedback.ref');
        const last = await tx.kysely
          .selectFrom('Feedback')
          .select('id')
          .orderBy('id', 'desc')
          .limit(1)
          .executeTakeFirst();
        const ref = `PA-${String((last?.id ?? 0) + 1).padStart(4, '0')}`;
        const { id } = await tx.kysely
          .insertInto('Feedback')
          .values({
            ref,
            channel: f.channel,
            chatId: f.chatId,
            personId: f.personId,
            name: f.name,
            unitId: f.unitId,
            topic: f.topic,
            text: f.text,
            photos: JSON.stringify(f.photos),
            status: 'received',
            createdAt: at,
            updatedAt: at,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        return { id, ref };
      });
    },
    async findById(id) {
      return records(await view().where('f.id', '=', id).execute())[0];
    },
    async findByRef(ref) {
      // References are written upper case ("PA-0001"): the input upper-cased finds it through the
      // unique index, where upper(ref) would read every feedback.
      const rows = await view().where('f.ref', '=', ref.trim().toUpperCase()).execute();
      return records(rows)[0];
    },
    async countByChatSince(channel, chatId, since) {
      const r = await db.kysely
        .selectFrom('Feedback')
        // COUNT is an integer on SQLite, a bigint on PostgreSQL.
        .select((eb) => eb.fn.countAll<number | bigint>().as('n'))
        .where('channel', '=', channel)
        .where('chatId', '=', chatId)
        .where('createdAt', '>=', since)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async listByChat(channel, chatId, limit) {
      const rows = await view()
        .where('f.channel', '=', channel)
        .where('f.chatId', '=', chatId)
        .orderBy('f.id', 'desc')
        .limit(limit)
        .execute();
      return records(rows);
    },
    async listOpen(unitIds, limit) {
      if (unitIds.length === 0) {
        return [];
      }
      const rows = await view()
        .where('f.status', '<>', 'answered')
        .where('f.unitId', 'in', unitIds)
        .orderBy('f.id')
        .limit(limit)
        .execute();
      return records(rows);
    },
    async setStatus(id, from, to, change, at) {
      if (from.length === 0) {
        return false;
      }
      const r = await db.kysely
        .updateTable('Feedback')
        .set({
          status: to,
          handledBy: change.handledBy,
          ...(change.answer === undefined ? {} : { answer: change.answer }),
          updatedAt: at,
        })
        .where('id', '=', id)
        .where('status', 'in', from)
        .executeTakeFirst();
      return r.numUpdatedRows === 1n;
    },
  };
}
