/**
 * A bank statement to test and measure the matching with (issue 17 §2): pledges written in bulk
 * into a database, then a statement over them — credits carrying a pledge's reference in ten
 * mangled forms, credits matching only by the donor's name and the amount, credits matching
 * nothing, and debits — in a bank's layout (title rows, header, rows, totals), CSV or XLSX.
 *
 * Also a command, over a migrated and seeded database (`npm run db:seed` or the demo):
 * `npx tsx scripts/dev/generate-statement.ts --db file:./data/dev.db --level 058 --out /tmp/saoke.csv
 * [--bank vcb] [--seed 1]` writes 1,700 + 200 + 100 + 50 lines over 1,900 pledges it creates.
 * Exit codes: 0 success, 2 bad option, 1 anything else.
 */

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import ExcelJS from 'exceljs';
import { formatCsv } from '../../bot/files/csv.ts';
import { BANK_MAPPINGS } from '../../bot/statements/statement-file.ts';
import type { StatementRow } from '../../core/funds/statements/statement.ts';
import { rebuildFundTotals } from '../../prisma/fund-totals.ts';
import { openSqlDb, type SqlDb } from '../../prisma/sql-db.ts';
import { FAMILY_NAMES, MALE_GIVEN, MALE_MIDDLE } from '../national/names.ts';
import { mulberry32 } from '../random.ts';

/** A pledge the statement pays. */
export interface GeneratedPledge {
  id: number;
  ref: string;
  donorName: string;
  amount: bigint;
}

/** How many lines of each kind; the acceptance statement is the default. */
export interface StatementMix {
  referenced: number;
  byName: number;
  unmatched: number;
  debits: number;
}

export const ACCEPTANCE_MIX: StatementMix = { referenced: 1700, byName: 200, unmatched: 100, debits: 50 };

const COMPANY = ['Công ty TNHH', 'Công ty CP', 'Cty TNHH', 'Doanh nghiệp tư nhân'];
const TRADE = ['Xây dựng', 'Thương mại', 'Vận tải', 'Dược phẩm', 'Nông sản', 'Cơ khí', 'Điện nước'];

/** The n-th distinct name: a person (three of four) or a company, never the same twice. */
export function donorNameOf(n: number): string {
  const [family, middle, given] = [FAMILY_NAMES, MALE_MIDDLE, MALE_GIVEN];
  const person = `${family[n % family.length]} ${middle[Math.floor(n / family.length) % middle.length]} ${
    given[Math.floor(n / (family.length * middle.length)) % given.length]
  }`;
  if (n % 4 !== 3) {
    return person;
  }
  return `${COMPANY[n % COMPANY.length]} ${TRADE[n % TRADE.length]} ${person.split(' ').slice(1).join(' ')}`;
}

/** Capitals without diacritics, as most banks write a description. */
export function bankCase(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toUpperCase();
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/**
 * The ten ways a reference arrives (issue 17 §2): each takes the pledge's "UH-0042", its number and
 * the donor's name, and writes a description as banks pass it on.
 */
export const MANGLED_FORMS: readonly ((ref: string, n: number, name: string) => string)[] = [
  (ref, _n, name) => `${ref} ${bankCase(name)} UNG HO NHA DAI DOAN KET`,
  (ref, _n, name) => `${ref.replace('-', '')} ${bankCase(name)} chuyen tien`,
  (ref, _n, name) => `${ref.replace('-', ' ')} ${bankCase(name)}`,
  (ref, _n, name) => `${bankCase(name)} ${ref.replace('-', '.')} ung ho`,
  (_ref, n, name) => `uh-${n} ${name.toLowerCase()} ung ho quy vi nguoi ngheo`,
  (ref, _n, name) => `${ref.replace('-', '')}${bankCase(name).replaceAll(' ', '')}`,
  (ref, n, name) =>
    `MBVCB.${pad(n * 7919, 7)}.${ref.replace('-', '')} ${bankCase(name)}.CT tu 0123456789 toi`,
  (ref, _n, name) => `IBFT ${ref.replace('-', '_')} ${bankCase(name)}`,
  (ref, _n, name) => `Ủng hộ quỹ ${ref.replace('-', '–')} ${name}`,
  // Cut at the bank's length in the middle of the text after the reference.
  (ref, _n, name) =>
    `CT DEN:${ref.replace('-', '')} ${bankCase(name)} UNG HO XAY NHA DAI DOAN KET CHO HO NGHEO`.slice(0, 48),
];

/**
 * The pledges a statement of `mix` pays: one per referenced credit (round amounts, often the same),
 * then one per name-only credit with an amount no other pledge has (so only the name decides).
 */
export function pledgeSpecs(mix: StatementMix, offset = 0): { donorName: string; amount: bigint }[] {
  const specs: { donorName: string; amount: bigint }[] = [];
  for (let i = 0; i < mix.referenced; i++) {
    specs.push({ donorName: donorNameOf(offset + i), amount: BigInt((1 + (i % 20)) * 500_000) });
  }
  for (let i = 0; i < mix.byName; i++) {
    // 1,237,000 đ, 1,238,000 đ…: never a multiple of 500,000, never twice.
    specs.push({
      donorName: donorNameOf(offset + mix.referenced + i),
      amount: BigInt(1_237_000 + i * 1_000),
    });
  }
  return specs;
}

/**
 * Writes pledges in bulk (one INSERT per 500) to a fund level, with their references, and brings
 * the running totals up to date: a 2,000-pledge campaign in well under a second.
 */
export async function insertPledges(
  db: SqlDb,
  target: { campaignId: number; levelUnitId: number; at: Date },
  specs: readonly { donorName: string; amount: bigint }[],
): Promise<GeneratedPledge[]> {
  const out: GeneratedPledge[] = [];
  await db.transaction(async (t) => {
    for (let i = 0; i < specs.length; i += 500) {
      const part = specs.slice(i, i + 500);
      const rows = await t.kysely
        .insertInto('Pledge')
        .values(
          part.map((s, k) => ({
            ref: `TMP-${i + k}-${target.at.getTime()}`,
            campaignId: target.campaignId,
            donorKind: /công ty|cty|doanh nghiệp/i.test(s.donorName) ? 'enterprise' : 'individual',
            donorName: s.donorName,
            donorPhone: null,
            personId: null,
            orgUnitId: null,
            fundUnitId: target.levelUnitId,
            kind: 'money',
            description: null,
            quantity: null,
            quantityUnit: null,
            amount: s.amount,
            householdId: null,
            targetUnitId: null,
            dueOn: null,
            publicName: true,
            channel: 'telegram',
            cancelledAt: null,
            cancelReason: null,
            createdAt: target.at,
            updatedAt: target.at,
          })),
        )
        .returning('id')
        .execute();
      const ids = rows.map((r) => r.id).sort((a, b) => a - b);
      for (const [k, id] of ids.entries()) {
        const ref = `UH-${pad(id, 4)}`;
        await t.kysely.updateTable('Pledge').set({ ref }).where('id', '=', id).execute();
        const spec = part[k];
        if (spec) {
          out.push({ id, ref, donorName: spec.donorName, amount: spec.amount });
        }
      }
    }
    await rebuildFundTotals(t);
  });
  return out;
}

/** The statement and what matching it must find. */
export interface GeneratedStatement {
  rows: StatementRow[];
  expected: { matched: number; proposed: number; unmatched: number; debit: number };
}

/**
 * A statement over `pledges` (as `pledgeSpecs(mix)` made them, in that order): the referenced
 * credits in the ten forms in turn, the name-only credits (the payer's name in the counterparty or
 * the description, no reference), unmatched credits (odd amounts, other names), debits; shuffled,
 * on days from `firstDay`, each with its own bank transaction number.
 */
export function generateStatement(
  pledges: readonly GeneratedPledge[],
  mix: StatementMix,
  opts: { seed: number; firstDay: string },
): GeneratedStatement {
  const rnd = mulberry32(opts.seed);
  const rows: Omit<StatementRow, 'line' | 'postedOn' | 'bankRef'>[] = [];
  for (let i = 0; i < mix.referenced; i++) {
    const p = pledges[i] as GeneratedPledge;
    const form = MANGLED_FORMS[i % MANGLED_FORMS.length] ?? MANGLED_FORMS[0];
    const n = Number(p.ref.slice(3));
    rows.push({
      direction: 'credit',
      amount: p.amount,
      description: form?.(p.ref, n, p.donorName) ?? p.ref,
      ...(i % 3 === 0 ? { counterparty: bankCase(p.donorName) } : {}),
    });
  }
  for (let i = 0; i < mix.byName; i++) {
    const p = pledges[mix.referenced + i] as GeneratedPledge;
    const name = bankCase(p.donorName);
    rows.push(
      i % 2 === 0
        ? { direction: 'credit', amount: p.amount, description: 'CHUYEN TIEN UNG HO QUY', counterparty: name }
        : {
            direction: 'credit',
            amount: p.amount,
            description: `${name} CHUYEN KHOAN UNG HO NHA DAI DOAN KET`,
          },
    );
  }
  for (let i = 0; i < mix.unmatched; i++) {
    rows.push({
      direction: 'credit',
      // 333,111 đ…: no pledge is of such an amount.
      amount: BigInt(333_111 + i * 10_001),
      description: `CHUYEN TIEN TU THIEN ${bankCase(donorNameOf(50_000 + i))}`,
    });
  }
  for (let i = 0; i < mix.debits; i++) {
    rows.push({
      direction: 'debit',
      amount: BigInt(10_000_000 + i * 1_000_000),
      description: `CHI HO TRO XAY NHA DAI DOAN KET HO ${bankCase(donorNameOf(60_000 + i))}`,
    });
  }
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [rows[i], rows[j]] = [rows[j] as (typeof rows)[number], rows[i] as (typeof rows)[number]];
  }
  const start = Date.parse(`${opts.firstDay}T00:00:00Z`);
  const perDay = Math.max(1, Math.ceil(rows.length / 20));
  return {
    rows: rows.map((r, i) => ({
      ...r,
      line: i + 1,
      postedOn: new Date(start + Math.floor(i / perDay) * 86_400_000).toISOString().slice(0, 10),
      bankRef: `FT${opts.firstDay.replaceAll('-', '').slice(2)}${pad(opts.seed, 3)}${pad(i + 1, 6)}`,
    })),
    expected: {
      matched: mix.referenced,
      proposed: mix.byName,
      unmatched: mix.unmatched,
      debit: mix.debits,
    },
  };
}

const dmy = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

const groupEn = (n: bigint) => n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const groupVi = (n: bigint) => n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.');

/**
 * The statement laid out as the bank exports it: its title rows, the header (the mapping's first
 * alias of each column), one row per line (amounts written the bank's way), the totals.
 */
export function statementTable(bank: string, rows: readonly StatementRow[]): string[][] {
  const mapping = BANK_MAPPINGS.find((m) => m.code === bank);
  if (!mapping) {
    throw new Error(`no bank mapping "${bank}"`);
  }
  const money = mapping.numberFormat === 'vi' ? groupVi : groupEn;
  const c = mapping.columns;
  const columns: { head: string; cell: (r: StatementRow, i: number) => string }[] = [
    { head: 'STT', cell: (_r, i) => String(i + 1) },
    { head: c.date[0] ?? '', cell: (r) => dmy(r.postedOn) },
  ];
  if (c.bankRef) {
    columns.push({ head: c.bankRef[0] ?? '', cell: (r) => r.bankRef ?? '' });
  }
  if (c.amount && !c.credit) {
    columns.push({
      head: c.amount[0] ?? '',
      cell: (r) => `${r.direction === 'debit' ? '-' : '+'}${money(r.amount)}`,
    });
  } else {
    columns.push({ head: c.debit?.[0] ?? '', cell: (r) => (r.direction === 'debit' ? money(r.amount) : '') });
    columns.push({
      head: c.credit?.[0] ?? '',
      cell: (r) => (r.direction === 'credit' ? money(r.amount) : ''),
    });
  }
  // A bank without a payer column writes the payer's name into the description.
  const description = (r: StatementRow) =>
    c.counterparty || !r.counterparty ? r.description : `${r.counterparty} ${r.description}`;
  columns.push({ head: c.description[0] ?? '', cell: description });
  if (c.counterparty) {
    columns.push({ head: c.counterparty[0] ?? '', cell: (r) => r.counterparty ?? '' });
  }
  const credit = rows.filter((r) => r.direction === 'credit').reduce((s, r) => s + r.amount, 0n);
  const debit = rows.filter((r) => r.direction === 'debit').reduce((s, r) => s + r.amount, 0n);
  const width = columns.length;
  const titled = (text: string) => [text, ...Array<string>(width - 1).fill('')];
  return [
    titled(bankCase(`NGÂN HÀNG ${mapping.name}`)),
    titled('SAO KÊ TÀI KHOẢN / ACCOUNT STATEMENT'),
    titled('Tên tài khoản: ỦY BAN MTTQ VIỆT NAM THÀNH PHỐ BẮC KẠN - QUỸ VÌ NGƯỜI NGHÈO'),
    titled(
      `Số tài khoản: 8300201001234    Từ ngày: ${dmy(rows[0]?.postedOn ?? '2025-03-01')} đến ngày: ${dmy(rows.at(-1)?.postedOn ?? '2025-03-01')}`,
    ),
    titled(''),
    columns.map((col) => col.head),
    ...rows.map((r, i) => columns.map((col) => col.cell(r, i))),
    titled(`Tổng phát sinh có: ${money(credit)}    Tổng phát sinh nợ: ${money(debit)}`),
  ];
}

/** Writes the table as CSV (UTF-8 with a BOM, as Excel saves it) or XLSX, by the file's extension. */
export async function writeStatementFile(file: string, table: readonly string[][]): Promise<void> {
  if (path.extname(file).toLowerCase() === '.xlsx') {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('Sao ke');
    for (const row of table) {
      sheet.addRow(row);
    }
    await book.xlsx.writeFile(file);
    return;
  }
  await writeFile(file, `\uFEFF${formatCsv(table)}`, 'utf8');
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string' },
      level: { type: 'string', default: '058' },
      out: { type: 'string' },
      bank: { type: 'string', default: 'vcb' },
      seed: { type: 'string', default: '1' },
    },
  });
  const url = values.db ?? process.env.DATABASE_URL;
  if (!url || !values.out) {
    console.error(
      'usage: generate-statement.ts --db <url> --out <file.csv|file.xlsx> [--level 058] [--bank vcb] [--seed 1]',
    );
    process.exit(2);
  }
  const db = openSqlDb(url);
  try {
    const campaign = await db.kysely
      .selectFrom('Campaign')
      .select('id')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    const level = await db.kysely
      .selectFrom('Unit')
      .select('id')
      .where('code', '=', values.level)
      .executeTakeFirstOrThrow();
    const pledges = await insertPledges(
      db,
      { campaignId: campaign.id, levelUnitId: level.id, at: new Date() },
      pledgeSpecs(ACCEPTANCE_MIX),
    );
    const { rows, expected } = generateStatement(pledges, ACCEPTANCE_MIX, {
      seed: Number(values.seed),
      firstDay: new Date().toISOString().slice(0, 10),
    });
    await writeStatementFile(values.out, statementTable(values.bank, rows));
    console.log(`${rows.length} lines written to ${values.out}; expected ${JSON.stringify(expected)}`);
  } finally {
    await db.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

/**
 * The pledges as registered from the bot by donors with a Telegram chat (`String(900000 + id)`), so
 * an import tells each one of its receipts.
 */
export async function giveDonorsChats(
  db: SqlDb,
  pledges: readonly { id: number; donorName: string }[],
  at: Date,
) {
  await db.transaction(async (t) => {
    for (const p of pledges) {
      const person = await t.kysely
        .insertInto('Person')
        .values({ fullName: p.donorName, createdAt: at })
        .returning('id')
        .executeTakeFirstOrThrow();
      await t.kysely
        .insertInto('ChannelIdentity')
        .values({
          channel: 'telegram',
          externalUserId: String(900_000 + p.id),
          personId: person.id,
          createdAt: at,
        })
        .execute();
      await t.kysely.updateTable('Pledge').set({ personId: person.id }).where('id', '=', p.id).execute();
    }
  });
}
