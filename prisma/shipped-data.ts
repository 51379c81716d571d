/**
 * The data shipped with the product (campaigns/, issue 15 §3): the Bắc Kạn city campaign of
 * 2024–2025 with its units of 2024 and the events of 01/07/2025, and the playground's demo campaign
 * over the units after the reform. The seed builds every database it makes from these files, through
 * the same readers an operator's files go through.
 */

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addMonths, type CalendarDate, daysInMonth, toIsoDate } from '../core/shared/calendar.ts';

/** The campaigns/ folder (found from the sources and from the dist/ bundles alike). */
export const SHIPPED_DIR = path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), 'campaigns');

/** The shipped files, relative to `SHIPPED_DIR`. */
export const SHIPPED = {
  /** Province 06, city 058 with its 8 wards and communes and its 5 member organisations (2024). */
  bacKanUnits: 'bac-kan-2024-2025/units-2024.csv',
  /** The campaign BK-XNT-2025, closed. */
  bacKanCampaign: 'bac-kan-2024-2025/campaign.yaml',
  /** The events of 01/07/2025 for those units (Resolution 1683/NQ-UBTVQH15). */
  bacKanReform: 'bac-kan-2024-2025/reform-2025-07-01.yaml',
  /** The demo's units after the reform: the province's member organisations, a few more communes. */
  demoUnits: 'demo/units.csv',
  /** The demo campaign as a template with dates relative to the day it is seeded. */
  demoCampaign: 'demo/campaign.yaml',
} as const;

export type ShippedFile = keyof typeof SHIPPED;

/** The text of a shipped file. */
export function shippedText(file: ShippedFile): string {
  return fs.readFileSync(path.join(SHIPPED_DIR, SHIPPED[file]), 'utf8');
}

const RELATIVE_DAY = /\{\{month:([+-]\d{1,3}):(\d{1,2}|last)\}\}/g;

/**
 * A template's relative days made real for `today`: `{{month:-4:1}}` is the 1st of the month four
 * months before today's, `{{month:+8:last}}` the last day of the month eight months after,
 * `{{month:+8:10}}` its 10th (a day past the month's end is its last day). Anything else is left
 * as written, so the definition reader reports it with its line.
 */
export function resolveRelativeDays(template: string, today: CalendarDate): string {
  return template.replace(RELATIVE_DAY, (_whole, months: string, day: string) => {
    const month = addMonths({ year: today.year, month: today.month, day: 1 }, Number(months));
    const last = daysInMonth(month.year, month.month);
    return toIsoDate({ ...month, day: day === 'last' ? last : Math.min(Number(day), last) });
  });
}
