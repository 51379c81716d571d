import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { ReportPhoto, ReportRecord } from '../../core/reports/report.ts';
import { type Actor, isRole, type MembershipView } from '../../core/shared/actor.ts';
import type { UnitView } from '../../core/units/unit.repository.ts';
import type { DB } from '../kysely-dialect.ts';

/** Rows per INSERT or IN list: 16 columns × 500 stays far below SQLite's 32,766 parameters. */
const CHUNK = 500;

/** Items in parts of at most `CHUNK` (one statement each). */
export function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) {
    out.push(items.slice(i, i + CHUNK));
  }
  return out;
}

/** The columns of a unit that `UnitView` shows. */
export const UNIT_VIEW = ['id', 'code', 'name', 'kind', 'parentId'] as const;

export function toUnitView(r: Pick<Selectable<DB['Unit']>, (typeof UNIT_VIEW)[number]>): UnitView {
  return { id: r.id, code: r.code, name: r.name, kind: r.kind, parentId: r.parentId };
}

export function toReport(r: Selectable<DB['Report']>): ReportRecord {
  return {
    id: r.id,
    ref: r.ref,
    periodId: r.periodId,
    unitId: r.unitId,
    personId: r.personId,
    revision: r.revision,
    approvedNew: r.approvedNew,
    approvedRepair: r.approvedRepair,
    startedNew: r.startedNew,
    startedRepair: r.startedRepair,
    completedNew: r.completedNew,
    completedRepair: r.completedRepair,
    handedOverNew: r.handedOverNew,
    handedOverRepair: r.handedOverRepair,
    moneyReceived: r.moneyReceived,
    moneyPaid: r.moneyPaid,
    labourDays: r.labourDays,
    difficulties: r.difficulties,
    proposals: r.proposals,
    decreaseReason: r.decreaseReason,
    late: r.late,
    channel: r.channel,
    photos: parsePhotos(r.photos),
    registryReason: r.registryReason,
    submittedAt: r.submittedAt,
  };
}

/** A JSON text column read by `schema`; none, or anything unreadable, reads as `fallback`. */
export function parseJsonColumn<T>(schema: z.ZodType<T>, text: string | null, fallback: T): T {
  if (text === null) {
    return fallback;
  }
  try {
    const result = schema.safeParse(JSON.parse(text));
    return result.success ? result.data : fallback;
  } catch {
    return fallback;
  }
}

const ZPhotos = z.array(z.object({ channel: z.string(), fileId: z.string() }));

/** The photos of a report (JSON text); anything unreadable reads as none. */
const parsePhotos = (value: string): ReportPhoto[] => parseJsonColumn(ZPhotos, value || '[]', []);

export interface PersonRow {
  personId: number;
  fullName: string;
  locale: string;
}

/** One membership of a person, as the actor queries select it (all null: a person without one). */
export interface MembershipRow {
  role: string | null;
  unitId: number | null;
  unitCode: string | null;
  unitName: string | null;
  unitKind: string | null;
}

/** An actor from its person row and its membership rows (a row without a role adds none). */
export function actorOf(person: PersonRow, rows: readonly MembershipRow[]): Actor {
  const memberships: MembershipView[] = [];
  for (const r of rows) {
    const role = r.role ?? '';
    if (isRole(role) && r.unitId !== null) {
      memberships.push({
        role,
        unitId: r.unitId,
        unitCode: r.unitCode ?? '',
        unitName: r.unitName ?? '',
        unitKind: r.unitKind ?? '',
      });
    }
  }
  return { personId: person.personId, fullName: person.fullName, locale: person.locale, memberships };
}

/** JSON for the audit log and similar text columns: bigints (money) as their digits. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** The id of a row just inserted (an INSERT without ON CONFLICT always returns one). */
export function inserted(row: { id: number } | undefined, table: string): number {
  if (row === undefined) {
    throw new Error(`INSERT INTO "${table}" returned no id`);
  }
  return row.id;
}
