import { z } from 'zod';
import { isChannel } from '../core/messaging/message.ts';
import type { OutboxPurpose } from '../core/messaging/outbox.repository.ts';
import type { MemberWithChats, ReminderRepository } from '../core/reminders/reminder.repository.ts';
import { isRole } from '../core/shared/actor.ts';
import type { SqlDb } from './sql-db.ts';

const ZSettings = z.record(z.string(), z.unknown());

/**
 * Every purpose but a reply (the type makes the list whole): `purpose IN (…)` reads each one's
 * recent rows through (purpose, createdAt), where `purpose <> 'reply'` would read the whole outbox.
 */
const BULK: Record<Exclude<OutboxPurpose, 'reply'>, true> = {
  reminder: true,
  escalation: true,
  pledge_reminder: true,
  digest: true,
  notice: true,
  appeal: true,
};
const BULK_PURPOSES = Object.keys(BULK);

/** The scheduler's reads on the transaction's connection (one transaction per planning run). */
export function createReminderRepository(db: SqlDb): ReminderRepository {
  return {
    async members(roles, personIds) {
      if (roles.length === 0 || personIds?.length === 0) {
        return [];
      }
      const rows = await db.kysely
        .selectFrom('Membership as m')
        .innerJoin('Person as p', (j) => j.onRef('p.id', '=', 'm.personId').on('p.active', '=', true))
        .leftJoin('ChannelIdentity as ci', 'ci.personId', 'p.id')
        .select(['p.id as personId', 'p.fullName', 'm.unitId', 'm.role', 'ci.channel', 'ci.externalUserId'])
        .where('m.revokedAt', 'is', null)
        .where('m.role', 'in', roles)
        .$if(personIds !== undefined, (q) => q.where('m.personId', 'in', personIds ?? []))
        .orderBy('m.id')
        .orderBy('ci.id')
        .execute();
      const byMembership = new Map<string, MemberWithChats>();
      for (const r of rows) {
        const role = r.role;
        if (!isRole(role)) {
          continue;
        }
        const key = `${r.personId}:${r.unitId}:${role}`;
        const member = byMembership.get(key) ?? {
          personId: r.personId,
          fullName: r.fullName,
          unitId: r.unitId,
          role,
          chats: [],
        };
        if (r.channel !== null && r.externalUserId !== null && isChannel(r.channel)) {
          member.chats.push({ channel: r.channel, chatId: r.externalUserId });
        }
        byMembership.set(key, member);
      }
      return [...byMembership.values()];
    },
    async submitted(campaignId, periodIds) {
      if (periodIds?.length === 0) {
        return [];
      }
      const reports = db.kysely
        .selectFrom('Report as r')
        .innerJoin('ReportingPeriod as p', 'p.id', 'r.periodId')
        .select(['r.periodId', 'r.unitId'])
        .distinct()
        .where('p.campaignId', '=', campaignId)
        .$if(periodIds !== undefined, (q) => q.where('r.periodId', 'in', periodIds ?? []));
      const narratives = db.kysely
        .selectFrom('NarrativeReport as n')
        .innerJoin('ReportingPeriod as p', 'p.id', 'n.periodId')
        .select(['n.periodId', 'n.unitId'])
        .distinct()
        .where('p.campaignId', '=', campaignId)
        .$if(periodIds !== undefined, (q) => q.where('n.periodId', 'in', periodIds ?? []));
      return reports.union(narratives).execute();
    },
    async pauses() {
      return db.kysely
        .selectFrom('ReminderPause')
        .select(['personId', 'periodId', 'until'])
        .orderBy('id')
        .execute();
    },
    async addPause(p, at) {
      await db.kysely
        .insertInto('ReminderPause')
        .values({
          personId: p.personId,
          periodId: p.periodId,
          until: p.until,
          reason: p.reason,
          createdAt: at,
        })
        .execute();
    },
    async bulkSince(since) {
      return db.kysely
        .selectFrom('Outbox')
        .select(['idempotencyKey', 'personId', 'purpose', 'status', 'lastError', 'createdAt'])
        .where('purpose', 'in', BULK_PURPOSES)
        .where('createdAt', '>=', since)
        .orderBy('id')
        .execute();
    },
    async settings(campaignId) {
      const r = await db.kysely
        .selectFrom('Campaign')
        .select('settings')
        .where('id', '=', campaignId)
        .executeTakeFirst();
      try {
        const parsed = ZSettings.safeParse(JSON.parse(r?.settings ?? '{}'));
        return parsed.success ? parsed.data : {};
      } catch {
        return {};
      }
    },
    async saveSettings(campaignId, settings) {
      await db.kysely
        .updateTable('Campaign')
        .set({ settings: JSON.stringify(settings) })
        .where('id', '=', campaignId)
        .execute();
    },
  };
}
