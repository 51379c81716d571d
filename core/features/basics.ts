import { repeatPrompt } from '../flows/engine.ts';
import { bold } from '../messaging/markup.ts';
import type { Actor } from '../shared/actor.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import type { Feature, FeatureChat } from './feature.ts';

/** The chat's own vocabulary: the menu, help, cancelling, and who the sender is. */
export const basicsFeature: Feature = {
  name: 'basics',
  commands: [
    {
      vi: 'menu',
      action: 'menu.use',
      scope: 'private',
      description: 'command.menu',
      telegram: 1,
      handle: async (chat) => chat.showMenu(bold(chat.text('menu.title')), await chat.loadFlow()),
    },
    {
      vi: 'huy',
      action: 'menu.use',
      en: 'cancel',
      scope: 'private',
      guests: true,
      description: 'command.cancel',
      telegram: 90,
      handle: async (chat, _args, actor) => {
        if (await chat.loadFlow()) {
          await chat.endFlow();
          return chat.sayOrMenu(chat.text('flow.cancelled'));
        }
        return actor
          ? chat.showMenu(chat.text('flow.nothing_to_cancel'))
          : chat.say(chat.text('welcome.stranger'));
      },
    },
    {
      vi: 'help',
      action: 'menu.use',
      aliases: ['trogiup'],
      scope: 'private',
      guests: true,
      description: 'command.help',
      telegram: 91,
      handle: async (chat, _args, actor) => {
        const active = await chat.loadFlow();
        if (active) {
          return chat.reply(
            repeatPrompt(active.runner.def, active.state, chat.locale, chat.text('help.in_flow')),
          );
        }
        return actor ? chat.showMenu(chat.helpText()) : chat.say(chat.text('welcome.stranger'));
      },
    },
  ],
  menu: [
    {
      order: 1000,
      visible: () => true,
      rows: (_actor, text) => [
        [
          { id: menuButtonId('whoami'), label: text('menu.whoami') },
          { id: menuButtonId('help'), label: text('menu.help') },
        ],
      ],
    },
  ],
  buttons: [
    {
      name: 'resume',
      action: 'menu.use',
      handle: async (chat, { active }) => {
        if (!active) {
          return chat.showMenu(chat.text('flow.nothing_to_resume'));
        }
        chat.reply(repeatPrompt(active.runner.def, active.state, chat.locale));
      },
    },
    {
      name: 'main',
      action: 'menu.use',
      handle: async (chat, { active }) => chat.showMenu(bold(chat.text('menu.title')), active),
    },
    {
      name: 'whoami',
      action: 'menu.use',
      handle: async (chat, { actor, active }) => chat.showMenu(whoami(chat, actor), active),
    },
    {
      name: 'help',
      action: 'menu.use',
      handle: async (chat, { active }) => chat.showMenu(chat.helpText(), active),
    },
  ],
};

function whoami(chat: FeatureChat, actor: Actor): string {
  const roles = actor.memberships.map((m) =>
    chat.text('whoami.role', { role: { key: `role.${m.role}` }, unit: m.unitName }),
  );
  return [chat.text('whoami.title', { name: actor.fullName }), ...roles].join('\n');
}
