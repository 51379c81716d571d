import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatReply, type SqliteChat, startSqliteChat } from './support/sqlite-chat.ts';

/** Citizen feedback (issue 7 §5) on a real, seeded database. */

let chat: SqliteChat;
const CITIZEN = 'citizen-0913';

interface Notice {
  text: string;
  choices?: { id: string; label: string }[][];
}

const notices = async (chatId: string): Promise<Notice[]> =>
  (
    await chat.db.kysely
      .selectFrom('Outbox')
      .select('payload')
      .where('chatId', '=', chatId)
      .where('purpose', '=', 'notice')
      .orderBy('id')
      .execute()
  ).map((r) => JSON.parse(r.payload) as Notice);

const feedbackRows = () => chat.db.kysely.selectFrom('Feedback').selectAll().orderBy('id').execute();

const buttonsOf = (notice: Notice | undefined) => notice?.choices?.flat().map((c) => c.id) ?? [];

/** A citizen's feedback from /phananh to the confirmation, about Phường Đức Xuân. */
async function sendFeedback(chatId: string, text: string, photo?: string): Promise<ChatReply> {
  const citizen = chat.user(chatId);
  const topic = await chat.command(citizen, 'phananh');
  expect(topic.text).toContain('Anh/chị muốn phản ánh về việc gì?');
  const unit = await chat.press(citizen, 'topic:construction');
  expect(unit.text).toContain('phường, xã nào');
  const ducXuan = unit.replies
    .flatMap((r) => r.choices ?? [])
    .flat()
    .find((c) => c.label === 'Phường Đức Xuân');
  expect(ducXuan).toBeDefined();
  const asked = await chat.press(citizen, ducXuan?.id ?? '');
  expect(asked.text).toContain('viết nội dung phản ánh');
  const photoStep = await chat.say(citizen, text);
  expect(photoStep.text).toContain('ảnh chụp');
  const nameStep = photo ? await chat.photo(citizen, photo) : await chat.press(citizen, 'photo:');
  expect(nameStep.text).toContain('cho biết tên');
  const summary = await chat.press(citizen, 'name:');
  expect(summary.text).toContain('Xem lại phản ánh');
  // No name given: the citizen reads that the feedback goes anonymous.
  expect(summary.text).toContain('• Tên người gửi: Ẩn danh');
  return chat.press(citizen, '@confirm:yes');
}

beforeAll(async () => {
  chat = await startSqliteChat('2025-04-14T02:00:00Z');
});

afterAll(async () => {
  await chat.close();
});

describe('citizen feedback', () => {
  it('a stranger is told about /phananh', async () => {
    const reply = await chat.say(chat.user('someone-else'), 'xin chào');
    expect(reply.text).toContain('MÃ MỜI');
    expect(reply.text).toContain('/phananh');
  });

  it('asks again on bad input: empty text, too long a text', async () => {
    const citizen = chat.user('citizen-typo');
    await chat.say(citizen, 'phản ánh');
    const unit = await chat.press(citizen, 'topic:household');
    const first = unit.buttons.find((b) => b.startsWith('unit:')) ?? '';
    const asked = await chat.press(citizen, first);
    expect(asked.text).toContain('viết nội dung phản ánh');
    const empty = await chat.say(citizen, '   ');
    expect(empty.text).toContain('Anh/chị chưa nhập gì.');
    expect(empty.text).toContain('viết nội dung phản ánh');
    const long = await chat.say(citizen, 'x'.repeat(1001));
    expect(long.text).toContain('tối đa 1.000 ký tự');
    expect(long.text).toContain('viết nội dung phản ánh');
    const cancelled = await chat.command(citizen, 'huy');
    expect(cancelled.text).not.toContain('Anh/chị chọn một việc');
    expect(await feedbackRows()).toHaveLength(0);
  });

  it('reaches the officer of the ward and the admins, with a tracking number', async () => {
    const receipt = await sendFeedback(
      CITIZEN,
      'Nhà bà Hoa ở tổ 5 làm mái tôn nhưng mưa vẫn dột.',
      'photo-roof',
    );
    expect(receipt.text).toContain('Số theo dõi: PA-0001');
    expect(receipt.text).toContain('/tracuu PA-0001');
    // Named by the ward chosen and the committee above it, not a fixed "thành phố".
    expect(receipt.text).toContain(
      'Phản ánh đã được chuyển tới cán bộ phường Đức Xuân và Ủy ban MTTQ thành phố Bắc Kạn.',
    );
    expect(receipt.buttons).toEqual([]);
    expect((await feedbackRows())[0]).toMatchObject({
      ref: 'PA-0001',
      channel: 'playground',
      chatId: CITIZEN,
      personId: null,
      name: null,
      topic: 'construction',
      status: 'received',
      photos: JSON.stringify([{ channel: 'playground', fileId: 'photo-roof' }]),
    });

    for (const handler of ['officer-ducxuan', 'admin']) {
      const notice = (await notices(handler)).at(-1);
      expect(notice?.text).toContain('Có phản ánh mới của người dân');
      expect(notice?.text).toContain('PA-0001 · việc xây, sửa nhà · Phường Đức Xuân');
      expect(notice?.text).toContain('mưa vẫn dột');
      expect(notice?.text).toContain('Kèm 1 ảnh');
      expect(notice?.text).toContain('Người gửi: Ẩn danh');
      // The citizen's chat is never shown.
      expect(notice?.text).not.toContain(CITIZEN);
      expect(buttonsOf(notice)).toEqual(['menu:fbhandle:1', 'menu:fbanswer:1']);
    }
    expect(await notices('officer-songcau')).toHaveLength(0);
  });

  it('the officer lists it, marks it handled and answers; the citizen is told each time', async () => {
    const officer = chat.user('officer-ducxuan');
    const menu = await chat.command(officer, 'menu');
    expect(menu.buttons).toContain('menu:fblist');
    const list = await chat.press(officer, 'menu:fblist');
    expect(list.text).toContain('Phản ánh chưa trả lời (1)');
    expect(list.buttons).toContain('menu:fbhandle:1');
    expect((await chat.press(chat.user('officer-songcau'), 'menu:fblist')).text).toContain(
      'Không có phản ánh nào',
    );
    // Another ward's officer cannot handle it.
    const refused = await chat.press(chat.user('officer-songcau'), 'menu:fbhandle:1');
    expect(refused.text).toContain('không thuộc phường, xã anh/chị phụ trách');

    const handled = await chat.press(officer, 'menu:fbhandle:1');
    expect(handled.text).toContain('Đã ghi nhận phản ánh PA-0001 đã xử lý');
    expect((await notices(CITIZEN)).at(-1)?.text).toContain(
      'Phản ánh PA-0001 của anh/chị đã được cán bộ xử lý',
    );
    const twice = await chat.press(chat.user('admin'), 'menu:fbhandle:1');
    expect(twice.text).toContain('Phản ánh PA-0001 đã xử lý trước đó');

    const ask = await chat.press(officer, 'menu:fbanswer:1');
    expect(ask.text).toContain('gõ nội dung trả lời phản ánh PA-0001');
    const answered = await chat.say(officer, 'Phường đã cử thợ lợp lại mái trong tuần này.');
    expect(answered.text).toContain('Đã gửi câu trả lời phản ánh PA-0001');
    expect((await notices(CITIZEN)).at(-1)?.text).toBe(
      '📨 Trả lời phản ánh PA-0001 của anh/chị:\nPhường đã cử thợ lợp lại mái trong tuần này.',
    );
    expect((await feedbackRows())[0]).toMatchObject({ status: 'answered', handledBy: expect.any(Number) });

    const audit = await chat.db.kysely
      .selectFrom('AuditLog')
      .select('action')
      .where('entity', '=', 'Feedback')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['feedback.create', 'feedback.handled', 'feedback.answered']);
  });

  it('/tracuu shows the status to the citizen and its officers only', async () => {
    const mine = await chat.command(chat.user(CITIZEN), 'tracuu', 'pa-1');
    expect(mine.text).toContain('PA-0001 · việc xây, sửa nhà · Phường Đức Xuân');
    expect(mine.text).toContain('Tình trạng: đã trả lời');
    expect(mine.text).toContain('Trả lời: Phường đã cử thợ lợp lại mái');
    const list = await chat.command(chat.user(CITIZEN), 'tracuu');
    expect(list.text).toContain('PA-0001 · gửi ngày 14/04/2025 · đã trả lời');
    expect((await chat.command(chat.user('someone-else'), 'tracuu', 'PA-0001')).text).toContain(
      'Không tìm thấy phản ánh PA-0001',
    );
    expect((await chat.command(chat.user('officer-songcau'), 'tracuu', 'PA-0001')).text).toContain(
      'Không tìm thấy',
    );
    expect((await chat.command(chat.user('officer-ducxuan'), 'tracuu', 'PA-0001')).text).toContain(
      'Tình trạng: đã trả lời',
    );
  });

  it('refuses a fourth feedback from one chat the same day, saving nothing', async () => {
    expect((await sendFeedback(CITIZEN, 'Phản ánh thứ hai.')).text).toContain('PA-0002');
    expect((await sendFeedback(CITIZEN, 'Phản ánh thứ ba.')).text).toContain('PA-0003');
    const before = (await feedbackRows()).length;
    const refused = await chat.command(chat.user(CITIZEN), 'phananh');
    expect(refused.text).toContain('Mỗi ngày anh/chị gửi được tối đa 3 phản ánh');
    expect(await feedbackRows()).toHaveLength(before);
    // Another chat is not affected, and the next day the citizen may write again.
    expect((await sendFeedback('citizen-other', 'Một chat khác.')).text).toContain('PA-0004');
    chat.clock.advance(24 * 3_600_000 + 60_000);
    expect((await sendFeedback(CITIZEN, 'Hôm sau.')).text).toContain('PA-0005');
  });

  it('drops zero-width and direction controls before the text is stored or shown to the officer', async () => {
    const hidden = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u061c]/;
    const receipt = await sendFeedback(
      'citizen-rtl',
      'Nhà\u202e số 5 bị\u200b dột\u2066 mái\ufeff, gọi\u061c\u200f anh Tú',
    );
    const ref = /PA-\d{4}/.exec(receipt.text)?.[0] ?? 'missing';
    const row = (await feedbackRows()).find((r) => r.ref === ref);
    expect(JSON.stringify(row)).not.toMatch(hidden);
    const notice = (await notices('officer-ducxuan')).at(-1);
    expect(notice?.text).toContain('Nhà số 5 bị dột mái, gọi anh Tú');
    expect(notice?.text).not.toMatch(hidden);
  });
});
