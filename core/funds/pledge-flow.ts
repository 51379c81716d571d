import { z } from 'zod';
import { answeredData } from '../flows/engine.ts';
import type { FlowData, FlowDef, Text } from '../flows/flow.ts';
import type { FlowRunner } from '../flows/flow-runner.ts';
import type { Choice } from '../messaging/message.ts';
import { FUND_LEVEL_KINDS } from '../people/unit.repository.ts';
import type { Actor } from '../shared/actor.ts';
import { AppError } from '../shared/app-error.ts';
import { dateInZone, fromIsoDate, toIsoDate } from '../shared/calendar.ts';
import { formatDate, formatMoney } from '../shared/format.ts';
import { normalizeVi, parsePhone } from '../shared/parse.ts';
import type { Tx } from '../unit-of-work.ts';
import {
  DONOR_KINDS,
  type DonorKind,
  PLEDGE_KINDS,
  type PledgeChanges,
  type PledgeKind,
} from './fund.repository.ts';
import { pledgeCard, pledgeLine, statusOf } from './fund-views.ts';
import {
  isAnonymousDonor,
  needsVerification,
  notifyVerifiers,
  type PledgeSafeguards,
  pledgeRateRefusal,
  pledgeSafeguards,
} from './pledge-verification.ts';

/**
 * Registering a pledge in chat (issue 5 §1). An organisation leader pledges for their organisation
 * to the fund of its own level ("cấp nào đăng ký cấp đó"); a donor — enterprise or person — starts
 * from `/ungho` or a public link without an invite, gives a name and phone once, and chooses the
 * fund level. The same flow changes a pledge while nothing was paid against it.
 */

/** The largest pledge accepted in chat (a bigger one is a typo or goes through the fund board). */
const MAX_PLEDGE = 100_000_000_000n;
const MIN_PLEDGE = 1_000n;

const ZOption = z.object({ id: z.number(), name: z.string() });

const ZPledgeContext = z.object({
  campaignId: z.number(),
  mode: z.enum(['org', 'donor']),
  /** A stranger: asked for a name and a phone number, registered as a donor on confirmation. */
  guest: z.boolean(),
  orgUnitId: z.number().nullable(),
  orgName: z.string().nullable(),
  levels: z.array(ZOption),
  /** Wards and communes a pledge may be meant for, per fund level id. */
  targets: z.record(z.string(), z.array(ZOption)),
  knownName: z.string().nullable(),
  today: z.string(),
  editing: z.object({ id: z.number(), ref: z.string() }).nullable(),
  /** A household code typed but not found (asked again with this note). */
  householdMissing: z.string().nullable(),
  household: z.object({ id: z.number(), label: z.string() }).nullable(),
});
export type PledgeContext = z.infer<typeof ZPledgeContext>;

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

const money = (data: FlowData, key: string): bigint | undefined =>
  data[key] === undefined || data[key] === '' ? undefined : BigInt(String(data[key]));

function levelOf(ctx: PledgeContext, data: FlowData): number | undefined {
  return data.level === undefined ? ctx.levels[0]?.id : Number(data.level);
}

function targetOptions(ctx: PledgeContext, data: FlowData): Choice[] {
  const level = levelOf(ctx, data);
  const wards = level === undefined ? [] : (ctx.targets[String(level)] ?? []);
  return [{ id: '0', label: '🏦 Chung cho quỹ' }, ...wards.map((w) => ({ id: String(w.id), label: w.name }))];
}

const positive = (value: string | number | boolean): Text | undefined =>
  BigInt(String(value)) < MIN_PLEDGE
    ? { key: 'pledge.rule.too_small', params: { min: formatMoney(MIN_PLEDGE) } }
    : undefined;

export const pledgeFlow: FlowDef<PledgeContext> = {
  id: 'pledge',
  version: 1,
  title: 'pledge.title',
  summaryHeader: (ctx) =>
    ctx.editing
      ? [{ key: 'pledge.summary.editing', params: { ref: ctx.editing.ref } }]
      : ctx.mode === 'org'
        ? [
            {
              key: 'pledge.summary.org',
              params: { org: ctx.orgName ?? '', level: ctx.levels[0]?.name ?? '' },
            },
          ]
        : [{ key: 'pledge.summary.donor' }],
  steps: [
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
      check: (value) => (parsePhone(String(value)) ? undefined : { key: 'pledge.rule.phone' }),
      when: (ctx) => ctx.guest,
      display: (value) => maskPhone(String(value)),
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
      choices: (ctx) => ctx.levels.map((l) => ({ id: String(l.id), label: l.name })),
      when: (ctx) => ctx.levels.length > 1,
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
      display: (value, ctx) => (value === '' ? '—' : (ctx.household?.label ?? String(value))),
    },
    {
      key: 'dueOn',
      kind: 'date',
      label: 'pledge.field.dueOn',
      prompt: () => ({ key: 'pledge.ask.dueOn' }),
      optional: true,
      check: (value, _data, ctx) =>
        value !== '' && String(value) < ctx.today
          ? { key: 'pledge.rule.due_past', params: { today: formatDate(fromIsoDate(ctx.today)) } }
          : undefined,
      display: (value) => (value === '' ? '—' : formatDate(fromIsoDate(String(value)))),
    },
    {
      key: 'publicName',
      kind: 'yesno',
      label: 'pledge.field.publicName',
      prompt: () => ({ key: 'pledge.ask.publicName' }),
    },
  ],
};

function maskPhone(phone: string): string {
  const p = parsePhone(phone) ?? phone;
  return p.length > 4 ? `${'•'.repeat(p.length - 3)}${p.slice(-3)}` : p;
}

/** An actor with no identity yet: a stranger who wrote /ungho. */
export const GUEST: Actor = { personId: 0, fullName: '', locale: 'vi', memberships: [] };

export function isGuest(actor: Actor): boolean {
  return actor.personId === 0;
}

/** The fund levels a donor may choose: the campaign's city and its wards and communes. */
async function fundLevels(
  tx: Tx,
): Promise<{ id: number; name: string; parentId: number | null; kind: string }[]> {
  const units = await tx.units.listByKinds(FUND_LEVEL_KINDS);
  // The province holds no fund of this campaign in the seed plan: the city and below do.
  return units.filter((u) => u.kind !== 'province');
}

export const pledgeRunner: FlowRunner<PledgeContext> = {
  def: pledgeFlow,
  parseContext(raw) {
    const parsed = ZPledgeContext.safeParse(raw);
    return parsed.success ? parsed.data : undefined;
  },
  /** `arg`: "org" (an organisation leader), "donor", or "edit:<pledge id>". */
  async start(tx, actor, now, arg) {
    const campaign = await tx.campaigns.findCurrent();
    if (!campaign) {
      return { ok: false, reason: { key: 'report.refused.no_campaign' } };
    }
    const today = toIsoDate(dateInZone(now, campaign.timeZone));
    const all = await fundLevels(tx);
    const targets: Record<string, { id: number; name: string }[]> = {};
    for (const l of all) {
      targets[String(l.id)] = all.filter((c) => c.parentId === l.id).map((c) => ({ id: c.id, name: c.name }));
    }
    const base = {
      campaignId: campaign.id,
      guest: isGuest(actor),
      targets,
      today,
      editing: null,
      householdMissing: null,
      household: null,
      knownName: isGuest(actor) ? null : actor.fullName,
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
    let org = actor.memberships.find((m) => m.role === 'org_leader');
    if (arg?.startsWith('edit:')) {
      const pledge = await tx.pledges.findById(Number(arg.slice('edit:'.length)));
      if (!pledge || pledge.personId !== actor.personId || isGuest(actor)) {
        return { ok: false, reason: { key: 'pledge.refused.not_yours' } };
      }
      if (pledge.cancelledAt !== null || pledge.received > 0n) {
        return { ok: false, reason: { key: 'pledge.refused.paid', params: { ref: pledge.ref } } };
      }
      editing = { id: pledge.id, ref: pledge.ref };
      mode = pledge.orgUnitId !== null && pledge.donorKind === 'organisation' ? 'org' : 'donor';
      org = actor.memberships.find((m) => m.role === 'org_leader' && m.unitId === pledge.orgUnitId) ?? org;
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
    const levels = all.map((l) => ({ id: l.id, name: l.name }));
    if (levels.length === 0) {
      return { ok: false, reason: { key: 'pledge.refused.no_level' } };
    }
    return { ok: true, ctx: { ...base, mode, orgUnitId: null, orgName: null, levels, editing }, data };
  },

  async beforeSummary(tx, _actor, state) {
    const ctx = state.ctx as PledgeContext;
    const code = String(state.data.householdCode ?? '').trim();
    if (code === '' || state.data.target === undefined || state.data.target === '0') {
      return { ctx: { ...ctx, household: null, householdMissing: null }, data: state.data };
    }
    const found = (await tx.households.search([Number(state.data.target)], normalizeVi(code), 5)).find(
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

  async submit(tx, actor, state, now, inbound) {
    const ctx = state.ctx as PledgeContext;
    const data = answeredData(pledgeFlow, state);
    const kind = PLEDGE_KINDS.find((k) => k === data.kind) ?? 'money';
    const level = levelOf(ctx, data) ?? 0;
    const target = data.target === undefined || data.target === '0' ? null : Number(data.target);
    const changes: PledgeChanges = {
      kind,
      description: kind === 'money' ? null : String(data.description ?? ''),
      quantity: kind === 'money' ? null : Number(data.quantity ?? 0),
      quantityUnit:
        kind === 'materials' ? String(data.quantityUnit ?? '') : kind === 'labour' ? 'ngày công' : null,
      amount: (kind === 'money' ? money(data, 'amount') : money(data, 'value')) ?? 0n,
      dueOn: data.dueOn ? String(data.dueOn) : null,
      publicName: data.publicName === true,
      fundUnitId: level,
      targetUnitId: target,
      verification: null,
    };
    const safeguards = await pledgeSafeguards(tx, ctx.campaignId);
    const unverified = needsVerification(actor, changes.amount, safeguards);
    if (ctx.editing) {
      const before = await tx.pledges.findById(ctx.editing.id);
      // An anonymous donor raising a pledge above the threshold waits for verification again.
      changes.verification = unverified
        ? 'pending'
        : before?.verification === 'pending' && isAnonymousDonor(actor)
          ? null
          : (before?.verification ?? null);
      const changed = await tx.pledges.update(ctx.editing.id, changes, now);
      if (!changed) {
        return [{ key: 'pledge.refused.paid', params: { ref: ctx.editing.ref } }];
      }
      await tx.audit.record(
        {
          personId: actor.personId,
          channel: inbound.channel,
          action: 'pledge.update',
          entity: 'Pledge',
          entityId: String(ctx.editing.id),
          after: { ...changes, amount: changes.amount.toString() },
        },
        now,
      );
      return pledgeReceipt(tx, ctx.editing.id, 'pledge.updated', ctx.today, {
        notify: changes.verification === 'pending' && before?.verification !== 'pending',
        now,
        safeguards,
      });
    }
    if (isAnonymousDonor(actor)) {
      // Checked again, one chat at a time: two chats must not both take the last place.
      await tx.lock('Pledge.anonymous');
      const refusal = await pledgeRateRefusal(tx, actor, safeguards, now);
      if (refusal) {
        return [refusal];
      }
    }
    let personId = actor.personId;
    const donorKind: DonorKind =
      ctx.mode === 'org' ? 'organisation' : (DONOR_KINDS.find((k) => k === data.donorKind) ?? 'individual');
    const donorName = ctx.mode === 'org' ? (ctx.orgName ?? '') : String(data.donorName ?? '').trim();
    if (isGuest(actor)) {
      personId = await tx.people.create({ fullName: donorName, locale: 'vi' }, now);
      await tx.people.addIdentity(
        {
          channel: inbound.channel,
          externalUserId: inbound.senderId,
          personId,
          displayName: inbound.senderName ?? null,
        },
        now,
      );
      await tx.people.addMembership(personId, level, 'donor', now);
    } else if (ctx.mode === 'donor' && !actor.memberships.some((m) => m.role === 'donor')) {
      await tx.people.addMembership(personId, level, 'donor', now);
    }
    const workplace = String(data.workplace ?? '').trim();
    const { id, ref } = await tx.pledges.create(
      {
        ...changes,
        campaignId: ctx.campaignId,
        donorKind,
        donorName: workplace ? `${donorName} (${workplace})` : donorName,
        donorPhone: data.phone === undefined ? null : (parsePhone(String(data.phone)) ?? null),
        personId,
        orgUnitId: ctx.orgUnitId,
        householdId: ctx.household?.id ?? null,
        channel: inbound.channel,
        anonymous: isAnonymousDonor(actor),
        verification: unverified ? 'pending' : null,
      },
      now,
    );
    await tx.audit.record(
      {
        personId,
        channel: inbound.channel,
        action: 'pledge.create',
        entity: 'Pledge',
        entityId: String(id),
        after: {
          ref,
          donorKind,
          kind,
          amount: changes.amount.toString(),
          fundUnitId: level,
          orgUnitId: ctx.orgUnitId,
          ...(unverified ? { verification: 'pending' } : {}),
        },
      },
      now,
    );
    return pledgeReceipt(tx, id, 'pledge.created', ctx.today, { notify: unverified, now, safeguards });
  },
};

/**
 * The donor's receipt: the number and the card; a pledge that waits for verification says so, and
 * with `notify` (it just started waiting) the fund officers hear of it.
 */
async function pledgeReceipt(
  tx: Tx,
  id: number,
  key: 'pledge.created' | 'pledge.updated',
  today: string,
  verify: { notify: boolean; now: Date; safeguards: PledgeSafeguards },
): Promise<Text[]> {
  const pledge = await tx.pledges.findById(id);
  if (!pledge) {
    throw new AppError('NOT_FOUND', `pledge ${id} vanished inside its transaction`);
  }
  if (verify.notify) {
    await notifyVerifiers(tx, pledge, verify.safeguards, today, verify.now);
  }
  const lines: Text[] = [{ key, params: { ref: pledge.ref } }, ...pledgeCard(pledge, today)];
  if (pledge.verification === 'pending') {
    lines.push({ key: 'pledge.unverified.note' });
  }
  return lines;
}

/** "Cam kết của tôi": the person's pledges with their status, each a button to its card. */
export async function myPledges(
  tx: Tx,
  actor: Actor,
  today: string,
): Promise<{ lines: Text[]; choices: Choice[][] }> {
  const pledges = await tx.pledges.listByPerson(actor.personId);
  if (pledges.length === 0) {
    return {
      lines: [{ key: 'pledge.mine.none' }],
      choices: [[{ id: 'menu:pledge', label: '➕ Đăng ký ủng hộ' }]],
    };
  }
  return {
    lines: [{ key: 'pledge.mine.title' }, ...pledges.slice(0, 10).map((p) => pledgeLine(p, today))],
    choices: [
      ...pledges
        .slice(0, 10)
        .map((p) => [{ id: `menu:pledgecard:${p.id}`, label: `${p.ref} · ${p.donorName}`.slice(0, 60) }]),
      [{ id: 'menu:pledge', label: '➕ Đăng ký ủng hộ' }],
    ],
  };
}

/** A person's own pledge, with "change" and "cancel" while nothing was paid against it. */
export async function myPledgeCard(
  tx: Tx,
  actor: Actor,
  id: number,
  today: string,
): Promise<{ lines: Text[]; choices: Choice[][] } | undefined> {
  const p = await tx.pledges.findById(id);
  if (!p || p.personId !== actor.personId) {
    return undefined;
  }
  const open = p.cancelledAt === null && p.received === 0n;
  const choices: Choice[][] = open
    ? [
        [
          { id: `menu:pledgeedit:${p.id}`, label: '✏️ Sửa' },
          { id: `menu:pledgecancel:${p.id}`, label: '✖️ Hủy đăng ký' },
        ],
      ]
    : [];
  choices.push([{ id: 'menu:mypledges', label: '📄 Đăng ký của tôi' }]);
  const lines = pledgeCard(p, today);
  if (!open && statusOf(p, today) !== 'cancelled') {
    lines.push({ key: 'pledge.card.locked' });
  }
  return { lines, choices };
}

interface CancelContext {
  id: number;
  ref: string;
}

const cancelFlow: FlowDef<CancelContext> = {
  id: 'pledge-cancel',
  version: 1,
  title: 'pledge.cancel.title',
  summaryHeader: (ctx) => [{ key: 'pledge.cancel.header', params: { ref: ctx.ref } }],
  steps: [
    {
      key: 'reason',
      kind: 'text',
      label: 'pledge.field.cancelReason',
      prompt: () => ({ key: 'pledge.ask.cancelReason' }),
      maxLength: 300,
      optional: true,
    },
  ],
};

export const pledgeCancelRunner: FlowRunner<CancelContext> = {
  def: cancelFlow,
  parseContext(raw) {
    const parsed = z.object({ id: z.number(), ref: z.string() }).safeParse(raw);
    return parsed.success ? parsed.data : undefined;
  },
  async start(tx, actor, _now, arg) {
    const p = await tx.pledges.findById(Number(arg));
    if (!p || p.personId !== actor.personId) {
      return { ok: false, reason: { key: 'pledge.refused.not_yours' } };
    }
    if (p.cancelledAt !== null || p.received > 0n) {
      return { ok: false, reason: { key: 'pledge.refused.paid', params: { ref: p.ref } } };
    }
    return { ok: true, ctx: { id: p.id, ref: p.ref } };
  },
  async submit(tx, actor, state, now, inbound) {
    const ctx = state.ctx as CancelContext;
    const reason = String(state.data.reason ?? '');
    if (!(await tx.pledges.cancel(ctx.id, reason, now))) {
      return [{ key: 'pledge.refused.paid', params: { ref: ctx.ref } }];
    }
    await tx.audit.record(
      {
        personId: actor.personId,
        channel: inbound.channel,
        action: 'pledge.cancel',
        entity: 'Pledge',
        entityId: String(ctx.id),
        after: { reason },
      },
      now,
    );
    return [{ key: 'pledge.cancelled', params: { ref: ctx.ref } }];
  },
};
