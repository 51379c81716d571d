import { addDays, fromIsoDate, isValidDate, toIsoDate } from '../shared/calendar.ts';
import { formatDate } from '../shared/format.ts';

/** "2025-07-01" → "2025-06-30". */
export function dayBefore(isoDay: string): string {
  return toIsoDate(addDays(fromIsoDate(isoDay), -1));
}

/** A real calendar day written YYYY-MM-DD. */
export function isIsoDay(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && isValidDate(fromIsoDate(text));
}

/** An ISO day as officials write it: "2025-07-01" → "01/07/2025". */
export function displayDay(isoDay: string): string {
  return formatDate(fromIsoDate(isoDay));
}

/** Whether a unit valid from `validFrom` to `validTo` (inclusive; null = still valid) is valid on `day`. */
export function validOn(unit: { validFrom: string; validTo: string | null }, day: string): boolean {
  return unit.validFrom <= day && (unit.validTo === null || unit.validTo >= day);
}
