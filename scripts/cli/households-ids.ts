import { z } from 'zod';
import { campaignOfUnit } from '../../core/campaigns/campaign-of.ts';
import { householdInputSchema } from '../../core/households/household.ts';
import { type IdNumberRow, setIdNumbers } from '../../core/households/set-id-numbers.ts';
import { CLI_SOURCE } from '../../core/messaging/outbox.repository.ts';
import { PHASE } from '../../core/shared/progress.ts';
import { readHouseholdFile } from '../households/household-file.ts';
import { type CliContext, storeOf, UsageError } from './context.ts';

export const ZHouseholdsSetIdsArgs = z.object({
  file: z
    .string({ error: 'thiếu tên tệp: npm run cli -- households set-ids <tệp.csv|tệp.xlsx> --unit <mã>' })
    .min(1),
  unit: z.string({ error: 'thiếu --unit <mã đơn vị>' }).min(1),
  dryRun: z.boolean().default(false),
});
export type HouseholdsSetIdsArgs = z.infer<typeof ZHouseholdsSetIdsArgs>;

export interface SetIdsOutcome {
  /** Households whose keyed ID hash was written. */
  updated: number;
  /** Rows whose household already had this very hash. */
  unchanged: number;
  /** Rows without an ID number (left as they are). */
  skipped: number;
  problems: { row: number; message: string }[];
}

/** The "Số CMND/CCCD" rule of the household form, on its own. */
const ID_NUMBER = householdInputSchema({ year: 2100 }).shape.idNumber;

/**
 * `households set-ids <file> --unit <code> [--dry-run]`: (re)writes the keyed hash of the ID numbers
 * of households already in the registry, matched by household code within the unit — after the
 * migration that removed the old unkeyed hashes, or after a lost ID_HASH_KEY was replaced. Reads the
 * same files as `households import` (only the code and ID number columns are used). A row whose
 * last 4 digits differ from the ones stored, or whose number is already another household's, is
 * reported and not written. One transaction and an audit row; `--dry-run` writes nothing.
 */
export async function householdsSetIds(ctx: CliContext, args: HouseholdsSetIdsArgs): Promise<SetIdsOutcome> {
  const hashId = ctx.hashIdNumber;
  if (!hashId) {
    throw new UsageError('không có khóa băm số CCCD (ID_HASH_KEY): không ghi được số CCCD');
  }
  const store = storeOf(ctx);
  const { unit, campaign } = await store.run(async (tx) => {
    const found = await tx.units.findByCode(args.unit);
    // The campaign covering the unit: its households are the ones matched by code.
    return { unit: found, campaign: found && (await campaignOfUnit(tx, found.id, ctx.now)) };
  });
  if (!unit) {
    throw new UsageError(
      `không có đơn vị mã "${args.unit}". Xem các mã đơn vị bằng: npm run cli -- units list`,
    );
  }
  if (!campaign) {
    throw new UsageError('chưa có chương trình nào trong cơ sở dữ liệu');
  }
  const file = await readHouseholdFile(args.file, {
    onProgress: (done) => ctx.progress?.({ phase: PHASE.read, unit: 'dòng', done }),
  });
  ctx.progress?.({ phase: PHASE.read, unit: 'dòng', done: file.rows.length, total: file.rows.length });
  const missing = (['code', 'idNumber'] as const).filter((field) => file.columns[field] === undefined);
  if (missing.length > 0) {
    ctx.out(
      `Tệp thiếu cột ${missing.map((f) => (f === 'code' ? '"Mã hộ"' : '"Số CCCD"')).join(' và ')}. Không ghi gì vào cơ sở dữ liệu.`,
    );
    return { updated: 0, unchanged: 0, skipped: 0, problems: [] };
  }
  // The cells are checked here (the file's rules); matching and writing is the core's.
  const problems: SetIdsOutcome['problems'] = [];
  const rows: IdNumberRow[] = [];
  let skipped = 0;
  for (const row of file.rows) {
    const cellError = row.errors.find((e) => e.field === 'code' || e.field === 'idNumber');
    if (cellError) {
      problems.push({ row: row.rowNumber, message: `cột "${cellError.column}": ${cellError.message}` });
      continue;
    }
    const parsedId = ID_NUMBER.safeParse(row.values.idNumber);
    if (!parsedId.success) {
      problems.push({
        row: row.rowNumber,
        message: parsedId.error.issues[0]?.message ?? 'số CMND/CCCD không hợp lệ',
      });
      continue;
    }
    if (!parsedId.data) {
      skipped += 1;
      continue;
    }
    rows.push({ rowNumber: row.rowNumber, code: row.values.code, idNumber: parsedId.data });
  }
  const update = await store.run((tx) =>
    setIdNumbers(tx, { campaignId: campaign.id, unit, file: args.file }, rows, hashId, {
      dryRun: args.dryRun,
      by: CLI_SOURCE,
      now: ctx.now,
      progress: ctx.progress,
    }),
  );
  const outcome: SetIdsOutcome = {
    updated: args.dryRun ? 0 : update.written,
    unchanged: update.unchanged,
    skipped,
    problems: [...problems, ...update.problems].sort((a, b) => a.row - b.row),
  };
  for (const p of outcome.problems) {
    ctx.out(`Dòng ${p.row}: ${p.message}`);
  }
  ctx.out(
    `${args.dryRun ? 'Chạy thử (--dry-run), không ghi gì: sẽ cập nhật' : 'Đã cập nhật'} số CCCD (mã băm) của ` +
      `${update.written} hộ ở ${unit.name}; ${outcome.unchanged} hộ đã đúng, ${outcome.skipped} dòng không có số CCCD, ` +
      `${outcome.problems.length} dòng có lỗi.`,
  );
  return outcome;
}
