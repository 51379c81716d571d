import type { LevelPledge } from './statement.repository.ts';

/**
 * Matching a statement's credits to pledges, as pure functions (issue 17 §2). Banks mangle the
 * description a donor typed: diacritics dropped, words joined ("UH0001NGUYENVANA"), separators
 * changed ("UH 0001", "UH.0001", "uh-1"), the text cut at the bank's length and prefixed with the
 * bank's own codes ("MBVCB.123456.UH0001 NGUYEN VAN A.CT tu 0123…"). A credit naming a live pledge
 * of the level by its reference is a match; else one whose payer's name and amount fit an open
 * money pledge is a proposal (scored); else it is unmatched.
 */

/** Lower case, no diacritics (đ → d), every dash a hyphen, spaces collapsed. */
export function foldText(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}

/** "uh", then up to three separators, then the digits (a reference "UH-0042" is written many ways). */
const REF_PATTERN = /uh[\s.\-_:#/]{0,3}(\d{1,9})/g;

/** "UH-0042": the form pledge references are stored in (at least four digits). */
export function refOf(n: number): string {
  return `UH-${String(n).padStart(4, '0')}`;
}

/**
 * The pledge references a description may name, most likely first. Each "UH…digits" gives its
 * digits as written, then — as a joined amount or account number may follow the reference
 * ("UH00012000000") — every shorter prefix of at least four digits.
 */
export function referenceCandidates(description: string): string[] {
  const out: string[] = [];
  const add = (digits: string) => {
    const n = Number(digits);
    if (n > 0) {
      const ref = refOf(n);
      if (!out.includes(ref)) {
        out.push(ref);
      }
    }
  };
  for (const m of foldText(description).matchAll(REF_PATTERN)) {
    const digits = m[1] ?? '';
    add(digits);
    for (let len = digits.length - 1; len >= 4; len--) {
      add(digits.slice(0, len));
    }
  }
  return out;
}

/** Words that say who someone is rather than name them, and company forms. */
const TITLE_PHRASES = [
  'cong ty co phan',
  'cong ty tnhh',
  'cong ty',
  'co phan',
  'trach nhiem huu han',
  'mot thanh vien',
  'doanh nghiep tu nhan',
  'ho kinh doanh',
  'gia dinh',
];
const TITLE_WORDS = new Set([
  'ong',
  'ba',
  'anh',
  'chi',
  'co',
  'chu',
  'bac',
  'em',
  'cty',
  'tnhh',
  'cp',
  'ctcp',
  'mtv',
  'dntn',
  'hkd',
  'tm',
  'dv',
]);

/** A name as compared: folded, titles and company forms removed, as words. */
export function nameTokens(name: string): string[] {
  let text = ` ${foldText(name).replace(/[^a-z0-9]+/g, ' ')} `;
  for (const phrase of TITLE_PHRASES) {
    text = text.replaceAll(` ${phrase} `, ' ');
  }
  return text.split(' ').filter((w) => w.length > 0 && !TITLE_WORDS.has(w));
}

/** Whether two words are the same allowing one typing slip in a long word. */
function sameWord(a: string, b: string): boolean {
  if (a === b) {
    return true;
  }
  if (a.length < 5 || Math.abs(a.length - b.length) > 1) {
    return false;
  }
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    edits++;
    if (edits > 1) {
      return false;
    }
    if (a.length > b.length) {
      i++;
    } else if (b.length > a.length) {
      j++;
    } else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

/**
 * How well a donor's name is found in what the bank wrote (0–1): the share of the name's words
 * present among the line's words (a word may be cut at the end of a truncated text), or 1 when the
 * name's words joined are in the line's letters joined ("NGUYENVANA").
 */
export function nameScore(donorName: string, lineText: string): number {
  const wanted = nameTokens(donorName);
  if (wanted.length === 0) {
    return 0;
  }
  const words = foldText(lineText)
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
  if (wanted.join('').length >= 6 && words.replaceAll(' ', '').includes(wanted.join(''))) {
    return 1;
  }
  const have = words.split(' ');
  const last = have[have.length - 1] ?? '';
  let found = 0;
  for (const w of wanted) {
    if (have.some((h) => sameWord(w, h)) || (last.length >= 3 && w.startsWith(last) && w !== last)) {
      found++;
    }
  }
  return found / wanted.length;
}

/** A proposal needs most of the name: three words of four, both of two. */
export const PROPOSAL_THRESHOLD = 0.75;

/** The level's pledges indexed once per import: by reference, and open money pledges by amount. */
export interface PledgeIndex {
  byRef: Map<string, MatchPledge>;
  /** Open money pledges by what is left to pay and by the amount pledged. */
  byAmount: Map<bigint, MatchPledge[]>;
}

/** A pledge with what this import has given it so far (credits earlier in the file). */
export interface MatchPledge extends LevelPledge {
  /** Received, counting the matches earlier in this import. */
  receivedNow: bigint;
  /** Proposed for a credit earlier in this import (one proposal per pledge and import). */
  proposed: boolean;
}

export function indexPledges(pledges: readonly LevelPledge[]): PledgeIndex {
  const byRef = new Map<string, MatchPledge>();
  const byAmount = new Map<bigint, MatchPledge[]>();
  const put = (amount: bigint, p: MatchPledge) => {
    const list = byAmount.get(amount);
    if (!list) {
      byAmount.set(amount, [p]);
    } else if (!list.includes(p)) {
      list.push(p);
    }
  };
  for (const pledge of pledges) {
    if (pledge.cancelled) {
      continue;
    }
    const p: MatchPledge = { ...pledge, receivedNow: pledge.received, proposed: false };
    byRef.set(p.ref, p);
    if (p.kind === 'money' && p.received < p.amount) {
      put(p.amount - p.received, p);
      put(p.amount, p);
    }
  }
  return { byRef, byAmount };
}

export type CreditMatch =
  | { status: 'matched'; pledge: MatchPledge; overpayment: boolean }
  | { status: 'proposed'; pledge: MatchPledge; score: number }
  | { status: 'unmatched' };

/**
 * What a credit is: a match by reference (the pledge's received updated in the index, so a second
 * payment of the same pledge in the file is flagged as overpaying), else the best proposal by name
 * and amount above the threshold, else unmatched.
 */
export function matchCredit(
  index: PledgeIndex,
  credit: { amount: bigint; description: string; counterparty?: string | null },
): CreditMatch {
  for (const ref of referenceCandidates(credit.description)) {
    const pledge = index.byRef.get(ref);
    if (pledge) {
      const overpayment = credit.amount > pledge.amount - pledge.receivedNow;
      pledge.receivedNow += credit.amount;
      return { status: 'matched', pledge, overpayment };
    }
  }
  const text = `${credit.counterparty ?? ''} ${credit.description}`;
  let best: { pledge: MatchPledge; score: number } | undefined;
  for (const pledge of index.byAmount.get(credit.amount) ?? []) {
    const left = pledge.amount - pledge.receivedNow;
    if (pledge.proposed || left <= 0n || (credit.amount !== left && credit.amount !== pledge.amount)) {
      continue;
    }
    const score = nameScore(pledge.donorName, text);
    if (score >= PROPOSAL_THRESHOLD && (!best || score > best.score)) {
      best = { pledge, score };
    }
  }
  if (!best) {
    return { status: 'unmatched' };
  }
  best.pledge.proposed = true;
  return { status: 'proposed', pledge: best.pledge, score: Math.round(best.score * 100) / 100 };
}
