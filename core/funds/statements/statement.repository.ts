import type { PledgeKind, PledgeVerification } from '../fund.repository.ts';

/** A pledge of a fund level as matching needs it (no names of units, no join). */
export interface LevelPledge {
  id: number;
  ref: string;
  donorName: string;
  kind: PledgeKind;
  amount: bigint;
  /** Received against it so far (Pledge.received, kept by the ledger's repository). */
  received: bigint;
  verification: PledgeVerification | null;
  cancelled: boolean;
  /** Who registered it (their chats hear of each receipt), or null. */
  personId: number | null;
}

/** A stored statement line (StatementLine). */
export interface StatementLineRecord {
  id: number;
  campaignId: number;
  levelUnitId: number;
  importId: number;
  fingerprint: string;
  postedOn: string;
  direction: 'credit' | 'debit';
  amount: bigint;
  description: string;
  counterparty: string | null;
  bankRef: string | null;
  status: string;
  pledgeId: number | null;
  entryId: number | null;
  score: number | null;
  decidedBy: number | null;
  decidedAt: Date | null;
  createdAt: Date;
}

export type NewStatementLine = Omit<StatementLineRecord, 'id' | 'decidedBy' | 'decidedAt' | 'createdAt'>;

export interface NewStatementImport {
  campaignId: number;
  levelUnitId: number;
  bank: string;
  fileName: string;
  lines: number;
  added: number;
  personId: number | null;
  channel: string | null;
}

export interface StatementRepository {
  /** Every pledge made to the fund level (cancelled ones too, flagged), in one query. */
  levelPledges(campaignId: number, levelUnitId: number): Promise<LevelPledge[]>;
  /** Which of the fingerprints the level already keeps: fingerprint → the stored line's id. */
  seen(levelUnitId: number, fingerprints: readonly string[]): Promise<Map<string, number>>;
  createImport(row: NewStatementImport, at: Date): Promise<number>;
  /** Inserts the lines (in bulk) and returns their ids in the same order. */
  insertLines(lines: readonly NewStatementLine[], at: Date): Promise<number[]>;
  findLine(id: number): Promise<StatementLineRecord | undefined>;
  /**
   * Records the officer's decision on a line still in status `from` (false when it is not any more:
   * decided meanwhile by someone else).
   */
  decide(
    id: number,
    from: string,
    to: { status: string; entryId: number | null; pledgeId: number | null },
    by: number | null,
    at: Date,
  ): Promise<boolean>;
  /** Lines of a level or of one import (or both), newest first, optionally of one status. */
  listLines(
    filter: { levelUnitId?: number; status?: string; importId?: number },
    limit: number,
  ): Promise<StatementLineRecord[]>;
}
