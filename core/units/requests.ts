/**
 * The operator's `units merge` and `units split` (issue 7 §2), now events of the general planner
 * (core/units/changes.ts): a merge may have one predecessor (a one-to-one succession), may reuse a
 * predecessor's code, and may join units of different parents when the successor's parent is
 * given. These commands reorganise wards, communes and special zones; any other level is
 * reorganised with an events file (`units reorganise`).
 */

import { type DatedEvent, planUnitEvents, type UnitsPlan } from './changes.ts';
import { dayBefore, validOn } from './dates.ts';
import type { UnitKind } from './kinds.ts';
import { type DatedUnit, LOCAL_KINDS, type UnitSuccessionView } from './unit.repository.ts';

export const REORGANISABLE_KINDS = LOCAL_KINDS;
export type ReorganisableKind = (typeof REORGANISABLE_KINDS)[number];

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
  /** The successor's parent (by code, valid on `on`); default: the predecessors' common parent. */
  parent?: string | undefined;
}

export interface SplitRequest {
  code: string;
  into: readonly NewUnitSpec[];
  on: string;
  kind?: ReorganisableKind | undefined;
}

export interface ReorganisationContext {
  /** Every unit, to find codes at a day (and refuse codes in use that day). */
  units: readonly DatedUnit[];
  successions?: readonly UnitSuccessionView[];
  /** Today (ISO), for the check of an effective day far in the future; default: no such check. */
  today?: string;
}

export interface ReorganisationPlan extends UnitsPlan {
  kind: 'merge' | 'split';
  predecessors: DatedUnit[];
  successors: DatedUnit[];
  effectiveOn: string;
  /** The predecessors' last valid day: the day before `effectiveOn`. */
  endsOn: string;
  /** The events planned (for `units reorganise`-style audit details). */
  events: DatedEvent[];
}

export type PlanResult = { ok: true; plan: ReorganisationPlan } | { ok: false; error: string };

/** Refuses predecessors that are not wards, communes or special zones (the command's scope). */
function localOnly(codes: readonly string[], on: string, ctx: ReorganisationContext): string | undefined {
  const last = /^\d{4}-\d{2}-\d{2}$/.test(on) ? dayBefore(on) : on;
  for (const code of codes) {
    const unit = ctx.units.find((u) => u.code === code && validOn(u, last));
    if (unit && !(REORGANISABLE_KINDS as readonly string[]).includes(unit.kind)) {
      return `${unit.name} (${code}) không phải phường, xã hay đặc khu: lệnh này chỉ sắp xếp phường, xã, đặc khu (cấp khác: units reorganise --file)`;
    }
  }
  return undefined;
}

function plan(
  kind: 'merge' | 'split',
  event: DatedEvent,
  predecessorCodes: readonly string[],
  ctx: ReorganisationContext,
): PlanResult {
  const outcome = planUnitEvents([event], {
    units: ctx.units,
    successions: ctx.successions ?? [],
    today: ctx.today,
  });
  if (!outcome.ok) {
    return { ok: false, error: outcome.problems.map((p) => p.message).join('; ') };
  }
  const created = new Set(outcome.plan.ops.flatMap((op) => (op.op === 'create' ? [op.key] : [])));
  const last = dayBefore(event.on);
  return {
    ok: true,
    plan: {
      ...outcome.plan,
      kind,
      predecessors: predecessorCodes.flatMap((code) => {
        const u = ctx.units.find((x) => x.code === code && validOn(x, last));
        return u ? [u] : [];
      }),
      // The successors named by the request (not member organisations moved along with them).
      successors: outcome.plan.units.filter(
        (u) => created.has(u.id) && u.kind !== 'member_org' && u.validFrom === event.on,
      ),
      effectiveOn: event.on,
      endsOn: last,
      events: [event],
    },
  };
}

/** Checks a merge (or, with one code, a one-to-one succession) of wards/communes into one unit from `on`. */
export function planMerge(req: MergeRequest, ctx: ReorganisationContext): PlanResult {
  const codes = [...new Set(req.codes)];
  if (codes.length === 0) {
    return { ok: false, error: 'cần ít nhất một mã đơn vị' };
  }
  const scope = localOnly(codes, req.on, ctx);
  if (scope) {
    return { ok: false, error: scope };
  }
  return plan(
    'merge',
    {
      event: {
        type: 'merge',
        from: codes,
        into: {
          code: req.into.code,
          name: req.into.name.trim(),
          kind: req.kind as UnitKind | undefined,
          parent: req.parent,
        },
      },
      on: req.on,
      path: [],
    },
    codes,
    ctx,
  );
}

/** Checks a split: one valid ward/commune into two or more new units from `on`. */
export function planSplit(req: SplitRequest, ctx: ReorganisationContext): PlanResult {
  if (req.into.length < 2) {
    return {
      ok: false,
      error:
        'cần ít nhất hai đơn vị mới để chia tách: --into <mã>:"<tên>",<mã>:"<tên>" (một đơn vị mới: units merge <mã> --into …)',
    };
  }
  const scope = localOnly([req.code], req.on, ctx);
  if (scope) {
    return { ok: false, error: scope };
  }
  return plan(
    'split',
    {
      event: {
        type: 'split',
        from: req.code,
        into: req.into.map((s) => ({
          code: s.code,
          name: s.name.trim(),
          kind: req.kind as UnitKind | undefined,
          parent: undefined,
        })),
      },
      on: req.on,
      path: [],
    },
    [req.code],
    ctx,
  );
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
