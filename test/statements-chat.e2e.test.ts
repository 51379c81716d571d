import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../bot/app.ts';
import { createFixedClock } from '../core/shared/clock.ts';
import { createStore } from '../prisma/store.ts';
import { startApp, tempDatabase } from './support/app-harness.ts';
import {
  type BotApiEmulator,
  type EmulatorUser,
  type SentMessage,
  startBotApiEmulator,
} from './support/bot-api-emulator.ts';
import { moneyPledge } from './support/fixtures.ts';

/**
 * Issue 17 §2 in the chat, end to end on Telegram (real grammY, the Bot API emulator over HTTP, the
 * real app and its statement worker on the suite's database): the city's fund officer sends a bank
 * statement as a file and gets the counts (one credit matched by its UH number and recorded, three
 * proposed by name and amount, two unmatched, one debit), confirms one proposal with a tap (a second
 * tap on it records nothing more), then all the others at once, makes a walk-in receipt of an
 * unmatched credit and skips the other; each pledge's received changes exactly once. The same file
 * again adds nothing and says so; a file from someone who keeps no fund is refused politely; a
 * garbled file gets the clear message; nothing is saved for either.
 */

const officer: EmulatorUser = { id: 8301, first_name: 'Thu' };
const leader: EmulatorUser = { id: 8302, first_name: 'Mai' };
const clock = createFixedClock('2025-03-20T03:00:00Z');
let emulator: BotApiEmulator;
let db: ReturnType<typeof tempDatabase>;
let app: App;
const pledgeIds: Record<string, number> = {};

// A statement as the bank's internet banking exports it (a title row, then the header).
const STATEMENT = [
  'SAO KÊ TÀI KHOẢN QUỸ VÌ NGƯỜI NGHÈO THÀNH PHỐ BẮC KẠN,,,,,',
  'Ngày giao dịch,Số tham chiếu,Người chuyển,Nội dung,Ghi nợ,Ghi có',
  '10/03/2025,FT001,CONG TY TNHH MINH TAM,UH0001 CONG TY MINH TAM UNG HO,,10.000.000',
  '11/03/2025,FT002,NGUYEN VAN AN,NGUYEN VAN AN CHUYEN TIEN,,5.000.000',
  '11/03/2025,FT003,TRAN THI BINH,TRAN THI BINH UNG HO NHA DAI DOAN KET,,3.000.000',
  '12/03/2025,FT004,LE VAN CUONG,LE VAN CUONG CK,,2.000.000',
  '12/03/2025,FT005,PHAM THI DUNG,PHAM THI DUNG UNG HO QUY VI NGUOI NGHEO,,1.500.000',
  '13/03/2025,FT006,CONG TY ABC,CT ABC CHUYEN KHOAN,,7.000.000',
  '14/03/2025,FT007,NONG VAN EM,CHI HO TRO XAY NHA HO NONG VAN EM,30.000.000,',
].join('\r\n');
const CSV_TYPE = 'text/csv';
let fileCount = 0;

/** Sends `bytes` as a document and waits for `count` messages back; returns them. */
async function sendFile(
  user: EmulatorUser,
  fileName: string,
  bytes: Buffer | string,
  count: number,
): Promise<SentMessage[]> {
  const before = emulator.messagesTo(user.id).length;
  emulator.sendDocument(user, {
    fileId: `doc-${++fileCount}`,
    fileName,
    mimeType: fileName.endsWith('.csv') ? CSV_TYPE : undefined,
    bytes: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8'),
  });
  return (await emulator.waitForMessages(user.id, before + count)).slice(before);
}

function buttonsOf(message: SentMessage | undefined): { text: string; callback_data?: string }[] {
  const markup = message?.replyMarkup as { inline_keyboard?: { text: string; callback_data?: string }[][] };
  return (markup?.inline_keyboard ?? []).flat();
}

/** Presses, on `message`, the button whose data starts with `prefix` (and label holds `label`). */
async function press(user: EmulatorUser, message: SentMessage, prefix: string, label = ''): Promise<string> {
  const button = buttonsOf(message).find(
    (b) => b.callback_data?.startsWith(prefix) && b.text.includes(label),
  );
  if (!button?.callback_data) {
    throw new Error(`no button ${prefix} ${label} in ${JSON.stringify(buttonsOf(message))}`);
  }
  const before = emulator.messagesTo(user.id).length;
  emulator.pressButton(user, message.messageId, button.callback_data);
  const sent = await emulator.waitForMessages(user.id, before + 1);
  return sent
    .slice(before)
    .map((m) => m.text)
    .join('\n\n');
}

const last = (user: EmulatorUser) => emulator.lastMessageTo(user.id) as SentMessage;

async function say(user: EmulatorUser, text: string): Promise<string> {
  const before = emulator.messagesTo(user.id).length;
  emulator.sendText(user, text);
  const sent = await emulator.waitForMessages(user.id, before + 1);
  return sent
    .slice(before)
    .map((m) => m.text)
    .join('\n\n');
}

async function received(): Promise<Record<string, string>> {
  const rows = await app.db.kysely.selectFrom('Pledge').select(['ref', 'received']).execute();
  return Object.fromEntries(rows.map((r) => [r.ref, String(r.received)]));
}

async function count(table: 'FundEntry' | 'StatementLine' | 'StatementImport'): Promise<number> {
  const row = await app.db.kysely
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

beforeAll(async () => {
  emulator = await startBotApiEmulator();
  db = tempDatabase();
  app = await startApp(
    { DATABASE_URL: db.url, TELEGRAM_BOT_TOKEN: emulator.token, TELEGRAM_API_ROOT: emulator.apiRoot },
    { clock, telegramBotInfo: emulator.botInfo },
  );
  const store = createStore(app.db);
  await store.run(async (tx) => {
    const campaign = await tx.campaigns.findCurrent();
    const city = (await tx.units.listByKinds(['city'])).find((u) => u.code === '058');
    const women = (await tx.units.listByKinds(['member_org'])).find((u) => u.code === 'HLHPN-058');
    if (!campaign || !city || !women) {
      throw new Error('seed missing');
    }
    const at = new Date('2025-03-01T03:00:00Z');
    for (const [donorName, amount, donorKind] of [
      ['Công ty TNHH Minh Tâm', 10_000_000n, 'enterprise'],
      ['Nguyễn Văn An', 5_000_000n, 'individual'],
      ['Trần Thị Bình', 3_000_000n, 'individual'],
      ['Lê Văn Cường', 2_000_000n, 'individual'],
    ] as const) {
      const pledge = await tx.pledges.create(
        moneyPledge({ campaignId: campaign.id, fundUnitId: city.id, donorKind, donorName, amount }),
        at,
      );
      pledgeIds[donorName] = pledge.id;
    }
    const expiresAt = new Date('2025-12-31');
    await tx.invites.create(
      {
        code: 'QS7M2XPB',
        role: 'fund_officer',
        unitId: city.id,
        fullName: null,
        createdBy: 'test',
        expiresAt,
      },
      at,
    );
    await tx.invites.create(
      {
        code: 'PS7M2XPA',
        role: 'org_leader',
        unitId: women.id,
        fullName: null,
        createdBy: 'test',
        expiresAt,
      },
      at,
    );
  });
  expect(await say(officer, '/start QS7M2XPB')).toContain('cán bộ Quỹ');
  expect(await say(leader, '/start PS7M2XPA')).toContain('Hội Liên hiệp Phụ nữ');
}, 60_000);

afterAll(async () => {
  await app.stop();
  await emulator.close();
  await db.cleanup();
});

describe('a bank statement sent in the chat', () => {
  let proposals: SentMessage;
  let unmatched: SentMessage;

  it('the menu and /help tell the fund officer how; the statement is read and counted', async () => {
    await say(officer, '/menu');
    expect(buttonsOf(last(officer)).map((b) => b.text)).toContain('🏦 Nhập sao kê ngân hàng');
    expect(await press(officer, last(officer), 'menu:stmtimport')).toContain('gửi tệp sao kê');
    expect(await say(officer, '/help')).toContain('/saoke');

    const replies = await sendFile(officer, 'saoke-thang3.csv', STATEMENT, 5);
    const [reading, summary, p, u, d] = replies.map((m) => m.text ?? '');
    expect(reading).toContain(
      'Đang đọc sao kê "saoke-thang3.csv" của Quỹ "Vì người nghèo" thành phố Bắc Kạn',
    );
    expect(summary).toContain('Số dòng giao dịch đã đọc: 7');
    expect(summary).toContain('Khớp theo mã UH và đã ghi thu: 1 (10.000.000 đ)');
    expect(summary).toContain('Đề xuất theo tên và số tiền, chờ anh/chị xác nhận: 3');
    expect(summary).toContain('Khoản thu chưa khớp: 2');
    expect(summary).toContain('Khoản chi: 1');
    expect(summary).toContain('Đã có từ lần nhập trước, không ghi lại: 0');
    expect(p).toContain('Đề xuất theo tên và số tiền (3 khoản)');
    expect(u).toContain('Khoản thu chưa khớp với đăng ký nào (2 khoản)');
    expect(u).toContain('PHAM THI DUNG');
    expect(d).toContain('Khoản chi trên sao kê (1 khoản)');
    expect(d).toContain('30.000.000 đ');
    proposals = replies[2] as SentMessage;
    unmatched = replies[3] as SentMessage;
    expect(buttonsOf(proposals).map((b) => b.text)).toEqual([
      '✅ UH-0002 Nguyễn Văn An 5.000.000 đ',
      '✅ UH-0003 Trần Thị Bình 3.000.000 đ',
      '✅ UH-0004 Lê Văn Cường 2.000.000 đ',
      '✅ Xác nhận tất cả đề xuất (3)',
    ]);
    expect(await received()).toEqual({
      'UH-0001': '10000000',
      'UH-0002': '0',
      'UH-0003': '0',
      'UH-0004': '0',
    });
    expect(await count('FundEntry')).toBe(1);
  });

  it('one tap confirms a proposal; a second tap on it records nothing more', async () => {
    const first = await press(officer, proposals, 'menu:stmtok:', 'UH-0002');
    expect(first).toContain('Đã ghi nhận 5.000.000 đ của Nguyễn Văn An vào đăng ký UH-0002');
    expect(first).toContain('Đề xuất theo tên và số tiền (2 khoản)');
    expect((await received())['UH-0002']).toBe('5000000');
    const again = await press(officer, proposals, 'menu:stmtok:', 'UH-0002');
    expect(again).toContain('Khoản này đã được xử lý rồi');
    expect((await received())['UH-0002']).toBe('5000000');
    expect(await count('FundEntry')).toBe(2);
  });

  it('"confirm all" records the proposals left', async () => {
    const all = await press(officer, last(officer), 'menu:stmtall:');
    expect(all).toContain('Đã ghi thu 2 khoản đề xuất.');
    expect(await received()).toEqual({
      'UH-0001': '10000000',
      'UH-0002': '5000000',
      'UH-0003': '3000000',
      'UH-0004': '2000000',
    });
    expect(await count('FundEntry')).toBe(4);
    // The old list's button finds nothing left to confirm.
    expect(await press(officer, proposals, 'menu:stmtall:')).toContain('Không còn đề xuất nào chờ xác nhận.');
    expect(await count('FundEntry')).toBe(4);
  });

  it('an unmatched credit becomes a walk-in receipt; the other is skipped', async () => {
    const asked = await press(officer, unmatched, 'menu:stmtwalk:', 'Khoản 1');
    expect(asked).toContain('ngân hàng ghi người chuyển là "PHAM THI DUNG"');
    expect(await say(officer, 'Phạm Thị Dung')).toContain('nêu tên');
    const summary = await press(officer, last(officer), 'publicName:yes');
    expect(summary).toContain('1.500.000 đ');
    expect(summary).toContain('Phạm Thị Dung');
    const done = await press(officer, last(officer), '@confirm:yes');
    expect(done).toContain('Đã ghi nhận khoản thu 1.500.000 đ của Phạm Thị Dung');
    expect(done).toContain('Khoản thu chưa khớp với đăng ký nào (1 khoản)');
    const left = last(officer);
    const walkIn = await app.db.kysely
      .selectFrom('FundEntry')
      .select(['amount', 'pledgeId', 'note', 'publicName'])
      .where('amount', '=', 1_500_000n)
      .execute();
    expect(walkIn.map((e) => [String(e.amount), e.pledgeId, e.note, Boolean(e.publicName)])).toEqual([
      ['1500000', null, 'Phạm Thị Dung', true],
    ]);
    // A second walk-in on the same line is refused at its start.
    expect(await press(officer, unmatched, 'menu:stmtwalk:', 'Khoản 1')).toContain('đã được xử lý rồi');

    const skipped = await press(officer, left, 'menu:stmtskip:');
    expect(skipped).toContain('Đã bỏ qua khoản 7.000.000 đ ngày 13/03/2025');
    expect(skipped).toContain('Không còn khoản thu chưa khớp nào');
    expect(await count('FundEntry')).toBe(5);
  });

  it('the same statement again adds nothing and says so', async () => {
    const before = { entries: await count('FundEntry'), lines: await count('StatementLine') };
    const [reading, summary] = await sendFile(officer, 'saoke-thang3 (1).csv', STATEMENT, 2);
    expect(reading).toBeDefined();
    expect(summary?.text).toContain(
      'Sao kê này đã được nhập trước đây: cả 7 dòng đều đã có từ lần nhập trước, không ghi thêm gì.',
    );
    expect(await count('FundEntry')).toBe(before.entries);
    expect(await count('StatementLine')).toBe(before.lines);
    expect((await received())['UH-0001']).toBe('10000000');
  });

  it('someone who keeps no fund is refused politely and nothing is read', async () => {
    const imports = await count('StatementImport');
    const [refused] = await sendFile(leader, 'saoke.csv', STATEMENT, 1);
    expect(refused?.text).toContain('Chức năng này dành cho cán bộ Quỹ "Vì người nghèo"');
    expect(refused?.text).toContain('Tệp "saoke.csv" chưa được đọc, không có gì được lưu.');
    expect(await count('StatementImport')).toBe(imports);
    const waiting = await app.db.kysely
      .selectFrom('FlowState')
      .select('flow')
      .where('flow', '=', 'statement-upload')
      .execute();
    expect(waiting).toEqual([]);
  });

  it('a garbled file gets the clear message and nothing is saved', async () => {
    const before = { entries: await count('FundEntry'), imports: await count('StatementImport') };
    const garbled = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x13, 0x37]);
    const [reading, failed] = await sendFile(officer, 'saoke-thang4.xlsx', garbled, 2);
    expect(reading?.text).toContain('Đang đọc sao kê "saoke-thang4.xlsx"');
    expect(failed?.text).toContain('Không đọc được sao kê "saoke-thang4.xlsx"');
    expect(failed?.text).toContain('Không có gì được lưu.');
    expect(failed?.text).toContain('tải từ ngân hàng điện tử');
    expect(await count('FundEntry')).toBe(before.entries);
    expect(await count('StatementImport')).toBe(before.imports);

    const [pdf] = await sendFile(officer, 'giay-bao-co.pdf', Buffer.from('%PDF-1.4'), 1);
    expect(pdf?.text).toContain('không phải sao kê dạng Excel (.xlsx) hoặc CSV');
  });

  it('an officer keeping two funds is asked which with buttons; the statement goes to the one chosen', async () => {
    const person = await app.db.kysely
      .selectFrom('ChannelIdentity')
      .select('personId')
      .where('externalUserId', '=', String(officer.id))
      .executeTakeFirstOrThrow();
    const ward = await app.db.kysely
      .selectFrom('Unit')
      .select(['id'])
      .where('code', '=', '01837')
      .executeTakeFirstOrThrow();
    await app.db.kysely
      .insertInto('Membership')
      .values({ personId: person.personId, unitId: ward.id, role: 'fund_officer', createdAt: new Date() })
      .execute();
    const [asked] = await sendFile(officer, 'saoke-songcau.csv', STATEMENT.replace('UH0001 ', ''), 1);
    expect(asked?.text).toContain('Sao kê "saoke-songcau.csv" là của tài khoản Quỹ nào?');
    expect(
      buttonsOf(asked)
        .map((b) => b.text)
        .sort(),
    ).toEqual(['Quỹ "Vì người nghèo" phường Sông Cầu', 'Quỹ "Vì người nghèo" thành phố Bắc Kạn']);
    const before = emulator.messagesTo(officer.id).length;
    await press(officer, asked as SentMessage, `menu:stmtlevel:${ward.id}`);
    const [reading, summary] = (await emulator.waitForMessages(officer.id, before + 2)).slice(before);
    expect(reading?.text).toContain(
      'Đang đọc sao kê "saoke-songcau.csv" của Quỹ "Vì người nghèo" phường Sông Cầu',
    );
    expect(summary?.text).toContain('vào Quỹ "Vì người nghèo" phường Sông Cầu');
    expect(summary?.text).toContain('Khoản thu chưa khớp: 6');
    const imported = await app.db.kysely
      .selectFrom('StatementImport')
      .select('levelUnitId')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(imported.levelUnitId).toBe(ward.id);
  });
});
