import { appealRunner } from '../appeals/appeal-flow.ts';
import { resumeAppeals, stopAppeals } from '../appeals/appeals.ts';
import { pledgeRunner } from '../funds/pledge-flow.ts';
import type { Actor } from '../shared/actor.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { confirmation, type Feature, type FeatureChat, type FeatureCommand, menuButton } from './feature.ts';
import { pledgeMode } from './pledges.ts';

/**
 * Appeals (issue 17 §4): an admin sends one ("📣 Gửi thư kêu gọi", `/thukeugoi`); whoever receives
 * it — a stranger too — pledges from its button (the pledge is attributed to it) or stops appeals
 * (`/tatthongbao`, its button; `/batthongbao` undoes it). A donor says on the pledge's receipt
 * whether they want news of the campaign.
 */

/** A pledge from an appeal's button: attributed to it (an appeal gone since opens a plain pledge). */
async function pledgeFromAppeal(
  chat: FeatureChat,
  actor: Actor | undefined,
  appealId: number,
): Promise<void> {
  const appeal = await chat.tx.appeals.findById(appealId);
  return chat.beginFlow(pledgeRunner, pledgeMode(actor, appeal?.code));
}

/** In a group the answer is plain; in a private chat the menu follows (a stranger has none). */
function answer(chat: FeatureChat, text: string): void {
  if (chat.inbound.chatType === 'group') {
    chat.say(text);
  } else {
    chat.sayOrMenu(text);
  }
}

async function stop(chat: FeatureChat, actor: Actor | undefined): Promise<void> {
  const { stopped } = await stopAppeals(chat.tx, chat.inbound, actor?.personId ?? null, chat.now);
  answer(chat, chat.text(stopped ? 'appeal.stopped' : 'appeal.stopped.already'));
}

async function resume(chat: FeatureChat, actor: Actor | undefined): Promise<void> {
  const resumed = await resumeAppeals(chat.tx, chat.inbound, actor?.personId ?? null, chat.now);
  answer(chat, chat.text(resumed ? 'appeal.resumed' : 'appeal.resumed.already'));
}

/** `/tatthongbao` and `/batthongbao`, in private chats and in groups alike (a chat's own choice). */
const optOutCommands: FeatureCommand[] = (['private', 'group'] as const).flatMap((scope) => [
  {
    vi: 'tatthongbao',
    en: 'stopappeals',
    action: 'appeal.optout',
    scope,
    guests: true,
    description: 'command.appeal_stop',
    handle: (chat: FeatureChat, _args: string, actor: Actor | undefined) => stop(chat, actor),
  },
  {
    vi: 'batthongbao',
    en: 'resumeappeals',
    action: 'appeal.optout',
    scope,
    guests: true,
    description: 'command.appeal_resume',
    handle: (chat: FeatureChat, _args: string, actor: Actor | undefined) => resume(chat, actor),
  },
]);

/** The donor's answer on a pledge's receipt: appeals reach them (as a donor) only if they agree. */
async function consent(chat: FeatureChat, actor: Actor, answer: string | undefined): Promise<void> {
  if (answer !== 'yes' && answer !== 'no') {
    return chat.say(chat.text('pledge.consent.ask'), [
      [{ id: menuButtonId('consent', 'yes'), label: chat.text('pledge.consent.yes') }],
      [{ id: menuButtonId('consent', 'no'), label: chat.text('pledge.consent.no') }],
    ]);
  }
  await chat.tx.appeals.setContactConsent(actor.personId, answer === 'yes');
  await chat.tx.audit.record(
    {
      personId: actor.personId,
      channel: chat.inbound.channel,
      action: 'person.contact_consent',
      entity: 'Person',
      entityId: String(actor.personId),
      after: { contactConsent: answer === 'yes' },
    },
    chat.now,
  );
  chat.showMenu(chat.text(answer === 'yes' ? 'pledge.consent.saved_yes' : 'pledge.consent.saved_no'));
}

export const appealsFeature: Feature = {
  name: 'appeals',
  flows: [appealRunner],
  confirmations: [
    // The admin's units, each still theirs when the appeal goes out.
    confirmation(appealRunner, (_tx, ctx) => ctx.unitIds.map((unit) => ({ action: 'appeal.send', unit }))),
  ],
  commands: [
    {
      vi: 'thukeugoi',
      en: 'appeal',
      action: 'appeal.send',
      scope: 'private',
      description: 'command.appeal',
      handle: (chat) => chat.beginFlow(appealRunner, chat.telegramBot),
    },
    ...optOutCommands,
  ],
  menu: [
    menuButton({
      order: 87,
      row: 'outreach',
      action: 'appeal.send',
      id: menuButtonId('appeal'),
      label: 'menu.appeal',
    }),
  ],
  buttons: [
    {
      name: 'appeal',
      action: 'appeal.send',
      handle: (chat) => chat.beginFlow(appealRunner, chat.telegramBot),
    },
    {
      name: 'appealpledge',
      action: 'pledge.register',
      arg: 'id',
      guest: (chat, arg) => pledgeFromAppeal(chat, undefined, Number(arg)),
      handle: (chat, { actor, arg }) => pledgeFromAppeal(chat, actor, Number(arg)),
    },
    { name: 'consent', action: 'pledge.mine', handle: (chat, { actor, arg }) => consent(chat, actor, arg) },
    {
      name: 'appealstop',
      action: 'appeal.optout',
      guest: (chat) => stop(chat, undefined),
      handle: (chat, { actor }) => stop(chat, actor),
    },
  ],
};
