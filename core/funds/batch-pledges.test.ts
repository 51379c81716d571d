import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMoney } from '../shared/format.ts';
import {
  type BatchPledge,
  guessDonorKind,
  LINE_PROBLEMS,
  MAX_BATCH_LINES,
  mergeCorrections,
  parseBatch,
  parseBatchLine,
} from './batch-pledges.ts';

/** The pledge a line reads as, or its problem. */
function read(line: string): Partial<BatchPledge> | string {
  const r = parseBatchLine(line);
  if (!r.ok) {
    return r.problem;
  }
  const { text: _text, ...pledge } = r.pledge;
  return pledge;
}

const money = (donorName: string, donorKind: BatchPledge['donorKind'], amount: bigint) => ({
  donorName,
  donorKind,
  kind: 'money',
  amount,
  quantity: null,
  quantityUnit: null,
  description: null,
});

describe('a line of the ceremony', () => {
  it.each([
    ['Công ty A 50tr', money('Công ty A', 'enterprise', 50_000_000n)],
    ['Hội LHPN phường 20 triệu', money('Hội LHPN phường', 'organisation', 20_000_000n)],
    ['Cty TNHH Hòa Bình: 1,5 tỷ', money('Cty TNHH Hòa Bình', 'enterprise', 1_500_000_000n)],
    ['Bà Lê Thị C - 2.000.000đ', money('Bà Lê Thị C', 'individual', 2_000_000n)],
    ['Bà Lê Thị C -2.000.000 đồng', money('Bà Lê Thị C', 'individual', 2_000_000n)],
    ['Bà Lê Thị C – 2 triệu', money('Bà Lê Thị C', 'individual', 2_000_000n)],
    ['DN Tư nhân Hà Linh ủng hộ 10 triệu', money('DN Tư nhân Hà Linh', 'enterprise', 10_000_000n)],
    ['Doanh nghiệp Tuấn Phát xin ủng hộ 15tr', money('Doanh nghiệp Tuấn Phát', 'enterprise', 15_000_000n)],
    ['Chi bộ thôn Nà Cưa 3tr5', money('Chi bộ thôn Nà Cưa', 'organisation', 3_500_000n)],
    ['Hội CCB phường Đức Xuân 5.000.000', money('Hội CCB phường Đức Xuân', 'organisation', 5_000_000n)],
    ['Hội ND xã Dương Quang 1 triệu rưỡi', money('Hội ND xã Dương Quang', 'organisation', 1_500_000n)],
    ['UBND phường Sông Cầu 100 triệu', money('UBND phường Sông Cầu', 'organisation', 100_000_000n)],
    ['Đoàn Thanh niên phường 5 triệu', money('Đoàn Thanh niên phường', 'organisation', 5_000_000n)],
    ['Đoàn Văn Hậu 1tr', money('Đoàn Văn Hậu', 'individual', 1_000_000n)],
    ['Gia đình ông Lý Văn Sáng 500k', money('Gia đình ông Lý Văn Sáng', 'individual', 500_000n)],
    ['Chị Hoàng Thị Mai 300 nghìn', money('Chị Hoàng Thị Mai', 'individual', 300_000n)],
    ['Nguyễn Văn Tư 200.000 VNĐ', money('Nguyễn Văn Tư', 'individual', 200_000n)],
    [
      'Ngân hàng Agribank chi nhánh Bắc Kạn 1 tỷ 200 triệu',
      money('Ngân hàng Agribank chi nhánh Bắc Kạn', 'enterprise', 1_200_000_000n),
    ],
    [
      'Công ty TNHH 2 thành viên Minh An 30tr',
      money('Công ty TNHH 2 thành viên Minh An', 'enterprise', 30_000_000n),
    ],
    ['Công ty CP 3A 50 triệu đồng', money('Công ty CP 3A', 'enterprise', 50_000_000n)],
    // The number of a place belongs to its name.
    ['Tổ 3 500k', money('Tổ 3', 'organisation', 500_000n)],
    ['Tổ dân phố 7 2 triệu', money('Tổ dân phố 7', 'organisation', 2_000_000n)],
    [
      'Lớp 9A1 Trường THCS Đức Xuân 1.200.000đ',
      money('Lớp 9A1 Trường THCS Đức Xuân', 'individual', 1_200_000n),
    ],
    ['Ông A 1 500 000 đ', money('Ông A', 'individual', 1_500_000n)],
    ['Công ty A 50tr tiền mặt', money('Công ty A', 'enterprise', 50_000_000n)],
    ['Công ty A 50tr (chuyển khoản)', money('Công ty A', 'enterprise', 50_000_000n)],
    ['CONG TY A 50TR', money('CONG TY A', 'individual', 50_000_000n)],
    [
      'Ông Nguyễn Văn B 5 bao xi măng trị giá 500k',
      {
        donorName: 'Ông Nguyễn Văn B',
        donorKind: 'individual',
        kind: 'materials',
        amount: 500_000n,
        quantity: 5,
        quantityUnit: 'bao',
        description: 'xi măng',
      },
    ],
    [
      'Ông Nguyễn Văn B 5 bao xi măng (500 nghìn)',
      {
        donorName: 'Ông Nguyễn Văn B',
        kind: 'materials',
        amount: 500_000n,
        quantity: 5,
        quantityUnit: 'bao',
        description: 'xi măng',
      },
    ],
    [
      'Cửa hàng VLXD Hưng Thịnh 2 tấn thép 40 triệu',
      {
        donorName: 'Cửa hàng VLXD Hưng Thịnh',
        donorKind: 'enterprise',
        kind: 'materials',
        amount: 40_000_000n,
        quantity: 2,
        quantityUnit: 'tấn',
        description: 'thép',
      },
    ],
    [
      'Chị Hoa 10 m3 cát ~ 3tr',
      {
        donorName: 'Chị Hoa',
        kind: 'materials',
        amount: 3_000_000n,
        quantity: 10,
        quantityUnit: 'm3',
        description: 'cát',
      },
    ],
    [
      'Anh Tuấn 1.000 viên gạch ước tính 1,8 triệu',
      {
        donorName: 'Anh Tuấn',
        kind: 'materials',
        amount: 1_800_000n,
        quantity: 1000,
        quantityUnit: 'viên',
        description: 'gạch',
      },
    ],
    [
      'HTX Nông nghiệp 50 tôn lợp = 9tr',
      {
        donorName: 'HTX Nông nghiệp',
        donorKind: 'enterprise',
        kind: 'materials',
        amount: 9_000_000n,
        quantity: 50,
        quantityUnit: null,
        description: 'tôn lợp',
      },
    ],
    [
      'Trường THCS Đức Xuân 10 ngày công (3 triệu)',
      {
        donorName: 'Trường THCS Đức Xuân',
        donorKind: 'organisation',
        kind: 'labour',
        amount: 3_000_000n,
        quantity: 10,
        quantityUnit: 'ngày công',
        description: null,
      },
    ],
    [
      'Đoàn TN phường 20 công san nền trị giá: 6.000.000đ',
      {
        donorName: 'Đoàn TN phường',
        kind: 'labour',
        amount: 6_000_000n,
        quantity: 20,
        quantityUnit: 'ngày công',
        description: 'san nền',
      },
    ],
    ['Ông Nguyễn Văn B 5 bao xi măng', 'no_value'],
    ['Trường THCS Đức Xuân 10 ngày công', 'no_value'],
    ['Ông B 5 bao (trị giá 200k)', 'no_goods'],
    ['Ông Lâm 2,5 tấn thép trị giá 30tr', 'quantity'],
    ['Ông Lâm 5 bao xi măng (khoảng nửa triệu)', 'unclear'],
    ['Anh Tuấn 500', 'too_small'],
    ['Công ty A 500 tỷ', 'too_large'],
    ['50tr', 'no_name'],
    ['Danh sách ủng hộ:', 'no_amount'],
    ['Công ty A năm mươi triệu', 'no_amount'],
    [`Công ty ${'A'.repeat(300)} 50tr`, 'too_long'],
  ])('%s', (line, expected) => {
    const got = read(line);
    if (typeof expected === 'string') {
      expect(got).toBe(expected);
    } else {
      expect(got).toMatchObject(expected);
    }
  });

  it.each([
    ['Công ty Cổ phần Khoáng sản', 'enterprise'],
    ['Cty Hòa Bình', 'enterprise'],
    ['DN Hà Linh', 'enterprise'],
    ['Hội LHPN phường', 'organisation'],
    ['Hội CCB', 'organisation'],
    ['Chi bộ thôn Nà Cưa', 'organisation'],
    ['Chi bộ', 'organisation'],
    ['Sở Xây dựng', 'organisation'],
    ['Quỹ tín dụng nhân dân', 'organisation'],
    ['UBND xã', 'organisation'],
    ['Trường Tiểu học Đức Xuân', 'organisation'],
    ['Chị Hoa', 'individual'],
    ['Ông Trần Văn Hùng', 'individual'],
    ['Gia đình bà Lường Thị Hoa', 'individual'],
    ['Đoàn Văn Hậu', 'individual'],
    ['Hoàng Văn Minh', 'individual'],
    // Typed decomposed ("ộ" as "o" and two combining marks), as some phones do.
    ['Chi bộ xã'.normalize('NFD'), 'organisation'],
  ])('%s is guessed a donor of kind %s', (name, kind) => {
    expect(guessDonorKind(name)).toBe(kind);
  });
});

describe('the message of a ceremony', () => {
  it('tolerates bullets, numbering and blank lines, lists what it cannot read, and flags identical pledges', () => {
    const batch = parseBatch(
      [
        '',
        '1. Công ty A 50tr',
        '2) Hội LHPN phường 20 triệu;',
        '   ',
        '• Ông Nguyễn Văn B 5 bao xi măng',
        '- Cty TNHH Hòa Bình: 1,5 tỷ.',
        '+ Công ty A 50.000.000đ',
        '(7) Bà Lê Thị C - 2.000.000đ',
        '-',
      ].join('\r\n'),
    );
    expect(batch.pledges.map((p) => [p.donorName, p.amount])).toEqual([
      ['Công ty A', 50_000_000n],
      ['Hội LHPN phường', 20_000_000n],
      ['Cty TNHH Hòa Bình', 1_500_000_000n],
      ['Công ty A', 50_000_000n],
      ['Bà Lê Thị C', 2_000_000n],
    ]);
    expect(batch.unread).toEqual([{ text: 'Ông Nguyễn Văn B 5 bao xi măng', problem: 'no_value' }]);
    expect(batch.duplicateOf).toEqual([-1, -1, -1, 0, -1]);
    expect(batch.tooMany).toBe(false);
  });

  it(`reads ${MAX_BATCH_LINES} lines and refuses more`, () => {
    const lines = Array.from(
      { length: MAX_BATCH_LINES + 1 },
      (_, i) => `Hộ ông Nông Văn ${i}: ${i + 1} triệu`,
    );
    expect(parseBatch(lines.slice(0, MAX_BATCH_LINES).join('\n')).pledges).toHaveLength(MAX_BATCH_LINES);
    expect(parseBatch(lines.join('\n'))).toMatchObject({ tooMany: true, pledges: [] });
  });

  it('puts corrected lines in the place of those they correct, or replaces the list typed again whole', () => {
    const list = 'Công ty A 50tr\nÔng B 5 bao xi măng\nBà C 2tr\nTrường X 10 ngày công';
    const fixed = mergeCorrections(list, 'Ông B 5 bao xi măng trị giá 500k\nTrường X 10 ngày công (3tr)');
    expect(fixed).toBe(
      'Công ty A 50tr\nÔng B 5 bao xi măng trị giá 500k\nBà C 2tr\nTrường X 10 ngày công (3tr)',
    );
    // Fewer lines than were wrong: together where the first one was (the other stays out).
    expect(mergeCorrections(list, 'Ông B 5 bao xi măng trị giá 500k')).toBe(
      'Công ty A 50tr\nÔng B 5 bao xi măng trị giá 500k\nBà C 2tr',
    );
    const retyped = '1. Công ty A 50tr\n2. Bà C 2tr\n3. Ông D 1tr';
    expect(mergeCorrections(list, retyped)).toBe('Công ty A 50tr\nBà C 2tr\nÔng D 1tr');
  });
});

/** Donor names as officers type them: a title or an organisation's word, then a name. */
const nameArb = fc
  .tuple(
    fc.constantFrom(
      'Công ty',
      'Cty TNHH',
      'Hội LHPN',
      'Ông',
      'Bà',
      'Anh',
      'Chị',
      'Gia đình',
      'Trường THCS',
      'Chi bộ',
      '',
    ),
    fc.array(
      fc.constantFrom(
        'Nguyễn',
        'Văn',
        'Thị',
        'Hòa Bình',
        'Đức Xuân',
        'Minh An',
        'Lê',
        'C',
        'Tuấn Phát',
        'Nà Cưa',
      ),
      {
        minLength: 1,
        maxLength: 4,
      },
    ),
  )
  .map(([title, words]) => [title, ...words].filter((w) => w !== '').join(' '));

/** An amount in đồng and one way an officer writes it. */
const amountArb = fc.oneof(
  fc.integer({ min: 1, max: 999 }).map((m) => ({ amount: BigInt(m) * 1_000_000n, text: `${m}tr` })),
  fc.integer({ min: 1, max: 999 }).map((m) => ({ amount: BigInt(m) * 1_000_000n, text: `${m} triệu` })),
  fc.integer({ min: 1, max: 999 }).map((k) => ({ amount: BigInt(k) * 1_000n, text: `${k}k` })),
  fc
    .integer({ min: 1, max: 99 })
    .map((t) => ({ amount: BigInt(t) * 100_000_000n, text: `${t / 10} tỷ`.replace('.', ',') })),
  fc
    .bigInt({ min: 1_000n, max: 10_000_000_000n })
    .map((d) => ({ amount: d, text: formatMoney(d).replace(' đ', 'đ') })),
);

describe('properties', () => {
  it('a name, a separator and an amount read back as that name and amount, whatever the bullet', () => {
    fc.assert(
      fc.property(
        nameArb,
        fc.constantFrom(' ', ': ', ' - ', ' – ', ' ủng hộ '),
        amountArb,
        fc.constantFrom('', '1. ', '12) ', '- ', '• ', '+ '),
        (name, separator, { amount, text }, bullet) => {
          const r = parseBatchLine(`${bullet}${name}${separator}${text}`);
          expect(r).toMatchObject({ ok: true, pledge: { donorName: name, kind: 'money', amount } });
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('any message reads without throwing: every non-blank line is a pledge or an unread line', () => {
    const lineArb = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.tuple(nameArb, amountArb).map(([n, a]) => `${n} ${a.text}`),
      fc.constantFrom('-', '1.', '', '   ', 'Ông B 5 bao xi măng', '50tr', 'Tổ 3 500k'),
    );
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: MAX_BATCH_LINES }), (lines) => {
        const batch = parseBatch(lines.join('\n'));
        for (const p of batch.pledges) {
          expect(p.amount >= 1_000n).toBe(true);
          expect(p.donorName.trim()).not.toBe('');
        }
        for (const u of batch.unread) {
          expect(LINE_PROBLEMS).toContain(u.problem);
        }
        expect(batch.duplicateOf).toHaveLength(batch.pledges.length);
        expect(batch.pledges.length + batch.unread.length).toBeLessThanOrEqual(lines.length);
      }),
      { numRuns: 500 },
    );
  });
});
