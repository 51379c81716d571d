import fs from 'node:fs';
import { z } from 'zod';
import { FIGURE_PERIOD_CODE } from '../../core/campaigns/figure-periods.ts';
import { buildExport, type ExportRefusal } from '../../core/exports/build-export.ts';
import { EXPORT_KINDS, type ExportKind } from '../../core/exports/export-request.ts';
import type { ExportWorkbook } from '../../core/exports/sheet.ts';
import { inPhase, PHASE } from '../../core/shared/progress.ts';
import { FUND_LEVEL_KINDS } from '../../core/units/unit.repository.ts';
import { type CliContext, storeOf, UsageError } from './context.ts';

/** What each export is called in the CLI's messages. */
export const EXPORT_LABELS: Record<ExportKind, string> = {
  progress: 'báo cáo tiến độ theo đơn vị',
  households: 'danh sách hộ',
  pledges: 'đăng ký ủng hộ theo tổ chức',
  ledger: 'sổ Quỹ "Vì người nghèo" theo cấp',
  late: 'danh sách đơn vị chậm báo cáo',
  summary: 'tổng hợp kết quả, báo cáo của cơ sở và đề xuất khen thưởng',
};

const PERIOD_KINDS: readonly ExportKind[] = ['progress', 'late'];

export const ZExportArgs = z
  .object({
    kind: z.enum(EXPORT_KINDS, {
      error: `loại báo cáo phải là một trong: ${EXPORT_KINDS.join(', ')}`,
    }),
    file: z
      .string({ error: 'thiếu tên tệp: npm run cli -- export <loại> <tệp.xlsx>' })
      .trim()
      .regex(/\.xlsx$/i, 'tệp xuất phải có đuôi .xlsx'),
    period: z
      .string()
      .trim()
      .transform((v) => v.toUpperCase())
      .pipe(
        z
          .string()
          .regex(
            FIGURE_PERIOD_CODE,
            '--period là mã kỳ báo cáo tháng hoặc tuần, ví dụ 2025-02 hoặc 2026-W07',
          ),
      )
      .optional(),
    unit: z.string().trim().min(1, '--unit không được để trống').max(64, '--unit quá dài').optional(),
  })
  .refine((a) => a.period === undefined || PERIOD_KINDS.includes(a.kind), {
    message: '--period chỉ dùng cho export progress và export late',
  });
export type ExportArgs = z.output<typeof ZExportArgs>;

function refusalMessage(refusal: ExportRefusal, args: ExportArgs): string {
  switch (refusal.code) {
    case 'no_campaign':
      return 'chưa có chương trình nào trong cơ sở dữ liệu';
    case 'unknown_unit':
      return `không có đơn vị số ${refusal.unitId}`;
    case 'unknown_period':
      return `không có kỳ báo cáo tháng hoặc tuần "${args.period ?? ''}" (ví dụ 2025-02, 2026-W07; xem: npm run cli -- reports list)`;
  }
}

/** The rows of every sheet of a workbook (what the progress line counts). */
function rowsOf(workbook: ExportWorkbook): number {
  return workbook.sheets.reduce((sum, sheet) => sum + sheet.rows.length, 0);
}

/**
 * `export <progress|households|pledges|ledger|late> <file.xlsx> [--period <code>] [--unit <code>]`:
 * the Excel report officials print, for the city's wards and communes (or one unit with --unit),
 * written from one read transaction. Progress defaults to the latest weekly or monthly period due;
 * late reports to every weekly and monthly period due so far.
 */
export async function exportReport(ctx: CliContext, args: ExportArgs): Promise<void> {
  const build = () =>
    storeOf(ctx).run(async (tx) => {
      const units = await tx.units.listByKinds(FUND_LEVEL_KINDS);
      let scope: number[];
      if (args.unit !== undefined) {
        const code = args.unit.toUpperCase();
        const unit = units.find((u) => u.code.toUpperCase() === code);
        if (!unit) {
          throw new UsageError(
            `không có đơn vị mã "${args.unit}" (thành phố, phường hoặc xã). Xem các mã bằng: npm run cli -- units list`,
          );
        }
        scope = [unit.id];
      } else {
        const top = units.filter((u) => u.kind === 'city');
        scope = (top.length > 0 ? top : units.filter((u) => u.kind === 'province')).map((u) => u.id);
        if (scope.length === 0) {
          throw new UsageError('chưa có đơn vị cấp thành phố; dùng --unit <mã đơn vị>');
        }
      }
      return buildExport(
        tx,
        { kind: args.kind, params: { scope, ...(args.period ? { period: args.period } : {}) } },
        ctx.now,
      );
    });
  const outcome = await inPhase(ctx.progress, PHASE.build, 'dòng', build, (built) =>
    built.ok ? rowsOf(built.workbook) : 0,
  );
  if (!outcome.ok) {
    throw new UsageError(refusalMessage(outcome.refusal, args));
  }
  const { workbook } = outcome;
  const write = async () => {
    // Loaded here, not with the CLI: exceljs alone costs every other command 0.2 s (issue 14 §7).
    const { workbookToXlsx } = await import('../../bot/exports/xlsx.ts');
    fs.writeFileSync(args.file, await workbookToXlsx(workbook, ctx.now));
  };
  await inPhase(ctx.progress, PHASE.file, 'dòng', write, () => rowsOf(workbook));
  ctx.out(`Đã xuất ${EXPORT_LABELS[args.kind]} ra ${args.file}:`);
  for (const sheet of workbook.sheets) {
    ctx.out(`  - ${sheet.name}: ${sheet.rows.length} dòng`);
  }
}
