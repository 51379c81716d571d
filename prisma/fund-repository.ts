import { sql } from 'kysely';
import type { FundRepository, TotalKind } from '../core/funds/fund.repository.ts';
import { type DbSum, money, notReversed, notReversedEach, toEntry } from './fund-rows.ts';
import { countEntry, countReceipts } from './fund-totals.ts';
import type { SqlDb } from './sql-db.ts';

const TOTAL_KINDS: readonly TotalKind[] = [
  'receipt',
  'in_kind',
  'allocation',
  'disbursement',
  'transfer_out',
  'transfer_in',
];

/** The ledger on the transaction's connection. */
export function createFundRepository(db: SqlDb): FundRepository {
  const entries = () => db.kysely.selectFrom('FundEntry').selectAll();
  const findEntry = async (id: number) => {
    const r = await entries().where('id', '=', id).executeTakeFirst();
    return r ? toEntry(r) : undefined;
  };
  return {
    async entriesTouching(campaignId, scope) {
      const { levels, householdIds } = scope;
      if (levels.length === 0 && householdIds.length === 0) {
        return [];
      }
      const rows = await entries()
        .where('campaignId', '=', campaignId)
        .where((eb) =>
          eb.or([
            ...(levels.length > 0 ? [eb('levelUnitId', 'in', levels), eb('toUnitId', 'in', levels)] : []),
            ...(householdIds.length > 0 ? [eb('householdId', 'in', householdIds)] : []),
          ]),
        )
        .orderBy('id')
        .execute();
      return rows.map(toEntry);
    },
    findEntry,
    async receipts(campaignId, filter, limit) {
      const { levelIds, pledgeId, entryId } = filter;
      if (levelIds?.length === 0) {
        return [];
      }
      const rows = await db.kysely
        .selectFrom('FundEntry as e')
        .selectAll('e')
        .where('e.campaignId', '=', campaignId)
        .where('e.kind', 'in', ['receipt', 'in_kind'])
        .where(notReversed)
        .$if(levelIds !== undefined && levelIds !== null, (q) =>
          q.where('e.levelUnitId', 'in', levelIds ?? []),
        )
        .$if(pledgeId !== undefined, (q) => q.where('e.pledgeId', '=', pledgeId ?? 0))
        .$if(entryId !== undefined, (q) => q.where('e.id', '=', entryId ?? 0))
        .orderBy('e.id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toEntry);
    },
    async insert(e, at) {
      const { id } = await db.kysely
        .insertInto('FundEntry')
        .values({
          campaignId: e.campaignId,
          kind: e.kind,
          levelUnitId: e.levelUnitId,
          toUnitId: e.toUnitId,
          amount: e.amount,
          pledgeId: e.pledgeId,
          householdId: e.householdId,
          need: e.need,
          overrideReason: e.overrideReason,
          overpayment: e.overpayment,
          reversesId: e.reversesId,
          reason: e.reason,
          documentRef: e.documentRef,
          note: e.note,
          publicName: e.publicName,
          description: e.description,
          occurredOn: e.occurredOn,
          personId: e.personId,
          channel: e.channel,
          createdAt: at,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      // The running sums, in the same transaction: a reversal takes its target out.
      if (e.kind === 'reversal') {
        const target = e.reversesId === null ? undefined : await findEntry(e.reversesId);
        if (target) {
          await countEntry(db, target, -1);
        }
      } else {
        await countEntry(db, e, 1);
      }
      return id;
    },
    async insertReceipts(list, at) {
      const ids: number[] = [];
      for (let i = 0; i < list.length; i += 500) {
        const rows = await db.kysely
          .insertInto('FundEntry')
          .values(list.slice(i, i + 500).map((e) => ({ ...e, createdAt: at })))
          .returning('id')
          .execute();
        // Both databases return a multi-row INSERT's ids in the order of its VALUES; sorted to be sure.
        ids.push(...rows.map((r) => r.id).sort((a, b) => a - b));
      }
      await countReceipts(db, list);
      return ids;
    },
    async listByCampaign(campaignId) {
      const rows = await entries().where('campaignId', '=', campaignId).orderBy('id').execute();
      return rows.map(toEntry);
    },
    async rollupFigures(campaignId, scope) {
      const ids = scope.levelIds ?? [];
      const all = scope.levelIds === null;
      if (!all && ids.length === 0) {
        return {
          levels: scope.perLevel ? [] : undefined,
          totals: [],
          pledged: 0n,
          pledgedMoney: 0n,
          walkIn: { received: 0n, inKind: 0n },
          unverified: 0n,
          organisations: [],
          donors: scope.donors ? [] : undefined,
          receipts: scope.donors ? [] : undefined,
        };
      }
      const totalsOf = () =>
        db.kysely
          .selectFrom('FundTotal')
          .where('campaignId', '=', campaignId)
          .$if(!all, (q) => q.where('levelUnitId', 'in', ids));
      const levels = scope.perLevel
        ? await totalsOf().select(['levelUnitId', 'kind', 'amount', 'entries']).execute()
        : undefined;
      const totals = levels
        ? undefined
        : await totalsOf()
            .select((eb) => [
              'kind',
              eb.fn.sum<DbSum>('amount').as('amount'),
              eb.fn.sum<DbSum>('entries').as('entries'),
            ])
            .groupBy('kind')
            .execute();
      // Both from covering indexes of Pledge (the first in organisation order, only the pledges of
      // member organisations; the second in donor order).
      // Pledges waiting for verification count in no roll-up until a fund officer confirms them.
      const live = () =>
        db.kysely
          .selectFrom('Pledge')
          .where('campaignId', '=', campaignId)
          .where('cancelledAt', 'is', null)
          .where((eb) => eb.or([eb('verification', 'is', null), eb('verification', '<>', 'pending')]))
          .$if(!all, (q) => q.where('fundUnitId', 'in', ids));
      const organisations = await live()
        .select((eb) => [
          'orgUnitId',
          eb.fn.min('id').as('firstId'),
          eb.fn.max('id').as('lastId'),
          eb.fn.countAll<number | bigint>().as('pledges'),
          eb.fn.sum<DbSum>('amount').as('pledged'),
          eb.fn.sum<DbSum>('received').as('received'),
        ])
        .where('orgUnitId', 'is not', null)
        .groupBy('orgUnitId')
        .execute();
      const donors = scope.donors
        ? await live()
            .select((eb) => [
              'donorKind',
              'donorName',
              eb.fn.min('id').as('firstId'),
              eb.fn.sum<DbSum>('amount').as('pledged'),
              eb.fn.sum<DbSum>('received').as('received'),
              eb.fn
                .min(eb.case().when(eb.ref('publicName')).then(sql.lit(1)).else(sql.lit(0)).end())
                .as('publicName'),
            ])
            .groupBy(['donorKind', 'donorName'])
            .execute()
        : undefined;
      const pledgedMoney = await live()
        .select((eb) => eb.fn.sum<DbSum>('amount').as('sum'))
        .where('kind', '=', 'money')
        .executeTakeFirst();
      // Gifts in force, from the ledger: those without a pledge summed apart ("ngoài đăng ký"), and
      // with the donors, what each gave (so the public lists add up to the totals received).
      const gifts = () =>
        db.kysely
          .selectFrom('FundEntry as e')
          .where('e.campaignId', '=', campaignId)
          .where('e.kind', 'in', ['receipt', 'in_kind'])
          .where(notReversed)
          .$if(!all, (q) => q.where('e.levelUnitId', 'in', ids));
      // Without a pledge: at the levels, `+pledgeId` keeps SQLite (without statistics) on the
      // levels' index rather than (pledgeId, kind, …), which holds every campaign's walk-in gifts.
      const walkInGifts = () =>
        all
          ? gifts().where('e.pledgeId', 'is', null)
          : gifts().where(sql<number | null>`+${sql.ref('e.pledgeId')}`, 'is', null);
      const walkIns = scope.donors
        ? await walkInGifts()
            .select((eb) => [
              eb.fn.coalesce('e.note', sql.lit('')).as('name'),
              'e.kind',
              eb.fn.min('e.id').as('firstId'),
              eb.fn.sum<DbSum>('e.amount').as('amount'),
              eb.fn
                .min(eb.case().when(eb.ref('e.publicName')).then(sql.lit(1)).else(sql.lit(0)).end())
                .as('publicName'),
            ])
            .groupBy([sql`coalesce(${sql.ref('e.note')}, '')`, 'e.kind'])
            .execute()
        : await walkInGifts()
            .select((eb) => [
              sql.lit('').as('name'),
              'e.kind',
              eb.fn.min('e.id').as('firstId'),
              eb.fn.sum<DbSum>('e.amount').as('amount'),
              sql.lit(0).as('publicName'),
            ])
            .groupBy('e.kind')
            .execute();
      const pledgedGifts = scope.donors
        ? await gifts()
            .innerJoin('Pledge as p', 'p.id', 'e.pledgeId')
            .select((eb) => [
              'p.donorKind',
              'p.donorName',
              'e.kind',
              eb.fn.min('e.id').as('firstId'),
              eb.fn.sum<DbSum>('e.amount').as('amount'),
              eb.fn
                .min(eb.case().when(eb.ref('p.publicName')).then(sql.lit(1)).else(sql.lit(0)).end())
                .as('publicName'),
            ])
            .groupBy(['p.donorKind', 'p.donorName', 'e.kind'])
            .execute()
        : [];
      const giftKind = (kind: string) =>
        (kind === 'in_kind' ? 'in_kind' : 'receipt') as 'receipt' | 'in_kind';
      const walkInOf = (kind: string) =>
        walkIns.filter((r) => r.kind === kind).reduce((a, r) => a + money(r.amount), 0n);
      // The sums of each kind the roll-up folds ('pledged' and 'unverified' are the pledges').
      const byKind = new Map<TotalKind, { kind: TotalKind; amount: bigint; entries: number }>();
      const sums =
        levels?.map((r) => ({ unitId: r.levelUnitId, kind: r.kind, amount: r.amount, entries: r.entries })) ??
        totals?.map((r) => ({
          unitId: 0,
          kind: r.kind,
          amount: money(r.amount),
          entries: Number(r.entries),
        })) ??
        [];
      const perLevel = levels
        ? sums.flatMap((s) => {
            const kind = TOTAL_KINDS.find((k) => k === s.kind);
            return kind ? [{ ...s, kind }] : [];
          })
        : undefined;
      for (const s of sums) {
        const kind = TOTAL_KINDS.find((k) => k === s.kind);
        if (!kind) {
          continue;
        }
        const sum = byKind.get(kind) ?? { kind, amount: 0n, entries: 0 };
        sum.amount += s.amount;
        sum.entries += s.entries;
        byKind.set(kind, sum);
      }
      const sumOf = (kind: string) => sums.filter((s) => s.kind === kind).reduce((a, s) => a + s.amount, 0n);
      return {
        levels: perLevel,
        totals: [...byKind.values()],
        pledged: sumOf('pledged'),
        pledgedMoney: money(pledgedMoney?.sum ?? null),
        walkIn: { received: walkInOf('receipt'), inKind: walkInOf('in_kind') },
        unverified: sumOf('unverified'),
        organisations: organisations.flatMap((r) =>
          r.orgUnitId === null
            ? []
            : [
                {
                  orgUnitId: r.orgUnitId,
                  firstPledgeId: r.firstId,
                  lastPledgeId: r.lastId,
                  pledges: Number(r.pledges),
                  pledged: money(r.pledged),
                  received: money(r.received),
                },
              ],
        ),
        donors: donors?.map((r) => ({
          donorKind: r.donorKind,
          donorName: r.donorName,
          firstPledgeId: r.firstId,
          publicName: Number(r.publicName) === 1,
          pledged: money(r.pledged),
          received: money(r.received),
        })),
        receipts: scope.donors
          ? [
              ...pledgedGifts.map((r) => ({
                walkIn: false,
                donorKind: r.donorKind,
                donorName: r.donorName,
                publicName: Number(r.publicName) === 1,
                kind: giftKind(r.kind),
                amount: money(r.amount),
                firstEntryId: r.firstId,
              })),
              ...walkIns.map((r) => ({
                walkIn: true,
                donorKind: null,
                donorName: String(r.name),
                publicName: Number(r.publicName) === 1,
                kind: giftKind(r.kind),
                amount: money(r.amount),
                firstEntryId: r.firstId,
              })),
            ]
          : undefined,
      };
    },
    async supportedHouseholds(campaignId) {
      const inForce = (kind: string) =>
        db.kysely
          .selectFrom('FundEntry as e')
          .select((eb) => ['e.householdId', eb.fn.sum<DbSum>('e.amount').as('amount')])
          .where('e.campaignId', '=', campaignId)
          .where('e.kind', '=', kind)
          .where(notReversed)
          .groupBy('e.householdId');
      const rows = await db.kysely
        .selectFrom(inForce('allocation').as('a'))
        .innerJoin('Household as h', 'h.id', 'a.householdId')
        .leftJoin(inForce('disbursement').as('d'), 'd.householdId', 'a.householdId')
        .select(['h.id', 'h.unitId', 'h.headName', 'h.village', 'a.amount as allocated', 'd.amount as paid'])
        .orderBy('h.unitId')
        .orderBy('h.code')
        .execute();
      return rows.map((r) => ({
        householdId: r.id,
        unitId: r.unitId,
        headName: r.headName,
        village: r.village,
        allocated: money(r.allocated),
        paid: money(r.paid),
      }));
    },
    async unitMoney(campaignId, unitId, throughDay) {
      const k = db.kysely;
      // Every part is keyed by the unit through its own index — its level ((campaignId,
      // levelUnitId)), transfers to it (toUnitId), its households (Household (unitId, …), then
      // householdId) — and summed apart: an OR of them leaves the planner only campaignId, and this
      // runs at the start of every report, on a ledger of a million rows.
      const entries = () => k.selectFrom('FundEntry as e').where('e.occurredOn', '<=', throughDay);
      const ledger = () => entries().where('e.campaignId', '=', campaignId);
      const atLevel = () => ledger().where('e.levelUnitId', '=', unitId);
      const transferredIn = () => ledger().where('e.toUnitId', '=', unitId);
      // `+campaignId` is the same test, kept off the (campaignId, levelUnitId) index, which SQLite
      // (without statistics) would otherwise prefer to the households': the campaign's ledger.
      const toHouseholds = () =>
        entries()
          .where(sql<number>`+${sql.ref('e.campaignId')}`, '=', campaignId)
          .where(
            'e.householdId',
            'in',
            k.selectFrom('Household as h').select('h.id').where('h.unitId', '=', unitId),
          );
      const paidTo = () => toHouseholds().where(notReversedEach).where('e.kind', '=', 'disbursement');
      type Row = ReturnType<typeof ledger>;
      const sum = (q: Row) => q.select((s) => s.fn.sum<DbSum>('e.amount').as('sum'));
      const count = (q: Row) => q.select((s) => s.fn.countAll<number | bigint>().as('n'));
      const r = await k
        .selectNoFrom(() => [
          // At its own fund and transferred in.
          sum(atLevel().where(notReversedEach).where('e.kind', '=', 'receipt')).as('receipts'),
          sum(transferredIn().where(notReversedEach).where('e.kind', '=', 'transfer')).as('transfersIn'),
          // Paid straight to its households by a higher level.
          sum(paidTo().where('e.levelUnitId', '<>', unitId)).as('fromAbove'),
          sum(paidTo()).as('paid'),
          // The entries touching it, of any kind, each counted once: at its level, else to it, else
          // to one of its households.
          count(atLevel()).as('atLevel'),
          count(transferredIn().where('e.levelUnitId', '<>', unitId)).as('in'),
          count(
            toHouseholds()
              .where('e.levelUnitId', '<>', unitId)
              .where((w) => w.or([w('e.toUnitId', 'is', null), w('e.toUnitId', '<>', unitId)])),
          ).as('households'),
        ])
        .executeTakeFirstOrThrow();
      return {
        received: money(r.receipts) + money(r.transfersIn) + money(r.fromAbove),
        paid: money(r.paid),
        entries: Number(r.atLevel ?? 0) + Number(r.in ?? 0) + Number(r.households ?? 0),
      };
    },
  };
}
