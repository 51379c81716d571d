import { describe, expect, it } from 'vitest';
import { ZDocumentSettings } from '../../core/campaigns/sections.ts';
import {
  type OfficialDocument,
  officialFooter,
  officialHeading,
} from '../../core/exports/official-document.ts';
import { STT_COLUMN, sheet } from '../../core/exports/sheet.ts';
import { readDocx } from '../../test/support/docx-xml.ts';
import { A4, MARGINS, officialDocumentToDocx, splitLine } from './docx.ts';

const SETTINGS = ZDocumentSettings.parse({
  signer: { authority: 'TM. BAN THƯỜNG TRỰC', title: 'PHÓ CHỦ TỊCH', name: 'Nguyễn Thị Hoa' },
  recipients: { report: ['Thường trực Thành ủy (để báo cáo)', 'Ủy ban MTTQ tỉnh (để báo cáo)', 'Lưu: VT'] },
});
const CITY = { name: 'Ủy ban MTTQ Việt Nam thành phố Bắc Kạn' };

const TABLE = sheet({
  name: 't',
  title: 't',
  subtitle: 't',
  columns: [
    STT_COLUMN,
    { key: 'unit', header: 'Đơn vị', width: 28, format: 'text' },
    {
      key: 'n',
      header: 'Xây mới',
      group: 'Số hộ được phê duyệt',
      width: 10,
      format: 'integer',
      total: 'sum',
    },
    {
      key: 'r',
      header: 'Sửa chữa',
      group: 'Số hộ được phê duyệt',
      width: 10,
      format: 'integer',
      total: 'sum',
    },
    { key: 'm', header: 'Kinh phí đã nhận (đồng)', width: 18, format: 'money', total: 'sum' },
    { key: 'on', header: 'Ngày gửi', width: 12, format: 'date' },
  ],
  rows: [
    { stt: 1, unit: 'Phường Đức Xuân', n: 6, r: 3, m: 1_250_000_000n, on: '2025-07-08' },
    { stt: 2, unit: 'Phường Sông Cầu', n: 1205, r: 5, m: 980_500_000n, on: '2025-07-09' },
  ],
});

function report(overrides: Partial<OfficialDocument> = {}, settings = SETTINGS): OfficialDocument {
  return {
    fileName: 'bao-cao-2025-H1.docx',
    type: 'report',
    heading: officialHeading({
      settings,
      unit: CITY,
      body: 'standing',
      type: 'report',
      number: 12,
      today: '2025-07-10',
    }),
    title: 'BÁO CÁO',
    summary: 'Kết quả thực hiện Kế hoạch xóa nhà tạm, nhà dột nát 6 tháng đầu năm 2025',
    addressee: 'Kính gửi: Thường trực Thành ủy Bắc Kạn',
    body: [
      { kind: 'paragraph', text: 'Thực hiện Kế hoạch số 45/KH-MTTQ-BTT, Ban Thường trực báo cáo như sau:' },
      { kind: 'heading', text: 'I. KẾT QUẢ THỰC HIỆN', level: 1 },
      { kind: 'heading', text: '1. Công tác vận động', level: 2 },
      { kind: 'bullets', items: ['Tiền: 2.230.000.000 đồng', 'Ngày công: 862'] },
      { kind: 'table', columns: TABLE.columns, rows: TABLE.rows, totals: TABLE.totals },
      { kind: 'paragraph', text: 'Trên đây là báo cáo./.', italic: true },
    ],
    footer: officialFooter(settings, 'report', 'standing'),
    draft: false,
    ...overrides,
  };
}

/** The document written and read back. */
function read(model: OfficialDocument) {
  return officialDocumentToDocx(model).then(readDocx);
}

describe('officialDocumentToDocx', () => {
  it('writes every block of the heading: issuer with BAN THƯỜNG TRỰC, Số, national title and motto, place and date', async () => {
    const { texts, find } = await read(report());
    expect(texts.slice(0, 6)).toEqual([
      'ỦY BAN MTTQ VIỆT NAM',
      'THÀNH PHỐ BẮC KẠN',
      'BAN THƯỜNG TRỰC',
      '',
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Độc lập - Tự do - Hạnh phúc',
    ]);
    expect(find('ỦY BAN MTTQ VIỆT NAM')).toMatchObject({ bold: false, centred: true });
    expect(find('BAN THƯỜNG TRỰC')).toMatchObject({ bold: true, centred: true });
    expect(find('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM')).toMatchObject({ bold: true, centred: true });
    expect(find('Độc lập - Tự do - Hạnh phúc')).toMatchObject({ bold: true, centred: true });
    expect(find('Số: 12/BC-MTTQ-BTT')).toMatchObject({ centred: true, size: 13 });
    expect(find('Bắc Kạn, ngày 10 tháng 7 năm 2025')).toMatchObject({ italic: true, centred: true });
    // The short rules under the standing body and under the motto: bordered empty paragraphs.
    const rules = (text: string) => {
      const { xml } = find(text);
      return xml;
    };
    expect(texts[texts.indexOf('BAN THƯỜNG TRỰC') + 1]).toBe('');
    expect(texts[texts.indexOf('Độc lập - Tự do - Hạnh phúc') + 1]).toBe('');
    expect(rules('BAN THƯỜNG TRỰC')).not.toContain('<w:pBdr>');
    const { xml } = await read(report());
    // Three short rules: under the standing body, under the motto, under the summary line.
    expect(xml.match(/<w:pBdr><w:bottom /g)?.length).toBe(3);
  });

  it('leaves out the national title and motto when the campaign does not use them', async () => {
    const settings = { ...SETTINGS, nationalTitle: false };
    const { texts } = await read(report({}, settings));
    expect(texts).not.toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(texts).not.toContain('Độc lập - Tự do - Hạnh phúc');
    expect(texts).toContain('Số: 12/BC-MTTQ-BTT');
    expect(texts).toContain('Bắc Kạn, ngày 10 tháng 7 năm 2025');
  });

  it('marks a draft DỰ THẢO, boxed at the top, and only a draft', async () => {
    const draft = await read(
      report({
        draft: true,
        heading: officialHeading({
          settings: SETTINGS,
          unit: CITY,
          body: 'standing',
          type: 'report',
          number: undefined,
          today: '2025-07-10',
        }),
      }),
    );
    expect(draft.texts[0]).toBe('DỰ THẢO');
    expect(draft.find('DỰ THẢO')).toMatchObject({ bold: true });
    expect(draft.find('DỰ THẢO').xml).toMatch(/<w:pBdr><w:top .*<w:left .*<w:bottom .*<w:right /s);
    expect(draft.texts).toContain('Số:       /BC-MTTQ-BTT');
    expect((await read(report())).texts).not.toContain('DỰ THẢO');
  });

  it('writes the title, summary and addressee centred, the body justified with a first-line indent', async () => {
    const { find, texts } = await read(report());
    expect(find('BÁO CÁO')).toMatchObject({ bold: true, centred: true, size: 14 });
    expect(find('Kết quả thực hiện Kế hoạch xóa nhà tạm, nhà dột nát 6 tháng đầu năm 2025')).toMatchObject({
      bold: true,
      centred: true,
    });
    expect(find('Kính gửi: Thường trực Thành ủy Bắc Kạn')).toMatchObject({ centred: true });
    const body = find('Thực hiện Kế hoạch số 45/KH-MTTQ-BTT, Ban Thường trực báo cáo như sau:');
    expect(body).toMatchObject({ justified: true, bold: false, size: 14 });
    expect(body.xml).toMatch(/<w:ind w:firstLine="567"\/>/);
    expect(body.xml).toMatch(/<w:spacing w:after="120" w:line="276"\/>/);
    expect(find('I. KẾT QUẢ THỰC HIỆN')).toMatchObject({ bold: true });
    expect(find('1. Công tác vận động')).toMatchObject({ bold: true });
    expect(texts).toContain('- Tiền: 2.230.000.000 đồng');
    expect(texts).toContain('- Ngày công: 862');
    expect(find('Trên đây là báo cáo./.')).toMatchObject({ italic: true });
  });

  it('writes a table with its group heading, column numbers, grouped figures, dates and a bold totals row', async () => {
    const { texts, find, xml } = await read(report());
    const start = texts.indexOf('STT');
    // Two heading rows: the group over its two columns, the others merged down (empty continuations).
    expect(texts.slice(start, start + 11)).toEqual([
      'STT',
      'Đơn vị',
      'Số hộ được phê duyệt',
      'Kinh phí đã nhận (đồng)',
      'Ngày gửi',
      '',
      '',
      'Xây mới',
      'Sửa chữa',
      '',
      '',
    ]);
    expect(xml.match(/<w:vMerge w:val="restart"\/>/g)?.length).toBe(4);
    expect(xml).toContain('<w:gridSpan w:val="2"/>');
    const numbers = texts.indexOf('(1)');
    expect(texts.slice(numbers, numbers + 6)).toEqual(['(1)', '(2)', '(3)', '(4)', '(5)', '(6)']);
    expect(texts.slice(numbers + 6, numbers + 12)).toEqual([
      '1',
      'Phường Đức Xuân',
      '6',
      '3',
      '1.250.000.000',
      '08/07/2025',
    ]);
    expect(texts).toContain('1.205');
    const totals = texts.indexOf('Tổng cộng');
    expect(texts.slice(totals, totals + 5)).toEqual(['Tổng cộng', '1.211', '8', '2.230.500.000', '']);
    expect(find('Tổng cộng')).toMatchObject({ bold: true });
    expect(find('2.230.500.000')).toMatchObject({ bold: true });
  });

  it('writes Nơi nhận with its lines and the signature block', async () => {
    const { texts, find } = await read(report());
    const at = texts.indexOf('Nơi nhận:');
    expect(find('Nơi nhận:')).toMatchObject({ bold: true, italic: true, size: 12 });
    expect(texts.slice(at, at + 4)).toEqual([
      'Nơi nhận:',
      '- Thường trực Thành ủy (để báo cáo);',
      '- Ủy ban MTTQ tỉnh (để báo cáo);',
      '- Lưu: VT.',
    ]);
    expect(find('- Lưu: VT.')).toMatchObject({ size: 11 });
    expect(texts.slice(at + 4, at + 6)).toEqual(['TM. BAN THƯỜNG TRỰC', 'PHÓ CHỦ TỊCH']);
    expect(find('TM. BAN THƯỜNG TRỰC')).toMatchObject({ bold: true, centred: true });
    expect(find('PHÓ CHỦ TỊCH')).toMatchObject({ bold: true, centred: true });
    // Room for the signature and the seal, then the name.
    expect(texts.slice(at + 6, at + 11)).toEqual(['', '', '', '', 'Nguyễn Thị Hoa']);
    expect(find('Nguyễn Thị Hoa')).toMatchObject({ bold: true, centred: true });
  });

  it('lays the page out as A4 portrait with the margins of Decree 30/2020 in Times New Roman', async () => {
    const { xml } = await read(report());
    const sectPr = /<w:sectPr>.*<\/w:sectPr>/s.exec(xml)?.[0] ?? '';
    expect(sectPr).toMatch(/<w:pgSz w:w="11906" w:h="16838" w:orient="portrait"\/>/);
    expect(sectPr).toContain(
      `<w:pgMar w:top="${MARGINS.top}" w:right="${MARGINS.right}" w:bottom="${MARGINS.bottom}" w:left="${MARGINS.left}"`,
    );
    expect(MARGINS).toEqual({ top: 1134, bottom: 1134, left: 1701, right: 851 });
    const { styles } = await read(report());
    expect(styles).toMatch(
      /<w:rFonts w:ascii="Times New Roman" w:cs="Times New Roman" w:eastAsia="Times New Roman" w:hAnsi="Times New Roman"\/>/,
    );
  });

  it('turns the page for a wide table: A4 landscape', async () => {
    const { xml } = await read(report({ landscape: true }));
    expect(xml).toMatch(new RegExp(`<w:pgSz w:w="${A4.height}" w:h="${A4.width}" w:orient="landscape"/>`));
  });

  it('breaks the fund board’s long name before its quoted part, both lines bold', async () => {
    const { texts, find } = await read(
      report({
        heading: officialHeading({
          settings: SETTINGS,
          unit: CITY,
          body: 'fund',
          type: 'acknowledgement',
          number: 7,
          today: '2025-07-10',
        }),
      }),
    );
    expect(texts.slice(0, 4)).toEqual([
      'ỦY BAN MTTQ VIỆT NAM',
      'THÀNH PHỐ BẮC KẠN',
      'BAN VẬN ĐỘNG QUỸ',
      '"VÌ NGƯỜI NGHÈO"',
    ]);
    expect(find('"VÌ NGƯỜI NGHÈO"').bold).toBe(true);
    expect(find('BAN VẬN ĐỘNG QUỸ').bold).toBe(true);
    expect(texts).toContain('Số: 7/GXN-BVĐ');
    expect(splitLine('ỦY BAN MẶT TRẬN TỔ QUỐC VIỆT NAM', 21)).toEqual([
      'ỦY BAN MẶT TRẬN',
      'TỔ QUỐC VIỆT NAM',
    ]);
    expect(splitLine('THÀNH PHỐ BẮC KẠN', 21)).toEqual(['THÀNH PHỐ BẮC KẠN']);
  });
});
