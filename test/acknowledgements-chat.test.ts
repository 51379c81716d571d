import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outbound } from '../core/messaging/message.ts';
import { type SqliteChat, startSqliteChat } from './support/sqlite-chat.ts';

/**
 * Acknowledgement letters in chat (issue 16 §4), on the seeded database (SQLite, or PostgreSQL
 * with TEST_DATABASE=postgres): the Women's Union asks for a letter from its pledge's card, the
 * city's fund officer hears of it and approves, the letter goes to the union's chat as a Word
 * document numbered 1, once however often anyone presses; a walk-in gift of cement is recorded as
 * goods with its value and the payer's consent, found by a search and acknowledged for the officer
 * to print; a second request is refused with a reason the donor is told.
 */

let chat: SqliteChat;
const org = () => chat.user('org-phunu');
const fund = () => chat.user('fund');
let pledgeId = 0;

const outbox = (keyLike: string) =>
  chat.db.kysely
    .selectFrom('Outbox')
    .select(['chatId', 'payload'])
    .where('idempotencyKey', 'like', keyLike)
    .orderBy('id')
    .execute();
const receiptsOf = (pledge: number) =>
  chat.db.kysely.selectFrom('FundEntry').selectAll().where('pledgeId', '=', pledge).orderBy('id').execute();
const numbers = () =>
  chat.db.kysely
    .selectFrom('DocumentNumber')
    .select(['number', 'docType', 'entityId'])
    .orderBy('number')
    .execute();

async function receiptAgainstPledge(amount: string): Promise<number> {
  await chat.press(fund(), `menu:receipt:${pledgeId}`);
  await chat.say(fund(), amount);
  await chat.press(fund(), 'occurredOn:2025-03-10');
  await chat.press(fund(), 'documentRef:');
  expect((await chat.press(fund(), '@confirm:yes')).text).toContain('Đã ghi nhận khoản thu');
  return (await receiptsOf(pledgeId)).at(-1)?.id ?? 0;
}

beforeAll(async () => {
  // 10/03/2025, 10:00 in Hà Nội: inside the seeded campaign.
  chat = await startSqliteChat('2025-03-10T03:00:00Z');
  await chat.press(org(), 'menu:pledge');
  await chat.press(org(), 'kind:money');
  await chat.say(org(), '50tr');
  await chat.press(org(), 'target:0');
  await chat.press(org(), 'dueOn:');
  await chat.press(org(), 'publicName:yes');
  expect((await chat.press(org(), '@confirm:yes')).text).toMatch(/Số đăng ký: UH-/);
  const row = await chat.db.kysely
    .selectFrom('Pledge')
    .select('id')
    .where('donorName', '=', 'Hội Liên hiệp Phụ nữ thành phố Bắc Kạn')
    .executeTakeFirstOrThrow();
  pledgeId = row.id;
});

afterAll(async () => {
  await chat.close();
});

describe('a donor asks, the fund officer approves', () => {
  let entryId = 0;

  it('shows the receipt on the pledge card with "Xin giấy xác nhận", and sends the request once', async () => {
    entryId = await receiptAgainstPledge('20tr');
    const card = await chat.press(org(), `menu:pledgecard:${pledgeId}`);
    expect(card.text).toContain('Các khoản đã nhận theo đăng ký:');
    expect(card.text).toContain('• 10/03/2025: 20.000.000 đ');
    expect(card.buttons).toContain(`menu:ackask:${entryId}`);

    const asked = await chat.press(org(), `menu:ackask:${entryId}`);
    expect(asked.text).toContain(
      'Đã gửi đề nghị cấp giấy xác nhận cho khoản nhận ngày 10/03/2025 (20.000.000 đ)',
    );
    const notices = await outbox('ack:%:request:%');
    expect(notices.map((n) => n.chatId)).toEqual(['fund']);
    const notice = JSON.parse(notices[0]?.payload ?? '{}') as Outbound;
    expect(notice.text).toContain('Người ủng hộ đề nghị cấp giấy xác nhận');
    expect(notice.text).toContain('Người ủng hộ: Hội Liên hiệp Phụ nữ thành phố Bắc Kạn');
    expect((notice.choices ?? []).flat().map((c) => [c.id, c.label])).toEqual([
      [`menu:ackok:${entryId}`, '✅ Duyệt'],
      [`menu:ackno:${entryId}`, '✖️ Từ chối'],
    ]);

    expect((await chat.press(org(), `menu:ackask:${entryId}`)).text).toContain('đang chờ cán bộ Quỹ duyệt');
    expect(await outbox('ack:%:request:%')).toHaveLength(1);
    // Someone else's receipt is not theirs to ask for.
    expect((await chat.press(chat.user('donor-new'), `menu:ackask:${entryId}`)).text).not.toContain(
      'Đã gửi đề nghị',
    );
  });

  it('lists the request waiting; approval numbers the letter and sends it to the donor as a document', async () => {
    const waiting = await chat.press(fund(), 'menu:ackpending');
    expect(waiting.text).toContain('Giấy xác nhận chờ duyệt (1)');
    expect(waiting.text).toContain(
      `• #${entryId} · 10/03/2025 · Hội Liên hiệp Phụ nữ thành phố Bắc Kạn · 20.000.000 đ`,
    );
    expect(waiting.buttons).toContain(`menu:ackentry:${entryId}`);

    const approved = await chat.press(fund(), `menu:ackok:${entryId}`);
    expect(approved.text).toContain(
      'Đã cấp giấy xác nhận số 1/GXN-BVĐ cho Hội Liên hiệp Phụ nữ thành phố Bắc Kạn.',
    );
    expect(approved.text).toContain('đã được gửi vào tin nhắn của người ủng hộ');
    const officerCopy = approved.replies.find((r) => r.document);
    expect(officerCopy?.document).toMatchObject({ kind: 'acknowledgement' });

    const letters = await outbox('ack:%:letter:%');
    expect(letters.map((l) => l.chatId)).toEqual(['org-phunu']);
    const letter = JSON.parse(letters[0]?.payload ?? '{}') as Outbound;
    expect(letter.document?.kind).toBe('acknowledgement');
    expect(letter.document?.params).toEqual(officerCopy?.document?.params);
    expect(letter.text).toContain('Giấy xác nhận số 1/GXN-BVĐ');
    expect(letter.document?.fallbackText).toContain(
      'số tiền 20.000.000 đồng (Bằng chữ: Hai mươi triệu đồng)',
    );

    // Pressed again (by the same or another officer): the same number, nothing sent twice.
    const again = await chat.press(fund(), `menu:ackok:${entryId}`);
    expect(again.text).toContain('đã được cấp giấy xác nhận số 1/GXN-BVĐ');
    expect(again.text).toContain('không cấp số mới');
    expect(await outbox('ack:%:letter:%')).toHaveLength(1);
    expect((await numbers()).map((n) => [n.number, n.docType])).toEqual([[1, 'GXN']]);

    const card = await chat.press(org(), `menu:pledgecard:${pledgeId}`);
    expect(card.text).toContain('🧾 đã cấp giấy xác nhận số 1/GXN-BVĐ');
    expect(card.buttons).not.toContain(`menu:ackask:${entryId}`);
    expect((await chat.press(fund(), 'menu:ackpending')).text).toContain('Không có đề nghị');
  });

  it('refuses a second request with a reason the donor is told', async () => {
    const second = await receiptAgainstPledge('30tr');
    await chat.press(org(), `menu:ackask:${second}`);
    const ask = await chat.press(fund(), `menu:ackno:${second}`);
    expect(ask.text).toContain('Lý do không cấp giấy xác nhận?');
    await chat.say(fund(), 'Khoản này đã gộp vào giấy xác nhận số 1');
    expect((await chat.press(fund(), '@confirm:yes')).text).toContain('không cấp giấy xác nhận, kèm lý do');
    const told = await outbox('ack:%:refused:%');
    expect(told.map((t) => t.chatId)).toEqual(['org-phunu']);
    expect(told[0]?.payload).toContain('Lý do: Khoản này đã gộp vào giấy xác nhận số 1');
    expect((await chat.press(org(), `menu:pledgecard:${pledgeId}`)).text).toContain(
      '✖️ không cấp giấy xác nhận (Khoản này đã gộp vào giấy xác nhận số 1)',
    );
  });
});

describe('a walk-in gift of goods', () => {
  it('is recorded as goods with its value and the consent to be named, asked in the words of goods', async () => {
    await chat.press(fund(), 'menu:receipt:0');
    const form = await chat.say(fund(), 'Công ty TNHH Minh Tâm');
    expect(form.buttons).toEqual(expect.arrayContaining(['form:money', 'form:materials', 'form:labour']));
    expect((await chat.press(fund(), 'form:materials')).text).toContain(
      'Hiện vật đã nhận (ví dụ: 100 bao xi măng)?',
    );
    expect((await chat.say(fund(), '100 bao xi măng')).text).toContain('Giá trị quy đổi ước tính (đồng)?');
    expect((await chat.say(fund(), '9tr')).text).toContain('nêu tên trong danh sách công khai');
    expect((await chat.press(fund(), 'publicName:yes')).text).toContain('Ngày nhận hiện vật?');
    await chat.press(fund(), 'occurredOn:2025-03-10');
    const summary = await chat.say(fund(), 'PN-07');
    expect(summary.text).toContain('Xem lại ghi nhận khoản ủng hộ');
    expect(summary.text).toContain('Giá trị quy đổi');
    expect(summary.text).not.toContain('tiền nhận');
    expect((await chat.press(fund(), '@confirm:yes')).text).toContain(
      'Đã ghi nhận 100 bao xi măng, trị giá quy đổi 9.000.000 đ.',
    );
    const row = await chat.db.kysely
      .selectFrom('FundEntry')
      .selectAll()
      .where('note', '=', 'Công ty TNHH Minh Tâm')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      kind: 'in_kind',
      pledgeId: null,
      description: '100 bao xi măng',
      documentRef: 'PN-07',
      amount: 9_000_000n,
    });
    expect(Boolean(row.publicName)).toBe(true);
  });

  it('is found by the officer and acknowledged for printing: goods worded as goods, numbered 2', async () => {
    await chat.press(fund(), 'menu:acksearch');
    const found = await chat.say(fund(), 'minh tam');
    const entry = await chat.db.kysely
      .selectFrom('FundEntry')
      .select('id')
      .where('note', '=', 'Công ty TNHH Minh Tâm')
      .executeTakeFirstOrThrow();
    expect(found.text).toContain('Tìm thấy 1 khoản ủng hộ');
    expect(found.text).toContain('100 bao xi măng (trị giá quy đổi 9.000.000 đ)');
    expect(found.buttons).toContain(`menu:ackentry:${entry.id}`);
    const card = await chat.press(fund(), `menu:ackentry:${entry.id}`);
    expect(card.text).toContain('Người ủng hộ: Công ty TNHH Minh Tâm (doanh nghiệp)');
    expect(card.text).toContain('Số chứng từ: PN-07');
    expect(card.text).toContain('Quỹ tiếp nhận: Quỹ "Vì người nghèo" thành phố Bắc Kạn');
    expect(card.buttons).toContain(`menu:ackok:${entry.id}`);
    const issued = await chat.press(fund(), `menu:ackok:${entry.id}`);
    expect(issued.text).toContain('Đã cấp giấy xác nhận số 2/GXN-BVĐ cho Công ty TNHH Minh Tâm.');
    expect(issued.text).toContain('in giấy xác nhận kèm theo');
    const document = issued.replies.find((r) => r.document)?.document;
    expect(document?.kind).toBe('acknowledgement');
    expect(document?.fallbackText).toContain(
      '100 bao xi măng, trị giá quy đổi ước tính 9.000.000 đồng (Bằng chữ: Chín triệu đồng)',
    );
    // Nobody's chat but the officer's: the donor never wrote to the bot.
    expect(await outbox('ack:%:letter:%')).toHaveLength(1);
    expect((await numbers()).map((n) => n.number)).toEqual([1, 2]);
  });
});
