import type { ExpressionBuilder } from 'kysely';
import type { PledgeRepository } from '../core/funds/fund.repository.ts';
import { normalizeVi } from '../core/shared/parse.ts';
import { type DbSum, notReversed, type PledgeViewRow, toPledge } from './fund-rows.ts';
import { countPledge } from './fund-totals.ts';
import type { DB } from './kysely-dialect.ts';
import type { SqlDb } from './sql-db.ts';

/** A pledge with its names and what it received (PledgeView). */
function pledgeView(db: SqlDb) {
  return db.kysely
    .selectFrom('Pledge as p')
    .innerJoin('Unit as fu', 'fu.id', 'p.fundUnitId')
    .leftJoin('Unit as ou', 'ou.id', 'p.orgUnitId')
    .leftJoin('Unit as tu', 'tu.id', 'p.targetUnitId')
    .leftJoin('Household as h', 'h.id', 'p.householdId')
    .selectAll('p')
    .select((eb) => [
      'fu.name as fundUnitName',
      'ou.name as orgUnitName',
      'tu.name as targetUnitName',
      'h.code as householdCode',
      'h.headName as householdHeadName',
      eb
        .selectFrom('FundEntry as e')
        .select((s) => s.fn.sum<DbSum>('e.amount').as('sum'))
        .whereRef('e.pledgeId', '=', 'p.id')
        .where('e.kind', 'in', ['receipt', 'in_kind'])
        .where(notReversed)
        .as('receivedSum'),
    ]);
}

/** Nothing received against the pledge yet (a reversal row aside): it may still change. */
function unpaid(eb: ExpressionBuilder<DB, 'Pledge'>) {
  return eb.not(
    eb.exists(
      eb
        .selectFrom('FundEntry as e')
        .select('e.id')
        .whereRef('e.pledgeId', '=', 'Pledge.id')
        .where('e.kind', '<>', 'reversal'),
    ),
  );
}

/**
 * Pledges on the transaction's connection. The next "UH-0042" reference is the largest id plus
 * one, taken under a lock so two transactions on PostgreSQL never pick the same one.
 */
export function createPledgeRepository(db: SqlDb): PledgeRepository {
  const views = async (rows: Promise<PledgeViewRow[]>) => (await rows).map(toPledge);
  return {
    async create(p, at) {
      return db.transaction(async (tx) => {
        await tx.lock('Pledge.ref');
        const last = await tx.kysely
          .selectFrom('Pledge')
          .select('id')
          .orderBy('id', 'desc')
          .limit(1)
          .executeTakeFirst();
        const ref = `UH-${String((last?.id ?? 0) + 1).padStart(4, '0')}`;
        const { id } = await tx.kysely
          .insertInto('Pledge')
          .values({
            ref,
            campaignId: p.campaignId,
            donorKind: p.donorKind,
            donorName: p.donorName,
            donorPhone: p.donorPhone,
            personId: p.personId,
            orgUnitId: p.orgUnitId,
            fundUnitId: p.fundUnitId,
            kind: p.kind,
            description: p.description,
            quantity: p.quantity,
            quantityUnit: p.quantityUnit,
            amount: p.amount,
            householdId: p.householdId,
            targetUnitId: p.targetUnitId,
            dueOn: p.dueOn,
            publicName: p.publicName,
            channel: p.channel,
            anonymous: p.anonymous ?? false,
            verification: p.verification ?? null,
            createdAt: at,
            updatedAt: at,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await countPledge(tx, id, 1);
        return { id, ref };
      });
    },
    async update(id, c, at) {
      // The level's pledged total: out as it was, in as it is (unchanged when the update does not apply).
      await countPledge(db, id, -1);
      const r = await db.kysely
        .updateTable('Pledge')
        .set({
          kind: c.kind,
          description: c.description,
          quantity: c.quantity,
          quantityUnit: c.quantityUnit,
          amount: c.amount,
          dueOn: c.dueOn,
          publicName: c.publicName,
          fundUnitId: c.fundUnitId,
          targetUnitId: c.targetUnitId,
          verification: c.verification,
          updatedAt: at,
        })
        .where('id', '=', id)
        .where('cancelledAt', 'is', null)
        .where(unpaid)
        .executeTakeFirst();
      await countPledge(db, id, 1);
      return r.numUpdatedRows === 1n;
    },
    async cancel(id, reason, at) {
      await countPledge(db, id, -1);
      const r = await db.kysely
        .updateTable('Pledge')
        .set({ cancelledAt: at, cancelReason: reason, updatedAt: at })
        .where('id', '=', id)
        .where('cancelledAt', 'is', null)
        .where(unpaid)
        .executeTakeFirst();
      await countPledge(db, id, 1);
      return r.numUpdatedRows === 1n;
    },
    async decide(id, decision, by, at) {
      // Out of 'unverified', into 'pledged' (confirmed) or nothing (rejected: cancelled).
      await countPledge(db, id, -1);
      const r = await db.kysely
        .updateTable('Pledge')
        .set({
          verification: decision.verification,
          verifiedBy: by,
          verifiedAt: at,
          updatedAt: at,
          ...(decision.verification === 'rejected' ? { cancelledAt: at, cancelReason: decision.reason } : {}),
        })
        .where('id', '=', id)
        .where('verification', '=', 'pending')
        .where('cancelledAt', 'is', null)
        .executeTakeFirst();
      await countPledge(db, id, 1);
      return r.numUpdatedRows === 1n;
    },
    async countSince(who, since) {
      const r = await db.kysely
        .selectFrom('Pledge')
        // COUNT is an integer on SQLite, a bigint on PostgreSQL.
        .select((eb) => eb.fn.countAll<number | bigint>().as('n'))
        .where((eb) => ('personId' in who ? eb('personId', '=', who.personId) : eb('anonymous', '=', true)))
        .where('createdAt', '>=', since)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async findById(id) {
      return (await views(pledgeView(db).where('p.id', '=', id).execute()))[0];
    },
    async findByRef(ref) {
      // References are written upper case ("UH-0042"): the input upper-cased finds it through the
      // unique index, where upper(ref) would read every pledge.
      const rows = pledgeView(db).where('p.ref', '=', ref.trim().toUpperCase()).execute();
      return (await views(rows))[0];
    },
    async search(campaignId, levelIds, query, limit) {
      if (levelIds?.length === 0) {
        return [];
      }
      const rows = await views(
        pledgeView(db)
          .where('p.campaignId', '=', campaignId)
          .$if(levelIds !== null, (q) => q.where('p.fundUnitId', 'in', levelIds ?? []))
          .orderBy('p.id', 'desc')
          .execute(),
      );
      // Names are matched without diacritics in code: a city has hundreds of pledges, not millions.
      const q = normalizeVi(query);
      const digits = q.replace(/\D/g, '');
      return rows
        .filter(
          (p) =>
            normalizeVi(p.donorName).includes(q) ||
            normalizeVi(p.ref) === q ||
            (digits.length > 0 && p.ref.replace(/\D/g, '').replace(/^0+/, '') === digits.replace(/^0+/, '')),
        )
        .slice(0, limit);
    },
    async listByPerson(personId) {
      return views(pledgeView(db).where('p.personId', '=', personId).orderBy('p.id', 'desc').execute());
    },
    async listByCampaign(campaignId) {
      return views(pledgeView(db).where('p.campaignId', '=', campaignId).orderBy('p.id').execute());
    },
  };
}
