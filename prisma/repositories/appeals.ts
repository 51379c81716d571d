import type { ExpressionBuilder, Selectable } from 'kysely';
import { z } from 'zod';
import {
  APPEAL_AUDIENCES,
  type AppealAddress,
  type AppealPhoto,
  type AppealRecord,
  type AppealRepository,
} from '../../core/appeals/appeal.repository.ts';
import { CHANNELS, type Channel, isChannel } from '../../core/messaging/message.ts';
import { type DbSum, money, notReversed } from '../fund-rows.ts';
import type { DB } from '../kysely-dialect.ts';
import type { SqlDb } from '../sql-db.ts';
import { toDbTime } from '../sqlite.ts';
import { inserted, parseJsonColumn } from './mappers.ts';

const ZPhoto = z.object({ channel: z.enum(CHANNELS), fileId: z.string().min(1) });
const ZAudiences = z.array(z.enum(APPEAL_AUDIENCES));

function toAppeal(r: Selectable<DB['Appeal']>): AppealRecord {
  return {
    ...r,
    photo: parseJsonColumn<AppealPhoto | null>(ZPhoto, r.photo, null),
    audiences: parseJsonColumn(ZAudiences, r.audiences, []),
  };
}

/** Rows of (channel, id, person) as addresses, dropping channels this version does not know. */
function addresses(rows: { channel: string; chatId: string; personId: number | null }[]): AppealAddress[] {
  return rows.flatMap((r) =>
    isChannel(r.channel) ? [{ channel: r.channel, chatId: r.chatId, personId: r.personId }] : [],
  );
}

/** A pledge that counts: not cancelled, not waiting for (or refused at) verification. */
const LIVE_PLEDGE = (eb: ExpressionBuilder<DB & { p: DB['Pledge'] }, 'p'>) =>
  eb.and([
    eb('p.cancelledAt', 'is', null),
    eb.or([eb('p.verification', 'is', null), eb('p.verification', '=', 'confirmed')]),
  ]);

/** Appeals, their attribution and the chats that asked to hear no more (core/appeals). */
export function createAppealRepository(t: SqlDb): AppealRepository {
  const db = t.kysely;
  const select = () => db.selectFrom('Appeal').selectAll();
  const ofCampaign = async (campaignId: number) =>
    (await select().where('campaignId', '=', campaignId).orderBy('id').execute()).map(toAppeal);
  const optedOut = (channel: Channel, chatId: string) =>
    db
      .selectFrom('ContactOptOut')
      .select('chatId')
      .where((eb) => eb.and({ channel, chatId }))
      .executeTakeFirst();
  return {
    async create(appeal, at) {
      // One code at a time across instances: two admins sending at once get KG3 and KG4.
      await t.lock('Appeal.code');
      const rows = await db.selectFrom('Appeal').select('code').execute();
      const last = Math.max(0, ...rows.map((r) => Number(/^KG(\d+)$/.exec(r.code)?.[1] ?? 0)));
      const code = `KG${last + 1}`;
      const row = await db
        .insertInto('Appeal')
        .values({
          campaignId: appeal.campaignId,
          code,
          text: appeal.text,
          photo: appeal.photo === null ? null : JSON.stringify(appeal.photo),
          audiences: JSON.stringify(appeal.audiences),
          createdBy: appeal.createdBy,
          createdAt: at,
        })
        .returning('id')
        .executeTakeFirst();
      return { id: inserted(row, 'Appeal'), code };
    },
    async markSent(id, recipients, at) {
      await db.updateTable('Appeal').set({ sentAt: at, recipients }).where('id', '=', id).execute();
    },
    findById: async (id) => {
      const row = await select().where('id', '=', id).executeTakeFirst();
      return row && toAppeal(row);
    },
    findByCode: async (code) => {
      const row = await select().where('code', '=', code.trim().toUpperCase()).executeTakeFirst();
      return row && toAppeal(row);
    },
    listByCampaign: ofCampaign,
    async attributePledge(pledgeId, appealId) {
      await db.updateTable('Pledge').set({ appealId }).where('id', '=', pledgeId).execute();
    },
    async pledgeAppeals(campaignId) {
      const rows = await db
        .selectFrom('Pledge')
        .select(['id', 'appealId'])
        .where('campaignId', '=', campaignId)
        .where('appealId', 'is not', null)
        .execute();
      return new Map(rows.flatMap((r) => (r.appealId === null ? [] : [[r.id, r.appealId] as const])));
    },
    async tallies(campaignId) {
      const appeals = await ofCampaign(campaignId);
      const pledged = await db
        .selectFrom('Pledge as p')
        .select((eb) => [
          'p.appealId',
          eb.fn.countAll<DbSum>().as('n'),
          eb.fn.sum<DbSum>('p.amount').as('sum'),
        ])
        .where('p.campaignId', '=', campaignId)
        .where('p.appealId', 'is not', null)
        .where(LIVE_PLEDGE)
        .groupBy('p.appealId')
        .execute();
      const received = await db
        .selectFrom('FundEntry as e')
        .innerJoin('Pledge as p', 'p.id', 'e.pledgeId')
        .select((eb) => ['p.appealId', eb.fn.sum<DbSum>('e.amount').as('sum')])
        .where('p.campaignId', '=', campaignId)
        .where('p.appealId', 'is not', null)
        .where('e.kind', 'in', ['receipt', 'in_kind'])
        .where(notReversed)
        .groupBy('p.appealId')
        .execute();
      return appeals.map(({ id }) => {
        const p = pledged.find((r) => r.appealId === id);
        return {
          appealId: id,
          pledges: Number(p?.n ?? 0),
          pledged: money(p?.sum ?? null),
          received: money(received.find((r) => r.appealId === id)?.sum ?? null),
        };
      });
    },
    async memberChats(unitIds) {
      if (unitIds.length === 0) {
        return [];
      }
      const rows = await db
        .selectFrom('Membership as m')
        .innerJoin('Person as p', 'p.id', 'm.personId')
        .innerJoin('ChannelIdentity as i', 'i.personId', 'p.id')
        .select(['i.channel', 'i.externalUserId as chatId', 'p.id as personId'])
        .distinct()
        .where('m.unitId', 'in', [...unitIds])
        .where('m.revokedAt', 'is', null)
        .where('p.active', '=', true)
        .orderBy('p.id')
        .orderBy('i.channel')
        .orderBy('i.externalUserId')
        .execute();
      return addresses(rows);
    },
    async consentingDonorChats(campaignId, fundUnitIds) {
      if (fundUnitIds.length === 0) {
        return [];
      }
      const rows = await db
        .selectFrom('Person as p')
        .innerJoin('ChannelIdentity as i', 'i.personId', 'p.id')
        .select(['i.channel', 'i.externalUserId as chatId', 'p.id as personId'])
        .where('p.contactConsent', '=', true)
        .where('p.active', '=', true)
        .where(({ exists, selectFrom }) =>
          exists(
            selectFrom('Pledge as d')
              .select('d.id')
              .whereRef('d.personId', '=', 'p.id')
              .where('d.campaignId', '=', campaignId)
              .where('d.fundUnitId', 'in', [...fundUnitIds])
              .where('d.cancelledAt', 'is', null),
          ),
        )
        .orderBy('p.id')
        .orderBy('i.channel')
        .orderBy('i.externalUserId')
        .execute();
      return addresses(rows);
    },
    async hasContactConsent(personId) {
      const row = await db
        .selectFrom('Person')
        .select('contactConsent')
        .where('id', '=', personId)
        .executeTakeFirst();
      // SQLite keeps a boolean as 0 or 1.
      return Boolean(row?.contactConsent);
    },
    async setContactConsent(personId, consent) {
      await db.updateTable('Person').set({ contactConsent: consent }).where('id', '=', personId).execute();
    },
    async optOut(channel, chatId, personId, at) {
      const r = await db
        .insertInto('ContactOptOut')
        .values({ channel, chatId, personId, createdAt: at })
        .onConflict((oc) => oc.columns(['channel', 'chatId']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async optIn(channel, chatId) {
      const r = await db
        .deleteFrom('ContactOptOut')
        .where((eb) => eb.and({ channel, chatId }))
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    isOptedOut: async (channel, chatId) => (await optedOut(channel, chatId)) !== undefined,
    async cancelQueued(channel, chatId, at) {
      const r = await db
        .updateTable('Outbox')
        .set({ status: 'cancelled', lastError: `withdrawn ${toDbTime(at)}` })
        .where('purpose', '=', 'appeal')
        .where('channel', '=', channel)
        .where('chatId', '=', chatId)
        .where('status', 'in', ['pending', 'held'])
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async withoutOptedOut(list) {
      if (list.length === 0) {
        return [];
      }
      // The opt-outs are few (people who said stop): read them once rather than asking per chat
      // (a parameter list of thousands of chat ids would pass SQLite's limit).
      const rows = await db.selectFrom('ContactOptOut').select(['channel', 'chatId']).execute();
      const stopped = new Set(rows.map((r) => `${r.channel}\u0000${r.chatId}`));
      return list.filter((a) => !stopped.has(`${a.channel}\u0000${a.chatId}`));
    },
  };
}
