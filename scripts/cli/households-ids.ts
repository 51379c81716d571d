import { z } from 'zod';
import { householdInputSchema } from '../../core/households/household.ts';
import { idNumberLast4 } from '../../core/households/id-number.ts';
import { readHouseholdFile } from '../households/household-file.ts';
import { type CliContext, UsageError } from './context.ts';

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
  const db = ctx.db;
  if (!db) {
    throw new Error('households set-ids needs the database connection');
  }
  const hashId = ctx.hashIdNumber;
  if (!hashId) {
    throw new UsageError('không có khóa băm số CCCD (ID_HASH_KEY): không ghi được số CCCD');
  }
  const unit = await db.get('SELECT id, name FROM "Unit" WHERE code = ?', [args.unit]);
  if (!unit) {
    throw new UsageError(
      `không có đơn vị mã "${args.unit}". Xem các mã đơn vị bằng: npm run cli -- units list`,
    );
  }
  const campaign = await db.get('SELECT id FROM "Campaign" ORDER BY id DESC LIMIT 1');
  if (!campaign) {
    throw new UsageError('chưa có chương trình nào trong cơ sở dữ liệu');
  }
  const file = await readHouseholdFile(args.file, {
    onProgress: (n) => ctx.progress?.(`Đã đọc ${n} dòng…`),
  });
  const missing = (['code', 'idNumber'] as const).filter((field) => file.columns[field] === undefined);
  if (missing.length > 0) {
    ctx.out(
      `Tệp thiếu cột ${missing.map((f) => (f === 'code' ? '"Mã hộ"' : '"Số CCCD"')).join(' và ')}. Không ghi gì vào cơ sở dữ liệu.`,
    );
    return { updated: 0, unchanged: 0, skipped: 0, problems: [] };
  }
  const households = await db.all(
    'SELECT id, code, idNumberHash, idNumberLast4 FROM "Household" WHERE campaignId = ? AND unitId = ?',
    [Number(campaign.id), Number(unit.id)],
  );
  const byCode = new Map(households.map((h) => [String(h.code).toLowerCase(), h]));
  // Hashes already in the campaign (any unit): the same person twice is reported, not written.
  const owners = new Map<string, string>();
  for (const r of await db.all(
    'SELECT code, idNumberHash FROM "Household" WHERE campaignId = ? AND idNumberHash IS NOT NULL',
    [Number(campaign.id)],
  )) {
    owners.set(String(r.idNumberHash), String(r.code));
  }

  const outcome: SetIdsOutcome = { updated: 0, unchanged: 0, skipped: 0, problems: [] };
  const writes: { id: number; hash: string; last4: string | null }[] = [];
  for (const row of file.rows) {
    const problem = (message: string) => outcome.problems.push({ row: row.rowNumber, message });
    const cellError = row.errors.find((e) => e.field === 'code' || e.field === 'idNumber');
    if (cellError) {
      problem(`cột "${cellError.column}": ${cellError.message}`);
      continue;
    }
    const code = row.values.code;
    const parsedId = ID_NUMBER.safeParse(row.values.idNumber);
    if (!parsedId.success) {
      problem(parsedId.error.issues[0]?.message ?? 'số CMND/CCCD không hợp lệ');
      continue;
    }
    const idNumber = parsedId.data;
    if (!idNumber) {
      outcome.skipped += 1;
      continue;
    }
    const household = code === undefined ? undefined : byCode.get(code.toLowerCase());
    if (!household) {
      problem(`không có hộ mã ${code ?? '(trống)'} ở ${String(unit.name)}.`);
      continue;
    }
    const last4 = idNumberLast4(idNumber);
    if (household.idNumberLast4 !== null && String(household.idNumberLast4) !== last4) {
      problem(
        `hộ ${String(household.code)}: 4 số cuối CCCD trong tệp (${last4}) khác số đã lưu (${String(household.idNumberLast4)}); không ghi.`,
      );
      continue;
    }
    const hash = hashId(idNumber);
    const owner = owners.get(hash);
    if (owner !== undefined && owner !== String(household.code)) {
      problem(`hộ ${String(household.code)}: cùng số CCCD với hộ ${owner}; không ghi.`);
      continue;
    }
    if (household.idNumberHash === hash) {
      outcome.unchanged += 1;
      continue;
    }
    owners.set(hash, String(household.code));
    writes.push({ id: Number(household.id), hash, last4 });
  }

  for (const p of outcome.problems) {
    ctx.out(`Dòng ${p.row}: ${p.message}`);
  }
  if (!args.dryRun && writes.length > 0) {
    await db.transaction(async (tx) => {
      for (const w of writes) {
        await tx.run('UPDATE "Household" SET idNumberHash = ?, idNumberLast4 = ? WHERE id = ?', [
          w.hash,
          w.last4,
          w.id,
        ]);
      }
      await tx.run(
        `INSERT INTO "AuditLog" (at, personId, channel, action, entity, entityId, after) VALUES (?, NULL, 'cli', 'households.set_ids', 'Unit', ?, ?)`,
        [ctx.now, String(unit.id), JSON.stringify({ file: args.file, updated: writes.length })],
      );
    });
    outcome.updated = writes.length;
  }
  ctx.out(
    `${args.dryRun ? 'Chạy thử (--dry-run), không ghi gì: sẽ cập nhật' : 'Đã cập nhật'} số CCCD (mã băm) của ` +
      `${writes.length} hộ ở ${String(unit.name)}; ${outcome.unchanged} hộ đã đúng, ${outcome.skipped} dòng không có số CCCD, ` +
      `${outcome.problems.length} dòng có lỗi.`,
  );
  return outcome;
}
