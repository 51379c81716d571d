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
 * (duplicate-index.ts) prepares the registry once for an import of thousands of rows and returns
 * exactly the same answers, in the same order. The comparison keys and the edit distance are in
 * duplicate-keys.ts.
 */

import { boundedEditDistance, cachedNameKey, cachedVillageKey } from './duplicate-keys.ts';

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
  /** Vietnamese, shown to the official, e.g. "cùng họ tên (không dấu)", "cùng năm sinh 1958". */
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

/** Names of up to this many letters (spaces not counted) may differ by 1 edit, longer ones by 2. */
export const SHORT_NAME_LETTERS = 12;
export const MAX_NAME_EDITS = 2;

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
export class Entry<T extends DuplicateSubject> {
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

export interface Scored<T extends DuplicateSubject> {
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
export function judge<T extends DuplicateSubject>(
  c: Entry<DuplicateSubject>,
  e: Entry<T>,
): Scored<T> | undefined {
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
    reasons.push('cùng số CCCD/CMND');
  }
  if (distance === 0) {
    reasons.push('cùng họ tên (không dấu)');
  } else if (distance !== undefined) {
    reasons.push(`tên gần giống (sai ${distance} ký tự)`);
  }
  if (sameVillage) {
    reasons.push('cùng thôn');
  }
  if (sameUnit) {
    reasons.push('cùng đơn vị');
  }
  if (yearsKnown && yearC === yearE) {
    reasons.push(`cùng năm sinh ${yearC}`);
  } else if (!yearsKnown && !sameHash) {
    reasons.push('chưa đủ năm sinh để đối chiếu');
  }
  if (
    candidate.campaignId !== undefined &&
    other.campaignId !== undefined &&
    candidate.campaignId !== other.campaignId
  ) {
    reasons.push('thuộc đợt vận động khác');
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

export function finish<T extends DuplicateSubject>(
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
