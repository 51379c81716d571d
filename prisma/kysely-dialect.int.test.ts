import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migratedDb } from '../test/support/app-harness.ts';
import { type Param, prepared } from './kysely-dialect.ts';
import type { SqlDb } from './sql-db.ts';

const findPerson = prepared((db, $: Param<{ id: number; active: boolean }>) =>
  db.selectFrom('Person').selectAll().where('id', '=', $('id')).where('active', '=', $('active')),
);

const renamePerson = prepared((db, $: Param<{ id: number; fullName: string }>) =>
  db
    .updateTable('Person')
    .set({ fullName: $('fullName') })
    .where('id', '=', $('id')),
);

/** Kysely on our connections (SQLite, or PostgreSQL with TEST_DATABASE): types, transactions, prepared statements. */
describe('the Kysely dialect', () => {
  const at = new Date('2025-03-10T03:04:05.678Z');
  let db: SqlDb;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ db, close } = await migratedDb());
  });
  afterEach(() => close());

  it('reads columns as the generated types say: Date, boolean, bigint, number', async () => {
    const person = await db.kysely
      .insertInto('Person')
      .values({ fullName: 'Lan', locale: 'vi', active: true, createdAt: at })
      .returning(['id', 'active', 'createdAt'])
      .executeTakeFirstOrThrow();
    expect(person).toEqual({ id: expect.any(Number), active: true, createdAt: at });
    const money = 12_345_678_901_234_567n;
    await db.kysely
      .insertInto('Campaign')
      .values({
        code: 'C',
        name: 'Campaign',
        startsOn: '2025-01-01',
        endsOn: '2025-12-31',
        finalDueOn: '2025-12-31',
        normNewBuild: money,
        normRepair: 1n,
      })
      .execute();
    const campaign = await db.kysely
      .selectFrom('Campaign')
      .select(['normNewBuild', 'normRepair', 'monthlyDueDay'])
      .executeTakeFirstOrThrow();
    expect(campaign).toEqual({ normNewBuild: money, normRepair: 1n, monthlyDueDay: expect.any(Number) });
    const count = await db.kysely
      .selectFrom('Person')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  it("runs a transaction's statements in it: all or nothing", async () => {
    await expect(
      db.transaction(async (t) => {
        await t.kysely
          .insertInto('InboundSeen')
          .values({ channel: 'telegram', externalId: '1', receivedAt: at })
          .execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await db.transaction(async (t) => {
      await t.lock('k');
      await t.kysely
        .insertInto('InboundSeen')
        .values({ channel: 'telegram', externalId: '2', receivedAt: at })
        .execute();
    });
    const rows = await db.kysely.selectFrom('InboundSeen').select(['externalId', 'receivedAt']).execute();
    expect(rows).toEqual([{ externalId: '2', receivedAt: at }]);
    await expect(db.kysely.transaction().execute(async () => undefined)).rejects.toThrow(/SqlDb.transaction/);
  });

  it('runs a prepared statement with new values each time, on the database kind it is given', async () => {
    const ids: number[] = [];
    for (const fullName of ['An', 'Bình']) {
      const r = await db.kysely
        .insertInto('Person')
        .values({ fullName, locale: 'vi', active: fullName === 'An', createdAt: at })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.push(r.id);
    }
    const [an, binh] = ids as [number, number];
    expect((await findPerson.first(db.kysely, { id: an, active: true }))?.fullName).toBe('An');
    expect(await findPerson.first(db.kysely, { id: binh, active: true })).toBeUndefined();
    expect((await findPerson.all(db.kysely, { id: binh, active: false })).map((p) => p.fullName)).toEqual([
      'Bình',
    ]);
    await db.transaction(async (t) => {
      expect(await renamePerson.run(t.kysely, { id: binh, fullName: 'Bình mới' })).toBe(1);
      expect(await renamePerson.run(t.kysely, { id: 999_999, fullName: 'x' })).toBe(0);
    });
    const names = await sql<{
      fullName: string;
    }>`SELECT ${sql.ref('fullName')} FROM ${sql.table('Person')} ORDER BY id`.execute(db.kysely);
    expect(names.rows.map((r) => r.fullName)).toEqual(['An', 'Bình mới']);
  });
});
