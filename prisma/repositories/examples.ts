import type { Selectable } from 'kysely';
import { z } from 'zod';
import type {
  ExamplePhoto,
  ModelExampleRepository,
  ModelExampleRow,
} from '../../core/examples/model-example.repository.ts';
import type { DB } from '../kysely-dialect.ts';
import type { SqlDb } from '../sql-db.ts';
import { inserted, parseJsonColumn } from './mappers.ts';

const ZPhoto = z.object({ channel: z.string(), fileId: z.string() });

/** The photo column (JSON text); anything unreadable reads as none. */
const parsePhoto = (value: string | null) => parseJsonColumn<ExamplePhoto | null>(ZPhoto, value, null);

function toRow(r: Selectable<DB['ModelExample']> & { unitName?: string }): ModelExampleRow {
  return {
    id: r.id,
    campaignId: r.campaignId,
    unitId: r.unitId,
    ...(r.unitName === undefined ? {} : { unitName: r.unitName }),
    who: r.who,
    what: r.what,
    photo: parsePhoto(r.photo),
    personId: r.personId,
    createdAt: r.createdAt,
    withdrawnAt: r.withdrawnAt,
  };
}

/** Model examples (core/examples/model-example.repository.ts). */
export function createModelExampleRepository(t: SqlDb): ModelExampleRepository {
  const db = t.kysely;
  const withUnit = () =>
    db
      .selectFrom('ModelExample as e')
      .innerJoin('Unit as u', 'u.id', 'e.unitId')
      .selectAll('e')
      .select('u.name as unitName');
  /** The campaign's newest not withdrawn (of one person's, when given). */
  const latestShown = async (campaignId: number, limit: number, personId?: number) => {
    let query = withUnit().where('e.campaignId', '=', campaignId).where('e.withdrawnAt', 'is', null);
    if (personId !== undefined) {
      query = query.where('e.personId', '=', personId);
    }
    const rows = await query.orderBy('e.createdAt', 'desc').orderBy('e.id', 'desc').limit(limit).execute();
    return rows.map(toRow);
  };
  return {
    async create(row, at) {
      const r = await db
        .insertInto('ModelExample')
        .values({
          campaignId: row.campaignId,
          unitId: row.unitId,
          who: row.who,
          what: row.what,
          photo: row.photo ? JSON.stringify({ channel: row.photo.channel, fileId: row.photo.fileId }) : null,
          personId: row.personId,
          createdAt: at,
        })
        .returning('id')
        .executeTakeFirst();
      return inserted(r, 'ModelExample');
    },
    async findById(id) {
      const r = await withUnit().where('e.id', '=', id).executeTakeFirst();
      return r ? toRow(r) : undefined;
    },
    listRecent: (campaignId, limit) => latestShown(campaignId, limit),
    listByPerson: (campaignId, personId, limit) => latestShown(campaignId, limit, personId),
    async listBetween(campaignId, from, to) {
      const rows = await withUnit()
        .where('e.campaignId', '=', campaignId)
        .where('e.createdAt', '>=', from)
        .where('e.createdAt', '<', to)
        .orderBy('e.createdAt')
        .orderBy('e.id')
        .execute();
      return rows.map(toRow);
    },
    async withdraw(id, at) {
      const r = await db
        .updateTable('ModelExample')
        .set({ withdrawnAt: at })
        .where('id', '=', id)
        .where('withdrawnAt', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}
