import type { z } from 'zod';

/**
 * Zod's default reasons in plain Vietnamese, for the operator (CLI arguments, `--set` JSON,
 * campaign files): "không có mục "offsetDays"", "cần số, nhận được chữ". A schema's own message
 * ("múi giờ chỉ nhận …") still wins; this covers only what a schema leaves to zod. Passed per parse
 * (`schema.safeParse(input, { error: viZodError })`), never set globally.
 */
export const viZodError: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? 'thiếu giá trị'
        : `cần ${typeName(issue.expected)}, nhận được ${valueName(issue.input)}`;
    case 'invalid_value':
      return `chỉ nhận ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_big':
      return bound(issue.origin, 'max', issue.maximum, issue.inclusive);
    case 'too_small':
      return bound(issue.origin, 'min', issue.minimum, issue.inclusive);
    case 'invalid_format':
      return 'không đúng định dạng';
    case 'not_multiple_of':
      return `phải là bội số của ${String(issue.divisor)}`;
    case 'unrecognized_keys':
      return `không có mục ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    default:
      return 'giá trị không hợp lệ';
  }
};

const TYPE_NAMES: Record<string, string> = {
  string: 'chữ',
  number: 'số',
  int: 'số nguyên',
  bigint: 'số nguyên',
  boolean: 'true hoặc false',
  array: 'danh sách',
  object: 'đối tượng',
  date: 'ngày',
  null: 'null',
};

function typeName(type: string): string {
  return TYPE_NAMES[type] ?? type;
}

function valueName(input: unknown): string {
  if (input === null) {
    return 'null';
  }
  if (Array.isArray(input)) {
    return 'danh sách';
  }
  if (typeof input === 'number' && Number.isNaN(input)) {
    return 'giá trị không phải số';
  }
  return typeName(typeof input);
}

/** "không được lớn hơn 90", "tối đa 200 ký tự", "cần ít nhất 1 mục". */
function bound(
  origin: string,
  side: 'min' | 'max',
  limit: number | bigint,
  inclusive: boolean | undefined,
): string {
  const n = String(limit);
  if (origin === 'string' || origin === 'array' || origin === 'set') {
    const unit = origin === 'string' ? 'ký tự' : 'mục';
    if (side === 'min' && n === '1') {
      return 'không được để trống';
    }
    return side === 'max' ? `tối đa ${n} ${unit}` : `cần ít nhất ${n} ${unit}`;
  }
  if (side === 'max') {
    return inclusive === false ? `phải nhỏ hơn ${n}` : `không được lớn hơn ${n}`;
  }
  return inclusive === false ? `phải lớn hơn ${n}` : `không được nhỏ hơn ${n}`;
}
