import { z } from 'zod';
import { can, canAt, unitsWhere } from '../access/access.ts';
import type { FlowDef, Text } from '../flows/flow.ts';
import { defineFlow } from '../flows/flow-runner.ts';
import { t } from '../messaging/catalog.ts';
import type { Choice, Inbound } from '../messaging/message.ts';
import type { Actor } from '../shared/actor.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import type { Tx } from '../unit-of-work.ts';
import type { FeedbackRecord, FeedbackStatus } from './feedback.repository.ts';
import { FEEDBACK_MAX_TEXT } from './feedback.ts';
import { cardHead, day, handlerChoices, handlerLines, notifyCitizen } from './feedback-notices.ts';

/**
 * Handling citizen feedback: an officer or admin of the ward (or above it) marks it handled or
 * answers it, lists what is open, and anyone follows a feedback by its tracking number.
 */

/** The wards and communes whose feedback the person handles. */
async function handledUnits(tx: Tx, actor: Actor): Promise<number[]> {
  const wards = await tx.units.listByKinds(['ward', 'commune']);
  return (await unitsWhere(tx.units, actor, 'feedback.handle', wards)).map((u) => u.id);
}

async function changeStatus(
  tx: Tx,
  actor: Actor,
  f: FeedbackRecord,
  to: FeedbackStatus,
  from: readonly FeedbackStatus[],
  now: Date,
  inbound: Pick<Inbound, 'channel'>,
  answer?: string,
): Promise<FeedbackRecord | undefined> {
  const change = answer === undefined ? { handledBy: actor.personId } : { handledBy: actor.personId, answer };
  if (!(await tx.feedback.setStatus(f.id, from, to, change, now))) {
    return undefined;
  }
  await tx.audit.record(
    {
      personId: actor.personId,
      channel: inbound.channel,
      action: `feedback.${to}`,
      entity: 'Feedback',
      entityId: String(f.id),
      before: { status: f.status },
      after: { status: to },
    },
    now,
  );
  const updated = await tx.feedback.findById(f.id);
  if (updated) {
    await notifyCitizen(tx, updated, now);
  }
  return updated;
}

/** "Đã xử lý": an officer or admin marks a received feedback handled; the citizen is told. */
export async function markHandled(
  tx: Tx,
  actor: Actor,
  id: number,
  now: Date,
  inbound: Pick<Inbound, 'channel'>,
): Promise<Text[]> {
  const f = await tx.feedback.findById(id);
  if (!f || !(await canAt(tx.units, actor, 'feedback.handle', f.unitId))) {
    return [{ key: 'feedback.refused.not_handler' }];
  }
  const updated = await changeStatus(tx, actor, f, 'handled', ['received'], now, inbound);
  if (!updated) {
    return [
      { key: 'feedback.already', params: { ref: f.ref, status: { key: `feedback.status.${f.status}` } } },
    ];
  }
  return [{ key: 'feedback.handled', params: { ref: f.ref } }];
}

/** The open feedback of the person's units, each with its buttons. */
export async function openFeedback(
  tx: Tx,
  actor: Actor,
): Promise<{ lines: Text[]; choices: Choice[][] } | undefined> {
  if (!can(actor, 'feedback.handle')) {
    return undefined;
  }
  const open = await tx.feedback.listOpen(await handledUnits(tx, actor), 10);
  if (open.length === 0) {
    return {
      lines: [{ key: 'feedback.list.none' }],
      choices: [[{ id: menuButtonId('main'), label: t('vi', 'menu.open') }]],
    };
  }
  const lines: Text[] = [{ key: 'feedback.list.title', params: { count: open.length } }];
  for (const f of open) {
    lines.push({ key: 'feedback.list.gap' }, ...handlerLines(f));
  }
  return { lines, choices: open.map(handlerChoices).filter((row) => row.length > 0) };
}

/**
 * `/tracuu <ref>`: the status of a feedback, for the chat that sent it and for the officers and
 * admins of its unit; without a number, the chat's own latest feedbacks.
 */
export async function trackFeedback(
  tx: Tx,
  actor: Actor | undefined,
  inbound: Pick<Inbound, 'channel' | 'chatId'>,
  rawRef: string,
): Promise<Text[]> {
  const ref = normalizeRef(rawRef);
  if (!ref) {
    const mine = await tx.feedback.listByChat(inbound.channel, inbound.chatId, 5);
    if (mine.length === 0) {
      return [{ key: 'feedback.track.usage' }];
    }
    return [
      { key: 'feedback.track.mine' },
      ...mine.map((f) => ({
        key: 'feedback.track.line' as const,
        params: {
          ref: f.ref,
          date: day(f.createdAt),
          status: { key: `feedback.status.${f.status}` as const },
        },
      })),
    ];
  }
  const f = await tx.feedback.findByRef(ref);
  const own = f !== undefined && f.channel === inbound.channel && f.chatId === inbound.chatId;
  if (!f || !(own || (actor && (await canAt(tx.units, actor, 'feedback.handle', f.unitId))))) {
    // Someone else's number reads the same as a wrong one: nothing about it leaks.
    return [{ key: 'feedback.track.not_found', params: { ref } }];
  }
  if (!own) {
    return handlerLines(f);
  }
  const lines: Text[] = [
    cardHead(f),
    { key: 'feedback.card.status', params: { status: { key: `feedback.status.${f.status}` } } },
  ];
  if (f.answer) {
    lines.push({ key: 'feedback.card.answer', params: { answer: f.answer } });
  }
  return lines;
}

/** "pa-1", "PA 0001", "1" → "PA-0001"; undefined when it cannot be a tracking number. */
export function normalizeRef(raw: string): string | undefined {
  const m = /^\s*(?:pa\s*-?\s*)?(\d{1,6})\s*$/i.exec(raw);
  return m ? `PA-${m[1]?.padStart(4, '0')}` : undefined;
}

const ZAnswerContext = z.object({ id: z.number(), ref: z.string() });
type AnswerContext = z.infer<typeof ZAnswerContext>;

const answerFlow: FlowDef<AnswerContext> = {
  id: 'feedback-answer',
  version: 1,
  title: 'feedback.answer.title',
  confirm: false,
  summaryHeader: (ctx) => [{ key: 'feedback.answer.header', params: { ref: ctx.ref } }],
  steps: [
    {
      key: 'answer',
      kind: 'text',
      label: 'feedback.field.answer',
      prompt: (ctx) => ({ key: 'feedback.ask.answer', params: { ref: ctx.ref } }),
      maxLength: FEEDBACK_MAX_TEXT,
    },
  ],
};

/** "Trả lời": an officer or admin types the answer; it is stored and sent to the citizen's chat. */
export const feedbackAnswerRunner = defineFlow({
  def: answerFlow,
  context: ZAnswerContext,
  answers: z.object({ answer: z.string().trim() }),
  async start(tx, actor, _now, arg) {
    const f = await tx.feedback.findById(Number(arg));
    if (!f || !(await canAt(tx.units, actor, 'feedback.handle', f.unitId))) {
      return { ok: false, reason: { key: 'feedback.refused.not_handler' } };
    }
    if (f.status === 'answered') {
      return {
        ok: false,
        reason: {
          key: 'feedback.already',
          params: { ref: f.ref, status: { key: 'feedback.status.answered' } },
        },
      };
    }
    return { ok: true, ctx: { id: f.id, ref: f.ref } };
  },
  async submit(tx, actor, { ctx, answers: { answer } }, now, inbound) {
    const f = await tx.feedback.findById(ctx.id);
    if (!f || !(await canAt(tx.units, actor, 'feedback.handle', f.unitId))) {
      return [{ key: 'feedback.refused.not_handler' }];
    }
    const updated = await changeStatus(
      tx,
      actor,
      f,
      'answered',
      ['received', 'handled'],
      now,
      inbound,
      answer,
    );
    if (!updated) {
      return [
        { key: 'feedback.already', params: { ref: f.ref, status: { key: `feedback.status.${f.status}` } } },
      ];
    }
    return [{ key: 'feedback.answered', params: { ref: f.ref } }];
  },
});
