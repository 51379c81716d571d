import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainText } from '../core/messaging/markup.ts';
import { type SqliteChat, startSqliteChat } from './support/sqlite-chat.ts';

/** An admin invites an officer from the chat, only within their own area (issue 7 §1). */

let chat: SqliteChat;

beforeAll(async () => {
  chat = await startSqliteChat('2025-04-14T02:00:00Z');
});

afterAll(async () => {
  await chat.close();
});

describe('an admin in chat', () => {
  it('creates an invite for a ward of the area, and the invitee can use it', async () => {
    const admin = chat.user('admin');
    expect((await chat.command(admin, 'menu')).buttons).toContain('menu:invite');
    const role = await chat.press(admin, 'menu:invite');
    expect(role.text).toContain('vai trò nào');
    const unit = await chat.press(admin, 'role:unit_officer');
    const labels = unit.replies.flatMap((r) => (r.choices ?? []).flat().map((c) => c.label));
    // Officers belong to wards and communes: the city itself and the organisations are not offered.
    expect(labels).toContain('Phường Đức Xuân');
    expect(labels).not.toContain('Ủy ban MTTQ Việt Nam thành phố Bắc Kạn');
    expect(labels.some((l) => l.startsWith('Hội'))).toBe(false);
    const ward = unit.replies
      .flatMap((r) => (r.choices ?? []).flat())
      .find((c) => c.label === 'Xã Dương Quang');
    await chat.press(admin, ward?.id ?? 'unit:?');
    await chat.say(admin, 'Lò Văn Tâm');
    await chat.say(admin, '0');
    const summary = await chat.say(admin, '14');
    expect(summary.text).toContain('Xã Dương Quang');
    const done = await chat.press(admin, '@confirm:yes');
    const code = /Mã mời: ([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(plainText(done.text))?.[1] ?? '';
    expect(code).not.toBe('');
    const invites = await chat.db.kysely
      .selectFrom('AuditLog')
      .select((eb) => eb.fn.countAll<number | bigint>().as('n'))
      .where('action', '=', 'invite.create')
      .executeTakeFirstOrThrow();
    // COUNT is an integer on SQLite, a bigint on PostgreSQL.
    expect(Number(invites.n)).toBe(1);

    const newcomer = chat.user('new-officer');
    const welcome = await chat.say(newcomer, code);
    expect(welcome.text).toContain('Xã Dương Quang');
    expect(welcome.buttons.some((b) => b.startsWith('menu:report:'))).toBe(true);
  });

  it('is not offered to a leader, and a leader pressing it is refused', async () => {
    const leader = chat.user('leader');
    expect((await chat.command(leader, 'menu')).buttons).not.toContain('menu:invite');
    expect((await chat.press(leader, 'menu:invite')).text).toContain('dành cho quản trị viên');
  });
});
