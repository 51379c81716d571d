import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqliteChat, startSqliteChat } from './support/sqlite-chat.ts';

/** Registering a leadership group with /dangkynhom and an admin's confirmation (issue 6 §4). */

let chat: SqliteChat;
const GROUP = '-100777';

const notices = async (chatId: string) =>
  (
    await chat.db.kysely
      .selectFrom('Outbox')
      .select('payload')
      .where('chatId', '=', chatId)
      .where('purpose', '=', 'notice')
      .orderBy('id')
      .execute()
  ).map((r) => JSON.parse(r.payload) as { text: string; choices?: { id: string }[][] });

const group = () =>
  chat.db.kysely.selectFrom('LeadershipGroup').selectAll().where('chatId', '=', GROUP).executeTakeFirst();

beforeAll(async () => {
  chat = await startSqliteChat('2025-04-14T02:00:00Z');
});

afterAll(async () => {
  await chat.close();
});

describe('leadership groups', () => {
  it('stays quiet in a group except for its commands, and refuses a non-leader', async () => {
    const officer = chat.user('officer-ducxuan');
    expect((await chat.inGroup(officer, GROUP, { kind: 'text', text: 'Chào cả nhà' })).replies).toHaveLength(
      0,
    );
    const refused = await chat.inGroup(officer, GROUP, { kind: 'command', command: 'dangkynhom', args: '' });
    expect(refused.text).toContain('dành cho lãnh đạo');
    expect(await group()).toBeUndefined();
  });

  it('a leader asks, an admin confirms in private, and the group is told', async () => {
    const leader = chat.user('leader');
    const asked = await chat.inGroup(leader, GROUP, {
      kind: 'command',
      command: 'dangkynhom',
      args: 'tuan han',
    });
    expect(asked.text).toContain('Chờ quản trị viên xác nhận');
    expect(asked.text).toContain('hằng tuần (sáng thứ Hai), sau mỗi hạn báo cáo');
    expect(await group()).toMatchObject({
      status: 'pending',
      digests: '["weekly","deadline"]',
      title: 'Lãnh đạo MTTQ thành phố',
    });

    const notice = (await notices('admin')).at(-1);
    expect(notice?.text).toContain('Lường Thị Hoa đề nghị nhóm "Lãnh đạo MTTQ thành phố"');
    const ok = notice?.choices?.flat().find((c) => c.id.startsWith('menu:grpok:'))?.id ?? '';
    const confirmed = await chat.press(chat.user('admin'), ok);
    expect(confirmed.text).toContain('Đã xác nhận nhóm "Lãnh đạo MTTQ thành phố"');
    expect(await group()).toMatchObject({ status: 'active' });
    expect((await notices(GROUP)).at(-1)?.text).toContain('Nhóm đã được đăng ký nhận báo cáo tổng hợp');
    // A second tap on the old button changes nothing.
    const again = await chat.press(chat.user('admin'), ok);
    expect(again.text).toContain('đã được xử lý trước đó');
  });

  it("an admin's own request is active at once", async () => {
    const reply = await chat.inGroup(chat.user('admin'), '-100888', {
      kind: 'command',
      command: 'dangkynhom',
    });
    expect(reply.text).toContain('✅ Nhóm đã được đăng ký');
  });
});
