/**
 * Vietnamese display formats: "1.500.000 đ", "1.200", "15/03/2025", "ngày 05 tháng 7 năm 2023".
 * Every output of `formatMoney`, `formatInteger` and `formatDate` is accepted back by the matching
 * parser in `parse.ts`, so the bot can echo a value and let the official correct it.
 */

import { type CalendarDate, zonedParts } from './calendar.ts';

/** "1234567" → "1.234.567": Vietnamese groups thousands with dots. */
function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(?:\d{3})+$)/g, '.');
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * Formats whole đồng as "1.500.000 đ": dot thousands separators, a space, then "đ".
 * Handles 0 ("0 đ"), negatives ("-50.000 đ") and values beyond Number's safe range.
 */
export function formatMoney(v: bigint): string {
  const sign = v < 0n ? '-' : '';
  const magnitude = v < 0n ? -v : v;
  return `${sign}${groupThousands(magnitude.toString())} đ`;
}

/**
 * Formats a count as "1.200" (dot thousands separators, "-" for negatives).
 * Non-integers are rounded to the nearest integer rather than throwing in the middle of a
 * reply; NaN and ±Infinity come back as `String(n)`.
 */
export function formatInteger(n: number): string {
  if (!Number.isFinite(n)) {
    return String(n);
  }
  const rounded = BigInt(Math.round(n));
  const sign = rounded < 0n ? '-' : '';
  const magnitude = rounded < 0n ? -rounded : rounded;
  return `${sign}${groupThousands(magnitude.toString())}`;
}

/** Formats a calendar date as "15/03/2025" (dd/mm/yyyy, zero-padded). */
export function formatDate(d: CalendarDate): string {
  return `${pad2(d.day)}/${pad2(d.month)}/${String(d.year).padStart(4, '0')}`;
}

/**
 * Formats a date in the style of official documents: "ngày 05 tháng 7 năm 2023".
 * Days below 10 and the months 1 and 2 get a leading zero ("ngày 01 tháng 02 năm 2023"), as
 * Nghị định 30/2020/NĐ-CP prescribes so that "tháng 1" cannot be altered into "tháng 11"/"12".
 */
export function formatDateLong(d: CalendarDate): string {
  const month = d.month <= 2 ? pad2(d.month) : String(d.month);
  return `ngày ${pad2(d.day)} tháng ${month} năm ${d.year}`;
}

/**
 * Formats `instant` as "14:05 ngày 15/03/2025" (24-hour time, then "ngày" and dd/mm/yyyy, as a
 * time is written in Vietnamese) on the wall clock of the IANA `timeZone`. Throws RangeError for
 * an invalid Date or an unknown zone.
 */
export function formatDateTime(instant: Date, timeZone: string): string {
  const p = zonedParts(instant, timeZone);
  return `${formatTime(p)} ngày ${formatDate(p)}`;
}

/** "14:05": the 24-hour time of zoned parts. */
export function formatTime(p: { hour: number; minute: number }): string {
  return `${pad2(p.hour)}:${pad2(p.minute)}`;
}
