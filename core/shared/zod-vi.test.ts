import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { viZodError } from './zod-vi.ts';

const reason = (schema: z.ZodType, input: unknown) =>
  schema.safeParse(input, { error: viZodError }).error?.issues[0]?.message;

describe('zod reasons in Vietnamese for the operator', () => {
  it.each<[string, z.ZodType, unknown, string]>([
    [
      'an unknown key',
      z.strictObject({ offsetsDays: z.array(z.number()) }),
      { offsetsDays: [5], offsetDays: [5] },
      'không có mục "offsetDays"',
    ],
    ['a missing value', z.object({ sendAt: z.string() }), {}, 'thiếu giá trị'],
    ['a wrong type', z.object({ days: z.number() }), { days: 'soon' }, 'cần số, nhận được chữ'],
    ['a list where a number goes', z.number(), [1], 'cần số, nhận được danh sách'],
    ['not a whole number', z.number().int(), 1.5, 'cần số nguyên, nhận được số'],
    ['too large', z.number().max(90), 91, 'không được lớn hơn 90'],
    ['too small', z.number().min(1), 0, 'không được nhỏ hơn 1'],
    ['an empty text', z.string().min(1), '', 'không được để trống'],
    ['too long', z.string().max(5), 'dài quá', 'tối đa 5 ký tự'],
    ['outside an enum', z.enum(['monthly', 'quarterly']), 'weekly', 'chỉ nhận "monthly", "quarterly"'],
    ['a bad format', z.string().regex(/^\d\d:\d\d$/), '8h', 'không đúng định dạng'],
  ])('%s', (_what, schema, input, expected) => {
    expect(reason(schema, input)).toBe(expected);
  });

  it("keeps a schema's own message", () => {
    const schema = z.literal('Asia/Ho_Chi_Minh', { error: 'múi giờ chỉ nhận "Asia/Ho_Chi_Minh"' });
    expect(reason(schema, 'UTC')).toBe('múi giờ chỉ nhận "Asia/Ho_Chi_Minh"');
  });

  it('has no English words in its reasons', () => {
    const schema = z.strictObject({
      a: z.number().int().min(0).max(9),
      b: z.string().min(1),
      c: z.enum(['x']),
    });
    const issues =
      schema.safeParse({ a: 'x', b: '', c: 'y', d: 1 }, { error: viZodError }).error?.issues ?? [];
    expect(issues.length).toBeGreaterThan(2);
    for (const issue of issues) {
      expect(issue.message).not.toMatch(/\b(Invalid|expected|received|Unrecognized|Too)\b/);
    }
  });
});
