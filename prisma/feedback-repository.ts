import type { Statement } from 'better-sqlite3';
import {
  FEEDBACK_STATUSES,
  FEEDBACK_TOPICS,
  type FeedbackPhoto,
  type FeedbackRecord,
  type FeedbackRepository,
} from '../core/feedback/feedback.repository.ts';
import { isChannel } from '../core/messaging/message.ts';
import { fromDbTime, toDbTime } from './sqlite.ts';

type Row = Record<string, unknown>;

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

/** Citizen feedback on the hot-path connection (issue 7 §5). */
export function createFeedbackRepository(stmt: (sql: string) => Statement<unknown[]>): FeedbackRepository {
  const all = (sql: string, ...args: unknown[]) =>
    (stmt(sql).all(...args) as Row[]).flatMap((r) => toRecord(r) ?? []);
  return {
    async create(f, at) {
      const next = stmt('SELECT COALESCE(MAX(id), 0) + 1 AS n FROM "Feedback"').get() as Row;
      const ref = `PA-${String(next.n).padStart(4, '0')}`;
      const info = stmt(
        `INSERT INTO "Feedback" (ref, channel, chatId, personId, name, unitId, topic, text, photos, status,
           createdAt, updatedAt)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', ?, ?)`,
      ).run(
        ref,
        f.channel,
        f.chatId,
        f.personId,
        f.name,
        f.unitId,
        f.topic,
        f.text,
        JSON.stringify(f.photos),
        toDbTime(at),
        toDbTime(at),
      );
      return { id: Number(info.lastInsertRowid), ref };
    },
    async findById(id) {
      return all(`${VIEW} WHERE f.id = ?`, id)[0];
    },
    async findByRef(ref) {
      return all(`${VIEW} WHERE upper(f.ref) = upper(?)`, ref.trim())[0];
    },
    async countByChatSince(channel, chatId, since) {
      const r = stmt(
        'SELECT COUNT(*) AS n FROM "Feedback" WHERE channel = ? AND chatId = ? AND createdAt >= ?',
      ).get(channel, chatId, toDbTime(since)) as Row;
      return Number(r.n);
    },
    async listByChat(channel, chatId, limit) {
      return all(
        `${VIEW} WHERE f.channel = ? AND f.chatId = ? ORDER BY f.id DESC LIMIT ?`,
        channel,
        chatId,
        limit,
      );
    },
    async listOpen(unitIds, limit) {
      if (unitIds.length === 0) {
        return [];
      }
      return all(
        `${VIEW} WHERE f.status <> 'answered' AND f.unitId IN (SELECT value FROM json_each(?)) ORDER BY f.id LIMIT ?`,
        JSON.stringify(unitIds),
        limit,
      );
    },
    async setStatus(id, from, to, change, at) {
      return (
        stmt(
          `UPDATE "Feedback" SET status = ?, handledBy = ?, answer = COALESCE(?, answer), updatedAt = ?
            WHERE id = ? AND status IN (SELECT value FROM json_each(?))`,
        ).run(to, change.handledBy, change.answer ?? null, toDbTime(at), id, JSON.stringify(from)).changes ===
        1
      );
    },
  };
}
