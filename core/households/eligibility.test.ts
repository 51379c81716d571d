import { describe, expect, it } from 'vitest';
import type { EligibilityFacts, EligibilityProblemCode, TemporaryReason } from './eligibility.ts';
import { assessEligibility, DEFAULT_ELIGIBILITY_RULES, ZEligibilityRules } from './eligibility.ts';

/** A poor household, 3 people in 20 m² with all structures durable, every land condition met. */
const base: EligibilityFacts = {
  category: 'poor',
  foundationDurable: true,
  frameDurable: true,
  roofDurable: true,
  area: 20,
  members: 3,
  landLegal: true,
  landUndisputed: true,
  outsideLandslideZone: true,
  confirmedByCommune: true,
};

function codes(facts: Partial<EligibilityFacts>): EligibilityProblemCode[] {
  return assessEligibility({ ...base, ...facts }, DEFAULT_ELIGIBILITY_RULES).problems.map((p) => p.code);
}

describe('assessEligibility: the house', () => {
  it.each<[string, Partial<EligibilityFacts>, boolean, TemporaryReason[]]>([
    ['all 3 structures durable, 35 m² for 3', { area: 35 }, false, []],
    ['1 of 3 non-durable (roof), 35 m² for 3', { roofDurable: false, area: 35 }, false, []],
    [
      'exactly 2 of 3 non-durable (frame, roof), 35 m² for 3',
      { frameDurable: false, roofDurable: false, area: 35 },
      true,
      ['structures'],
    ],
    [
      '2 of 3 non-durable (foundation, frame)',
      { foundationDurable: false, frameDurable: false, area: 35 },
      true,
      ['structures'],
    ],
    [
      'all 3 non-durable',
      { foundationDurable: false, frameDurable: false, roofDurable: false, area: 35 },
      true,
      ['structures'],
    ],
    ['single person in 17.9 m²', { members: 1, area: 17.9 }, true, ['area']],
    ['single person in 18 m²', { members: 1, area: 18 }, false, []],
    ['family of 4 in 29 m² (7.25 m²/person)', { members: 4, area: 29 }, true, ['area']],
    ['family of 3 in 29 m² (9.67 m²/person)', { members: 3, area: 29 }, false, []],
    ['family of 3 in 24 m² (exactly 8 m²/person)', { members: 3, area: 24 }, false, []],
    ['family of 5 in 30 m² (6 m²/person, but not under 30 m²)', { members: 5, area: 30 }, false, []],
    ['family of 2 in 15.9 m²', { members: 2, area: 15.9 }, true, ['area']],
    ['single person, area unknown', { members: 1, area: undefined }, false, []],
    ['family of 6, area null', { members: 6, area: null }, false, []],
    [
      'area unknown but 2 of 3 non-durable',
      { area: undefined, foundationDurable: false, roofDurable: false },
      true,
      ['structures'],
    ],
    [
      'both criteria: 2 of 3 non-durable and 12 m² for 1',
      { members: 1, area: 12, frameDurable: false, roofDurable: false },
      true,
      ['structures', 'area'],
    ],
  ])('%s → temporary %s', (_name, facts, temporary, reasons) => {
    const result = assessEligibility({ ...base, ...facts }, DEFAULT_ELIGIBILITY_RULES);
    expect(result.temporaryHouse).toBe(temporary);
    expect(result.reasons).toEqual(reasons);
    expect(result.eligible).toBe(temporary);
    expect(result.problems.map((p) => p.code)).toEqual(temporary ? [] : ['not_temporary']);
  });

  it.each<[string, Partial<EligibilityFacts>, string]>([
    [
      'family, known area',
      { members: 3, area: 29, roofDurable: false },
      'Nhà chưa thuộc diện nhà tạm, nhà dột nát: có 1/3 kết cấu chính (nền-móng, khung-tường, mái) bằng vật liệu ' +
        'không bền chắc, cần ít nhất 2; diện tích 29 m² cho 3 người (9,67 m²/người) chưa đồng thời dưới 30 m² ' +
        'và dưới 8 m²/người.',
    ],
    [
      'single person',
      { members: 1, area: 18.5 },
      'Nhà chưa thuộc diện nhà tạm, nhà dột nát: có 0/3 kết cấu chính (nền-móng, khung-tường, mái) bằng vật liệu ' +
        'không bền chắc, cần ít nhất 2; diện tích 18,5 m² cho 1 người không nhỏ hơn 18 m².',
    ],
    [
      'unknown area',
      { area: undefined },
      'Nhà chưa thuộc diện nhà tạm, nhà dột nát: có 0/3 kết cấu chính (nền-móng, khung-tường, mái) bằng vật liệu ' +
        'không bền chắc, cần ít nhất 2; chưa có số liệu diện tích để xét theo tiêu chí diện tích.',
    ],
  ])('explains why the house is not temporary (%s)', (_name, facts, message) => {
    expect(assessEligibility({ ...base, ...facts }).problems).toEqual([{ code: 'not_temporary', message }]);
  });
});

describe('assessEligibility: land, confirmation and category', () => {
  it.each<[string, Partial<EligibilityFacts>, EligibilityProblemCode[]]>([
    ['everything met', {}, []],
    ['land not legal', { landLegal: false }, ['land_not_legal']],
    ['land disputed', { landUndisputed: false }, ['land_disputed']],
    ['in a landslide zone', { outsideLandslideZone: false }, ['landslide_zone']],
    ['not confirmed by the commune', { confirmedByCommune: false }, ['not_confirmed']],
    ['category near_poor', { category: 'near_poor' }, []],
    ['category merit', { category: 'merit' }, []],
    ['category other', { category: 'other' }, ['category']],
    [
      'every problem at once, in a fixed order',
      {
        area: 40,
        landLegal: false,
        landUndisputed: false,
        outsideLandslideZone: false,
        confirmedByCommune: false,
        category: 'other',
      },
      ['not_temporary', 'land_not_legal', 'land_disputed', 'landslide_zone', 'not_confirmed', 'category'],
    ],
  ])('%s', (_name, facts, expected) => {
    expect(codes(facts)).toEqual(expected);
    const result = assessEligibility({ ...base, ...facts });
    expect(result.eligible).toBe(expected.length === 0);
    for (const problem of result.problems) {
      expect(problem.message.length).toBeGreaterThan(10);
    }
  });

  it('names the category in Vietnamese', () => {
    expect(assessEligibility({ ...base, category: 'other' }).problems).toEqual([
      {
        code: 'category',
        message:
          'Diện “Khác” không thuộc đối tượng hỗ trợ của đợt vận động (chỉ hỗ trợ: Hộ nghèo, Hộ cận nghèo, ' +
          'Người có công).',
      },
    ]);
  });

  it('a land problem keeps a temporary house ineligible', () => {
    const result = assessEligibility({ ...base, landUndisputed: false });
    expect(result).toMatchObject({ temporaryHouse: true, eligible: false, reasons: ['area'] });
  });
});

describe('assessEligibility: per-campaign rules', () => {
  it.each<[string, Partial<typeof DEFAULT_ELIGIBILITY_RULES>, Partial<EligibilityFacts>, boolean]>([
    [
      'landslide zone allowed by the campaign',
      { requireOutsideLandslideZone: false },
      { outsideLandslideZone: false },
      true,
    ],
    [
      'no commune confirmation needed',
      { requireCommuneConfirmation: false },
      { confirmedByCommune: false },
      true,
    ],
    ['legal land not required', { requireLegalLand: false }, { landLegal: false }, true],
    ['disputed land tolerated', { requireUndisputedLand: false }, { landUndisputed: false }, true],
    ['"other" included', { eligibleCategories: ['poor', 'other'] }, { category: 'other' }, true],
    ['merit excluded', { eligibleCategories: ['poor', 'near_poor'] }, { category: 'merit' }, false],
    [
      'one non-durable structure is enough',
      { minNonDurableStructures: 1 },
      { area: 40, roofDurable: false },
      true,
    ],
    ['stricter per-person area', { minAreaPerPerson: 6 }, { members: 3, area: 20 }, false],
  ])('%s', (_name, rules, facts, eligible) => {
    const merged = ZEligibilityRules.parse({ ...DEFAULT_ELIGIBILITY_RULES, ...rules });
    expect(assessEligibility({ ...base, ...facts }, merged).eligible).toBe(eligible);
  });

  it('the defaults are the national rules and validate', () => {
    expect(ZEligibilityRules.parse(DEFAULT_ELIGIBILITY_RULES)).toEqual({
      minNonDurableStructures: 2,
      singlePersonMinArea: 18,
      familyMinArea: 30,
      minAreaPerPerson: 8,
      requireLegalLand: true,
      requireUndisputedLand: true,
      requireOutsideLandslideZone: true,
      requireCommuneConfirmation: true,
      eligibleCategories: ['poor', 'near_poor', 'merit'],
    });
    expect(Object.isFrozen(DEFAULT_ELIGIBILITY_RULES)).toBe(true);
  });
});
