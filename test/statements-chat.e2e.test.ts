import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../bot/app.ts';
import { createFixedClock } from '../core/shared/clock.ts';
import { createStore } from '../prisma/store.ts';
import type { TempDatabase } from './support/app-harness.ts';
import type { BotApiEmulator, EmulatorUser, SentMessage } from './support/bot-api-emulator.ts';
import { emulatorChat } from './support/emulator-chat.ts';
import { moneyPledge } from './support/fixtures.ts';
import { joinByInvite, startTelegramWorld, stopTelegramWorld } from './support/telegram-world.ts';

/**
 * Issue 17 §2 in the chat, end to end on Telegram (real grammY, the Bot API emulator over HTTP, the
 * real app and its statement worker on the suite's database), with the committed samples
 * (docs/samples/statements/): the city's fund officer sends Vietcombank's statement as a file and
 * gets the counts (three credits matched by their UH numbers and recorded, three proposed by name
 * and amount, one unmatched, one debit), confirms one proposal with a tap (a second tap records
 * nothing more), then the others at once, and makes a walk-in receipt of the unmatched credit; each
 * pledge's received changes exactly once. The same file again adds nothing and says so; a file
 * from someone who keeps no fund is refused politely; a garbled file gets the clear message, with
 * nothing saved. An officer keeping two funds is asked which, and pages through a long list.
 */

const officer: EmulatorUser = { id: 8301, first_name: 'Thu' };
const leader: EmulatorUser = { id: 8302, first_name: 'Mai' };
const clock = createFixedClock('2025-03-10T03:00:00Z');
let emulator: BotApiEmulator;
let db: TempDatabase;
let app: App;

const SAMPLES = path.join(import.meta.dirname, '../docs/samples/statements');
const VIETCOMBANK = fs.readFileSync(path.join(SAMPLES, 'vietcombank.xlsx'));
const BIDV = fs.readFileSync(path.join(SAMPLES, 'bidv.csv'));
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
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
    mimeType: fileName.endsWith('.csv') ? CSV_TYPE : fileName.endsWith('.xlsx') ? XLSX_TYPE : undefined,
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

const { say } = emulatorChat(() => emulator);

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
  ({ emulator, db, app } = await startTelegramWorld({ clock }));
  const store = createStore(app.db);
  await store.run(async (tx) => {
    const campaign = await tx.campaigns.findCurrent();
    const city = (await tx.units.listByKinds(['city'])).find((u) => u.code === '058');
    if (!campaign || !city) {
      throw new Error('seed missing');
    }
    const sc = (await tx.units.listByKinds(['ward'])).find((u) => u.code === '01837');
    if (!sc) {
      throw new Error('seed missing');
    }
    const at = new Date('2025-03-01T03:00:00Z');
    // UH-0001…0003 are the city's and the statement names them; UH-0004…0006 are Sông Cầu's, so
    // "UH.0005" and "UH–0006" on the city's statement are nobody's there: those credits are
    // proposed by name and amount, with Hoàng Long's, which names no reference.
    for (const [donorName, amount, level] of [
      ['Hội Liên hiệp Phụ nữ thành phố Bắc Kạn', 50_000_000n, city.id],
      ['Nguyễn Văn Bình', 5_000_000n, city.id],
      ['Trần Thị Lan', 2_000_000n, city.id],
      ['Bế Văn Một', 4_000_000n, sc.id],
      ['Bế Văn Hai', 4_000_000n, sc.id],
      ['Bế Văn Ba', 4_000_000n, sc.id],
      ['Công ty TNHH Xây dựng Hoàng Long', 20_000_000n, city.id],
      ['Phạm Đức Thắng', 1_000_000n, city.id],
      ['Đoàn Thanh niên phường Đức Xuân', 10_000_000n, city.id],
    ] as const) {
      await tx.pledges.create(
        moneyPledge({
          campaignId: campaign.id,
          fundUnitId: level,
          donorKind: 'individual',
          donorName,
          amount,
        }),
        at,
      );
    }
  });
  expect(await joinByInvite({ emulator, app }, officer, 'QS7M2XPB', 'fund_officer', '058')).toContain(
    'cán bộ Quỹ',
  );
  expect(await joinByInvite({ emulator, app }, leader, 'PS7M2XPA', 'org_leader', 'HLHPN-058')).toContain(
    'Hội Liên hiệp Phụ nữ',
  );
}, 60_000);

afterAll(() => stopTelegramWorld({ app, emulator, db }));

describe('a bank statement sent in the chat', () => {
  let proposals: SentMessage;
  let unmatched: SentMessage;

  it('the menu and /help tell the fund officer how; the statement is read and counted', async () => {
    await say(officer, '/menu');
    expect(buttonsOf(last(officer)).map((b) => b.text)).toContain('🏦 Nhập sao kê ngân hàng');
    expect(await press(officer, last(officer), 'menu:stmtimport')).toContain('gửi tệp sao kê');
    expect(await say(officer, '/help')).toContain('/saoke');

    const replies = await sendFile(officer, 'vietcombank.xlsx', VIETCOMBANK, 5);
    const [reading, summary, p, u, d] = replies.map((m) => m.text ?? '');
    expect(reading).toContain(
      'Đang đọc sao kê "vietcombank.xlsx" của Quỹ "Vì người nghèo" thành phố Bắc Kạn',
    );
    expect(summary).toContain('Ngân hàng: Vietcombank');
    expect(summary).toContain('Số dòng giao dịch đã đọc: 8');
    expect(summary).toContain('Khớp theo mã UH và đã ghi thu: 3 (57.000.000 đ)');
    expect(summary).toContain('Đề xuất theo tên và số tiền, chờ anh/chị xác nhận: 3');
    expect(summary).toContain('Khoản thu chưa khớp: 1');
    expect(summary).toContain('Khoản chi: 1');
    expect(summary).toContain('Đã có từ lần nhập trước, không ghi lại: 0');
    expect(p).toContain('Đề xuất theo tên và số tiền (3 khoản)');
    expect(u).toContain('Khoản thu chưa khớp với đăng ký nào (1 khoản)');
    expect(u).toContain('LE VAN HUNG CHUYEN TIEN TU THIEN');
    expect(d).toContain('Khoản chi trên sao kê (1 khoản)');
    expect(d).toContain('40.000.000 đ');
    // Copies as first received: a tap takes a list's keyboard away, and the tests tap old lists again
    // as a double tap on a slow network would, before the keyboard went.
    proposals = structuredClone(replies[2] as SentMessage);
    unmatched = structuredClone(replies[3] as SentMessage);
    expect(buttonsOf(proposals).map((b) => b.text)).toEqual([
      '✅ UH-0007 Công ty TNHH Xây dựng Hoàng Long 20.000.000 đ',
      '✅ UH-0008 Phạm Đức Thắng 1.000.000 đ',
      '✅ UH-0009 Đoàn Thanh niên phường Đức Xuân 10.000.000 đ',
      '✅ Xác nhận tất cả đề xuất (3)',
    ]);
    expect(await received()).toMatchObject({
      'UH-0001': '50000000',
      'UH-0002': '5000000',
      'UH-0003': '2000000',
      'UH-0007': '0',
      'UH-0008': '0',
      'UH-0009': '0',
    });
    expect(await count('FundEntry')).toBe(3);
  });

  it('one tap confirms a proposal; a second tap on it records nothing more', async () => {
    const first = await press(officer, proposals, 'menu:stmtok:', 'UH-0007');
    expect(first).toContain(
      'Đã ghi nhận 20.000.000 đ của Công ty TNHH Xây dựng Hoàng Long vào đăng ký UH-0007',
    );
    expect(first).toContain('Đề xuất theo tên và số tiền (2 khoản)');
    expect((await received())['UH-0007']).toBe('20000000');
    const again = await press(officer, proposals, 'menu:stmtok:', 'UH-0007');
    expect(again).toContain('Khoản này đã được xử lý rồi');
    expect((await received())['UH-0007']).toBe('20000000');
    expect(await count('FundEntry')).toBe(4);
  });

  it('"confirm all" records the proposals left', async () => {
    const all = await press(officer, last(officer), 'menu:stmtall:');
    expect(all).toContain('Đã ghi thu 2 khoản đề xuất.');
    expect(await received()).toMatchObject({
      'UH-0007': '20000000',
      'UH-0008': '1000000',
      'UH-0009': '10000000',
    });
    expect(await count('FundEntry')).toBe(6);
    // The old list's button finds nothing left to confirm.
    expect(await press(officer, proposals, 'menu:stmtall:')).toContain('Không còn đề xuất nào chờ xác nhận.');
    expect(await count('FundEntry')).toBe(6);
  });

  it('the unmatched credit becomes a walk-in receipt, once', async () => {
    const asked = await press(officer, unmatched, 'menu:stmtwalk:', 'Khoản 1');
    expect(asked).toContain('Khoản 300.000 đ ngày 05/03/2025, nội dung "LE VAN HUNG CHUYEN TIEN TU THIEN"');
    expect(await say(officer, 'Lê Văn Hùng')).toContain('nêu tên');
    const summary = await press(officer, last(officer), 'publicName:yes');
    expect(summary).toContain('300.000 đ');
    expect(summary).toContain('Lê Văn Hùng');
    const done = await press(officer, last(officer), '@confirm:yes');
    expect(done).toContain('Đã ghi nhận khoản thu 300.000 đ của Lê Văn Hùng');
    expect(done).toContain('Không còn khoản thu chưa khớp nào.');
    const walkIn = await app.db.kysely
      .selectFrom('FundEntry')
      .select(['amount', 'pledgeId', 'note', 'publicName'])
      .where('amount', '=', 300_000n)
      .execute();
    expect(walkIn.map((e) => [String(e.amount), e.pledgeId, e.note, Boolean(e.publicName)])).toEqual([
      ['300000', null, 'Lê Văn Hùng', true],
    ]);
    // A second walk-in on the same line is refused at its start.
    expect(await press(officer, unmatched, 'menu:stmtwalk:', 'Khoản 1')).toContain('đã được xử lý rồi');
    expect(await count('FundEntry')).toBe(7);
  });

  it('the same statement again adds nothing and says so', async () => {
    const before = { entries: await count('FundEntry'), lines: await count('StatementLine') };
    const [reading, summary] = await sendFile(officer, 'vietcombank (1).xlsx', VIETCOMBANK, 2);
    expect(reading).toBeDefined();
    expect(summary?.text).toContain(
      'Sao kê này đã được nhập trước đây: cả 8 dòng đều đã có từ lần nhập trước, không ghi thêm gì.',
    );
    expect(await count('FundEntry')).toBe(before.entries);
    expect(await count('StatementLine')).toBe(before.lines);
    expect((await received())['UH-0001']).toBe('50000000');
  });

  it('someone who keeps no fund is refused politely and nothing is read', async () => {
    const imports = await count('StatementImport');
    const [refused] = await sendFile(leader, 'bidv.csv', BIDV, 1);
    expect(refused?.text).toContain('Chức năng này dành cho cán bộ Quỹ "Vì người nghèo"');
    expect(refused?.text).toContain('Tệp "bidv.csv" chưa được đọc, không có gì được lưu.');
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

  it('an officer keeping two funds is asked which; a long list comes in pages, a credit is skipped', async () => {
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
    const [asked] = await sendFile(officer, 'bidv.csv', BIDV, 1);
    expect(asked?.text).toContain('Sao kê "bidv.csv" là của tài khoản Quỹ nào?');
    expect(
      buttonsOf(asked)
        .map((b) => b.text)
        .sort(),
    ).toEqual(['Quỹ "Vì người nghèo" phường Sông Cầu', 'Quỹ "Vì người nghèo" thành phố Bắc Kạn']);
    const before = emulator.messagesTo(officer.id).length;
    await press(officer, asked as SentMessage, `menu:stmtlevel:${ward.id}`);
    const [reading, summary, list] = (await emulator.waitForMessages(officer.id, before + 4)).slice(before);
    expect(reading?.text).toContain('Đang đọc sao kê "bidv.csv" của Quỹ "Vì người nghèo" phường Sông Cầu');
    expect(summary?.text).toContain('vào Quỹ "Vì người nghèo" phường Sông Cầu');
    // "UH.0005" and "UH–0006" are Sông Cầu's pledges: recorded against them there (as overpaid).
    expect(summary?.text).toContain('Khớp theo mã UH và đã ghi thu: 2 (11.000.000 đ)');
    expect(summary?.text).toContain('Khoản thu chưa khớp: 5');
    const imported = await app.db.kysely
      .selectFrom('StatementImport')
      .select('levelUnitId')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(imported.levelUnitId).toBe(ward.id);
    // Four credits a page (two buttons each), then "more".
    expect(list?.text).toContain('Khoản thu chưa khớp với đăng ký nào (5 khoản)');
    expect(buttonsOf(list).map((b) => b.text)).toHaveLength(9);
    const more = await press(officer, list as SentMessage, 'menu:stmtpage:', 'Xem tiếp (1 khoản nữa)');
    expect(more).toContain('5. Ngày 05/03/2025: 300.000 đ · LE VAN HUNG');
    // The tapped page lost its buttons: the last page leads back to the first.
    const first = await press(officer, last(officer), 'menu:stmtpage:', 'Xem lại từ đầu');
    expect(first).toContain('1. Ngày 03/03/2025: 50.000.000 đ');
    const skipped = await press(officer, last(officer), 'menu:stmtskip:', 'Khoản 1');
    expect(skipped).toContain('Đã bỏ qua khoản 50.000.000 đ ngày 03/03/2025; không ghi gì vào sổ quỹ.');
    expect(skipped).toContain('Khoản thu chưa khớp với đăng ký nào (4 khoản)');
  });
});
