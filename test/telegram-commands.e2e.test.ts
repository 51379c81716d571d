import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../bot/app.ts';
import { personCommandList } from '../core/features/derive.ts';
import { FEATURES } from '../core/features/registry.ts';
import { createFixedClock } from '../core/shared/clock.ts';
import type { TempDatabase } from './support/app-harness.ts';
import { startTelegramApp } from './support/app-harness.ts';
import type { BotApiEmulator, EmulatorUser } from './support/bot-api-emulator.ts';
import { emulatorChat } from './support/emulator-chat.ts';
import { joinByInvite, startTelegramWorld, stopTelegramWorld } from './support/telegram-world.ts';

/**
 * Telegram's "/" menus per scope and language (issue 18 §4), as the real grammY bot sets them on
 * the Bot API emulator: the public list for anyone, the groups' own, and each cadre's own list in
 * their private chat — set when an invite makes them a member, at start, and taken back with their
 * roles.
 */

const clock = createFixedClock('2025-03-10T03:00:00Z');
const leader: EmulatorUser = { id: 7401, first_name: 'Hà', language_code: 'vi' };
const officer: EmulatorUser = { id: 7402, first_name: 'Lan', language_code: 'vi' };
const admin: EmulatorUser = { id: 7403, first_name: 'Tâm', language_code: 'vi' };
const invitee: EmulatorUser = { id: 7404, first_name: 'Hoa', language_code: 'vi' };
const chat = emulatorChat(() => emulator);

let emulator: BotApiEmulator;
let db: TempDatabase;
let app: App;

const names = (scope: string, language = '') => emulator.commandsFor(scope, language).map((c) => c.command);
const chatCalls = (chatId: number) =>
  emulator.calls.filter(
    (c) => /MyCommands$/.test(c.method) && JSON.stringify(c.payload.scope ?? '').includes(`${chatId}`),
  );

beforeAll(async () => {
  ({ emulator, db, app } = await startTelegramWorld({ clock, telegramCommandSpacingMs: 0 }));
});

afterAll(() => stopTelegramWorld({ app, emulator, db }));

describe('Telegram command lists', () => {
  it('give the public its commands in every private chat, and groups their own', () => {
    for (const scope of ['default', 'all_private_chats']) {
      expect(names(scope)).toEqual(expect.arrayContaining(['start', 'ungho', 'phananh', 'tracuu', 'help']));
      expect(names(scope)).not.toContain('menu');
      expect(names(scope, 'en')).toEqual(expect.arrayContaining(['start', 'ungho', 'cancel', 'help']));
    }
    expect(names('all_group_chats')).toEqual(expect.arrayContaining(['dangkynhom', 'baocao']));
    expect(names('all_group_chats', 'en')).toEqual(expect.arrayContaining(['dangkynhom', 'digest']));
    expect(names('all_group_chats')).not.toContain('ungho');
  });

  it('give a leader who joins by invite a list of their own, with what the registry gives the role', async () => {
    expect(await joinByInvite({ emulator, app }, leader, 'LD7M2XPA', 'leader', '058')).toContain(
      'Đăng ký thành công',
    );
    await app.commandLists?.idle();
    const own = names(`chat:${leader.id}`);
    expect(own).toEqual(
      expect.arrayContaining(['menu', 'tinhhinh', 'xuatbaocao', 'congkhai', 'ungho', 'help']),
    );
    expect(own).not.toContain('baocao');
    const actor = {
      personId: 0,
      fullName: '',
      locale: 'vi',
      memberships: [
        { role: 'leader' as const, unitId: 1, unitCode: '058', unitName: '', unitKind: 'province' },
      ],
    };
    expect(emulator.commandsFor(`chat:${leader.id}`)).toEqual(personCommandList(FEATURES, actor, 'vi'));
    expect(emulator.commandsFor(`chat:${leader.id}`, 'en')).toEqual(personCommandList(FEATURES, actor, 'en'));
    expect(names(`chat:${leader.id}`, 'en')).toContain('status');
  });

  it("give an officer the monthly report and not a leader's status", async () => {
    await joinByInvite({ emulator, app }, officer, 'OF7M2XPA', 'unit_officer', '01840');
    await app.commandLists?.idle();
    expect(names(`chat:${officer.id}`)).toEqual(expect.arrayContaining(['menu', 'baocao', 'ungho']));
    expect(names(`chat:${officer.id}`)).not.toContain('tinhhinh');
  });

  it('send nothing again while nobody changed, and take a list back with the roles', async () => {
    const before = emulator.calls.length;
    app.commandLists?.kick();
    await app.commandLists?.idle();
    expect(emulator.calls.slice(before).filter((c) => /MyCommands$/.test(c.method))).toEqual([]);

    const person = await app.prisma.channelIdentity.findFirstOrThrow({
      where: { channel: 'telegram', externalUserId: String(officer.id) },
    });
    await app.prisma.membership.updateMany({
      where: { personId: person.personId },
      data: { revokedAt: new Date('2025-03-10T04:00:00Z') },
    });
    app.commandLists?.kick();
    await app.commandLists?.idle();
    expect(emulator.commandsFor(`chat:${officer.id}`)).toEqual([]);
    expect(emulator.commandsFor(`chat:${officer.id}`, 'en')).toEqual([]);
    expect(chatCalls(officer.id).at(-1)?.method).toBe('deleteMyCommands');
    expect(names(`chat:${leader.id}`)).toContain('tinhhinh');
  });

  it("are set again at start, waiting out Telegram's 429", async () => {
    await app.stop();
    emulator.failNext('setMyCommands', 1, {
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    });
    const before = chatCalls(leader.id).length;
    app = await startTelegramApp(emulator, db.url, { clock, telegramCommandSpacingMs: 0 });
    await app.commandLists?.idle();
    expect(names(`chat:${leader.id}`)).toContain('xuatbaocao');
    // Two languages; the 429 (on the public list, sent first) was waited out, not a chat's failure.
    expect(chatCalls(leader.id).length - before).toBe(2);
    expect(names('default')).toContain('ungho');
  });
});

describe("an admin's invite made in chat", () => {
  it('comes with a one-tap t.me link and the code to copy; the link redeems it and the invitee gets their list', async () => {
    await joinByInvite({ emulator, app }, admin, 'AD7M2XPA', 'admin', '058');
    await chat.say(admin, '/menu');
    await chat.press(admin, 'menu:invite');
    await chat.press(admin, 'role:unit_officer');
    await chat.press(admin, 'unit:');
    await chat.say(admin, 'Đỗ Thị Hoa');
    await chat.say(admin, '14');
    const done = await chat.press(admin, '@confirm:yes');
    const code = /Mã mời: ([A-Z0-9]{4})-([A-Z0-9]{4})/.exec(done);
    expect(code).not.toBeNull();
    const link = `https://t.me/${emulator.botInfo.username}?start=${code?.[1]}${code?.[2]}`;
    expect(done).toContain(link);
    // The code is in <code>: one tap copies it, to type on Zalo.
    const sent = emulator.lastMessageTo(admin.id);
    expect(
      sent?.entities?.filter((e) => e.type === 'code').map((e) => sent.text?.substr(e.offset, e.length)),
    ).toEqual([`${code?.[1]}-${code?.[2]}`]);

    // Tapping the link opens the chat with "/start CODE".
    expect(await chat.say(invitee, `/start ${new URL(link).searchParams.get('start')}`)).toContain(
      'Đăng ký thành công',
    );
    await app.commandLists?.idle();
    expect(names(`chat:${invitee.id}`)).toContain('baocao');
  });
});
