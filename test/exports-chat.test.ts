import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExportBuilder, XLSX_MIME_TYPE } from '../bot/exports/document-builder.ts';
import { createStore } from '../prisma/store.ts';
import { type SqliteChat, startSqliteChat } from './support/sqlite-chat.ts';

// 10:00 on 20/03/2025 in Vietnam: the February report (due before 15/03) is the latest one due.
const NOW = '2025-03-20T03:00:00Z';
const EXPORT_BUTTONS = [
  'menu:export:progress',
  'menu:export:households',
  'menu:export:pledges',
  'menu:export:ledger',
  'menu:export:late',
  'menu:export:summary',
];

let chat: SqliteChat;
let cityId = 0;

beforeAll(async () => {
  chat = await startSqliteChat(NOW);
  cityId = (
    await chat.prisma.unit.findFirstOrThrow({ orderBy: { validFrom: 'desc' }, where: { code: '058' } })
  ).id;
});

afterAll(async () => {
  await chat.close();
});

describe('/xuatbaocao', () => {
  it('offers a leader the five exports as buttons', async () => {
    const reply = await chat.command(chat.user('leader'), 'xuatbaocao');
    expect(reply.text).toContain('Xuất báo cáo Excel');
    expect(reply.buttons).toEqual(EXPORT_BUTTONS);
  });

  it('refuses an officer, with the menu and no export button', async () => {
    const reply = await chat.command(chat.user('officer-ducxuan'), 'xuatbaocao');
    expect(reply.text).toContain('dành cho lãnh đạo và quản trị viên');
    expect(reply.buttons.some((b) => b.startsWith('menu:export'))).toBe(false);
    const pressed = await chat.press(chat.user('officer-ducxuan'), 'menu:export:ledger');
    expect(pressed.replies.some((r) => r.document)).toBe(false);
  });

  it('a pressed export is queued as a document spec, built into the workbook when it is sent', async () => {
    const leader = chat.user('leader');
    const reply = await chat.press(leader, 'menu:export:progress');
    expect(reply.replies).toHaveLength(1);
    const [message] = reply.replies;
    expect(message?.text).toContain('Tiến độ theo đơn vị, kỳ tháng 2/2025');
    // The outbox row holds what to build, not the file.
    expect(message?.document).toEqual({
      kind: 'progress',
      params: { scope: [cityId], period: '2025-02' },
      fallbackText: expect.stringContaining(
        'npm run cli -- export progress tien-do-2025-02-2025-03-20.xlsx --period 2025-02 --unit 058',
      ),
    });
    const stored = await chat.db.kysely
      .selectFrom('Outbox')
      .select('payload')
      .where('payload', 'like', '%"document"%')
      .execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.payload.length).toBeLessThan(1000);

    // What the Telegram and playground senders do at send time.
    const build = createExportBuilder({ uow: createStore(chat.db), clock: chat.clock });
    const document = message?.document;
    if (!document) {
      throw new Error('no document');
    }
    const file = await build(document);
    expect(file.fileName).toBe('tien-do-2025-02-2025-03-20.xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(new Uint8Array(file.data).buffer);
    const ws = book.worksheets[0];
    expect(file.mimeType).toBe(XLSX_MIME_TYPE);
    expect(ws?.getCell('A2').value).toBe('THÀNH PHỐ BẮC KẠN');
    expect(ws?.getCell('A3').value).toBe('BAN THƯỜNG TRỰC');
    expect(ws?.getCell('A7').value).toBe('BÁO CÁO TIẾN ĐỘ XÓA NHÀ TẠM, NHÀ DỘT NÁT THEO ĐƠN VỊ');
  });

  it('an admin gets every export; the ledger has no period', async () => {
    const admin = chat.user('admin');
    expect((await chat.command(admin, 'xuatbaocao')).buttons).toEqual(EXPORT_BUTTONS);
    const reply = await chat.press(admin, 'menu:export:ledger');
    expect(reply.replies[0]?.document).toMatchObject({ kind: 'ledger', params: { scope: [cityId] } });
    expect(reply.replies[0]?.document?.params.period).toBeUndefined();
  });

  it('an unknown export is a stale button', async () => {
    const reply = await chat.press(chat.user('leader'), 'menu:export:everything');
    expect(reply.replies.some((r) => r.document)).toBe(false);
    expect(reply.text).toContain('Nút này thuộc câu hỏi trước');
  });
});
