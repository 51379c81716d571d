import {
  type CampaignDefinitionInput,
  definitionToJson,
  ZCampaignDefinition,
} from '../../core/campaigns/definition.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import { CITY_FUND_ACCOUNT } from './fixtures.ts';
import { rawRows } from './raw-sql.ts';

/** A definition of the Bắc Kạn plan with the campaign's own choices; `overrides` replace sections. */
export function bacKanDefinition(overrides: Partial<CampaignDefinitionInput> = {}): string {
  return definitionToJson(
    ZCampaignDefinition.parse({
      code: 'BK-XNT-2025',
      name: 'Xóa nhà tạm, nhà dột nát thành phố Bắc Kạn 2024–2025',
      area: '058',
      startsOn: '2024-10-01',
      endsOn: '2025-12-31',
      schedule: { monthly: { dueDay: 15 }, final: { dueOn: '2025-12-10' } },
      eligibility: { minNonDurableStructures: 3 },
      categories: [
        { code: 'poor', label: 'Hộ nghèo' },
        { code: 'near_poor', label: 'Hộ cận nghèo' },
        { code: 'ntp_poverty', label: 'Hộ thuộc Chương trình MTQG giảm nghèo' },
        { code: 'other', label: 'Khác', supported: false },
      ],
      povertyStandards: [
        { reference: 'Nghị định 07/2021/NĐ-CP', from: '2022-01-01', to: '2025-12-31' },
        { reference: 'Nghị định 351/2025/NĐ-CP', from: '2026-01-01' },
      ],
      norms: [
        { from: '2024-10-01', to: '2024-11-09', newBuild: '50tr', repair: '25tr' },
        { from: '2024-11-10', newBuild: '60tr', repair: '30tr' },
      ],
      funds: [CITY_FUND_ACCOUNT],
      ...overrides,
    }),
  );
}

/** Gives the campaign `campaignId` this definition (JSON), as `campaigns load` stores it. */
export async function setDefinition(db: SqlDb, campaignId: number, json: string): Promise<void> {
  await rawRows(db, 'UPDATE "Campaign" SET "definition" = ? WHERE "id" = ?', [json, campaignId]);
}
