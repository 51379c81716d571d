/**
 * A floor area as officials type it: "24", "24 m2", "24m2", "24 m²", "24,5 m2", "24.5", "30 mét
 * vuông". The question shows "(m²)", so the unit may or may not be repeated.
 */

import { normalizeVi } from '../shared/parse.ts';

const UNIT = /\s*(?:m2|m²|m\^2|met vuong|m vuong)\.?$/;
/** Digits, then at most one separator: "," decimal; "." decimal too unless three digits follow ("1.000"). */
const NUMBER = /^(\d{1,4})(?:([.,])(\d{1,3}))?$/;

/** The area in m² (two decimals at most), or undefined when the text is not one. */
export function parseArea(text: string): number | undefined {
  if (text.length > 40) {
    return undefined;
  }
  const s = normalizeVi(text.replace(/²/g, '2')).replace(UNIT, '').trim();
  const m = NUMBER.exec(s);
  if (!m) {
    return undefined;
  }
  const [, whole = '', sep, frac = ''] = m;
  if (sep === '.' && frac.length === 3) {
    // "1.000": Vietnamese thousands grouping.
    return Number(whole + frac);
  }
  const value = Number(frac === '' ? whole : `${whole}.${frac}`);
  return Math.round(value * 100) / 100;
}

/** "24,5" the Vietnamese way. */
export function formatArea(area: number): string {
  return String(Math.round(area * 100) / 100).replace('.', ',');
}
