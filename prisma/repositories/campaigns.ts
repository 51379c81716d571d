import type { Campaign, CampaignRepository, Period } from '../../core/campaigns/campaign.ts';
import type { SqlDb } from '../database.ts';
import { type Param, prepared } from '../kysely-dialect.ts';

const CAMPAIGN_COLUMNS = [
  'id',
  'code',
  'name',
  'timeZone',
  'startsOn',
  'endsOn',
  'monthlyDueDay',
  'quarterlyDueDay',
  'finalDueOn',
  'normNewBuild',
  'normRepair',
  'areaUnitId',
  'addressForm',
  'closedOn',
] as const;

const currentCampaign = prepared((db) =>
  db.selectFrom('Campaign').select(CAMPAIGN_COLUMNS).orderBy('id', 'desc').limit(1),
);

const campaignById = prepared((db, $: Param<{ id: number }>) =>
  db.selectFrom('Campaign').select(CAMPAIGN_COLUMNS).where('id', '=', $('id')),
);

const periods = prepared((db, $: Param<{ campaignId: number; kind: string }>) =>
  db
    .selectFrom('ReportingPeriod')
    .select(['id', 'campaignId', 'code', 'label', 'startsOn', 'endsOn', 'opensOn', 'dueOn'])
    .where('campaignId', '=', $('campaignId'))
    .where('kind', '=', $('kind'))
    .orderBy('dueOn'),
);

/** How many levels a unit tree has at most (nation, province, district, ward; a margin for more). */
const MAX_DEPTH = 8;

/** The campaigns, their areas and their reporting periods. */
export function createCampaignRepository(t: SqlDb): CampaignRepository {
  const db = t.kysely;
  const select = () => db.selectFrom('Campaign').select(CAMPAIGN_COLUMNS);
  return {
    findCurrent: () => currentCampaign.first(db, {}),
    findById: (id) => campaignById.first(db, { id }),
    findByCode: (code) => select().where('code', '=', code).executeTakeFirst(),
    list: () => select().orderBy('startsOn', 'desc').orderBy('id', 'desc').execute(),
    async covering(unitIds) {
      if (unitIds.length === 0) {
        return select().where('areaUnitId', 'is', null).execute();
      }
      return db
        .withRecursive('up(id, parentId, depth)', (q) =>
          q
            .selectFrom('Unit')
            .select(['id', 'parentId', (eb) => eb.lit(0).as('depth')])
            .where('id', 'in', [...unitIds])
            .unionAll(
              q
                .selectFrom('Unit as u')
                .innerJoin('up', 'u.id', 'up.parentId')
                .select(['u.id', 'u.parentId', (eb) => eb('up.depth', '+', 1).as('depth')])
                .where('up.depth', '<', MAX_DEPTH),
            ),
        )
        .selectFrom('Campaign')
        .select(CAMPAIGN_COLUMNS)
        .where((eb) =>
          eb.or([eb('areaUnitId', 'is', null), eb('areaUnitId', 'in', eb.selectFrom('up').select('up.id'))]),
        )
        .orderBy('startsOn', 'desc')
        .orderBy('id', 'desc')
        .execute();
    },
    async below(unitIds) {
      if (unitIds.length === 0) {
        return [];
      }
      return db
        .withRecursive('down(id, depth)', (q) =>
          q
            .selectFrom('Unit')
            .select(['id', (eb) => eb.lit(0).as('depth')])
            .where('parentId', 'in', [...unitIds])
            .unionAll(
              q
                .selectFrom('Unit as u')
                .innerJoin('down', 'u.parentId', 'down.id')
                .select(['u.id', (eb) => eb('down.depth', '+', 1).as('depth')])
                .where('down.depth', '<', MAX_DEPTH),
            ),
        )
        .selectFrom('Campaign')
        .select(CAMPAIGN_COLUMNS)
        .where('areaUnitId', 'in', (eb) => eb.selectFrom('down').select('down.id'))
        .orderBy('startsOn', 'desc')
        .orderBy('id', 'desc')
        .execute();
    },
    async definition(campaignId) {
      const row = await db
        .selectFrom('Campaign')
        .select('definition')
        .where('id', '=', campaignId)
        .executeTakeFirst();
      return row?.definition ?? '{}';
    },
    async create(record) {
      const row = await db.insertInto('Campaign').values(record).returning('id').executeTakeFirstOrThrow();
      return row.id;
    },
    async replace(campaignId, record) {
      await db.updateTable('Campaign').set(record).where('id', '=', campaignId).execute();
    },
    async listPeriods(campaignId, kind) {
      const rows = await periods.all(db, { campaignId, kind });
      return rows.map((r): Period => ({ ...r, kind }));
    },
    async addPeriods(campaignId, specs) {
      if (specs.length > 0) {
        await db
          .insertInto('ReportingPeriod')
          .values(specs.map((p) => ({ ...p, campaignId })))
          .execute();
      }
    },
    async removePeriod(periodId) {
      // Two queries: SQLite refuses a LIMIT inside a compound SELECT.
      for (const table of ['Report', 'NarrativeReport'] as const) {
        const used = await db
          .selectFrom(table)
          .select('id')
          .where('periodId', '=', periodId)
          .limit(1)
          .executeTakeFirst();
        if (used) {
          return false;
        }
      }
      await db.deleteFrom('ReportingPeriod').where('id', '=', periodId).execute();
      return true;
    },
    async update(campaignId, changes) {
      const set = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
      if (Object.keys(set).length > 0) {
        await db.updateTable('Campaign').set(set).where('id', '=', campaignId).execute();
      }
    },
    async setClosedOn(campaignId, closedOn) {
      await db.updateTable('Campaign').set({ closedOn }).where('id', '=', campaignId).execute();
    },
    async setPeriodDue(periodId, dueOn) {
      await db.updateTable('ReportingPeriod').set({ dueOn }).where('id', '=', periodId).execute();
    },
    async setPeriodDates(periodId, { label, startsOn, endsOn, opensOn, dueOn }) {
      await db
        .updateTable('ReportingPeriod')
        .set({ label, startsOn, endsOn, opensOn, dueOn })
        .where('id', '=', periodId)
        .execute();
    },
  };
}

export type { Campaign };
