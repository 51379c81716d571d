import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../bot/app.ts';
import { createFixedClock } from '../core/shared/clock.ts';
import { startApp, tempDatabase } from './support/app-harness.ts';
import {
  type BotApiEmulator,
  EMULATED_JPEG_HEAD,
  type EmulatorUser,
  startBotApiEmulator,
} from './support/bot-api-emulator.ts';

/**
 * Households in chat on Telegram: find a household without diacritics, move it through its statuses
 * with a photo, and the next monthly report proposes the counts the registry now gives.
 */

const officer: EmulatorUser = { id: 7301, first_name: 'Lan' };
// The demo households of Đức Xuân are seeded on 20/02/2025; February's report is due 15/03/2025.
const clock = createFixedClock('2025-02-20T03:00:00Z');
let emulator: BotApiEmulator;
let db: ReturnType<typeof tempDatabase>;
let app: App | undefined;

async function send(action: () => void): Promise<string> {
  const before = emulator.messagesTo(officer.id).length;
  action();
  return (await emulator.waitForMessages(officer.id, before + 1)).at(-1)?.text ?? '';
}

const say = (text: string) => send(() => emulator.sendText(officer, text));

function buttons(): { data: string; text: string }[] {
  const markup = emulator.lastMessageTo(officer.id)?.replyMarkup as
    | { inline_keyboard?: { callback_data?: string; text: string }[][] }
    | undefined;
  return (markup?.inline_keyboard ?? []).flat().map((b) => ({ data: b.callback_data ?? '', text: b.text }));
}

function press(prefix: string): Promise<string> {
  const last = emulator.lastMessageTo(officer.id);
  const button = buttons().find((b) => b.data.startsWith(prefix));
  if (!last || !button) {
    throw new Error(`no button ${prefix} in ${JSON.stringify(buttons())}`);
  }
  return send(() => emulator.pressButton(officer, last.messageId, button.data));
}

async function move(search: string, to: string, withPhoto: boolean): Promise<string> {
  await press('menu:hhsearch');
  await say(search);
  const card = await press('menu:hh:');
  expect(card).toContain('Trạng thái');
  const next = await press(`menu:hhmove:`);
  expect(next).toContain(withPhoto ? 'ảnh' : 'Ghi chú');
  if (withPhoto) {
    expect(await say('đây là ảnh')).toContain('⚠️');
    await send(() => emulator.sendPhoto(officer, `photo-${to}-${search}`));
  }
  const summary = await press('note:');
  expect(summary).toContain(to);
  return press('@confirm:yes');
}

beforeEach(async () => {
  clock.set('2025-02-20T03:00:00Z');
  emulator = await startBotApiEmulator();
  db = tempDatabase();
  app = await startApp(
    {
      DATABASE_URL: db.url,
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      MEDIA_DIR: path.join(db.dir, 'media'),
    },
    { clock, telegramBotInfo: emulator.botInfo },
  );
  const unit = await app.prisma.unit.findFirstOrThrow({
    orderBy: { validFrom: 'desc' },
    where: { code: '01840' },
  });
  await app.prisma.invite.create({
    data: {
      code: 'HH7M2XPA',
      role: 'unit_officer',
      unitId: unit.id,
      createdBy: 'test',
      expiresAt: new Date('2025-12-31'),
    },
  });
  await say('/start HH7M2XPA');
});

afterEach(async () => {
  await app?.stop();
  app = undefined;
  await emulator.close();
  await db.cleanup();
});

describe('households in chat', () => {
  it('moves households with photos, then the report proposes the registry counts', async () => {
    const target = app;
    if (!target) {
      throw new Error('no app');
    }
    expect(await say('/menu')).toContain('Danh mục');
    // Found without diacritics and in lower case.
    await press('menu:hhsearch');
    expect(await say('nong van tu')).toContain('Tìm thấy 1 hộ');
    expect(buttons()[0]?.text).toContain('Nông Văn Tư');
    await say('/menu');

    const moved = await move('nong van tu', 'Đã khởi công', true);
    expect(moved).toContain('Đã chuyển hộ Nông Văn Tư sang "Đã khởi công"');
    // The household's card again, not the main menu: its next step is one tap away.
    expect(moved).toContain('🏠 Nông Văn Tư (mã DX-001)');
    expect(moved).toContain('Trạng thái: Đã khởi công');
    expect(buttons().map((b) => b.text)).toEqual([
      '➡️ Đã hoàn thành',
      '🔎 Tìm hộ khác',
      '📋 Danh mục chức năng',
    ]);
    expect(await move('DX-003', 'Đã hoàn thành', true)).toContain('Lý Văn Sáng');
    // A second move of the same step from an old button changes nothing.
    const tu = await target.prisma.household.findFirstOrThrow({ where: { code: 'DX-001' } });
    expect(tu.status).toBe('started');
    const events = await target.prisma.householdEvent.findMany({
      where: { householdId: tu.id, kind: 'status' },
    });
    expect(events).toHaveLength(1);
    // The evidence photo is copied under MEDIA_DIR and the copy linked to the event.
    let photos: { channel: string; fileId: string; localPath?: string }[] = [];
    for (let i = 0; i < 50 && !photos[0]?.localPath; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const event = await target.prisma.householdEvent.findUniqueOrThrow({
        where: { id: events[0]?.id ?? 0 },
      });
      photos = JSON.parse(event.photos);
    }
    expect(photos[0]).toMatchObject({ channel: 'telegram', fileId: 'photo-Đã khởi công-nong van tu' });
    const copy = path.join(db.dir, 'media', photos[0]?.localPath ?? 'missing');
    // The emulator serves a JPEG's first bytes and then the file's path as its content.
    const bytes = fs.readFileSync(copy);
    expect(bytes.subarray(0, EMULATED_JPEG_HEAD.length)).toEqual(EMULATED_JPEG_HEAD);
    expect(decodeURIComponent(bytes.subarray(EMULATED_JPEG_HEAD.length).toString('utf8'))).toBe(
      'emulated file files/photo-Đã khởi công-nong van tu',
    );

    // The list by status shows the move.
    await say('/menu');
    expect(await press('menu:hhlist')).toContain('theo trạng thái');
    expect(buttons().map((b) => b.text)).toEqual(
      expect.arrayContaining(['Đã khởi công: 1', 'Đã hoàn thành: 1', 'Đã duyệt: 1', 'Đề xuất: 1']),
    );
    expect(await press('menu:hhlist:started')).toContain('1. Nông Văn Tư (DX-001) – Tổ 1');
    // Each household of the list opens with one tap: its card with the next move.
    expect(buttons().map((b) => b.text)).toContain('🏠 Nông Văn Tư · Tổ 1');
    const card = await press('menu:hh:');
    expect(card).toContain('🏠 Nông Văn Tư (mã DX-001)');
    expect(card).toContain('Trạng thái: Đã khởi công');
    expect(buttons().some((b) => b.data.startsWith('menu:hhmove:'))).toBe(true);

    // 10/03/2025: February's report. Registry as of 28/02: DX-001 started, DX-003 completed (new
    // builds), DX-002 approved (repair), DX-004 only proposed.
    clock.set('2025-03-10T03:00:00Z');
    expect(await say('/baocao')).toContain('kỳ nào');
    const feb = await target.prisma.reportingPeriod.findFirstOrThrow({ where: { code: '2025-02' } });
    const expected: [string, number][] = [
      ['approvedNew', 2],
      ['approvedRepair', 1],
      ['startedNew', 2],
      ['startedRepair', 0],
      ['completedNew', 1],
      ['completedRepair', 0],
      ['handedOverNew', 0],
      ['handedOverRepair', 0],
    ];
    let prompt = await press(`period:${feb.id}`);
    for (const [field, value] of expected) {
      expect(prompt, field).toContain(`theo danh sách hộ: ${value}`);
      const registryButton = buttons().find((b) => b.text.startsWith('📋'));
      expect(registryButton?.data, field).toBe(`${field}:${value}`);
      prompt = await press(`${field}:${value}`);
    }
    for (const answer of ['500tr', '300tr', '120']) {
      prompt = await say(answer);
    }
    await press('difficulties:');
    await press('proposals:');
    const summary = await press('photo:');
    expect(summary).toContain('Xem lại');
    expect(summary).not.toContain('Lý do khác danh sách');
    await press('@confirm:yes');
    const report = await target.prisma.report.findFirstOrThrow();
    expect(report).toMatchObject(Object.fromEntries(expected));
    expect(report.registryReason).toBeNull();
  });

  it('asks for a reason when the officer corrects a registry count, and keeps it', async () => {
    const target = app;
    if (!target) {
      throw new Error('no app');
    }
    clock.set('2025-03-10T03:00:00Z');
    await say('/baocao');
    const feb = await target.prisma.reportingPeriod.findFirstOrThrow({ where: { code: '2025-02' } });
    await press(`period:${feb.id}`);
    // Registry: approvedNew 2 (DX-001, DX-003), approvedRepair 1 (DX-002), startedNew 1 (DX-003).
    for (const answer of ['3', '1', '1', '0', '0', '0', '0', '0', '0', '0', '0', 'không', 'không', 'không']) {
      await say(answer);
    }
    expect(emulator.lastMessageTo(officer.id)?.text).toContain('khác với danh sách hộ');
    await say('Thêm 1 hộ mới phát hiện, chưa nhập danh sách');
    await press('@confirm:yes');
    const report = await target.prisma.report.findFirstOrThrow();
    expect(report.registryReason).toBe('Thêm 1 hộ mới phát hiện, chưa nhập danh sách');
  });

  it('shows a leader each unit by status with the late reports, and refuses an officer', async () => {
    const target = app;
    if (!target) {
      throw new Error('no app');
    }
    clock.set('2025-03-20T03:00:00Z');
    const city = await target.prisma.unit.findFirstOrThrow({
      orderBy: { validFrom: 'desc' },
      where: { code: '058' },
    });
    await target.prisma.invite.create({
      data: {
        code: 'LD7M2XPA',
        role: 'leader',
        unitId: city.id,
        createdBy: 'test',
        expiresAt: new Date('2025-12-31'),
      },
    });
    const leader: EmulatorUser = { id: 7302, first_name: 'Hoa' };
    emulator.sendText(leader, '/start LD7M2XPA');
    await emulator.waitForMessages(leader.id, 1);
    emulator.sendText(leader, '/tinhhinh');
    const view = ((await emulator.waitForMessages(leader.id, 2)).at(-1)?.text ?? '').replaceAll(
      '\u00a0',
      ' ',
    );
    expect(view).toContain('Tình hình xóa nhà tạm');
    // One block per ward and commune: its name, what it reported for the period due, and the
    // registry. Đức Xuân: approved 3 (DX-001, DX-002, DX-003), started 1, completed 0, handed over 0.
    expect(view).toContain(
      [
        '\n\nPhường Đức Xuân',
        '📝 Báo cáo: chưa nộp',
        '📋 Danh sách hộ: 3 được duyệt, 1 khởi công, 0 hoàn thành (0%), 0 bàn giao\n',
      ].join('\n'),
    );
    expect(view).toContain('Chưa nộp báo cáo tháng 2/2025');
    expect(view).toContain('\n\nPhường Sông Cầu\n');
    expect(view.split('\n').filter((line) => line.startsWith('📋 Danh sách hộ: '))).toHaveLength(8);
    expect(await say('/tinhhinh')).toContain('dành cho lãnh đạo');
  });

  it('warns of a likely duplicate right after the name, village and birth year; "Không" goes on, once', async () => {
    const target = app;
    if (!target) {
      throw new Error('no app');
    }
    await say('/menu');
    expect(await press('menu:hhadd')).toContain('1/15. Mã hộ theo danh sách của xã, phường');
    await say('DX-050');
    await say('Tổ 1');
    // The head-name rule is checked at the name itself, not after every answer.
    const refused = await say('Nông Văn 4');
    expect(refused).toContain('⚠️ Họ tên chủ hộ chỉ gồm chữ cái');
    expect(refused).toContain('3/15. Họ và tên chủ hộ?');
    // "Nong Van Tu", Tổ 1, born 1956: the seeded Nông Văn Tư without diacritics.
    await say('Nong Van Tu');
    const warning = await say('1956');
    expect(warning).toContain('⚠️ Hộ vừa nhập có thể TRÙNG với hộ đã có trong chương trình:');
    expect(warning).toContain('• Nông Văn Tư (mã DX-001, Tổ 1): cùng họ tên (không dấu), cùng thôn');
    expect(warning).toContain('cùng năm sinh 1956');
    expect(warning).toContain('Đây có phải là cùng một hộ không?');
    expect(buttons().map((b) => b.text)).toEqual(['Có, là cùng một hộ', 'Không, là hộ khác']);
    // "Không": another household; the next question, not the same one again.
    expect(await press('sameHousehold:no')).toContain('5/15. Hộ thuộc diện nào?');
    await press('category:poor');
    await press('need:new_build');
    expect(buttons().map((b) => b.text)).toEqual(['Có, bền chắc', 'Không bền chắc']);
    await press('foundationDurable:no');
    await press('frameDurable:no');
    await press('roofDurable:yes');
    expect(await say('24,5 m2')).toContain('11/15. Số nhân khẩu của hộ?');
    await say('3');
    await press('landLegal:yes');
    expect(emulator.lastMessageTo(officer.id)?.text).toContain(
      '13/15. Đất ở của hộ có đang bị tranh chấp không?',
    );
    expect(buttons().map((b) => b.text)).toEqual(['Có tranh chấp', 'Không tranh chấp']);
    // Typed "không" means what it says: no dispute.
    await say('không');
    await press('inLandslideZone:no');
    const summary = await press('confirmedByCommune:yes');
    expect(summary).toContain('Xem lại');
    expect(summary).toContain('✅ Kết luận: đủ điều kiện hỗ trợ xây mới.');
    expect(summary).toContain('• Năm sinh chủ hộ: 1956');
    expect(summary).toContain('• Diện tích (m²): 24,5');
    expect(summary).toContain('• Tranh chấp đất ở: Không tranh chấp');
    expect(summary).toContain('• Trùng với hộ đã có: Không, là hộ khác');
    const saved = await press('@confirm:yes');
    expect(saved).toContain('Đã thêm hộ Nong Van Tu (mã DX-050)');
    // The new household's card, its first step one tap away.
    expect(saved).toContain('🏠 Nong Van Tu (mã DX-050)\nThôn/tổ: Tổ 1');
    expect(buttons()[0]?.data).toMatch(/^menu:hhmove:\d+:approved$/);
    const added = await target.prisma.household.findFirstOrThrow({ where: { code: 'DX-050' } });
    expect(added).toMatchObject({
      status: 'proposed',
      eligible: true,
      headNameKey: 'nong van tu',
      landUndisputed: true,
      outsideLandslideZone: true,
      area: 24.5,
    });
    const audit = await target.prisma.auditLog.findFirstOrThrow({ where: { action: 'household.create' } });
    expect(audit.after).toContain('confirmedDifferentFrom');
  });

  it('stops at "Có, là cùng một hộ" naming the household already listed; nothing is added', async () => {
    const target = app;
    if (!target) {
      throw new Error('no app');
    }
    const before = await target.prisma.household.count();
    await say('/menu');
    await press('menu:hhadd');
    await press('code:');
    await say('Tổ 1');
    await say('Nông Văn Tư');
    expect(await say('1956')).toContain('có thể TRÙNG');
    const stopped = await press('sameHousehold:yes');
    expect(stopped).toContain(
      'Không thêm hộ mới: hộ này đã có trong chương trình – Nông Văn Tư (mã DX-001, Tổ 1).',
    );
    expect(await target.prisma.household.count()).toBe(before);
  });

  it('records a disputed land as disputed, says why at the summary, and gives the next code of the unit', async () => {
    const target = app;
    if (!target) {
      throw new Error('no app');
    }
    await say('/menu');
    await press('menu:hhadd');
    expect(buttons().map((b) => b.text)).toEqual(['Chưa có mã — bot cấp mã mới']);
    await press('code:');
    await say('Tổ 9');
    await say('Đinh Văn Lành');
    await say('1960');
    await press('category:poor');
    await press('need:new_build');
    await press('foundationDurable:no');
    await press('frameDurable:no');
    await press('roofDurable:no');
    expect(await say('24 mét khối')).toContain('⚠️ Diện tích nhà phải là một số (m²), ví dụ 24,5.');
    await say('20m2');
    await say('4');
    await press('landLegal:yes');
    // An officer answering "Có" to the dispute question records a dispute.
    await say('có');
    await press('inLandslideZone:no');
    const summary = await press('confirmedByCommune:yes');
    expect(summary).toContain('• Mã hộ: DX-005 (bot cấp mã mới)');
    expect(summary).toContain('• Tranh chấp đất ở: Có tranh chấp');
    expect(summary).toContain('⚠️ Kết luận: chưa đủ điều kiện hỗ trợ – đất ở của hộ đang có tranh chấp.');
    expect(await press('@confirm:yes')).toContain('Mã hộ do bot cấp: DX-005');
    const added = await target.prisma.household.findFirstOrThrow({ where: { code: 'DX-005' } });
    expect(added).toMatchObject({ headName: 'Đinh Văn Lành', landUndisputed: false, eligible: false });
  });

  it('takes the quarterly report with its own questions, late after its due date, revisions kept', async () => {
    const target = app;
    if (!target) {
      throw new Error('no app');
    }
    // 20/03/2025: the Q1 report was due before 15/03/2025.
    clock.set('2025-03-20T03:00:00Z');
    await say('/menu');
    expect(await press('menu:narrative')).toContain('báo cáo nào');
    const q1 = await target.prisma.reportingPeriod.findFirstOrThrow({ where: { code: '2025-Q1' } });
    expect(await press(`period:${q1.id}`)).toContain('Kết quả nổi bật');
    expect(await say('Khởi công 2 nhà, hoàn thành 1 nhà')).toContain('Khó khăn');
    await say('Thiếu vật liệu do mưa lũ');
    const summary = await say('không');
    expect(summary).toContain('quá hạn');
    expect(summary).not.toContain('khen thưởng');
    expect(await press('@confirm:yes')).toContain('BCQ-2025Q1-01840-1');
    await say('/menu');
    await press('menu:narrative');
    await press(`period:${q1.id}`);
    await say('Bản sửa: hoàn thành 2 nhà');
    await say('không');
    await say('không');
    expect(await press('@confirm:yes')).toContain('bản sửa lần 2');
    const reports = await target.prisma.narrativeReport.findMany({ orderBy: { revision: 'asc' } });
    expect(reports.map((r) => [r.ref, r.late])).toEqual([
      ['BCQ-2025Q1-01840-1', true],
      ['BCQ-2025Q1-01840-2', true],
    ]);
    expect(JSON.parse(reports[0]?.answers ?? '{}')).toEqual({
      achievements: 'Khởi công 2 nhà, hoàn thành 1 nhà',
      obstacles: 'Thiếu vật liệu do mưa lũ',
      proposals: '',
    });
  });
});
