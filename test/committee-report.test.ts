import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Campaign, Period } from '../core/campaigns/campaign.ts';
import {
  COMMITTEE_REPORT_ANSWERS,
  COMMITTEE_REPORT_ENTITY,
  COMMITTEE_REPORT_PLACEHOLDERS,
  defaultRecipients,
  HOUSE_COLUMNS,
} from '../core/exports/committee-report.ts';
import type { DocumentBlock, OfficialDocument } from '../core/exports/official-document.ts';
import { buildOfficialDocument, isOfficialDocumentKind } from '../core/exports/official-documents.ts';
import { totalsOf } from '../core/exports/sheet.ts';
import type { NewFundEntry } from '../core/funds/fund.repository.ts';
import type { TReportFigures } from '../core/reports/report.ts';
import type { Tx } from '../core/unit-of-work.ts';
import type { PrismaClient } from '../prisma/client.ts';
import type { SqlDb } from '../prisma/sql-db.ts';
import { createStore } from '../prisma/store.ts';
import { seededDatabase } from './support/app-harness.ts';
import { moneyPledge, recordEntry, ZERO_FIGURES } from './support/fixtures.ts';

/**
 * The committee's six-monthly report (issue 16 §2) on the fixture (Bắc Kạn city, 8 wards and
 * communes), for the first half of 2025: wards' reports of May and June (one revised, one ward only
 * in May, one only in December 2024, one sending the second quarter's written report), and a
 * ledger with member organisation, enterprise, individual and walk-in money, goods, a transfer to a
 * ward, an allocation and a payment, a reversed receipt and entries after 30/06/2025.
 */

const SEEDED_AT = new Date('2024-12-01T03:00:00Z');
/** When the ledger entries are recorded. */
const RECORDED_AT = new Date('2025-07-08T03:00:00Z');
/** The draft is made on 10/07/2025. */
const DRAFT_AT = new Date('2025-07-10T03:00:00Z');
/** The committee stores its report on 12/07/2025. */
const ISSUED_AT = new Date('2025-07-12T02:00:00Z');

let db: SqlDb;
let prisma: PrismaClient;
let close: () => Promise<void>;
let campaign: Campaign;
let h1: Period;
let final: Period;
const ids: Record<string, number> = {};

const run = <T>(work: (tx: Tx) => Promise<T>) => createStore(db).run(work);

async function build(
  params: { periodId: number; unitId: number; reportId?: number },
  now: Date,
): Promise<OfficialDocument> {
  const outcome = await run((tx) => buildOfficialDocument(tx, { kind: 'committee-report', params }, now));
  if (!outcome.ok) {
    throw new Error(outcome.reason);
  }
  return outcome.document;
}

/** The blocks between a heading and the next heading of the same or a higher level. */
function section(doc: OfficialDocument, title: string): DocumentBlock[] {
  const start = doc.body.findIndex((b) => b.kind === 'heading' && b.text === title);
  expect(start, title).toBeGreaterThanOrEqual(0);
  const level = (doc.body[start] as { level: number }).level;
  const rest = doc.body.slice(start + 1);
  const end = rest.findIndex((b) => b.kind === 'heading' && b.level <= level);
  return end < 0 ? rest : rest.slice(0, end);
}

const tables = (blocks: DocumentBlock[]) =>
  blocks.filter((b): b is Extract<DocumentBlock, { kind: 'table' }> => b.kind === 'table');
const texts = (blocks: DocumentBlock[]) =>
  blocks.flatMap((b) => (b.kind === 'paragraph' ? [b.text] : b.kind === 'bullets' ? b.items : []));

const figures = (f: Partial<TReportFigures>): TReportFigures => ({ ...ZERO_FIGURES, ...f });

/** The wards' reports: code → period code → revisions (submitted at, figures). */
const REPORTS: [string, string, string, TReportFigures][] = [
  [
    '01840',
    '2025-06',
    '2025-07-03T03:00:00Z',
    figures({
      approvedNew: 5,
      approvedRepair: 2,
      startedNew: 4,
      startedRepair: 1,
      completedNew: 3,
      completedRepair: 1,
      handedOverNew: 2,
      labourDays: 300,
      difficulties: 'Giá vật liệu tăng cao; thiếu nhân công',
      proposals: 'Đề nghị bổ sung kinh phí hỗ trợ',
    }),
  ],
  // Đức Xuân corrects June: one more house completed.
  [
    '01840',
    '2025-06',
    '2025-07-05T03:00:00Z',
    figures({
      approvedNew: 5,
      approvedRepair: 2,
      startedNew: 4,
      startedRepair: 1,
      completedNew: 4,
      completedRepair: 1,
      handedOverNew: 2,
      labourDays: 320,
      difficulties: 'Giá vật liệu tăng cao; thiếu nhân công',
      proposals: 'Đề nghị bổ sung kinh phí hỗ trợ',
    }),
  ],
  [
    '01849',
    '2025-06',
    '2025-07-04T03:00:00Z',
    figures({
      approvedNew: 2,
      startedNew: 2,
      completedNew: 2,
      handedOverNew: 1,
      labourDays: 150,
      difficulties: 'Mưa lũ kéo dài làm chậm tiến độ. giá vật liệu tăng cao',
    }),
  ],
  // Sông Cầu reported May, not June.
  [
    '01837',
    '2025-05',
    '2025-06-10T03:00:00Z',
    figures({
      approvedNew: 3,
      approvedRepair: 1,
      startedNew: 1,
      labourDays: 40,
      difficulties: 'Một số hộ đang tranh chấp đất đai',
    }),
  ],
  // Nông Thượng reported only December 2024 (before the half-year: its figures, not its texts).
  [
    '01852',
    '2024-12',
    '2025-01-10T03:00:00Z',
    figures({ approvedRepair: 2, startedRepair: 1, labourDays: 10, difficulties: 'Thiếu thợ xây' }),
  ],
];

beforeAll(async () => {
  ({ db, prisma, close } = await seededDatabase(SEEDED_AT));
  const unitId = async (code: string) =>
    (await prisma.unit.findFirstOrThrow({ orderBy: { validFrom: 'desc' }, where: { code } })).id;
  for (const code of ['058', '01837', '01840', '01849', '01852', '01855', 'HLHPN-058']) {
    ids[code] = await unitId(code);
  }
  const lan = (await prisma.person.findFirstOrThrow({ where: { fullName: 'Nguyễn Thị Lan' } })).id;
  const dx1 = (await prisma.household.findFirstOrThrow({ where: { code: 'DX-001' } })).id;
  await run(async (tx) => {
    const found = await tx.campaigns.findCurrent();
    if (!found) {
      throw new Error('no campaign');
    }
    campaign = found;
    const period = async (kind: 'monthly' | 'quarterly' | 'semiannual' | 'final', code: string) => {
      const p = (await tx.campaigns.listPeriods(campaign.id, kind)).find((x) => x.code === code);
      if (!p) {
        throw new Error(`no period ${code}`);
      }
      return p;
    };
    h1 = await period('semiannual', '2025-H1');
    final = await period('final', 'final');
    const revisions = new Map<string, number>();
    for (const [i, [code, periodCode, at, f]] of REPORTS.entries()) {
      const key = `${code}:${periodCode}`;
      const revision = (revisions.get(key) ?? 0) + 1;
      revisions.set(key, revision);
      await tx.reports.create({
        ...f,
        ref: `BC-T-${i + 1}`,
        periodId: (await period('monthly', periodCode)).id,
        unitId: ids[code] as number,
        personId: lan,
        revision,
        late: false,
        channel: 'telegram',
        photos: [],
        registryReason: null,
        submittedAt: new Date(at),
      });
    }
    // Xuất Hóa sends the second quarter's written report (it serves May, due the same day).
    await tx.narratives.create({
      ref: 'BCQ-XH-1',
      periodId: (await period('quarterly', '2025-Q2')).id,
      unitId: ids['01855'] as number,
      personId: lan,
      revision: 1,
      answers: {
        achievements: 'Rà soát xong danh sách hộ',
        obstacles: 'Hồ sơ xác nhận hộ nghèo còn chậm',
        proposals: 'Đề nghị hướng dẫn thủ tục thanh quyết toán',
      },
      late: false,
      channel: 'telegram',
      submittedAt: new Date('2025-06-12T03:00:00Z'),
    });
    // Đức Xuân's final report proposes its own commendation (read by the final report only).
    await tx.narratives.create({
      ref: 'BCKQ-DX-1',
      periodId: final.id,
      unitId: ids['01840'] as number,
      personId: lan,
      revision: 1,
      answers: { commendations: 'Đề nghị khen thưởng Tổ dân phố 1 đã góp 200 ngày công.' },
      late: false,
      channel: 'telegram',
      submittedAt: new Date('2025-11-20T03:00:00Z'),
    });

    const city = ids['058'] as number;
    const ducXuan = ids['01840'] as number;
    const pledge = (fields: Parameters<typeof moneyPledge>[0], at: string) =>
      tx.pledges.create(moneyPledge(fields), new Date(at));
    const base = { campaignId: campaign.id, fundUnitId: city };
    const women = await pledge(
      {
        ...base,
        donorKind: 'organisation',
        donorName: 'Hội Liên hiệp Phụ nữ thành phố Bắc Kạn',
        orgUnitId: ids['HLHPN-058'] as number,
        amount: 50_000_000n,
      },
      '2025-03-01T03:00:00Z',
    );
    const company = await pledge(
      { ...base, donorKind: 'enterprise', donorName: 'Công ty TNHH Xây dựng Minh Tâm', amount: 100_000_000n },
      '2025-03-10T03:00:00Z',
    );
    const person = await pledge(
      {
        ...base,
        fundUnitId: ducXuan,
        donorKind: 'individual',
        donorName: 'Ông Hà Văn Bình',
        kind: 'materials',
        description: '100 bao xi măng',
        amount: 10_000_000n,
      },
      '2025-04-01T03:00:00Z',
    );
    // Registered on 06/07 for money the fund received on 28/06: pledged by then.
    const late = await pledge(
      { ...base, donorKind: 'enterprise', donorName: 'Công ty CP Thành Công', amount: 8_000_000n },
      '2025-07-06T03:00:00Z',
    );
    // Registered after 30/06: not in the half-year's pledges.
    await pledge(
      { ...base, donorKind: 'individual', donorName: 'Bà Lò Thị Sen', amount: 20_000_000n },
      '2025-07-05T03:00:00Z',
    );
    // Cancelled in May: counts for nothing.
    const cancelled = await pledge(
      { ...base, donorKind: 'individual', donorName: 'Ông Đổi Ý', amount: 5_000_000n },
      '2025-04-02T03:00:00Z',
    );
    await tx.pledges.cancel(cancelled.id, 'đổi ý', new Date('2025-05-02T03:00:00Z'));

    const entry = (e: Partial<NewFundEntry>) =>
      recordEntry(tx, campaign, e, RECORDED_AT, { levelUnitId: city });
    await entry({ amount: 30_000_000n, pledgeId: women.id, occurredOn: '2025-03-05' });
    await entry({ amount: 100_000_000n, pledgeId: company.id, occurredOn: '2025-04-01' });
    await entry({ amount: 105_000_000n, occurredOn: '2025-04-10' });
    await entry({ amount: 8_000_000n, pledgeId: late.id, occurredOn: '2025-06-28' });
    await entry({
      kind: 'in_kind',
      levelUnitId: ducXuan,
      amount: 9_000_000n,
      pledgeId: person.id,
      occurredOn: '2025-05-01',
    });
    const wrong = await entry({ amount: 7_000_000n, occurredOn: '2025-06-20' });
    await entry({ kind: 'reversal', reversesId: wrong, reason: 'ghi nhầm', occurredOn: '2025-06-25' });
    await entry({ kind: 'transfer', toUnitId: ducXuan, amount: 60_000_000n, occurredOn: '2025-05-10' });
    await entry({
      kind: 'allocation',
      levelUnitId: ducXuan,
      amount: 60_000_000n,
      householdId: dx1,
      need: 'new_build',
      occurredOn: '2025-05-15',
    });
    await entry({
      kind: 'disbursement',
      levelUnitId: ducXuan,
      amount: 30_000_000n,
      householdId: dx1,
      need: 'new_build',
      occurredOn: '2025-06-01',
    });
    // After 30/06/2025: a walk-in receipt and a second payment.
    await entry({ amount: 12_000_000n, occurredOn: '2025-07-02' });
    await entry({
      kind: 'disbursement',
      levelUnitId: ducXuan,
      amount: 10_000_000n,
      householdId: dx1,
      need: 'new_build',
      occurredOn: '2025-07-03',
    });
  });
});

afterAll(async () => {
  await close();
});

describe('committee report (the area’s six-monthly report)', () => {
  it('is a Word document kind', () => {
    expect(isOfficialDocumentKind('committee-report')).toBe(true);
  });

  it('drafts the heading, title, summary and footer in the official form, number blank', async () => {
    const doc = await build({ periodId: h1.id, unitId: ids['058'] as number }, DRAFT_AT);
    expect(doc.draft).toBe(true);
    expect(doc.type).toBe('report');
    expect(doc.heading.issuer).toEqual(['ỦY BAN MTTQ VIỆT NAM', 'THÀNH PHỐ BẮC KẠN', 'BAN THƯỜNG TRỰC']);
    expect(doc.heading.number).toMatch(/^Số: +\/BC-MTTQ-BTT$/);
    expect(doc.heading.nationalTitle).toBe(true);
    expect(doc.heading.placeAndDate).toBe('Bắc Kạn, ngày 10 tháng 7 năm 2025');
    expect(doc.title).toBe('BÁO CÁO');
    expect(doc.summary).toBe(
      'Kết quả thực hiện Kế hoạch xóa nhà tạm, nhà dột nát thành phố Bắc Kạn 2024–2025 trong 6 tháng đầu năm 2025',
    );
    expect(doc.fileName).toMatch(/^du-thao-bao-cao-6-thang-2025-H1-058\.docx$/);
    // The campaign's recipients override the defaults; "Lưu: VT." last.
    expect(doc.footer.recipients[0]).toBe('Thường trực Thành ủy Bắc Kạn (để báo cáo)');
    expect(doc.footer.recipients.at(-1)).toBe('Lưu: VT.');
    expect(doc.footer.signature).toMatchObject({ authority: 'TM. BAN THƯỜNG TRỰC', title: 'CHỦ TỊCH' });
    expect(doc.body[0]).toMatchObject({
      kind: 'paragraph',
      text: expect.stringContaining('(từ ngày 01/01/2025 đến ngày 30/06/2025)'),
    });
    const headings = doc.body.flatMap((b) => (b.kind === 'heading' && b.level === 1 ? [b.text] : []));
    expect(headings).toEqual([
      'I. KẾT QUẢ THỰC HIỆN',
      'II. KHÓ KHĂN, VƯỚNG MẮC',
      'III. ĐỀ XUẤT, KIẾN NGHỊ',
      'IV. ĐỀ NGHỊ KHEN THƯỞNG',
      'V. NHIỆM VỤ TRỌNG TÂM THỜI GIAN TỚI',
    ]);
    // The committee's own sections are placeholders.
    const all = texts(doc.body);
    for (const placeholder of Object.values(COMMITTEE_REPORT_PLACEHOLDERS)) {
      expect(all).toContain(placeholder);
    }
    expect(texts(section(doc, 'V. NHIỆM VỤ TRỌNG TÂM THỜI GIAN TỚI'))[0]).toBe(
      COMMITTEE_REPORT_PLACEHOLDERS.nextTasks,
    );
  });

  it('tables the houses per ward from each one’s last report by 30/06, totals equal to the rows and the reports', async () => {
    const doc = await build({ periodId: h1.id, unitId: ids['058'] as number }, DRAFT_AT);
    const houses = section(doc, '2. Kết quả hỗ trợ xây mới, sửa chữa nhà ở');
    const [table] = tables(houses);
    if (!table) {
      throw new Error('no houses table');
    }
    expect(table.columns.map((c) => c.key)).toEqual(HOUSE_COLUMNS.map((c) => c.key));
    expect(table.columns[1]?.header).toBe('Đơn vị');
    expect(table.rows).toHaveLength(8);
    const row = (name: string) => table.rows.find((r) => r.unit === name);
    // Đức Xuân's latest revision of June; Sông Cầu's May; Nông Thượng's December 2024.
    expect(row('Phường Đức Xuân')).toMatchObject({ approvedNew: 5, completedNew: 4, completedRepair: 1 });
    expect(row('Phường Sông Cầu')).toMatchObject({ approvedNew: 3, approvedRepair: 1, startedNew: 1 });
    expect(row('Xã Nông Thượng')).toMatchObject({ approvedRepair: 2, startedRepair: 1 });
    expect(row('Phường Xuất Hóa')?.approvedNew ?? null).toBeNull();
    // The totals row is the rows' sum and the sum of the reports each row took.
    expect(table.totals).toEqual(totalsOf(table.columns, table.rows));
    const taken = [REPORTS[1], REPORTS[2], REPORTS[3], REPORTS[4]].map((r) => r?.[3] as TReportFigures);
    for (const key of [
      'approvedNew',
      'approvedRepair',
      'startedNew',
      'completedNew',
      'handedOverNew',
    ] as const) {
      expect(table.totals?.[key]).toBe(taken.reduce((n, f) => n + f[key], 0));
    }
    const lines = texts(houses);
    const labour = taken.reduce((n, f) => n + f.labourDays, 0);
    expect(lines[0]).toContain(`huy động ${labour} ngày công`);
    expect(lines[0]).toContain('đã phê duyệt hỗ trợ 15 hộ (xây mới 10, sửa chữa 5)');
    expect(lines[0]).toContain('đã hoàn thành 7 nhà (xây mới 6, sửa chữa 1), đạt 46,7% số hộ được phê duyệt');
    // Who did not send June's report, and where their figures come from.
    const missing = lines.find((l) => l.startsWith('Đơn vị chưa gửi báo cáo tháng 6/2025'));
    expect(missing).toContain('Phường Sông Cầu (lấy số liệu báo cáo tháng 5/2025)');
    expect(missing).toContain('Xã Nông Thượng (lấy số liệu báo cáo tháng 12/2024)');
    expect(missing).toContain('Phường Xuất Hóa (chưa có báo cáo)');
    expect(missing).not.toContain('Đức Xuân');
    expect(missing).not.toContain('Dương Quang');
  });

  it('adds up money by fund level and by source to the ledger as of 30/06', async () => {
    const doc = await build({ periodId: h1.id, unitId: ids['058'] as number }, DRAFT_AT);
    const [levels, sources] = tables(section(doc, '1. Công tác tuyên truyền, vận động'));
    if (!levels || !sources) {
      throw new Error('money tables missing');
    }
    // The ledger as of 30/06/2025, summed here from the entries in force.
    const entries = await run((tx) => tx.funds.listByCampaign(campaign.id));
    const reversed = new Set(entries.filter((e) => e.kind === 'reversal').map((e) => e.reversesId));
    const inForce = entries.filter((e) => e.occurredOn <= '2025-06-30' && !reversed.has(e.id));
    const sum = (kind: string) => inForce.filter((e) => e.kind === kind).reduce((s, e) => s + e.amount, 0n);
    expect(sum('receipt')).toBe(243_000_000n);
    for (const table of [levels, sources]) {
      expect(table.totals).toEqual(totalsOf(table.columns, table.rows));
      expect(table.totals?.received).toBe(sum('receipt'));
      expect(table.totals?.inKind).toBe(sum('in_kind'));
    }
    expect(levels.totals?.allocated).toBe(sum('allocation'));
    expect(levels.totals?.disbursed).toBe(sum('disbursement'));
    expect(levels.columns[1]?.header).toBe('Quỹ "Vì người nghèo"');
    expect(levels.rows.map((r) => r.label)).toEqual(['Thành phố Bắc Kạn', 'Các phường, xã']);
    expect(levels.rows[0]).toMatchObject({ pledged: 158_000_000n, received: 243_000_000n, allocated: 0n });
    expect(levels.rows[1]).toMatchObject({
      pledged: 10_000_000n,
      inKind: 9_000_000n,
      allocated: 60_000_000n,
      disbursed: 30_000_000n,
    });
    const source = (label: string) => sources.rows.find((r) => r.label === label);
    expect(source('Các tổ chức thành viên')).toMatchObject({ pledged: 50_000_000n, received: 30_000_000n });
    expect(source('Doanh nghiệp')).toMatchObject({ pledged: 108_000_000n, received: 108_000_000n });
    expect(source('Cá nhân')).toMatchObject({ pledged: 10_000_000n, inKind: 9_000_000n });
    expect(source('Tiếp nhận không qua đăng ký')).toMatchObject({ pledged: null, received: 105_000_000n });
    const [summary] = texts(section(doc, '1. Công tác tuyên truyền, vận động'));
    expect(summary).toBe(
      'Tính đến ngày 30/06/2025, các tập thể, cá nhân đã đăng ký ủng hộ Quỹ "Vì người nghèo" các cấp 168.000.000 đ; ' +
        'Quỹ các cấp đã tiếp nhận 243.000.000 đ bằng tiền và 9.000.000 đ bằng hiện vật, ngày công (giá trị quy đổi) ' +
        '(trong đó 105.000.000 đ tiếp nhận không qua đăng ký); đã phân bổ 60.000.000 đ cho 1 hộ; đã chi trả 30.000.000 đ.',
    );
    expect(texts(section(doc, '1. Công tác tuyên truyền, vận động'))).toContain(
      'Quỹ cấp trên đã chuyển về Quỹ các phường, xã 60.000.000 đ (tính trong số phân bổ, chi trả của các phường, xã).',
    );
  });

  it('groups the wards’ difficulties and proposals by theme with the units that raised them', async () => {
    const doc = await build({ periodId: h1.id, unitId: ids['058'] as number }, DRAFT_AT);
    const difficulties = texts(section(doc, 'II. KHÓ KHĂN, VƯỚNG MẮC'));
    expect(difficulties).toEqual([
      'Về đất đai, tranh chấp đất: Một số hộ đang tranh chấp đất đai (phường Sông Cầu)',
      'Về vật liệu xây dựng, giá cả: Giá vật liệu tăng cao (phường Đức Xuân, xã Dương Quang)',
      'Về thời tiết, thiên tai: Mưa lũ kéo dài làm chậm tiến độ (xã Dương Quang)',
      'Về nhân công: thiếu nhân công (phường Đức Xuân)',
      'Về thủ tục, hồ sơ: Hồ sơ xác nhận hộ nghèo còn chậm (phường Xuất Hóa)',
    ]);
    // Nông Thượng's December difficulty is before the half-year.
    expect(difficulties.join(' ')).not.toContain('Nông Thượng');
    const proposals = texts(section(doc, '2. Đề xuất, kiến nghị của các phường, xã'));
    expect(proposals).toEqual([
      'Về kinh phí, nguồn vốn: Đề nghị bổ sung kinh phí hỗ trợ (phường Đức Xuân)',
      'Về thủ tục, hồ sơ: Đề nghị hướng dẫn thủ tục thanh quyết toán (phường Xuất Hóa)',
    ]);
  });

  it('proposes commendation by the campaign’s criteria as of 30/06', async () => {
    const doc = await build({ periodId: h1.id, unitId: ids['058'] as number }, DRAFT_AT);
    const lines = texts(section(doc, 'IV. ĐỀ NGHỊ KHEN THƯỞNG'));
    expect(lines[0]).toBe(
      'Theo tiêu chí của cuộc vận động do Ban Thường trực Ủy ban MTTQ thành phố Bắc Kạn đề ra, Ban Thường trực đề nghị biểu dương, khen thưởng:',
    );
    // The enterprise gave 100 million by 30/06 (criterion: 50 million, named).
    expect(lines).toContain('Công ty TNHH Xây dựng Minh Tâm: Ủng hộ 100 triệu đồng');
    expect(lines.join(' ')).not.toContain('Hội Liên hiệp Phụ nữ');
  });

  it('issues the report with the committee’s texts, its number and date, and reads the same when built again', async () => {
    const { reportId } = await run(async (tx) => {
      const reportId = await tx.narratives.create({
        ref: 'BC6T-058-1',
        periodId: h1.id,
        unitId: ids['058'] as number,
        personId: (await prisma.person.findFirstOrThrow()).id,
        revision: 1,
        answers: {
          [COMMITTEE_REPORT_ANSWERS.assessment]:
            'Các phường, xã triển khai tích cực.\nMột số đơn vị báo cáo chậm.',
          [COMMITTEE_REPORT_ANSWERS.nextTasks]: '- Hoàn thành 100% số nhà\n- Tổ chức bàn giao',
          [COMMITTEE_REPORT_ANSWERS.proposals]:
            'Đề nghị Thường trực Thành ủy chỉ đạo tháo gỡ vướng mắc về đất đai.',
        },
        late: false,
        channel: 'telegram',
        submittedAt: ISSUED_AT,
      });
      await tx.documents.issue(
        {
          campaignId: campaign.id,
          issuerUnitId: ids['058'] as number,
          docType: 'BC',
          year: 2025,
          entity: COMMITTEE_REPORT_ENTITY,
          entityId: String(reportId),
          issuedOn: '2025-07-12',
        },
        ISSUED_AT,
      );
      return { reportId };
    });
    const params = { periodId: h1.id, unitId: ids['058'] as number, reportId };
    const doc = await build(params, ISSUED_AT);
    expect(doc.draft).toBe(false);
    expect(doc.heading.number).toBe('Số: 1/BC-MTTQ-BTT');
    expect(doc.heading.placeAndDate).toBe('Bắc Kạn, ngày 12 tháng 7 năm 2025');
    expect(doc.fileName).toBe('bao-cao-6-thang-2025-H1-058.docx');
    expect(texts(section(doc, '3. Đánh giá chung'))).toEqual([
      'Các phường, xã triển khai tích cực.',
      'Một số đơn vị báo cáo chậm.',
    ]);
    expect(section(doc, 'V. NHIỆM VỤ TRỌNG TÂM THỜI GIAN TỚI')[0]).toEqual({
      kind: 'bullets',
      items: ['Hoàn thành 100% số nhà', 'Tổ chức bàn giao'],
    });
    expect(texts(section(doc, '1. Kiến nghị, đề xuất của Ban Thường trực'))).toEqual([
      'Đề nghị Thường trực Thành ủy chỉ đạo tháo gỡ vướng mắc về đất đai.',
    ]);
    const all = texts(doc.body);
    for (const placeholder of Object.values(COMMITTEE_REPORT_PLACEHOLDERS)) {
      expect(all).not.toContain(placeholder);
    }

    // Đức Xuân corrects June again after the report was issued: the issued report keeps its
    // figures, a new draft shows the correction.
    await run(async (tx) =>
      tx.reports.create({
        ...figures({ approvedNew: 9, completedNew: 9, startedNew: 9 }),
        ref: 'BC-T-LATE',
        periodId: (await tx.campaigns.listPeriods(campaign.id, 'monthly')).find((p) => p.code === '2025-06')
          ?.id as number,
        unitId: ids['01840'] as number,
        personId: (await prisma.person.findFirstOrThrow()).id,
        revision: 3,
        late: true,
        channel: 'telegram',
        photos: [],
        registryReason: null,
        submittedAt: new Date('2025-07-13T03:00:00Z'),
      }),
    );
    const houses = (d: OfficialDocument) =>
      tables(section(d, '2. Kết quả hỗ trợ xây mới, sửa chữa nhà ở'))[0]?.rows.find(
        (r) => r.unit === 'Phường Đức Xuân',
      );
    const again = await build(params, new Date('2025-07-20T03:00:00Z'));
    expect(again).toEqual(doc);
    expect(houses(again)?.approvedNew).toBe(5);
    const draft = await build(
      { periodId: h1.id, unitId: ids['058'] as number },
      new Date('2025-07-20T03:00:00Z'),
    );
    expect(houses(draft)?.approvedNew).toBe(9);
  });

  it('the final report: whole campaign, no half-year in the summary, the wards’ own commendation proposals', async () => {
    const doc = await build(
      { periodId: final.id, unitId: ids['058'] as number },
      new Date('2025-12-05T03:00:00Z'),
    );
    expect(doc.summary).toBe(
      'Kết quả thực hiện Kế hoạch xóa nhà tạm, nhà dột nát thành phố Bắc Kạn 2024–2025',
    );
    expect(doc.fileName).toBe('du-thao-bao-cao-ket-qua-058.docx');
    expect(doc.body[0]).toMatchObject({
      text: expect.stringContaining('(từ ngày 01/10/2024 đến ngày 05/12/2025)'),
    });
    const lines = texts(section(doc, 'IV. ĐỀ NGHỊ KHEN THƯỞNG'));
    expect(lines).toContain('Đề nghị khen thưởng Tổ dân phố 1 đã góp 200 ngày công (phường Đức Xuân)');
    // Money after 30/06 counts now: 12 million more received, 10 million more paid.
    const [levels] = tables(section(doc, '1. Công tác tuyên truyền, vận động'));
    expect(levels?.totals).toMatchObject({ received: 255_000_000n, disbursed: 40_000_000n });
  });

  it('refuses a period that is not the unit’s six-monthly or final one, and a missing unit or report', async () => {
    const monthly = await run(async (tx) => (await tx.campaigns.listPeriods(campaign.id, 'monthly'))[0]);
    const outcome = (params: object) =>
      run((tx) => buildOfficialDocument(tx, { kind: 'committee-report', params }, DRAFT_AT));
    expect(await outcome({ periodId: monthly?.id, unitId: ids['058'] })).toMatchObject({ ok: false });
    expect(await outcome({ periodId: h1.id, unitId: 999_999 })).toMatchObject({ ok: false });
    expect(await outcome({ periodId: h1.id, unitId: ids['058'], reportId: 999_999 })).toMatchObject({
      ok: false,
    });
    expect(await outcome({ periodId: 'x', unitId: ids['058'] })).toMatchObject({ ok: false });
  });

  it('names the Party committee and the Front committee above by the area’s kind when the campaign names no recipients', () => {
    const unit = (id: number, name: string, kind: string, parentId: number | null = null) => ({
      id,
      code: String(id),
      name,
      kind,
      parentId,
    });
    expect(
      defaultRecipients(
        unit(1, 'Ủy ban MTTQ Việt Nam thành phố Bắc Kạn', 'city', 2),
        unit(2, 'Tỉnh Bắc Kạn', 'province'),
      ),
    ).toEqual([
      'Thường trực Thành ủy Bắc Kạn (để báo cáo)',
      'Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh Bắc Kạn (để báo cáo)',
      'Các tổ chức thành viên',
      'Ủy ban MTTQ các phường, xã',
      'Lưu: VT.',
    ]);
    expect(defaultRecipients(unit(3, 'Tỉnh Thái Nguyên', 'province'), undefined).slice(0, 2)).toEqual([
      'Thường trực Tỉnh ủy Thái Nguyên (để báo cáo)',
      'Ban Thường trực Ủy ban Trung ương MTTQ Việt Nam (để báo cáo)',
    ]);
    const ward = defaultRecipients(
      unit(4, 'Phường Đức Xuân', 'ward', 3),
      unit(3, 'Tỉnh Thái Nguyên', 'province'),
    );
    expect(ward[0]).toBe('Thường trực Đảng ủy phường Đức Xuân (để báo cáo)');
    expect(ward).not.toContain('Ủy ban MTTQ các phường, xã');
  });
});
