import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../../core/campaigns/campaign.ts';
import type { NewFundEntry } from '../../core/funds/fund.repository.ts';
import type { TReportFigures } from '../../core/reports/report.ts';
import type { Tx } from '../../core/unit-of-work.ts';
import type { PrismaClient } from '../../prisma/client.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import { createStore } from '../../prisma/store.ts';
import { seededDatabase } from '../../test/support/app-harness.ts';
import { householdData, moneyPledge, recordEntry, ZERO_FIGURES } from '../../test/support/fixtures.ts';
import { executeCommand, parseCommand } from './commands.ts';
import { type CliContext, UsageError } from './context.ts';

// 10:00 on 20/03/2025 in Vietnam: February's report fell due on 15/03 (last day on time: 14/03).
const SEEDED_AT = new Date('2025-02-01T03:00:00Z');
const NOW = new Date('2025-03-20T03:00:00Z');
const WARDS = [
  'Phường Nguyễn Thị Minh Khai',
  'Phường Sông Cầu',
  'Phường Đức Xuân',
  'Phường Phùng Chí Kiên',
  'Phường Huyền Tụng',
  'Xã Dương Quang',
  'Xã Nông Thượng',
  'Phường Xuất Hóa',
];

let db: SqlDb;
let prisma: PrismaClient;
let dir: string;
let close: () => Promise<void>;

function context(): CliContext & { lines: string[] } {
  const lines: string[] = [];
  return { prisma, db, now: NOW, out: (line) => lines.push(line), timeZone: 'Asia/Ho_Chi_Minh', lines };
}

/** Runs `export …` into the temp folder and reads the file back with exceljs. */
async function exported(argv: string[]): Promise<{ book: ExcelJS.Workbook; lines: string[] }> {
  const ctx = context();
  const file = path.join(dir, argv[1] ?? 'x.xlsx');
  await executeCommand(parseCommand(['export', argv[0] ?? '', file, ...argv.slice(2)]), ctx);
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(file);
  return { book, lines: ctx.lines };
}

function sheetOf(book: ExcelJS.Workbook, index = 0): ExcelJS.Worksheet {
  const ws = book.worksheets[index];
  if (!ws) {
    throw new Error(`no sheet ${index}`);
  }
  return ws;
}

/** The row whose first cell reads `label` ("(1)" for the column numbers, "Tổng cộng"). */
function rowOf(ws: ExcelJS.Worksheet, label: string): number {
  for (let r = 1; r <= ws.rowCount; r++) {
    if (ws.getCell(r, 1).value === label) {
      return r;
    }
  }
  throw new Error(`no row "${label}" in ${ws.name}`);
}

/** The column whose header (either heading row) reads `header`, optionally under a group. */
function colOf(ws: ExcelJS.Worksheet, header: string, group?: string): number {
  const numbers = rowOf(ws, '(1)');
  const headerTop = rowOf(ws, 'STT');
  for (let c = 1; c <= ws.columnCount; c++) {
    const bottom = ws.getCell(numbers - 1, c).value;
    const top = ws.getCell(headerTop, c).value;
    if (bottom === header && (group === undefined || top === group)) {
      return c;
    }
  }
  throw new Error(`no column "${header}" in ${ws.name}`);
}

/** A cell as a number: a plain value or a formula's result. */
function num(cell: ExcelJS.Cell): number {
  const v = cell.value;
  if (typeof v === 'number') {
    return v;
  }
  if (v && typeof v === 'object' && 'result' in v && typeof v.result === 'number') {
    return v.result;
  }
  return 0;
}

function dataRows(ws: ExcelJS.Worksheet): number[] {
  const first = rowOf(ws, '(1)') + 1;
  const end = (() => {
    try {
      return rowOf(ws, 'Tổng cộng');
    } catch {
      // No totals: the rows end where the first cell stops being a number (a gap, the notes).
      let r = first;
      while (typeof ws.getCell(r, 1).value === 'number') {
        r += 1;
      }
      return r;
    }
  })();
  return Array.from({ length: end - first }, (_, i) => first + i);
}

/** The subtitle's row (the period): two rows above the table heading (merged cells read their first cell). */
function subtitleOf(ws: ExcelJS.Worksheet): string {
  return String(ws.getCell(rowOf(ws, 'STT') - 2, 1).value);
}

/**
 * The heading of Decree 30/2020, the title block, numbered columns, frozen header, A4 landscape
 * one page wide, Nơi nhận and the signature block under the table: every export has them.
 */
function expectOfficialLayout(ws: ExcelJS.Worksheet, title: string): void {
  expect(ws.getCell('A1').value).toBe('ỦY BAN MTTQ VIỆT NAM');
  expect(ws.getCell('A2').value).toBe('THÀNH PHỐ BẮC KẠN');
  expect(ws.getCell('A3').value).toBe('BAN THƯỜNG TRỰC');
  expect(ws.getCell('A3').font?.bold).toBe(true);
  expect(ws.getCell('A2').font?.bold).toBeFalsy();
  expect(String(ws.getCell('A4').value)).toMatch(/^─+$/);
  const right = (row: number, text: string) => {
    const c = (ws.getRow(row).values as ExcelJS.CellValue[]).lastIndexOf(text);
    expect(c, `"${text}" on the right of row ${row}`).toBeGreaterThan(2);
    return ws.getCell(row, c);
  };
  expect(right(1, 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM').font?.bold).toBe(true);
  expect(right(2, 'Độc lập - Tự do - Hạnh phúc').font?.bold).toBe(true);
  expect(ws.getCell('A5').value).toBe('Số:       /BC-MTTQ-BTT');
  const date = right(5, 'Bắc Kạn, ngày 20 tháng 3 năm 2025');
  expect(date.font?.italic).toBe(true);
  expect(date.alignment?.horizontal).toBe('center');
  expect(ws.getCell('A7').value).toBe(title);
  expect(ws.getCell('A7').font?.bold).toBe(true);
  expect(title).toBe(title.toUpperCase());

  const numbers = rowOf(ws, '(1)');
  const n = ws.columnCount;
  for (let c = 1; c <= n; c++) {
    expect(ws.getCell(numbers, c).value).toBe(`(${c})`);
  }
  const headerTop = rowOf(ws, 'STT');
  expect(headerTop).toBe(10);
  expect(ws.getCell(headerTop, 1).alignment?.wrapText).toBe(true);
  expect(ws.getCell(headerTop, 1).border?.top?.style).toBe('thin');

  expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: numbers });
  expect(ws.pageSetup).toMatchObject({
    paperSize: 9,
    orientation: 'landscape',
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    printTitlesRow: `${headerTop}:${numbers}`,
  });
  expect(ws.pageSetup.margins?.left).toBeGreaterThan(0);

  // Under the table and its notes: Nơi nhận on the left, the signature block on the right.
  const recipients = rowOf(ws, 'Nơi nhận:');
  expect(recipients).toBeGreaterThan(numbers);
  expect(ws.getCell(recipients, 1).font).toMatchObject({ bold: true, italic: true });
  expect(ws.getCell(recipients + 1, 1).value).toBe('- Lưu: VT.');
  expect(right(recipients, 'TM. BAN THƯỜNG TRỰC').font?.bold).toBe(true);
  expect(right(recipients + 1, 'CHỦ TỊCH').font?.bold).toBe(true);
}

const record = (tx: Tx, campaign: Campaign, entry: Partial<NewFundEntry>) =>
  recordEntry(tx, campaign, entry, NOW, { occurredOn: '2025-03-05' });

const ZERO = ZERO_FIGURES;

/** The February figures each reporting unit ends with (Đức Xuân's second revision wins). */
const FEBRUARY = {
  '01840': {
    ...ZERO,
    approvedNew: 6,
    approvedRepair: 3,
    startedNew: 4,
    startedRepair: 2,
    completedNew: 2,
    completedRepair: 1,
    handedOverNew: 1,
    moneyReceived: 1_250_000_000n,
    moneyPaid: 420_500_000n,
    labourDays: 350,
  },
  '01837': {
    ...ZERO,
    approvedNew: 5,
    approvedRepair: 5,
    startedNew: 5,
    startedRepair: 4,
    completedNew: 3,
    completedRepair: 4,
    handedOverNew: 3,
    handedOverRepair: 2,
    moneyReceived: 980_000_000n,
    moneyPaid: 610_000_000n,
    labourDays: 512,
  },
} as const;

beforeAll(async () => {
  const seeded = await seededDatabase(SEEDED_AT);
  ({ db, prisma, dir, close } = seeded);
  const unitId = async (code: string) =>
    (await prisma.unit.findFirstOrThrow({ orderBy: { validFrom: 'desc' }, where: { code } })).id;
  const city = await unitId('058');
  const ducXuan = await unitId('01840');
  const songCau = await unitId('01837');
  // A ward branch of the women's union: grouped with the city union by its code prefix.
  const branch = await prisma.unit.create({
    data: {
      code: 'HLHPN-01840',
      name: 'Hội LHPN phường Đức Xuân',
      kind: 'member_org',
      parentId: ducXuan,
      validFrom: '2015-03-11',
    },
  });
  const campaignRow = await prisma.campaign.findFirstOrThrow();
  for (const [code, status, last4] of [
    ['SC-001', 'completed', '1234'],
    ['SC-002', 'approved', null],
  ] as const) {
    await prisma.household.create({
      data: householdData({
        campaignId: campaignRow.id,
        unitId: songCau,
        code,
        status,
        at: SEEDED_AT,
        birthYear: 1960,
        idNumberHash: last4 ? 'hash-of-the-full-number' : null,
        idNumberLast4: last4,
        category: 'near_poor',
        need: 'repair',
      }),
    });
  }
  const lan = (await prisma.person.findFirstOrThrow({ where: { fullName: 'Nguyễn Thị Lan' } })).id;
  const dx1 = (await prisma.household.findFirstOrThrow({ where: { code: 'DX-001' } })).id;

  await createStore(db).run(async (tx) => {
    const campaign = await tx.campaigns.findCurrent();
    if (!campaign) {
      throw new Error('no campaign');
    }
    const monthly = await tx.campaigns.listPeriods(campaign.id, 'monthly');
    const period = (code: string) => {
      const p = monthly.find((m) => m.code === code);
      if (!p) {
        throw new Error(`no period ${code}`);
      }
      return p.id;
    };
    let n = 0;
    const report = (
      periodCode: string,
      unit: number,
      revision: number,
      at: string,
      late: boolean,
      figures: TReportFigures,
    ) =>
      tx.reports.create({
        ...figures,
        ref: `BC-T-${++n}`,
        periodId: period(periodCode),
        unitId: unit,
        personId: lan,
        revision,
        late,
        channel: 'telegram',
        photos: [],
        registryReason: null,
        submittedAt: new Date(at),
      });
    // Đức Xuân: January on time; February on time, then corrected after the deadline.
    await report('2025-01', ducXuan, 1, '2025-02-10T03:00:00Z', false, { ...ZERO, approvedNew: 5 });
    await report('2025-02', ducXuan, 1, '2025-03-12T03:00:00Z', false, {
      ...FEBRUARY['01840'],
      labourDays: 300,
    });
    await report('2025-02', ducXuan, 2, '2025-03-16T03:00:00Z', true, FEBRUARY['01840']);
    // Sông Cầu: February three days late (sent 17/03).
    await report('2025-02', songCau, 1, '2025-03-17T03:00:00Z', true, FEBRUARY['01837']);

    const orgs = await tx.units.listByKinds(['member_org']);
    const pledge = async (orgCode: string | null, donorName: string, amount: bigint, fundUnitId = city) =>
      tx.pledges.create(
        moneyPledge({
          campaignId: campaign.id,
          donorKind: orgCode ? 'organisation' : 'individual',
          donorName,
          donorPhone: '0912345678',
          orgUnitId: orgs.find((o) => o.code === orgCode)?.id ?? null,
          fundUnitId,
          amount,
        }),
        NOW,
      );
    const women = await pledge('HLHPN-058', 'Hội Liên hiệp Phụ nữ thành phố Bắc Kạn', 50_000_000n);
    const womenBranch = await pledge('HLHPN-01840', 'Hội LHPN phường Đức Xuân', 8_000_000n, ducXuan);
    const farmers = await pledge('HND-058', 'Hội Nông dân thành phố Bắc Kạn', 30_000_000n);
    await pledge(null, 'Ông Hà Văn Bình', 10_000_000n);
    const cancelled = await pledge(null, 'Bà Lò Thị Sen', 5_000_000n);
    await tx.pledges.cancel(cancelled.id, 'đổi ý', NOW);

    const atCity = { levelUnitId: city };
    await record(tx, campaign, {
      ...atCity,
      amount: 20_000_000n,
      pledgeId: women.id,
      documentRef: 'PT-001',
      occurredOn: '2025-03-01',
    });
    await record(tx, campaign, {
      ...atCity,
      amount: 30_000_000n,
      pledgeId: farmers.id,
      documentRef: 'PT-002',
      occurredOn: '2025-03-02',
    });
    const walkIn = await record(tx, campaign, {
      ...atCity,
      amount: 10_000_000n,
      note: 'Công ty ABC',
      occurredOn: '2025-03-03',
    });
    await record(tx, campaign, {
      kind: 'receipt',
      levelUnitId: ducXuan,
      amount: 5_000_000n,
      pledgeId: womenBranch.id,
      occurredOn: '2025-03-04',
    });
    await record(tx, campaign, {
      kind: 'transfer',
      levelUnitId: city,
      toUnitId: ducXuan,
      amount: 15_000_000n,
      occurredOn: '2025-03-05',
    });
    await record(tx, campaign, {
      kind: 'allocation',
      levelUnitId: ducXuan,
      householdId: dx1,
      need: 'new_build',
      amount: 18_000_000n,
      occurredOn: '2025-03-06',
    });
    await record(tx, campaign, {
      kind: 'disbursement',
      levelUnitId: ducXuan,
      householdId: dx1,
      need: 'new_build',
      amount: 12_000_000n,
      occurredOn: '2025-03-07',
    });
    await record(tx, campaign, {
      kind: 'reversal',
      levelUnitId: city,
      reversesId: walkIn,
      reason: 'Ghi trùng phiếu thu',
      occurredOn: '2025-03-08',
    });
  });
  expect(branch.id).toBeGreaterThan(0);
});

afterAll(async () => {
  await close();
});

describe('export progress', () => {
  it('writes one row per ward with the period’s latest figures, a numbered header and correct totals', async () => {
    const { book, lines } = await exported(['progress', 'tien-do.xlsx', '--period', '2025-02']);
    expect(lines[0]).toContain('tien-do.xlsx');
    const ws = sheetOf(book);
    expectOfficialLayout(ws, 'BÁO CÁO TIẾN ĐỘ XÓA NHÀ TẠM, NHÀ DỘT NÁT THEO ĐƠN VỊ');
    expect(subtitleOf(ws)).toContain('tháng 2/2025');
    // Two heading rows: groups above, then "Xây mới" / "Sửa chữa".
    expect(ws.getCell(10, 3).value).toBe('Số hộ được phê duyệt');
    expect(ws.getCell(11, 3).value).toBe('Xây mới');
    expect(ws.getCell(11, 4).value).toBe('Sửa chữa');
    expect(ws.getCell(10, 2).value).toBe('Đơn vị');

    const rows = dataRows(ws);
    expect(rows.map((r) => ws.getCell(r, 2).value)).toEqual(WARDS);
    expect(rows.map((r) => ws.getCell(r, 1).value)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    const at = (ward: string) => rows[WARDS.indexOf(ward)] ?? 0;
    const received = colOf(ws, 'Đã tiếp nhận');
    const labour = colOf(ws, 'Ngày công');
    const status = colOf(ws, 'Đúng hạn / muộn');
    // Đức Xuân's second revision (350 labour days), marked on time by its first submission.
    expect(ws.getCell(at('Phường Đức Xuân'), labour).value).toBe(350);
    expect(ws.getCell(at('Phường Đức Xuân'), status).value).toBe('Đúng hạn');
    expect(ws.getCell(at('Phường Sông Cầu'), status).value).toBe('Muộn');
    expect(ws.getCell(at('Xã Nông Thượng'), status).value).toBe('Chưa báo cáo');
    expect(ws.getCell(at('Xã Nông Thượng'), received).value).toBeNull();
    expect(ws.getCell(at('Phường Đức Xuân'), received).value).toBe(1_250_000_000);
    expect(ws.getCell(at('Phường Đức Xuân'), received).numFmt).toBe('#,##0');
    expect(ws.getCell(at('Phường Đức Xuân'), colOf(ws, 'Ngày gửi báo cáo')).value).toEqual(
      new Date(Date.UTC(2025, 2, 16)),
    );

    // Totals, against sums computed here from the figures above.
    const totals = rowOf(ws, 'Tổng cộng');
    expect(ws.getCell(totals, 1).font?.bold).toBe(true);
    const f = Object.values(FEBRUARY);
    const sum = (k: keyof TReportFigures) => f.reduce((s, r) => s + Number(r[k]), 0);
    expect(num(ws.getCell(totals, colOf(ws, 'Xây mới', 'Số hộ được phê duyệt')))).toBe(sum('approvedNew'));
    expect(num(ws.getCell(totals, colOf(ws, 'Sửa chữa', 'Số nhà đã hoàn thành')))).toBe(
      sum('completedRepair'),
    );
    expect(num(ws.getCell(totals, received))).toBe(2_230_000_000);
    expect(num(ws.getCell(totals, colOf(ws, 'Đã chi')))).toBe(1_030_500_000);
    expect(num(ws.getCell(totals, labour))).toBe(862);
    expect(ws.getCell(totals, received).numFmt).toBe('#,##0');
    const sumCell = ws.getCell(totals, received).value as ExcelJS.CellFormulaValue;
    const letter = ws.getColumn(received).letter;
    expect(sumCell.formula).toBe(`SUM(${letter}${rows[0]}:${letter}${rows.at(-1)})`);
    const completion = colOf(ws, 'Tỷ lệ hoàn thành');
    expect(num(ws.getCell(totals, completion))).toBeCloseTo(10 / 19, 10);
    expect(ws.getCell(totals, completion).numFmt).toBe('0.0%');
    // The registry as February closed: Sông Cầu's two households, Đức Xuân's approved and started ones.
    expect(ws.getCell(at('Phường Sông Cầu'), colOf(ws, 'Đã duyệt')).value).toBe(2);
    expect(ws.getCell(at('Phường Sông Cầu'), colOf(ws, 'Đã hoàn thành')).value).toBe(1);
    expect(ws.getCell(at('Phường Đức Xuân'), colOf(ws, 'Đã duyệt')).value).toBe(3);
    expect(ws.getCell(at('Xã Nông Thượng'), colOf(ws, 'Đã duyệt')).value).toBeNull();
    expect(num(ws.getCell(totals, colOf(ws, 'Đã duyệt')))).toBe(5);
  });

  it('defaults to the latest monthly period due and refuses an unknown one', async () => {
    const { book } = await exported(['progress', 'tien-do-mac-dinh.xlsx']);
    expect(subtitleOf(sheetOf(book))).toContain('tháng 2/2025');
    await expect(exported(['progress', 'x.xlsx', '--period', '2030-01'])).rejects.toThrow(UsageError);
  });

  it('one ward with --unit', async () => {
    const { book } = await exported(['progress', 'duc-xuan.xlsx', '--period', '2025-02', '--unit', '01840']);
    const ws = sheetOf(book);
    expect(ws.getCell('A2').value).toBe('THÀNH PHỐ BẮC KẠN');
    expect(dataRows(ws).map((r) => ws.getCell(r, 2).value)).toEqual(['Phường Đức Xuân']);
  });
});

describe('export households', () => {
  it('lists every household with only the ID number’s last 4 digits, and counts them', async () => {
    const { book } = await exported(['households', 'ho.xlsx']);
    const ws = sheetOf(book);
    expectOfficialLayout(ws, 'DANH SÁCH HỘ ĐỀ NGHỊ HỖ TRỢ XÓA NHÀ TẠM, NHÀ DỘT NÁT');
    const rows = dataRows(ws);
    const code = colOf(ws, 'Mã hộ');
    expect(rows.map((r) => ws.getCell(r, code).value)).toEqual([
      'SC-001',
      'SC-002',
      'DX-001',
      'DX-002',
      'DX-003',
      'DX-004',
    ]);
    const sc1 = rows[0] ?? 0;
    expect(ws.getCell(sc1, colOf(ws, 'CCCD (4 số cuối)')).value).toBe('1234');
    expect(ws.getCell(sc1, colOf(ws, 'Năm sinh')).value).toBe(1960);
    expect(ws.getCell(sc1, colOf(ws, 'Năm sinh')).numFmt).toBe('0');
    expect(ws.getCell(sc1, colOf(ws, 'Diện hộ')).value).toBe('Hộ cận nghèo');
    expect(ws.getCell(sc1, colOf(ws, 'Trạng thái')).value).toBe('Đã hoàn thành');
    expect(num(ws.getCell(rowOf(ws, 'Tổng cộng'), code))).toBe(6);
    const everything = JSON.stringify(ws.getSheetValues());
    expect(everything).not.toContain('hash-of-the-full-number');
  });
});

describe('export pledges', () => {
  it('sums pledged and paid per organisation across its branches, then lists each pledge', async () => {
    const { book } = await exported(['pledges', 'ung-ho.xlsx']);
    expect(book.worksheets.map((w) => w.name)).toEqual(['Theo tổ chức', 'Theo lượt đăng ký']);
    const orgs = sheetOf(book, 0);
    expectOfficialLayout(orgs, 'TỔNG HỢP ĐĂNG KÝ ỦNG HỘ QUỸ "VÌ NGƯỜI NGHÈO" THEO TỔ CHỨC');
    const rows = dataRows(orgs);
    const byName = new Map(rows.map((r) => [orgs.getCell(r, 2).value, r]));
    const women = byName.get('Hội Liên hiệp Phụ nữ thành phố Bắc Kạn') ?? 0;
    const pledged = colOf(orgs, 'Đã đăng ký (đồng)');
    const paid = colOf(orgs, 'Đã nộp (đồng)');
    expect(orgs.getCell(women, colOf(orgs, 'Số lượt đăng ký')).value).toBe(2);
    expect(orgs.getCell(women, pledged).value).toBe(58_000_000);
    expect(orgs.getCell(women, paid).value).toBe(25_000_000);
    expect(orgs.getCell(women, colOf(orgs, 'Tỷ lệ đã nộp')).value).toBeCloseTo(25 / 58, 10);
    expect(byName.get('Doanh nghiệp, cá nhân và đơn vị khác')).toBeDefined();
    const totals = rowOf(orgs, 'Tổng cộng');
    // 58 + 30 + 10 pledged (the cancelled 5 million left out); 25 + 30 paid (the walk-in has no pledge).
    expect(num(orgs.getCell(totals, pledged))).toBe(98_000_000);
    expect(num(orgs.getCell(totals, paid))).toBe(55_000_000);
    expect(num(orgs.getCell(totals, colOf(orgs, 'Còn phải nộp (đồng)')))).toBe(43_000_000);
    expect(orgs.getCell(totals, pledged).numFmt).toBe('#,##0');

    const list = sheetOf(book, 1);
    expectOfficialLayout(list, 'DANH SÁCH ĐĂNG KÝ ỦNG HỘ QUỸ "VÌ NGƯỜI NGHÈO"');
    const listRows = dataRows(list);
    expect(listRows.map((r) => list.getCell(r, 2).value)).toEqual([
      'UH-0001',
      'UH-0002',
      'UH-0003',
      'UH-0004',
    ]);
    const listTotals = rowOf(list, 'Tổng cộng');
    expect(num(list.getCell(listTotals, colOf(list, 'Giá trị đăng ký (đồng)')))).toBe(98_000_000);
    expect(num(list.getCell(listTotals, colOf(list, 'Đã nộp (đồng)')))).toBe(55_000_000);
    expect(list.getCell(listRows[0] ?? 0, colOf(list, 'Trạng thái')).value).toBe('Đã nộp một phần');
    expect(JSON.stringify(list.getSheetValues())).not.toContain('0912345678');
  });
});

describe('export ledger', () => {
  it('one sheet per fund level, entries in order with the running balance the ledger folds to', async () => {
    const { book } = await exported(['ledger', 'so-quy.xlsx']);
    expect(book.worksheets.map((w) => w.name)).toEqual(['Quỹ Thành phố Bắc Kạn', 'Quỹ Phường Đức Xuân']);
    const city = sheetOf(book, 0);
    expectOfficialLayout(city, 'SỔ THEO DÕI QUỸ "VÌ NGƯỜI NGHÈO"');
    const balance = colOf(city, 'Còn có thể phân bổ (đồng)');
    const kinds = dataRows(city).map((r) => city.getCell(r, colOf(city, 'Loại')).value);
    expect(kinds).toEqual(['Thu', 'Thu', 'Thu', 'Chuyển quỹ', 'Điều chỉnh (hủy)']);
    // 20 + 30 + 10 − 15 (to Đức Xuân) − 10 (walk-in reversed) = 35 million.
    expect(dataRows(city).map((r) => city.getCell(r, balance).value)).toEqual([
      20_000_000, 50_000_000, 60_000_000, 45_000_000, 35_000_000,
    ]);
    const totals = rowOf(city, 'Tổng cộng');
    const up = num(city.getCell(totals, colOf(city, 'Tăng (đồng)')));
    const down = num(city.getCell(totals, colOf(city, 'Giảm (đồng)')));
    expect([up, down]).toEqual([60_000_000, 25_000_000]);
    expect(up - down).toBe(35_000_000);
    const notes = JSON.stringify(city.getSheetValues());
    expect(notes).toContain(
      'Cuối kỳ: tồn quỹ 35.000.000 đ, trong đó còn có thể phân bổ 35.000.000 đ, đã phân bổ chưa chi trả 0 đ.',
    );
    expect(notes).toContain('Đã hủy bởi bút toán số');

    const ward = sheetOf(book, 1);
    const wardRows = dataRows(ward);
    // 5 received + 15 transferred in − 18 allocated = 2; the 12 paid out is in its own column.
    expect(wardRows.map((r) => ward.getCell(r, colOf(ward, 'Còn có thể phân bổ (đồng)')).value)).toEqual([
      5_000_000, 20_000_000, 2_000_000, 2_000_000,
    ]);
    expect(num(ward.getCell(rowOf(ward, 'Tổng cộng'), colOf(ward, 'Đã chi trả cho hộ (đồng)')))).toBe(
      12_000_000,
    );
    expect(ward.getCell(wardRows[2] ?? 0, colOf(ward, 'Nội dung')).value).toBe(
      'Hộ DX-001 – Nông Văn Tư, xây mới',
    );
    // The ward holds 5 + 15 − 12 paid = 8: 2 still to allocate, 6 allocated but not yet paid.
    expect(JSON.stringify(ward.getSheetValues())).toContain(
      'Cuối kỳ: tồn quỹ 8.000.000 đ, trong đó còn có thể phân bổ 2.000.000 đ, đã phân bổ chưa chi trả 6.000.000 đ.',
    );
  });
});

describe('export late', () => {
  it('lists per period due the units that did not report or reported late, with days late', async () => {
    const { book } = await exported(['late', 'cham.xlsx']);
    const ws = sheetOf(book);
    expectOfficialLayout(ws, 'DANH SÁCH ĐƠN VỊ CHẬM BÁO CÁO TIẾN ĐỘ');
    const rows = dataRows(ws);
    const cell = (r: number, header: string) => ws.getCell(r, colOf(ws, header)).value;
    const february = rows.filter((r) => cell(r, 'Kỳ báo cáo') === 'tháng 2/2025');
    // Sông Cầu late (sent 17/03: 3 days after 14/03), six wards missing (6 days by 20/03); Đức Xuân on time.
    expect(february.map((r) => cell(r, 'Đơn vị'))).toEqual(WARDS.filter((w) => w !== 'Phường Đức Xuân'));
    const songCau = february.find((r) => cell(r, 'Đơn vị') === 'Phường Sông Cầu') ?? 0;
    expect([
      cell(songCau, 'Báo cáo muộn'),
      cell(songCau, 'Chưa báo cáo'),
      cell(songCau, 'Số ngày chậm'),
    ]).toEqual(['x', null, 3]);
    expect(cell(songCau, 'Ngày gửi')).toEqual(new Date(Date.UTC(2025, 2, 17)));
    expect(cell(songCau, 'Hạn gửi (trước ngày)')).toEqual(new Date(Date.UTC(2025, 2, 15)));
    const nongThuong = february.find((r) => cell(r, 'Đơn vị') === 'Xã Nông Thượng') ?? 0;
    expect(cell(nongThuong, 'Số ngày chậm')).toBe(6);
    // Periods due by 20/03/2025: October 2024 to February 2025, 8 units each; Đức Xuân reported
    // January and February, Sông Cầu February (late): 5 × 8 − 2 = 38 rows, 1 of them late.
    expect(rows).toHaveLength(38);
    const totals = rowOf(ws, 'Tổng cộng');
    expect(num(ws.getCell(totals, colOf(ws, 'Chưa báo cáo')))).toBe(37);
    expect(num(ws.getCell(totals, colOf(ws, 'Báo cáo muộn')))).toBe(1);
  });

  it('only one period with --period', async () => {
    const { book } = await exported(['late', 'cham-t2.xlsx', '--period', '2025-02']);
    const ws = sheetOf(book);
    expect(dataRows(ws)).toHaveLength(7);
  });
});

describe('export arguments', () => {
  it.each([
    [['export', 'progress'], /thiếu tên tệp/],
    [['export', 'progress', 'a.csv'], /\.xlsx/],
    [['export', 'ledger', 'a.xlsx', '--period', '2025-02'], /--period chỉ dùng/],
    [['export', 'progress', 'a.xlsx', '--period', 'tháng 2'], /mã kỳ báo cáo tháng/],
    [['export', 'nothing', 'a.xlsx'], /lệnh không tồn tại/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(message);
  });

  it('an unknown unit is a usage error and writes no file', async () => {
    const file = path.join(dir, 'khong-co.xlsx');
    await expect(
      executeCommand(parseCommand(['export', 'households', file, '--unit', '99999']), context()),
    ).rejects.toThrow(/không có đơn vị mã "99999"/);
    expect(fs.existsSync(file)).toBe(false);
  });
});
