/**
 * The comparison keys of duplicate detection (see duplicates.ts): a head's name and a village
 * folded to what compares equal, and the bounded edit distance between two name keys. The
 * registry stores the name key (headNameKey) for searching, so the data layer imports it too.
 */

import { normalizeVi } from '../shared/parse.ts';

/** Leading words dropped from a head's name: forms of address and "hộ"/"chủ hộ" from lists. */
const NAME_TITLES: ReadonlySet<string> = new Set(['ông', 'bà', 'cụ', 'hộ', 'chủ', 'ong', 'ba', 'cu']);
const MAX_LEADING_TITLES = 3;
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/g;
const NON_WORD = /[^\p{L}\p{M}\p{N}]+/u;

/**
 * The comparison key of a head's name: lower case, no diacritics (đ → d), punctuation and runs of
 * spaces folded to one space, leading titles removed ("Ông Nguyễn Văn An" → "nguyen van an").
 *
 * Titles are recognised before diacritics are removed, so the surnames "Cù" and "Bá" are kept while
 * "cụ" and "bà" (and their unaccented spellings "cu", "ba", "ong") are dropped; at least one word
 * always remains. The registry stores this key (headNameKey) for searching.
 */
export function householdNameKey(name: string): string {
  const words = name
    .replace(ZERO_WIDTH, '')
    .normalize('NFC')
    .toLowerCase()
    .split(NON_WORD)
    .filter((w) => w !== '');
  let start = 0;
  while (start < MAX_LEADING_TITLES && start < words.length - 1 && NAME_TITLES.has(words[start] ?? '')) {
    start++;
  }
  return normalizeVi(words.slice(start).join(' '));
}

/** Words that only say what kind of place follows ("Thôn 5", "Tổ dân phố 3", "TDP 3", "Bản Nà Pài"). */
const VILLAGE_PREFIXES = /^(?:(?:to dan pho|khu pho|tdp|thon|ban|xom|to|ap|khoi|buon|so) )+(?=\S)/;

/**
 * The comparison key of a village: like a name key, without the leading kind of place and with
 * leading zeros of numbers dropped, so "Thôn 05", "thon 5" and "Tổ 5" compare equal.
 */
export function villageKey(village: string): string {
  return normalizeVi(village.replace(ZERO_WIDTH, '').replace(/[^\p{L}\p{M}\p{N}]+/gu, ' '))
    .replace(VILLAGE_PREFIXES, '')
    .replace(/(?<!\d)0+(?=\d)/g, '');
}

/**
 * A bounded memo of a pure string function: registries are scanned again for every candidate, so
 * the same names and villages are folded over and over. Cleared when full; results never change.
 */
function memoize(fn: (text: string) => string, limit: number): (text: string) => string {
  const cache = new Map<string, string>();
  return (text) => {
    let value = cache.get(text);
    if (value === undefined) {
      if (cache.size >= limit) {
        cache.clear();
      }
      value = fn(text);
      cache.set(text, value);
    }
    return value;
  };
}

export const cachedNameKey = memoize(householdNameKey, 50_000);
export const cachedVillageKey = memoize(villageKey, 10_000);

let rowA = new Int32Array(32);
let rowB = new Int32Array(32);
let rowC = new Int32Array(32);

/**
 * Damerau–Levenshtein distance (optimal string alignment: insertions, deletions, substitutions and
 * transpositions of two adjacent characters, each costing 1) between `a` and `b`, computed only
 * as far as `max`: returns the distance when it is ≤ `max`, otherwise `max + 1`.
 *
 * Why bounded: duplicate checks only care whether names are within 1 or 2 edits, so the work is a
 * band of width 2·max+1 around the diagonal and stops as soon as a whole row exceeds `max`.
 * Compares UTF-16 code units (keys are ASCII after `householdNameKey`). No allocation in steady state.
 */
export function boundedEditDistance(a: string, b: string, max: number): number {
  const limit = Math.max(0, Math.floor(max));
  const over = limit + 1;
  if (a === b) {
    return 0;
  }
  let endA = a.length;
  let endB = b.length;
  if (Math.abs(endA - endB) > limit) {
    return over;
  }
  let start = 0;
  while (start < endA && start < endB && a.charCodeAt(start) === b.charCodeAt(start)) {
    start++;
  }
  while (endA > start && endB > start && a.charCodeAt(endA - 1) === b.charCodeAt(endB - 1)) {
    endA--;
    endB--;
  }
  const n = endA - start;
  const m = endB - start;
  if (n === 0 || m === 0) {
    return Math.min(Math.max(n, m), over);
  }
  if (rowA.length <= m) {
    rowA = new Int32Array(m + 1);
    rowB = new Int32Array(m + 1);
    rowC = new Int32Array(m + 1);
  }
  let prev2 = rowA;
  let prev = rowB;
  let cur = rowC;
  for (let j = 0; j <= m; j++) {
    prev[j] = Math.min(j, over);
  }
  for (let i = 1; i <= n; i++) {
    const lo = Math.max(1, i - limit);
    const hi = Math.min(m, i + limit);
    if (lo === 1) {
      cur[0] = Math.min(i, over);
    } else {
      cur[lo - 1] = over;
    }
    const ca = a.charCodeAt(start + i - 1);
    let rowMin = lo === 1 ? (cur[0] ?? over) : over;
    for (let j = lo; j <= hi; j++) {
      const cb = b.charCodeAt(start + j - 1);
      const cost = ca === cb ? 0 : 1;
      let d = Math.min((prev[j] ?? over) + 1, (cur[j - 1] ?? over) + 1, (prev[j - 1] ?? over) + cost);
      if (
        i > 1 &&
        j > 1 &&
        ca === b.charCodeAt(start + j - 2) &&
        a.charCodeAt(start + i - 2) === cb &&
        ca !== cb
      ) {
        d = Math.min(d, (prev2[j - 2] ?? over) + 1);
      }
      d = Math.min(d, over);
      cur[j] = d;
      if (d < rowMin) {
        rowMin = d;
      }
    }
    if (hi < m) {
      cur[hi + 1] = over;
    }
    if (rowMin > limit) {
      return over;
    }
    const spare = prev2;
    prev2 = prev;
    prev = cur;
    cur = spare;
  }
  return Math.min(prev[m] ?? over, over);
}
