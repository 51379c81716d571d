import { z } from 'zod';
import { createDuplicateIndex } from '../../core/households/duplicates.ts';
import {
  HOUSEHOLD_STATUS_LABELS,
  householdInputSchema,
  isHouseholdStatus,
  type THouseholdInput,
} from '../../core/households/household.ts';
import { dateInZone } from '../../core/shared/calendar.ts';
import { createHouseholdWriter } from '../../prisma/household-writer.ts';
import { readHouseholdFile, writeHouseholdsXlsx } from '../households/household-file.ts';
import { type CliContext, DEFAULT_TIME_ZONE, UsageError } from './context.ts';

export const ZHouseholdsImportArgs = z.object({
  file: z
    .string({ error: 'thiếu tên tệp: npm run cli -- households import <tệp.csv|tệp.xlsx> --unit <mã>' })
    .min(1),
  unit: z.string({ error: 'thiếu --unit <mã đơn vị>' }).min(1),
  dryRun: z.boolean().default(false),
  acceptValid: z.boolean().default(false),
});
export type HouseholdsImportArgs = z.infer<typeof ZHouseholdsImportArgs>;

interface RowProblem {
  row: number;
  column: string;
  message: string;
  suggestion?: string;
}

export interface ImportOutcome {
  rows: number;
  valid: number;
  problems: RowProblem[];
  written: number;
}

/**
 * `households import <file> --unit <code> [--dry-run] [--accept-valid]`: checks every row (cells,
 * the household rules, duplicates inside the file and in the whole campaign) and prints a report
 * of row, column, problem and suggested fix. Writes nothing unless every row is valid, or
 * `--accept-valid` asks to write the valid ones; `--dry-run` never writes. One transaction.
 */
export async function householdsImport(ctx: CliContext, args: HouseholdsImportArgs): Promise<ImportOutcome> {
  const db = ctx.db;
  if (!db) {
    throw new Error('households import needs the database connection');
  }
  const unit = await ctx.prisma.unit.findUnique({ where: { code: args.unit } });
  if (!unit) {
    throw new UsageError(
      `không có đơn vị mã "${args.unit}". Xem các mã đơn vị bằng: npm run cli -- units list`,
    );
  }
  const campaign = await ctx.prisma.campaign.findFirst({ orderBy: { id: 'desc' } });
  if (!campaign) {
    throw new UsageError('chưa có chương trình nào trong cơ sở dữ liệu');
  }
  const timeZone = ctx.timeZone ?? DEFAULT_TIME_ZONE;
  const file = await readHouseholdFile(args.file, {
    onProgress: (n) => ctx.progress?.(`Đã đọc ${n} dòng…`),
  });
  if (file.missingColumns.length > 0) {
    ctx.out(`Tệp thiếu cột: ${file.missingColumns.join(', ')}. Không ghi gì vào cơ sở dữ liệu.`);
    return { rows: file.rows.length, valid: 0, problems: [], written: 0 };
  }
  const schema = householdInputSchema({ year: dateInZone(ctx.now, timeZone).year });
  const hashId = ctx.hashIdNumber ?? refuseIdNumbers;
  const reader = createHouseholdWriter(db);
  const existingCodes = await reader.codesOf(campaign.id);
  const index = createDuplicateIndex(await reader.duplicateSubjects(campaign.id));
  const seenCodes = new Map<string, number>();
  const problems: RowProblem[] = [];
  const valid: { row: number; input: THouseholdInput }[] = [];

  for (const row of file.rows) {
    const rowProblems: RowProblem[] = row.errors.map((e) => ({
      row: row.rowNumber,
      column: e.column,
      message: e.message,
      suggestion: e.suggestion,
    }));
    if (rowProblems.length === 0) {
      const parsed = schema.safeParse(row.values);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const field = String(issue.path[0] ?? '');
          rowProblems.push({
            row: row.rowNumber,
            column: file.columns[field] ?? field,
            message: issue.message,
          });
        }
      } else {
        const input = parsed.data;
        const code = input.code.toLowerCase();
        const codeColumn = file.columns.code ?? 'Mã hộ';
        if (existingCodes.has(code)) {
          rowProblems.push({
            row: row.rowNumber,
            column: codeColumn,
            message: `Mã hộ ${input.code} đã có trong chương trình.`,
            suggestion: 'Kiểm tra lại mã hộ hoặc bỏ dòng này.',
          });
        } else if (seenCodes.has(code)) {
          rowProblems.push({
            row: row.rowNumber,
            column: codeColumn,
            message: `Mã hộ ${input.code} trùng với dòng ${seenCodes.get(code)}.`,
            suggestion: 'Mỗi hộ một mã riêng.',
          });
        }
        const subject = {
          code: input.code,
          unitId: unit.id,
          village: input.village,
          headName: input.headName,
          birthYear: input.birthYear ?? null,
          idNumberHash: input.idNumber ? hashId(input.idNumber) : null,
        };
        const nameColumn = file.columns.headName ?? 'Họ tên chủ hộ';
        // Earlier rows of the file are in the index too, with negative ids (-row number).
        const match = index.find(subject).find((m) => m.level !== 'possible');
        const matchId = match?.household.id ?? 0;
        if (match && matchId < 0) {
          rowProblems.push({
            row: row.rowNumber,
            column: nameColumn,
            message: `Có thể trùng hộ ở dòng ${-matchId} (${match.reasons.join(', ')}).`,
            suggestion: 'Bỏ một trong hai dòng, hoặc ghi năm sinh/CCCD để phân biệt.',
          });
        } else if (match) {
          rowProblems.push({
            row: row.rowNumber,
            column: nameColumn,
            message: `Có thể trùng hộ đã có: ${match.household.headName} (mã ${match.household.code}) – ${match.reasons.join(', ')}.`,
            suggestion: 'Nếu đúng là hộ khác, ghi thêm năm sinh hoặc số CCCD để phân biệt.',
          });
        }
        seenCodes.set(code, row.rowNumber);
        index.add({ ...subject, id: -row.rowNumber });
        if (rowProblems.length === 0) {
          valid.push({ row: row.rowNumber, input });
        }
      }
    }
    problems.push(...rowProblems);
  }

  for (const p of problems) {
    ctx.out(`Dòng ${p.row}, cột "${p.column}": ${p.message}${p.suggestion ? ` → ${p.suggestion}` : ''}`);
  }
  const badRows = new Set(problems.map((p) => p.row)).size;
  ctx.out(
    `Tổng: ${file.rows.length} dòng, ${valid.length} hợp lệ, ${badRows} dòng có lỗi (${problems.length} lỗi).`,
  );

  const write = !args.dryRun && valid.length > 0 && (badRows === 0 || args.acceptValid);
  if (!write) {
    ctx.out(
      args.dryRun
        ? 'Chạy thử (--dry-run): không ghi gì.'
        : badRows > 0
          ? 'Không ghi gì vì còn dòng lỗi. Sửa tệp rồi nhập lại, hoặc thêm --accept-valid để chỉ nhập các dòng hợp lệ.'
          : 'Không có dòng nào để ghi.',
    );
    return { rows: file.rows.length, valid: valid.length, problems, written: 0 };
  }
  // One transaction: every household and the audit row, or nothing. Inside it only the
  // transaction's own handle is used (on SQLite the root one would wait for it to end).
  await db.transaction(async (tx) => {
    const writer = createHouseholdWriter(tx, { hashId });
    for (const { input } of valid) {
      await writer.insert({ ...input, campaignId: campaign.id, unitId: unit.id }, ctx.now, null, 'cli');
    }
    await tx.run(
      `INSERT INTO "AuditLog" (at, personId, channel, action, entity, entityId, after) VALUES (?, NULL, 'cli', 'households.import', 'Unit', ?, ?)`,
      [
        ctx.now,
        String(unit.id),
        JSON.stringify({ file: args.file, written: valid.length, skipped: badRows }),
      ],
    );
  });
  ctx.out(`Đã nhập ${valid.length} hộ vào ${unit.name}.`);
  return { rows: file.rows.length, valid: valid.length, problems, written: valid.length };
}

/** The hasher of a context without the key: an ID number stops the command before anything is written. */
function refuseIdNumbers(): never {
  throw new UsageError('không có khóa băm số CCCD (ID_HASH_KEY): không nhập được số CCCD');
}

export const ZHouseholdsExportArgs = z.object({
  file: z
    .string({ error: 'thiếu tên tệp: npm run cli -- households export <tệp.xlsx> --unit <mã>' })
    .regex(/\.xlsx$/i, 'tệp xuất phải có đuôi .xlsx'),
  unit: z.string({ error: 'thiếu --unit <mã đơn vị>' }).min(1),
});
export type HouseholdsExportArgs = z.infer<typeof ZHouseholdsExportArgs>;

/** `households export <file.xlsx> --unit <code>`: the unit's registry in the import layout (re-importable). */
export async function householdsExport(ctx: CliContext, args: HouseholdsExportArgs): Promise<void> {
  const unit = await ctx.prisma.unit.findUnique({ where: { code: args.unit }, include: { parent: true } });
  if (!unit) {
    throw new UsageError(
      `không có đơn vị mã "${args.unit}". Xem các mã đơn vị bằng: npm run cli -- units list`,
    );
  }
  const households = await ctx.prisma.household.findMany({
    where: { unitId: unit.id },
    orderBy: [{ village: 'asc' }, { code: 'asc' }],
  });
  await writeHouseholdsXlsx(
    args.file,
    households.map(({ idNumberHash: _hash, idNumberLast4: _last4, ...h }) => h),
    {
      title:
        `ỦY BAN MTTQ VIỆT NAM ${(unit.parent?.name ?? '').replace(/^Ủy ban MTTQ Việt Nam\s*/i, '').toUpperCase()}`.trim(),
      unitName: unit.name,
      generatedAt: ctx.now,
      timeZone: ctx.timeZone ?? DEFAULT_TIME_ZONE,
      statusLabel: (status) => (isHouseholdStatus(status) ? HOUSEHOLD_STATUS_LABELS[status] : status),
    },
  );
  ctx.out(`Đã xuất ${households.length} hộ của ${unit.name} ra ${args.file}.`);
}
