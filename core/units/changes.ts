/**
 * Planning changes of administrative units (issue 15 §2), pure: from every unit and succession
 * recorded, a list of events (add, rename, succeed, merge, split, move, end) becomes the writes
 * that carry them out — or every problem found, each naming the event and field it is about.
 *
 * A unit is a dated record: a GSO code names one unit at a time, so a code is always read at a
 * day. A predecessor is the unit valid the day before the effective day; a parent or a successor
 * given by code is the unit valid on the effective day (made by an earlier event of the same
 * plan, or already recorded). Every change ends records and makes new ones, never rewrites one,
 * so a view of an earlier period still sees the units (and parents) of that period.
 */

import { addDays, fromIsoDate, toIsoDate } from '../shared/calendar.ts';
import { dayBefore, displayDay, isIsoDay, validOn } from './dates.ts';
import type { NewUnit, UnitEvent } from './events-file.ts';
import { kindName, mayContain } from './kinds.ts';
import { AREA_KINDS, type DatedUnit, type UnitSuccessionView } from './unit.repository.ts';

/** Units are keyed by id; units a plan creates get negative keys until they are written. */
export type UnitKey = number;

export type UnitOp =
  | {
      op: 'create';
      key: UnitKey;
      code: string;
      name: string;
      kind: string;
      parentKey: UnitKey | null;
      validFrom: string;
      validTo: string | null;
    }
  | { op: 'end'; key: UnitKey; validTo: string }
  | { op: 'setValidTo'; key: UnitKey; validTo: string | null }
  | { op: 'link'; predecessorKey: UnitKey; successorKey: UnitKey; effectiveOn: string }
  /** Officers and leaders (or, `every`, all roles: a member organisation's people) move to `toKey`. */
  | { op: 'moveMembers'; fromKeys: UnitKey[]; toKey: UnitKey; every: boolean }
  /** Live memberships end: officers and leaders, or (`every`) all roles. */
  | { op: 'revokeMembers'; keys: UnitKey[]; every: boolean };

/** A problem of the plan: where in the events (a path such as ['events', 2, 'from', 0]) and what to do. */
export interface UnitProblem {
  path: (string | number)[];
  message: string;
}

export interface UnitsPlan {
  ops: UnitOp[];
  /** What the plan does, one Vietnamese line per change. */
  lines: string[];
  /** The units as they are after the plan (new ones with negative ids). */
  units: DatedUnit[];
}

export type PlanOutcome = { ok: true; plan: UnitsPlan } | { ok: false; problems: UnitProblem[] };

/** What a plan is made against: every unit and link recorded, and today (ISO) for the date check. */
export interface UnitsState {
  units: readonly DatedUnit[];
  successions: readonly UnitSuccessionView[];
  /** Without it, no effective day is too far ahead. */
  today?: string | undefined;
}

/** How far ahead an effective day may be: a reorganisation is decided months, not decades, ahead. */
export const MAX_YEARS_AHEAD = 5;

/** An event with its effective day and where it is in the file (for the problems' paths). */
export interface DatedEvent {
  event: UnitEvent;
  on: string;
  path: (string | number)[];
}

const label = (u: Pick<DatedUnit, 'name' | 'code'>) => `${u.name} (${u.code})`;

class Workspace {
  readonly units = new Map<UnitKey, DatedUnit>();
  readonly links: UnitSuccessionView[];
  readonly ops: UnitOp[] = [];
  readonly lines: string[] = [];
  readonly problems: UnitProblem[] = [];
  /** Units this plan ends (or accepts as ending the day before) → the path of the event. */
  readonly endedBy = new Map<UnitKey, (string | number)[]>();
  /** Units split by this plan: their member organisations stay with them. */
  readonly split = new Set<UnitKey>();
  private nextKey = -1;

  constructor(readonly state: UnitsState) {
    for (const u of state.units) {
      this.units.set(u.id, { ...u });
    }
    this.links = [...state.successions];
  }

  problem(path: (string | number)[], message: string): undefined {
    this.problems.push({ path, message });
    return undefined;
  }

  /** The unit with `code` valid on `day` (the latest record when several). */
  at(code: string, day: string): DatedUnit | undefined {
    let found: DatedUnit | undefined;
    for (const u of this.units.values()) {
      if (u.code === code && validOn(u, day) && (!found || u.validFrom > found.validFrom)) {
        found = u;
      }
    }
    return found;
  }

  checkDay(on: string, path: (string | number)[]): boolean {
    if (!isIsoDay(on)) {
      this.problem(path, `ngày hiệu lực "${on}" không hợp lệ: viết theo dạng YYYY-MM-DD, ví dụ 2025-07-01`);
      return false;
    }
    const today = this.state.today;
    const limit =
      today === undefined ? undefined : toIsoDate(addDays(fromIsoDate(today), 366 * MAX_YEARS_AHEAD));
    if (limit !== undefined && on > limit) {
      this.problem(
        path,
        `ngày hiệu lực ${displayDay(on)} quá xa (sau ${displayDay(limit)}): kiểm tra lại năm của ngày hiệu lực`,
      );
      return false;
    }
    return true;
  }

  /** The unit `code` names the day before `on`, still open (or ending exactly that day). */
  predecessor(code: string, on: string, path: (string | number)[]): DatedUnit | undefined {
    const last = dayBefore(on);
    const unit = this.at(code, last);
    if (!unit) {
      const records = [...this.units.values()].filter((u) => u.code === code);
      if (records.length === 0) {
        return this.problem(path, `không có đơn vị mã "${code}" (xem: npm run cli -- units list)`);
      }
      const ended = records
        .filter((u) => u.validTo !== null && u.validTo < last)
        .sort((a, b) => (a.validTo ?? '').localeCompare(b.validTo ?? ''))
        .at(-1);
      if (ended) {
        return this.problem(
          path,
          `${label(ended)} đã hết hiệu lực từ sau ngày ${displayDay(ended.validTo ?? last)}, không sắp xếp lại được`,
        );
      }
      const first = records.sort((a, b) => a.validFrom.localeCompare(b.validFrom))[0];
      return this.problem(
        path,
        `đơn vị mã "${code}" chỉ có hiệu lực từ ${displayDay(first?.validFrom ?? on)}: ngày sắp xếp phải sau ngày đó`,
      );
    }
    const earlier = this.endedBy.get(unit.id);
    if (earlier) {
      return this.problem(
        path,
        `${label(unit)} đã được sắp xếp ở sự kiện trước trong tệp (${earlier.join('.')}): mỗi đơn vị chỉ sắp xếp một lần mỗi ngày`,
      );
    }
    if (unit.validTo === last && this.links.some((l) => l.predecessorId === unit.id)) {
      return this.problem(
        path,
        `${label(unit)} đã hết hiệu lực từ sau ngày ${displayDay(last)} và đã có đơn vị kế thừa: không sắp xếp lại được (tệp đã được áp dụng?)`,
      );
    }
    if (unit.validTo !== null && unit.validTo !== last) {
      return this.problem(
        path,
        `${label(unit)} đã có ngày hết hiệu lực ${displayDay(unit.validTo)}, khác ngày ${displayDay(last)} trước ngày sắp xếp: sửa ngày hiệu lực của sự kiện`,
      );
    }
    return unit;
  }

  /** The unit `code` names on `on` (a parent, a successor given by code). */
  current(code: string, on: string, path: (string | number)[], what: string): DatedUnit | undefined {
    const unit = this.at(code, on);
    if (!unit) {
      return this.problem(
        path,
        `không có ${what} mã "${code}" còn hiệu lực ngày ${displayDay(on)}: kiểm tra mã, hoặc tạo đơn vị đó ở một sự kiện phía trên trong tệp`,
      );
    }
    return unit;
  }

  /** A parent's key on `on`: itself while valid, else its single successor by then. */
  parentOn(parentKey: UnitKey | null, on: string): UnitKey | null | undefined {
    if (parentKey === null) {
      return null;
    }
    const parent = this.units.get(parentKey);
    if (parent && validOn(parent, on)) {
      return parentKey;
    }
    const next = new Set(
      this.links
        .filter((l) => l.predecessorId === parentKey && l.effectiveOn <= on)
        .map((l) => l.successorId),
    );
    const [only] = next;
    return next.size === 1 && only !== undefined ? this.parentOn(only, on) : undefined;
  }

  end(unit: DatedUnit, on: string, path: (string | number)[]): void {
    const last = dayBefore(on);
    if (unit.validTo === null) {
      this.ops.push({ op: 'end', key: unit.id, validTo: last });
      unit.validTo = last;
    }
    this.endedBy.set(unit.id, path);
  }

  /** A new unit from `on`, its code free that day and its parent valid then; its key. */
  create(
    spec: { code: string; name: string; kind: string; parentKey: UnitKey | null },
    on: string,
    path: (string | number)[],
  ): UnitKey | undefined {
    if (!/^[0-9A-Za-z][0-9A-Za-z_-]{0,31}$/.test(spec.code)) {
      return this.problem(
        [...path, 'code'],
        `mã đơn vị mới "${spec.code}" không hợp lệ (chữ không dấu, số, "-" hoặc "_", tối đa 32 ký tự)`,
      );
    }
    if (spec.name.trim().length < 3) {
      return this.problem(
        [...path, 'name'],
        `thiếu tên cho đơn vị mới "${spec.code}" (ví dụ "Phường Bắc Kạn")`,
      );
    }
    const clash = [...this.units.values()].find(
      (u) => u.code === spec.code && (validOn(u, on) || u.validFrom === on),
    );
    if (clash) {
      return this.problem(
        [...path, 'code'],
        `mã "${spec.code}" đã dùng cho ${clash.name} (còn hiệu lực ngày ${displayDay(on)}): chọn mã khác, hoặc cho đơn vị đó kết thúc trước ngày này (merge, end)`,
      );
    }
    const parent = spec.parentKey === null ? undefined : this.units.get(spec.parentKey);
    if (parent && !mayContain(parent.kind, spec.kind)) {
      return this.problem(
        [...path, 'parent'],
        `${kindName(spec.kind)} không thể thuộc ${kindName(parent.kind)} ${label(parent)}: chọn đơn vị cấp trên khác`,
      );
    }
    const key = this.nextKey--;
    const unit: DatedUnit = {
      id: key,
      code: spec.code,
      name: spec.name,
      kind: spec.kind,
      parentId: spec.parentKey,
      validFrom: on,
      validTo: null,
    };
    this.units.set(key, unit);
    this.ops.push({ op: 'create', key, ...spec, validFrom: on, validTo: null });
    return key;
  }

  link(predecessors: readonly DatedUnit[], successorKey: UnitKey, on: string): void {
    for (const p of predecessors) {
      this.links.push({ predecessorId: p.id, successorId: successorKey, effectiveOn: on });
      this.ops.push({ op: 'link', predecessorKey: p.id, successorKey, effectiveOn: on });
    }
  }

  /** The member organisations under `unitKey` still valid the day before `on`. */
  memberOrgs(unitKey: UnitKey, on: string): DatedUnit[] {
    const last = dayBefore(on);
    return [...this.units.values()].filter(
      (u) => u.parentId === unitKey && u.kind === 'member_org' && validOn(u, last) && u.validTo === null,
    );
  }

  /**
   * One successor for `predecessors` from `on`: they end the day before, the successor is made,
   * linked, and receives their officers, leaders and member organisations.
   */
  succeed(
    predecessors: DatedUnit[],
    into: NewUnit,
    on: string,
    path: (string | number)[],
  ): DatedUnit | undefined {
    const parentKey = this.newParent(predecessors, into.parent, on, path);
    if (parentKey === undefined) {
      return undefined;
    }
    const kinds = new Set(predecessors.map((u) => u.kind));
    const kind = into.kind ?? (kinds.size === 1 ? predecessors[0]?.kind : undefined);
    if (kind === undefined) {
      return this.problem(
        [...path, 'kind'],
        'các đơn vị cũ khác loại nhau: ghi rõ loại đơn vị mới (kind: ward, commune, special_zone…)',
      );
    }
    for (const p of predecessors) {
      this.end(p, on, path);
    }
    const key = this.create({ code: into.code, name: into.name, kind, parentKey }, on, path);
    if (key === undefined) {
      return undefined;
    }
    this.link(predecessors, key, on);
    this.ops.push({ op: 'moveMembers', fromKeys: predecessors.map((p) => p.id), toKey: key, every: false });
    for (const p of predecessors) {
      for (const org of this.memberOrgs(p.id, on)) {
        this.moveUnder(org, key, on, path);
      }
    }
    return this.units.get(key);
  }

  /** Re-parenting: the unit ends the day before `on`, the same code and name start under `parentKey`. */
  moveUnder(
    unit: DatedUnit,
    parentKey: UnitKey,
    on: string,
    path: (string | number)[],
  ): DatedUnit | undefined {
    const kind = unit.kind;
    this.end(unit, on, path);
    const key = this.create({ code: unit.code, name: unit.name, kind, parentKey }, on, path);
    if (key === undefined) {
      return undefined;
    }
    this.link([unit], key, on);
    this.ops.push({ op: 'moveMembers', fromKeys: [unit.id], toKey: key, every: kind === 'member_org' });
    for (const org of this.memberOrgs(unit.id, on)) {
      this.moveUnder(org, key, on, path);
    }
    return this.units.get(key);
  }

  /** The parent of a successor: given by code (valid on `on`), else the predecessors' common one. */
  newParent(
    predecessors: readonly DatedUnit[],
    code: string | undefined,
    on: string,
    path: (string | number)[],
  ): UnitKey | null | undefined {
    if (code !== undefined) {
      return this.current(code, on, [...path, 'parent'], 'đơn vị cấp trên')?.id;
    }
    const parents = new Set(predecessors.map((p) => this.parentOn(p.parentId, on)));
    const [only] = parents;
    if (parents.size === 1 && only !== undefined) {
      return only;
    }
    return this.problem(
      [...path, 'parent'],
      parents.size > 1
        ? `các đơn vị thuộc các đơn vị cấp trên khác nhau (${predecessors.map((u) => u.code).join(', ')}): ghi rõ đơn vị cấp trên của đơn vị mới (parent)`
        : 'đơn vị cấp trên cũ không còn hiệu lực từ ngày này: ghi rõ đơn vị cấp trên của đơn vị mới (parent)',
    );
  }

  predecessors(codes: readonly string[], on: string, path: (string | number)[]): DatedUnit[] | undefined {
    const found: DatedUnit[] = [];
    const seen = new Set<string>();
    codes.forEach((code, i) => {
      if (seen.has(code)) {
        this.problem([...path, i], `mã "${code}" được ghi hai lần`);
        return;
      }
      seen.add(code);
      const unit = this.predecessor(code, on, [...path, i]);
      if (unit) {
        found.push(unit);
      }
    });
    return found.length === codes.length ? found : undefined;
  }

  apply({ event, on, path }: DatedEvent): void {
    if (!this.checkDay(on, [...path, 'on'])) {
      return;
    }
    const day = displayDay(on);
    switch (event.type) {
      case 'add': {
        const parentKey =
          event.parent === undefined
            ? null
            : this.current(event.parent, on, [...path, 'parent'], 'đơn vị cấp trên')?.id;
        if (parentKey !== undefined) {
          const key = this.create(
            { code: event.code, name: event.name, kind: event.kind, parentKey },
            on,
            path,
          );
          if (key !== undefined) {
            this.lines.push(`Thêm ${kindName(event.kind)} ${event.name} (${event.code}) từ ${day}.`);
          }
        }
        return;
      }
      case 'rename':
      case 'succeed':
      case 'merge': {
        const codes =
          event.type === 'rename' ? [event.code] : event.type === 'succeed' ? [event.from] : event.from;
        const preds = this.predecessors(codes, on, [...path, event.type === 'rename' ? 'code' : 'from']);
        if (!preds) {
          return;
        }
        const into: NewUnit =
          event.type === 'rename'
            ? { code: event.code, name: event.name, kind: undefined, parent: event.parent }
            : event.into;
        const successor = this.succeed(preds, into, on, event.type === 'rename' ? path : [...path, 'into']);
        if (successor) {
          const olds = preds.map(label).join(', ');
          this.lines.push(
            event.type === 'rename'
              ? `Đổi tên ${olds} thành ${successor.name} từ ${day}.`
              : event.type === 'succeed' || preds.length === 1
                ? `${olds} được thay bằng ${label(successor)} từ ${day}.`
                : `Sáp nhập ${olds} thành ${label(successor)} từ ${day}.`,
          );
        }
        return;
      }
      case 'split': {
        const [pred] = this.predecessors([event.from], on, [...path, 'from']) ?? [];
        if (!pred) {
          return;
        }
        const parents = event.into.map((spec, i) =>
          this.newParent([pred], spec.parent, on, [...path, 'into', i]),
        );
        if (parents.some((p) => p === undefined)) {
          return;
        }
        this.end(pred, on, path);
        this.split.add(pred.id);
        const made: DatedUnit[] = [];
        event.into.forEach((spec, i) => {
          const key = this.create(
            { code: spec.code, name: spec.name, kind: spec.kind ?? pred.kind, parentKey: parents[i] ?? null },
            on,
            [...path, 'into', i],
          );
          const unit = key === undefined ? undefined : this.units.get(key);
          if (unit) {
            this.link([pred], unit.id, on);
            made.push(unit);
          }
        });
        if (made.length === event.into.length) {
          this.lines.push(`Chia tách ${label(pred)} thành ${made.map(label).join(', ')} từ ${day}.`);
        }
        return;
      }
      case 'move': {
        const codes = event.codes ?? (event.code === undefined ? [] : [event.code]);
        const field = event.codes ? 'codes' : 'code';
        const parent = this.current(event.parent, on, [...path, 'parent'], 'đơn vị cấp trên');
        const preds = this.predecessors(codes, on, [...path, field]);
        if (!parent || !preds) {
          return;
        }
        for (const [i, pred] of preds.entries()) {
          if (pred.parentId === parent.id) {
            this.problem(
              [...path, field, ...(event.codes ? [i] : [])],
              `${label(pred)} đã thuộc ${label(parent)}`,
            );
            continue;
          }
          if (this.moveUnder(pred, parent.id, on, path)) {
            this.lines.push(`Chuyển ${label(pred)} về ${label(parent)} từ ${day}.`);
          }
        }
        return;
      }
      case 'end': {
        const codes = event.codes ?? (event.code === undefined ? [] : [event.code]);
        const field = event.codes ? 'codes' : 'code';
        const preds = this.predecessors(codes, on, [...path, field]);
        const successor =
          event.successor === undefined
            ? undefined
            : this.current(event.successor, on, [...path, 'successor'], 'đơn vị kế thừa');
        if (!preds || (event.successor !== undefined && !successor)) {
          return;
        }
        for (const pred of preds) {
          const orgs = this.memberOrgs(pred.id, on);
          this.end(pred, on, path);
          for (const org of orgs) {
            this.end(org, on, path);
          }
          if (orgs.length > 0) {
            this.ops.push({ op: 'revokeMembers', keys: orgs.map((o) => o.id), every: true });
          }
          if (successor) {
            this.link([pred], successor.id, on);
            this.ops.push({ op: 'moveMembers', fromKeys: [pred.id], toKey: successor.id, every: false });
          } else {
            this.ops.push({ op: 'revokeMembers', keys: [pred.id], every: false });
          }
          this.lines.push(
            `${label(pred)} hết hiệu lực sau ngày ${displayDay(dayBefore(on))}${successor ? `, ${label(successor)} kế thừa` : ''}${orgs.length > 0 ? `; ${orgs.length} tổ chức thành viên cũng kết thúc (${orgs.map((o) => o.code).join(', ')})` : ''}.`,
          );
        }
        return;
      }
    }
  }

  /**
   * Units left under a parent this plan ended: moved under its single successor (a renamed city
   * keeps its wards), else a problem naming the event that ended the parent.
   */
  settleChildren(): void {
    const queue = [...this.endedBy.keys()];
    for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
      const parent = this.units.get(key);
      const parentEnd = parent?.validTo;
      if (!parent || !parentEnd) {
        continue;
      }
      const on = toIsoDate(addDays(fromIsoDate(parentEnd), 1));
      const path = this.endedBy.get(key) ?? [];
      const children = [...this.units.values()].filter(
        (u) =>
          u.parentId === key &&
          (AREA_KINDS as readonly string[]).includes(u.kind) &&
          u.validFrom <= parentEnd &&
          (u.validTo === null || u.validTo > parentEnd),
      );
      for (const child of children) {
        const next = this.parentOn(key, on);
        if (next === undefined || next === null || this.endedBy.has(child.id)) {
          if (!this.endedBy.has(child.id)) {
            this.problem(
              path,
              `${label(child)} vẫn thuộc ${label(parent)}, đơn vị này hết hiệu lực sau ngày ${displayDay(parentEnd)}: thêm sự kiện move, merge hoặc end cho ${child.code}`,
            );
          }
          continue;
        }
        if (child.validTo !== null) {
          this.problem(
            path,
            `${label(child)} đã có ngày hết hiệu lực ${displayDay(child.validTo)}, sau ngày ${label(parent)} kết thúc: thêm sự kiện cho ${child.code}`,
          );
          continue;
        }
        const moved = this.moveUnder(child, next, on, path);
        if (moved) {
          const to = this.units.get(next);
          this.lines.push(
            `Chuyển ${label(child)} về ${to ? label(to) : next} từ ${displayDay(on)} (theo đơn vị cấp trên).`,
          );
          queue.push(child.id);
        }
      }
    }
  }
}

/** Plans `events` in order against `state`: every write, or every problem (then nothing is written). */
export function planUnitEvents(events: readonly DatedEvent[], state: UnitsState): PlanOutcome {
  const work = new Workspace(state);
  for (const event of events) {
    work.apply(event);
  }
  if (work.problems.length === 0) {
    work.settleChildren();
  }
  if (work.problems.length > 0) {
    return { ok: false, problems: work.problems };
  }
  return { ok: true, plan: { ops: work.ops, lines: work.lines, units: [...work.units.values()] } };
}
