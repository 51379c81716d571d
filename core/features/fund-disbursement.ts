import { disbursementRunner, unpaidHouseholds } from '../funds/flows/disbursement.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { confirmation, type Feature, menuButton, needAt } from './feature.ts';

/** A fund keeper pays a household what was allocated to it, picked from those not yet paid. */
export const fundDisbursementFeature: Feature = {
  name: 'fund-disbursement',
  flows: [disbursementRunner],
  confirmations: [confirmation(disbursementRunner, (_tx, ctx) => needAt('fund.disburse', ctx.levels[0]?.id))],
  menu: [
    menuButton({
      order: 62,
      row: 'funds-2',
      action: 'fund.disburse',
      id: menuButtonId('disbpick'),
      label: 'menu.fund_disburse',
    }),
  ],
  buttons: [
    {
      name: 'disbpick',
      action: 'fund.disburse',
      handle: async (chat, { actor }) =>
        chat.sayView(await unpaidHouseholds(chat.tx, actor, chat.now), 'fund.refused.not_fund_officer'),
    },
    {
      name: 'disb',
      action: 'fund.disburse',
      arg: 'id',
      handle: (chat, { arg }) => chat.beginFlow(disbursementRunner, arg),
    },
  ],
};
