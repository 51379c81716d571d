/**
 * The registry prepared once for an import of thousands of rows: `createDuplicateIndex` answers
 * exactly like `findLikelyDuplicates` (duplicates.ts, which holds the matching rules), in the same
 * order, without judging every pair.
 */

import {
  type DuplicateMatch,
  type DuplicateOptions,
  type DuplicateSubject,
  Entry,
  finish,
  judge,
  MAX_NAME_EDITS,
  type Scored,
  SHORT_NAME_LETTERS,
} from './duplicates.ts';

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
