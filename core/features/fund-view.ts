import { fundRollupFor } from '../funds/fund-reports.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { type Feature, menuButton } from './feature.ts';

/** `/quy`: the fund's position at each level the keeper or leader sees. */
export const fundViewFeature: Feature = {
  name: 'fund-view',
  commands: [
    {
      vi: 'quy',
      action: 'fund.view',
      scope: 'private',
      description: 'command.fund',
      handle: async (chat, _args, actor) => {
        const lines = await fundRollupFor(chat.tx, actor, chat.now);
        return lines ? chat.sayLines(lines) : chat.showMenu(chat.text('leaders.refused'));
      },
    },
  ],
  menu: [menuButton({ order: 85, action: 'fund.view', id: menuButtonId('fund'), label: 'menu.fund_view' })],
  buttons: [{ name: 'fund', action: 'fund.view', handle: (chat) => chat.runCommand('quy', '') }],
};
