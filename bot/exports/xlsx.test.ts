import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { ZDocumentSettings } from '../../core/campaigns/sections.ts';
import { officialFooter, officialHeading } from '../../core/exports/official-document.ts';
import { type ExportWorkbook, STT_COLUMN, sheet } from '../../core/exports/sheet.ts';
import { workbookToXlsx } from './xlsx.ts';

const NOW = new Date('2025-07-10T03:00:00Z');

function workbook(settings: ReturnType<typeof ZDocumentSettings.parse>): ExportWorkbook {
  return {
    fileName: 'x.xlsx',
    heading: officialHeading({
      settings,
      unit: { name: 'Ủy ban MTTQ Việt Nam thành phố Bắc Kạn' },
      body: 'standing',
      type: 'table',
      number: undefined,
      today: '2025-07-10',
    }),
    footer: officialFooter(settings, 'table', 'standing'),
    sheets: [
      sheet({
        name: 'Tiến độ',
        title: 'BÁO CÁO TIẾN ĐỘ',
        subtitle: 'Tháng 6/2025',
        columns: [
          STT_COLUMN,
          { key: 'unit', header: 'Đơn vị', width: 30, format: 'text' },
          { key: 'n', header: 'Số hộ', width: 12, format: 'integer', total: 'sum' },
          { key: 'm', header: 'Kinh phí (đồng)', width: 20, format: 'money', total: 'sum' },
          { key: 'x', header: 'Ghi chú', width: 40, format: 'text' },
        ],
        rows: [{ stt: 1, unit: 'Phường Đức Xuân', n: 3, m: 150_000_000n, x: '' }],
      }),
    ],
  };
}

async function written(model: ExportWorkbook): Promise<ExcelJS.Worksheet> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(new Uint8Array(await workbookToXlsx(model, NOW)).buffer);
  const ws = book.worksheets[0];
  if (!ws) {
    throw new Error('no sheet');
  }
  return ws;
}

/** A row's texts left to right, a merged range once (exceljs repeats its value in every cell). */
const texts = (ws: ExcelJS.Worksheet, row: number) =>
  (ws.getRow(row).values as ExcelJS.CellValue[])
    .filter((v): v is string => typeof v === 'string')
    .filter((v, i, all) => v !== all[i - 1]);

describe('workbookToXlsx heading and footer', () => {
  it('a campaign without the national title: issuer lines, Số and the date only; the table follows its heading', async () => {
    const ws = await written(
      workbook(
        ZDocumentSettings.parse({
          nationalTitle: false,
          issuer: ['ỦY BAN MTTQ VIỆT NAM', 'TỈNH BẮC KẠN', 'THÀNH PHỐ BẮC KẠN'],
          signer: { authority: 'TM. BAN THƯỜNG TRỰC', title: 'CHỦ TỊCH', name: 'Hoàng Văn Nam' },
          recipients: { table: ['Thường trực Thành ủy', 'Lưu: VT.'] },
        }),
      ),
    );
    const all = Array.from({ length: ws.rowCount }, (_, r) => texts(ws, r + 1)).flat();
    expect(all).not.toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(all).not.toContain('Độc lập - Tự do - Hạnh phúc');
    // Four issuer lines: the standing body fourth, bold; the rule, then Số and the date.
    expect([1, 2, 3, 4].map((r) => ws.getCell(r, 1).value)).toEqual([
      'ỦY BAN MTTQ VIỆT NAM',
      'TỈNH BẮC KẠN',
      'THÀNH PHỐ BẮC KẠN',
      'BAN THƯỜNG TRỰC',
    ]);
    expect(ws.getCell(4, 1).font?.bold).toBe(true);
    expect(texts(ws, 6)).toEqual(['Số:       /BC-MTTQ-BTT', 'Bắc Kạn, ngày 10 tháng 7 năm 2025']);
    expect(ws.getCell(8, 1).value).toBe('BÁO CÁO TIẾN ĐỘ');
    expect(ws.getCell(11, 1).value).toBe('STT');
    expect(ws.getCell(12, 1).value).toBe('(1)');
    expect(ws.pageSetup.printTitlesRow).toBe('11:12');
    // Under the table: Nơi nhận and its lines on the left, the signature block on the right.
    const at = all.indexOf('Nơi nhận:');
    expect(all.slice(at)).toEqual([
      'Nơi nhận:',
      'TM. BAN THƯỜNG TRỰC',
      '- Thường trực Thành ủy;',
      'CHỦ TỊCH',
      '- Lưu: VT.',
      'Hoàng Văn Nam',
    ]);
  });
});
