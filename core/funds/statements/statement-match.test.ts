import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LevelPledge } from './statement.repository.ts';
import { indexPledges, matchCredit, nameScore, nameTokens, referenceCandidates } from './statement-match.ts';

const pledge = (
  id: number,
  donorName: string,
  amount: bigint,
  extra: Partial<LevelPledge> = {},
): LevelPledge => ({
  id,
  ref: `UH-${String(id).padStart(4, '0')}`,
  donorName,
  kind: 'money',
  amount,
  received: 0n,
  verification: null,
  cancelled: false,
  personId: null,
  ...extra,
});

describe('pledge references in what banks pass on', () => {
  it.each([
    ['UH-0001 NGUYEN VAN A UNG HO'],
    ['UH0001 Nguyen Van A'],
    ['UH 0001 NGUYEN VAN A'],
    ['UH.0001 ung ho'],
    ['uh-1 nguyen van a'],
    ['UH0001NGUYENVANA'],
    ['MBVCB.123456.UH0001 NGUYEN VAN A.CT tu 0123456789 toi 8300201001234'],
    ['IBFT UH_0001 ung ho'],
    ['Ủng hộ quỹ UH–0001 Nguyễn Văn A'],
    ['CT DEN:UH0001 NGUYEN VAN A UNG HO XAY NHA DAI DO'],
    ['NGUYENVANAUH0001'],
    ['uh: 01 ung ho'],
    ['REF#UH#0001'],
    ['Uh/0001'],
  ])('%s names UH-0001', (description) => {
    expect(referenceCandidates(description)[0]).toBe('UH-0001');
  });

  it('a reference joined to the amount or an account number is still found', () => {
    expect(referenceCandidates('UH00012000000')).toContain('UH-0001');
  });

  it('words without a reference name none', () => {
    expect(referenceCandidates('CHUYEN TIEN UNG HO QUY VI NGUOI NGHEO THU HANG')).toEqual([]);
    expect(referenceCandidates('UH-0000')).toEqual([]);
  });

  it('any pledge number, in any of the forms, is found first', () => {
    const forms = [
      (n: number) => `UH-${String(n).padStart(4, '0')} ABC`,
      (n: number) => `uh${n} abc`,
      (n: number) => `MBVCB.99.UH ${String(n).padStart(4, '0')}.CT`,
      (n: number) => `X UH.${n}`,
      (n: number) => `UH_${String(n).padStart(4, '0')}TRANVANB`,
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 999_999 }),
        fc.integer({ min: 0, max: forms.length - 1 }),
        (n, f) => {
          expect(referenceCandidates(forms[f]?.(n) ?? '')[0]).toBe(`UH-${String(n).padStart(4, '0')}`);
        },
      ),
    );
  });
});

describe('donor names as banks write them', () => {
  it('titles and company forms are not part of the name', () => {
    expect(nameTokens('Ông Nguyễn Văn Bình')).toEqual(['nguyen', 'van', 'binh']);
    expect(nameTokens('Công ty TNHH Xây dựng Hoàng Long')).toEqual(['xay', 'dung', 'hoang', 'long']);
    expect(nameTokens('CTY CP Vận tải Đức Thắng')).toEqual(['van', 'tai', 'duc', 'thang']);
  });

  it.each([
    ['Nguyễn Văn Bình', 'NGUYEN VAN BINH CHUYEN TIEN', 1],
    ['Nguyễn Văn Bình', 'NGUYENVANBINH CT', 1],
    ['Bà Trần Thị Lan', 'TRAN THI LAN', 1],
    ['Công ty TNHH Xây dựng Hoàng Long', 'CONG TY TNHH XAY DUNG HOANG LONG', 1],
    ['Công ty TNHH Xây dựng Hoàng Long', 'CTY XAY DUNG HOANG LON', 1],
    ['Nguyễn Văn Bình', 'NGUYEN VAN BINHH', 1],
    ['Nguyễn Văn Bình', 'TRAN VAN BINH', 2 / 3],
    ['Nguyễn Văn Bình', 'LE THI HOA', 0],
  ])('%s in "%s" scores %d', (name, text, score) => {
    expect(nameScore(name, text)).toBeCloseTo(score, 5);
  });
});

describe('a credit matched to a pledge', () => {
  const pledges = [
    pledge(1, 'Nguyễn Văn Bình', 5_000_000n),
    pledge(2, 'Trần Thị Lan', 2_000_000n),
    pledge(3, 'Lê Văn Hùng', 3_000_000n, { cancelled: true }),
    pledge(4, 'Phạm Đức Thắng', 1_000_000n, { received: 400_000n }),
  ];

  it('by reference, a second payment flagged as overpaying', () => {
    const index = indexPledges(pledges);
    expect(matchCredit(index, { amount: 5_000_000n, description: 'UH0001 NGUYEN VAN BINH' })).toMatchObject({
      status: 'matched',
      overpayment: false,
      pledge: { id: 1 },
    });
    expect(matchCredit(index, { amount: 100_000n, description: 'uh-1' })).toMatchObject({
      status: 'matched',
      overpayment: true,
    });
  });

  it('a cancelled or unknown pledge is not a match', () => {
    const index = indexPledges(pledges);
    expect(matchCredit(index, { amount: 3_000_000n, description: 'UH0003 LE VAN HUNG' })).toEqual({
      status: 'unmatched',
    });
    expect(matchCredit(index, { amount: 1_234_000n, description: 'UH9999 AI DO' })).toEqual({
      status: 'unmatched',
    });
  });

  it('by name and the amount left (or pledged), above the threshold, once per pledge', () => {
    const index = indexPledges(pledges);
    expect(
      matchCredit(index, { amount: 600_000n, description: 'CHUYEN TIEN', counterparty: 'PHAM DUC THANG' }),
    ).toMatchObject({ status: 'proposed', pledge: { id: 4 }, score: 1 });
    expect(matchCredit(index, { amount: 2_000_000n, description: 'TRAN THI LAN UNG HO' })).toMatchObject({
      status: 'proposed',
      pledge: { id: 2 },
    });
    expect(matchCredit(index, { amount: 2_000_000n, description: 'TRAN THI LAN UNG HO' })).toEqual({
      status: 'unmatched',
    });
    expect(matchCredit(index, { amount: 5_000_000n, description: 'TRAN VAN BINH' })).toEqual({
      status: 'unmatched',
    });
    expect(matchCredit(index, { amount: 4_000_000n, description: 'NGUYEN VAN BINH' })).toEqual({
      status: 'unmatched',
    });
  });
});
