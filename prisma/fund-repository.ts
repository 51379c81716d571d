import type { Statement } from 'better-sqlite3';
import {
  DONOR_KINDS,
  type DonorKind,
  ENTRY_KINDS,
  type EntryKind,
  type FundEntryRecord,
  type FundRepository,
  PLEDGE_KINDS,
  type PledgeKind,
  type PledgeRepository,
  type PledgeView,
} from '../core/funds/fund.repository.ts';
import type { Need } from '../core/funds/ledger.ts';
import { isChannel } from '../core/messaging/message.ts';
import { normalizeVi } from '../core/shared/parse.ts';
import { fromDbTime, toDbTime } from './sqlite.ts';

type Row = Record<string, unknown>;
type Stmt = (sql: string) => Statement<unknown[]>;

function marks(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ') || 'NULL';
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

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
    amount: BigInt(r.amount as bigint),
    householdId: num(r.householdId),
    targetUnitId: num(r.targetUnitId),
    dueOn: str(r.dueOn),
    publicName: Number(r.publicName) === 1,
    channel: channel !== null && isChannel(channel) ? channel : null,
    cancelledAt: r.cancelledAt === null ? null : fromDbTime(r.cancelledAt),
    cancelReason: str(r.cancelReason),
    createdAt: fromDbTime(r.createdAt),
    updatedAt: fromDbTime(r.updatedAt),
    received: BigInt(r.received as bigint),
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
    amount: BigInt(r.amount as bigint),
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

/** Pledges on the hot-path connection (read with bigint so đồng never pass through a float). */
export function createPledgeRepository(stmt: Stmt): PledgeRepository {
  const all = (sql: string, ...args: unknown[]) =>
    (
      stmt(sql)
        .safeIntegers(true)
        .all(...args) as Row[]
    ).map(toPledge);
  return {
    async create(p, at) {
      const next = stmt('SELECT COALESCE(MAX(id), 0) + 1 AS n FROM "Pledge"').get() as Row;
      const ref = `UH-${String(next.n).padStart(4, '0')}`;
      const info = stmt(
        `INSERT INTO "Pledge" (ref, campaignId, donorKind, donorName, donorPhone, personId, orgUnitId, fundUnitId,
           kind, description, quantity, quantityUnit, amount, householdId, targetUnitId, dueOn, publicName, channel,
           createdAt, updatedAt)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
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
        p.publicName ? 1 : 0,
        p.channel,
        toDbTime(at),
        toDbTime(at),
      );
      return { id: Number(info.lastInsertRowid), ref };
    },
    async update(id, c, at) {
      return (
        stmt(
          `UPDATE "Pledge" SET kind = ?, description = ?, quantity = ?, quantityUnit = ?, amount = ?, dueOn = ?,
             publicName = ?, fundUnitId = ?, targetUnitId = ?, updatedAt = ?
           WHERE id = ? AND cancelledAt IS NULL
             AND NOT EXISTS (SELECT 1 FROM "FundEntry" e WHERE e.pledgeId = "Pledge".id AND e.kind <> 'reversal')`,
        ).run(
          c.kind,
          c.description,
          c.quantity,
          c.quantityUnit,
          c.amount,
          c.dueOn,
          c.publicName ? 1 : 0,
          c.fundUnitId,
          c.targetUnitId,
          toDbTime(at),
          id,
        ).changes === 1
      );
    },
    async cancel(id, reason, at) {
      return (
        stmt(
          `UPDATE "Pledge" SET cancelledAt = ?, cancelReason = ?, updatedAt = ?
           WHERE id = ? AND cancelledAt IS NULL
             AND NOT EXISTS (SELECT 1 FROM "FundEntry" e WHERE e.pledgeId = "Pledge".id AND e.kind <> 'reversal')`,
        ).run(toDbTime(at), reason, toDbTime(at), id).changes === 1
      );
    },
    async findById(id) {
      return all(`${PLEDGE_VIEW} WHERE p.id = ?`, id)[0];
    },
    async findByRef(ref) {
      return all(`${PLEDGE_VIEW} WHERE upper(p.ref) = upper(?)`, ref.trim())[0];
    },
    async search(campaignId, levelIds, query, limit) {
      const rows =
        levelIds === null
          ? all(`${PLEDGE_VIEW} WHERE p.campaignId = ? ORDER BY p.id DESC`, campaignId)
          : all(
              `${PLEDGE_VIEW} WHERE p.campaignId = ? AND p.fundUnitId IN (${marks(levelIds.length)}) ORDER BY p.id DESC`,
              campaignId,
              ...levelIds,
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
      return all(`${PLEDGE_VIEW} WHERE p.personId = ? ORDER BY p.id DESC`, personId);
    },
    async listByCampaign(campaignId) {
      return all(`${PLEDGE_VIEW} WHERE p.campaignId = ? ORDER BY p.id`, campaignId);
    },
  };
}

/** The ledger on the hot-path connection. */
export function createFundRepository(stmt: Stmt): FundRepository {
  const all = (sql: string, ...args: unknown[]) =>
    (
      stmt(sql)
        .safeIntegers(true)
        .all(...args) as Row[]
    ).map(toEntry);
  return {
    async entriesTouching(campaignId, scope) {
      const { levels, householdIds } = scope;
      return all(
        `SELECT * FROM "FundEntry" WHERE campaignId = ?
           AND (levelUnitId IN (${marks(levels.length)}) OR toUnitId IN (${marks(levels.length)})
                OR householdId IN (${marks(householdIds.length)}))
         ORDER BY id`,
        campaignId,
        ...levels,
        ...levels,
        ...householdIds,
      );
    },
    async findEntry(id) {
      return all('SELECT * FROM "FundEntry" WHERE id = ?', id)[0];
    },
    async insert(e, at) {
      return Number(
        stmt(
          `INSERT INTO "FundEntry" (campaignId, kind, levelUnitId, toUnitId, amount, pledgeId, householdId, need,
             overrideReason, overpayment, reversesId, reason, documentRef, note, occurredOn, personId, channel, createdAt)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          e.campaignId,
          e.kind,
          e.levelUnitId,
          e.toUnitId,
          e.amount,
          e.pledgeId,
          e.householdId,
          e.need,
          e.overrideReason,
          e.overpayment ? 1 : 0,
          e.reversesId,
          e.reason,
          e.documentRef,
          e.note,
          e.occurredOn,
          e.personId,
          e.channel,
          toDbTime(at),
        ).lastInsertRowid,
      );
    },
    async listByCampaign(campaignId) {
      return all('SELECT * FROM "FundEntry" WHERE campaignId = ? ORDER BY id', campaignId);
    },
    async unitMoney(campaignId, unitId, throughDay) {
      const live = 'e.id NOT IN (SELECT reversesId FROM "FundEntry" WHERE reversesId IS NOT NULL)';
      const r = stmt(
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
      )
        .safeIntegers(true)
        .get(
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
        ) as Row;
      return {
        received: BigInt(r.received as bigint),
        paid: BigInt(r.paid as bigint),
        entries: Number(r.entries),
      };
    },
  };
}
