import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratedDb } from '../test/support/app-harness.ts';
import { createFeedbackRepository } from './feedback-repository.ts';
import { createPledgeRepository } from './pledge-repository.ts';
import { seedDemo } from './seed.ts';
import type { SqlDb } from './sql-db.ts';

/**
 * References are written upper case and looked up by the unique index on them: what a person types,
 * in any case and with spaces around it, still finds them (SQLite, or PostgreSQL with TEST_DATABASE).
 */
describe('looking up by reference', () => {
  const at = new Date('2025-03-10T03:00:00Z');
  let db: SqlDb;
  let close: () => Promise<void>;
  let unitId: number;
  let campaignId: number;

  beforeAll(async () => {
    ({ db, close } = await migratedDb());
    await seedDemo(db, at);
    campaignId = (await db.kysely.selectFrom('Campaign').select('id').executeTakeFirstOrThrow()).id;
    unitId = (await db.kysely.selectFrom('Household').select('unitId').executeTakeFirstOrThrow()).unitId;
  });
  afterAll(() => close());

  it('finds a pledge by its reference typed in any case', async () => {
    const pledges = createPledgeRepository(db);
    const { id, ref } = await db.transaction((t) =>
      createPledgeRepository(t).create(
        {
          campaignId,
          donorKind: 'individual',
          donorName: 'Nhà hảo tâm',
          donorPhone: null,
          personId: null,
          orgUnitId: null,
          fundUnitId: unitId,
          kind: 'money',
          description: null,
          quantity: null,
          quantityUnit: null,
          amount: 1_000_000n,
          householdId: null,
          targetUnitId: null,
          dueOn: null,
          publicName: true,
          channel: 'telegram',
        },
        at,
      ),
    );
    expect(ref).toMatch(/^UH-\d{4}$/);
    for (const typed of [ref, ref.toLowerCase(), ` ${ref.toLowerCase()} `, `Uh${ref.slice(2)}`]) {
      expect((await pledges.findByRef(typed))?.id, typed).toBe(id);
    }
    expect(await pledges.findByRef('UH-9999')).toBeUndefined();
  });

  it('finds a feedback by its tracking number typed in any case', async () => {
    const feedback = createFeedbackRepository(db);
    const { id, ref } = await db.transaction((t) =>
      createFeedbackRepository(t).create(
        {
          channel: 'telegram',
          chatId: '42',
          personId: null,
          name: null,
          unitId,
          topic: 'other',
          text: 'Góp ý',
          photos: [],
        },
        at,
      ),
    );
    expect(ref).toMatch(/^PA-\d{4}$/);
    for (const typed of [ref, ref.toLowerCase(), ` ${ref.toLowerCase()} `]) {
      expect((await feedback.findByRef(typed))?.id, typed).toBe(id);
    }
    expect(await feedback.findByRef('PA-9999')).toBeUndefined();
  });
});
