import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { parseMappingFile, readStatementFile } from '../../bot/statements/statement-file.ts';
import {
  confirmAllProposals,
  confirmProposal,
  importStatement,
  type StatementLineView,
  type StatementOutcomeLine,
  statementLines,
} from '../../core/funds/statements/statement.ts';
import { formatMoney } from '../../core/shared/format.ts';
import { inPhase, PHASE } from '../../core/shared/progress.ts';
import { ZCampaignOption } from './campaign-option.ts';
import { type CliContext, storeOf, UsageError } from './context.ts';
import { currentCampaign, fundLevelByCode, renderTexts } from './funds.ts';
import { formatIsoDate } from './text.ts';

/**
 * `funds statement import|lines|confirm` (issue 17 §2): a fund level's bank statement matched to
 * its pledges from the operator's shell, through the same use cases as the fund officer's chat
 * (core/funds/statements/statement.ts), audited with channel 'cli'.
 */

const ZLevel = z.string().trim().min(1, '--level không được để trống').max(64, '--level quá dài');

export const ZStatementImportArgs = z
  .object({
    file: z
      .string({ error: 'cần đường dẫn tệp sao kê (.csv hoặc .xlsx)' })
      .trim()
      .min(1, 'cần đường dẫn tệp sao kê'),
    level: ZLevel,
    bank: z.string().trim().min(1).max(20).optional(),
    mapping: z.string().trim().min(1).optional(),
    dryRun: z.boolean(),
  })
  .extend(ZCampaignOption.shape)
  .refine((a) => !(a.bank && a.mapping), { message: 'chỉ dùng một trong --bank và --mapping' });
export type StatementImportArgs = z.output<typeof ZStatementImportArgs>;

const STATUS = ['matched', 'proposed', 'unmatched', 'debit', 'confirmed', 'walk_in', 'dismissed'] as const;

export const ZStatementLinesArgs = z
  .object({
    level: ZLevel,
    status: z.enum(STATUS, { error: `--status là một trong: ${STATUS.join(', ')}` }).optional(),
  })
  .extend(ZCampaignOption.shape);
export type StatementLinesArgs = z.output<typeof ZStatementLinesArgs>;

export const ZStatementConfirmArgs = z
  .object({
    lineId: z.coerce.number({ error: 'số dòng sao kê phải là số' }).int().positive().optional(),
    allProposed: z.boolean(),
    importId: z.coerce.number({ error: '--import phải là số' }).int().positive().optional(),
  })
  .refine((a) => (a.lineId !== undefined) !== a.allProposed, {
    message: 'cần số dòng sao kê, hoặc --all-proposed --import <số lần nhập>',
  })
  .refine((a) => !a.allProposed || a.importId !== undefined, {
    message: '--all-proposed cần --import <số lần nhập>',
  });
export type StatementConfirmArgs = z.output<typeof ZStatementConfirmArgs>;

const STATUS_VI: Record<StatementOutcomeLine['status'], string> = {
  matched: 'Khớp số đăng ký',
  proposed: 'Đề xuất',
  unmatched: 'Chưa khớp',
  debit: 'Khoản chi',
  confirmed: 'Đã xác nhận',
  walk_in: 'Thu ngoài đăng ký',
  dismissed: 'Đã bỏ qua',
  seen: 'Đã nhập trước',
};

const clip = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);

/** One line of a list: its id (when stored), day, amount, what it is and what the bank wrote. */
function lineText(l: StatementOutcomeLine | StatementLineView): string {
  const id = l.id === null ? `dòng ${l.line}` : `#${l.id}`;
  const pledge = l.pledgeRef
    ? ` → ${l.pledgeRef} ${l.donorName ?? ''}${l.score !== null && l.score < 1 ? ` (độ khớp ${Math.round(l.score * 100)}%)` : ''}`
    : '';
  const payer = l.counterparty ? `${l.counterparty} · ` : '';
  return `  ${id} · ${formatIsoDate(l.postedOn)} · ${formatMoney(l.amount)} · ${STATUS_VI[l.status]}${pledge}\n      ${clip(`${payer}${l.description}`, 110)}`;
}

/** `funds statement import <file> --level <code> [--bank|--mapping] [--dry-run]`. */
export async function fundsStatementImport(ctx: CliContext, args: StatementImportArgs): Promise<void> {
  const bytes = await fs.readFile(args.file).catch(() => {
    throw new UsageError(`không đọc được tệp "${args.file}"`);
  });
  let mapping: Parameters<typeof readStatementFile>[2] = args.bank;
  if (args.mapping) {
    const text = await fs.readFile(args.mapping, 'utf8').catch(() => {
      throw new UsageError(`không đọc được tệp cấu hình cột "${args.mapping}"`);
    });
    const parsed = parseMappingFile(text);
    if (!parsed.ok) {
      throw new UsageError(parsed.message);
    }
    mapping = parsed.mapping;
  }
  const fileName = path.basename(args.file);
  const file = await inPhase(
    ctx.progress,
    PHASE.read,
    'dòng',
    () => readStatementFile(bytes, fileName, mapping),
    (read) => read.rows.length,
  );
  const whole = file.problems.find((p) => p.line === 0);
  if (whole) {
    throw new UsageError(whole.message);
  }
  const outcome = await storeOf(ctx).run(async (tx) => {
    const { campaign } = await currentCampaign(tx, ctx.now, args.campaign);
    const level = await fundLevelByCode(tx, args.level);
    const result = await importStatement(
      tx,
      null,
      {
        campaignId: campaign.id,
        levelUnitId: level.id,
        bank: file.bank,
        fileName,
        rows: file.rows,
        dryRun: args.dryRun,
        progress: ctx.progress,
      },
      ctx.now,
      'cli',
    );
    return { result, level };
  });
  const { result, level } = outcome;
  if (result.refusal) {
    throw new UsageError(renderTexts([result.refusal]).join(' '));
  }
  const c = result.counts;
  ctx.out(
    `${args.dryRun ? 'Xem thử (không ghi gì)' : `Đã nhập sao kê (lần nhập #${result.importId})`}: ${fileName} · ${file.bankName} · ${level.name}`,
  );
  ctx.out(
    `${c.lines} dòng: ${c.matched} khớp số đăng ký${args.dryRun ? '' : ' (đã ghi khoản thu)'}, ${c.proposed} đề xuất theo tên và số tiền, ${c.unmatched} chưa khớp, ${c.debit} khoản chi, ${c.alreadySeen} đã nhập trước đây.`,
  );
  for (const p of file.problems) {
    ctx.out(`  ⚠️ dòng ${p.line}: ${p.message} (bỏ qua)`);
  }
  const section = (
    title: string,
    lines: StatementOutcomeLine[],
    extra?: (l: StatementOutcomeLine) => string[],
  ) => {
    if (lines.length === 0) {
      return;
    }
    ctx.out('');
    ctx.out(`${title} (${lines.length}):`);
    for (const l of lines) {
      ctx.out(lineText(l));
      for (const e of extra?.(l) ?? []) {
        ctx.out(e);
      }
    }
  };
  const over = result.lines.filter((l) => l.status === 'matched' && l.overpayment);
  section('Khớp số đăng ký, nộp vượt số đăng ký', over);
  section(
    'Đề xuất theo tên và số tiền — xác nhận: funds statement confirm <#số>',
    result.lines.filter((l) => l.status === 'proposed'),
  );
  section(
    'Chưa khớp (có thể ghi thành khoản thu ngoài đăng ký)',
    result.lines.filter((l) => l.status === 'unmatched'),
  );
  section(
    'Khoản chi',
    result.lines.filter((l) => l.status === 'debit'),
    (l) =>
      l.candidates.length === 0
        ? ['      (không có khoản chi hay phân bổ nào cùng số tiền)']
        : l.candidates.map(
            (k) =>
              `      có thể là: ${k.kind === 'disbursement' ? `bút toán chi #${k.entryId}` : `phân bổ chưa chi #${k.entryId}`} · ${k.householdName} · ${formatIsoDate(k.occurredOn)}`,
          ),
  );
}

/** `funds statement lines --level <code> [--status proposed]`. */
export async function fundsStatementLines(ctx: CliContext, args: StatementLinesArgs): Promise<void> {
  const lines = await storeOf(ctx).run(async (tx) => {
    const level = await fundLevelByCode(tx, args.level);
    return statementLines(
      tx,
      null,
      { levelUnitId: level.id, ...(args.status ? { status: args.status } : {}) },
      500,
    );
  });
  if (lines.length === 0) {
    ctx.out('Không có dòng sao kê nào.');
    return;
  }
  for (const l of lines) {
    ctx.out(lineText(l));
  }
}

/** `funds statement confirm <line id> | --all-proposed --import <id>`. */
export async function fundsStatementConfirm(ctx: CliContext, args: StatementConfirmArgs): Promise<void> {
  const texts = await storeOf(ctx).run(async (tx) => {
    if (args.allProposed) {
      return (await confirmAllProposals(tx, null, args.importId ?? 0, ctx.now, 'cli')).lines;
    }
    const decided = await confirmProposal(tx, null, args.lineId ?? 0, ctx.now, 'cli');
    if (!decided.ok) {
      process.exitCode = 1;
      return [decided.reason];
    }
    return decided.lines;
  });
  for (const line of renderTexts(texts)) {
    ctx.out(line);
  }
}
