import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../bot/app.ts';
import { SHOWN_CHOICES_FLOW } from '../core/flows/shown-choices.ts';
import { createFixedClock } from '../core/shared/clock.ts';
import { freePort, startApp, tempDatabase } from './support/app-harness.ts';
import { type BotApiEmulator, type EmulatorUser, startBotApiEmulator } from './support/bot-api-emulator.ts';

/**
 * The real grammY bot, built exactly as `npm start` builds it, talking over HTTP to a local Bot
 * API emulator: invite → onboarding → a full monthly report with wrong answers at every kind of
 * step → confirm; a redelivered update; a restart in the middle of the report.
 */

const officer: EmulatorUser = { id: 7001, first_name: 'Lan', language_code: 'vi' };
// 10/03/2025 10:00 in Vietnam: February's report is open and due before 15/03/2025.
const clock = createFixedClock('2025-03-10T03:00:00Z');

let emulator: BotApiEmulator;
let db: ReturnType<typeof tempDatabase>;
let app: App | undefined;

function env(): Record<string, string> {
  return { DATABASE_URL: db.url, TELEGRAM_BOT_TOKEN: emulator.token, TELEGRAM_API_ROOT: emulator.apiRoot };
}

async function boot(): Promise<App> {
  app = await startApp(env(), { clock, telegramBotInfo: emulator.botInfo });
  return app;
}

async function createInvite(target: App, unitCode: string): Promise<string> {
  const unit = await target.prisma.unit.findFirstOrThrow({
    orderBy: { validFrom: 'desc' },
    where: { code: unitCode },
  });
  const invite = await target.prisma.invite.create({
    data: {
      code: 'KQ7M2XPA',
      role: 'unit_officer',
      unitId: unit.id,
      createdBy: 'test',
      expiresAt: new Date('2025-03-17T03:00:00Z'),
    },
  });
  return invite.code;
}

/** Sends a text and returns the bot's one reply. */
async function say(text: string): Promise<string> {
  const before = emulator.messagesTo(officer.id).length;
  emulator.sendText(officer, text);
  const messages = await emulator.waitForMessages(officer.id, before + 1);
  return messages.at(-1)?.text ?? '';
}

async function press(data: string): Promise<string> {
  const before = emulator.messagesTo(officer.id).length;
  const last = emulator.lastMessageTo(officer.id);
  if (!last) {
    throw new Error('no message to press a button on');
  }
  emulator.pressButton(officer, last.messageId, data);
  const messages = await emulator.waitForMessages(officer.id, before + 1);
  return messages.at(-1)?.text ?? '';
}

function buttons(): string[] {
  const markup = emulator.lastMessageTo(officer.id)?.replyMarkup as
    | { inline_keyboard?: { callback_data?: string }[][] }
    | undefined;
  return (markup?.inline_keyboard ?? []).flat().map((b) => b.callback_data ?? '');
}

async function flowStep(target: App): Promise<string | undefined> {
  const state = await target.prisma.flowState.findFirst({
    // The list of choices last shown is kept beside, not as a conversation.
    where: { channel: 'telegram', chatId: String(officer.id), flow: { not: SHOWN_CHOICES_FLOW } },
  });
  return state?.step;
}

/** A wrong answer gets a Vietnamese explanation and the same question; nothing moves. */
async function expectRefused(target: App, answer: string, question: string): Promise<void> {
  const step = await flowStep(target);
  const reply = await say(answer);
  expect(reply.startsWith('⚠️'), `"${answer.slice(0, 40)}" → ${reply}`).toBe(true);
  expect(reply).toContain(question);
  expect(await flowStep(target)).toBe(step);
}

beforeEach(async () => {
  emulator = await startBotApiEmulator();
  db = tempDatabase();
});

afterEach(async () => {
  await app?.stop();
  app = undefined;
  await emulator.close();
  await db.cleanup();
});

describe('Telegram end to end', () => {
  it('onboards an invited officer and takes a full monthly report, refusing every bad answer', async () => {
    const first = await boot();
    const code = await createInvite(first, '01840');

    expect(await say('/start')).toContain('MÃ MỜI');
    expect(await say('ZZZZ-ZZZZ')).toContain('Mã mời không đúng');
    const welcome = await say(`/start ${code}`);
    expect(welcome).toContain('Phường Đức Xuân');
    expect(welcome).toContain('cán bộ báo cáo');
    expect(await say(`/start ${code}`)).toContain('đã đăng ký bằng mã này');
    const other: EmulatorUser = { id: 7002, first_name: 'Khách' };
    emulator.sendText(other, `/start ${code}`);
    expect((await emulator.waitForMessages(other.id, 1))[0]?.text).toContain('đã được sử dụng');

    const menu = await say('/menu');
    expect(menu).toContain('Danh mục');
    const reportButton = buttons().find((b) => b.startsWith('menu:report:'));
    expect(reportButton).toBeDefined();
    const menuId = emulator.lastMessageTo(officer.id)?.messageId ?? -1;
    const periodQuestion = await press(reportButton ?? '');
    expect(periodQuestion).toContain('kỳ nào');
    // The menu's keyboard is gone once tapped, and the menu says what was chosen.
    await expect.poll(() => emulator.messageIn(officer.id, menuId)?.reply_markup).toBeUndefined();
    expect(emulator.messageIn(officer.id, menuId)?.text).toMatch(/\n\n✔️ Đã chọn: 📝 Báo cáo/);
    await expectRefused(first, 'abc', 'kỳ nào');
    await expectRefused(first, '99', 'kỳ nào');
    const february = await first.prisma.reportingPeriod.findFirstOrThrow({ where: { code: '2025-02' } });
    expect(await press(`period:${february.id}`)).toContain('XÂY MỚI');

    const approvedQ = 'Số hộ được phê duyệt hỗ trợ XÂY MỚI';
    for (const bad of [
      '-5',
      'abc',
      '1e9',
      '12,5',
      'x'.repeat(5000),
      '🏠👍',
      `'; DROP TABLE "Report"; -- "quoted"`,
      '99999999999',
    ]) {
      await expectRefused(first, bad, approvedQ);
    }
    expect(await say('12')).toContain('SỬA CHỮA');
    expect(await say('5 hộ')).toContain('XÂY MỚI đã khởi công');
    // started ≤ approved
    await expectRefused(first, '13', 'XÂY MỚI đã khởi công');
    expect(await say('10')).toContain('SỬA CHỮA đã khởi công');
    expect(await say('4')).toContain('XÂY MỚI đã hoàn thành');
    expect(await say('6')).toContain('SỬA CHỮA đã hoàn thành');

    // The bot process restarts in the middle of the report: it continues at the same question.
    await first.stop();
    app = undefined;
    const second = await boot();
    expect(await flowStep(second)).toBe('completedRepair');
    expect(await say('/help')).toContain('SỬA CHỮA đã hoàn thành');
    expect(await say('3')).toContain('XÂY MỚI đã bàn giao');
    await expectRefused(second, '7', 'XÂY MỚI đã bàn giao'); // handed over ≤ completed
    expect(await say('5')).toContain('SỬA CHỮA đã bàn giao');
    expect(await say('2')).toContain('tiếp nhận');

    for (const bad of ['abc', '-5tr', '1e9', '5000 tỷ', 'y'.repeat(5000), '😀']) {
      await expectRefused(second, bad, 'tiếp nhận');
    }
    expect(await say('1,5 tỷ')).toContain('đã chi');
    await expectRefused(second, '2 tỷ', 'đã chi'); // paid ≤ received
    expect(await say('600tr')).toContain('ngày công');
    await expectRefused(second, '12,5', 'ngày công');
    expect(await say('1.250')).toContain('Khó khăn');
    await expectRefused(second, 'z'.repeat(5000), 'Khó khăn');
    expect(await say('Thiếu thợ xây ở thôn Nà Cưởm; giá vật liệu "tăng"')).toContain('Đề xuất');
    expect(await press('proposals:')).toContain('Ảnh công trình');
    await expectRefused(second, 'ảnh đây', 'Ảnh công trình');
    const before = emulator.messagesTo(officer.id).length;
    emulator.sendPhoto(officer, 'AgACAgIAAxkBAAIBnhouse-photo', 'Nhà ông Nông Văn Tư');
    const summary = (await emulator.waitForMessages(officer.id, before + 1)).at(-1)?.text ?? '';
    expect(summary).toContain('Xem lại');
    expect(summary).toContain('1.500.000.000 đ');
    expect(summary).toContain('600.000.000 đ');
    expect(summary).toContain('Thiếu thợ xây');
    expect(summary).toContain('Đã nhận 1 ảnh');
    await expectRefused(second, 'abc', 'Xác nhận');

    // Change a field from the summary, then confirm.
    expect(await press('@confirm:edit')).toContain('sửa mục nào');
    expect(await press('@edit:labourDays')).toContain('ngày công');
    const changed = await say('1300');
    expect(changed).toContain('Xem lại');
    expect(changed).toContain('1.300');

    const receipt = await press('@confirm:yes');
    expect(receipt).toContain('Đã nhận báo cáo tháng 2/2025 của Phường Đức Xuân');
    expect(receipt).toContain('BC-202502-01840-1');
    // The heading in bold, the reference in monospace (copied with a tap).
    const shown = emulator.lastMessageTo(officer.id);
    const spans = (shown?.entities ?? []).map((e) => [
      e.type,
      shown?.text?.slice(e.offset, e.offset + e.length),
    ]);
    expect(spans).toContainEqual(['bold', '✅ Đã nhận báo cáo tháng 2/2025 của Phường Đức Xuân.']);
    expect(spans).toContainEqual(['code', 'BC-202502-01840-1']);
    expect(shown?.raw).toContain('<code>BC-202502-01840-1</code>');
    expect(receipt).toContain('đúng hạn');

    const reports = await second.prisma.report.findMany();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      ref: 'BC-202502-01840-1',
      revision: 1,
      late: false,
      approvedNew: 12,
      approvedRepair: 5,
      startedNew: 10,
      startedRepair: 4,
      completedNew: 6,
      completedRepair: 3,
      handedOverNew: 5,
      handedOverRepair: 2,
      moneyReceived: 1_500_000_000n,
      moneyPaid: 600_000_000n,
      labourDays: 1300,
      proposals: '',
      photos: JSON.stringify([{ channel: 'telegram', fileId: 'AgACAgIAAxkBAAIBnhouse-photo' }]),
      channel: 'telegram',
    });
    expect(await flowStep(second)).toBeUndefined();
    expect(await second.prisma.auditLog.count({ where: { action: 'report.submit' } })).toBe(1);
    // Every callback query was answered, so no phone keeps a spinner.
    expect(emulator.callbackAnswers.length).toBeGreaterThanOrEqual(6);
  });

  it('applies a redelivered update only once', async () => {
    const target = await boot();
    const code = await createInvite(target, '01840');
    await say(`/start ${code}`);
    const update = emulator.sendText(officer, '/baocao');
    await emulator.waitForMessages(officer.id, 2);
    const stateBefore = await target.prisma.flowState.findFirst();
    emulator.redeliver(update);
    emulator.redeliver(update);
    // A later message proves the redeliveries were processed (updates are handled in order).
    await say('/help');
    const texts = emulator.messagesTo(officer.id).map((m) => m.text ?? '');
    expect(texts.filter((t) => t.includes('kỳ nào'))).toHaveLength(2); // /baocao once, then /help
    expect(await target.prisma.inboundSeen.count()).toBe(3);
    expect(await target.prisma.flowState.findFirst()).toEqual(stateBefore);
    expect(await target.prisma.outbox.count()).toBe(3);
  });

  it('sets the command menus of private chats and groups, in Vietnamese and English', async () => {
    await boot();
    const names = (scope: string, language = '') =>
      emulator.commandsFor(scope, language).map((c) => c.command);
    // The public's commands for anyone (a stranger too), the groups' own; members get theirs per chat.
    const publicVi = [
      'start',
      'ungho',
      'congkhai',
      'phananh',
      'tracuu',
      'tatthongbao',
      'batthongbao',
      'huy',
      'help',
    ];
    expect(names('default')).toEqual(publicVi);
    expect(names('all_private_chats')).toEqual(publicVi);
    expect(names('default', 'en')).toEqual([
      'start',
      'ungho',
      'congkhai',
      'phananh',
      'tracuu',
      'stopappeals',
      'resumeappeals',
      'cancel',
      'help',
    ]);
    expect(names('all_group_chats')).toEqual(['dangkynhom', 'baocao', 'tatthongbao', 'batthongbao']);
    expect(names('all_group_chats', 'en')).toEqual(['dangkynhom', 'digest', 'stopappeals', 'resumeappeals']);
    expect(emulator.commandsFor('default')[1]).toEqual({ command: 'ungho', description: 'Đăng ký ủng hộ' });
    expect(emulator.commandsFor('default', 'en')[1]).toEqual({
      command: 'ungho',
      description: 'Register a pledge',
    });
  });

  it('takes updates over a webhook with a secret token and refuses forged ones', async () => {
    const port = await freePort();
    app = await startApp(
      {
        ...env(),
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        TELEGRAM_WEBHOOK_SECRET: 'test-secret-123456',
      },
      { clock, telegramBotInfo: emulator.botInfo },
    );
    const code = await createInvite(app, '01840');
    expect(emulator.webhookUrl).toBe(`http://127.0.0.1:${port}/telegram/webhook`);
    expect(await say(`/start ${code}`)).toContain('Đăng ký thành công');

    const forged = await fetch(`http://127.0.0.1:${port}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'wrong-secret-000' },
      body: JSON.stringify({ update_id: 999_999, message: { text: '/menu' } }),
    });
    expect(forged.status).toBe(401);
    expect(await app.prisma.inboundSeen.count({ where: { externalId: '999999' } })).toBe(0);
  });
});
