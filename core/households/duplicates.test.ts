import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDuplicateIndex } from './duplicate-index.ts';
import { boundedEditDistance, householdNameKey, villageKey } from './duplicate-keys.ts';
import { type DuplicateLevel, type DuplicateSubject, findLikelyDuplicates } from './duplicates.ts';

/** Nguyễn Văn An of Thôn Nà Pài in unit 1, born 1958, with an ID hash. */
const an: DuplicateSubject = {
  id: 1,
  code: 'NP-001',
  unitId: 1,
  village: 'Thôn Nà Pài',
  headName: 'Nguyễn Văn An',
  birthYear: 1958,
  idNumberHash: 'hash-an',
  campaignId: 1,
};

function candidate(change: Partial<DuplicateSubject>): DuplicateSubject {
  return { code: 'NEW-1', unitId: 1, village: 'Thôn Nà Pài', headName: 'Nguyễn Văn An', ...change };
}

/** Unoptimised optimal-string-alignment distance, the reference for `boundedEditDistance`. */
function referenceDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, at(i - 2, j - 2) + 1);
      }
      const row = d[i];
      if (row !== undefined) {
        row[j] = v;
      }
    }
  }
  return at(a.length, b.length);
}

describe('householdNameKey', () => {
  it.each<[string, string]>([
    ['Nguyễn Văn An', 'nguyen van an'],
    ['NGUYỄN VĂN AN', 'nguyen van an'],
    ['  nguyen   van  an ', 'nguyen van an'],
    ['Ông Nguyễn Văn An', 'nguyen van an'],
    ['bà Trần Thị Bình', 'tran thi binh'],
    ['Cụ Hoàng Đức Thắng', 'hoang duc thang'],
    ['Hộ ông Lý Văn Hải', 'ly van hai'],
    ['Ong Nguyen Van An', 'nguyen van an'],
    ['Cù Huy Cận', 'cu huy can'],
    ['Bà', 'ba'],
    ["H'Hen Niê", 'h hen nie'],
    ['Nguye\u0302\u0303n Va\u0306n An', 'nguyen van an'],
    ['Nguy\u200bễn Văn An', 'nguyen van an'],
    ['', ''],
  ])('%j → %j', (name, key) => {
    expect(householdNameKey(name)).toBe(key);
  });
});

describe('villageKey', () => {
  it.each<[string, string]>([
    ['Thôn Nà Pài', 'na pai'],
    ['thon na pai', 'na pai'],
    ['Bản Nà Pài', 'na pai'],
    ['Tổ 5', '5'],
    ['Tổ dân phố 05', '5'],
    ['TDP số 5', '5'],
    ['Xóm Chợ', 'cho'],
    ['Thôn 10', '10'],
    ['Thôn', 'thon'],
    ['', ''],
  ])('%j → %j', (village, key) => {
    expect(villageKey(village)).toBe(key);
  });
});

describe('boundedEditDistance', () => {
  it.each<[string, string, number, number]>([
    ['nguyen van an', 'nguyen van an', 1, 0],
    ['nguyen van an', 'nguyen van ann', 1, 1],
    ['nguyen van an', 'ngyuen van an', 1, 1],
    ['nguyen van an', 'nguyen van na', 1, 1],
    ['nguyen van an', 'nguyen van binh', 2, 3],
    ['abc', 'xyz', 1, 2],
    ['', 'ab', 2, 2],
    ['ca', 'abc', 5, 3],
  ])('%j vs %j within %i → %i', (a, b, max, expected) => {
    expect(boundedEditDistance(a, b, max)).toBe(expected);
  });

  it('equals the reference distance when within the bound, otherwise max + 1', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c', ' '), maxLength: 10 });
    fc.assert(
      fc.property(text, text, fc.integer({ min: 0, max: 4 }), (a, b, max) => {
        const exact = referenceDistance(a, b);
        expect(boundedEditDistance(a, b, max)).toBe(exact <= max ? exact : max + 1);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('findLikelyDuplicates', () => {
  it.each<[string, Partial<DuplicateSubject>, DuplicateLevel | 'none', string[]]>([
    [
      'same name, different case and diacritics, same birth year',
      { headName: 'nguyen van an', birthYear: 1958 },
      'likely',
      ['cùng họ tên (không dấu)', 'cùng thôn', 'cùng đơn vị', 'cùng năm sinh 1958'],
    ],
    [
      'all capitals',
      { headName: 'NGUYỄN VĂN AN', birthYear: 1958 },
      'likely',
      ['cùng họ tên (không dấu)', 'cùng thôn', 'cùng đơn vị', 'cùng năm sinh 1958'],
    ],
    [
      'different diacritics (Ân for An)',
      { headName: 'Nguyễn Văn Ân', birthYear: 1958 },
      'likely',
      ['cùng họ tên (không dấu)', 'cùng thôn', 'cùng đơn vị', 'cùng năm sinh 1958'],
    ],
    [
      'one-letter typo',
      { headName: 'Nguyen Van Ann', birthYear: 1958 },
      'likely',
      ['tên gần giống (sai 1 ký tự)', 'cùng thôn', 'cùng đơn vị', 'cùng năm sinh 1958'],
    ],
    [
      'transposed letters',
      { headName: 'Ngyuễn Văn An', birthYear: 1958 },
      'likely',
      ['tên gần giống (sai 1 ký tự)', 'cùng thôn', 'cùng đơn vị', 'cùng năm sinh 1958'],
    ],
    [
      'title in front',
      { headName: 'Ông Nguyễn Văn An', birthYear: 1958 },
      'likely',
      ['cùng họ tên (không dấu)', 'cùng thôn', 'cùng đơn vị', 'cùng năm sinh 1958'],
    ],
    [
      'village written differently ("Bản" for "Thôn")',
      { unitId: 2, village: 'bản na pai', birthYear: 1958 },
      'likely',
      ['cùng họ tên (không dấu)', 'cùng thôn', 'cùng năm sinh 1958'],
    ],
    [
      'different village in another unit',
      { unitId: 2, village: 'Thôn Khuổi Kẹn', birthYear: 1958 },
      'none',
      [],
    ],
    [
      'different village in the same unit',
      { village: 'Thôn Khuổi Kẹn', birthYear: 1958 },
      'likely',
      ['cùng họ tên (không dấu)', 'cùng đơn vị', 'cùng năm sinh 1958'],
    ],
    ['different known birth years', { birthYear: 1960 }, 'none', []],
    [
      'birth year unknown on the new side',
      { birthYear: undefined },
      'possible',
      ['cùng họ tên (không dấu)', 'cùng thôn', 'cùng đơn vị', 'chưa đủ năm sinh để đối chiếu'],
    ],
    [
      'birth year null on the new side',
      { birthYear: null },
      'possible',
      ['cùng họ tên (không dấu)', 'cùng thôn', 'cùng đơn vị', 'chưa đủ năm sinh để đối chiếu'],
    ],
    [
      'same ID hash, everything else different',
      { headName: 'Lò Văn Páo', unitId: 9, village: 'Bản Phiêng', birthYear: 1971, idNumberHash: 'hash-an' },
      'certain',
      ['cùng số CCCD/CMND'],
    ],
    [
      'same ID hash and same person',
      { headName: 'Nguyễn Văn An', birthYear: 1958, idNumberHash: 'hash-an' },
      'certain',
      ['cùng số CCCD/CMND', 'cùng họ tên (không dấu)', 'cùng thôn', 'cùng đơn vị', 'cùng năm sinh 1958'],
    ],
    ['different given name', { headName: 'Nguyễn Văn Bình', birthYear: 1958 }, 'none', []],
    [
      'same name and year but two different ID numbers',
      { headName: 'Nguyễn Văn An', birthYear: 1958, idNumberHash: 'hash-other' },
      'none',
      [],
    ],
    ['two edits on a short name', { headName: 'Nguyen Van Anhh', birthYear: 1958 }, 'none', []],
    [
      'another campaign',
      { birthYear: 1958, campaignId: 2 },
      'likely',
      [
        'cùng họ tên (không dấu)',
        'cùng thôn',
        'cùng đơn vị',
        'cùng năm sinh 1958',
        'thuộc đợt vận động khác',
      ],
    ],
    ['the household itself (same id)', { id: 1, birthYear: 1958, idNumberHash: 'hash-an' }, 'none', []],
    ['empty ID hash is no ID', { headName: 'Lò Văn Páo', idNumberHash: '' }, 'none', []],
  ])('%s → %s', (_name, change, level, reasons) => {
    const matches = findLikelyDuplicates(candidate(change), [an]);
    if (level === 'none') {
      expect(matches).toEqual([]);
    } else {
      expect(matches).toEqual([{ household: an, level, reasons }]);
    }
  });

  it.each<[string, string, boolean]>([
    ['Nguyễn Thị Thanh Hương', 'Nguyen Thi Thanh Huong', true],
    ['Nguyễn Thị Thanh Hương', 'Nguyen Thi Thnah Huogn', true],
    ['Nguyễn Thị Thanh Hương', 'Nguyen Thi Thanh Hung', true],
    ['Nguyễn Thị Thanh Hương', 'Nguyen Thi Thanh Hoa', false],
    ['Lê Văn Tư', 'Le Van Tuu', true],
    ['Lê Văn Tư', 'Le Van Tam', false],
  ])('%s vs %s (long names allow 2 edits, short ones 1): %s', (existingName, newName, match) => {
    const registered = { ...an, headName: existingName };
    const found = findLikelyDuplicates(candidate({ headName: newName, birthYear: 1958 }), [registered]);
    expect(found.length === 1).toBe(match);
  });

  it('sorts certain before likely before possible, closer names first, then registry order', () => {
    const registry: DuplicateSubject[] = [
      { id: 10, code: 'A', unitId: 1, village: 'Thôn Nà Pài', headName: 'Nguyễn Văn An', birthYear: null },
      { id: 11, code: 'B', unitId: 1, village: 'Thôn Nà Pài', headName: 'Nguyễn Văn Ann', birthYear: 1958 },
      { id: 12, code: 'C', unitId: 1, village: 'Thôn Nà Pài', headName: 'Nguyễn Văn An', birthYear: 1958 },
      { id: 13, code: 'D', unitId: 7, village: 'Bản Mới', headName: 'Hà Thị Xuân', idNumberHash: 'h1' },
      { id: 14, code: 'E', unitId: 3, village: 'Thôn Nà Pài', headName: 'Nguyễn Văn An', birthYear: 1958 },
      { id: 15, code: 'F', unitId: 1, village: 'Tổ 3', headName: 'Nguyễn Văn An', birthYear: 1958 },
    ];
    const found = findLikelyDuplicates(candidate({ birthYear: 1958, idNumberHash: 'h1' }), registry);
    expect(found.map((m) => [m.household.id, m.level])).toEqual([
      [13, 'certain'],
      [12, 'likely'],
      [14, 'likely'],
      [15, 'likely'],
      [11, 'likely'],
      [10, 'possible'],
    ]);
    expect(findLikelyDuplicates(candidate({ birthYear: 1958 }), registry, { limit: 2 })).toHaveLength(2);
  });
});

describe('createDuplicateIndex', () => {
  const registry: DuplicateSubject[] = [
    an,
    { id: 2, code: 'NP-002', unitId: 1, village: 'Thôn Nà Pài', headName: 'Trần Thị Bình', birthYear: 1961 },
    {
      id: 3,
      code: 'KK-001',
      unitId: 2,
      village: 'Thôn Khuổi Kẹn',
      headName: 'Xguyen Van An',
      birthYear: 1958,
    },
    { id: 4, code: 'KK-002', unitId: 2, village: 'Thôn Khuổi Kẹn', headName: 'Nguyễn Thị Thanh Hương' },
  ];

  it.each<[string, Partial<DuplicateSubject>, Array<number | undefined>]>([
    ['same name', { birthYear: 1958 }, [1]],
    ['typo in the first letter', { headName: 'Mguyen Van An', unitId: 2, village: 'Khuổi Kẹn' }, [3]],
    ['two transpositions in a long name', { headName: 'Nguyen Thi Thnah Huogn', unitId: 2 }, [4]],
    ['ID hash only', { headName: 'Khác Hẳn', unitId: 5, village: 'Bản Xa', idNumberHash: 'hash-an' }, [1]],
    ['nobody', { headName: 'Hoàng Văn Tuấn' }, []],
  ])('answers like findLikelyDuplicates: %s', (_name, change, ids) => {
    const c = candidate(change);
    const found = createDuplicateIndex(registry).find(c);
    expect(found).toEqual(findLikelyDuplicates(c, registry));
    expect(found.map((m) => m.household.id)).toEqual(ids);
  });

  it('sees households added after it was built (rows of the same import)', () => {
    const index = createDuplicateIndex(registry);
    const row = {
      id: 100,
      code: 'NEW-7',
      unitId: 4,
      village: 'Tổ 7',
      headName: 'Đinh Văn Lực',
      birthYear: 1980,
    };
    index.add(row);
    expect(index.size).toBe(5);
    const again = { code: 'NEW-8', unitId: 4, village: 'TDP 07', headName: 'Dinh Van Luc', birthYear: 1980 };
    expect(index.find(again)).toEqual(findLikelyDuplicates(again, [...registry, row]));
    expect(index.find(again).map((m) => m.level)).toEqual(['likely']);
  });

  /** Small alphabets so that random households often collide on name, place and year. */
  const nameArb = fc
    .array(
      fc.constantFrom(
        'Nguyễn',
        'Nguyen',
        'Ngyuen',
        'Văn',
        'Van',
        'Thị',
        'An',
        'Ân',
        'Ann',
        'Ông',
        'Bà',
        'Lò',
      ),
      {
        minLength: 0,
        maxLength: 4,
      },
    )
    .chain((words) =>
      fc
        .string({ unit: fc.constantFrom('a', 'n', 'g', 'u', 'y', 'e', 'ễ', ' ', 'Đ'), maxLength: 3 })
        .map((tail) => `${words.join(' ')}${tail}`),
    );
  const subjectArb: fc.Arbitrary<DuplicateSubject> = fc.record(
    {
      id: fc.integer({ min: 1, max: 30 }),
      code: fc.constantFrom('A1', 'B2'),
      unitId: fc.integer({ min: 1, max: 3 }),
      village: fc.constantFrom('Thôn 1', 'thon 01', 'Tổ 1', 'Bản Nà Pài', 'Na Pai', 'Tổ 2', '', 'Xóm'),
      headName: nameArb,
      birthYear: fc.option(fc.constantFrom(1958, 1960), { nil: null }),
      idNumberHash: fc.option(fc.constantFrom('h1', 'h2', ''), { nil: null }),
      campaignId: fc.constantFrom(1, 2),
    },
    { requiredKeys: ['code', 'unitId', 'village', 'headName'] },
  );

  it('find equals findLikelyDuplicates for random registries and candidates', () => {
    fc.assert(
      fc.property(
        fc.array(subjectArb, { maxLength: 40 }),
        fc.array(subjectArb, { minLength: 1, maxLength: 10 }),
        fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
        fc.boolean(),
        (existing, candidates, limit, likelyOnly) => {
          const index = createDuplicateIndex(existing);
          const opts = limit === undefined ? { likelyOnly } : { limit, likelyOnly };
          for (const c of candidates) {
            expect(index.find(c, opts)).toEqual(findLikelyDuplicates(c, existing, opts));
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('find equals findLikelyDuplicates on crowded registries (hashed lists apart, birth years filtered)', () => {
    fc.assert(
      fc.property(
        fc.array(subjectArb, { minLength: 100, maxLength: 300 }),
        fc.array(subjectArb, { minLength: 1, maxLength: 10 }),
        fc.boolean(),
        (existing, candidates, likelyOnly) => {
          const half = Math.floor(existing.length / 2);
          const index = createDuplicateIndex(existing.slice(0, half));
          for (const added of existing.slice(half)) {
            index.add(added);
          }
          for (const c of candidates) {
            expect(index.find(c, { likelyOnly })).toEqual(findLikelyDuplicates(c, existing, { likelyOnly }));
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
