import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../core/campaigns/campaign.ts';
import { buildAcknowledgementDocument } from '../core/exports/acknowledgement-document.ts';
import { DOCUMENT_TYPES, type OfficialDocument } from '../core/exports/official-document.ts';
import { buildOfficialDocument } from '../core/exports/official-documents.ts';
import { ACK_DOC_TYPE, issueAcknowledgement, loadGift } from '../core/funds/acknowledgements.ts';
import type { NewPledge } from '../core/funds/fund.repository.ts';
import { CLI_SOURCE } from '../core/messaging/outbox.repository.ts';
import type { Tx } from '../core/unit-of-work.ts';
import type { SqlDb } from '../prisma/sql-db.ts';
import { createStore } from '../prisma/store.ts';
import { seededDatabase } from './support/app-harness.ts';
import { recordEntry } from './support/fixtures.ts';

/**
 * The acknowledgement letter (issue 16 §4) on the seeded database, SQLite or PostgreSQL: a walk-in
 * transfer of 105.000.000 đ, goods against a pledge, labour days given without one; every block of
 * the document, the numbers from the register (1, 2, …; the same number when issued again), and a
 * reversed receipt that cannot be acknowledged.
 */

// 10/03/2025, 10:00 in Hà Nội.
const NOW = new Date('2025-03-10T03:00:00Z');
let db: SqlDb;
let close: () => Promise<void>;
const ids = { walkIn: 0, goods: 0, labour: 0, reversed: 0, unapproved: 0 };

const run = <T>(work: (tx: Tx) => Promise<T>) => createStore(db).run(work);

function pledge(campaign: Campaign, fundUnitId: number, fields: Partial<NewPledge>): NewPledge {
  return {
    campaignId: campaign.id,
    donorKind: 'individual',
    donorName: 'Bế Thị Riêng',
    donorPhone: null,
    personId: null,
    orgUnitId: null,
    fundUnitId,
    kind: 'money',
    description: null,
    quantity: null,
    quantityUnit: null,
    amount: 0n,
    householdId: null,
    targetUnitId: null,
    dueOn: null,
    publicName: false,
    channel: 'telegram',
    ...fields,
  };
}

beforeAll(async () => {
  ({ db, close } = await seededDatabase(NOW));
  await run(async (tx) => {
    const campaign = await tx.campaigns.findCurrent();
    const city = (await tx.units.listByKinds(['city'])).find((u) => u.code === '058');
    if (!campaign || !city) {
      throw new Error('seed missing');
    }
    const record = (entry: Parameters<typeof recordEntry>[2]) =>
      recordEntry(tx, campaign, { levelUnitId: city.id, ...entry }, NOW, { occurredOn: '2025-03-04' });
    const cement = await tx.pledges.create(
      pledge(campaign, city.id, {
        kind: 'materials',
        description: 'xi măng',
        quantity: 100,
        quantityUnit: 'bao',
        amount: 9_000_000n,
      }),
      NOW,
    );
    ids.walkIn = await record({
      amount: 105_000_000n,
      note: 'Công ty TNHH Minh Tâm',
      documentRef: 'UNC 0155',
      publicName: true,
    });
    ids.goods = await record({ kind: 'in_kind', amount: 9_000_000n, pledgeId: cement.id });
    ids.labour = await record({
      kind: 'in_kind',
      amount: 15_000_000n,
      note: 'Nguyễn Văn Bình',
      description: '50 ngày công san nền',
    });
    ids.reversed = await record({ amount: 2_000_000n, note: 'Ghi nhầm' });
    await record({ kind: 'reversal', reversesId: ids.reversed, reason: 'Ghi nhầm số tiền' });
    ids.unapproved = await record({ amount: 1_000_000n, note: 'Trần Thị Lan' });
  });
});

afterAll(async () => {
  await close();
});

/** Issues the letter of a receipt (as the CLI does) and builds its document. */
async function letter(
  entryId: number,
): Promise<{ number: string; issuedNow: boolean; doc: OfficialDocument }> {
  return run(async (tx) => {
    const gift = await loadGift(tx, entryId);
    if (!gift) {
      throw new Error(`receipt ${entryId} not acknowledgeable`);
    }
    const issued = await issueAcknowledgement(tx, gift, CLI_SOURCE, NOW);
    const doc = await buildAcknowledgementDocument(tx, { acknowledgementId: issued.ackId }, NOW);
    if (!doc) {
      throw new Error('no document');
    }
    return { number: issued.number, issuedNow: issued.issuedNow, doc };
  });
}

const bodyText = (doc: OfficialDocument) =>
  doc.body.map((b) => (b.kind === 'paragraph' || b.kind === 'heading' ? b.text : '')).join('\n');

describe('the acknowledgement letter', () => {
  it('acknowledges a walk-in transfer of 105.000.000 đ: every block, numbered 1 by the fund board', async () => {
    const { doc, number, issuedNow } = await letter(ids.walkIn);
    expect(issuedNow).toBe(true);
    expect(number).toBe('1/GXN-BVĐ');
    // The committee named once, the fund's board under it.
    expect(doc.heading.issuer).toEqual([
      'ỦY BAN MTTQ VIỆT NAM',
      'THÀNH PHỐ BẮC KẠN',
      'BAN VẬN ĐỘNG QUỸ "VÌ NGƯỜI NGHÈO"',
    ]);
    expect(doc.heading.issuer.join(' ')).not.toMatch(/ỦY BAN MTTQ VIỆT NAM.*ỦY BAN MTTQ/);
    expect(doc.heading.number).toBe('Số: 1/GXN-BVĐ');
    expect(doc.heading.placeAndDate).toBe('Bắc Kạn, ngày 10 tháng 3 năm 2025');
    expect(doc.heading.nationalTitle).toBe(true);
    expect(doc.type).toBe('acknowledgement');
    expect(doc.title).toBe('GIẤY XÁC NHẬN');
    expect(doc.summary).toBe('Về việc tiếp nhận ủng hộ Quỹ "Vì người nghèo"');
    expect(doc.draft).toBe(false);
    const body = bodyText(doc);
    expect(body).toContain(
      'Ban Vận động Quỹ "Vì người nghèo" thành phố Bắc Kạn xác nhận đã tiếp nhận ủng hộ của:',
    );
    expect(body).toContain('Quý đơn vị: Công ty TNHH Minh Tâm');
    expect(body).toContain(
      'Nội dung ủng hộ: số tiền 105.000.000 đồng (Bằng chữ: Một trăm linh năm triệu đồng).',
    );
    expect(body).toContain('Ngày tiếp nhận: 04/03/2025; chứng từ số UNC 0155.');
    expect(body).not.toContain('theo đăng ký');
    expect(body).toContain('"Xóa nhà tạm, nhà dột nát thành phố Bắc Kạn 2024–2025"');
    expect(body).toContain('Kính chúc Quý đơn vị');
    expect(doc.footer.recipients).toEqual(['Công ty TNHH Minh Tâm (để biết)', 'Lưu: VT, Quỹ.']);
    expect(doc.footer.signature).toMatchObject({ authority: 'TM. BAN VẬN ĐỘNG', title: 'TRƯỞNG BAN' });
    expect(doc.fileName).toBe('giay-xac-nhan-1-GXN-2025.docx');
  });

  it('words goods as goods with their estimated value, against the pledge, for a person', async () => {
    const { doc, number } = await letter(ids.goods);
    expect(number).toBe('2/GXN-BVĐ');
    const body = bodyText(doc);
    expect(body).toContain('Ông/Bà: Bế Thị Riêng');
    expect(body).toContain(
      'Nội dung ủng hộ: 100 bao xi măng, trị giá quy đổi ước tính 9.000.000 đồng (Bằng chữ: Chín triệu đồng).',
    );
    expect(body).not.toContain('số tiền');
    expect(body).toMatch(/Ngày tiếp nhận: 04\/03\/2025; theo đăng ký số UH-\d{4}\./);
    expect(body).toContain('Kính chúc Ông/Bà và gia đình');
  });

  it('words labour days given without a pledge as days, with their value', async () => {
    const { doc, number } = await letter(ids.labour);
    expect(number).toBe('3/GXN-BVĐ');
    expect(bodyText(doc)).toContain(
      'Nội dung ủng hộ: 50 ngày công san nền, quy đổi ước tính 15.000.000 đồng (Bằng chữ: Mười lăm triệu đồng).',
    );
    expect(bodyText(doc)).toContain('Ông/Bà: Nguyễn Văn Bình');
  });

  it('keeps the number when the letter is issued again, and gives none twice', async () => {
    const again = await letter(ids.walkIn);
    expect(again.issuedNow).toBe(false);
    expect(again.number).toBe('1/GXN-BVĐ');
    const rows = await db.kysely
      .selectFrom('DocumentNumber')
      .select(['number', 'docType', 'year'])
      .where('docType', '=', ACK_DOC_TYPE)
      .orderBy('number')
      .execute();
    expect(rows.map((r) => [r.number, r.year])).toEqual([
      [1, 2025],
      [2, 2025],
      [3, 2025],
    ]);
    expect(DOCUMENT_TYPES.acknowledgement.code).toBe(ACK_DOC_TYPE);
  });

  it('never acknowledges a reversed receipt', async () => {
    expect(await run((tx) => loadGift(tx, ids.reversed))).toBeUndefined();
  });

  it('is a draft with a blank number until approved, and built by its recipe kind', async () => {
    const outcome = await run(async (tx) => {
      const gift = await loadGift(tx, ids.unapproved);
      if (!gift) {
        throw new Error('missing');
      }
      const ack = await tx.acknowledgements.request(
        { campaignId: gift.campaign.id, entryId: ids.unapproved, requestedBy: null, donorPersonId: null },
        NOW,
      );
      return buildOfficialDocument(
        tx,
        { kind: 'acknowledgement', params: { acknowledgementId: ack.id } },
        NOW,
      );
    });
    expect(outcome.ok).toBe(true);
    if (outcome.ok) {
      expect(outcome.document.draft).toBe(true);
      expect(outcome.document.heading.number).toBe('Số:       /GXN-BVĐ');
      expect(bodyText(outcome.document)).toContain('Ông/Bà: Trần Thị Lan');
    }
    const bad = await run((tx) =>
      buildOfficialDocument(tx, { kind: 'acknowledgement', params: { acknowledgementId: 'x' } }, NOW),
    );
    expect(bad.ok).toBe(false);
  });
});
