import { z } from 'zod';
import { membershipsFor } from '../access/access.ts';
import type { Campaign } from '../campaigns/campaign.ts';
import { addressOf, campaignOfUnit, closedRefusal } from '../campaigns/campaign-of.ts';
import { campaignRules } from '../campaigns/campaign-rules.ts';
import { integerAnswer, textAnswer } from '../flows/answers.ts';
import type { FlowData, FlowDef, StepDef, Text } from '../flows/flow.ts';
import { defineFlow } from '../flows/flow-runner.ts';
import { type MessageKey, t } from '../messaging/catalog.ts';
import { code as monospace } from '../messaging/markup.ts';
import type { Choice } from '../messaging/message.ts';
import { dateInZone } from '../shared/calendar.ts';
import { normalizeVi, parseInteger, parseYesNo } from '../shared/parse.ts';
import type { Tx } from '../unit-of-work.ts';
import { formatArea, parseArea } from './area.ts';
import { householdNameKey } from './duplicate-keys.ts';
import { findLikelyDuplicates } from './duplicates.ts';
import { assessEligibility, DEFAULT_ELIGIBILITY_RULES, ZEligibilityRules } from './eligibility.ts';
import {
  DEFAULT_CATEGORY_CHOICES,
  HOUSEHOLD_NEED_LABELS,
  HOUSEHOLD_NEEDS,
  householdInputSchema,
  isHouseholdNeed,
  MAX_MEMBERS,
} from './household.ts';
import { followingCode, nextHouseholdCode } from './household-code.ts';
import { withCard } from './household-flows.ts';

/** How many codes after the unit's last one are tried before giving up (others took them meanwhile). */
const MAX_CODE_TRIES = 1000;

const ZDuplicate = z.object({
  id: z.number(),
  /** The line of the warning: who, where, and why it may be the same household. */
  text: z.string(),
  /** How the household is named when the officer says it is the same one. */
  name: z.string().default(''),
});

const ZAddContext = z.object({
  campaignId: z.number(),
  unitId: z.number(),
  unitName: z.string(),
  year: z.number(),
  /** Likely duplicates of the name, village and birth year typed; the officer says whether it is one of them. */
  duplicates: z.array(ZDuplicate),
  /** The name, village and birth year (and code) the duplicates were looked up for. */
  checkedFor: z.string().default(''),
  /** A code typed that another household already has: asked again with it named. */
  takenCode: z.string().optional(),
  /** The code the bot would give a household without one (shown in the summary; checked again on saving). */
  nextCode: z.string().default(''),
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

/** The answers as the steps store them; '' as the code asks the bot for the next one of the unit. */
const ZHouseholdAnswers = z.object({
  sameHousehold: z.literal(false).optional(),
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
  landDisputed: z.boolean(),
  inLandslideZone: z.boolean(),
  confirmedByCommune: z.boolean(),
});
/** The officer said the household is one already listed: the flow ends there. */
const ZSameHousehold = z.object({ sameHousehold: z.literal(true) });
const ZAddAnswers = z.union([ZSameHousehold, ZHouseholdAnswers]);

/**
 * A yes/no question with answers that say what they mean ("Có tranh chấp" / "Không tranh chấp"):
 * the first button is "có", the second "không", typed or pressed; "rồi" and "chưa" answer too.
 */
function yesNo(
  key: string,
  label: MessageKey,
  prompt: MessageKey,
  answers: [yes: MessageKey, no: MessageKey],
): StepDef<AddContext> {
  const [yes, no] = answers;
  return {
    key,
    kind: 'yesno',
    label,
    prompt: () => ({ key: prompt }),
    hint: 'household.hint.yes_no',
    // The buttons' labels are Vietnamese and English alike in the catalog; the engine renders them.
    choices: () => [
      { id: 'yes', label: t('vi', yes) },
      { id: 'no', label: t('vi', no) },
    ],
    parse: (text) => {
      const word = normalizeVi(text.replace(/[^\p{L}\p{N}\p{M}\s]/gu, ' '));
      if (['roi', 'da roi', 'co roi'].includes(word)) {
        return { ok: true, value: true };
      }
      if (['chua', 'chua co', 'van chua'].includes(word)) {
        return { ok: true, value: false };
      }
      const r = parseYesNo(text);
      return r.ok ? r : { ok: false, problem: { key: 'household.rule.yes_no' } };
    },
    display: (value, _ctx, locale) => t(locale, value === true ? yes : no),
  };
}

/** A field the household rules (household.ts) check: their message, at the question itself. */
function ruleOf(
  field: keyof ReturnType<typeof schemaOf>['shape'],
  ctx: AddContext,
  value: unknown,
): Text | undefined {
  const r = schemaOf(ctx).shape[field].safeParse(value);
  return r.success
    ? undefined
    : { key: 'household.rule.field', params: { message: r.error.issues[0]?.message ?? '' } };
}

function schemaOf(ctx: AddContext) {
  return householdInputSchema({ year: ctx.year, categories: categoriesOf(ctx) });
}

/** Typed words for "no code yet": the button's label, "chưa có", "không có", "cấp mã mới". */
const NO_CODE_WORDS = [
  'chua co',
  'chua co ma',
  'khong co',
  'khong co ma',
  'chua',
  'cap ma moi',
  'bot cap ma moi',
];

const DURABLE: [MessageKey, MessageKey] = ['household.answer.durable', 'household.answer.not_durable'];

const addFlow: FlowDef<AddContext> = {
  id: 'household-add',
  version: 2,
  title: 'household.add.title',
  numbered: true,
  summaryHeader: (ctx, data) => {
    const lines: Text[] = [{ key: 'report.summary.unit', params: { unit: ctx.unitName } }];
    const outcome = outcomeOf(ctx, data);
    if (outcome) {
      lines.push(outcome);
    }
    return lines;
  },
  steps: [
    {
      key: 'code',
      kind: 'text',
      label: 'household.field.code',
      prompt: (ctx) =>
        ctx.takenCode
          ? { key: 'household.ask.code_taken', params: { code: ctx.takenCode } }
          : { key: 'household.ask.code' },
      hint: 'household.hint.code',
      choices: (): Choice[] => [{ id: '', label: t('vi', 'household.answer.no_code') }],
      parse: (text, ctx) => {
        const word = normalizeVi(text.replace(/[—–-]/g, ' ')).replace(/\s+/g, ' ');
        if (
          NO_CODE_WORDS.includes(word) ||
          word === normalizeVi(t('vi', 'household.answer.no_code').replace(/[—–-]/g, ' '))
        ) {
          return { ok: true, value: '' };
        }
        const problem = ruleOf('code', ctx, text);
        return problem ? { ok: false, problem } : { ok: true, value: text.trim() };
      },
      display: (value, ctx, locale) =>
        value === '' ? t(locale, 'household.answer.new_code', { code: ctx.nextCode }) : String(value),
    },
    {
      key: 'village',
      kind: 'text',
      label: 'household.field.village',
      prompt: () => ({ key: 'household.ask.village' }),
      maxLength: 100,
      check: (value, _data, ctx) => ruleOf('village', ctx, value),
    },
    {
      key: 'headName',
      kind: 'text',
      label: 'household.field.headName',
      prompt: () => ({ key: 'household.ask.headName' }),
      maxLength: 100,
      check: (value, _data, ctx) => ruleOf('headName', ctx, value),
    },
    {
      key: 'birthYear',
      kind: 'integer',
      label: 'household.field.birthYear',
      prompt: () => ({ key: 'household.ask.birthYear' }),
      hint: 'household.hint.birthYear',
      parse: (text, ctx) => {
        const r = parseInteger(text, { min: 0, max: 9999 });
        const problem = ruleOf('birthYear', ctx, r.ok ? r.value : text);
        return problem || !r.ok ? { ok: false, problem: problem ?? { key: 'household.hint.birthYear' } } : r;
      },
      // A year is never grouped: 1956, not 1.956.
      display: (value) => String(value),
    },
    // Asked as soon as the name, village and birth year are known (afterAnswer), not at the end.
    {
      ...yesNo('sameHousehold', 'household.field.sameHousehold', 'household.ask.sameHousehold', [
        'household.answer.same',
        'household.answer.different',
      ]),
      aside: true,
      prompt: (ctx) => ({
        key: 'household.ask.sameHousehold',
        params: { list: ctx.duplicates.map((d) => d.text).join('\n') },
      }),
      when: (ctx) => ctx.duplicates.length > 0,
      // "Có": the same household; nothing more to ask.
      ends: (value) => value === true,
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
    yesNo('foundationDurable', 'household.field.foundation', 'household.ask.foundation', DURABLE),
    yesNo('frameDurable', 'household.field.frame', 'household.ask.frame', DURABLE),
    yesNo('roofDurable', 'household.field.roof', 'household.ask.roof', DURABLE),
    {
      key: 'area',
      kind: 'integer',
      label: 'household.field.area',
      prompt: () => ({ key: 'household.ask.area' }),
      hint: 'household.hint.area',
      parse: (text, ctx) => {
        const area = parseArea(text);
        const problem = ruleOf('area', ctx, area ?? text);
        return problem || area === undefined
          ? { ok: false, problem: problem ?? { key: 'household.hint.area' } }
          : { ok: true, value: area };
      },
      display: (value) => (typeof value === 'number' ? formatArea(value) : String(value)),
    },
    {
      key: 'members',
      kind: 'integer',
      label: 'household.field.members',
      prompt: () => ({ key: 'household.ask.members' }),
      min: 1,
      max: MAX_MEMBERS,
    },
    yesNo('landLegal', 'household.field.landLegal', 'household.ask.landLegal', [
      'household.answer.legal',
      'household.answer.not_legal',
    ]),
    // Asked positively: "có" is "there is a dispute" (the household is then not eligible).
    yesNo('landDisputed', 'household.field.landDisputed', 'household.ask.landDisputed', [
      'household.answer.disputed',
      'household.answer.undisputed',
    ]),
    yesNo('inLandslideZone', 'household.field.landslide', 'household.ask.landslide', [
      'household.answer.in_landslide',
      'household.answer.outside_landslide',
    ]),
    yesNo('confirmedByCommune', 'household.field.confirmed', 'household.ask.confirmed', [
      'household.answer.confirmed',
      'household.answer.not_confirmed',
    ]),
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

/** The household facts of the answers: the questions asked positively turned into the rules' terms. */
function factsOf(data: FlowData, code: string): Record<string, unknown> {
  const { landDisputed, inLandslideZone, sameHousehold: _same, ...rest } = data;
  return {
    ...rest,
    code,
    ...(typeof landDisputed === 'boolean' ? { landUndisputed: !landDisputed } : {}),
    ...(typeof inLandslideZone === 'boolean' ? { outsideLandslideZone: !inLandslideZone } : {}),
  };
}

/** The household the answers describe, by the household rules; undefined while incomplete or invalid. */
function toInput(ctx: AddContext, data: FlowData, code: string) {
  return schemaOf(ctx).safeParse(factsOf(data, code));
}

/** "Kết luận: …" at the summary: eligible for which support, or every reason it is not. */
function outcomeOf(ctx: AddContext, data: FlowData): Text | undefined {
  const parsed = toInput(ctx, data, textAnswer(data.code) || ctx.nextCode || 'X');
  if (!parsed.success) {
    return undefined;
  }
  const facts = parsed.data;
  const result = assessEligibility(facts, ctx.rules ?? DEFAULT_ELIGIBILITY_RULES, (code) =>
    labelOf(ctx, code),
  );
  if (result.eligible) {
    const need = isHouseholdNeed(facts.need) ? HOUSEHOLD_NEED_LABELS[facts.need].toLowerCase() : facts.need;
    return { key: 'household.add.outcome.eligible', params: { need } };
  }
  const why = result.problems.map((p) => lowerFirst(p.message.replace(/\.$/, ''))).join('; ');
  return { key: 'household.add.outcome.not_eligible', params: { why } };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** What the duplicate look-up depends on; it runs again only when one of these changes. */
function lookupKey(data: FlowData): string | undefined {
  const name = textAnswer(data.headName);
  const village = textAnswer(data.village);
  const year = integerAnswer(data.birthYear);
  return name === undefined || village === undefined || year === undefined
    ? undefined
    : JSON.stringify([name, village, year, textAnswer(data.code) ?? '']);
}

async function findDuplicates(tx: Tx, ctx: AddContext, data: FlowData): Promise<AddContext['duplicates']> {
  const name = textAnswer(data.headName) ?? '';
  const candidates = await tx.households.duplicateCandidates(ctx.campaignId, householdNameKey(name));
  const matches = findLikelyDuplicates(
    {
      code: textAnswer(data.code) ?? '',
      unitId: ctx.unitId,
      village: textAnswer(data.village) ?? '',
      headName: name,
      birthYear: integerAnswer(data.birthYear) ?? null,
    },
    candidates,
  );
  return matches
    .filter((m) => m.level !== 'possible')
    .slice(0, 3)
    .map((m) => {
      const h = m.household;
      const named = `${h.headName} (mã ${h.code}, ${h.village})`;
      return { id: h.id, name: named, text: `• ${named}: ${m.reasons.join(', ')}` };
    });
}

/** The unit's next code, not yet taken in the campaign. */
async function freeCode(tx: Tx, ctx: AddContext): Promise<string | undefined> {
  let code = nextHouseholdCode(await tx.households.codesOf(ctx.campaignId, ctx.unitId), ctx.unitName);
  for (let i = 0; i < MAX_CODE_TRIES; i++) {
    if (!(await tx.households.codeExists(ctx.campaignId, code))) {
      return code;
    }
    code = followingCode(code);
  }
  return undefined;
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
    const ctx: AddContext = {
      campaignId: campaign.id,
      unitId: unit.unitId,
      unitName: unit.unitName,
      year: dateInZone(now, campaign.timeZone).year,
      duplicates: [],
      checkedFor: '',
      nextCode: '',
      ...(await campaignContext(tx, campaign)),
    };
    return { ok: true, ctx: { ...ctx, nextCode: (await freeCode(tx, ctx)) ?? '' } };
  },
  /**
   * A code already taken is asked again at once; the likely duplicates are looked up as soon as the
   * name, village and birth year are known, and the officer answers for the ones then shown.
   */
  async afterAnswer(tx, _actor, state) {
    const { ctx } = state;
    const data = { ...state.data };
    let changed = false;
    let next: AddContext = ctx;
    const code = textAnswer(data.code);
    if (code && (await tx.households.codeExists(ctx.campaignId, code))) {
      delete data.code;
      next = { ...next, takenCode: code };
      changed = true;
    } else if (code !== undefined && ctx.takenCode !== undefined) {
      next = { ...next, takenCode: undefined };
      changed = true;
    }
    const key = lookupKey(data);
    if (key !== undefined && key !== ctx.checkedFor) {
      const duplicates = await findDuplicates(tx, next, data);
      const same = duplicates.map((d) => d.id).join(',') === ctx.duplicates.map((d) => d.id).join(',');
      if (!same) {
        // The answer was about the households then shown; other matches need a new one.
        delete data.sameHousehold;
      }
      next = { ...next, duplicates, checkedFor: key };
      changed = true;
    }
    return changed ? { ctx: next, data } : undefined;
  },
  async submit(tx, actor, { ctx, answers }, now, inbound) {
    if (answers.sameHousehold === true) {
      return [
        {
          key: 'household.add.same_household',
          params: { households: ctx.duplicates.map((d) => d.name || d.text).join('; ') },
        },
      ];
    }
    const given = answers;
    // One code at a time per campaign: two officers saving at once never get the same one.
    await tx.lock(`household-code:${ctx.campaignId}`);
    const assigned = given.code === '';
    const code = assigned ? await freeCode(tx, ctx) : given.code;
    if (code === undefined || (!assigned && (await tx.households.codeExists(ctx.campaignId, code)))) {
      return [{ key: 'household.add.code_taken', params: { code: code ?? given.code } }];
    }
    const parsed = toInput(ctx, given, code);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => i.message).join(' ');
      return [{ key: 'household.add.invalid', params: { why } }];
    }
    const input = parsed.data;
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
          codeGivenByBot: assigned,
          unitId: ctx.unitId,
          confirmedDifferentFrom: ctx.duplicates.map((d) => d.id),
        },
      },
      now,
    );
    return withCard(
      tx,
      actor,
      id,
      assigned
        ? {
            key: 'household.add.done_new_code',
            params: { name: input.headName, code: monospace(input.code) },
          }
        : { key: 'household.add.done', params: { name: input.headName, code: monospace(input.code) } },
    );
  },
});
