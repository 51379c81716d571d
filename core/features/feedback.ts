import { feedbackRunner, startFeedbackRefusal } from '../feedback/feedback.ts';
import {
  feedbackAnswerRunner,
  markHandled,
  openFeedback,
  trackFeedback,
} from '../feedback/feedback-handling.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { confirmation, type Feature, type FeatureChat, menuButton, needAt, render } from './feature.ts';

/**
 * A citizen's feedback (issue 7 §5): anyone sends one (`/phananh`) and tracks it (`/tracuu`); the
 * unit's officers and the admins above see, answer and close it.
 */
export const feedbackFeature: Feature = {
  name: 'feedback',
  flows: [feedbackRunner, feedbackAnswerRunner],
  guestFlows: [feedbackRunner],
  confirmations: [
    confirmation(feedbackRunner, () => [{ action: 'feedback.send' }]),
    confirmation(feedbackAnswerRunner, async (tx, ctx) =>
      needAt('feedback.handle', (await tx.feedback.findById(ctx.id))?.unitId),
    ),
  ],
  commands: [
    {
      vi: 'phananh',
      action: 'feedback.send',
      scope: 'private',
      guests: true,
      description: 'command.feedback',
      handle: (chat) => startFeedback(chat),
    },
    {
      vi: 'tracuu',
      action: 'feedback.track',
      scope: 'private',
      guests: true,
      description: 'command.track',
      handle: async (chat, args, actor) =>
        chat.sayLines(await trackFeedback(chat.tx, actor, chat.inbound, args)),
    },
  ],
  menu: [
    menuButton({ order: 90, action: 'feedback.handle', id: menuButtonId('fblist'), label: 'menu.feedback' }),
  ],
  buttons: [
    {
      name: 'fblist',
      action: 'feedback.handle',
      handle: async (chat, { actor }) => chat.sayView(await openFeedback(chat.tx, actor)),
    },
    {
      name: 'fbhandle',
      action: 'feedback.handle',
      arg: 'id',
      handle: async (chat, { actor, arg }) =>
        chat.showMenu(render(chat, await markHandled(chat.tx, actor, Number(arg), chat.now, chat.inbound))),
    },
    {
      name: 'fbanswer',
      action: 'feedback.handle',
      arg: 'id',
      handle: (chat, { arg }) => chat.beginFlow(feedbackAnswerRunner, arg),
    },
  ],
  // A citizen may write "phản ánh" or "tra cứu PA-0001" instead of the commands.
  async strangerText(chat, typed) {
    if (['phan anh', 'phananh', 'gui phan anh'].includes(typed)) {
      await startFeedback(chat);
      return true;
    }
    const tracking = /^tra ?cuu\b\s*(.*)$/.exec(typed);
    if (tracking) {
      chat.sayLines(await trackFeedback(chat.tx, undefined, chat.inbound, tracking[1] ?? ''));
      return true;
    }
    return false;
  },
};

/** A chat that already sent its share of feedback is told so before typing anything. */
async function startFeedback(chat: FeatureChat): Promise<void> {
  const refusal = await startFeedbackRefusal(chat.tx, chat.inbound, chat.now);
  if (refusal) {
    return chat.sayOrMenu(chat.text(refusal.key, refusal.params));
  }
  return chat.beginFlow(feedbackRunner, undefined);
}
