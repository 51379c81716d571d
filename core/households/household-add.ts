import { z } from 'zod';
import { membershipsFor } from '../access/access.ts';
import type { Campaign } from '../campaigns/campaign.ts';
import { addressOf, campaignOfUnit, closedRefusal } from '../campaigns/campaign-of.ts';
import { campaignRules } from '../campaigns/campaign-rules.ts';
import { integerAnswer, textAnswer } from '../flows/answers.ts';
import type { FieldValue, FlowData, FlowDef, StepDef } from '../flows/flow.ts';
import { defineFlow } from '../flows/flow-runner.ts';
import type { MessageKey } from '../messaging/catalog.ts';
import { dateInZone } from '../shared/calendar.ts';
import type { Tx } from '../unit-of-work.ts';
import { householdNameKey } from './duplicate-keys.ts';
import { findLikelyDuplicates } from './duplicates.ts';
import { assessEligibility, DEFAULT_ELIGIBILITY_RULES, ZEligibilityRules } from './eligibility.ts';
import {
  DEFAULT_CATEGORY_CHOICES,
  HOUSEHOLD_NEED_LABELS,
  HOUSEHOLD_NEEDS,
  householdInputSchema,
  MAX_MEMBERS,
} from './household.ts';

const ZAddContext = z.object({
  campaignId: z.number(),
  unitId: z.number(),
  unitName: z.string(),
  year: z.number(),
  /** Likely duplicates found when the answers were complete; the officer must say it is another household. */
  duplicates: z.array(z.object({ id: z.number(), text: z.string() })),
  /**
   * The campaign's categories and eligibility rules (its definition), read at the start; absent in
   * a conversation saved before they were kept here: the built-in ones then.
   */
  categories: z
    .array(z.object({ code: z.string(), label: z.string() }))
    .min(1)
    .optional(),
  rules: ZEligibilityRules.optional(),
});
type AddContext = z.infer<typeof ZAddContext>;

/** The answers as the steps store them; the household rules (household.ts) are checked on submit. */
const ZAddAnswers = z.object({
  code: z.string(),
  village: z.string(),
  headName: z.string(),
  birthYear: z.number(),
  category: z.string(),
  need: z.enum(HOUSEHOLD_NEEDS),
  foundationDurable: z.boolean(),
  frameDurable: z.boolean(),
  roofDurable: z.boolean(),
  area: z.number(),
  members: z.number(),
  landLegal: z.boolean(),
  landUndisputed: z.boolean(),
  outsideLandslideZone: z.boolean(),
  confirmedByCommune: z.boolean(),
  confirmDifferent: z.boolean().optional(),
});
type AddAnswers = z.infer<typeof ZAddAnswers>;

function yesNo(key: string, label: MessageKey, prompt: MessageKey): StepDef<AddContext> {
  return { key, kind: 'yesno', label, prompt: () => ({ key: prompt }) };
}

const addFlow: FlowDef<AddContext> = {
  id: 'household-add',
  version: 1,
  title: 'household.add.title',
  summaryHeader: (ctx, data) => {
    const lines: ReturnType<FlowDef<AddContext>['summaryHeader']> = [
      { key: 'report.summary.unit', params: { unit: ctx.unitName } },
    ];
    const facts = toInput(ctx, data);
    if (facts) {
      const result = assessEligibility(facts, ctx.rules ?? DEFAULT_ELIGIBILITY_RULES, (code) =>
        labelOf(ctx, code),
      );
      lines.push(
        result.eligible
          ? { key: 'household.eligible' }
          : {
              key: 'household.add.not_eligible',
              params: { why: result.problems.map((p) => p.message).join(' ') },
            },
      );
    }
    return lines;
  },
  steps: [
    {
      key: 'code',
      kind: 'text',
      label: 'household.field.code',
      prompt: () => ({ key: 'household.ask.code' }),
      maxLength: 30,
      check: (value) =>
        /^[A-Za-z0-9._/-]+$/.test(textAnswer(value) ?? '') ? undefined : { key: 'household.rule.code' },
    },
    {
      key: 'village',
      kind: 'text',
      label: 'household.field.village',
      prompt: () => ({ key: 'household.ask.village' }),
      maxLength: 100,
    },
    {
      key: 'headName',
      kind: 'text',
      label: 'household.field.headName',
      prompt: () => ({ key: 'household.ask.headName' }),
      maxLength: 100,
    },
    {
      key: 'birthYear',
      kind: 'integer',
      label: 'household.field.birthYear',
      prompt: () => ({ key: 'household.ask.birthYear' }),
      min: 1900,
      max: 2100,
    },
    {
      key: 'category',
      kind: 'choice',
      label: 'household.field.category',
      prompt: () => ({ key: 'household.ask.category' }),
      choices: (ctx) => categoriesOf(ctx).map((c) => ({ id: c.code, label: c.label })),
    },
    {
      key: 'need',
      kind: 'choice',
      label: 'household.field.need',
      prompt: () => ({ key: 'household.ask.need' }),
      choices: () => HOUSEHOLD_NEEDS.map((n) => ({ id: n, label: HOUSEHOLD_NEED_LABELS[n] })),
    },
    yesNo('foundationDurable', 'household.field.foundation', 'household.ask.foundation'),
    yesNo('frameDurable', 'household.field.frame', 'household.ask.frame'),
    yesNo('roofDurable', 'household.field.roof', 'household.ask.roof'),
    {
      key: 'area',
      kind: 'integer',
      label: 'household.field.area',
      prompt: () => ({ key: 'household.ask.area' }),
      min: 1,
      max: 1000,
    },
    {
      key: 'members',
      kind: 'integer',
      label: 'household.field.members',
      prompt: () => ({ key: 'household.ask.members' }),
      min: 1,
      max: MAX_MEMBERS,
    },
    yesNo('landLegal', 'household.field.landLegal', 'household.ask.landLegal'),
    yesNo('landUndisputed', 'household.field.landUndisputed', 'household.ask.landUndisputed'),
    yesNo('outsideLandslideZone', 'household.field.outsideLandslide', 'household.ask.outsideLandslide'),
    yesNo('confirmedByCommune', 'household.field.confirmed', 'household.ask.confirmed'),
    {
      key: 'confirmDifferent',
      kind: 'yesno',
      label: 'household.field.confirmDifferent',
      prompt: (ctx) => ({
        key: 'household.ask.confirmDifferent',
        params: { list: ctx.duplicates.map((d) => d.text).join('\n') },
      }),
      when: (ctx) => ctx.duplicates.length > 0,
      check: (value: FieldValue) => (value === true ? undefined : { key: 'household.rule.same_household' }),
    },
  ],
};

/** What the flow keeps of the campaign's definition: its categories and eligibility rules. */
async function campaignContext(
  tx: Tx,
  campaign: Campaign,
): Promise<Pick<AddContext, 'categories' | 'rules'>> {
  const rules = await campaignRules(tx, campaign);
  return {
    categories: rules.categories.map((c) => ({ code: c.code, label: c.label })),
    rules: ZEligibilityRules.parse(rules.eligibility),
  };
}

function categoriesOf(ctx: AddContext) {
  return ctx.categories ?? DEFAULT_CATEGORY_CHOICES;
}

function labelOf(ctx: AddContext, code: string): string {
  return categoriesOf(ctx).find((c) => c.code === code)?.label ?? code;
}

/** The household the answers describe, by the household rules; undefined while incomplete or invalid. */
function toInput(ctx: AddContext, data: FlowData | AddAnswers) {
  // Unknown keys (confirmDifferent) are dropped by the schema.
  const parsed = householdInputSchema({ year: ctx.year, categories: categoriesOf(ctx) }).safeParse(data);
  return parsed.success ? parsed.data : undefined;
}

/** Adds a household found by the officer, after checking it is not already in the campaign. */
export const householdAddRunner = defineFlow({
  def: addFlow,
  context: ZAddContext,
  answers: ZAddAnswers,
  async start(tx, actor, now) {
    const unit = membershipsFor(actor, 'household.add')[0];
    // The campaign covering the officer's ward; a closed one registers no household.
    const campaign = unit && (await campaignOfUnit(tx, unit.unitId, now));
    if (!unit || !campaign) {
      return { ok: false, reason: { key: 'household.refused.not_officer' } };
    }
    const closed = await closedRefusal(tx, campaign, 'household', now, addressOf(campaign));
    if (closed) {
      return { ok: false, reason: closed };
    }
    return {
      ok: true,
      ctx: {
        campaignId: campaign.id,
        unitId: unit.unitId,
        unitName: unit.unitName,
        year: dateInZone(now, campaign.timeZone).year,
        duplicates: [],
        ...(await campaignContext(tx, campaign)),
      },
    };
  },
  async beforeSummary(tx, _actor, state) {
    const { ctx } = state;
    const name = textAnswer(state.data.headName) ?? '';
    const candidates = await tx.households.duplicateCandidates(ctx.campaignId, householdNameKey(name));
    const matches = findLikelyDuplicates(
      {
        code: textAnswer(state.data.code) ?? '',
        unitId: ctx.unitId,
        village: textAnswer(state.data.village) ?? '',
        headName: name,
        birthYear: integerAnswer(state.data.birthYear) ?? null,
      },
      candidates,
    );
    const duplicates = matches
      .filter((m) => m.level !== 'possible')
      .slice(0, 3)
      .map((m) => ({
        id: m.household.id,
        text: `• ${m.household.headName} (mã ${m.household.code}, ${m.household.village}): ${m.reasons.join(', ')}`,
      }));
    const same = duplicates.map((d) => d.id).join(',') === ctx.duplicates.map((d) => d.id).join(',');
    // A confirmation was about the households then shown; other matches need a new answer.
    const data = { ...state.data };
    if (!same) {
      delete data.confirmDifferent;
    }
    return { ctx: { ...ctx, duplicates }, data };
  },
  async submit(tx, actor, { ctx, answers }, now, inbound) {
    const input = toInput(ctx, answers);
    if (!input) {
      return [{ key: 'household.add.invalid' }];
    }
    if (await tx.households.codeExists(ctx.campaignId, input.code)) {
      return [{ key: 'household.add.code_taken', params: { code: input.code } }];
    }
    const id = await tx.households.create(
      { ...input, campaignId: ctx.campaignId, unitId: ctx.unitId },
      now,
      actor.personId,
      inbound.channel,
      ctx.rules,
    );
    await tx.audit.record(
      {
        personId: actor.personId,
        channel: inbound.channel,
        action: 'household.create',
        entity: 'Household',
        entityId: String(id),
        after: {
          code: input.code,
          unitId: ctx.unitId,
          confirmedDifferentFrom: ctx.duplicates.map((d) => d.id),
        },
      },
      now,
    );
    return [{ key: 'household.add.done', params: { name: input.headName, code: input.code } }];
  },
});
