import type { CampaignRepository, Period } from '../../core/campaigns/campaign.ts';
import type { SqlDb } from '../database.ts';
import { type Param, prepared } from '../kysely-dialect.ts';

const currentCampaign = prepared((db) =>
  db
    .selectFrom('Campaign')
    .select([
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
    ])
    .orderBy('id', 'desc')
    .limit(1),
);

const periods = prepared((db, $: Param<{ campaignId: number; kind: string }>) =>
  db
    .selectFrom('ReportingPeriod')
    .select(['id', 'campaignId', 'code', 'label', 'startsOn', 'endsOn', 'opensOn', 'dueOn'])
    .where('campaignId', '=', $('campaignId'))
    .where('kind', '=', $('kind'))
    .orderBy('dueOn'),
);

/** The campaign (the latest one) and its reporting periods. */
export function createCampaignRepository(t: SqlDb): CampaignRepository {
  const db = t.kysely;
  return {
    findCurrent: () => currentCampaign.first(db, {}),
    async listPeriods(campaignId, kind) {
      const rows = await periods.all(db, { campaignId, kind });
      return rows.map((r): Period => ({ ...r, kind }));
    },
    async update(campaignId, changes) {
      const set = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
      if (Object.keys(set).length > 0) {
        await db.updateTable('Campaign').set(set).where('id', '=', campaignId).execute();
      }
    },
    async setPeriodDue(periodId, dueOn) {
      await db.updateTable('ReportingPeriod').set({ dueOn }).where('id', '=', periodId).execute();
    },
  };
}
