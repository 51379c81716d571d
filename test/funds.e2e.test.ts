import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../bot/app.ts';
import { createFixedClock } from '../core/shared/clock.ts';
import { startApp, tempDatabase } from './support/app-harness.ts';
import { type BotApiEmulator, type EmulatorUser, startBotApiEmulator } from './support/bot-api-emulator.ts';

/**
 * Issue 5 end to end on Telegram (real grammY, a local Bot API emulator over HTTP, the real app on the
 * suite's database): the Women's Union leader pledges 50 triệu, the fund officer records 20 and 30 triệu
 * and the pledge becomes paid, 60 triệu is allocated to an approved new-build household, and the
 * public summary shows it all. Bad amounts are refused with the same question and nothing saved.
 */

const leader: EmulatorUser = { id: 8101, first_name: 'Mai' };
const officer: EmulatorUser = { id: 8102, first_name: 'Thu' };
const citizen: EmulatorUser = { id: 8103, first_name: 'Dân' };
const clock = createFixedClock('2025-03-10T03:00:00Z');
let emulator: BotApiEmulator;
let db: ReturnType<typeof tempDatabase>;
let app: App;

async function send(user: EmulatorUser, action: () => void): Promise<string> {
  const before = emulator.messagesTo(user.id).length;
  action();
  const messages = await emulator.waitForMessages(user.id, before + 1);
  return messages
    .slice(before)
    .map((m) => m.text)
    .join('\n\n');
}

const say = (user: EmulatorUser, text: string) => send(user, () => emulator.sendText(user, text));

function buttons(user: EmulatorUser): string[] {
  const markup = emulator.lastMessageTo(user.id)?.replyMarkup as
    | { inline_keyboard?: { callback_data?: string }[][] }
    | undefined;
  return (markup?.inline_keyboard ?? []).flat().map((b) => b.callback_data ?? '');
}

function press(user: EmulatorUser, prefix: string): Promise<string> {
  const last = emulator.lastMessageTo(user.id);
  const data = buttons(user).find((b) => b.startsWith(prefix));
  if (!last || !data) {
    throw new Error(`no button ${prefix} in ${JSON.stringify(buttons(user))}: ${last?.text}`);
  }
  return send(user, () => emulator.pressButton(user, last.messageId, data));
}

const entryCount = () => app.prisma.fundEntry.count();

beforeAll(async () => {
  emulator = await startBotApiEmulator();
  db = tempDatabase();
  app = await startApp(
    { DATABASE_URL: db.url, TELEGRAM_BOT_TOKEN: emulator.token, TELEGRAM_API_ROOT: emulator.apiRoot },
    { clock, telegramBotInfo: emulator.botInfo },
  );
  const women = await app.prisma.unit.findFirstOrThrow({
    orderBy: { validFrom: 'desc' },
    where: { code: 'HLHPN-058' },
  });
  const city = await app.prisma.unit.findFirstOrThrow({
    orderBy: { validFrom: 'desc' },
    where: { code: '058' },
  });
  const expiresAt = new Date('2025-12-31');
  await app.prisma.invite.createMany({
    data: [
      { code: 'PH7M2XPA', role: 'org_leader', unitId: women.id, createdBy: 'test', expiresAt },
      { code: 'QF7M2XPB', role: 'fund_officer', unitId: city.id, createdBy: 'test', expiresAt },
    ],
  });
  expect(await say(leader, '/start PH7M2XPA')).toContain('Hội Liên hiệp Phụ nữ');
  expect(await say(officer, '/start QF7M2XPB')).toContain('cán bộ Quỹ');
});

afterAll(async () => {
  await app.stop();
  await emulator.close();
  await db.cleanup();
});

describe('from a pledge to a house, on Telegram', () => {
  it('the organisation leader pledges 50 triệu', async () => {
    expect(await press(leader, 'menu:pledge')).toContain('hình thức');
    expect(await press(leader, 'kind:money')).toContain('Số tiền đăng ký');
    for (const bad of ['0', '-1', 'abc', '1e12']) {
      expect(await say(leader, bad)).toMatch(/⚠️[\s\S]*Số tiền đăng ký/);
    }
    await say(leader, '50 triệu');
    await press(leader, 'target:0');
    await press(leader, 'dueOn:');
    expect(await press(leader, 'publicName:yes')).toContain('50.000.000 đ');
    expect(await press(leader, '@confirm:yes')).toContain('Số đăng ký: UH-0001');
    expect(await app.prisma.pledge.count()).toBe(1);
  });

  it('the fund officer records 20 and 30 triệu and the pledge becomes paid', async () => {
    await say(officer, '/menu');
    expect(await press(officer, 'menu:receiptpick')).toContain('UH-0001');
    expect(await press(officer, 'menu:receipt:')).toContain('còn phải nộp 50.000.000 đ');
    for (const bad of ['0', '-1', 'abc', '1e12']) {
      expect(await say(officer, bad)).toMatch(/⚠️[\s\S]*Số tiền nhận theo đăng ký/);
    }
    expect(await entryCount()).toBe(0);
    await say(officer, '20tr');
    await press(officer, 'occurredOn:');
    await press(officer, 'documentRef:');
    expect(await press(officer, '@confirm:yes')).toContain('còn chưa phân bổ 20.000.000 đ.');

    await say(officer, '/menu');
    await press(officer, 'menu:receiptpick');
    await press(officer, 'menu:receipt:');
    await say(officer, '30tr');
    await press(officer, 'occurredOn:');
    await press(officer, 'documentRef:');
    const second = await press(officer, '@confirm:yes');
    expect(second).toContain('còn chưa phân bổ 50.000.000 đ.');
    expect(second).toContain('Đã nộp đủ');
  });

  it('refuses 60 triệu above the balance, then allocates it once a walk-in receipt makes it possible', async () => {
    await say(officer, '/menu');
    await press(officer, 'menu:alloc');
    await say(officer, 'nong van tu');
    expect(await press(officer, 'menu:alloc:')).toContain('định mức 60.000.000 đ');
    expect(await say(officer, '60tr')).toContain('vượt số tiền Quỹ còn chưa phân bổ (50.000.000 đ)');
    expect(await entryCount()).toBe(2);
    await say(officer, '/huy');

    await press(officer, 'menu:receiptpick');
    await press(officer, 'menu:receipt:0');
    await say(officer, 'Công ty Cổ phần Khoáng sản Bắc Kạn');
    await press(officer, 'form:money');
    await say(officer, '10tr');
    await press(officer, 'publicName:yes');
    await press(officer, 'occurredOn:');
    await say(officer, 'UNC 0155');
    expect(await press(officer, '@confirm:yes')).toContain('còn chưa phân bổ 60.000.000 đ.');

    await say(officer, '/menu');
    await press(officer, 'menu:alloc');
    await say(officer, 'DX-001');
    await press(officer, 'menu:alloc:');
    await say(officer, '60tr');
    const done = await press(officer, '@confirm:yes');
    expect(done).toContain('Đã phân bổ 60.000.000 đ cho hộ Nông Văn Tư');
    expect(done).toContain('còn chưa phân bổ 0 đ.');
  });

  it('the public summary shows it all to anyone', async () => {
    const text = await say(citizen, '/congkhai');
    expect(text).toContain('Tổng số đã tiếp nhận – Tiền: 60.000.000 đ.');
    // The pledge and the walk-in company that agreed to be named: 50 + 10, the total above.
    expect(text).toContain(
      '1. Hội Liên hiệp Phụ nữ thành phố Bắc Kạn: 50.000.000 đ\n2. Công ty Cổ phần Khoáng sản Bắc Kạn: 10.000.000 đ',
    );
    expect(text).not.toContain('không nêu tên');
    expect(text).toContain('🏠 Hộ được hỗ trợ từ Quỹ: 1 hộ, đã phân bổ 60.000.000 đ, chưa chi.');
    expect(text).toContain('• Phường Đức Xuân: 1 hộ; phân bổ 60.000.000 đ; chưa chi');
    const entries = await app.prisma.fundEntry.findMany({ orderBy: { id: 'asc' } });
    expect(entries.map((e) => [e.kind, Number(e.amount)])).toEqual([
      ['receipt', 20_000_000],
      ['receipt', 30_000_000],
      ['receipt', 10_000_000],
      ['allocation', 60_000_000],
    ]);
  });
});
