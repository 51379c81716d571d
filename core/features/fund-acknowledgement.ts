import { pledgeSearchRunner } from '../funds/flows/pledge-search.ts';
import { acknowledgement } from '../funds/fund-reports.ts';
import type { Actor } from '../shared/actor.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { type Feature, type FeatureChat, menuButton } from './feature.ts';

/** A fund keeper's acknowledgement of a pledge: shown (`ack`), then sent to the donor (`acksend`). */
export const fundAcknowledgementFeature: Feature = {
  name: 'fund-acknowledgement',
  menu: [
    menuButton({
      order: 64,
      row: 'funds-3',
      action: 'fund.acknowledge',
      id: menuButtonId('ackpick'),
      label: 'menu.fund_ack',
    }),
  ],
  buttons: [
    {
      name: 'ackpick',
      action: 'fund.acknowledge',
      handle: (chat) => chat.beginFlow(pledgeSearchRunner, 'ack'),
    },
    {
      name: 'ack',
      action: 'fund.acknowledge',
      arg: 'id',
      handle: (chat, { actor, arg }) => acknowledge(chat, actor, Number(arg), false),
    },
    {
      name: 'acksend',
      action: 'fund.acknowledge',
      arg: 'id',
      handle: (chat, { actor, arg }) => acknowledge(chat, actor, Number(arg), true),
    },
  ],
};

async function acknowledge(chat: FeatureChat, actor: Actor, pledgeId: number, send: boolean): Promise<void> {
  chat.sayView(
    await acknowledgement(chat.tx, actor, pledgeId, chat.now, send),
    'fund.refused.not_fund_officer',
  );
}
