import { z } from 'zod';
import { t } from '../../core/messaging/catalog.ts';
import { rollUp, unitsByShown } from '../../core/people/area-view.ts';
import { COUNT_FIELDS } from '../../core/reports/report.ts';
import { formatInteger, formatMoney } from '../../core/shared/format.ts';
import { type CliContext, DEFAULT_TIME_ZONE, UsageError } from './context.ts';
import { clean, formatInstant, formatIsoDate, renderFields, renderTable } from './text.ts';

const PERIOD_HINT =
  'mã kỳ có dạng 2025-02 (tháng), 2026-W07 (tuần), 2025-Q1 (quý) hoặc final (báo cáo tổng kết)';

/** Options of `reports list`. */
export const ZReportsListOptions = z.object({
  period: z
    .string()
    .trim()
    .regex(
      /^(\d{4}-(0[1-9]|1[0-2]|W(0[1-9]|[1-4]\d|5[0-3])|Q[1-4])|final)$/i,
      `--period không hợp lệ: ${PERIOD_HINT}`,
    )
    .transform((v) => (v.toLowerCase() === 'final' ? 'final' : v.toUpperCase()))
    .optional(),
  unit: z.string().trim().min(1, '--unit không được để trống').max(64, '--unit quá dài').optional(),
});
export type ReportsListOptions = z.output<typeof ZReportsListOptions>;

/** The argument of `reports show`. */
export const ZReportsShowArgs = z.object({
  ref: z
    .string({ error: 'thiếu số tham chiếu: reports show <số tham chiếu>, ví dụ BC-202502-01840-1' })
    .trim()
    .min(1, 'thiếu số tham chiếu: reports show <số tham chiếu>, ví dụ BC-202502-01840-1')
    .max(100, 'số tham chiếu quá dài'),
});
export type ReportsShowArgs = z.output<typeof ZReportsShowArgs>;

/**
 * The units a unit code stands for in the list: every unit that bore it (a code names another unit
 * from another date: 01840 before and after 01/07/2025) and the units merged into them, whose
 * reports the views count in the successor's row (core/people/area-view.ts). Each report is still
 * listed with the unit it was made for; an ended unit shows its last day.
 */
async function withPredecessors(prisma: CliContext['prisma'], ids: number[]): Promise<number[]> {
  const [units, successions] = await Promise.all([
    prisma.unit.findMany({ select: { id: true } }),
    prisma.unitSuccession.findMany({ select: { predecessorId: true, successorId: true, effectiveOn: true } }),
  ]);
  const rolled = unitsByShown(rollUp(units, successions, '9999-12-31'));
  return [...new Set(ids.flatMap((id) => rolled.get(id) ?? [id]))];
}

function lateLabel(late: boolean): string {
  return late ? 'Trễ hạn' : 'Đúng hạn';
}

/**
 * `reports list`: every submitted revision (optionally of one period code and/or one unit code)
 * with its reference, period, unit, revision, lateness, time and sender; the latest revision of
 * each unit and period is marked ✓. Throws UsageError for an unknown period or unit code.
 */
export async function reportsList(ctx: CliContext, options: ReportsListOptions): Promise<void> {
  const { prisma, out } = ctx;
  const timeZone = ctx.timeZone ?? DEFAULT_TIME_ZONE;
  let unitIds: number[] | undefined;
  if (options.unit !== undefined) {
    const units = await prisma.unit.findMany({ where: { code: options.unit }, select: { id: true } });
    if (units.length === 0) {
      throw new UsageError(
        `không có đơn vị mã "${options.unit}". Xem các mã đơn vị bằng: npm run cli -- units list`,
      );
    }
    unitIds = await withPredecessors(
      prisma,
      units.map((u) => u.id),
    );
  }
  if (options.period !== undefined) {
    const period = await prisma.reportingPeriod.findFirst({ where: { code: options.period } });
    if (!period) {
      const periods = await prisma.reportingPeriod.findMany({
        orderBy: [{ dueOn: 'asc' }, { code: 'asc' }],
        select: { code: true },
      });
      const known = [...new Set(periods.map((p) => p.code))];
      throw new UsageError(
        known.length > 0
          ? `không có kỳ báo cáo mã "${options.period}". Các kỳ hiện có: ${known.join(', ')}`
          : `không có kỳ báo cáo mã "${options.period}" (chưa có chiến dịch nào)`,
      );
    }
  }

  const reports = await prisma.report.findMany({
    where: {
      ...(options.period === undefined ? {} : { period: { code: options.period } }),
      ...(unitIds === undefined ? {} : { unitId: { in: unitIds } }),
    },
    orderBy: [
      { period: { dueOn: 'asc' } },
      { period: { code: 'asc' } },
      { unit: { code: 'asc' } },
      { revision: 'asc' },
    ],
    select: {
      ref: true,
      periodId: true,
      unitId: true,
      revision: true,
      late: true,
      submittedAt: true,
      period: { select: { code: true, label: true } },
      unit: { select: { code: true, name: true, validTo: true } },
      person: { select: { fullName: true } },
    },
  });
  const filters = [
    options.period === undefined ? undefined : `kỳ ${options.period}`,
    options.unit === undefined ? undefined : `đơn vị ${options.unit}`,
  ].filter((f): f is string => f !== undefined);
  if (reports.length === 0) {
    out(filters.length > 0 ? `Không có báo cáo nào (${filters.join(', ')}).` : 'Chưa có báo cáo nào.');
    return;
  }
  const latest = new Map<string, number>();
  for (const r of reports) {
    const key = `${r.periodId}:${r.unitId}`;
    latest.set(key, Math.max(latest.get(key) ?? 0, r.revision));
  }
  const rows = reports.map((r) => [
    r.ref,
    `${r.period.label} (${r.period.code})`,
    `${r.unit.code} ${r.unit.name}${r.unit.validTo === null ? '' : ` (đến ${formatIsoDate(r.unit.validTo)})`}`,
    String(r.revision),
    latest.get(`${r.periodId}:${r.unitId}`) === r.revision ? '✓' : '',
    lateLabel(r.late),
    formatInstant(r.submittedAt, timeZone),
    r.person.fullName,
  ]);
  const headers = ['Số tham chiếu', 'Kỳ', 'Đơn vị', 'Lần', 'Mới nhất', 'Hạn', 'Gửi lúc', 'Người gửi'];
  for (const line of renderTable(headers, rows)) {
    out(line);
  }
  const scope = filters.length > 0 ? ` (${filters.join(', ')})` : '';
  out(`Tổng: ${reports.length} bản gửi, ${latest.size} báo cáo mới nhất${scope}. ✓ = bản mới nhất.`);
}

/**
 * `reports show <ref>`: one submitted revision with every figure under its Vietnamese label (money
 * as "60.000.000 đ"), the difficulties, proposals and decrease reason, then all revisions of the
 * same unit and period. The reference is matched exactly, then upper-cased. Throws UsageError for
 * an unknown reference.
 */
export async function reportsShow(ctx: CliContext, args: ReportsShowArgs): Promise<void> {
  const { prisma, out } = ctx;
  const timeZone = ctx.timeZone ?? DEFAULT_TIME_ZONE;
  const include = {
    period: { select: { code: true, label: true, dueOn: true } },
    unit: { select: { code: true, name: true } },
    person: { select: { fullName: true } },
  } as const;
  const report =
    (await prisma.report.findUnique({ where: { ref: args.ref }, include })) ??
    (await prisma.report.findUnique({ where: { ref: args.ref.toUpperCase() }, include }));
  if (!report) {
    throw new UsageError(
      `không có báo cáo số tham chiếu "${args.ref}". Xem các số tham chiếu bằng: npm run cli -- reports list`,
    );
  }
  const revisions = await prisma.report.findMany({
    where: { periodId: report.periodId, unitId: report.unitId },
    orderBy: { revision: 'asc' },
    select: {
      ref: true,
      revision: true,
      late: true,
      submittedAt: true,
      channel: true,
      person: { select: { fullName: true } },
    },
  });
  const latestRevision = Math.max(report.revision, ...revisions.map((r) => r.revision));
  const isLatest = report.revision === latestRevision;

  out(
    `Báo cáo ${report.ref}${isLatest ? ' (bản mới nhất)' : ` (bản cũ; bản mới nhất là lần ${latestRevision})`}`,
  );
  const header: [string, string][] = [
    [
      'Kỳ',
      `${report.period.label} (${report.period.code}), hạn trước ngày ${formatIsoDate(report.period.dueOn)}`,
    ],
    ['Đơn vị', `${report.unit.name} (${report.unit.code})`],
    ['Lần gửi', String(report.revision)],
    ['Hạn', lateLabel(report.late)],
    ['Gửi lúc', formatInstant(report.submittedAt, timeZone)],
    ['Người gửi', report.person.fullName],
    ['Kênh', report.channel],
  ];
  for (const line of renderFields(header)) {
    out(line);
  }
  out('');
  out('Số liệu (lũy kế từ đầu chiến dịch):');
  const figures: [string, string][] = [
    ...COUNT_FIELDS.map((field): [string, string] => [
      t('vi', `report.field.${field}`),
      formatInteger(report[field]),
    ]),
    [t('vi', 'report.field.moneyReceived'), formatMoney(report.moneyReceived)],
    [t('vi', 'report.field.moneyPaid'), formatMoney(report.moneyPaid)],
    [t('vi', 'report.field.labourDays'), formatInteger(report.labourDays)],
    [t('vi', 'report.field.difficulties'), report.difficulties],
    [t('vi', 'report.field.proposals'), report.proposals],
    [t('vi', 'report.field.decreaseReason'), report.decreaseReason ?? ''],
  ];
  for (const line of renderFields(figures)) {
    out(line);
  }
  out('');
  out(`Các lần gửi của ${clean(report.unit.name)} – ${report.period.label}:`);
  const rows = revisions.map((r) => [
    String(r.revision),
    r.ref,
    r.revision === latestRevision ? '✓' : '',
    lateLabel(r.late),
    formatInstant(r.submittedAt, timeZone),
    r.person.fullName,
    r.channel,
    r.ref === report.ref ? '← đang xem' : '',
  ]);
  const headers = ['Lần', 'Số tham chiếu', 'Mới nhất', 'Hạn', 'Gửi lúc', 'Người gửi', 'Kênh', ''];
  for (const line of renderTable(headers, rows)) {
    out(`  ${line}`);
  }
}
