import type { BoardLevelSum, BoardRepository } from '../../core/board/board.repository.ts';
import { DONOR_KINDS, PLEDGE_KINDS } from '../../core/funds/fund.repository.ts';
import type { SqlDb } from '../database.ts';
import { type DbSum, money, oneOf } from '../fund-rows.ts';

/** The live board's reads (issue 17 §3): the running totals, the newest pledges, a change stamp. */
export function createBoardRepository(t: SqlDb): BoardRepository {
  const db = t.kysely;
  return {
    async levelSums(campaignId) {
      const rows = await db
        .selectFrom('FundTotal')
        .select(['levelUnitId', 'kind', 'amount', 'entries'])
        .where('campaignId', '=', campaignId)
        .where('kind', 'in', ['pledged', 'receipt', 'in_kind'])
        .execute();
      const levels = new Map<number, BoardLevelSum>();
      for (const r of rows) {
        const level = levels.get(r.levelUnitId) ?? {
          unitId: r.levelUnitId,
          pledged: 0n,
          pledges: 0,
          received: 0n,
          inKind: 0n,
        };
        const amount = money(r.amount);
        if (r.kind === 'pledged') {
          level.pledged += amount;
          level.pledges += Number(r.entries);
        } else if (r.kind === 'receipt') {
          level.received += amount;
        } else {
          level.inKind += amount;
        }
        levels.set(r.levelUnitId, level);
      }
      return [...levels.values()].filter(
        (l) => l.pledges > 0 || l.pledged !== 0n || l.received !== 0n || l.inKind !== 0n,
      );
    },
    async latestPledges(campaignId, limit) {
      const rows = await db
        .selectFrom('Pledge')
        .select([
          'id',
          'ref',
          'donorKind',
          'donorName',
          'publicName',
          'kind',
          'amount',
          'description',
          'quantity',
          'quantityUnit',
          'fundUnitId',
          'createdAt',
        ])
        .where('campaignId', '=', campaignId)
        .where('cancelledAt', 'is', null)
        .where((eb) => eb.or([eb('verification', 'is', null), eb('verification', '<>', 'pending')]))
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        ...r,
        donorKind: oneOf(DONOR_KINDS, r.donorKind, 'individual'),
        kind: oneOf(PLEDGE_KINDS, r.kind, 'money'),
        amount: money(r.amount),
      }));
    },
    async stamp(campaignId) {
      const totals = await db
        .selectFrom('FundTotal')
        .select((eb) => [
          eb.fn.sum<DbSum>('amount').as('amount'),
          eb.fn.sum<DbSum>('entries').as('entries'),
          eb.fn.countAll<DbSum>().as('rows'),
        ])
        .where('campaignId', '=', campaignId)
        .executeTakeFirst();
      // The newest pledge of any campaign (the primary key's last entry): a new one moves it.
      const pledge = await db
        .selectFrom('Pledge')
        .select((eb) => eb.fn.max('id').as('id'))
        .executeTakeFirst();
      const examples = await db
        .selectFrom('ModelExample')
        .select((eb) => [
          eb.fn.countAll<DbSum>().as('count'),
          eb.fn.max('id').as('last'),
          eb.fn.count<DbSum>('withdrawnAt').as('withdrawn'),
        ])
        .where('campaignId', '=', campaignId)
        .executeTakeFirst();
      return [
        totals?.amount ?? 0,
        totals?.entries ?? 0,
        totals?.rows ?? 0,
        pledge?.id ?? 0,
        examples?.count ?? 0,
        examples?.last ?? 0,
        examples?.withdrawn ?? 0,
      ].join(':');
    },
  };
}
