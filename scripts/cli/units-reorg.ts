import { z } from 'zod';
import { CLI_SOURCE } from '../../core/messaging/outbox.repository.ts';
import {
  type PlanResult,
  parseSplitTargets,
  planMerge,
  planSplit,
  REORGANISABLE_KINDS,
  type ReorganisationContext,
  type ReorganisationPlan,
} from '../../core/people/reorganisation.ts';
import { applyReorganisation, reorganisationContext } from '../../core/people/reorganise.ts';
import { AppError } from '../../core/shared/app-error.ts';
import { type CliContext, storeOf, UsageError } from './context.ts';
import { formatIsoDate } from './text.ts';

const ZKind = z
  .enum(REORGANISABLE_KINDS, { error: '--kind phải là ward (phường) hoặc commune (xã)' })
  .optional();
const ZOn = z
  .string({ error: 'thiếu ngày hiệu lực: --on YYYY-MM-DD' })
  .min(1, 'thiếu ngày hiệu lực: --on YYYY-MM-DD');

export const ZUnitsMergeArgs = z.object({
  codes: z.array(z.string()).min(2, 'cần ít nhất hai mã đơn vị: units merge <mã 1> <mã 2> … --into <mã mới>'),
  into: z
    .string({ error: 'thiếu mã đơn vị mới: --into <mã mới>' })
    .min(1, 'thiếu mã đơn vị mới: --into <mã mới>'),
  name: z.string({ error: 'thiếu tên đơn vị mới: --name "Phường …"' }).trim().min(1, 'thiếu tên đơn vị mới'),
  on: ZOn,
  kind: ZKind,
});
export type UnitsMergeArgs = z.infer<typeof ZUnitsMergeArgs>;

export const ZUnitsSplitArgs = z.object({
  code: z.string({ error: 'thiếu mã đơn vị cần chia tách: units split <mã> --into …' }).min(1),
  into: z.string({ error: 'thiếu các đơn vị mới: --into <mã>:"<tên>",<mã>:"<tên>"' }).min(1),
  on: ZOn,
  kind: ZKind,
});
export type UnitsSplitArgs = z.infer<typeof ZUnitsSplitArgs>;

/**
 * Plans the change against the units read in the transaction that applies it (core
 * applyReorganisation: units, successions, moved officers and the audit row commit together).
 */
async function reorganise(
  ctx: CliContext,
  plan: (context: ReorganisationContext) => PlanResult,
): Promise<{ plan: ReorganisationPlan; moved: string[] }> {
  try {
    return await storeOf(ctx).run(async (tx) => {
      const context = await reorganisationContext(tx);
      if (!context) {
        throw new UsageError('chưa có chương trình nào trong cơ sở dữ liệu');
      }
      const planned = plan(context);
      if (!planned.ok) {
        throw new UsageError(planned.error);
      }
      const { moved } = await applyReorganisation(tx, planned.plan, CLI_SOURCE, ctx.now);
      return { plan: planned.plan, moved };
    });
  } catch (error) {
    if (error instanceof AppError && error.code === 'CONFLICT') {
      throw new UsageError(
        'một đơn vị vừa được sắp xếp lại bởi người khác; chạy lại lệnh để xem tình trạng mới',
      );
    }
    throw error;
  }
}

/**
 * `units merge <code…> --into <code> --name "<name>" --on <day>`: one transaction creates the
 * successor, ends the predecessors the day before, links them and moves their officers.
 */
export async function unitsMerge(ctx: CliContext, args: UnitsMergeArgs): Promise<void> {
  const { plan, moved } = await reorganise(ctx, (context) =>
    planMerge(
      { codes: args.codes, into: { code: args.into, name: args.name }, on: args.on, kind: args.kind },
      context,
    ),
  );
  const names = plan.predecessors.map((u) => `${u.name} (${u.code})`).join(', ');
  const successor = plan.successors[0];
  ctx.out(
    `Đã sáp nhập ${names} thành ${successor?.name} (${successor?.code}) từ ngày ${formatIsoDate(plan.effectiveOn)}.`,
  );
  ctx.out(`Các đơn vị cũ hết hiệu lực sau ngày ${formatIsoDate(plan.endsOn)}.`);
  ctx.out(
    `Báo cáo, hộ, đăng ký ủng hộ và bút toán đã có vẫn thuộc đơn vị cũ; số liệu được cộng vào ${successor?.name} từ ngày ${formatIsoDate(plan.effectiveOn)}.`,
  );
  ctx.out(
    moved.length > 0
      ? `Chuyển sang đơn vị mới: ${moved.join(', ')}.`
      : 'Đơn vị cũ không có cán bộ nào để chuyển sang đơn vị mới.',
  );
}

/**
 * `units split <code> --into <code>:"<name>",… --on <day>`: the new units are created and linked;
 * households and officers stay with the old unit until reassigned (a later import, new invites).
 */
export async function unitsSplit(ctx: CliContext, args: UnitsSplitArgs): Promise<void> {
  const targets = parseSplitTargets(args.into);
  if (typeof targets === 'string') {
    throw new UsageError(targets);
  }
  const { plan } = await reorganise(ctx, (context) =>
    planSplit({ code: args.code, into: targets, on: args.on, kind: args.kind }, context),
  );
  const old = plan.predecessors[0];
  ctx.out(
    `Đã chia tách ${old?.name} (${old?.code}) thành ${plan.successors.map((s) => `${s.name} (${s.code})`).join(', ')} từ ngày ${formatIsoDate(plan.effectiveOn)}.`,
  );
  ctx.out(
    `Hộ gia đình vẫn thuộc ${old?.name} và được tính riêng cho đơn vị này cho đến khi chuyển sang đơn vị mới: hãy nhập lại danh sách hộ của từng đơn vị mới (npm run cli -- households import <tệp> --unit <mã mới>).`,
  );
  ctx.out(
    'Cán bộ của đơn vị cũ không được chuyển tự động: tạo mã mời cho cán bộ từng đơn vị mới (npm run cli -- invite create).',
  );
}
