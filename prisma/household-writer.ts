import { householdNameKey } from '../core/households/duplicate-keys.ts';
import type { DuplicateSubject } from '../core/households/duplicates.ts';
import { assessEligibility, type EligibilityRules } from '../core/households/eligibility.ts';
import type { HouseholdStatus, THouseholdInput } from '../core/households/household.ts';
import { type IdNumberHasher, idNumberLast4 } from '../core/households/id-number.ts';
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

export interface NewHousehold extends THouseholdInput {
  campaignId: number;
  unitId: number;
  /** Imported lists often carry households already approved or under way. */
  status?: HouseholdStatus;
}

/** The household columns, in the order `householdValues` gives them. */
const HOUSEHOLD_COLUMNS = `campaignId, unitId, code, village, headName, headNameKey, birthYear, idNumberHash,
         idNumberLast4, category, need, foundationDurable, frameDurable, roofDurable, area, members, landLegal,
         landUndisputed, outsideLandslideZone, confirmedByCommune, eligible, status, supportedBefore, createdAt, updatedAt`;
const HOUSEHOLD_PLACEHOLDERS = `(${Array(25).fill('?').join(', ')})`;

/** A household's row values with its computed eligibility, in HOUSEHOLD_COLUMNS order. */
function householdValues(h: NewHousehold, status: HouseholdStatus, at: Date, opts: HouseholdWriteOptions) {
  const eligibility = assessEligibility(h, opts.rules);
  return [
    h.campaignId,
    h.unitId,
    h.code,
    h.village,
    h.headName,
    householdNameKey(h.headName),
    h.birthYear ?? null,
    idNumberHashOf(h, opts.hashId),
    idNumberLast4(h.idNumber),
    h.category,
    h.need,
    h.foundationDurable,
    h.frameDurable,
    h.roofDurable,
    h.area ?? null,
    h.members,
    h.landLegal,
    h.landUndisputed,
    h.outsideLandslideZone,
    h.confirmedByCommune,
    eligibility.eligible,
    status,
    h.supportedBefore ?? null,
    at,
    at,
  ];
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
  const id = Number(
    await db.insert(
      `INSERT INTO "Household" (${HOUSEHOLD_COLUMNS}) VALUES ${HOUSEHOLD_PLACEHOLDERS}`,
      householdValues(h, status, at, opts),
    ),
  );
  await db.run(
    `INSERT INTO "HouseholdEvent" (householdId, kind, fromStatus, toStatus, note, photos, personId, channel, at)
       VALUES (?, 'created', NULL, ?, NULL, '[]', ?, ?, ?)`,
    [id, status, personId, channel, at],
  );
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
    const rows = await db.all(
      `INSERT INTO "Household" (${HOUSEHOLD_COLUMNS}) VALUES ${batch.map(() => HOUSEHOLD_PLACEHOLDERS).join(', ')}
       RETURNING id, campaignId, code`,
      batch.flatMap((h, i) => householdValues(h, statuses[i] ?? 'proposed', at, opts)),
    );
    // The order of RETURNING rows is not promised: match them by the (campaign, code) key.
    const idOf = new Map(rows.map((r) => [`${r.campaignId}:${r.code}`, Number(r.id)]));
    const batchIds = batch.map((h) => {
      const id = idOf.get(`${h.campaignId}:${h.code}`);
      if (id === undefined) {
        throw new Error(`Household ${h.code} was not inserted.`);
      }
      return id;
    });
    await db.run(
      `INSERT INTO "HouseholdEvent" (householdId, kind, fromStatus, toStatus, note, photos, personId, channel, at)
       VALUES ${batch.map(() => "(?, 'created', NULL, ?, NULL, '[]', ?, ?, ?)").join(', ')}`,
      batchIds.flatMap((id, i) => [id, statuses[i] ?? 'proposed', personId, channel, at]),
    );
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
      const rows = await db.all(
        'SELECT id, code, unitId, village, headName, birthYear, idNumberHash, campaignId FROM "Household" WHERE campaignId = ?',
        [campaignId],
      );
      return rows.map((r) => ({
        id: Number(r.id),
        code: String(r.code),
        unitId: Number(r.unitId),
        village: String(r.village),
        headName: String(r.headName),
        birthYear: r.birthYear === null ? null : Number(r.birthYear),
        idNumberHash: r.idNumberHash === null ? null : String(r.idNumberHash),
        campaignId: Number(r.campaignId),
      }));
    },
    async codesOf(campaignId: number): Promise<Set<string>> {
      const rows = await db.all('SELECT code FROM "Household" WHERE campaignId = ?', [campaignId]);
      return new Set(rows.map((r) => String(r.code).toLowerCase()));
    },
  };
}
