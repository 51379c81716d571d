import {
  FEEDBACK_STATUSES,
  FEEDBACK_TOPICS,
  type FeedbackPhoto,
  type FeedbackRecord,
  type FeedbackRepository,
} from '../core/feedback/feedback.repository.ts';
import { isChannel } from '../core/messaging/message.ts';
import type { Row, SqlDb, SqlParam } from './sql-db.ts';
import { fromDbTime } from './sqlite.ts';

const VIEW = `SELECT f.*, u.name AS unitName FROM "Feedback" f JOIN "Unit" u ON u.id = f.unitId`;

function photosOf(raw: unknown): FeedbackPhoto[] {
  try {
    const parsed: unknown = JSON.parse(String(raw));
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

function toRecord(r: Row): FeedbackRecord | undefined {
  const channel = String(r.channel);
  if (!isChannel(channel)) {
    return undefined;
  }
  return {
    id: Number(r.id),
    ref: String(r.ref),
    channel,
    chatId: String(r.chatId),
    personId: r.personId === null ? null : Number(r.personId),
    name: r.name === null ? null : String(r.name),
    unitId: Number(r.unitId),
    unitName: String(r.unitName),
    topic: FEEDBACK_TOPICS.find((t) => t === r.topic) ?? 'other',
    text: String(r.text),
    photos: photosOf(r.photos),
    status: FEEDBACK_STATUSES.find((s) => s === r.status) ?? 'received',
    answer: r.answer === null ? null : String(r.answer),
    handledBy: r.handledBy === null ? null : Number(r.handledBy),
    createdAt: fromDbTime(r.createdAt),
    updatedAt: fromDbTime(r.updatedAt),
  };
}

/** SQL placeholders for an IN list; callers never pass an empty one. */
function marks(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ') || 'NULL';
}

/**
 * Citizen feedback on the transaction's connection (issue 7 §5). The next "PA-0001" reference is
 * the largest id plus one, taken under a lock so two transactions on PostgreSQL never pick the same one.
 */
export function createFeedbackRepository(db: SqlDb): FeedbackRepository {
  const all = async (sql: string, params: SqlParam[]) =>
    (await db.all(sql, params)).flatMap((r) => toRecord(r) ?? []);
  return {
    async create(f, at) {
      return db.transaction(async (tx) => {
        await tx.lock('Feedback.ref');
        const next = (await tx.get('SELECT COALESCE(MAX(id), 0) + 1 AS n FROM "Feedback"')) as Row;
        const ref = `PA-${String(next.n).padStart(4, '0')}`;
        const id = await tx.insert(
          `INSERT INTO "Feedback" (ref, channel, chatId, personId, name, unitId, topic, text, photos, status,
             createdAt, updatedAt)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', ?, ?)`,
          [
            ref,
            f.channel,
            f.chatId,
            f.personId,
            f.name,
            f.unitId,
            f.topic,
            f.text,
            JSON.stringify(f.photos),
            at,
            at,
          ],
        );
        return { id: Number(id), ref };
      });
    },
    async findById(id) {
      return (await all(`${VIEW} WHERE f.id = ?`, [id]))[0];
    },
    async findByRef(ref) {
      return (await all(`${VIEW} WHERE upper(f.ref) = upper(?)`, [ref.trim()]))[0];
    },
    async countByChatSince(channel, chatId, since) {
      const r = (await db.get(
        'SELECT COUNT(*) AS n FROM "Feedback" WHERE channel = ? AND chatId = ? AND createdAt >= ?',
        [channel, chatId, since],
      )) as Row;
      return Number(r.n);
    },
    async listByChat(channel, chatId, limit) {
      return all(`${VIEW} WHERE f.channel = ? AND f.chatId = ? ORDER BY f.id DESC LIMIT ?`, [
        channel,
        chatId,
        limit,
      ]);
    },
    async listOpen(unitIds, limit) {
      if (unitIds.length === 0) {
        return [];
      }
      return all(
        `${VIEW} WHERE f.status <> 'answered' AND f.unitId IN (${marks(unitIds.length)}) ORDER BY f.id LIMIT ?`,
        [...unitIds, limit],
      );
    },
    async setStatus(id, from, to, change, at) {
      if (from.length === 0) {
        return false;
      }
      return (
        (await db.run(
          `UPDATE "Feedback" SET status = ?, handledBy = ?, answer = COALESCE(?, answer), updatedAt = ?
            WHERE id = ? AND status IN (${marks(from.length)})`,
          [to, change.handledBy, change.answer ?? null, at, id, ...from],
        )) === 1
      );
    },
  };
}
