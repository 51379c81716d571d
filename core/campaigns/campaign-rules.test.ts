import { describe, expect, it } from 'vitest';
import { assessEligibility, type EligibilityFacts } from '../households/eligibility.ts';
import { householdInputSchema } from '../households/household.ts';
import { categoryList, rulesOf } from './campaign-rules.ts';
import { type CampaignDefinitionInput, definitionToJson, ZCampaignDefinition } from './definition.ts';

const ROW = { normNewBuild: 60_000_000n, normRepair: 30_000_000n };

function json(overrides: Partial<CampaignDefinitionInput> = {}): string {
  return definitionToJson(
    ZCampaignDefinition.parse({
      code: 'TN-NCC-2026',
      name: 'Hỗ trợ nhà ở người có công tỉnh Thái Nguyên 2026',
      area: '19',
      startsOn: '2026-01-01',
      endsOn: '2026-12-31',
      schedule: { monthly: { dueDay: 5 }, final: { dueOn: '2026-12-15' } },
      norms: [{ from: '2026-01-01', newBuild: '60tr', repair: '30tr' }],
      ...overrides,
    }),
  );
}

const FACTS: EligibilityFacts = {
  category: 'poor',
  foundationDurable: false,
  frameDurable: false,
  roofDurable: true,
  area: 40,
  members: 3,
  landLegal: true,
  landUndisputed: true,
  outsideLandslideZone: true,
  confirmedByCommune: true,
};

describe('rulesOf', () => {
  it("gives a campaign from before definitions ('{}') the national defaults and its row's norm", () => {
    const rules = rulesOf(ROW, '{}');
    expect(rules.defined).toBe(false);
    expect(rules.eligibility).toMatchObject({
      minNonDurableStructures: 2,
      eligibleCategories: ['poor', 'near_poor', 'merit'],
      noHouseCase: true,
      confirmation: 'UBND cấp xã, phường xác nhận đủ điều kiện xây dựng nhà ở',
    });
    expect(categoryList(rules)).toBe('Hộ nghèo, Hộ cận nghèo, Người có công, Khác');
    expect(rules.normOn('2020-01-01')).toEqual({ new_build: 60_000_000n, repair: 30_000_000n });
    expect(rules.povertyStandardOn('2025-01-01')).toBeUndefined();
    expect(rules.fundAccount('058')).toBeUndefined();
  });

  it('merges the definition rules over the defaults and supports the categories marked so', () => {
    const rules = rulesOf(
      ROW,
      json({
        eligibility: { minNonDurableStructures: 3, requireCommuneConfirmation: false, noHouseCase: false },
        categories: [
          { code: 'merit', label: 'Người có công với cách mạng' },
          { code: 'ntp_ethnic', label: 'Hộ thuộc CT MTQG dân tộc thiểu số' },
          { code: 'other', label: 'Khác', supported: false },
        ],
      }),
    );
    expect(rules.eligibility).toMatchObject({
      minNonDurableStructures: 3,
      singlePersonMinArea: 18,
      requireCommuneConfirmation: false,
      requireLegalLand: true,
      eligibleCategories: ['merit', 'ntp_ethnic'],
      noHouseCase: false,
    });
    expect(rules.categoryLabel('ntp_ethnic')).toBe('Hộ thuộc CT MTQG dân tộc thiểu số');
    // A code the campaign does not list: the built-in label, else the code itself.
    expect(rules.categoryLabel('poor')).toBe('Hộ nghèo');
    expect(rules.categoryLabel('xyz')).toBe('xyz');
    expect(rules.category('poor')).toBeUndefined();

    const result = assessEligibility(
      { ...FACTS, category: 'poor', confirmedByCommune: false },
      rules.eligibility,
      rules.categoryLabel,
    );
    expect(result.problems.map((p) => p.message)).toEqual([
      expect.stringContaining(
        'có 2/3 kết cấu chính (nền-móng, khung-tường, mái) bằng vật liệu không bền chắc, cần ít nhất 3',
      ),
      'Diện “Hộ nghèo” không thuộc đối tượng hỗ trợ của đợt vận động (chỉ hỗ trợ: Người có công với cách mạng, Hộ thuộc CT MTQG dân tộc thiểu số).',
    ]);
  });

  it("names the campaign's confirmation when the commune has not confirmed", () => {
    const rules = rulesOf(
      ROW,
      json({ eligibility: { confirmation: 'UBND xã xác nhận hộ thuộc diện hỗ trợ' } }),
    );
    const result = assessEligibility({ ...FACTS, confirmedByCommune: false }, rules.eligibility);
    expect(result.problems).toEqual([
      { code: 'not_confirmed', message: 'Hộ chưa có xác nhận: UBND xã xác nhận hộ thuộc diện hỗ trợ.' },
    ]);
  });

  it('keeps eligible categories the eligibility section names itself', () => {
    const rules = rulesOf(ROW, json({ eligibility: { eligibleCategories: ['poor'] } }));
    expect(rules.eligibility.eligibleCategories).toEqual(['poor']);
  });

  it('answers the norm and the poverty standard in force on a day', () => {
    const rules = rulesOf(
      ROW,
      json({
        startsOn: '2024-10-01',
        norms: [
          { from: '2024-10-01', to: '2024-11-09', newBuild: '50tr', repair: '25tr' },
          { from: '2024-11-10', newBuild: 60_000_000, repair: '30.000.000' },
        ],
        povertyStandards: [
          { reference: 'Nghị định 07/2021/NĐ-CP', from: '2022-01-01', to: '2025-12-31' },
          { reference: 'Nghị định 351/2025/NĐ-CP', from: '2026-01-01' },
        ],
      }),
    );
    expect(rules.normOn('2024-10-01')).toEqual({ new_build: 50_000_000n, repair: 25_000_000n });
    expect(rules.normOn('2024-11-09')).toEqual({ new_build: 50_000_000n, repair: 25_000_000n });
    expect(rules.normOn('2024-11-10')).toEqual({ new_build: 60_000_000n, repair: 30_000_000n });
    expect(rules.povertyStandardOn('2021-12-31')).toBeUndefined();
    expect(rules.povertyStandardOn('2025-12-31')?.reference).toBe('Nghị định 07/2021/NĐ-CP');
    expect(rules.povertyStandardOn('2026-01-01')?.reference).toBe('Nghị định 351/2025/NĐ-CP');
  });

  it('finds the fund account of a level by its unit code', () => {
    const rules = rulesOf(
      ROW,
      json({
        funds: [
          {
            unit: '19',
            bank: 'Vietcombank Thái Nguyên',
            accountNumber: '0123456789',
            accountName: 'Ủy ban MTTQ Việt Nam tỉnh Thái Nguyên',
          },
        ],
      }),
    );
    expect(rules.fundAccount('19')).toMatchObject({
      bank: 'Vietcombank Thái Nguyên',
      accountNumber: '0123456789',
    });
    expect(rules.fundAccount('058')).toBeUndefined();
  });

  it('parses a definition text once: a later answer reuses the parsed rules (no JSON or zod again)', () => {
    const text = json({ eligibility: { minNonDurableStructures: 1 } });
    const first = rulesOf(ROW, text);
    expect(rulesOf(ROW, text).eligibility).toBe(first.eligibility);
    expect(rulesOf(ROW, text).categories).toBe(first.categories);
    // Another text is parsed on its own.
    expect(rulesOf(ROW, json()).eligibility).not.toBe(first.eligibility);
  });
});

describe("the household schema with a campaign's categories", () => {
  const categories = [
    { code: 'poor', label: 'Hộ nghèo' },
    { code: 'ntp_poverty', label: 'Hộ thuộc CT MTQG giảm nghèo' },
  ];
  const household = {
    code: 'TN-1',
    village: 'Xóm Nà Mòn',
    headName: 'Ma Văn Thái',
    need: 'new_build',
    foundationDurable: false,
    frameDurable: false,
    roofDurable: false,
    members: 2,
    landLegal: true,
    landUndisputed: true,
    outsideLandslideZone: true,
    confirmedByCommune: true,
  };

  it("takes the campaign's own category and refuses one it does not list, naming the valid ones", () => {
    const schema = householdInputSchema({ year: 2026, categories });
    expect(schema.safeParse({ ...household, category: 'ntp_poverty' }).success).toBe(true);
    const refused = schema.safeParse({ ...household, category: 'merit' });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues.map((i) => i.message)).toEqual([
      'Diện hộ "merit" không có trong đợt vận động này. Diện hộ phải là một trong: Hộ nghèo, Hộ thuộc CT MTQG giảm nghèo.',
    ]);
    // Without a campaign's list: the built-in four.
    expect(householdInputSchema({ year: 2026 }).safeParse({ ...household, category: 'merit' }).success).toBe(
      true,
    );
    expect(
      householdInputSchema({ year: 2026 }).safeParse({ ...household, category: 'ntp_poverty' }).success,
    ).toBe(false);
  });
});

describe('the no-house case', () => {
  const noHouse = { ...FACTS, noHouse: true, foundationDurable: true, frameDurable: true, roofDurable: true };

  it('qualifies a household with no house at all as its own case by default', () => {
    const result = assessEligibility(noHouse, rulesOf(ROW, '{}').eligibility);
    expect(result).toMatchObject({
      eligible: true,
      temporaryHouse: true,
      reasons: ['no_house'],
      problems: [],
    });
  });

  it('refuses it when the campaign does not count that case', () => {
    const rules = rulesOf(ROW, json({ eligibility: { noHouseCase: false } }));
    const result = assessEligibility(noHouse, rules.eligibility);
    expect(result.eligible).toBe(false);
    expect(result.problems).toEqual([
      {
        code: 'no_house',
        message: 'Hộ chưa có nhà ở: đợt vận động này không hỗ trợ trường hợp chưa có nhà ở.',
      },
    ]);
  });
});
