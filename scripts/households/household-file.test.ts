import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCsv } from '../../bot/files/csv.ts';
import { generateHouseholdRows, writeCsv, writeXlsx } from '../dev/generate-household-file.ts';
import {
  HouseholdFileError,
  type HouseholdFileResult,
  openHouseholdFile,
  type RawHouseholdRow,
  type RawHouseholdValues,
  readHouseholdFile,
  writeHouseholdsXlsx,
} from './household-file.ts';

let dir = '';
let fileCount = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'households-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function tempFile(ext: string): string {
  fileCount += 1;
  return path.join(dir, `file-${fileCount}${ext}`);
}

async function readText(text: string, ext = '.csv'): Promise<HouseholdFileResult> {
  const file = tempFile(ext);
  await writeFile(file, text, 'utf8');
  return readHouseholdFile(file);
}

function only<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  const [item] = items;
  if (item === undefined) {
    throw new Error('expected one item');
  }
  return item;
}

function rowAt(result: HouseholdFileResult, rowNumber: number): RawHouseholdRow {
  return only(result.rows.filter((row) => row.rowNumber === rowNumber));
}

const HEADERS = [
  'STT',
  'Mã hộ',
  'Thôn/Tổ',
  'Họ tên chủ hộ',
  'Năm sinh',
  'Số CCCD',
  'Diện',
  'Nhu cầu',
  'Nền móng bền chắc',
  'Khung tường bền chắc',
  'Mái bền chắc',
  'Diện tích (m2)',
  'Số nhân khẩu',
  'Đất hợp pháp',
  'Không tranh chấp',
  'Ngoài vùng sạt lở',
  'UBND xã, phường xác nhận',
  'Đã được hỗ trợ',
] as const;

type Header = (typeof HEADERS)[number];

const BASE: Readonly<Record<Header, string>> = {
  STT: '1',
  'Mã hộ': 'H001',
  'Thôn/Tổ': 'Thôn Nà Cưởm',
  'Họ tên chủ hộ': 'Nguyễn Văn An',
  'Năm sinh': '1960',
  'Số CCCD': '006060012345',
  Diện: 'Hộ nghèo',
  'Nhu cầu': 'Xây mới',
  'Nền móng bền chắc': 'Không',
  'Khung tường bền chắc': 'Không',
  'Mái bền chắc': 'Có',
  'Diện tích (m2)': '25,5',
  'Số nhân khẩu': '4',
  'Đất hợp pháp': 'Có',
  'Không tranh chấp': 'Có',
  'Ngoài vùng sạt lở': 'Có',
  'UBND xã, phường xác nhận': 'Có',
  'Đã được hỗ trợ': 'Không',
};

const BASE_VALUES: Partial<RawHouseholdValues> = {
  code: 'H001',
  village: 'Thôn Nà Cưởm',
  headName: 'Nguyễn Văn An',
  birthYear: 1960,
  idNumber: '006060012345',
  category: 'poor',
  need: 'new_build',
  foundationDurable: false,
  frameDurable: false,
  roofDurable: true,
  area: 25.5,
  members: 4,
  landLegal: true,
  landUndisputed: true,
  outsideLandslideZone: true,
  confirmedByCommune: true,
};

/** A CSV (header on row 1) with one row per override of the valid BASE row. */
function csvOf(overrides: ReadonlyArray<Partial<Record<Header, string>>>): string {
  return formatCsv([[...HEADERS], ...overrides.map((o) => HEADERS.map((h) => o[h] ?? BASE[h]))]);
}

describe('readHouseholdFile — CSV', () => {
  it('reads a UTF-8 BOM file with ";", CRLF and a title block above the header', async () => {
    const text =
      '\uFEFFỦY BAN MTTQ VIỆT NAM XÃ ĐỒNG PHÚC;;;\r\n' +
      'DANH SÁCH HỘ NGHÈO, CẬN NGHÈO CÓ NHÀ TẠM, NHÀ DỘT NÁT;;;\r\n' +
      ';;;\r\n' +
      `${HEADERS.join(';')}\r\n` +
      `${HEADERS.map((h) => BASE[h]).join(';')}\r\n` +
      ';;;\r\n' +
      `${HEADERS.map((h) => (h === 'Mã hộ' ? 'H002' : BASE[h])).join(';')}\r\n`;
    const result = await readText(text);
    expect(result.headerRow).toBe(4);
    expect(result.missingColumns).toEqual([]);
    expect(result.unknownColumns).toEqual([]);
    expect(result.columns).toEqual({
      code: 'Mã hộ',
      village: 'Thôn/Tổ',
      headName: 'Họ tên chủ hộ',
      birthYear: 'Năm sinh',
      idNumber: 'Số CCCD',
      category: 'Diện',
      need: 'Nhu cầu',
      foundationDurable: 'Nền móng bền chắc',
      frameDurable: 'Khung tường bền chắc',
      roofDurable: 'Mái bền chắc',
      area: 'Diện tích (m2)',
      members: 'Số nhân khẩu',
      landLegal: 'Đất hợp pháp',
      landUndisputed: 'Không tranh chấp',
      outsideLandslideZone: 'Ngoài vùng sạt lở',
      confirmedByCommune: 'UBND xã, phường xác nhận',
      supportedBefore: 'Đã được hỗ trợ',
    });
    expect(result.rows.map((row) => row.rowNumber)).toEqual([5, 7]);
    expect(result.rows[0]).toEqual({ rowNumber: 5, values: BASE_VALUES, errors: [] });
    expect(result.rows[1]?.values.code).toBe('H002');
  });

  it('still reads the older headers ("bền vững", "Xã xác nhận") of files made before', async () => {
    const older: Record<string, string> = {
      'Nền móng bền chắc': 'Nền móng bền vững',
      'Khung tường bền chắc': 'Khung tường bền vững',
      'Mái bền chắc': 'Mái bền vững',
      'UBND xã, phường xác nhận': 'Xã xác nhận',
    };
    const text =
      `${HEADERS.map((h) => older[h] ?? h).join(';')}\r\n` + `${HEADERS.map((h) => BASE[h]).join(';')}\r\n`;
    const result = await readText(text);
    expect(result.missingColumns).toEqual([]);
    expect(result.columns).toMatchObject({
      foundationDurable: 'Nền móng bền vững',
      frameDurable: 'Khung tường bền vững',
      roofDurable: 'Mái bền vững',
      confirmedByCommune: 'Xã xác nhận',
    });
    expect(result.rows[0]).toEqual({ rowNumber: 2, values: BASE_VALUES, errors: [] });
  });

  it('reads quoted fields with commas, quotes and line breaks, numbering rows as Excel does', async () => {
    const text = csvOf([
      { 'Họ tên chủ hộ': 'Nguyễn Văn\r\nAn', 'Đã được hỗ trợ': 'Có, năm 2015 "Chương trình 167"' },
      { 'Mã hộ': 'H002', 'Thôn/Tổ': 'Thôn Nà Cưởm, xã Đồng Phúc' },
    ]);
    expect(text).toContain('"Nguyễn Văn\r\nAn"');
    const result = await readText(text);
    expect(result.rows.map((row) => row.rowNumber)).toEqual([2, 3]);
    expect(result.rows[0]?.values.headName).toBe('Nguyễn Văn An');
    expect(result.rows[0]?.values.supportedBefore).toBe('Có, năm 2015 "Chương trình 167"');
    expect(result.rows[1]?.values.village).toBe('Thôn Nà Cưởm, xã Đồng Phúc');
    expect(result.rows.every((row) => row.errors.length === 0)).toBe(true);
  });

  it('accepts header variants without diacritics, in any case, with extra spaces and line breaks', async () => {
    const headers = [
      'TT',
      'MA HO',
      '"thon, to"',
      '"Ho ten\nchu ho"',
      '  Nam   sinh ',
      'So CMND/CCCD',
      'DOI TUONG',
      'Hinh thuc ho tro',
      'Nen mong cung',
      'Khung tuong cung',
      'Mai cung',
      'Dien tich (m²)',
      'Nhan khau',
      'dat hop phap',
      'Dat khong tranh chap',
      'Khong thuoc vung sat lo',
      'UBND xa xac nhan',
      'Da ho tro (chuong trinh)',
    ];
    const text = `${headers.join(',')}\n${HEADERS.map((h) => (h === 'Diện tích (m2)' ? '"25,5"' : BASE[h])).join(',')}\n`;
    const result = await readText(text);
    expect(result.missingColumns).toEqual([]);
    expect(result.unknownColumns).toEqual([]);
    expect(result.columns).toMatchObject({
      code: 'MA HO',
      village: 'thon, to',
      headName: 'Ho ten chu ho',
      birthYear: 'Nam sinh',
      idNumber: 'So CMND/CCCD',
      category: 'DOI TUONG',
      need: 'Hinh thuc ho tro',
      area: 'Dien tich (m²)',
      confirmedByCommune: 'UBND xa xac nhan',
    });
    expect(only(result.rows)).toEqual({ rowNumber: 2, values: BASE_VALUES, errors: [] });
  });

  it('accepts every documented header spelling', async () => {
    const spellings: Array<[string, string]> = [
      ['Ma ho', 'code'],
      ['Mã', 'code'],
      ['Code', 'code'],
      ['Thôn', 'village'],
      ['Thôn, tổ', 'village'],
      ['Tổ dân phố', 'village'],
      ['Bản', 'village'],
      ['Xóm', 'village'],
      ['Chủ hộ', 'headName'],
      ['Họ và tên chủ hộ', 'headName'],
      ['Họ và tên', 'headName'],
      ['CCCD', 'idNumber'],
      ['CMND', 'idNumber'],
      ['Số định danh', 'idNumber'],
      ['Đối tượng', 'category'],
      ['Phân loại', 'category'],
      ['Xây mới/Sửa chữa', 'need'],
      ['Diện tích', 'area'],
      ['Số người', 'members'],
      ['Đất không tranh chấp', 'landUndisputed'],
      ['Đã xác nhận', 'confirmedByCommune'],
      ['Đã hỗ trợ (chương trình)', 'supportedBefore'],
    ];
    for (const [header, field] of spellings) {
      // Three other recognised headers make it a header row.
      const others = [
        ['Mã hộ', 'code', 'H1'],
        ['Diện', 'category', 'HN'],
        ['Nhu cầu', 'need', 'XM'],
        ['Số nhân khẩu', 'members', '3'],
      ]
        .filter(([, other]) => other !== field)
        .slice(0, 3);
      const result = await readText(
        formatCsv([
          [...others.map(([h = '']) => h), header],
          [...others.map(([, , v = '']) => v), 'x'],
        ]),
      );
      expect(result.columns[field], header).toBe(header);
    }
  });

  it('converts every kind of good cell', async () => {
    const cases: Array<[Header, string, keyof RawHouseholdValues, unknown]> = [
      ['Đất hợp pháp', 'có', 'landLegal', true],
      ['Đất hợp pháp', 'CÓ', 'landLegal', true],
      ['Đất hợp pháp', 'c', 'landLegal', true],
      ['Đất hợp pháp', 'x', 'landLegal', true],
      ['Đất hợp pháp', 'X', 'landLegal', true],
      ['Đất hợp pháp', '1', 'landLegal', true],
      ['Đất hợp pháp', 'TRUE', 'landLegal', true],
      ['Đất hợp pháp', 'yes', 'landLegal', true],
      ['Đất hợp pháp', 'Đúng', 'landLegal', true],
      ['Đất hợp pháp', 'Có ạ', 'landLegal', true],
      ['Đất hợp pháp', 'không', 'landLegal', false],
      ['Đất hợp pháp', 'k', 'landLegal', false],
      ['Đất hợp pháp', 'K', 'landLegal', false],
      ['Đất hợp pháp', '0', 'landLegal', false],
      ['Đất hợp pháp', 'false', 'landLegal', false],
      ['Đất hợp pháp', 'no', 'landLegal', false],
      ['Đất hợp pháp', 'sai', 'landLegal', false],
      ['Đất hợp pháp', 'Khong', 'landLegal', false],
      ['Diện', 'nghèo', 'category', 'poor'],
      ['Diện', 'hộ nghèo', 'category', 'poor'],
      ['Diện', 'HN', 'category', 'poor'],
      ['Diện', 'ho ngheo', 'category', 'poor'],
      ['Diện', 'cận nghèo', 'category', 'near_poor'],
      ['Diện', 'Hộ cận nghèo', 'category', 'near_poor'],
      ['Diện', 'HCN', 'category', 'near_poor'],
      ['Diện', 'có công', 'category', 'merit'],
      ['Diện', 'Người có công', 'category', 'merit'],
      ['Diện', 'NCC', 'category', 'merit'],
      ['Diện', 'khác', 'category', 'other'],
      ['Nhu cầu', 'xây mới', 'need', 'new_build'],
      ['Nhu cầu', 'XM', 'need', 'new_build'],
      ['Nhu cầu', 'Làm mới', 'need', 'new_build'],
      ['Nhu cầu', 'sửa chữa', 'need', 'repair'],
      ['Nhu cầu', 'SC', 'need', 'repair'],
      ['Diện tích (m2)', '25.5', 'area', 25.5],
      ['Diện tích (m2)', '30', 'area', 30],
      ['Diện tích (m2)', '25,5 m2', 'area', 25.5],
      ['Diện tích (m2)', '18 m²', 'area', 18],
      ['Số nhân khẩu', '7', 'members', 7],
      ['Số nhân khẩu', '3 người', 'members', 3],
      ['Năm sinh', '1945', 'birthYear', 1945],
      ['Năm sinh', '15/03/1960', 'birthYear', 1960],
      ['Năm sinh', '1960-03-15', 'birthYear', 1960],
      ['Số CCCD', '006 060 012 345', 'idNumber', '006060012345'],
      ['Số CCCD', "'006060012345", 'idNumber', '006060012345'],
      ['Số CCCD', '012345678', 'idNumber', '012345678'],
      ['Số CCCD', '6060012345', 'idNumber', '006060012345'],
      ['Số CCCD', '20060012345', 'idNumber', '020060012345'],
      ['Mã hộ', '  H 007 ', 'code', 'H 007'],
      ['Họ tên chủ hộ', '  Hoa\u0300ng   Thi\u0323 Mai ', 'headName', 'Hoàng Thị Mai'],
      ['Đã được hỗ trợ', 'Chương trình 167 (2015)', 'supportedBefore', 'Chương trình 167 (2015)'],
      ['Đã được hỗ trợ', 'Không', 'supportedBefore', undefined],
      ['Đã được hỗ trợ', 'Chưa được hỗ trợ', 'supportedBefore', undefined],
      ['Đã được hỗ trợ', '-', 'supportedBefore', undefined],
      ['Đã được hỗ trợ', 'x', 'supportedBefore', 'Có'],
    ];
    const result = await readText(csvOf(cases.map(([header, input]) => ({ [header]: input }))));
    cases.forEach(([header, input, field, expected], i) => {
      const row = rowAt(result, i + 2);
      expect(row.errors, `${header} = ${input}`).toEqual([]);
      expect(row.values[field], `${header} = ${input}`).toEqual(expected);
      expect(field in row.values, `${header} = ${input}`).toBe(expected !== undefined);
    });
  });

  it('leaves empty optional cells absent without errors', async () => {
    const result = await readText(
      csvOf([{ 'Năm sinh': '', 'Số CCCD': ' ', 'Diện tích (m2)': '', 'Đã được hỗ trợ': '' }]),
    );
    const row = only(result.rows);
    expect(row.errors).toEqual([]);
    expect(Object.keys(row.values)).not.toContain('birthYear');
    expect(Object.keys(row.values)).not.toContain('idNumber');
    expect(Object.keys(row.values)).not.toContain('area');
    expect(Object.keys(row.values)).not.toContain('supportedBefore');
  });

  it('reports every bad cell with a Vietnamese message, the row number and the column', async () => {
    const cases: Array<[Header, string, string, RegExp, RegExp | undefined]> = [
      [
        'Đất hợp pháp',
        'chưa rõ',
        'landLegal',
        /^Chỉ được ghi Có hoặc Không \(ô đang ghi "chưa rõ"\)$/,
        /^Ghi "Có" hoặc "Không"$/,
      ],
      ['Mái bền chắc', '2', 'roofDurable', /Có hoặc Không/, /"Có" hoặc "Không"/],
      ['Số nhân khẩu', '-3', 'members', /không được là số âm \(ô đang ghi "-3"\)/, /ví dụ 4/],
      ['Số nhân khẩu', '2,5', 'members', /phải là số nguyên/, /ví dụ 4/],
      ['Số nhân khẩu', '0', 'members', /từ 1 trở lên/, /ví dụ 4/],
      ['Số nhân khẩu', 'bốn', 'members', /không phải là số/, /ví dụ 4/],
      ['Số nhân khẩu', '150', 'members', /quá lớn/, /ví dụ 4/],
      ['Năm sinh', '19a5', 'birthYear', /phải là số, không có chữ/, /4 chữ số/],
      ['Năm sinh', '1850', 'birthYear', /trong khoảng 1900–\d{4} \(ô đang ghi "1850"\)/, /4 chữ số/],
      ['Năm sinh', '60', 'birthYear', /trong khoảng 1900/, /4 chữ số/],
      [
        'Diện',
        'Hộ khá',
        'category',
        /Diện hộ không hợp lệ \(ô đang ghi "Hộ khá"\)/,
        /Hộ nghèo, Hộ cận nghèo, Người có công, Khác/,
      ],
      ['Nhu cầu', 'Mua nhà', 'need', /Nhu cầu hỗ trợ không hợp lệ/, /Xây mới.*Sửa chữa/],
      ['Diện tích (m2)', 'khoảng 30', 'area', /Diện tích không phải là số/, /25,5/],
      ['Diện tích (m2)', '-20', 'area', /Diện tích phải lớn hơn 0/, /25,5/],
      ['Số CCCD', '0060850A2345', 'idNumber', /chỉ được gồm chữ số/, /12 chữ số/],
      ['Số CCCD', '12345', 'idNumber', /12 chữ số.*5 chữ số/, /Văn bản/],
      ['Mã hộ', '', 'code', /bỏ trống.*bắt buộc/, /mã hộ/],
      ['Họ tên chủ hộ', ' ', 'headName', /bỏ trống/, /họ và tên/],
      ['UBND xã, phường xác nhận', '', 'confirmedByCommune', /bỏ trống/, /"Có" hoặc "Không"/],
      ['Số nhân khẩu', '', 'members', /bỏ trống/, /ví dụ 4/],
    ];
    const result = await readText(csvOf(cases.map(([header, input]) => ({ [header]: input }))));
    expect(result.rows).toHaveLength(cases.length);
    cases.forEach(([header, input, field, message, suggestion], i) => {
      const row = rowAt(result, i + 2);
      const error = only(row.errors);
      expect(error.column, input).toBe(header);
      expect(error.field, input).toBe(field);
      expect(error.message, input).toMatch(message);
      if (suggestion !== undefined) {
        expect(error.suggestion, input).toMatch(suggestion);
      }
      expect(field in row.values, input).toBe(false);
    });
  });

  it('collects several errors of one row and keeps its good values', async () => {
    const result = await readText(csvOf([{ 'Số nhân khẩu': '-1', 'Đất hợp pháp': '?', Diện: 'giàu' }]));
    const row = only(result.rows);
    expect(row.errors.map((e) => e.column)).toEqual(['Diện', 'Số nhân khẩu', 'Đất hợp pháp']);
    expect(row.values.headName).toBe('Nguyễn Văn An');
  });

  it('reports missing required columns and unknown columns', async () => {
    const text =
      'STT,Mã hộ,Họ và tên,Thôn,Ghi chú,Diện,Số điện thoại,Mã\n1,H1,Lò Văn Pảo,Bản Đén,,HN,0912,X\n';
    const result = await readText(text);
    expect(result.unknownColumns).toEqual(['Ghi chú', 'Số điện thoại', 'Mã']);
    expect(result.missingColumns).toEqual([
      'need',
      'foundationDurable',
      'frameDurable',
      'roofDurable',
      'members',
      'landLegal',
      'landUndisputed',
      'outsideLandslideZone',
      'confirmedByCommune',
    ]);
    expect(only(result.rows)).toEqual({
      rowNumber: 2,
      values: { code: 'H1', headName: 'Lò Văn Pảo', village: 'Bản Đén', category: 'poor' },
      errors: [],
    });
  });

  it('skips rows with nothing but an STT number (pre-numbered templates)', async () => {
    const text = `${csvOf([{}])}2,,,,,,,,,,,,,,,,,\r\n3,,,\r\n`;
    const result = await readText(text);
    expect(result.rows.map((row) => row.rowNumber)).toEqual([2]);
  });

  it('throws Vietnamese errors for files it cannot read at all', async () => {
    await expect(readText('a,b', '.pdf')).rejects.toThrow(
      /chỉ nhận danh sách hộ dạng Excel \(\.xlsx\) hoặc CSV/,
    );
    await expect(readText('a,b', '.xls')).rejects.toThrow(/Excel 97–2003/);
    await expect(readHouseholdFile(path.join(dir, 'khong-co.csv'))).rejects.toThrow(/tệp không tồn tại/);
    await expect(readText('Họ tên,Địa chỉ\nA,B\n')).rejects.toThrow(/Không tìm thấy dòng tiêu đề/);
    await expect(readText('không phải zip', '.xlsx')).rejects.toThrow(/bị hỏng/);
  });
});

describe("readHouseholdFile with a campaign's categories (issue 15)", () => {
  const categories = [
    { code: 'poor', label: 'Hộ nghèo' },
    { code: 'ntp_poverty', label: 'Hộ thuộc CT MTQG giảm nghèo' },
  ];

  it('reads their labels and codes, the built-in words of a category they list, and refuses the others', async () => {
    const file = tempFile('.csv');
    await writeFile(
      file,
      csvOf([
        { 'Mã hộ': 'H1', Diện: 'Hộ thuộc CT MTQG giảm nghèo' },
        { 'Mã hộ': 'H2', Diện: 'ho thuoc ct mtqg giam ngheo' },
        { 'Mã hộ': 'H3', Diện: 'ntp_poverty' },
        { 'Mã hộ': 'H4', Diện: 'HN' },
        { 'Mã hộ': 'H5', Diện: 'Người có công' },
      ]),
      'utf8',
    );
    const result = await readHouseholdFile(file, { categories });
    expect(result.rows.map((r) => r.values.category)).toEqual([
      'ntp_poverty',
      'ntp_poverty',
      'ntp_poverty',
      'poor',
      undefined,
    ]);
    expect(rowAt(result, 6).errors).toEqual([
      {
        column: 'Diện',
        field: 'category',
        message: 'Diện hộ không hợp lệ (ô đang ghi "Người có công")',
        suggestion: 'Ghi một trong các diện của đợt vận động: Hộ nghèo, Hộ thuộc CT MTQG giảm nghèo',
      },
    ]);
  });
});

describe('readHouseholdFile — XLSX', () => {
  it('converts numbers, dates, rich text, formulas, hyperlinks, booleans and formula errors', async () => {
    const file = tempFile('.xlsx');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('DS');
    sheet.addRow(['ỦY BAN MTTQ VIỆT NAM XÃ ĐỒNG PHÚC']);
    sheet.addRow([]);
    sheet.addRow([...HEADERS]);
    const values = HEADERS.map((h): ExcelJS.CellValue => BASE[h]);
    sheet.addRow(values);
    const row = sheet.getRow(4);
    row.getCell(1).value = 1;
    row.getCell(2).value = { text: 'H001', hyperlink: 'https://example.org/ho/H001' };
    row.getCell(4).value = { richText: [{ text: 'Nguyễn ' }, { text: 'Văn An', font: { bold: true } }] };
    row.getCell(5).value = new Date(Date.UTC(1960, 2, 15));
    row.getCell(5).numFmt = 'dd/mm/yyyy';
    row.getCell(6).value = 6060012345;
    row.getCell(9).value = false;
    row.getCell(10).value = 0;
    row.getCell(11).value = { formula: 'IF(1=1,"Có","Không")', result: 'Có' };
    row.getCell(12).value = 25.5;
    row.getCell(13).value = { formula: '2+2', result: 4 };
    row.getCell(14).value = true;
    row.getCell(15).value = 1;
    // A year typed into a date-formatted cell: Excel shows 13/05/1905.
    const second = sheet.addRow(values);
    second.getCell(2).value = 'H002';
    second.getCell(5).value = 1958;
    second.getCell(5).numFmt = 'dd/mm/yyyy';
    second.getCell(12).value = { formula: '1/0', result: { error: '#DIV/0!' } };
    second.getCell(13).value = new Date(Date.UTC(2025, 2, 4));
    second.getCell(13).numFmt = 'd/m';
    await workbook.xlsx.writeFile(file);

    const result = await readHouseholdFile(file);
    expect(result.headerRow).toBe(3);
    expect(rowAt(result, 4)).toEqual({
      rowNumber: 4,
      values: { ...BASE_VALUES, frameDurable: false, roofDurable: true },
      errors: [],
    });
    const bad = rowAt(result, 5);
    expect(bad.values.birthYear).toBe(1958);
    expect(bad.errors).toEqual([
      {
        column: 'Diện tích (m2)',
        field: 'area',
        message: 'Diện tích không phải là số (ô đang ghi "#DIV/0!")',
        suggestion: 'Ghi số mét vuông, ví dụ 25,5',
      },
      {
        column: 'Số nhân khẩu',
        field: 'members',
        message: 'Số nhân khẩu đang ở dạng ngày tháng, không phải số (ô đang ghi "04/03/2025")',
        suggestion: 'Định dạng ô là Số (Number) hoặc Văn bản (Text) rồi nhập lại',
      },
    ]);
  });

  it('restores the leading zeros Excel drops from CCCD and CMND numbers', async () => {
    const file = tempFile('.xlsx');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('DS');
    sheet.addRow(['Mã hộ', 'Diện', 'Nhu cầu', 'Số CCCD', 'CMND']);
    sheet.addRow(['H1', 'HN', 'XM', 1085012345, 12345678]); // 001085012345 lost two zeros; 012345678 one
    sheet.addRow(['H2', 'HN', 'XM', 20185012345, 123456789]); // 020185012345 lost one zero
    sheet.addRow(['H3', 'HN', 'XM', 123456789012, 1234567]); // no zero lost; a 7-digit CMND is wrong
    sheet.addRow(['H4', 'HN', 'XM', 12345.5, '0123 456 78']);
    await workbook.xlsx.writeFile(file);
    const result = await readHouseholdFile(file);
    expect(result.columns.idNumber).toBe('Số CCCD');
    expect(result.unknownColumns).toEqual(['CMND']);
    expect(result.rows.map((row) => row.values.idNumber)).toEqual([
      '001085012345',
      '020185012345',
      '123456789012',
      undefined,
    ]);
    expect(rowAt(result, 5).errors[0]?.message).toMatch(/chỉ được gồm chữ số/);

    // The CMND column alone: 8 digits lost the leading zero of a 9-digit CMND.
    const cmnd = tempFile('.xlsx');
    const book2 = new ExcelJS.Workbook();
    const sheet2 = book2.addWorksheet('DS');
    sheet2.addRow(['Mã hộ', 'Diện', 'Nhu cầu', 'Số CMND']);
    sheet2.addRow(['H1', 'HN', 'XM', 12345678]);
    sheet2.addRow(['H2', 'HN', 'XM', 1234567]);
    await book2.xlsx.writeFile(cmnd);
    const result2 = await readHouseholdFile(cmnd);
    expect(result2.rows[0]?.values.idNumber).toBe('012345678');
    expect(result2.rows[1]?.errors[0]?.message).toMatch(
      /12 chữ số \(CMND cũ: 9 chữ số\), ô đang có 7 chữ số/,
    );
  });

  it('reads an official form: merged title, two-row header, column numbers, merged villages, section rows', async () => {
    const file = tempFile('.xlsx');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Biểu 01');
    sheet.getCell('A1').value = 'ỦY BAN MTTQ VIỆT NAM XÃ ĐỒNG PHÚC';
    sheet.mergeCells('A1:H1');
    sheet.getCell('A2').value = 'DANH SÁCH HỘ CẦN HỖ TRỢ NHÀ Ở';
    sheet.mergeCells('A2:H2');
    sheet.getRow(4).values = [
      'STT',
      'Họ và tên chủ hộ',
      'Thôn',
      'Hiện trạng nhà ở',
      null,
      null,
      'Diện',
      'Nhu cầu',
    ];
    sheet.getRow(5).values = [null, null, null, 'Nền móng cứng', 'Khung tường cứng', 'Mái cứng', null, null];
    for (const col of ['A', 'B', 'C', 'G', 'H']) {
      sheet.mergeCells(`${col}4:${col}5`);
    }
    sheet.mergeCells('D4:F4');
    sheet.getRow(6).values = ['(1)', '(2)', '(3)', '(4)', '(5)', '(6)', '(7)', '(8)'];
    sheet.getRow(7).values = ['I', 'Thôn Nà Cưởm'];
    sheet.mergeCells('B7:H7');
    sheet.getRow(8).values = [1, 'Hà Văn Dìn', 'Thôn Nà Cưởm', 'K', 'K', 'C', 'HN', 'XM'];
    sheet.getRow(9).values = [2, 'Triệu Thị Sáu', null, 'x', 'K', 'K', 'HCN', 'SC'];
    sheet.mergeCells('C8:C9');
    await workbook.xlsx.writeFile(file);

    const result = await readHouseholdFile(file);
    expect(result.headerRow).toBe(4);
    expect(result.columns).toEqual({
      headName: 'Họ và tên chủ hộ',
      village: 'Thôn',
      foundationDurable: 'Nền móng cứng',
      frameDurable: 'Khung tường cứng',
      roofDurable: 'Mái cứng',
      category: 'Diện',
      need: 'Nhu cầu',
    });
    expect(result.unknownColumns).toEqual([]);
    expect(result.missingColumns).toContain('code');
    // The section row "Thôn Nà Cưởm" (merged B7:H7) is reported, not silently dropped.
    expect(result.rows.map((row) => row.rowNumber)).toEqual([7, 8, 9]);
    expect(rowAt(result, 7).errors.map((e) => e.field)).toEqual([
      'village',
      'foundationDurable',
      'frameDurable',
      'roofDurable',
      'category',
      'need',
    ]);
    expect(rowAt(result, 8)).toEqual({
      rowNumber: 8,
      values: {
        headName: 'Hà Văn Dìn',
        village: 'Thôn Nà Cưởm',
        foundationDurable: false,
        frameDurable: false,
        roofDurable: true,
        category: 'poor',
        need: 'new_build',
      },
      errors: [],
    });
    expect(rowAt(result, 9).values).toMatchObject({
      village: 'Thôn Nà Cưởm',
      foundationDurable: true,
      need: 'repair',
    });
  });
});

describe('writeHouseholdsXlsx', () => {
  const households: Array<Record<string, unknown>> = [
    { ...BASE_VALUES, status: 'started', eligible: true },
    {
      code: 'H002',
      village: 'Tổ 5',
      headName: 'Lường Thị Mùi',
      birthYear: 1949,
      idNumber: '004149000001',
      category: 'near_poor',
      need: 'repair',
      foundationDurable: true,
      frameDurable: false,
      roofDurable: false,
      area: 18.25,
      members: 1,
      landLegal: true,
      landUndisputed: false,
      outsideLandslideZone: true,
      confirmedByCommune: false,
      status: 'proposed',
      eligible: false,
    },
    {
      code: '0007',
      village: 'Bản Pác Nặm',
      headName: 'Ma Văn Lộc',
      category: 'merit',
      need: 'new_build',
      foundationDurable: false,
      frameDurable: false,
      roofDurable: false,
      members: 6,
      landLegal: true,
      landUndisputed: true,
      outsideLandslideZone: false,
      confirmedByCommune: true,
      supportedBefore: 'Chương trình 167 (2015)',
    },
    { ...BASE_VALUES, code: 'H004', category: 'other', idNumber: '012345678' },
  ];

  it('writes the officials’ layout and reads back the same values', async () => {
    const file = tempFile('.xlsx');
    await writeHouseholdsXlsx(file, households, {
      title: 'ỦY BAN MTTQ VIỆT NAM XÃ ĐỒNG PHÚC',
      unitName: 'Ban Công tác Mặt trận thôn Nà Cưởm',
      generatedAt: new Date('2025-03-14T20:00:00Z'),
      statusLabel: (status) =>
        status === 'proposed' ? 'Đề xuất' : status === 'started' ? 'Đã khởi công' : status,
    });

    const result = await readHouseholdFile(file);
    expect(result.headerRow).toBe(5);
    expect(result.missingColumns).toEqual([]);
    expect(result.unknownColumns).toEqual(['Trạng thái', 'Đủ điều kiện']);
    expect(result.rows.map((row) => row.rowNumber)).toEqual([6, 7, 8, 9]);
    result.rows.forEach((row, i) => {
      const { status: _status, eligible: _eligible, ...expected } = households[i] ?? {};
      expect(row.errors).toEqual([]);
      expect(row.values).toEqual(expected);
    });

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    const sheet = workbook.worksheets[0];
    expect(sheet?.getCell('A1').value).toBe('ỦY BAN MTTQ VIỆT NAM XÃ ĐỒNG PHÚC');
    expect(sheet?.getCell('A2').value).toBe('Ban Công tác Mặt trận thôn Nà Cưởm');
    // 20:00 UTC on the 14th is already the 15th in Hà Nội.
    expect(sheet?.getCell('A3').value).toBe('Ngày xuất: 15/03/2025');
    expect(sheet?.getRow(5).values).toEqual([
      undefined,
      'STT',
      ...HEADERS.slice(1),
      'Trạng thái',
      'Đủ điều kiện',
    ]);
    expect(sheet?.getRow(6).getCell(7).value).toBe('Hộ nghèo');
    expect(sheet?.getRow(7).getCell(8).value).toBe('Sửa chữa');
    expect(sheet?.getRow(7).getCell(9).value).toBe('Có');
    expect(sheet?.getRow(6).getCell(19).value).toBe('Đã khởi công');
    expect(sheet?.getRow(7).getCell(19).value).toBe('Đề xuất');
    expect(sheet?.getRow(8).getCell(19).value).toBeNull();
    expect(sheet?.getRow(7).getCell(20).value).toBe('Không');
    expect(sheet?.getRow(8).getCell(7).value).toBe('Người có công');
    expect(sheet?.getRow(9).getCell(7).value).toBe('Khác');
    expect(sheet?.views[0]).toMatchObject({ state: 'frozen', ySplit: 5 });
    expect(sheet?.getColumn(4).width).toBeGreaterThan(20);
  });
});

describe('generated household files', () => {
  it('are deterministic for a seed and plant exactly the requested errors', () => {
    const a = generateHouseholdRows(300, { seed: 42, plantErrors: 12 });
    const b = generateHouseholdRows(300, { seed: 42, plantErrors: 12 });
    const c = generateHouseholdRows(300, { seed: 43, plantErrors: 12 });
    expect(a).toEqual(b);
    expect(c.rows).not.toEqual(a.rows);
    expect(a.rows).toHaveLength(301);
    expect(a.plantedErrorRows).toHaveLength(12);
    expect(new Set(a.plantedErrorRows).size).toBe(12);
    expect([...a.plantedErrorRows].sort((x, y) => x - y)).toEqual(a.plantedErrorRows);
    expect(generateHouseholdRows(10, { seed: 1 }).plantedErrorRows).toEqual([]);
    expect(() => generateHouseholdRows(3, { seed: 1, plantErrors: 4 })).toThrow(RangeError);
  });

  it('read back from 5,000-row CSV and XLSX files with exactly the 20 planted errors', async () => {
    const { rows, plantedErrorRows } = generateHouseholdRows(5000, { seed: 20251128, plantErrors: 20 });
    const csv = tempFile('.csv');
    const xlsx = tempFile('.xlsx');
    await writeCsv(csv, rows, { delimiter: ';' });
    await writeXlsx(xlsx, rows, { numericCells: true });

    const fromCsv = await readHouseholdFile(csv);
    const fromXlsx = await readHouseholdFile(xlsx);
    const kinds = new Set<string>();
    for (const result of [fromCsv, fromXlsx]) {
      expect(result.headerRow).toBe(1);
      expect(result.missingColumns).toEqual([]);
      expect(result.unknownColumns).toEqual([]);
      expect(result.rows).toHaveLength(5000);
      const withErrors = result.rows.filter((row) => row.errors.length > 0);
      expect(withErrors.map((row) => row.rowNumber)).toEqual(plantedErrorRows);
      for (const row of withErrors) {
        const error = only(row.errors);
        kinds.add(`${error.field}: ${error.message.replace(/ \(ô đang ghi .*\)$/, '')}`);
      }
    }
    // Varied kinds of error, not twenty times the same one.
    expect(kinds.size).toBeGreaterThanOrEqual(8);
    // Excel's numbers (CCCD without leading zeros, 1/0 for yes/no) read back as the CSV text does.
    expect(fromXlsx.rows).toEqual(fromCsv.rows);
    expect(fromCsv.rows[0]?.values.headName).toMatch(/^\p{Lu}\p{Ll}* .+ \p{Lu}\p{Ll}*$/u);
  });

  it('report progress while reading', async () => {
    const { rows } = generateHouseholdRows(1200, { seed: 5 });
    const file = tempFile('.csv');
    await writeCsv(file, rows);
    const calls: number[] = [];
    const result = await readHouseholdFile(file, { onProgress: (n) => calls.push(n) });
    expect(result.rows).toHaveLength(1200);
    expect(calls).toEqual([500, 1000, 1200]);
  });
});

describe('bounded reading (issue 13 §7)', () => {
  /** `count` valid generated households as CSV text, header first. */
  function generatedCsv(count: number): string {
    return formatCsv(generateHouseholdRows(count, { seed: 5 }).rows);
  }

  async function failure(promise: Promise<unknown>): Promise<HouseholdFileError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HouseholdFileError);
    return error as HouseholdFileError;
  }

  it('refuses a file over the size limit before parsing it', async () => {
    const file = tempFile('.csv');
    // Not even a household list: nothing of it is read, the size alone refuses it.
    await writeFile(file, 'x'.repeat(3 * 1024 * 1024));
    const error = await failure(readHouseholdFile(file, { maxBytes: 2 * 1024 * 1024 }));
    expect(error.message).toBe(
      `Tệp "${path.basename(file)}" nặng 3 MB, quá giới hạn 2 MB của một lần nhập; chưa đọc gì trong tệp. → Chia danh sách thành nhiều tệp nhỏ hơn (ví dụ mỗi thôn một tệp) rồi nhập từng tệp; nếu tệp đúng là lớn như vậy, người quản trị nâng giới hạn bằng HOUSEHOLD_IMPORT_MAX_MB hoặc --max-mb.`,
    );
    expect(error.row).toBeUndefined();
    // The default limit is 20 MB.
    const big = tempFile('.xlsx');
    await writeFile(big, Buffer.alloc(20 * 1024 * 1024 + 1));
    expect((await failure(readHouseholdFile(big))).problem).toMatch(/nặng 20 MB, quá giới hạn 20 MB/);
  });

  it('stops at the first household row past the row limit, naming it', async () => {
    const csv = tempFile('.csv');
    await writeFile(csv, `DANH SÁCH HỘ\r\n\r\n${generatedCsv(30)}`);
    // Title, blank line, header at row 3: the 11th household is on row 14.
    const error = await failure(readHouseholdFile(csv, { maxRows: 10 }));
    expect(error.row).toBe(14);
    expect(error.message).toMatch(
      /^Dòng 14: Tệp có hơn 10 hộ, quá giới hạn của một lần nhập; đã dừng đọc ở dòng này\. → Chia danh sách/,
    );
    expect((await readHouseholdFile(csv, { maxRows: 30 })).rows).toHaveLength(30);

    const xlsx = tempFile('.xlsx');
    await writeXlsx(xlsx, generateHouseholdRows(30, { seed: 5 }).rows);
    expect((await failure(readHouseholdFile(xlsx, { maxRows: 29 }))).row).toBe(31);
  });

  it('fails fast on a quote that never closes, naming the row where it opened', async () => {
    const lines = generatedCsv(50).split('\r\n');
    // Row 21 (the 20th household): its name opens a quote that nothing closes; 20 MB follow.
    const broken = lines[20]?.replace(/,([^,]+),(\d{4}),/, ',"$1,$2,') ?? '';
    expect(broken).toContain('"');
    const unquoted = lines.slice(21, 50).filter((line) => !line.includes('"'));
    const filler = `${unquoted.join('\r\n')}\r\n`.repeat(Math.ceil((20 * 1024 * 1024) / 5000));
    const file = tempFile('.csv');
    await writeFile(file, [...lines.slice(0, 20), broken, filler].join('\r\n'));
    const before = process.memoryUsage().heapUsed;
    const stream = await openHouseholdFile(file, { maxBytes: 64 * 1024 * 1024 });
    const read: number[] = [];
    const error = await failure(
      (async () => {
        for await (const row of stream.rows) {
          read.push(row.rowNumber);
        }
      })(),
    );
    // Every row before it was read; the broken one stopped the file at the field limit, not at its end.
    expect(read).toEqual(Array.from({ length: 19 }, (_, i) => i + 2));
    expect(error.row).toBe(21);
    expect(error.column).toBe('Họ tên chủ hộ');
    expect(error.message).toMatch(
      /^Dòng 21, cột "Họ tên chủ hộ": Dấu ngoặc kép \("\) mở ở dòng 21 không được đóng: ô đã dài hơn 10\.000 ký tự, phần sau của tệp bị đọc lẫn vào ô này nên đã dừng đọc\. → Mở tệp, tìm dấu " ở đầu ô này/,
    );
    // The old reader held the 20 MB in one field (1.4 GB for a real file); this one a chunk.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('reads XLSX as a stream with the same rows as the CSV, Vietnamese letters split across chunks included', async () => {
    const { rows } = generateHouseholdRows(3000, { seed: 77 });
    const csv = tempFile('.csv');
    const xlsx = tempFile('.xlsx');
    await writeCsv(csv, rows);
    const workbook = new ExcelJS.Workbook();
    // The list is the first sheet in the workbook's order, though not the first written.
    const notes = workbook.addWorksheet('Ghi chú');
    const sheet = workbook.addWorksheet('Danh sách');
    // exceljs writes sheets by `orderNo` (untyped): the list goes first in the workbook.
    workbook.worksheets.forEach((ws, i) => {
      (ws as unknown as { orderNo: number }).orderNo = i === 0 ? 1 : 0;
    });
    notes.addRow(['Mã hộ', 'Thôn', 'Họ tên chủ hộ', 'Diện', 'Nhu cầu']);
    notes.addRow(['X1', 'Thôn 1', 'Không phải hộ', 'HN', 'XM']);
    for (const row of rows) {
      sheet.addRow(row.map((cell) => (cell === '' ? null : cell)));
    }
    await workbook.xlsx.writeFile(xlsx);
    const fromCsv = await readHouseholdFile(csv);
    const fromXlsx = await readHouseholdFile(xlsx);
    expect(fromXlsx.rows).toHaveLength(3000);
    expect(fromXlsx.rows).toEqual(fromCsv.rows);
  });
});
