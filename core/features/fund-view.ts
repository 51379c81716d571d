import { unitsFor } from '../access/access.ts';
import { appealLines, appealResults } from '../appeals/appeal-report.ts';
import { campaignOf } from '../campaigns/campaign-of.ts';
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
        if (!lines) {
          return chat.showMenu(chat.text('leaders.refused'));
        }
        // Then what each appeal of the campaign brought (issue 17 §4).
        const campaign = await campaignOf(chat.tx, unitsFor(actor, 'fund.view'), chat.now);
        const appeals = campaign ? appealLines(await appealResults(chat.tx, campaign)) : [];
        return chat.sayLines([...lines, ...appeals]);
      },
    },
  ],
  menu: [menuButton({ order: 85, action: 'fund.view', id: menuButtonId('fund'), label: 'menu.fund_view' })],
  buttons: [{ name: 'fund', action: 'fund.view', handle: (chat) => chat.runCommand('quy', '') }],
};
