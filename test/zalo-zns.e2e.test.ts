import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { App } from '../bot/app.ts';
import type { Outbound } from '../core/messaging/message.ts';
import { executeCommand, parseCommand } from '../scripts/cli/commands.ts';
import { startApp, tempDatabase } from './support/app-harness.ts';
import { startZaloEmulator, type ZaloEmulator } from './support/zalo-emulator.ts';

/**
 * Reminders, escalations and acknowledgements past Zalo's 7-day window go as ZNS template messages
 * (issue 18 §4): the real app, its dispatcher and Zalo client against the emulated OA and ZNS API.
 */

const DAY = 86_400_000;
const REMINDER_TEMPLATE = '240101';
const ACK_TEMPLATE = '240103';
let zalo: ZaloEmulator;
let db: ReturnType<typeof tempDatabase>;
let app: App | undefined;
let seq = 0;

async function boot(): Promise<App> {
  const { refreshToken } = zalo.issueTokens();
  zalo.registerZnsTemplate(REMINDER_TEMPLATE, ['ten', 'noi_dung', 'han']);
  zalo.registerZnsTemplate(ACK_TEMPLATE, ['title', 'ref', 'amount', 'name']);
  app = await startApp({
    DATABASE_URL: db.url,
    ZALO_APP_ID: zalo.appId,
    ZALO_APP_SECRET: zalo.appSecret,
    ZALO_OA_SECRET_KEY: zalo.oaSecretKey,
    ZALO_REFRESH_TOKEN: refreshToken,
    ZALO_API_BASE: zalo.apiBase,
    ZALO_OAUTH_BASE: zalo.oauthBase,
    ZALO_ZNS_URL: zalo.znsUrl,
    ZALO_ZNS_TEMPLATE_REMINDER: REMINDER_TEMPLATE,
    ZALO_ZNS_PARAMS_REMINDER: 'ten=name, noi_dung=title, han=due',
    ZALO_ZNS_COST_REMINDER: '250',
    ZALO_ZNS_TEMPLATE_ACKNOWLEDGEMENT: ACK_TEMPLATE,
    ZALO_ZNS_PARAMS_ACKNOWLEDGEMENT: 'title=title,ref=ref,amount=amount,name=name',
  });
  return app;
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

describe('Zalo ZNS past the 7-day window', () => {
  it('a person who wrote 8 days ago gets the reminder by ZNS, to their phone, once; yesterday: the normal message', async () => {
    const target = await boot();
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
    const again = await boot();
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
    const target = await boot();
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
    expect(
      await zalo.deliver(`${httpBase(target)}/zalo/webhook`, zalo.userSendText(user, 'alo')),
    ).toMatchObject({
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
    const target = await boot();
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
    const again = await boot();
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

function httpBase(target: App): string {
  const address = target.http.server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

function vnDay(d: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(d);
}
