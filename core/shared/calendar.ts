/**
 * Calendar dates without a time zone, as the campaign uses them ("before the 15th"), and the
 * conversion of such a date to the instant it starts in the campaign's time zone.
 */

import { AppError } from './app-error.ts';

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function isValidDate(d: CalendarDate): boolean {
  return (
    Number.isInteger(d.year) &&
    Number.isInteger(d.month) &&
    Number.isInteger(d.day) &&
    d.month >= 1 &&
    d.month <= 12 &&
    d.day >= 1 &&
    d.day <= daysInMonth(d.year, d.month)
  );
}

/** 'YYYY-MM-DD', the storage form. */
export function toIsoDate(d: CalendarDate): string {
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

export function fromIsoDate(s: string): CalendarDate {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) {
    throw new AppError('INVALID_ARGUMENT', `Not an ISO date: ${s}`);
  }
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

export function addDays(d: CalendarDate, days: number): CalendarDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

export function addMonths(d: CalendarDate, months: number): CalendarDate {
  const index = d.year * 12 + (d.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return { year, month, day: Math.min(d.day, daysInMonth(year, month)) };
}

export function compareDates(a: CalendarDate, b: CalendarDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/**
 * Formatters are costly to build and a bot formats many dates in few zones. The cap only guards
 * against a zone name that comes from user input.
 */
const formatterCache = new Map<string, Intl.DateTimeFormat>();
const FORMATTER_CACHE_LIMIT = 64;

function zonedFormatter(timeZone: string): Intl.DateTimeFormat {
  const cached = formatterCache.get(timeZone);
  if (cached !== undefined) {
    return cached;
  }
  const formatter = new Intl.DateTimeFormat('en-US', {
    timeZone,
    calendar: 'gregory',
    numberingSystem: 'latn',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    // 'h23' rather than hour12: false, which some ICU versions render as "24:05" after midnight.
    hourCycle: 'h23',
  });
  if (formatterCache.size >= FORMATTER_CACHE_LIMIT) {
    formatterCache.clear();
  }
  formatterCache.set(timeZone, formatter);
  return formatter;
}

export interface ZonedParts extends CalendarDate {
  hour: number;
  minute: number;
  second: number;
}

/**
 * The wall-clock reading of an instant in an IANA zone, independent of the machine's TZ. Throws
 * RangeError for an invalid Date or an unknown zone (configuration errors, not user input).
 */
export function zonedParts(instant: Date, timeZone: string): ZonedParts {
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const part of zonedFormatter(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') {
      parts[part.type] = Number(part.value);
    }
  }
  return {
    year: parts.year ?? Number.NaN,
    month: parts.month ?? Number.NaN,
    day: parts.day ?? Number.NaN,
    hour: parts.hour ?? Number.NaN,
    minute: parts.minute ?? Number.NaN,
    second: parts.second ?? Number.NaN,
  };
}

function zoneOffsetMs(instant: Date, timeZone: string): number {
  const p = zonedParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The calendar date of an instant in a time zone; independent of the machine's TZ. */
export function dateInZone(instant: Date, timeZone: string): CalendarDate {
  // Every message asks for today's date; formatToParts is costly, so remember the last minute asked.
  const minute = Math.floor(instant.getTime() / 60_000);
  if (lastDate && lastDate.minute === minute && lastDate.timeZone === timeZone) {
    return { ...lastDate.date };
  }
  const { year, month, day } = zonedParts(instant, timeZone);
  lastDate = { minute, timeZone, date: { year, month, day } };
  return { year, month, day };
}

let lastDate: { minute: number; timeZone: string; date: CalendarDate } | undefined;

/** The instant a calendar date begins (00:00) in a time zone. */
export function startOfDay(d: CalendarDate, timeZone: string): Date {
  const guess = new Date(Date.UTC(d.year, d.month - 1, d.day));
  // Two passes settle the offset even across a DST change (Asia/Ho_Chi_Minh has none today).
  const first = new Date(guess.getTime() - zoneOffsetMs(guess, timeZone));
  return new Date(guess.getTime() - zoneOffsetMs(first, timeZone));
}
