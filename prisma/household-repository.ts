import { sql } from 'kysely';
import type {
  HouseholdRepository,
  StatusChange,
  StatusCounts,
} from '../core/households/household.repository.ts';
import type { IdNumberHasher } from '../core/households/id-number.ts';
import { DUPLICATE_SUBJECT_COLUMNS, insertHousehold } from './household-writer.ts';
import type { SqlDb } from './sql-db.ts';

/** The columns of `HouseholdView` (core/households/household.repository.ts). */
const VIEW_COLUMNS = [
  'id',
  'campaignId',
  'unitId',
  'code',
  'village',
  'headName',
  'birthYear',
  'idNumberLast4',
  'category',
  'need',
  'eligible',
  'status',
  'supportedBefore',
  'updatedAt',
] as const;

/** Keys per IN list: well under SQLite's 32,766 parameters. */
const KEYS_PER_STATEMENT = 10_000;

/**
 * The registry on the transaction's connection, like the rest of the hot path. `hashId` hashes ID
 * numbers with the deployment's key; without it a household with an ID number is refused.
 */
export function createHouseholdRepository(db: SqlDb, hashId?: IdNumberHasher): HouseholdRepository {
  const households = () => db.kysely.selectFrom('Household');
  return {
    async create(h, at, personId, channel, rules) {
      return insertHousehold(db, h, at, personId, channel, { hashId, ...(rules ? { rules } : {}) });
    },
    async codeExists(campaignId, code) {
      const found = await households()
        .select('id')
        .where('campaignId', '=', campaignId)
        .where((eb) => eb(eb.fn<string>('lower', ['code']), '=', eb.fn<string>('lower', [eb.val(code)])))
        .executeTakeFirst();
      return found !== undefined;
    },
    async codesOf(campaignId, unitId) {
      const rows = await households()
        .select('code')
        .where('campaignId', '=', campaignId)
        .where('unitId', '=', unitId)
        .execute();
      return rows.map((r) => r.code);
    },
    async duplicateCandidates(campaignId, nameKey) {
      // The last word (the given name) is the most stable part of a Vietnamese name; typos elsewhere
      // are caught by the edit distance in core. A typo in the given name's first letter is missed.
      // headNameKey is stored lower-case, and nameKey is one too: LIKE matches alike on both databases.
      const given = nameKey.split(' ').at(-1) ?? nameKey;
      return households()
        .select(DUPLICATE_SUBJECT_COLUMNS)
        .where('campaignId', '=', campaignId)
        .where((eb) =>
          eb.or([
            eb('headNameKey', 'like', eb.fn<string>('lower', [eb.val(`%${given.slice(0, 2)}%`)])),
            eb('headNameKey', 'like', eb.fn<string>('lower', [eb.val(`${nameKey.slice(0, 3)}%`)])),
          ]),
        )
        .limit(500)
        .execute();
    },
    async search(unitIds, query, limit) {
      if (unitIds.length === 0) {
        return [];
      }
      // LIKE ignores case on SQLite only: both sides are lower-cased so PostgreSQL matches the same.
      const like = `%${query.replace(/[%_]/g, '')}%`;
      return households()
        .select(VIEW_COLUMNS)
        .where('unitId', 'in', unitIds)
        .where((eb) =>
          eb.or([
            eb(eb.fn<string>('lower', ['code']), '=', eb.fn<string>('lower', [eb.val(query)])),
            eb('headNameKey', 'like', eb.fn<string>('lower', [eb.val(like)])),
            eb(eb.fn<string>('lower', ['village']), 'like', eb.fn<string>('lower', [eb.val(like)])),
          ]),
        )
        .orderBy((eb) =>
          eb
            .case()
            .when(eb.fn<string>('lower', ['code']), '=', eb.fn<string>('lower', [eb.val(query)]))
            .then(sql.lit(0))
            .else(sql.lit(1))
            .end(),
        )
        .orderBy('headNameKey')
        .limit(limit)
        .execute();
    },
    async findById(id) {
      return households().select(VIEW_COLUMNS).where('id', '=', id).executeTakeFirst();
    },
    async findByCode(campaignId, code) {
      return households()
        .select(VIEW_COLUMNS)
        .where('campaignId', '=', campaignId)
        .where('code', '=', code)
        .executeTakeFirst();
    },
    async listByStatus(unitIds, status, limit) {
      if (unitIds.length === 0) {
        return [];
      }
      return households()
        .select(VIEW_COLUMNS)
        .where('unitId', 'in', unitIds)
        .where('status', '=', status)
        .orderBy('village')
        .orderBy('headNameKey')
        .limit(limit)
        .execute();
    },
    async listByUnits(unitIds) {
      if (unitIds.length === 0) {
        return [];
      }
      return db.kysely
        .selectFrom('Household as h')
        .innerJoin('Unit as u', 'u.id', 'h.unitId')
        .select(VIEW_COLUMNS.map((c) => `h.${c}` as const))
        .where('h.unitId', 'in', unitIds)
        .orderBy('u.code')
        .orderBy('h.village')
        .orderBy('h.code')
        .execute();
    },
    async moveStatus(id, from, to, at, overrideReason) {
      const r = await db.kysely
        .updateTable('Household')
        .set({ status: to, updatedAt: at, ...(overrideReason === undefined ? {} : { overrideReason }) })
        .where('id', '=', id)
        .where('status', '=', from)
        .executeTakeFirst();
      return r.numUpdatedRows === 1n;
    },
    async idNumbersOf(campaignId, unitId) {
      return db.kysely
        .selectFrom('Household')
        .select(['id', 'code', 'idNumberHash', 'idNumberLast4'])
        .where('campaignId', '=', campaignId)
        .where('unitId', '=', unitId)
        .execute();
    },
    async idNumberOwners(campaignId) {
      const rows = await db.kysely
        .selectFrom('Household')
        .select(['code', 'idNumberHash'])
        .where('campaignId', '=', campaignId)
        .where('idNumberHash', 'is not', null)
        .execute();
      return rows.flatMap((r) => (r.idNumberHash === null ? [] : [{ hash: r.idNumberHash, code: r.code }]));
    },
    async setIdNumber(id, hash, last4) {
      await db.kysely
        .updateTable('Household')
        .set({ idNumberHash: hash, idNumberLast4: last4 })
        .where('id', '=', id)
        .execute();
    },
    async remove(ids) {
      if (ids.length === 0) {
        return 0;
      }
      await db.kysely
        .deleteFrom('HouseholdEvent')
        .where('householdId', 'in', [...ids])
        .execute();
      const r = await db.kysely
        .deleteFrom('Household')
        .where('id', 'in', [...ids])
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async addEvent(event, at) {
      const { id } = await db.kysely
        .insertInto('HouseholdEvent')
        .values({
          householdId: event.householdId,
          kind: event.kind,
          fromStatus: event.fromStatus,
          toStatus: event.toStatus,
          note: event.note,
          photos: JSON.stringify(event.photos),
          personId: event.personId,
          channel: event.channel,
          at,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return id;
    },
    async countsByUnit(unitIds) {
      // Kept by triggers on Household (migration digest_aggregates): a row per unit and status, not
      // per household. Thousands of units (a national view) are quicker all read than looked up.
      const many = unitIds.length > 1_000;
      if (unitIds.length === 0) {
        return [];
      }
      const wanted = new Set(unitIds);
      const rows = await db.kysely
        .selectFrom('HouseholdCount')
        .select(['unitId', 'status', 'households as count'])
        .where('households', '>', 0)
        .$if(!many, (q) => q.where('unitId', 'in', unitIds))
        .execute();
      return many ? rows.filter((r) => wanted.has(r.unitId)) : rows;
    },
    async statusChangesSince(unitIds, since) {
      // The status events after `since` (few: the index on their time finds them). Every change of
      // status is an event naming the status it left (the first one, 'created', none), so the
      // first of a household's events after `since` tells its status then. Its status now and its
      // unit are read by key: a join would make PostgreSQL scan the whole registry.
      const events = await db.kysely
        .selectFrom('HouseholdEvent')
        .select(['householdId', 'fromStatus', 'at', 'id'])
        .where('at', '>', since)
        .where('toStatus', 'is not', null)
        .execute();
      const first = new Map<number, { at: number; id: number; left: string | null }>();
      for (const e of events) {
        const at = e.at.getTime();
        const seen = first.get(e.householdId);
        if (!seen || at < seen.at || (at === seen.at && e.id < seen.id)) {
          first.set(e.householdId, { at, id: e.id, left: e.fromStatus });
        }
      }
      const wanted = new Set(unitIds);
      const changes = new Map<string, StatusChange>();
      const ids = [...first.keys()];
      for (let start = 0; start < ids.length; start += KEYS_PER_STATEMENT) {
        const chunk = ids.slice(start, start + KEYS_PER_STATEMENT);
        const found = await households()
          .select(['id', 'unitId', 'need', 'status'])
          .where('id', 'in', chunk)
          .execute();
        for (const h of found) {
          if (!wanted.has(h.unitId)) {
            continue;
          }
          const change = {
            need: h.need,
            status: h.status,
            statusThen: first.get(h.id)?.left ?? null,
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
      const rows = await db.kysely
        .selectFrom((eb) =>
          eb
            .selectFrom('Household as h')
            .select((inner) => [
              'h.need as need',
              inner
                .selectFrom('HouseholdEvent as e')
                .select('e.toStatus')
                .whereRef('e.householdId', '=', 'h.id')
                .where('e.toStatus', 'is not', null)
                .where('e.at', '<=', asOf)
                .orderBy('e.at', 'desc')
                .orderBy('e.id', 'desc')
                .limit(1)
                .as('status'),
            ])
            .where('h.unitId', '=', unitId)
            .as('latest'),
        )
        // COUNT is an integer on SQLite, a bigint on PostgreSQL.
        .select((eb) => ['need', 'status', eb.fn.countAll<number | bigint>().as('n')])
        .where('status', 'is not', null)
        .groupBy(['need', 'status'])
        .execute();
      const counts: StatusCounts = {};
      for (const r of rows) {
        if (r.status === null) {
          continue;
        }
        const entry = counts[r.status] ?? { new_build: 0, repair: 0 };
        if (r.need === 'new_build' || r.need === 'repair') {
          entry[r.need] += Number(r.n);
        }
        counts[r.status] = entry;
      }
      return counts;
    },
  };
}
