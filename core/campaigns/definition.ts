/**
 * A campaign is a definition file (issue 15 §1): YAML or JSON an operator writes, validated here
 * with zod. Everything a Front committee changes from one campaign to the next is in it — the area,
 * the dates, the reporting schedule as rules, eligibility, household categories, the poverty
 * standard, support norms with their validity, the fund accounts, the reminder policy and the
 * commendation criteria — so a new campaign needs no developer.
 *
 * The schema's messages are Vietnamese: they reach the operator as "dòng 12, schedule.monthly.dueDay:
 * <message>", with the fix in the message itself.
 */

import { z } from 'zod';
import { ZIsoDay, ZMoney, ZUnitCode } from '../shared/data-fields.ts';
import {
  type HOUSEHOLD_CATEGORIES,
  ZCommendationCriteria,
  ZDocumentSettings,
  ZEligibilityRules,
  ZPledgeSafeguards,
  ZReminderPolicy,
  ZTransparency,
} from './sections.ts';

/**
 * The error of an object with fixed keys: an unknown key names the keys it takes; a missing or
 * malformed object says what to write.
 */
function onlyKeys(keys: string, whatToWrite: string) {
  return {
    error: (issue: { code: string }) =>
      issue.code === 'unrecognized_keys' ? `chỉ nhận các mục ${keys}` : whatToWrite,
  };
}

const dayOfMonth = (what: string) =>
  z
    .number({ error: `${what} phải là một số ngày trong tháng (1–31)` })
    .int({ error: `${what} phải là số nguyên (1–31)` })
    .min(1, { error: `${what} phải từ 1 đến 31` })
    .max(31, { error: `${what} phải từ 1 đến 31` });

/** The day of month M its report may be sent from, when the definition does not say. */
const MONTHLY_OPENS_DAY = 20;

/** Monthly report of month M: due before `dueDay` of month M+1 (`next`) or of month M (`same`). */
export const ZMonthlyRule = z.strictObject(
  {
    dueDay: dayOfMonth('Hạn nộp'),
    dueMonth: z
      .enum(['next', 'same'], { error: 'dueMonth chỉ nhận "next" (tháng sau) hoặc "same" (cùng tháng)' })
      .default('next'),
    /** The report of month M may be sent from this day of month M. */
    opensDay: dayOfMonth('Ngày mở nhận báo cáo').default(MONTHLY_OPENS_DAY),
  },
  onlyKeys('dueDay, dueMonth, opensDay', 'cần các mục của báo cáo tháng, ví dụ monthly: { dueDay: 15 }'),
);

/** Weekly report of a week (Monday–Sunday): due before `dueWeekday` of the following week (1 = thứ Hai … 7 = Chủ nhật). */
export const ZWeeklyRule = z.strictObject(
  {
    dueWeekday: z
      .number({ error: 'dueWeekday phải là thứ trong tuần: 1 (thứ Hai) … 7 (Chủ nhật)' })
      .int({ error: 'dueWeekday phải là số nguyên 1–7' })
      .min(1, { error: 'dueWeekday phải từ 1 (thứ Hai) đến 7 (Chủ nhật)' })
      .max(7, { error: 'dueWeekday phải từ 1 (thứ Hai) đến 7 (Chủ nhật)' }),
  },
  onlyKeys('dueWeekday', 'cần thứ hạn nộp của báo cáo tuần, ví dụ weekly: { dueWeekday: 5 }'),
);

/** Quarterly report: due before `dueDay` of the quarter's last month (`last`) or of the month after (`next`). */
export const ZQuarterlyRule = z.strictObject(
  {
    dueDay: dayOfMonth('Hạn nộp'),
    dueMonth: z
      .enum(['last', 'next'], {
        error: 'dueMonth chỉ nhận "last" (tháng cuối quý) hoặc "next" (tháng sau quý)',
      })
      .default('last'),
  },
  onlyKeys('dueDay, dueMonth', 'cần các mục của báo cáo quý, ví dụ quarterly: { dueDay: 15 }'),
);

/** Six-monthly report to the Party committee, made by the area's own staff (not by the wards). */
export const ZSemiannualRule = z.strictObject(
  {
    /** Due before this day of the month after the half-year. */
    dueDay: dayOfMonth('Hạn nộp'),
    owner: z.enum(['area'], { error: 'owner chỉ nhận "area" (cán bộ của cấp phát động)' }).default('area'),
  },
  onlyKeys('dueDay, owner', 'cần các mục của báo cáo 6 tháng, ví dụ semiannual: { dueDay: 15 }'),
);

export const ZFinalRule = z.strictObject(
  {
    dueOn: ZIsoDay,
    opensDaysBefore: z.number().int().min(0).max(365).default(30),
  },
  onlyKeys('dueOn, opensDaysBefore', 'cần hạn báo cáo kết quả, ví dụ final: { dueOn: 2026-12-10 }'),
);

export const ZSchedule = z.strictObject(
  {
    weekly: ZWeeklyRule.optional(),
    monthly: ZMonthlyRule.optional(),
    quarterly: ZQuarterlyRule.optional(),
    semiannual: ZSemiannualRule.optional(),
    final: ZFinalRule,
    /**
     * One report serves two obligations due the same day: the 2024–2025 plan's monthly report and
     * quarterly report both fall before the 15th of the quarter's last month, and a ward is asked once.
     */
    oneReportWhenSameDay: z.boolean({ error: 'phải là true hoặc false' }).default(true),
  },
  onlyKeys(
    'weekly, monthly, quarterly, semiannual, final, oneReportWhenSameDay',
    'cần lịch báo cáo (schedule), ít nhất final: { dueOn: … }',
  ),
);
export type Schedule = z.output<typeof ZSchedule>;

const ZCategoryCode = z.string({ error: 'mã nhóm hộ phải là chữ' }).regex(/^[a-z][a-z0-9_]{1,31}$/, {
  error: 'mã nhóm hộ chỉ gồm chữ thường không dấu, số và "_", ví dụ near_poor',
});

/** A household category of the campaign: code, label officials read, whether it is supported. */
export const ZCategory = z.strictObject(
  {
    code: ZCategoryCode,
    label: z.string().min(2, { error: 'cần tên nhóm hộ, ví dụ "Hộ cận nghèo"' }),
    supported: z.boolean({ error: 'phải là true hoặc false' }).default(true),
  },
  { error: 'mỗi nhóm hộ chỉ nhận các mục code, label, supported' },
);

/** The poverty standard in force for a span of dates: the decree that defines hộ nghèo, hộ cận nghèo. */
export const ZPovertyStandard = z.strictObject(
  {
    reference: z.string().min(3, { error: 'cần số văn bản, ví dụ "Nghị định 07/2021/NĐ-CP"' }),
    from: ZIsoDay,
    to: ZIsoDay.optional(),
  },
  onlyKeys('reference, from, to', 'mỗi chuẩn nghèo viết dạng { reference: "Nghị định …", from: YYYY-MM-DD }'),
);

/** Support per house for a span of dates (the 2024–2025 plan: 50/25 million until 10/11/2024, then 60/30). */
export const ZNorm = z.strictObject(
  {
    from: ZIsoDay,
    to: ZIsoDay.optional(),
    newBuild: ZMoney,
    repair: ZMoney,
  },
  onlyKeys(
    'from, to, newBuild, repair',
    'mỗi mức hỗ trợ viết dạng { from: YYYY-MM-DD, newBuild: 60tr, repair: 30tr }',
  ),
);
export type Norm = z.output<typeof ZNorm>;

/** The "Vì người nghèo" fund of one level and its bank account. */
export const ZFundAccount = z.strictObject(
  {
    unit: ZUnitCode,
    bank: z.string({ error: 'cần tên ngân hàng' }).min(2),
    /** The bank's NAPAS BIN (6 digits), for VietQR. */
    bin: z
      .string()
      .regex(/^\d{6}$/, { error: 'BIN ngân hàng gồm 6 chữ số, ví dụ 970436' })
      .optional(),
    accountNumber: z
      .string({ error: 'số tài khoản phải viết trong dấu nháy, ví dụ "0123456789"' })
      .regex(/^[0-9A-Za-z]{4,19}$/, { error: 'số tài khoản gồm 4–19 chữ số hoặc chữ, không dấu cách' }),
    accountName: z.string({ error: 'cần tên chủ tài khoản' }).min(2),
  },
  onlyKeys(
    'unit, bank, bin, accountNumber, accountName',
    'mỗi tài khoản Quỹ viết dạng { unit: "19", bank: …, accountNumber: "…", accountName: … }',
  ),
);
export type FundAccount = z.output<typeof ZFundAccount>;

/** The national defaults (Directive 42/CT-TTg groups; 'other' is recorded but not supported). */
export const DEFAULT_CATEGORIES = [
  { code: 'poor', label: 'Hộ nghèo', supported: true },
  { code: 'near_poor', label: 'Hộ cận nghèo', supported: true },
  { code: 'merit', label: 'Người có công', supported: true },
  { code: 'other', label: 'Khác', supported: false },
] as const satisfies readonly {
  code: (typeof HOUSEHOLD_CATEGORIES)[number];
  label: string;
  supported: boolean;
}[];

/** The longest campaign a definition may describe, in years (national programmes run five). */
export const MAX_CAMPAIGN_YEARS = 10;

export const ZCampaignDefinition = z
  .strictObject(
    {
      code: z
        .string({ error: 'cần mã cuộc vận động, ví dụ "TN-NCC-2026"' })
        .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{1,39}$/, {
          error: 'mã chỉ gồm chữ không dấu, số, "-" và "_" (2–40 ký tự), ví dụ "TN-NCC-2026"',
        }),
      name: z.string({ error: 'cần tên cuộc vận động' }).min(5, { error: 'tên cuộc vận động quá ngắn' }),
      /** The code of the unit whose area the campaign covers. */
      area: ZUnitCode,
      startsOn: ZIsoDay,
      endsOn: ZIsoDay,
      closedOn: ZIsoDay.optional(),
      timeZone: z
        .literal('Asia/Ho_Chi_Minh', { error: 'múi giờ chỉ nhận "Asia/Ho_Chi_Minh"' })
        .default('Asia/Ho_Chi_Minh'),
      addressForm: z
        .enum(['đồng chí', 'anh/chị'], { error: 'cách xưng hô chỉ nhận "đồng chí" hoặc "anh/chị"' })
        .default('đồng chí'),
      schedule: ZSchedule,
      eligibility: ZEligibilityRules.partial()
        .extend({
          /** A household with no house at all ("chưa có nhà ở") qualifies as its own case. */
          noHouseCase: z.boolean({ error: 'phải là true hoặc false' }).default(true),
          /** What the commune confirms, as the plan words it. */
          confirmation: z.string().default('UBND cấp xã, phường xác nhận đủ điều kiện xây dựng nhà ở'),
        })
        .prefault({}),
      categories: z
        .array(ZCategory)
        .min(1, { error: 'cần ít nhất một nhóm hộ' })
        .default(() => DEFAULT_CATEGORIES.map((c) => ({ ...c }))),
      povertyStandards: z.array(ZPovertyStandard).default([]),
      norms: z
        .array(ZNorm, { error: 'cần danh sách mức hỗ trợ' })
        .min(1, { error: 'cần ít nhất một mức hỗ trợ (norms)' }),
      funds: z.array(ZFundAccount).default([]),
      reminders: ZReminderPolicy.prefault({}),
      commendation: ZCommendationCriteria.prefault({}),
      pledges: ZPledgeSafeguards.prefault({}),
      documents: ZDocumentSettings.prefault({}),
      transparency: ZTransparency.prefault({}),
    },
    onlyKeys(
      'code, name, area, startsOn, endsOn, closedOn, timeZone, addressForm, schedule, eligibility, categories, povertyStandards, norms, funds, reminders, commendation, pledges, documents, transparency',
      'tệp phải là một định nghĩa cuộc vận động (các mục code, name, area, …)',
    ),
  )
  // Runs even when some fields are wrong (`when`), so that one reading names every problem: each
  // check looks only at the fields that came through in the form it needs.
  .superRefine((d, ctx) => crossChecks(d as unknown as Loose, ctx), { when: () => true });

/** A definition as the cross-field checks see it: any field may be missing or malformed. */
type Loose = { [K in 'startsOn' | 'endsOn' | 'closedOn']?: unknown } & {
  schedule?: {
    final?: { dueOn?: unknown };
    monthly?: { dueDay?: unknown; dueMonth?: unknown; opensDay?: unknown };
  };
  norms?: unknown;
  categories?: unknown;
  funds?: unknown;
};

const isDay = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);

function records(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v)
    ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null)
    : [];
}

function crossChecks(d: Loose, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message });
  const startsOn = isDay(d.startsOn) ? d.startsOn : undefined;
  if (startsOn !== undefined && isDay(d.endsOn)) {
    if (d.endsOn < startsOn) {
      issue(['endsOn'], 'ngày kết thúc phải sau ngày bắt đầu (startsOn)');
    }
    if (Number(d.endsOn.slice(0, 4)) - Number(startsOn.slice(0, 4)) > MAX_CAMPAIGN_YEARS) {
      // A typo such as 9999-12-31 would otherwise make hundreds of thousands of reporting periods.
      issue(
        ['endsOn'],
        `một cuộc vận động kéo dài tối đa ${MAX_CAMPAIGN_YEARS} năm: kiểm tra lại năm kết thúc`,
      );
    }
  }
  const finalDue = d.schedule?.final?.dueOn;
  if (startsOn !== undefined && isDay(finalDue) && finalDue < startsOn) {
    issue(['schedule', 'final', 'dueOn'], 'hạn báo cáo kết quả phải sau ngày bắt đầu cuộc vận động');
  }
  const monthly = d.schedule?.monthly;
  const opensDay = monthly?.opensDay ?? MONTHLY_OPENS_DAY;
  if (
    monthly?.dueMonth === 'same' &&
    typeof monthly.dueDay === 'number' &&
    typeof opensDay === 'number' &&
    opensDay >= monthly.dueDay
  ) {
    // The window would open on the due day itself: every report of the month would be late.
    issue(
      ['schedule', 'monthly', 'opensDay'],
      `báo cáo tháng nộp trong cùng tháng (dueMonth: same) phải mở nhận trước hạn: đặt opensDay nhỏ hơn dueDay (${monthly.dueDay}), ví dụ dueDay: 25, opensDay: 20`,
    );
  }
  if (startsOn !== undefined && isDay(d.closedOn) && d.closedOn < startsOn) {
    issue(['closedOn'], 'ngày khép lại phải sau ngày bắt đầu');
  }
  const norms = records(d.norms)
    .map((n, index) => ({ index, from: n.from, to: n.to }))
    .filter((n): n is { index: number; from: string; to: unknown } => isDay(n.from))
    .sort((a, b) => a.from.localeCompare(b.from));
  norms.forEach((norm, i) => {
    const to = isDay(norm.to) ? norm.to : undefined;
    if (to !== undefined && to < norm.from) {
      issue(['norms', norm.index, 'to'], '"to" phải sau "from"');
    }
    const next = norms[i + 1];
    if (next && (to === undefined || to >= next.from)) {
      issue(
        ['norms', norm.index, 'to'],
        `các mức hỗ trợ chồng lên nhau: mức này phải kết thúc trước ${next.from}`,
      );
    }
  });
  const first = norms[0];
  if (first && startsOn !== undefined && first.from > startsOn) {
    issue(
      ['norms', first.index, 'from'],
      `mức hỗ trợ đầu tiên phải áp dụng từ ngày bắt đầu (${startsOn}) trở về trước`,
    );
  }
  const twice = (list: unknown, key: string, path: string, message: (value: string) => string) => {
    const seen = new Set<unknown>();
    records(list).forEach((item, i) => {
      if (typeof item[key] === 'string' && seen.has(item[key])) {
        issue([path, i, key], message(item[key]));
      }
      seen.add(item[key]);
    });
  };
  twice(d.categories, 'code', 'categories', (code) => `mã nhóm hộ "${code}" bị trùng`);
  twice(d.funds, 'unit', 'funds', (unit) => `cấp quỹ "${unit}" khai báo hai lần`);
}

export type CampaignDefinitionInput = z.input<typeof ZCampaignDefinition>;
export type CampaignDefinition = z.output<typeof ZCampaignDefinition>;

/** The norm in force on `day`, or the earliest one before the first norm starts. */
export function normOn(norms: readonly Norm[], day: string): Norm | undefined {
  const sorted = [...norms].sort((a, b) => a.from.localeCompare(b.from));
  return sorted.findLast((n) => n.from <= day) ?? sorted[0];
}

/** The definition as stored in the database (JSON: money as strings of đồng). */
export function definitionToJson(definition: CampaignDefinition): string {
  return JSON.stringify(definition, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
}

/** A stored definition read back (money strings accepted by ZMoney). Throws ZodError when corrupt. */
export function definitionFromJson(json: string): CampaignDefinition {
  return ZCampaignDefinition.parse(JSON.parse(json));
}
