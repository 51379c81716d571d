import { LOCAL_KINDS, type UnitRepository } from '../../core/units/unit.repository.ts';
import type { SqlDb } from '../database.ts';
import { toUnitView, UNIT_VIEW } from './mappers.ts';

const DATED_UNIT = [...UNIT_VIEW, 'validFrom', 'validTo'] as const;
const LOCAL = [...LOCAL_KINDS];
/** Rows per multi-row INSERT: 7 parameters each, far below SQLite's and PostgreSQL's limits. */
const ROWS_PER_INSERT = 500;
/** Ids per `IN (…)` of one UPDATE. */
const IDS_PER_UPDATE = 1_000;

/** The administrative units (nation … ward/commune), their validity and successions. */
export function createUnitRepository(t: SqlDb): UnitRepository {
  const db = t.kysely;
  return {
    async listChildren(parentIds) {
      if (parentIds.length === 0) {
        return [];
      }
      const rows = await db
        .selectFrom('Unit')
        .select(UNIT_VIEW)
        .where('parentId', 'in', parentIds)
        .where('kind', 'in', LOCAL)
        .orderBy('code')
        .execute();
      return rows.map(toUnitView);
    },
    async listChildrenDated(parentIds) {
      if (parentIds.length === 0) {
        return [];
      }
      const rows = await db
        .selectFrom('Unit')
        .select(DATED_UNIT)
        .where('parentId', 'in', parentIds)
        .where('kind', 'in', LOCAL)
        .orderBy('code')
        .execute();
      return rows.map((r) => ({ ...toUnitView(r), validFrom: r.validFrom, validTo: r.validTo }));
    },
    async listDescendantsDated(rootIds) {
      if (rootIds.length === 0) {
        return [];
      }
      const rows = await db
        .withRecursive('below(id)', (q) =>
          q
            .selectFrom('Unit')
            .select('id')
            .where('parentId', 'in', rootIds)
            .union(q.selectFrom('Unit as u').innerJoin('below as b', 'u.parentId', 'b.id').select('u.id')),
        )
        .selectFrom('Unit as u')
        .innerJoin('below as b', 'b.id', 'u.id')
        .select(['u.id', 'u.code', 'u.name', 'u.kind', 'u.parentId', 'u.validFrom', 'u.validTo'])
        .execute();
      return rows.map((r) => ({ ...toUnitView(r), validFrom: r.validFrom, validTo: r.validTo }));
    },
    async successions() {
      return db
        .selectFrom('UnitSuccession')
        .select(['predecessorId', 'successorId', 'effectiveOn'])
        .orderBy('effectiveOn')
        .orderBy('id')
        .execute();
    },
    async findById(id) {
      const r = await db.selectFrom('Unit').select(UNIT_VIEW).where('id', '=', id).executeTakeFirst();
      return r ? toUnitView(r) : undefined;
    },
    async findByCode(code, asOf) {
      let q = db.selectFrom('Unit').select(DATED_UNIT).where('code', '=', code);
      if (asOf !== undefined) {
        q = q
          .where('validFrom', '<=', asOf)
          .where((eb) => eb.or([eb('validTo', 'is', null), eb('validTo', '>=', asOf)]));
      }
      const r = await q.orderBy('validFrom', 'desc').limit(1).executeTakeFirst();
      return r ? { ...toUnitView(r), validFrom: r.validFrom, validTo: r.validTo } : undefined;
    },
    async listByKinds(kinds) {
      if (kinds.length === 0) {
        return [];
      }
      const rows = await db
        .selectFrom('Unit')
        .select(UNIT_VIEW)
        .where('kind', 'in', kinds)
        .orderBy('code')
        .execute();
      return rows.map(toUnitView);
    },
    async listAllDated() {
      const rows = await db.selectFrom('Unit').select(DATED_UNIT).orderBy('code').execute();
      return rows.map((r) => ({ ...toUnitView(r), validFrom: r.validFrom, validTo: r.validTo }));
    },
    async create(unit, at) {
      const { id } = await db
        .insertInto('Unit')
        .values({ ...unit, createdAt: at })
        .returning('id')
        .executeTakeFirstOrThrow();
      return id;
    },
    async createMany(units, at) {
      const ids = new Map<string, number>();
      for (let start = 0; start < units.length; start += ROWS_PER_INSERT) {
        const part = units.slice(start, start + ROWS_PER_INSERT);
        const rows = await db
          .insertInto('Unit')
          .values(part.map((u) => ({ ...u, createdAt: at })))
          .returning(['id', 'code', 'validFrom'])
          .execute();
        // RETURNING lists the rows in no promised order: (code, validFrom) names each one.
        for (const r of rows) {
          ids.set(`${r.code}@${r.validFrom}`, r.id);
        }
      }
      return units.map((u) => {
        const id = ids.get(`${u.code}@${u.validFrom}`);
        if (id === undefined) {
          throw new Error(`unit ${u.code} from ${u.validFrom} was not written`);
        }
        return id;
      });
    },
    async end(unitIds, validTo) {
      if (unitIds.length === 0) {
        return 0;
      }
      const r = await db
        .updateTable('Unit')
        .set({ validTo })
        .where('id', 'in', [...unitIds])
        .where('validTo', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async addSuccession(link) {
      await db.insertInto('UnitSuccession').values(link).execute();
    },
    async setValidTo(unitIds, validTo) {
      for (let start = 0; start < unitIds.length; start += IDS_PER_UPDATE) {
        const part = unitIds.slice(start, start + IDS_PER_UPDATE);
        await db.updateTable('Unit').set({ validTo }).where('id', 'in', part).execute();
      }
    },
  };
}
