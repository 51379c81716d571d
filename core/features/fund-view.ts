import { isFundKeeper } from '../funds/fund-flows.ts';
import { fundRollupFor } from '../funds/fund-reports.ts';
import { leaderUnitIds } from '../households/leaders-view.ts';
import type { Actor } from '../shared/actor.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { type Feature, menuButton } from './feature.ts';

const seesFund = (actor: Actor) => isFundKeeper(actor) || leaderUnitIds(actor).length > 0;

/** `/quy`: the fund's position at each level the keeper or leader sees. */
export const fundViewFeature: Feature = {
  name: 'fund-view',
  commands: [
    {
      vi: 'quy',
      scope: 'private',
      listedFor: seesFund,
      description: 'command.fund',
      handle: async (chat, _args, actor) => {
        const lines = await fundRollupFor(chat.tx, actor);
        return lines ? chat.sayLines(lines) : chat.showMenu(chat.text('leaders.refused'));
      },
    },
  ],
  menu: [menuButton({ order: 85, visible: seesFund, id: menuButtonId('fund'), label: 'menu.fund_view' })],
  buttons: [{ name: 'fund', handle: (chat) => chat.runCommand('quy', '') }],
};
