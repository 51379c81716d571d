import type { Period } from '../campaigns/campaign.ts';
import { t } from '../messaging/catalog.ts';
import type { NarrativeReportRow } from '../reports/narrative.repository.ts';
import { answerLabelKey, answersShown, type NarrativeAnswer } from '../reports/narrative-answers.ts';
import { narrativeName } from '../reports/report-texts.ts';
import { idsByRow } from '../reports/row-report.ts';
import { dateInZone, fromIsoDate, toIsoDate } from '../shared/calendar.ts';
import { formatDate } from '../shared/format.ts';
import type { Tx } from '../unit-of-work.ts';
import type { UnitView } from '../units/unit.repository.ts';
import type { ExportScope } from './export-scope.ts';
import { scopeUnitsByPeriod } from './period-units.ts';
import { type ExportColumn, type ExportSheet, STT_COLUMN, sheet } from './sheet.ts';

/**
 * The wards' written reports (issue 16 §1), read by the city: for each quarterly period and the
 * final one that has a report of the area or is already due, each ward or commune valid then with
 * the latest revision of its report — or none, "Chưa gửi". The summary export puts one sheet per
 * period; the leaders read the same in chat (core/features/narrative-read.ts).
 */

/** One unit's row: its report (the latest revision; a merged predecessor's when it sent none). */
export interface NarrativeEntry {
  unit: UnitView;
  report: NarrativeReportRow | undefined;
}

export interface NarrativePeriod {
  period: Period;
  entries: NarrativeEntry[];
  /** The answers its reports show, in reading order. */
  answers: NarrativeAnswer[];
}

/** The campaign's quarterly and final periods, in the order they fall due. */
export async function narrativePeriodsOf(tx: Tx, campaignId: number): Promise<Period[]> {
  return [
    ...(await tx.campaigns.listPeriods(campaignId, 'quarterly')),
    ...(await tx.campaigns.listPeriods(campaignId, 'final')),
  ].sort((a, b) => a.dueOn.localeCompare(b.dueOn) || a.code.localeCompare(b.code));
}

/**
 * The written reports of the scope's wards and communes, per period: the periods given (all the
 * campaign's quarterly and final ones when absent) that are due by `today` or have a report.
 */
export async function loadNarratives(
  tx: Tx,
  scope: Pick<ExportScope, 'own' | 'campaign' | 'today'>,
  only?: readonly Period[],
): Promise<NarrativePeriod[]> {
  const periods = only ?? (await narrativePeriodsOf(tx, scope.campaign.id));
  const byPeriod = await scopeUnitsByPeriod(tx, scope, periods);
  const ids = new Set([...byPeriod.values()].flatMap((v) => [...v.countsUnder.keys()]));
  const reports = await tx.narratives.latest(
    periods.map((p) => p.id),
    [...ids],
  );
  const result: NarrativePeriod[] = [];
  for (const period of periods) {
    const view = byPeriod.get(period.id);
    if (!view) {
      continue;
    }
    const rows = idsByRow(view);
    const entries = view.units.flatMap((unit): NarrativeEntry[] => {
      const counted = rows.get(unit.id) ?? [unit.id];
      const sent = reports.filter((r) => r.periodId === period.id && counted.includes(r.unitId));
      // Its own report first; else the latest sent by a unit merged into it.
      const report =
        sent.find((r) => r.unitId === unit.id) ??
        sent.sort((a, b) => b.submittedAt.getTime() - a.submittedAt.getTime())[0];
      return view.expected.has(unit.id) || report ? [{ unit, report }] : [];
    });
    if (period.dueOn <= scope.today || entries.some((e) => e.report)) {
      const sent = entries.flatMap((e) => (e.report ? [e.report] : []));
      result.push({ period, entries, answers: answersShown(period.kind, sent) });
    }
  }
  return result;
}

/** "Đúng hạn", "Chậm" or "Chưa gửi": a row's status. */
export function narrativeStatus(report: NarrativeReportRow | undefined): string {
  return report ? (report.late ? 'Chậm' : 'Đúng hạn') : 'Chưa gửi';
}

/** The units that have not sent the period's report, by their full names. */
export function notSent(view: NarrativePeriod): string[] {
  return view.entries.filter((e) => !e.report).map((e) => e.unit.name);
}

/** "quý IV/2025: 3/8 đơn vị đã gửi": one period's count, for the summary sheet. */
export function narrativeCountLine(view: NarrativePeriod): string {
  const sent = view.entries.filter((e) => e.report).length;
  return `Báo cáo ${narrativeName(view.period)}: ${sent}/${view.entries.length} đơn vị đã gửi`;
}

/** The tab of a period: "BC quý IV-2025", "BC kết quả thực hiện KH". */
function sheetNameOf(period: Period): string {
  return period.kind === 'final' ? 'BC kết quả thực hiện KH' : `BC ${period.label}`;
}

/** One sheet per period: STT, unit, day sent, on time or late, then each answer's text. */
export function narrativeSheets(views: readonly NarrativePeriod[], timeZone: string): ExportSheet[] {
  return views.map((view) => {
    const { period } = view;
    const columns: ExportColumn[] = [
      STT_COLUMN,
      { key: 'unit', header: 'Đơn vị', width: 24, format: 'text' },
      { key: 'sentOn', header: 'Ngày gửi', width: 12, format: 'date' },
      { key: 'status', header: 'Đúng hạn/Chậm', width: 11, format: 'text' },
      ...view.answers.map(
        (a): ExportColumn => ({ key: a, header: t('vi', answerLabelKey(a)), width: 40, format: 'text' }),
      ),
    ];
    const missing = notSent(view);
    return sheet({
      name: sheetNameOf(period),
      title: `BÁO CÁO ${narrativeName(period).toUpperCase()} CỦA CÁC PHƯỜNG, XÃ`,
      subtitle: `Hạn gửi: trước ngày ${formatDate(fromIsoDate(period.dueOn))}`,
      columns,
      rows: view.entries.map((e, i) => ({
        stt: i + 1,
        unit: e.unit.name,
        sentOn: e.report ? toIsoDate(dateInZone(e.report.submittedAt, timeZone)) : null,
        status: narrativeStatus(e.report),
        ...Object.fromEntries(view.answers.map((a) => [a, e.report?.answers[a] ?? ''])),
      })),
      notes: [
        `${narrativeCountLine(view)}; mỗi đơn vị: bản gửi mới nhất.`,
        ...(missing.length > 0 ? [`Chưa gửi: ${missing.join(', ')}.`] : []),
      ],
    });
  });
}
