import { can } from '../access/access.ts';
import { publicSummary } from '../funds/fund-reports.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { type Feature, menuButton } from './feature.ts';

/** `/congkhai`: what the campaign received and spent, open to anyone. */
export const publicSummaryFeature: Feature = {
  name: 'public-summary',
  commands: [
    {
      vi: 'congkhai',
      action: 'fund.public',
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
      // Beside the keepers' actions in their menu (anyone may use the command).
      visible: (actor) => can(actor, 'fund.receipt'),
      id: menuButtonId('public'),
      label: 'menu.fund_public',
    }),
    menuButton({
      order: 86.5,
      // A leader's: beside the Excel export, what the campaign tells the public.
      row: 'documents',
      visible: (actor) => can(actor, 'status.view') && !can(actor, 'fund.receipt'),
      id: menuButtonId('public'),
      label: 'menu.fund_public',
    }),
  ],
  buttons: [{ name: 'public', action: 'fund.public', handle: (chat) => chat.runCommand('congkhai', '') }],
};
