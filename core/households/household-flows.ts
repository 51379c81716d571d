import { z } from 'zod';
import { unitsFor } from '../access/access.ts';
import { addressOf, closedRefusal } from '../campaigns/campaign-of.ts';
import { zOptionalText } from '../flows/answers.ts';
import type { FlowDef, Text } from '../flows/flow.ts';
import { defineFlow, type FlowStart, type SubmitResult } from '../flows/flow-runner.ts';
import { t } from '../messaging/catalog.ts';
import type { Choice } from '../messaging/message.ts';
import type { Actor } from '../shared/actor.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { normalizeVi } from '../shared/parse.ts';
import type { Tx } from '../unit-of-work.ts';
import { householdScope } from './allocation-scope.ts';
import type { HouseholdView } from './household.repository.ts';
import {
  HOUSEHOLD_NEED_LABELS,
  HOUSEHOLD_STATUSES,
  type HouseholdStatus,
  isHouseholdNeed,
  isHouseholdStatus,
} from './household.ts';
import { moveHouseholdStatus } from './move-status.ts';
import { needsPhoto, nextStatuses, statusLabel } from './status.ts';

/** What a unit officer may touch: the households of the units they report for. */
export function officerUnitIds(actor: Actor): number[] {
  return unitsFor(actor, 'household.view');
}

/** A household of the actor's units, or undefined (someone else's, or gone). */
export async function findOwnHousehold(tx: Tx, actor: Actor, id: number): Promise<HouseholdView | undefined> {
  const household = await tx.households.findById(id);
  return household && officerUnitIds(actor).includes(household.unitId) ? household : undefined;
}

const SEARCH_LIMIT = 8;

const ZSearchContext = z.object({
  unitIds: z.array(z.number()),
  /** What a found household leads to: its card, or (for the fund board) an allocation. */
  target: z.enum(['hh', 'alloc']).catch('hh'),
});
type SearchContext = z.infer<typeof ZSearchContext>;

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
export const householdSearchRunner = defineFlow({
  def: searchFlow,
  context: ZSearchContext,
  answers: z.object({ query: z.string() }),
  async start(tx, actor, _now, arg): Promise<FlowStart<SearchContext>> {
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
  async submit(tx, _actor, { ctx, answers: { query } }) {
    const found = await tx.households.search(ctx.unitIds, normalizeVi(query), SEARCH_LIMIT);
    const again = ctx.target === 'alloc' ? menuButtonId('alloc') : menuButtonId('hhsearch');
    if (found.length === 0) {
      return {
        lines: [{ key: 'household.search.none', params: { query } }],
        choices: [
          [{ id: again, label: '🔎 Tìm lại' }],
          [{ id: menuButtonId('main'), label: t('vi', 'menu.open') }],
        ],
      };
    }
    return {
      lines: [{ key: 'household.search.found', params: { count: found.length } }],
      choices: [
        ...found.map((h) => [{ id: menuButtonId(ctx.target, h.id), label: householdLabel(h) }]),
        [{ id: again, label: '🔎 Tìm lại' }],
      ],
    };
  },
});

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
    { id: menuButtonId('hhmove', h.id, to), label: `➡️ ${statusLabel(to)}` },
  ]);
  choices.push([{ id: menuButtonId('hhsearch'), label: '🔎 Tìm hộ khác' }]);
  return { lines, choices };
}

/**
 * What an action on one household ends with: its outcome, then the household's card as it is now
 * with its next steps as buttons (issue 18 §4: the next move is one tap, not five); the outcome
 * alone when the household is no longer the officer's.
 */
export async function withCard(
  tx: Tx,
  actor: Actor,
  householdId: number,
  outcome: Text,
): Promise<SubmitResult> {
  const household = await findOwnHousehold(tx, actor, householdId);
  if (!household) {
    return [outcome];
  }
  const card = householdCard(household);
  return {
    lines: [outcome, ...card.lines],
    choices: [...card.choices, [{ id: menuButtonId('main'), label: t('vi', 'menu.open') }]],
  };
}

const ZStatusContext = z.object({
  householdId: z.number(),
  headName: z.string(),
  code: z.string(),
  from: z.enum(HOUSEHOLD_STATUSES),
  to: z.enum(HOUSEHOLD_STATUSES),
});
type StatusContext = z.infer<typeof ZStatusContext>;

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
export const householdStatusRunner = defineFlow({
  def: statusFlow,
  context: ZStatusContext,
  answers: z.object({ photo: zOptionalText, note: zOptionalText }),
  async start(tx, actor, now, arg) {
    const [id, to] = (arg ?? '').split(':');
    const household = await findOwnHousehold(tx, actor, Number(id));
    if (!household || !to || !isHouseholdStatus(to) || !isHouseholdStatus(household.status)) {
      return { ok: false, reason: { key: 'household.refused.not_found' } };
    }
    // The household's own campaign: a closed one takes no change of status (issue 15 §1).
    const campaign = await tx.campaigns.findById(household.campaignId);
    const closed = campaign && (await closedRefusal(tx, campaign, 'household', now, addressOf(campaign)));
    if (closed) {
      return { ok: false, reason: closed };
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
  async submit(tx, actor, { ctx, answers }, now, inbound) {
    const { photo } = answers;
    const move = {
      householdId: ctx.householdId,
      from: ctx.from,
      to: ctx.to,
      note: answers.note,
      photos: photo ? [{ channel: inbound.channel, fileId: photo }] : [],
    };
    // Conditional: if someone moved it meanwhile (or this is a second tap), nothing is written.
    const moved = await moveHouseholdStatus(
      tx,
      move,
      { personId: actor.personId, channel: inbound.channel },
      now,
    );
    const outcome: Text = moved
      ? { key: 'household.status.done', params: { name: ctx.headName, to: statusLabel(ctx.to) } }
      : { key: 'household.refused.changed_meanwhile' };
    return withCard(tx, actor, ctx.householdId, outcome);
  },
});

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
      { id: menuButtonId('hhlist', s), label: `${statusLabel(asStatus(s))}: ${n}` },
    ]);
    choices.push([{ id: menuButtonId('hhsearch'), label: '🔎 Tìm hộ' }]);
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
      // The first households open with one tap, as search results do (their card, the next move).
      ...shown
        .slice(0, SEARCH_LIMIT)
        .map((h) => [{ id: menuButtonId('hh', h.id), label: `🏠 ${h.headName} · ${h.village}` }]),
      [{ id: menuButtonId('hhlist'), label: '↩︎ Các trạng thái' }],
      [{ id: menuButtonId('hhsearch'), label: '🔎 Tìm hộ' }],
    ],
  };
}
