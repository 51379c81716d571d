import { z } from 'zod';
import {
  type PlanResult,
  parseSplitTargets,
  planMerge,
  planSplit,
  REORGANISABLE_KINDS,
  type ReorganisationContext,
  type ReorganisationPlan,
} from '../../core/people/reorganisation.ts';
import type { DatedUnit } from '../../core/people/unit.repository.ts';
import { type CliContext, UsageError } from './context.ts';
import { formatIsoDate } from './text.ts';

/** Roles that belong to a ward's people and follow the ward into its successor. */
const MOVED_ROLES = ['unit_officer', 'leader'];

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

async function reorganisationContext(ctx: CliContext): Promise<ReorganisationContext> {
  const campaign = await ctx.prisma.campaign.findFirst({ orderBy: { id: 'desc' } });
  if (!campaign) {
    throw new UsageError('chưa có chương trình nào trong cơ sở dữ liệu');
  }
  const units: DatedUnit[] = await ctx.prisma.unit.findMany({
    select: { id: true, code: true, name: true, kind: true, parentId: true, validFrom: true, validTo: true },
  });
  return { units, campaign: { startsOn: campaign.startsOn, endsOn: campaign.endsOn } };
}

function planned(result: PlanResult): ReorganisationPlan {
  if (!result.ok) {
    throw new UsageError(result.error);
  }
  return result.plan;
}

/**
 * `units merge <code…> --into <code> --name "<name>" --on <day>`: one transaction creates the
 * successor, ends the predecessors the day before, links them and moves their officers.
 */
export async function unitsMerge(ctx: CliContext, args: UnitsMergeArgs): Promise<void> {
  const plan = planned(
    planMerge(
      { codes: args.codes, into: { code: args.into, name: args.name }, on: args.on, kind: args.kind },
      await reorganisationContext(ctx),
    ),
  );
  const outcome = await apply(ctx, plan, true);
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
    outcome.moved.length > 0
      ? `Chuyển sang đơn vị mới: ${outcome.moved.join(', ')}.`
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
  const plan = planned(
    planSplit(
      { code: args.code, into: targets, on: args.on, kind: args.kind },
      await reorganisationContext(ctx),
    ),
  );
  await apply(ctx, plan, false);
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

async function apply(
  ctx: CliContext,
  plan: ReorganisationPlan,
  moveOfficers: boolean,
): Promise<{ moved: string[] }> {
  const predecessorIds = plan.predecessors.map((u) => u.id);
  return ctx.prisma.$transaction(async (db) => {
    const moved: string[] = [];
    const successorIds: number[] = [];
    for (const spec of plan.successors) {
      const unit = await db.unit.create({
        data: {
          code: spec.code,
          name: spec.name,
          kind: spec.kind,
          parentId: spec.parentId,
          validFrom: plan.effectiveOn,
        },
      });
      successorIds.push(unit.id);
      for (const predecessorId of predecessorIds) {
        await db.unitSuccession.create({
          data: { predecessorId, successorId: unit.id, effectiveOn: plan.effectiveOn },
        });
      }
    }
    // Only units still open (checked in the plan) are ended: a concurrent reorganisation loses here.
    const ended = await db.unit.updateMany({
      where: { id: { in: predecessorIds }, validTo: null },
      data: { validTo: plan.endsOn },
    });
    if (ended.count !== predecessorIds.length) {
      throw new UsageError(
        'một đơn vị vừa được sắp xếp lại bởi người khác; chạy lại lệnh để xem tình trạng mới',
      );
    }
    const successorId = successorIds[0];
    if (moveOfficers && successorId !== undefined) {
      const memberships = await db.membership.findMany({
        where: { unitId: { in: predecessorIds }, role: { in: MOVED_ROLES }, revokedAt: null },
        include: { person: { select: { fullName: true } } },
        orderBy: { id: 'asc' },
      });
      const added = new Set<string>();
      for (const m of memberships) {
        await db.membership.update({ where: { id: m.id }, data: { revokedAt: ctx.now } });
        const key = `${m.personId}:${m.role}`;
        if (!added.has(key)) {
          added.add(key);
          await db.membership.create({
            data: { personId: m.personId, unitId: successorId, role: m.role, createdAt: ctx.now },
          });
          moved.push(`${m.person.fullName} (${m.role})`);
        }
      }
    }
    await db.auditLog.create({
      data: {
        at: ctx.now,
        channel: 'cli',
        action: plan.kind === 'merge' ? 'unit.merge' : 'unit.split',
        entity: 'Unit',
        entityId: successorIds.join(','),
        before: JSON.stringify({
          units: plan.predecessors.map((u) => ({ code: u.code, validTo: u.validTo })),
        }),
        after: JSON.stringify({
          effectiveOn: plan.effectiveOn,
          endedOn: plan.endsOn,
          successors: plan.successors.map((s) => s.code),
          moved,
        }),
      },
    });
    return { moved };
  });
}
