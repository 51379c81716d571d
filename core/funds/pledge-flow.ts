import { membershipsFor } from '../access/access.ts';
import type { Campaign } from '../campaigns/campaign.ts';
import {
  campaignOf,
  campaignOfUnit,
  campaignsByUnit,
  closedRefusal,
  isOpenOrUpcoming,
  noCampaignOpen,
  unitIdsOf,
} from '../campaigns/campaign-of.ts';
import { moneyAnswer, textAnswer } from '../flows/answers.ts';
import type { FieldValue, FlowData, FlowDef, Text } from '../flows/flow.ts';
import { defineFlow, type FlowStart } from '../flows/flow-runner.ts';
import { t } from '../messaging/catalog.ts';
import type { Choice } from '../messaging/message.ts';
import { type Actor, isGuest } from '../shared/actor.ts';
import { dateInZone, fromIsoDate, toIsoDate } from '../shared/calendar.ts';
import { formatDate, formatMoney } from '../shared/format.ts';
import { normalizeVi, parsePhone } from '../shared/parse.ts';
import type { Tx } from '../unit-of-work.ts';
import { placeInSentence } from '../units/kinds.ts';
import { FUND_LEVEL_KINDS } from '../units/unit.repository.ts';
import { DONOR_KINDS, type DonorKind, PLEDGE_KINDS, type PledgeKind } from './fund.repository.ts';
import { fundName } from './fund-views.ts';
import { levelsOfCampaign, recordPledge } from './pledge-record.ts';
import { type PledgeContext, ZPledgeAnswers, ZPledgeContext } from './pledge-schemas.ts';
import { pledgeRateRefusal, pledgeSafeguards } from './pledge-verification.ts';

/**
 * Registering a pledge in chat (issue 5 §1). An organisation leader pledges for their organisation
 * to the fund of its own level ("cấp nào đăng ký cấp đó"); a donor — enterprise or person — starts
 * from `/ungho` or a public link without an invite, gives a name and phone once, and chooses the
 * fund level. The same flow changes a pledge while nothing was paid against it.
 */

/** The largest pledge accepted in chat (a bigger one is a typo or goes through the fund board). */
export const MAX_PLEDGE = 100_000_000_000n;
export const MIN_PLEDGE = 1_000n;

const KIND_LABELS: Record<PledgeKind, string> = {
  money: '💵 Tiền',
  materials: '🧱 Vật liệu',
  labour: '🛠 Ngày công',
};
const DONOR_LABELS: Record<DonorKind, string> = {
  enterprise: '🏢 Doanh nghiệp',
  individual: '🙋 Cá nhân, gia đình',
  organisation: '🏛 Cơ quan, tổ chức',
};

/** The levels of the campaign chosen (or the flow's only one). */
function levelsChosen(ctx: PledgeContext, data: FlowData): PledgeContext['levels'] {
  return levelsOfCampaign(ctx, data.campaign === undefined ? ctx.campaignId : Number(data.campaign));
}

function levelOf(ctx: PledgeContext, data: FlowData): number | undefined {
  const levels = levelsChosen(ctx, data);
  return data.level === undefined ? levels[0]?.id : levels.find((l) => String(l.id) === data.level)?.id;
}

function targetOptions(ctx: PledgeContext, data: FlowData): Choice[] {
  const level = levelOf(ctx, data);
  const wards = level === undefined ? [] : (ctx.targets[String(level)] ?? []);
  return [{ id: '0', label: '🏦 Chung cho quỹ' }, ...wards.map((w) => ({ id: String(w.id), label: w.name }))];
}

const positive = (value: FieldValue): Text | undefined =>
  (moneyAnswer(value) ?? 0n) < MIN_PLEDGE
    ? { key: 'pledge.rule.too_small', params: { min: formatMoney(MIN_PLEDGE) } }
    : undefined;

export const pledgeFlow: FlowDef<PledgeContext> = {
  id: 'pledge',
  version: 1,
  title: 'pledge.title',
  summaryHeader: (ctx) => {
    const header: Text[] = ctx.editing
      ? [{ key: 'pledge.summary.editing', params: { ref: ctx.editing.ref } }]
      : ctx.mode === 'org'
        ? [
            {
              key: 'pledge.summary.org',
              params: { org: ctx.orgName ?? '', level: fundName(ctx.levels[0]?.name ?? '') },
            },
          ]
        : [{ key: 'pledge.summary.donor' }];
    // A pledge answering an appeal says which (it is counted for that appeal).
    return ctx.appeal
      ? [...header, { key: 'pledge.summary.appeal', params: { code: ctx.appeal.code } }]
      : header;
  },
  steps: [
    {
      // A donor with no unit, when several campaigns are open (issue 15 §1): which one they give to.
      key: 'campaign',
      kind: 'choice',
      label: 'pledge.field.campaign',
      prompt: () => ({ key: 'pledge.ask.campaign' }),
      choices: (ctx) => ctx.campaigns.map((c) => ({ id: String(c.id), label: c.name })),
      when: (ctx) => ctx.campaigns.length > 1,
    },
    {
      key: 'donorKind',
      kind: 'choice',
      label: 'pledge.field.donorKind',
      prompt: () => ({ key: 'pledge.ask.donorKind' }),
      choices: () => DONOR_KINDS.map((k) => ({ id: k, label: DONOR_LABELS[k] })),
      when: (ctx) => ctx.mode === 'donor' && ctx.editing === null,
    },
    {
      key: 'donorName',
      kind: 'text',
      label: 'pledge.field.donorName',
      prompt: (_ctx, data) => ({
        key: data.donorKind === 'individual' ? 'pledge.ask.personName' : 'pledge.ask.orgName',
      }),
      maxLength: 200,
      choices: (ctx) => (ctx.knownName ? [{ id: ctx.knownName, label: ctx.knownName }] : []),
      when: (ctx) => ctx.mode === 'donor' && ctx.editing === null,
    },
    {
      key: 'phone',
      kind: 'text',
      label: 'pledge.field.phone',
      prompt: () => ({ key: 'pledge.ask.phone' }),
      maxLength: 40,
      contact: true,
      check: (value) => (parsePhone(textAnswer(value) ?? '') ? undefined : { key: 'pledge.rule.phone' }),
      when: (ctx) => ctx.guest,
      // Shown in full: the review is the donor's own, in their own chat (others see it masked).
      display: (value) => phoneShown(textAnswer(value) ?? ''),
    },
    {
      key: 'workplace',
      kind: 'text',
      label: 'pledge.field.workplace',
      prompt: () => ({ key: 'pledge.ask.workplace' }),
      maxLength: 200,
      optional: true,
      when: (ctx, data) => ctx.mode === 'donor' && ctx.editing === null && data.donorKind === 'individual',
    },
    {
      key: 'kind',
      kind: 'choice',
      label: 'pledge.field.kind',
      prompt: () => ({ key: 'pledge.ask.kind' }),
      choices: () => PLEDGE_KINDS.map((k) => ({ id: k, label: KIND_LABELS[k] })),
    },
    {
      key: 'amount',
      kind: 'money',
      label: 'pledge.field.amount',
      prompt: () => ({ key: 'pledge.ask.amount' }),
      maxMoney: MAX_PLEDGE,
      check: positive,
      when: (_ctx, data) => data.kind === 'money',
    },
    {
      key: 'description',
      kind: 'text',
      label: 'pledge.field.description',
      prompt: (_ctx, data) => ({ key: data.kind === 'labour' ? 'pledge.ask.work' : 'pledge.ask.materials' }),
      maxLength: 300,
      when: (_ctx, data) => data.kind === 'materials' || data.kind === 'labour',
    },
    {
      key: 'quantity',
      kind: 'integer',
      label: 'pledge.field.quantity',
      prompt: (_ctx, data) => ({ key: data.kind === 'labour' ? 'pledge.ask.days' : 'pledge.ask.quantity' }),
      min: 1,
      max: 10_000_000,
      when: (_ctx, data) => data.kind === 'materials' || data.kind === 'labour',
    },
    {
      key: 'quantityUnit',
      kind: 'text',
      label: 'pledge.field.quantityUnit',
      prompt: () => ({ key: 'pledge.ask.unit' }),
      maxLength: 40,
      choices: () => ['bao', 'm²', 'tấn', 'm³', 'tấm', 'bộ'].map((u) => ({ id: u, label: u })),
      // A unit is a word ("bao", "m²", "m3"), not a quantity or an amount ("5 triệu").
      check: (value) =>
        /\d/.test((textAnswer(value) ?? '').replace(/^m[23]$/i, ''))
          ? { key: 'pledge.rule.unit' }
          : undefined,
      when: (_ctx, data) => data.kind === 'materials',
    },
    {
      key: 'value',
      kind: 'money',
      label: 'pledge.field.value',
      prompt: () => ({ key: 'pledge.ask.value' }),
      maxMoney: MAX_PLEDGE,
      check: positive,
      when: (_ctx, data) => data.kind === 'materials' || data.kind === 'labour',
    },
    {
      key: 'level',
      kind: 'choice',
      label: 'pledge.field.level',
      prompt: () => ({ key: 'pledge.ask.level' }),
      choices: (ctx, data) =>
        levelsChosen(ctx, data).map((l) => ({ id: String(l.id), label: placeLabel(l.name) })),
      when: (ctx, data) => levelsChosen(ctx, data).length > 1,
      display: (value, ctx, locale) => {
        const level = ctx.levels.find((l) => String(l.id) === value);
        const name = level && fundName(level.name);
        return name ? t(locale, name.key, name.params) : String(value);
      },
    },
    {
      key: 'target',
      kind: 'choice',
      label: 'pledge.field.target',
      prompt: () => ({ key: 'pledge.ask.target' }),
      choices: targetOptions,
      when: (ctx, data) => targetOptions(ctx, data).length > 1,
    },
    {
      key: 'householdCode',
      kind: 'text',
      label: 'pledge.field.household',
      prompt: (ctx) =>
        ctx.householdMissing
          ? { key: 'pledge.ask.household_again', params: { code: ctx.householdMissing } }
          : { key: 'pledge.ask.household' },
      maxLength: 40,
      optional: true,
      when: (_ctx, data) => data.target !== undefined && data.target !== '0',
      display: (value, ctx) => (value === '' ? '—' : (ctx.household?.label ?? textAnswer(value) ?? '')),
    },
    {
      key: 'dueOn',
      kind: 'date',
      label: 'pledge.field.dueOn',
      prompt: () => ({ key: 'pledge.ask.dueOn' }),
      optional: true,
      check: (value, _data, ctx) => {
        const due = textAnswer(value) ?? '';
        return due !== '' && due < ctx.today
          ? { key: 'pledge.rule.due_past', params: { today: formatDate(fromIsoDate(ctx.today)) } }
          : undefined;
      },
      display: (value) => {
        const due = textAnswer(value) ?? '';
        return due === '' ? '—' : formatDate(fromIsoDate(due));
      },
    },
    {
      key: 'publicName',
      kind: 'yesno',
      label: 'pledge.field.publicName',
      prompt: () => ({ key: 'pledge.ask.publicName' }),
    },
  ],
};

/** "0912345678" → "0912 345 678": the number as the donor typed it, grouped to check it at a glance. */
function phoneShown(phone: string): string {
  const p = parsePhone(phone);
  return p === undefined ? phone : `${p.slice(0, 4)} ${p.slice(4, 7)} ${p.slice(7)}`;
}

/** A fund level's button: its place with a capital, "Thành phố Bắc Kạn" (not the committee's name). */
function placeLabel(name: string): string {
  const place = placeInSentence(name);
  return place.charAt(0).toLocaleUpperCase('vi') + place.slice(1);
}

/** The fund levels a donor may choose: the campaign's city and its wards and communes. */
async function fundLevels(
  tx: Tx,
): Promise<{ id: number; name: string; parentId: number | null; kind: string }[]> {
  return tx.units.listByKinds(FUND_LEVEL_KINDS);
}

type LevelUnit = Awaited<ReturnType<typeof fundLevels>>[number];

/**
 * The levels of each campaign: the units of its area that hold a fund (each unit in the campaign
 * that covers it, as the chat decides for a person). A province holds no fund of a campaign over a
 * city (the seed plan): the city and below do; a campaign over a province has the province's.
 */
function levelsByCampaign(all: readonly LevelUnit[], campaigns: readonly Campaign[], now: Date) {
  const byUnit = campaignsByUnit(campaigns, all, now);
  return (campaignId: number) =>
    all.filter(
      (u) =>
        byUnit.get(u.id)?.id === campaignId &&
        (u.kind !== 'province' || campaigns.some((c) => c.id === campaignId && c.areaUnitId === u.id)),
    );
}

/**
 * The campaign a pledge goes to, and the ones a donor with no unit chooses from: an organisation's
 * leader or an invited donor gives to their unit's campaign; a stranger (or a person with no unit)
 * to an open one — asked which when several are (one not started yet takes pledges too).
 */
async function pledgeCampaigns(
  tx: Tx,
  actor: Actor,
  now: Date,
  editingLevel: number | undefined,
): Promise<{ campaign: Campaign | undefined; choices: Campaign[]; noneOpen: boolean }> {
  if (editingLevel !== undefined) {
    return { campaign: await campaignOfUnit(tx, editingLevel, now), choices: [], noneOpen: false };
  }
  const units = unitIdsOf(actor.memberships);
  if (units.length > 0) {
    return { campaign: await campaignOf(tx, units, now), choices: [], noneOpen: false };
  }
  const all = await tx.campaigns.list();
  const running = all.filter((c) => isOpenOrUpcoming(c, now));
  // None running: the latest one answers (closed: the donor is told none is open, and whom to ask).
  return {
    campaign: running[0] ?? all[0],
    choices: running.length > 1 ? running : [],
    noneOpen: running.length === 0,
  };
}

/** The pledge flow's argument without its appeal part, and the appeal's code ("KG1"). */
function splitAppealArg(given: string | undefined): { arg: string | undefined; appealCode?: string } {
  const match = /^(.*):appeal:([^:]+)$/.exec(given ?? '');
  return match ? { arg: match[1], appealCode: match[2] } : { arg: given };
}

/** The appeal a pledge answers, when its code names one of the pledge's campaign. */
async function appealOf(
  tx: Tx,
  code: string | undefined,
  campaignId: number,
): Promise<PledgeContext['appeal']> {
  const appeal = code === undefined ? undefined : await tx.appeals.findByCode(code);
  return appeal && appeal.campaignId === campaignId ? { id: appeal.id, code: appeal.code } : null;
}

export const pledgeRunner = defineFlow({
  def: pledgeFlow,
  context: ZPledgeContext,
  answers: ZPledgeAnswers,
  /**
   * `arg`: "org" (an organisation leader), "donor", or "edit:<pledge id>"; "org:appeal:KG1" and
   * "donor:appeal:KG1" come from an appeal's link or button (an unknown code opens a plain pledge).
   */
  async start(tx, actor, now, given): Promise<FlowStart<PledgeContext>> {
    const { arg, appealCode } = splitAppealArg(given);
    const edited = arg?.startsWith('edit:')
      ? await tx.pledges.findById(Number(arg.slice('edit:'.length)))
      : undefined;
    const { campaign, choices, noneOpen } = await pledgeCampaigns(tx, actor, now, edited?.fundUnitId);
    if (!campaign) {
      return { ok: false, reason: { key: 'report.refused.no_campaign' } };
    }
    const closed = noneOpen
      ? await noCampaignOpen(tx, campaign, now)
      : await closedRefusal(tx, campaign, 'pledge', now);
    if (closed) {
      return { ok: false, reason: closed };
    }
    const today = toIsoDate(dateInZone(now, campaign.timeZone));
    const all = await fundLevels(tx);
    const targets: Record<string, { id: number; name: string }[]> = {};
    for (const l of all) {
      targets[String(l.id)] = all
        .filter((c) => c.parentId === l.id && c.kind !== 'province')
        .map((c) => ({ id: c.id, name: c.name }));
    }
    const levelsOf = levelsByCampaign(all, choices.length > 0 ? choices : await tx.campaigns.list(), now);
    const base = {
      campaignId: campaign.id,
      campaigns: choices.map((c) => ({ id: c.id, name: c.name })),
      guest: isGuest(actor),
      targets,
      today,
      editing: null,
      householdMissing: null,
      household: null,
      knownName: isGuest(actor) ? null : actor.fullName,
      appeal: await appealOf(tx, appealCode, campaign.id),
    };
    if (!arg?.startsWith('edit:')) {
      // An anonymous donor who already registered their share is told before typing anything.
      const refusal = await pledgeRateRefusal(tx, actor, await pledgeSafeguards(tx, campaign.id), now);
      if (refusal) {
        return { ok: false, reason: refusal };
      }
    }
    let editing: { id: number; ref: string } | null = null;
    let data: FlowData = {};
    let mode: 'org' | 'donor' = arg === 'org' ? 'org' : 'donor';
    const orgs = membershipsFor(actor, 'pledge.org');
    let org = orgs[0];
    if (arg?.startsWith('edit:')) {
      const pledge = edited;
      if (!pledge || pledge.personId !== actor.personId || isGuest(actor)) {
        return { ok: false, reason: { key: 'pledge.refused.not_yours' } };
      }
      if (pledge.cancelledAt !== null || pledge.received > 0n) {
        return { ok: false, reason: { key: 'pledge.refused.paid', params: { ref: pledge.ref } } };
      }
      editing = { id: pledge.id, ref: pledge.ref };
      mode = pledge.orgUnitId !== null && pledge.donorKind === 'organisation' ? 'org' : 'donor';
      org = orgs.find((m) => m.unitId === pledge.orgUnitId) ?? org;
      data = {
        kind: pledge.kind,
        ...(pledge.kind === 'money'
          ? { amount: pledge.amount.toString() }
          : { value: pledge.amount.toString() }),
        ...(pledge.description ? { description: pledge.description } : {}),
        ...(pledge.quantity !== null ? { quantity: pledge.quantity } : {}),
        ...(pledge.kind === 'materials' && pledge.quantityUnit ? { quantityUnit: pledge.quantityUnit } : {}),
        level: String(pledge.fundUnitId),
        target: String(pledge.targetUnitId ?? 0),
        householdCode: '',
        dueOn: pledge.dueOn ?? '',
        publicName: pledge.publicName,
      };
    }
    if (mode === 'org') {
      if (!org) {
        return { ok: false, reason: { key: 'pledge.refused.not_org_leader' } };
      }
      const orgUnit = await tx.units.findById(org.unitId);
      const level = all.find((l) => l.id === orgUnit?.parentId);
      if (!level) {
        return { ok: false, reason: { key: 'pledge.refused.no_level' } };
      }
      // "Cấp nào đăng ký cấp đó": the organisation's own level receives its pledge.
      const levels = [{ id: level.id, name: level.name }];
      delete data.level;
      return {
        ok: true,
        ctx: { ...base, mode, orgUnitId: org.unitId, orgName: org.unitName, levels, editing },
        data,
      };
    }
    const offered = choices.length > 0 ? choices : [campaign];
    const levels = offered.flatMap((c) =>
      levelsOf(c.id).map((l) => ({
        id: l.id,
        name: l.name,
        ...(choices.length > 0 ? { campaignId: c.id } : {}),
      })),
    );
    if (levels.length === 0) {
      return { ok: false, reason: { key: 'pledge.refused.no_level' } };
    }
    return { ok: true, ctx: { ...base, mode, orgUnitId: null, orgName: null, levels, editing }, data };
  },

  /** A household code typed for a ward: found there, or asked again with what was typed. */
  async beforeSummary(tx, _actor, state) {
    const { ctx } = state;
    const code = (textAnswer(state.data.householdCode) ?? '').trim();
    // The ward chosen (its unit id); '0' is "for the fund in general".
    const ward = textAnswer(state.data.target);
    if (code === '' || ward === undefined || ward === '0') {
      return { ctx: { ...ctx, household: null, householdMissing: null }, data: state.data };
    }
    const found = (await tx.households.search([Number(ward)], normalizeVi(code), 5)).find(
      (h) => normalizeVi(h.code) === normalizeVi(code),
    );
    if (!found) {
      const data = { ...state.data };
      delete data.householdCode;
      return { ctx: { ...ctx, household: null, householdMissing: code }, data };
    }
    return {
      ctx: {
        ...ctx,
        householdMissing: null,
        household: { id: found.id, label: `${found.code} – ${found.headName}` },
      },
      data: state.data,
    };
  },

  submit: (tx, actor, { ctx, answers }, now, inbound) => recordPledge(tx, actor, ctx, answers, now, inbound),
});
