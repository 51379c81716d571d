import { z } from 'zod';

/**
 * How one bank lays out its statement export, as data (bot/statements/banks/*.json, or a file the
 * operator writes and passes with `--mapping`; docs/bank-statements.md describes the format).
 * Vietnamese banks put a few title rows (the bank's name, "SAO KÊ TÀI KHOẢN", the account, the
 * period) above the header row, so the header is found: the first row, among the first
 * `headerWithin`, that names the date column, an amount column and the description column.
 * A column is named by any of its aliases, compared without diacritics, case or punctuation; a
 * bilingual header cell ("Ngày giao dịch/Transaction Date") matches either half.
 */

const ZAliases = z.array(z.string().trim().min(1)).min(1);

export const ZBankMapping = z
  .object({
    /** Short and stable: stored with the import (StatementImport.bank). */
    code: z
      .string()
      .trim()
      .regex(/^[a-z0-9_-]{2,20}$/, 'code: 2–20 chữ thường, số, - hoặc _'),
    /** The bank's name as officers say it ("Vietcombank"). */
    name: z.string().trim().min(1),
    columns: z.object({
      date: ZAliases,
      /** Money in ("Ghi có", "Số tiền ghi có"). With `debit`, or `amount` instead of both. */
      credit: ZAliases.optional(),
      /** Money out ("Ghi nợ"). */
      debit: ZAliases.optional(),
      /** One signed amount column (money out negative, or written "-" / "D"), instead of credit/debit. */
      amount: ZAliases.optional(),
      description: ZAliases,
      counterparty: ZAliases.optional(),
      bankRef: ZAliases.optional(),
    }),
    /** How the bank writes a day in a text cell (spreadsheet date cells are read as dates). */
    dateFormat: z.enum(['dd/mm/yyyy', 'mm/dd/yyyy', 'yyyy-mm-dd']).default('dd/mm/yyyy'),
    /**
     * How amounts are written in a text cell: "vi" 1.000.000 or 1.000.000,00; "en" 1,000,000 or
     * 1,000,000.00 (numeric cells are read as numbers).
     */
    numberFormat: z.enum(['vi', 'en']).default('en'),
    /** The header row is among this many first rows. */
    headerWithin: z.number().int().min(1).max(200).default(30),
  })
  .refine((m) => m.columns.amount !== undefined || m.columns.credit !== undefined, {
    message: 'columns: cần "credit" (và "debit") hoặc "amount"',
  });

export type BankMapping = z.infer<typeof ZBankMapping>;
/** A mapping as written in its file (the defaults not filled in). */
export type BankMappingFile = z.input<typeof ZBankMapping>;

/** A header cell or an alias as compared: no diacritics, case, punctuation or repeated spaces. */
export function headerKey(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

export type MappedColumn = keyof BankMapping['columns'];

/**
 * Where each column of the mapping is in a header row (0-based), or undefined when the row is not
 * the header (the date, an amount and the description columns must all be there).
 */
export function locateColumns(
  mapping: BankMapping,
  header: readonly string[],
): Partial<Record<MappedColumn, number>> | undefined {
  const cells = header.map((cell) => [headerKey(cell), ...cell.split(/[/\n]/).map(headerKey)]);
  const found: Partial<Record<MappedColumn, number>> = {};
  for (const [column, aliases] of Object.entries(mapping.columns) as [MappedColumn, string[] | undefined][]) {
    if (!aliases) {
      continue;
    }
    const keys = new Set(aliases.map(headerKey));
    const at = cells.findIndex((names) => names.some((n) => n !== '' && keys.has(n)));
    if (at >= 0) {
      found[column] = at;
    }
  }
  const hasAmount = found.amount !== undefined || found.credit !== undefined;
  return found.date !== undefined && hasAmount && found.description !== undefined ? found : undefined;
}
