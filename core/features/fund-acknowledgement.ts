import {
  approveAcknowledgement,
  askAcknowledgement,
  giftForOfficer,
  pendingGifts,
  recentGifts,
} from '../funds/acknowledgements.ts';
import { ackRefuseRunner } from '../funds/flows/ack-refuse.ts';
import { receiptSearchRunner } from '../funds/flows/receipt-search.ts';
import { currentCampaign } from '../funds/flows/shared.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import { cardButton, confirmation, type Feature, type FeatureButton, menuButton, needAt } from './feature.ts';

/** A fund officer's list of gifts (the latest, the requests waiting) in the campaign of their units. */
function officerList(name: string, view: typeof recentGifts): FeatureButton {
  return {
    name,
    action: 'fund.acknowledge',
    handle: async (chat, { actor }) =>
      chat.sayView(
        await view(chat.tx, actor, (await currentCampaign(chat.tx, chat.now, actor))?.campaign),
        'fund.refused.not_fund_officer',
      ),
  };
}

/**
 * Acknowledgement letters for every gift (issue 16 §4). Fund officers: the latest receipts of their
 * levels (`ackpick`), a search (`acksearch`), the donors' requests waiting (`ackpending`), a
 * receipt's card (`ackentry`), "Cấp / Duyệt" (`ackok`: numbered, sent to the donor and to the
 * officer) and "Từ chối" (`ackno`, with a reason). Donors: "📄 Xin giấy xác nhận" on their
 * pledge's receipts (`ackask`).
 */
export const fundAcknowledgementFeature: Feature = {
  name: 'fund-acknowledgement',
  flows: [receiptSearchRunner, ackRefuseRunner],
  confirmations: [
    confirmation(receiptSearchRunner, (_tx, ctx) =>
      ctx.levelIds.map((unit) => ({ action: 'fund.acknowledge', unit })),
    ),
    confirmation(ackRefuseRunner, async (tx, ctx) =>
      needAt('fund.acknowledge', (await tx.funds.findEntry(ctx.entryId))?.levelUnitId),
    ),
  ],
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
    officerList('ackpick', recentGifts),
    {
      name: 'acksearch',
      action: 'fund.acknowledge',
      handle: (chat) => chat.beginFlow(receiptSearchRunner, undefined),
    },
    officerList('ackpending', pendingGifts),
    cardButton('ackentry', 'fund.acknowledge', giftForOfficer, 'ack.refused.elsewhere'),
    {
      name: 'ackok',
      action: 'fund.acknowledge',
      arg: 'id',
      handle: async (chat, { actor, arg }) => {
        const outcome = await approveAcknowledgement(
          chat.tx,
          actor,
          Number(arg),
          chat.now,
          chat.inbound.channel,
        );
        chat.sayLines(outcome.lines);
        if (outcome.letter) {
          chat.reply(outcome.letter);
        }
      },
    },
    {
      name: 'ackno',
      action: 'fund.acknowledge',
      arg: 'id',
      handle: (chat, { arg }) => chat.beginFlow(ackRefuseRunner, arg),
    },
    {
      name: 'ackask',
      action: 'pledge.mine',
      arg: 'id',
      handle: async (chat, { actor, arg }) =>
        chat.sayLines(await askAcknowledgement(chat.tx, actor, Number(arg), chat.now, chat.inbound.channel)),
    },
  ],
};
