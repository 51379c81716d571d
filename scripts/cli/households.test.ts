import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../prisma/client.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import { seededDatabase } from '../../test/support/app-harness.ts';
import { recordingCliContext } from '../../test/support/cli-context.ts';
import { testIdNumberHasher } from '../../test/support/id-hash-key.ts';
import {
  GENERATED_HEADER,
  generateHouseholdRows,
  writeCsv,
  writeXlsx,
} from '../dev/generate-household-file.ts';
import { householdsExport, householdsImport } from './households.ts';

const NOW = new Date('2025-03-10T03:00:00Z');
let tmp: string;
let db: SqlDb;
let prisma: PrismaClient;

let close: () => Promise<void>;

beforeAll(async () => {
  ({ db, prisma, close, dir: tmp } = await seededDatabase(NOW));
});

afterAll(async () => {
  await close();
});

const context = () => recordingCliContext(db, NOW, { prisma, hashIdNumber: testIdNumberHasher });

const count = () => prisma.household.count({ where: { unit: { code: '01852' } } });

describe('households import', () => {
  it('reports exactly the 20 planted errors of a 5,000-row file and writes nothing in strict mode', async () => {
    const { rows, plantedErrorRows } = generateHouseholdRows(5000, { seed: 7, plantErrors: 20 });
    // A commune's list carries each head's CCCD; fill the few missing ones so that namesakes
    // (common in 5,000 random names) are told apart as they would be in a real list.
    const idAt = GENERATED_HEADER.findIndex((h) => /CCCD/.test(h));
    rows.forEach((row, i) => {
      if (i > 0 && row[idAt] === '') {
        row[idAt] = `0069${String(i).padStart(8, '0')}`;
      }
    });
    const file = path.join(tmp, 'big.csv');
    await writeCsv(file, rows);
    const ctx = context();
    const outcome = await householdsImport(ctx, { file, unit: '01852', dryRun: false, acceptValid: false });
    expect(outcome.rows).toBe(5000);
    expect([...new Set(outcome.problems.map((p) => p.row))].sort((a, b) => a - b)).toEqual(
      [...plantedErrorRows].sort((a, b) => a - b),
    );
    expect(outcome.written).toBe(0);
    expect(await count()).toBe(0);
    expect(ctx.lines.at(-1)).toContain('Không ghi gì');
    expect(ctx.lines[0]).toMatch(/^Dòng \d+, cột "[^"]+": .+/);
  });

  it('refuses a file over the size or row limit, or with a quote that never closes, writing nothing', async () => {
    const { rows } = generateHouseholdRows(40, { seed: 12 });
    const idAt = GENERATED_HEADER.findIndex((h) => /CCCD/.test(h));
    rows.forEach((row, i) => {
      if (i > 0) {
        row[idAt] = `0069${String(i + 100).padStart(8, '0')}`;
      }
    });
    const file = path.join(tmp, 'limits.csv');
    await writeCsv(file, rows);
    const before = await count();
    const audits = await prisma.auditLog.count({ where: { action: 'households.import' } });

    // Over the size limit (--max-mb): refused before reading, in the report's words.
    const small = context();
    const bySize = await householdsImport(small, {
      file,
      unit: '01852',
      dryRun: false,
      acceptValid: true,
      maxMb: 0.001,
    });
    expect(bySize).toMatchObject({ rows: 0, written: 0, problemCount: 1 });
    expect(small.lines[0]).toMatch(
      /^Tệp "limits\.csv" nặng 0 MB, quá giới hạn 0 MB của một lần nhập; chưa đọc gì trong tệp\. → Chia danh sách/,
    );
    expect(small.lines.at(-1)).toBe('Không ghi gì vào cơ sở dữ liệu.');

    // Over the row limit (the operator's HOUSEHOLD_IMPORT_MAX_ROWS): even --accept-valid writes none.
    const few = { ...context(), householdImportLimits: { maxBytes: 1024 * 1024, maxRows: 25 } };
    const byRows = await householdsImport(few, { file, unit: '01852', dryRun: false, acceptValid: true });
    expect(byRows).toMatchObject({ rows: 25, valid: 0, written: 0 });
    expect(byRows.problems).toEqual([
      {
        row: 27,
        column: '',
        message: 'Tệp có hơn 25 hộ, quá giới hạn của một lần nhập; đã dừng đọc ở dòng này.',
        suggestion: expect.stringContaining('--max-rows') as unknown as string,
      },
    ]);
    expect(few.lines.at(-2)).toMatch(/^Dòng 27: Tệp có hơn 25 hộ/);
    expect(few.lines.at(-1)).toBe('Không ghi gì vào cơ sở dữ liệu.');

    // A quote opened on row 30 and never closed: the rows before it are not written either.
    const lines = (await readFile(file, 'utf8')).split('\r\n');
    lines[29] = lines[29]?.replace(/,(H\d+),/, ',"$1,') ?? '';
    const broken = path.join(tmp, 'broken.csv');
    await writeFile(broken, [...lines.slice(0, 30), 'a,b,c\r\n'.repeat(4000)].join('\r\n'));
    const quoted = context();
    const byQuote = await householdsImport(quoted, {
      file: broken,
      unit: '01852',
      dryRun: false,
      acceptValid: true,
    });
    expect(byQuote).toMatchObject({ rows: 28, written: 0 });
    expect(quoted.lines.at(-2)).toMatch(
      /^Dòng 30, cột "Mã hộ": Dấu ngoặc kép \("\) mở ở dòng 30 không được đóng/,
    );

    expect(await count()).toBe(before);
    expect(await prisma.auditLog.count({ where: { action: 'households.import' } })).toBe(audits);
  });

  it('writes the valid rows with --accept-valid, in one go, with eligibility and history', async () => {
    const { rows } = generateHouseholdRows(300, { seed: 8, plantErrors: 3 });
    const file = path.join(tmp, 'some.xlsx');
    await writeXlsx(file, rows);
    const outcome = await householdsImport(context(), {
      file,
      unit: '01852',
      dryRun: false,
      acceptValid: true,
    });
    // 3 planted errors, and random names may make a few likely duplicates: those are refused too.
    expect(outcome.written).toBe(outcome.valid);
    expect(outcome.valid).toBeGreaterThanOrEqual(290);
    expect(outcome.valid).toBeLessThanOrEqual(297);
    expect(await count()).toBe(outcome.valid);
    expect(await prisma.householdEvent.count({ where: { kind: 'created' } })).toBeGreaterThanOrEqual(297);
    // The same file again: every row is now a duplicate of the registry, nothing is written.
    const again = await householdsImport(context(), {
      file,
      unit: '01852',
      dryRun: false,
      acceptValid: true,
    });
    expect(again.written).toBe(0);
    expect(await count()).toBe(outcome.valid);
  });

  it('catches the same household entered twice with different diacritics and case', async () => {
    const header = [...GENERATED_HEADER];
    const base = generateHouseholdRows(1, { seed: 9 }).rows[1] ?? [];
    const nameAt = header.findIndex((h) => /Họ tên/.test(h));
    const codeAt = header.findIndex((h) => /Mã hộ/.test(h));
    const first = [...base];
    const second = [...base];
    first[nameAt] = 'Nguyễn Văn Ân';
    second[nameAt] = 'NGUYEN VAN AN';
    first[codeAt] = 'DUP-1';
    second[codeAt] = 'DUP-2';
    const file = path.join(tmp, 'dup.csv');
    await writeCsv(file, [header, first, second]);
    const outcome = await householdsImport(context(), {
      file,
      unit: '01849',
      dryRun: true,
      acceptValid: false,
    });
    expect(outcome.problems).toHaveLength(1);
    expect(outcome.problems[0]?.row).toBe(3);
    expect(outcome.problems[0]?.message).toContain('Có thể trùng hộ ở dòng 2');
  });

  it('exports the registry to XLSX in the layout the import reads back', async () => {
    const file = path.join(tmp, 'export.xlsx');
    const ctx = context();
    const registered = await count();
    await householdsExport(ctx, { file, unit: '01852' });
    expect(ctx.lines[0]).toContain(`Đã xuất ${registered} hộ`);
    const dry = await householdsImport(context(), { file, unit: '01852', dryRun: true, acceptValid: false });
    expect(dry.rows).toBe(registered);
    // Re-importing the export reads every row and finds each household already in the campaign.
    expect(new Set(dry.problems.map((p) => p.row)).size).toBe(registered);
    expect(dry.problems.every((p) => p.message.includes('đã có'))).toBe(true);
  });

  it('approves an ineligible household only with a written, audited reason', async () => {
    const campaign = await prisma.campaign.findFirstOrThrow();
    const unit = await prisma.unit.findFirstOrThrow({
      orderBy: { validFrom: 'desc' },
      where: { code: '01849' },
    });
    await prisma.household.create({
      data: {
        campaignId: campaign.id,
        unitId: unit.id,
        code: 'DQ-900',
        village: 'Thôn Nà Pài',
        headName: 'Lục Văn Khải',
        headNameKey: 'luc van khai',
        category: 'poor',
        need: 'repair',
        foundationDurable: true,
        frameDurable: true,
        roofDurable: false,
        members: 2,
        landLegal: true,
        landUndisputed: true,
        outsideLandslideZone: true,
        confirmedByCommune: true,
        eligible: false,
        createdAt: NOW,
        updatedAt: NOW,
      },
    });
    const { executeCommand, parseCommand } = await import('./commands.ts');
    expect(() => parseCommand(['households', 'approve', 'DQ-900'])).toThrow(/lý do/);
    const ctx = context();
    await executeCommand(
      parseCommand([
        'households',
        'approve',
        'DQ-900',
        '--reason',
        'Mái dột nặng sau bão số 3, UBND xã đề nghị',
      ]),
      ctx,
    );
    expect(ctx.lines[0]).toContain('dù chưa đủ điều kiện');
    const approved = await prisma.household.findUniqueOrThrow({
      where: { campaignId_code: { campaignId: campaign.id, code: 'DQ-900' } },
    });
    expect(approved).toMatchObject({
      status: 'approved',
      overrideReason: 'Mái dột nặng sau bão số 3, UBND xã đề nghị',
    });
    expect(await prisma.auditLog.count({ where: { action: 'household.approve-override' } })).toBe(1);
    expect(await prisma.householdEvent.count({ where: { householdId: approved.id, kind: 'override' } })).toBe(
      1,
    );
    // A second approval is refused in Vietnamese and writes nothing more.
    await expect(
      executeCommand(
        parseCommand(['households', 'approve', 'DQ-900', '--reason', 'Mái dột nặng sau bão số 3, lần hai']),
        context(),
      ),
    ).rejects.toThrow(/trạng thái "Đã duyệt", chỉ duyệt được hộ "Đề xuất"/);
    expect(await prisma.auditLog.count({ where: { action: 'household.approve-override' } })).toBe(1);
  });
});
