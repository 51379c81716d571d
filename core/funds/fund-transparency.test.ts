import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Text } from '../flows/flow.ts';
import { type Params, t } from '../messaging/catalog.ts';
import type { UnitView } from '../units/unit.repository.ts';
import type { FundEntryRecord, PledgeView } from './fund.repository.ts';
import { buildRollup } from './fund-rollup.ts';
import { fundEntry } from './fund-service.ts';
import { publicSummaryLines } from './fund-views.ts';

/**
 * The public summary adds up (issue 16 §5): over any ledger of pledged receipts, walk-in receipts
 * (named and not), goods and labour at their value, reversals and transfers, the named donors'
 * lines and the anonymous line sum to the totals received, money and goods apart, and the totals
 * are the ledger's. Pure: the roll-up folded from rows, the lines as the catalog renders them.
 */

const CITY = 1;
const WARD = 2;
const UNITS: UnitView[] = [
  { id: CITY, code: '058', name: 'Ủy ban MTTQ Việt Nam thành phố Bắc Kạn', kind: 'city', parentId: null },
  { id: WARD, code: '01840', name: 'Phường Đức Xuân', kind: 'ward', parentId: CITY },
];

function pledge(id: number, donorName: string, kind: 'money' | 'materials', publicName: boolean): PledgeView {
  return {
    id,
    ref: `UH-${id}`,
    campaignId: 1,
    donorKind: 'individual',
    donorName,
    donorPhone: '0912345678',
    personId: null,
    orgUnitId: null,
    fundUnitId: CITY,
    kind,
    description: kind === 'money' ? null : '100 bao xi măng',
    quantity: null,
    quantityUnit: null,
    amount: 50_000_000n,
    householdId: null,
    targetUnitId: null,
    dueOn: null,
    publicName,
    channel: null,
    cancelledAt: null,
    cancelReason: null,
    anonymous: false,
    verification: null,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    received: 0n,
    fundUnitName: UNITS[0]?.name ?? '',
    orgUnitName: null,
    targetUnitName: null,
    householdLabel: null,
  };
}

/** A gift: against one of the pledges (by index), or a walk-in payer (named or not, money or goods). */
const arbGift = fc.record({
  pledge: fc.option(fc.nat(5), { nil: undefined }),
  payer: fc.constantFrom('Công ty TNHH Minh Tâm', 'công ty tnhh minh tâm ', 'Ông Hoàng Văn Dũng', ''),
  publicName: fc.boolean(),
  inKind: fc.boolean(),
  amount: fc.bigInt({ min: 1n, max: 200_000_000n }),
  reversed: fc.boolean(),
});
const arbLedger = fc.record({
  pledges: fc.array(
    fc.record({
      name: fc.constantFrom('Hội Liên hiệp Phụ nữ', 'Hội Nông dân', 'Bà Đinh Thị Út'),
      kind: fc.constantFrom('money' as const, 'materials' as const),
      publicName: fc.boolean(),
    }),
    { minLength: 6, maxLength: 6 },
  ),
  gifts: fc.array(arbGift, { maxLength: 25 }),
  transfer: fc.bigInt({ min: 0n, max: 30_000_000n }),
  allocated: fc.bigInt({ min: 0n, max: 60_000_000n }),
});

interface Ledger {
  pledges: { name: string; kind: 'money' | 'materials'; publicName: boolean }[];
  gifts: {
    pledge: number | undefined;
    payer: string;
    publicName: boolean;
    inKind: boolean;
    amount: bigint;
    reversed: boolean;
  }[];
  transfer: bigint;
  allocated: bigint;
}

function rows(l: Ledger): { pledges: PledgeView[]; entries: FundEntryRecord[] } {
  const pledges = l.pledges.map((p, i) => pledge(i + 1, p.name, p.kind, p.publicName));
  const entries: FundEntryRecord[] = [];
  const add = (e: Parameters<typeof fundEntry>[0]) => {
    const id = entries.length + 1;
    entries.push({ ...fundEntry(e), id, createdAt: new Date(0) });
    return id;
  };
  const base = { campaignId: 1, levelUnitId: CITY, occurredOn: '2025-03-10' };
  for (const g of l.gifts) {
    const p = g.pledge === undefined ? undefined : pledges[g.pledge];
    const id = add({
      ...base,
      // A pledge's receipts are of its kind, as the receipt flow records them.
      kind: (p ? p.kind !== 'money' : g.inKind) ? 'in_kind' : 'receipt',
      amount: g.amount,
      pledgeId: p?.id ?? null,
      note: p ? null : g.payer,
      publicName: p ? false : g.publicName,
    });
    if (g.reversed) {
      add({ ...base, kind: 'reversal', amount: g.amount, reversesId: id, reason: 'Nhập nhầm số tiền' });
    }
  }
  if (l.transfer > 0n) {
    add({ ...base, kind: 'transfer', toUnitId: WARD, amount: l.transfer });
  }
  if (l.allocated > 0n) {
    add({ ...base, kind: 'allocation', householdId: 7, need: 'new_build', amount: l.allocated });
    add({ ...base, kind: 'disbursement', householdId: 7, need: 'new_build', amount: l.allocated / 2n });
  }
  return { pledges, entries };
}

/** "1.234.000 đ" → 1234000n. */
const money = (text: string) => BigInt(text.replace(/\D/g, '') || '0');

/** The money and the goods' value a donor line's gift names (catalog params, as rendered). */
function giftOf(line: Text | undefined): { money: bigint; inKind: bigint } {
  const gift = line?.params?.gift as { params?: Params } | undefined;
  const p = gift?.params ?? {};
  return { money: money(String(p.money ?? '0')), inKind: money(String(p.inKind ?? '0')) };
}

describe('the public summary adds up', () => {
  it('named and anonymous lines sum to the totals received, money and goods apart, which are the ledger’s', () => {
    fc.assert(
      fc.property(arbLedger, (l) => {
        const { pledges, entries } = rows(l);
        const rollup = buildRollup(UNITS, pledges, entries);
        const reversed = new Set(entries.flatMap((e) => (e.reversesId === null ? [] : [e.reversesId])));
        const inForce = entries.filter((e) => !reversed.has(e.id) && e.kind !== 'reversal');
        const sum = (pick: (e: FundEntryRecord) => boolean) =>
          inForce.filter(pick).reduce((s, e) => s + e.amount, 0n);
        // The totals are the ledger's.
        expect(rollup.total.received).toBe(sum((e) => e.kind === 'receipt'));
        expect(rollup.total.inKind).toBe(sum((e) => e.kind === 'in_kind'));
        expect(rollup.walkIn.received).toBe(sum((e) => e.kind === 'receipt' && e.pledgeId === null));

        const lines = publicSummaryLines(rollup, 'Chiến dịch', '2025-03-10');
        const total = lines.find((x) => x.key === 'fund.public.total');
        const givers = lines.filter((x) =>
          ['fund.public.donor', 'fund.public.others', 'fund.public.anonymous'].includes(x.key),
        );
        const added = givers
          .map(giftOf)
          .reduce((s, g) => ({ money: s.money + g.money, inKind: s.inKind + g.inKind }), {
            money: 0n,
            inKind: 0n,
          });
        expect(added.money).toBe(money(String(total?.params?.received)));
        expect(added.money).toBe(rollup.total.received);
        expect(added.inKind).toBe(rollup.total.inKind);
        const text = lines.map((x) => t('vi', x.key, x.params)).join('\n');
        // No zero clause, no phone number, no name of a donor who did not agree.
        expect(text).not.toMatch(/\b0 đ hiện vật|quy đổi:? 0 đ|chuyển đến 0 đ|chuyển đi 0 đ/);
        expect(text).not.toContain('0912345678');
        for (const d of rollup.donors.filter((x) => !x.publicName)) {
          if (d.name.trim() !== '' && !rollup.donors.some((x) => x.publicName && x.name === d.name)) {
            expect(text).not.toContain(d.name);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('reads as the review asked: walk-in money named, goods at their value apart, the fund holding what it holds', () => {
    const { pledges, entries } = rows({
      pledges: [
        { name: 'Hội Liên hiệp Phụ nữ thành phố Bắc Kạn', kind: 'money', publicName: true },
        { name: 'Ông Trần Văn Cường', kind: 'materials', publicName: false },
        ...Array.from({ length: 4 }, () => ({
          name: 'Hội Nông dân',
          kind: 'money' as const,
          publicName: true,
        })),
      ],
      gifts: [
        { pledge: 0, payer: '', publicName: false, inKind: false, amount: 21_000_000n, reversed: false },
        { pledge: 1, payer: '', publicName: false, inKind: true, amount: 9_000_000n, reversed: false },
        {
          pledge: undefined,
          payer: 'Công ty TNHH Minh Tâm',
          publicName: true,
          inKind: false,
          amount: 105_000_000n,
          reversed: false,
        },
        {
          pledge: undefined,
          payer: 'Ai đó',
          publicName: true,
          inKind: false,
          amount: 50_000_000n,
          reversed: true,
        },
      ],
      transfer: 0n,
      allocated: 60_000_000n,
    });
    const text = publicSummaryLines(buildRollup(UNITS, pledges, entries), 'Chiến dịch', '2025-03-10')
      .map((x) => t('vi', x.key, x.params))
      .join('\n');
    expect(text).toContain(
      '• Quỹ "Vì người nghèo" thành phố Bắc Kạn: nhận 126.000.000 đ; hiện vật, ngày công quy đổi 9.000.000 đ; đã phân bổ 60.000.000 đ; đã chi 30.000.000 đ; tồn quỹ 96.000.000 đ, trong đó còn chưa phân bổ 66.000.000 đ',
    );
    expect(text).toContain(
      'Tổng số đã tiếp nhận – Tiền: 126.000.000 đ; hiện vật, ngày công quy đổi: 9.000.000 đ.',
    );
    expect(text).toContain(
      '1. Công ty TNHH Minh Tâm: 105.000.000 đ\n2. Hội Liên hiệp Phụ nữ thành phố Bắc Kạn: 21.000.000 đ',
    );
    expect(text).toContain('Cùng 1 nhà hảo tâm khác không nêu tên: hiện vật, ngày công quy đổi 9.000.000 đ.');
    expect(text).not.toContain('Ai đó');
    expect(text).not.toContain('Trần Văn Cường');
    expect(text).not.toContain('chuyển');
  });
});
