import type { Campaign } from '../campaigns/campaign.ts';
import { campaignRules } from '../campaigns/campaign-rules.ts';
import type { Tx } from '../unit-of-work.ts';
import type { FundEntryRecord, NewFundEntry } from './fund.repository.ts';
import {
  check,
  type Entry,
  type EntryInput,
  emptyLedger,
  fold,
  type LedgerRefusal,
  type LedgerState,
  type LevelTotals,
  type Norms,
  zeroTotals,
} from './ledger.ts';

/** The pure ledger's view of a stored row (pledges are named by their id). */
export function toLedgerEntry(r: FundEntryRecord): Entry {
  const id = r.id;
  const pledgeRef = r.pledgeId === null ? {} : { pledgeRef: String(r.pledgeId) };
  switch (r.kind) {
    case 'receipt':
    case 'in_kind':
      return { id, kind: r.kind, level: r.levelUnitId, amount: r.amount, ...pledgeRef };
    case 'allocation':
      return {
        id,
        kind: 'allocation',
        level: r.levelUnitId,
        householdId: r.householdId ?? 0,
        need: r.need ?? 'new_build',
        amount: r.amount,
        ...(r.overrideReason === null ? {} : { overrideReason: r.overrideReason }),
      };
    case 'disbursement':
      return {
        id,
        kind: 'disbursement',
        level: r.levelUnitId,
        householdId: r.householdId ?? 0,
        need: r.need ?? 'new_build',
        amount: r.amount,
      };
    case 'transfer':
      return { id, kind: 'transfer', from: r.levelUnitId, to: r.toUnitId ?? 0, amount: r.amount };
    case 'reversal':
      return { id, kind: 'reversal', of: r.reversesId ?? 0, reason: r.reason ?? '' };
  }
}

function toLedgerInput(e: NewFundEntry): EntryInput {
  const { id: _, ...input } = toLedgerEntry({ ...e, id: 0, createdAt: new Date(0) });
  return input as EntryInput;
}

/** The fields an entry needs; everything else defaults to "none". */
export type EntryFields = Pick<
  NewFundEntry,
  'campaignId' | 'kind' | 'levelUnitId' | 'amount' | 'occurredOn'
> &
  Partial<NewFundEntry>;

/** A complete ledger row from the fields that matter for its kind. */
export function fundEntry(fields: EntryFields): NewFundEntry {
  return {
    toUnitId: null,
    pledgeId: null,
    householdId: null,
    need: null,
    overrideReason: null,
    overpayment: false,
    reversesId: null,
    reason: null,
    documentRef: null,
    note: null,
    publicName: false,
    description: null,
    personId: null,
    channel: null,
    ...fields,
  };
}

/** The campaign row's norm: the current one, for display and for a database from before definitions. */
export function campaignNorms(c: Campaign): Norms {
  return { new_build: c.normNewBuild, repair: c.normRepair };
}

/**
 * The support norm in force on `day` (YYYY-MM-DD): the definition's norm of that day (the 2024–2025
 * plan: 50/25 million until 10/11/2024, then 60/30), or the row's for a campaign without one.
 */
export async function normsOn(tx: Tx, campaign: Campaign, day: string): Promise<Norms> {
  return (await campaignRules(tx, campaign)).normOn(day);
}

/** The ledger as far as the given levels and households are concerned. */
export async function ledgerFor(
  tx: Tx,
  campaignId: number,
  scope: { levels: number[]; householdIds: number[] },
): Promise<LedgerState> {
  const rows = await tx.funds.entriesTouching(campaignId, scope);
  return fold(rows.map(toLedgerEntry));
}

export function levelTotals(state: LedgerState, level: number): LevelTotals {
  return state.levels.get(level) ?? zeroTotals();
}

export type RecordOutcome =
  | { ok: true; id: number; state: LedgerState }
  | { ok: false; refusal: LedgerRefusal; state: LedgerState };

/**
 * Checks an entry against the ledger as it stands inside the transaction and records it when the
 * rules allow (balances never negative, the norm in force on the entry's day, no double
 * allocation). For a reversal the row is
 * completed with its target's level, household, pledge and amount.
 */
export async function recordFundEntry(
  tx: Tx,
  campaign: Campaign,
  entry: NewFundEntry,
  at: Date,
): Promise<RecordOutcome> {
  let row = entry;
  if (entry.kind === 'reversal') {
    const target = entry.reversesId === null ? undefined : await tx.funds.findEntry(entry.reversesId);
    if (target && target.campaignId === campaign.id) {
      row = {
        ...entry,
        levelUnitId: target.levelUnitId,
        toUnitId: target.toUnitId,
        amount: target.amount,
        pledgeId: target.pledgeId,
        householdId: target.householdId,
        need: target.need,
      };
    }
  }
  const levels = [row.levelUnitId, ...(row.toUnitId === null ? [] : [row.toUnitId])];
  const householdIds = row.householdId === null ? [] : [row.householdId];
  const state = await ledgerFor(tx, campaign.id, { levels, householdIds });
  const refusal = check(state, toLedgerInput(row), await normsOn(tx, campaign, row.occurredOn));
  if (refusal) {
    return { ok: false, refusal, state };
  }
  const id = await tx.funds.insert(row, at);
  const after = fold([...state.entries, { ...toLedgerInput(row), id } as Entry]);
  return { ok: true, id, state: after };
}

/**
 * Records a receipt (money or in kind) without folding the ledger first: of the ledger's rules only
 * "above zero" can refuse a receipt (`check` needs no state for it), and a receipt never makes a
 * balance negative. Bulk paths (a bank statement's matches) use it so a line costs one insert, not a
 * fold of the level's ledger; the repository keeps the running totals and the pledge's received.
 */
export async function recordReceipt(
  tx: Tx,
  entry: NewFundEntry & { kind: 'receipt' | 'in_kind' },
  at: Date,
): Promise<{ ok: true; id: number } | { ok: false; refusal: LedgerRefusal }> {
  const refusal = check(emptyLedger(), toLedgerInput(entry), { new_build: 0n, repair: 0n });
  return refusal ? { ok: false, refusal } : { ok: true, id: await tx.funds.insert(entry, at) };
}

/**
 * `recordReceipt` for many receipts at once (a bank statement's matches): every one is checked by
 * the same rule, and all are written in a few statements, or none when one is refused.
 */
export async function recordReceipts(
  tx: Tx,
  entries: readonly (NewFundEntry & { kind: 'receipt' | 'in_kind' })[],
  at: Date,
): Promise<{ ok: true; ids: number[] } | { ok: false; refusal: LedgerRefusal }> {
  const norms = { new_build: 0n, repair: 0n };
  for (const entry of entries) {
    const refusal = check(emptyLedger(), toLedgerInput(entry), norms);
    if (refusal) {
      return { ok: false, refusal };
    }
  }
  return { ok: true, ids: entries.length === 0 ? [] : await tx.funds.insertReceipts(entries, at) };
}
