import type { SqlDb } from './database.ts';

/** A person known on the playground channel and their first current membership, if any. */
export interface PlaygroundIdentity {
  externalUserId: string;
  fullName: string;
  role: string | undefined;
  unitName: string | undefined;
}

/**
 * The people of the playground (its personas), in the order their identities were made. Through
 * Kysely rather than the Prisma client: the playground lists them on every request, and the bot
 * need not load Prisma's query compiler for that (issue 14 §7, idle memory).
 */
export async function findPlaygroundIdentities(db: SqlDb): Promise<PlaygroundIdentity[]> {
  const rows = await db.kysely
    .selectFrom('ChannelIdentity as i')
    .innerJoin('Person as p', 'p.id', 'i.personId')
    .leftJoin('Membership as m', (join) =>
      join.onRef('m.personId', '=', 'p.id').on('m.revokedAt', 'is', null),
    )
    .leftJoin('Unit as u', 'u.id', 'm.unitId')
    .select(['i.id as identityId', 'i.externalUserId', 'p.fullName', 'm.role', 'u.name as unitName'])
    .where('i.channel', '=', 'playground')
    .orderBy('i.id')
    .orderBy('m.id')
    .execute();
  const seen = new Set<number>();
  const identities: PlaygroundIdentity[] = [];
  for (const row of rows) {
    if (!seen.has(row.identityId)) {
      seen.add(row.identityId);
      identities.push({
        externalUserId: row.externalUserId,
        fullName: row.fullName,
        role: row.role ?? undefined,
        unitName: row.unitName ?? undefined,
      });
    }
  }
  return identities;
}
