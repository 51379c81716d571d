import ExcelJS from 'exceljs';
import { workbookToXlsx } from '../../bot/exports/xlsx.ts';
import type { Campaign } from '../../core/campaigns/campaign.ts';
import { buildDigest, digestText } from '../../core/digests/digest.ts';
import { buildExport } from '../../core/exports/build-export.ts';
import type { ExportKind } from '../../core/exports/export-request.ts';
import { RECIPIENTS_LABEL } from '../../core/exports/official-document.ts';
import { shortUnitName } from '../../core/households/unit-progress.ts';
import { t } from '../../core/messaging/catalog.ts';
import { plainText } from '../../core/messaging/markup.ts';
import { buildLeadersView } from '../../core/reports/leaders-view.ts';
import type { TReportFigures } from '../../core/reports/report.ts';
import type { Actor } from '../../core/shared/actor.ts';
import type { Tx } from '../../core/unit-of-work.ts';
import type { UnitView } from '../../core/units/unit.repository.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import { createStore } from '../../prisma/store.ts';
import { ZERO_FIGURES } from './fixtures.ts';

/**
 * The views of an area as its people read them, for tests of reorganisations (issue 15 §2): the
 * weekly digest and `/tinhhinh` as Vietnamese lines, an export written to xlsx and read back with
 * exceljs, and a monthly report written through the store.
 */

/** A monthly report of `unitId` for the campaign's period `periodCode`, sent at `at`. */
export async function monthlyReport(
  tx: Tx,
  campaign: Pick<Campaign, 'id'>,
  report: { period: string; unitId: number; personId: number; at: string; figures: TReportFigures },
): Promise<void> {
  const period = (await tx.campaigns.listPeriods(campaign.id, 'monthly')).find(
    (p) => p.code === report.period,
  );
  if (!period) {
    throw new Error(`no period ${report.period}`);
  }
  await tx.reports.create({
    ref: `BC-${report.period}-${report.unitId}`,
    periodId: period.id,
    unitId: report.unitId,
    personId: report.personId,
    revision: 1,
    late: false,
    channel: 'telegram',
    photos: [],
    registryReason: null,
    submittedAt: new Date(report.at),
    ...report.figures,
  });
}

/** The figures of a month's report of the `i`th unit, all different and all but the repairs' non-zero. */
export function sampleFigures(i: number): TReportFigures {
  return {
    ...ZERO_FIGURES,
    approvedNew: 10 + i,
    approvedRepair: 2 + i,
    startedNew: 8 + i,
    completedNew: 5 + i,
    handedOverNew: 3,
    moneyReceived: BigInt(100_000_000 + i * 7_000_000),
    moneyPaid: BigInt(60_000_000 + i * 1_000_000),
    labourDays: 40 + i,
  };
}

/** The weekly digest of the area at `now`, in Vietnamese, line by line. */
export async function digestLines(db: SqlDb, areaUnitId: number, now: Date): Promise<string[]> {
  const digest = await createStore(db).run((tx) => buildDigest(tx, { areaUnitId, kind: 'weekly', now }));
  if (!digest) {
    throw new Error('no digest');
  }
  return plainText(digestText(digest, 'vi')).split('\n');
}

/** `/tinhhinh` of a leader of `unit` at `now`, in Vietnamese, line by line. */
export async function leadersLines(db: SqlDb, unit: UnitView, now: Date): Promise<string[]> {
  const leader: Actor = {
    personId: 0,
    fullName: 'Lãnh đạo',
    locale: 'vi',
    memberships: [
      { role: 'leader', unitId: unit.id, unitCode: unit.code, unitName: unit.name, unitKind: unit.kind },
    ],
  };
  const lines = await createStore(db).run((tx) => buildLeadersView(tx, leader, now));
  return (lines ?? []).flatMap((l) => plainText(t('vi', l.key, l.params)).split('\n'));
}

export interface Sheet {
  /** The data rows, by header ("Group/Header" under a two-row header). */
  rows: Record<string, unknown>[];
  /** The text rows below the table ("Còn N đơn vị chưa gửi báo cáo kỳ này."). */
  notes: string[];
}

/** The unit name column of the progress export and the late list. */
export const UNIT_COLUMN = 'Đơn vị';

/** The export's first sheet written to xlsx and read back with exceljs: rows by header, and the notes. */
export async function exportedSheet(
  db: SqlDb,
  request: { kind: ExportKind; scope: number[]; period: string },
  now: Date,
): Promise<Sheet> {
  const { kind, scope, period } = request;
  const outcome = await createStore(db).run((tx) =>
    buildExport(tx, { kind, params: { scope, period } }, now),
  );
  if (!outcome.ok) {
    throw new Error(`export refused: ${outcome.refusal.code}`);
  }
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(new Uint8Array(await workbookToXlsx(outcome.workbook, now)).buffer);
  const ws = book.worksheets[0];
  if (!ws) {
    throw new Error('no sheet');
  }
  let numbers = 0;
  let headerTop = 0;
  for (let r = 1; r <= ws.rowCount && numbers === 0; r++) {
    headerTop ||= ws.getCell(r, 1).value === 'STT' ? r : 0;
    numbers = ws.getCell(r, 1).value === '(1)' ? r : 0;
  }
  const headers = Array.from({ length: ws.columnCount }, (_, c) => {
    const bottom = ws.getCell(numbers - 1, c + 1).value;
    const top = ws.getCell(headerTop, c + 1).value;
    return top !== bottom && top !== null ? `${String(top)}/${String(bottom)}` : String(bottom);
  });
  const rows: Record<string, unknown>[] = [];
  const notes: string[] = [];
  for (let r = numbers + 1; r <= ws.rowCount; r++) {
    const first = ws.getCell(r, 1).value;
    if (first === RECIPIENTS_LABEL) {
      // The footer: Nơi nhận and the signature block.
      break;
    }
    if (typeof first === 'number') {
      rows.push(Object.fromEntries(headers.map((h, c) => [h, cellValue(ws.getCell(r, c + 1))])));
    } else if (typeof first === 'string' && first !== 'Tổng cộng') {
      notes.push(first);
    }
  }
  return { rows, notes };
}

function cellValue(cell: ExcelJS.Cell): unknown {
  const v = cell.value;
  return v && typeof v === 'object' && 'result' in v ? v.result : v;
}

/** The column's total over the rows. */
export function sumColumn(rows: readonly Record<string, unknown>[], header: string): number {
  return rows.reduce((n, r) => n + Number(r[header] ?? 0), 0);
}

/**
 * The lines that show the registry's households of the unit named `name`: a digest's "• Đức Xuân: …",
 * or the "📋 Danh sách hộ: …" line of the unit's block in `/tinhhinh` (under its name).
 */
export function houseLines(lines: readonly string[], name: string): string[] {
  return lines.flatMap((l, i) => {
    if (l.startsWith(`• ${shortUnitName(name)}:`)) {
      return [l];
    }
    return l === name ? lines.slice(i + 1, i + 3).filter((next) => next.startsWith('📋 ')) : [];
  });
}

/** The units `/tinhhinh` shows, in order: each block's first line (its name, after a blank line). */
export function leadersUnits(lines: readonly string[]): string[] {
  return lines.filter((l, i) => l !== '' && lines[i - 1] === '' && /^(📝|📋) /.test(lines[i + 1] ?? ''));
}

/** The "📝 Báo cáo …" line of the unit's block in `/tinhhinh`: what the unit reported. */
export function reportedLine(lines: readonly string[], name: string): string | undefined {
  const at = lines.indexOf(name);
  return at < 0 ? undefined : lines[at + 1]?.startsWith('📝 ') ? lines[at + 1] : undefined;
}

/** The households of a unit's line: approved, started, completed, handed over. */
export function houseFigures(line: string | undefined): [number, number, number, number] {
  const m =
    /: (\d+) duyệt · (\d+) KC · (\d+) HT · (\d+) BG/.exec(line ?? '') ??
    /(\d+)\sđược\sduyệt, (\d+)\skhởi\scông, (\d+)\shoàn\sthành(?:\s\(\d+%\))?, (\d+)\sbàn\sgiao/.exec(
      line ?? '',
    );
  return m ? [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] : [Number.NaN, 0, 0, 0];
}
