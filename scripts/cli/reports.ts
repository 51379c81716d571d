import { z } from 'zod';
import { t } from '../../core/messaging/catalog.ts';
import { rollUp, unitsByShown } from '../../core/people/area-view.ts';
import type { NarrativeReportRow } from '../../core/reports/narrative.repository.ts';
import { answerLabelKey, answersShown } from '../../core/reports/narrative-answers.ts';
import { COUNT_FIELDS } from '../../core/reports/report.ts';
import { narrativeTitle } from '../../core/reports/report-texts.ts';
import { formatInteger, formatMoney } from '../../core/shared/format.ts';
import { type CliContext, DEFAULT_TIME_ZONE, storeOf, UsageError } from './context.ts';
import { clean, formatInstant, formatIsoDate, renderFields, renderTable } from './text.ts';

const PERIOD_HINT =
  'mã kỳ có dạng 2025-02 (tháng), 2026-W07 (tuần), 2025-Q1 (quý), quarterly (mọi báo cáo quý) hoặc final (báo cáo kết quả thực hiện Kế hoạch)';

/** `--period quarterly`: every quarterly period; any other value is a period code. */
const QUARTERLY = 'quarterly';

/** Options of `reports list`. */
export const ZReportsListOptions = z.object({
  period: z
    .string()
    .trim()
    .regex(
      /^(\d{4}-(0[1-9]|1[0-2]|W(0[1-9]|[1-4]\d|5[0-3])|Q[1-4])|final|quarterly)$/i,
      `--period không hợp lệ: ${PERIOD_HINT}`,
    )
    .transform((v) => (/^(final|quarterly)$/i.test(v) ? v.toLowerCase() : v.toUpperCase()))
    .optional(),
  unit: z.string().trim().min(1, '--unit không được để trống').max(64, '--unit quá dài').optional(),
});
export type ReportsListOptions = z.output<typeof ZReportsListOptions>;

const SHOW_EXAMPLE = 'reports show <số tham chiếu>, ví dụ BC-202502-01840-1 hoặc BCKQ-01840-1';

/** The argument of `reports show`. */
export const ZReportsShowArgs = z.object({
  ref: z
    .string({ error: `thiếu số tham chiếu: ${SHOW_EXAMPLE}` })
    .trim()
    .min(1, `thiếu số tham chiếu: ${SHOW_EXAMPLE}`)
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

/** One submitted revision as `reports list` shows it, a monthly (figures) or a written report. */
interface Listed {
  ref: string;
  periodId: number;
  unitId: number;
  revision: number;
  late: boolean;
  submittedAt: Date;
  period: { code: string; label: string; kind: string; dueOn: string };
  unit: { code: string; name: string; validTo: string | null };
  sender: string;
}

/** The written (quarterly, final) reports of the periods, of the units when given, as listed. */
async function narrativesListed(
  prisma: CliContext['prisma'],
  periodWhere: { code?: string; kind?: string },
  unitIds: number[] | undefined,
): Promise<Listed[]> {
  const periods = await prisma.reportingPeriod.findMany({
    where: { ...periodWhere, kind: periodWhere.kind ?? { in: ['quarterly', 'final'] } },
    select: { id: true, code: true, label: true, kind: true, dueOn: true },
  });
  const reports = await prisma.narrativeReport.findMany({
    where: {
      periodId: { in: periods.map((p) => p.id) },
      ...(unitIds === undefined ? {} : { unitId: { in: unitIds } }),
    },
  });
  const [units, people] = await Promise.all([
    prisma.unit.findMany({
      where: { id: { in: [...new Set(reports.map((r) => r.unitId))] } },
      select: { id: true, code: true, name: true, validTo: true },
    }),
    prisma.person.findMany({
      where: { id: { in: [...new Set(reports.map((r) => r.personId))] } },
      select: { id: true, fullName: true },
    }),
  ]);
  const periodById = new Map(periods.map((p) => [p.id, p]));
  const unitById = new Map(units.map((u) => [u.id, u]));
  const nameById = new Map(people.map((p) => [p.id, p.fullName]));
  return reports.flatMap((r) => {
    const period = periodById.get(r.periodId);
    const unit = unitById.get(r.unitId);
    return period && unit
      ? [{ ...r, period, unit, sender: nameById.get(r.personId) ?? `#${r.personId}` }]
      : [];
  });
}

/** What a period is called in the lists: "tháng 2/2025 (2025-02)", "báo cáo kết quả … (final)". */
function periodCell(period: Listed['period']): string {
  const name = period.kind === 'quarterly' || period.kind === 'final' ? narrativeTitle(period) : period.label;
  return `${name} (${period.code})`;
}

/**
 * `reports list`: every submitted revision (optionally of one period code, of every quarterly
 * period, and/or of one unit code) — monthly figures and the written quarterly and final reports —
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
  const periodWhere =
    options.period === undefined
      ? {}
      : options.period === QUARTERLY
        ? { kind: QUARTERLY }
        : { code: options.period };
  if (options.period !== undefined) {
    const period = await prisma.reportingPeriod.findFirst({ where: periodWhere });
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

  const monthly = await prisma.report.findMany({
    where: {
      ...(options.period === undefined ? {} : { period: periodWhere }),
      ...(unitIds === undefined ? {} : { unitId: { in: unitIds } }),
    },
    select: {
      ref: true,
      periodId: true,
      unitId: true,
      revision: true,
      late: true,
      submittedAt: true,
      period: { select: { code: true, label: true, kind: true, dueOn: true } },
      unit: { select: { code: true, name: true, validTo: true } },
      person: { select: { fullName: true } },
    },
  });
  const reports: Listed[] = [
    ...monthly.map(({ person, ...r }) => ({ ...r, sender: person.fullName })),
    ...(await narrativesListed(prisma, periodWhere, unitIds)),
  ].sort(
    (a, b) =>
      a.period.dueOn.localeCompare(b.period.dueOn) ||
      a.period.code.localeCompare(b.period.code) ||
      a.unit.code.localeCompare(b.unit.code) ||
      a.revision - b.revision,
  );
  const filters = [
    options.period === undefined
      ? undefined
      : options.period === QUARTERLY
        ? 'các kỳ quý'
        : `kỳ ${options.period}`,
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
    periodCell(r.period),
    `${r.unit.code} ${r.unit.name}${r.unit.validTo === null ? '' : ` (đến ${formatIsoDate(r.unit.validTo)})`}`,
    String(r.revision),
    latest.get(`${r.periodId}:${r.unitId}`) === r.revision ? '✓' : '',
    lateLabel(r.late),
    formatInstant(r.submittedAt, timeZone),
    r.sender,
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
    const written = await storeOf(ctx).run(async (tx) => {
      const found =
        (await tx.narratives.findByRef(args.ref)) ?? (await tx.narratives.findByRef(args.ref.toUpperCase()));
      return (
        found && { report: found, revisions: await tx.narratives.revisions(found.periodId, found.unitId) }
      );
    });
    if (written) {
      return narrativeShow(ctx, written.report, written.revisions);
    }
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

  out(showTitle(report.ref, report.revision, latestRevision));
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
  revisionsTable(
    ctx,
    `${clean(report.unit.name)} – ${report.period.label}`,
    report.ref,
    revisions.map((r) => ({ ...r, sender: r.person.fullName })),
  );
}

/** A report's first line: its reference, and whether a later revision replaced it. */
function showTitle(ref: string, revision: number, latestRevision: number): string {
  return `Báo cáo ${ref}${revision === latestRevision ? ' (bản mới nhất)' : ` (bản cũ; bản mới nhất là lần ${latestRevision})`}`;
}

/** "Các lần gửi của …": every revision of the unit's report for the period, the one shown marked. */
function revisionsTable(
  ctx: CliContext,
  of: string,
  shown: string,
  revisions: readonly {
    ref: string;
    revision: number;
    late: boolean;
    submittedAt: Date;
    sender: string;
    channel: string;
  }[],
): void {
  const timeZone = ctx.timeZone ?? DEFAULT_TIME_ZONE;
  const latestRevision = Math.max(...revisions.map((r) => r.revision));
  ctx.out(`Các lần gửi của ${of}:`);
  const rows = revisions.map((r) => [
    String(r.revision),
    r.ref,
    r.revision === latestRevision ? '✓' : '',
    lateLabel(r.late),
    formatInstant(r.submittedAt, timeZone),
    r.sender,
    r.channel,
    r.ref === shown ? '← đang xem' : '',
  ]);
  const headers = ['Lần', 'Số tham chiếu', 'Mới nhất', 'Hạn', 'Gửi lúc', 'Người gửi', 'Kênh', ''];
  for (const line of renderTable(headers, rows)) {
    ctx.out(`  ${line}`);
  }
}

/**
 * `reports show` of a written (quarterly or final) report: the period, unit, revision, lateness,
 * time and sender, every answer its kind asks under its Vietnamese label, then its revisions.
 */
async function narrativeShow(
  ctx: CliContext,
  report: NarrativeReportRow,
  revisions: readonly NarrativeReportRow[],
): Promise<void> {
  const { prisma, out } = ctx;
  const timeZone = ctx.timeZone ?? DEFAULT_TIME_ZONE;
  const [period, unit, people] = await Promise.all([
    prisma.reportingPeriod.findUniqueOrThrow({ where: { id: report.periodId } }),
    prisma.unit.findUniqueOrThrow({ where: { id: report.unitId } }),
    prisma.person.findMany({
      where: { id: { in: [...new Set(revisions.map((r) => r.personId))] } },
      select: { id: true, fullName: true },
    }),
  ]);
  const sender = (id: number) => people.find((p) => p.id === id)?.fullName ?? `#${id}`;
  const latestRevision = Math.max(report.revision, ...revisions.map((r) => r.revision));
  out(showTitle(report.ref, report.revision, latestRevision));
  const header: [string, string][] = [
    ['Kỳ', `${narrativeTitle(period)} (${period.code}), hạn trước ngày ${formatIsoDate(period.dueOn)}`],
    ['Đơn vị', `${unit.name} (${unit.code})`],
    ['Lần gửi', String(report.revision)],
    ['Hạn', lateLabel(report.late)],
    ['Gửi lúc', formatInstant(report.submittedAt, timeZone)],
    ['Người gửi', sender(report.personId)],
    ['Kênh', report.channel],
  ];
  for (const line of renderFields(header)) {
    out(line);
  }
  out('');
  out('Nội dung báo cáo:');
  const answers = answersShown(period.kind, [report]).map((a): [string, string] => [
    t('vi', answerLabelKey(a)),
    report.answers[a] ?? '',
  ]);
  for (const line of renderFields(answers)) {
    out(line);
  }
  out('');
  revisionsTable(
    ctx,
    `${clean(unit.name)} – ${narrativeTitle(period)}`,
    report.ref,
    revisions.map((r) => ({ ...r, sender: sender(r.personId) })),
  );
}
