import type { Text } from '../../flows/flow.ts';
import type { ProgressReporter } from '../../shared/progress.ts';

/** The types of bank statement import (issue 17 §2), shared by the file reader, the CLI and the chat. */

export type StatementDirection = 'credit' | 'debit';

/** One line of a bank statement as read from its file. */
export interface StatementRow {
  /** The line's row number in the file (1-based, as a spreadsheet shows it). */
  line: number;
  /** The bank's posting day, YYYY-MM-DD. */
  postedOn: string;
  direction: StatementDirection;
  /** Đồng, above zero. */
  amount: bigint;
  /** The transfer's description ("nội dung"), as the bank wrote it. */
  description: string;
  /** The payer (credits) or payee (debits), when the bank gives it. */
  counterparty?: string;
  /** The bank's own transaction number ("số bút toán", "mã giao dịch"), when it gives one. */
  bankRef?: string;
}

/** What was decided about a line (StatementLine.status); `seen`: an earlier import has it. */
export type StatementLineStatus =
  | 'matched'
  | 'proposed'
  | 'unmatched'
  | 'debit'
  | 'confirmed'
  | 'walk_in'
  | 'dismissed';

/** A disbursement (or allocation not yet paid) a debit line may be. */
export interface DebitCandidate {
  /** The ledger entry: a disbursement, or an allocation still unpaid. */
  entryId: number;
  kind: 'disbursement' | 'allocation';
  householdId: number;
  householdName: string;
  /** Đồng: the disbursement's amount, or what is left to pay of the allocation. */
  amount: bigint;
  occurredOn: string;
}

/** One line of an import's outcome. */
export interface StatementOutcomeLine {
  /** The stored StatementLine's id; null in a dry run, or for a line seen before (see `seenId`). */
  id: number | null;
  /** A line an earlier import already brought: its stored id. */
  seenId: number | null;
  line: number;
  postedOn: string;
  direction: StatementDirection;
  amount: bigint;
  description: string;
  counterparty: string | null;
  bankRef: string | null;
  /** What this import made of it; `seen` for a line already stored (nothing was done). */
  status: StatementLineStatus | 'seen';
  /** The pledge matched (by reference) or proposed (by name and amount). */
  pledgeId: number | null;
  pledgeRef: string | null;
  donorName: string | null;
  /** How sure a proposal is (0–1); 1 for a match by reference. */
  score: number | null;
  /** The receipt recorded (a match by reference, in a real import). */
  entryId: number | null;
  /** The receipt went past what the pledge had left (recorded, flagged as the receipt flow does). */
  overpayment: boolean;
  /** Debits: the disbursements it may be. */
  candidates: DebitCandidate[];
}

export interface StatementCounts {
  /** Lines in the file. */
  lines: number;
  matched: number;
  proposed: number;
  unmatched: number;
  debit: number;
  /** Lines an earlier import of this level already brought (nothing done). */
  alreadySeen: number;
}

export interface StatementOutcome {
  /** Why nothing was done (the level is not the actor's, the campaign is closed); null otherwise. */
  refusal: Text | null;
  /** The StatementImport row; null in a dry run. */
  importId: number | null;
  dryRun: boolean;
  bank: string;
  fileName: string;
  levelUnitId: number;
  counts: StatementCounts;
  /** Every line of the file, in its order. */
  lines: StatementOutcomeLine[];
}

export interface ImportStatementInput {
  campaignId: number;
  levelUnitId: number;
  /** The mapping's code (vcb, bidv, agribank, generic…). */
  bank: string;
  fileName: string;
  rows: StatementRow[];
  /** Classify only: nothing is written. */
  dryRun: boolean;
  /** Told how far matching and writing have come (the operator's progress line). */
  progress?: ProgressReporter;
}

/** The outcome of a decision on one line; `lines` say what was done (or why not) in the catalog's words. */
export type StatementDecision =
  | { ok: true; lineId: number; entryId: number | null; lines: Text[] }
  | { ok: false; reason: Text };

/** Confirming every proposal of an import. */
export interface ConfirmAllOutcome {
  confirmed: number;
  /** Proposals that could not be confirmed (the pledge cancelled meanwhile…), left proposed. */
  refused: number;
  lines: Text[];
}

/** A stored line as the officer's lists show it. */
export type StatementLineView = StatementOutcomeLine & {
  id: number;
  importId: number;
  status: StatementLineStatus;
};
