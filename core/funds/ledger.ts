/**
 * The "Vì người nghèo" fund ledger as pure rules (issue 5): entries per fund level are never edited
 * or deleted — a correction is a reversing entry with a reason — and every entry is checked against
 * the ledger as it stands before it is accepted. Money is integer đồng (bigint) throughout.
 *
 * Balances: a level's *available* money is what it received and got transferred in, less what it
 * transferred out and allocated to households; allocated money becomes *paid* when disbursed.
 * Neither may go negative, a household's allocation for a need may not exceed the campaign's norm
 * (unless an admin overrides with a reason), and a household is never allocated twice for one need.
 */

export type Need = 'new_build' | 'repair';

export type EntryInput =
  | { kind: 'receipt'; level: number; amount: bigint; pledgeRef?: string }
  /** Materials or labour days handed over, against a pledge or not: counted at their value, not money. */
  | { kind: 'in_kind'; level: number; amount: bigint; pledgeRef?: string }
  | {
      kind: 'allocation';
      level: number;
      householdId: number;
      need: Need;
      amount: bigint;
      overrideReason?: string;
    }
  | { kind: 'disbursement'; level: number; householdId: number; need: Need; amount: bigint }
  | { kind: 'transfer'; from: number; to: number; amount: bigint }
  | { kind: 'reversal'; of: number; reason: string };

export type Entry = EntryInput & { id: number };

export type LedgerRefusal =
  | { code: 'amount_not_positive' }
  | { code: 'insufficient_balance'; available: bigint }
  | { code: 'above_norm'; norm: bigint; already: bigint }
  | { code: 'already_allocated'; entryId: number }
  | { code: 'not_allocated'; unpaid: bigint }
  | { code: 'same_level' }
  | { code: 'unknown_entry' }
  | { code: 'already_reversed' }
  | { code: 'reversal_of_reversal' }
  | { code: 'reason_required' };

export interface Norms {
  new_build: bigint;
  repair: bigint;
}

export interface LevelTotals {
  received: bigint;
  transferredIn: bigint;
  transferredOut: bigint;
  allocated: bigint;
  disbursed: bigint;
  /** The value of materials and labour received: reported, never available to allocate. */
  inKind: bigint;
}

export function zeroTotals(): LevelTotals {
  return { received: 0n, transferredIn: 0n, transferredOut: 0n, allocated: 0n, disbursed: 0n, inKind: 0n };
}

/** Money a level can still allocate or transfer. */
export function available(t: LevelTotals): bigint {
  return t.received + t.transferredIn - t.transferredOut - t.allocated;
}

/**
 * What a level's fund holds ("tồn quỹ"): money received and transferred in, less what it
 * transferred out and paid out. Money allocated but not yet paid is still held.
 */
export function held(t: LevelTotals): bigint {
  return t.received + t.transferredIn - t.transferredOut - t.disbursed;
}

/** The ledger's state, folded from its entries; every figure derives from the entries alone. */
export interface LedgerState {
  entries: Entry[];
  reversed: Set<number>;
  levels: Map<number, LevelTotals>;
  /** `${householdId}:${need}` → the allocation entry in force and what was paid against it. */
  allocations: Map<string, { entryId: number; level: number; amount: bigint; paid: bigint }>;
  receiptsByPledge: Map<string, bigint>;
}

export function emptyLedger(): LedgerState {
  return {
    entries: [],
    reversed: new Set(),
    levels: new Map(),
    allocations: new Map(),
    receiptsByPledge: new Map(),
  };
}

/** A level's totals without creating them: `check` must not change the state it checks. */
function peek(state: LedgerState, level: number): LevelTotals {
  return state.levels.get(level) ?? zeroTotals();
}

function totals(state: LedgerState, level: number): LevelTotals {
  let t = state.levels.get(level);
  if (!t) {
    t = zeroTotals();
    state.levels.set(level, t);
  }
  return t;
}

/** Applies the money effect of an entry, or its opposite (`sign` -1) for a reversal. */
function effect(state: LedgerState, e: EntryInput, sign: 1n | -1n): void {
  switch (e.kind) {
    case 'receipt':
    case 'in_kind': {
      if (e.kind === 'receipt') {
        totals(state, e.level).received += sign * e.amount;
      } else {
        totals(state, e.level).inKind += sign * e.amount;
      }
      if (e.pledgeRef) {
        state.receiptsByPledge.set(
          e.pledgeRef,
          (state.receiptsByPledge.get(e.pledgeRef) ?? 0n) + sign * e.amount,
        );
      }
      return;
    }
    case 'allocation':
      totals(state, e.level).allocated += sign * e.amount;
      return;
    case 'disbursement': {
      totals(state, e.level).disbursed += sign * e.amount;
      const a = state.allocations.get(`${e.householdId}:${e.need}`);
      if (a) {
        a.paid += sign * e.amount;
      }
      return;
    }
    case 'transfer':
      totals(state, e.from).transferredOut += sign * e.amount;
      totals(state, e.to).transferredIn += sign * e.amount;
      return;
    case 'reversal':
      return;
  }
}

/**
 * Checks an entry against the ledger; undefined when it may be recorded. `norms` are the
 * campaign's (60/30 million in the seed campaign).
 */
export function check(state: LedgerState, e: EntryInput, norms: Norms): LedgerRefusal | undefined {
  if (e.kind === 'reversal') {
    const target = state.entries.find((x) => x.id === e.of);
    if (e.reason.trim().length < 5) {
      return { code: 'reason_required' };
    }
    if (!target) {
      return { code: 'unknown_entry' };
    }
    if (target.kind === 'reversal') {
      return { code: 'reversal_of_reversal' };
    }
    if (state.reversed.has(target.id)) {
      return { code: 'already_reversed' };
    }
    // Undoing money that was already used elsewhere would push a balance below zero. Only the levels
    // the target touched change, so only they are checked (the caller may hold other levels in part).
    const trial = fold([...state.entries, { ...e, id: Number.MAX_SAFE_INTEGER }]);
    const touched = target.kind === 'transfer' ? [target.from, target.to] : [target.level];
    for (const level of touched) {
      const t = peek(trial, level);
      if (available(t) < 0n || t.allocated - t.disbursed < 0n) {
        return { code: 'insufficient_balance', available: 0n };
      }
    }
    if (target.kind === 'allocation') {
      const a = state.allocations.get(`${target.householdId}:${target.need}`);
      if (a && a.paid > 0n) {
        return { code: 'insufficient_balance', available: 0n };
      }
    }
    return undefined;
  }
  if (e.amount <= 0n) {
    return { code: 'amount_not_positive' };
  }
  switch (e.kind) {
    case 'receipt':
    case 'in_kind':
      return undefined;
    case 'allocation': {
      const existing = state.allocations.get(`${e.householdId}:${e.need}`);
      if (existing) {
        return { code: 'already_allocated', entryId: existing.entryId };
      }
      const norm = norms[e.need];
      if (e.amount > norm && !(e.overrideReason && e.overrideReason.trim().length >= 5)) {
        return { code: 'above_norm', norm, already: 0n };
      }
      const free = available(peek(state, e.level));
      return e.amount > free ? { code: 'insufficient_balance', available: free } : undefined;
    }
    case 'disbursement': {
      const a = state.allocations.get(`${e.householdId}:${e.need}`);
      const unpaid = a && a.level === e.level ? a.amount - a.paid : 0n;
      return e.amount > unpaid ? { code: 'not_allocated', unpaid } : undefined;
    }
    case 'transfer': {
      if (e.from === e.to) {
        return { code: 'same_level' };
      }
      const free = available(peek(state, e.from));
      return e.amount > free ? { code: 'insufficient_balance', available: free } : undefined;
    }
  }
}

/** Records an accepted entry (the caller checked it) and returns the new state. */
export function record(state: LedgerState, entry: Entry): LedgerState {
  const next = fold([...state.entries, entry]);
  return next;
}

/** Rebuilds the state from the entries alone, in order. */
export function fold(entries: Entry[]): LedgerState {
  const state = emptyLedger();
  for (const e of entries) {
    state.entries.push(e);
    if (e.kind === 'reversal') {
      const target = entries.find((x) => x.id === e.of);
      if (target && target.kind !== 'reversal' && !state.reversed.has(target.id)) {
        state.reversed.add(target.id);
        effect(state, target, -1n);
        if (target.kind === 'allocation') {
          state.allocations.delete(`${target.householdId}:${target.need}`);
        }
      }
      continue;
    }
    effect(state, e, 1n);
    if (e.kind === 'allocation') {
      state.allocations.set(`${e.householdId}:${e.need}`, {
        entryId: e.id,
        level: e.level,
        amount: e.amount,
        paid: 0n,
      });
    }
  }
  return state;
}

export type PledgeStatus = 'pledged' | 'partly_paid' | 'paid' | 'cancelled' | 'overdue';

/** A live pledge waiting for a fund officer's verification: it counts in no pledged total. */
export function isUnverified(p: { verification: string | null; cancelledAt: Date | null }): boolean {
  return p.verification === 'pending' && p.cancelledAt === null;
}

/** A pledge's status from what was received against it and its planned date (ISO day strings). */
export function pledgeStatus(
  p: { amount: bigint; cancelled: boolean; dueOn: string | null },
  received: bigint,
  today: string,
): PledgeStatus {
  if (p.cancelled) {
    return 'cancelled';
  }
  if (received >= p.amount) {
    return 'paid';
  }
  if (p.dueOn !== null && today > p.dueOn) {
    return 'overdue';
  }
  return received > 0n ? 'partly_paid' : 'pledged';
}
