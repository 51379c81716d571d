import { type ReminderPolicy, ZReminderPolicy } from '../campaigns/sections.ts';

export type { ReminderPolicy };
export { ZReminderPolicy };

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
