import { z } from 'zod';
import type { FlowDef } from '../../flows/flow.ts';
import { defineFlow, type FlowStart } from '../../flows/flow-runner.ts';
import { fundLevelsFor } from '../../people/fund-levels.ts';
import { normalizeVi, parseMoney } from '../../shared/parse.ts';
import { giftList, giftsOf, type LoadedGift, waitingAt } from '../acknowledgements.ts';
import { giverOf } from '../receipt-words.ts';
import { currentCampaign } from './shared.ts';

/**
 * A fund officer finds a receipt to acknowledge: by the donor's name (the pledge's donor or the
 * walk-in payer, without diacritics), the pledge's number ("UH-0001"), the amount ("105tr"), the
 * voucher number or the ledger's entry number ("#12").
 */

/** Whether a gift answers the query. */
export function giftMatches(g: LoadedGift, query: string): boolean {
  const q = normalizeVi(query);
  if (q.length === 0) {
    return false;
  }
  const entryNo = /^#\s*(\d+)$/.exec(q)?.[1];
  if (entryNo !== undefined) {
    return g.entry.id === Number(entryNo);
  }
  const ref = /^uh-?\s*0*(\d+)$/.exec(q)?.[1];
  if (ref !== undefined) {
    return g.pledge !== undefined && g.pledge.ref.replace(/\D/g, '').replace(/^0+/, '') === ref;
  }
  if (normalizeVi(giverOf(g).name).includes(q)) {
    return true;
  }
  if (g.entry.documentRef && normalizeVi(g.entry.documentRef).includes(q)) {
    return true;
  }
  const amount = parseMoney(query);
  return amount.ok && amount.value === g.entry.amount;
}

const ZReceiptSearchContext = z.object({ campaignId: z.number(), levelIds: z.array(z.number()) });
type ReceiptSearchContext = z.infer<typeof ZReceiptSearchContext>;

const receiptSearchFlow: FlowDef<ReceiptSearchContext> = {
  id: 'receipt-search',
  version: 1,
  title: 'ack.search.title',
  confirm: false,
  summaryHeader: () => [],
  steps: [
    {
      key: 'query',
      kind: 'text',
      label: 'ack.search.title',
      prompt: () => ({ key: 'ack.search.ask' }),
      maxLength: 100,
    },
  ],
};

/** How many receipts a search looks through, newest first (a city's campaign has a few thousand). */
const SEARCHED = 5000;

export const receiptSearchRunner = defineFlow({
  def: receiptSearchFlow,
  context: ZReceiptSearchContext,
  answers: z.object({ query: z.string() }),
  async start(tx, actor, now): Promise<FlowStart<ReceiptSearchContext>> {
    const current = await currentCampaign(tx, now, actor);
    const levels = await fundLevelsFor(tx, actor, 'fund.acknowledge');
    if (!current || levels.length === 0) {
      return { ok: false, reason: { key: 'fund.refused.not_fund_officer' } };
    }
    return { ok: true, ctx: { campaignId: current.campaign.id, levelIds: levels.map((l) => l.id) } };
  },
  async submit(tx, _actor, { ctx, answers: { query } }) {
    const campaign = await tx.campaigns.findById(ctx.campaignId);
    if (!campaign) {
      return [{ key: 'report.refused.no_campaign' }];
    }
    const entries = await tx.funds.receipts(campaign.id, { levelIds: ctx.levelIds }, SEARCHED);
    const pledges = new Map((await tx.pledges.listByCampaign(campaign.id)).map((p) => [p.id, p]));
    const found = (await giftsOf(tx, campaign, entries, pledges))
      .filter((g) => giftMatches(g, query))
      .slice(0, 8);
    const pending = (await waitingAt(tx, { campaign, levelIds: ctx.levelIds })).length;
    return giftList(
      tx,
      found,
      pending,
      found.length === 0
        ? { key: 'ack.search.none', params: { query } }
        : { key: 'ack.search.found', params: { count: found.length } },
    );
  },
});
