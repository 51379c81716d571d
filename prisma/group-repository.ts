import type { Statement } from 'better-sqlite3';
import {
  DIGEST_KINDS,
  type GroupRepository,
  type GroupStatus,
  type LeadershipGroupRecord,
  type ScheduledDigestKind,
} from '../core/digests/group.repository.ts';
import { isChannel } from '../core/messaging/message.ts';
import { fromDbTime, toDbTime } from './sqlite.ts';

type Row = Record<string, unknown>;

function toRecord(r: Row): LeadershipGroupRecord | undefined {
  const channel = String(r.channel);
  if (!isChannel(channel)) {
    return undefined;
  }
  let digests: ScheduledDigestKind[] = [];
  try {
    const parsed: unknown = JSON.parse(String(r.digests));
    digests = Array.isArray(parsed) ? DIGEST_KINDS.filter((k) => (parsed as unknown[]).includes(k)) : [];
  } catch {
    digests = [];
  }
  const status = String(r.status);
  return {
    id: Number(r.id),
    channel,
    chatId: String(r.chatId),
    title: r.title === null ? null : String(r.title),
    unitId: Number(r.unitId),
    digests,
    status: status === 'active' || status === 'removed' ? status : 'pending',
    requestedBy: r.requestedBy === null ? null : Number(r.requestedBy),
    requestedAt: fromDbTime(r.requestedAt),
    confirmedBy: r.confirmedBy === null ? null : Number(r.confirmedBy),
    confirmedAt: r.confirmedAt === null ? null : fromDbTime(r.confirmedAt),
  };
}

export function createGroupRepository(stmt: (sql: string) => Statement<unknown[]>): GroupRepository {
  const one = (sql: string, ...args: unknown[]) => {
    const r = stmt(sql).get(...args) as Row | undefined;
    return r ? toRecord(r) : undefined;
  };
  return {
    async findByChat(channel, chatId) {
      return one('SELECT * FROM "LeadershipGroup" WHERE channel = ? AND chatId = ?', channel, chatId);
    },
    async findById(id) {
      return one('SELECT * FROM "LeadershipGroup" WHERE id = ?', id);
    },
    async request(g, status: GroupStatus, at) {
      const confirmed = status === 'active';
      stmt(
        `INSERT INTO "LeadershipGroup" (channel, chatId, title, unitId, digests, status, requestedBy, requestedAt,
           confirmedBy, confirmedAt)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (channel, chatId) DO UPDATE SET title = excluded.title, unitId = excluded.unitId,
           digests = excluded.digests, requestedBy = excluded.requestedBy, requestedAt = excluded.requestedAt,
           status = CASE WHEN "LeadershipGroup".status = 'active' AND excluded.status = 'pending' THEN 'active'
                         ELSE excluded.status END,
           confirmedBy = COALESCE(excluded.confirmedBy, "LeadershipGroup".confirmedBy),
           confirmedAt = COALESCE(excluded.confirmedAt, "LeadershipGroup".confirmedAt)`,
      ).run(
        g.channel,
        g.chatId,
        g.title,
        g.unitId,
        JSON.stringify(g.digests),
        status,
        g.requestedBy,
        toDbTime(at),
        confirmed ? g.requestedBy : null,
        confirmed ? toDbTime(at) : null,
      );
      const record = one(
        'SELECT * FROM "LeadershipGroup" WHERE channel = ? AND chatId = ?',
        g.channel,
        g.chatId,
      );
      if (!record) {
        throw new Error('leadership group vanished inside its transaction');
      }
      return record;
    },
    async setStatus(id, from, to, personId, at) {
      return (
        stmt(
          `UPDATE "LeadershipGroup" SET status = ?, confirmedBy = ?, confirmedAt = ? WHERE id = ? AND status = ?`,
        ).run(to, personId, toDbTime(at), id, from).changes === 1
      );
    },
    async listActive() {
      const rows = stmt(`SELECT * FROM "LeadershipGroup" WHERE status = 'active' ORDER BY id`).all() as Row[];
      return rows.flatMap((r) => {
        const record = toRecord(r);
        return record ? [record] : [];
      });
    },
  };
}
