import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { App } from '../bot/app.ts';
import { createFixedClock } from '../core/shared/clock.ts';
import { executeCommand, parseCommand } from '../scripts/cli/commands.ts';
import { startApp, tempDatabase } from './support/app-harness.ts';
import {
  startZaloEmulator,
  type ZaloEmulator,
  type ZaloEvent,
  type ZaloSignOptions,
} from './support/zalo-emulator.ts';

/**
 * The Zalo channel end to end: signed webhook events posted to the real HTTP server, the real
 * client and token manager talking to an emulated Zalo OA API over HTTP.
 */

const user = '8100000000000000001';
let zalo: ZaloEmulator;
let db: ReturnType<typeof tempDatabase>;
let app: App | undefined;
let url = '';

async function boot(clock = createFixedClock(new Date())): Promise<App> {
  const { refreshToken } = zalo.issueTokens();
  app = await startApp(
    {
      DATABASE_URL: db.url,
      ZALO_APP_ID: zalo.appId,
      ZALO_APP_SECRET: zalo.appSecret,
      ZALO_OA_SECRET_KEY: zalo.oaSecretKey,
      ZALO_REFRESH_TOKEN: refreshToken,
      ZALO_API_BASE: zalo.apiBase,
      ZALO_OAUTH_BASE: zalo.oauthBase,
    },
    { clock },
  );
  const address = app.http.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/zalo/webhook`;
  return app;
}

async function post(event: ZaloEvent, opts?: ZaloSignOptions): Promise<number> {
  return (await zalo.deliver(url, event, opts)).status;
}

/** Sends a text as the user and returns the bot's next reply. */
async function say(text: string): Promise<string> {
  const before = zalo.messagesTo(user).length;
  expect(await post(zalo.userSendText(user, text))).toBe(200);
  return (await zalo.waitForMessages(user, before + 1)).at(-1)?.text ?? '';
}

/** Links a Zalo user to a demo person (the seed gives them a playground identity only). */
async function linkZalo(target: App, fullName: string, zaloId: string): Promise<void> {
  const person = await target.prisma.person.findFirstOrThrow({ where: { fullName } });
  await target.prisma.channelIdentity.create({
    data: { channel: 'zalo', externalUserId: zaloId, personId: person.id },
  });
}

/** Sends a text as `from` and returns the bot's next reply to them. */
async function sayAs(from: string, text: string): Promise<string> {
  const before = zalo.messagesTo(from).length;
  expect(await post(zalo.userSendText(from, text))).toBe(200);
  return (await zalo.waitForMessages(from, before + 1)).at(-1)?.text ?? '';
}

/** The number a Zalo message gives the choice whose label contains `label`. */
function numberOf(text: string, label: string): string {
  const line = text.split('\n').find((l) => /^\d+\. /.test(l) && l.includes(label));
  expect(line, `no numbered choice "${label}" in:\n${text}`).toBeDefined();
  return line?.split('.')[0] ?? '';
}

/** Restarts the app on the same database (the choices shown must come from it). */
async function restart(): Promise<App> {
  await app?.stop();
  app = undefined;
  return boot();
}

async function createInvite(target: App): Promise<string> {
  const unit = await target.prisma.unit.findFirstOrThrow({
    orderBy: { validFrom: 'desc' },
    where: { code: '01840' },
  });
  await target.prisma.invite.create({
    data: {
      code: 'ZL7M2XPA',
      role: 'unit_officer',
      unitId: unit.id,
      createdBy: 'test',
      expiresAt: new Date(Date.now() + 86_400_000),
    },
  });
  return 'ZL7M-2XPA';
}

beforeEach(async () => {
  zalo = await startZaloEmulator();
  db = tempDatabase();
});

afterEach(async () => {
  await app?.stop();
  app = undefined;
  await zalo.close();
  await db.cleanup();
});

describe('Zalo end to end', () => {
  it('follow → invite code → monthly report with numbered answers and a photo → receipt', async () => {
    const target = await boot();
    const code = await createInvite(target);

    const before = zalo.messagesTo(user).length;
    expect(await post(zalo.follow(user))).toBe(200);
    expect((await zalo.waitForMessages(user, before + 1)).at(-1)?.text).toContain('MÃ MỜI');

    const welcome = await say(code.toLowerCase());
    expect(welcome).toContain('Phường Đức Xuân');
    expect(welcome).toContain('Trả lời bằng số:');
    expect(welcome).toMatch(/1\. 📝 Báo cáo tiến độ tháng/);

    const periods = await say('1');
    expect(periods).toContain('kỳ nào');
    expect(periods).toMatch(/1\. tháng \d+\/\d{4}/);
    expect(await say('1')).toContain('XÂY MỚI');
    // Quick answers are hints, not numbers: "1" is the figure 1 here.
    expect(zalo.messagesTo(user).at(-1)?.text).toContain('Gợi ý: 0');
    for (const answer of [
      '12',
      '5',
      '10',
      '4',
      '6',
      '3',
      '5',
      '2',
      '1,5 tỷ',
      '600tr',
      '1.250',
      'không',
      'không',
    ]) {
      await say(answer);
    }
    expect(zalo.messagesTo(user).at(-1)?.text).toContain('Ảnh công trình');
    const photoBefore = zalo.messagesTo(user).length;
    expect(await post(zalo.userSendImage(user, 'https://photo-stal-1.zdn.vn/house.jpg'))).toBe(200);
    const summary = (await zalo.waitForMessages(user, photoBefore + 1)).at(-1)?.text ?? '';
    expect(summary).toContain('Đã nhận 1 ảnh');
    expect(summary).toContain('1. ✅ Xác nhận');

    const receipt = await say('1');
    expect(receipt).toMatch(/BC-\d{6}-01840-1/);
    const report = await target.prisma.report.findFirstOrThrow();
    expect(report).toMatchObject({ channel: 'zalo', approvedNew: 12, moneyReceived: 1_500_000_000n });
    expect(JSON.parse(report.photos)).toEqual([
      { channel: 'zalo', fileId: 'https://photo-stal-1.zdn.vn/house.jpg' },
    ]);
    // Every send carried the access token header and stayed within 2,000 characters.
    expect(zalo.sent.every((m) => (m.text ?? '').length <= 2000)).toBe(true);
  });

  it('counts an event delivered twice once, and ignores its own echoes and receipts', async () => {
    const target = await boot();
    const follow = zalo.follow(user);
    expect(await post(follow)).toBe(200);
    await zalo.waitForMessages(user, 1);
    const text = zalo.userSendText(user, '/help');
    expect(await post(text)).toBe(200);
    expect(await post(text)).toBe(200);
    expect(await post(follow)).toBe(200);
    expect(await post(zalo.oaSendTextEcho(user, 'xin chào'))).toBe(200);
    expect(await post(zalo.userSeenMessage(user, ['abc']))).toBe(200);
    await target.processor.flush();
    await target.dispatcher.flush();
    expect(zalo.messagesTo(user)).toHaveLength(2);
    expect(await target.prisma.inboundEvent.count()).toBe(4);
    expect(await target.prisma.inboundSeen.count()).toBe(2);
  });

  it('refuses forged, wrongly signed, replayed and truncated events with nothing processed', async () => {
    const target = await boot();
    const event = zalo.userSendText(user, 'ABCD-EFGH');
    expect(await post(event, { secret: 'not-the-oa-secret' })).toBe(401);
    expect(await post(event, { omitHeader: true })).toBe(401);
    expect(await post(event, { tamper: true })).toBe(401);
    expect(await post(event, { appId: '999' })).toBe(401);
    const old = zalo.userSendText(user, 'ABCD-EFGH', { timestamp: Date.now() - 60 * 60_000 });
    expect(await post(old)).toBe(401);
    const { body, headers } = zalo.sign(event);
    const truncated = await fetch(url, { method: 'POST', headers, body: body.slice(0, body.length - 5) });
    expect([400, 401]).toContain(truncated.status);
    // The URL-save ping: unsigned {} gets 200 and does nothing.
    const ping = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(ping.status).toBe(200);
    await target.processor.flush();
    expect(await target.prisma.inboundEvent.count()).toBe(0);
    expect(await target.prisma.inboundSeen.count()).toBe(0);
    // Without 'mac=' the same signature is accepted.
    expect(await post(event, { prefix: false })).toBe(200);
  });

  it('refreshes an expired token once in the middle of a conversation and the reply still arrives', async () => {
    await boot();
    expect(await post(zalo.follow(user))).toBe(200);
    await zalo.waitForMessages(user, 1);
    const refreshesBefore = zalo.refreshRequests.length;
    zalo.expireAccessToken('expired');
    expect(await say('/help')).toContain('MÃ MỜI');
    expect(zalo.refreshRequests.length - refreshesBefore).toBe(1);
    expect(zalo.refreshRequests.every((r) => r.ok)).toBe(true);
  });

  it('holds a message outside the 7-day window and delivers it when the user writes again', async () => {
    const target = await boot();
    expect(await post(zalo.follow(user))).toBe(200);
    await zalo.waitForMessages(user, 1);
    zalo.setLastInteraction(user, new Date(Date.now() - 8 * 86_400_000));
    await target.handleInbound({
      channel: 'zalo',
      chatId: user,
      chatType: 'private',
      senderId: user,
      externalId: 'internal-1',
      kind: 'command',
      command: 'help',
      receivedAt: new Date(),
    });
    await target.dispatcher.flush();
    const held = await target.prisma.outbox.findFirstOrThrow({ where: { status: 'held' } });
    expect(held.lastError).toContain('-230');
    // The user writes: the held reply goes first, then the answer to the new message.
    expect(await post(zalo.userSendText(user, 'alo'))).toBe(200);
    await zalo.waitForMessages(user, 3);
    expect(await target.prisma.outbox.count({ where: { status: 'held' } })).toBe(0);
  });

  it('stops Zalo on a dead refresh token, tells an admin on Telegram and shows it in zalo status', async () => {
    const target = await boot();
    const admin = await target.prisma.person.create({
      data: {
        fullName: 'Trần Văn Hùng',
        memberships: {
          create: {
            role: 'admin',
            unitId: (
              await target.prisma.unit.findFirstOrThrow({
                orderBy: { validFrom: 'desc' },
                where: { code: '058' },
              })
            ).id,
          },
        },
        identities: { create: { channel: 'telegram', externalUserId: '424242' } },
      },
    });
    zalo.killRefreshToken();
    zalo.expireAccessToken('expired');
    expect(await post(zalo.follow(user))).toBe(200);
    await target.processor.flush();
    await target.dispatcher.flush();
    const token = await target.prisma.zaloToken.findUniqueOrThrow({ where: { id: 1 } });
    expect(token.deadSince).not.toBeNull();
    // The alert is queued on the side (bot/app.ts alertAdmins), not by the send that found the token
    // dead: on PostgreSQL it can commit a few round trips after the flush returned.
    const alert = await vi.waitFor(
      () => target.prisma.outbox.findFirstOrThrow({ where: { channel: 'telegram', chatId: '424242' } }),
      { timeout: 5_000, interval: 50 },
    );
    expect(alert.payload).toContain('Kênh Zalo đã ngừng gửi tin');
    expect(admin.id).toBeGreaterThan(0);
    // The reply waits to be retried instead of vanishing.
    expect(
      await target.prisma.outbox.count({
        where: { channel: 'zalo', status: { in: ['pending', 'sending'] } },
      }),
    ).toBe(1);

    const lines: string[] = [];
    await executeCommand(parseCommand(['zalo', 'status']), {
      prisma: target.prisma,
      now: new Date(),
      out: (line) => lines.push(line),
      timeZone: 'Asia/Ho_Chi_Minh',
    });
    const status = lines.join('\n');
    expect(status).toContain('NGỪNG GỬI');
    expect(status).toMatch(/Sự kiện webhook cuối\s+\d{2}\/\d{2}\/\d{4}/);
    expect(status).toMatch(/Tin chưa gửi được\s+1/);
  });

  it('a typed number answers the list just shown: search results, then the household card, after a restart too', async () => {
    const target = await boot();
    await linkZalo(target, 'Nguyễn Thị Lan', user);
    const menu = await say('/menu');
    expect(await say(numberOf(menu, 'Hộ gia đình'))).toContain('gõ tên chủ hộ');
    const found = await say('DX-001');
    expect(found).toContain('1. Nông Văn Tư');
    const card = await say('1');
    expect(card).toContain('Nông Văn Tư');
    expect(card).toContain('DX-001');
    expect(card).not.toContain('kỳ nào');

    // A number outside the list: a polite word and the same list again.
    const searchAgain = await say('/menu');
    await say(numberOf(searchAgain, 'Hộ gia đình'));
    await say('DX-001');
    const outside = await say('9');
    expect(outside).toContain('không có số 9');
    expect(outside).toContain('1. Nông Văn Tư');

    // The list is saved with the chat: after a restart "1" still opens the household.
    await restart();
    const afterRestart = await say('1');
    expect(afterRestart).toContain('Nông Văn Tư');
    expect(afterRestart).not.toContain('kỳ nào');
  });

  it('a typed number picks from the export list, after a restart too', async () => {
    const leader = '8100000000000000002';
    const target = await boot();
    await linkZalo(target, 'Lường Thị Hoa', leader);
    const list = await sayAs(leader, '/xuatbaocao');
    expect(list).toMatch(/2\. 🏠 Danh sách hộ/);
    const picked = await sayAs(leader, '2');
    expect(picked).toContain('Danh sách hộ');
    expect(picked).not.toContain('Quỹ');
    await sayAs(leader, '/xuatbaocao');
    await restart();
    const again = await sayAs(leader, '2');
    expect(again).toContain('Danh sách hộ');
  });

  it("a feedback alert's numbered actions answer the alert, after a restart too", async () => {
    const citizen = '8100000000000000003';
    const target = await boot();
    await linkZalo(target, 'Nguyễn Thị Lan', user);
    // The officer's chat was shown the menu (and Zalo's reply window is open).
    expect(await say('/menu')).toContain('1. 📝 Báo cáo tiến độ tháng');
    const topics = await sayAs(citizen, 'phản ánh');
    const units = await sayAs(citizen, numberOf(topics, 'xây'));
    expect(await sayAs(citizen, numberOf(units, 'Phường Đức Xuân'))).toContain('viết nội dung phản ánh');
    await sayAs(citizen, 'Nhà ông Tư dựng xong khung nhưng chưa lợp mái đã hai tháng.');
    const noPhoto = await sayAs(citizen, 'không');
    const summary = noPhoto.includes('cho biết tên') ? await sayAs(citizen, 'không') : noPhoto;
    expect(summary).toContain('Xem lại phản ánh');
    const before = zalo.messagesTo(user).length;
    await sayAs(citizen, numberOf(summary, 'Xác nhận'));
    const alert = (await zalo.waitForMessages(user, before + 1)).at(-1)?.text ?? '';
    expect(alert).toContain('Có phản ánh mới');
    await restart();
    const handled = await say(numberOf(alert, 'đã xử lý'));
    expect(handled).toContain('đã xử lý. Người phản ánh đã được báo');
    expect(await app?.prisma.feedback.count({ where: { status: 'handled' } })).toBe(1);
  });

  it('processes an event accepted just before the process died, after the restart', async () => {
    const first = await boot();
    // The process dies right after answering 200: nothing was processed yet.
    await first.processor.stop();
    expect(await post(zalo.follow(user))).toBe(200);
    expect(await first.prisma.inboundEvent.count({ where: { processedAt: null } })).toBe(1);
    await first.stop();
    app = undefined;
    expect(zalo.messagesTo(user)).toHaveLength(0);

    const second = await boot();
    expect((await zalo.waitForMessages(user, 1)).at(-1)?.text).toContain('MÃ MỜI');
    expect(await second.prisma.inboundEvent.count({ where: { processedAt: null } })).toBe(0);
  });
});
