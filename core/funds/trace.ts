import type { Entry } from './ledger.ts';

/**
 * Where each allocation's money came from (issue 5: "every đồng traceable"). Money is fungible, so
 * the trace is a rule, applied the same way every time from the entries alone:
 *
 * - each receipt is a lot of money at its level; a transfer moves lots (or parts of them) to another
 *   level, keeping their origin;
 * - an allocation to a household takes first the money pledged for that household, then the oldest
 *   money not pledged for anyone, then anything else (first in, first out);
 * - reversed entries and their reversals are left out; an allocation made with money that a later
 *   correction took away is completed from the next money to arrive.
 *
 * The sources of an allocation always add up to its amount once the level's balance is not negative,
 * which the ledger guarantees.
 */

export interface Lot {
  receiptId: number;
  pledgeRef?: string;
  /** The household the pledge was meant for, when it was. */
  householdId?: number;
  amount: bigint;
}

export type Source = Omit<Lot, 'householdId'>;

export interface FundTrace {
  /** allocation entry id → its sources. */
  sources: Map<number, Source[]>;
  /** receipt entry id → the allocations its money went to. */
  uses: Map<number, { allocationId: number; householdId: number; amount: bigint }[]>;
  /** level → money not yet allocated, by origin. */
  unallocated: Map<number, Lot[]>;
}

type Debt =
  | { kind: 'allocation'; entryId: number; householdId: number; remaining: bigint }
  | { kind: 'transfer'; to: number; remaining: bigint };

export function traceFunds(
  entries: readonly Entry[],
  designated: ReadonlyMap<string, number> = new Map(),
): FundTrace {
  const reversed = new Set(entries.flatMap((e) => (e.kind === 'reversal' ? [e.of] : [])));
  const lots = new Map<number, Lot[]>();
  const debts = new Map<number, Debt[]>();
  const trace: FundTrace = { sources: new Map(), uses: new Map(), unallocated: lots };

  const queue = <T>(map: Map<number, T[]>, level: number): T[] => {
    let list = map.get(level);
    if (!list) {
      list = [];
      map.set(level, list);
    }
    return list;
  };

  const assign = (debt: Debt, piece: Lot): void => {
    if (debt.kind === 'transfer') {
      arrive(debt.to, piece);
      return;
    }
    const { householdId: _, ...source } = piece;
    queue(trace.sources, debt.entryId).push(source);
    const uses = trace.uses.get(piece.receiptId) ?? [];
    uses.push({ allocationId: debt.entryId, householdId: debt.householdId, amount: piece.amount });
    trace.uses.set(piece.receiptId, uses);
  };

  /** Money reaching a level pays what the level still owes before it waits to be used. */
  function arrive(level: number, lot: Lot): void {
    let left = lot.amount;
    const owed = queue(debts, level);
    while (left > 0n && owed.length > 0) {
      const debt = owed[0] as Debt;
      const take = smaller(left, debt.remaining);
      assign(debt, { ...lot, amount: take });
      debt.remaining -= take;
      left -= take;
      if (debt.remaining === 0n) {
        owed.shift();
      }
    }
    if (left > 0n) {
      queue(lots, level).push({ ...lot, amount: left });
    }
  }

  /** Takes `amount` from a level in the order above; what is missing becomes a debt. */
  function take(level: number, debt: Debt): void {
    const available = queue(lots, level);
    const forHousehold = debt.kind === 'allocation' ? debt.householdId : undefined;
    const rank = (l: Lot) => (l.householdId === undefined ? 1 : l.householdId === forHousehold ? 0 : 2);
    for (const tier of [0, 1, 2]) {
      for (const lot of available) {
        if (debt.remaining === 0n) {
          break;
        }
        if (rank(lot) !== tier || lot.amount === 0n) {
          continue;
        }
        const piece = smaller(lot.amount, debt.remaining);
        assign(debt, { ...lot, amount: piece });
        lot.amount -= piece;
        debt.remaining -= piece;
      }
    }
    lots.set(
      level,
      available.filter((l) => l.amount > 0n),
    );
    if (debt.remaining > 0n) {
      queue(debts, level).push(debt);
    }
  }

  for (const e of entries) {
    if (e.kind === 'reversal' || reversed.has(e.id)) {
      continue;
    }
    switch (e.kind) {
      case 'receipt': {
        const householdId = e.pledgeRef === undefined ? undefined : designated.get(e.pledgeRef);
        arrive(e.level, {
          receiptId: e.id,
          amount: e.amount,
          ...(e.pledgeRef === undefined ? {} : { pledgeRef: e.pledgeRef }),
          ...(householdId === undefined ? {} : { householdId }),
        });
        break;
      }
      case 'allocation':
        take(e.level, { kind: 'allocation', entryId: e.id, householdId: e.householdId, remaining: e.amount });
        break;
      case 'transfer':
        take(e.from, { kind: 'transfer', to: e.to, remaining: e.amount });
        break;
      default:
        break;
    }
  }
  return trace;
}

function smaller(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
