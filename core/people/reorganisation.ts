import { addDays, fromIsoDate, isValidDate, toIsoDate } from '../shared/calendar.ts';
import type { DatedUnit } from './unit.repository.ts';

/**
 * Merging and splitting wards and communes under a running campaign (issue 7 §2). Records stay
 * attached to the unit they were made for; what changes from the effective date is the unit their
 * figures count under. A predecessor with a single successor (a merge, or a rename) counts under
 * it; a split unit has several successors and keeps its own figures (and row) until its households
 * are reassigned, so nothing is counted twice and nothing is lost.
 */

export const REORGANISABLE_KINDS = ['ward', 'commune'] as const;
export type ReorganisableKind = (typeof REORGANISABLE_KINDS)[number];

/** "2025-05-01" → "2025-04-30". */
export function dayBefore(isoDay: string): string {
  return toIsoDate(addDays(fromIsoDate(isoDay), -1));
}

/** A real calendar day written YYYY-MM-DD. */
export function isIsoDay(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && isValidDate(fromIsoDate(text));
}

// The views of units after reorganisations live in area-view.ts (issue 15 §2).
export {
  type AreaUnits,
  type AreaView,
  areaViewAt,
  loadAreaUnits,
  reportedUnder,
  rollUp,
  unitsByShown,
  unitsShownAt,
} from './area-view.ts';

// ---------------------------------------------------------------------------------------------
// Planning a reorganisation: every check before anything is written.

export interface NewUnitSpec {
  code: string;
  name: string;
}

export interface MergeRequest {
  codes: readonly string[];
  into: NewUnitSpec;
  /** First day of the successor (ISO). */
  on: string;
  kind?: ReorganisableKind | undefined;
}

export interface SplitRequest {
  code: string;
  into: readonly NewUnitSpec[];
  on: string;
  kind?: ReorganisableKind | undefined;
}

export interface ReorganisationContext {
  /** Every unit, to find codes (and refuse codes already used). */
  units: readonly DatedUnit[];
  campaign: { startsOn: string; endsOn: string };
}

export interface ReorganisationPlan {
  kind: 'merge' | 'split';
  predecessors: DatedUnit[];
  successors: (NewUnitSpec & { kind: ReorganisableKind; parentId: number | null })[];
  effectiveOn: string;
  /** The predecessors' last valid day: the day before `effectiveOn`. */
  endsOn: string;
}

export type PlanResult = { ok: true; plan: ReorganisationPlan } | { ok: false; error: string };

const refuse = (error: string): PlanResult => ({ ok: false, error });

/** Formats an ISO day as dd/mm/yyyy for messages. */
function display(isoDay: string): string {
  const [y, m, d] = isoDay.split('-');
  return `${d}/${m}/${y}`;
}

function checkDate(on: string, ctx: ReorganisationContext): string | undefined {
  if (!isIsoDay(on)) {
    return `ngày hiệu lực "${on}" không hợp lệ: viết theo dạng YYYY-MM-DD, ví dụ 2025-05-01`;
  }
  const { startsOn, endsOn } = ctx.campaign;
  if (on < startsOn || on > endsOn) {
    return `ngày hiệu lực ${display(on)} nằm ngoài thời gian chương trình (từ ${display(startsOn)} đến ${display(endsOn)})`;
  }
  return undefined;
}

function checkPredecessor(code: string, on: string, ctx: ReorganisationContext): DatedUnit | string {
  const unit = ctx.units.find((u) => u.code === code);
  if (!unit) {
    return `không có đơn vị mã "${code}" (xem: npm run cli -- units list)`;
  }
  if (!(REORGANISABLE_KINDS as readonly string[]).includes(unit.kind)) {
    return `${unit.name} (${code}) không phải phường, xã: chỉ sắp xếp được phường, xã`;
  }
  if (unit.validTo !== null) {
    return `${unit.name} (${code}) đã hết hiệu lực từ sau ngày ${display(unit.validTo)}, không sắp xếp lại được`;
  }
  if (unit.validFrom >= on) {
    return `${unit.name} (${code}) chỉ có hiệu lực từ ${display(unit.validFrom)}: ngày sắp xếp phải sau ngày đó`;
  }
  return unit;
}

function checkNewUnits(specs: readonly NewUnitSpec[], ctx: ReorganisationContext): string | undefined {
  const codes = new Set<string>();
  for (const spec of specs) {
    if (!/^[\p{L}\p{N}_-]{1,20}$/u.test(spec.code)) {
      return `mã đơn vị mới "${spec.code}" không hợp lệ (chữ, số, "-" hoặc "_", tối đa 20 ký tự)`;
    }
    const used = ctx.units.find((u) => u.code === spec.code);
    if (used) {
      return `mã "${spec.code}" đã dùng cho ${used.name}: chọn mã khác cho đơn vị mới`;
    }
    if (codes.has(spec.code)) {
      return `mã "${spec.code}" được ghi hai lần`;
    }
    codes.add(spec.code);
    if (spec.name.trim().length < 3) {
      return `thiếu tên cho đơn vị mới "${spec.code}" (ví dụ "Phường Bắc Kạn")`;
    }
  }
  return undefined;
}

/** Checks a merge: two or more valid wards/communes of one parent into a new unit from `on`. */
export function planMerge(req: MergeRequest, ctx: ReorganisationContext): PlanResult {
  const dateError = checkDate(req.on, ctx);
  if (dateError) {
    return refuse(dateError);
  }
  const codes = [...new Set(req.codes)];
  if (codes.length < 2) {
    return refuse('cần ít nhất hai mã đơn vị khác nhau để sáp nhập');
  }
  const predecessors: DatedUnit[] = [];
  for (const code of codes) {
    const found = checkPredecessor(code, req.on, ctx);
    if (typeof found === 'string') {
      return refuse(found);
    }
    predecessors.push(found);
  }
  const parents = new Set(predecessors.map((u) => u.parentId));
  if (parents.size > 1) {
    return refuse(
      `không sáp nhập được các đơn vị thuộc các đơn vị cấp trên khác nhau (${predecessors.map((u) => u.code).join(', ')})`,
    );
  }
  const newError = checkNewUnits([req.into], ctx);
  if (newError) {
    return refuse(newError);
  }
  const kinds = new Set(predecessors.map((u) => u.kind));
  const kind = req.kind ?? (kinds.size === 1 ? (predecessors[0]?.kind as ReorganisableKind) : undefined);
  if (kind === undefined) {
    return refuse(
      'các đơn vị gồm cả phường và xã: ghi rõ loại đơn vị mới bằng --kind ward hoặc --kind commune',
    );
  }
  return {
    ok: true,
    plan: {
      kind: 'merge',
      predecessors,
      successors: [
        {
          code: req.into.code,
          name: req.into.name.trim(),
          kind,
          parentId: predecessors[0]?.parentId ?? null,
        },
      ],
      effectiveOn: req.on,
      endsOn: dayBefore(req.on),
    },
  };
}

/** Checks a split: one valid ward/commune into two or more new units from `on`. */
export function planSplit(req: SplitRequest, ctx: ReorganisationContext): PlanResult {
  const dateError = checkDate(req.on, ctx);
  if (dateError) {
    return refuse(dateError);
  }
  const found = checkPredecessor(req.code, req.on, ctx);
  if (typeof found === 'string') {
    return refuse(found);
  }
  if (req.into.length < 2) {
    return refuse('cần ít nhất hai đơn vị mới để chia tách: --into <mã>:"<tên>",<mã>:"<tên>"');
  }
  const newError = checkNewUnits(req.into, ctx);
  if (newError) {
    return refuse(newError);
  }
  const kind = req.kind ?? (found.kind as ReorganisableKind);
  return {
    ok: true,
    plan: {
      kind: 'split',
      predecessors: [found],
      successors: req.into.map((s) => ({
        code: s.code,
        name: s.name.trim(),
        kind,
        parentId: found.parentId,
      })),
      effectiveOn: req.on,
      endsOn: dayBefore(req.on),
    },
  };
}

/** `01901:"Phường A",01902:"Phường B"` (the shell has usually eaten the quotes) → code and name pairs. */
export function parseSplitTargets(text: string): NewUnitSpec[] | string {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const specs: NewUnitSpec[] = [];
  for (const part of parts) {
    const at = part.indexOf(':');
    if (at <= 0) {
      return `không hiểu "${part}": viết <mã>:"<tên>", ví dụ 01901:"Phường Sông Cầu Bắc"`;
    }
    specs.push({
      code: part.slice(0, at).trim(),
      name: part
        .slice(at + 1)
        .trim()
        .replace(/^["'“]|["'”]$/gu, '')
        .trim(),
    });
  }
  return specs;
}
