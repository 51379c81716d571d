import {
  DONOR_KINDS,
  type DonorKind,
  ENTRY_KINDS,
  type EntryKind,
  type FundEntryRecord,
  type FundRepository,
  PLEDGE_KINDS,
  PLEDGE_VERIFICATIONS,
  type PledgeKind,
  type PledgeRepository,
  type PledgeVerification,
  type PledgeView,
  type TotalKind,
} from '../core/funds/fund.repository.ts';
import type { Need } from '../core/funds/ledger.ts';
import { isChannel } from '../core/messaging/message.ts';
import { normalizeVi } from '../core/shared/parse.ts';
import { countEntry, countPledge } from './fund-totals.ts';
import type { Row, SqlDb, SqlParam } from './sql-db.ts';
import { fromDbTime } from './sqlite.ts';

function marks(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ') || 'NULL';
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
/** Money columns: numbers up to 2^53, bigint beyond (SqlDb's integers); never through a float. */
const money = (v: unknown): bigint => BigInt(v as number | bigint);

const TOTAL_KINDS: readonly TotalKind[] = [
  'receipt',
  'in_kind',
  'allocation',
  'disbursement',
  'transfer_out',
  'transfer_in',
];
const isTotalKind = (kind: string): kind is TotalKind => (TOTAL_KINDS as readonly string[]).includes(kind);

function oneOf<T extends string>(values: readonly T[], v: unknown, fallback: T): T {
  return (values as readonly unknown[]).includes(v) ? (v as T) : fallback;
}

const PLEDGE_VIEW = `SELECT p.*, fu.name AS fundUnitName, ou.name AS orgUnitName, tu.name AS targetUnitName,
    CASE WHEN h.id IS NULL THEN NULL ELSE h.code || ' – ' || h.headName END AS householdLabel,
    (SELECT COALESCE(SUM(e.amount), 0) FROM "FundEntry" e
      WHERE e.pledgeId = p.id AND e.kind IN ('receipt', 'in_kind')
        AND e.id NOT IN (SELECT reversesId FROM "FundEntry" WHERE reversesId IS NOT NULL)) AS received
  FROM "Pledge" p
  JOIN "Unit" fu ON fu.id = p.fundUnitId
  LEFT JOIN "Unit" ou ON ou.id = p.orgUnitId
  LEFT JOIN "Unit" tu ON tu.id = p.targetUnitId
  LEFT JOIN "Household" h ON h.id = p.householdId`;

function toPledge(r: Row): PledgeView {
  const channel = str(r.channel);
  return {
    id: Number(r.id),
    ref: String(r.ref),
    campaignId: Number(r.campaignId),
    donorKind: oneOf<DonorKind>(DONOR_KINDS, r.donorKind, 'individual'),
    donorName: String(r.donorName),
    donorPhone: str(r.donorPhone),
    personId: num(r.personId),
    orgUnitId: num(r.orgUnitId),
    fundUnitId: Number(r.fundUnitId),
    kind: oneOf<PledgeKind>(PLEDGE_KINDS, r.kind, 'money'),
    description: str(r.description),
    quantity: num(r.quantity),
    quantityUnit: str(r.quantityUnit),
    amount: money(r.amount),
    householdId: num(r.householdId),
    targetUnitId: num(r.targetUnitId),
    dueOn: str(r.dueOn),
    publicName: Number(r.publicName) === 1,
    channel: channel !== null && isChannel(channel) ? channel : null,
    cancelledAt: r.cancelledAt === null ? null : fromDbTime(r.cancelledAt),
    cancelReason: str(r.cancelReason),
    anonymous: Number(r.anonymous) === 1,
    verification:
      r.verification === null || r.verification === undefined
        ? null
        : oneOf<PledgeVerification>(PLEDGE_VERIFICATIONS, r.verification, 'pending'),
    createdAt: fromDbTime(r.createdAt),
    updatedAt: fromDbTime(r.updatedAt),
    received: money(r.received),
    fundUnitName: String(r.fundUnitName),
    orgUnitName: str(r.orgUnitName),
    targetUnitName: str(r.targetUnitName),
    householdLabel: str(r.householdLabel),
  };
}

function toEntry(r: Row): FundEntryRecord {
  const channel = str(r.channel);
  return {
    id: Number(r.id),
    campaignId: Number(r.campaignId),
    kind: oneOf<EntryKind>(ENTRY_KINDS, r.kind, 'receipt'),
    levelUnitId: Number(r.levelUnitId),
    toUnitId: num(r.toUnitId),
    amount: money(r.amount),
    pledgeId: num(r.pledgeId),
    householdId: num(r.householdId),
    need: r.need === null ? null : oneOf<Need>(['new_build', 'repair'], r.need, 'new_build'),
    overrideReason: str(r.overrideReason),
    overpayment: Number(r.overpayment) === 1,
    reversesId: num(r.reversesId),
    reason: str(r.reason),
    documentRef: str(r.documentRef),
    note: str(r.note),
    occurredOn: String(r.occurredOn),
    personId: num(r.personId),
    channel: channel !== null && isChannel(channel) ? channel : null,
    createdAt: fromDbTime(r.createdAt),
  };
}

/**
 * Pledges on the transaction's connection. The next "UH-0042" reference is the largest id plus
 * one, taken under a lock so two transactions on PostgreSQL never pick the same one.
 */
export function createPledgeRepository(db: SqlDb): PledgeRepository {
  const all = async (sql: string, params: SqlParam[]) => (await db.all(sql, params)).map(toPledge);
  return {
    async create(p, at) {
      return db.transaction(async (tx) => {
        await tx.lock('Pledge.ref');
        const next = (await tx.get('SELECT COALESCE(MAX(id), 0) + 1 AS n FROM "Pledge"')) as Row;
        const ref = `UH-${String(next.n).padStart(4, '0')}`;
        const id = await tx.insert(
          `INSERT INTO "Pledge" (ref, campaignId, donorKind, donorName, donorPhone, personId, orgUnitId, fundUnitId,
             kind, description, quantity, quantityUnit, amount, householdId, targetUnitId, dueOn, publicName, channel,
             anonymous, verification, createdAt, updatedAt)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            ref,
            p.campaignId,
            p.donorKind,
            p.donorName,
            p.donorPhone,
            p.personId,
            p.orgUnitId,
            p.fundUnitId,
            p.kind,
            p.description,
            p.quantity,
            p.quantityUnit,
            p.amount,
            p.householdId,
            p.targetUnitId,
            p.dueOn,
            p.publicName,
            p.channel,
            p.anonymous ?? false,
            p.verification ?? null,
            at,
            at,
          ],
        );
        await countPledge(tx, Number(id), 1);
        return { id: Number(id), ref };
      });
    },
    async update(id, c, at) {
      // The level's pledged total: out as it was, in as it is (unchanged when the update does not apply).
      await countPledge(db, id, -1);
      const changed =
        (await db.run(
          `UPDATE "Pledge" SET kind = ?, description = ?, quantity = ?, quantityUnit = ?, amount = ?, dueOn = ?,
             publicName = ?, fundUnitId = ?, targetUnitId = ?, verification = ?, updatedAt = ?
           WHERE id = ? AND cancelledAt IS NULL
             AND NOT EXISTS (SELECT 1 FROM "FundEntry" e WHERE e.pledgeId = "Pledge".id AND e.kind <> 'reversal')`,
          [
            c.kind,
            c.description,
            c.quantity,
            c.quantityUnit,
            c.amount,
            c.dueOn,
            c.publicName,
            c.fundUnitId,
            c.targetUnitId,
            c.verification,
            at,
            id,
          ],
        )) === 1;
      await countPledge(db, id, 1);
      return changed;
    },
    async cancel(id, reason, at) {
      await countPledge(db, id, -1);
      const changed =
        (await db.run(
          `UPDATE "Pledge" SET cancelledAt = ?, cancelReason = ?, updatedAt = ?
           WHERE id = ? AND cancelledAt IS NULL
             AND NOT EXISTS (SELECT 1 FROM "FundEntry" e WHERE e.pledgeId = "Pledge".id AND e.kind <> 'reversal')`,
          [at, reason, at, id],
        )) === 1;
      await countPledge(db, id, 1);
      return changed;
    },
    async decide(id, decision, by, at) {
      // Out of 'unverified', into 'pledged' (confirmed) or nothing (rejected: cancelled).
      await countPledge(db, id, -1);
      const rejected = decision.verification === 'rejected';
      const changed =
        (await db.run(
          `UPDATE "Pledge" SET verification = ?, verifiedBy = ?, verifiedAt = ?, updatedAt = ?,
             cancelledAt = ${rejected ? '?' : 'cancelledAt'}, cancelReason = ${rejected ? '?' : 'cancelReason'}
           WHERE id = ? AND verification = 'pending' AND cancelledAt IS NULL`,
          [
            decision.verification,
            by,
            at,
            at,
            ...(decision.verification === 'rejected' ? [at, decision.reason] : []),
            id,
          ],
        )) === 1;
      await countPledge(db, id, 1);
      return changed;
    },
    async countSince(who, since) {
      const r = (await db.get(
        'personId' in who
          ? 'SELECT COUNT(*) AS n FROM "Pledge" WHERE personId = ? AND createdAt >= ?'
          : 'SELECT COUNT(*) AS n FROM "Pledge" WHERE anonymous = ? AND createdAt >= ?',
        ['personId' in who ? who.personId : true, since],
      )) as Row;
      return Number(r.n);
    },
    async findById(id) {
      return (await all(`${PLEDGE_VIEW} WHERE p.id = ?`, [id]))[0];
    },
    async findByRef(ref) {
      return (await all(`${PLEDGE_VIEW} WHERE upper(p.ref) = upper(?)`, [ref.trim()]))[0];
    },
    async search(campaignId, levelIds, query, limit) {
      const rows =
        levelIds === null
          ? await all(`${PLEDGE_VIEW} WHERE p.campaignId = ? ORDER BY p.id DESC`, [campaignId])
          : await all(
              `${PLEDGE_VIEW} WHERE p.campaignId = ? AND p.fundUnitId IN (${marks(levelIds.length)}) ORDER BY p.id DESC`,
              [campaignId, ...levelIds],
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
      return all(`${PLEDGE_VIEW} WHERE p.personId = ? ORDER BY p.id DESC`, [personId]);
    },
    async listByCampaign(campaignId) {
      return all(`${PLEDGE_VIEW} WHERE p.campaignId = ? ORDER BY p.id`, [campaignId]);
    },
  };
}

/** The ledger on the transaction's connection. */
export function createFundRepository(db: SqlDb): FundRepository {
  const all = async (sql: string, params: SqlParam[]) => (await db.all(sql, params)).map(toEntry);
  const findEntry = async (id: number) => (await all('SELECT * FROM "FundEntry" WHERE id = ?', [id]))[0];
  return {
    async entriesTouching(campaignId, scope) {
      const { levels, householdIds } = scope;
      return all(
        `SELECT * FROM "FundEntry" WHERE campaignId = ?
           AND (levelUnitId IN (${marks(levels.length)}) OR toUnitId IN (${marks(levels.length)})
                OR householdId IN (${marks(householdIds.length)}))
         ORDER BY id`,
        [campaignId, ...levels, ...levels, ...householdIds],
      );
    },
    findEntry,
    async insert(e, at) {
      const id = Number(
        await db.insert(
          `INSERT INTO "FundEntry" (campaignId, kind, levelUnitId, toUnitId, amount, pledgeId, householdId, need,
             overrideReason, overpayment, reversesId, reason, documentRef, note, occurredOn, personId, channel, createdAt)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            e.campaignId,
            e.kind,
            e.levelUnitId,
            e.toUnitId,
            e.amount,
            e.pledgeId,
            e.householdId,
            e.need,
            e.overrideReason,
            e.overpayment,
            e.reversesId,
            e.reason,
            e.documentRef,
            e.note,
            e.occurredOn,
            e.personId,
            e.channel,
            at,
          ],
        ),
      );
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
      return all('SELECT * FROM "FundEntry" WHERE campaignId = ? ORDER BY id', [campaignId]);
    },
    async rollupFigures(campaignId, scope) {
      const ids = scope.levelIds ?? [];
      const within = (column: string) =>
        scope.levelIds === null ? '' : ` AND ${column} IN (${marks(ids.length)})`;
      const levels = scope.perLevel
        ? await db.all(
            `SELECT levelUnitId, kind, amount, entries FROM "FundTotal" WHERE campaignId = ?${within('levelUnitId')}`,
            [campaignId, ...ids],
          )
        : undefined;
      const totals = levels
        ? undefined
        : await db.all(
            `SELECT kind, SUM(amount) AS amount, SUM(entries) AS entries FROM "FundTotal"
              WHERE campaignId = ?${within('levelUnitId')} GROUP BY kind`,
            [campaignId, ...ids],
          );
      // Both from covering indexes of Pledge (the first in organisation order, only the pledges of
      // member organisations; the second in donor order).
      // Pledges waiting for verification count in no roll-up until a fund officer confirms them.
      const live = `FROM "Pledge" WHERE campaignId = ? AND cancelledAt IS NULL
        AND (verification IS NULL OR verification <> 'pending')${within('fundUnitId')}`;
      const organisations = await db.all(
        `SELECT orgUnitId, MIN(id) AS firstId, MAX(id) AS lastId, COUNT(*) AS pledges, SUM(amount) AS pledged,
                SUM(received) AS received
           ${live} AND orgUnitId IS NOT NULL GROUP BY orgUnitId`,
        [campaignId, ...ids],
      );
      const donors = scope.donors
        ? await db.all(
            `SELECT donorKind, donorName, MIN(id) AS firstId, SUM(amount) AS pledged, SUM(received) AS received,
                    MIN(CASE WHEN publicName THEN 1 ELSE 0 END) AS publicName
               ${live} GROUP BY donorKind, donorName`,
            [campaignId, ...ids],
          )
        : undefined;
      const sums = (rows: Row[]) =>
        rows.flatMap((r) => {
          const kind = String(r.kind);
          return isTotalKind(kind)
            ? [
                {
                  unitId: Number(r.levelUnitId ?? 0),
                  kind,
                  amount: money(r.amount),
                  entries: Number(r.entries),
                },
              ]
            : [];
        });
      const perLevel = levels ? sums(levels) : undefined;
      const byKind = new Map<TotalKind, { kind: TotalKind; amount: bigint; entries: number }>();
      for (const { kind, amount, entries } of perLevel ?? sums(totals ?? [])) {
        const sum = byKind.get(kind) ?? { kind, amount: 0n, entries: 0 };
        sum.amount += amount;
        sum.entries += entries;
        byKind.set(kind, sum);
      }
      return {
        levels: perLevel,
        totals: [...byKind.values()],
        pledged: (levels ?? totals ?? [])
          .filter((r) => r.kind === 'pledged')
          .reduce((sum, r) => sum + money(r.amount), 0n),
        unverified: (levels ?? totals ?? [])
          .filter((r) => r.kind === 'unverified')
          .reduce((sum, r) => sum + money(r.amount), 0n),
        organisations: organisations.map((r) => ({
          orgUnitId: Number(r.orgUnitId),
          firstPledgeId: Number(r.firstId),
          lastPledgeId: Number(r.lastId),
          pledges: Number(r.pledges),
          pledged: money(r.pledged),
          received: money(r.received),
        })),
        donors: donors?.map((r) => ({
          donorKind: String(r.donorKind),
          donorName: String(r.donorName),
          firstPledgeId: Number(r.firstId),
          publicName: Number(r.publicName) === 1,
          pledged: money(r.pledged),
          received: money(r.received),
        })),
      };
    },
    async unitMoney(campaignId, unitId, throughDay) {
      const live = 'e.id NOT IN (SELECT reversesId FROM "FundEntry" WHERE reversesId IS NOT NULL)';
      const r = (await db.get(
        `SELECT
           (SELECT COALESCE(SUM(e.amount), 0) FROM "FundEntry" e
             WHERE e.campaignId = ? AND e.occurredOn <= ? AND ${live}
               AND ((e.kind = 'receipt' AND e.levelUnitId = ?) OR (e.kind = 'transfer' AND e.toUnitId = ?))) +
           (SELECT COALESCE(SUM(e.amount), 0) FROM "FundEntry" e JOIN "Household" h ON h.id = e.householdId
             WHERE e.campaignId = ? AND e.occurredOn <= ? AND ${live} AND e.kind = 'disbursement'
               AND h.unitId = ? AND e.levelUnitId <> ?) AS received,
           (SELECT COALESCE(SUM(e.amount), 0) FROM "FundEntry" e JOIN "Household" h ON h.id = e.householdId
             WHERE e.campaignId = ? AND e.occurredOn <= ? AND ${live} AND e.kind = 'disbursement' AND h.unitId = ?) AS paid,
           (SELECT COUNT(*) FROM "FundEntry" e LEFT JOIN "Household" h ON h.id = e.householdId
             WHERE e.campaignId = ? AND e.occurredOn <= ?
               AND (e.levelUnitId = ? OR e.toUnitId = ? OR h.unitId = ?)) AS entries`,
        [
          campaignId,
          throughDay,
          unitId,
          unitId,
          campaignId,
          throughDay,
          unitId,
          unitId,
          campaignId,
          throughDay,
          unitId,
          campaignId,
          throughDay,
          unitId,
          unitId,
          unitId,
        ],
      )) as Row;
      return {
        received: money(r.received),
        paid: money(r.paid),
        entries: Number(r.entries),
      };
    },
  };
}
