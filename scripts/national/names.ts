/**
 * Names for the national data set (scripts/national-data.ts): the 34 provinces and centrally-run
 * cities of the 2025 reorganisation with their number of communes and wards (3,321 in all), and
 * made-up but plausible names of communes, people and enterprises. Everything is drawn from the
 * caller's seeded random numbers, so a run is the same every time.
 */

export interface ProvinceSpec {
  name: string;
  /** Centrally-run city ("Thành phố Hà Nội") rather than a province ("Tỉnh Thanh Hóa"). */
  city: boolean;
  /** Communes and wards (approximately those of Resolution 202/2025/QH15; they sum to 3,321). */
  communes: number;
}

export const PROVINCES: readonly ProvinceSpec[] = [
  { name: 'Hà Nội', city: true, communes: 126 },
  { name: 'Huế', city: true, communes: 40 },
  { name: 'Lai Châu', city: false, communes: 38 },
  { name: 'Điện Biên', city: false, communes: 45 },
  { name: 'Sơn La', city: false, communes: 75 },
  { name: 'Lạng Sơn', city: false, communes: 65 },
  { name: 'Quảng Ninh', city: false, communes: 54 },
  { name: 'Thanh Hóa', city: false, communes: 166 },
  { name: 'Nghệ An', city: false, communes: 130 },
  { name: 'Hà Tĩnh', city: false, communes: 69 },
  { name: 'Cao Bằng', city: false, communes: 56 },
  { name: 'Tuyên Quang', city: false, communes: 124 },
  { name: 'Lào Cai', city: false, communes: 99 },
  { name: 'Thái Nguyên', city: false, communes: 92 },
  { name: 'Phú Thọ', city: false, communes: 148 },
  { name: 'Bắc Ninh', city: false, communes: 99 },
  { name: 'Hưng Yên', city: false, communes: 104 },
  { name: 'Hải Phòng', city: true, communes: 114 },
  { name: 'Ninh Bình', city: false, communes: 129 },
  { name: 'Quảng Trị', city: false, communes: 78 },
  { name: 'Đà Nẵng', city: true, communes: 94 },
  { name: 'Quảng Ngãi', city: false, communes: 96 },
  { name: 'Gia Lai', city: false, communes: 135 },
  { name: 'Khánh Hòa', city: false, communes: 65 },
  { name: 'Lâm Đồng', city: false, communes: 124 },
  { name: 'Đắk Lắk', city: false, communes: 102 },
  { name: 'Hồ Chí Minh', city: true, communes: 168 },
  { name: 'Đồng Nai', city: false, communes: 95 },
  { name: 'Tây Ninh', city: false, communes: 96 },
  { name: 'Cần Thơ', city: true, communes: 103 },
  { name: 'Vĩnh Long', city: false, communes: 124 },
  { name: 'Đồng Tháp', city: false, communes: 102 },
  { name: 'Cà Mau', city: false, communes: 64 },
  { name: 'An Giang', city: false, communes: 102 },
];

/** The five socio-political member organisations of the Front: code prefix, national name, local name. */
export const ORGANISATIONS: readonly { code: string; national: string; local: string }[] = [
  { code: 'LDLD', national: 'Tổng Liên đoàn Lao động Việt Nam', local: 'Liên đoàn Lao động' },
  { code: 'HND', national: 'Hội Nông dân Việt Nam', local: 'Hội Nông dân' },
  { code: 'DTN', national: 'Trung ương Đoàn TNCS Hồ Chí Minh', local: 'Đoàn TNCS Hồ Chí Minh' },
  { code: 'HLHPN', national: 'Hội Liên hiệp Phụ nữ Việt Nam', local: 'Hội Liên hiệp Phụ nữ' },
  { code: 'HCCB', national: 'Hội Cựu chiến binh Việt Nam', local: 'Hội Cựu chiến binh' },
];

/** "tỉnh Thanh Hóa" / "thành phố Hà Nội": how an organisation's name ends. */
export function provinceSuffix(p: ProvinceSpec): string {
  return `${p.city ? 'thành phố' : 'tỉnh'} ${p.name}`;
}

const PLACE_SYLLABLES = [
  'An',
  'Bình',
  'Phú',
  'Tân',
  'Hòa',
  'Thạnh',
  'Long',
  'Phước',
  'Mỹ',
  'Đông',
  'Tây',
  'Nam',
  'Bắc',
  'Trung',
  'Hưng',
  'Thuận',
  'Lợi',
  'Xuân',
  'Thái',
  'Sơn',
  'Hải',
  'Quang',
  'Minh',
  'Đức',
  'Vĩnh',
  'Kim',
  'Ngọc',
  'Hồng',
  'Thanh',
  'Cát',
  'Lộc',
  'Phong',
  'Tiến',
  'Yên',
  'Định',
  'Hiệp',
  'Lâm',
  'Nghĩa',
  'Tường',
  'Khánh',
];

const FAMILY = [
  ['Nguyễn', 38],
  ['Trần', 11],
  ['Lê', 9],
  ['Phạm', 7],
  ['Hoàng', 5],
  ['Huỳnh', 4],
  ['Phan', 4],
  ['Vũ', 4],
  ['Võ', 3],
  ['Đặng', 2],
  ['Bùi', 2],
  ['Đỗ', 2],
  ['Hồ', 2],
  ['Ngô', 2],
  ['Dương', 1],
  ['Lý', 1],
  ['Nông', 1],
  ['Lường', 1],
  ['Triệu', 1],
] as const;
const FAMILY_TOTAL = FAMILY.reduce((n, [, w]) => n + w, 0);
/** The family names, without their weights. */
export const FAMILY_NAMES: readonly string[] = FAMILY.map(([name]) => name);
export const MALE_MIDDLE = ['Văn', 'Hữu', 'Đức', 'Minh', 'Quang', 'Xuân', 'Công', 'Thành', 'Đình', 'Ngọc'];
const FEMALE_MIDDLE = ['Thị', 'Thị', 'Thị', 'Ngọc', 'Thu', 'Thanh', 'Minh', 'Hồng', 'Kim', 'Phương'];
export const MALE_GIVEN = [
  'An',
  'Bình',
  'Cường',
  'Dũng',
  'Đạt',
  'Hải',
  'Hiếu',
  'Hùng',
  'Khánh',
  'Long',
  'Minh',
  'Nam',
  'Phong',
  'Phúc',
  'Quân',
  'Sơn',
  'Tâm',
  'Thắng',
  'Trung',
  'Tuấn',
  'Việt',
  'Vinh',
  'Tư',
  'Sáng',
];
const FEMALE_GIVEN = [
  'Chi',
  'Giang',
  'Hà',
  'Hạnh',
  'Hoa',
  'Hương',
  'Lan',
  'Linh',
  'Mai',
  'Nga',
  'Ngọc',
  'Nhung',
  'Phương',
  'Thảo',
  'Thủy',
  'Trang',
  'Tú',
  'Vân',
  'Yến',
  'Út',
  'Hồng',
  'Thu',
];
const ENTERPRISE_FORMS = [
  'Công ty TNHH',
  'Công ty CP',
  'Công ty TNHH MTV',
  'Tập đoàn',
  'Hợp tác xã',
  'Doanh nghiệp tư nhân',
];
const ENTERPRISE_WORDS = [
  'Xây dựng',
  'Thương mại',
  'Đầu tư',
  'Vật liệu',
  'Thép',
  'Xi măng',
  'Nông sản',
  'Thủy sản',
  'Dược phẩm',
  'Vận tải',
  'Điện lực',
  'May mặc',
  'Gạch men',
  'Cao su',
  'Chè',
  'Cà phê',
];

type Random = () => number;

function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) {
    throw new Error('pick from an empty list');
  }
  return item;
}

/** "Nguyễn Thị Lan", "Trần Văn Hùng". */
export function personName(random: Random): string {
  let r = random() * FAMILY_TOTAL;
  let family: string = FAMILY[0][0];
  for (const [name, weight] of FAMILY) {
    r -= weight;
    if (r < 0) {
      family = name;
      break;
    }
  }
  const female = random() < 0.5;
  const middle = pick(random, female ? FEMALE_MIDDLE : MALE_MIDDLE);
  const given = pick(random, female ? FEMALE_GIVEN : MALE_GIVEN);
  return `${family} ${middle} ${given}`;
}

/** A two-syllable place name not in `used` ("Tân Phú", "Hòa An"), numbered when the pairs run out. */
export function placeName(random: Random, used: Set<string>): string {
  for (let attempt = 0; attempt < 50; attempt++) {
    const name = `${pick(random, PLACE_SYLLABLES)} ${pick(random, PLACE_SYLLABLES)}`;
    if (!used.has(name) && name.split(' ')[0] !== name.split(' ')[1]) {
      used.add(name);
      return name;
    }
  }
  const name = `${pick(random, PLACE_SYLLABLES)} ${used.size + 1}`;
  used.add(name);
  return name;
}

/** "Công ty TNHH Xây dựng Tân Phú". */
export function enterpriseName(random: Random): string {
  return `${pick(random, ENTERPRISE_FORMS)} ${pick(random, ENTERPRISE_WORDS)} ${pick(random, PLACE_SYLLABLES)} ${pick(random, PLACE_SYLLABLES)}`;
}
