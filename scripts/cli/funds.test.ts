import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../../core/campaigns/campaign.ts';
import type { NewFundEntry } from '../../core/funds/fund.repository.ts';
import type { Tx } from '../../core/unit-of-work.ts';
import type { PrismaClient } from '../../prisma/client.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import { createStore } from '../../prisma/store.ts';
import { seededDatabase } from '../../test/support/app-harness.ts';
import { recordingCliContext } from '../../test/support/cli-context.ts';
import { recordEntry } from '../../test/support/fixtures.ts';
import { executeCommand, parseCommand } from './commands.ts';
import type { CliContext } from './context.ts';
import { fundsReverse } from './funds.ts';

// The seeded campaign runs 2024-10-01..2025-12-31 in Asia/Ho_Chi_Minh; "today" for statuses and the
// reversal's date is 10/03/2025 there (10:00 local), after every entry below.
const NOW = new Date('2025-03-10T03:00:00Z');
const PHONE = '0912345678';
let db: SqlDb;
let prisma: PrismaClient;
let close: () => Promise<void>;
const ids = { receipt1: 0, receipt2: 0, walkIn: 0, allocation: 0, disbursement: 0 };

const context = () => recordingCliContext(db, NOW, { prisma });

async function run(argv: string[]): Promise<CliContext & { lines: string[]; text: () => string }> {
  const ctx = context();
  await executeCommand(parseCommand(argv), ctx);
  return ctx;
}

const record = (tx: Tx, campaign: Campaign, entry: Partial<NewFundEntry>) =>
  recordEntry(tx, campaign, entry, NOW, { occurredOn: '2025-03-01', channel: 'telegram' });

beforeAll(async () => {
  ({ db, prisma, close } = await seededDatabase(NOW));
  const household = await prisma.household.findFirstOrThrow({ where: { code: 'DX-001' } });
  await createStore(db).run(async (tx) => {
    const campaign = await tx.campaigns.findCurrent();
    if (!campaign) {
      throw new Error('no campaign');
    }
    const units = await tx.units.listByKinds(['city', 'member_org']);
    const city = units.find((u) => u.code === '058');
    const org = units.find((u) => u.code === 'HLHPN-058');
    if (!city || !org) {
      throw new Error('seed units missing');
    }
    const pledge = await tx.pledges.create(
      {
        campaignId: campaign.id,
        donorKind: 'organisation',
        donorName: 'Hội Liên hiệp Phụ nữ thành phố Bắc Kạn',
        donorPhone: PHONE,
        personId: null,
        orgUnitId: org.id,
        fundUnitId: city.id,
        kind: 'money',
        description: null,
        quantity: null,
        quantityUnit: null,
        amount: 50_000_000n,
        householdId: null,
        targetUnitId: null,
        dueOn: '2025-03-31',
        publicName: true,
        channel: 'telegram',
      },
      NOW,
    );
    expect(pledge.ref).toBe('UH-0001');
    const level = { levelUnitId: city.id };
    ids.receipt1 = await record(tx, campaign, {
      ...level,
      amount: 20_000_000n,
      pledgeId: pledge.id,
      documentRef: 'PT-001',
      occurredOn: '2025-03-01',
    });
    ids.receipt2 = await record(tx, campaign, {
      ...level,
      amount: 30_000_000n,
      pledgeId: pledge.id,
      documentRef: 'PT-002',
      occurredOn: '2025-03-03',
    });
    ids.walkIn = await record(tx, campaign, {
      ...level,
      amount: 10_000_000n,
      note: 'Công ty ABC',
      documentRef: 'PT-003',
      occurredOn: '2025-03-04',
    });
    ids.allocation = await record(tx, campaign, {
      ...level,
      kind: 'allocation',
      amount: 60_000_000n,
      householdId: household.id,
      need: 'new_build',
      occurredOn: '2025-03-05',
    });
    ids.disbursement = await record(tx, campaign, {
      ...level,
      kind: 'disbursement',
      amount: 30_000_000n,
      householdId: household.id,
      need: 'new_build',
      documentRef: 'PC-001',
      occurredOn: '2025-03-06',
    });
  });
  await prisma.householdEvent.create({
    data: {
      householdId: household.id,
      kind: 'edit',
      note: 'Ảnh hiện trạng nhà trước khi khởi công',
      photos: JSON.stringify([
        { channel: 'telegram', fileId: 'AgACAgIAAxkBAAIBd2Z', localPath: 'data/photos/dx-001-1.jpg' },
      ]),
      channel: 'telegram',
      at: new Date('2025-03-10T04:00:00Z'),
    },
  });
});

afterAll(async () => {
  await close();
});

describe('pledges', () => {
  it('show: the card, both receipts, and the household the money went to with its payment and photo', async () => {
    const ctx = await run(['pledges', 'show', 'UH-0001']);
    const text = ctx.text();
    expect(ctx.lines[0]).toContain('UH-0001');
    expect(text).toContain('Hội Liên hiệp Phụ nữ thành phố Bắc Kạn');
    expect(text).toContain('Đã nộp đủ');
    expect(text).toContain('Các khoản đã nộp theo đăng ký (2)');
    expect(text).toMatch(new RegExp(`#${ids.receipt1}\\s+01/03/2025\\s+Thu\\s+20\\.000\\.000 đ\\s+PT-001`));
    expect(text).toMatch(new RegExp(`#${ids.receipt2}\\s+03/03/2025\\s+Thu\\s+30\\.000\\.000 đ\\s+PT-002`));
    expect(text).not.toContain('PT-003');
    const allocation = ctx.lines.find((l) => l.includes(`Phân bổ #${ids.allocation}`)) ?? '';
    expect(allocation).toContain('50.000.000 đ từ đăng ký này');
    expect(allocation).toContain(`#${ids.receipt1} 20.000.000 đ, #${ids.receipt2} 30.000.000 đ`);
    expect(allocation).toContain('tổng phân bổ 60.000.000 đ');
    expect(text).toContain('Hộ DX-001 – Nông Văn Tư – Phường Đức Xuân, Tổ 1; nhu cầu Xây mới');
    expect(text).toContain('đã chi 30.000.000 đ / 60.000.000 đ');
    expect(text).toMatch(new RegExp(`#${ids.disbursement} ngày 06/03/2025: 30\\.000\\.000 đ`));
    expect(text).toContain('Ảnh: 1 ảnh');
    expect(text).toContain('telegram AgACAgIAAxkBAAIBd2Z (data/photos/dx-001-1.jpg)');
    // The phone number only with its last three digits.
    expect(text).toContain('*******678');
    expect(text).not.toContain(PHONE);
  });

  it('show accepts the bare number and any case; an unknown ref is a usage error', async () => {
    expect((await run(['pledges', 'show', 'uh-1'])).lines[0]).toContain('UH-0001');
    expect((await run(['pledges', 'show', '1'])).lines[0]).toContain('UH-0001');
    await expect(run(['pledges', 'show', 'UH-9999'])).rejects.toThrow(
      /không có đăng ký số "UH-9999".*pledges list/,
    );
    expect(() => parseCommand(['pledges', 'show'])).toThrow(/thiếu số đăng ký/);
  });

  it('list: one line per pledge with level, status and received, no phone', async () => {
    const ctx = await run(['pledges', 'list']);
    const row = ctx.lines.find((l) => l.startsWith('UH-0001')) ?? '';
    expect(row).toContain('Hội Liên hiệp Phụ nữ thành phố Bắc Kạn');
    expect(row).toContain('Ủy ban MTTQ Việt Nam thành phố Bắc Kạn');
    expect(row).toContain('✅ Đã nộp đủ');
    expect(row).toMatch(/Bắc Kạn\s+50\.000\.000 đ\s+Ủy ban .*✅ Đã nộp đủ\s+50\.000\.000 đ$/);
    expect(ctx.text()).not.toContain(PHONE);
    expect(ctx.lines.at(-1)).toBe('Tổng: 1 đăng ký; đăng ký 50.000.000 đ; đã nhận 50.000.000 đ.');
    expect((await run(['pledges', 'list', '--unit', '01840'])).lines).toEqual([
      'Chưa có đăng ký ủng hộ nào vào Quỹ của Phường Đức Xuân (01840).',
    ]);
    await expect(run(['pledges', 'list', '--unit', 'HLHPN-058'])).rejects.toThrow(/không có Quỹ/);
    await expect(run(['pledges', 'list', '--unit', '99999'])).rejects.toThrow(/không có đơn vị mã "99999"/);
  });

  it('pledges ack names the command that replaced it', async () => {
    await expect(run(['pledges', 'ack', 'UH-0001'])).rejects.toThrow(/npm run cli -- funds ack UH-0001/);
  });
});

describe('funds ack', () => {
  it("issues the letter of a pledge's latest receipt, numbered once, in figures and words", async () => {
    const ctx = await run(['funds', 'ack', 'UH-0001']);
    const text = ctx.text();
    expect(ctx.lines[0]).toBe(
      '✅ Đã cấp giấy xác nhận số 1/GXN-BVĐ cho Hội Liên hiệp Phụ nữ thành phố Bắc Kạn.',
    );
    expect(text).toContain('Người ủng hộ không nhận tin nhắn qua bot');
    expect(text).toContain('BAN VẬN ĐỘNG QUỸ "VÌ NGƯỜI NGHÈO"');
    expect(text).toContain('Số: 1/GXN-BVĐ');
    expect(text).toContain('Bắc Kạn, ngày 10 tháng 3 năm 2025');
    expect(text).toContain('Quý đơn vị: Hội Liên hiệp Phụ nữ thành phố Bắc Kạn');
    // The latest receipt against UH-0001: 30 triệu on 03/03, voucher PT-002.
    expect(text).toContain('số tiền 30.000.000 đồng (Bằng chữ: Ba mươi triệu đồng)');
    expect(text).toContain('Ngày tiếp nhận: 03/03/2025; chứng từ số PT-002; theo đăng ký số UH-0001.');
    expect(text).toContain('TM. BAN VẬN ĐỘNG');
    expect(text).not.toContain(PHONE);
    // The pledge's next unacknowledged receipt, then the first one again: no new number.
    expect((await run(['funds', 'ack', 'UH-0001'])).lines[0]).toContain('số 2/GXN-BVĐ');
    expect((await run(['funds', 'ack', String(ids.receipt2)])).lines[0]).toBe(
      'Khoản này đã được cấp giấy xác nhận số 1/GXN-BVĐ; không cấp số mới.',
    );
  });

  it('acknowledges a walk-in receipt by its voucher and writes the Word document', async () => {
    const out = path.join(os.tmpdir(), `gxn-${process.pid}.docx`);
    const ctx = await run(['funds', 'ack', 'pt-003', '--out', out]);
    expect(ctx.lines[0]).toBe('✅ Đã cấp giấy xác nhận số 3/GXN-BVĐ cho Công ty ABC.');
    expect(ctx.text()).toContain('số tiền 10.000.000 đồng (Bằng chữ: Mười triệu đồng)');
    expect(ctx.text()).toContain(`Đã ghi văn bản ra ${out}:`);
    expect(fs.readFileSync(out).subarray(0, 2).toString()).toBe('PK');
    fs.rmSync(out, { force: true });
    expect((await run(['funds', 'ack', `#${ids.walkIn}`])).lines[0]).toContain(
      'số 3/GXN-BVĐ; không cấp số mới',
    );
  });

  it('refuses what is not a gift, and lists the requests waiting', async () => {
    await expect(run(['funds', 'ack', String(ids.allocation)])).rejects.toThrow(/không có khoản thu nào/);
    await expect(run(['funds', 'ack'])).rejects.toThrow(/funds ack --pending/);
    expect((await run(['funds', 'ack', '--pending'])).lines).toEqual([
      'Không có đề nghị cấp giấy xác nhận nào đang chờ duyệt.',
    ]);
  });
});

describe('households show', () => {
  it('shows the allocation with its sources, the payment and the photo', async () => {
    const ctx = await run(['households', 'show', 'DX-001']);
    const text = ctx.text();
    expect(ctx.lines[0]).toBe('Hộ DX-001 – Nông Văn Tư');
    expect(text).toMatch(/Đơn vị\s+Phường Đức Xuân \(01840\)/);
    expect(text).toMatch(/Trạng thái\s+Đã duyệt/);
    expect(text).toMatch(/Điều kiện\s+Đủ điều kiện theo tiêu chí/);
    expect(text).toContain(
      `#${ids.allocation} ngày 05/03/2025, Quỹ Ủy ban MTTQ Việt Nam thành phố Bắc Kạn: 60.000.000 đ (Xây mới)`,
    );
    const sources = ctx.lines.filter((l) => l.trimStart().startsWith('- ') && l.includes('từ khoản thu'));
    expect(sources).toHaveLength(3);
    expect(sources[0]).toContain(`20.000.000 đ từ khoản thu #${ids.receipt1} ngày 01/03/2025`);
    expect(sources[0]).toContain('đăng ký UH-0001 – Hội Liên hiệp Phụ nữ thành phố Bắc Kạn');
    expect(sources[1]).toContain(`30.000.000 đ từ khoản thu #${ids.receipt2} ngày 03/03/2025`);
    expect(sources[1]).toContain('đăng ký UH-0001');
    expect(sources[2]).toContain(`10.000.000 đ từ khoản thu #${ids.walkIn} ngày 04/03/2025`);
    expect(sources[2]).toContain('khoản thu không theo đăng ký – Công ty ABC');
    expect(text).toContain('Chi trả (1): đã chi 30.000.000 đ / phân bổ 60.000.000 đ');
    expect(text).toContain(`#${ids.disbursement} ngày 06/03/2025`);
    expect(text).toContain('chứng từ PC-001');
    expect(text).toContain('Ảnh (1):');
    expect(text).toContain('telegram AgACAgIAAxkBAAIBd2Z (data/photos/dx-001-1.jpg)');
    expect(text).toContain('Tổng số ảnh: 1');
  });

  it('an unknown code is a usage error', async () => {
    await expect(run(['households', 'show', 'XX-404'])).rejects.toThrow(/không có hộ mã "XX-404"/);
    expect(() => parseCommand(['households', 'show'])).toThrow(/thiếu mã hộ/);
  });
});

describe('funds', () => {
  it('public: the same summary as /congkhai, with totals and without phone numbers', async () => {
    const text = (await run(['funds', 'public'])).text();
    expect(text).toContain('CÔNG KHAI QUỸ "VÌ NGƯỜI NGHÈO"');
    expect(text).toContain('Số liệu đến ngày 10/03/2025');
    // No goods were given: no zero clause for them.
    expect(text).toContain('Tổng số đã tiếp nhận – Tiền: 60.000.000 đ.\n');
    // The pledge's 50 and the walk-in's 10 (its payer not asked to be named): 60, as above.
    expect(text).toContain('1. Hội Liên hiệp Phụ nữ thành phố Bắc Kạn: 50.000.000 đ');
    expect(text).toContain('Cùng 1 nhà hảo tâm khác không nêu tên: 10.000.000 đ.');
    expect(text).not.toContain('Công ty ABC');
    expect(text).toContain('• Phường Đức Xuân: 1 hộ; phân bổ 60.000.000 đ; đã chi 30.000.000 đ');
    expect(text).not.toContain(PHONE);
    expect(text).not.toMatch(/\b0\d{9}\b/);
  });

  it('summary: the roll-up per level and organisation', async () => {
    const text = (await run(['funds', 'summary'])).text();
    expect(text).toContain('TÌNH HÌNH QUỸ');
    expect(text).toContain(
      '• Quỹ "Vì người nghèo" thành phố Bắc Kạn: nhận 60.000.000 đ; đã phân bổ 60.000.000 đ; đã chi 30.000.000 đ; tồn quỹ 30.000.000 đ, trong đó còn chưa phân bổ 0 đ',
    );
    expect(text).toContain('đã nhận 60.000.000 đ (trong đó nhận ngoài đăng ký 10.000.000 đ);');
    expect(text).toContain('• Công ty ABC: 10.000.000 đ (ngoài đăng ký)');
    expect(text).toContain('Hội Liên hiệp Phụ nữ thành phố Bắc Kạn: 50.000.000 đ / 50.000.000 đ (100,0%)');
  });

  it('ledger: entries in order with the running balance of the level', async () => {
    const ctx = await run(['funds', 'ledger', '--unit', '058']);
    const row = (id: number) => ctx.lines.find((l) => l.startsWith(`#${id} `)) ?? '';
    expect(row(ids.receipt1)).toMatch(
      /Thu .*20\.000\.000 đ\s+\+20\.000\.000 đ\s+20\.000\.000 đ\s+đăng ký UH-0001/,
    );
    expect(row(ids.receipt2)).toMatch(/\+30\.000\.000 đ\s+50\.000\.000 đ/);
    expect(row(ids.walkIn)).toMatch(
      /\+10\.000\.000 đ\s+60\.000\.000 đ\s+khoản thu không theo đăng ký – Công ty ABC/,
    );
    expect(row(ids.allocation)).toMatch(/Phân bổ .*-60\.000\.000 đ\s+0 đ\s+hộ DX-001 – Nông Văn Tư; Xây mới/);
    expect(row(ids.disbursement)).toMatch(/Chi trả .*30\.000\.000 đ\s+0 đ\s+hộ DX-001/);
    expect(ctx.text()).toContain(
      'Ủy ban MTTQ Việt Nam thành phố Bắc Kạn: còn 0 đ; đã phân bổ chưa chi 30.000.000 đ',
    );
    expect(ctx.text()).not.toContain(PHONE);
    expect((await run(['funds', 'ledger', '--unit', '01840'])).lines).toEqual([
      'Sổ quỹ của Phường Đức Xuân (01840) chưa có bút toán nào.',
    ]);
  });

  it('reverse: a receipt whose money was allocated is refused and nothing is written', async () => {
    const entries = await prisma.fundEntry.count();
    const audits = await prisma.auditLog.count();
    const ctx = context();
    const outcome = await fundsReverse(ctx, { entryId: ids.receipt1, reason: 'Ghi nhầm số tiền' });
    expect(outcome.ok).toBe(false);
    expect(ctx.lines[0]).toContain(
      `❌ Chưa điều chỉnh thu 20.000.000 đ ngày 01/03/2025 (bút toán #${ids.receipt1})`,
    );
    expect(ctx.lines[1]).toContain('đã được dùng');
    expect(await prisma.fundEntry.count()).toBe(entries);
    expect(await prisma.auditLog.count()).toBe(audits);
  });

  it('reverse: the disbursement is cancelled, audited, and the ledger shows it', async () => {
    const ctx = await run([
      'funds',
      'reverse',
      String(ids.disbursement),
      '--reason',
      'Chi trùng, chứng từ PC-001 đã hủy',
    ]);
    expect(ctx.lines[0]).toMatch(
      /^✅ Đã ghi bút toán điều chỉnh #\d+: hủy chi trả 30\.000\.000 đ ngày 06\/03\/2025/,
    );
    const reversal = await prisma.fundEntry.findFirstOrThrow({ where: { reversesId: ids.disbursement } });
    expect(reversal).toMatchObject({
      kind: 'reversal',
      amount: 30_000_000n,
      reason: 'Chi trùng, chứng từ PC-001 đã hủy',
      occurredOn: '2025-03-10',
      personId: null,
      channel: null,
    });
    const audit = await prisma.auditLog.findFirstOrThrow({ where: { action: 'fund.reversal' } });
    expect(audit).toMatchObject({ entity: 'FundEntry', entityId: String(reversal.id), channel: 'cli' });

    const ledger = await run(['funds', 'ledger']);
    const line = ledger.lines.find((l) => l.startsWith(`#${reversal.id} `)) ?? '';
    expect(line).toContain('10/03/2025');
    expect(line).toContain('Điều chỉnh');
    expect(line).toContain(`hủy bút toán #${ids.disbursement} (chi trả 30.000.000 đ); lý do: Chi trùng`);
    expect(ledger.lines.find((l) => l.startsWith(`#${ids.disbursement} `))).toContain(
      `đã hủy bởi bút toán #${reversal.id}`,
    );
    expect(ledger.text()).toContain('đã phân bổ chưa chi 60.000.000 đ');
    const household = (await run(['households', 'show', 'DX-001'])).text();
    expect(household).toContain('Chi trả (1): đã chi 0 đ / phân bổ 60.000.000 đ');
    expect(household).toContain(`đã hủy bởi bút toán #${reversal.id}`);

    // Reversing it again is refused by the ledger.
    const again = context();
    expect((await fundsReverse(again, { entryId: ids.disbursement, reason: 'Lần nữa' })).ok).toBe(false);
    expect(again.lines[1]).toBe('Bút toán này đã được điều chỉnh trước đó.');
  });

  it('reverse: bad arguments and unknown entries get clear messages', async () => {
    expect(() => parseCommand(['funds', 'reverse', '3'])).toThrow(/phải ghi lý do điều chỉnh: --reason/);
    expect(() => parseCommand(['funds', 'reverse', '--reason', 'Ghi nhầm'])).toThrow(/thiếu số bút toán/);
    expect(() => parseCommand(['funds', 'reverse', 'abc', '--reason', 'Ghi nhầm'])).toThrow(
      /số bút toán là một số/,
    );
    expect(() => parseCommand(['funds', 'reverse', '3', '--reason', 'sai'])).toThrow(/lý do quá ngắn/);
    expect(parseCommand(['funds', 'reverse', '#3', '--reason', 'Ghi nhầm'])).toEqual({
      name: 'funds reverse',
      args: { entryId: 3, reason: 'Ghi nhầm' },
    });
    await expect(run(['funds', 'reverse', '9999', '--reason', 'Ghi nhầm số tiền'])).rejects.toThrow(
      /không có bút toán số 9999.*funds ledger/,
    );
    expect(() => parseCommand(['funds', 'ledger', '--unit'])).toThrow(/thiếu giá trị cho --unit/);
    expect(() => parseCommand(['funds', 'nothing'])).toThrow(/funds summary, funds public, funds ledger/);
  });
});
