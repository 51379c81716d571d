import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bold, code } from '../../core/messaging/markup.ts';
import type { Inbound } from '../../core/messaging/message.ts';
import {
  type BotApiEmulator,
  type EmulatorUser,
  startBotApiEmulator,
} from '../../test/support/bot-api-emulator.ts';
import { createLogger } from '../logger.ts';
import { entitiesToHtml } from './chosen-mark.ts';
import { createTelegramBot } from './create-telegram-bot.ts';
import { createTelegramSender } from './telegram-sender.ts';

const user: EmulatorUser = { id: 4242, first_name: 'Tư' };

let emulator: BotApiEmulator;
beforeEach(async () => {
  emulator = await startBotApiEmulator();
});
afterEach(async () => {
  await emulator.close();
});

/** The real adapter, fed the emulator's updates one by one; the core is a stub answering in `locale`. */
function adapter(locale: 'vi' | 'en' = 'vi') {
  const handled: Inbound[] = [];
  const errors: unknown[] = [];
  const bot = createTelegramBot({
    token: emulator.token,
    apiRoot: emulator.apiRoot,
    botInfo: emulator.botInfo,
    handleInbound: async (inbound) => {
      handled.push(inbound);
      return { duplicate: false, replies: 0, locale };
    },
    log: createLogger({ level: 'silent', secrets: [] }),
  });
  bot.catch((error) => errors.push(error.error));
  const sender = createTelegramSender(bot.api);
  return { bot, sender, handled, errors };
}

const QUESTION = {
  text: `${bold('Chọn hộ gia đình')}\nĐăng ký ${code('UH-0001')}`,
  choices: [[{ id: 'hh:1', label: 'Nhà bà <Tư> & con' }], [{ id: 'hh:2', label: 'Nhà ông Ba' }]],
};

describe('a tapped inline keyboard', () => {
  it('goes away, and the message shows what was chosen, its formatting and the label as written', async () => {
    const { bot, sender, handled } = adapter();
    await sender.send(String(user.id), QUESTION);
    const [message] = emulator.messagesTo(user.id);
    const id = message?.messageId ?? -1;
    await bot.handleUpdate(emulator.pressButton(user, id, 'hh:1'));

    expect(handled.map((h) => h.choiceId)).toEqual(['hh:1']);
    await expect.poll(() => emulator.editsTo(user.id).length).toBe(1);
    const shown = emulator.messageIn(user.id, id);
    expect(shown?.reply_markup).toBeUndefined();
    expect(shown?.text).toBe('Chọn hộ gia đình\nĐăng ký UH-0001\n\n✔️ Đã chọn: Nhà bà <Tư> & con');
    expect(shown?.entities).toEqual([
      { type: 'bold', offset: 0, length: 16 },
      { type: 'code', offset: 25, length: 7 },
    ]);
    expect(emulator.editsTo(user.id).at(-1)?.raw).toContain('✔️ Đã chọn: Nhà bà &lt;Tư&gt; &amp; con');
    // The edit is no new message.
    expect(emulator.messagesTo(user.id)).toHaveLength(1);
  });

  it('says it in the language the person was answered in', async () => {
    const { bot, sender } = adapter('en');
    await sender.send(String(user.id), QUESTION);
    const id = emulator.messagesTo(user.id)[0]?.messageId ?? -1;
    await bot.handleUpdate(emulator.pressButton(user, id, 'hh:2'));
    await expect.poll(() => emulator.messageIn(user.id, id)?.text).toMatch(/\n\n✔️ Chosen: Nhà ông Ba$/);
  });

  it('a message Telegram will not edit keeps its keyboard, and the tap is handled all the same', async () => {
    const { bot, sender, handled, errors } = adapter();
    await sender.send(String(user.id), QUESTION);
    const id = emulator.messagesTo(user.id)[0]?.messageId ?? -1;
    emulator.failNext('editMessageText', 1, {
      error_code: 400,
      description: "Bad Request: message can't be edited",
    });
    emulator.failNext('editMessageReplyMarkup', 1, {
      error_code: 400,
      description: "Bad Request: message can't be edited",
    });
    await bot.handleUpdate(emulator.pressButton(user, id, 'hh:1'));
    expect(handled).toHaveLength(1);
    // Both edits were tried and refused.
    await expect.poll(() => emulator.calls.filter((c) => c.method.startsWith('editMessage')).length).toBe(2);
    expect(errors).toEqual([]);
    expect(emulator.messageIn(user.id, id)?.reply_markup).toBeDefined();
  });

  it('a text too long to take the line only loses its keyboard', async () => {
    const { bot, sender } = adapter();
    const long = { ...QUESTION, text: 'x'.repeat(4090) };
    await sender.send(String(user.id), long);
    const id = emulator.messagesTo(user.id)[0]?.messageId ?? -1;
    await bot.handleUpdate(emulator.pressButton(user, id, 'hh:1'));
    await expect
      .poll(() => emulator.editsTo(user.id).map((e) => e.method))
      .toEqual(['editMessageReplyMarkup']);
    expect(emulator.messageIn(user.id, id)).toMatchObject({ text: long.text });
    expect(emulator.messageIn(user.id, id)?.reply_markup).toBeUndefined();
  });
});

describe('entitiesToHtml', () => {
  it('gives back the HTML of a text: nested spans, emoji counted in UTF-16 units, the rest escaped', () => {
    const text = '🏠 Tổng <1> & mã UH-0001';
    expect(
      entitiesToHtml(text, [
        { type: 'bold', offset: 0, length: text.length },
        { type: 'code', offset: 17, length: 7 },
        { type: 'url', offset: 3, length: 4 },
      ]),
    ).toBe('<b>🏠 Tổng &lt;1&gt; &amp; mã <code>UH-0001</code></b>');
    expect(entitiesToHtml('a < b')).toBe('a &lt; b');
  });
});
