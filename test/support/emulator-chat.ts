/**
 * Talking to the bot as a Telegram user through the Bot API emulator: send a text or press a button
 * and get back everything the bot answered (joined by blank lines), read the last keyboard.
 */

import type { BotApiEmulator, EmulatedContact, EmulatorUser, SentMessage } from './bot-api-emulator.ts';

export interface EmulatorChat {
  say(user: EmulatorUser, text: string): Promise<string>;
  /** Shares a contact (the share-contact button; someone else's with `contact.userId`). */
  shareContact(user: EmulatorUser, contact: EmulatedContact): Promise<string>;
  /** The buttons under the last message to `user`. */
  keyboard(user: EmulatorUser): { text: string; callback_data?: string }[];
  /** Presses the button whose data starts with `prefix` (and whose label holds `label`, if given). */
  press(user: EmulatorUser, prefix: string, label?: string): Promise<string>;
}

export function emulatorChat(emulator: () => BotApiEmulator): EmulatorChat {
  async function send(user: EmulatorUser, action: () => void): Promise<string> {
    const before = emulator().messagesTo(user.id).length;
    action();
    const messages = await emulator().waitForMessages(user.id, before + 1);
    return messages
      .slice(before)
      .map((m) => m.text)
      .join('\n\n');
  }
  function keyboard(user: EmulatorUser): { text: string; callback_data?: string }[] {
    const last = emulator().lastMessageTo(user.id);
    // A message taking away the share-contact keyboard gets its buttons by an edit.
    const markup = (
      last && takesReplyKeyboardAway(last)
        ? emulator().messageIn(user.id, last.messageId)?.reply_markup
        : last?.replyMarkup
    ) as { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined;
    return (markup?.inline_keyboard ?? []).flat();
  }
  return {
    say: (user, text) => send(user, () => emulator().sendText(user, text)),
    shareContact: (user, contact) => send(user, () => emulator().sendContact(user, contact)),
    keyboard,
    async press(user, prefix, label) {
      const last = emulator().lastMessageTo(user.id);
      if (last && takesReplyKeyboardAway(last)) {
        await emulator().waitForKeyboard(user.id, last.messageId);
      }
      const button = keyboard(user).find(
        (b) => b.callback_data?.startsWith(prefix) && (label === undefined || b.text.includes(label)),
      );
      const data = button?.callback_data;
      if (!last || !data) {
        throw new Error(
          `no button ${prefix} ${label ?? ''} in ${JSON.stringify(keyboard(user))}: ${last?.text}`,
        );
      }
      return send(user, () => emulator().pressButton(user, last.messageId, data));
    },
  };
}

export function takesReplyKeyboardAway(message: SentMessage): boolean {
  return (message.replyMarkup as { remove_keyboard?: boolean } | undefined)?.remove_keyboard === true;
}
