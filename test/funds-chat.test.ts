import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outbound } from '../core/messaging/message.ts';
import { type SqliteChat, startSqliteChat } from './support/sqlite-chat.ts';

/**
 * Pledges and the fund ledger in chat, on a real seeded database (issue 5): an organisation
 * leader pledges 50 triệu, the fund officer records 20 + 30 triệu, an over-payment, a walk-in
 * receipt, allocates 60 triệu to an approved new-build household and pays half; a donor with no
 * invite registers, changes and cancels a pledge; the public summary and the acknowledgement.
 * Every bad answer gets a Vietnamese explanation and the same question, and nothing is saved.
 */

let chat: SqliteChat;
const org = () => chat.user('org-phunu');
const fund = () => chat.user('fund');

const entries = () =>
  chat.db.kysely.selectFrom('FundEntry').select(['kind', 'amount', 'overpayment']).orderBy('id').execute();
const pledgeRow = (ref: string) =>
  chat.db.kysely.selectFrom('Pledge').selectAll().where('ref', '=', ref).executeTakeFirst();
/** COUNT is an integer on SQLite, a bigint on PostgreSQL. */
const pledgeCount = async () =>
  Number(
    (
      await chat.db.kysely
        .selectFrom('Pledge')
        .select((eb) => eb.fn.countAll<number | bigint>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const identityCount = async (externalUserId: string) =>
  Number(
    (
      await chat.db.kysely
        .selectFrom('ChannelIdentity')
        .select((eb) => eb.fn.countAll<number | bigint>().as('n'))
        .where('externalUserId', '=', externalUserId)
        .executeTakeFirstOrThrow()
    ).n,
  );
/** The donors' receipt notices, in the order enqueued. */
const receiptNotices = () =>
  chat.db.kysely
    .selectFrom('Outbox')
    .select(['idempotencyKey', 'chatId', 'purpose', 'payload'])
    .where('idempotencyKey', 'like', 'receipt-notice:%')
    .orderBy('id')
    .execute();
const receiptIds = async (pledge: number) =>
  (
    await chat.db.kysely
      .selectFrom('FundEntry')
      .select('id')
      .where('pledgeId', '=', pledge)
      .orderBy('id')
      .execute()
  ).map((r) => r.id);
const householdId = async (code: string) =>
  (
    await chat.db.kysely
      .selectFrom('Household')
      .select('id')
      .where('code', '=', code)
      .executeTakeFirstOrThrow()
  ).id;

beforeAll(async () => {
  // 10/03/2025, 10:00 in Hà Nội: inside the seeded campaign.
  chat = await startSqliteChat('2025-03-10T03:00:00Z');
});

afterAll(async () => {
  await chat.close();
});

async function expectRefused(
  user: ReturnType<SqliteChat['user']>,
  answer: string,
  problem: RegExp,
  question: RegExp,
): Promise<void> {
  const before = (await entries()).length;
  const reply = await chat.say(user, answer);
  expect(reply.text).toMatch(problem);
  expect(reply.text).toMatch(question);
  expect((await entries()).length).toBe(before);
}

describe('an organisation leader pledges and the fund officer follows the money', () => {
  let pledgeId: number;

  it("registers a pledge of 50 triệu for the Women's Union at its own level", async () => {
    const menu = await chat.command(org(), 'menu');
    expect(menu.buttons).toContain('menu:pledge');
    const kind = await chat.press(org(), 'menu:pledge');
    expect(kind.text).toContain('hình thức');
    const amount = await chat.press(org(), 'kind:money');
    expect(amount.text).toContain('Số tiền đăng ký');
    await expectRefused(org(), '0', /từ 1\.000 đ trở lên/, /Số tiền đăng ký/);
    await expectRefused(org(), '-1', /không được âm/, /Số tiền đăng ký/);
    await expectRefused(org(), 'abc', /Chưa đọc được số tiền/, /Số tiền đăng ký/);
    await expectRefused(org(), '1e12', /Chưa đọc được số tiền/, /Số tiền đăng ký/);
    const target = await chat.say(org(), '50 triệu');
    expect(target.text).toContain('dành khoản ủng hộ cho địa bàn nào?');
    const due = await chat.press(org(), 'target:0');
    expect(due.text).toContain('dự kiến nộp');
    await expectRefused(org(), '1/3', /không được trước hôm nay/, /dự kiến nộp/);
    const publicName = await chat.say(org(), '31/3');
    const summary = await chat.press(org(), 'publicName:yes');
    expect(summary.text).toContain('Hội Liên hiệp Phụ nữ thành phố Bắc Kạn');
    expect(summary.text).toContain('50.000.000 đ');
    // The fund by its name, not the committee's: "Quỹ "Vì người nghèo" thành phố Bắc Kạn".
    expect(summary.text).toContain('Nơi tiếp nhận: Quỹ "Vì người nghèo" thành phố Bắc Kạn');
    expect(summary.text).not.toContain('Ủy ban MTTQ');
    expect(publicName.text).toContain('công khai');
    const done = await chat.press(org(), '@confirm:yes');
    expect(done.text).toContain('Số đăng ký: UH-0001');
    expect(done.text).toContain('Đã đăng ký');
    const row = await pledgeRow('UH-0001');
    expect(row).toMatchObject({
      donorKind: 'organisation',
      kind: 'money',
      amount: 50_000_000n,
      dueOn: '2025-03-31',
    });
    pledgeId = Number(row?.id);
  });

  it('records 20 then 30 triệu against it and the pledge becomes paid', async () => {
    const open = await chat.press(fund(), 'menu:receiptpick');
    expect(open.text).toContain('UH-0001');
    const ask = await chat.press(fund(), `menu:receipt:${pledgeId}`);
    expect(ask.text).toContain('còn phải nộp 50.000.000 đ');
    await expectRefused(fund(), '0', /lớn hơn 0 đồng/, /Số tiền nhận theo đăng ký/);
    await expectRefused(fund(), '-1', /không được âm/, /Số tiền nhận theo đăng ký/);
    await expectRefused(fund(), 'abc', /Chưa đọc được số tiền/, /Số tiền nhận theo đăng ký/);
    await expectRefused(fund(), '1e12', /Chưa đọc được số tiền/, /Số tiền nhận theo đăng ký/);
    await chat.say(fund(), '20tr');
    await chat.press(fund(), 'occurredOn:2025-03-10');
    const summary = await chat.say(fund(), 'BL-0001');
    expect(summary.text).toContain('20.000.000 đ');
    const done = await chat.press(fund(), '@confirm:yes');
    expect(done.text).toContain('Đã ghi nhận khoản thu 20.000.000 đ');
    expect(done.text).toContain('còn chưa phân bổ 20.000.000 đ.');
    expect(done.text).toContain('Đã nộp một phần');

    await chat.press(fund(), `menu:receipt:${pledgeId}`);
    await chat.say(fund(), '30.000.000');
    await chat.say(fund(), '10/3');
    await chat.press(fund(), 'documentRef:');
    const second = await chat.press(fund(), '@confirm:yes');
    expect(second.text).toContain('còn chưa phân bổ 50.000.000 đ.');
    expect(second.text).toContain('✅ Đã nộp đủ');
    expect((await chat.press(fund(), 'menu:receiptpick')).text).not.toContain('UH-0001');
  });

  it("tells the Women's Union of each receipt once, with the amounts and the letter's button", async () => {
    const notices = await receiptNotices();
    const receipts = await receiptIds(pledgeId);
    expect(receipts).toHaveLength(2);
    expect(notices.map((n) => [n.idempotencyKey, n.chatId, n.purpose])).toEqual(
      receipts.map((id) => [`receipt-notice:${id}:playground:org-phunu`, 'org-phunu', 'notice']),
    );
    const [first, second] = notices.map((n) => JSON.parse(n.payload) as Outbound);
    expect(first?.text).toBe(
      '💚 Quỹ "Vì người nghèo" thành phố Bắc Kạn đã nhận 20.000.000 đ theo đăng ký UH-0001 (Hội Liên hiệp Phụ nữ thành phố Bắc Kạn) ngày 10/03/2025. Đến nay đã nộp 20.000.000 đ trên 50.000.000 đ đã đăng ký. Trân trọng cảm ơn!',
    );
    expect(second?.text).toContain('đã nhận 30.000.000 đ theo đăng ký UH-0001');
    expect(second?.text).toContain('Đến nay đã nộp 50.000.000 đ trên 50.000.000 đ đã đăng ký.');
    expect((first?.choices ?? []).map((row) => row.map((c) => [c.id, c.label]))).toEqual([
      [[`menu:ackask:${receipts[0]}`, '📄 Xin giấy xác nhận (10/03/2025)']],
      [['menu:mypledges', '📄 Đăng ký của tôi']],
    ]);
    // The button asks for that receipt's letter, as the pledge card's does.
    const asked = await chat.press(org(), `menu:ackask:${receipts[0]}`);
    expect(asked.text).toContain('Đã gửi đề nghị cấp giấy xác nhận cho khoản nhận ngày 10/03/2025');
  });

  it('asks before recording more than the pledge, lets the amount be typed again, and keeps an over-payment as such', async () => {
    const search = await chat.press(fund(), 'menu:pledgesearch:receipt');
    expect(search.text).toContain('số đăng ký');
    const found = await chat.say(fund(), 'phu nu');
    expect(found.buttons).toContain(`menu:receipt:${pledgeId}`);
    await chat.press(fund(), `menu:receipt:${pledgeId}`);
    const question = await chat.say(fund(), '5tr');
    expect(question.text).toContain('lớn hơn phần còn phải nộp (0 đ)');
    const again = await chat.press(fund(), 'overpay:again');
    expect(again.text).toContain('Số tiền nhận theo đăng ký');
    await chat.say(fund(), '5 triệu');
    await chat.press(fund(), 'overpay:yes');
    await chat.press(fund(), 'occurredOn:2025-03-10');
    await chat.press(fund(), 'documentRef:');
    const done = await chat.press(fund(), '@confirm:yes');
    expect(done.text).toContain('Đã nộp vượt đăng ký: 5.000.000 đ');
    expect(done.text).toContain('còn chưa phân bổ 55.000.000 đ.');
    expect((await entries()).at(-1)).toMatchObject({
      kind: 'receipt',
      amount: 5_000_000n,
      overpayment: true,
    });
  });

  it('refuses an allocation above the balance or the norm, then allocates 60 triệu once', async () => {
    const search = await chat.press(fund(), 'menu:alloc');
    expect(search.text).toContain('tên chủ hộ');
    const found = await chat.say(fund(), 'DX-002');
    const repair = await chat.pressFirst(fund(), found, 'menu:alloc:');
    expect(repair.text).toContain('định mức 30.000.000 đ');
    await expectRefused(fund(), '35tr', /vượt định mức hỗ trợ 30\.000\.000 đ/, /Số tiền phân bổ/);
    await chat.command(fund(), 'huy');

    const proposed = await chat.press(fund(), `menu:alloc:${await householdId('DX-004')}`);
    expect(proposed.text).toContain('chưa được phê duyệt');

    const ask = await chat.press(fund(), `menu:alloc:${await householdId('DX-001')}`);
    expect(ask.text).toContain('Quỹ còn chưa phân bổ 55.000.000 đ');
    await expectRefused(
      fund(),
      '60tr',
      /vượt số tiền Quỹ còn chưa phân bổ \(55\.000\.000 đ\)/,
      /Số tiền phân bổ/,
    );
    await chat.command(fund(), 'huy');

    // A walk-in donation of 5 triệu, not against any pledge.
    await chat.press(fund(), 'menu:receipt:0');
    await chat.say(fund(), 'Bà con tổ 1 phường Đức Xuân');
    await chat.press(fund(), 'form:money');
    await chat.say(fund(), '5tr');
    await chat.press(fund(), 'publicName:no');
    await chat.press(fund(), 'occurredOn:2025-03-10');
    await chat.press(fund(), 'documentRef:');
    expect((await chat.press(fund(), '@confirm:yes')).text).toContain('còn chưa phân bổ 60.000.000 đ.');

    await chat.press(fund(), `menu:alloc:${await householdId('DX-001')}`);
    const summary = await chat.say(fund(), '60tr');
    expect(summary.text).toContain('Nông Văn Tư');
    const done = await chat.press(fund(), '@confirm:yes');
    expect(done.text).toContain('Đã phân bổ 60.000.000 đ cho hộ Nông Văn Tư');
    // Allocated but not yet paid: the fund still holds the money, none of it is left to allocate.
    expect(done.text).toContain(
      'Quỹ "Vì người nghèo" thành phố Bắc Kạn: tồn quỹ 60.000.000 đ, trong đó còn chưa phân bổ 0 đ.',
    );
    const twice = await chat.press(fund(), `menu:alloc:${await householdId('DX-001')}`);
    expect(twice.text).toContain('đã được phân bổ 60.000.000 đ');
  });

  it('pays the household in tranches, never more than allocated', async () => {
    const pick = await chat.press(fund(), 'menu:disbpick');
    expect(pick.text).toContain('chưa chi đủ');
    const ask = await chat.pressFirst(fund(), pick, 'menu:disb:');
    expect(ask.buttons).toContain('amount:30000000');
    await expectRefused(
      fund(),
      '61tr',
      /vượt phần đã phân bổ mà chưa chi \(60\.000\.000 đ\)/,
      /chi trả lần này/,
    );
    await chat.press(fund(), 'amount:30000000');
    await chat.press(fund(), 'occurredOn:2025-03-10');
    await chat.say(fund(), 'PC-12');
    const done = await chat.press(fund(), '@confirm:yes');
    expect(done.text).toContain('Đã ghi nhận chi 30.000.000 đ cho hộ Nông Văn Tư');
  });

  it("proposes the ward's money figures in its monthly report from the ledger", async () => {
    const officer = chat.user('officer-ducxuan');
    // March's report opens on 20/03.
    chat.clock.set('2025-03-21T03:00:00Z');
    let reply = await chat.command(officer, 'baocao');
    // March's report: the money moved on 10/03.
    const march = reply.replies
      .flatMap((r) => (r.choices ?? []).flat())
      .find((c) => c.id.startsWith('period:') && /3\/2025/.test(c.label));
    if (march) {
      reply = await chat.press(officer, march.id);
    }
    for (let i = 0; i < 12 && !reply.text.includes('9/14'); i++) {
      const first = reply.buttons[0];
      if (!first) {
        throw new Error(reply.text);
      }
      reply = await chat.press(officer, first);
    }
    // The city paid 30 triệu straight to a household of Đức Xuân: received and paid there.
    expect(reply.text).toContain('theo sổ quỹ: 30.000.000 đ');
    expect(reply.buttons[0]).toBe('moneyReceived:30000000');
    reply = await chat.press(officer, 'moneyReceived:30000000');
    expect(reply.text).toContain('10/14');
    expect(reply.buttons[0]).toBe('moneyPaid:30000000');
    await chat.command(officer, 'huy');
    chat.clock.set('2025-03-10T03:00:00Z');
  });

  it('shows the public summary to anyone, naming only donors who agreed and no phone number', async () => {
    const stranger = chat.user('citizen-1');
    const summary = await chat.command(stranger, 'congkhai');
    expect(summary.text).toContain('CÔNG KHAI QUỸ "VÌ NGƯỜI NGHÈO"');
    expect(summary.text).toContain('Tổng số đã tiếp nhận – Tiền: 60.000.000 đ.');
    expect(summary.text).toContain('1. Hội Liên hiệp Phụ nữ thành phố Bắc Kạn: 55.000.000 đ');
    // The walk-in payer did not agree to be named: counted, with what they gave, so the lines add up.
    expect(summary.text).toContain('Cùng 1 nhà hảo tâm khác không nêu tên: 5.000.000 đ.');
    expect(summary.text).not.toContain('Bà con tổ 1');
    expect(summary.text).toContain(
      'Hộ được hỗ trợ từ Quỹ: 1 hộ, đã phân bổ 60.000.000 đ, đã chi 30.000.000 đ.',
    );
    expect(summary.text).toContain('• Phường Đức Xuân: 1 hộ; phân bổ 60.000.000 đ; đã chi 30.000.000 đ');
    expect(summary.text).not.toContain('Nông Văn Tư');
    const rollup = await chat.press(fund(), 'menu:fund');
    expect(rollup.text).toContain(
      'Hội Liên hiệp Phụ nữ thành phố Bắc Kạn: 50.000.000 đ / 55.000.000 đ (110,0%)',
    );
  });
});

describe('transfers between levels', () => {
  it('moves money from the city fund to a ward, never more than the city holds', async () => {
    await chat.press(fund(), 'menu:receipt:0');
    await chat.say(fund(), 'Ngân hàng Chính sách xã hội');
    await chat.press(fund(), 'form:money');
    await chat.say(fund(), '10tr');
    await chat.press(fund(), 'publicName:no');
    await chat.press(fund(), 'occurredOn:2025-03-10');
    await chat.press(fund(), 'documentRef:');
    expect((await chat.press(fund(), '@confirm:yes')).text).toContain('còn chưa phân bổ 10.000.000 đ.');

    const to = await chat.press(fund(), 'menu:transfer');
    expect(to.text).toContain('Chuyển đến');
    const ward = to.replies
      .flatMap((r) => (r.choices ?? []).flat())
      .find((c) => c.label === 'Phường Sông Cầu');
    const amount = await chat.press(fund(), ward?.id ?? 'to:?');
    expect(amount.text).toContain('Quỹ còn chưa phân bổ 10.000.000 đ');
    await expectRefused(
      fund(),
      '11tr',
      /vượt số tiền Quỹ còn chưa phân bổ \(10\.000\.000 đ\)/,
      /Số tiền chuyển/,
    );
    await chat.say(fund(), '4tr');
    await chat.press(fund(), 'occurredOn:2025-03-10');
    await chat.say(fund(), 'QĐ 12/QĐ-MTTQ');
    const done = await chat.press(fund(), '@confirm:yes');
    expect(done.text).toContain('Đã chuyển 4.000.000 đ đến Phường Sông Cầu');
    expect(done.text).toContain('còn chưa phân bổ 6.000.000 đ.');
    const rollup = await chat.command(fund(), 'quy');
    expect(rollup.text).toContain(
      '• Quỹ "Vì người nghèo" phường Sông Cầu: nhận 0 đ; chuyển đến 4.000.000 đ; đã phân bổ 0 đ; đã chi 0 đ; tồn quỹ 4.000.000 đ, trong đó còn chưa phân bổ 4.000.000 đ',
    );
    expect(rollup.text).toMatch(/thành phố Bắc Kạn: nhận [\d.]+ đ; chuyển đi 4\.000\.000 đ; đã phân bổ/);
    expect(rollup.text).not.toContain('(+/-)');
  });
});

describe('a donor without an invite', () => {
  const donor = () => chat.user('guest-donor');

  it('registers with /ungho, is asked again for a bad phone or a past date, and nothing is saved', async () => {
    // Typing "Ủng hộ" works as well as the command (Zalo users rarely type commands).
    const first = await chat.say(donor(), 'Ủng hộ');
    expect(first.text).toContain('Người ủng hộ là');
    await chat.press(donor(), 'donorKind:enterprise');
    await chat.say(donor(), 'Công ty TNHH Xây dựng Minh Phát');
    await expectRefused(donor(), '12345', /Số điện thoại chưa đúng/, /Số điện thoại/);
    await chat.say(donor(), '0912 345 678');
    await chat.press(donor(), 'kind:money');
    await expectRefused(donor(), 'abc', /Chưa đọc được số tiền/, /Số tiền đăng ký/);
    const level = await chat.say(donor(), '100tr');
    await chat.pressFirst(donor(), level, 'level:');
    await chat.press(donor(), 'target:0');
    await expectRefused(donor(), '1/1', /không được trước hôm nay \(10\/03\/2025\)/, /dự kiến nộp/);
    const cancelled = await chat.command(donor(), 'huy');
    expect(cancelled.text).toContain('hủy');
    // Nothing was saved: no pledge and no person for this chat.
    expect(await pledgeCount()).toBe(1);
    expect(await identityCount('guest-donor')).toBe(0);
  });

  it('registers, changes and cancels a pledge before any payment', async () => {
    await chat.command(donor(), 'ungho');
    await chat.press(donor(), 'donorKind:enterprise');
    await chat.say(donor(), 'Công ty TNHH Xây dựng Minh Phát');
    await chat.say(donor(), '0912 345 678');
    await chat.press(donor(), 'kind:money');
    const level = await chat.say(donor(), '100tr');
    expect(level.text).toContain('cấp nào');
    const city = level.buttons.find((b) => b.startsWith('level:')) ?? '';
    await chat.press(donor(), city);
    await chat.press(donor(), 'target:0');
    await chat.press(donor(), 'dueOn:');
    const summary = await chat.press(donor(), 'publicName:no');
    // The donor checks their own number in full in their own review.
    expect(summary.text).toContain('• Số điện thoại: 0912 345 678');
    const done = await chat.press(donor(), '@confirm:yes');
    expect(done.text).toContain('UH-0002');
    expect(done.buttons).toContain('menu:mypledges');
    expect(await pledgeRow('UH-0002')).toMatchObject({
      donorPhone: '0912345678',
      publicName: false,
      personId: expect.any(Number),
    });

    const mine = await chat.press(donor(), 'menu:mypledges');
    const card = await chat.pressFirst(donor(), mine, 'menu:pledgecard:');
    const edit = await chat.pressFirst(donor(), card, 'menu:pledgeedit:');
    expect(edit.text).toContain('Sửa đăng ký số UH-0002');
    await chat.press(donor(), '@confirm:edit');
    await chat.press(donor(), '@edit:amount');
    await chat.say(donor(), '120 triệu');
    const updated = await chat.press(donor(), '@confirm:yes');
    expect(updated.text).toContain('Đã sửa đăng ký số UH-0002');
    expect(await pledgeRow('UH-0002')).toMatchObject({ amount: 120_000_000n });

    const again = await chat.press(donor(), 'menu:mypledges');
    const card2 = await chat.pressFirst(donor(), again, 'menu:pledgecard:');
    await chat.pressFirst(donor(), card2, 'menu:pledgecancel:');
    await chat.say(donor(), 'Công ty đổi kế hoạch');
    const cancelled = await chat.press(donor(), '@confirm:yes');
    expect(cancelled.text).toContain('Đã hủy đăng ký số UH-0002');
    const refused = await chat.press(donor(), `menu:pledgeedit:${Number((await pledgeRow('UH-0002'))?.id)}`);
    expect(refused.text).toContain('không sửa, hủy được nữa');
    // The public summary counts nothing for a cancelled pledge and never names this donor.
    expect((await chat.command(donor(), 'congkhai')).text).not.toContain('Minh Phát');
  });

  it('pledges goods for a ward: the review names the ward and the fund, the receipt reads as written', async () => {
    const person = () => chat.user('guest-person');
    await chat.command(person(), 'ungho');
    await chat.press(person(), 'donorKind:individual');
    await chat.say(person(), 'Lê Văn Bình');
    await chat.say(person(), '0987 654 321');
    await chat.say(person(), 'Sở Xây dựng');
    const what = await chat.press(person(), 'kind:materials');
    expect(what.text).toContain('chỉ ghi tên vật liệu');
    // Typed the way people do, quantity included: the receipt must not say "50 bao 50 bao".
    await chat.say(person(), '50 bao xi măng');
    await chat.say(person(), '50');
    await expectRefused(person(), '5 triệu', /Đơn vị tính chỉ ghi bằng chữ/, /Đơn vị tính/);
    await chat.say(person(), 'bao');
    const level = await chat.say(person(), '5tr');
    const labels = level.replies.flatMap((r) => (r.choices ?? []).flat().map((c) => c.label));
    expect(labels).toContain('Thành phố Bắc Kạn');
    const city = level.replies
      .flatMap((r) => (r.choices ?? []).flat())
      .find((c) => c.label === 'Thành phố Bắc Kạn');
    const target = await chat.press(person(), city?.id ?? '');
    expect(target.text).toContain('cho địa bàn nào?');
    const ward = target.replies
      .flatMap((r) => (r.choices ?? []).flat())
      .find((c) => c.label === 'Phường Đức Xuân');
    await chat.press(person(), ward?.id ?? '');
    await chat.press(person(), 'householdCode:');
    await chat.press(person(), 'dueOn:');
    const summary = await chat.press(person(), 'publicName:yes');
    expect(summary.text).toContain('• Dành cho: Phường Đức Xuân');
    expect(summary.text).toContain('• Nơi tiếp nhận: Quỹ "Vì người nghèo" thành phố Bắc Kạn');
    expect(summary.text).toContain('• Số điện thoại: 0987 654 321');
    const done = await chat.press(person(), '@confirm:yes');
    expect(done.text).toContain('Người ủng hộ: Lê Văn Bình – Sở Xây dựng (cá nhân)');
    expect(done.text).toContain('Nội dung: 50 bao xi măng (ước 5.000.000 đ)');
    expect(done.text).toContain('Nơi tiếp nhận: Quỹ "Vì người nghèo" thành phố Bắc Kạn');
    expect(done.text).toContain('Dành cho: Phường Đức Xuân');
    expect(done.text).toContain('giữ số này để tra cứu và đối chiếu khi bàn giao hiện vật.');
    expect(done.text).not.toContain('khi nộp tiền');
  });

  it('cannot change a pledge once money was received against it', async () => {
    const reply = await chat.press(org(), 'menu:mypledges');
    const card = await chat.pressFirst(org(), reply, 'menu:pledgecard:');
    expect(card.buttons.some((b) => b.startsWith('menu:pledgeedit:'))).toBe(false);
    expect(card.text).toContain('đã có khoản nộp');
  });
});

describe('a pledge nobody registered from a chat', () => {
  it('records a receipt against it and tells no one', async () => {
    const city = await chat.db.kysely
      .selectFrom('Pledge')
      .select(['campaignId', 'fundUnitId'])
      .where('ref', '=', 'UH-0001')
      .executeTakeFirstOrThrow();
    const { id } = await chat.db.kysely
      .insertInto('Pledge')
      .values({
        ref: 'UH-9001',
        campaignId: city.campaignId,
        donorKind: 'enterprise',
        donorName: 'Công ty TNHH Ánh Dương',
        personId: null,
        fundUnitId: city.fundUnitId,
        kind: 'money',
        amount: 10_000_000n,
        publicName: false,
        channel: null,
        createdAt: new Date('2025-03-10T03:00:00Z'),
        updatedAt: new Date('2025-03-10T03:00:00Z'),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const before = (await receiptNotices()).length;
    await chat.press(fund(), `menu:receipt:${id}`);
    await chat.say(fund(), '10tr');
    await chat.press(fund(), 'occurredOn:2025-03-10');
    await chat.press(fund(), 'documentRef:');
    expect((await chat.press(fund(), '@confirm:yes')).text).toContain('Đã ghi nhận khoản thu 10.000.000 đ');
    expect(await receiptIds(id)).toHaveLength(1);
    expect(await receiptNotices()).toHaveLength(before);
  });
});
