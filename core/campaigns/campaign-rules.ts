/**
 * What a campaign's definition says about households and money, as the bot applies it at runtime
 * (issue 15 §1): the eligibility rules, the household categories and their labels, the poverty
 * standard and the support norm in force on a day, and the bank account of each fund level.
 *
 * A campaign from before definitions stores '{}': it gets the national defaults (Decision
 * 55/QĐ-BXD, Directive 42/CT-TTg groups) and the norm of its row (Campaign.normNewBuild/normRepair),
 * so an old database behaves as it did.
 *
 * Parsing a definition (JSON + zod) costs far more than a query, so the parsed rules are kept per
 * definition text: a flow step that reads them again only pays for reading the column.
 */

import type { Tx } from '../unit-of-work.ts';
import type { Campaign } from './campaign.ts';
import {
  type CampaignDefinition,
  DEFAULT_CATEGORIES,
  definitionFromJson,
  normOn as definitionNormOn,
  type FundAccount,
} from './definition.ts';
import {
  DEFAULT_ELIGIBILITY_RULES,
  type DocumentSettings,
  defaultCategoryLabel,
  type EligibilityRules,
  type Transparency,
  ZDocumentSettings,
  ZTransparency,
} from './sections.ts';

/** A household category of the campaign. */
export interface CampaignCategory {
  code: string;
  label: string;
  /** Whether households of this category may be supported (the rules' eligible categories). */
  supported: boolean;
}

/** The eligibility rules of a campaign, with the two parts the definition adds. */
export interface CampaignEligibility extends EligibilityRules {
  /** A household with no house at all ("chưa có nhà ở") qualifies as its own case. */
  noHouseCase: boolean;
  /** What the commune confirms, as the plan words it. */
  confirmation: string;
}

export interface PovertyStandard {
  reference: string;
  from: string;
  to?: string;
}

/** Support per house by need (the ledger's `Norms`). */
export interface SupportNorms {
  new_build: bigint;
  repair: bigint;
}

export interface CampaignRules {
  /** True when the campaign has a stored definition; false: national defaults and the row's norm. */
  defined: boolean;
  eligibility: CampaignEligibility;
  /** The campaign's categories, in the definition's order. */
  categories: readonly CampaignCategory[];
  /** The category with this code, or undefined when the campaign has none such. */
  category(code: string): CampaignCategory | undefined;
  /** The label officials read for a category code; the code itself when the campaign has none such. */
  categoryLabel(code: string): string;
  /** The poverty standard in force on `day` (YYYY-MM-DD), if the definition names one. */
  povertyStandardOn(day: string): PovertyStandard | undefined;
  /** The support norm in force on `day` (YYYY-MM-DD). */
  normOn(day: string): SupportNorms;
  /** The bank accounts of the fund levels the definition gives, in its order. */
  fundAccounts: readonly FundAccount[];
  /** The bank account of the fund of the level with this unit code, if the definition gives one. */
  fundAccount(unitCode: string): FundAccount | undefined;
  /** How the committee's documents are presented (defaults filled in; see core/documents). */
  documents: DocumentSettings;
  /** What the public summary discloses beyond totals. */
  transparency: Transparency;
}

const DEFAULT_DOCUMENTS: DocumentSettings = ZDocumentSettings.parse({});
const DEFAULT_TRANSPARENCY: Transparency = ZTransparency.parse({});

/** The parts that depend on the definition text only (the cached part). */
interface ParsedRules {
  definition: CampaignDefinition | undefined;
  eligibility: CampaignEligibility;
  categories: readonly CampaignCategory[];
  byCode: ReadonlyMap<string, CampaignCategory>;
}

const DEFAULT_NO_HOUSE_CASE = true;
const DEFAULT_CONFIRMATION = 'UBND cấp xã, phường xác nhận đủ điều kiện xây dựng nhà ở';

function parsedRules(definition: CampaignDefinition | undefined): ParsedRules {
  const categories: CampaignCategory[] = (definition?.categories ?? DEFAULT_CATEGORIES).map((c) => ({
    code: c.code,
    label: c.label,
    supported: c.supported,
  }));
  const { noHouseCase, confirmation, ...overrides } = definition?.eligibility ?? {};
  const eligibility: CampaignEligibility = {
    ...DEFAULT_ELIGIBILITY_RULES,
    // A definition that lists its categories supports those marked so, unless its eligibility
    // section names the eligible ones itself.
    ...(definition ? { eligibleCategories: categories.filter((c) => c.supported).map((c) => c.code) } : {}),
    ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
    noHouseCase: noHouseCase ?? DEFAULT_NO_HOUSE_CASE,
    confirmation: confirmation ?? DEFAULT_CONFIRMATION,
  };
  return { definition, eligibility, categories, byCode: new Map(categories.map((c) => [c.code, c])) };
}

/** Parsed definitions by their JSON text; a few campaigns run at once, so a small bound suffices. */
const cache = new Map<string, ParsedRules>();
const CACHE_LIMIT = 64;

function parsedFromJson(json: string): ParsedRules {
  let parsed = cache.get(json);
  if (parsed === undefined) {
    const trimmed = json.trim();
    parsed = parsedRules(trimmed === '' || trimmed === '{}' ? undefined : definitionFromJson(json));
    if (cache.size >= CACHE_LIMIT) {
      cache.delete(cache.keys().next().value as string);
    }
    cache.set(json, parsed);
  }
  return parsed;
}

/** The campaign row's part: the norm of a campaign from before definitions. */
export type RulesCampaign = Pick<Campaign, 'normNewBuild' | 'normRepair'>;

/**
 * The rules of a campaign from its row and its stored definition JSON ('{}': national defaults).
 * Throws a ZodError when the stored definition is corrupt (it was validated when written).
 */
export function rulesOf(campaign: RulesCampaign, definitionJson: string): CampaignRules {
  const { definition, eligibility, categories, byCode } = parsedFromJson(definitionJson);
  const rowNorms: SupportNorms = { new_build: campaign.normNewBuild, repair: campaign.normRepair };
  return {
    defined: definition !== undefined,
    eligibility,
    categories,
    category: (code) => byCode.get(code),
    categoryLabel: (code) => byCode.get(code)?.label ?? defaultCategoryLabel(code),
    povertyStandardOn(day) {
      return definition?.povertyStandards.findLast(
        (s) => s.from <= day && (s.to === undefined || day <= s.to),
      );
    },
    normOn(day) {
      const norm = definition === undefined ? undefined : definitionNormOn(definition.norms, day);
      return norm === undefined ? rowNorms : { new_build: norm.newBuild, repair: norm.repair };
    },
    fundAccounts: definition?.funds ?? [],
    fundAccount: (unitCode) => definition?.funds.find((f) => f.unit === unitCode),
    // A definition stored before issue 16 has neither section: the defaults.
    documents: definition?.documents ?? DEFAULT_DOCUMENTS,
    transparency: definition?.transparency ?? DEFAULT_TRANSPARENCY,
  };
}

/** The rules of a campaign (or of the campaign with this id), read inside the caller's transaction. */
export async function campaignRules(tx: Tx, campaign: Campaign | number): Promise<CampaignRules> {
  const row = typeof campaign === 'number' ? await tx.campaigns.findById(campaign) : campaign;
  if (row === undefined) {
    throw new Error(`campaignRules: no campaign ${String(campaign)}`);
  }
  return rulesOf(row, await tx.campaigns.definition(row.id));
}

/** "Hộ nghèo, Hộ cận nghèo, …": the campaign's categories as a Vietnamese list. */
export function categoryList(rules: CampaignRules): string {
  return rules.categories.map((c) => c.label).join(', ');
}
