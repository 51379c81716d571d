/**
 * The sections of a campaign's definition that other parts of the core apply (issue 15 §1): the
 * household categories, the eligibility rules, the reminder policy, the commendation criteria and
 * the pledge safeguards. They live here, below every feature folder, so that the definition
 * (core/campaigns/definition.ts) can hold them without a folder importing its own importers; the
 * feature modules re-export them where their callers always found them.
 */

import { z } from 'zod';
import type { PeriodKind } from './campaign.ts';

/** Who the household is (Directive 42/CT-TTg groups; 'other' is recorded but not supported). */
export const HOUSEHOLD_CATEGORIES = ['poor', 'near_poor', 'merit', 'other'] as const;
export type HouseholdCategory = (typeof HOUSEHOLD_CATEGORIES)[number];

export const HOUSEHOLD_CATEGORY_LABELS: Readonly<Record<HouseholdCategory, string>> = {
  poor: 'Hộ nghèo',
  near_poor: 'Hộ cận nghèo',
  merit: 'Người có công',
  other: 'Khác',
};

/**
 * The label of a category code when no campaign says otherwise: the built-in four's, else the code
 * itself (a campaign's own category read without its definition).
 */
export function defaultCategoryLabel(code: string): string {
  return isHouseholdCategory(code) ? HOUSEHOLD_CATEGORY_LABELS[code] : code;
}

/** Narrows a stored string (the database keeps plain text) to a category. */
export function isHouseholdCategory(value: string): value is HouseholdCategory {
  return (HOUSEHOLD_CATEGORIES as readonly string[]).includes(value);
}

/** The thresholds and conditions one campaign applies. */
export const ZEligibilityRules = z.object({
  /** How many of the 3 main structures must be non-durable for the house to count as temporary. */
  minNonDurableStructures: z.number().int().min(0).max(3),
  /** A one-person household's house is temporary below this area (m²). */
  singlePersonMinArea: z.number().min(0).max(1000),
  /** A family's house is temporary below this area (m²)… */
  familyMinArea: z.number().min(0).max(1000),
  /** …and below this area per person (m²); both must hold. */
  minAreaPerPerson: z.number().min(0).max(1000),
  requireLegalLand: z.boolean(),
  requireUndisputedLand: z.boolean(),
  requireOutsideLandslideZone: z.boolean(),
  requireCommuneConfirmation: z.boolean(),
  /** Category codes of the campaign whose households may be supported. */
  eligibleCategories: z.array(z.string()).readonly(),
  /**
   * A household with no house at all ("chưa có nhà ở") qualifies as its own case (the default);
   * false: such a household is not supported by this campaign (a repair-only programme).
   */
  noHouseCase: z.boolean().optional(),
  /** What the commune confirms, as the campaign's plan words it; named when it is missing. */
  confirmation: z.string().optional(),
});
export type EligibilityRules = z.infer<typeof ZEligibilityRules>;

/**
 * National defaults: Decision 55/QĐ-BXD (2025) for what a temporary house is, Circular 01/2022/TT-BXD
 * and Directive 42/CT-TTg for who is supported (poor, near-poor, people with meritorious service).
 */
export const DEFAULT_ELIGIBILITY_RULES: Readonly<EligibilityRules> = Object.freeze({
  minNonDurableStructures: 2,
  singlePersonMinArea: 18,
  familyMinArea: 30,
  minAreaPerPerson: 8,
  requireLegalLand: true,
  requireUndisputedLand: true,
  requireOutsideLandslideZone: true,
  requireCommuneConfirmation: true,
  eligibleCategories: Object.freeze(['poor', 'near_poor', 'merit'] as const),
});

const PERIOD_KINDS = [
  'weekly',
  'monthly',
  'quarterly',
  'semiannual',
  'final',
] as const satisfies readonly PeriodKind[];

/** A wall-clock time "HH:MM" in the campaign's time zone. */
const ZClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');

/**
 * When the bot reminds people, stored as JSON in the campaign's settings (issue 6 §1). Every field
 * has a default, so `{}` is the whole default policy; unknown keys are refused so that a misspelt
 * setting fails loudly instead of silently falling back to a default.
 */
export const ZReminderPolicy = z.strictObject({
  /** Days before each report deadline; 0 is the morning of the due day. Kept unique, largest first. */
  offsetsDays: z
    .array(z.number().int().min(0).max(90))
    .max(10)
    .transform((days) => [...new Set(days)].sort((a, b) => b - a))
    .default([5, 2, 0]),
  /** Which reporting periods are reminded and escalated (six-monthly summaries go up, not from wards). */
  periodKinds: z.array(z.enum(PERIOD_KINDS)).default(['monthly', 'quarterly', 'final']),
  sendAt: ZClockTime.default('08:00'),
  /** Nothing is sent from `from` until `to` (may wrap midnight); a slot inside waits for `to`. */
  quietHours: z.strictObject({ from: ZClockTime, to: ZClockTime }).default({ from: '21:00', to: '07:00' }),
  /** Report and pledge reminders per person per local day; escalations are not capped. */
  maxPerPersonPerDay: z.number().int().min(1).max(20).default(2),
  /** After downtime a reminder is still sent only while its slot is younger than this. */
  catchUpHours: z.number().positive().max(168).default(12),
  escalation: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Escalate at `sendAt` this many days after the due day (1: the next morning). */
      daysAfter: z.number().int().min(1).max(30).default(1),
      catchUpHours: z.number().positive().max(168).default(24),
    })
    .prefault({}),
  pledges: z
    .strictObject({
      enabled: z.boolean().default(true),
      daysBefore: z.number().int().min(0).max(30).default(3),
      /** The first overdue reminder comes this many days after the due date, then again as often. */
      overdueEveryDays: z.number().int().min(1).max(60).default(7),
      maxOverdue: z.number().int().min(0).max(52).default(4),
    })
    .prefault({}),
});

export type ReminderPolicy = z.output<typeof ZReminderPolicy>;

export const ZCommendationCriteria = z.strictObject({
  /** A ward or commune: at least this many houses completed … */
  minHousesCompleted: z.number().int().min(1).default(1),
  /** … and this share of its approved houses completed (0–1). */
  minCompletedShare: z.number().min(0).max(1).default(1),
  /** … and this share of its monthly reports sent on time (0–1). */
  minOnTimeShare: z.number().min(0).max(1).default(0.8),
  /** A member organisation: at least this share of what it pledged received (0–1) … */
  minOrgPaidShare: z.number().min(0).max(2).default(1),
  /** … and at least this much received, in đồng. */
  minOrgReceived: z.number().int().min(0).default(10_000_000),
  /** An enterprise or person: at least this much received, in đồng (only those who agreed to be named). */
  minDonorReceived: z.number().int().min(0).default(50_000_000),
});
export type CommendationCriteria = z.output<typeof ZCommendationCriteria>;

const wholeAtLeastOne = () =>
  z
    .number({ error: 'phải là một số' })
    .int({ error: 'phải là số nguyên' })
    .min(1, { error: 'phải từ 1 trở lên' });

export const ZPledgeSafeguards = z.strictObject(
  {
    /** At most this many pledges per anonymous donor's chat in a rolling 24 hours. */
    perChatPerDay: wholeAtLeastOne().default(3),
    /** At most this many pledges of all anonymous donors together in a rolling hour. */
    anonymousPerHour: wholeAtLeastOne().default(30),
    /**
     * An anonymous donor's pledge above this many đồng waits for a fund officer's verification. 500
     * million: above what people and small enterprises give in chat (a house is 60 million), below
     * what would visibly move a city's figures; a larger gift is normally arranged with the board.
     */
    verifyAbove: z
      .number({ error: 'phải là một số (đồng)' })
      .int({ error: 'phải là số nguyên (đồng)' })
      .min(0, { error: 'không được âm' })
      .default(500_000_000),
  },
  { error: 'chỉ nhận các mục perChatPerDay, anonymousPerHour, verifyAbove' },
);
export type PledgeSafeguards = z.output<typeof ZPledgeSafeguards>;
