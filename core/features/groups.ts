import { unitsFor } from '../access/access.ts';
import { decideGroup, registerGroup } from '../digests/group-registration.ts';
import type { Actor } from '../shared/actor.ts';
import { type Feature, type FeatureChat, render } from './feature.ts';

/**
 * Leadership groups: `/dangkynhom` in a group asks to register it, an admin approves or refuses
 * (`grpok`/`grpno`), and `/baocao` (or `/digest`) in a group posts a digest of the sender's area.
 * Anything else in a group is ignored.
 */
export const groupsFeature: Feature = {
  name: 'groups',
  commands: [
    {
      vi: 'dangkynhom',
      action: 'group.register',
      scope: 'group',
      guests: true,
      description: 'command.group_register',
      telegram: 1,
      handle: async (chat, args, actor) =>
        chat.say(render(chat, await registerGroup(chat.tx, chat.inbound, actor, args, chat.now))),
    },
    {
      vi: 'baocao',
      action: 'digest.request',
      en: 'digest',
      scope: 'group',
      guests: true,
      description: 'command.group_digest',
      telegram: 2,
      handle: async (chat, _args, actor) => {
        const area = unitsFor(actor, 'digest.request')[0];
        if (area === undefined) {
          return chat.say(chat.text('group.refused.not_leader'));
        }
        const digest = await chat.digest?.(area);
        if (digest) {
          chat.reply(digest);
        }
      },
    },
  ],
  buttons: [
    {
      name: 'grpok',
      action: 'group.decide',
      arg: 'id',
      handle: (chat, { actor, arg }) => decide(chat, actor, Number(arg), true),
    },
    {
      name: 'grpno',
      action: 'group.decide',
      arg: 'id',
      handle: (chat, { actor, arg }) => decide(chat, actor, Number(arg), false),
    },
  ],
};

async function decide(chat: FeatureChat, actor: Actor, groupId: number, approve: boolean): Promise<void> {
  chat.showMenu(render(chat, await decideGroup(chat.tx, actor, groupId, approve, chat.now)));
}
