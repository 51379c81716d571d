import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../bot/app.ts';
import { t } from '../core/messaging/catalog.ts';
import { createFixedClock } from '../core/shared/clock.ts';
import type { TempDatabase } from './support/app-harness.ts';
import type { BotApiEmulator, EmulatorUser } from './support/bot-api-emulator.ts';
import { emulatorChat } from './support/emulator-chat.ts';
import { startTelegramWorld, stopTelegramWorld } from './support/telegram-world.ts';

/**
 * The share-contact button (issue 18 §4), end to end on Telegram (real grammY, the Bot API emulator
 * over HTTP, the real app): a donor without an invite is asked their phone with a one-time
 * "📱 Gửi số điện thoại của tôi" button; someone else's contact is politely refused and the same
 * question asked again; their own contact answers it, the button goes away with the next message
 * (whose buttons come by an edit) and the pledge keeps the number normalised.
 */

const donor: EmulatorUser = { id: 8801, first_name: 'Bình' };
const clock = createFixedClock('2025-03-10T03:00:00Z');
let emulator: BotApiEmulator;
let db: TempDatabase;
let app: App;
const chat = emulatorChat(() => emulator);

beforeAll(async () => {
  ({ emulator, db, app } = await startTelegramWorld({ clock }));
});

afterAll(() => stopTelegramWorld({ app, emulator, db }));

describe('a phone number asked on Telegram', () => {
  it('comes with a one-time button sharing the sender’s own contact', async () => {
    expect(await chat.say(donor, '/ungho')).toContain('Người ủng hộ là');
    await chat.press(donor, 'donorKind:individual');
    expect(await chat.say(donor, 'Lê Văn Bình')).toContain(t('vi', 'pledge.ask.phone'));
    const asked = emulator.lastMessageTo(donor.id);
    expect(asked?.replyMarkup).toEqual({
      keyboard: [[{ text: '📱 Gửi số điện thoại của tôi', request_contact: true }]],
      one_time_keyboard: true,
      resize_keyboard: true,
    });
    expect(emulator.replyKeyboardOf(donor.id)).toBeDefined();
  });

  it("refuses someone else's contact politely and asks the same question again", async () => {
    const reply = await chat.shareContact(donor, {
      phoneNumber: '84987654321',
      firstName: 'Chị Hoa',
      userId: 9999,
    });
    expect(reply).toContain('Số vừa gửi không phải của anh/chị.');
    expect(reply).toContain(t('vi', 'pledge.ask.phone'));
    expect(emulator.lastMessageTo(donor.id)?.replyMarkup).toMatchObject({
      keyboard: [[{ request_contact: true }]],
    });
  });

  it('takes the own contact as the answer; the button goes with the next question, which keeps its buttons', async () => {
    const reply = await chat.shareContact(donor, { phoneNumber: '84912345678' });
    expect(reply).toContain(t('vi', 'pledge.ask.workplace'));
    const next = emulator.lastMessageTo(donor.id);
    expect(next?.replyMarkup).toEqual({ remove_keyboard: true });
    expect(emulator.replyKeyboardOf(donor.id)).toBeUndefined();
    // The inline keyboard arrives by an edit of that message.
    await emulator.waitForKeyboard(donor.id, next?.messageId ?? -1);
    expect(chat.keyboard(donor).map((b) => b.callback_data)).toContain('workplace:');

    let asked = await chat.press(donor, 'workplace:');
    await chat.press(donor, 'kind:money');
    asked = await chat.say(donor, '2 triệu');
    while (!asked.includes(t('vi', 'flow.summary.ask'))) {
      asked = await chat.press(donor, chat.keyboard(donor)[0]?.callback_data ?? '');
    }
    expect(asked).toContain('0912 345 678');
    expect(await chat.press(donor, '@confirm:yes')).toContain('Số đăng ký: UH-');
    const pledge = await app.prisma.pledge.findFirstOrThrow({ orderBy: { id: 'desc' } });
    expect(pledge.donorPhone).toBe('0912345678');
  });

  it('a shared contact where no phone is asked is not taken for an answer', async () => {
    const reply = await chat.shareContact(donor, { phoneNumber: '84912345678' });
    expect(reply).not.toContain('0912');
    expect(await app.prisma.pledge.count()).toBe(1);
  });
});
