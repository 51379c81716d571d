import type { Address, Channel } from '../core/messaging/message.ts';
import type { SqlDb } from './sql-db.ts';

/** Where the active admins can be reached, leaving out one channel if given (the one that is down). */
export async function findAdminAddresses(db: SqlDb, excludeChannel?: Channel): Promise<Address[]> {
  const rows = await db.all(
    `SELECT DISTINCT ci.channel, ci.externalUserId FROM "ChannelIdentity" ci
       JOIN "Person" p ON p.id = ci.personId AND p.active = TRUE
       JOIN "Membership" m ON m.personId = p.id AND m.role = 'admin' AND m.revokedAt IS NULL
      WHERE ci.channel <> ?`,
    [excludeChannel ?? ''],
  );
  return rows.map((r) => ({ channel: String(r.channel) as Channel, chatId: String(r.externalUserId) }));
}
