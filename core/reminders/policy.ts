import { z } from 'zod';
import type { PeriodKind } from '../campaigns/campaign.ts';

const PERIOD_KINDS = ['weekly', 'monthly', 'quarterly', 'semiannual', 'final'] as const satisfies readonly PeriodKind[];

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

export const DEFAULT_REMINDER_POLICY: ReminderPolicy = ZReminderPolicy.parse({});

/** The policy from a campaign's settings JSON; null or undefined means the defaults. Throws ZodError. */
export function parseReminderPolicy(raw: unknown): ReminderPolicy {
  return ZReminderPolicy.parse(raw ?? {});
}

/** "08:30" → 510 minutes after midnight. */
export function clockMinutes(time: string): number {
  const [h, m] = time.split(':');
  return Number(h) * 60 + Number(m);
}

/** Whether a minute of the day (0–1439) falls in the quiet hours; equal bounds mean none. */
export function isQuietMinute(minute: number, quiet: ReminderPolicy['quietHours']): boolean {
  const from = clockMinutes(quiet.from);
  const to = clockMinutes(quiet.to);
  if (from === to) {
    return false;
  }
  return from < to ? minute >= from && minute < to : minute >= from || minute < to;
}
