import { z } from 'zod';
import { reasonFlow } from '../../flows/flow.ts';
import { defineFlow } from '../../flows/flow-runner.ts';
import { keepsLevel } from '../../people/fund-levels.ts';
import { loadGift, refuseAcknowledgement } from '../acknowledgements.ts';
import { renderVi } from '../keeper-notices.ts';
import { giftShort, giverOf, receivedOn } from '../receipt-words.ts';

/** "✖️ Từ chối" on a donor's request for a letter: the fund officer gives the reason, the donor is told. */

const ZAckRefuseContext = z.object({
  entryId: z.number(),
  donor: z.string(),
  what: z.string(),
  date: z.string(),
});
type AckRefuseContext = z.infer<typeof ZAckRefuseContext>;

const ackRefuseFlow = reasonFlow<AckRefuseContext>({
  id: 'ack-refuse',
  version: 1,
  title: 'ack.refuse.title',
  header: (ctx) => ({
    key: 'ack.refuse.header',
    params: { donor: ctx.donor, what: ctx.what, date: ctx.date },
  }),
  label: 'ack.field.reason',
  prompt: () => ({ key: 'ack.ask.reason' }),
});

export const ackRefuseRunner = defineFlow({
  def: ackRefuseFlow,
  context: ZAckRefuseContext,
  answers: z.object({ reason: z.string().trim() }),
  async start(tx, actor, _now, arg) {
    const g = await loadGift(tx, Number(arg));
    if (!g || !(await keepsLevel(tx, actor, 'fund.acknowledge', g.entry.levelUnitId))) {
      return { ok: false, reason: { key: 'ack.refused.elsewhere' } };
    }
    const ack = await tx.acknowledgements.findByEntry(g.entry.id);
    if (!ack || ack.approvedAt || ack.refusedAt) {
      return { ok: false, reason: { key: 'ack.refuse.nothing' } };
    }
    return {
      ok: true,
      ctx: {
        entryId: g.entry.id,
        donor: giverOf(g).name,
        what: renderVi([giftShort(g)]),
        date: receivedOn(g),
      },
    };
  },
  submit: (tx, actor, { ctx, answers: { reason } }, now, inbound) =>
    refuseAcknowledgement(tx, actor, ctx.entryId, reason, now, inbound.channel),
});
