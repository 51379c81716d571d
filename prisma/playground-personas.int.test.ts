import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededDatabase, tempDatabase } from '../test/support/app-harness.ts';
import { applyMigrations } from './migrate.ts';
import { findPlaygroundIdentities } from './playground-personas.ts';
import { DEMO_PEOPLE, hasCampaignData } from './seed.ts';
import { openSqlDb, type SqlDb } from './sql-db.ts';

/**
 * The two questions the bot asks at start-up and on every playground request without the Prisma
 * client (issue 14 §7): is the database seeded, and who are the playground's personas.
 */

const NOW = new Date('2025-03-10T03:00:00Z');
let db: SqlDb;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ db, close } = await seededDatabase(NOW));
});

afterAll(async () => {
  await close();
});

describe('hasCampaignData', () => {
  it('is true on a seeded database and false on a migrated empty one', async () => {
    expect(await hasCampaignData(db)).toBe(true);
    const temp = tempDatabase();
    const empty = openSqlDb(temp.url);
    try {
      await applyMigrations(empty);
      expect(await hasCampaignData(empty)).toBe(false);
    } finally {
      await empty.close();
      await temp.cleanup();
    }
  });
});

describe('findPlaygroundIdentities', () => {
  it('lists every demo person with their role and unit, in the order they were made', async () => {
    const identities = await findPlaygroundIdentities(db);
    expect(identities.map((i) => i.externalUserId)).toEqual(DEMO_PEOPLE.map((p) => p.key));
    expect(identities[0]).toEqual({
      externalUserId: 'officer-ducxuan',
      fullName: 'Nguyễn Thị Lan',
      role: 'unit_officer',
      unitName: 'Phường Đức Xuân',
    });
  });

  it('shows no role once the membership is revoked, and the first current one when there are two', async () => {
    const identity = await db.kysely
      .selectFrom('ChannelIdentity')
      .select('personId')
      .where('externalUserId', '=', 'officer-ducxuan')
      .executeTakeFirstOrThrow();
    await db.kysely
      .updateTable('Membership')
      .set({ revokedAt: NOW })
      .where('personId', '=', identity.personId)
      .execute();
    const revoked = (await findPlaygroundIdentities(db)).find((i) => i.externalUserId === 'officer-ducxuan');
    expect(revoked).toMatchObject({ role: undefined, unitName: undefined });

    const city = await db.kysely
      .selectFrom('Unit')
      .select('id')
      .where('code', '=', '058')
      .executeTakeFirstOrThrow();
    const ward = await db.kysely
      .selectFrom('Unit')
      .select('id')
      .where('code', '=', '01840')
      .executeTakeFirstOrThrow();
    await db.kysely
      .insertInto('Membership')
      .values([
        { personId: identity.personId, unitId: city.id, role: 'leader' },
        { personId: identity.personId, unitId: ward.id, role: 'fund_officer' },
      ])
      .execute();
    const again = await findPlaygroundIdentities(db);
    expect(again.filter((i) => i.externalUserId === 'officer-ducxuan')).toEqual([
      {
        externalUserId: 'officer-ducxuan',
        fullName: 'Nguyễn Thị Lan',
        role: 'leader',
        unitName: 'Ủy ban MTTQ Việt Nam thành phố Bắc Kạn',
      },
    ]);
  });
});
