import { z } from 'zod';
import { type CliContext, UsageError } from './context.ts';

export const ZHouseholdsApproveArgs = z.object({
  code: z.string({ error: 'thiếu mã hộ: npm run cli -- households approve <mã hộ> --reason "..."' }).min(1),
  reason: z
    .string({ error: 'phải ghi lý do: --reason "..." (việc duyệt hộ chưa đủ điều kiện được ghi nhật ký)' })
    .trim()
    .min(10, 'lý do quá ngắn: ghi rõ căn cứ (ít nhất 10 ký tự)'),
});
export type HouseholdsApproveArgs = z.infer<typeof ZHouseholdsApproveArgs>;

/**
 * `households approve <code> --reason "..."`: an admin approves a proposed household. An ineligible
 * one needs this written reason, which is kept on the household, in its history and in the audit log.
 */
export async function householdsApprove(ctx: CliContext, args: HouseholdsApproveArgs): Promise<void> {
  const campaign = await ctx.prisma.campaign.findFirst({ orderBy: { id: 'desc' } });
  const household = campaign
    ? await ctx.prisma.household.findUnique({
        where: { campaignId_code: { campaignId: campaign.id, code: args.code } },
      })
    : null;
  if (!household) {
    throw new UsageError(`không có hộ mã "${args.code}" trong chương trình hiện tại`);
  }
  if (household.status !== 'proposed') {
    throw new UsageError(
      `hộ ${household.headName} đang ở trạng thái "${household.status}", chỉ duyệt được hộ "proposed"`,
    );
  }
  const kind = household.eligible ? 'status' : 'override';
  await ctx.prisma.$transaction([
    ctx.prisma.household.update({
      where: { id: household.id },
      data: {
        status: 'approved',
        updatedAt: ctx.now,
        overrideReason: household.eligible ? null : args.reason,
      },
    }),
    ctx.prisma.householdEvent.create({
      data: {
        householdId: household.id,
        kind,
        fromStatus: 'proposed',
        toStatus: 'approved',
        note: args.reason,
        channel: 'cli',
        at: ctx.now,
      },
    }),
    ctx.prisma.auditLog.create({
      data: {
        at: ctx.now,
        channel: 'cli',
        action: household.eligible ? 'household.approve' : 'household.approve-override',
        entity: 'Household',
        entityId: String(household.id),
        before: JSON.stringify({ status: 'proposed', eligible: household.eligible }),
        after: JSON.stringify({ status: 'approved', reason: args.reason }),
      },
    }),
  ]);
  ctx.out(
    household.eligible
      ? `Đã duyệt hộ ${household.headName} (${household.code}).`
      : `Đã duyệt hộ ${household.headName} (${household.code}) dù chưa đủ điều kiện theo tiêu chí. Lý do đã được ghi nhật ký.`,
  );
}
