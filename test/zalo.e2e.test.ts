import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { App } from '../bot/app.ts';
import type { Outbound } from '../core/messaging/message.ts';
import { type Clock, createFixedClock, systemClock } from '../core/shared/clock.ts';
import { executeCommand, parseCommand } from '../scripts/cli/commands.ts';
import { startApp, tempDatabase } from './support/app-harness.ts';
import {
  startZaloEmulator,
  type ZaloEmulator,
  type ZaloEvent,
  type ZaloSignOptions,
  zaloAppEnv,
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

async function boot(
  clock: Clock = createFixedClock(new Date()),
  env: Record<string, string> = {},
): Promise<App> {
  app = await startApp({ DATABASE_URL: db.url, ...zaloAppEnv(zalo), ...env }, { clock });
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
    await admin(target);
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
    // The reply waits to be retried instead of vanishing.
    expect(
      await target.prisma.outbox.count({
        where: { channel: 'zalo', status: { in: ['pending', 'sending'] } },
      }),
    ).toBe(1);

    const status = await cli(target, ['zalo', 'status']);
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

/* ZNS template messages past the 7-day window (issue 18 §4; docs/zalo.md). */

const DAY = 86_400_000;
const REMINDER_TEMPLATE = '240101';
const ACK_TEMPLATE = '240103';
let seq = 0;

/** The bot with ZNS templates for reminders and acknowledgements. */
function bootZns(): Promise<App> {
  zalo.registerZnsTemplate(REMINDER_TEMPLATE, ['ten', 'noi_dung', 'han']);
  zalo.registerZnsTemplate(ACK_TEMPLATE, ['title', 'ref', 'amount', 'name']);
  // The wall clock: the rows below are due when written, as the core writes them.
  return boot(systemClock, {
    ZALO_ZNS_TEMPLATE_REMINDER: REMINDER_TEMPLATE,
    ZALO_ZNS_PARAMS_REMINDER: 'ten=name, noi_dung=title, han=due',
    ZALO_ZNS_COST_REMINDER: '250',
    ZALO_ZNS_TEMPLATE_ACKNOWLEDGEMENT: ACK_TEMPLATE,
    ZALO_ZNS_PARAMS_ACKNOWLEDGEMENT: 'title=title,ref=ref,amount=amount,name=name',
  });
}

/** A person on Zalo who last wrote `daysAgo` days ago (to the bot and, as Zalo knows it, to the OA). */
async function person(
  target: App,
  zaloId: string,
  daysAgo: number,
  opts: { phone?: string | null; zaloKnows?: boolean } = {},
): Promise<number> {
  const at = new Date(Date.now() - daysAgo * DAY);
  const p = await target.prisma.person.create({
    data: {
      fullName: `Cán bộ ${zaloId.slice(-3)}`,
      phone: opts.phone === undefined ? '0912 345 678' : opts.phone,
      identities: { create: { channel: 'zalo', externalUserId: zaloId, lastInteractionAt: at } },
    },
  });
  if (opts.zaloKnows !== false) {
    zalo.setLastInteraction(zaloId, at);
  }
  return p.id;
}

const reminder: Outbound = {
  text: 'Nhắc báo cáo: Phường Đức Xuân chưa gửi báo cáo tháng 3/2025, hạn 14/03/2025 (còn 2 ngày).',
  notice: {
    kind: 'reminder',
    params: { title: 'Báo cáo tháng 3/2025', unit: 'Phường Đức Xuân', due: '14/03/2025', days: '2' },
  },
};

/** Puts a message in the outbox as the core does, and returns its row id. */
async function enqueue(target: App, chatId: string, message: Outbound, personId: number): Promise<number> {
  seq += 1;
  const now = new Date();
  const row = await target.prisma.outbox.create({
    data: {
      channel: 'zalo',
      chatId,
      payload: JSON.stringify(message),
      idempotencyKey: `zns-test:${seq}`,
      status: 'pending',
      nextAttemptAt: now,
      createdAt: now,
      purpose: message.notice ? 'reminder' : 'reply',
      personId,
    },
  });
  return row.id;
}

async function settled(target: App, id: number, status: string) {
  await target.dispatcher.flush();
  return vi.waitFor(
    async () => {
      const row = await target.prisma.outbox.findUniqueOrThrow({ where: { id } });
      expect(row.status).toBe(status);
      return row;
    },
    { timeout: 5_000, interval: 25 },
  );
}

async function cli(target: App, argv: string[]): Promise<string> {
  const lines: string[] = [];
  await executeCommand(parseCommand(argv), {
    prisma: target.prisma,
    db: target.db,
    now: new Date(),
    out: (line) => lines.push(line),
    timeZone: 'Asia/Ho_Chi_Minh',
  });
  return lines.join('\n');
}

/** An admin reachable on Telegram (not running here: the alert stays in the outbox to be read). */
async function admin(target: App): Promise<void> {
  const unit = await target.prisma.unit.findFirstOrThrow({
    orderBy: { validFrom: 'desc' },
    where: { code: '058' },
  });
  await target.prisma.person.create({
    data: {
      fullName: 'Trần Văn Hùng',
      memberships: { create: { role: 'admin', unitId: unit.id } },
      identities: { create: { channel: 'telegram', externalUserId: '424242' } },
    },
  });
}

/** The alerts to our Telegram admin (the demo's admins get theirs too). */
const alerts = (target: App) =>
  target.prisma.outbox.findMany({
    where: { idempotencyKey: { startsWith: 'alert:zns:' }, channel: 'telegram', chatId: '424242' },
  });

describe('Zalo ZNS past the 7-day window', () => {
  it('a person who wrote 8 days ago gets the reminder by ZNS, to their phone, once; yesterday: the normal message', async () => {
    const target = await bootZns();
    const away = '8100000000000000008';
    const near = '8100000000000000001';
    const awayId = await person(target, away, 8, { phone: null });
    await person(target, near, 1);
    // The officer's phone, registered by an admin; never printed in full.
    const saved = await cli(target, ['people', 'phone', String(awayId), '+84 912.345.678']);
    expect(saved).toContain('*******678');
    expect(saved).not.toContain('912345678');
    await expect(cli(target, ['people', 'phone', String(awayId), '12345'])).rejects.toThrow(/không hợp lệ/);

    const id = await enqueue(target, away, reminder, awayId);
    const nearId = await enqueue(target, near, reminder, awayId);
    await settled(target, id, 'sent');
    await settled(target, nearId, 'sent');

    expect(zalo.znsSends).toHaveLength(1);
    expect(zalo.znsSends[0]).toMatchObject({
      phone: '84912345678',
      templateId: REMINDER_TEMPLATE,
      trackingId: String(id),
      templateData: { ten: 'Cán bộ 008', noi_dung: 'Báo cáo tháng 3/2025', han: '14/03/2025' },
    });
    expect(zalo.messagesTo(away)).toHaveLength(0);
    expect(zalo.messagesTo(near).map((m) => m.text)).toEqual([reminder.text]);

    // The row comes round again after a restart (its "sent" was lost, say): Zalo is not asked twice.
    await app?.stop();
    app = undefined;
    const again = await bootZns();
    await again.prisma.outbox.update({ where: { id }, data: { status: 'pending' } });
    await settled(again, id, 'sent');
    expect(zalo.znsSends).toHaveLength(1);
    const sends = await again.prisma.znsSend.findMany();
    expect(sends).toMatchObject([{ outboxId: id, status: 'sent', costDong: 250, kind: 'reminder' }]);

    const status = await cli(again, ['zalo', 'status']);
    const month = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Ho_Chi_Minh',
      month: '2-digit',
      year: 'numeric',
    }).format(new Date());
    expect(status).toMatch(new RegExp(`Tin ZNS tháng ${month.replace('/', '\\/')}\\s+1 tin, 250 đ`));
    expect(status).toMatch(/– nhắc việc \(mẫu 240101\)\s+1 tin × 250 đ = 250 đ/);
    expect(status).toMatch(/Hạn mức ZNS còn lại trong ngày\s+499\/500/);
    // The phone number is nowhere in what the operator reads.
    expect(status).not.toContain('912345678');
  });

  it('-230 on a normal send falls back to ZNS for a template kind; a message without one is held as before', async () => {
    const target = await bootZns();
    const user = '8100000000000000230';
    // The bot saw a message yesterday, Zalo counts none in 7 days: the consultation message is refused.
    const id = await person(target, user, 1, { zaloKnows: false });
    const plain = await enqueue(target, user, { text: 'Trả lời thường' }, id);
    const notice = await enqueue(target, user, reminder, id);
    const escalation = await enqueue(
      target,
      user,
      { text: 'Chậm báo cáo', notice: { kind: 'escalation', params: { title: 'Chậm báo cáo tháng 3' } } },
      id,
    );

    expect((await settled(target, plain, 'held')).lastError).toContain('-230');
    await settled(target, notice, 'sent');
    // Escalations have no template configured: held with the rest.
    expect((await settled(target, escalation, 'held')).lastError).toContain('-230');
    expect(zalo.znsSends.map((s) => s.trackingId)).toEqual([String(notice)]);
    expect(zalo.messagesTo(user)).toHaveLength(0);

    // The user writes: what was held goes by the normal channel, and the ZNS one is not repeated.
    expect(await zalo.deliver(url, zalo.userSendText(user, 'alo'))).toMatchObject({
      status: 200,
    });
    await vi.waitFor(
      async () => expect(await target.prisma.outbox.count({ where: { status: 'held' } })).toBe(0),
      { timeout: 5_000, interval: 25 },
    );
    await zalo.waitForMessages(user, 2);
    expect(zalo.znsSends).toHaveLength(1);
  });

  it('no phone, a refused template, a spent quota: held or tried again tomorrow, the admins told once', async () => {
    const target = await bootZns();
    await admin(target);
    const noPhone = '8100000000000000100';
    const a = '8100000000000000101';
    const b = '8100000000000000102';
    const noPhoneId = await person(target, noPhone, 9, { phone: null });
    const aId = await person(target, a, 9);
    const bId = await person(target, b, 9);

    const first = await enqueue(target, noPhone, reminder, noPhoneId);
    expect((await settled(target, first, 'held')).lastError).toContain('no phone number');

    zalo.failNext('/message/template', 1, { error: -131, message: 'Template is not approved' });
    const refused = await enqueue(target, a, reminder, aId);
    expect((await settled(target, refused, 'held')).lastError).toContain('-131');

    zalo.setZnsDailyQuota(0);
    const quota1 = await enqueue(target, a, reminder, aId);
    const row1 = await settled(target, quota1, 'pending');
    const quota2 = await enqueue(target, b, reminder, bId);
    const row2 = await settled(target, quota2, 'pending');
    expect(row1.lastError).toContain('-144');
    // Tried again from midnight (Vietnam); the second message did not even ask Zalo.
    const tomorrow = new Date(`${vnDay(new Date(Date.now() + DAY))}T00:00:00+07:00`);
    expect(row1.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(tomorrow.getTime());
    expect(row2.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(tomorrow.getTime());
    expect(zalo.calls.filter((c) => c.path === '/message/template')).toHaveLength(2);
    expect(zalo.znsSends).toHaveLength(0);

    const told = await vi.waitFor(
      async () => {
        const rows = await alerts(target);
        expect(rows).toHaveLength(3);
        return rows;
      },
      { timeout: 5_000, interval: 25 },
    );
    const texts = told.map((r) => (JSON.parse(r.payload) as Outbound).text).join('\n');
    expect(texts).toContain('chưa có số điện thoại đăng ký');
    expect(texts).toContain('ZALO_ZNS_TEMPLATE_REMINDER');
    expect(texts).toContain('-144');
    // A second refusal of the same template tells nobody again.
    zalo.failNext('/message/template', 1, { error: -131, message: 'Template is not approved' });
    await app?.stop();
    app = undefined;
    const again = await bootZns();
    zalo.setZnsDailyQuota(undefined);
    const refusedAgain = await enqueue(again, b, reminder, bId);
    await settled(again, refusedAgain, 'held');
    await again.dispatcher.flush();
    expect(await alerts(again)).toHaveLength(3);
    expect(JSON.stringify(await again.prisma.outbox.findMany({ select: { lastError: true } }))).not.toContain(
      '912345678',
    );
  });
});

function vnDay(d: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(d);
}
