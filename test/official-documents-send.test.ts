import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createExportBuilder,
  DOCX_MIME_TYPE,
  documentMimeType,
  isWordDocument,
  XLSX_MIME_TYPE,
} from '../bot/exports/document-builder.ts';
import { registerPlayground } from '../bot/playground/playground-routes.ts';
import { createPlaygroundSender } from '../bot/playground/playground-sender.ts';
import type { OutboundDocument } from '../core/messaging/message.ts';
import { createStore } from '../prisma/store.ts';
import { executeCommand, parseCommand } from '../scripts/cli/commands.ts';
import { UsageError } from '../scripts/cli/context.ts';
import { writeOfficialDocument } from '../scripts/cli/document-file.ts';
import { seededDatabase } from './support/app-harness.ts';
import { recordingCliContext } from './support/cli-context.ts';
import { readDocx } from './support/docx-xml.ts';

// 10:00 on 10/07/2025 in Vietnam: the first half of 2025 is over, its report is the committee's.
const NOW = new Date('2025-07-10T03:00:00Z');
const SEEDED_AT = new Date('2025-02-01T03:00:00Z');

let seeded: Awaited<ReturnType<typeof seededDatabase>>;
let report: OutboundDocument;

beforeAll(async () => {
  seeded = await seededDatabase(SEEDED_AT);
  const { cityId, periodId } = await createStore(seeded.db).run(async (tx) => {
    const campaign = await tx.campaigns.findCurrent();
    const city = (await tx.units.listByKinds(['city'])).find((u) => u.code === '058');
    const half = (await tx.campaigns.listPeriods(campaign?.id ?? 0, 'semiannual')).find(
      (p) => p.code === '2025-H1',
    );
    return { cityId: city?.id ?? 0, periodId: half?.id ?? 0 };
  });
  report = {
    kind: 'committee-report',
    params: { unitId: cityId, periodId },
    fallbackText: 'npm run cli -- document committee-report …',
  };
});

afterAll(async () => {
  await seeded.close();
});

/** The blocks every committee document carries, in the form of Decree 30/2020 (the fixture's defaults). */
async function expectCommitteeForm(data: Buffer): Promise<void> {
  const { texts, find } = await readDocx(data);
  expect(texts.slice(0, 4)).toEqual([
    'DỰ THẢO',
    'ỦY BAN MTTQ VIỆT NAM',
    'THÀNH PHỐ BẮC KẠN',
    'BAN THƯỜNG TRỰC',
  ]);
  expect(find('BAN THƯỜNG TRỰC').bold).toBe(true);
  expect(texts).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
  expect(texts).toContain('Độc lập - Tự do - Hạnh phúc');
  expect(texts).toContain('Số:       /BC-MTTQ-BTT');
  expect(texts).toContain('Bắc Kạn, ngày 10 tháng 7 năm 2025');
  expect(find('BÁO CÁO')).toMatchObject({ bold: true, centred: true });
  expect(texts).toContain('Nơi nhận:');
  expect(texts).toContain('- Lưu: VT.');
  expect(find('TM. BAN THƯỜNG TRỰC')).toMatchObject({ bold: true, centred: true });
}

describe('the channels’ document builder', () => {
  it('builds a Word document for a registered recipe kind, an Excel workbook otherwise', async () => {
    expect(isWordDocument(report)).toBe(true);
    expect(isWordDocument({ kind: 'progress' })).toBe(false);
    const build = createExportBuilder({ uow: createStore(seeded.db), clock: { now: () => NOW } });
    const word = await build(report);
    expect(word.mimeType).toBe(DOCX_MIME_TYPE);
    expect(word.fileName).toMatch(/^[\w.-]+\.docx$/);
    await expectCommitteeForm(word.data);

    const excel = await build({
      kind: 'progress',
      params: { scope: [Number(report.params.unitId)], period: '2025-06' },
      fallbackText: '…',
    });
    expect(excel.mimeType).toBe(XLSX_MIME_TYPE);
    expect(excel.fileName).toMatch(/\.xlsx$/);
    expect(documentMimeType(excel.fileName)).toBe(XLSX_MIME_TYPE);
    expect(documentMimeType(word.fileName)).toBe(DOCX_MIME_TYPE);
  });

  it('a recipe whose subject is gone fails with the builder’s reason', async () => {
    const build = createExportBuilder({ uow: createStore(seeded.db), clock: { now: () => NOW } });
    await expect(build({ ...report, params: { unitId: 999_999, periodId: 1 } })).rejects.toThrow(
      /^document refused: /,
    );
  });

  it('the playground offers the Word document for download as a .docx', async () => {
    const sender = createPlaygroundSender({
      buildDocument: createExportBuilder({ uow: createStore(seeded.db), clock: { now: () => NOW } }),
    });
    const app = Fastify({ logger: false });
    await registerPlayground(app, { sender, listPersonas: async () => [], handleInbound: async () => {} });
    try {
      expect(
        await sender.send('pg:city-staff', {
          text: '📎 Dự thảo báo cáo 6 tháng đầu năm 2025',
          document: report,
        }),
      ).toEqual({
        ok: true,
      });
      const file = sender.list('pg:city-staff', 0)[0]?.file;
      expect(file?.name).toMatch(/\.docx$/);
      const download = await app.inject({ method: 'GET', url: file?.url ?? '' });
      expect(download.statusCode).toBe(200);
      expect(download.headers['content-type']).toBe(DOCX_MIME_TYPE);
      expect(download.headers['content-disposition']).toContain(`filename="${file?.name}"`);
      await expectCommitteeForm(download.rawPayload);
    } finally {
      await app.close();
    }
  });
});

describe('npm run cli -- document', () => {
  it('writes the recipe’s document to --out and says what it wrote', async () => {
    const ctx = recordingCliContext(seeded.db, NOW);
    const out = `${seeded.dir}/bao-cao.docx`;
    await executeCommand(
      parseCommand(['document', 'committee-report', '--params', JSON.stringify(report.params), '--out', out]),
      ctx,
    );
    expect(ctx.lines[0]).toBe(`Đã ghi văn bản ra ${out}:`);
    expect(ctx.text()).toContain('Số:       /BC-MTTQ-BTT; Bắc Kạn, ngày 10 tháng 7 năm 2025');
    expect(ctx.text()).toContain('DỰ THẢO');
    const fs = await import('node:fs');
    await expectCommitteeForm(fs.readFileSync(out));
  });

  it('writeOfficialDocument returns the model it wrote', async () => {
    const ctx = recordingCliContext(seeded.db, NOW);
    const document = await writeOfficialDocument(ctx, report, `${seeded.dir}/x.docx`);
    expect(document).toMatchObject({ type: 'report', draft: true, title: 'BÁO CÁO' });
  });

  it.each([
    [['document', 'nothing', '--out', 'x.docx'], /không có loại văn bản "nothing"/],
    [['document', 'committee-report', '--params', '{unitId', '--out', 'x.docx'], /--params phải là JSON/],
    [['document', 'committee-report', '--params', '{}', '--out', 'x.pdf'], /đuôi \.docx/],
    [['document', 'committee-report', '--params', '{}'], /thiếu --out/],
    [
      ['document', 'committee-report', '--params', '{"unitId": 1}', '--out', 'x.docx'],
      /không lập được văn bản/,
    ],
  ])('%j is refused politely', async (argv, message) => {
    const ctx = recordingCliContext(seeded.db, NOW);
    const run = async () => executeCommand(parseCommand(argv), ctx);
    await expect(run()).rejects.toThrow(UsageError);
    await expect(run()).rejects.toThrow(message);
  });
});
