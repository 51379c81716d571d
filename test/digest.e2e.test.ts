import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../bot/app.ts';
import { createFixedClock } from '../core/shared/clock.ts';
import { startApp, tempDatabase } from './support/app-harness.ts';
import { type BotApiEmulator, type EmulatorUser, startBotApiEmulator } from './support/bot-api-emulator.ts';

/**
 * Digests to a leadership group on Telegram, end to end: an admin registers the group with
 * /dangkynhom, /digest answers at once, and the Monday 07:30 pass posts the weekly digest — a chart
 * PNG (sendPhoto, multipart upload) and the text — once, however often the scheduler runs.
 */

const admin: EmulatorUser = { id: 9101, first_name: 'Hùng' };
const GROUP = -100_555;
// Monday 14/04/2025, 07:20 in Hà Nội.
const clock = createFixedClock('2025-04-14T00:20:00Z');
let emulator: BotApiEmulator;
let db: ReturnType<typeof tempDatabase>;
let app: App;

async function inGroup(text: string, count: number) {
  const before = emulator.messagesTo(GROUP).length;
  emulator.sendGroupText(admin, GROUP, text);
  return (await emulator.waitForMessages(GROUP, before + count)).slice(before);
}

beforeAll(async () => {
  emulator = await startBotApiEmulator();
  db = tempDatabase();
  app = await startApp(
    { DATABASE_URL: db.url, TELEGRAM_BOT_TOKEN: emulator.token, TELEGRAM_API_ROOT: emulator.apiRoot },
    { clock, telegramBotInfo: emulator.botInfo },
  );
  const city = await app.prisma.unit.findFirstOrThrow({
    orderBy: { validFrom: 'desc' },
    where: { code: '058' },
  });
  await app.prisma.invite.create({
    data: {
      code: 'AD7M2XPA',
      role: 'admin',
      unitId: city.id,
      createdBy: 'test',
      expiresAt: new Date('2025-12-31'),
    },
  });
  const before = emulator.messagesTo(admin.id).length;
  emulator.sendText(admin, '/start AD7M2XPA');
  await emulator.waitForMessages(admin.id, before + 1);
});

afterAll(async () => {
  await app.stop();
  await emulator.close();
  await db.cleanup();
});

describe('digests in a leadership group', () => {
  it('ignores chatter, registers the group, and answers /digest with a chart and the text', async () => {
    emulator.sendGroupText(admin, GROUP, 'Chào các đồng chí');
    const registered = await inGroup('/dangkynhom', 1);
    expect(registered[0]?.text).toContain('✅ Nhóm đã được đăng ký nhận báo cáo tổng hợp');
    // The chatter got no answer: the registration reply is the group's first message.
    expect(emulator.messagesTo(GROUP)).toHaveLength(1);

    const digest = await inGroup('/digest', 2);
    expect(digest.map((m) => m.method)).toEqual(['sendPhoto', 'sendMessage']);
    expect(digest[0]?.text).toContain('Thành phố Bắc Kạn');
    expect(digest[1]?.text).toContain('Tiến độ theo phường, xã');
    expect(digest[1]?.text).toContain('Đức Xuân: 3 duyệt');
  });

  it('posts the weekly digest on Monday at 07:30, once', async () => {
    expect((await app.scheduler.runOnce()).extra).toBe(0);
    clock.set('2025-04-14T00:31:00Z');
    expect((await app.scheduler.runOnce()).extra).toBe(1);
    expect((await app.scheduler.runOnce()).extra).toBe(0);
    const weekly = await emulator.waitForMessages(GROUP, 5);
    expect(weekly.slice(-2).map((m) => m.method)).toEqual(['sendPhoto', 'sendMessage']);
    expect(weekly.at(-1)?.text).toContain('Bản tin tuần');
    const row = await app.prisma.outbox.findFirstOrThrow({ where: { purpose: 'digest' } });
    expect(row.idempotencyKey).toMatch(/^digest:\d+:weekly:2025-04-14$/);
  });
});
