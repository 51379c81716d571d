import type { Campaign } from '../campaigns/campaign.ts';
import { figurePeriods } from '../campaigns/figure-periods.ts';
import type { FundRollup } from '../funds/fund-rollup.ts';
import type { UnitProgress } from '../households/unit-progress.ts';
import { normalizeVi } from '../shared/parse.ts';
import type { Tx } from '../unit-of-work.ts';
import type { UnitView } from '../units/unit.repository.ts';
import { type Proposal, parseCommendationCriteria, proposeCommendations } from './commendations.ts';

/** Weekly and monthly reports due by `today` and how many each unit sent on time. */
export async function punctuality(
  tx: Tx,
  campaign: Campaign,
  units: readonly UnitView[],
  today: string,
): Promise<{ due: number; onTime: Map<number, number> }> {
  const periods = (await figurePeriods(tx, campaign.id)).filter((p) => p.dueOn <= today);
  const counts = await tx.reports.onTimeCounts(
    periods.map((p) => p.id),
    units.map((u) => u.id),
  );
  const onTime = new Map(units.map((u) => [u.id, 0]));
  for (const c of counts) {
    onTime.set(c.unitId, c.periods);
  }
  return { due: periods.length, onTime };
}

/** The commendations proposed for an area by the campaign's criteria (summary export and digest). */
export async function proposalsFor(
  tx: Tx,
  campaign: Campaign,
  units: readonly UnitView[],
  progress: readonly UnitProgress[],
  rollup: FundRollup | undefined,
  today: string,
): Promise<Proposal[]> {
  const criteria = parseCommendationCriteria((await tx.reminders.settings(campaign.id)).commendationCriteria);
  const { due, onTime } = await punctuality(tx, campaign, units, today);
  return proposeCommendations(
    criteria,
    units.map((u, i) => ({
      name: u.name,
      approved: progress[i]?.approved ?? 0,
      completed: progress[i]?.completed ?? 0,
      reportsDue: due,
      reportsOnTime: onTime.get(u.id) ?? 0,
    })),
    rollup?.organisations ?? [],
    rollup?.donors ?? [],
  );
}

/**
 * The themes the committee's report groups the wards' difficulties and proposals under (issue 16
 * §2), in the order the report lists them; 'other' last.
 */
export const THEMES = ['land', 'funds', 'materials', 'weather', 'labour', 'procedures', 'other'] as const;
export type Theme = (typeof THEMES)[number];

/** How the report names each theme after "Về …". */
export const THEME_LABELS: Readonly<Record<Theme, string>> = {
  land: 'đất đai, tranh chấp đất',
  funds: 'kinh phí, nguồn vốn',
  materials: 'vật liệu xây dựng, giá cả',
  weather: 'thời tiết, thiên tai',
  labour: 'nhân công',
  procedures: 'thủ tục, hồ sơ',
  other: 'các nội dung khác',
};

/**
 * The words that mark each theme, as officers write them (lower case, with diacritics: "đất" is
 * land, "đạt" is not). A keyword matches whole words only ("giá" in "đánh giá" does not count:
 * prices are "giá cả", "tăng giá"…). A keyword of two words or more also matches text typed
 * without diacritics ("tranh chap dat").
 */
const THEME_KEYWORDS: Readonly<Record<Exclude<Theme, 'other'>, readonly string[]>> = {
  land: [
    'đất',
    'đất đai',
    'đất ở',
    'tranh chấp',
    'quyền sử dụng',
    'sổ đỏ',
    'giấy chứng nhận',
    'mặt bằng',
    'thửa',
    'quy hoạch',
  ],
  funds: [
    'kinh phí',
    'nguồn vốn',
    'vốn',
    'ngân sách',
    'tài chính',
    'đối ứng',
    'giải ngân',
    'định mức',
    'tiền',
    'nguồn lực',
    'chưa đủ tiền',
  ],
  materials: [
    'vật liệu',
    'vật tư',
    'giá cả',
    'tăng giá',
    'trượt giá',
    'giá thành',
    'giá vật liệu',
    'xi măng',
    'sắt thép',
    'thép',
    'gạch',
    'cát',
    'vận chuyển',
  ],
  weather: [
    'thời tiết',
    'mưa',
    'mưa lũ',
    'lũ',
    'lũ lụt',
    'bão',
    'thiên tai',
    'sạt lở',
    'ngập',
    'rét',
    'nắng nóng',
  ],
  labour: ['nhân công', 'thợ', 'lao động', 'nhân lực', 'công nhân', 'ngày công'],
  procedures: [
    'thủ tục',
    'hồ sơ',
    'giấy tờ',
    'phê duyệt',
    'thẩm định',
    'xác nhận',
    'quy trình',
    'hướng dẫn',
    'văn bản',
  ],
};

const LETTER = '\\p{L}\\p{M}';
const wholeWord = (keyword: string) => new RegExp(`(?<![${LETTER}])${keyword}(?![${LETTER}])`, 'u');
const THEME_PATTERNS: readonly { theme: Theme; exact: RegExp; folded?: RegExp }[] = Object.entries(
  THEME_KEYWORDS,
).flatMap(([theme, keywords]) =>
  keywords.map((keyword) => ({
    theme: theme as Theme,
    exact: wholeWord(keyword),
    ...(keyword.includes(' ') ? { folded: wholeWord(normalizeVi(keyword)) } : {}),
  })),
);

/**
 * The theme of one statement ("Giá vật liệu tăng cao"): the theme with the most keywords in it,
 * the earlier theme of THEMES on a tie (land before funds before materials…); 'other' when none
 * matches. Pure and deterministic, so the report groups the same texts the same way every time.
 */
export function classifyTheme(text: string): Theme {
  const exact = text.normalize('NFC').toLocaleLowerCase('vi');
  const folded = normalizeVi(text);
  const hits = new Map<Theme, number>();
  for (const p of THEME_PATTERNS) {
    if (p.exact.test(exact) || p.folded?.test(folded)) {
      hits.set(p.theme, (hits.get(p.theme) ?? 0) + 1);
    }
  }
  let best: Theme = 'other';
  let most = 0;
  for (const theme of THEMES) {
    const n = hits.get(theme) ?? 0;
    if (n > most) {
      best = theme;
      most = n;
    }
  }
  return best;
}

/**
 * A ward's answer split into its statements: one per line, bullet or sentence ("; " and ". "),
 * trimmed of bullets and the final full stop; empty ones dropped.
 */
export function statementsOf(text: string): string[] {
  return text
    .split(/\r?\n|;|\.(?=\s|$)/u)
    .map((s) =>
      s
        .replace(/^\s*(?:[-+•*–]|\d+[.)])\s*/u, '')
        .trim()
        .replace(/[.,:;\s]+$/u, ''),
    )
    .filter((s) => /[\p{L}\p{N}]/u.test(s));
}

/** What one unit wrote (a difficulty or a proposal), by the unit's name as a sentence names it. */
export interface UnitStatement {
  unit: string;
  text: string;
}

/** The statements of one theme and the units that raised them, in the order they came. */
export interface ThemeGroup {
  theme: Theme;
  label: string;
  statements: string[];
  units: string[];
}

/**
 * The units' texts grouped by theme (issue 16 §2): each text split into statements, each statement
 * classified (`classifyTheme`); the same statement written twice (by case and diacritics) is kept
 * once, with every unit that wrote it. Themes in the order of THEMES; only those raised.
 */
export function groupByTheme(items: readonly UnitStatement[]): ThemeGroup[] {
  const groups = new Map<Theme, { statements: Map<string, string>; units: string[] }>();
  for (const item of items) {
    for (const statement of statementsOf(item.text)) {
      const theme = classifyTheme(statement);
      const group = groups.get(theme) ?? { statements: new Map<string, string>(), units: [] };
      groups.set(theme, group);
      const key = normalizeVi(statement);
      if (!group.statements.has(key)) {
        group.statements.set(key, statement);
      }
      if (!group.units.includes(item.unit)) {
        group.units.push(item.unit);
      }
    }
  }
  return THEMES.filter((theme) => groups.has(theme)).map((theme) => {
    const group = groups.get(theme) as { statements: Map<string, string>; units: string[] };
    return {
      theme,
      label: THEME_LABELS[theme],
      statements: [...group.statements.values()],
      units: group.units,
    };
  });
}

/**
 * A theme as the report's bullet: "Về kinh phí, nguồn vốn: Thiếu vốn đối ứng; giá vật liệu tăng
 * (phường Đức Xuân, xã Dương Quang)" — the first statement as written (a capital after the colon),
 * the next ones in lower case after "; " unless they begin with a name.
 */
export function themeBullet(group: ThemeGroup): string {
  const statements = group.statements.map((s, i) => (i === 0 ? s : lowerFirst(s))).join('; ');
  return `Về ${group.label}: ${statements} (${group.units.join(', ')})`;
}

/** Words that keep their capital mid-sentence: bodies and places ("Ủy ban", "Nhà nước", "UBND"). */
const CAPITALISED = new Set(['ủy', 'uỷ', 'nhà nước', 'đảng', 'quỹ', 'chính phủ', 'trung ương']);

function lowerFirst(text: string): string {
  const words = text.split(/\s+/u);
  const [first = '', second = ''] = words;
  const lower = first.toLocaleLowerCase('vi');
  const keep =
    (first.length > 1 && first === first.toLocaleUpperCase('vi')) ||
    CAPITALISED.has(lower) ||
    CAPITALISED.has(`${lower} ${second.toLocaleLowerCase('vi')}`) ||
    // A person's or a place's name: two capitalised words ("Nguyễn Văn …", "Đức Xuân").
    /^\p{Lu}/u.test(second);
  return keep ? text : text.charAt(0).toLocaleLowerCase('vi') + text.slice(1);
}
