import { z } from 'zod';
import type { FlowDef, Text } from '../../flows/flow.ts';
import { defineFlow, type FlowStart } from '../../flows/flow-runner.ts';
import type { Choice } from '../../messaging/message.ts';
import { fundLevelsFor } from '../../people/fund-levels.ts';
import type { Actor } from '../../shared/actor.ts';
import { menuButtonId } from '../../shared/menu-button.ts';
import type { Tx } from '../../unit-of-work.ts';
import type { PledgeView } from '../fund.repository.ts';
import { pledgeLine, statusOf } from '../fund-views.ts';
import { currentCampaign } from './shared.ts';

/** Finding a pledge to record a receipt against it; and the open pledges. */

const ZPledgeSearchContext = z.object({
  campaignId: z.number(),
  levelIds: z.array(z.number()),
  today: z.string(),
});
type PledgeSearchContext = z.infer<typeof ZPledgeSearchContext>;

const pledgeSearchFlow: FlowDef<PledgeSearchContext> = {
  id: 'pledge-search',
  version: 1,
  title: 'fund.search.title',
  confirm: false,
  summaryHeader: () => [],
  steps: [
    {
      key: 'query',
      kind: 'text',
      label: 'fund.search.title',
      prompt: () => ({ key: 'fund.search.ask' }),
      maxLength: 100,
    },
  ],
};

export const pledgeSearchRunner = defineFlow({
  def: pledgeSearchFlow,
  context: ZPledgeSearchContext,
  answers: z.object({ query: z.string() }),
  async start(tx, actor, now): Promise<FlowStart<PledgeSearchContext>> {
    const current = await currentCampaign(tx, now, actor);
    const levels = await fundLevelsFor(tx, actor, 'fund.receipt');
    if (!current || levels.length === 0) {
      return { ok: false, reason: { key: 'fund.refused.not_fund_officer' } };
    }
    return {
      ok: true,
      ctx: {
        campaignId: current.campaign.id,
        levelIds: levels.map((l) => l.id),
        today: current.today,
      },
    };
  },
  async submit(tx, _actor, { ctx, answers: { query } }) {
    const found = await tx.pledges.search(ctx.campaignId, ctx.levelIds, query, 8);
    return pledgeChoices(found, ctx.today, query);
  },
});

/** Pledges as buttons leading to a receipt against them. */
export function pledgeChoices(
  found: PledgeView[],
  today: string,
  query?: string,
): { lines: Text[]; choices: Choice[][] } {
  const lines: Text[] =
    found.length === 0
      ? [
          query === undefined
            ? { key: 'fund.search.open_none' }
            : { key: 'fund.search.none', params: { query } },
        ]
      : [
          {
            key: query === undefined ? 'fund.search.open' : 'fund.search.found',
            params: { count: found.length },
          },
        ];
  lines.push(...found.map((p) => pledgeLine(p, today)));
  const choices: Choice[][] = found.map((p) => [
    { id: menuButtonId('receipt', p.id), label: `${p.ref} · ${p.donorName}`.slice(0, 60) },
  ]);
  choices.push([{ id: menuButtonId('pledgesearch'), label: '🔎 Tìm theo tên, số đăng ký' }]);
  choices.push([{ id: menuButtonId('receipt', 0), label: '➕ Khoản thu không theo đăng ký' }]);
  return { lines, choices };
}

/** The pledges still owing money at the actor's levels, newest first (the receipt menu). */
export async function openPledges(
  tx: Tx,
  actor: Actor,
  now: Date,
): Promise<{ lines: Text[]; choices: Choice[][] } | undefined> {
  const current = await currentCampaign(tx, now, actor);
  const levels = await fundLevelsFor(tx, actor, 'fund.receipt');
  if (!current || levels.length === 0) {
    return undefined;
  }
  const pledges = await tx.pledges.search(
    current.campaign.id,
    levels.map((l) => l.id),
    '',
    200,
  );
  const open = pledges
    .filter((p) => ['pledged', 'partly_paid', 'overdue', 'unverified'].includes(statusOf(p, current.today)))
    .slice(0, 8);
  return pledgeChoices(open, current.today);
}
