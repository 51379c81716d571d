import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExport } from '../core/exports/build-export.ts';
import type { ExportSheet } from '../core/exports/sheet.ts';
import type { Outbound } from '../core/messaging/message.ts';
import type { TestUser } from '../core/testing/builders.ts';
import { createStore } from '../prisma/store.ts';
import { unitIdOf } from './support/db-reads.ts';
import { type SqliteChat, startSqliteChat } from './support/sqlite-chat.ts';

/**
 * Appeals that can be traced (issue 17 §4), on a real seeded database (SQLite, or PostgreSQL with
 * TEST_DATABASE=postgres): the city's admin composes an appeal to the member organisations and the
 * leadership groups — one outbox message per chat they reach, none to a chat that stopped appeals
 * nor twice to a person in both; a recipient pledges from its button, a stranger from the button
 * and another from the link `/start ungho-KG1` — each pledge names the appeal; `/quy` and the
 * exports count per appeal; stopping withdraws what is queued and keeps later appeals away.
 */

let chat: SqliteChat;
const admin = () => chat.user('admin');
const org = () => chat.user('org-phunu');
const fund = () => chat.user('fund');
/** A second person of the Women's Union, who stopped appeals before the first one. */
const stopped = () => chat.user('member-stopped');
/** A third, who stops after the first appeal was queued. */
const late = () => chat.user('member-late');
const LETTER =
  'Kính gửi các tổ chức, cá nhân: hưởng ứng phong trào xóa nhà tạm, nhà dột nát, Ban Thường trực kêu gọi ủng hộ Quỹ "Vì người nghèo" thành phố.';

const appealRows = () =>
  chat.db.kysely
    .selectFrom('Outbox')
    .select(['chatId', 'status', 'idempotencyKey', 'personId', 'payload'])
    .where('purpose', '=', 'appeal')
    .orderBy('id')
    .execute();

const unitId = (code: string) => unitIdOf(chat.db, code);

/** A person of the Women's Union with a chat of their own. */
async function member(key: string): Promise<void> {
  const unit = await unitId('HLHPN-058');
  await createStore(chat.db).run(async (tx) => {
    const personId = await tx.people.create({ fullName: key, locale: 'vi' }, chat.clock.now());
    await tx.people.addMembership(personId, unit, 'org_leader', chat.clock.now());
    await tx.people.addIdentity(
      { channel: 'playground', externalUserId: key, personId, displayName: key },
      chat.clock.now(),
    );
  });
}

async function compose(audiences: string, text = LETTER): Promise<{ summary: string; done: string }> {
  const ask = await chat.command(admin(), 'thukeugoi');
  expect(ask.text).toContain('nội dung thư kêu gọi');
  await chat.say(admin(), text);
  await chat.press(admin(), 'photo:');
  const summary = await chat.press(admin(), `audiences:${audiences}`);
  const done = await chat.press(admin(), '@confirm:yes');
  return { summary: summary.text, done: done.text };
}

/** A stranger's (or a member's) pledge from its first question to its receipt. */
async function donorPledge(who: TestUser, first: { text: string; buttons: string[] }, amount: string) {
  expect(first.buttons).toContain('donorKind:individual');
  const steps: [string, string][] = [
    ['press', 'donorKind:individual'],
    ['say', `Người ủng hộ ${who.senderId}`],
    ['say', '0912 345 678'],
    ['press', 'workplace:'],
    ['press', 'kind:money'],
    ['say', amount],
  ];
  for (const [how, what] of steps) {
    await (how === 'press' ? chat.press(who, what) : chat.say(who, what));
  }
  let reply = await chat.press(who, 'dueOn:');
  while (!reply.buttons.includes('publicName:no')) {
    // Which fund level and which ward, when the campaign offers several.
    const pick = reply.buttons.find((b) => /^(level|target):/.test(b));
    if (!pick) {
      throw new Error(`unexpected question: ${reply.text}`);
    }
    reply = await chat.press(who, pick);
    if (reply.buttons.includes('dueOn:')) {
      reply = await chat.press(who, 'dueOn:');
    }
  }
  const summary = await chat.press(who, 'publicName:no');
  expect(summary.text).toContain('Theo thư kêu gọi KG1');
  return chat.press(who, '@confirm:yes');
}

const pledgeOf = (ref: string) =>
  chat.db.kysely
    .selectFrom('Pledge')
    .select(['id', 'appealId'])
    .where('ref', '=', ref)
    .executeTakeFirstOrThrow();
const refIn = (text: string) => /Số đăng ký: (UH-\d+)/.exec(text)?.[1] ?? '';

beforeAll(async () => {
  // 10/03/2025, 10:00 in Hà Nội: inside the seeded campaign.
  chat = await startSqliteChat('2025-03-10T03:00:00Z');
  await member('member-stopped');
  await member('member-late');
  await chat.db.kysely
    .insertInto('LeadershipGroup')
    .values({
      channel: 'playground',
      chatId: 'grp-lanhdao',
      title: 'Lãnh đạo MTTQ thành phố',
      unitId: await unitId('058'),
      digests: '[]',
      status: 'active',
      requestedAt: chat.clock.now(),
    })
    .execute();
}, 60_000);

afterAll(async () => {
  await chat.close();
});

let appealId: number;

describe('an admin sends an appeal to two audiences', () => {
  it('a person who stopped appeals before is told so politely', async () => {
    const reply = await chat.command(stopped(), 'tatthongbao');
    expect(reply.text).toContain('không nhận thư kêu gọi ủng hộ nữa');
    expect((await chat.command(stopped(), 'tatthongbao')).text).toContain('đã tắt nhận thư kêu gọi từ trước');
  });

  it('refuses a text too short and asks again, nothing saved', async () => {
    await chat.command(admin(), 'thukeugoi');
    const again = await chat.say(admin(), 'Ủng hộ nhé');
    expect(again.text).toContain('quá ngắn');
    expect(again.text).toContain('nội dung thư kêu gọi');
    await chat.command(admin(), 'huy');
    expect(await chat.db.kysely.selectFrom('Appeal').selectAll().execute()).toEqual([]);
  });

  it('shows each audience’s reach, then queues exactly one message per reachable chat', async () => {
    const ask = await chat.command(admin(), 'thukeugoi');
    await chat.say(admin(), LETTER);
    const audiences = await chat.press(admin(), 'photo:');
    // The Women's Union: its leader and the late member (the one who stopped is not counted).
    expect(audiences.text).toContain('Tổ chức thành viên: 2 người nhận');
    expect(audiences.text).toContain('Nhóm lãnh đạo: 1 nhóm');
    expect(audiences.buttons).toContain('audiences:members+groups');
    const summary = await chat.press(admin(), 'audiences:members+groups');
    expect(summary.text).toContain('• Tổ chức thành viên: 2 người nhận');
    expect(summary.text).toContain('• Nhóm lãnh đạo: 1 nhóm');
    expect(summary.text).toContain('Tổng cộng: 3 nơi nhận');
    expect(summary.text).toContain('Không gửi cho 1 nơi đã từ chối nhận thư kêu gọi');
    expect(ask.text).toContain('tối đa 3.000 ký tự');
    const done = await chat.press(admin(), '@confirm:yes');
    expect(done.text).toContain('Đã gửi thư kêu gọi KG1 đến 3 nơi nhận');

    const rows = await appealRows();
    expect(rows.map((r) => r.chatId).sort()).toEqual(['grp-lanhdao', 'member-late', 'org-phunu']);
    const appeal = await chat.db.kysely.selectFrom('Appeal').selectAll().executeTakeFirstOrThrow();
    appealId = appeal.id;
    expect(appeal).toMatchObject({ code: 'KG1', recipients: 3, text: LETTER });
    expect(rows.map((r) => r.idempotencyKey)).toContain(`appeal:${appealId}:playground:org-phunu`);
    const toOrg = JSON.parse(rows.find((r) => r.chatId === 'org-phunu')?.payload ?? '{}') as Outbound;
    expect(toOrg.text).toContain(LETTER);
    expect(toOrg.choices?.flat().map((c) => c.label)).toEqual([
      '💝 Đăng ký ủng hộ',
      '🔕 Không nhận thư kêu gọi nữa',
    ]);
    // A group gets the letter and how to pledge or stop, without buttons nobody there could press.
    const toGroup = JSON.parse(rows.find((r) => r.chatId === 'grp-lanhdao')?.payload ?? '{}') as Outbound;
    expect(toGroup.choices).toBeUndefined();
    expect(toGroup.text).toContain('/ungho KG1');
  });

  it('sending the same appeal again adds nothing (one key per chat)', async () => {
    const rows = await appealRows();
    const added = await createStore(chat.db).run((tx) =>
      tx.outbox.enqueue(
        rows.map((r) => ({
          channel: 'playground' as const,
          chatId: r.chatId,
          message: { text: 'x' },
          idempotencyKey: r.idempotencyKey,
          purpose: 'appeal' as const,
        })),
        chat.clock.now(),
      ),
    );
    expect(added).toBe(0);
  });
});

describe('pledges made from the appeal name it', () => {
  it('a recipient presses "Đăng ký ủng hộ" and pledges for their organisation', async () => {
    const first = await chat.press(org(), `menu:appealpledge:${appealId}`);
    expect(first.text).toContain('hình thức');
    await chat.press(org(), 'kind:money');
    await chat.say(org(), '30 triệu');
    await chat.press(org(), 'target:0');
    await chat.press(org(), 'dueOn:');
    const summary = await chat.press(org(), 'publicName:yes');
    expect(summary.text).toContain('Theo thư kêu gọi KG1');
    const done = await chat.press(org(), '@confirm:yes');
    expect((await pledgeOf(refIn(done.text))).appealId).toBe(appealId);
  });

  it('a stranger presses the forwarded appeal’s button, pledges, and agrees to news', async () => {
    const guest = chat.user('guest-from-button');
    const done = await donorPledge(guest, await chat.press(guest, `menu:appealpledge:${appealId}`), '5tr');
    expect((await pledgeOf(refIn(done.text))).appealId).toBe(appealId);
    expect(done.text).toContain('Anh/chị có muốn nhận tin về cuộc vận động không?');
    // The two answers first, then the menu (the question may be left unanswered).
    expect(done.buttons.slice(0, 2)).toEqual(['menu:consent:yes', 'menu:consent:no']);
    expect(done.buttons).toContain('menu:mypledges');
    const thanks = await chat.press(guest, 'menu:consent:yes');
    expect(thanks.text).toContain('Cảm ơn anh/chị');
    const person = await chat.db.kysely
      .selectFrom('Person')
      .select('contactConsent')
      .where('fullName', '=', 'Người ủng hộ guest-from-button')
      .executeTakeFirstOrThrow();
    expect(Boolean(person.contactConsent)).toBe(true);
  });

  it('another opens the link /start ungho-KG1 and pledges', async () => {
    const guest = chat.user('guest-from-link');
    const done = await donorPledge(guest, await chat.command(guest, 'start', 'ungho-KG1'), '2tr');
    expect((await pledgeOf(refIn(done.text))).appealId).toBe(appealId);
  });

  it('an unknown code still opens a plain pledge', async () => {
    const guest = chat.user('guest-unknown-code');
    const first = await chat.command(guest, 'start', 'ungho-KG99');
    expect(first.buttons).toContain('donorKind:individual');
    await chat.command(guest, 'huy');
  });
});

describe('what each appeal brought', () => {
  it('/quy counts pledges and money received per appeal', async () => {
    const pledge = await chat.db.kysely
      .selectFrom('Pledge')
      .select('id')
      .where('appealId', '=', appealId)
      .where('donorKind', '=', 'organisation')
      .executeTakeFirstOrThrow();
    await chat.press(fund(), `menu:receipt:${pledge.id}`);
    await chat.say(fund(), '10 triệu');
    await chat.press(fund(), 'occurredOn:2025-03-10');
    await chat.press(fund(), 'documentRef:');
    expect((await chat.press(fund(), '@confirm:yes')).text).toContain('Đã ghi nhận khoản thu');
    const quy = await chat.command(admin(), 'quy');
    expect(quy.text).toContain('Thư kêu gọi KG1 (10/03): 3 đăng ký, 37.000.000 đ; đã nhận 10.000.000 đ');
  });

  it('the pledges export names the appeal of each pledge; the summary has a table per appeal', async () => {
    const city = await unitId('058');
    const build = async (kind: 'pledges' | 'summary'): Promise<ExportSheet[]> => {
      const outcome = await createStore(chat.db).run((tx) =>
        buildExport(tx, { kind, params: { scope: [city] } }, chat.clock.now()),
      );
      if (!outcome.ok) {
        throw new Error(outcome.refusal.code);
      }
      return outcome.workbook.sheets;
    };
    const list = (await build('pledges')).find((s) => s.name === 'Theo lượt đăng ký');
    expect(list?.columns.map((c) => c.header)).toContain('Thư kêu gọi');
    expect(list?.rows.filter((r) => r.appeal === 'KG1')).toHaveLength(3);
    const table = (await build('summary')).find((s) => s.name === 'Thư kêu gọi');
    expect(table?.rows).toEqual([
      expect.objectContaining({
        code: 'KG1',
        recipients: 3,
        pledges: 3,
        pledged: 37_000_000n,
        received: 10_000_000n,
      }),
    ]);
  });
});

describe('stopping appeals', () => {
  it('a chat that stops has its queued appeal withdrawn, and is sent no later one', async () => {
    const reply = await chat.command(late(), 'tatthongbao');
    expect(reply.text).toContain('không nhận thư kêu gọi ủng hộ nữa');
    expect((await appealRows()).find((r) => r.chatId === 'member-late')?.status).toBe('cancelled');
    // The button does the same for the organisation's leader.
    expect((await chat.press(org(), 'menu:appealstop')).text).toContain('không nhận thư kêu gọi ủng hộ nữa');

    const { summary, done } = await compose('members+groups+donors');
    // Left: the group, and the stranger who agreed to news (the one from the link was not asked twice).
    expect(summary).toContain('• Tổ chức thành viên: 0 người nhận');
    expect(summary).toContain('• Người ủng hộ đồng ý nhận tin: 1 người nhận');
    expect(done).toContain('Đã gửi thư kêu gọi KG2 đến 2 nơi nhận');
    const second = (await appealRows()).filter(
      (r) => r.idempotencyKey.startsWith('appeal:') && !r.idempotencyKey.startsWith(`appeal:${appealId}:`),
    );
    expect(second.map((r) => r.chatId).sort()).toEqual(['grp-lanhdao', 'guest-from-button']);
  });

  it('/batthongbao brings later appeals back', async () => {
    expect((await chat.command(late(), 'batthongbao')).text).toContain('Đã bật lại');
    const { done } = await compose('members');
    expect(done).toContain('Đã gửi thư kêu gọi KG3 đến 1 nơi nhận');
  });

  it('a stranger can stop appeals too (chat-level)', async () => {
    const guest = chat.user('stranger-who-stops');
    expect((await chat.press(guest, 'menu:appealstop')).text).toContain('không nhận thư kêu gọi ủng hộ nữa');
    const row = await chat.db.kysely
      .selectFrom('ContactOptOut')
      .selectAll()
      .where('chatId', '=', 'stranger-who-stops')
      .executeTakeFirst();
    expect(row).toBeDefined();
  });
});
