import type { SqlDb } from './database.ts';
import { DEMO_INVITE_CODE, SEED_INVITE_CREATOR } from './demo-marks.ts';

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

/** A group chat of the playground: its members write in it as themselves (`/dangkynhom`, `/digest`). */
export interface PlaygroundGroup {
  /** The group's chat id on the playground channel. */
  id: string;
  title: string;
  /** Persona keys, the one who usually writes first. */
  members: readonly string[];
}

/** The demos' leadership group: the leader writes, the admin (who approves it) is in it too. */
export const PLAYGROUND_GROUPS: readonly PlaygroundGroup[] = [
  { id: 'nhom-thuong-truc', title: 'Nhóm Thường trực MTTQ tỉnh', members: ['leader', 'admin'] },
];

/** A stranger of the playground: `khach-` and a random part, bound to nobody until they register. */
export const STRANGER_ID = /^khach-[a-z0-9]{6,16}$/;

/** The letters and digits of an invite code (core/people/invite-code.ts: 8 of them). */
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * A demo invite a stranger can still redeem: the seed's (`DEMO2025`) while it is unused, then a copy
 * of it under a new code (same role and unit, made by the seed too, so `demo remove` and a real
 * deployment treat it as the demo's). Undefined when the database has no demo invite at all.
 */
export async function usableDemoInvite(db: SqlDb, now: Date): Promise<string | undefined> {
  return db.transaction(async (t) => {
    await t.lock('demo-invite');
    const usable = await t.kysely
      .selectFrom('Invite')
      .select('code')
      .where('createdBy', '=', SEED_INVITE_CREATOR)
      .where('usedAt', 'is', null)
      .where('revokedAt', 'is', null)
      .where('expiresAt', '>', now)
      .orderBy('id')
      .executeTakeFirst();
    if (usable) {
      return usable.code;
    }
    const model = await t.kysely
      .selectFrom('Invite')
      .select(['role', 'unitId', 'expiresAt'])
      .where('code', '=', DEMO_INVITE_CODE)
      .executeTakeFirst();
    if (!model) {
      return undefined;
    }
    for (;;) {
      const random = Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) => CODE_ALPHABET[b % 32]);
      const code = `DEMO${random.join('')}`;
      const taken = await t.kysely
        .selectFrom('Invite')
        .select('id')
        .where('code', '=', code)
        .executeTakeFirst();
      if (!taken) {
        await t.kysely
          .insertInto('Invite')
          .values({
            code,
            role: model.role,
            unitId: model.unitId,
            createdBy: SEED_INVITE_CREATOR,
            expiresAt: new Date(Math.max(model.expiresAt.getTime(), now.getTime() + 365 * 86_400_000)),
            createdAt: now,
          })
          .execute();
        return code;
      }
    }
  });
}
