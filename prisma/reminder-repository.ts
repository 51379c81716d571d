import { isChannel } from '../core/messaging/message.ts';
import type { MemberWithChats, ReminderRepository } from '../core/reminders/reminder.repository.ts';
import { isRole } from '../core/shared/actor.ts';
import type { SqlDb } from './sql-db.ts';
import { fromDbTime } from './sqlite.ts';

/** The scheduler's reads on the transaction's connection (one transaction per planning run). */
export function createReminderRepository(db: SqlDb): ReminderRepository {
  return {
    async members(roles, personIds) {
      const marks = roles.map(() => '?').join(', ') || 'NULL';
      const only = personIds ? ` AND m.personId IN (${personIds.map(() => '?').join(', ') || 'NULL'})` : '';
      const rows = await db.all(
        `SELECT p.id AS personId, p.fullName, m.unitId, m.role, ci.channel, ci.externalUserId
           FROM "Membership" m
           JOIN "Person" p ON p.id = m.personId AND p.active = TRUE
           LEFT JOIN "ChannelIdentity" ci ON ci.personId = p.id
          WHERE m.revokedAt IS NULL AND m.role IN (${marks})${only}
          ORDER BY m.id, ci.id`,
        [...roles, ...(personIds ?? [])],
      );
      const byMembership = new Map<string, MemberWithChats>();
      for (const r of rows) {
        const role = String(r.role);
        if (!isRole(role)) {
          continue;
        }
        const key = `${r.personId}:${r.unitId}:${role}`;
        const member = byMembership.get(key) ?? {
          personId: Number(r.personId),
          fullName: String(r.fullName),
          unitId: Number(r.unitId),
          role,
          chats: [],
        };
        const channel = r.channel === null ? '' : String(r.channel);
        if (isChannel(channel)) {
          member.chats.push({ channel, chatId: String(r.externalUserId) });
        }
        byMembership.set(key, member);
      }
      return [...byMembership.values()];
    },
    async submitted(campaignId, periodIds) {
      const ids = periodIds ?? [];
      const only = (alias: string) =>
        periodIds ? ` AND ${alias}.periodId IN (${ids.map(() => '?').join(', ') || 'NULL'})` : '';
      const rows = await db.all(
        `SELECT DISTINCT r.periodId, r.unitId FROM "Report" r JOIN "ReportingPeriod" p ON p.id = r.periodId
          WHERE p.campaignId = ?${only('r')}
         UNION
         SELECT DISTINCT n.periodId, n.unitId FROM "NarrativeReport" n JOIN "ReportingPeriod" p ON p.id = n.periodId
          WHERE p.campaignId = ?${only('n')}`,
        [campaignId, ...ids, campaignId, ...ids],
      );
      return rows.map((r) => ({ periodId: Number(r.periodId), unitId: Number(r.unitId) }));
    },
    async pauses() {
      const rows = await db.all('SELECT personId, periodId, until FROM "ReminderPause" ORDER BY id');
      return rows.map((r) => ({
        personId: Number(r.personId),
        periodId: r.periodId === null ? null : Number(r.periodId),
        until: r.until === null ? null : String(r.until),
      }));
    },
    async addPause(p, at) {
      await db.run(
        'INSERT INTO "ReminderPause" (personId, periodId, until, reason, createdAt) VALUES (?, ?, ?, ?, ?)',
        [p.personId, p.periodId, p.until, p.reason, at],
      );
    },
    async bulkSince(since) {
      const rows = await db.all(
        `SELECT idempotencyKey, personId, purpose, status, lastError, createdAt FROM "Outbox"
          WHERE purpose <> 'reply' AND createdAt >= ? ORDER BY id`,
        [since],
      );
      return rows.map((r) => ({
        idempotencyKey: String(r.idempotencyKey),
        personId: r.personId === null ? null : Number(r.personId),
        purpose: String(r.purpose),
        status: String(r.status),
        lastError: r.lastError === null ? null : String(r.lastError),
        createdAt: fromDbTime(r.createdAt),
      }));
    },
    async settings(campaignId) {
      const r = await db.get('SELECT settings FROM "Campaign" WHERE id = ?', [campaignId]);
      try {
        const parsed: unknown = JSON.parse(String(r?.settings ?? '{}'));
        return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
      } catch {
        return {};
      }
    },
    async saveSettings(campaignId, settings) {
      await db.run('UPDATE "Campaign" SET settings = ? WHERE id = ?', [JSON.stringify(settings), campaignId]);
    },
  };
}
