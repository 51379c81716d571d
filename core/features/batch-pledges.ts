import { textAnswer } from '../flows/answers.ts';
import { batchPledgeRunner, ceremonyLevel } from '../funds/flows/batch-pledge.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { confirmation, type Feature, menuButton, needAt } from './feature.ts';

/**
 * The pledges announced at a launch ceremony, registered at once by an officer of the fund's level
 * (issue 17 §3): `/ghiungho` or "🎤 Ghi nhận ủng hộ tại buổi lễ", one message with a line per
 * pledge, a summary, a confirmation, a reference for each.
 */
export const batchPledgesFeature: Feature = {
  name: 'batch-pledges',
  flows: [batchPledgeRunner],
  confirmations: [
    // The level's keepers, officers or admins still, when the list is recorded.
    confirmation(batchPledgeRunner, (_tx, ctx, data) =>
      needAt('pledge.batch', ceremonyLevel(ctx, textAnswer(data.level))?.id),
    ),
  ],
  commands: [
    {
      vi: 'ghiungho',
      en: 'ceremonypledges',
      aliases: ['ghinhanhangloat'],
      action: 'pledge.batch',
      scope: 'private',
      description: 'command.batch_pledges',
      handle: (chat) => chat.beginFlow(batchPledgeRunner, undefined),
    },
  ],
  menu: [
    menuButton({
      order: 59,
      row: 'ceremony',
      action: 'pledge.batch',
      id: menuButtonId('batchpledge'),
      label: 'menu.batch_pledges',
    }),
  ],
  buttons: [
    {
      name: 'batchpledge',
      action: 'pledge.batch',
      handle: (chat) => chat.beginFlow(batchPledgeRunner, undefined),
    },
  ],
};
