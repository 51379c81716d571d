/**
 * The household registry's vocabulary: categories, needs, statuses with their Vietnamese labels,
 * and the zod schema that checks a household as an official types it in or an import delivers it.
 *
 * Messages are shown to commune and village officials as they are, so each one says in polite
 * Vietnamese which field is wrong and what is expected.
 */

import { z } from 'zod';
import {
  defaultCategoryLabel,
  HOUSEHOLD_CATEGORIES,
  HOUSEHOLD_CATEGORY_LABELS,
  type HouseholdCategory,
  isHouseholdCategory,
} from '../campaigns/sections.ts';

export type { HouseholdCategory };
export { defaultCategoryLabel, HOUSEHOLD_CATEGORIES, HOUSEHOLD_CATEGORY_LABELS, isHouseholdCategory };

/** What the household needs; reports split every count this way. */
export const HOUSEHOLD_NEEDS = ['new_build', 'repair'] as const;
export type HouseholdNeed = (typeof HOUSEHOLD_NEEDS)[number];

export const HOUSEHOLD_NEED_LABELS: Readonly<Record<HouseholdNeed, string>> = {
  new_build: 'Xây mới',
  repair: 'Sửa chữa',
};

/** The lifecycle of a household in the campaign; transitions live in `status.ts`. */
export const HOUSEHOLD_STATUSES = [
  'proposed',
  'approved',
  'started',
  'completed',
  'handed_over',
  'rejected',
  'withdrawn',
] as const;
export type HouseholdStatus = (typeof HOUSEHOLD_STATUSES)[number];

export const HOUSEHOLD_STATUS_LABELS: Readonly<Record<HouseholdStatus, string>> = {
  proposed: 'Đề xuất',
  approved: 'Đã duyệt',
  started: 'Đã khởi công',
  completed: 'Đã hoàn thành',
  handed_over: 'Đã bàn giao',
  rejected: 'Không duyệt',
  withdrawn: 'Rút khỏi danh sách',
};

/** Narrows a stored string to a need. */
export function isHouseholdNeed(value: string): value is HouseholdNeed {
  return (HOUSEHOLD_NEEDS as readonly string[]).includes(value);
}

/** Narrows a stored string to a status. */
export function isHouseholdStatus(value: string): value is HouseholdStatus {
  return (HOUSEHOLD_STATUSES as readonly string[]).includes(value);
}

export const MIN_BIRTH_YEAR = 1900;
export const MAX_MEMBERS = 50;
export const MAX_AREA_M2 = 1000;

const AREA_RANGE = 'Diện tích nhà phải lớn hơn 0 và không quá 1.000 m².';

/** Household codes are typed on phones and copied into spreadsheets: ASCII only. */
const CODE_PATTERN = /^[A-Za-z0-9._/-]+$/;
/**
 * Letters of any script (Vietnamese, Ê Đê "H'Hen Niê", …), combining marks for decomposed input,
 * spaces, straight and typographic apostrophes and hyphens; starts and ends with a letter.
 */
const NAME_PATTERN = /^\p{L}[\p{L}\p{M} '’-]*[\p{L}\p{M}]$/u;
/** CMND has 9 digits, CCCD 12. */
const ID_NUMBER_PATTERN = /^(?:\d{9}|\d{12})$/;

/** One message when the field is missing, another when it has the wrong type. */
function typeError(missing: string, wrongType: string): (issue: { input: unknown }) => string {
  return (issue) => (issue.input === undefined ? missing : wrongType);
}

/** A yes/no fact, asked as the question an official would answer ("… có bền chắc không"). */
function yesNo(question: string) {
  return z.boolean({
    error: typeError(
      `Vui lòng cho biết ${question} (có hoặc không).`,
      `Vui lòng trả lời có hoặc không cho câu hỏi: ${question}?`,
    ),
  });
}

/** A household category as a campaign lists it (core/campaigns/campaign-rules.ts). */
export interface CategoryChoice {
  code: string;
  label: string;
}

/** The built-in four, for a campaign from before definitions. */
export const DEFAULT_CATEGORY_CHOICES: readonly CategoryChoice[] = HOUSEHOLD_CATEGORIES.map((code) => ({
  code,
  label: HOUSEHOLD_CATEGORY_LABELS[code],
}));

function buildSchema(maxYear: number, categories: readonly CategoryChoice[]) {
  const labels = categories.map((c) => c.label).join(', ');
  const yearRange = `Năm sinh phải từ ${MIN_BIRTH_YEAR} đến ${maxYear}.`;
  return z.object(
    {
      code: z
        .string({ error: typeError('Vui lòng nhập mã hộ.', 'Mã hộ phải là chuỗi ký tự.') })
        .trim()
        .min(1, 'Vui lòng nhập mã hộ.')
        .max(30, 'Mã hộ dài tối đa 30 ký tự.')
        .regex(
          CODE_PATTERN,
          'Mã hộ chỉ gồm chữ cái không dấu, chữ số và các ký tự . _ / -, không có khoảng trắng.',
        ),
      village: z
        .string({
          error: typeError('Vui lòng nhập tên thôn/tổ dân phố.', 'Tên thôn/tổ dân phố phải là chuỗi ký tự.'),
        })
        .trim()
        .normalize('NFC')
        .min(1, 'Vui lòng nhập tên thôn/tổ dân phố.')
        .max(100, 'Tên thôn/tổ dân phố dài tối đa 100 ký tự.'),
      headName: z
        .string({ error: typeError('Vui lòng nhập họ tên chủ hộ.', 'Họ tên chủ hộ phải là chuỗi ký tự.') })
        .trim()
        .normalize('NFC')
        .min(2, 'Họ tên chủ hộ phải có ít nhất 2 ký tự.')
        .max(100, 'Họ tên chủ hộ dài tối đa 100 ký tự.')
        .regex(
          NAME_PATTERN,
          "Họ tên chủ hộ chỉ gồm chữ cái (có dấu hoặc không dấu), khoảng trắng, dấu nháy (') và dấu gạch ngang (-).",
        ),
      birthYear: z
        .number({ error: 'Năm sinh phải là một số, ví dụ 1958.' })
        .int('Năm sinh phải là số nguyên, ví dụ 1958.')
        .min(MIN_BIRTH_YEAR, yearRange)
        .max(maxYear, yearRange)
        .optional(),
      idNumber: z
        .string({ error: 'Số CMND/CCCD phải là chuỗi chữ số.' })
        .trim()
        .regex(ID_NUMBER_PATTERN, 'Số CMND/CCCD phải gồm đúng 9 chữ số (CMND) hoặc 12 chữ số (CCCD).')
        .optional(),
      category: z.enum(categories.map((c) => c.code) as [string, ...string[]], {
        error: (issue) =>
          typeof issue.input === 'string' && issue.input.trim() !== ''
            ? `Diện hộ "${issue.input}" không có trong đợt vận động này. Diện hộ phải là một trong: ${labels}.`
            : `Diện hộ phải là một trong: ${labels}.`,
      }),
      need: z.enum(HOUSEHOLD_NEEDS, { error: 'Nhu cầu hỗ trợ phải là Xây mới hoặc Sửa chữa.' }),
      foundationDurable: yesNo('nền-móng có bền chắc không'),
      frameDurable: yesNo('khung-tường có bền chắc không'),
      roofDurable: yesNo('mái nhà có bền chắc không'),
      area: z
        .number({ error: 'Diện tích nhà phải là một số (m²), ví dụ 24,5.' })
        .gt(0, AREA_RANGE)
        .max(MAX_AREA_M2, AREA_RANGE)
        .optional(),
      members: z
        .number({ error: typeError('Vui lòng nhập số nhân khẩu của hộ.', 'Số nhân khẩu phải là một số.') })
        .int(`Số nhân khẩu phải là số nguyên từ 1 đến ${MAX_MEMBERS}.`)
        .min(1, `Số nhân khẩu phải là số nguyên từ 1 đến ${MAX_MEMBERS}.`)
        .max(MAX_MEMBERS, `Số nhân khẩu phải là số nguyên từ 1 đến ${MAX_MEMBERS}.`),
      landLegal: yesNo('nhà có được xây trên đất ở hợp pháp không'),
      landUndisputed: yesNo('đất ở có ổn định, không có tranh chấp không'),
      outsideLandslideZone: yesNo('nhà có nằm ngoài vùng nguy cơ sạt lở không'),
      confirmedByCommune: yesNo('hộ đã được UBND xã, phường xác nhận đủ điều kiện chưa'),
      supportedBefore: z
        .string({ error: 'Chương trình đã hỗ trợ trước đây phải là chuỗi ký tự.' })
        .trim()
        .min(
          1,
          'Vui lòng ghi tên chương trình đã hỗ trợ trước đây, hoặc bỏ trống trường này nếu chưa được hỗ trợ.',
        )
        .max(500, 'Tên chương trình đã hỗ trợ trước đây dài tối đa 500 ký tự.')
        .optional(),
    },
    { error: 'Dữ liệu hộ gia đình không hợp lệ.' },
  );
}

/** The schema of a household as entered or imported, for one value of the current year. */
export type ZHouseholdInput = ReturnType<typeof buildSchema>;
/** A household as entered or imported, after trimming; the ID number is still in clear. */
export type THouseholdInput = z.infer<ZHouseholdInput>;

const schemas = new Map<string, ZHouseholdInput>();
/** A few years times a few campaigns' category lists. */
const MAX_CACHED_SCHEMAS = 64;

/**
 * The schema of a household as entered or imported, whose birth year may not lie after `year`.
 *
 * Why a factory: the upper bound is the current year, and core/ never reads the clock; the caller
 * passes the year from its `Clock` (in the campaign's time zone). Strings are trimmed, names and
 * villages put in NFC (so decomposed input from old keyboards is stored like the rest); unknown keys
 * are dropped. The category must be one of `categories` (the campaign's, `campaignRules(...)
 * .categories`; the built-in four by default), refused otherwise with the list of valid labels.
 * Schemas are cached per year and categories, so calling this once per imported row is cheap.
 * Throws a RangeError when `year` is not an integer ≥ 1900 or `categories` is empty (a programming
 * error, not user input).
 */
export function householdInputSchema(opts: {
  year: number;
  categories?: readonly CategoryChoice[];
}): ZHouseholdInput {
  const { year, categories = DEFAULT_CATEGORY_CHOICES } = opts;
  if (!Number.isInteger(year) || year < MIN_BIRTH_YEAR) {
    throw new RangeError(`householdInputSchema: year must be an integer ≥ ${MIN_BIRTH_YEAR}, got ${year}`);
  }
  if (categories.length === 0) {
    throw new RangeError('householdInputSchema: a campaign has at least one category');
  }
  const key = `${year}\u0000${categories.map((c) => `${c.code}\u0001${c.label}`).join('\u0000')}`;
  let schema = schemas.get(key);
  if (schema === undefined) {
    if (schemas.size >= MAX_CACHED_SCHEMAS) {
      schemas.delete(schemas.keys().next().value as string);
    }
    schema = buildSchema(year, categories);
    schemas.set(key, schema);
  }
  return schema;
}
