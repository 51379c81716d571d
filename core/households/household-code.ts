/**
 * Codes the bot gives a new household that has none yet: the next code of its unit, in the form
 * the unit already uses ("DX-005" after "DX-001" … "DX-004"), or, for a unit without codes, the
 * initials of the unit's name ("Phường Đức Xuân" → "DX-001").
 */

import { normalizeVi } from '../shared/parse.ts';

const NUMBERED = /^(.*?)(\d+)$/;
/** Words naming the kind of unit, left out of its initials. */
const UNIT_KINDS = /^(?:phuong|xa|thi tran|thi xa|thanh pho|quan|huyen|tinh|dac khu)\s+/;
const FIRST_NUMBER_WIDTH = 3;

interface Series {
  prefix: string;
  count: number;
  max: number;
  width: number;
}

/** "DX" from "Phường Đức Xuân", "SC" from "Phường Sông Cầu"; "HO" when nothing is left. */
export function unitPrefix(unitName: string): string {
  const words = normalizeVi(unitName)
    .replace(UNIT_KINDS, '')
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
  const initials = words
    .map((w) => w[0] ?? '')
    .join('')
    .toUpperCase();
  return initials === '' ? 'HO' : initials;
}

/**
 * The code after the unit's existing ones: the prefix most of them share (on a tie, the one that
 * reached the highest number), its highest number plus one, zero-padded to the width they use.
 */
export function nextHouseholdCode(codes: readonly string[], unitName: string): string {
  const series = new Map<string, Series>();
  for (const code of codes) {
    const m = NUMBERED.exec(code.trim());
    if (!m) {
      continue;
    }
    const prefix = m[1] ?? '';
    const digits = m[2] ?? '';
    const number = Number(digits);
    const s = series.get(prefix) ?? { prefix, count: 0, max: 0, width: 0 };
    s.count++;
    s.max = Math.max(s.max, number);
    s.width = Math.max(s.width, digits.length);
    series.set(prefix, s);
  }
  const best = [...series.values()].sort((a, b) => b.count - a.count || b.max - a.max)[0];
  if (!best) {
    return `${unitPrefix(unitName)}-${'1'.padStart(FIRST_NUMBER_WIDTH, '0')}`;
  }
  return `${best.prefix}${String(best.max + 1).padStart(best.width, '0')}`;
}

/** The code after `code` in its series ("DX-009" → "DX-010"); a code without a number gets "-2". */
export function followingCode(code: string): string {
  const m = NUMBERED.exec(code);
  if (!m) {
    return `${code}-2`;
  }
  const digits = m[2] ?? '';
  return `${m[1] ?? ''}${String(Number(digits) + 1).padStart(digits.length, '0')}`;
}
