import type { Statement } from 'better-sqlite3';
import type {
  HouseholdRepository,
  HouseholdView,
  StatusCounts,
} from '../core/households/household.repository.ts';
import { insertHousehold } from './household-writer.ts';
import { fromDbTime, toDbTime } from './sqlite.ts';

type Row = Record<string, unknown>;

const VIEW_COLUMNS = `id, campaignId, unitId, code, village, headName, birthYear, idNumberLast4, category, need,
  eligible, status, supportedBefore, updatedAt`;

function toView(r: Row): HouseholdView {
  return {
    id: Number(r.id),
    campaignId: Number(r.campaignId),
    unitId: Number(r.unitId),
    code: String(r.code),
    village: String(r.village),
    headName: String(r.headName),
    birthYear: r.birthYear === null ? null : Number(r.birthYear),
    idNumberLast4: r.idNumberLast4 === null ? null : String(r.idNumberLast4),
    category: String(r.category),
    need: String(r.need),
    eligible: Number(r.eligible) === 1,
    status: String(r.status),
    supportedBefore: r.supportedBefore === null ? null : String(r.supportedBefore),
    updatedAt: fromDbTime(r.updatedAt),
  };
}

/** SQL placeholders for an IN list (units are few: an officer's or a leader's area). */
function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ') || 'NULL';
}

/** The registry on the same connection and transaction as the rest of the hot path. */
export function createHouseholdRepository(stmt: (sql: string) => Statement<unknown[]>): HouseholdRepository {
  return {
    async create(h, at, personId, channel) {
      return insertHousehold(stmt, h, at, personId, channel);
    },
    async codeExists(campaignId, code) {
      return (
        stmt('SELECT 1 FROM "Household" WHERE campaignId = ? AND lower(code) = lower(?)').get(
          campaignId,
          code,
        ) !== undefined
      );
    },
    async duplicateCandidates(campaignId, nameKey) {
      // The last word (the given name) is the most stable part of a Vietnamese name; typos elsewhere
      // are caught by the edit distance in core. A typo in the given name's first letter is missed.
      const given = nameKey.split(' ').at(-1) ?? nameKey;
      const rows = stmt(
        `SELECT id, code, unitId, village, headName, birthYear, idNumberHash, campaignId FROM "Household"
          WHERE campaignId = ? AND (headNameKey LIKE ? OR headNameKey LIKE ?) LIMIT 500`,
      ).all(campaignId, `%${given.slice(0, 2)}%`, `${nameKey.slice(0, 3)}%`) as Row[];
      return rows.map((r) => ({
        id: Number(r.id),
        code: String(r.code),
        unitId: Number(r.unitId),
        village: String(r.village),
        headName: String(r.headName),
        birthYear: r.birthYear === null ? null : Number(r.birthYear),
        idNumberHash: r.idNumberHash === null ? null : String(r.idNumberHash),
        campaignId: Number(r.campaignId),
      }));
    },
    async search(unitIds, query, limit) {
      const like = `%${query.replace(/[%_]/g, '')}%`;
      const rows = stmt(
        `SELECT ${VIEW_COLUMNS} FROM "Household"
          WHERE unitId IN (${placeholders(unitIds.length)})
            AND (lower(code) = lower(?) OR headNameKey LIKE ? OR lower(village) LIKE ?)
          ORDER BY (lower(code) = lower(?)) DESC, headNameKey LIMIT ?`,
      ).all(...unitIds, query, like, like, query, limit) as Row[];
      return rows.map(toView);
    },
    async findById(id) {
      const r = stmt(`SELECT ${VIEW_COLUMNS} FROM "Household" WHERE id = ?`).get(id) as Row | undefined;
      return r ? toView(r) : undefined;
    },
    async listByStatus(unitIds, status, limit) {
      const rows = stmt(
        `SELECT ${VIEW_COLUMNS} FROM "Household" WHERE unitId IN (${placeholders(unitIds.length)}) AND status = ?
          ORDER BY village, headNameKey LIMIT ?`,
      ).all(...unitIds, status, limit) as Row[];
      return rows.map(toView);
    },
    async listByUnits(unitIds) {
      const rows = stmt(
        `SELECT h.id, h.campaignId, h.unitId, h.code, h.village, h.headName, h.birthYear, h.idNumberLast4,
                h.category, h.need, h.eligible, h.status, h.supportedBefore, h.updatedAt
           FROM "Household" h JOIN "Unit" u ON u.id = h.unitId
          WHERE h.unitId IN (${placeholders(unitIds.length)})
          ORDER BY u.code, h.village, h.code`,
      ).all(...unitIds) as Row[];
      return rows.map(toView);
    },
    async moveStatus(id, from, to, at) {
      return (
        stmt('UPDATE "Household" SET status = ?, updatedAt = ? WHERE id = ? AND status = ?').run(
          to,
          toDbTime(at),
          id,
          from,
        ).changes === 1
      );
    },
    async addEvent(event, at) {
      const info = stmt(
        `INSERT INTO "HouseholdEvent" (householdId, kind, fromStatus, toStatus, note, photos, personId, channel, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        event.householdId,
        event.kind,
        event.fromStatus,
        event.toStatus,
        event.note,
        JSON.stringify(event.photos),
        event.personId,
        event.channel,
        toDbTime(at),
      );
      return Number(info.lastInsertRowid);
    },
    async countsByUnit(unitIds) {
      const rows = stmt(
        `SELECT unitId, status, COUNT(*) AS n FROM "Household" WHERE unitId IN (${placeholders(unitIds.length)})
          GROUP BY unitId, status`,
      ).all(...unitIds) as Row[];
      return rows.map((r) => ({ unitId: Number(r.unitId), status: String(r.status), count: Number(r.n) }));
    },
    async statusCountsAsOf(unitId, asOf) {
      // Each household's last status change at or before the instant; later changes do not count.
      const rows = stmt(
        `SELECT need, status, COUNT(*) AS n FROM (
           SELECT h.need AS need,
                  (SELECT e.toStatus FROM "HouseholdEvent" e
                    WHERE e.householdId = h.id AND e.toStatus IS NOT NULL AND e.at <= ?
                    ORDER BY e.at DESC, e.id DESC LIMIT 1) AS status
             FROM "Household" h WHERE h.unitId = ?)
          WHERE status IS NOT NULL GROUP BY need, status`,
      ).all(toDbTime(asOf), unitId) as Row[];
      const counts: StatusCounts = {};
      for (const r of rows) {
        const status = String(r.status);
        const entry = counts[status] ?? { new_build: 0, repair: 0 };
        if (r.need === 'new_build' || r.need === 'repair') {
          entry[r.need] += Number(r.n);
        }
        counts[status] = entry;
      }
      return counts;
    },
  };
}
