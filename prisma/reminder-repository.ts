import type { Statement } from 'better-sqlite3';
import { isChannel } from '../core/messaging/message.ts';
import { isRole } from '../core/people/people.ts';
import type { MemberWithChats, ReminderRepository } from '../core/reminders/reminder.repository.ts';
import { fromDbTime, toDbTime } from './sqlite.ts';

type Row = Record<string, unknown>;

/** The scheduler's reads on the hot-path connection (one transaction per planning run). */
export function createReminderRepository(stmt: (sql: string) => Statement<unknown[]>): ReminderRepository {
  return {
    async members(roles) {
      const marks = roles.map(() => '?').join(', ') || 'NULL';
      const rows = stmt(
        `SELECT p.id AS personId, p.fullName, m.unitId, m.role, ci.channel, ci.externalUserId
           FROM "Membership" m
           JOIN "Person" p ON p.id = m.personId AND p.active = 1
           LEFT JOIN "ChannelIdentity" ci ON ci.personId = p.id
          WHERE m.revokedAt IS NULL AND m.role IN (${marks})
          ORDER BY m.id, ci.id`,
      ).all(...roles) as Row[];
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
    async submitted(campaignId) {
      const rows = stmt(
        `SELECT DISTINCT r.periodId, r.unitId FROM "Report" r JOIN "ReportingPeriod" p ON p.id = r.periodId
          WHERE p.campaignId = ?
         UNION
         SELECT DISTINCT n.periodId, n.unitId FROM "NarrativeReport" n JOIN "ReportingPeriod" p ON p.id = n.periodId
          WHERE p.campaignId = ?`,
      ).all(campaignId, campaignId) as Row[];
      return rows.map((r) => ({ periodId: Number(r.periodId), unitId: Number(r.unitId) }));
    },
    async pauses() {
      const rows = stmt('SELECT personId, periodId, until FROM "ReminderPause" ORDER BY id').all() as Row[];
      return rows.map((r) => ({
        personId: Number(r.personId),
        periodId: r.periodId === null ? null : Number(r.periodId),
        until: r.until === null ? null : String(r.until),
      }));
    },
    async addPause(p, at) {
      stmt(
        'INSERT INTO "ReminderPause" (personId, periodId, until, reason, createdAt) VALUES (?, ?, ?, ?, ?)',
      ).run(p.personId, p.periodId, p.until, p.reason, toDbTime(at));
    },
    async bulkSince(since) {
      const rows = stmt(
        `SELECT idempotencyKey, personId, purpose, status, lastError, createdAt FROM "Outbox"
          WHERE purpose <> 'reply' AND createdAt >= ? ORDER BY id`,
      ).all(toDbTime(since)) as Row[];
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
      const r = stmt('SELECT settings FROM "Campaign" WHERE id = ?').get(campaignId) as Row | undefined;
      try {
        const parsed: unknown = JSON.parse(String(r?.settings ?? '{}'));
        return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
      } catch {
        return {};
      }
    },
    async saveSettings(campaignId, settings) {
      stmt('UPDATE "Campaign" SET settings = ? WHERE id = ?').run(JSON.stringify(settings), campaignId);
    },
  };
}
