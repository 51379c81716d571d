import { isFundKeeper } from '../funds/fund-flows.ts';
import { publicSummary } from '../funds/fund-reports.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { type Feature, menuButton } from './feature.ts';

/** `/congkhai`: what the campaign received and spent, open to anyone. */
export const publicSummaryFeature: Feature = {
  name: 'public-summary',
  commands: [
    {
      vi: 'congkhai',
      scope: 'private',
      guests: true,
      description: 'command.public',
      handle: async (chat) => chat.sayLines(await publicSummary(chat.tx, chat.now)),
    },
  ],
  menu: [
    menuButton({
      order: 65,
      row: 'funds-3',
      visible: isFundKeeper,
      id: menuButtonId('public'),
      label: 'menu.fund_public',
    }),
  ],
  buttons: [{ name: 'public', handle: (chat) => chat.runCommand('congkhai', '') }],
};
