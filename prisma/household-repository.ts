import type {
  HouseholdRepository,
  HouseholdView,
  StatusChange,
  StatusCounts,
} from '../core/households/household.repository.ts';
import type { IdNumberHasher } from '../core/households/id-number.ts';
import { insertHousehold } from './household-writer.ts';
import type { Row, SqlDb } from './sql-db.ts';
import { fromDbTime } from './sqlite.ts';

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

/** Keys per IN list: well under SQLite's 32,766 parameters. */
const KEYS_PER_STATEMENT = 10_000;

/** SQL placeholders for an IN list (units are few: an officer's or a leader's area). */
function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ') || 'NULL';
}

/**
 * The registry on the transaction's connection, like the rest of the hot path. `hashId` hashes ID
 * numbers with the deployment's key; without it a household with an ID number is refused.
 */
export function createHouseholdRepository(db: SqlDb, hashId?: IdNumberHasher): HouseholdRepository {
  return {
    async create(h, at, personId, channel) {
      return insertHousehold(db, h, at, personId, channel, { hashId });
    },
    async codeExists(campaignId, code) {
      return (
        (await db.get('SELECT 1 AS found FROM "Household" WHERE campaignId = ? AND lower(code) = lower(?)', [
          campaignId,
          code,
        ])) !== undefined
      );
    },
    async duplicateCandidates(campaignId, nameKey) {
      // The last word (the given name) is the most stable part of a Vietnamese name; typos elsewhere
      // are caught by the edit distance in core. A typo in the given name's first letter is missed.
      // headNameKey is stored lower-case, and nameKey is one too: LIKE matches alike on both databases.
      const given = nameKey.split(' ').at(-1) ?? nameKey;
      const rows = await db.all(
        `SELECT id, code, unitId, village, headName, birthYear, idNumberHash, campaignId FROM "Household"
          WHERE campaignId = ? AND (headNameKey LIKE lower(?) OR headNameKey LIKE lower(?)) LIMIT 500`,
        [campaignId, `%${given.slice(0, 2)}%`, `${nameKey.slice(0, 3)}%`],
      );
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
      // LIKE ignores case on SQLite only: both sides are lower-cased so PostgreSQL matches the same.
      const like = `%${query.replace(/[%_]/g, '')}%`;
      const rows = await db.all(
        `SELECT ${VIEW_COLUMNS} FROM "Household"
          WHERE unitId IN (${placeholders(unitIds.length)})
            AND (lower(code) = lower(?) OR headNameKey LIKE lower(?) OR lower(village) LIKE lower(?))
          ORDER BY CASE WHEN lower(code) = lower(?) THEN 0 ELSE 1 END, headNameKey LIMIT ?`,
        [...unitIds, query, like, like, query, limit],
      );
      return rows.map(toView);
    },
    async findById(id) {
      const r = await db.get(`SELECT ${VIEW_COLUMNS} FROM "Household" WHERE id = ?`, [id]);
      return r ? toView(r) : undefined;
    },
    async listByStatus(unitIds, status, limit) {
      const rows = await db.all(
        `SELECT ${VIEW_COLUMNS} FROM "Household" WHERE unitId IN (${placeholders(unitIds.length)}) AND status = ?
          ORDER BY village, headNameKey LIMIT ?`,
        [...unitIds, status, limit],
      );
      return rows.map(toView);
    },
    async listByUnits(unitIds) {
      const rows = await db.all(
        `SELECT h.id, h.campaignId, h.unitId, h.code, h.village, h.headName, h.birthYear, h.idNumberLast4,
                h.category, h.need, h.eligible, h.status, h.supportedBefore, h.updatedAt
           FROM "Household" h JOIN "Unit" u ON u.id = h.unitId
          WHERE h.unitId IN (${placeholders(unitIds.length)})
          ORDER BY u.code, h.village, h.code`,
        unitIds,
      );
      return rows.map(toView);
    },
    async moveStatus(id, from, to, at) {
      return (
        (await db.run('UPDATE "Household" SET status = ?, updatedAt = ? WHERE id = ? AND status = ?', [
          to,
          at,
          id,
          from,
        ])) === 1
      );
    },
    async addEvent(event, at) {
      return Number(
        await db.insert(
          `INSERT INTO "HouseholdEvent" (householdId, kind, fromStatus, toStatus, note, photos, personId, channel, at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            event.householdId,
            event.kind,
            event.fromStatus,
            event.toStatus,
            event.note,
            JSON.stringify(event.photos),
            event.personId,
            event.channel,
            at,
          ],
        ),
      );
    },
    async countsByUnit(unitIds) {
      // Kept by triggers on Household (migration digest_aggregates): a row per unit and status, not
      // per household. Thousands of units (a national view) are quicker all read than looked up.
      const many = unitIds.length > 1_000;
      const wanted = new Set(unitIds);
      const rows = (
        await db.all(
          `SELECT unitId, status, households AS n FROM "HouseholdCount" WHERE households > 0
            ${many ? '' : `AND unitId IN (${placeholders(unitIds.length)})`}`,
          many ? [] : unitIds,
        )
      ).filter((r) => !many || wanted.has(Number(r.unitId)));
      return rows.map((r) => ({ unitId: Number(r.unitId), status: String(r.status), count: Number(r.n) }));
    },
    async statusChangesSince(unitIds, since) {
      // The status events after `since` (few: the index on their time finds them). Every change of
      // status is an event naming the status it left (the first one, 'created', none), so the
      // first of a household's events after `since` tells its status then. Its status now and its
      // unit are read by key: a join would make PostgreSQL scan the whole registry.
      const events = await db.all(
        `SELECT householdId, fromStatus, at, id FROM "HouseholdEvent" WHERE at > ? AND toStatus IS NOT NULL`,
        [since],
      );
      const first = new Map<number, { at: number; id: number; left: string | null }>();
      for (const e of events) {
        const householdId = Number(e.householdId);
        const at = fromDbTime(e.at).getTime();
        const id = Number(e.id);
        const seen = first.get(householdId);
        if (!seen || at < seen.at || (at === seen.at && id < seen.id)) {
          first.set(householdId, { at, id, left: e.fromStatus === null ? null : String(e.fromStatus) });
        }
      }
      const wanted = new Set(unitIds);
      const changes = new Map<string, StatusChange>();
      const ids = [...first.keys()];
      for (let start = 0; start < ids.length; start += KEYS_PER_STATEMENT) {
        const chunk = ids.slice(start, start + KEYS_PER_STATEMENT);
        const households = await db.all(
          `SELECT id, unitId, need, status FROM "Household" WHERE id IN (${placeholders(chunk.length)})`,
          chunk,
        );
        for (const h of households) {
          if (!wanted.has(Number(h.unitId))) {
            continue;
          }
          const change = {
            need: String(h.need),
            status: String(h.status),
            statusThen: first.get(Number(h.id))?.left ?? null,
            count: 0,
          };
          const key = `${change.need}|${change.status}|${change.statusThen}`;
          const counted = changes.get(key) ?? change;
          counted.count += 1;
          changes.set(key, counted);
        }
      }
      return [...changes.values()];
    },
    async statusCountsAsOf(unitId, asOf) {
      // Each household's last status change at or before the instant; later changes do not count.
      const rows = await db.all(
        `SELECT need, status, COUNT(*) AS n FROM (
           SELECT h.need AS need,
                  (SELECT e.toStatus FROM "HouseholdEvent" e
                    WHERE e.householdId = h.id AND e.toStatus IS NOT NULL AND e.at <= ?
                    ORDER BY e.at DESC, e.id DESC LIMIT 1) AS status
             FROM "Household" h WHERE h.unitId = ?) latest
          WHERE status IS NOT NULL GROUP BY need, status`,
        [asOf, unitId],
      );
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
