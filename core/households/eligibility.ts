/**
 * Whether a household qualifies for support: its house must be temporary or dilapidated, stand on
 * legal, undisputed land outside landslide zones, be confirmed by the commune, and the household
 * must belong to a supported group.
 *
 * Sources (see shared/reference/domain-vn.md §1.4–1.6):
 * - Decision 55/QĐ-BXD (20/01/2025), criteria for temporary and dilapidated houses: at least 2 of the
 *   3 main structures (nền-móng, khung-tường, mái) of non-durable materials, or too small: a
 *   single-person household under 18 m², a family under 30 m² and under 8 m² per person; the house
 *   must stand on undisputed residential land.
 * - Circular 01/2022/TT-BXD: eligible households are poor or near-poor; a house is unstable when
 *   ≥ 2 of 3 structures are of unstable materials or the area per person is under 8 m².
 * - Directive 42/CT-TTg and Decision 21/2024/QĐ-TTg add people with meritorious service.
 *
 * The figures moved during 2024–2025 and provinces add their own conditions, so every threshold is
 * a field of `EligibilityRules`, configurable per campaign; `DEFAULT_ELIGIBILITY_RULES` holds the
 * national values.
 */

import {
  DEFAULT_ELIGIBILITY_RULES,
  type EligibilityRules,
  ZEligibilityRules,
} from '../campaigns/sections.ts';
import { formatArea } from './area.ts';
import { defaultCategoryLabel } from './household.ts';

export type { EligibilityRules };
export { DEFAULT_ELIGIBILITY_RULES, ZEligibilityRules };

/** The facts the rules look at; a `THouseholdInput` or a stored household both fit. */
export interface EligibilityFacts {
  /** A category code of the campaign (the built-in four or the campaign's own). */
  category: string;
  /** The household has no house at all ("chưa có nhà ở"); the structures and area are then moot. */
  noHouse?: boolean;
  foundationDurable: boolean;
  frameDurable: boolean;
  roofDurable: boolean;
  /** Usable floor area in m²; unknown means the area criterion cannot be met. */
  area?: number | null;
  members: number;
  landLegal: boolean;
  landUndisputed: boolean;
  outsideLandslideZone: boolean;
  confirmedByCommune: boolean;
}

/**
 * Why the household qualifies by its house: too many non-durable structures, too small, or both;
 * or it has no house at all ('no_house', when the campaign counts that case).
 */
export type TemporaryReason = 'structures' | 'area' | 'no_house';

export type EligibilityProblemCode =
  | 'not_temporary'
  | 'no_house'
  | 'land_not_legal'
  | 'land_disputed'
  | 'landslide_zone'
  | 'not_confirmed'
  | 'category';

export interface EligibilityProblem {
  code: EligibilityProblemCode;
  /** Polite Vietnamese, shown to the official as is. */
  message: string;
}

export interface EligibilityResult {
  eligible: boolean;
  temporaryHouse: boolean;
  reasons: TemporaryReason[];
  problems: EligibilityProblem[];
}

function countNonDurable(h: EligibilityFacts): number {
  return [h.foundationDurable, h.frameDurable, h.roofDurable].filter((durable) => !durable).length;
}

/**
 * True when the area alone makes the house temporary: one person and area < `singlePersonMinArea`,
 * or two or more people and area < `familyMinArea` and area per person < `minAreaPerPerson`.
 * Compared as `area < perPerson × members` so 24 m² for 3 people (exactly 8) is not temporary.
 */
function tooSmall(area: number | null | undefined, members: number, rules: EligibilityRules): boolean {
  if (area === undefined || area === null || !Number.isFinite(area)) {
    return false;
  }
  if (members === 1) {
    return area < rules.singlePersonMinArea;
  }
  return members >= 2 && area < rules.familyMinArea && area < rules.minAreaPerPerson * members;
}

function notTemporaryMessage(h: EligibilityFacts, nonDurable: number, rules: EligibilityRules): string {
  const structures =
    `có ${nonDurable}/3 kết cấu chính (nền-móng, khung-tường, mái) bằng vật liệu không bền chắc, ` +
    `cần ít nhất ${rules.minNonDurableStructures}`;
  let area: string;
  if (h.area === undefined || h.area === null || !Number.isFinite(h.area)) {
    area = 'chưa có số liệu diện tích để xét theo tiêu chí diện tích';
  } else if (h.members === 1) {
    area =
      `diện tích ${formatArea(h.area)} m² cho 1 người ` +
      `không nhỏ hơn ${formatArea(rules.singlePersonMinArea)} m²`;
  } else if (h.members >= 2) {
    area =
      `diện tích ${formatArea(h.area)} m² cho ${h.members} người ` +
      `(${formatArea(h.area / h.members)} m²/người) chưa đồng thời dưới ${formatArea(rules.familyMinArea)} m² ` +
      `và dưới ${formatArea(rules.minAreaPerPerson)} m²/người`;
  } else {
    area = 'chưa có số nhân khẩu hợp lệ để xét theo tiêu chí diện tích';
  }
  return `Nhà chưa thuộc diện nhà tạm, nhà dột nát: ${structures}; ${area}.`;
}

/**
 * Applies a campaign's rules to one household.
 *
 * Contract: `temporaryHouse` is true when at least `minNonDurableStructures` of the 3 structures
 * are non-durable (reason 'structures') and/or the area is too small for the number of members
 * (reason 'area'; unknown area never meets it). A household with no house at all (`noHouse`) is
 * its own case: reason 'no_house' unless the rules set `noHouseCase: false`, then problem
 * 'no_house'. `eligible` is true exactly when the house is temporary (or the no-house case holds), every required land and confirmation condition holds, and the category is in
 * `eligibleCategories`; otherwise `problems` lists every unmet condition (in a fixed order, each
 * with a Vietnamese message), so the official sees everything to fix at once. Categories are named
 * by `categoryLabel` (the campaign's labels; the built-in ones by default).
 * Pure and total: any input yields a result, nothing throws.
 */
export function assessEligibility(
  h: EligibilityFacts,
  rules: EligibilityRules = DEFAULT_ELIGIBILITY_RULES,
  categoryLabel: (code: string) => string = defaultCategoryLabel,
): EligibilityResult {
  const reasons: TemporaryReason[] = [];
  const problems: EligibilityProblem[] = [];
  const nonDurable = countNonDurable(h);
  if (h.noHouse === true) {
    if (rules.noHouseCase === false) {
      problems.push({
        code: 'no_house',
        message: 'Hộ chưa có nhà ở: đợt vận động này không hỗ trợ trường hợp chưa có nhà ở.',
      });
    } else {
      reasons.push('no_house');
    }
  } else {
    if (nonDurable >= rules.minNonDurableStructures) {
      reasons.push('structures');
    }
    if (tooSmall(h.area, h.members, rules)) {
      reasons.push('area');
    }
    if (reasons.length === 0) {
      problems.push({ code: 'not_temporary', message: notTemporaryMessage(h, nonDurable, rules) });
    }
  }
  const temporaryHouse = reasons.length > 0;

  if (rules.requireLegalLand && !h.landLegal) {
    problems.push({
      code: 'land_not_legal',
      message: 'Nhà chưa ở trên đất ở hợp pháp (chưa có giấy tờ hoặc xác nhận về quyền sử dụng đất ở).',
    });
  }
  if (rules.requireUndisputedLand && !h.landUndisputed) {
    problems.push({ code: 'land_disputed', message: 'Đất ở của hộ đang có tranh chấp.' });
  }
  if (rules.requireOutsideLandslideZone && !h.outsideLandslideZone) {
    problems.push({
      code: 'landslide_zone',
      message: 'Nhà nằm trong vùng có nguy cơ sạt lở, không hỗ trợ xây dựng hoặc sửa chữa tại chỗ.',
    });
  }
  if (rules.requireCommuneConfirmation && !h.confirmedByCommune) {
    problems.push({
      code: 'not_confirmed',
      message:
        rules.confirmation === undefined
          ? 'Hộ chưa được UBND xã, phường xác nhận đủ điều kiện hỗ trợ.'
          : `Hộ chưa có xác nhận: ${rules.confirmation}.`,
    });
  }
  if (!rules.eligibleCategories.includes(h.category)) {
    const allowed = rules.eligibleCategories.map(categoryLabel).join(', ');
    problems.push({
      code: 'category',
      message:
        `Diện “${categoryLabel(h.category)}” không thuộc đối tượng hỗ trợ của đợt vận động` +
        (allowed === '' ? '.' : ` (chỉ hỗ trợ: ${allowed}).`),
    });
  }
  return { eligible: problems.length === 0, temporaryHouse, reasons, problems };
}
