import {
  exampleCard,
  exampleRunner,
  exampleUnit,
  myExamples,
  withdrawExample,
} from '../examples/model-examples.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { cardButton, confirmation, type Feature, menuButton, needAt, render } from './feature.ts';

/**
 * Model examples (gương điển hình, issue 17 §4): `/guongdienhinh` or "🌟 Gương điển hình" records
 * one; "📋 Gương đã ghi nhận" lists the officer's own, each a card with "↩️ Rút lại".
 */
export const examplesFeature: Feature = {
  name: 'examples',
  flows: [exampleRunner],
  confirmations: [
    confirmation(exampleRunner, (_tx, ctx, data) =>
      needAt('example.record', exampleUnit(ctx, data.unit === undefined ? undefined : String(data.unit))?.id),
    ),
  ],
  commands: [
    {
      vi: 'guongdienhinh',
      en: 'example',
      action: 'example.record',
      scope: 'private',
      description: 'command.example',
      handle: (chat) => chat.beginFlow(exampleRunner, undefined),
    },
  ],
  menu: [
    menuButton({
      order: 66,
      row: 'examples',
      action: 'example.record',
      id: menuButtonId('example'),
      label: 'menu.example',
    }),
    menuButton({
      order: 67,
      row: 'examples',
      action: 'example.record',
      id: menuButtonId('myexamples'),
      label: 'menu.my_examples',
    }),
  ],
  buttons: [
    {
      name: 'example',
      action: 'example.record',
      handle: (chat) => chat.beginFlow(exampleRunner, undefined),
    },
    {
      name: 'myexamples',
      action: 'example.record',
      handle: async (chat, { actor }) =>
        chat.sayView(await myExamples(chat.tx, actor, chat.now), 'example.refused.not_recorder'),
    },
    cardButton('excard', 'example.record', exampleCard, 'example.refused.elsewhere'),
    {
      name: 'exwithdraw',
      action: 'example.record',
      arg: 'id',
      handle: async (chat, { actor, arg }) =>
        chat.showMenu(
          render(chat, await withdrawExample(chat.tx, actor, Number(arg), chat.now, chat.inbound.channel)),
        ),
    },
  ],
};
