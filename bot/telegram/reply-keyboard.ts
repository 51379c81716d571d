import type { InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove } from 'grammy/types';
import type { Outbound } from '../../core/messaging/message.ts';

/**
 * The share-contact button (issue 18 §4): where a question asks the sender's phone, Telegram shows a
 * one-time reply keyboard with one button that sends their own contact; the next message takes it
 * away (`removeKeyboard`). A message has one `reply_markup`, so a part that must take the reply
 * keyboard away and carry an inline keyboard too is sent with the first and given the second by an
 * edit (`thenInline`).
 */
export interface PartMarkup {
  reply_markup?: InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove;
  /** The inline keyboard to put on the part once sent (editMessageReplyMarkup). */
  thenInline?: InlineKeyboardMarkup;
}

/** The markup of part `index` of `count` of a message; `inline` builds its inline keyboard. */
export function partMarkup(
  message: Outbound,
  index: number,
  count: number,
  inline: () => InlineKeyboardMarkup,
): PartMarkup {
  const last = index === count - 1;
  const inlineHere = last && (message.choices || message.suggestions) ? inline() : undefined;
  const contactHere = last && message.requestContact && !inlineHere ? message.requestContact : undefined;
  // A new reply keyboard replaces the old one: nothing to take away then.
  const removeHere = index === 0 && message.removeKeyboard === true && !message.requestContact;
  if (contactHere) {
    return {
      reply_markup: {
        keyboard: [[{ text: contactHere.label, request_contact: true }]],
        one_time_keyboard: true,
        resize_keyboard: true,
      },
    };
  }
  if (removeHere) {
    return { reply_markup: { remove_keyboard: true }, ...(inlineHere ? { thenInline: inlineHere } : {}) };
  }
  return inlineHere ? { reply_markup: inlineHere } : {};
}
