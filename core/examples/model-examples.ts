import { z } from 'zod';
import { canAt, membershipsFor, type UnitTree } from '../access/access.ts';
import { campaignOf } from '../campaigns/campaign-of.ts';
import { zIdChoice, zOptionalText } from '../flows/answers.ts';
import type { FieldValue, FlowData, FlowDef, Text } from '../flows/flow.ts';
import { defineFlow } from '../flows/flow-runner.ts';
import type { Choice } from '../messaging/message.ts';
import type { AuditChannel } from '../messaging/outbox.repository.ts';
import type { Actor } from '../shared/actor.ts';
import { dateInZone } from '../shared/calendar.ts';
import { formatDate } from '../shared/format.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import type { Tx } from '../unit-of-work.ts';
import type { ModelExampleRow } from './model-example.repository.ts';

/**
 * Model examples (gương điển hình, issue 17 §4): an officer of a ward or commune, a member
 * organisation's leader or an admin records who did something worth following ("Gia đình ông
 * Nguyễn Văn A đã hiến 50 m² đất…"), with a photo if they have one. The leadership groups' digests,
 * the live board and the committee's report show them; whoever may record at the example's unit
 * withdraws it, and it is then shown nowhere.
 */

/** The longest "who" and "what". */
export const EXAMPLE_WHO_MAX = 150;
export const EXAMPLE_WHAT_MAX = 500;
/** A description shorter than this says nothing a reader could follow. */
const EXAMPLE_WHAT_MIN = 15;
/** How many of their own an officer's list shows. */
const MY_EXAMPLES_SHOWN = 10;

const ZUnit = z.object({ id: z.number(), name: z.string() });
const ZExampleContext = z.object({ campaignId: z.number(), units: z.array(ZUnit) });
export type ExampleContext = z.infer<typeof ZExampleContext>;

const ZExampleAnswers = z.object({
  unit: zIdChoice.optional(),
  who: z.string().trim(),
  what: z.string().trim(),
  photo: zOptionalText,
});

/** The unit picked so far (the only one when there was no choice). */
export function exampleUnit(
  ctx: ExampleContext,
  id: number | string | undefined,
): { id: number; name: string } | undefined {
  return id === undefined ? ctx.units[0] : ctx.units.find((u) => String(u.id) === String(id));
}

function unitAnswer(data: FlowData): string | undefined {
  const value: FieldValue | undefined = data.unit;
  return value === undefined ? undefined : String(value);
}

export const exampleFlow: FlowDef<ExampleContext> = {
  id: 'example',
  version: 1,
  title: 'example.title',
  summaryHeader: (ctx, data) => [
    { key: 'example.summary.header', params: { unit: exampleUnit(ctx, unitAnswer(data))?.name ?? '' } },
  ],
  steps: [
    {
      key: 'unit',
      kind: 'choice',
      label: 'example.field.unit',
      prompt: () => ({ key: 'example.ask.unit' }),
      choices: (ctx) => ctx.units.map((u) => ({ id: String(u.id), label: u.name })),
      when: (ctx) => ctx.units.length > 1,
    },
    {
      key: 'who',
      kind: 'text',
      label: 'example.field.who',
      prompt: () => ({ key: 'example.ask.who' }),
      maxLength: EXAMPLE_WHO_MAX,
    },
    {
      key: 'what',
      kind: 'text',
      label: 'example.field.what',
      prompt: (_ctx, data) => ({ key: 'example.ask.what', params: { who: String(data.who ?? '') } }),
      maxLength: EXAMPLE_WHAT_MAX,
      check: (value) =>
        String(value).trim().length < EXAMPLE_WHAT_MIN
          ? { key: 'example.rule.what_short', params: { min: EXAMPLE_WHAT_MIN } }
          : undefined,
    },
    {
      key: 'photo',
      kind: 'photo',
      label: 'example.field.photo',
      prompt: () => ({ key: 'example.ask.photo' }),
      optional: true,
    },
  ],
};

/** The units where the actor records examples, with their names (one per membership that grants it). */
function recordingUnits(actor: Actor): { id: number; name: string }[] {
  return membershipsFor(actor, 'example.record').map((m) => ({ id: m.unitId, name: m.unitName }));
}

export const exampleRunner = defineFlow({
  def: exampleFlow,
  context: ZExampleContext,
  answers: ZExampleAnswers,
  async start(tx, actor, now) {
    const units = recordingUnits(actor);
    if (units.length === 0) {
      return { ok: false, reason: { key: 'example.refused.not_recorder' } };
    }
    const campaign = await campaignOf(
      tx,
      units.map((u) => u.id),
      now,
    );
    if (!campaign) {
      return { ok: false, reason: { key: 'report.refused.no_campaign' } };
    }
    return { ok: true, ctx: { campaignId: campaign.id, units } };
  },
  async submit(tx, actor, { ctx, answers }, now, inbound) {
    const unit = exampleUnit(ctx, answers.unit);
    if (!unit) {
      return [{ key: 'flow.stale_button' }];
    }
    const photo = answers.photo ? { channel: inbound.channel, fileId: answers.photo } : null;
    const id = await tx.examples.create(
      {
        campaignId: ctx.campaignId,
        unitId: unit.id,
        who: answers.who,
        what: answers.what,
        photo,
        personId: actor.personId,
      },
      now,
    );
    await tx.audit.record(
      {
        personId: actor.personId,
        channel: inbound.channel,
        action: 'example.record',
        entity: 'ModelExample',
        entityId: String(id),
        after: { unitId: unit.id, who: answers.who, photo: photo ? 1 : 0 },
      },
      now,
    );
    // The main menu follows, with "📋 Gương đã ghi nhận" to see or withdraw it.
    return [{ key: 'example.recorded', params: { who: answers.who } }];
  },
});

/**
 * "Gương đã ghi nhận": the actor's own examples still shown, newest first, each a button to its card;
 * undefined for someone who records none.
 */
export async function myExamples(
  tx: Tx,
  actor: Actor,
  now: Date,
): Promise<{ lines: Text[]; choices: Choice[][] } | undefined> {
  const units = recordingUnits(actor);
  if (units.length === 0) {
    return undefined;
  }
  const add: Choice[] = [{ id: menuButtonId('example'), label: '➕ Ghi nhận gương mới' }];
  const campaign = await campaignOf(
    tx,
    units.map((u) => u.id),
    now,
  );
  const rows = campaign ? await tx.examples.listByPerson(campaign.id, actor.personId, MY_EXAMPLES_SHOWN) : [];
  if (!campaign || rows.length === 0) {
    return { lines: [{ key: 'example.mine.none' }], choices: [add] };
  }
  return {
    lines: [
      { key: 'example.mine.title' },
      ...rows.map((r) => ({
        key: 'example.mine.line' as const,
        params: { date: dayOf(r.createdAt, campaign.timeZone), who: r.who, unit: r.unitName ?? '' },
      })),
    ],
    choices: [
      ...rows.map((r) => [{ id: menuButtonId('excard', r.id), label: `🌟 ${r.who}`.slice(0, 60) }]),
      add,
    ],
  };
}

/** An example the actor may see and withdraw (one they may record at its unit); undefined otherwise. */
async function reachable(tx: Tx, actor: Actor, id: number): Promise<ModelExampleRow | undefined> {
  const row = await tx.examples.findById(id);
  return row && (await canAt(tx.units, actor, 'example.record', row.unitId)) ? row : undefined;
}

/** One example's card: who, what, where, when, its photo, and "Rút lại" while it is shown. */
export async function exampleCard(
  tx: Tx,
  actor: Actor,
  id: number,
): Promise<{ lines: Text[]; choices: Choice[][] } | undefined> {
  const row = await reachable(tx, actor, id);
  if (!row) {
    return undefined;
  }
  const zone = (await tx.campaigns.findById(row.campaignId))?.timeZone ?? 'Asia/Ho_Chi_Minh';
  const lines: Text[] = [
    { key: 'example.card.who', params: { who: row.who } },
    { key: 'example.card.unit', params: { unit: row.unitName ?? '', date: dayOf(row.createdAt, zone) } },
    { key: 'example.card.what', params: { what: row.what } },
  ];
  if (row.photo) {
    lines.push({ key: 'example.card.photo' });
  }
  if (row.withdrawnAt) {
    lines.push({ key: 'example.card.withdrawn', params: { date: dayOf(row.withdrawnAt, zone) } });
  } else {
    lines.push({ key: 'example.card.shown' });
  }
  const back: Choice[] = [{ id: menuButtonId('myexamples'), label: '📋 Gương đã ghi nhận' }];
  return {
    lines,
    choices: row.withdrawnAt
      ? [back]
      : [[{ id: menuButtonId('exwithdraw', row.id), label: '↩️ Rút lại' }], back],
  };
}

/** Withdraws an example: from then on no digest, board or report shows it. */
export async function withdrawExample(
  tx: Tx,
  actor: Actor,
  id: number,
  now: Date,
  channel: AuditChannel,
): Promise<Text[]> {
  const row = await reachable(tx, actor, id);
  if (!row) {
    return [{ key: 'example.refused.elsewhere' }];
  }
  if (!(await tx.examples.withdraw(row.id, now))) {
    return [{ key: 'example.already_withdrawn', params: { who: row.who } }];
  }
  await tx.audit.record(
    {
      personId: actor.personId,
      channel,
      action: 'example.withdraw',
      entity: 'ModelExample',
      entityId: String(row.id),
      after: { withdrawnAt: now.toISOString() },
    },
    now,
  );
  return [{ key: 'example.withdrawn', params: { who: row.who } }];
}

function dayOf(instant: Date, timeZone: string): string {
  return formatDate(dateInZone(instant, timeZone));
}

/**
 * Of `rows`, those of units at `areaUnitId` or under it (a city's digest shows its wards' and its
 * member organisations' examples, a ward's only its own). Parents are read once each.
 */
export async function examplesIn(
  units: UnitTree,
  areaUnitId: number,
  rows: readonly ModelExampleRow[],
): Promise<ModelExampleRow[]> {
  const parents = new Map<number, number | null>();
  const parentOf = async (id: number) => {
    if (!parents.has(id)) {
      parents.set(id, (await units.findById(id))?.parentId ?? null);
    }
    return parents.get(id) ?? null;
  };
  const out: ModelExampleRow[] = [];
  for (const row of rows) {
    const seen = new Set<number>();
    for (let id: number | null = row.unitId; id !== null && !seen.has(id); id = await parentOf(id)) {
      if (id === areaUnitId) {
        out.push(row);
        break;
      }
      seen.add(id);
    }
  }
  return out;
}
