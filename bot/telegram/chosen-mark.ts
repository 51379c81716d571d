import type { Api } from 'grammy';
import type { Message, MessageEntity } from 'grammy/types';
import { type Locale, t } from '../../core/messaging/catalog.ts';
import { escapeHtml } from '../../core/messaging/markup.ts';
import type { Logger } from '../logger.ts';
import { TELEGRAM_TEXT_LIMIT } from './telegram-sender.ts';

/** The tags of the entities a text of ours can carry (telegram-sender renders bold and code). */
const TAGS: Partial<Record<MessageEntity['type'], string>> = {
  bold: 'b',
  italic: 'i',
  underline: 'u',
  strikethrough: 's',
  code: 'code',
};

/**
 * A message's text as Telegram HTML again, from the visible text and its entities (offsets in
 * UTF-16 units, as JavaScript strings count): the text edited with a line added keeps its bold
 * headings and its references in monospace. Entities of other kinds are dropped (shown plain).
 */
export function entitiesToHtml(text: string, entities: readonly MessageEntity[] = []): string {
  const spans = entities
    .flatMap((e) => {
      const tag = TAGS[e.type];
      return tag ? [{ tag, start: e.offset, end: e.offset + e.length }] : [];
    })
    .sort((a, b) => a.start - b.start || b.end - a.end);
  let html = '';
  let at = 0;
  const open: { tag: string; end: number }[] = [];
  const closeUpTo = (position: number) => {
    for (let top = open.at(-1); top && top.end <= position; top = open.at(-1)) {
      html += `${escapeHtml(text.slice(at, top.end))}</${top.tag}>`;
      at = top.end;
      open.pop();
    }
  };
  for (const span of spans) {
    closeUpTo(span.start);
    // A span that crosses the end of an enclosing one cannot nest in HTML: it is left plain.
    if (span.end > (open.at(-1)?.end ?? Number.POSITIVE_INFINITY)) {
      continue;
    }
    html += `${escapeHtml(text.slice(at, span.start))}<${span.tag}>`;
    at = span.start;
    open.push(span);
  }
  closeUpTo(Number.POSITIVE_INFINITY);
  return html + escapeHtml(text.slice(at));
}

/** The label of the button a tap sent `data` from, in the tapped message's keyboard. */
export function tappedLabel(message: Message, data: string): string | undefined {
  for (const row of message.reply_markup?.inline_keyboard ?? []) {
    for (const button of row) {
      if ('callback_data' in button && button.callback_data === data) {
        return button.text;
      }
    }
  }
  return undefined;
}

/**
 * After a tap on an inline button, the tapped message loses its keyboard and shows what was chosen
 * ("✔️ Đã chọn: Tháng 3"), so an old question cannot be answered twice by mistake and the chat
 * reads as a record. The core answers the tap itself, a stale one included. A message Telegram
 * will not edit (too old, deleted, already changed) is left as it is: the tap's handling goes on.
 */
export async function markChosen(
  api: Pick<Api, 'editMessageText' | 'editMessageReplyMarkup'>,
  message: Message | undefined,
  data: string,
  locale: Locale,
  log: Pick<Logger, 'info'>,
): Promise<void> {
  if (!message?.reply_markup) {
    return;
  }
  const chatId = message.chat.id;
  const label = tappedLabel(message, data);
  const mark = label === undefined ? undefined : t(locale, 'telegram.chosen', { label });
  const failed = (error: unknown) => {
    log.info({ err: error, messageId: message.message_id }, 'the tapped message could not be marked');
  };
  if (message.text !== undefined && mark !== undefined) {
    const text = `${message.text}\n\n${mark}`;
    if (text.length <= TELEGRAM_TEXT_LIMIT) {
      const html = `${entitiesToHtml(message.text, message.entities)}\n\n${escapeHtml(mark)}`;
      try {
        await api.editMessageText(chatId, message.message_id, html, { parse_mode: 'HTML' });
        return;
      } catch (error) {
        // The keyboard alone may still go (the text refused, say).
        failed(error);
      }
    }
  }
  await api.editMessageReplyMarkup(chatId, message.message_id).catch(failed);
}
