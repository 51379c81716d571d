import { z } from 'zod';
import { reasonFlow, type Text } from '../flows/flow.ts';
import { defineFlow } from '../flows/flow-runner.ts';
import type { Choice } from '../messaging/message.ts';
import type { Actor } from '../shared/actor.ts';
import { formatMoney } from '../shared/format.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import type { Tx } from '../unit-of-work.ts';
import { pledgeGifts } from './acknowledgements.ts';
import type { PledgeView } from './fund.repository.ts';
import { pledgeCard, pledgeLine, statusOf } from './fund-views.ts';
import { type PledgePayment, pledgePayment } from './vietqr.ts';

/**
 * A person's own pledges: the list, a card with "change", "cancel" and the QR code to transfer what
 * remains, and the cancellation.
 */

/** "Cam kết của tôi": the person's pledges with their status, each a button to its card. */
export async function myPledges(
  tx: Tx,
  actor: Actor,
  today: string,
): Promise<{ lines: Text[]; choices: Choice[][] }> {
  const pledges = await tx.pledges.listByPerson(actor.personId);
  if (pledges.length === 0) {
    return {
      lines: [{ key: 'pledge.mine.none' }],
      choices: [[{ id: menuButtonId('pledge'), label: '➕ Đăng ký ủng hộ' }]],
    };
  }
  return {
    lines: [{ key: 'pledge.mine.title' }, ...pledges.slice(0, 10).map((p) => pledgeLine(p, today))],
    choices: [
      ...pledges
        .slice(0, 10)
        .map((p) => [
          { id: menuButtonId('pledgecard', p.id), label: `${p.ref} · ${p.donorName}`.slice(0, 60) },
        ]),
      [{ id: menuButtonId('pledge'), label: '➕ Đăng ký ủng hộ' }],
    ],
  };
}

/**
 * A person's own pledge, with "change" and "cancel" while nothing was paid against it, and what was
 * received against it (each receipt with its acknowledgement letter, or the button to ask for one).
 */
export async function myPledgeCard(
  tx: Tx,
  actor: Actor,
  id: number,
  today: string,
): Promise<{ lines: Text[]; choices: Choice[][] } | undefined> {
  const p = await tx.pledges.findById(id);
  if (!p || p.personId !== actor.personId) {
    return undefined;
  }
  const open = p.cancelledAt === null && p.received === 0n;
  const choices: Choice[][] = open
    ? [
        [
          { id: menuButtonId('pledgeedit', p.id), label: '✏️ Sửa' },
          { id: menuButtonId('pledgecancel', p.id), label: '✖️ Hủy đăng ký' },
        ],
      ]
    : [];
  if ((await remainingPayment(tx, p))?.qr) {
    choices.push([{ id: menuButtonId('pledgeqr', p.id), label: '📷 Mã QR chuyển khoản' }]);
  }
  // What was received against it, each receipt with its letter or "📄 Xin giấy xác nhận".
  const gifts = await pledgeGifts(tx, p);
  choices.push(...gifts.choices, [{ id: menuButtonId('mypledges'), label: '📄 Đăng ký của tôi' }]);
  const lines = [...pledgeCard(p, today), ...gifts.lines];
  if (!open && statusOf(p, today) !== 'cancelled') {
    lines.push({ key: 'pledge.card.locked' });
  }
  return { lines, choices };
}

/** How to pay what remains of a money pledge not cancelled; none when nothing remains. */
async function remainingPayment(tx: Tx, p: PledgeView): Promise<PledgePayment | undefined> {
  const remaining = p.amount - p.received;
  return p.kind === 'money' && p.cancelledAt === null && remaining > 0n
    ? pledgePayment(tx, p, remaining)
    : undefined;
}

/**
 * "📷 Mã QR chuyển khoản" on a person's own pledge card: the VietQR code for what remains to pay
 * (the amount less what was received), with the transfer's text; a pledge paid in full, cancelled or
 * whose fund gives no scannable account says so. Undefined when the pledge is not theirs.
 */
export async function myPledgeQr(
  tx: Tx,
  actor: Actor,
  id: number,
): Promise<{ lines: Text[]; choices: Choice[][]; qr?: PledgePayment['qr'] } | undefined> {
  const p = await tx.pledges.findById(id);
  if (!p || p.personId !== actor.personId) {
    return undefined;
  }
  const payment = await remainingPayment(tx, p);
  const choices = [
    [{ id: menuButtonId('pledgecard', p.id), label: `↩️ Đăng ký ${p.ref}` }],
    [{ id: menuButtonId('mypledges'), label: '📄 Đăng ký của tôi' }],
  ];
  if (!payment?.qr) {
    return { lines: [{ key: 'pledge.qr.unavailable', params: { ref: p.ref } }], choices };
  }
  const again: Text = {
    key: 'pledge.qr.again',
    params: { ref: p.ref, amount: formatMoney(p.amount - p.received) },
  };
  return { lines: [again, ...payment.lines], choices, qr: payment.qr };
}

const ZCancelContext = z.object({ id: z.number(), ref: z.string() });
type CancelContext = z.infer<typeof ZCancelContext>;

const cancelFlow = reasonFlow<CancelContext>({
  id: 'pledge-cancel',
  version: 1,
  title: 'pledge.cancel.title',
  header: (ctx) => ({ key: 'pledge.cancel.header', params: { ref: ctx.ref } }),
  label: 'pledge.field.cancelReason',
  prompt: () => ({ key: 'pledge.ask.cancelReason' }),
  optional: true,
});

export const pledgeCancelRunner = defineFlow({
  def: cancelFlow,
  context: ZCancelContext,
  answers: z.object({ reason: z.string().default('') }),
  async start(tx, actor, _now, arg) {
    const p = await tx.pledges.findById(Number(arg));
    if (!p || p.personId !== actor.personId) {
      return { ok: false, reason: { key: 'pledge.refused.not_yours' } };
    }
    if (p.cancelledAt !== null || p.received > 0n) {
      return { ok: false, reason: { key: 'pledge.refused.paid', params: { ref: p.ref } } };
    }
    return { ok: true, ctx: { id: p.id, ref: p.ref } };
  },
  async submit(tx, actor, { ctx, answers: { reason } }, now, inbound) {
    if (!(await tx.pledges.cancel(ctx.id, reason, now))) {
      return [{ key: 'pledge.refused.paid', params: { ref: ctx.ref } }];
    }
    await tx.audit.record(
      {
        personId: actor.personId,
        channel: inbound.channel,
        action: 'pledge.cancel',
        entity: 'Pledge',
        entityId: String(ctx.id),
        after: { reason },
      },
      now,
    );
    return [{ key: 'pledge.cancelled', params: { ref: ctx.ref } }];
  },
});
