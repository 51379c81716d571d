import type { Text } from '../flows/flow.ts';
import { code } from '../messaging/markup.ts';
import type { PaymentQrImage, VietQrRecipe } from '../messaging/message.ts';
import { formatMoney } from '../shared/format.ts';
import type { Tx } from '../unit-of-work.ts';
import type { DonorKind, PledgeKind } from './fund.repository.ts';
import { accountParams, fundAccountOf } from './fund-accounts.ts';

/**
 * Paying a pledge by scanning (issue 17 §1): the NAPAS VietQR recipe for a transfer to the fund of
 * the pledge's level — its bank's BIN and account, the amount, and the purpose "UH-0001 <donor>"
 * that a bank statement line is matched by. The channels draw it (bot/images/vietqr.ts).
 */

/**
 * The longest transfer purpose we put in a QR. EMVCo's merchant-presented QR gives the purpose of
 * transaction (tag 62, sub-tag 08) at most 25 characters, and NAPAS's VietQR specification keeps
 * that limit; banking apps fill their "nội dung" from it. Gateways document shorter limits of their
 * own (api.vietqr.vn's `content`: 19) because they append their own order code — we do not, so 25.
 */
export const VIETQR_PURPOSE_MAX = 25;

/** The largest amount the QR's tag 54 carries: 13 characters (EMVCo), so at most 13 digits. */
const MAX_AMOUNT = 10n ** 13n - 1n;

/**
 * ASCII upper case as banks print a transfer's content: Vietnamese diacritics removed (đ → D),
 * anything but letters and digits a space, runs of spaces one.
 */
export function asciiUpper(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'D')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();
}

/**
 * How organisations shorten their names in a transfer's content, longest phrase first (ASCII, as
 * `asciiUpper` leaves them): "HOI LIEN HIEP PHU NU THANH PHO BAC KAN" → "HOI LHPN TP BAC KAN".
 */
const ORGANISATION_ABBREVIATIONS: readonly [string, string][] = [
  ['THANH NIEN CONG SAN HO CHI MINH', 'TNCS HCM'],
  ['TRACH NHIEM HUU HAN', 'TNHH'],
  ['MOT THANH VIEN', 'MTV'],
  ['MAT TRAN TO QUOC', 'MTTQ'],
  ['UY BAN NHAN DAN', 'UBND'],
  ['LIEN HIEP PHU NU', 'LHPN'],
  ['TRUNG HOC PHO THONG', 'THPT'],
  ['TRUNG HOC CO SO', 'THCS'],
  ['DOANH NGHIEP TU NHAN', 'DNTN'],
  ['CUU CHIEN BINH', 'CCB'],
  ['HOP TAC XA', 'HTX'],
  ['CONG TY', 'CTY'],
  ['CO PHAN', 'CP'],
  ['NGAN HANG', 'NH'],
  ['THANH PHO', 'TP'],
  ['NONG DAN', 'ND'],
  ['VIET NAM', 'VN'],
];

/** How a person may be addressed before the name ("Ông Nguyễn Văn B"), dropped when room is short. */
const HONORIFICS = new Set(['ONG', 'BA', 'ANH', 'CHI', 'CO', 'CHU', 'BAC']);

/** The words kept whole while they fit, the rest cut at a word (a single long word at `room`). */
function cutAtWord(words: readonly string[], room: number): string {
  let kept = '';
  for (const word of words) {
    const next = kept === '' ? word : `${kept} ${word}`;
    if (next.length > room) {
      break;
    }
    kept = next;
  }
  return kept === '' ? (words[0] ?? '').slice(0, room) : kept;
}

/**
 * A person's name in `room` characters: whole if it fits, else the middle names, then the family
 * name, as initials ("TON NU THI PHUONG THAO" → "TON N T P THAO" → "T N T P THAO" → "TNTP THAO");
 * the given name — the last word, how Vietnamese people are called — always stays whole.
 */
function shortPersonName(words: string[], room: number): string {
  let parts = words.length > 2 && HONORIFICS.has(words[0] ?? '') ? words.slice(1) : [...words];
  const fits = () => parts.join(' ').length <= room;
  for (let i = 1; i < parts.length - 1 && !fits(); i += 1) {
    parts[i] = parts[i]?.[0] ?? '';
  }
  if (!fits() && parts.length > 1) {
    parts[0] = parts[0]?.[0] ?? '';
  }
  if (!fits() && parts.length > 1) {
    parts = [parts.slice(0, -1).join(''), parts.at(-1) ?? ''];
  }
  return fits() ? parts.join(' ') : cutAtWord([parts.at(-1) ?? '', ...parts.slice(0, -1)], room);
}

/** The words that start a place in an organisation's name ("… TINH THAI NGUYEN", "… TP BAC KAN"). */
const PLACE_WORDS = new Set(['TINH', 'TP', 'HUYEN', 'QUAN', 'THI', 'XA', 'PHUONG', 'TT', 'TX']);

/**
 * An organisation's name in `room` characters: its usual abbreviations, then the place it is of as
 * initials ("HOI LHPN TINH THAI NGUYEN" → "HOI LHPN TINH TN", else "HOI CCB PCK"), then cut at a word.
 */
function shortOrganisationName(name: string, room: number): string {
  let short = name;
  for (const [phrase, abbreviation] of ORGANISATION_ABBREVIATIONS) {
    if (short.length <= room) {
      break;
    }
    short = short.replace(new RegExp(`\\b${phrase}\\b`, 'g'), abbreviation);
  }
  const words = short.split(' ');
  const place = words.findLastIndex((word, i) => i > 0 && PLACE_WORDS.has(word));
  if (short.length > room && place > 0 && place < words.length - 2) {
    const initials = words.slice(place + 1).map((word) => (/^\d+$/.test(word) ? word : word[0]));
    short = [...words.slice(0, place + 1), initials.join('')].join(' ');
    if (short.length > room) {
      // "HOI CCB PCK": the place's initials tell more than the word "PHUONG" before them.
      short = [...words.slice(0, place), initials.join('')].join(' ');
    }
  }
  return short.length <= room ? short : cutAtWord(short.split(' '), room);
}

/**
 * The donor's name, short enough for `room` characters: an individual's workplace ("Lê Văn Bình –
 * Sở Xây dựng") is left out first, then the name is shortened as people or organisations do.
 */
export function shortDonorName(donorName: string, donorKind: DonorKind, room: number): string {
  if (room <= 0) {
    return '';
  }
  const whole = asciiUpper(donorName);
  if (whole.length <= room) {
    return whole;
  }
  if (donorKind !== 'individual') {
    return shortOrganisationName(whole, room);
  }
  const person = asciiUpper(donorName.split(/\s[–—-]\s/)[0] ?? '');
  return shortPersonName(person.split(' ').filter(Boolean), room);
}

/**
 * The transfer's purpose, "UH-0001 NGUYEN VAN AN": the pledge's reference always whole (a statement
 * line is matched by it), then as much of the donor's name as fits in VIETQR_PURPOSE_MAX.
 */
export function transferPurpose(ref: string, donorName: string, donorKind: DonorKind): string {
  const name = shortDonorName(donorName, donorKind, VIETQR_PURPOSE_MAX - ref.length - 1);
  return name === '' ? ref : `${ref} ${name}`;
}

/** What a payment QR is built from: the pledge and the amount still to pay. */
export interface PledgeToPay {
  ref: string;
  campaignId: number;
  fundUnitId: number;
  fundUnitName: string;
  kind: PledgeKind;
  donorName: string;
  donorKind: DonorKind;
}

/** How to pay a pledge: the transfer's text, and the QR when the fund's account has a BIN. */
export interface PledgePayment {
  /** "🏦 Chuyển khoản về Quỹ … nội dung: UH-0001 …" (none without an account). */
  lines: Text[];
  /** The QR to scan, and its caption in the reader's language (none without a BIN). */
  qr?: { image: PaymentQrImage; caption: Text };
}

/**
 * How to pay `amount` đồng of a money pledge: where to transfer it, with the purpose as the transfer's
 * content, and — when the fund's account names its bank's BIN — the VietQR code that fills all of it
 * in. Nothing for goods and labour, or for a level whose account the campaign does not give.
 */
export async function pledgePayment(tx: Tx, pledge: PledgeToPay, amount: bigint): Promise<PledgePayment> {
  if (pledge.kind !== 'money') {
    return { lines: [] };
  }
  const account = await fundAccountOf(tx, pledge.campaignId, pledge.fundUnitId);
  if (account === undefined) {
    return { lines: [] };
  }
  const purpose = transferPurpose(pledge.ref, pledge.donorName, pledge.donorKind);
  const params = accountParams(pledge.fundUnitName, account);
  const scannable = account.bin !== undefined && amount > 0n && amount <= MAX_AMOUNT;
  const lines: Text[] = [
    {
      key: 'pledge.fund_account',
      params: {
        ...params,
        account: code(params.account),
        purpose: code(purpose),
        scan: scannable ? { key: 'pledge.fund_account.scan' } : '',
      },
    },
  ];
  if (!scannable || account.bin === undefined) {
    return { lines };
  }
  const recipe: VietQrRecipe = {
    bin: account.bin,
    accountNumber: account.accountNumber,
    amount: amount.toString(),
    purpose,
  };
  return {
    lines,
    qr: {
      image: { vietqr: recipe },
      caption: {
        key: 'pledge.qr.caption',
        params: { amount: formatMoney(amount), level: params.level, purpose },
      },
    },
  };
}
