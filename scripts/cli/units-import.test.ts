import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlDb } from '../../prisma/sql-db.ts';
import { createStore } from '../../prisma/store.ts';
import { migratedDb } from '../../test/support/app-harness.ts';
import { recordingCliContext } from '../../test/support/cli-context.ts';
import { rawNumber } from '../../test/support/raw-sql.ts';
import { parseCommand } from './commands.ts';
import { unitsImport } from './units-import.ts';

const NOW = new Date('2026-12-01T03:00:00Z');

let db: SqlDb;
let close: () => Promise<void>;
let dir: string;

const context = () => recordingCliContext(db, NOW);

async function file(name: string, text: string): Promise<string> {
  const at = path.join(dir, name);
  await writeFile(at, text);
  return at;
}

const count = (table: string, where = '') => rawNumber(db, `SELECT COUNT(*) AS n FROM "${table}" ${where}`);
const units = () => createStore(db).run((tx) => tx.units.listAllDated());

const LIST = `code,name,kind,parent,validFrom,validTo
19,Tỉnh Thái Nguyên,province,,1997-01-01,
01849,Xã Phong Quang,commune,19,2025-07-01,
01850,Đặc khu Thử,đặc khu,19,2025-07-01,
HLHPN-19,Hội LHPN tỉnh Thái Nguyên,tổ chức thành viên,19,2025-07-01,
`;

beforeAll(async () => {
  ({ db, close } = await migratedDb());
  dir = await mkdtemp(path.join(tmpdir(), 'units-import-'));
});

afterAll(async () => {
  await close();
  await rm(dir, { recursive: true, force: true });
});

describe('units import', () => {
  it('parses its command line', () => {
    expect(parseCommand(['units', 'import', '--file', 'a.csv', '--dry-run'])).toEqual({
      name: 'units import',
      args: { file: 'a.csv', dryRun: true },
    });
    expect(() => parseCommand(['units', 'import'])).toThrow('thiếu tệp');
  });

  it('checks a list with --dry-run and writes nothing', async () => {
    const ctx = context();
    const outcome = await unitsImport(ctx, { file: await file('list.csv', LIST), dryRun: true });
    expect(outcome).toMatchObject({ problems: [], added: 4, written: false });
    expect(ctx.text()).toContain('Chạy thử (--dry-run): không ghi gì.');
    expect(await count('Unit')).toBe(0);
  });

  it('imports a list with English headers, parents resolved in the file, one audit row', async () => {
    const ctx = context();
    const outcome = await unitsImport(ctx, { file: await file('list.csv', LIST), dryRun: false });
    expect(outcome).toMatchObject({ problems: [], added: 4, updated: 0, unchanged: 0, written: true });
    expect(ctx.text()).toContain('Thêm đặc khu Đặc khu Thử (01850) từ 01/07/2025.');
    const all = await units();
    const province = all.find((u) => u.code === '19');
    expect(all.find((u) => u.code === '01850')).toMatchObject({
      kind: 'special_zone',
      parentId: province?.id,
    });
    expect(all.find((u) => u.code === 'HLHPN-19')).toMatchObject({
      kind: 'member_org',
      parentId: province?.id,
    });
    expect(await count('AuditLog', `WHERE "action" = 'units.import'`)).toBe(1);
  });

  it('adds nothing when the same list is imported again', async () => {
    const ctx = context();
    const outcome = await unitsImport(ctx, { file: await file('list.csv', LIST), dryRun: false });
    expect(outcome).toMatchObject({ problems: [], added: 0, updated: 0, unchanged: 4, written: false });
    expect(ctx.text()).toContain('Không có gì mới để ghi');
    expect(await count('Unit')).toBe(4);
    expect(await count('AuditLog', `WHERE "action" = 'units.import'`)).toBe(1);
  });

  it('reads Vietnamese headers, dd/mm/yyyy days, a reused code and an end date as an update (XLSX)', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Đơn vị');
    sheet.addRow(['DANH SÁCH ĐƠN VỊ HÀNH CHÍNH']);
    sheet.addRow(['Mã', 'Tên', 'Cấp/Loại', 'Mã cấp trên', 'Hiệu lực từ', 'Hiệu lực đến']);
    sheet.addRow(['06', 'Tỉnh Bắc Kạn', 'Tỉnh', '', '01/01/1997', '30/06/2025']);
    sheet.addRow([
      '058',
      'Thành phố Bắc Kạn',
      'Thành phố',
      '06',
      new Date('2015-03-11T00:00:00Z'),
      '30/06/2025',
    ]);
    // A number cell: Excel dropped the leading zero, the level gives it back.
    sheet.addRow([1849, 'Xã Dương Quang', 'xã', '058', '2015-03-11', '2025-06-30']);
    sheet.addRow(['19', 'Tỉnh Thái Nguyên', 'tỉnh', '', '1997-01-01', '']);
    const xlsx = path.join(dir, 'list.xlsx');
    await workbook.xlsx.writeFile(xlsx);
    const ctx = context();
    const outcome = await unitsImport(ctx, { file: xlsx, dryRun: false });
    expect(outcome).toMatchObject({ problems: [], added: 3, unchanged: 1, written: true });
    const codes = (await units())
      .filter((u) => u.code === '01849')
      .map((u) => `${u.name} ${u.validFrom}–${u.validTo}`);
    expect(codes.sort()).toEqual(['Xã Dương Quang 2015-03-11–2025-06-30', 'Xã Phong Quang 2025-07-01–null']);

    // The official list later records an end date for a unit: reported as an update and written.
    const ended = `Mã,Tên,Cấp/Loại,Mã cấp trên,Hiệu lực từ,Hiệu lực đến
HLHPN-19,Hội LHPN tỉnh Thái Nguyên,tổ chức thành viên,19,2025-07-01,2026-06-30
`;
    const ctx2 = context();
    const update = await unitsImport(ctx2, { file: await file('ended.csv', ended), dryRun: false });
    expect(update).toMatchObject({ problems: [], added: 0, updated: 1, written: true });
    expect(ctx2.text()).toContain(
      'Cập nhật Hội LHPN tỉnh Thái Nguyên (HLHPN-19): hết hiệu lực sau ngày 30/06/2026.',
    );
    expect((await units()).find((u) => u.code === 'HLHPN-19')?.validTo).toBe('2026-06-30');
  });

  it('lists every problem of a wrong file with row, column and fix, and writes nothing', async () => {
    const before = await count('Unit');
    const audits = await count('AuditLog');
    const wrong = `Mã;Tên;Cấp/Loại;Mã cấp trên;Hiệu lực từ;Hiệu lực đến
01901;Phường Một;phường;19;2025-07-01;
01902;Phường Hai;thôn;19;2025-07-01;
01903;;phường;19;2025-07-01;
01904;Phường Bốn;phường;777;2025-07-01;
01905;Phường Năm;phường;19;31/02/2025;
01901;Phường Một Lần Nữa;phường;19;2025-07-01;
01849;Xã Phong Quang Khác;xã;19;2025-07-01;
01906;Phường Sáu;phường;19;2025-07-01;2025-01-01
19;Tỉnh Thái Nguyên;tỉnh;01901;2026-01-01;
`;
    const ctx = context();
    const outcome = await unitsImport(ctx, { file: await file('wrong.csv', wrong), dryRun: false });
    const text = ctx.text();
    expect(text).toContain('Dòng 3, cột "Cấp/Loại": Không hiểu loại đơn vị "thôn". → Ghi tỉnh, thành phố');
    expect(text).toContain('Dòng 4, cột "Tên": Thiếu tên đơn vị.');
    expect(text).toContain(
      'Dòng 5, cột "Mã cấp trên": Không có đơn vị mã "777" còn hiệu lực ngày 01/07/2025.',
    );
    expect(text).toContain('Dòng 6, cột "Hiệu lực từ": "31/02/2025" không phải một ngày có thật.');
    expect(text).toContain('Dòng 7, cột "Mã": Đơn vị 01901 từ 01/07/2025 trùng với dòng 2.');
    expect(text).toContain(
      'Dòng 8, cột "Tên": Đơn vị 01849 từ 01/07/2025 đã có, nhưng tên đã ghi là "Xã Phong Quang"',
    );
    expect(text).toContain(
      'Dòng 9, cột "Hiệu lực đến": Ngày hết hiệu lực 01/01/2025 trước ngày bắt đầu 01/07/2025.',
    );
    expect(text).toContain('Dòng 10, cột "Hiệu lực từ": Mã 19 đang dùng cho Tỉnh Thái Nguyên');
    expect(text).toContain('Không ghi gì vì còn dòng lỗi.');
    expect(outcome.problems).toHaveLength(9);
    expect(outcome.written).toBe(false);
    expect(await count('Unit')).toBe(before);
    expect(await count('AuditLog')).toBe(audits);
  });

  it('keeps a notes column out of the units, shows each note with its row, never refuses it', async () => {
    const noted = `Mã,Tên,Cấp/Loại,Mã cấp trên,Hiệu lực từ,Hiệu lực đến,Ghi chú
01907,Phường Bảy,phường,19,2025-07-01,,chưa kiểm chứng: ngày hiệu lực
01908,Phường Tám,phường,19,2025-07-01,,
`;
    const ctx = context();
    const outcome = await unitsImport(ctx, { file: await file('noted.csv', noted), dryRun: false });
    expect(outcome).toMatchObject({ problems: [], added: 2, written: true });
    expect(ctx.lines).toContain(
      'Thêm phường Phường Bảy (01907) từ 01/07/2025. Ghi chú: chưa kiểm chứng: ngày hiệu lực',
    );
    expect(ctx.lines).toContain('Thêm phường Phường Tám (01908) từ 01/07/2025.');
    expect((await units()).find((u) => u.code === '01907')).toMatchObject({
      name: 'Phường Bảy',
      validFrom: '2025-07-01',
      validTo: null,
    });
    // Another note on the same rows changes nothing.
    const again = await unitsImport(context(), {
      file: await file('noted.csv', noted.replace('chưa kiểm chứng: ngày hiệu lực', 'đã kiểm chứng')),
      dryRun: false,
    });
    expect(again).toMatchObject({ problems: [], added: 0, unchanged: 2, written: false });
  });

  it('names the columns a list lacks', async () => {
    const ctx = context();
    const outcome = await unitsImport(ctx, {
      file: await file('short.csv', 'Mã,Tên,Mã cấp trên\n01990,Phường X,19\n'),
      dryRun: false,
    });
    expect(ctx.text()).toContain('Tệp thiếu cột: "Cấp/Loại", "Hiệu lực từ". Không ghi gì');
    expect(outcome.written).toBe(false);
  });
});
