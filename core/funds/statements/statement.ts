import type { Text } from '../../flows/flow.ts';
import type { AuditChannel } from '../../messaging/outbox.repository.ts';
import type { Actor } from '../../shared/actor.ts';
import type { Tx } from '../../unit-of-work.ts';
import type { BankMapping } from './bank-mapping.ts';

export type { BankMapping };

/**
 * Bank statements matched to pledges (issue 17 §2): the types the file reader, the CLI and the
 * chat share, and the use cases they call. A fund officer's statement (CSV/XLSX as the bank exports
 * it, read by bot/statements/statement-file.ts) becomes `StatementRow`s; `importStatement` keeps each
 * line once per fund level (its fingerprint) and classifies it: a credit naming a live pledge's
 * reference is recorded at once as a receipt against it ("matched"); one whose payer's name and
 * amount fit an open pledge is "proposed" for the officer to confirm; other credits are "unmatched"
 * (they may become walk-in receipts); debits are listed beside the disbursements they may be.
 *
 * `actor`: the fund officer in a chat (refused at a level they do not keep), or null for the
 * operator's shell (the CLI, channel 'cli'). Each use case writes its audit row in `tx`.
 */

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

export async function importStatement(
  _tx: Tx,
  _actor: Actor | null,
  _input: ImportStatementInput,
  _now: Date,
  _channel: AuditChannel,
): Promise<StatementOutcome> {
  throw new Error('importStatement: not yet');
}

/** A proposed line becomes a receipt against its pledge (status `confirmed`). */
export async function confirmProposal(
  _tx: Tx,
  _actor: Actor | null,
  _lineId: number,
  _now: Date,
  _channel: AuditChannel,
): Promise<StatementDecision> {
  throw new Error('confirmProposal: not yet');
}

/** Every proposal still open of an import becomes a receipt. */
export async function confirmAllProposals(
  _tx: Tx,
  _actor: Actor | null,
  _importId: number,
  _now: Date,
  _channel: AuditChannel,
): Promise<ConfirmAllOutcome> {
  throw new Error('confirmAllProposals: not yet');
}

/** A credit no pledge fits becomes a receipt without a pledge (status `walk_in`). */
export async function walkInFromLine(
  _tx: Tx,
  _actor: Actor | null,
  _lineId: number,
  _payer: { payerName?: string; publicName: boolean },
  _now: Date,
  _channel: AuditChannel,
): Promise<StatementDecision> {
  throw new Error('walkInFromLine: not yet');
}

/** The officer sets a line aside (status `dismissed`); nothing is recorded in the ledger. */
export async function dismissLine(
  _tx: Tx,
  _actor: Actor | null,
  _lineId: number,
  _now: Date,
  _channel: AuditChannel,
): Promise<StatementDecision> {
  throw new Error('dismissLine: not yet');
}

/** The stored lines of a level (newest import first), optionally of one status or one import. */
export async function statementLines(
  _tx: Tx,
  _actor: Actor | null,
  _filter: { levelUnitId: number; status?: StatementLineStatus; importId?: number },
  _limit: number,
): Promise<StatementLineView[]> {
  throw new Error('statementLines: not yet');
}
