import { z } from 'zod';
import { can, canAt, unitPath, unitsWhere } from '../access/access.ts';
import { zIdChoice, zOptionalText } from '../flows/answers.ts';
import type { FlowDef, Text } from '../flows/flow.ts';
import { defineFlow } from '../flows/flow-runner.ts';
import { t } from '../messaging/catalog.ts';
import type { Choice, Inbound } from '../messaging/message.ts';
import type { OutboxItem } from '../messaging/outbox.repository.ts';
import { type Actor, isGuest } from '../shared/actor.ts';
import { dateInZone } from '../shared/calendar.ts';
import { formatDate } from '../shared/format.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { firstLimitReached } from '../shared/rate-limit.ts';
import type { Tx } from '../unit-of-work.ts';
import {
  FEEDBACK_TOPICS,
  type FeedbackRecord,
  type FeedbackStatus,
  type FeedbackTopic,
} from './feedback.repository.ts';

/**
 * Citizen feedback (issue 7 §5). Anyone — no invite needed — tells the campaign about a household,
 * a construction or the fund of a ward or commune, with an optional photo. The feedback gets a
 * tracking number, goes to the unit's officers and the city admins, and the citizen is told when it
 * is handled and answered. A chat may send only a few a day and a week.
 */

/** At most this many feedbacks per chat in a rolling day and a rolling week. */
export const FEEDBACK_LIMITS = { perDay: 3, perWeek: 10 } as const;
const DAY_MS = 24 * 3_600_000;
const MAX_TEXT = 1000;
/** Notices show the start of the text; the whole text stays in the database. */
const NOTICE_TEXT = 500;

const TOPIC_LABELS: Record<FeedbackTopic, string> = {
  household: '🏠 Một hộ gia đình',
  construction: '🏗 Việc xây, sửa nhà',
  fund: '💰 Quỹ "Vì người nghèo"',
  other: '💬 Việc khác',
};

/** The day a feedback was sent, in the campaign's zone (Vietnam has one). */
const day = (d: Date) => formatDate(dateInZone(d, 'Asia/Ho_Chi_Minh'));

const ZOption = z.object({ id: z.number(), name: z.string() });
const ZFeedbackContext = z.object({ units: z.array(ZOption) });
export type FeedbackContext = z.infer<typeof ZFeedbackContext>;

const ZFeedbackAnswers = z.object({
  topic: z.enum(FEEDBACK_TOPICS),
  unit: zIdChoice,
  text: z.string().trim(),
  photo: zOptionalText,
  name: zOptionalText.transform((name) => name?.trim() || null),
});

export const feedbackFlow: FlowDef<FeedbackContext> = {
  id: 'feedback',
  version: 1,
  title: 'feedback.title',
  summaryHeader: () => [{ key: 'feedback.summary.header' }],
  steps: [
    {
      key: 'topic',
      kind: 'choice',
      label: 'feedback.field.topic',
      prompt: () => ({ key: 'feedback.ask.topic' }),
      choices: () => FEEDBACK_TOPICS.map((k) => ({ id: k, label: TOPIC_LABELS[k] })),
    },
    {
      key: 'unit',
      kind: 'choice',
      label: 'feedback.field.unit',
      prompt: () => ({ key: 'feedback.ask.unit' }),
      choices: (ctx) => ctx.units.map((u) => ({ id: String(u.id), label: u.name })),
    },
    {
      key: 'text',
      kind: 'text',
      label: 'feedback.field.text',
      prompt: () => ({ key: 'feedback.ask.text' }),
      maxLength: MAX_TEXT,
    },
    {
      key: 'photo',
      kind: 'photo',
      label: 'feedback.field.photo',
      prompt: () => ({ key: 'feedback.ask.photo' }),
      optional: true,
    },
    {
      key: 'name',
      kind: 'text',
      label: 'feedback.field.name',
      prompt: () => ({ key: 'feedback.ask.name' }),
      maxLength: 100,
      optional: true,
    },
  ],
};

/** How many more feedbacks the chat may send now; a refusal when none. */
async function rateLimited(
  tx: Tx,
  inbound: Pick<Inbound, 'channel' | 'chatId'>,
  now: Date,
): Promise<Text | undefined> {
  const count = (since: Date) => tx.feedback.countByChatSince(inbound.channel, inbound.chatId, since);
  return firstLimitReached<Text>(
    [
      {
        count,
        max: FEEDBACK_LIMITS.perDay,
        windowMs: DAY_MS,
        refusal: { key: 'feedback.refused.rate_day', params: { max: FEEDBACK_LIMITS.perDay } },
      },
      {
        count,
        max: FEEDBACK_LIMITS.perWeek,
        windowMs: 7 * DAY_MS,
        refusal: { key: 'feedback.refused.rate_week', params: { max: FEEDBACK_LIMITS.perWeek } },
      },
    ],
    now,
  );
}

export const feedbackRunner = defineFlow({
  def: feedbackFlow,
  context: ZFeedbackContext,
  answers: ZFeedbackAnswers,
  async start(tx) {
    const units = await tx.units.listByKinds(['ward', 'commune']);
    if (units.length === 0) {
      return { ok: false, reason: { key: 'feedback.refused.no_units' } };
    }
    return { ok: true, ctx: { units: units.map((u) => ({ id: u.id, name: u.name })) } };
  },
  async submit(tx, actor, { ctx, answers }, now, inbound) {
    // Checked again here: two conversations may have been open at once.
    const refusal = await rateLimited(tx, inbound, now);
    if (refusal) {
      return [refusal];
    }
    const unit = ctx.units.find((u) => u.id === answers.unit);
    if (!unit) {
      return [{ key: 'flow.stale_button' }];
    }
    const { topic, photo, name, text } = answers;
    const { id, ref } = await tx.feedback.create(
      {
        channel: inbound.channel,
        chatId: inbound.chatId,
        personId: isGuest(actor) ? null : actor.personId,
        name,
        unitId: unit.id,
        topic,
        text,
        photos: photo ? [{ channel: inbound.channel, fileId: photo }] : [],
      },
      now,
    );
    // The audit names the feedback, never its text or the citizen's chat.
    await tx.audit.record(
      {
        personId: isGuest(actor) ? null : actor.personId,
        channel: inbound.channel,
        action: 'feedback.create',
        entity: 'Feedback',
        entityId: String(id),
        after: { ref, unitId: unit.id, topic, photos: photo ? 1 : 0 },
      },
      now,
    );
    const stored = await tx.feedback.findById(id);
    if (stored) {
      await notifyHandlers(tx, stored, now);
    }
    return [{ key: 'feedback.created', params: { ref } }];
  },
});

/** Refuses a new feedback at once when the chat already sent its share. */
export async function startFeedbackRefusal(
  tx: Tx,
  inbound: Pick<Inbound, 'channel' | 'chatId'>,
  now: Date,
): Promise<Text | undefined> {
  return rateLimited(tx, inbound, now);
}

/** The wards and communes whose feedback the person handles. */
async function handledUnits(tx: Tx, actor: Actor): Promise<number[]> {
  const wards = await tx.units.listByKinds(['ward', 'commune']);
  return (await unitsWhere(tx.units, actor, 'feedback.handle', wards)).map((u) => u.id);
}

function handlerChoices(f: FeedbackRecord): Choice[] {
  const buttons: Choice[] = [];
  if (f.status === 'received') {
    buttons.push({
      id: menuButtonId('fbhandle', f.id),
      label: t('vi', 'feedback.button.handle', { ref: f.ref }),
    });
  }
  if (f.status !== 'answered') {
    buttons.push({
      id: menuButtonId('fbanswer', f.id),
      label: t('vi', 'feedback.button.answer', { ref: f.ref }),
    });
  }
  return buttons;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function cardHead(f: FeedbackRecord): Text {
  return {
    key: 'feedback.card.head',
    params: {
      ref: f.ref,
      topic: { key: `feedback.topic.${f.topic}` },
      unit: f.unitName,
      date: day(f.createdAt),
    },
  };
}

/** What officers and admins see of a feedback (never the citizen's chat). */
function handlerLines(f: FeedbackRecord): Text[] {
  const lines: Text[] = [
    cardHead(f),
    { key: 'feedback.card.from', params: { name: f.name ?? { key: 'feedback.anonymous' } } },
    { key: 'feedback.card.text', params: { text: clip(f.text, NOTICE_TEXT) } },
  ];
  if (f.photos.length > 0) {
    lines.push({ key: 'feedback.card.photos', params: { count: f.photos.length } });
  }
  lines.push({ key: 'feedback.card.status', params: { status: { key: `feedback.status.${f.status}` } } });
  if (f.answer) {
    lines.push({ key: 'feedback.card.answer', params: { answer: f.answer } });
  }
  return lines;
}

const render = (lines: Text[]) => lines.map((l) => t('vi', l.key, l.params)).join('\n');

/** The unit's officers and the admins above it hear of a new feedback, with the buttons. */
async function notifyHandlers(tx: Tx, f: FeedbackRecord, now: Date): Promise<void> {
  const { ancestors: above } = await unitPath(tx.units, f.unitId);
  const officers = (await tx.reminders.members(['unit_officer'])).filter((m) => m.unitId === f.unitId);
  const admins = (await tx.reminders.members(['admin'])).filter(
    (m) => m.unitId === f.unitId || above.includes(m.unitId),
  );
  const text = `${t('vi', 'feedback.notice.new')}\n${render(handlerLines(f))}`;
  const choices = [handlerChoices(f)];
  const seen = new Set<string>();
  const items: OutboxItem[] = [];
  for (const member of [...officers, ...admins]) {
    for (const c of member.chats) {
      const address = `${c.channel}:${c.chatId}`;
      // The citizen may be an officer too: they already have the receipt.
      if (seen.has(address) || (c.channel === f.channel && c.chatId === f.chatId)) {
        continue;
      }
      seen.add(address);
      items.push({
        channel: c.channel,
        chatId: c.chatId,
        message: { text, choices },
        idempotencyKey: `feedback:${f.id}:new:${address}`,
        purpose: 'notice',
        personId: member.personId,
      });
    }
  }
  await tx.outbox.enqueue(items, now);
}

/** The citizen's chat hears of a status change. */
async function notifyCitizen(tx: Tx, f: FeedbackRecord, now: Date): Promise<void> {
  const text =
    f.status === 'answered'
      ? t('vi', 'feedback.notice.answered', { ref: f.ref, answer: f.answer ?? '' })
      : t('vi', 'feedback.notice.handled', { ref: f.ref });
  await tx.outbox.enqueue(
    [
      {
        channel: f.channel,
        chatId: f.chatId,
        message: { text },
        idempotencyKey: `feedback:${f.id}:${f.status}`,
        purpose: 'notice',
        personId: f.personId,
      },
    ],
    now,
  );
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
      choices: [[{ id: menuButtonId('main'), label: '🏠 Menu' }]],
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
      maxLength: MAX_TEXT,
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
