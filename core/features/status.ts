import { buildLeadersView, leaderUnitIds } from '../households/leaders-view.ts';
import type { Actor } from '../shared/actor.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { type Feature, menuButton, render } from './feature.ts';

const isLeader = (actor: Actor) => leaderUnitIds(actor).length > 0;

/** `/tinhhinh`: the leaders' view of how the units under them are doing. */
export const statusFeature: Feature = {
  name: 'status',
  commands: [
    {
      vi: 'tinhhinh',
      en: 'status',
      scope: 'private',
      listedFor: isLeader,
      description: 'command.status',
      telegram: 3,
      handle: async (chat, _args, actor) => {
        const view = await buildLeadersView(chat.tx, actor, chat.now);
        return view ? chat.say(render(chat, view)) : chat.showMenu(chat.text('leaders.refused'));
      },
    },
  ],
  menu: [menuButton({ order: 70, visible: isLeader, id: menuButtonId('status'), label: 'menu.status' })],
  buttons: [{ name: 'status', handle: (chat) => chat.runCommand('tinhhinh', '') }],
};
