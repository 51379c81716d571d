/**
 * Importing an official list of units (issue 15 §2), pure: rows read from a CSV or Excel file
 * become the units to add and the end dates to record, or a problem per cell naming the row, the
 * column, what is wrong and how to fix it (in Vietnamese). Nothing is written by this module.
 *
 * A unit is identified by its code and first valid day (codes are reused: 01849 named Xã Dương
 * Quang until 30/06/2025, then Xã Phong Quang). Re-importing a list adds nothing. A row matching a
 * recorded unit with a new or different last day is an update (the list ends the unit); one with
 * another name, kind or parent is refused (that is a renaming or a move: `units rename`,
 * `units move`). An empty last day never reopens a unit that has ended since the list was made.
 */

import { isValidDate, toIsoDate } from '../shared/calendar.ts';
import { ZUnitCode } from '../shared/data-fields.ts';
import type { UnitOp, UnitsPlan } from './changes.ts';
import { displayDay, validOn } from './dates.ts';
import { KIND_HINT, kindLevel, kindName, mayContain, parseKind } from './kinds.ts';
import type { DatedUnit, UnitSuccessionView } from './unit.repository.ts';

/**
 * The columns of a unit list. `note` ("Ghi chú") is the list maker's remark on a row (e.g. that a
 * date was not verified): it is kept out of the unit, shown with the row's change, never refused.
 */
export const UNIT_LIST_FIELDS = ['code', 'name', 'kind', 'parent', 'validFrom', 'validTo', 'note'] as const;
export type UnitListField = (typeof UNIT_LIST_FIELDS)[number];

/** Headers accepted for each field (compared without case, diacritics or punctuation). */
export const UNIT_LIST_HEADERS: Readonly<Record<UnitListField, readonly string[]>> = {
  code: ['Mã', 'code', 'Mã đơn vị', 'Mã số', 'Mã ĐVHC'],
  name: ['Tên', 'name', 'Tên đơn vị', 'Tên ĐVHC'],
  kind: ['Cấp/Loại', 'kind', 'Cấp', 'Loại', 'Loại đơn vị', 'Cấp hành chính'],
  parent: ['Mã cấp trên', 'parent', 'parent code', 'parentCode', 'Mã đơn vị cấp trên', 'Cấp trên'],
  validFrom: ['Hiệu lực từ', 'validFrom', 'valid from', 'Từ ngày', 'Ngày hiệu lực'],
  validTo: ['Hiệu lực đến', 'validTo', 'valid to', 'Đến ngày', 'Ngày hết hiệu lực'],
  note: ['Ghi chú', 'note', 'notes', 'Chú thích'],
};

export const REQUIRED_UNIT_FIELDS: readonly UnitListField[] = ['code', 'name', 'kind', 'validFrom'];

/** "Mã cấp trên" → "macaptren": headers compare without case, diacritics, spaces or punctuation. */
export function unitHeaderKey(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/gi, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

const BY_HEADER = new Map<string, UnitListField>(
  UNIT_LIST_FIELDS.flatMap((field) =>
    UNIT_LIST_HEADERS[field].map((h) => [unitHeaderKey(h), field] as const),
  ),
);

/** The field a header names, if any. */
export function classifyUnitHeader(header: string): UnitListField | undefined {
  return BY_HEADER.get(unitHeaderKey(header));
}

/** A cell as the reader hands it over: text, a number, or a date (an Excel date cell). */
export type UnitCell = string | number | Date;

export interface UnitListRow {
  /** 1-based, as Excel shows it. */
  rowNumber: number;
  cells: Partial<Record<UnitListField, UnitCell>>;
}

export interface UnitRowProblem {
  row: number;
  column: string;
  message: string;
  suggestion?: string;
}

export interface UnitListPlan extends UnitsPlan {
  added: number;
  updated: number;
  unchanged: number;
}

export type UnitListOutcome =
  | { ok: true; plan: UnitListPlan }
  | { ok: false; problems: UnitRowProblem[]; rows: number };

/** GSO codes by level: 2 digits for a province, 3 for a district, 5 for a commune. */
const GSO_DIGITS: Readonly<Record<string, number>> = {
  province: 2,
  city: 3,
  district: 3,
  ward: 5,
  commune: 5,
  special_zone: 5,
};

/** "2025-07-01", "1/7/2025", "01/07/2025" or an Excel date → ISO day; undefined if none of these. */
export function readDay(cell: UnitCell): string | undefined {
  if (cell instanceof Date) {
    return Number.isNaN(cell.getTime()) ? undefined : cell.toISOString().slice(0, 10);
  }
  const text = String(cell).trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  const vn = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
  const [year, month, day] = iso
    ? [iso[1], iso[2], iso[3]]
    : vn
      ? [vn[3], vn[2], vn[1]]
      : [undefined, undefined, undefined];
  if (year === undefined) {
    return undefined;
  }
  const date = { year: Number(year), month: Number(month), day: Number(day) };
  return isValidDate(date) ? toIsoDate(date) : undefined;
}

const text = (cell: UnitCell | undefined): string =>
  cell === undefined ? '' : cell instanceof Date ? cell.toISOString().slice(0, 10) : String(cell).trim();

interface ListedUnit {
  row: number;
  key: number;
  code: string;
  name: string;
  kind: string;
  parent: string | undefined;
  validFrom: string;
  validTo: string | null;
  note: string | undefined;
}

/** A unit record's identity: its code and first valid day. */
const codeFrom = (u: { code: string; validFrom: string }) => `${u.code}@${u.validFrom}`;

/** Records by code, in their order (a code names a handful of records at most). */
function byCode<T extends { code: string }>(records: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const r of records) {
    const group = groups.get(r.code);
    if (group) {
      group.push(r);
    } else {
      groups.set(r.code, [r]);
    }
  }
  return groups;
}

/**
 * Checks every row of a unit list against itself and the recorded units, and plans the writes.
 * `columns` maps each field to its header as written in the file (for the problems).
 */
export function planUnitList(
  rows: readonly UnitListRow[],
  columns: Partial<Record<UnitListField, string>>,
  state: { units: readonly DatedUnit[]; successions: readonly UnitSuccessionView[] },
): UnitListOutcome {
  const problems: UnitRowProblem[] = [];
  const column = (field: UnitListField) => columns[field] ?? UNIT_LIST_HEADERS[field][0] ?? field;
  const problem = (row: number, field: UnitListField, message: string, suggestion?: string) => {
    problems.push({ row, column: column(field), message, ...(suggestion ? { suggestion } : {}) });
  };

  // 1. Each row on its own.
  const listed: ListedUnit[] = [];
  let nextKey = -1;
  for (const { rowNumber: row, cells } of rows) {
    const before = problems.length;
    const kindText = text(cells.kind);
    const kind = kindText === '' ? undefined : parseKind(kindText);
    if (kindText === '') {
      problem(row, 'kind', 'Thiếu loại đơn vị.', `Ghi ${KIND_HINT}.`);
    } else if (kind === undefined) {
      problem(row, 'kind', `Không hiểu loại đơn vị "${kindText}".`, `Ghi ${KIND_HINT}.`);
    }
    let code = text(cells.code);
    if (typeof cells.code === 'number' && kind && GSO_DIGITS[kind]) {
      // Excel turned "01849" into the number 1849: the level says how many digits the code has.
      code = code.padStart(GSO_DIGITS[kind] ?? 0, '0');
    }
    if (code === '') {
      problem(row, 'code', 'Thiếu mã đơn vị.', 'Ghi mã của Tổng cục Thống kê, ví dụ 01849.');
    } else if (!ZUnitCode.safeParse(code).success) {
      problem(
        row,
        'code',
        `Mã "${code}" không hợp lệ.`,
        'Mã chỉ gồm chữ không dấu, số, "-" và "_", ví dụ 01849 hoặc HLHPN-058.',
      );
    }
    const name = text(cells.name);
    if (name.length < 3) {
      problem(
        row,
        'name',
        name === '' ? 'Thiếu tên đơn vị.' : `Tên "${name}" quá ngắn.`,
        'Ghi đủ tên, ví dụ "Xã Phong Quang".',
      );
    }
    const validFrom = cells.validFrom === undefined ? undefined : readDay(cells.validFrom);
    if (cells.validFrom === undefined) {
      problem(row, 'validFrom', 'Thiếu ngày bắt đầu hiệu lực.', 'Ghi ngày dạng 2025-07-01 hoặc 01/07/2025.');
    } else if (validFrom === undefined) {
      problem(
        row,
        'validFrom',
        `"${text(cells.validFrom)}" không phải một ngày có thật.`,
        'Ghi ngày dạng 2025-07-01 hoặc 01/07/2025.',
      );
    }
    const validTo = cells.validTo === undefined ? null : (readDay(cells.validTo) ?? undefined);
    if (validTo === undefined) {
      problem(
        row,
        'validTo',
        `"${text(cells.validTo)}" không phải một ngày có thật.`,
        'Ghi ngày dạng 2025-06-30 hoặc 30/06/2025, hoặc để trống nếu đơn vị còn hiệu lực.',
      );
    } else if (validTo !== null && validFrom !== undefined && validTo < validFrom) {
      problem(
        row,
        'validTo',
        `Ngày hết hiệu lực ${displayDay(validTo)} trước ngày bắt đầu ${displayDay(validFrom)}.`,
        'Sửa một trong hai ngày.',
      );
    }
    const parent = text(cells.parent);
    const note = text(cells.note);
    if (problems.length === before && kind && validFrom && validTo !== undefined) {
      listed.push({
        row,
        key: nextKey--,
        code,
        name,
        kind,
        parent: parent === '' ? undefined : parent,
        validFrom,
        validTo,
        note: note === '' ? undefined : note,
      });
    }
  }

  // 2. Rows against each other and the recorded units: every lookup by code (and first day) goes
  // through a map, so a national list of 30,000 rows is planned in linear time.
  const recorded = state.units;
  const parentCode = new Map(recorded.map((u) => [u.id, u.code]));
  const recordedAt = new Map<string, DatedUnit>();
  for (const r of recorded) {
    if (!recordedAt.has(codeFrom(r))) {
      recordedAt.set(codeFrom(r), r);
    }
  }
  const reorganised = new Set(state.successions.map((s) => s.predecessorId));
  const added: ListedUnit[] = [];
  const ops: UnitOp[] = [];
  const lines: string[] = [];
  let unchanged = 0;
  const updates = new Map<number, ListedUnit>();
  const seen = new Map<string, number>();
  for (const u of listed) {
    const id = codeFrom(u);
    const twice = seen.get(id);
    if (twice !== undefined) {
      problem(
        u.row,
        'code',
        `Đơn vị ${u.code} từ ${displayDay(u.validFrom)} trùng với dòng ${twice}.`,
        'Bỏ một trong hai dòng.',
      );
      continue;
    }
    seen.set(id, u.row);
    const same = recordedAt.get(id);
    if (!same) {
      added.push(u);
      continue;
    }
    const differences = [
      same.name !== u.name ? `tên đã ghi là "${same.name}"` : '',
      same.kind !== u.kind ? `loại đã ghi là ${kindName(same.kind)}` : '',
      (same.parentId === null ? undefined : parentCode.get(same.parentId)) !== u.parent
        ? `mã cấp trên đã ghi là ${same.parentId === null ? '(trống)' : parentCode.get(same.parentId)}`
        : '',
    ].filter((d) => d !== '');
    if (differences.length > 0) {
      problem(
        u.row,
        same.name !== u.name ? 'name' : same.kind !== u.kind ? 'kind' : 'parent',
        `Đơn vị ${u.code} từ ${displayDay(u.validFrom)} đã có, nhưng ${differences.join(', ')}.`,
        'Đổi tên hay chuyển đơn vị cấp trên là một lần sắp xếp: dùng units rename / units move với ngày hiệu lực; nếu tệp ghi sai thì sửa tệp.',
      );
      continue;
    }
    if (u.validTo === null || u.validTo === same.validTo) {
      unchanged += 1;
      continue;
    }
    if (reorganised.has(same.id)) {
      problem(
        u.row,
        'validTo',
        `${same.name} (${u.code}) đã được sắp xếp lại${same.validTo ? ` (hết hiệu lực sau ngày ${displayDay(same.validTo)})` : ''}: không đổi ngày hết hiệu lực bằng tệp danh sách.`,
        same.validTo ? `Ghi ${displayDay(same.validTo)} hoặc để trống.` : 'Để trống ô này.',
      );
      continue;
    }
    ops.push({ op: 'setValidTo', key: same.id, validTo: u.validTo });
    lines.push(`Cập nhật ${same.name} (${u.code}): hết hiệu lực sau ngày ${displayDay(u.validTo)}.`);
    updates.set(same.id, u);
  }
  // The recorded units as they will be, updated end dates included.
  const effective = byCode(
    recorded.map((r) => {
      const update = updates.get(r.id);
      return update ? { ...r, validTo: update.validTo } : r;
    }),
  );
  const listedByCode = byCode(listed);
  for (const u of [...updates.values(), ...added]) {
    checkOverlap(u, effective.get(u.code) ?? [], listedByCode.get(u.code) ?? [], problem);
  }

  // 3. Parents: the unit with that code valid on the row's first day, recorded or in the file
  // (among the few records of that code).
  const parentOf = new Map<number, number | null>();
  const recordedByCode = byCode(recorded);
  const adding = new Set(added);
  for (const u of added) {
    if (u.parent === undefined) {
      parentOf.set(u.key, null);
      continue;
    }
    const inFile = listedByCode.get(u.parent)?.find((p) => validOn(p, u.validFrom));
    const inDb = recordedByCode.get(u.parent)?.find((p) => validOn(p, u.validFrom));
    const recordedMatch = inFile ? recordedAt.get(codeFrom(inFile)) : undefined;
    const parent = recordedMatch ?? inDb;
    const key = parent?.id ?? (inFile && adding.has(inFile) ? inFile.key : undefined);
    const parentKind = parent?.kind ?? inFile?.kind;
    if (key === undefined || parentKind === undefined) {
      problem(
        u.row,
        'parent',
        `Không có đơn vị mã "${u.parent}" còn hiệu lực ngày ${displayDay(u.validFrom)}.`,
        'Thêm đơn vị cấp trên vào tệp (hoặc nhập nó trước), hoặc sửa mã cấp trên.',
      );
      continue;
    }
    if (!mayContain(parentKind, u.kind)) {
      problem(
        u.row,
        'parent',
        `${kindName(u.kind)} không thể thuộc ${kindName(parentKind)} (mã ${u.parent}).`,
        'Sửa mã cấp trên hoặc loại đơn vị.',
      );
      continue;
    }
    parentOf.set(u.key, key);
  }

  if (problems.length > 0) {
    return { ok: false, problems: problems.sort((a, b) => a.row - b.row), rows: rows.length };
  }
  // Parents first: a higher level, then the order of the file.
  const creates = [...added].sort((a, b) => kindLevel(a.kind) - kindLevel(b.kind) || a.row - b.row);
  for (const u of creates) {
    ops.push({
      op: 'create',
      key: u.key,
      code: u.code,
      name: u.name,
      kind: u.kind,
      parentKey: parentOf.get(u.key) ?? null,
      validFrom: u.validFrom,
      validTo: u.validTo,
    });
    lines.push(
      `Thêm ${kindName(u.kind)} ${u.name} (${u.code}) từ ${displayDay(u.validFrom)}${u.validTo ? ` đến ${displayDay(u.validTo)}` : ''}.${u.note ? ` Ghi chú: ${u.note}` : ''}`,
    );
  }
  return {
    ok: true,
    plan: {
      ops,
      lines,
      units: [],
      added: added.length,
      updated: updates.size,
      unchanged,
    },
  };
}

/**
 * Two records of one code must not be valid on the same day. `recorded` and `listed` are the
 * records of `u`'s code (recorded as they will be, and in the file).
 */
function checkOverlap(
  u: ListedUnit,
  recorded: readonly DatedUnit[],
  listed: readonly ListedUnit[],
  problem: (row: number, field: UnitListField, message: string, suggestion?: string) => void,
): void {
  const overlaps = (a: { validFrom: string; validTo: string | null }) =>
    a.validFrom <= (u.validTo ?? '9999-12-31') && u.validFrom <= (a.validTo ?? '9999-12-31');
  // The record `u` matches (same first day) is `u` itself, not another one.
  const other =
    recorded.find((r) => r.validFrom !== u.validFrom && overlaps(r)) ??
    listed.find((r) => r.validFrom !== u.validFrom && overlaps(r));
  if (other) {
    const where = 'row' in other ? `dòng ${other.row}` : 'đơn vị đã có';
    problem(
      u.row,
      'validFrom',
      `Mã ${u.code} đang dùng cho ${other.name} (${where}, từ ${displayDay(other.validFrom)}${other.validTo ? ` đến ${displayDay(other.validTo)}` : ''}) trong cùng thời gian.`,
      'Một mã chỉ dùng cho một đơn vị tại một thời điểm: ghi ngày hết hiệu lực cho đơn vị cũ, hoặc sửa ngày bắt đầu.',
    );
  }
}
