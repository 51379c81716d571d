import type { Text } from '../flows/flow.ts';
import { t } from '../messaging/catalog.ts';
import { formatMoney } from '../shared/format.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import type { Tx } from '../unit-of-work.ts';
import { askLetterChoice, loadGift } from './acknowledgements.ts';
import type { FundEntryRecord, PledgeView } from './fund.repository.ts';
import { fundName } from './fund-views.ts';
import { noticesToPeople, renderVi } from './keeper-notices.ts';
import { giftShort, receivedOn } from './receipt-words.ts';

/**
 * The donor hears of every receipt against their pledge (issue 17 §2): whoever recorded it — a fund
 * officer in the receipt flow, a bank statement's match at import, a proposal confirmed — the
 * person who registered the pledge gets one notice per receipt in each of their chats: what the
 * fund received, how much of the pledge is now paid, and the buttons to ask for that receipt's
 * acknowledgement letter and to open "Đăng ký của tôi". Keyed by the receipt, so recording nothing
 * new sends nothing again. A pledge nobody registered from a chat (typed in by an officer, the CLI)
 * has no one to tell; a reversal is never announced.
 */

/** A receipt against a pledge, with what the notice says of it. */
export interface PledgeReceipt {
  entry: FundEntryRecord;
  pledge: Pick<PledgeView, 'ref' | 'donorName' | 'personId' | 'amount'>;
  /** What was received ("100 bao xi măng (trị giá quy đổi …)"); by default the entry's own words. */
  what?: Text;
  /** Received against the pledge, this receipt included. */
  received: bigint;
  levelName: string;
}

/** The notice of one receipt: its lines and its two buttons. */
function receiptNotice(r: PledgeReceipt) {
  const gift = { entry: r.entry, pledge: undefined };
  const what = r.what ?? giftShort(gift);
  const params = {
    fund: fundName(r.levelName),
    ref: r.pledge.ref,
    donor: r.pledge.donorName,
    date: receivedOn(gift),
    received: formatMoney(r.received),
    pledged: formatMoney(r.pledge.amount),
  };
  return {
    personId: r.pledge.personId,
    key: `receipt-notice:${r.entry.id}`,
    message: {
      text: renderVi([{ key: 'fund.receipt.donor_notice', params: { ...params, what } }]),
      choices: [
        [askLetterChoice(gift)],
        [{ id: menuButtonId('mypledges'), label: t('vi', 'menu.my_pledges') }],
      ],
      // Zalo's ZNS template, for a donor who has not written for a week (issue 18 §4).
      notice: {
        kind: 'acknowledgement' as const,
        params: {
          title: t('vi', 'notice.title.receipt', { ref: r.pledge.ref }),
          ...params,
          fund: renderVi([params.fund]),
          what: renderVi([what]),
          amount: formatMoney(r.entry.amount),
        },
      },
    },
  };
}

/**
 * Each receipt's notice to the chats of its pledge's donor, all enqueued at once; how many messages.
 */
export function noticeReceipts(tx: Tx, receipts: readonly PledgeReceipt[], now: Date): Promise<number> {
  const told = receipts.filter(
    (r) => r.pledge.personId !== null && r.entry.kind !== 'reversal' && r.entry.reversesId === null,
  );
  return noticesToPeople(tx, told.map(receiptNotice), now);
}

/** The notice of one receipt just recorded against a pledge (the receipt flow, a confirmed proposal). */
export async function noticeReceipt(tx: Tx, entryId: number, now: Date): Promise<number> {
  const g = await loadGift(tx, entryId);
  if (!g?.pledge) {
    return 0;
  }
  const receipt = {
    entry: g.entry,
    pledge: g.pledge,
    what: giftShort(g),
    received: g.pledge.received,
    levelName: g.levelName,
  };
  return noticeReceipts(tx, [receipt], now);
}
