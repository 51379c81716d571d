import type { FlowDef, FlowState, Text } from '../flows/flow.ts';
import type { FlowRunner } from '../flows/flow-runner.ts';
import { householdScope } from '../funds/fund-flows.ts';
import type { Choice } from '../messaging/message.ts';
import type { Actor } from '../shared/actor.ts';
import { normalizeVi } from '../shared/parse.ts';
import type { Tx } from '../unit-of-work.ts';
import type { HouseholdView } from './household.repository.ts';
import {
  HOUSEHOLD_NEED_LABELS,
  type HouseholdStatus,
  isHouseholdNeed,
  isHouseholdStatus,
} from './household.ts';
import { needsPhoto, nextStatuses, statusLabel } from './status.ts';

/** What a unit officer may touch: the households of the units they report for. */
export function officerUnitIds(actor: Actor): number[] {
  return actor.memberships.filter((m) => m.role === 'unit_officer').map((m) => m.unitId);
}

/** A household of the actor's units, or undefined (someone else's, or gone). */
export async function findOwnHousehold(tx: Tx, actor: Actor, id: number): Promise<HouseholdView | undefined> {
  const household = await tx.households.findById(id);
  return household && officerUnitIds(actor).includes(household.unitId) ? household : undefined;
}

const SEARCH_LIMIT = 8;

interface SearchContext {
  unitIds: number[];
  /** What a found household leads to: its card, or (for the fund board) an allocation. */
  target: 'hh' | 'alloc';
}

const searchFlow: FlowDef<SearchContext> = {
  id: 'household-search',
  version: 1,
  title: 'household.search.title',
  confirm: false,
  summaryHeader: () => [],
  steps: [
    {
      key: 'query',
      kind: 'text',
      label: 'household.search.title',
      prompt: () => ({ key: 'household.search.ask' }),
      maxLength: 100,
    },
  ],
};

/** Find a household by head name (with or without diacritics), code or village. */
export const householdSearchRunner: FlowRunner<SearchContext> = {
  def: searchFlow,
  parseContext(raw) {
    const { unitIds, target } = (raw ?? {}) as { unitIds?: unknown; target?: unknown };
    return Array.isArray(unitIds) && unitIds.every((u) => typeof u === 'number')
      ? { unitIds, target: target === 'alloc' ? 'alloc' : 'hh' }
      : undefined;
  },
  async start(tx, actor, _now, arg) {
    if (arg === 'alloc') {
      const unitIds = await householdScope(tx, actor);
      return unitIds.length > 0
        ? { ok: true, ctx: { unitIds, target: 'alloc' } }
        : { ok: false, reason: { key: 'fund.refused.not_fund_officer' } };
    }
    const unitIds = officerUnitIds(actor);
    return unitIds.length > 0
      ? { ok: true, ctx: { unitIds, target: 'hh' } }
      : { ok: false, reason: { key: 'household.refused.not_officer' } };
  },
  async submit(tx, _actor, state) {
    const ctx = state.ctx as SearchContext;
    const query = normalizeVi(String(state.data.query ?? ''));
    const found = await tx.households.search(ctx.unitIds, query, SEARCH_LIMIT);
    const again = ctx.target === 'alloc' ? 'menu:alloc' : 'menu:hhsearch';
    if (found.length === 0) {
      return {
        lines: [{ key: 'household.search.none', params: { query: String(state.data.query ?? '') } }],
        choices: [[{ id: again, label: '🔎 Tìm lại' }], [{ id: 'menu:main', label: '📋 Menu' }]],
      };
    }
    return {
      lines: [{ key: 'household.search.found', params: { count: found.length } }],
      choices: [
        ...found.map((h) => [{ id: `menu:${ctx.target}:${h.id}`, label: householdLabel(h) }]),
        [{ id: again, label: '🔎 Tìm lại' }],
      ],
    };
  },
};

export function householdLabel(h: HouseholdView): string {
  return `${h.headName} · ${h.village} · ${statusLabel(asStatus(h.status))}`;
}

function asStatus(status: string): HouseholdStatus {
  return isHouseholdStatus(status) ? status : 'proposed';
}

/** The card of a household: who, where, need, status, and the next steps as buttons. */
export function householdCard(h: HouseholdView): { lines: Text[]; choices: Choice[][] } {
  const need = isHouseholdNeed(h.need) ? HOUSEHOLD_NEED_LABELS[h.need] : h.need;
  const lines: Text[] = [
    {
      key: 'household.card',
      params: {
        name: h.headName,
        code: h.code,
        village: h.village,
        need,
        status: statusLabel(asStatus(h.status)),
        eligible: { key: h.eligible ? 'household.eligible' : 'household.not_eligible' },
      },
    },
  ];
  if (h.supportedBefore) {
    lines.push({ key: 'household.supported_before', params: { programme: h.supportedBefore } });
  }
  const moves = nextStatuses(asStatus(h.status)).filter((to) => to !== 'rejected' && to !== 'withdrawn');
  const choices: Choice[][] = moves.map((to) => [
    { id: `menu:hhmove:${h.id}:${to}`, label: `➡️ ${statusLabel(to)}` },
  ]);
  choices.push([{ id: 'menu:hhsearch', label: '🔎 Tìm hộ khác' }]);
  return { lines, choices };
}

interface StatusContext {
  householdId: number;
  headName: string;
  code: string;
  from: HouseholdStatus;
  to: HouseholdStatus;
}

const statusFlow: FlowDef<StatusContext> = {
  id: 'household-status',
  version: 1,
  title: 'household.status.title',
  summaryHeader: (ctx) => [
    {
      key: 'household.status.header',
      params: { name: ctx.headName, code: ctx.code, from: statusLabel(ctx.from), to: statusLabel(ctx.to) },
    },
  ],
  steps: [
    {
      key: 'photo',
      kind: 'photo',
      label: 'household.field.photo',
      prompt: (ctx) => ({ key: 'household.ask.photo', params: { to: statusLabel(ctx.to) } }),
      when: (ctx) => needsPhoto(ctx.to),
    },
    {
      key: 'note',
      kind: 'text',
      label: 'household.field.note',
      prompt: () => ({ key: 'household.ask.note' }),
      optional: true,
      maxLength: 500,
    },
  ],
};

/** Moves a household to its next status, with a photo as evidence where officials expect one. */
export const householdStatusRunner: FlowRunner<StatusContext> = {
  def: statusFlow,
  parseContext(raw) {
    const c = raw as Partial<StatusContext> | null;
    return c &&
      typeof c.householdId === 'number' &&
      typeof c.headName === 'string' &&
      typeof c.code === 'string' &&
      typeof c.from === 'string' &&
      typeof c.to === 'string' &&
      isHouseholdStatus(c.from) &&
      isHouseholdStatus(c.to)
      ? { householdId: c.householdId, headName: c.headName, code: c.code, from: c.from, to: c.to }
      : undefined;
  },
  async start(tx, actor, _now, arg) {
    const [id, to] = (arg ?? '').split(':');
    const household = await findOwnHousehold(tx, actor, Number(id));
    if (!household || !to || !isHouseholdStatus(to) || !isHouseholdStatus(household.status)) {
      return { ok: false, reason: { key: 'household.refused.not_found' } };
    }
    if (!nextStatuses(household.status).includes(to)) {
      return {
        ok: false,
        reason: { key: 'household.refused.changed', params: { status: statusLabel(household.status) } },
      };
    }
    if (to === 'approved' && !household.eligible) {
      return { ok: false, reason: { key: 'household.refused.ineligible' } };
    }
    return {
      ok: true,
      ctx: {
        householdId: household.id,
        headName: household.headName,
        code: household.code,
        from: household.status,
        to,
      },
    };
  },
  async submit(tx, actor, state: FlowState, now, inbound) {
    const ctx = state.ctx as StatusContext;
    // Conditional: if someone moved it meanwhile (or this is a second tap), nothing is written.
    if (!(await tx.households.moveStatus(ctx.householdId, ctx.from, ctx.to, now))) {
      return [{ key: 'household.refused.changed_meanwhile' }];
    }
    const photo = state.data.photo ? String(state.data.photo) : '';
    await tx.households.addEvent(
      {
        householdId: ctx.householdId,
        kind: 'status',
        fromStatus: ctx.from,
        toStatus: ctx.to,
        note: state.data.note ? String(state.data.note) : null,
        photos: photo ? [{ channel: inbound.channel, fileId: photo }] : [],
        personId: actor.personId,
        channel: inbound.channel,
      },
      now,
    );
    await tx.audit.record(
      {
        personId: actor.personId,
        channel: inbound.channel,
        action: 'household.status',
        entity: 'Household',
        entityId: String(ctx.householdId),
        before: { status: ctx.from },
        after: { status: ctx.to, photos: photo ? 1 : 0 },
      },
      now,
    );
    return [{ key: 'household.status.done', params: { name: ctx.headName, to: statusLabel(ctx.to) } }];
  },
};

const LIST_LIMIT = 40;

/**
 * The unit's households by status: first the statuses with their counts, then one status's list;
 * undefined for someone who is not a unit officer.
 */
export async function householdList(
  tx: Tx,
  actor: Actor,
  status: string | undefined,
): Promise<{ lines: Text[]; choices: Choice[][] } | undefined> {
  const unitIds = officerUnitIds(actor);
  if (unitIds.length === 0) {
    return undefined;
  }
  if (!status || !isHouseholdStatus(status)) {
    const counts = await tx.households.countsByUnit(unitIds);
    const byStatus = new Map<string, number>();
    for (const c of counts) {
      byStatus.set(c.status, (byStatus.get(c.status) ?? 0) + c.count);
    }
    const choices: Choice[][] = [...byStatus.entries()].map(([s, n]) => [
      { id: `menu:hhlist:${s}`, label: `${statusLabel(asStatus(s))}: ${n}` },
    ]);
    choices.push([{ id: 'menu:hhsearch', label: '🔎 Tìm hộ' }]);
    return { lines: [{ key: byStatus.size > 0 ? 'household.list.pick' : 'household.list.empty' }], choices };
  }
  const households = await tx.households.listByStatus(unitIds, status, LIST_LIMIT + 1);
  const shown = households.slice(0, LIST_LIMIT);
  const rows = shown.map((h, i) => `${i + 1}. ${h.headName} (${h.code}) – ${h.village}`).join('\n');
  const lines: Text[] = [{ key: 'household.list.title', params: { status: statusLabel(status), rows } }];
  if (households.length > LIST_LIMIT) {
    lines.push({ key: 'household.list.more', params: { limit: LIST_LIMIT } });
  }
  return {
    lines,
    choices: [
      [{ id: 'menu:hhlist', label: '↩︎ Các trạng thái' }],
      [{ id: 'menu:hhsearch', label: '🔎 Tìm hộ' }],
    ],
  };
}
