import { type Channel, isChannel } from '../../core/messaging/message.ts';
import type {
  InviteRepository,
  PeopleRepository,
  ThrottleRepository,
} from '../../core/people/people.repository.ts';
import type { InviteView } from '../../core/people/people.ts';
import { isRole } from '../../core/shared/actor.ts';
import type { SqlDb } from '../database.ts';
import { isDemoInvite, PLAYGROUND_CHANNEL } from '../demo-marks.ts';
import { type Param, prepared } from '../kysely-dialect.ts';
import { actorOf, chunks, inserted } from './mappers.ts';

/** The sender of every message: the person behind a channel identity and their live memberships. */
const findActor = prepared((db, $: Param<{ channel: string; externalUserId: string }>) =>
  db
    .selectFrom('ChannelIdentity as ci')
    .innerJoin('Person as p', (j) => j.onRef('p.id', '=', 'ci.personId').on('p.active', '=', true))
    .leftJoin('Membership as m', (j) => j.onRef('m.personId', '=', 'p.id').on('m.revokedAt', 'is', null))
    .leftJoin('Unit as u', 'u.id', 'm.unitId')
    .select([
      'p.id as personId',
      'p.fullName',
      'p.locale',
      'm.role',
      'u.id as unitId',
      'u.code as unitCode',
      'u.name as unitName',
      'u.kind as unitKind',
    ])
    .where('ci.channel', '=', $('channel'))
    .where('ci.externalUserId', '=', $('externalUserId'))
    .orderBy('m.id'),
);

// PostgreSQL: held for share until the transaction ends (a revoke or a deactivation waits for it, or
// is seen here); SQLite's write transaction already excludes other writers.
const currentPerson = prepared((db, $: Param<{ personId: number }>, dialect) => {
  const q = db
    .selectFrom('Person as p')
    .select(['p.id as personId', 'p.fullName', 'p.locale'])
    .where('p.id', '=', $('personId'))
    .where('p.active', '=', true);
  return dialect === 'postgres' ? q.forShare('p') : q;
});

const currentMemberships = prepared((db, $: Param<{ personId: number }>, dialect) => {
  const q = db
    .selectFrom('Membership as m')
    .innerJoin('Unit as u', 'u.id', 'm.unitId')
    .select(['m.role', 'u.id as unitId', 'u.code as unitCode', 'u.name as unitName', 'u.kind as unitKind'])
    .where('m.personId', '=', $('personId'))
    .where('m.revokedAt', 'is', null)
    .orderBy('m.id');
  return dialect === 'postgres' ? q.forShare('m') : q;
});

// Minute precision is plenty for Zalo's 48-hour window and saves a page write per message.
const touchIdentity = prepared(
  (db, $: Param<{ channel: string; externalUserId: string; at: Date; before: Date }>) =>
    db
      .updateTable('ChannelIdentity')
      .set({ lastInteractionAt: $('at') })
      .where('channel', '=', $('channel'))
      .where('externalUserId', '=', $('externalUserId'))
      .where((eb) => eb.or([eb('lastInteractionAt', 'is', null), eb('lastInteractionAt', '<', $('before'))])),
);

export function createPeopleRepository(t: SqlDb): PeopleRepository {
  const db = t.kysely;
  const identitiesOfPeople: PeopleRepository['identitiesOfPeople'] = async (personIds) => {
    const found = new Map<number, { channel: Channel; externalUserId: string }[]>();
    for (const part of chunks([...new Set(personIds)])) {
      const rows = await db
        .selectFrom('ChannelIdentity')
        .select(['personId', 'channel', 'externalUserId'])
        .where('personId', 'in', part)
        .orderBy('id')
        .execute();
      for (const { personId, channel, externalUserId } of rows) {
        if (isChannel(channel)) {
          found.set(personId, [...(found.get(personId) ?? []), { channel, externalUserId }]);
        }
      }
    }
    return found;
  };
  return {
    async findActor(channel, externalUserId) {
      const rows = await findActor.all(db, { channel, externalUserId });
      const first = rows[0];
      return first ? actorOf(first, rows) : undefined;
    },
    async currentActor(personId) {
      const person = await currentPerson.first(db, { personId });
      return person ? actorOf(person, await currentMemberships.all(db, { personId })) : undefined;
    },
    async identitiesOf(personId) {
      return (await identitiesOfPeople([personId])).get(personId) ?? [];
    },
    identitiesOfPeople,
    async touchIdentity(channel, externalUserId, at) {
      await touchIdentity.run(db, { channel, externalUserId, at, before: new Date(at.getTime() - 60_000) });
    },
    async create(person, at) {
      const row = await db
        .insertInto('Person')
        .values({ fullName: person.fullName, locale: person.locale, active: true, createdAt: at })
        .returning('id')
        .executeTakeFirst();
      return inserted(row, 'Person');
    },
    async addMembership(personId, unitId, role, at) {
      await db
        .insertInto('Membership')
        .values({ personId, unitId, role, createdAt: at })
        .onConflict((oc) => oc.columns(['personId', 'unitId', 'role']).doUpdateSet({ revokedAt: null }))
        .execute();
    },
    async addIdentity(identity, at) {
      await db
        .insertInto('ChannelIdentity')
        .values({
          channel: identity.channel,
          externalUserId: identity.externalUserId,
          personId: identity.personId,
          displayName: identity.displayName,
          createdAt: at,
          lastInteractionAt: at,
        })
        .execute();
    },
    async findPerson(personId) {
      const r = await db
        .selectFrom('Person')
        .select(['id', 'fullName', 'active'])
        .where('id', '=', personId)
        .executeTakeFirst();
      return r && { id: r.id, fullName: r.fullName, active: Boolean(r.active) };
    },
    async setActive(personId, active) {
      const r = await db
        .updateTable('Person')
        .set({ active })
        .where('id', '=', personId)
        .where('active', '=', !active)
        .executeTakeFirst();
      return r.numUpdatedRows === 1n;
    },
    async hasRole(personId, unitId, role) {
      const r = await db
        .selectFrom('Membership')
        .select('id')
        .where('personId', '=', personId)
        .where('unitId', '=', unitId)
        .where('role', '=', role)
        .where('revokedAt', 'is', null)
        .executeTakeFirst();
      return r !== undefined;
    },
    async revokeRole(personId, unitId, role, at) {
      await db
        .updateTable('Membership')
        .set({ revokedAt: at })
        .where('personId', '=', personId)
        .where('unitId', '=', unitId)
        .where('role', '=', role)
        .where('revokedAt', 'is', null)
        .execute();
    },
    async revokeAllRoles(personId, at) {
      const r = await db
        .updateTable('Membership')
        .set({ revokedAt: at })
        .where('personId', '=', personId)
        .where('revokedAt', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async deleteIdentities(personId, channel) {
      const r = await db
        .deleteFrom('ChannelIdentity')
        .where('personId', '=', personId)
        .where('channel', '=', channel)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async chatsOfRoleHolders(channel, roles) {
      if (roles.length === 0) {
        return [];
      }
      const rows = await db
        .selectFrom('ChannelIdentity as ci')
        .innerJoin('Person as p', 'p.id', 'ci.personId')
        .innerJoin('Membership as m', 'm.personId', 'p.id')
        .innerJoin('Unit as u', 'u.id', 'm.unitId')
        .select([
          'ci.externalUserId',
          'p.id as personId',
          'p.fullName',
          'p.locale',
          'p.active',
          'm.role',
          'm.revokedAt',
          'u.id as unitId',
          'u.code as unitCode',
          'u.name as unitName',
          'u.kind as unitKind',
        ])
        .where('ci.channel', '=', channel)
        .where('p.id', 'in', (q) =>
          q
            .selectFrom('Membership')
            .select('personId')
            .where('role', 'in', [...roles]),
        )
        .orderBy('ci.id')
        .orderBy('m.id')
        .execute();
      const chats = new Map<string, (typeof rows)[number][]>();
      for (const row of rows) {
        chats.set(row.externalUserId, [...(chats.get(row.externalUserId) ?? []), row]);
      }
      return [...chats].flatMap(([chatId, held]) => {
        const first = held[0];
        const live = held.filter((r) => Boolean(r.active) && r.revokedAt === null);
        return first ? [{ chatId, actor: actorOf(first, live) }] : [];
      });
    },
    async liveMemberships(unitIds, roles) {
      if (unitIds.length === 0 || roles.length === 0) {
        return [];
      }
      const rows = await db
        .selectFrom('Membership as m')
        .innerJoin('Person as p', 'p.id', 'm.personId')
        .select(['m.personId', 'p.fullName', 'm.unitId', 'm.role'])
        .where('m.unitId', 'in', [...unitIds])
        .where('m.role', 'in', [...roles])
        .where('m.revokedAt', 'is', null)
        .orderBy('m.id')
        .execute();
      return rows.flatMap(({ role, ...m }) => (isRole(role) ? [{ ...m, role }] : []));
    },
  };
}

export function createInviteRepository(
  t: SqlDb,
  opts: { refuseDemoInvites?: boolean | undefined },
): InviteRepository {
  const db = t.kysely;
  /** Whether the person made by the playground (the demo's invite codes are theirs). */
  const isPlaygroundPerson = async (personId: number) =>
    (await db
      .selectFrom('ChannelIdentity')
      .select('id')
      .where('personId', '=', personId)
      .where('channel', '=', PLAYGROUND_CHANNEL)
      .executeTakeFirst()) !== undefined;
  return {
    async create(invite, at) {
      const r = await db
        .insertInto('Invite')
        .values({
          code: invite.code,
          role: invite.role,
          unitId: invite.unitId,
          fullName: invite.fullName,
          createdBy: invite.createdBy,
          createdAt: at,
          expiresAt: invite.expiresAt,
        })
        .onConflict((oc) => oc.column('code').doNothing())
        .returning('id')
        .executeTakeFirst();
      return r?.id;
    },
    async findByCode(code) {
      const r = await db
        .selectFrom('Invite as i')
        .innerJoin('Unit as u', 'u.id', 'i.unitId')
        .selectAll('i')
        .select('u.name as unitName')
        .where('i.code', '=', code)
        .executeTakeFirst();
      const role = r?.role;
      if (!r || !role || !isRole(role)) {
        return undefined;
      }
      if (opts.refuseDemoInvites && (await isDemoInvite(r, isPlaygroundPerson))) {
        return undefined;
      }
      const invite: InviteView = {
        id: r.id,
        code: r.code,
        role,
        unitId: r.unitId,
        unitName: r.unitName,
        fullName: r.fullName,
        expiresAt: r.expiresAt,
        usedAt: r.usedAt,
        usedByPersonId: r.usedByPersonId,
        revokedAt: r.revokedAt,
      };
      return invite;
    },
    async markUsed(id, at) {
      const r = await db
        .updateTable('Invite')
        .set({ usedAt: at })
        .where('id', '=', id)
        .where('usedAt', 'is', null)
        .executeTakeFirst();
      return r.numUpdatedRows === 1n;
    },
    async revoke(id, at) {
      const r = await db
        .updateTable('Invite')
        .set({ revokedAt: at })
        .where('id', '=', id)
        .where('usedAt', 'is', null)
        .where('revokedAt', 'is', null)
        .executeTakeFirst();
      return r.numUpdatedRows === 1n;
    },
    async setUsedBy(id, personId) {
      await db.updateTable('Invite').set({ usedByPersonId: personId }).where('id', '=', id).execute();
    },
  };
}

export function createThrottleRepository(t: SqlDb): ThrottleRepository {
  const db = t.kysely;
  return {
    async find(key) {
      const r = await db
        .selectFrom('Throttle')
        .select(['failures', 'windowStart', 'blockedUntil'])
        .where('key', '=', key)
        .executeTakeFirst();
      return r
        ? { failures: r.failures, windowStart: r.windowStart, blockedUntil: r.blockedUntil }
        : undefined;
    },
    async save(key, record) {
      await db
        .insertInto('Throttle')
        .values({
          key,
          failures: record.failures,
          windowStart: record.windowStart,
          blockedUntil: record.blockedUntil ?? null,
        })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet((eb) => ({
            failures: eb.ref('excluded.failures'),
            windowStart: eb.ref('excluded.windowStart'),
            blockedUntil: eb.ref('excluded.blockedUntil'),
          })),
        )
        .execute();
    },
    async delete(key) {
      await db.deleteFrom('Throttle').where('key', '=', key).execute();
    },
  };
}
