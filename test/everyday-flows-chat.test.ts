import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personCommandList } from '../core/features/derive.ts';
import { FEATURES } from '../core/features/registry.ts';
import { t } from '../core/messaging/catalog.ts';
import { bold, plainText } from '../core/messaging/markup.ts';
import { buildLeadersView } from '../core/reports/leaders-view.ts';
import type { Actor } from '../core/shared/actor.ts';
import { createStore } from '../prisma/store.ts';
import { monthlyReport } from './support/area-views.ts';
import { unitIdOf } from './support/db-reads.ts';
import { ZERO_FIGURES } from './support/fixtures.ts';
import type { SqliteChat } from './support/sqlite-chat.ts';
import { startSqliteChat } from './support/sqlite-chat.ts';

/**
 * Officers' everyday flows (issue 18 §4) on the fixture: a leader finds the Excel export and the
 * public summary in the menu and in `/help`; after moving a household the officer gets that
 * household's card back, its next step one tap away; `/tinhhinh` reads on a phone — one block per
 * ward in full words, what the ward reported beside what the registry holds.
 */

const NOW = '2025-12-05T03:00:00Z';
let chat: SqliteChat;

beforeAll(async () => {
  chat = await startSqliteChat(NOW);
}, 60_000);

afterAll(async () => {
  await chat.close();
});

const NBSP = /\u00a0/g;

/** A leader of the city (Bắc Kạn, 058), as the access rules see her. */
async function cityLeader(locale: Actor['locale']): Promise<Actor> {
  const city = await chat.db.kysely
    .selectFrom('Unit')
    .selectAll()
    .where('code', '=', '058')
    .executeTakeFirstOrThrow();
  return {
    personId: 0,
    fullName: 'Lãnh đạo',
    locale,
    memberships: [
      { role: 'leader', unitId: city.id, unitCode: city.code, unitName: city.name, unitKind: city.kind },
    ],
  };
}

describe('the export and the public summary in the menus and /help', () => {
  it('a leader has both in the menu, side by side, and in /help; each button does what its command does', async () => {
    const leader = chat.user('leader');
    const menu = await chat.command(leader, 'menu');
    const rows = menu.replies.flatMap((r) => r.choices ?? []);
    expect(rows.find((row) => row.some((c) => c.id === 'menu:export'))?.map((c) => c.label)).toEqual([
      '📥 Xuất Excel',
      '📢 Công khai',
    ]);
    // Short enough to read at a glance: a handful of rows.
    expect(rows.length).toBeLessThanOrEqual(7);

    const help = plainText((await chat.command(leader, 'help')).text);
    expect(help).toContain('• /xuatbaocao – Xuất báo cáo (Excel)');
    expect(help).toContain('• /congkhai – Công khai thu, chi của Quỹ');

    const exports = await chat.press(leader, 'menu:export');
    expect(exports.text).toContain('📥 Xuất báo cáo Excel của');
    expect(exports.buttons.every((id) => id.startsWith('menu:export:'))).toBe(true);
    expect(exports.buttons.length).toBeGreaterThan(1);
    const summary = await chat.press(leader, 'menu:public');
    expect(summary.text).toBe((await chat.command(leader, 'congkhai')).text);
  });

  it("a leader's own Telegram command list has both, /xuatbaocao right after /tinhhinh", async () => {
    const names = personCommandList(FEATURES, await cityLeader('vi'), 'vi').map((c) => c.command);
    expect(names).toContain('congkhai');
    expect(names.indexOf('xuatbaocao')).toBe(names.indexOf('tinhhinh') + 1);
  });

  it('an admin has the export too; an officer, who may not export, has neither', async () => {
    const admin = await chat.command(chat.user('admin'), 'menu');
    expect(admin.buttons).toEqual(expect.arrayContaining(['menu:export', 'menu:public']));
    expect(plainText((await chat.command(chat.user('admin'), 'help')).text)).toContain('/xuatbaocao');
    const officer = chat.user('officer-ducxuan');
    expect((await chat.command(officer, 'menu')).buttons).not.toContain('menu:export');
    expect(plainText((await chat.command(officer, 'help')).text)).not.toContain('/xuatbaocao');
  });
});

describe('after moving a household', () => {
  it('shows that household again with its next step, not the main menu', async () => {
    const officer = chat.user('officer-ducxuan');
    expect((await chat.press(officer, 'menu:hhsearch')).text).toContain('tên chủ hộ');
    const results = await chat.say(officer, 'Hoàng Thị Mai');
    const card = await chat.pressFirst(officer, results, 'menu:hh:');
    expect(card.text).toContain('Trạng thái: Đã duyệt');
    const id = card.buttons.find((b) => b.startsWith('menu:hhmove:'))?.split(':')[2];

    await chat.press(officer, `menu:hhmove:${id}:started`);
    await chat.photo(officer, 'photo-start-DX-002');
    await chat.press(officer, 'note:');
    const done = await chat.press(officer, '@confirm:yes');
    expect(done.text).toContain('✅ Đã chuyển hộ Hoàng Thị Mai sang "Đã khởi công"');
    expect(done.text).toContain('🏠 Hoàng Thị Mai (mã DX-002)');
    expect(done.text).toContain('Trạng thái: Đã khởi công');
    expect(done.buttons).toEqual([`menu:hhmove:${id}:completed`, 'menu:hhsearch', 'menu:main']);

    // The next move is the one tap on the card.
    const next = await chat.press(officer, `menu:hhmove:${id}:completed`);
    expect(next.text).toContain('ảnh');
    await chat.command(officer, 'huy');
  });
});

describe('/tinhhinh on a phone', () => {
  it('one block per ward, in full words, what it reported beside the registry', async () => {
    const campaign = await chat.db.kysely
      .selectFrom('Campaign')
      .select('id')
      .where('code', '=', 'BK-XNT-2025')
      .executeTakeFirstOrThrow();
    const ducXuan = await unitIdOf(chat.db, '01840');
    const person = await chat.db.kysely.selectFrom('Person').select('id').executeTakeFirstOrThrow();
    // October's report of Đức Xuân, sent on 10/11: more houses than the registry holds (DX-001 to
    // DX-003 approved, DX-002 and DX-003 started — DX-002 by the test above).
    await createStore(chat.db).run((tx) =>
      monthlyReport(tx, campaign, {
        period: '2025-10',
        unitId: ducXuan,
        personId: person.id,
        at: '2025-11-10T03:00:00Z',
        figures: { ...ZERO_FIGURES, approvedNew: 4, approvedRepair: 1, startedNew: 3, completedNew: 2 },
      }),
    );

    const raw = (await chat.command(chat.user('leader'), 'tinhhinh')).marked;
    // The unit's name is a bold heading.
    expect(raw).toContain(bold('Phường Đức Xuân'));
    const view = plainText(raw).replace(NBSP, ' ');
    expect(view).toContain(
      [
        '📝 Theo báo cáo tháng 10/2025 của đơn vị',
        '📋 Theo danh sách hộ trên bot',
        '',
        'Phường Nguyễn Thị Minh Khai',
        '📝 Báo cáo: chưa nộp',
        '📋 Danh sách hộ: 0 được duyệt, 0 khởi công, 0 hoàn thành, 0 bàn giao',
        '',
      ].join('\n'),
    );
    expect(view).toContain(
      [
        '',
        'Phường Đức Xuân',
        '📝 Báo cáo gửi 10/11: 5 được duyệt, 3 khởi công, 2 hoàn thành (40%), 0 bàn giao',
        '📋 Danh sách hộ: 3 được duyệt, 2 khởi công, 0 hoàn thành (0%), 0 bàn giao',
        '',
      ].join('\n'),
    );
    expect(view).toMatch(
      /\n⏰ Chưa nộp báo cáo tháng 10\/2025: N\.T\. Minh Khai, Sông Cầu, Phùng Chí Kiên, /,
    );
    // No abbreviations; eight blocks of three short lines.
    expect(view).not.toMatch(/\b(KC|HT|BG|BC)\b/);
    expect(view.split('\n\n')).toHaveLength(1 + 8 + 1);
    expect(view.split('\n').filter((l) => l.startsWith('📋 Danh sách hộ:'))).toHaveLength(8);
    // A count stays with its words when the phone wraps the line.
    expect(raw).toContain('3\u00a0khởi\u00a0công');
  });

  it('reads the same in English', async () => {
    const leader = await cityLeader('en');
    const lines = await createStore(chat.db).run((tx) => buildLeadersView(tx, leader, new Date(NOW)));
    const view = (lines ?? [])
      .map((l) => plainText(t('en', l.key, l.params)))
      .join('\n')
      .replace(NBSP, ' ');
    expect(view).toContain('📝 As the unit reported for tháng 10/2025');
    expect(view).toContain(
      'Phường Đức Xuân\n📝 Report sent 10/11: 5 approved, 3 started, 2 completed (40%), 0 handed over\n' +
        '📋 Household registry: 3 approved, 2 started, 0 completed (0%), 0 handed over',
    );
    expect(view).toContain('📝 Report: not sent');
  });
});
