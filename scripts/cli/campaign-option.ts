import { z } from 'zod';
import type { Campaign } from '../../core/campaigns/campaign.ts';
import { openCampaigns } from '../../core/campaigns/coverage.ts';
import type { Tx } from '../../core/unit-of-work.ts';
import { UsageError } from './context.ts';

/**
 * `--campaign <mã>`: the campaign a command acts on when several run at once (issue 15 §1). Without
 * it: the only open campaign, else the latest one (the latest started; on a database of one
 * campaign, the one there is).
 */
export const ZCampaignOption = z.object({
  campaign: z
    .string()
    .trim()
    .min(1, '--campaign cần mã cuộc vận động, ví dụ --campaign BK-XNT-2025 (xem: campaign list)')
    .optional(),
});
export type CampaignOption = z.output<typeof ZCampaignOption>;

/** The `campaign` option of a command's table entry. */
export const CAMPAIGN_OPTION = { campaign: { type: 'string' } } as const;

/** The synopsis fragment of the option. */
export const CAMPAIGN_SYNOPSIS = '[--campaign <mã cuộc vận động>]';

export async function campaignByOption(tx: Tx, code: string | undefined, now: Date): Promise<Campaign> {
  if (code !== undefined) {
    const found = await tx.campaigns.findByCode(code);
    if (!found) {
      throw new UsageError(`không có cuộc vận động mã "${code}" (xem các mã: campaign list)`);
    }
    return found;
  }
  const open = await openCampaigns(tx, now);
  const only = open.length === 1 ? open[0] : undefined;
  const chosen = only ?? (await tx.campaigns.list())[0];
  if (!chosen) {
    throw new UsageError('chưa có cuộc vận động nào trong cơ sở dữ liệu');
  }
  return chosen;
}
