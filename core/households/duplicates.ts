/**
 * Finding households that are probably already in the registry, so the same family is not
 * proposed twice (once by the village, once by the commune; once with diacritics, once without).
 *
 * Rules, strongest first:
 * - the same ID number hash (CMND/CCCD) → 'certain', whatever else differs;
 * - otherwise the head's name must match, ignoring diacritics, case and titles ("Ông", "Bà", "Cụ")
 *   or within a small Damerau–Levenshtein distance (1 for names of up to 12 letters, 2 for longer),
 *   AND the place must match (same unit, or same village ignoring "thôn", "tổ", "bản", …);
 *   then same birth year → 'likely', a birth year unknown on either side → 'possible', and two
 *   different known birth years → not a duplicate.
 *
 * `findLikelyDuplicates` scans a list (one household typed in the chat); `createDuplicateIndex`
 * prepares the registry once for an import of thousands of rows and returns exactly the same
 * answers, in the same order.
 */

import { normalizeVi } from '../shared/parse.ts';

/** The fields duplicate detection reads; stored households and import rows both fit. */
export interface DuplicateSubject {
  id?: number;
  code: string;
  unitId: number;
  village: string;
  headName: string;
  birthYear?: number | null;
  /** Hash of the CMND/CCCD number (never the number itself). */
  idNumberHash?: string | null;
  campaignId?: number;
}

export type DuplicateLevel = 'certain' | 'likely' | 'possible';

export interface DuplicateMatch<T extends DuplicateSubject = DuplicateSubject> {
  household: T;
  level: DuplicateLevel;
  /** Vietnamese, shown to the official, e.g. "Cùng họ tên (không dấu)", "Cùng năm sinh 1958". */
  reasons: string[];
}

export interface DuplicateOptions {
  /** Return at most this many matches (the most likely ones); default: all. */
  limit?: number;
  /**
   * Only 'certain' and 'likely' matches (an import flags no 'possible' one). Lets the index skip
   * every household whose birth year is not the candidate's, so it is as fast as it is exact.
   */
  likelyOnly?: boolean;
}

/** The registry prepared for many look-ups; `find` answers exactly like `findLikelyDuplicates`. */
export interface DuplicateIndex<T extends DuplicateSubject> {
  /** How many households the index holds. */
  readonly size: number;
  /** The likely duplicates of `candidate` among the indexed households, most likely first. */
  find(candidate: DuplicateSubject, opts?: DuplicateOptions): DuplicateMatch<T>[];
  /**
   * Adds a household after the existing ones, e.g. an accepted import row, so later rows of the
   * same file are checked against it; answers then equal `findLikelyDuplicates` over
   * `[...existing, ...added]`.
   */
  add(household: T): void;
}

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

const cachedNameKey = memoize(householdNameKey, 50_000);
const cachedVillageKey = memoize(villageKey, 10_000);

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

/** Names of up to this many letters (spaces not counted) may differ by 1 edit, longer ones by 2. */
const SHORT_NAME_LETTERS = 12;
const MAX_NAME_EDITS = 2;

function letterCount(key: string): number {
  let spaces = 0;
  for (let i = 0; i < key.length; i++) {
    if (key.charCodeAt(i) === 32) {
      spaces++;
    }
  }
  return key.length - spaces;
}

/** One household with its comparison keys, computed on first use. */
class Entry<T extends DuplicateSubject> {
  readonly household: T;
  readonly position: number;
  #nameKey: string | undefined;
  #nameLetters = -1;
  #villageKey: string | undefined;

  /** The ID number hash; null when unknown (an empty text too). */
  readonly hash: string | null;
  readonly birthYear: number | null;

  constructor(household: T, position: number) {
    this.household = household;
    this.position = position;
    const hash = household.idNumberHash;
    this.hash = hash === undefined || hash === null || hash === '' ? null : hash;
    this.birthYear = household.birthYear ?? null;
  }

  get nameKey(): string {
    if (this.#nameKey === undefined) {
      this.#nameKey = cachedNameKey(this.household.headName);
    }
    return this.#nameKey;
  }

  get nameLetters(): number {
    if (this.#nameLetters < 0) {
      this.#nameLetters = letterCount(this.nameKey);
    }
    return this.#nameLetters;
  }

  get villageKey(): string {
    if (this.#villageKey === undefined) {
      this.#villageKey = cachedVillageKey(this.household.village);
    }
    return this.#villageKey;
  }
}

/** The edit distance between the two names when they match, otherwise undefined. */
function nameDistance(a: Entry<DuplicateSubject>, b: Entry<DuplicateSubject>): number | undefined {
  if (a.nameKey === '' || b.nameKey === '') {
    return undefined;
  }
  if (a.nameKey === b.nameKey) {
    return 0;
  }
  const limit = Math.min(a.nameLetters, b.nameLetters) <= SHORT_NAME_LETTERS ? 1 : MAX_NAME_EDITS;
  const distance = boundedEditDistance(a.nameKey, b.nameKey, limit);
  return distance <= limit ? distance : undefined;
}

interface Scored<T extends DuplicateSubject> {
  match: DuplicateMatch<T>;
  rank: number;
  /** Name edits; names that do not match (an ID-only match) sort after all that do. */
  distance: number;
  /** 2 when unit and village both match, 1 when one does. */
  place: number;
  position: number;
}

const LEVEL_RANK: Readonly<Record<DuplicateLevel, number>> = { certain: 0, likely: 1, possible: 2 };

/** Applies the rules of the module comment to one pair; undefined when it is not a duplicate. */
function judge<T extends DuplicateSubject>(c: Entry<DuplicateSubject>, e: Entry<T>): Scored<T> | undefined {
  const candidate = c.household;
  const other = e.household;
  if (candidate.id !== undefined && candidate.id === other.id) {
    return undefined;
  }
  const sameHash = c.hash !== null && c.hash === e.hash;
  if (c.hash !== null && e.hash !== null && !sameHash) {
    // Two different citizen ID numbers are two different people, whatever their names.
    return undefined;
  }
  const yearC = c.birthYear;
  const yearE = e.birthYear;
  const yearsKnown = yearC !== null && yearE !== null;
  if (!sameHash && yearsKnown && yearC !== yearE) {
    return undefined;
  }
  const sameUnit = candidate.unitId === other.unitId;
  let sameVillage: boolean | undefined;
  if (!sameUnit) {
    sameVillage = c.villageKey !== '' && c.villageKey === e.villageKey;
    if (!sameVillage && !sameHash) {
      return undefined;
    }
  }
  const distance = nameDistance(c, e);
  if (distance === undefined && !sameHash) {
    return undefined;
  }
  if (sameVillage === undefined) {
    sameVillage = c.villageKey !== '' && c.villageKey === e.villageKey;
  }
  let level: DuplicateLevel = 'possible';
  if (sameHash) {
    level = 'certain';
  } else if (yearsKnown) {
    level = 'likely';
  }

  const reasons: string[] = [];
  if (sameHash) {
    reasons.push('Cùng số CCCD/CMND');
  }
  if (distance === 0) {
    reasons.push('Cùng họ tên (không dấu)');
  } else if (distance !== undefined) {
    reasons.push(`Tên gần giống (sai ${distance} ký tự)`);
  }
  if (sameVillage) {
    reasons.push('Cùng thôn');
  }
  if (sameUnit) {
    reasons.push('Cùng đơn vị');
  }
  if (yearsKnown && yearC === yearE) {
    reasons.push(`Cùng năm sinh ${yearC}`);
  } else if (!yearsKnown && !sameHash) {
    reasons.push('Chưa đủ năm sinh để đối chiếu');
  }
  if (
    candidate.campaignId !== undefined &&
    other.campaignId !== undefined &&
    candidate.campaignId !== other.campaignId
  ) {
    reasons.push('Thuộc đợt vận động khác');
  }
  return {
    match: { household: other, level, reasons },
    rank: LEVEL_RANK[level],
    distance: distance ?? MAX_NAME_EDITS + 1,
    place: (sameUnit ? 1 : 0) + (sameVillage ? 1 : 0),
    position: e.position,
  };
}

/** Most likely first: level, then closer name, then closer place, then registry order. */
function compareScored<T extends DuplicateSubject>(x: Scored<T>, y: Scored<T>): number {
  return x.rank - y.rank || x.distance - y.distance || y.place - x.place || x.position - y.position;
}

function finish<T extends DuplicateSubject>(
  scored: Scored<T>[],
  opts: DuplicateOptions,
): DuplicateMatch<T>[] {
  const wanted = opts.likelyOnly === true ? scored.filter((s) => s.match.level !== 'possible') : scored;
  wanted.sort(compareScored);
  const limit = opts.limit;
  const kept = limit === undefined ? wanted : wanted.slice(0, Math.max(0, Math.floor(limit)));
  return kept.map((s) => s.match);
}

/**
 * The households of `existing` that are probably the same family as `candidate`, most likely first
 * (level, then name distance, then place, then order in `existing`).
 *
 * Contract: see the module comment for the rules; a household never matches itself (same `id`).
 * Each result carries Vietnamese reasons for the official. Pure; for one candidate against a
 * commune's registry. For an import of many rows use `createDuplicateIndex`, which gives the
 * same answers without scanning everything for each row.
 */
export function findLikelyDuplicates<T extends DuplicateSubject>(
  candidate: DuplicateSubject,
  existing: readonly T[],
  opts: DuplicateOptions = {},
): DuplicateMatch<T>[] {
  const c = new Entry(candidate, -1);
  const scored: Scored<T>[] = [];
  existing.forEach((household, position) => {
    const result = judge(c, new Entry(household, position));
    if (result !== undefined) {
      scored.push(result);
    }
  });
  return finish(scored, opts);
}

/**
 * Name blocking. If two keys are within k edits, deleting at most k characters from each key's
 * last P characters yields a common string: each edit removes at most one character per side, and
 * cutting both keys to their last P characters costs no more deletions than the edits inside the
 * cut. So households are bucketed by every such deletion variant of their name's ending, and a
 * look-up needs only the candidate's variants: no match is ever missed.
 *
 * Two tiers keep buckets small: every name is bucketed with k = 1 (enough whenever one of the two
 * names is short, since then only 1 edit is allowed), and long names (> 12 letters) also with
 * k = 2 over a longer ending. The ending is used rather than the first letters because Vietnamese
 * keys start with a handful of surnames ("nguyen " alone is ~40 % of names) while the given name
 * at the end varies, and because a typo in the first letter would move a name to another bucket.
 */
const NAME_TIERS = [
  { tag: '1', suffix: 6, deletions: 1, minLetters: 0 },
  { tag: '2', suffix: 8, deletions: MAX_NAME_EDITS, minLetters: SHORT_NAME_LETTERS + 1 },
] as const;

function deletionVariants(text: string, maxDeletions: number): Set<string> {
  const variants = new Set([text]);
  let frontier = [text];
  for (let round = 0; round < maxDeletions; round++) {
    const next: string[] = [];
    for (const t of frontier) {
      for (let i = 0; i < t.length; i++) {
        const v = t.slice(0, i) + t.slice(i + 1);
        if (!variants.has(v)) {
          variants.add(v);
          next.push(v);
        }
      }
    }
    frontier = next;
  }
  return variants;
}

/** The bucket keys of a name: tier 1 always, tier 2 for names long enough to allow 2 edits. */
function nameBlocks(entry: Entry<DuplicateSubject>): readonly string[] {
  let blocks = cachedBlocks.get(entry.nameKey);
  if (blocks === undefined) {
    if (cachedBlocks.size >= MAX_CACHED_BLOCKS) {
      cachedBlocks.clear();
    }
    blocks = computeNameBlocks(entry);
    cachedBlocks.set(entry.nameKey, blocks);
  }
  return blocks;
}

/** Blocks by name key: lists repeat the same few thousand names, each read and then added. */
const cachedBlocks = new Map<string, readonly string[]>();
const MAX_CACHED_BLOCKS = 20_000;

function computeNameBlocks(entry: Entry<DuplicateSubject>): string[] {
  const blocks: string[] = [];
  for (const tier of NAME_TIERS) {
    if (entry.nameLetters < tier.minLetters) {
      continue;
    }
    for (const variant of deletionVariants(entry.nameKey.slice(-tier.suffix), tier.deletions)) {
      blocks.push(tier.tag + variant);
    }
  }
  return blocks;
}

/**
 * The households of one (place, name block), apart by whether their ID hash is known: `judge`
 * rejects two different ID hashes first, and the same hash is found through `byHash`, so a
 * candidate with an ID hash never needs the hashed list. Each list is split by birth year (a
 * `Map` by `yearSlot`) the first time a look-up finds it longer than `SPLIT_AT`: two different
 * known years never match either. Without this a list of N rows judged O(N²) pairs of namesakes.
 */
interface Bucket {
  unhashed: YearLists;
  hashed: YearLists;
}
type YearLists = number[] | Map<number, number[]>;
type Buckets<K> = Map<K, Map<string, Bucket>>;

const SPLIT_AT = 32;

function pushTo<K>(
  buckets: Buckets<K>,
  place: K,
  block: string,
  position: number,
  hashed: boolean,
  year: number,
): void {
  let byBlock = buckets.get(place);
  if (byBlock === undefined) {
    byBlock = new Map();
    buckets.set(place, byBlock);
  }
  let bucket = byBlock.get(block);
  if (bucket === undefined) {
    bucket = { unhashed: [], hashed: [] };
    byBlock.set(block, bucket);
  }
  const lists = hashed ? bucket.hashed : bucket.unhashed;
  if (Array.isArray(lists)) {
    lists.push(position);
  } else {
    pushToYear(lists, year, position);
  }
}

function pushToYear(byYear: Map<number, number[]>, year: number, position: number): void {
  const list = byYear.get(year);
  if (list === undefined) {
    byYear.set(year, [position]);
  } else {
    list.push(position);
  }
}

/** A birth year as an Int32Array holds it, 0 when unknown: equal years always give equal slots. */
function yearSlot(year: number | null): number {
  return year === null || !Number.isFinite(year) ? 0 : Math.trunc(year) | 0;
}

/**
 * Prepares `existing` for many `find` calls (an import of up to thousands of rows).
 *
 * Why: scanning 5,000 households for each of 5,000 rows judges 25 million pairs. The index
 * computes each key once and buckets households by ID hash and by place (unit, and village key)
 * × name-ending deletion variants (see `NAME_TIERS`), which is lossless for the matching rules, so
 * `find` only judges the few households sharing a bucket with the candidate.
 * Contract: `index.find(c, opts)` deep-equals `findLikelyDuplicates(c, existing, opts)`, in the
 * same order. The index keeps references to the households; changing them afterwards is not seen.
 */
export function createDuplicateIndex<T extends DuplicateSubject>(existing: readonly T[]): DuplicateIndex<T> {
  const entries: Entry<T>[] = [];
  const byHash = new Map<string, number[]>();
  const byUnit: Buckets<number> = new Map();
  const byVillage: Buckets<string> = new Map();

  function add(household: T): void {
    const entry = new Entry(household, entries.length);
    entries.push(entry);
    if (years.length <= entry.position) {
      const grown = new Int32Array(Math.max(64, years.length * 2));
      grown.set(years);
      years = grown;
    }
    years[entry.position] = yearSlot(entry.birthYear);
    const hash = entry.hash;
    if (hash !== null) {
      const list = byHash.get(hash);
      if (list === undefined) {
        byHash.set(hash, [entry.position]);
      } else {
        list.push(entry.position);
      }
      unblockedHashed.push(entry.position);
      return;
    }
    block(entry);
  }

  /** Puts a household in the name blocks of its unit and its village. */
  function block(entry: Entry<T>): void {
    if (entry.nameKey === '') {
      return;
    }
    const village = entry.villageKey;
    const hashed = entry.hash !== null;
    const year = years[entry.position] ?? 0;
    for (const name of nameBlocks(entry)) {
      pushTo(byUnit, entry.household.unitId, name, entry.position, hashed, year);
      if (village !== '') {
        pushTo(byVillage, village, name, entry.position, hashed, year);
      }
    }
  }

  /**
   * Households with an ID hash not yet in the name blocks: only a candidate without one looks for
   * them there (see `Bucket`), so a list where every row has its CCCD never builds those blocks.
   */
  let unblockedHashed: number[] = [];

  /** Birth year by position, 0 when unknown (see `yearSlot`). */
  let years = new Int32Array(0);
  /** `seen[p] === stamp` marks position p as collected during the current `find` (no Set per call). */
  let seen = new Uint32Array(64);
  let stamp = 0;

  function find(candidate: DuplicateSubject, opts: DuplicateOptions = {}): DuplicateMatch<T>[] {
    const c = new Entry(candidate, -1);
    if (seen.length < entries.length) {
      seen = new Uint32Array(entries.length * 2);
      stamp = 0;
    }
    stamp = stamp === 0xffffffff ? 1 : stamp + 1;
    if (stamp === 1) {
      seen.fill(0);
    }
    const scored: Scored<T>[] = [];
    // Two different known birth years never match but through the same ID hash (`byHash`, judged
    // first): such name-block neighbours are passed over from a typed array, without judging.
    const year = yearSlot(c.birthYear);
    const likelyOnly = opts.likelyOnly === true;
    const judgeAll = (list: readonly number[] | undefined, byYear = false): void => {
      if (list === undefined) {
        return;
      }
      for (const position of list) {
        if (seen[position] === stamp) {
          continue;
        }
        if (byYear && year !== 0) {
          const other = years[position] ?? 0;
          if (other !== year && (other !== 0 || likelyOnly)) {
            continue;
          }
        }
        seen[position] = stamp;
        const entry = entries[position];
        const result = entry === undefined ? undefined : judge(c, entry);
        if (result !== undefined) {
          scored.push(result);
        }
      }
    };
    if (c.hash !== null) {
      judgeAll(byHash.get(c.hash));
    }
    // Without a birth year only the same ID hash makes a match more than 'possible'.
    if (c.nameKey !== '' && !(likelyOnly && year === 0)) {
      if (c.hash === null && unblockedHashed.length > 0) {
        for (const position of unblockedHashed) {
          const entry = entries[position];
          if (entry !== undefined) {
            block(entry);
          }
        }
        unblockedHashed = [];
      }
      const unitBlocks = byUnit.get(candidate.unitId);
      const villageBlocks = c.villageKey === '' ? undefined : byVillage.get(c.villageKey);
      if (unitBlocks !== undefined || villageBlocks !== undefined) {
        const withHashed = c.hash === null;
        /** The lists of `lists` whose households may match: the candidate's year and unknown ones. */
        const judgeYears = (lists: YearLists): YearLists => {
          let byYear = lists;
          if (Array.isArray(byYear)) {
            if (year === 0 || byYear.length <= SPLIT_AT) {
              judgeAll(byYear, true);
              return byYear;
            }
            const split = new Map<number, number[]>();
            for (const position of byYear) {
              pushToYear(split, years[position] ?? 0, position);
            }
            byYear = split;
          }
          if (year === 0) {
            for (const list of byYear.values()) {
              judgeAll(list);
            }
          } else {
            judgeAll(byYear.get(year));
            if (!likelyOnly) {
              judgeAll(byYear.get(0));
            }
          }
          return byYear;
        };
        const candidates = (bucket: Bucket | undefined) => {
          if (bucket !== undefined) {
            bucket.unhashed = judgeYears(bucket.unhashed);
            if (withHashed) {
              bucket.hashed = judgeYears(bucket.hashed);
            }
          }
        };
        for (const block of nameBlocks(c)) {
          candidates(unitBlocks?.get(block));
          candidates(villageBlocks?.get(block));
        }
      }
    }
    return finish(scored, opts);
  }

  for (const household of existing) {
    add(household);
  }
  return {
    get size() {
      return entries.length;
    },
    find,
    add,
  };
}
