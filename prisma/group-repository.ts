import {
  DIGEST_KINDS,
  type GroupRepository,
  type GroupStatus,
  type LeadershipGroupRecord,
  type ScheduledDigestKind,
} from '../core/digests/group.repository.ts';
import { isChannel } from '../core/messaging/message.ts';
import type { Row, SqlDb, SqlParam } from './sql-db.ts';
import { fromDbTime } from './sqlite.ts';

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

export function createGroupRepository(db: SqlDb): GroupRepository {
  const one = async (sql: string, params: SqlParam[]) => {
    const r = await db.get(sql, params);
    return r ? toRecord(r) : undefined;
  };
  return {
    async findByChat(channel, chatId) {
      return one('SELECT * FROM "LeadershipGroup" WHERE channel = ? AND chatId = ?', [channel, chatId]);
    },
    async findById(id) {
      return one('SELECT * FROM "LeadershipGroup" WHERE id = ?', [id]);
    },
    async request(g, status: GroupStatus, at) {
      const confirmed = status === 'active';
      await db.run(
        `INSERT INTO "LeadershipGroup" (channel, chatId, title, unitId, digests, status, requestedBy, requestedAt,
           confirmedBy, confirmedAt)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (channel, chatId) DO UPDATE SET title = excluded.title, unitId = excluded.unitId,
           digests = excluded.digests, requestedBy = excluded.requestedBy, requestedAt = excluded.requestedAt,
           status = CASE WHEN "LeadershipGroup".status = 'active' AND excluded.status = 'pending' THEN 'active'
                         ELSE excluded.status END,
           confirmedBy = COALESCE(excluded.confirmedBy, "LeadershipGroup".confirmedBy),
           confirmedAt = COALESCE(excluded.confirmedAt, "LeadershipGroup".confirmedAt)`,
        [
          g.channel,
          g.chatId,
          g.title,
          g.unitId,
          JSON.stringify(g.digests),
          status,
          g.requestedBy,
          at,
          confirmed ? g.requestedBy : null,
          confirmed ? at : null,
        ],
      );
      const record = await one('SELECT * FROM "LeadershipGroup" WHERE channel = ? AND chatId = ?', [
        g.channel,
        g.chatId,
      ]);
      if (!record) {
        throw new Error('leadership group vanished inside its transaction');
      }
      return record;
    },
    async setStatus(id, from, to, personId, at) {
      return (
        (await db.run(
          `UPDATE "LeadershipGroup" SET status = ?, confirmedBy = ?, confirmedAt = ? WHERE id = ? AND status = ?`,
          [to, personId, at, id, from],
        )) === 1
      );
    },
    async listActive() {
      const rows = await db.all(`SELECT * FROM "LeadershipGroup" WHERE status = 'active' ORDER BY id`);
      return rows.flatMap((r) => {
        const record = toRecord(r);
        return record ? [record] : [];
      });
    },
  };
}
