import path from 'node:path';
import { z } from 'zod';
import { CLI_SOURCE } from '../../core/messaging/outbox.repository.ts';
import { PHASE, type ProgressReporter } from '../../core/shared/progress.ts';
import { applyUnitsPlan, unitsState } from '../../core/units/apply.ts';
import {
  classifyUnitHeader,
  planUnitList,
  REQUIRED_UNIT_FIELDS,
  UNIT_LIST_HEADERS,
  type UnitCell,
  type UnitListField,
  type UnitListOutcome,
  type UnitListRow,
} from '../../core/units/unit-list.ts';
import type { SheetCell } from '../households/household-columns.ts';
import { HouseholdFileError, openSheetRows } from '../households/household-file.ts';
import { type CliContext, DEFAULT_TIME_ZONE, storeOf, UsageError } from './context.ts';
import { type RowProblem, reportLine } from './households.ts';

export const ZUnitsImportArgs = z.object({
  file: z
    .string({ error: 'thiếu tệp: npm run cli -- units import --file <tệp.csv|tệp.xlsx>' })
    .min(1, 'thiếu tệp: npm run cli -- units import --file <tệp.csv|tệp.xlsx>'),
  dryRun: z.boolean().default(false),
});
export type UnitsImportArgs = z.infer<typeof ZUnitsImportArgs>;

export interface UnitsImportOutcome {
  rows: number;
  problems: RowProblem[];
  added: number;
  updated: number;
  unchanged: number;
  written: boolean;
}

/** A header row names at least this many fields of a unit list. */
const MIN_HEADERS = 3;
const HEADER_SCAN_ROWS = 100;

function headerOf(cell: SheetCell | undefined): string {
  return typeof cell === 'string' || typeof cell === 'number' ? String(cell).replace(/\s+/g, ' ').trim() : '';
}

function countHeaders(cells: ReadonlyArray<SheetCell | undefined>): number {
  return new Set(cells.map((c) => classifyUnitHeader(headerOf(c))).filter((f) => f !== undefined)).size;
}

function unitCell(cell: SheetCell | undefined): UnitCell | undefined {
  if (cell === undefined) {
    return undefined;
  }
  if (typeof cell === 'string') {
    const text = cell.normalize('NFC').trim();
    return text === '' ? undefined : text;
  }
  if (typeof cell === 'number' || cell instanceof Date) {
    return cell;
  }
  return typeof cell === 'boolean' ? String(cell) : `#${cell.formulaError}`;
}

interface ReadList {
  rows: UnitListRow[];
  columns: Partial<Record<UnitListField, string>>;
  missing: UnitListField[];
}

/** The header row and the rows under it, cells by field. */
async function readUnitList(file: string, progress: ProgressReporter | undefined): Promise<ReadList> {
  const ext = path.extname(file).toLowerCase();
  if (ext !== '.csv' && ext !== '.xlsx') {
    throw new UsageError(
      `không đọc được tệp "${path.basename(file)}": chỉ nhận danh sách đơn vị dạng Excel (.xlsx) hoặc CSV (.csv)${ext === '.xls' ? ' (tệp .xls: mở bằng Excel, Lưu thành "Excel Workbook (.xlsx)")' : ''}`,
    );
  }
  const byIndex = new Map<number, UnitListField>();
  const columns: Partial<Record<UnitListField, string>> = {};
  const rows: UnitListRow[] = [];
  let scanned = 0;
  for await (const row of await openSheetRows(file, { countHeaders })) {
    if (byIndex.size === 0) {
      scanned += 1;
      if (countHeaders(row.cells) >= MIN_HEADERS) {
        row.cells.forEach((cell, index) => {
          const field = classifyUnitHeader(headerOf(cell));
          if (field !== undefined && columns[field] === undefined) {
            byIndex.set(index, field);
            columns[field] = headerOf(cell);
          }
        });
      } else if (scanned >= HEADER_SCAN_ROWS) {
        break;
      }
      continue;
    }
    const cells: UnitListRow['cells'] = {};
    for (const [index, field] of byIndex) {
      const value = unitCell(row.cells[index]);
      if (value !== undefined) {
        cells[field] = value;
      }
    }
    if (Object.keys(cells).length > 0) {
      rows.push({ rowNumber: row.rowNumber, cells });
      progress?.({ phase: PHASE.read, unit: 'dòng', done: rows.length });
    }
  }
  progress?.({ phase: PHASE.read, unit: 'dòng', done: rows.length, total: rows.length });
  if (byIndex.size === 0) {
    throw new UsageError(
      `không tìm thấy dòng tiêu đề cột trong tệp "${path.basename(file)}": cần các cột ${REQUIRED_UNIT_FIELDS.map((f) => `"${UNIT_LIST_HEADERS[f][0]}"`).join(', ')} (hoặc code, name, kind, parent, validFrom, validTo)`,
    );
  }
  const missing = REQUIRED_UNIT_FIELDS.filter((f) => columns[f] === undefined);
  return { rows, columns, missing };
}

/**
 * `units import --file <file> [--dry-run]`: an official list of units (code, name, kind, parent
 * code, valid from, valid to) checked row by row against itself and the units recorded; every
 * problem is printed with its row, column and fix, and nothing is written while one remains. A
 * re-import adds nothing (see core/units/unit-list.ts). One transaction with one audit row.
 */
export async function unitsImport(ctx: CliContext, args: UnitsImportArgs): Promise<UnitsImportOutcome> {
  let list: ReadList;
  try {
    list = await readUnitList(args.file, ctx.progress);
  } catch (error) {
    if (!(error instanceof HouseholdFileError) && !(error instanceof UsageError) && error instanceof Error) {
      // The reader's own messages (missing file, corrupt workbook) are the operator's.
      throw new UsageError(error.message);
    }
    if (error instanceof HouseholdFileError) {
      const problem = {
        row: error.row ?? 0,
        column: error.column ?? '',
        message: error.problem,
        suggestion: error.suggestion,
      };
      ctx.out(reportLine(problem));
      ctx.out('Không ghi gì vào cơ sở dữ liệu.');
      return { rows: 0, problems: [problem], added: 0, updated: 0, unchanged: 0, written: false };
    }
    throw error;
  }
  if (list.missing.length > 0) {
    const names = list.missing.map((f) => `"${UNIT_LIST_HEADERS[f][0]}"`).join(', ');
    ctx.out(`Tệp thiếu cột: ${names}. Không ghi gì vào cơ sở dữ liệu.`);
    return {
      rows: list.rows.length,
      problems: [{ row: 0, column: '', message: `Tệp thiếu cột: ${names}.` }],
      added: 0,
      updated: 0,
      unchanged: 0,
      written: false,
    };
  }
  const timeZone = ctx.timeZone ?? DEFAULT_TIME_ZONE;
  const { outcome, written } = await storeOf(ctx).run(async (tx) => {
    const state = await unitsState(tx, ctx.now, timeZone);
    const planned: UnitListOutcome = planUnitList(list.rows, list.columns, state);
    const write = planned.ok && !args.dryRun && planned.plan.ops.length > 0;
    if (write) {
      await applyUnitsPlan(
        tx,
        planned.plan,
        {
          by: CLI_SOURCE,
          action: 'units.import',
          details: {
            file: path.basename(args.file),
            added: planned.plan.added,
            updated: planned.plan.updated,
            unchanged: planned.plan.unchanged,
          },
        },
        ctx.now,
        ctx.progress,
      );
    }
    return { outcome: planned, written: write };
  });
  if (!outcome.ok) {
    for (const p of outcome.problems) {
      ctx.out(reportLine(p));
    }
    const bad = new Set(outcome.problems.map((p) => p.row)).size;
    ctx.out(`Tổng: ${list.rows.length} dòng, ${bad} dòng có lỗi (${outcome.problems.length} lỗi).`);
    ctx.out('Không ghi gì vì còn dòng lỗi. Sửa tệp rồi nhập lại.');
    return {
      rows: list.rows.length,
      problems: outcome.problems,
      added: 0,
      updated: 0,
      unchanged: 0,
      written: false,
    };
  }
  const { plan } = outcome;
  for (const line of plan.lines) {
    ctx.out(line);
  }
  ctx.out(
    `Tổng: ${list.rows.length} dòng: thêm ${plan.added} đơn vị, cập nhật ${plan.updated}, không đổi ${plan.unchanged}.`,
  );
  ctx.out(
    args.dryRun
      ? 'Chạy thử (--dry-run): không ghi gì.'
      : written
        ? 'Đã ghi vào cơ sở dữ liệu (ghi nhật ký).'
        : 'Không có gì mới để ghi: danh sách đã được nhập trước đây.',
  );
  return {
    rows: list.rows.length,
    problems: [],
    added: plan.added,
    updated: plan.updated,
    unchanged: plan.unchanged,
    written,
  };
}
