import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  available,
  check,
  type Entry,
  type EntryInput,
  emptyLedger,
  fold,
  type LedgerState,
  pledgeStatus,
  record,
  zeroTotals,
} from './ledger.ts';
import { traceFunds } from './trace.ts';

const NORMS = { new_build: 60_000_000n, repair: 30_000_000n };
const M = 1_000_000n;

function apply(state: LedgerState, input: EntryInput): { state: LedgerState; refused?: string } {
  const refusal = check(state, input, NORMS);
  if (refusal) {
    return { state, refused: refusal.code };
  }
  return { state: record(state, { ...input, id: state.entries.length + 1 } as Entry) };
}

function run(inputs: EntryInput[]): { state: LedgerState; refusals: (string | undefined)[] } {
  let state = emptyLedger();
  const refusals: (string | undefined)[] = [];
  for (const input of inputs) {
    const r = apply(state, input);
    state = r.state;
    refusals.push(r.refused);
  }
  return { state, refusals };
}

function live(state: LedgerState): Entry[] {
  return state.entries.filter((e) => e.kind !== 'reversal' && !state.reversed.has(e.id));
}

describe('the fund ledger', () => {
  it('follows a pledge of 50 triệu paid in two receipts, then a 60 triệu allocation and its disbursement', () => {
    const { state, refusals } = run([
      { kind: 'receipt', level: 1, amount: 20n * M, pledgeRef: 'DK-1' },
      { kind: 'receipt', level: 1, amount: 30n * M, pledgeRef: 'DK-1' },
      { kind: 'allocation', level: 1, householdId: 7, need: 'new_build', amount: 60n * M },
      { kind: 'receipt', level: 1, amount: 10n * M },
      { kind: 'allocation', level: 1, householdId: 7, need: 'new_build', amount: 60n * M },
      { kind: 'disbursement', level: 1, householdId: 7, need: 'new_build', amount: 30n * M },
      { kind: 'disbursement', level: 1, householdId: 7, need: 'new_build', amount: 31n * M },
    ]);
    expect(refusals).toEqual([
      undefined,
      undefined,
      'insufficient_balance',
      undefined,
      undefined,
      undefined,
      'not_allocated',
    ]);
    expect(
      pledgeStatus(
        { amount: 50n * M, cancelled: false, dueOn: '2025-03-31' },
        state.receiptsByPledge.get('DK-1') ?? 0n,
        '2025-03-10',
      ),
    ).toBe('paid');
    const level = state.levels.get(1);
    expect(level).toEqual({
      received: 60n * M,
      transferredIn: 0n,
      transferredOut: 0n,
      allocated: 60n * M,
      disbursed: 30n * M,
      inKind: 0n,
    });
    // The 60 triệu came from the pledge's two receipts and the walk-in receipt, in that order.
    // (Refused entries are not recorded: the allocation is entry 4, the walk-in receipt entry 3.)
    expect(traceFunds(state.entries).sources.get(4)).toEqual([
      { receiptId: 1, pledgeRef: 'DK-1', amount: 20n * M },
      { receiptId: 2, pledgeRef: 'DK-1', amount: 30n * M },
      { receiptId: 3, amount: 10n * M },
    ]);
  });

  it('traces money pledged for a household to that household, and through transfers', () => {
    const { state } = run([
      { kind: 'receipt', level: 1, amount: 40n * M },
      { kind: 'receipt', level: 1, amount: 30n * M, pledgeRef: 'DK-9' },
      { kind: 'transfer', from: 1, to: 2, amount: 50n * M },
      { kind: 'allocation', level: 2, householdId: 8, need: 'repair', amount: 30n * M },
      { kind: 'allocation', level: 1, householdId: 9, need: 'repair', amount: 20n * M },
    ]);
    const trace = traceFunds(state.entries, new Map([['DK-9', 9]]));
    // The transfer took the undesignated 40 first, then 10 of the pledge meant for household 9.
    expect(trace.sources.get(4)).toEqual([{ receiptId: 1, amount: 30n * M }]);
    expect(trace.sources.get(5)).toEqual([{ receiptId: 2, pledgeRef: 'DK-9', amount: 20n * M }]);
    expect(trace.uses.get(2)).toEqual([{ allocationId: 5, householdId: 9, amount: 20n * M }]);
  });

  it('completes an allocation from later money when a correction removed what it used', () => {
    const { state, refusals } = run([
      { kind: 'receipt', level: 1, amount: 10n * M },
      { kind: 'allocation', level: 1, householdId: 1, need: 'repair', amount: 10n * M },
      { kind: 'receipt', level: 1, amount: 10n * M },
      { kind: 'reversal', of: 1, reason: 'ghi trùng biên lai' },
    ]);
    expect(refusals).toEqual([undefined, undefined, undefined, undefined]);
    expect(traceFunds(state.entries).sources.get(2)).toEqual([{ receiptId: 3, amount: 10n * M }]);
  });

  it.each<[string, EntryInput[], string | undefined]>([
    ['zero amount', [{ kind: 'receipt', level: 1, amount: 0n }], 'amount_not_positive'],
    ['negative amount', [{ kind: 'receipt', level: 1, amount: -1n }], 'amount_not_positive'],
    [
      'above the repair norm',
      [
        { kind: 'receipt', level: 1, amount: 100n * M },
        { kind: 'allocation', level: 1, householdId: 1, need: 'repair', amount: 31n * M },
      ],
      'above_norm',
    ],
    [
      'above the norm with an admin reason',
      [
        { kind: 'receipt', level: 1, amount: 100n * M },
        {
          kind: 'allocation',
          level: 1,
          householdId: 1,
          need: 'repair',
          amount: 31n * M,
          overrideReason: 'Nhà sập hoàn toàn',
        },
      ],
      undefined,
    ],
    [
      'a second allocation for the same need',
      [
        { kind: 'receipt', level: 1, amount: 100n * M },
        { kind: 'allocation', level: 1, householdId: 1, need: 'repair', amount: 10n * M },
        { kind: 'allocation', level: 1, householdId: 1, need: 'repair', amount: 10n * M },
      ],
      'already_allocated',
    ],
    ['a transfer to the same level', [{ kind: 'transfer', from: 1, to: 1, amount: 1n }], 'same_level'],
    [
      'a transfer of money the level lacks',
      [{ kind: 'transfer', from: 1, to: 2, amount: 1n }],
      'insufficient_balance',
    ],
    ['reversing an unknown entry', [{ kind: 'reversal', of: 9, reason: 'nhập nhầm' }], 'unknown_entry'],
    [
      'reversing twice',
      [
        { kind: 'receipt', level: 1, amount: 5n },
        { kind: 'reversal', of: 1, reason: 'nhập nhầm số' },
        { kind: 'reversal', of: 1, reason: 'nhập nhầm số' },
      ],
      'already_reversed',
    ],
    [
      'reversing a receipt whose money was allocated',
      [
        { kind: 'receipt', level: 1, amount: 30n * M },
        { kind: 'allocation', level: 1, householdId: 3, need: 'repair', amount: 30n * M },
        { kind: 'reversal', of: 1, reason: 'nhập nhầm số' },
      ],
      'insufficient_balance',
    ],
    [
      'a reversal without a reason',
      [
        { kind: 'receipt', level: 1, amount: 5n },
        { kind: 'reversal', of: 1, reason: ' ' },
      ],
      'reason_required',
    ],
  ])('refuses or accepts %s', (_name, inputs, expected) => {
    expect(run(inputs).refusals.at(-1)).toBe(expected);
  });

  it('checks a reversal against the levels it touches only (a caller may load other levels in part)', () => {
    // The ward's view: the transfer from the city is loaded, the city's receipts are not.
    const partial = fold([
      { id: 2, kind: 'transfer', from: 1, to: 2, amount: 40n * M },
      { id: 3, kind: 'allocation', level: 2, householdId: 5, need: 'repair', amount: 30n * M },
    ]);
    expect(check(partial, { kind: 'reversal', of: 3, reason: 'nhập nhầm hộ' }, NORMS)).toBeUndefined();
  });

  it('lets a reversed allocation be made again, correctly', () => {
    const { state, refusals } = run([
      { kind: 'receipt', level: 1, amount: 60n * M },
      { kind: 'allocation', level: 1, householdId: 1, need: 'new_build', amount: 50n * M },
      { kind: 'reversal', of: 2, reason: 'sai số tiền, làm lại' },
      { kind: 'allocation', level: 1, householdId: 1, need: 'new_build', amount: 60n * M },
    ]);
    expect(refusals).toEqual([undefined, undefined, undefined, undefined]);
    expect(available(state.levels.get(1) ?? zeroTotals())).toBe(0n);
  });

  it('keeps every invariant over random sequences of entries', () => {
    const level = fc.integer({ min: 1, max: 3 });
    const amount = fc.bigInt({ min: -2n, max: 80n * M });
    const need = fc.constantFrom<'new_build' | 'repair'>('new_build', 'repair');
    const household = fc.integer({ min: 1, max: 5 });
    const input: fc.Arbitrary<EntryInput> = fc.oneof(
      fc.record({
        kind: fc.constant('receipt' as const),
        level,
        amount,
        pledgeRef: fc.constantFrom('DK-1', 'DK-2'),
      }),
      fc.record({
        kind: fc.constant('in_kind' as const),
        level,
        amount,
        pledgeRef: fc.constantFrom('DK-1', 'DK-3'),
      }),
      fc.record({ kind: fc.constant('allocation' as const), level, householdId: household, need, amount }),
      fc.record({
        kind: fc.constant('allocation' as const),
        level,
        householdId: household,
        need,
        amount,
        overrideReason: fc.constant('Quyết định của Ban Thường trực'),
      }),
      fc.record({ kind: fc.constant('disbursement' as const), level, householdId: household, need, amount }),
      fc.record({ kind: fc.constant('transfer' as const), from: level, to: level, amount }),
      fc.record({
        kind: fc.constant('reversal' as const),
        of: fc.integer({ min: 1, max: 40 }),
        reason: fc.constant('điều chỉnh sai sót'),
      }),
    );
    fc.assert(
      fc.property(fc.array(input, { maxLength: 40 }), (inputs) => {
        let state = emptyLedger();
        for (const i of inputs) {
          state = apply(state, i).state;
          // Every figure equals the sum of the entries in force, computed independently.
          const inForce = live(state);
          for (const [lv, t] of state.levels) {
            const sum = (pred: (e: Entry) => boolean, value: (e: Entry) => bigint) =>
              inForce.filter(pred).reduce((s, e) => s + value(e), 0n);
            expect(t.received).toBe(
              sum(
                (e) => e.kind === 'receipt' && e.level === lv,
                (e) => (e.kind === 'receipt' ? e.amount : 0n),
              ),
            );
            expect(t.allocated).toBe(
              sum(
                (e) => e.kind === 'allocation' && e.level === lv,
                (e) => (e.kind === 'allocation' ? e.amount : 0n),
              ),
            );
            expect(t.disbursed).toBe(
              sum(
                (e) => e.kind === 'disbursement' && e.level === lv,
                (e) => (e.kind === 'disbursement' ? e.amount : 0n),
              ),
            );
            expect(available(t) >= 0n).toBe(true);
            expect(t.allocated - t.disbursed >= 0n).toBe(true);
          }
          for (const [, a] of state.allocations) {
            const entry = state.entries.find((e) => e.id === a.entryId);
            const override = entry?.kind === 'allocation' && entry.overrideReason !== undefined;
            const need = entry?.kind === 'allocation' ? entry.need : 'new_build';
            expect(override || a.amount <= NORMS[need]).toBe(true);
            expect(a.paid <= a.amount && a.paid >= 0n).toBe(true);
          }
          // A household is never allocated twice for the same need.
          const keys = inForce.flatMap((e) =>
            e.kind === 'allocation' ? [`${e.householdId}:${e.need}`] : [],
          );
          expect(new Set(keys).size).toBe(keys.length);
          // Folding the entries again gives the same state: nothing depends on the order of checks.
          expect(fold(state.entries).levels).toEqual(state.levels);
        }
        // Each pledge's status agrees with the receipts (money or in kind) recorded against it.
        for (const ref of ['DK-1', 'DK-2', 'DK-3']) {
          const paid = live(state)
            .filter((e) => (e.kind === 'receipt' || e.kind === 'in_kind') && e.pledgeRef === ref)
            .reduce((s, e) => s + (e.kind === 'receipt' || e.kind === 'in_kind' ? e.amount : 0n), 0n);
          expect(state.receiptsByPledge.get(ref) ?? 0n).toBe(paid);
          const status = pledgeStatus({ amount: 50n * M, cancelled: false, dueOn: null }, paid, '2025-01-01');
          expect(status).toBe(paid >= 50n * M ? 'paid' : paid > 0n ? 'partly_paid' : 'pledged');
        }
        // The trace: every allocation's money comes from receipts, to the đồng, and no receipt gives more than it had.
        const trace = traceFunds(state.entries, new Map([['DK-2', 3]]));
        for (const e of live(state)) {
          if (e.kind === 'allocation') {
            expect((trace.sources.get(e.id) ?? []).reduce((s, x) => s + x.amount, 0n)).toBe(e.amount);
          }
          if (e.kind === 'receipt') {
            const used = (trace.uses.get(e.id) ?? []).reduce((s, x) => s + x.amount, 0n);
            expect(used <= e.amount).toBe(true);
          }
        }
        for (const [lv, t] of state.levels) {
          const left = (trace.unallocated.get(lv) ?? []).reduce((s, l) => s + l.amount, 0n);
          expect(left).toBe(available(t));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it.each<[string, { amount: bigint; cancelled: boolean; dueOn: string | null }, bigint, string]>([
    ['nothing yet', { amount: 10n, cancelled: false, dueOn: '2025-04-01' }, 0n, 'pledged'],
    ['part paid', { amount: 10n, cancelled: false, dueOn: '2025-04-01' }, 4n, 'partly_paid'],
    ['paid', { amount: 10n, cancelled: false, dueOn: '2025-04-01' }, 10n, 'paid'],
    ['over-paid', { amount: 10n, cancelled: false, dueOn: null }, 12n, 'paid'],
    ['overdue', { amount: 10n, cancelled: false, dueOn: '2025-03-01' }, 4n, 'overdue'],
    ['cancelled', { amount: 10n, cancelled: true, dueOn: null }, 0n, 'cancelled'],
  ])('pledge status: %s', (_name, pledge, received, expected) => {
    expect(pledgeStatus(pledge, received, '2025-03-10')).toBe(expected);
  });
});
