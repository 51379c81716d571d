/**
 * A reorganisation of administrative units as a data file (issue 15 §2): YAML or JSON, validated
 * here with zod; every problem names the line, the field and the fix in Vietnamese. The format is
 * described in docs (README, "units reorganise") and by `ZUnitEvents` below.
 */

import { isNode, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { ZIsoDay, ZUnitCode } from '../shared/data-fields.ts';
import { type DefinitionProblem, type DefinitionRead, fieldPath, readYamlWith } from '../shared/data-file.ts';
import { KIND_HINT, parseKind, type UnitKind } from './kinds.ts';

/** A kind in English or as officials write it ("xã", "đặc khu"). */
export const ZUnitKind = z
  .string({ error: `loại đơn vị phải là một trong: ${KIND_HINT}` })
  .transform((text, ctx): UnitKind => {
    const kind = parseKind(text);
    if (kind === undefined) {
      ctx.addIssue({ code: 'custom', message: `không hiểu loại đơn vị "${text}": ghi ${KIND_HINT}` });
      return z.NEVER;
    }
    return kind;
  });

const ZName = z
  .string({ error: 'cần tên đơn vị, ví dụ "Xã Phong Quang"' })
  .trim()
  .min(3, { error: 'tên đơn vị quá ngắn: ghi đủ, ví dụ "Xã Phong Quang"' });

/** A unit an event creates: its code, name, and optionally its kind and parent (by code). */
export const ZNewUnit = z.strictObject(
  {
    code: ZUnitCode,
    name: ZName,
    kind: ZUnitKind.optional(),
    parent: ZUnitCode.optional(),
  },
  { error: 'đơn vị mới chỉ nhận các mục code, name, kind, parent' },
);
export type NewUnit = z.output<typeof ZNewUnit>;

/** Fields every event may carry: its own effective day and a note (e.g. what is not verified). */
const common = {
  on: ZIsoDay.optional(),
  note: z.string().optional(),
};

const codes = z
  .array(ZUnitCode, { error: 'ghi danh sách mã trong ngoặc vuông, ví dụ ["01849", "01882"]' })
  .min(1, { error: 'cần ít nhất một mã đơn vị' });

const only = (type: string, keys: string) => ({ error: `sự kiện "${type}" chỉ nhận các mục ${keys}` });

export const ZUnitEvent = z.discriminatedUnion(
  'type',
  [
    z.strictObject(
      {
        type: z.literal('add'),
        code: ZUnitCode,
        name: ZName,
        kind: ZUnitKind,
        parent: ZUnitCode.optional(),
        ...common,
      },
      only('add', 'type, code, name, kind, parent, on, note'),
    ),
    z.strictObject(
      {
        type: z.literal('rename'),
        code: ZUnitCode,
        name: ZName,
        parent: ZUnitCode.optional(),
        ...common,
      },
      only('rename', 'type, code, name, parent, on, note'),
    ),
    z.strictObject(
      { type: z.literal('succeed'), from: ZUnitCode, into: ZNewUnit, ...common },
      only('succeed', 'type, from, into, on, note'),
    ),
    z.strictObject(
      { type: z.literal('merge'), from: codes, into: ZNewUnit, ...common },
      only('merge', 'type, from, into, on, note'),
    ),
    z.strictObject(
      {
        type: z.literal('split'),
        from: ZUnitCode,
        into: z
          .array(ZNewUnit, { error: 'ghi danh sách các đơn vị mới' })
          .min(2, { error: 'cần ít nhất hai đơn vị mới để chia tách (một đơn vị mới: dùng "succeed")' }),
        ...common,
      },
      only('split', 'type, from, into, on, note'),
    ),
    z.strictObject(
      {
        type: z.literal('move'),
        code: ZUnitCode.optional(),
        codes: codes.optional(),
        parent: ZUnitCode,
        ...common,
      },
      only('move', 'type, code, codes, parent, on, note'),
    ),
    z.strictObject(
      {
        type: z.literal('end'),
        code: ZUnitCode.optional(),
        codes: codes.optional(),
        successor: ZUnitCode.optional(),
        ...common,
      },
      only('end', 'type, code, codes, successor, on, note'),
    ),
  ],
  { error: 'mỗi sự kiện cần "type": add, rename, succeed, merge, split, move hoặc end' },
);
export type UnitEvent = z.output<typeof ZUnitEvent>;

export const ZUnitEvents = z
  .strictObject(
    {
      on: ZIsoDay.optional(),
      source: z.string().optional(),
      events: z
        .array(ZUnitEvent, { error: 'cần danh sách "events"' })
        .min(1, { error: 'tệp chưa có sự kiện nào trong "events"' }),
    },
    { error: 'tệp chỉ nhận các mục on, source, events' },
  )
  .superRefine((file, ctx) => {
    file.events.forEach((event, index) => {
      if (event.on === undefined && file.on === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['events', index, 'on'],
          message: 'thiếu ngày hiệu lực: ghi "on: 2025-07-01" ở đầu tệp hoặc trong sự kiện',
        });
      }
      if (
        (event.type === 'move' || event.type === 'end') &&
        (event.code === undefined) === (event.codes === undefined)
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['events', index],
          message: 'ghi đúng một trong hai mục: code: "01840" hoặc codes: ["01840", "01843"]',
        });
      }
    });
  });
export type UnitEventsFile = z.output<typeof ZUnitEvents>;

/** Reads and validates an events file (YAML or JSON): every problem with its line and field. */
export function readUnitEvents(text: string): DefinitionRead<UnitEventsFile> {
  return readYamlWith(text, ZUnitEvents);
}

/** The effective day of an event: its own, else the file's. */
export function eventDay(file: UnitEventsFile, event: UnitEvent): string {
  return event.on ?? file.on ?? '';
}

/**
 * Problems found after the file was read (a code unknown on that day…) with the line of the field
 * they are about, as `readYamlWith` gives them for the file's own mistakes.
 */
export function locateProblems(
  text: string,
  problems: readonly { path: readonly (string | number)[]; message: string }[],
): DefinitionProblem[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  return problems.map((p) => {
    let line = 0;
    for (let depth = p.path.length; depth >= 0; depth--) {
      const node = doc.getIn(p.path.slice(0, depth) as unknown[], true);
      if (isNode(node) && node.range) {
        line = lineCounter.linePos(node.range[0]).line;
        break;
      }
    }
    return { line, field: fieldPath(p.path), message: p.message };
  });
}
