import { buildLeadersView } from '../reports/leaders-view.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { type Feature, menuButton, render } from './feature.ts';

/** `/tinhhinh`: the leaders' view of how the units under them are doing. */
export const statusFeature: Feature = {
  name: 'status',
  commands: [
    {
      vi: 'tinhhinh',
      action: 'status.view',
      en: 'status',
      scope: 'private',
      description: 'command.status',
      telegram: 3,
      handle: async (chat, _args, actor) => {
        const view = await buildLeadersView(chat.tx, actor, chat.now);
        return view ? chat.say(render(chat, view)) : chat.showMenu(chat.text('leaders.refused'));
      },
    },
  ],
  menu: [menuButton({ order: 70, action: 'status.view', id: menuButtonId('status'), label: 'menu.status' })],
  buttons: [{ name: 'status', action: 'status.view', handle: (chat) => chat.runCommand('tinhhinh', '') }],
};
