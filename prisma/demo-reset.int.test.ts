import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratedDb } from '../test/support/app-harness.ts';
import { demoResetRefusal, resetDemoDatabase } from './demo-reset.ts';
import { usableDemoInvite } from './playground-personas.ts';
import { LIVING_DEMO_PEOPLE, seedIfEmpty } from './seed.ts';
import type { SqlDb } from './sql-db.ts';

/**
 * The playground's "Bắt đầu lại" and `npm run db:seed` on a demo database (issue 18 §1), on SQLite
 * and PostgreSQL (TEST_DATABASE=postgres): everything the demo's people did is gone, the living demo
 * is back as of the new day, the ledger's guard still stands; a database with other people is refused.
 */

const SEEDED = new Date('2026-12-09T01:00:00Z');
const LATER = new Date('2027-01-20T03:00:00Z');
let db: SqlDb;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ db, close } = await migratedDb());
  await seedIfEmpty(db, SEEDED, { demo: 'living' });
});

afterAll(async () => {
  await close();
});

const count = async (table: 'Person' | 'Household' | 'FundEntry' | 'Report' | 'Invite' | 'AuditLog') =>
  Number(
    (
      await db.kysely
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('a demo invite for each stranger', () => {
  it("is the seed's while unused, then a copy of it under a new code, the same until that one is used", async () => {
    expect(await usableDemoInvite(db, SEEDED)).toBe('DEMO2025');
    await db.kysely.updateTable('Invite').set({ usedAt: SEEDED }).where('code', '=', 'DEMO2025').execute();
    const next = await usableDemoInvite(db, SEEDED);
    expect(next).toMatch(/^DEMO[A-Z2-9]{4}$/);
    expect(await usableDemoInvite(db, SEEDED)).toBe(next);
    const invites = await db.kysely
      .selectFrom('Invite')
      .select(['code', 'role', 'unitId', 'createdBy'])
      .orderBy('id')
      .execute();
    expect(invites[1]).toMatchObject({ ...invites[0], code: next });
  });
});

describe('starting the demo over', () => {
  it('empties what was done and seeds the living demo of the new day', async () => {
    const fresh = {
      people: await count('Person'),
      households: await count('Household'),
      entries: await count('FundEntry'),
    };
    // What people did in the playground: a new person, a household, an invite used (above).
    const { id: personId } = await db.kysely
      .insertInto('Person')
      .values({ fullName: 'Khách ABCD', createdAt: SEEDED })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.kysely
      .insertInto('ChannelIdentity')
      .values({ channel: 'playground', externalUserId: 'khach-abcdef', personId, createdAt: SEEDED })
      .execute();
    expect(await demoResetRefusal(db)).toBeUndefined();

    await resetDemoDatabase(db, LATER, 'living');
    expect(await count('Person')).toBe(fresh.people);
    expect(await count('Household')).toBe(fresh.households);
    expect(await count('FundEntry')).toBe(fresh.entries);
    expect(await count('Invite')).toBe(1);
    expect(await usableDemoInvite(db, LATER)).toBe('DEMO2025');
    // Ids start again, the demo is dated from the new day: the campaign opened four months before it.
    const first = await db.kysely.selectFrom('Person').select('id').orderBy('id').executeTakeFirstOrThrow();
    expect(first.id).toBe(1);
    const campaign = await db.kysely
      .selectFrom('Campaign')
      .select('startsOn')
      .where('code', '=', 'TN-XNT-DEMO')
      .executeTakeFirstOrThrow();
    expect(campaign.startsOn).toBe('2026-09-01');
    const keys = await db.kysely
      .selectFrom('ChannelIdentity')
      .select('externalUserId')
      .orderBy('id')
      .execute();
    expect(keys.map((k) => k.externalUserId)).toEqual(LIVING_DEMO_PEOPLE.map((p) => p.key));
    // The ledger still refuses to lose a row.
    await expect(db.kysely.deleteFrom('FundEntry').execute()).rejects.toThrow(/never deleted/);
    expect(await count('FundEntry')).toBe(fresh.entries);
  });

  it('refuses a database where someone has a messenger identity, and one the seed made no demo of', async () => {
    const person = await db.kysely.selectFrom('Person').select('id').executeTakeFirstOrThrow();
    await db.kysely
      .insertInto('ChannelIdentity')
      .values({ channel: 'telegram', externalUserId: '123456', personId: person.id, createdAt: LATER })
      .execute();
    const before = await count('AuditLog');
    await expect(resetDemoDatabase(db, LATER, 'living')).rejects.toThrow(/people of a messenger/);
    expect(await count('AuditLog')).toBe(before);

    const other = await migratedDb();
    try {
      await seedIfEmpty(other.db, LATER, { demo: false });
      expect(await demoResetRefusal(other.db)).toBe('not a demo database');
    } finally {
      await other.close();
    }
  });
});
