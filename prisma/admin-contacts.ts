import { type Address, type Channel, isChannel } from '../core/messaging/message.ts';
import type { SqlDb } from './sql-db.ts';

/** Where the active admins can be reached, leaving out one channel if given (the one that is down). */
export async function findAdminAddresses(db: SqlDb, excludeChannel?: Channel): Promise<Address[]> {
  const rows = await db.kysely
    .selectFrom('ChannelIdentity as ci')
    .innerJoin('Person as p', (j) => j.onRef('p.id', '=', 'ci.personId').on('p.active', '=', true))
    .innerJoin('Membership as m', (j) =>
      j.onRef('m.personId', '=', 'p.id').on('m.role', '=', 'admin').on('m.revokedAt', 'is', null),
    )
    .where('ci.channel', '<>', excludeChannel ?? '')
    .select(['ci.channel', 'ci.externalUserId'])
    .distinct()
    .execute();
  return rows.flatMap((r) =>
    isChannel(r.channel) ? [{ channel: r.channel, chatId: r.externalUserId }] : [],
  );
}
