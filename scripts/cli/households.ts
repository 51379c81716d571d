import { z } from 'zod';
import { rulesOf } from '../../core/campaigns/campaign-rules.ts';
import { createDuplicateIndex } from '../../core/households/duplicate-index.ts';
import {
  HOUSEHOLD_STATUS_LABELS,
  householdInputSchema,
  isHouseholdStatus,
  type THouseholdInput,
} from '../../core/households/household.ts';
import { DEFAULT_HOUSEHOLD_IMPORT_LIMITS } from '../../core/households/import-limits.ts';
import { CLI_SOURCE } from '../../core/messaging/outbox.repository.ts';
import { dateInZone } from '../../core/shared/calendar.ts';
import { inPhase, PHASE, progressPhase } from '../../core/shared/progress.ts';
import { createHouseholdWriter, HOUSEHOLD_BATCH } from '../../prisma/household-writer.ts';
import { createAuditRepository } from '../../prisma/repositories/audit.ts';
import {
  HouseholdFileError,
  type HouseholdRowStream,
  openHouseholdFile,
  writeHouseholdsXlsx,
} from '../households/household-file.ts';
import { type CliContext, DEFAULT_TIME_ZONE, UsageError } from './context.ts';

export const ZHouseholdsImportArgs = z.object({
  file: z
    .string({ error: 'thiếu tên tệp: npm run cli -- households import <tệp.csv|tệp.xlsx> --unit <mã>' })
    .min(1),
  unit: z.string({ error: 'thiếu --unit <mã đơn vị>' }).min(1),
  dryRun: z.boolean().default(false),
  acceptValid: z.boolean().default(false),
  /** Overrides HOUSEHOLD_IMPORT_MAX_MB for this import. */
  maxMb: z.coerce
    .number({ error: '--max-mb phải là một số MB lớn hơn 0, ví dụ 50' })
    .positive({ error: '--max-mb phải là một số MB lớn hơn 0, ví dụ 50' })
    .optional(),
  /** Overrides HOUSEHOLD_IMPORT_MAX_ROWS for this import. */
  maxRows: z.coerce
    .number({ error: '--max-rows phải là số nguyên lớn hơn 0, ví dụ 300000' })
    .int({ error: '--max-rows phải là số nguyên lớn hơn 0, ví dụ 300000' })
    .positive({ error: '--max-rows phải là số nguyên lớn hơn 0, ví dụ 300000' })
    .optional(),
});
export type HouseholdsImportArgs = z.infer<typeof ZHouseholdsImportArgs>;

export interface RowProblem {
  row: number;
  column: string;
  message: string;
  suggestion?: string;
}

export interface ImportOutcome {
  rows: number;
  valid: number;
  /** The first `MAX_KEPT_PROBLEMS` problems (every one is printed); `problemCount` counts them all. */
  problems: RowProblem[];
  problemCount: number;
  written: number;
}

/** Problems kept in the outcome; a hostile file could otherwise have millions. */
const MAX_KEPT_PROBLEMS = 10_000;

/** "Dòng 5, cột "Mã": <problem> → <fix>" (row 0: the file as a whole). */
export function reportLine(p: RowProblem): string {
  const place = p.row === 0 ? '' : `Dòng ${p.row}${p.column === '' ? '' : `, cột "${p.column}"`}: `;
  return `${place}${p.message}${p.suggestion ? ` → ${p.suggestion}` : ''}`;
}

const MEBIBYTE = 1024 * 1024;

/**
 * `households import <file> --unit <code> [--dry-run] [--accept-valid]`: checks every row (cells,
 * the household rules, duplicates inside the file and in the whole campaign) and prints a report
 * of row, column, problem and suggested fix. Writes nothing unless every row is valid, or
 * `--accept-valid` asks to write the valid ones; `--dry-run` never writes. One transaction.
 *
 * The file is read as a stream, row by row (memory: the valid rows and the duplicate index, not the
 * file), within the limits of `ctx.householdImportLimits` (HOUSEHOLD_IMPORT_MAX_MB/_MAX_ROWS) or
 * `--max-mb`/`--max-rows`: a larger file, a row past the limit or a CSV quote that never closes is
 * reported in the same words as a bad cell, and nothing is written.
 */
export async function householdsImport(ctx: CliContext, args: HouseholdsImportArgs): Promise<ImportOutcome> {
  const db = ctx.db;
  if (!db) {
    throw new Error('households import needs the database connection');
  }
  const unit = await ctx.prisma.unit.findFirst({
    orderBy: { validFrom: 'desc' },
    where: { code: args.unit },
  });
  if (!unit) {
    throw new UsageError(
      `không có đơn vị mã "${args.unit}". Xem các mã đơn vị bằng: npm run cli -- units list`,
    );
  }
  const campaign = await ctx.prisma.campaign.findFirst({ orderBy: { id: 'desc' } });
  if (!campaign) {
    throw new UsageError('chưa có chương trình nào trong cơ sở dữ liệu');
  }
  // The campaign's categories and eligibility rules (its definition; national defaults without).
  const rules = rulesOf(campaign, campaign.definition);
  const categories = rules.categories.map(({ code, label }) => ({ code, label }));
  const timeZone = ctx.timeZone ?? DEFAULT_TIME_ZONE;
  const limits = ctx.householdImportLimits ?? DEFAULT_HOUSEHOLD_IMPORT_LIMITS;
  const refuse = (error: HouseholdFileError, rows: number): ImportOutcome => {
    const problem: RowProblem = {
      row: error.row ?? 0,
      column: error.column ?? '',
      message: error.problem,
      suggestion: error.suggestion,
    };
    ctx.out(reportLine(problem));
    ctx.out('Không ghi gì vào cơ sở dữ liệu.');
    return { rows, valid: 0, problems: [problem], problemCount: 1, written: 0 };
  };
  let file: HouseholdRowStream;
  try {
    file = await openHouseholdFile(args.file, {
      onProgress: (done) => ctx.progress?.({ phase: PHASE.read, unit: 'dòng', done }),
      maxBytes: args.maxMb === undefined ? limits.maxBytes : Math.floor(args.maxMb * MEBIBYTE),
      maxRows: args.maxRows ?? limits.maxRows,
      categories,
    });
  } catch (error) {
    if (error instanceof HouseholdFileError) {
      return refuse(error, 0);
    }
    throw error;
  }
  if (file.missingColumns.length > 0) {
    await file.close();
    ctx.out(`Tệp thiếu cột: ${file.missingColumns.join(', ')}. Không ghi gì vào cơ sở dữ liệu.`);
    return { rows: 0, valid: 0, problems: [], problemCount: 0, written: 0 };
  }
  const schema = householdInputSchema({ year: dateInZone(ctx.now, timeZone).year, categories });
  const hashId = ctx.hashIdNumber ?? refuseIdNumbers;
  const reader = createHouseholdWriter(db);
  const existingCodes = await reader.codesOf(campaign.id);
  const index = createDuplicateIndex(await reader.duplicateSubjects(campaign.id));
  const seenCodes = new Map<string, number>();
  const problems: RowProblem[] = [];
  let problemCount = 0;
  let badRows = 0;
  let rowCount = 0;
  const valid: { row: number; input: THouseholdInput }[] = [];

  try {
    for await (const row of file.rows) {
      rowCount += 1;
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
          // Earlier rows of the file go in the index too, with negative ids (-row number).
          const subject = {
            id: -row.rowNumber,
            code: input.code,
            unitId: unit.id,
            village: input.village,
            headName: input.headName,
            birthYear: input.birthYear ?? null,
            idNumberHash: input.idNumber ? hashId(input.idNumber) : null,
          };
          const nameColumn = file.columns.headName ?? 'Họ tên chủ hộ';
          const match = index.find(subject, { likelyOnly: true })[0];
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
          index.add(subject);
          if (rowProblems.length === 0) {
            valid.push({ row: row.rowNumber, input });
          }
        }
      }
      for (const p of rowProblems) {
        ctx.out(reportLine(p));
        if (problems.length < MAX_KEPT_PROBLEMS) {
          problems.push(p);
        }
      }
      problemCount += rowProblems.length;
      badRows += rowProblems.length > 0 ? 1 : 0;
    }
  } catch (error) {
    if (error instanceof HouseholdFileError) {
      return refuse(error, rowCount);
    }
    throw error;
  }
  ctx.progress?.({ phase: PHASE.read, unit: 'dòng', done: rowCount, total: rowCount });
  ctx.out(`Tổng: ${rowCount} dòng, ${valid.length} hợp lệ, ${badRows} dòng có lỗi (${problemCount} lỗi).`);

  const write = !args.dryRun && valid.length > 0 && (badRows === 0 || args.acceptValid);
  if (!write) {
    ctx.out(
      args.dryRun
        ? 'Chạy thử (--dry-run): không ghi gì.'
        : badRows > 0
          ? 'Không ghi gì vì còn dòng lỗi. Sửa tệp rồi nhập lại, hoặc thêm --accept-valid để chỉ nhập các dòng hợp lệ.'
          : 'Không có dòng nào để ghi.',
    );
    return { rows: rowCount, valid: valid.length, problems, problemCount, written: 0 };
  }
  // One transaction: every household and the audit row, or nothing. Inside it only the
  // transaction's own handle is used (on SQLite the root one would wait for it to end).
  await db.transaction(async (tx) => {
    const writer = createHouseholdWriter(tx, { hashId, rules: rules.eligibility });
    const writing = progressPhase(ctx.progress, PHASE.write, 'hộ', valid.length);
    // A batch at a time: one multi-row INSERT each, without a second copy of every row.
    for (let start = 0; start < valid.length; start += HOUSEHOLD_BATCH) {
      const batch = valid.slice(start, start + HOUSEHOLD_BATCH);
      await writer.insertMany(
        batch.map(({ input }) => ({ ...input, campaignId: campaign.id, unitId: unit.id })),
        ctx.now,
        null,
        'cli',
      );
      writing.step(batch.length);
    }
    await createAuditRepository(tx).record(
      {
        ...CLI_SOURCE,
        action: 'households.import',
        entity: 'Unit',
        entityId: String(unit.id),
        after: { file: args.file, written: valid.length, skipped: badRows },
      },
      ctx.now,
    );
  });
  ctx.out(`Đã nhập ${valid.length} hộ vào ${unit.name}.`);
  return { rows: rowCount, valid: valid.length, problems, problemCount, written: valid.length };
}

/** The label of a category code by the campaigns of these households (the first that names it). */
async function categoryLabels(
  ctx: CliContext,
  households: readonly { campaignId: number }[],
): Promise<(code: string) => string> {
  const ids = [...new Set(households.map((h) => h.campaignId))];
  const campaigns = await ctx.prisma.campaign.findMany({
    where: { id: { in: ids } },
    orderBy: { id: 'desc' },
  });
  const all = campaigns.map((c) => rulesOf(c, c.definition));
  return (code) => (all.find((r) => r.category(code)) ?? all[0])?.categoryLabel(code) ?? code;
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
  const unit = await ctx.prisma.unit.findFirst({
    orderBy: { validFrom: 'desc' },
    where: { code: args.unit },
    include: { parent: true },
  });
  if (!unit) {
    throw new UsageError(
      `không có đơn vị mã "${args.unit}". Xem các mã đơn vị bằng: npm run cli -- units list`,
    );
  }
  const read = () =>
    ctx.prisma.household.findMany({
      where: { unitId: unit.id },
      orderBy: [{ village: 'asc' }, { code: 'asc' }],
    });
  const households = await inPhase(ctx.progress, PHASE.build, 'hộ', read, (found) => found.length);
  const categoryLabel = await categoryLabels(ctx, households);
  const write = () =>
    writeHouseholdsXlsx(
      args.file,
      households.map(({ idNumberHash: _hash, idNumberLast4: _last4, ...h }) => h),
      {
        title:
          `ỦY BAN MTTQ VIỆT NAM ${(unit.parent?.name ?? '').replace(/^Ủy ban MTTQ Việt Nam\s*/i, '').toUpperCase()}`.trim(),
        unitName: unit.name,
        generatedAt: ctx.now,
        timeZone: ctx.timeZone ?? DEFAULT_TIME_ZONE,
        statusLabel: (status) => (isHouseholdStatus(status) ? HOUSEHOLD_STATUS_LABELS[status] : status),
        categoryLabel,
      },
    );
  await inPhase(ctx.progress, PHASE.file, 'hộ', write, () => households.length);
  ctx.out(`Đã xuất ${households.length} hộ của ${unit.name} ra ${args.file}.`);
}
