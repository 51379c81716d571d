import type { BankMapping, StatementRow } from '../../core/funds/statements/statement.ts';

/** A line of the file that could not be read, in Vietnamese for the officer. */
export interface StatementFileProblem {
  /** The file's row number (1-based), or 0 for the whole file. */
  line: number;
  message: string;
}

export interface StatementFile {
  /** The mapping's code (vcb, bidv, agribank, vietinbank, generic, or the operator's own). */
  bank: string;
  /** The bank's name as officers say it ("Vietcombank"). */
  bankName: string;
  rows: StatementRow[];
  problems: StatementFileProblem[];
}

/**
 * Reads a bank statement (CSV or XLSX, told by the file's name and its first bytes) with the
 * mapping given — a bank's code, or a mapping object (an operator's `--mapping` file read by
 * `parseMappingFile`) — or, when none is given, the first built-in mapping whose header it finds.
 * Never throws on bad content: a file no mapping fits gives no rows and one problem (line 0).
 */
export async function readStatementFile(
  _bytes: Buffer,
  _fileName: string,
  _mapping?: string | BankMapping,
): Promise<StatementFile> {
  throw new Error('readStatementFile: not yet');
}
