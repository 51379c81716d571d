import type { Campaign } from '../campaigns/campaign.ts';
import { campaignOf } from '../campaigns/campaign-of.ts';
import { addDays, dateInZone, fromIsoDate, toIsoDate } from '../shared/calendar.ts';
import { formatDateLong } from '../shared/format.ts';
import type { Tx } from '../unit-of-work.ts';
import type { UnitView } from '../units/unit.repository.ts';
import { placeOf, plainUnitName } from './official-document.ts';

/** Wards and communes: the units that report and keep households. */
const LOCAL_KINDS = new Set(['ward', 'commune']);

/** What every export reads first: the campaign, today, who issues it and the units it covers. */
export interface ExportScope {
  campaign: Campaign;
  /** Today in the campaign's time zone, ISO. */
  today: string;
  /** The body that issues the report (the city MTTQ for the city or one of its wards). */
  issuer: UnitView;
  /** The units asked for, in the order given (`scopeUnitsAt` lists their wards and communes on a day). */
  own: UnitView[];
  /** The wards and communes covered, by code. */
  units: UnitView[];
  /** The fund levels covered: the scope's own units, then their wards and communes, by code. */
  levels: UnitView[];
}

export type ScopeRefusal = { code: 'no_campaign' } | { code: 'unknown_unit'; unitId: number };

/**
 * Reads the scope of an export: each unit id stands for itself and, when it is a city (province,
 * district), its wards and communes. The issuer is the first unit above ward level, or the
 * parent of the first ward.
 */
export async function loadScope(
  tx: Tx,
  scope: readonly number[],
  now: Date,
): Promise<{ ok: true; scope: ExportScope } | { ok: false; refusal: ScopeRefusal }> {
  // The campaign of the area exported (closed ones too: they stay exportable).
  const campaign = await campaignOf(tx, [...scope], now);
  if (!campaign) {
    return { ok: false, refusal: { code: 'no_campaign' } };
  }
  const units = new Map<number, UnitView>();
  const levels = new Map<number, UnitView>();
  const own: UnitView[] = [];
  for (const id of scope) {
    const unit = await tx.units.findById(id);
    if (!unit) {
      return { ok: false, refusal: { code: 'unknown_unit', unitId: id } };
    }
    own.push(unit);
    levels.set(unit.id, unit);
    const children = LOCAL_KINDS.has(unit.kind) ? [unit] : await tx.units.listChildren([unit.id]);
    for (const child of children) {
      units.set(child.id, child);
      levels.set(child.id, child);
    }
  }
  const top = own.find((u) => !LOCAL_KINDS.has(u.kind));
  const first = own[0];
  const parent = first?.parentId == null ? undefined : await tx.units.findById(first.parentId);
  const issuer = top ?? parent ?? first;
  if (!issuer) {
    return { ok: false, refusal: { code: 'unknown_unit', unitId: 0 } };
  }
  const byCode = (a: UnitView, b: UnitView) => a.code.localeCompare(b.code);
  return {
    ok: true,
    scope: {
      campaign,
      today: toIsoDate(dateInZone(now, campaign.timeZone)),
      issuer,
      own,
      units: [...units.values()].sort(byCode),
      // The city's own fund first, then its wards and communes.
      levels: [...levels.values()].sort(
        (a, b) => Number(LOCAL_KINDS.has(a.kind)) - Number(LOCAL_KINDS.has(b.kind)) || byCode(a, b),
      ),
    },
  };
}

/** The title block's second line: "THÀNH PHỐ BẮC KẠN". */
export function issuerLine(issuer: UnitView): string {
  return plainUnitName(issuer.name).toUpperCase();
}

/** "Bắc Kạn, ngày 10 tháng 03 năm 2025". */
export function placeAndDate(issuer: UnitView, today: string): string {
  return `${placeOf(issuer.name)}, ${formatDateLong(fromIsoDate(today))}`;
}

/** "Phường Đức Xuân" or "thành phố Bắc Kạn" with a capital first letter, for sheet and row labels. */
export function displayUnitName(unit: Pick<UnitView, 'name'>): string {
  const plain = plainUnitName(unit.name);
  return plain.charAt(0).toUpperCase() + plain.slice(1);
}

/** Whole days from `from` to `to` (ISO days; negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  const a = fromIsoDate(from);
  const b = fromIsoDate(to);
  return Math.round(
    (Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000,
  );
}

/** Reports are due *before* `dueOn`: the last day on time is the day before. */
export function lastDayOnTime(dueOn: string): string {
  return toIsoDate(addDays(fromIsoDate(dueOn), -1));
}
