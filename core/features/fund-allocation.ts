import { allocationRunner } from '../funds/flows/allocation.ts';
import { chosenLevel } from '../funds/flows/shared.ts';
import { householdSearchRunner } from '../households/household-flows.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { confirmation, type Feature, menuButton } from './feature.ts';

/** A fund keeper allocates money to a household: found by a search first when none is given. */
export const fundAllocationFeature: Feature = {
  name: 'fund-allocation',
  flows: [allocationRunner],
  confirmations: [
    confirmation(allocationRunner, (_tx, ctx, data) => {
      const level = chosenLevel(ctx, data)?.id;
      return level === undefined
        ? undefined
        : [
            { action: 'fund.allocate', unit: level },
            { action: 'fund.household', unit: ctx.household.unitId },
          ];
    }),
  ],
  menu: [
    menuButton({
      order: 61,
      row: 'funds-1',
      action: 'fund.allocate',
      id: menuButtonId('alloc'),
      label: 'menu.fund_allocate',
    }),
  ],
  buttons: [
    {
      name: 'alloc',
      // The household's side of an allocation (the level's is checked inside the flow).
      action: 'fund.household',
      arg: 'optionalId',
      handle: (chat, { arg }) =>
        arg === undefined
          ? chat.beginFlow(householdSearchRunner, 'alloc')
          : chat.beginFlow(allocationRunner, arg),
    },
  ],
};
