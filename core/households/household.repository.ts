import type { Channel } from '../messaging/message.ts';
import type { AuditChannel } from '../messaging/outbox.repository.ts';
import type { DuplicateSubject } from './duplicates.ts';
import type { EligibilityRules } from './eligibility.ts';
import type { THouseholdInput } from './household.ts';

/** A household as the chat flows and reports see it (no ID number: only its last 4 digits). */
export interface HouseholdView {
  id: number;
  campaignId: number;
  unitId: number;
  code: string;
  village: string;
  headName: string;
  birthYear: number | null;
  idNumberLast4: string | null;
  category: string;
  need: string;
  eligible: boolean;
  status: string;
  supportedBefore: string | null;
  updatedAt: Date;
}

export interface HouseholdPhoto {
  channel: Channel;
  fileId: string;
  localPath?: string;
}

export interface HouseholdEventInput {
  householdId: number;
  kind: 'created' | 'status' | 'edit' | 'override';
  fromStatus: string | null;
  toStatus: string | null;
  note: string | null;
  photos: HouseholdPhoto[];
  personId: number | null;
  channel: AuditChannel | null;
}

export interface StatusChange {
  need: string;
  status: string;
  statusThen: string | null;
  count: number;
}

/** Counts of a unit's households by status and need, as of an instant. */
export type StatusCounts = Record<string, { new_build: number; repair: number }>;

export interface NewHouseholdRecord extends THouseholdInput {
  campaignId: number;
  unitId: number;
}

export interface HouseholdRepository {
  /**
   * Adds a household (eligibility computed with `rules`, the campaign's; national defaults without),
   * first history event written; returns its id.
   */
  create(
    h: NewHouseholdRecord,
    at: Date,
    personId: number | null,
    channel: Channel | null,
    rules?: EligibilityRules,
  ): Promise<number>;
  codeExists(campaignId: number, code: string): Promise<boolean>;
  /** The codes of the unit's households in the campaign (to give a new household the next one). */
  codesOf(campaignId: number, unitId: number): Promise<string[]>;
  /** Households of the campaign whose name key starts like `nameKey` (the duplicate check narrows further). */
  duplicateCandidates(campaignId: number, nameKey: string): Promise<(DuplicateSubject & { id: number })[]>;
  /** Households of the units whose code, head name key (no diacritics) or village key contains the query. */
  search(unitIds: number[], query: string, limit: number): Promise<HouseholdView[]>;
  findById(id: number): Promise<HouseholdView | undefined>;
  /** The campaign's household with this code (an operator types codes). */
  findByCode(campaignId: number, code: string): Promise<HouseholdView | undefined>;
  listByStatus(unitIds: number[], status: string, limit: number): Promise<HouseholdView[]>;
  /** Every household of the units, by unit, village and code (the Excel list). */
  listByUnits(unitIds: number[]): Promise<HouseholdView[]>;
  /**
   * Moves the household only if it is still in `from` (a second tap changes nothing); with
   * `overrideReason`, records it as the reason an ineligible household was approved.
   */
  moveStatus(id: number, from: string, to: string, at: Date, overrideReason?: string): Promise<boolean>;
  addEvent(event: HouseholdEventInput, at: Date): Promise<number>;
  /** The unit's households with their stored ID hash and last 4 digits (null when none). */
  idNumbersOf(
    campaignId: number,
    unitId: number,
  ): Promise<{ id: number; code: string; idNumberHash: string | null; idNumberLast4: string | null }[]>;
  /** Every stored ID hash of the campaign with its household's code. */
  idNumberOwners(campaignId: number): Promise<{ hash: string; code: string }[]>;
  setIdNumber(id: number, hash: string, last4: string | null): Promise<void>;
  /** Deletes households with their history (the demo's untouched ones); how many. */
  remove(ids: readonly number[]): Promise<number>;
  /** Households by unit and status right now (the leaders' view). */
  countsByUnit(unitIds: number[]): Promise<{ unitId: number; status: string; count: number }[]>;
  /** Each status's households of the unit as of `asOf`, from the event history. */
  statusCountsAsOf(unitId: number, asOf: Date): Promise<StatusCounts>;
  /**
   * The households of the units whose status changed after `since` (a status event later than it),
   * counted by need, status now and status as of `since` (null: not registered yet then). Relies on
   * every change of status being an event that names the status it left.
   */
  statusChangesSince(unitIds: number[], since: Date): Promise<StatusChange[]>;
}
