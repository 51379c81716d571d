import { createHash } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { DuplicateSubject } from '../core/households/duplicates.ts';
import { householdNameKey } from '../core/households/duplicates.ts';
import { assessEligibility, type EligibilityRules } from '../core/households/eligibility.ts';
import type { HouseholdStatus, THouseholdInput } from '../core/households/household.ts';
import { cachedStatements, type SqliteDatabase, toDbTime } from './sqlite.ts';

/** A hash that lets the same ID number be recognised without storing it. */
export function hashIdNumber(idNumber: string): string {
  return createHash('sha256')
    .update(`household-id:${idNumber.replace(/\D/g, '')}`)
    .digest('hex');
}

export interface NewHousehold extends THouseholdInput {
  campaignId: number;
  unitId: number;
  /** Imported lists often carry households already approved or under way. */
  status?: HouseholdStatus;
}

/** Inserts a household and its first history event on the caller's connection and transaction. */
export function insertHousehold(
  stmt: (sql: string) => Statement<unknown[]>,
  h: NewHousehold,
  at: Date,
  personId: number | null,
  channel: string | null,
  rules?: EligibilityRules,
): number {
  const eligibility = assessEligibility(h, rules);
  const status = h.status ?? 'proposed';
  const info = stmt(
    `INSERT INTO "Household" (campaignId, unitId, code, village, headName, headNameKey, birthYear, idNumberHash,
         idNumberLast4, category, need, foundationDurable, frameDurable, roofDurable, area, members, landLegal,
         landUndisputed, outsideLandslideZone, confirmedByCommune, eligible, status, supportedBefore, createdAt, updatedAt)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    h.campaignId,
    h.unitId,
    h.code,
    h.village,
    h.headName,
    householdNameKey(h.headName),
    h.birthYear ?? null,
    h.idNumber ? hashIdNumber(h.idNumber) : null,
    h.idNumber ? h.idNumber.slice(-4) : null,
    h.category,
    h.need,
    h.foundationDurable ? 1 : 0,
    h.frameDurable ? 1 : 0,
    h.roofDurable ? 1 : 0,
    h.area ?? null,
    h.members,
    h.landLegal ? 1 : 0,
    h.landUndisputed ? 1 : 0,
    h.outsideLandslideZone ? 1 : 0,
    h.confirmedByCommune ? 1 : 0,
    eligibility.eligible ? 1 : 0,
    status,
    h.supportedBefore ?? null,
    toDbTime(at),
    toDbTime(at),
  );
  const id = Number(info.lastInsertRowid);
  stmt(
    `INSERT INTO "HouseholdEvent" (householdId, kind, fromStatus, toStatus, note, photos, personId, channel, at)
       VALUES (?, 'created', NULL, ?, NULL, '[]', ?, ?, ?)`,
  ).run(id, status, personId, channel, toDbTime(at));
  return id;
}

/**
 * Writes households with their computed eligibility and a first history event (so the registry
 * can be counted "as of" any date). Used by the seed, the import and tests; the caller owns the
 * transaction.
 */
export function createHouseholdWriter(db: SqliteDatabase, rules?: EligibilityRules) {
  const stmt = cachedStatements(db);
  return {
    insert(h: NewHousehold, at: Date, personId: number | null, channel: string | null): number {
      return insertHousehold(stmt, h, at, personId, channel, rules);
    },
    /** Every household of a campaign in the shape duplicate detection compares. */
    duplicateSubjects(campaignId: number): (DuplicateSubject & { id: number })[] {
      return (
        stmt(
          'SELECT id, code, unitId, village, headName, birthYear, idNumberHash, campaignId FROM "Household" WHERE campaignId = ?',
        ).all(campaignId) as (DuplicateSubject & { id: number })[]
      ).map((r) => ({ ...r }));
    },
    codesOf(campaignId: number): Set<string> {
      const rows = stmt('SELECT code FROM "Household" WHERE campaignId = ?').all(campaignId) as {
        code: string;
      }[];
      return new Set(rows.map((r) => r.code.toLowerCase()));
    },
  };
}
