import { allocationRunner, isFundKeeper } from '../funds/fund-flows.ts';
import { householdSearchRunner } from '../households/household-flows.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { type Feature, menuButton } from './feature.ts';

/** A fund keeper allocates money to a household: found by a search first when none is given. */
export const fundAllocationFeature: Feature = {
  name: 'fund-allocation',
  flows: [allocationRunner],
  menu: [
    menuButton({
      order: 61,
      row: 'funds-1',
      visible: isFundKeeper,
      id: menuButtonId('alloc'),
      label: 'menu.fund_allocate',
    }),
  ],
  buttons: [
    {
      name: 'alloc',
      arg: 'optionalId',
      handle: (chat, { arg }) =>
        arg === undefined
          ? chat.beginFlow(householdSearchRunner, 'alloc')
          : chat.beginFlow(allocationRunner, arg),
    },
  ],
};
