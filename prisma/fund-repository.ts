import { type ExpressionBuilder, type Selectable, sql } from 'kysely';
import {
  DONOR_KINDS,
  ENTRY_KINDS,
  type FundEntryRecord,
  type FundRepository,
  PLEDGE_KINDS,
  PLEDGE_VERIFICATIONS,
  type PledgeRepository,
  type PledgeView,
  type TotalKind,
} from '../core/funds/fund.repository.ts';
import type { Need } from '../core/funds/ledger.ts';
import { isChannel } from '../core/messaging/message.ts';
import { normalizeVi } from '../core/shared/parse.ts';
import { countEntry, countPledge } from './fund-totals.ts';
import type { DB } from './kysely-dialect.ts';
import type { SqlDb } from './sql-db.ts';

/**
 * Money summed by the database: SUM of a BIGINT is an integer on SQLite (a bigint beyond 2^53) and a
 * numeric on PostgreSQL (read as a number, or a bigint beyond 2^53); never through a float.
 */
type DbSum = number | bigint;
const money = (v: DbSum | null): bigint => BigInt(v ?? 0);

const NEEDS: readonly Need[] = ['new_build', 'repair'];
const TOTAL_KINDS: readonly TotalKind[] = [
  'receipt',
  'in_kind',
  'allocation',
  'disbursement',
  'transfer_out',
  'transfer_in',
];

/** `v` when it is one of `values`, else `fallback` (a value written by a newer version, say). */
function oneOf<T extends string>(values: readonly T[], v: string, fallback: T): T {
  return values.find((x) => x === v) ?? fallback;
}

/** Entries no reversal names: `e` is still in force. */
function notReversed(eb: ExpressionBuilder<DB & { e: DB['FundEntry'] }, 'e'>) {
  return eb(
    'e.id',
    'not in',
    eb.selectFrom('FundEntry as x').select('x.reversesId').where('x.reversesId', 'is not', null),
  );
}

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

type PledgeViewRow = Selectable<DB['Pledge']> & {
  fundUnitName: string;
  orgUnitName: string | null;
  targetUnitName: string | null;
  householdCode: string | null;
  householdHeadName: string | null;
  receivedSum: DbSum | null;
};

function toPledge(r: PledgeViewRow): PledgeView {
  const channel = r.channel;
  return {
    id: r.id,
    ref: r.ref,
    campaignId: r.campaignId,
    donorKind: oneOf(DONOR_KINDS, r.donorKind, 'individual'),
    donorName: r.donorName,
    donorPhone: r.donorPhone,
    personId: r.personId,
    orgUnitId: r.orgUnitId,
    fundUnitId: r.fundUnitId,
    kind: oneOf(PLEDGE_KINDS, r.kind, 'money'),
    description: r.description,
    quantity: r.quantity,
    quantityUnit: r.quantityUnit,
    amount: r.amount,
    householdId: r.householdId,
    targetUnitId: r.targetUnitId,
    dueOn: r.dueOn,
    publicName: r.publicName,
    channel: channel !== null && isChannel(channel) ? channel : null,
    cancelledAt: r.cancelledAt,
    cancelReason: r.cancelReason,
    anonymous: r.anonymous,
    verification: r.verification === null ? null : oneOf(PLEDGE_VERIFICATIONS, r.verification, 'pending'),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    // Summed from the ledger (reversed receipts left out), not the running Pledge.received.
    received: money(r.receivedSum),
    fundUnitName: r.fundUnitName,
    orgUnitName: r.orgUnitName,
    targetUnitName: r.targetUnitName,
    householdLabel: r.householdCode === null ? null : `${r.householdCode} – ${r.householdHeadName ?? ''}`,
  };
}

function toEntry(r: Selectable<DB['FundEntry']>): FundEntryRecord {
  const channel = r.channel;
  return {
    id: r.id,
    campaignId: r.campaignId,
    kind: oneOf(ENTRY_KINDS, r.kind, 'receipt'),
    levelUnitId: r.levelUnitId,
    toUnitId: r.toUnitId,
    amount: r.amount,
    pledgeId: r.pledgeId,
    householdId: r.householdId,
    need: r.need === null ? null : oneOf(NEEDS, r.need, 'new_build'),
    overrideReason: r.overrideReason,
    overpayment: r.overpayment,
    reversesId: r.reversesId,
    reason: r.reason,
    documentRef: r.documentRef,
    note: r.note,
    occurredOn: r.occurredOn,
    personId: r.personId,
    channel: channel !== null && isChannel(channel) ? channel : null,
    createdAt: r.createdAt,
  };
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
      const rows = pledgeView(db)
        .where((eb) =>
          eb(eb.fn<string>('upper', ['p.ref']), '=', eb.fn<string>('upper', [eb.val(ref.trim())])),
        )
        .execute();
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
          unverified: 0n,
          organisations: [],
          donors: scope.donors ? [] : undefined,
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
      };
    },
    async unitMoney(campaignId, unitId, throughDay) {
      const k = db.kysely;
      const ledger = () =>
        k
          .selectFrom('FundEntry as e')
          .where('e.campaignId', '=', campaignId)
          .where('e.occurredOn', '<=', throughDay);
      const paidTo = () =>
        ledger()
          .innerJoin('Household as h', 'h.id', 'e.householdId')
          .where(notReversed)
          .where('e.kind', '=', 'disbursement')
          .where('h.unitId', '=', unitId);
      const r = await k
        .selectNoFrom(() => [
          // At its own fund and transferred in.
          ledger()
            .select((s) => s.fn.sum<DbSum>('e.amount').as('sum'))
            .where(notReversed)
            .where((w) =>
              w.or([
                w.and([w('e.kind', '=', 'receipt'), w('e.levelUnitId', '=', unitId)]),
                w.and([w('e.kind', '=', 'transfer'), w('e.toUnitId', '=', unitId)]),
              ]),
            )
            .as('own'),
          // Paid straight to its households by a higher level.
          paidTo()
            .select((s) => s.fn.sum<DbSum>('e.amount').as('sum'))
            .where('e.levelUnitId', '<>', unitId)
            .as('fromAbove'),
          paidTo()
            .select((s) => s.fn.sum<DbSum>('e.amount').as('sum'))
            .as('paid'),
          ledger()
            .leftJoin('Household as h', 'h.id', 'e.householdId')
            .select((s) => s.fn.countAll<number | bigint>().as('n'))
            .where((w) =>
              w.or([
                w('e.levelUnitId', '=', unitId),
                w('e.toUnitId', '=', unitId),
                w('h.unitId', '=', unitId),
              ]),
            )
            .as('entries'),
        ])
        .executeTakeFirstOrThrow();
      return {
        received: money(r.own) + money(r.fromAbove),
        paid: money(r.paid),
        entries: Number(r.entries ?? 0),
      };
    },
  };
}
