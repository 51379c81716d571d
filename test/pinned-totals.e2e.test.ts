import { Api } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../bot/app.ts';
import { createLogger } from '../bot/logger.ts';
import { createPinnedTotals } from '../bot/telegram/pinned-totals.ts';
import type { Campaign } from '../core/campaigns/campaign.ts';
import { campaignOfUnit } from '../core/campaigns/campaign-of.ts';
import { plainText } from '../core/messaging/markup.ts';
import { createFixedClock } from '../core/shared/clock.ts';
import { createStore } from '../prisma/store.ts';
import { startTelegramApp, type TempDatabase } from './support/app-harness.ts';
import type { BotApiEmulator, EmulatorUser } from './support/bot-api-emulator.ts';
import { moneyPledge, recordEntry } from './support/fixtures.ts';
import { joinByInvite, startTelegramWorld, stopTelegramWorld } from './support/telegram-world.ts';

/**
 * The pinned totals message of a leadership group (issue 17 §3), end to end with the real grammY
 * against the Bot API emulator, on the suite's database (SQLite, or PostgreSQL with
 * TEST_DATABASE=postgres). The loop is driven pass by pass (`runOnce`) on a fixed clock, so the
 * pace of edits is checked without waiting for it.
 */

const admin: EmulatorUser = { id: 9301, first_name: 'Hùng' };
const GROUP = -100_930;
const OTHER_GROUP = -100_931;
// Monday 14/04/2025, 09:00 in Hà Nội.
const clock = createFixedClock('2025-04-14T02:00:00Z');
let emulator: BotApiEmulator;
let db: TempDatabase;
let app: App;
let cityId = 0;

const start = (): Promise<App> => startTelegramApp(emulator, db.url, { clock });

function loop(a: App = app) {
  if (!a.pinnedTotals) {
    throw new Error('the app has no pinned totals loop');
  }
  return a.pinnedTotals;
}

async function inGroup(group: number, text: string): Promise<void> {
  const before = emulator.messagesTo(group).length;
  emulator.sendGroupText(admin, group, text);
  await emulator.waitForMessages(group, before + 1);
}

/** Pledges made straight in the store, as the chat, the CLI or another instance would. */
async function pledge(donorName: string, amount: bigint, publicName = true): Promise<void> {
  await createStore(app.db).run(async (tx) => {
    const campaign = (await campaignOfUnit(tx, cityId, clock.now())) as Campaign;
    await tx.pledges.create(
      moneyPledge({
        campaignId: campaign.id,
        donorKind: 'enterprise',
        donorName,
        fundUnitId: cityId,
        amount,
        publicName,
      }),
      clock.now(),
    );
  });
}

const calls = (method: string, chatId: number) =>
  emulator.calls.filter((c) => c.method === method && Number(c.payload.chat_id) === chatId);
/** The messages sent or edited, with the text the group reads (HTML parsed away). */
const shown = (method: string, chatId: number) =>
  emulator.sent.filter((m) => m.method === method && m.chatId === chatId);

async function pinnedRow(chatId: number) {
  return app.prisma.leadershipGroup.findFirstOrThrow({ where: { chatId: String(chatId) } });
}

beforeAll(async () => {
  ({ emulator, db, app } = await startTelegramWorld({ clock }));
  cityId = (
    await app.prisma.unit.findFirstOrThrow({ orderBy: { validFrom: 'desc' }, where: { code: '058' } })
  ).id;
  await joinByInvite({ emulator, app }, admin, 'AD7P3XQA', 'admin', '058');
});

afterAll(() => stopTelegramWorld({ app, emulator, db }));

describe('the pinned totals message of a leadership group', () => {
  it('is sent once and pinned quietly when the group becomes active', async () => {
    expect(await loop().runOnce()).toEqual({ sent: 0, edited: 0, waiting: 0 });
    await inGroup(GROUP, '/dangkynhom');
    expect(await loop().runOnce()).toEqual({ sent: 1, edited: 0, waiting: 0 });

    const sent = shown('sendMessage', GROUP).at(-1);
    const text = String(sent?.text);
    expect(text).toContain('📌 Xóa nhà tạm, nhà dột nát thành phố Bắc Kạn 2024–2025');
    expect(text).toContain('• Đăng ký ủng hộ:');
    expect(text).toMatch(/🕒 Cập nhật lúc 09:00 ngày 14\/04\/2025$/);
    const row = await pinnedRow(GROUP);
    const messageId = Number(row.pinnedMessageId);
    expect(emulator.pinnedMessages(GROUP)).toEqual([messageId]);
    expect(calls('pinChatMessage', GROUP).at(-1)?.payload.disable_notification).toBe(true);
    expect(plainText(row.pinnedText ?? '')).toBe(text);

    // Nothing changed: nothing is sent or edited.
    clock.advance(60_000);
    expect(await loop().runOnce()).toEqual({ sent: 0, edited: 0, waiting: 0 });
    expect(shown('editMessageText', GROUP)).toHaveLength(0);
  });

  it('batches three quick pledges into one edit, no sooner than the pace allows', async () => {
    await pledge('Công ty TNHH Minh Phát', 50_000_000n);
    // The first edit may go at once (the message was sent a minute ago); the next ones wait 10 s.
    expect(await loop().runOnce()).toEqual({ sent: 0, edited: 1, waiting: 0 });
    clock.advance(3_000);
    await pledge('Doanh nghiệp tư nhân Hòa Bình', 20_000_000n, false);
    expect(await loop().runOnce()).toEqual({ sent: 0, edited: 0, waiting: 1 });
    clock.advance(3_000);
    await pledge('Hợp tác xã Nông nghiệp Đức Xuân', 5_000_000n);
    expect(await loop().runOnce()).toEqual({ sent: 0, edited: 0, waiting: 1 });
    clock.advance(4_000);
    expect(await loop().runOnce()).toEqual({ sent: 0, edited: 1, waiting: 0 });

    // Two edits in 10 s for three pledges: the second carries the other two.
    const edits = shown('editMessageText', GROUP);
    expect(edits).toHaveLength(2);
    const text = String(edits.at(-1)?.text);
    expect(text).toContain('Công ty TNHH Minh Phát: 50.000.000 đ');
    expect(text).toContain('Hợp tác xã Nông nghiệp Đức Xuân: 5.000.000 đ');
    // The donor who did not agree to be named is not named.
    expect(text).not.toContain('Hòa Bình');
    expect(text).toContain('Một doanh nghiệp: 20.000.000 đ');
    expect(text).toMatch(/🕒 Cập nhật lúc 09:01 ngày 14\/04\/2025$/);
    expect(edits.at(-1)?.messageId).toBe(emulator.pinnedMessages(GROUP)[0]);
    expect(shown('sendMessage', GROUP).filter((c) => String(c.text).startsWith('📌'))).toHaveLength(1);
  });

  it('shows money received against the pledges', async () => {
    await createStore(app.db).run(async (tx) => {
      const campaign = (await campaignOfUnit(tx, cityId, clock.now())) as Campaign;
      const [latest] = await tx.board.latestPledges(campaign.id, 1);
      await recordEntry(
        tx,
        campaign,
        { amount: 5_000_000n, levelUnitId: cityId, pledgeId: latest?.id ?? null },
        clock.now(),
      );
    });
    clock.advance(10_000);
    expect(await loop().runOnce()).toEqual({ sent: 0, edited: 1, waiting: 0 });
    expect(String(shown('editMessageText', GROUP).at(-1)?.text)).toContain('Đã nhận theo đăng ký');
  });

  it('honours a 429 retry_after', async () => {
    await pledge('Công ty Cổ phần Xây dựng Bắc Kạn', 30_000_000n);
    clock.advance(10_000);
    emulator.failNext('editMessageText', 1, {
      error_code: 429,
      description: 'Too Many Requests: retry after 30',
      parameters: { retry_after: 30 },
    });
    expect(await loop().runOnce()).toEqual({ sent: 0, edited: 0, waiting: 1 });
    clock.advance(10_000);
    expect(await loop().runOnce()).toEqual({ sent: 0, edited: 0, waiting: 1 });
    clock.advance(20_000);
    expect(await loop().runOnce()).toEqual({ sent: 0, edited: 1, waiting: 0 });
    expect(String(shown('editMessageText', GROUP).at(-1)?.text)).toContain('Xây dựng Bắc Kạn');
  });

  it('does not send a second message after a restart', async () => {
    const before = shown('sendMessage', GROUP).length;
    await app.stop();
    app = await start();
    clock.advance(60_000);
    expect(await loop().runOnce()).toEqual({ sent: 0, edited: 0, waiting: 0 });
    await pledge('Trường THPT Bắc Kạn', 2_000_000n);
    expect(await loop().runOnce()).toEqual({ sent: 0, edited: 1, waiting: 0 });
    expect(shown('sendMessage', GROUP)).toHaveLength(before);
  });

  it('sends and pins a new message when the old one was deleted', async () => {
    const old = Number((await pinnedRow(GROUP)).pinnedMessageId);
    emulator.deleteMessageAsUser(GROUP, old);
    await pledge('Ngân hàng Agribank Bắc Kạn', 100_000_000n);
    clock.advance(10_000);
    expect(await loop().runOnce()).toEqual({ sent: 1, edited: 0, waiting: 0 });
    const row = await pinnedRow(GROUP);
    expect(Number(row.pinnedMessageId)).not.toBe(old);
    expect(emulator.pinnedMessages(GROUP)).toEqual([Number(row.pinnedMessageId)]);
    expect(row.pinnedText).toContain('Ngân hàng Agribank Bắc Kạn: 100.000.000 đ');
  });

  it('two instances send one first message between them; a group where the bot may not pin keeps it unpinned', async () => {
    await inGroup(OTHER_GROUP, '/dangkynhom');
    emulator.failNext('pinChatMessage', 1, {
      error_code: 400,
      description: 'Bad Request: not enough rights to manage pinned messages in the chat',
    });
    // A second instance on the same database, with its own grammY client.
    const other = createPinnedTotals({
      store: createStore(app.db),
      api: new Api(emulator.token, { apiRoot: emulator.apiRoot }),
      clock,
      log: createLogger({ level: 'silent', secrets: [] }),
      editIntervalMs: 10_000,
    });
    const [a, b] = await Promise.all([loop().runOnce(), other.runOnce()]);
    expect(a.sent + b.sent).toBe(1);
    expect(shown('sendMessage', OTHER_GROUP).filter((c) => String(c.text).startsWith('📌'))).toHaveLength(1);
    expect(emulator.pinnedMessages(OTHER_GROUP)).toEqual([]);
    expect((await pinnedRow(OTHER_GROUP)).pinnedMessageId).not.toBeNull();
  });

  it('running in the app, posts the message right after a group is registered', async () => {
    const THIRD_GROUP = -100_932;
    loop().start();
    try {
      emulator.sendGroupText(admin, THIRD_GROUP, '/dangkynhom');
      // The registration's answer, then the pinned totals: the inbound commit kicked the loop.
      const [, pinned] = await emulator.waitForMessages(THIRD_GROUP, 2);
      expect(pinned?.text).toMatch(/^📌 /);
      // Pinned right after it was sent.
      await expect.poll(() => emulator.pinnedMessages(THIRD_GROUP)).toEqual([pinned?.messageId]);
    } finally {
      await loop().stop();
    }
  });
});
