/**
 * The kinds of administrative units and member organisations, as the database stores them (English
 * codes) and as officials write them in a list ("tỉnh", "phường", "đặc khu"…).
 */

export const UNIT_KINDS = [
  'nation',
  'province',
  'city',
  'district',
  'ward',
  'commune',
  'special_zone',
  'member_org',
] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

export function isUnitKind(value: string): value is UnitKind {
  return (UNIT_KINDS as readonly string[]).includes(value);
}

/** How officials name each kind (the first word is what messages and `units list` print). */
export const KIND_WORDS: Readonly<Record<UnitKind, readonly string[]>> = {
  nation: ['cả nước', 'trung ương', 'toàn quốc'],
  province: ['tỉnh', 'thành phố trực thuộc trung ương', 'tỉnh/thành phố'],
  city: ['thành phố', 'thành phố thuộc tỉnh', 'tp'],
  district: ['quận, huyện', 'quận', 'huyện', 'thị xã', 'quận/huyện', 'cấp huyện'],
  ward: ['phường'],
  commune: ['xã', 'thị trấn'],
  special_zone: ['đặc khu'],
  member_org: ['tổ chức thành viên', 'tổ chức', 'đoàn thể'],
};

/** The Vietnamese name of a kind, e.g. "phường" (the code itself for an unknown kind). */
export function kindName(kind: string): string {
  return isUnitKind(kind) ? (KIND_WORDS[kind][0] ?? kind) : kind;
}

/**
 * A unit as a sentence names its place after "Ủy ban MTTQ": "Tỉnh Thái Nguyên" → "tỉnh Thái
 * Nguyên", "Ủy ban MTTQ Việt Nam thành phố Bắc Kạn" → "thành phố Bắc Kạn" (the committee's own
 * words dropped, the kind word in lower case as in the middle of a sentence).
 */
export function placeInSentence(name: string): string {
  const bare = name.replace(/^(Ủy ban|Uỷ ban)\s+MTTQ(\s+Việt Nam)?\s+/iu, '').trim();
  const lower = bare.toLocaleLowerCase('vi');
  const word = KIND_PREFIXES.find((w) => lower.startsWith(`${w} `));
  return word === undefined ? bare : word + bare.slice(word.length);
}

/**
 * The Front committee of a unit, as a sentence names it after "Ban Thường trực": "Tỉnh Thái Nguyên"
 * and "Ủy ban MTTQ Việt Nam tỉnh Thái Nguyên" both give "Ủy ban MTTQ Việt Nam tỉnh Thái Nguyên"
 * (unit names are stored either way).
 */
export function committeeOf(name: string): string {
  return `Ủy ban MTTQ Việt Nam ${placeInSentence(name)}`;
}

/** Lower case, NFC, single spaces: "  Tổ chức   thành viên " → "tổ chức thành viên". */
function wordKey(text: string): string {
  return text.normalize('NFC').trim().toLowerCase().replace(/\s+/g, ' ');
}

const BY_WORD = new Map<string, UnitKind>();
for (const kind of UNIT_KINDS) {
  BY_WORD.set(kind, kind);
  BY_WORD.set(kind.replace('_', ' '), kind);
  for (const word of KIND_WORDS[kind]) {
    BY_WORD.set(wordKey(word), kind);
  }
}

/** The kind words a unit's name may begin with, longest first ("thành phố trực thuộc trung ương" before "thành phố"). */
const KIND_PREFIXES = Object.values(KIND_WORDS)
  .flat()
  .sort((a, b) => b.length - a.length);

/** "Phường", "ward", "đặc khu", "special_zone" → the kind; undefined for anything else. */
export function parseKind(text: string): UnitKind | undefined {
  return BY_WORD.get(wordKey(text));
}

/** The words `parseKind` accepts, for a fix message. */
export const KIND_HINT =
  'tỉnh, thành phố, quận/huyện, phường, xã, đặc khu, tổ chức thành viên (hoặc province, city, district, ward, commune, special_zone, member_org)';

/**
 * The level of a kind in the tree: a unit sits below a unit of a lower level (a ward under a city,
 * a commune under a province since the district level ended); a member organisation under any
 * area unit.
 */
export function kindLevel(kind: string): number {
  switch (kind) {
    case 'nation':
      return 0;
    case 'province':
      return 1;
    case 'city':
    case 'district':
      return 2;
    case 'member_org':
      return 4;
    default:
      return 3;
  }
}

/** Whether a unit of kind `child` may sit under one of kind `parent`. */
export function mayContain(parent: string, child: string): boolean {
  return parent !== 'member_org' && kindLevel(parent) < kindLevel(child);
}
