import { z } from 'zod';
import { zIdChoice, zOptionalText } from '../flows/answers.ts';
import type { FlowDef, Text } from '../flows/flow.ts';
import { defineFlow } from '../flows/flow-runner.ts';
import { t } from '../messaging/catalog.ts';
import { code } from '../messaging/markup.ts';
import type { Inbound } from '../messaging/message.ts';
import { isGuest } from '../shared/actor.ts';
import { dateInZone, toIsoDate } from '../shared/calendar.ts';
import { firstLimitReached } from '../shared/rate-limit.ts';
import type { Tx } from '../unit-of-work.ts';
import { placeInSentence } from '../units/kinds.ts';
import { FEEDBACK_TOPICS, type FeedbackTopic } from './feedback.repository.ts';
import { notifyHandlers } from './feedback-notices.ts';

/**
 * Citizen feedback (issue 7 §5). Anyone — no invite needed — tells the campaign about a household,
 * a construction or the fund of a ward or commune, with an optional photo. The feedback gets a
 * tracking number, goes to the unit's officers and the city admins, and the citizen is told when it
 * is handled and answered. A chat may send only a few a day and a week.
 */

/** At most this many feedbacks per chat in a rolling day and a rolling week. */
export const FEEDBACK_LIMITS = { perDay: 3, perWeek: 10 } as const;
const DAY_MS = 24 * 3_600_000;
/** The longest feedback, and the longest answer to one. */
export const FEEDBACK_MAX_TEXT = 1000;

const TOPIC_LABELS: Record<FeedbackTopic, string> = {
  household: '🏠 Một hộ gia đình',
  construction: '🏗 Việc xây, sửa nhà',
  fund: '💰 Quỹ "Vì người nghèo"',
  other: '💬 Việc khác',
};

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
      maxLength: FEEDBACK_MAX_TEXT,
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
      // No name given: the feedback is anonymous, and the summary says so.
      display: (value, _ctx, locale) => (value === '' ? t(locale, 'feedback.anonymous') : String(value)),
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
  async start(tx, _actor, now) {
    // The wards and communes as they are today: not those a reorganisation ended.
    const today = toIsoDate(dateInZone(now, 'Asia/Ho_Chi_Minh'));
    const units = (await tx.units.listAllDated()).filter(
      (u) =>
        (u.kind === 'ward' || u.kind === 'commune') &&
        u.validFrom <= today &&
        (u.validTo === null || u.validTo >= today),
    );
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
    return [{ key: 'feedback.created', params: { ref: code(ref), to: await handledBy(tx, unit) } }];
  },
});

/** Who the feedback went to, by name: "cán bộ phường Đức Xuân và Ủy ban MTTQ thành phố Bắc Kạn". */
async function handledBy(tx: Tx, unit: { id: number; name: string }): Promise<Text> {
  const parentId = (await tx.units.findById(unit.id))?.parentId;
  const above = parentId === null || parentId === undefined ? undefined : await tx.units.findById(parentId);
  const place = placeInSentence(unit.name);
  return above
    ? { key: 'feedback.to.both', params: { unit: place, above: placeInSentence(above.name) } }
    : { key: 'feedback.to.unit', params: { unit: place } };
}

/** Refuses a new feedback at once when the chat already sent its share. */
export async function startFeedbackRefusal(
  tx: Tx,
  inbound: Pick<Inbound, 'channel' | 'chatId'>,
  now: Date,
): Promise<Text | undefined> {
  return rateLimited(tx, inbound, now);
}
