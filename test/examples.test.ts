import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Campaign, Period } from '../core/campaigns/campaign.ts';
import { buildDigest, digestText } from '../core/digests/digest.ts';
import type { NewModelExample } from '../core/examples/model-example.repository.ts';
import { COMMITTEE_REPORT_ENTITY } from '../core/exports/committee-report.ts';
import type { DocumentBlock, OfficialDocument } from '../core/exports/official-document.ts';
import { buildOfficialDocument } from '../core/exports/official-documents.ts';
import { plainText } from '../core/messaging/markup.ts';
import type { Tx } from '../core/unit-of-work.ts';
import type { PrismaClient } from '../prisma/client.ts';
import type { SqlDb } from '../prisma/sql-db.ts';
import { createStore } from '../prisma/store.ts';
import { seededDatabase } from './support/app-harness.ts';

/**
 * Model examples (issue 17 §4) below the chat, on SQLite or PostgreSQL (TEST_DATABASE): the
 * repository (`tx.examples`), the committee's six-monthly report of the first half of 2025 (the
 * examples recorded in the period and not withdrawn when the report was made; one recorded a minute
 * after the period's end left out; an issued report built again after a withdrawal reads the same,
 * a new draft does not show it), and the digests (at most three named, the rest counted, a ward's
 * own only).
 */

const SEEDED_AT = new Date('2024-12-01T03:00:00Z');
const DRAFT_AT = new Date('2025-07-10T03:00:00Z');
const ISSUED_AT = new Date('2025-07-12T02:00:00Z');
const LATER = new Date('2025-07-20T03:00:00Z');

let db: SqlDb;
let prisma: PrismaClient;
let close: () => Promise<void>;
let campaign: Campaign;
let h1: Period;
let officerId: number;
const unit: Record<string, number> = {};
const example: Record<string, number> = {};

const run = <T>(work: (tx: Tx) => Promise<T>) => createStore(db).run(work);

function fields(code: string, who: string, what: string, photo = false): NewModelExample {
  return {
    campaignId: campaign.id,
    unitId: unit[code] as number,
    who,
    what,
    photo: photo ? { channel: 'telegram', fileId: `AgAC-${who.length}` } : null,
    personId: officerId,
  };
}

const record = (key: string, f: NewModelExample, at: string) =>
  run(async (tx) => {
    example[key] = await tx.examples.create(f, new Date(at));
  });

async function report(at: Date, reportId?: number): Promise<OfficialDocument> {
  const params = { periodId: h1.id, unitId: unit['058'] as number, ...(reportId ? { reportId } : {}) };
  const outcome = await run((tx) => buildOfficialDocument(tx, { kind: 'committee-report', params }, at));
  if (!outcome.ok) {
    throw new Error(outcome.reason);
  }
  return outcome.document;
}

/** The texts of the commendation part (IV) of the report. */
function commendationPart(doc: OfficialDocument): string[] {
  const start = doc.body.findIndex((b) => b.kind === 'heading' && b.text === 'IV. ĐỀ NGHỊ KHEN THƯỞNG');
  const rest = doc.body.slice(start + 1);
  const end = rest.findIndex((b) => b.kind === 'heading' && b.level === 1);
  return (end < 0 ? rest : rest.slice(0, end)).flatMap((b: DocumentBlock) =>
    b.kind === 'paragraph' ? [b.text] : b.kind === 'bullets' ? b.items : [],
  );
}

/** The bullets under the examples' paragraph. */
function examplesIn(doc: OfficialDocument): string[] | undefined {
  const i = doc.body.findIndex(
    (b) =>
      b.kind === 'paragraph' && b.text === 'Các gương điển hình trong cuộc vận động được ghi nhận trong kỳ:',
  );
  const next = doc.body[i + 1];
  return i < 0 ? undefined : next?.kind === 'bullets' ? next.items : [];
}

beforeAll(async () => {
  ({ db, prisma, close } = await seededDatabase(SEEDED_AT));
  for (const code of ['058', '01837', '01840', 'HLHPN-058']) {
    unit[code] = (await prisma.unit.findFirstOrThrow({ orderBy: { validFrom: 'desc' }, where: { code } })).id;
  }
  officerId = (await prisma.person.findFirstOrThrow({ where: { fullName: 'Nguyễn Thị Lan' } })).id;
  await run(async (tx) => {
    const found = await tx.campaigns.findCurrent();
    const period =
      found && (await tx.campaigns.listPeriods(found.id, 'semiannual')).find((p) => p.code === '2025-H1');
    if (!found || !period) {
      throw new Error('no campaign or no 2025-H1');
    }
    campaign = found;
    h1 = period;
  });
});

afterAll(async () => {
  await close();
});

describe('the repository (tx.examples)', () => {
  it('stores one with its photo and reads it back with its unit’s name', async () => {
    await record(
      'an',
      fields('01840', 'Gia đình ông Nguyễn Văn An', 'Hiến 50 m² đất xây nhà cho hộ bà Hoàng Thị Cúc.', true),
      '2025-03-05T03:00:00Z',
    );
    const row = await run((tx) => tx.examples.findById(example.an as number));
    expect(row).toEqual({
      id: example.an,
      campaignId: campaign.id,
      unitId: unit['01840'],
      unitName: 'Phường Đức Xuân',
      who: 'Gia đình ông Nguyễn Văn An',
      what: 'Hiến 50 m² đất xây nhà cho hộ bà Hoàng Thị Cúc.',
      photo: { channel: 'telegram', fileId: 'AgAC-26' },
      personId: officerId,
      createdAt: new Date('2025-03-05T03:00:00Z'),
      withdrawnAt: null,
    });
    expect(await run((tx) => tx.examples.findById(999_999))).toBeUndefined();
  });

  it('reads an unreadable photo column as no photo', async () => {
    await record(
      'garbled',
      fields('01837', 'Tổ dân phố 7', 'Góp 40 ngày công cho hai hộ nghèo.'),
      '2025-02-01T03:00:00Z',
    );
    await db.kysely
      .updateTable('ModelExample')
      .set({ photo: '{"channel":' })
      .where('id', '=', example.garbled as number)
      .execute();
    expect((await run((tx) => tx.examples.findById(example.garbled as number)))?.photo).toBeNull();
    expect(
      await run((tx) => tx.examples.withdraw(example.garbled as number, new Date('2025-02-02T03:00:00Z'))),
    ).toBe(true);
  });

  it('lists the latest not withdrawn, newest first and up to the limit; and those of one person', async () => {
    await record(
      'women',
      fields('HLHPN-058', 'Chi hội Phụ nữ tổ 3', 'Vận động 30 hội viên góp 60 triệu đồng cho Quỹ.'),
      // 23:59 on 30/06/2025 in Vietnam: the last minute of the first half-year.
      '2025-06-30T16:59:00Z',
    );
    await record(
      'july',
      fields('01837', 'Công ty TNHH Minh Tâm', 'Tặng 200 bao xi măng cho bốn hộ nghèo phường Sông Cầu.'),
      // 00:00 on 01/07/2025 in Vietnam: the second half-year.
      '2025-06-30T17:00:00Z',
    );
    await record(
      'dropped',
      fields('01840', 'Ông Hà Văn Bình', 'Nhận lời giúp 10 ngày công, sau đó xin rút lại.'),
      '2025-04-01T03:00:00Z',
    );
    await run((tx) => tx.examples.withdraw(example.dropped as number, new Date('2025-05-01T03:00:00Z')));
    await record(
      'later',
      {
        ...fields('01837', 'Bà Lò Thị Sen', 'Nhận nuôi hai cháu mồ côi và sửa nhà cho gia đình cháu.'),
        personId: null,
      },
      '2025-05-10T03:00:00Z',
    );

    const recent = await run((tx) => tx.examples.listRecent(campaign.id, 3));
    expect(recent.map((e) => [e.who, e.unitName])).toEqual([
      ['Công ty TNHH Minh Tâm', 'Phường Sông Cầu'],
      ['Chi hội Phụ nữ tổ 3', 'Hội Liên hiệp Phụ nữ thành phố Bắc Kạn'],
      ['Bà Lò Thị Sen', 'Phường Sông Cầu'],
    ]);
    expect((await run((tx) => tx.examples.listRecent(campaign.id, 10))).map((e) => e.id)).toEqual([
      example.july,
      example.women,
      example.later,
      example.an,
    ]);
    expect((await run((tx) => tx.examples.listRecent(campaign.id + 1000, 10))).length).toBe(0);
    expect(
      (await run((tx) => tx.examples.listByPerson(campaign.id, officerId, 10))).map((e) => e.id),
    ).toEqual([example.july, example.women, example.an]);
  });

  it('lists those recorded in [from, to), oldest first, the withdrawn ones with when', async () => {
    const between = await run((tx) =>
      tx.examples.listBetween(
        campaign.id,
        new Date('2025-03-05T03:00:00Z'),
        new Date('2025-06-30T17:00:00Z'),
      ),
    );
    expect(between.map((e) => [e.id, e.withdrawnAt])).toEqual([
      [example.an, null],
      [example.dropped, new Date('2025-05-01T03:00:00Z')],
      [example.later, null],
      [example.women, null],
    ]);
    expect(between.every((e) => e.unitName !== undefined)).toBe(true);
  });

  it('withdraws once; a second time or an unknown one changes nothing', async () => {
    expect(await run((tx) => tx.examples.withdraw(example.dropped as number, LATER))).toBe(false);
    expect(await run((tx) => tx.examples.withdraw(999_999, LATER))).toBe(false);
    expect((await run((tx) => tx.examples.findById(example.dropped as number)))?.withdrawnAt).toEqual(
      new Date('2025-05-01T03:00:00Z'),
    );
  });
});

describe('the committee’s six-monthly report', () => {
  const AN = 'Gia đình ông Nguyễn Văn An (phường Đức Xuân): Hiến 50 m² đất xây nhà cho hộ bà Hoàng Thị Cúc';
  const SEN = 'Bà Lò Thị Sen (phường Sông Cầu): Nhận nuôi hai cháu mồ côi và sửa nhà cho gia đình cháu';
  const WOMEN =
    'Chi hội Phụ nữ tổ 3 (Hội Liên hiệp Phụ nữ thành phố Bắc Kạn): Vận động 30 hội viên góp 60 triệu đồng cho Quỹ';

  it('lists the period’s examples under the commendation part, oldest first, none withdrawn or after 30/06', async () => {
    const draft = await report(DRAFT_AT);
    expect(examplesIn(draft)).toEqual([AN, SEN, WOMEN]);
    const part = commendationPart(draft).join('\n');
    expect(part).toContain('Các gương điển hình trong cuộc vận động được ghi nhận trong kỳ:');
    expect(part).not.toContain('Minh Tâm');
    expect(part).not.toContain('Hà Văn Bình');
    expect(part).not.toContain('Tổ dân phố 7');
  });

  it('an issued report built again after a withdrawal reads the same; a new draft leaves it out', async () => {
    const reportId = await run(async (tx) => {
      const id = await tx.narratives.create({
        ref: 'BC6T-058-1',
        periodId: h1.id,
        unitId: unit['058'] as number,
        personId: officerId,
        revision: 1,
        answers: { assessment: 'Các phường, xã triển khai tích cực.' },
        late: false,
        channel: 'telegram',
        submittedAt: ISSUED_AT,
      });
      await tx.documents.issue(
        {
          campaignId: campaign.id,
          issuerUnitId: unit['058'] as number,
          docType: 'BC',
          year: 2025,
          entity: COMMITTEE_REPORT_ENTITY,
          entityId: String(id),
          issuedOn: '2025-07-12',
        },
        ISSUED_AT,
      );
      return id;
    });
    const issued = await report(ISSUED_AT, reportId);
    expect(examplesIn(issued)).toEqual([AN, SEN, WOMEN]);

    // Bà Sen's is withdrawn after the report was issued; another recorded after it.
    await run((tx) => tx.examples.withdraw(example.later as number, new Date('2025-07-15T03:00:00Z')));
    await record(
      'after',
      fields('01840', 'Tổ dân phố 1', 'Góp 200 ngày công dựng nhà cho ba hộ nghèo.'),
      '2025-07-14T03:00:00Z',
    );
    expect(await report(LATER, reportId)).toEqual(issued);
    expect(examplesIn(await report(LATER))).toEqual([AN, WOMEN]);
  });

  it('has no examples paragraph when none was recorded in the period', async () => {
    await run(async (tx) => {
      for (const key of ['an', 'women']) {
        await tx.examples.withdraw(example[key] as number, LATER);
      }
    });
    const draft = await report(new Date(LATER.getTime() + 60_000));
    expect(examplesIn(draft)).toBeUndefined();
  });
});

describe('the digests', () => {
  const NOW = new Date('2025-03-24T01:00:00Z');

  async function digest(code: string, kind: 'weekly' | 'deadline' | 'on_demand' = 'weekly'): Promise<string> {
    return run(async (tx) => {
      const d = await buildDigest(tx, { areaUnitId: unit[code] as number, kind, now: NOW });
      return d ? plainText(digestText(d, 'vi')) : '';
    });
  }

  it('the weekly digest names the week’s newest three of the area, counts the rest; a ward’s shows its own', async () => {
    const week: [string, string, string][] = [
      ['01840', 'Chi hội Cựu chiến binh tổ 5', '2025-03-17T03:00:00Z'],
      ['01837', 'Đoàn Thanh niên phường Sông Cầu', '2025-03-18T03:00:00Z'],
      ['01840', 'Gia đình bà Triệu Thị Mai', '2025-03-20T03:00:00Z'],
      ['HLHPN-058', 'Chi hội Phụ nữ tổ 9', '2025-03-22T03:00:00Z'],
      ['01840', 'Công ty CP Thành Công', '2025-03-23T03:00:00Z'],
    ];
    for (const [i, [code, who, at]] of week.entries()) {
      await record(
        `week${i}`,
        fields(code, who, `Góp ${i + 10} ngày công xây nhà cho hộ nghèo trong tổ.`),
        at,
      );
    }
    // Recorded eight days before: last week's digest showed it.
    await record(
      'old',
      fields('01840', 'Ông Lục Văn Tám', 'Góp 5 ngày công xây nhà cho hộ nghèo.'),
      '2025-03-16T00:59:00Z',
    );
    const city = await digest('058');
    const lines = city.split('\n');
    const at = lines.indexOf('🌟 Gương điển hình mới:');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at, at + 5)).toEqual([
      '🌟 Gương điển hình mới:',
      '• Công ty CP Thành Công (Đức Xuân): Góp 14 ngày công xây nhà cho hộ nghèo trong tổ.',
      '• Chi hội Phụ nữ tổ 9 (Hội Liên hiệp Phụ nữ): Góp 13 ngày công xây nhà cho hộ nghèo trong tổ.',
      '• Gia đình bà Triệu Thị Mai (Đức Xuân): Góp 12 ngày công xây nhà cho hộ nghèo trong tổ.',
      '• … và 2 gương khác',
    ]);
    expect(city).not.toContain('Lục Văn Tám');

    const ward = await digest('01840');
    expect(ward).toContain('• Chi hội Cựu chiến binh tổ 5 (Đức Xuân)');
    expect(ward).not.toContain('Sông Cầu):');
    expect(ward).not.toContain('Phụ nữ tổ 9');
    expect(ward).not.toContain('gương khác');
    // The deadline digest is about the reports due: no examples there.
    expect(await digest('058', 'deadline')).not.toContain('Gương điển hình');
    expect(await digest('058', 'on_demand')).toContain('🌟 Gương điển hình mới:');
  });

  it('a withdrawn example leaves the digest', async () => {
    await run((tx) => tx.examples.withdraw(example.week4 as number, NOW));
    const city = await digest('058');
    expect(city).not.toContain('Thành Công');
    expect(city).toContain('• … và 1 gương khác');
  });
});
