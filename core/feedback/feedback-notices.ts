import { unitPath } from '../access/access.ts';
import type { Text } from '../flows/flow.ts';
import { t } from '../messaging/catalog.ts';
import type { Choice } from '../messaging/message.ts';
import type { OutboxItem } from '../messaging/outbox.repository.ts';
import { dateInZone } from '../shared/calendar.ts';
import { formatDate } from '../shared/format.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import type { Tx } from '../unit-of-work.ts';
import type { FeedbackRecord } from './feedback.repository.ts';

/**
 * What is said about a feedback: its card for the officers and admins who handle it (with their
 * buttons), the notice of a new one to them, and the citizen's notice of a status change.
 */

/** The day a feedback was sent, in the campaign's zone (Vietnam has one). */
export const day = (d: Date) => formatDate(dateInZone(d, 'Asia/Ho_Chi_Minh'));

/** Notices show the start of the text; the whole text stays in the database. */
const NOTICE_TEXT = 500;

export function handlerChoices(f: FeedbackRecord): Choice[] {
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

export function cardHead(f: FeedbackRecord): Text {
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
export function handlerLines(f: FeedbackRecord): Text[] {
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
export async function notifyHandlers(tx: Tx, f: FeedbackRecord, now: Date): Promise<void> {
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
export async function notifyCitizen(tx: Tx, f: FeedbackRecord, now: Date): Promise<void> {
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
