import { isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { viZodError } from './zod-vi.ts';

/**
 * Data files operators write (campaign definitions, unit events): YAML or JSON (JSON is YAML),
 * validated with zod, every problem with its line, field and fix in Vietnamese.
 */

/** One problem of a definition file: where it is, which field, and what to write instead (Vietnamese). */
export interface DefinitionProblem {
  /** 1-based line of the field (of its parent when the field is missing); 0 when unknown. */
  line: number;
  /** "schedule.monthly.dueDay", "norms[1].from"; empty for the file as a whole. */
  field: string;
  message: string;
}

export type DefinitionRead<T> = { ok: true; value: T } | { ok: false; problems: DefinitionProblem[] };

/** "norms", 1, "from" → "norms[1].from". */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) =>
      typeof key === 'number' ? `${text}[${key}]` : text === '' ? String(key) : `${text}.${String(key)}`,
    '',
  );
}

/** "dòng 12, schedule.monthly.dueDay: Hạn nộp phải từ 1 đến 31". */
export function formatProblem(p: DefinitionProblem): string {
  const where = [p.line > 0 ? `dòng ${p.line}` : '', p.field].filter((s) => s !== '').join(', ');
  return where === '' ? p.message : `${where}: ${p.message}`;
}

/**
 * Reads a YAML or JSON text (JSON is YAML) and validates it with `schema`: every problem, each with
 * its line, field and fix; nothing half-read is ever returned.
 */
export function readYamlWith<S extends z.ZodType>(text: string, schema: S): DefinitionRead<z.output<S>> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number | undefined) =>
    offset === undefined ? 0 : lineCounter.linePos(offset).line;
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        line: lineAt(e.pos[0]),
        field: '',
        message: `tệp không đúng cú pháp YAML/JSON (${e.code === 'DUPLICATE_KEY' ? 'một mục viết hai lần' : e.message.split('\n')[0]})`,
      })),
    };
  }
  const parsed = schema.safeParse(doc.toJS({ maxAliasCount: 100 }), { reportInput: true, error: viZodError });
  if (parsed.success) {
    return { ok: true, value: parsed.data };
  }
  const problems = parsed.error.issues.map((issue): DefinitionProblem => {
    // The line of the deepest node of the path that exists (a missing field: its parent's line;
    // an unknown field: its own line, not its parent's).
    let line = 0;
    for (let depth = issue.path.length; depth >= 0; depth--) {
      const node = doc.getIn(issue.path.slice(0, depth) as unknown[], true);
      if (isNode(node) && node.range) {
        line = lineAt(node.range[0]);
        break;
      }
    }
    if (issue.code === 'unrecognized_keys') {
      const parent = issue.path.length === 0 ? doc.contents : doc.getIn(issue.path as unknown[], true);
      const key = isMap(parent)
        ? parent.items.find((pair) => isScalar(pair.key) && pair.key.value === issue.keys[0])?.key
        : undefined;
      line = isNode(key) && key.range ? lineAt(key.range[0]) : line;
    }
    const missing = issue.code === 'invalid_type' && issue.input === undefined;
    const unknown = issue.code === 'unrecognized_keys' ? `không có mục "${issue.keys.join('", "')}": ` : '';
    return {
      line,
      field: fieldPath(issue.path),
      message: missing && issue.message === 'thiếu giá trị' ? 'thiếu mục này' : `${unknown}${issue.message}`,
    };
  });
  return { ok: false, problems: problems.sort((a, b) => a.line - b.line) };
}
