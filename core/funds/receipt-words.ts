import type { Text } from '../flows/flow.ts';
import { fromIsoDate } from '../shared/calendar.ts';
import { formatDate, formatInteger, formatMoney } from '../shared/format.ts';
import { moneyInWords } from '../shared/money-words.ts';
import { normalizeVi } from '../shared/parse.ts';
import type { DonorKind, FundEntryRecord, PledgeView } from './fund.repository.ts';
import { withoutQuantity } from './fund-views.ts';

/**
 * A gift received (a receipt of money, or goods and labour days at their value), in the words the
 * acknowledgement letter and the chat use: who gave it and what was given, worded as what it was.
 */

/** A receipt and, when it was paid against one, its pledge. */
export interface Gift {
  entry: FundEntryRecord;
  pledge: PledgeView | undefined;
}

export type GiftForm = 'money' | 'materials' | 'labour';

/**
 * Words that start an organisation's or enterprise's name (a walk-in payer has no donor kind). Not
 * `\b`: it is ASCII-only, so "chi bộ", "sở" or "quỹ" (ending in a letter with a mark) never matched.
 */
const ENTERPRISE =
  /^(công ty|cty|doanh nghiệp|dntn|dn|tập đoàn|tổng công ty|ngân hàng|chi nhánh|hợp tác xã|htx|cửa hàng)(?![\p{L}\p{N}])/iu;
const ORGANISATION =
  /^(hội|ủy ban|uỷ ban|ubnd|đảng ủy|đảng uỷ|chi bộ|đoàn|liên đoàn|công đoàn|trường|bệnh viện|sở|phòng|ban|cục|chi cục|trung tâm|quỹ|câu lạc bộ|clb|tổ chức|cơ quan|văn phòng|bộ chỉ huy|công an|ban chỉ huy|nhà thờ|chùa|giáo xứ|các|tập thể|đảng bộ|mặt trận|tổ dân phố|tổ|thôn|xóm)(?![\p{L}\p{N}])/iu;

/** A walk-in payer's kind, from the name written on the receipt. */
export function walkInDonorKind(name: string): DonorKind {
  // Some phones type Vietnamese decomposed ("ô" + a combining mark): compare the composed form.
  const n = name.trim().normalize('NFC');
  if (ENTERPRISE.test(n)) {
    return 'enterprise';
  }
  return ORGANISATION.test(n) ? 'organisation' : 'individual';
}

/** Who gave: the pledge's donor, or the payer written on a walk-in receipt. */
export function giverOf(g: Gift): { name: string; kind: DonorKind } {
  if (g.pledge) {
    return { name: g.pledge.donorName, kind: g.pledge.donorKind };
  }
  const name = (g.entry.note ?? '').trim();
  return { name, kind: walkInDonorKind(name) };
}

/** Labour days are written as such ("50 ngày công san nền"); other gifts in kind are goods. */
export function giftForm(g: Gift): GiftForm {
  if (g.entry.kind === 'receipt') {
    return 'money';
  }
  if (g.pledge?.kind === 'labour' || g.pledge?.kind === 'materials') {
    return g.pledge.kind;
  }
  return normalizeVi(g.entry.description ?? '').includes('ngay cong') ? 'labour' : 'materials';
}

/** What a pledge in kind promised, as a receipt against it describes it: "100 bao xi măng". */
export function pledgeGoods(p: PledgeView): string {
  const quantity = p.quantity === null ? '' : formatInteger(p.quantity);
  const unit = p.kind === 'labour' ? 'ngày công' : (p.quantityUnit ?? '');
  const description = withoutQuantity((p.description ?? '').trim(), p.quantity, unit);
  return [quantity, unit, description].filter((s) => s.trim().length > 0).join(' ');
}

/** What was given in kind: the receipt's own description, else its pledge's. */
export function goodsOf(g: Gift): string {
  const own = (g.entry.description ?? '').trim();
  if (own.length > 0) {
    return own;
  }
  return g.pledge && g.pledge.kind !== 'money' ? pledgeGoods(g.pledge) : '';
}

/** "105.000.000" for a letter's "… đồng". */
export function amountDigits(amount: bigint): string {
  return formatInteger(Number(amount));
}

/**
 * The gift in the letter's words: "số tiền 105.000.000 đồng (Bằng chữ: Một trăm linh năm triệu
 * đồng)", "100 bao xi măng, trị giá quy đổi ước tính 9.000.000 đồng (Bằng chữ: Chín triệu đồng)",
 * "50 ngày công, quy đổi ước tính …".
 */
export function giftInWords(g: Gift): Text {
  const form = giftForm(g);
  return {
    key: `ack.gift.${form}`,
    params: {
      amount: amountDigits(g.entry.amount),
      words: moneyInWords(g.entry.amount),
      what: form === 'money' ? '' : goodsOf(g),
    },
  };
}

/** The gift in a chat line: "105.000.000 đ", "100 bao xi măng (trị giá 9.000.000 đ)". */
export function giftShort(g: Gift): Text {
  return giftForm(g) === 'money'
    ? { key: 'ack.short.money', params: { amount: formatMoney(g.entry.amount) } }
    : { key: 'ack.short.in_kind', params: { what: goodsOf(g), amount: formatMoney(g.entry.amount) } };
}

/** dd/mm/yyyy of the day the gift was received. */
export function receivedOn(g: Gift): string {
  return formatDate(fromIsoDate(g.entry.occurredOn));
}
