import { can } from '../access/access.ts';
import { myPledgeCard, myPledgeQr, myPledges, pledgeCancelRunner } from '../funds/my-pledges.ts';
import { pledgeRunner } from '../funds/pledge-flow.ts';
import { confirmPledgeFromChat, pledgeRejectRunner } from '../funds/pledge-verify-chat.ts';
import type { Actor } from '../shared/actor.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { confirmation, type Feature, menuButton, needAt, render } from './feature.ts';

/** The pledge entries are for organisations' leaders and donors (anyone may still type /ungho). */
const isPledger = (actor: Actor) => can(actor, 'pledge.track');
/**
 * An organisation's leader pledges for it; anyone else as a donor. With an appeal's code ("KG1"),
 * the pledge answers that appeal.
 */
export const pledgeMode = (actor: Actor | undefined, appealCode?: string) => {
  const mode = can(actor, 'pledge.org') ? 'org' : 'donor';
  return appealCode ? `${mode}:appeal:${appealCode}` : mode;
};

/**
 * Pledges: a donor or an organisation registers one (a stranger too, issue 5 §1), sees, edits and
 * cancels their own; the fund's keepers confirm or refuse one waiting for verification.
 */
export const pledgesFeature: Feature = {
  name: 'pledges',
  flows: [pledgeRunner, pledgeCancelRunner, pledgeRejectRunner],
  guestFlows: [pledgeRunner],
  confirmations: [
    // An organisation's pledge needs its leader still; a donor's own, a person still (or a guest's, nobody).
    confirmation(pledgeRunner, (_tx, ctx) =>
      ctx.mode === 'org'
        ? needAt('pledge.org', ctx.orgUnitId ?? undefined)
        : [{ action: ctx.guest ? 'pledge.register' : 'pledge.mine' }],
    ),
    confirmation(pledgeCancelRunner, async (tx, ctx) => {
      const pledge = await tx.pledges.findById(ctx.id);
      if (!pledge) {
        return undefined;
      }
      return pledge.orgUnitId !== null && pledge.donorKind === 'organisation'
        ? needAt('pledge.org', pledge.orgUnitId)
        : [{ action: 'pledge.mine' }];
    }),
    // Refusing a pledge that waits for verification (issue 13 §6): the keepers of its fund level.
    confirmation(pledgeRejectRunner, async (tx, ctx) =>
      needAt('pledge.verify', (await tx.pledges.findById(ctx.id))?.fundUnitId ?? undefined),
    ),
  ],
  commands: [
    {
      vi: 'ungho',
      action: 'pledge.register',
      scope: 'private',
      guests: true,
      description: 'command.pledge',
      // `/ungho KG1` (what `/start ungho-KG1` runs): a pledge answering the appeal KG1.
      handle: (chat, args, actor) =>
        chat.beginFlow(
          pledgeRunner,
          pledgeMode(actor, /^kg\d{1,9}$/i.test(args.trim()) ? args.trim() : undefined),
        ),
    },
  ],
  menu: [
    menuButton({
      order: 50,
      row: 'pledges',
      visible: isPledger,
      id: menuButtonId('pledge'),
      label: 'menu.pledge',
    }),
    menuButton({
      order: 51,
      row: 'pledges',
      visible: isPledger,
      id: menuButtonId('mypledges'),
      label: 'menu.my_pledges',
    }),
  ],
  buttons: [
    {
      name: 'pledge',
      action: 'pledge.register',
      handle: (chat, { actor }) => chat.beginFlow(pledgeRunner, pledgeMode(actor)),
    },
    {
      name: 'mypledges',
      action: 'pledge.mine',
      handle: async (chat, { actor }) => chat.sayView(await myPledges(chat.tx, actor, await chat.today())),
    },
    {
      name: 'pledgecard',
      action: 'pledge.mine',
      arg: 'id',
      handle: async (chat, { actor, arg }) =>
        chat.sayView(
          await myPledgeCard(chat.tx, actor, Number(arg), await chat.today()),
          'pledge.refused.not_yours',
        ),
    },
    {
      // The VietQR code for what remains of a money pledge (issue 17 §1), asked again from its card.
      name: 'pledgeqr',
      action: 'pledge.mine',
      arg: 'id',
      handle: async (chat, { actor, arg }) => {
        const view = await myPledgeQr(chat.tx, actor, Number(arg));
        if (!view) {
          return chat.sayView(undefined, 'pledge.refused.not_yours');
        }
        const caption = view.qr && chat.text(view.qr.caption.key, view.qr.caption.params);
        chat.reply({
          text: render(chat, view.lines),
          choices: view.choices,
          ...(view.qr ? { image: { ...view.qr.image, caption } } : {}),
        });
      },
    },
    {
      name: 'pledgeedit',
      action: 'pledge.mine',
      arg: 'id',
      handle: (chat, { arg }) => chat.beginFlow(pledgeRunner, `edit:${arg}`),
    },
    {
      name: 'pledgecancel',
      action: 'pledge.mine',
      arg: 'id',
      handle: (chat, { arg }) => chat.beginFlow(pledgeCancelRunner, arg),
    },
    {
      name: 'pledgeok',
      action: 'pledge.verify',
      arg: 'id',
      handle: async (chat, { actor, arg }) =>
        chat.showMenu(
          render(chat, await confirmPledgeFromChat(chat.tx, actor, Number(arg), chat.now, chat.inbound)),
        ),
    },
    {
      name: 'pledgeno',
      action: 'pledge.verify',
      arg: 'id',
      handle: (chat, { arg }) => chat.beginFlow(pledgeRejectRunner, arg),
    },
  ],
  // A donor may simply write "ủng hộ" (Zalo users rarely type commands).
  async strangerText(chat, typed) {
    if (!['ung ho', 'ungho', 'dang ky ung ho'].includes(typed)) {
      return false;
    }
    await chat.beginFlow(pledgeRunner, 'donor');
    return true;
  },
};
