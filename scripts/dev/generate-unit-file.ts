/**
 * A national-like list of administrative units for `units import --file` (the benchmark's `units`
 * section and the import's scale test): provinces and, under them, communes and wards, as of the
 * reform of 01/07/2025, with the records of before it for some of them — the province codes and
 * every REUSED_EVERY-th commune code named another unit until 30/06/2025 (as 01849 named Xã Dương
 * Quang, then Xã Phong Quang), so each such code has two records and a row's parent is the province
 * record valid on the row's first day.
 *
 * Usage: node --import tsx scripts/dev/generate-unit-file.ts <count> <file.csv|file.xlsx>
 */
import { pathToFileURL } from 'node:url';
import { writeCsv, writeXlsx } from './generate-household-file.ts';

export const UNIT_FILE_HEADER: readonly string[] = [
  'Mã',
  'Tên',
  'Loại',
  'Mã cấp trên',
  'Hiệu lực từ',
  'Hiệu lực đến',
];

/** Provinces since 01/07/2025 (Resolution 202/2025/QH15). */
export const GENERATED_PROVINCES = 34;
/** Every this many communes, the code also has an older record (ended 30/06/2025). */
export const REUSED_EVERY = 20;

const REFORM = '2025-07-01';
const BEFORE_REFORM = '2025-06-30';

export interface GeneratedUnitList {
  /** The header row, then one row per unit record. */
  rows: string[][];
  provinces: number;
  /** Records of communes and wards (old ones included). */
  communes: number;
  /** Records valid on 01/07/2025. */
  current: number;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * `count` unit records (at least the provinces' 68): 34 provinces, each with an older record
 * of its code (1997-01-01 … 2025-06-30), and communes and wards spread evenly over them, every
 * REUSED_EVERY-th with an older record of its code under the older province record.
 */
export function generateUnitList(count: number): GeneratedUnitList {
  const rows: string[][] = [[...UNIT_FILE_HEADER]];
  for (let p = 1; p <= GENERATED_PROVINCES; p++) {
    rows.push([pad(p, 2), `Tỉnh Cũ Số ${p}`, 'tỉnh', '', '1997-01-01', BEFORE_REFORM]);
    rows.push([pad(p, 2), `Tỉnh Số ${p}`, 'tỉnh', '', REFORM, '']);
  }
  const provinces = rows.length - 1;
  let communes = 0;
  while (rows.length - 1 < count) {
    communes += 1;
    const code = pad(communes, 5);
    const province = pad(((communes - 1) % GENERATED_PROVINCES) + 1, 2);
    const ward = communes % 3 === 0;
    rows.push([
      code,
      `${ward ? 'Phường' : 'Xã'} Số ${communes}`,
      ward ? 'phường' : 'xã',
      province,
      REFORM,
      '',
    ]);
    if (communes % REUSED_EVERY === 0 && rows.length - 1 < count) {
      rows.push([code, `Xã Cũ Số ${communes}`, 'xã', province, '2015-03-11', BEFORE_REFORM]);
    }
  }
  return { rows, provinces, communes: rows.length - 1 - provinces, current: GENERATED_PROVINCES + communes };
}

async function main(args: string[]): Promise<void> {
  const [countText, file] = args;
  const count = Number(countText);
  if (!Number.isInteger(count) || count <= 0 || file === undefined) {
    throw new Error(
      'usage: node --import tsx scripts/dev/generate-unit-file.ts <count> <file.csv|file.xlsx>',
    );
  }
  const { rows } = generateUnitList(count);
  await (file.endsWith('.xlsx') ? writeXlsx(file, rows) : writeCsv(file, rows));
  process.stdout.write(`${rows.length - 1} unit records → ${file}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
