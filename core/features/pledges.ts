import { myPledgeCard, myPledges, pledgeCancelRunner, pledgeRunner } from '../funds/pledge-flow.ts';
import { confirmPledgeFromChat, pledgeRejectRunner } from '../funds/pledge-verify-chat.ts';
import type { Actor } from '../shared/actor.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { type Feature, menuButton, render } from './feature.ts';

const isOrgLeader = (actor: Actor | undefined) =>
  actor?.memberships.some((m) => m.role === 'org_leader') ?? false;
const isPledger = (actor: Actor) =>
  actor.memberships.some((m) => m.role === 'org_leader' || m.role === 'donor');
/** An organisation's leader pledges for it; anyone else as a donor. */
const pledgeMode = (actor: Actor | undefined) => (isOrgLeader(actor) ? 'org' : 'donor');

/**
 * Pledges: a donor or an organisation registers one (a stranger too, issue 5 §1), sees, edits and
 * cancels their own; the fund's keepers confirm or refuse one waiting for verification.
 */
export const pledgesFeature: Feature = {
  name: 'pledges',
  flows: [pledgeRunner, pledgeCancelRunner, pledgeRejectRunner],
  guestFlows: [pledgeRunner],
  commands: [
    {
      vi: 'ungho',
      scope: 'private',
      guests: true,
      description: 'command.pledge',
      handle: (chat, _args, actor) => chat.beginFlow(pledgeRunner, pledgeMode(actor)),
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
    { name: 'pledge', handle: (chat, { actor }) => chat.beginFlow(pledgeRunner, pledgeMode(actor)) },
    {
      name: 'mypledges',
      handle: async (chat, { actor }) => chat.sayView(await myPledges(chat.tx, actor, await chat.today())),
    },
    {
      name: 'pledgecard',
      arg: 'id',
      handle: async (chat, { actor, arg }) =>
        chat.sayView(
          await myPledgeCard(chat.tx, actor, Number(arg), await chat.today()),
          'pledge.refused.not_yours',
        ),
    },
    { name: 'pledgeedit', arg: 'id', handle: (chat, { arg }) => chat.beginFlow(pledgeRunner, `edit:${arg}`) },
    { name: 'pledgecancel', arg: 'id', handle: (chat, { arg }) => chat.beginFlow(pledgeCancelRunner, arg) },
    {
      name: 'pledgeok',
      arg: 'id',
      handle: async (chat, { actor, arg }) =>
        chat.showMenu(
          render(chat, await confirmPledgeFromChat(chat.tx, actor, Number(arg), chat.now, chat.inbound)),
        ),
    },
    { name: 'pledgeno', arg: 'id', handle: (chat, { arg }) => chat.beginFlow(pledgeRejectRunner, arg) },
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
