import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { formatProblem } from '../../core/campaigns/definition-file.ts';
import { CLI_SOURCE } from '../../core/messaging/outbox.repository.ts';
import { AppError } from '../../core/shared/app-error.ts';
import { type AppliedUnits, applyUnitsPlan, unitsState } from '../../core/units/apply.ts';
import {
  type DatedEvent,
  planUnitEvents,
  type UnitsPlan,
  type UnitsState,
} from '../../core/units/changes.ts';
import { isIsoDay } from '../../core/units/dates.ts';
import {
  eventDay,
  locateProblems,
  readUnitEvents,
  type UnitEvent,
  ZUnitKind,
} from '../../core/units/events-file.ts';
import {
  type PlanResult,
  parseSplitTargets,
  planMerge,
  planSplit,
  REORGANISABLE_KINDS,
  type ReorganisationPlan,
} from '../../core/units/requests.ts';
import { type CliContext, DEFAULT_TIME_ZONE, storeOf, UsageError } from './context.ts';
import { formatIsoDate } from './text.ts';

const ZKind = z
  .enum(REORGANISABLE_KINDS, {
    error: '--kind phải là ward (phường), commune (xã) hoặc special_zone (đặc khu)',
  })
  .optional();
const ZOn = z
  .string({ error: 'thiếu ngày hiệu lực: --on YYYY-MM-DD' })
  .min(1, 'thiếu ngày hiệu lực: --on YYYY-MM-DD');
const ZCode = (what: string) => z.string({ error: what }).min(1, what);

export const ZUnitsMergeArgs = z.object({
  codes: z.array(z.string()).min(1, 'thiếu mã đơn vị: units merge <mã 1> [<mã 2> …] --into <mã mới>'),
  into: z
    .string({ error: 'thiếu mã đơn vị mới: --into <mã mới>' })
    .min(1, 'thiếu mã đơn vị mới: --into <mã mới>'),
  name: z.string({ error: 'thiếu tên đơn vị mới: --name "Phường …"' }).trim().min(1, 'thiếu tên đơn vị mới'),
  on: ZOn,
  kind: ZKind,
  parent: z.string().min(1).optional(),
});
export type UnitsMergeArgs = z.input<typeof ZUnitsMergeArgs>;

export const ZUnitsSplitArgs = z.object({
  code: z.string({ error: 'thiếu mã đơn vị cần chia tách: units split <mã> --into …' }).min(1),
  into: z.string({ error: 'thiếu các đơn vị mới: --into <mã>:"<tên>",<mã>:"<tên>"' }).min(1),
  on: ZOn,
  kind: ZKind,
});
export type UnitsSplitArgs = z.infer<typeof ZUnitsSplitArgs>;

/** What a plan is made against, in the transaction that writes it. */
function stateOf(ctx: CliContext) {
  return (tx: Parameters<typeof unitsState>[0]) => unitsState(tx, ctx.now, ctx.timeZone ?? DEFAULT_TIME_ZONE);
}

/**
 * Plans against the units read in the transaction that writes the plan (core/units: units,
 * successions, moved officers and the audit row commit together); `dryRun` plans only.
 */
async function planAndApply<P extends UnitsPlan>(
  ctx: CliContext,
  plan: (state: UnitsState) => P,
  audit: { action: string; details?: Record<string, unknown> },
  dryRun = false,
): Promise<{ plan: P; applied: AppliedUnits | undefined }> {
  try {
    return await storeOf(ctx).run(async (tx) => {
      const planned = plan(await stateOf(ctx)(tx));
      const applied = dryRun
        ? undefined
        : await applyUnitsPlan(tx, planned, { by: CLI_SOURCE, ...audit }, ctx.now);
      return { plan: planned, applied };
    });
  } catch (error) {
    if (error instanceof AppError && error.code === 'CONFLICT') {
      throw new UsageError(
        'một đơn vị vừa được sắp xếp lại bởi người khác; chạy lại lệnh để xem tình trạng mới',
      );
    }
    throw error;
  }
}

function planned(result: PlanResult): ReorganisationPlan {
  if (!result.ok) {
    throw new UsageError(result.error);
  }
  return result.plan;
}

function printMoved(ctx: CliContext, applied: AppliedUnits | undefined, none: string): void {
  const moved = applied?.moved ?? [];
  ctx.out(moved.length > 0 ? `Chuyển sang đơn vị mới: ${moved.join(', ')}.` : none);
  if (applied && applied.revoked.length > 0) {
    ctx.out(`Thôi vai trò: ${applied.revoked.join(', ')}.`);
  }
}

/**
 * `units merge <code…> --into <code> --name "<name>" --on <day> [--parent <code>]`: one transaction
 * creates the successor, ends the predecessors the day before, links them and moves their
 * officers. One code is a one-to-one succession; the successor may reuse a predecessor's code.
 */
export async function unitsMerge(ctx: CliContext, args: UnitsMergeArgs): Promise<void> {
  const { plan, applied } = await planAndApply(
    ctx,
    (state) =>
      planned(
        planMerge(
          {
            codes: args.codes,
            into: { code: args.into, name: args.name },
            on: args.on,
            kind: args.kind,
            parent: args.parent,
          },
          state,
        ),
      ),
    { action: 'unit.merge' },
  );
  const names = plan.predecessors.map((u) => `${u.name} (${u.code})`).join(', ');
  const successor = plan.successors[0];
  ctx.out(
    `Đã ${plan.predecessors.length > 1 ? 'sáp nhập' : 'chuyển'} ${names} thành ${successor?.name} (${successor?.code}) từ ngày ${formatIsoDate(plan.effectiveOn)}.`,
  );
  ctx.out(`Các đơn vị cũ hết hiệu lực sau ngày ${formatIsoDate(plan.endsOn)}.`);
  ctx.out(
    `Báo cáo, hộ, đăng ký ủng hộ và bút toán đã có vẫn thuộc đơn vị cũ; số liệu được cộng vào ${successor?.name} từ ngày ${formatIsoDate(plan.effectiveOn)}.`,
  );
  printMoved(ctx, applied, 'Đơn vị cũ không có cán bộ nào để chuyển sang đơn vị mới.');
}

/**
 * `units split <code> --into <code>:"<name>",… --on <day>`: the new units are created and linked;
 * households and officers stay with the old unit until reassigned (a later import, new invites).
 */
export async function unitsSplit(ctx: CliContext, args: UnitsSplitArgs): Promise<void> {
  const targets = parseSplitTargets(args.into);
  if (typeof targets === 'string') {
    throw new UsageError(targets);
  }
  const { plan } = await planAndApply(
    ctx,
    (state) => planned(planSplit({ code: args.code, into: targets, on: args.on, kind: args.kind }, state)),
    { action: 'unit.split' },
  );
  const old = plan.predecessors[0];
  ctx.out(
    `Đã chia tách ${old?.name} (${old?.code}) thành ${plan.successors.map((s) => `${s.name} (${s.code})`).join(', ')} từ ngày ${formatIsoDate(plan.effectiveOn)}.`,
  );
  ctx.out(
    `Hộ gia đình vẫn thuộc ${old?.name} và được tính riêng cho đơn vị này cho đến khi chuyển sang đơn vị mới: hãy nhập lại danh sách hộ của từng đơn vị mới (npm run cli -- households import <tệp> --unit <mã mới>).`,
  );
  ctx.out(
    'Cán bộ của đơn vị cũ không được chuyển tự động: tạo mã mời cho cán bộ từng đơn vị mới (npm run cli -- invite create).',
  );
}

/** Plans events, refusing with every problem's message (a one-event command has no file lines). */
function planEvents(events: DatedEvent[]) {
  return (state: UnitsState): UnitsPlan => {
    const outcome = planUnitEvents(events, state);
    if (!outcome.ok) {
      throw new UsageError(outcome.problems.map((p) => p.message).join('; '));
    }
    return outcome.plan;
  };
}

/** Runs one event of a `units add|rename|end|move` command and prints what it did. */
async function runOne(ctx: CliContext, event: UnitEvent, on: string, action: string): Promise<void> {
  const { plan, applied } = await planAndApply(ctx, planEvents([{ event, on, path: [] }]), { action });
  for (const line of plan.lines) {
    ctx.out(line);
  }
  if (event.type !== 'add') {
    printMoved(ctx, applied, 'Không có cán bộ nào phải chuyển.');
  }
}

const ZName = z
  .string({ error: 'thiếu tên: --name "Phường …"' })
  .trim()
  .min(3, 'tên quá ngắn: --name "Phường …"');
const ZDay = (option: string) =>
  z
    .string({ error: `thiếu ngày hiệu lực: ${option} YYYY-MM-DD` })
    .refine(isIsoDay, { error: `${option} phải là một ngày có thật dạng YYYY-MM-DD, ví dụ 2025-07-01` });

export const ZUnitsAddArgs = z.object({
  code: ZCode('thiếu mã đơn vị: units add <mã> --name "…" --kind … --from YYYY-MM-DD'),
  name: ZName,
  kind: z.string({ error: 'thiếu loại đơn vị: --kind ward|commune|special_zone|…' }).pipe(ZUnitKind),
  parent: z.string().min(1).optional(),
  from: ZDay('--from'),
});
export type UnitsAddArgs = z.infer<typeof ZUnitsAddArgs>;

/** `units add <code> --name … --kind … [--parent <code>] --from <day>`: a new unit, no predecessor. */
export function unitsAdd(ctx: CliContext, args: UnitsAddArgs): Promise<void> {
  return runOne(
    ctx,
    { type: 'add', code: args.code, name: args.name, kind: args.kind, parent: args.parent },
    args.from,
    'unit.add',
  );
}

export const ZUnitsRenameArgs = z.object({
  code: ZCode('thiếu mã đơn vị: units rename <mã> --name "…" --on YYYY-MM-DD'),
  name: ZName,
  on: ZDay('--on'),
});
export type UnitsRenameArgs = z.infer<typeof ZUnitsRenameArgs>;

/** `units rename <code> --name … --on <day>`: a one-to-one succession under the same code. */
export function unitsRename(ctx: CliContext, args: UnitsRenameArgs): Promise<void> {
  return runOne(ctx, { type: 'rename', code: args.code, name: args.name }, args.on, 'unit.rename');
}

export const ZUnitsEndArgs = z.object({
  code: ZCode('thiếu mã đơn vị: units end <mã> --on YYYY-MM-DD [--successor <mã>]'),
  on: ZDay('--on'),
  successor: z.string().min(1).optional(),
});
export type UnitsEndArgs = z.infer<typeof ZUnitsEndArgs>;

/** `units end <code> --on <day> [--successor <code>]`: the unit (and its member organisations) ends. */
export function unitsEnd(ctx: CliContext, args: UnitsEndArgs): Promise<void> {
  return runOne(ctx, { type: 'end', code: args.code, successor: args.successor }, args.on, 'unit.end');
}

export const ZUnitsMoveArgs = z.object({
  code: ZCode('thiếu mã đơn vị: units move <mã> --parent <mã> --on YYYY-MM-DD'),
  parent: ZCode('thiếu đơn vị cấp trên mới: --parent <mã>'),
  on: ZDay('--on'),
});
export type UnitsMoveArgs = z.infer<typeof ZUnitsMoveArgs>;

/** `units move <code> --parent <code> --on <day>`: a new record of the unit under another parent. */
export function unitsMove(ctx: CliContext, args: UnitsMoveArgs): Promise<void> {
  return runOne(ctx, { type: 'move', code: args.code, parent: args.parent }, args.on, 'unit.move');
}

export const ZUnitsReorganiseArgs = z.object({
  file: ZCode('thiếu tệp: units reorganise --file <tệp.yaml|tệp.json>'),
  dryRun: z.boolean().default(false),
});
export type UnitsReorganiseArgs = z.infer<typeof ZUnitsReorganiseArgs>;

/**
 * `units reorganise --file <events.yaml> [--dry-run]`: every event of the file, in order, in one
 * transaction with one audit row; any problem (each with its line, field and fix) and nothing is
 * written. Returns the problems printed (none when applied or planned).
 */
export async function unitsReorganise(
  ctx: CliContext,
  args: UnitsReorganiseArgs,
): Promise<{ problems: number }> {
  let text: string;
  try {
    text = await readFile(args.file, 'utf8');
  } catch {
    throw new UsageError(`không đọc được tệp "${args.file}" (kiểm tra đường dẫn)`);
  }
  const read = readUnitEvents(text);
  const refuse = (problems: { line: number; field: string; message: string }[]) => {
    for (const p of problems) {
      ctx.out(formatProblem(p));
    }
    ctx.out(`Tệp có ${problems.length} lỗi. Không ghi gì vào cơ sở dữ liệu.`);
    return { problems: problems.length };
  };
  if (!read.ok) {
    return refuse(read.problems);
  }
  const file = read.value;
  const events: DatedEvent[] = file.events.map((event, i) => ({
    event,
    on: eventDay(file, event),
    path: ['events', i],
  }));
  let outcome: { plan: UnitsPlan; applied: AppliedUnits | undefined };
  try {
    outcome = await planAndApply(
      ctx,
      (state) => {
        const result = planUnitEvents(events, state);
        if (!result.ok) {
          throw new EventsRefused(locateProblems(text, result.problems));
        }
        return result.plan;
      },
      {
        action: 'units.reorganise',
        details: { file: path.basename(args.file), source: file.source ?? null, events: events.length },
      },
      args.dryRun,
    );
  } catch (error) {
    if (error instanceof EventsRefused) {
      return refuse(error.problems);
    }
    throw error;
  }
  for (const line of outcome.plan.lines) {
    ctx.out(line);
  }
  if (outcome.applied) {
    printMoved(ctx, outcome.applied, 'Không có cán bộ nào phải chuyển.');
  }
  ctx.out(
    args.dryRun
      ? `Chạy thử (--dry-run): ${events.length} sự kiện hợp lệ, không ghi gì.`
      : `Đã ghi ${events.length} sự kiện (ghi nhật ký).`,
  );
  return { problems: 0 };
}

/** The problems of an events file, thrown out of the transaction so that it writes nothing. */
class EventsRefused extends Error {
  constructor(readonly problems: ReturnType<typeof locateProblems>) {
    super('events file refused');
  }
}
