import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDigest, digestText } from '../core/digests/digest.ts';
import { buildExport } from '../core/exports/build-export.ts';
import { commendationProposals } from '../core/exports/commendation-proposals.ts';
import type { OfficialDocument } from '../core/exports/official-document.ts';
import { buildOfficialDocument } from '../core/exports/official-documents.ts';
import type { ExportSheet } from '../core/exports/sheet.ts';
import { plainText } from '../core/messaging/markup.ts';
import type { SqlDb } from '../prisma/sql-db.ts';
import { createStore } from '../prisma/store.ts';
import { seededDatabase } from './support/app-harness.ts';
import { recordEntry } from './support/fixtures.ts';
import { FINAL_ANSWERS, QUARTERLY_ANSWERS, SONG_CAU_LATE_Q4, sendNarrative } from './support/narratives.ts';

/**
 * The wards' written reports in the summary export (issue 16 §1), and commendation from the field
 * (§6): on the fixture, Đức Xuân sent its final report (with its own proposals), Sông Cầu its
 * fourth-quarter report late, Phùng Chí Kiên its first-quarter report with a proposal in it; an
 * enterprise paid 105 million into the city fund without a pledge and agreed to be named, another
 * payer did not, and a third walk-in receipt was reversed.
 */

const SEEDED_AT = new Date('2025-03-01T03:00:00Z');
const NOW = new Date('2025-12-20T03:00:00Z');

let db: SqlDb;
let close: () => Promise<void>;
let cityId: number;

beforeAll(async () => {
  ({ db, close } = await seededDatabase(SEEDED_AT));
  await sendNarrative(db, {
    ref: 'BCQ-2025Q1-01843-1',
    periodCode: '2025-Q1',
    unitCode: '01843',
    answers: { ...QUARTERLY_ANSWERS, commendations: 'Tổ dân phố 7 góp 200 ngày công.' },
    at: new Date('2025-03-10T03:00:00Z'),
    asOf: '2025-03-10',
  });
  await sendNarrative(db, SONG_CAU_LATE_Q4);
  await sendNarrative(db, {
    ref: 'BCKQ-01840-1',
    periodCode: 'final',
    unitCode: '01840',
    answers: FINAL_ANSWERS,
    at: new Date('2025-12-05T09:30:00Z'),
  });
  cityId = await createStore(db).run(async (tx) => {
    const campaign = await tx.campaigns.findCurrent();
    const city = await tx.units.findByCode('058', '2025-03-01');
    if (!campaign || !city) {
      throw new Error('no campaign');
    }
    const walkIn = { levelUnitId: city.id, pledgeId: null, occurredOn: '2025-03-01' };
    await recordEntry(
      tx,
      campaign,
      { ...walkIn, amount: 105_000_000n, note: 'Công ty TNHH Xây dựng Minh Tâm', publicName: true },
      SEEDED_AT,
    );
    await recordEntry(
      tx,
      campaign,
      { ...walkIn, amount: 80_000_000n, note: 'Ông Lý Văn Kín', publicName: false },
      SEEDED_AT,
    );
    const reversed = await recordEntry(
      tx,
      campaign,
      { ...walkIn, amount: 70_000_000n, note: 'Công ty Ghi Nhầm', publicName: true },
      SEEDED_AT,
    );
    await recordEntry(
      tx,
      campaign,
      {
        kind: 'reversal',
        levelUnitId: city.id,
        reversesId: reversed,
        amount: 70_000_000n,
        reason: 'Ghi nhầm',
      },
      SEEDED_AT,
    );
    return city.id;
  });
}, 60_000);

afterAll(async () => {
  await close();
});

async function summary(): Promise<ExportSheet[]> {
  const outcome = await createStore(db).run((tx) =>
    buildExport(tx, { kind: 'summary', params: { scope: [cityId] } }, NOW),
  );
  if (!outcome.ok) {
    throw new Error(outcome.refusal.code);
  }
  return outcome.workbook.sheets;
}

const sheetNamed = (sheets: ExportSheet[], name: string) => {
  const found = sheets.find((s) => s.name === name);
  if (!found) {
    throw new Error(`no sheet ${name} in ${sheets.map((s) => s.name).join(', ')}`);
  }
  return found;
};

describe('the summary export: the wards’ written reports', () => {
  it('has one sheet per quarterly period due or reported and the final one, in the order they fall due', async () => {
    const names = (await summary()).map((s) => s.name);
    // The final report is due before 10/12/2025, the fourth quarter's before 15/12/2025.
    expect(names.slice(3)).toEqual([
      'BC quý IV-2024',
      'BC quý I-2025',
      'BC quý II-2025',
      'BC quý III-2025',
      'BC kết quả thực hiện KH',
      'BC quý IV-2025',
    ]);
  });

  it('lists each ward with the day sent, on time or late, and every answer of the final report', async () => {
    const final = sheetNamed(await summary(), 'BC kết quả thực hiện KH');
    expect(final.title).toBe('BÁO CÁO KẾT QUẢ THỰC HIỆN KẾ HOẠCH CỦA CÁC PHƯỜNG, XÃ');
    expect(final.subtitle).toBe('Hạn gửi: trước ngày 10/12/2025');
    expect(final.columns.map((c) => c.header)).toEqual([
      'STT',
      'Đơn vị',
      'Ngày gửi',
      'Đúng hạn/Chậm',
      'Đánh giá chung',
      'Kết quả nổi bật',
      'Khó khăn, vướng mắc',
      'Đề xuất, kiến nghị',
      'Đề nghị khen thưởng',
    ]);
    expect(final.rows).toHaveLength(8);
    const ducXuan = final.rows.find((r) => r.unit === 'Phường Đức Xuân');
    expect(ducXuan).toMatchObject({
      sentOn: '2025-12-05',
      status: 'Đúng hạn',
      assessment: FINAL_ANSWERS.assessment,
      commendations: FINAL_ANSWERS.commendations,
    });
    const missing = final.rows.filter((r) => r.status === 'Chưa gửi');
    expect(missing).toHaveLength(7);
    expect(missing.every((r) => r.sentOn === null && r.achievements === '')).toBe(true);
    expect(final.notes[0]).toBe(
      'Báo cáo kết quả thực hiện Kế hoạch: 1/8 đơn vị đã gửi; mỗi đơn vị: bản gửi mới nhất.',
    );
    expect(final.notes[1]).toMatch(/^Chưa gửi: Phường Nguyễn Thị Minh Khai, Phường Sông Cầu, /);
  });

  it('shows a quarter’s own questions, a late report as late, and the count on the summary sheet', async () => {
    const sheets = await summary();
    const q4 = sheetNamed(sheets, 'BC quý IV-2025');
    expect(q4.columns.map((c) => c.header).slice(4)).toEqual([
      'Kết quả nổi bật',
      'Khó khăn, vướng mắc',
      'Đề xuất, kiến nghị',
    ]);
    expect(q4.rows.find((r) => r.unit === 'Phường Sông Cầu')).toMatchObject({
      sentOn: '2025-12-16',
      status: 'Chậm',
      achievements: QUARTERLY_ANSWERS.achievements,
    });
    // A quarterly report that holds a proposal shows it too.
    expect(sheetNamed(sheets, 'BC quý I-2025').columns.map((c) => c.header)).toContain('Đề nghị khen thưởng');
    const progress = sheets[0];
    expect(progress?.notes).toContain('- Báo cáo quý IV/2025: 1/8 đơn vị đã gửi.');
    expect(progress?.notes).toContain('- Báo cáo kết quả thực hiện Kế hoạch: 1/8 đơn vị đã gửi.');
  });
});

describe('commendation from the field', () => {
  it('names the criteria as the campaign’s and lists the wards’ own proposals beside them', async () => {
    const sheet = sheetNamed(await summary(), 'Đề xuất khen thưởng');
    expect(sheet.subtitle).toMatch(
      /^Theo tiêu chí của cuộc vận động do Ban Thường trực Ủy ban MTTQ thành phố Bắc Kạn đề ra/,
    );
    expect(JSON.stringify(sheet)).not.toContain('Ban Chỉ đạo');
    const field = sheet.rows.filter((r) => r.kind === 'Do cơ sở đề nghị');
    expect(field.map((r) => [r.name, r.source])).toEqual([
      [
        FINAL_ANSWERS.commendations,
        'Đề nghị của Phường Đức Xuân (Báo cáo kết quả thực hiện Kế hoạch, số BCKQ-01840-1)',
      ],
      [
        'Tổ dân phố 7 góp 200 ngày công.',
        'Đề nghị của Phường Phùng Chí Kiên (Báo cáo quý I/2025, số BCQ-2025Q1-01843-1)',
      ],
    ]);
  });

  it('proposes a donor who paid without a pledge by the donor criterion, only when named and not reversed', async () => {
    const proposals = await createStore(db).run(async (tx) => {
      const campaign = await tx.campaigns.findCurrent();
      return campaign && commendationProposals(tx, campaign, [cityId], '2025-12-20');
    });
    const donors = proposals?.criteria.filter((p) => p.kind === 'donor') ?? [];
    expect(donors).toContainEqual({
      kind: 'donor',
      name: 'Công ty TNHH Xây dựng Minh Tâm',
      reason: 'Ủng hộ 105 triệu đồng (nộp trực tiếp vào Quỹ, không qua đăng ký)',
    });
    expect(donors.map((d) => d.name)).not.toContain('Ông Lý Văn Kín');
    expect(donors.map((d) => d.name)).not.toContain('Công ty Ghi Nhầm');
    expect(proposals?.body).toBe('Ban Thường trực Ủy ban MTTQ thành phố Bắc Kạn');
    expect(proposals?.field.map((f) => f.ref)).toEqual(['BCKQ-01840-1', 'BCQ-2025Q1-01843-1']);
  });

  it('the six-monthly digest names the criteria as the campaign’s and the wards’ own proposals', async () => {
    const digest = await createStore(db).run((tx) =>
      buildDigest(tx, { areaUnitId: cityId, kind: 'semiannual', now: NOW }),
    );
    const lines = digest ? plainText(digestText(digest, 'vi')).split('\n') : [];
    const at = lines.indexOf('🏅 Các phường, xã đề nghị khen thưởng (trong báo cáo gửi về):');
    expect(lines.slice(at + 1, at + 3)).toEqual([
      `• Đức Xuân: ${FINAL_ANSWERS.commendations}`,
      '• Phùng Chí Kiên: Tổ dân phố 7 góp 200 ngày công.',
    ]);
    expect(lines.find((l) => l.startsWith('🏅 Đề xuất khen thưởng'))).toBe(
      '🏅 Đề xuất khen thưởng (theo tiêu chí của cuộc vận động do Ban Thường trực Ủy ban MTTQ thành phố Bắc Kạn đề ra):',
    );
    expect(lines.join('\n')).not.toContain('Ban Chỉ đạo');
  });
});

describe('the commendation proposal as a document (Tờ trình)', () => {
  async function proposal(issue: boolean, now = NOW): Promise<OfficialDocument> {
    const outcome = await createStore(db).run(async (tx) => {
      const campaign = await tx.campaigns.findCurrent();
      return buildOfficialDocument(
        tx,
        { kind: 'commendation', params: { campaignId: campaign?.id ?? 0, scope: [cityId], issue } },
        now,
      );
    });
    if (!outcome.ok) {
      throw new Error(outcome.reason);
    }
    return outcome.document;
  }

  it('a draft: the standing committee heading, no number, the place and date, title, basis and footer', async () => {
    const doc = await proposal(false);
    expect(doc.draft).toBe(true);
    expect(doc.type).toBe('commendation');
    expect(doc.heading.issuer.at(-1)).toBe('BAN THƯỜNG TRỰC');
    expect(doc.heading.issuer.join(' ')).toContain('BẮC KẠN');
    expect(doc.heading.number).toMatch(/^Số: {2,}\/TTr-MTTQ-BTT$/);
    expect(doc.heading.placeAndDate).toBe('Bắc Kạn, ngày 20 tháng 12 năm 2025');
    expect(doc.title).toBe('TỜ TRÌNH');
    expect(doc.summary).toBe(
      'Đề nghị khen thưởng tập thể, cá nhân có thành tích trong Chương trình "Xóa nhà tạm, nhà dột nát thành phố Bắc Kạn 2024–2025"',
    );
    const texts = doc.body.flatMap((b) => ('text' in b ? [b.text] : []));
    expect(texts.find((t) => t.startsWith('Căn cứ tiêu chí'))).toMatch(
      /^Căn cứ tiêu chí khen thưởng của cuộc vận động do Ban Thường trực Ủy ban MTTQ thành phố Bắc Kạn đề ra: phường, xã hoàn thành từ 1 nhà .*doanh nghiệp, cá nhân ủng hộ từ 50 triệu đồng trở lên, kể cả nộp trực tiếp vào Quỹ/,
    );
    expect(JSON.stringify(doc)).not.toContain('Ban Chỉ đạo');
    expect(doc.footer.recipients).toEqual([
      'Thường trực Đảng ủy (để báo cáo)',
      'Ủy ban MTTQ Việt Nam tỉnh (để báo cáo)',
      'Lưu: VT.',
    ]);
    expect(doc.footer.signature.authority).toBe('TM. BAN THƯỜNG TRỰC');
    expect(doc.fileName).toMatch(/^to-trinh-khen-thuong-[A-Za-z0-9-]+-2025-12-20\.docx$/);
  });

  it('lists the proposed in a table with the form of commendation, and the wards’ own proposals', async () => {
    const doc = await proposal(false);
    const table = doc.body.find((b) => b.kind === 'table');
    expect(table?.kind === 'table' && table.columns.map((c) => c.header)).toEqual([
      'STT',
      'Tên tập thể, cá nhân',
      'Thành tích',
      'Hình thức đề nghị',
    ]);
    expect(table?.kind === 'table' && table.rows).toContainEqual({
      stt: expect.any(Number),
      name: 'Công ty TNHH Xây dựng Minh Tâm',
      reason: 'Ủng hộ 105 triệu đồng (nộp trực tiếp vào Quỹ, không qua đăng ký)',
      award: 'Giấy khen',
    });
    const wards = doc.body.find((b) => b.kind === 'bullets');
    expect(wards?.kind === 'bullets' && wards.items).toEqual([
      `Phường Đức Xuân (Báo cáo kết quả thực hiện Kế hoạch, số BCKQ-01840-1): ${FINAL_ANSWERS.commendations}`,
      'Phường Phùng Chí Kiên (Báo cáo quý I/2025, số BCQ-2025Q1-01843-1): Tổ dân phố 7 góp 200 ngày công.',
    ]);
  });

  it('issued: numbered from the register, the same number when built again that day, the next one another day', async () => {
    const first = await proposal(true);
    expect(first.draft).toBe(false);
    const number = /^Số: (\d+)\/TTr-MTTQ-BTT$/.exec(first.heading.number)?.[1];
    expect(number).toBeDefined();
    expect((await proposal(true)).heading.number).toBe(first.heading.number);
    const next = await proposal(true, new Date('2025-12-22T03:00:00Z'));
    expect(next.heading.number).toBe(`Số: ${Number(number) + 1}/TTr-MTTQ-BTT`);
    expect(next.heading.placeAndDate).toBe('Bắc Kạn, ngày 22 tháng 12 năm 2025');
  });
});
