import { z } from 'zod';
import { FIGURE_PERIOD_CODE } from '../campaigns/figure-periods.ts';

/** The Excel exports officials ask for (issue 7 §3). */
export const EXPORT_KINDS = ['progress', 'households', 'pledges', 'ledger', 'late', 'summary'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export function isExportKind(value: string): value is ExportKind {
  return (EXPORT_KINDS as readonly string[]).includes(value);
}

/**
 * What to export, as plain JSON: the outbox keeps this (not the file) and the channel builds the
 * workbook when it sends, so a queued message stays small and a retry builds it again.
 *
 * `scope` holds unit ids: a city (or province, district) stands for itself and its wards and
 * communes, a ward or commune for itself alone. `period` is a weekly or monthly period code
 * ("2026-W07", "2025-02"): the period of the progress export (default: the latest one due) or the only period of the
 * late-reports export (default: every period due so far); the other exports take none.
 */
export const ZExportRequest = z.object({
  kind: z.enum(EXPORT_KINDS),
  params: z.object({
    scope: z.array(z.number().int().positive()).min(1).max(100),
    period: z.string().regex(FIGURE_PERIOD_CODE).optional(),
  }),
});
export type ExportRequest = z.infer<typeof ZExportRequest>;
export type ExportParams = ExportRequest['params'];

/** The file a request becomes: "tien-do-2025-02-2025-03-10.xlsx" (ASCII, safe on every channel). */
export function exportFileName(request: ExportRequest, today: string): string {
  const base: Record<ExportKind, string> = {
    progress: 'tien-do',
    households: 'danh-sach-ho',
    pledges: 'ung-ho-theo-to-chuc',
    ledger: 'so-quy',
    late: 'cham-bao-cao',
    summary: 'so-ket-tong-ket',
  };
  const period = request.params.period ? `-${request.params.period}` : '';
  return `${base[request.kind]}${period}-${today}.xlsx`;
}
