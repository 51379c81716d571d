import { createHash } from 'node:crypto';
import { foldText } from './statement-match.ts';
import type { StatementRow } from './statement-types.ts';

/**
 * A line's identity across files, whatever mapping read it and whichever level imports it: sha256
 * of its day, direction, amount, bank transaction number, description and counterparty (folded, so
 * a CSV and an XLSX export of the same statement agree), and its rank among identical lines of its
 * file — two equal transfers on one day are two lines, and a later file overlapping this one
 * brings them again with the same ranks.
 */
export function fingerprints(rows: readonly StatementRow[]): string[] {
  const ranks = new Map<string, number>();
  return rows.map((row) => {
    const content = [
      row.postedOn,
      row.direction,
      row.amount.toString(),
      foldText(row.bankRef ?? ''),
      foldText(row.description),
      foldText(row.counterparty ?? ''),
    ].join('\u001f');
    const rank = ranks.get(content) ?? 0;
    ranks.set(content, rank + 1);
    return createHash('sha256').update(`${content}\u001f${rank}`).digest('hex');
  });
}
