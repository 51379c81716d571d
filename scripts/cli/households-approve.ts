import { z } from 'zod';
import { isHouseholdStatus } from '../../core/households/household.ts';
import { moveHouseholdStatus } from '../../core/households/move-status.ts';
import { statusLabel } from '../../core/households/status.ts';
import { CLI_SOURCE } from '../../core/messaging/outbox.repository.ts';
import { campaignByOption, ZCampaignOption } from './campaign-option.ts';
import { type CliContext, storeOf, UsageError } from './context.ts';

export const ZHouseholdsApproveArgs = z
  .object({
    code: z.string({ error: 'thiếu mã hộ: npm run cli -- households approve <mã hộ> --reason "..."' }).min(1),
    reason: z
      .string({ error: 'phải ghi lý do: --reason "..." (việc duyệt hộ chưa đủ điều kiện được ghi nhật ký)' })
      .trim()
      .min(10, 'lý do quá ngắn: ghi rõ căn cứ (ít nhất 10 ký tự)'),
  })
  .extend(ZCampaignOption.shape);
export type HouseholdsApproveArgs = z.infer<typeof ZHouseholdsApproveArgs>;

/** A status in Vietnamese ("Đề xuất"), or as stored when it is not one of the registry's. */
function label(status: string): string {
  return isHouseholdStatus(status) ? statusLabel(status) : status;
}

/**
 * `households approve <code> --reason "..."`: an admin approves a proposed household through the
 * chat's status change (core moveHouseholdStatus: household, history event and audit row in one
 * transaction). An ineligible one needs this written reason, which is kept on the household, in its
 * history and in the audit log.
 */
export async function householdsApprove(ctx: CliContext, args: HouseholdsApproveArgs): Promise<void> {
  // Read, checked and moved in one transaction: the status seen is the one changed.
  const { household, moved } = await storeOf(ctx).run(async (tx) => {
    const campaign = await campaignByOption(tx, args.campaign, ctx.now);
    const household = await tx.households.findByCode(campaign.id, args.code);
    if (!household) {
      throw new UsageError(`không có hộ mã "${args.code}" trong cuộc vận động ${campaign.code}`);
    }
    if (household.status !== 'proposed') {
      throw new UsageError(
        `hộ ${household.headName} đang ở trạng thái "${label(household.status)}", chỉ duyệt được hộ "${label('proposed')}"`,
      );
    }
    // The chat's status change, with the reason kept as an override when the criteria say no.
    const move = {
      householdId: household.id,
      from: 'proposed',
      to: 'approved',
      note: args.reason,
      photos: [],
      ...(household.eligible ? {} : { overrideReason: args.reason }),
    };
    return { household, moved: await moveHouseholdStatus(tx, move, CLI_SOURCE, ctx.now) };
  });
  if (!moved) {
    throw new UsageError(`hộ ${household.headName} vừa được người khác đổi trạng thái; chạy lại lệnh để xem`);
  }
  ctx.out(
    household.eligible
      ? `Đã duyệt hộ ${household.headName} (${household.code}).`
      : `Đã duyệt hộ ${household.headName} (${household.code}) dù chưa đủ điều kiện theo tiêu chí. Lý do đã được ghi nhật ký.`,
  );
}
