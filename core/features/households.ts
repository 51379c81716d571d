import { householdAddRunner } from '../households/household-add.ts';
import {
  findOwnHousehold,
  householdCard,
  householdList,
  householdSearchRunner,
  householdStatusRunner,
} from '../households/household-flows.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { confirmation, type Feature, menuButton, needAt, render } from './feature.ts';

/** A unit officer's households: search, list by status, add, open a card and move its status. */
export const householdsFeature: Feature = {
  name: 'households',
  flows: [householdSearchRunner, householdStatusRunner, householdAddRunner],
  confirmations: [
    // A search for an allocation is the fund keepers' (the households their levels pay to).
    confirmation(householdSearchRunner, (_tx, ctx) =>
      ctx.unitIds.map((unit) => ({
        action: ctx.target === 'alloc' ? 'fund.household' : 'household.view',
        unit,
      })),
    ),
    confirmation(householdStatusRunner, async (tx, ctx) =>
      needAt('household.status', (await tx.households.findById(ctx.householdId))?.unitId),
    ),
    confirmation(householdAddRunner, (_tx, ctx) => needAt('household.add', ctx.unitId)),
  ],
  menu: [
    menuButton({
      order: 20,
      row: 'households',
      action: 'household.view',
      id: menuButtonId('hhsearch'),
      label: 'menu.households',
    }),
    menuButton({
      order: 21,
      row: 'households',
      action: 'household.view',
      id: menuButtonId('hhlist'),
      label: 'menu.household_list',
    }),
    menuButton({
      order: 30,
      action: 'household.add',
      id: menuButtonId('hhadd'),
      label: 'menu.household_add',
    }),
  ],
  buttons: [
    {
      name: 'hhsearch',
      action: 'household.view',
      handle: (chat) => chat.beginFlow(householdSearchRunner, undefined),
    },
    {
      name: 'hhadd',
      action: 'household.add',
      handle: (chat) => chat.beginFlow(householdAddRunner, undefined),
    },
    {
      name: 'hh',
      action: 'household.view',
      arg: 'id',
      handle: async (chat, { actor, arg }) => {
        const household = await findOwnHousehold(chat.tx, actor, Number(arg));
        if (!household) {
          return chat.showMenu(chat.text('household.refused.not_found'));
        }
        const card = householdCard(household);
        chat.say(render(chat, card.lines), card.choices);
      },
    },
    {
      name: 'hhlist',
      action: 'household.view',
      handle: async (chat, { actor, arg }) => {
        const list = await householdList(chat.tx, actor, arg);
        return list
          ? chat.say(render(chat, list.lines), list.choices)
          : chat.showMenu(chat.text('household.refused.not_officer'));
      },
    },
    {
      name: 'hhmove',
      action: 'household.status',
      arg: 'id',
      handle: (chat, { arg }) => chat.beginFlow(householdStatusRunner, arg),
    },
  ],
};
