import { normalizeInviteCode } from '../people/invite-code.ts';
import { inviteCreateRunner } from '../people/invite-flow.ts';
import { type RedeemOutcome, redeemInvite } from '../people/redeem-invite.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { normalizeVi } from '../shared/parse.ts';
import { confirmation, type Feature, type FeatureChat, menuButton, needAt } from './feature.ts';

/** Joining with an invite code (`/start CODE`, or the code typed) and admins creating codes. */
export const invitesFeature: Feature = {
  name: 'invites',
  flows: [inviteCreateRunner],
  confirmations: [
    confirmation(inviteCreateRunner, (_tx, ctx, data) =>
      needAt('invite.create', ctx.units.find((u) => String(u.id) === data.unit)?.id),
    ),
  ],
  commands: [
    {
      vi: 'start',
      action: 'menu.use',
      scope: 'private',
      guests: true,
      description: 'command.start',
      telegram: 1,
      handle: async (chat, args, actor) => {
        // Telegram's deep links: `/start ungho` opens a pledge (`/start ungho-KG1` one answering
        // the appeal KG1), `/start CODE` redeems an invite.
        const pledge = /^ungho(?:-([a-z0-9]{1,20}))?$/.exec(normalizeVi(args));
        if (pledge) {
          return chat.runCommand('ungho', pledge[1]?.toUpperCase() ?? '');
        }
        if (args) {
          return redeem(chat, args);
        }
        return actor
          ? chat.showMenu(chat.text('welcome.back', { name: actor.fullName }))
          : chat.say(chat.text('welcome.stranger'));
      },
    },
  ],
  menu: [
    menuButton({
      order: 80,
      // An admin's: inviting people and appealing to the public share a row.
      row: 'outreach',
      action: 'invite.create',
      id: menuButtonId('invite'),
      label: 'menu.invite',
    }),
  ],
  buttons: [
    {
      name: 'invite',
      action: 'invite.create',
      handle: (chat) => chat.beginFlow(inviteCreateRunner, chat.telegramBot),
    },
  ],
  async strangerText(chat) {
    const code = chat.inbound.kind === 'text' ? normalizeInviteCode(chat.inbound.text ?? '') : undefined;
    if (!code) {
      return false;
    }
    await redeem(chat, code);
    return true;
  },
};

async function redeem(chat: FeatureChat, raw: string): Promise<void> {
  const code = normalizeInviteCode(raw);
  const outcome: RedeemOutcome = code
    ? await redeemInvite(chat.tx, chat.inbound, code, chat.actor, chat.now)
    : { ok: false, reply: { key: 'invite.malformed' } };
  if (!outcome.ok) {
    return chat.say(chat.text(outcome.reply.key, outcome.reply.params));
  }
  await chat.becomeMember();
  chat.showMenu(chat.text(outcome.reply.key, outcome.reply.params));
}
