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
  /**
   * Which of the wards' and communes' reports are reminded and escalated. The six-monthly report is
   * never theirs: it is the area committee's own (`committee`).
   */
  periodKinds: z.array(z.enum(PERIOD_KINDS)).default(['monthly', 'quarterly', 'final']),
  /**
   * The area's staff are reminded of their committee's own six-monthly and final reports (issue 16
   * §2), with the same days before, hour, quiet hours and daily cap as the wards' reports.
   */
  committee: z.boolean({ error: 'phải là true hoặc false' }).default(true),
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

const ZLine = z.string({ error: 'phải là một dòng chữ' }).min(2, { error: 'quá ngắn' }).max(200);

/** A signature block: "TM. BAN THƯỜNG TRỰC" / "PHÓ CHỦ TỊCH" / the signer's name. */
export const ZSignature = z.strictObject(
  {
    /** On whose behalf ("TM. BAN THƯỜNG TRỰC", "TM. BAN VẬN ĐỘNG"); none when the signer signs as themself. */
    authority: ZLine.optional(),
    /** The signer's title, upper case in the block ("CHỦ TỊCH", "PHÓ CHỦ TỊCH", "TRƯỞNG BAN"). */
    title: ZLine,
    /** The signer's full name; left blank for a hand-written name when not given. */
    name: ZLine.optional(),
  },
  { error: 'khối chữ ký viết dạng { authority: TM. BAN THƯỜNG TRỰC, title: CHỦ TỊCH, name: … }' },
);
export type Signature = z.output<typeof ZSignature>;

/**
 * How the committee's documents are presented (Decree 30/2020/NĐ-CP as Front committees apply it:
 * the MTTQ's own format guide, Hướng dẫn 91/HD-MTTW-BTT). Every field has a default drawn from the
 * campaign's area unit, so a campaign without this section still issues documents in the form; a
 * real campaign names its signers and recipients. The national title and motto are configurable
 * because Front committees' usage varies (the review found both forms; our sources are uncertain).
 */
export const ZDocumentSettings = z.strictObject(
  {
    /** The place in the date line: "Thái Nguyên, ngày 06 tháng 12 năm 2026" (default: the area's name without its kind). */
    place: ZLine.optional(),
    /** The issuing body's first lines, upper case (default: "ỦY BAN MTTQ VIỆT NAM" and the area's name). */
    issuer: z.array(ZLine).min(1).max(3).optional(),
    /** The standing body issuing reports and proposals, under the issuer. */
    standingBody: ZLine.default('BAN THƯỜNG TRỰC'),
    /** The fund's campaign board issuing acknowledgements. */
    fundBody: ZLine.default('BAN VẬN ĐỘNG QUỸ "VÌ NGƯỜI NGHÈO"'),
    /** The issuer's part of a number: "Số: 12/BC-MTTQ-BTT". */
    symbol: z
      .string()
      .regex(/^[A-ZĐ0-9][A-ZĐa-zđ0-9-]{0,29}$/, { error: 'ký hiệu viết liền, ví dụ MTTQ-BTT' })
      .default('MTTQ-BTT'),
    /** Acknowledgements' issuer part: "Số: 7/GXN-BVĐ". */
    fundSymbol: z
      .string()
      .regex(/^[A-ZĐ0-9][A-ZĐa-zđ0-9-]{0,29}$/, { error: 'ký hiệu viết liền, ví dụ BVĐ' })
      .default('BVĐ'),
    /** "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh phúc" on the right. */
    nationalTitle: z.boolean({ error: 'phải là true hoặc false' }).default(true),
    /** Reports, proposals and tables. */
    signer: ZSignature.default({ authority: 'TM. BAN THƯỜNG TRỰC', title: 'CHỦ TỊCH' }),
    /** Acknowledgement letters. */
    fundSigner: ZSignature.default({ authority: 'TM. BAN VẬN ĐỘNG', title: 'TRƯỞNG BAN' }),
    /** "Nơi nhận" per kind of document; "Lưu: VT." is added when missing. */
    recipients: z
      .strictObject(
        {
          report: z.array(ZLine).max(12).optional(),
          commendation: z.array(ZLine).max(12).optional(),
          acknowledgement: z.array(ZLine).max(12).optional(),
          table: z.array(ZLine).max(12).optional(),
        },
        { error: 'chỉ nhận các mục report, commendation, acknowledgement, table' },
      )
      .prefault({}),
  },
  {
    error:
      'chỉ nhận các mục place, issuer, standingBody, fundBody, symbol, fundSymbol, nationalTitle, signer, fundSigner, recipients',
  },
);
export type DocumentSettings = z.output<typeof ZDocumentSettings>;

/** What the public summary discloses beyond totals (issue 16 §5). */
export const ZTransparency = z.strictObject(
  {
    /**
     * The supported households' names with their village: only when the commune already publishes
     * the list (the count per ward is always shown).
     */
    householdNames: z.boolean({ error: 'phải là true hoặc false' }).default(false),
  },
  { error: 'chỉ nhận mục householdNames' },
);
export type Transparency = z.output<typeof ZTransparency>;
