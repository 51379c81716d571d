import { formatInteger } from '../shared/format.ts';
import { normalizeVi, parseInteger, parseMoney } from '../shared/parse.ts';
import type { DonorKind, PledgeKind } from './fund.repository.ts';
import { MAX_PLEDGE, MIN_PLEDGE } from './pledge-flow.ts';
import { walkInDonorKind } from './receipt-words.ts';

/**
 * Reading the pledges announced at a launch ceremony (issue 17 §3), typed by an officer as one
 * message, one pledge a line: "Công ty A 50tr", "Hội LHPN phường 20 triệu", "Cty TNHH Hòa Bình:
 * 1,5 tỷ", "Bà Lê Thị C - 2.000.000đ", "Ông Nguyễn Văn B 5 bao xi măng trị giá 500k", "Trường THCS
 * Đức Xuân 10 ngày công (3 triệu)". Pure: the flow (flows/batch-pledge.ts) shows what was read and
 * what was not, and writes the pledges.
 *
 * A pledge of goods or labour days is counted at its estimated value in this product (the pledge
 * flow asks for it, the totals add it), so a line of goods without a value ("… trị giá 500k",
 * "(500 nghìn)", or an amount with its unit after the goods) is not read: the officer is asked to
 * send it again with its value rather than record a pledge worth 0 đ.
 */

/** More lines than a ceremony's officer types at once, and than one chat message holds. */
export const MAX_BATCH_LINES = 60;
const MAX_LINE_LENGTH = 300;
const MAX_NAME_LENGTH = 200;
const MAX_QUANTITY = 10_000_000;

export interface BatchPledge {
  /** The line as typed, without its bullet or number. */
  text: string;
  donorName: string;
  donorKind: DonorKind;
  kind: PledgeKind;
  /** The money pledged, or the estimated value of the goods or labour days, in đồng. */
  amount: bigint;
  /** Goods and labour days: how many, in which unit ("bao"; null when none was said), of what. */
  quantity: number | null;
  quantityUnit: string | null;
  description: string | null;
}

export const LINE_PROBLEMS = [
  'no_amount',
  'no_name',
  'no_value',
  'no_goods',
  'quantity',
  'too_small',
  'too_large',
  'too_long',
  'unclear',
] as const;
export type LineProblem = (typeof LINE_PROBLEMS)[number];

export type LineResult = { ok: true; pledge: BatchPledge } | { ok: false; problem: LineProblem };

export interface UnreadLine {
  text: string;
  problem: LineProblem;
}

export interface BatchRead {
  pledges: BatchPledge[];
  unread: UnreadLine[];
  /** For each pledge, the index of an earlier identical one (a line typed twice?), else -1. */
  duplicateOf: number[];
  /** More lines than MAX_BATCH_LINES: nothing is read. */
  tooMany: boolean;
}

/** "1.", "2)", "(3)", "-", "+", "•", "*": a list's marks before a line. */
const BULLET = /^\s*(?:\(\d{1,3}\)|\d{1,3}[.)]|[-–—•·*+▪●○◦►>]+)(?:\s+|$)/u;
/** A line ends with no punctuation that an amount could not end with. */
const TRAILING_PUNCTUATION = /[\s;,.!]+$/u;
/** What separates a name from its pledge, and what a name may end with: "A: 50tr", "C - 2tr". */
const NAME_TAIL = /[\s:;,=\-–—]+$/u;
/** Words a line may put between the donor and the pledge: "Công ty A ủng hộ 50tr". */
const VERB_TAIL = /\s+(?:xin\s+)?(?:ung ho|dang ky|dang ki|tang|gop|ho tro|trao tang|trao)$/;
/**
 * Words after which a number is part of a name, not an amount ("Tổ 3", "Lớp 9", "Đội 2"): when
 * the amount could start with it ("Tổ 3 500k"), a pledge read after it wins (500.000 đ from Tổ 3,
 * not 3,5 triệu).
 */
const NUMBERED_PLACES = new Set([
  'to',
  'khu',
  'khoi',
  'thon',
  'xom',
  'ban',
  'doi',
  'lop',
  'phong',
  'so',
  'ap',
  'nhom',
  'phuong',
  'xa',
  'quan',
  'khom',
  'cum',
  'chi doi',
  'k',
  'p',
]);
/** "trị giá 500k", "(500 nghìn)", "~ 2tr", "= 1,5 triệu": the value of goods or labour days. */
const VALUE_WORDS =
  /^(?:(?:tri gia|gia tri|uoc tinh|uoc|tuong duong|quy doi|quy ra|thanh tien|khoang)(?: khoang)?(?![a-z])|[=~≈])\s*:?\s*/;
/** An amount with a money unit ("500k", "3 triệu", "200.000đ"): a value even without a keyword. */
const MONEY_WORDED = /(?:\d\s*(?:k|nghin|ngan|tr|trieu|ty|ti)(?:\s*\d+)?|\d\s*(?:d|dong|vnd|\u20ab))$/;
/** How the money comes, after an amount: "50tr tiền mặt", "20 triệu (chuyển khoản)". */
const PAYMENT_NOTE = /\s*\(?(?:bang )?(?:tien mat|chuyen khoan|ck|tm)\)?$/;
/** Labour: "10 ngày công", "10 công", "10 ngày công san nền". */
const LABOUR = /^(?:ngay cong|cong)(?: lao dong)?(?:\s+|$)/;
/** Measure words of goods: "5 bao xi măng", "2 tấn thép", "10 m3 cát", "1.000 viên gạch". */
const MEASURES = new Set([
  'bao',
  'tan',
  'ta',
  'kg',
  'yen',
  'm3',
  'm³',
  'm2',
  'm²',
  'm',
  'met',
  'khoi',
  'vien',
  'tam',
  'bo',
  'xe',
  'chuyen',
  'thung',
  'cay',
  'chiec',
  'cai',
  'hop',
  'lit',
  'cuon',
  'thanh',
  'suat',
  'phan',
  'bich',
  'can',
  'goi',
]);
/** "Công ty TNHH 2 thành viên …": a number in a name, never goods. */
const NOT_GOODS = /^(?:thanh vien|mtv)(?:\s|$)/;
/**
 * The start of a person's name: "Ông", "Bà", "Gia đình", "Anh", "Chị"… With its marks: "chị" and
 * "chi bộ" are one word apart only by them.
 */
const PERSON =
  /^(?:ông|bà|anh|chị|cô|chú|bác|cụ|em|cháu|thầy|vợ chồng|gia đình|gđ|hộ gia đình|nhà hảo tâm|cá nhân)(?![\p{L}\p{N}])/iu;
/** "Đoàn Văn Hậu", "Đoàn Thị Lan": the family name, not a Youth Union branch. */
const DOAN_FAMILY = /^doan (?:van|thi)(?:\s|$)/;

/**
 * The donor's kind guessed from the name: "Công ty", "Cty", "DN", "Doanh nghiệp" an enterprise;
 * "Hội", "Đoàn", "Trường", "UBND", "Chi bộ"… an organisation; "Ông", "Bà", "Gia đình"… and anything
 * else a person.
 */
export function guessDonorKind(name: string): DonorKind {
  if (PERSON.test(name.trim().normalize('NFC')) || DOAN_FAMILY.test(normalizeVi(name))) {
    return 'individual';
  }
  return walkInDonorKind(name);
}

/** One line read: a pledge, or why not. Blank lines and bare bullets are the caller's to skip. */
export function parseBatchLine(raw: string): LineResult {
  const text = lineText(raw);
  if (text.length > MAX_LINE_LENGTH) {
    return { ok: false, problem: 'too_long' };
  }
  const tokens = text
    // "Bình: 1,5 tỷ", "C -2tr": the separator is a word of its own, so the amount starts a word.
    .replace(/\s*[:：]\s*/gu, ' : ')
    .replace(/\s+[-–—]+(?=\s*\d)/gu, ' - ')
    .split(/\s+/u)
    .filter((token) => token.length > 0);
  let fallback: LineResult | undefined;
  for (let i = 1; i < tokens.length; i += 1) {
    if (!/^\d/.test(tokens[i] ?? '')) {
      continue;
    }
    const rest = tokens.slice(i).join(' ');
    const outcome = readPledge(tokens.slice(0, i).join(' '), rest, text);
    if (outcome === undefined) {
      continue;
    }
    // "Tổ 3 500k": the number may be the place's, not the first group of "3 500" nghìn; a pledge
    // read after it wins.
    if (!(NUMBERED_PLACES.has(normalizeVi(tokens[i - 1] ?? '')) && /^\d+ \d/.test(rest))) {
      return outcome;
    }
    if (outcome.ok) {
      fallback ??= outcome;
    }
  }
  return fallback ?? { ok: false, problem: /^\d/.test(tokens[0] ?? '') ? 'no_name' : 'no_amount' };
}

/**
 * The whole message: each non-blank line read (bullets and numbering tolerated), the pledges in
 * order, the lines not understood with why, and identical pledges flagged.
 */
export function parseBatch(message: string): BatchRead {
  const lines = messageLines(message);
  if (lines.length > MAX_BATCH_LINES) {
    return { pledges: [], unread: [], duplicateOf: [], tooMany: true };
  }
  const pledges: BatchPledge[] = [];
  const unread: UnreadLine[] = [];
  for (const line of lines) {
    const read = parseBatchLine(line);
    if (read.ok) {
      pledges.push(read.pledge);
    } else {
      unread.push({ text: line, problem: read.problem });
    }
  }
  const keys = pledges.map(pledgeKey);
  const duplicateOf = keys.map((key, i) => {
    const first = keys.indexOf(key);
    return first < i ? first : -1;
  });
  return { pledges, unread, duplicateOf, tooMany: false };
}

/**
 * The list after the officer sent `fixed` for the lines not understood: the corrected lines take
 * their place (one for one when as many were sent, else together where the first one was), so the
 * list keeps the order of the ceremony; when `fixed` repeats every line already read, it is the
 * whole list typed again and replaces it.
 */
export function mergeCorrections(current: string, fixed: string): string {
  const lines = messageLines(current);
  const good = lines.filter((line) => parseBatchLine(line).ok);
  const bad = lines.filter((line) => !good.includes(line));
  const sent = messageLines(fixed);
  const sentKeys = new Set(sent.map(normalizeVi));
  if (good.length > 0 && good.every((line) => sentKeys.has(normalizeVi(line)))) {
    return sent.join('\n');
  }
  const oneForOne = sent.length === bad.length;
  const out: string[] = [];
  let badSeen = 0;
  for (const line of lines) {
    if (good.includes(line)) {
      out.push(line);
    } else {
      if (oneForOne) {
        out.push(sent[badSeen] ?? '');
      } else if (badSeen === 0) {
        out.push(...sent);
      }
      badSeen += 1;
    }
  }
  return (bad.length === 0 ? [...out, ...sent] : out).join('\n');
}

/** A message's non-blank lines, without bullets and numbering. */
function messageLines(message: string): string[] {
  return message
    .split(/\r?\n/u)
    .map(lineText)
    .filter((line) => line.length > 0);
}

/** Two pledges are the same when donor, form, quantity and amount are (a line typed twice?). */
function pledgeKey(p: BatchPledge): string {
  return [
    normalizeVi(p.donorName),
    p.kind,
    p.amount,
    p.quantity ?? '',
    normalizeVi(p.description ?? ''),
  ].join('|');
}

/** A line without its bullet or number and its trailing punctuation. */
function lineText(raw: string): string {
  return raw.replace(BULLET, '').replace(TRAILING_PUNCTUATION, '').trim();
}

/**
 * `name` and `rest` split at a word starting with a digit: a pledge, a problem worth telling (an
 * amount too large, goods without a value), or undefined when `rest` is no pledge at all.
 */
function readPledge(rawName: string, rest: string, text: string): LineResult | undefined {
  const donorName = cleanName(rawName);
  const money = parseMoney(normalizeVi(rest).replace(PAYMENT_NOTE, ''), { max: MAX_PLEDGE });
  if (money.ok || money.error === 'too_large') {
    const amount = money.ok ? money.value : MAX_PLEDGE + 1n;
    return finish(text, donorName, {
      kind: 'money',
      amount,
      quantity: null,
      quantityUnit: null,
      description: null,
    });
  }
  const goods = readGoods(rest);
  if (goods === undefined) {
    return undefined;
  }
  if ('problem' in goods) {
    return { ok: false, problem: goods.problem };
  }
  return finish(text, donorName, goods);
}

function finish(
  text: string,
  donorName: string,
  what: Pick<BatchPledge, 'kind' | 'amount' | 'quantity' | 'quantityUnit' | 'description'>,
): LineResult {
  if (!/\p{L}/u.test(donorName)) {
    return { ok: false, problem: 'no_name' };
  }
  if (donorName.length > MAX_NAME_LENGTH) {
    return { ok: false, problem: 'too_long' };
  }
  if (what.amount > MAX_PLEDGE) {
    return { ok: false, problem: 'too_large' };
  }
  if (what.amount < MIN_PLEDGE) {
    return { ok: false, problem: 'too_small' };
  }
  return { ok: true, pledge: { text, donorName, donorKind: guessDonorKind(donorName), ...what } };
}

/** The name without the separator before the amount and the verb ("ủng hộ") typed with it. */
function cleanName(raw: string): string {
  let name = raw.replace(NAME_TAIL, '');
  for (;;) {
    const verb = VERB_TAIL.exec(normalizeVi(name));
    if (!verb) {
      return name;
    }
    // The verb's words, counted in the name as typed (normalizing keeps one word per word).
    const words = name.split(/\s+/u);
    name = words
      .slice(0, words.length - verb[0].trim().split(' ').length)
      .join(' ')
      .replace(NAME_TAIL, '');
  }
}

type Goods = Pick<BatchPledge, 'kind' | 'amount' | 'quantity' | 'quantityUnit' | 'description'>;

/**
 * "5 bao xi măng trị giá 500k", "10 ngày công san nền (3 triệu)": goods or labour days with their
 * value; undefined when `rest` does not start with a count and words.
 */
function readGoods(rest: string): Goods | { problem: LineProblem } | undefined {
  const words = rest.split(' ');
  const count = parseInteger(words[0] ?? '', { min: 1, max: MAX_QUANTITY });
  const what = normalizeVi(words.slice(1).join(' '));
  if (words.length < 2 || !/^\p{L}/u.test(words[1] ?? '') || NOT_GOODS.test(what)) {
    return undefined;
  }
  if (!count.ok) {
    // "2,5 tấn thép": a count, not a whole one ("50tr tiền mặt" is no count at all).
    return count.error === 'not_number' ? undefined : { problem: 'quantity' };
  }
  const split = valueSplit(words.slice(1));
  const described = split?.goods ?? words.slice(1);
  const labour = LABOUR.exec(normalizeVi(described.join(' ')));
  let goods: Omit<Goods, 'amount'>;
  if (labour) {
    const work = described.slice(labour[0].trim().split(' ').length).join(' ');
    goods = { kind: 'labour', quantity: count.value, quantityUnit: 'ngày công', description: work || null };
  } else {
    const measured = MEASURES.has(normalizeVi(described[0] ?? ''));
    const description = (measured ? described.slice(1) : described).join(' ');
    if (description === '') {
      return { problem: 'no_goods' };
    }
    goods = {
      kind: 'materials',
      quantity: count.value,
      quantityUnit: measured ? (described[0] ?? null) : null,
      description,
    };
  }
  if (split === undefined) {
    return { problem: 'no_value' };
  }
  if (split.value === undefined) {
    return { problem: 'unclear' };
  }
  return { ...goods, amount: split.value };
}

/**
 * Where the goods end and their value starts: "xi măng | trị giá 500k", "xi măng | (500 nghìn)",
 * "xi măng | 500k"; `value` undefined when the value is there but unreadable, undefined when
 * there is none.
 */
function valueSplit(words: string[]): { goods: string[]; value: bigint | undefined } | undefined {
  for (let j = 1; j < words.length; j += 1) {
    const clause = words.slice(j).join(' ');
    const paren = /^\((.*)\)$/u.exec(clause);
    const inner = normalizeVi(paren ? (paren[1] ?? '') : clause);
    const keyword = VALUE_WORDS.exec(inner);
    if (paren || keyword) {
      const value = parseMoney(keyword ? inner.slice(keyword[0].length) : inner, { max: MAX_PLEDGE });
      return { goods: words.slice(0, j), value: value.ok ? value.value : undefined };
    }
    // A bare amount after the goods counts only with its money word: "5 bao xi măng 500k".
    const bare = /^\d/.test(words[j] ?? '') && MONEY_WORDED.test(inner) ? parseMoney(inner) : undefined;
    if (bare?.ok) {
      return { goods: words.slice(0, j), value: bare.value };
    }
  }
  return undefined;
}

/** "5 bao xi măng" as the summary shows goods or labour days ("10 ngày công san nền"). */
export function goodsText(p: Pick<BatchPledge, 'quantity' | 'quantityUnit' | 'description'>): string {
  return [p.quantity === null ? '' : formatInteger(p.quantity), p.quantityUnit ?? '', p.description ?? '']
    .filter((s) => s !== '')
    .join(' ');
}
