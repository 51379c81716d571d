import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../bot/app.ts';
import { TELEGRAM_TEXT_LIMIT } from '../bot/telegram/telegram-sender.ts';
import { MAX_BATCH_LINES } from '../core/funds/batch-pledges.ts';
import { createFixedClock } from '../core/shared/clock.ts';
import type { TempDatabase } from './support/app-harness.ts';
import type { BotApiEmulator, EmulatorUser, SentMessage } from './support/bot-api-emulator.ts';
import { CEREMONY_FIXED, CEREMONY_SIX, CEREMONY_TOTAL } from './support/ceremony-pledges.ts';
import { pledgedAt } from './support/db-reads.ts';
import { joinByInvite, startTelegramWorld, stopTelegramWorld } from './support/telegram-world.ts';

/**
 * Issue 17 §3 on Telegram (real grammY, the Bot API emulator over HTTP, the real app on the suite's
 * database): at Đức Xuân's launch ceremony its officer sends six announced pledges in one message,
 * one of them unreadable, corrects it, confirms and reads six references; the ward's pledged total
 * rises by exactly their sum, and the confirmation delivered again by Telegram writes nothing more.
 * A leader, who keeps no fund level, is refused. Fifty long lines fit Telegram's limit: the summary
 * comes in parts of at most 4,096 characters with the buttons under the last.
 */

const officer: EmulatorUser = { id: 9101, first_name: 'Lan' };
const leader: EmulatorUser = { id: 9102, first_name: 'Hoa' };
const clock = createFixedClock('2025-03-10T03:00:00Z');
let emulator: BotApiEmulator;
let db: TempDatabase;
let app: App;
let ward: number;

/** Does `action`, then waits until a message to `user` contains `until` (the reply's last part). */
async function exchange(user: EmulatorUser, action: () => unknown, until: string): Promise<SentMessage[]> {
  const before = emulator.messagesTo(user.id).length;
  action();
  for (let count = before + 1; ; count += 1) {
    const got = (await emulator.waitForMessages(user.id, count)).slice(before);
    if (got.some((m) => (m.text ?? '').includes(until))) {
      return got;
    }
  }
}

const text = (messages: SentMessage[]) => messages.map((m) => m.text).join('\n\n');
const say = async (user: EmulatorUser, message: string, until: string) =>
  text(await exchange(user, () => emulator.sendText(user, message), until));

function buttonData(user: EmulatorUser, prefix: string): { messageId: number; data: string } {
  const last = emulator.lastMessageTo(user.id);
  const markup = last?.replyMarkup as { inline_keyboard?: { callback_data?: string }[][] } | undefined;
  const data = (markup?.inline_keyboard ?? [])
    .flat()
    .map((b) => b.callback_data ?? '')
    .find((d) => d.startsWith(prefix));
  if (!last || !data) {
    throw new Error(`no button ${prefix} under: ${last?.text}`);
  }
  return { messageId: last.messageId, data };
}

async function press(user: EmulatorUser, prefix: string, until: string) {
  const { messageId, data } = buttonData(user, prefix);
  let update: ReturnType<BotApiEmulator['pressButton']> | undefined;
  const messages = await exchange(user, () => (update = emulator.pressButton(user, messageId, data)), until);
  return { text: text(messages), messages, update };
}

const pledged = () => pledgedAt(app.db, ward);

const pledgeCount = () => app.prisma.pledge.count();

beforeAll(async () => {
  ({ emulator, db, app } = await startTelegramWorld({ clock }));
  ward = (
    await app.prisma.unit.findFirstOrThrow({ orderBy: { validFrom: 'desc' }, where: { code: '01840' } })
  ).id;
  expect(await joinByInvite({ emulator, app }, officer, 'LE7M2XPA', 'unit_officer', '01840')).toContain(
    'Đăng ký thành công',
  );
  expect(await joinByInvite({ emulator, app }, leader, 'LE7M2XPB', 'leader', '058')).toContain(
    'Đăng ký thành công',
  );
});

afterAll(() => stopTelegramWorld({ app, emulator, db }));

describe('pledges announced at the ceremony, on Telegram', () => {
  it('six lines with one corrected give six references, and the pledged total rises by their sum once', async () => {
    expect(await say(officer, '/menu', 'chọn một việc')).toContain('Anh/chị chọn một việc');
    const ask = await press(officer, 'menu:batchpledge', 'mỗi dòng một nhà hảo tâm');
    expect(ask.text).toContain('Công ty A 50tr');
    const read = await say(officer, CEREMONY_SIX, 'Bỏ qua các dòng này');
    expect(read).toContain('Đã đọc được 5 đăng ký. Còn 1 dòng chưa đọc được:');
    expect(read).toContain('«Ông Nguyễn Văn B 5 bao xi măng»: hiện vật, ngày công cần ghi giá trị quy đổi');
    await say(officer, CEREMONY_FIXED, 'Công khai tên');
    const summary = await press(officer, 'publicName:yes', 'kiểm tra lại');
    expect(summary.text).toContain(
      '6 đăng ký vào Quỹ "Vì người nghèo" phường Đức Xuân, tổng 1.575.500.000 đ:',
    );
    expect(summary.text).toContain('3. Ông Nguyễn Văn B — 5 bao xi măng, trị giá 500.000 đ (cá nhân)');
    const before = await pledged();
    const done = await press(officer, '@confirm:yes', 'Đã ghi nhận 6 đăng ký');
    const refs = done.text.match(/UH-\d{4}/g) ?? [];
    expect(new Set(refs).size).toBe(6);
    expect(done.text).toContain('— Trường THCS Đức Xuân: 10 ngày công, trị giá 3.000.000 đ');
    expect(await pledgeCount()).toBe(6);
    expect((await pledged()) - before).toBe(CEREMONY_TOTAL);

    // Telegram delivers the confirmation again: nothing more is written or sent.
    const update = done.update;
    if (!update) {
      throw new Error('no update');
    }
    emulator.redeliver(update);
    // A later message proves the redelivery was handled (a chat's updates are handled in order).
    await say(officer, '/help', 'Các lệnh');
    expect(await pledgeCount()).toBe(6);
    expect((await pledged()) - before).toBe(CEREMONY_TOTAL);
    expect(
      emulator.messagesTo(officer.id).filter((m) => (m.text ?? '').includes('Đã ghi nhận 6 đăng ký')),
    ).toHaveLength(1);
  });

  it('refuses a leader, who keeps no fund level', async () => {
    const refused = await say(leader, '/ghiungho', 'Chức năng này dành cho');
    expect(refused).toContain('Chức năng này dành cho cán bộ Quỹ "Vì người nghèo", cán bộ và quản trị viên');
    expect(await pledgeCount()).toBe(6);
  });

  it(`fits ${MAX_BATCH_LINES} long lines in Telegram's messages`, async () => {
    await say(officer, '/ghiungho', 'mỗi dòng một nhà hảo tâm');
    const lines = Array.from(
      { length: MAX_BATCH_LINES },
      (_, i) => `${i + 1}. Công ty CP Xây dựng Thương mại Đức Xuân số ${i + 1}: ${i + 1} triệu`,
    );
    // One message as Telegram takes it (at most 4,096 characters); the summary is longer.
    expect(lines.join('\n').length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    await say(officer, lines.join('\n'), 'Công khai tên');
    const summary = await press(officer, 'publicName:no', 'kiểm tra lại');
    expect(summary.messages.length).toBeGreaterThan(1);
    for (const m of summary.messages) {
      expect((m.text ?? '').length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    }
    expect(summary.text).toContain(`${MAX_BATCH_LINES} đăng ký vào`);
    expect(summary.text).toContain(
      `${MAX_BATCH_LINES}. Công ty CP Xây dựng Thương mại Đức Xuân số ${MAX_BATCH_LINES} — ${MAX_BATCH_LINES}.000.000 đ (doanh nghiệp)`,
    );
    expect(buttonData(officer, '@confirm:yes').data).toBe('@confirm:yes');
    const done = await press(officer, '@confirm:yes', `số ${MAX_BATCH_LINES}: ${MAX_BATCH_LINES}.000.000 đ`);
    expect(done.text.match(/UH-\d{4}/g)).toHaveLength(MAX_BATCH_LINES);
    expect(await pledgeCount()).toBe(6 + MAX_BATCH_LINES);
  });
});
