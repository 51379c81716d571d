import { openPledges, pledgeSearchRunner } from '../funds/flows/pledge-search.ts';
import { receiptRunner } from '../funds/flows/receipt.ts';
import { chosenLevel } from '../funds/flows/shared.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { confirmation, type Feature, menuButton, needAt } from './feature.ts';

/**
 * A fund keeper records a gift received: picked from the open pledges, found by a search, or
 * without a pledge (`menu:receipt:0`, or no argument: who gave, money, goods or labour days, and
 * whether they may be named publicly).
 */
export const fundReceiptFeature: Feature = {
  name: 'fund-receipt',
  flows: [receiptRunner, pledgeSearchRunner],
  confirmations: [
    confirmation(receiptRunner, (_tx, ctx, data) => needAt('fund.receipt', chosenLevel(ctx, data)?.id)),
    confirmation(pledgeSearchRunner, (_tx, ctx) =>
      ctx.levelIds.map((unit) => ({ action: 'fund.receipt', unit })),
    ),
  ],
  menu: [
    menuButton({
      order: 60,
      row: 'funds-1',
      action: 'fund.receipt',
      id: menuButtonId('receiptpick'),
      label: 'menu.fund_receipt',
    }),
  ],
  buttons: [
    {
      name: 'receiptpick',
      action: 'fund.receipt',
      handle: async (chat, { actor }) =>
        chat.sayView(await openPledges(chat.tx, actor, chat.now), 'fund.refused.not_fund_officer'),
    },
    {
      name: 'receipt',
      action: 'fund.receipt',
      arg: 'optionalId',
      handle: (chat, { arg }) => chat.beginFlow(receiptRunner, arg),
    },
    {
      name: 'pledgesearch',
      action: 'fund.receipt',
      handle: (chat, { arg }) => chat.beginFlow(pledgeSearchRunner, arg),
    },
  ],
};
