import { pauseReminders } from '../reminders/pause-reminders.ts';
import type { Feature } from './feature.ts';

/** The reminder's "reported on paper" button: no more reminders for that period. */
export const remindersFeature: Feature = {
  name: 'reminders',
  buttons: [
    {
      name: 'pause',
      action: 'reminder.pause',
      arg: 'id',
      handle: async (chat, { actor, arg }) => {
        const said = await pauseReminders(chat.tx, actor, Number(arg), chat.now, chat.inbound.channel);
        chat.showMenu(chat.text(said.key, said.params));
      },
    },
  ],
};
