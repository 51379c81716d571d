/** Fields the operators' data files share (campaign definitions, unit lists and events). */

import { z } from 'zod';
import { fromIsoDate, isValidDate } from './calendar.ts';
import { parseMoney } from './parse.ts';

/** A calendar day written YYYY-MM-DD (YAML may hand us a Date for an unquoted day). */
export const ZIsoDay = z.preprocess(
  (v) => (v instanceof Date && !Number.isNaN(v.getTime()) ? v.toISOString().slice(0, 10) : v),
  z
    .string({ error: 'phải là một ngày dạng YYYY-MM-DD, ví dụ 2026-01-15' })
    .refine((s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && isValidDate(fromIsoDate(s)), {
      error: 'phải là một ngày có thật dạng YYYY-MM-DD, ví dụ 2026-01-15',
    }),
);

/** An amount of đồng: a whole number, or what an official writes ("60tr", "1,5 tỷ", "60.000.000"). */
export const ZMoney = z.preprocess(
  (v) => {
    if (typeof v === 'number' && Number.isSafeInteger(v)) {
      return BigInt(v);
    }
    if (typeof v === 'string') {
      const parsed = parseMoney(v);
      return parsed.ok ? parsed.value : v;
    }
    return v;
  },
  z
    .bigint({ error: 'phải là số tiền (đồng), ví dụ 60000000 hoặc "60tr"' })
    .min(0n, { error: 'không được âm' }),
);

/** A GSO code or an organisation's code, quoted so that YAML keeps its leading zeros. */
export const ZUnitCode = z
  .string({ error: 'mã đơn vị phải viết trong dấu nháy để giữ số 0 ở đầu, ví dụ "058"' })
  .regex(/^[0-9A-Za-z][0-9A-Za-z_-]{0,31}$/, { error: 'mã đơn vị chỉ gồm chữ không dấu, số, "-" và "_"' });
