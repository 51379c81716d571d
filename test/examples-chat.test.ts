import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDigest, digestText } from '../core/digests/digest.ts';
import { createStore } from '../prisma/store.ts';
import { type ChatReply, type SqliteChat, startSqliteChat } from './support/sqlite-chat.ts';

/**
 * Model examples in chat (issue 17 §4) on a real, seeded database: a ward's officer records one with
 * a photo through "🌟 Gương điển hình", an admin one without through /guongdienhinh (choosing among
 * two units), short and overlong descriptions are answered politely and the same question comes
 * again with nothing saved; the officer lists, opens and withdraws theirs, after which neither the
 * weekly digest nor the live board's list shows it; others' cards are refused.
 */

let chat: SqliteChat;
const officer = () => chat.user('officer-ducxuan');
const admin = () => chat.user('admin');

const rows = () => chat.db.kysely.selectFrom('ModelExample').selectAll().orderBy('id').execute();
const audits = () =>
  chat.db.kysely
    .selectFrom('AuditLog')
    .select(['action', 'entityId', 'after'])
    .where('entity', '=', 'ModelExample')
    .orderBy('id')
    .execute();
const unitId = async (code: string) =>
  (await chat.db.kysely.selectFrom('Unit').select('id').where('code', '=', code).executeTakeFirstOrThrow())
    .id;

const WHO = 'Gia đình ông Nguyễn Văn An';
const WHAT = 'Hiến 50 m² đất và góp 20 ngày công xây nhà cho hộ bà Hoàng Thị Cúc, tổ 3.';

beforeAll(async () => {
  // Monday 17/03/2025, 10:00 in Hà Nội: inside the seeded campaign.
  chat = await startSqliteChat('2025-03-17T03:00:00Z');
});

afterAll(async () => {
  await chat.close();
});

/** The city's weekly digest now, as a leadership group reads it. */
function cityDigest(): Promise<string> {
  return createStore(chat.db).run(async (tx) => {
    const city = (await tx.units.listByKinds(['city']))[0]?.id ?? 0;
    const digest = await buildDigest(tx, { areaUnitId: city, kind: 'weekly', now: chat.clock.now() });
    return digest ? digestText(digest, 'vi') : '';
  });
}

async function expectAskedAgain(reply: ChatReply, problem: RegExp, question: RegExp): Promise<void> {
  expect(reply.text).toMatch(problem);
  expect(reply.text).toMatch(question);
  expect(await rows()).toHaveLength(0);
}

describe('an officer records a model example', () => {
  it('is offered in the menu and in /help to those who record them, not to a leader or a fund officer', async () => {
    const menu = await chat.command(officer(), 'menu');
    expect(menu.buttons).toEqual(expect.arrayContaining(['menu:example', 'menu:myexamples']));
    expect((await chat.command(officer(), 'help')).text).toContain(
      '/guongdienhinh, /example – Ghi nhận gương điển hình',
    );
    for (const key of ['leader', 'fund']) {
      const other = await chat.command(chat.user(key), 'menu');
      expect(other.buttons).not.toContain('menu:example');
      expect((await chat.command(chat.user(key), 'help')).text).not.toContain('/guongdienhinh');
    }
  });

  it('asks who, what and a photo; a bad answer is explained politely and asked again, nothing saved', async () => {
    const who = await chat.press(officer(), 'menu:example');
    // One unit: no unit question.
    expect(who.text).toContain('Gương điển hình là tập thể, cá nhân nào?');
    expect(who.text).toContain('"Chi hội Cựu chiến binh thôn 3"');
    const what = await chat.say(officer(), WHO);
    expect(what.text).toContain(`việc làm tiêu biểu của ${WHO}`);

    await expectAskedAgain(
      await chat.say(officer(), 'Tốt lắm'),
      /Nội dung còn ngắn quá \(ít nhất 15 ký tự\)/,
      /việc làm tiêu biểu/,
    );
    await expectAskedAgain(
      await chat.say(officer(), 'x'.repeat(501)),
      /Nội dung dài quá \(tối đa 500 ký tự\)/,
      /việc làm tiêu biểu/,
    );
    const photo = await chat.say(officer(), WHAT);
    expect(photo.text).toContain('Anh/chị có ảnh kèm theo không?');
    expect(photo.buttons).toContain('photo:');
    // Words where a photo is asked for: explained, asked again.
    await expectAskedAgain(await chat.say(officer(), 'ảnh đây'), /ảnh/, /ảnh kèm theo/);

    const summary = await chat.photo(officer(), 'tg-photo-an');
    expect(summary.text).toContain('Xem lại gương điển hình');
    expect(summary.text).toContain('🌟 Gương điển hình – Phường Đức Xuân');
    expect(summary.text).toContain(`Tập thể, cá nhân: ${WHO}`);
    expect(summary.text).toContain(`Việc làm: ${WHAT}`);
    expect(await rows()).toHaveLength(0);

    const done = await chat.press(officer(), '@confirm:yes');
    expect(done.text).toContain(`✅ Đã ghi nhận gương điển hình: ${WHO}.`);
    expect(done.text).toContain('trong báo cáo của Ban Thường trực');
    // The main menu follows, with the list to see or withdraw it.
    expect(done.buttons).toContain('menu:myexamples');

    const [row] = await rows();
    expect(row).toMatchObject({
      unitId: await unitId('01840'),
      who: WHO,
      what: WHAT,
      photo: JSON.stringify({ channel: 'playground', fileId: 'tg-photo-an' }),
      withdrawnAt: null,
    });
    expect(await audits()).toEqual([
      {
        action: 'example.record',
        entityId: String(row?.id),
        after: JSON.stringify({ unitId: row?.unitId, who: WHO, photo: 1 }),
      },
    ]);
  });

  it('an admin holding two units picks one; /guongdienhinh without a photo', async () => {
    // The city's admin is also an officer of Sông Cầu.
    const person = await chat.db.kysely
      .selectFrom('ChannelIdentity')
      .select('personId')
      .where('externalUserId', '=', 'admin')
      .executeTakeFirstOrThrow();
    await chat.db.kysely
      .insertInto('Membership')
      .values({
        personId: person.personId,
        unitId: await unitId('01837'),
        role: 'unit_officer',
        createdAt: new Date('2025-03-01T00:00:00Z'),
      })
      .execute();
    const unit = await chat.command(admin(), 'guongdienhinh');
    expect(unit.text).toContain('Gương điển hình này thuộc đơn vị nào?');
    const songCau = unit.replies
      .flatMap((r) => r.choices ?? [])
      .flat()
      .find((c) => c.label === 'Phường Sông Cầu');
    expect(songCau).toBeDefined();
    await chat.press(admin(), songCau?.id ?? '');
    await chat.say(admin(), 'Công ty TNHH Xây dựng Minh Tâm');
    await chat.say(admin(), 'Tặng 200 bao xi măng và 5 tấn thép cho 4 hộ nghèo phường Sông Cầu.');
    const summary = await chat.press(admin(), 'photo:');
    expect(summary.text).toContain('🌟 Gương điển hình – Phường Sông Cầu');
    expect(summary.text).toContain('Ảnh: Không có');
    expect((await chat.press(admin(), '@confirm:yes')).text).toContain(
      'Đã ghi nhận gương điển hình: Công ty TNHH Xây dựng Minh Tâm.',
    );
    expect((await rows()).at(-1)).toMatchObject({ unitId: await unitId('01837'), photo: null });
  });

  it('the weekly digest of the city names both; the live board’s list has them, newest first', async () => {
    const text = await cityDigest();
    expect(text).toContain('🌟 Gương điển hình mới:');
    expect(text).toContain(`• ${WHO} (Đức Xuân): ${WHAT}`);
    expect(text).toContain('• Công ty TNHH Xây dựng Minh Tâm (Sông Cầu): Tặng 200 bao xi măng');
    const store = createStore(chat.db);
    const campaign = await store.run((tx) => tx.campaigns.findCurrent());
    const recent = await store.run((tx) => tx.examples.listRecent(campaign?.id ?? 0, 10));
    expect(recent.map((e) => [e.who, e.unitName])).toEqual([
      ['Công ty TNHH Xây dựng Minh Tâm', 'Phường Sông Cầu'],
      [WHO, 'Phường Đức Xuân'],
    ]);
  });
});

describe('the officer lists and withdraws their own', () => {
  it('lists theirs, each a card with "Rút lại"', async () => {
    const list = await chat.press(officer(), 'menu:myexamples');
    expect(list.text).toContain('📋 Gương điển hình anh/chị đã ghi nhận');
    expect(list.text).toContain(`• 17/03/2025: ${WHO} (Phường Đức Xuân)`);
    expect(list.text).not.toContain('Minh Tâm');
    const id = (await rows())[0]?.id;
    expect(list.buttons).toContain(`menu:excard:${id}`);
    const card = await chat.press(officer(), `menu:excard:${id}`);
    expect(card.text).toContain(`🌟 ${WHO}`);
    expect(card.text).toContain('Đơn vị: Phường Đức Xuân, ghi nhận ngày 17/03/2025');
    expect(card.text).toContain('📷 Có ảnh kèm theo');
    expect(card.buttons).toContain(`menu:exwithdraw:${id}`);
  });

  it('refuses another ward’s officer and a member organisation’s leader the card and the withdrawal', async () => {
    const id = (await rows())[0]?.id;
    for (const key of ['officer-songcau', 'org-phunu']) {
      for (const button of [`menu:excard:${id}`, `menu:exwithdraw:${id}`]) {
        expect((await chat.press(chat.user(key), button)).text).toContain(
          'Gương điển hình này không thuộc đơn vị anh/chị phụ trách.',
        );
      }
    }
    expect((await chat.press(chat.user('leader'), 'menu:myexamples')).text).toContain(
      'Việc ghi nhận gương điển hình dành cho cán bộ phường, xã',
    );
    expect((await rows())[0]?.withdrawnAt).toBeNull();
  });

  it('withdraws it: gone from the list, the digest and the board; the card says since when', async () => {
    const id = (await rows())[0]?.id;
    chat.clock.set('2025-03-18T03:00:00Z');
    const done = await chat.press(officer(), `menu:exwithdraw:${id}`);
    expect(done.text).toContain(`↩️ Đã rút lại gương điển hình: ${WHO}.`);
    expect(done.buttons).toContain('menu:example');
    expect((await chat.press(officer(), `menu:exwithdraw:${id}`)).text).toContain(
      `Gương điển hình "${WHO}" đã được rút lại trước đó.`,
    );
    const card = await chat.press(officer(), `menu:excard:${id}`);
    expect(card.text).toContain('↩️ Đã rút lại ngày 18/03/2025.');
    expect(card.buttons).not.toContain(`menu:exwithdraw:${id}`);
    expect((await chat.press(officer(), 'menu:myexamples')).text).toContain(
      'Anh/chị chưa ghi nhận gương điển hình nào.',
    );
    expect((await audits()).map((a) => a.action)).toEqual([
      'example.record',
      'example.record',
      'example.withdraw',
    ]);

    const text = await cityDigest();
    expect(text).not.toContain(WHO);
    expect(text).toContain('Công ty TNHH Xây dựng Minh Tâm');
    const store = createStore(chat.db);
    const campaign = await store.run((tx) => tx.campaigns.findCurrent());
    const recent = await store.run((tx) => tx.examples.listRecent(campaign?.id ?? 0, 10));
    expect(recent.map((e) => e.who)).toEqual(['Công ty TNHH Xây dựng Minh Tâm']);
  });
});
