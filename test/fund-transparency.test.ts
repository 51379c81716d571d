import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../core/campaigns/campaign.ts';
import { buildDigest, digestText } from '../core/digests/digest.ts';
import type { NewFundEntry } from '../core/funds/fund.repository.ts';
import { loadRollup, publicSummary } from '../core/funds/fund-reports.ts';
import { buildRollup } from '../core/funds/fund-rollup.ts';
import { t } from '../core/messaging/catalog.ts';
import type { Tx } from '../core/unit-of-work.ts';
import { FUND_LEVEL_KINDS } from '../core/units/unit.repository.ts';
import { createStore } from '../prisma/store.ts';
import { addHousehold, CITY_FUND_ACCOUNT, moneyPledge, recordEntry } from './support/fixtures.ts';
import { rawRows } from './support/raw-sql.ts';
import { type SqliteChat, startSqliteChat } from './support/sqlite-chat.ts';

/**
 * Transparency that adds up (issue 16 §5), through the real repositories on the suite's database
 * (SQLite or PostgreSQL): a ledger with a pledge paid in money, one in goods, walk-in payers named
 * and not, a mistaken receipt reversed, a transfer to a ward and two households supported. /congkhai
 * lists every giver so the lines sum to the totals, the households per ward, the fund's account; the
 * digest compares with the pledges only what was given against them and says what the fund holds.
 */

const NOW = '2025-03-10T03:00:00Z';
let chat: SqliteChat;
let cityId = 0;
let songCauId = 0;

async function unitId(code: string): Promise<number> {
  return (await chat.prisma.unit.findFirstOrThrow({ orderBy: { validFrom: 'desc' }, where: { code } })).id;
}

async function householdId(code: string): Promise<number> {
  return (await chat.prisma.household.findFirstOrThrow({ where: { code } })).id;
}

function run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
  return createStore(chat.db).run(work);
}

async function campaignDefinition(patch: Record<string, unknown>): Promise<void> {
  const [row] = await rawRows(chat.db, 'SELECT "id", "definition" FROM "Campaign" WHERE "code" = ?', [
    'BK-XNT-2025',
  ]);
  const definition = { ...JSON.parse(String(row?.definition)), ...patch };
  await rawRows(chat.db, 'UPDATE "Campaign" SET "definition" = ? WHERE "id" = ?', [
    JSON.stringify(definition),
    Number(row?.id),
  ]);
}

beforeAll(async () => {
  chat = await startSqliteChat(NOW);
  cityId = await unitId('058');
  songCauId = await unitId('01837');
  await addHousehold(chat.prisma, '01837', {
    code: 'SC-101',
    status: 'approved',
    at: new Date(NOW),
    village: 'Tổ 5',
    headName: 'Hà Thị Mến',
    need: 'repair',
  });
  await campaignDefinition({ funds: [CITY_FUND_ACCOUNT] });
  const [dx, sc] = [await householdId('DX-001'), await householdId('SC-101')];
  await run(async (tx) => {
    const campaign = (await tx.campaigns.findCurrent()) as Campaign;
    const record = (entry: Partial<NewFundEntry>) =>
      recordEntry(tx, campaign, entry, new Date(NOW), { levelUnitId: cityId, occurredOn: '2025-03-05' });
    const women = await tx.pledges.create(
      moneyPledge({
        campaignId: campaign.id,
        donorKind: 'organisation',
        donorName: 'Hội Liên hiệp Phụ nữ thành phố Bắc Kạn',
        donorPhone: '0912000111',
        fundUnitId: cityId,
        amount: 21_000_000n,
      }),
      new Date(NOW),
    );
    const cement = await tx.pledges.create(
      moneyPledge({
        campaignId: campaign.id,
        donorKind: 'individual',
        donorName: 'Trần Văn Cường',
        donorPhone: '0987654321',
        fundUnitId: cityId,
        kind: 'materials',
        description: 'xi măng',
        quantity: 100,
        quantityUnit: 'bao',
        amount: 9_000_000n,
        publicName: false,
      }),
      new Date(NOW),
    );
    await record({ amount: 21_000_000n, pledgeId: women.id });
    await record({
      kind: 'in_kind',
      amount: 9_000_000n,
      pledgeId: cement.id,
      description: '100 bao xi măng',
    });
    await record({ amount: 105_000_000n, note: 'Công ty TNHH Minh Tâm', publicName: true });
    await record({ amount: 2_000_000n, note: 'Hoàng Văn Dũng' });
    const mistaken = await record({ amount: 50_000_000n, note: 'Công ty Sai Số', publicName: true });
    await record({
      kind: 'reversal',
      amount: 50_000_000n,
      reversesId: mistaken,
      reason: 'Nhập nhầm, trùng chứng từ',
    });
    await record({ kind: 'transfer', toUnitId: songCauId, amount: 10_000_000n });
    await record({ kind: 'allocation', amount: 60_000_000n, householdId: dx, need: 'new_build' });
    await record({ kind: 'disbursement', amount: 30_000_000n, householdId: dx, need: 'new_build' });
    await record({
      kind: 'allocation',
      levelUnitId: songCauId,
      amount: 10_000_000n,
      householdId: sc,
      need: 'repair',
    });
  });
});

afterAll(async () => {
  await chat?.close();
});

describe('/congkhai', () => {
  it('lists every giver so the lines add up, the households per ward and the account, for anyone', async () => {
    const summary = await chat.command(chat.user('citizen-congkhai'), 'congkhai');
    const text = summary.text;
    // The city's fund first, then the ward's; transfers only where there were some.
    expect(text).toContain(
      'Số liệu đến ngày 10/03/2025:\n• Quỹ "Vì người nghèo" thành phố Bắc Kạn: nhận 128.000.000 đ; hiện vật, ngày công quy đổi 9.000.000 đ; chuyển đi 10.000.000 đ; đã phân bổ 60.000.000 đ; đã chi 30.000.000 đ; tồn quỹ 88.000.000 đ, trong đó còn chưa phân bổ 58.000.000 đ',
    );
    expect(text).toContain(
      '• Quỹ "Vì người nghèo" phường Sông Cầu: nhận 0 đ; chuyển đến 10.000.000 đ; đã phân bổ 10.000.000 đ; đã chi 0 đ; tồn quỹ 10.000.000 đ, trong đó còn chưa phân bổ 0 đ',
    );
    expect(text).toContain(
      'Tổng số đã tiếp nhận – Tiền: 128.000.000 đ; hiện vật, ngày công quy đổi: 9.000.000 đ.',
    );
    // The walk-in company that agreed is named; the others are counted, with what they gave.
    expect(text).toContain(
      'Danh sách nhà hảo tâm (đã nộp):\n1. Công ty TNHH Minh Tâm: 105.000.000 đ\n2. Hội Liên hiệp Phụ nữ thành phố Bắc Kạn: 21.000.000 đ\nCùng 2 nhà hảo tâm khác không nêu tên: 2.000.000 đ và hiện vật, ngày công quy đổi 9.000.000 đ.',
    );
    // 105 + 21 + 2 = 128 in money, 9 in goods: the totals above.
    expect(text).toContain(
      '🏠 Hộ được hỗ trợ từ Quỹ: 2 hộ, đã phân bổ 70.000.000 đ, đã chi 30.000.000 đ. Theo phường, xã:',
    );
    expect(text).toContain(
      '• Phường Sông Cầu: 1 hộ; phân bổ 10.000.000 đ; chưa chi\n• Phường Đức Xuân: 1 hộ; phân bổ 60.000.000 đ; đã chi 30.000.000 đ',
    );
    expect(text).toContain(
      '🏦 Tài khoản tiếp nhận ủng hộ:\n• Quỹ "Vì người nghèo" thành phố Bắc Kạn: Ngân hàng Agribank chi nhánh Bắc Kạn, số tài khoản 8300201001234, chủ tài khoản Ủy ban MTTQ Việt Nam thành phố Bắc Kạn',
    );
    expect(text).toContain(
      'Ban Thường trực Ủy ban MTTQ Việt Nam thành phố Bắc Kạn trân trọng cảm ơn các tập thể, cá nhân đã chung tay vì người nghèo!',
    );
    // Nobody who did not agree, no reversed receipt, no phone, no household name by default.
    for (const hidden of [
      'Hoàng Văn Dũng',
      'Trần Văn Cường',
      'Sai Số',
      '0912000111',
      '0987654321',
      'Hà Thị Mến',
    ]) {
      expect(text).not.toContain(hidden);
    }
    expect(text).not.toMatch(/Quỹ Ủy ban|\(\+\/-\)|Số dư/);
  });

  it('names the households with their village when the campaign publishes the list', async () => {
    await campaignDefinition({ transparency: { householdNames: true } });
    try {
      const text = (await chat.command(chat.user('citizen-congkhai-2'), 'congkhai')).text;
      expect(text).toContain(
        '• Phường Sông Cầu: 1 hộ; phân bổ 10.000.000 đ; chưa chi\n   – Hà Thị Mến (Tổ 5): phân bổ 10.000.000 đ; chưa chi',
      );
      expect(text).toMatch(
        /• Phường Đức Xuân: 1 hộ; phân bổ 60\.000\.000 đ; đã chi 30\.000\.000 đ\n {3}– .+ \(.+\): phân bổ 60\.000\.000 đ; đã chi 30\.000\.000 đ/,
      );
    } finally {
      await campaignDefinition({ transparency: { householdNames: false } });
    }
  });

  it('the roll-up the database sums equals the one folded from every row, and its givers add up to it', async () => {
    const { fromTotals, fromRows, lines } = await run(async (tx) => {
      const campaign = (await tx.campaigns.findCurrent()) as Campaign;
      const units = await tx.units.listByKinds([...FUND_LEVEL_KINDS, 'member_org']);
      return {
        fromTotals: (await loadRollup(tx))?.rollup,
        fromRows: buildRollup(
          units,
          await tx.pledges.listByCampaign(campaign.id),
          await tx.funds.listByCampaign(campaign.id),
        ),
        lines: await publicSummary(tx, new Date(NOW)),
      };
    });
    expect(fromTotals).toEqual(fromRows);
    const donors = fromRows.donors;
    expect(donors.reduce((s, d) => s + d.received - d.inKind, 0n)).toBe(fromRows.total.received);
    expect(donors.reduce((s, d) => s + d.inKind, 0n)).toBe(fromRows.total.inKind);
    expect(fromRows.walkIn).toEqual({ received: 107_000_000n, inKind: 0n });
    expect(t('vi', 'fund.public.total', lines.find((l) => l.key === 'fund.public.total')?.params)).toBe(
      'Tổng số đã tiếp nhận – Tiền: 128.000.000 đ; hiện vật, ngày công quy đổi: 9.000.000 đ.',
    );
  });
});

describe('the digest', () => {
  it('compares with the pledges only the money given against them, and says what the fund holds', async () => {
    const d = await run((tx) => buildDigest(tx, { areaUnitId: cityId, kind: 'weekly', now: new Date(NOW) }));
    const lines = d ? digestText(d, 'vi').split('\n') : [];
    expect(lines).toContain('• Đăng ký ủng hộ: 30.000.000 đ');
    expect(lines).toContain('• Tổng số tiền đã nhận: 128.000.000 đ');
    expect(lines).toContain(
      '• Đã nhận tiền theo đăng ký: 21.000.000 đ (100,0% số tiền đăng ký 21.000.000 đ)',
    );
    expect(lines).toContain('• Nhận ngoài đăng ký: 107.000.000 đ');
    expect(lines).toContain('• Hiện vật, ngày công (quy ra tiền): 9.000.000 đ');
    expect(lines).toContain('• Đã phân bổ: 70.000.000 đ cho 2 hộ');
    // Held: 128 received − 30 paid; of it 128 − 70 allocated is not yet allocated.
    expect(lines).toContain('• Tồn quỹ: 98.000.000 đ, trong đó còn chưa phân bổ 58.000.000 đ');
    expect(lines.join('\n')).not.toMatch(/\d{3},\d% số đăng ký/);
  });
});
