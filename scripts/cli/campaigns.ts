import fs from 'node:fs';
import { z } from 'zod';
import type { Campaign, Period, PeriodKind } from '../../core/campaigns/campaign.ts';
import { campaignState, campaignToday, openCampaigns } from '../../core/campaigns/coverage.ts';
import {
  type CampaignWrite,
  closeCampaign,
  createCampaign,
  type DefinitionMode,
  definitionContext,
  definitionSchemaFor,
  type PeriodChanges,
  updateCampaign,
} from '../../core/campaigns/define-campaign.ts';
import {
  type CampaignDefinition,
  definitionFromJson,
  type Schedule,
} from '../../core/campaigns/definition.ts';
import { type DefinitionProblem, formatProblem, readYamlWith } from '../../core/campaigns/definition-file.ts';
import { CLI_SOURCE } from '../../core/messaging/outbox.repository.ts';
import { fromIsoDate, isValidDate } from '../../core/shared/calendar.ts';
import { formatMoney } from '../../core/shared/format.ts';
import type { Tx } from '../../core/unit-of-work.ts';
import { campaignByOption } from './campaign-option.ts';
import { type CliContext, storeOf, UsageError } from './context.ts';
import { formatIsoDate, renderTable } from './text.ts';

/**
 * A campaign is a definition file (issue 15 §1): `campaign create|update --file`, `campaign list`,
 * `campaign show`, `campaign close`. Writes go through the core use cases of
 * core/campaigns/define-campaign.ts in one transaction with their audit row; a file with problems
 * is reported problem by problem (line, field, fix) and nothing is written.
 */

export const ZCampaignFileArgs = z.object({
  file: z
    .string({
      error: 'thiếu --file <tệp định nghĩa .yaml hoặc .json> (mẫu: campaigns/examples/campaign-example.yaml)',
    })
    .min(1, { error: 'thiếu tên tệp sau --file' }),
  dryRun: z.boolean().default(false),
});
export type CampaignFileArgs = z.output<typeof ZCampaignFileArgs>;

export const ZCampaignShowArgs = z.object({ code: z.string().min(1).optional() });
export type CampaignShowArgs = z.output<typeof ZCampaignShowArgs>;

export const ZCampaignCloseArgs = z
  .object({
    code: z.string().min(1).optional(),
    on: z
      .string()
      .refine((s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && isValidDate(fromIsoDate(s)), {
        error: '--on cần một ngày có thật dạng YYYY-MM-DD, ví dụ 2026-12-31',
      })
      .optional(),
    reopen: z.boolean().default(false),
  })
  .refine((v) => (v.on === undefined) !== !v.reopen, {
    error: 'dùng đúng một trong hai: --on <YYYY-MM-DD> (khép lại từ ngày đó) hoặc --reopen (mở lại)',
  });
export type CampaignCloseArgs = z.output<typeof ZCampaignCloseArgs>;

/** Whether a create or update wrote (or, with --dry-run, would write) the campaign. */
export interface FileOutcome {
  ok: boolean;
}

/** Thrown to roll back a dry run's transaction, carrying what the use case returned. */
class DryRun<T> extends Error {
  constructor(readonly result: T) {
    super('dry run');
  }
}

/** Runs `work` in one transaction; with `dryRun` everything it wrote is rolled back. */
async function inTransaction<T>(ctx: CliContext, dryRun: boolean, work: (tx: Tx) => Promise<T>): Promise<T> {
  if (!dryRun) {
    return storeOf(ctx).run(work);
  }
  try {
    await storeOf(ctx).run(async (tx) => {
      throw new DryRun(await work(tx));
    });
  } catch (error) {
    if (error instanceof DryRun) {
      return error.result as T;
    }
    throw error;
  }
  throw new Error('a dry run ended without rolling back');
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT' ? `không có tệp ${file}` : `không đọc được tệp ${file} (${code ?? String(error)})`,
    );
  }
}

function printProblems(ctx: CliContext, file: string, problems: readonly DefinitionProblem[]): void {
  ctx.out(`Tệp ${file} có ${problems.length} lỗi, chưa ghi gì vào cơ sở dữ liệu:`);
  for (const p of problems) {
    ctx.out(`  ${formatProblem(p)}`);
  }
  ctx.out('Sửa các lỗi trên rồi chạy lại (thêm --dry-run để chỉ kiểm tra).');
}

/**
 * Reads a definition file against the database (the area, fund units and code too), then runs the
 * use case; prints every problem with its line, or what was (or would be) written.
 */
async function fromFile(
  ctx: CliContext,
  args: CampaignFileArgs,
  mode: DefinitionMode,
  write: (tx: Tx, definition: CampaignDefinition) => Promise<CampaignWrite>,
): Promise<FileOutcome> {
  const text = readText(args.file);
  const context = await storeOf(ctx).run(definitionContext);
  const read = readYamlWith(text, definitionSchemaFor(context, mode));
  if (!read.ok) {
    printProblems(ctx, args.file, read.problems);
    return { ok: false };
  }
  const result = await inTransaction(ctx, args.dryRun, (tx) => write(tx, read.value));
  if (!result.ok) {
    printProblems(ctx, args.file, result.problems);
    return { ok: false };
  }
  const { campaign } = result;
  if (args.dryRun) {
    ctx.out(`Tệp ${args.file} hợp lệ. Chạy thử: chưa ghi gì; khi chạy thật sẽ:`);
  }
  const verb = { create: ['Đã tạo', 'Tạo'], update: ['Đã cập nhật', 'Cập nhật'] }[mode][args.dryRun ? 1 : 0];
  ctx.out(`${verb} cuộc vận động ${campaign.name} (${campaign.code}).`);
  for (const line of periodChangeLines(result.periods)) {
    ctx.out(line);
  }
  if (!args.dryRun) {
    ctx.out(`Xem lại: npm run cli -- campaign show ${campaign.code}`);
  }
  return { ok: true };
}

function labels(periods: readonly { label: string }[]): string {
  return periods.map((p) => p.label).join(', ');
}

/** What happened to the reporting periods, in a few lines. */
function periodChangeLines(changes: PeriodChanges): string[] {
  const lines: string[] = [];
  if (changes.added.length > 0) {
    lines.push(`Thêm ${changes.added.length} kỳ báo cáo: ${labels(changes.added)}.`);
  }
  for (const moved of changes.moved) {
    lines.push(
      `Dời hạn ${moved.label}: từ ${formatIsoDate(moved.dueBefore)} sang ${formatIsoDate(moved.dueAfter)}.`,
    );
  }
  if (changes.keptDue.length > 0) {
    lines.push(
      `Giữ nguyên ${changes.keptDue.length} kỳ đã đến hạn (để báo cáo đã gửi không thành chậm): ${labels(changes.keptDue)}.`,
    );
  }
  if (changes.removed.length > 0) {
    lines.push(`Bỏ ${changes.removed.length} kỳ không còn trong lịch: ${labels(changes.removed)}.`);
  }
  if (changes.keptReported.length > 0) {
    lines.push(
      `Giữ lại ${changes.keptReported.length} kỳ không còn trong lịch vì đã có báo cáo: ${labels(changes.keptReported)}.`,
    );
  }
  return lines.length > 0 ? lines : ['Các kỳ báo cáo không đổi.'];
}

/** `campaign create --file <f> [--dry-run]`. */
export function campaignCreate(ctx: CliContext, args: CampaignFileArgs): Promise<FileOutcome> {
  return fromFile(ctx, args, 'create', (tx, definition) =>
    createCampaign(tx, definition, CLI_SOURCE, ctx.now),
  );
}

/** `campaign update --file <f> [--dry-run]`: the campaign with the file's code. */
export function campaignUpdate(ctx: CliContext, args: CampaignFileArgs): Promise<FileOutcome> {
  return fromFile(ctx, args, 'update', (tx, definition) =>
    updateCampaign(tx, definition.code, definition, CLI_SOURCE, ctx.now),
  );
}

/** "đang chạy", "chưa bắt đầu (từ 01/01/2026)", "đã khép lại từ 01/07/2025"… on the campaign's calendar. */
export function stateLabel(campaign: Campaign, now: Date): string {
  const today = campaignToday(campaign, now);
  switch (campaignState(campaign, today)) {
    case 'closed':
      return `đã khép lại từ ${formatIsoDate(campaign.closedOn ?? today)}`;
    case 'upcoming':
      return `chưa bắt đầu (bắt đầu ${formatIsoDate(campaign.startsOn)})`;
    default: {
      const notes = [
        ...(today > campaign.endsOn
          ? [`đã qua ngày kết thúc ${formatIsoDate(campaign.endsOn)}, chưa khép lại`]
          : []),
        ...(campaign.closedOn !== null ? [`sẽ khép lại từ ${formatIsoDate(campaign.closedOn)}`] : []),
      ];
      return notes.length > 0 ? `đang chạy (${notes.join('; ')})` : 'đang chạy';
    }
  }
}

async function areaName(tx: Tx, campaign: Campaign): Promise<string> {
  if (campaign.areaUnitId === null) {
    return 'mọi đơn vị (chưa gắn địa bàn)';
  }
  const unit = await tx.units.findById(campaign.areaUnitId);
  return unit ? `${unit.name} (${unit.code})` : `đơn vị số ${campaign.areaUnitId}`;
}

/** `campaign list`: every campaign, latest start first. */
export async function campaignList(ctx: CliContext): Promise<void> {
  const rows = await storeOf(ctx).run(async (tx) => {
    const campaigns = await tx.campaigns.list();
    return Promise.all(
      campaigns.map(async (c) => [
        c.code,
        c.name,
        await areaName(tx, c),
        `${formatIsoDate(c.startsOn)} – ${formatIsoDate(c.endsOn)}`,
        stateLabel(c, ctx.now),
      ]),
    );
  });
  if (rows.length === 0) {
    ctx.out('Chưa có cuộc vận động nào. Tạo mới: npm run cli -- campaign create --file <tệp.yaml>');
    return;
  }
  for (const line of renderTable(['Mã', 'Tên', 'Địa bàn', 'Thời gian', 'Trạng thái'], rows)) {
    ctx.out(line);
  }
}

const WEEKDAYS = ['thứ Hai', 'thứ Ba', 'thứ Tư', 'thứ Năm', 'thứ Sáu', 'thứ Bảy', 'Chủ nhật'];

/** The schedule's rules in plain Vietnamese, one line each. */
export function scheduleLines(schedule: Schedule): string[] {
  const lines: string[] = [];
  if (schedule.weekly) {
    lines.push(`Báo cáo tuần: trước ${WEEKDAYS[schedule.weekly.dueWeekday - 1]} tuần sau.`);
  }
  if (schedule.monthly) {
    const { dueDay, dueMonth, opensDay } = schedule.monthly;
    lines.push(
      `Báo cáo tháng: trước ngày ${dueDay} ${dueMonth === 'next' ? 'tháng sau' : 'cùng tháng'}; nhận báo cáo từ ngày ${opensDay} của tháng báo cáo.`,
    );
  }
  if (schedule.quarterly) {
    const { dueDay, dueMonth } = schedule.quarterly;
    lines.push(
      `Báo cáo quý: trước ngày ${dueDay} ${dueMonth === 'last' ? 'tháng cuối quý' : 'tháng đầu quý sau'}.`,
    );
  }
  if (schedule.semiannual) {
    lines.push(
      `Báo cáo 6 tháng (cán bộ cấp phát động làm, không giao phường, xã): trước ngày ${schedule.semiannual.dueDay} tháng đầu của 6 tháng sau.`,
    );
  }
  lines.push(
    `Báo cáo kết quả thực hiện Kế hoạch: trước ngày ${formatIsoDate(schedule.final.dueOn)}; nhận từ ${schedule.final.opensDaysBefore} ngày trước hạn.`,
  );
  if (schedule.monthly && schedule.quarterly) {
    lines.push(
      schedule.oneReportWhenSameDay
        ? 'Báo cáo tháng và báo cáo quý cùng hạn: phường, xã gửi một báo cáo.'
        : 'Báo cáo tháng và báo cáo quý cùng hạn: gửi riêng từng báo cáo.',
    );
  }
  return lines;
}

function span(from: string, to: string | undefined): string {
  return to === undefined
    ? `từ ${formatIsoDate(from)}`
    : `từ ${formatIsoDate(from)} đến ${formatIsoDate(to)}`;
}

/** The definition's contents an official checks: rules, norms, standards, categories, funds. */
function definitionLines(
  definition: CampaignDefinition,
  fundUnitNames: ReadonlyMap<string, string>,
): string[] {
  const supported = definition.categories.filter((c) => c.supported).map((c) => c.label);
  const notSupported = definition.categories.filter((c) => !c.supported).map((c) => c.label);
  return [
    'Lịch báo cáo:',
    ...scheduleLines(definition.schedule).map((l) => `  ${l}`),
    'Mức hỗ trợ mỗi nhà:',
    ...[...definition.norms]
      .sort((a, b) => a.from.localeCompare(b.from))
      .map(
        (n) =>
          `  ${span(n.from, n.to)}: xây mới ${formatMoney(n.newBuild)}, sửa chữa ${formatMoney(n.repair)}`,
      ),
    `Nhóm hộ được hỗ trợ: ${supported.join(', ') || '(không có)'}${notSupported.length > 0 ? `; ghi nhận nhưng không hỗ trợ: ${notSupported.join(', ')}` : ''}.`,
    ...(definition.povertyStandards.length === 0
      ? ['Chuẩn nghèo: (chưa ghi)']
      : [
          'Chuẩn nghèo:',
          ...definition.povertyStandards.map((p) => `  ${p.reference} (${span(p.from, p.to)})`),
        ]),
    `Xác nhận đủ điều kiện: ${definition.eligibility.confirmation}.`,
    ...(definition.funds.length === 0
      ? ['Tài khoản Quỹ "Vì người nghèo": (chưa ghi)']
      : [
          'Tài khoản Quỹ "Vì người nghèo":',
          ...definition.funds.map(
            (f) =>
              `  ${fundUnitNames.get(f.unit) ?? f.unit} (${f.unit}): ${f.bank}, số tài khoản ${f.accountNumber}, chủ tài khoản ${f.accountName}`,
          ),
        ]),
  ];
}

const KIND_LABELS: Record<PeriodKind, string> = {
  weekly: 'tuần',
  monthly: 'tháng',
  quarterly: 'quý',
  semiannual: '6 tháng',
  final: 'kết quả',
};

/** `campaign show [<code>]`: the campaign an operator means (the only open one by default), in full. */
export async function campaignShow(ctx: CliContext, args: CampaignShowArgs): Promise<void> {
  const shown = await storeOf(ctx).run(async (tx) => {
    const campaign = await campaignByOption(tx, args.code, ctx.now);
    const json = await tx.campaigns.definition(campaign.id);
    const definition = json === '{}' ? undefined : definitionFromJson(json);
    const units = new Map(
      (await tx.units.listAllDated())
        .filter((u) => definition?.funds.some((f) => f.unit === u.code))
        .sort((a, b) => a.validFrom.localeCompare(b.validFrom))
        .map((u) => [u.code, u.name]),
    );
    const periods: Period[] = [];
    for (const kind of Object.keys(KIND_LABELS) as PeriodKind[]) {
      periods.push(...(await tx.campaigns.listPeriods(campaign.id, kind)));
    }
    return { campaign, definition, units, periods, area: await areaName(tx, campaign) };
  });
  const { campaign, definition, periods } = shown;
  ctx.out(`${campaign.name} (${campaign.code})`);
  ctx.out(`Địa bàn: ${shown.area}`);
  ctx.out(`Thời gian: ${formatIsoDate(campaign.startsOn)} – ${formatIsoDate(campaign.endsOn)}`);
  ctx.out(`Trạng thái: ${stateLabel(campaign, ctx.now)}`);
  ctx.out(`Xưng hô với cán bộ: ${campaign.addressForm}`);
  ctx.out(
    `Định mức đang áp dụng: xây mới ${formatMoney(campaign.normNewBuild)}; sửa chữa ${formatMoney(campaign.normRepair)}`,
  );
  if (definition) {
    for (const line of definitionLines(definition, shown.units)) {
      ctx.out(line);
    }
  } else {
    ctx.out(
      `Hạn báo cáo tháng: trước ngày ${campaign.monthlyDueDay}; quý: trước ngày ${campaign.quarterlyDueDay} tháng cuối quý; báo cáo kết quả: trước ngày ${formatIsoDate(campaign.finalDueOn)}`,
    );
    ctx.out('(Cuộc vận động tạo trước khi có tệp định nghĩa; cập nhật bằng campaign update --file.)');
  }
  const counts = (Object.keys(KIND_LABELS) as PeriodKind[])
    .map((kind) => [KIND_LABELS[kind], periods.filter((p) => p.kind === kind).length] as const)
    .filter(([, n]) => n > 0)
    .map(([label, n]) => `${label}: ${n}`);
  ctx.out(`Kỳ báo cáo: ${periods.length} (${counts.join(', ')})`);
  const today = campaignToday(campaign, ctx.now);
  const next = periods.filter((p) => p.dueOn >= today).sort((a, b) => a.dueOn.localeCompare(b.dueOn))[0];
  if (next && campaignState(campaign, today) !== 'closed') {
    ctx.out(`Kỳ sắp đến hạn: ${next.label}, hạn trước ngày ${formatIsoDate(next.dueOn)}`);
  }
}

/** `campaign close [<code>] --on <date>` / `--reopen`: audited. */
export async function campaignClose(ctx: CliContext, args: CampaignCloseArgs): Promise<void> {
  const on = args.reopen ? null : (args.on ?? null);
  const outcome = await storeOf(ctx).run(async (tx) => {
    let code = args.code;
    if (code === undefined) {
      const open = await openCampaigns(tx, ctx.now);
      if (open.length > 1) {
        return { ok: false as const, reason: 'ambiguous' as const, codes: open.map((c) => c.code) };
      }
      code = (await campaignByOption(tx, undefined, ctx.now)).code;
    }
    return closeCampaign(tx, code, on, CLI_SOURCE, ctx.now);
  });
  if (!outcome.ok) {
    switch (outcome.reason) {
      case 'ambiguous':
        throw new UsageError(
          `có ${outcome.codes.length} cuộc vận động đang chạy (${outcome.codes.join(', ')}): ghi mã cuộc vận động cần khép lại`,
        );
      case 'unknown':
        throw new UsageError(`không có cuộc vận động mã ${args.code} (xem: npm run cli -- campaign list)`);
      case 'before_start':
        throw new UsageError(
          `ngày khép lại phải từ ngày bắt đầu ${formatIsoDate(outcome.campaign.startsOn)} trở đi`,
        );
      case 'unchanged':
        ctx.out(
          on === null
            ? `Cuộc vận động ${outcome.campaign.code} đang mở, không cần mở lại.`
            : `Cuộc vận động ${outcome.campaign.code} đã khép lại từ ${formatIsoDate(on)} rồi.`,
        );
        return;
    }
  }
  const { campaign } = outcome;
  if (on === null) {
    ctx.out(`Đã mở lại cuộc vận động ${campaign.name} (${campaign.code}).`);
  } else {
    ctx.out(`Đã khép lại cuộc vận động ${campaign.name} (${campaign.code}) từ ngày ${formatIsoDate(on)}.`);
    ctx.out(
      'Từ ngày đó bot không nhắc, không nhận báo cáo hay đăng ký ủng hộ cho cuộc vận động này; số liệu vẫn xem và xuất được.',
    );
  }
  ctx.out(`Trạng thái: ${stateLabel(campaign, ctx.now)}`);
}
