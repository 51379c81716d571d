import type { Insertable } from 'kysely';
import { householdNameKey } from '../core/households/duplicate-keys.ts';
import type { DuplicateSubject } from '../core/households/duplicates.ts';
import { assessEligibility, type EligibilityRules } from '../core/households/eligibility.ts';
import type { HouseholdStatus, THouseholdInput } from '../core/households/household.ts';
import { type IdNumberHasher, idNumberLast4 } from '../core/households/id-number.ts';
import type { DB } from './kysely-dialect.ts';
import type { SqlDb } from './sql-db.ts';

export interface HouseholdWriteOptions {
  rules?: EligibilityRules;
  /**
   * Hashes ID numbers with the deployment's key (core/households/id-number.ts). Without it a
   * household with an ID number is refused: an ID number is never stored unkeyed.
   */
  hashId?: IdNumberHasher;
}

/** The keyed hash of the household's ID number, or null without one. */
function idNumberHashOf(h: THouseholdInput, hashId: IdNumberHasher | undefined): string | null {
  if (!h.idNumber) {
    return null;
  }
  if (!hashId) {
    throw new Error('An ID number can only be stored with the ID hash key (ID_HASH_KEY).');
  }
  return hashId(h.idNumber);
}

/** The columns duplicate detection compares (core/households/duplicates.ts `DuplicateSubject`). */
export const DUPLICATE_SUBJECT_COLUMNS = [
  'id',
  'code',
  'unitId',
  'village',
  'headName',
  'birthYear',
  'idNumberHash',
  'campaignId',
] as const;

export interface NewHousehold extends THouseholdInput {
  campaignId: number;
  unitId: number;
  /** Imported lists often carry households already approved or under way. */
  status?: HouseholdStatus;
}

/** A household's row with its computed eligibility. */
function householdRow(
  h: NewHousehold,
  status: HouseholdStatus,
  at: Date,
  opts: HouseholdWriteOptions,
): Insertable<DB['Household']> {
  const eligibility = assessEligibility(h, opts.rules);
  return {
    campaignId: h.campaignId,
    unitId: h.unitId,
    code: h.code,
    village: h.village,
    headName: h.headName,
    headNameKey: householdNameKey(h.headName),
    birthYear: h.birthYear ?? null,
    idNumberHash: idNumberHashOf(h, opts.hashId),
    idNumberLast4: idNumberLast4(h.idNumber),
    category: h.category,
    need: h.need,
    foundationDurable: h.foundationDurable,
    frameDurable: h.frameDurable,
    roofDurable: h.roofDurable,
    area: h.area ?? null,
    members: h.members,
    landLegal: h.landLegal,
    landUndisputed: h.landUndisputed,
    outsideLandslideZone: h.outsideLandslideZone,
    confirmedByCommune: h.confirmedByCommune,
    eligible: eligibility.eligible,
    status,
    supportedBefore: h.supportedBefore ?? null,
    createdAt: at,
    updatedAt: at,
  };
}

/** The first history event of a household: it was created, in `status`. */
function createdEvent(
  householdId: number,
  status: HouseholdStatus,
  personId: number | null,
  channel: string | null,
  at: Date,
): Insertable<DB['HouseholdEvent']> {
  return {
    householdId,
    kind: 'created',
    fromStatus: null,
    toStatus: status,
    note: null,
    photos: '[]',
    personId,
    channel,
    at,
  };
}

/** Inserts a household and its first history event on the caller's connection and transaction. */
export async function insertHousehold(
  db: SqlDb,
  h: NewHousehold,
  at: Date,
  personId: number | null,
  channel: string | null,
  opts: HouseholdWriteOptions = {},
): Promise<number> {
  const status = h.status ?? 'proposed';
  const { id } = await db.kysely
    .insertInto('Household')
    .values(householdRow(h, status, at, opts))
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.kysely
    .insertInto('HouseholdEvent')
    .values(createdEvent(id, status, personId, channel, at))
    .execute();
  return id;
}

/**
 * Households per INSERT statement when writing many (25 parameters each: well under SQLite's 32766
 * and PostgreSQL's 65535). PostgreSQL keeps HouseholdCount with a statement-level trigger, so one
 * statement per batch updates each counter row once rather than once per household.
 */
export const HOUSEHOLD_BATCH = 500;

/**
 * Inserts households of one campaign and their first history events, HOUSEHOLD_BATCH per statement,
 * on the caller's connection and transaction. Returns their ids in the order given.
 */
export async function insertHouseholds(
  db: SqlDb,
  hs: readonly NewHousehold[],
  at: Date,
  personId: number | null,
  channel: string | null,
  opts: HouseholdWriteOptions = {},
): Promise<number[]> {
  const ids: number[] = [];
  for (let start = 0; start < hs.length; start += HOUSEHOLD_BATCH) {
    const batch = hs.slice(start, start + HOUSEHOLD_BATCH);
    const statuses = batch.map((h) => h.status ?? 'proposed');
    const rows = await db.kysely
      .insertInto('Household')
      .values(batch.map((h, i) => householdRow(h, statuses[i] ?? 'proposed', at, opts)))
      .returning(['id', 'campaignId', 'code'])
      .execute();
    // The order of RETURNING rows is not promised: match them by the (campaign, code) key.
    const idOf = new Map(rows.map((r) => [`${r.campaignId}:${r.code}`, r.id]));
    const batchIds = batch.map((h) => {
      const id = idOf.get(`${h.campaignId}:${h.code}`);
      if (id === undefined) {
        throw new Error(`Household ${h.code} was not inserted.`);
      }
      return id;
    });
    await db.kysely
      .insertInto('HouseholdEvent')
      .values(batchIds.map((id, i) => createdEvent(id, statuses[i] ?? 'proposed', personId, channel, at)))
      .execute();
    ids.push(...batchIds);
  }
  return ids;
}

/**
 * Writes households with their computed eligibility and a first history event (so the registry
 * can be counted "as of" any date). Used by the seed, the import and tests; the caller owns the
 * transaction: pass the SqlDb `transaction` hands its work.
 */
export function createHouseholdWriter(db: SqlDb, opts: HouseholdWriteOptions = {}) {
  return {
    insert(h: NewHousehold, at: Date, personId: number | null, channel: string | null): Promise<number> {
      return insertHousehold(db, h, at, personId, channel, opts);
    },
    /** Many households at once (an import): see `insertHouseholds`. */
    insertMany(
      hs: readonly NewHousehold[],
      at: Date,
      personId: number | null,
      channel: string | null,
    ): Promise<number[]> {
      return insertHouseholds(db, hs, at, personId, channel, opts);
    },
    /** Every household of a campaign in the shape duplicate detection compares. */
    async duplicateSubjects(campaignId: number): Promise<(DuplicateSubject & { id: number })[]> {
      return db.kysely
        .selectFrom('Household')
        .select(DUPLICATE_SUBJECT_COLUMNS)
        .where('campaignId', '=', campaignId)
        .execute();
    },
    async codesOf(campaignId: number): Promise<Set<string>> {
      const rows = await db.kysely
        .selectFrom('Household')
        .select('code')
        .where('campaignId', '=', campaignId)
        .execute();
      return new Set(rows.map((r) => r.code.toLowerCase()));
    },
  };
}
