import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../bot/app.ts';
import { createFixedClock } from '../core/shared/clock.ts';
import type { TempDatabase } from './support/app-harness.ts';
import type { BotApiEmulator, EmulatorUser } from './support/bot-api-emulator.ts';
import { emulatorChat } from './support/emulator-chat.ts';
import { joinByInvite, startTelegramWorld, stopTelegramWorld } from './support/telegram-world.ts';

/**
 * An appeal on Telegram end to end (real grammY, the Bot API emulator over HTTP, the real app and its
 * outbox on the suite's database): the city's admin writes the letter, adds a photo and sends it to
 * the member organisations; each of them gets the photo (by its Telegram file id) and the letter with
 * the forwardable link and the two buttons, the one who stopped appeals gets nothing; the recipient
 * pledges from the button and a stranger from the link, and both pledges name the appeal.
 */

const admin: EmulatorUser = { id: 9101, first_name: 'Hùng' };
const member: EmulatorUser = { id: 9102, first_name: 'Mai' };
const stopped: EmulatorUser = { id: 9103, first_name: 'Lan' };
const stranger: EmulatorUser = { id: 9104, first_name: 'Bình' };
const clock = createFixedClock('2025-03-10T03:00:00Z');
const LETTER =
  'Kính gửi hội viên Hội Liên hiệp Phụ nữ: hãy chung tay ủng hộ Quỹ "Vì người nghèo" để xóa nhà tạm, nhà dột nát trong năm 2025.';
let emulator: BotApiEmulator;
let db: TempDatabase;
let app: App;

const { say, press, keyboard } = emulatorChat(() => emulator);

/** Sends a photo and returns what the bot answered. */
async function photo(user: EmulatorUser, fileId: string): Promise<string> {
  const before = emulator.messagesTo(user.id).length;
  emulator.sendPhoto(user, fileId);
  return (await emulator.waitForMessages(user.id, before + 1)).at(-1)?.text ?? '';
}

beforeAll(async () => {
  ({ emulator, db, app } = await startTelegramWorld({ clock }, (e) => ({
    TELEGRAM_BOT_USERNAME: e.botInfo.username,
  })));
  await joinByInvite({ emulator, app }, admin, 'AD7M2XPA', 'admin', '058');
  await joinByInvite({ emulator, app }, member, 'PH7M2XPB', 'org_leader', 'HLHPN-058');
  await joinByInvite({ emulator, app }, stopped, 'PH7M2XPC', 'org_leader', 'HLHPN-058');
  expect(await say(stopped, '/tatthongbao')).toContain('không nhận thư kêu gọi ủng hộ nữa');
});

afterAll(() => stopTelegramWorld({ app, emulator, db }));

describe('an appeal on Telegram', () => {
  it('the admin writes it, adds a photo and sends it to the member organisations', async () => {
    expect(await say(admin, '/thukeugoi')).toContain('nội dung thư kêu gọi');
    expect(await say(admin, LETTER)).toContain('ảnh kèm theo');
    expect(await photo(admin, 'appeal-photo-1')).toContain('Gửi thư đến những ai?');
    const summary = await press(admin, 'audiences:members');
    expect(summary).toContain('• Tổ chức thành viên:');
    expect(summary).toContain('Không gửi cho 1 nơi đã từ chối nhận thư kêu gọi');
    expect(await press(admin, '@confirm:yes')).toMatch(/Đã gửi thư kêu gọi KG1 đến \d+ nơi nhận/);
  });

  it('a member receives the photo, then the letter with the link and the two buttons', async () => {
    const [picture, text] = await emulator.waitForMessages(member.id, 3).then((all) => all.slice(-2));
    expect(picture?.method).toBe('sendPhoto');
    expect(picture?.payload.photo).toBe('appeal-photo-1');
    expect(text?.text).toContain(LETTER);
    expect(text?.text).toContain(`https://t.me/${emulator.botInfo.username}?start=ungho-KG1`);
    expect(keyboard(member).map((b) => b.text)).toEqual([
      '💝 Đăng ký ủng hộ',
      '🔕 Không nhận thư kêu gọi nữa',
    ]);
    // The one who stopped appeals got nothing after their confirmation.
    expect(emulator.lastMessageTo(stopped.id)?.text).toContain('không nhận thư kêu gọi ủng hộ nữa');
    const queued = await app.prisma.outbox.findMany({ where: { purpose: 'appeal', channel: 'telegram' } });
    expect(queued.map((r) => r.chatId).sort()).toEqual([String(member.id)]);
  });

  it('the member pledges from the button; the pledge names the appeal', async () => {
    expect(await press(member, 'menu:appealpledge:')).toContain('hình thức');
    await press(member, 'kind:money');
    await say(member, '20 triệu');
    await press(member, 'target:0');
    await press(member, 'dueOn:');
    expect(await press(member, 'publicName:yes')).toContain('Theo thư kêu gọi KG1');
    expect(await press(member, '@confirm:yes')).toContain('Số đăng ký: UH-');
    const appeal = await app.prisma.appeal.findFirstOrThrow({ where: { code: 'KG1' } });
    expect(await app.prisma.pledge.count({ where: { appealId: appeal.id } })).toBe(1);
  });

  it('a stranger opens the forwarded link and pledges; that pledge names the appeal too', async () => {
    await say(stranger, '/start ungho-KG1');
    await press(stranger, 'donorKind:individual');
    await say(stranger, 'Nguyễn Văn Bình');
    await say(stranger, '0912 345 678');
    await press(stranger, 'workplace:');
    await press(stranger, 'kind:money');
    let reply = await say(stranger, '1 triệu');
    while (!reply.includes('dự kiến nộp')) {
      const pick = keyboard(stranger).find((b) =>
        /^(level|target):/.test(b.callback_data ?? ''),
      )?.callback_data;
      if (!pick) {
        throw new Error(`unexpected question: ${reply}`);
      }
      reply = await press(stranger, pick);
    }
    await press(stranger, 'dueOn:');
    expect(await press(stranger, 'publicName:no')).toContain('Theo thư kêu gọi KG1');
    const receipt = await press(stranger, '@confirm:yes');
    expect(receipt).toContain('Anh/chị có muốn nhận tin về cuộc vận động không?');
    const appeal = await app.prisma.appeal.findFirstOrThrow({ where: { code: 'KG1' } });
    expect(await app.prisma.pledge.count({ where: { appealId: appeal.id } })).toBe(2);
  });
});
