import { membershipsFor } from '../access/access.ts';
import type { FieldValue, FlowData, FlowDef, StepDef } from '../flows/flow.ts';
import type { FlowRunner } from '../flows/flow-runner.ts';
import type { MessageKey } from '../messaging/catalog.ts';
import { dateInZone } from '../shared/calendar.ts';
import { householdNameKey } from './duplicate-keys.ts';
import { findLikelyDuplicates } from './duplicates.ts';
import { assessEligibility } from './eligibility.ts';
import {
  HOUSEHOLD_CATEGORIES,
  HOUSEHOLD_CATEGORY_LABELS,
  HOUSEHOLD_NEED_LABELS,
  HOUSEHOLD_NEEDS,
  householdInputSchema,
  MAX_MEMBERS,
} from './household.ts';

interface Duplicate {
  id: number;
  text: string;
}

interface AddContext {
  campaignId: number;
  unitId: number;
  unitName: string;
  year: number;
  /** Likely duplicates found when the answers were complete; the officer must say it is another household. */
  duplicates: Duplicate[];
}

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
      const result = assessEligibility(facts);
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
        /^[A-Za-z0-9._/-]+$/.test(String(value)) ? undefined : { key: 'household.rule.code' },
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
      choices: () => HOUSEHOLD_CATEGORIES.map((c) => ({ id: c, label: HOUSEHOLD_CATEGORY_LABELS[c] })),
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

function toInput(ctx: AddContext, data: FlowData) {
  const parsed = householdInputSchema({ year: ctx.year }).safeParse({
    code: data.code,
    village: data.village,
    headName: data.headName,
    birthYear: data.birthYear,
    category: data.category,
    need: data.need,
    foundationDurable: data.foundationDurable,
    frameDurable: data.frameDurable,
    roofDurable: data.roofDurable,
    area: data.area,
    members: data.members,
    landLegal: data.landLegal,
    landUndisputed: data.landUndisputed,
    outsideLandslideZone: data.outsideLandslideZone,
    confirmedByCommune: data.confirmedByCommune,
  });
  return parsed.success ? parsed.data : undefined;
}

/** Adds a household found by the officer, after checking it is not already in the campaign. */
export const householdAddRunner: FlowRunner<AddContext> = {
  def: addFlow,
  parseContext(raw) {
    const c = raw as Partial<AddContext> | null;
    return c &&
      typeof c.campaignId === 'number' &&
      typeof c.unitId === 'number' &&
      typeof c.unitName === 'string' &&
      typeof c.year === 'number' &&
      Array.isArray(c.duplicates)
      ? (c as AddContext)
      : undefined;
  },
  async start(tx, actor, now) {
    const unit = membershipsFor(actor, 'household.add')[0];
    const campaign = await tx.campaigns.findCurrent();
    if (!unit || !campaign) {
      return { ok: false, reason: { key: 'household.refused.not_officer' } };
    }
    return {
      ok: true,
      ctx: {
        campaignId: campaign.id,
        unitId: unit.unitId,
        unitName: unit.unitName,
        year: dateInZone(now, campaign.timeZone).year,
        duplicates: [],
      },
    };
  },
  async beforeSummary(tx, _actor, state) {
    const ctx = state.ctx as AddContext;
    const name = String(state.data.headName ?? '');
    const candidates = await tx.households.duplicateCandidates(ctx.campaignId, householdNameKey(name));
    const matches = findLikelyDuplicates(
      {
        code: String(state.data.code ?? ''),
        unitId: ctx.unitId,
        village: String(state.data.village ?? ''),
        headName: name,
        birthYear: typeof state.data.birthYear === 'number' ? state.data.birthYear : null,
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
  async submit(tx, actor, state, now, inbound) {
    const ctx = state.ctx as AddContext;
    const input = toInput(ctx, state.data);
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
};
