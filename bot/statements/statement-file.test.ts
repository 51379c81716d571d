import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCsv } from '../files/csv.ts';
import { parseMappingFile, readStatementFile } from './statement-file.ts';

const SAMPLES = path.join(import.meta.dirname, '../../docs/samples/statements');
const read = (name: string) => fs.readFileSync(path.join(SAMPLES, name));

describe('bank statement files (docs/samples/statements)', () => {
  it.each([
    ['vietcombank.xlsx', 'vcb'],
    ['vietinbank.csv', 'vietinbank'],
    ['bidv.csv', 'bidv'],
    ['agribank.xlsx', 'agribank'],
  ])('%s is recognised as %s and read below its title rows', async (file, bank) => {
    const statement = await readStatementFile(read(file), file);
    expect(statement.problems).toEqual([]);
    expect(statement.bank).toBe(bank);
    expect(statement.rows).toHaveLength(8);
    expect(statement.rows[0]).toMatchObject({
      line: 7,
      postedOn: '2025-03-03',
      direction: 'credit',
      amount: 50_000_000n,
      bankRef: '5217.030325.091245',
    });
    expect(statement.rows[0]?.description).toContain('UH-0001');
    expect(statement.rows.filter((r) => r.direction === 'debit').map((r) => r.amount)).toEqual([40_000_000n]);
    expect(statement.rows.reduce((s, r) => s + (r.direction === 'credit' ? r.amount : 0n), 0n)).toBe(
      88_300_000n,
    );
  });

  it("an operator's own mapping reads a layout no built-in mapping knows", async () => {
    const mapping = parseMappingFile(read('techcombank-mapping.json').toString('utf8'));
    if (!mapping.ok) {
      throw new Error(mapping.message);
    }
    const statement = await readStatementFile(read('techcombank.csv'), 'techcombank.csv', mapping.mapping);
    expect(statement.problems).toEqual([]);
    expect(statement).toMatchObject({ bank: 'techcombank', bankName: 'Techcombank' });
    expect(statement.rows).toHaveLength(8);
    expect(statement.rows[3]).toMatchObject({
      postedOn: '2025-03-04',
      amount: 20_000_000n,
      counterparty: 'CONG TY TNHH XAY DUNG HOANG LONG',
    });
  });

  it('a broken mapping file is refused with its reason in Vietnamese', () => {
    expect(parseMappingFile('{')).toEqual({ ok: false, message: 'tệp cấu hình cột không phải JSON hợp lệ' });
    const noAmount = parseMappingFile(
      JSON.stringify({ code: 'x1', name: 'X', columns: { date: ['Ngày'], description: ['Nội dung'] } }),
    );
    expect(noAmount).toMatchObject({ ok: false });
    expect(noAmount.ok ? '' : noAmount.message).toContain('credit');
  });

  it('semicolons, Vietnamese amounts, a bad day and totals rows: rows read, the bad one named, totals left out', async () => {
    const csv = formatCsv(
      [
        ['Sao kê tài khoản', '', '', ''],
        ['Ngày', 'Nội dung', 'Ghi có', 'Ghi nợ'],
        ['01/03/2025', 'UH0001 ung ho', '1.500.000', ''],
        ['31/02/2025', 'ngay sai', '200.000', ''],
        ['02/03/2025', 'chi ho tro', '', '2.000.000,00'],
        ['', 'Tổng cộng', '1.700.000', '2.000.000'],
      ],
      ';',
    );
    const statement = await readStatementFile(Buffer.from(csv), 'x.csv');
    expect(statement.bank).toBe('generic');
    expect(statement.rows.map((r) => [r.postedOn, r.direction, r.amount])).toEqual([
      ['2025-03-01', 'credit', 1_500_000n],
      ['2025-03-02', 'debit', 2_000_000n],
    ]);
    expect(statement.problems).toEqual([{ line: 4, message: 'ngày giao dịch không đọc được' }]);
  });

  it('a file that is no statement gives one problem for the whole file and no rows', async () => {
    const statement = await readStatementFile(Buffer.from('a,b,c\n1,2,3\n'), 'x.csv');
    expect(statement.rows).toEqual([]);
    expect(statement.problems).toHaveLength(1);
    expect(statement.problems[0]?.line).toBe(0);
    const unknownBank = await readStatementFile(read('bidv.csv'), 'bidv.csv', 'abc');
    expect(unknownBank.problems[0]?.message).toContain('không có mẫu sao kê "abc"');
  });
});
