import type { Address, Channel } from '../core/messaging/message.ts';
import type { SqliteDatabase } from './sqlite.ts';

/** Where the active admins can be reached, leaving out one channel (the one that is down). */
export function findAdminAddresses(db: SqliteDatabase, excludeChannel: Channel): Address[] {
  const rows = db
    .prepare(
      `SELECT DISTINCT ci.channel, ci.externalUserId FROM "ChannelIdentity" ci
         JOIN "Person" p ON p.id = ci.personId AND p.active = 1
         JOIN "Membership" m ON m.personId = p.id AND m.role = 'admin' AND m.revokedAt IS NULL
        WHERE ci.channel <> ?`,
    )
    .all(excludeChannel) as { channel: Channel; externalUserId: string }[];
  return rows.map((r) => ({ channel: r.channel, chatId: r.externalUserId }));
}
