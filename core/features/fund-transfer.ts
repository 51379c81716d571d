import { chosenLevel } from '../funds/flows/shared.ts';
import { transferRunner } from '../funds/flows/transfer.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { confirmation, type Feature, menuButton, needAt } from './feature.ts';

/** A fund keeper moves money between fund levels. */
export const fundTransferFeature: Feature = {
  name: 'fund-transfer',
  flows: [transferRunner],
  confirmations: [
    confirmation(transferRunner, (_tx, ctx, data) => needAt('fund.transfer', chosenLevel(ctx, data)?.id)),
  ],
  menu: [
    menuButton({
      order: 63,
      row: 'funds-2',
      action: 'fund.transfer',
      id: menuButtonId('transfer'),
      label: 'menu.fund_transfer',
    }),
  ],
  buttons: [
    {
      name: 'transfer',
      action: 'fund.transfer',
      handle: (chat) => chat.beginFlow(transferRunner, undefined),
    },
  ],
};
