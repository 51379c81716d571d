import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignRules } from '../core/campaigns/campaign-rules.ts';
import { choiceFrom, type TestUser, testUser, textFrom } from '../core/testing/builders.ts';
import { bacKanDefinition as definition, setDefinition } from './support/campaign-definition.ts';
import { recordEntry } from './support/fixtures.ts';
import { addMember, createInboundHarness, type InboundHarness } from './support/inbound-harness.ts';
import { rawRows } from './support/raw-sql.ts';
import { type SqliteChat, startSqliteChat } from './support/sqlite-chat.ts';

/**
 * What a campaign's definition says about households and money is what the bot applies (issue 15
 * §1): its own household categories offered as buttons and checked, its stricter eligibility rule
 * applied, the norm in force on the day of an allocation, and its fund's bank account in a pledge
 * receipt and in /congkhai. On the database the suite runs (SQLite or PostgreSQL).
 */

describe('household add in chat with the campaign definition', () => {
  let h: InboundHarness;
  let officer: TestUser;

  /** Answers the add flow up to the summary; `structures` are the answers for foundation, frame, roof. */
  async function addHousehold(
    code: string,
    name: string,
    category: string,
    structures: [string, string, string],
  ) {
    await h.send(choiceFrom(officer, 'menu:hhadd'));
    for (const answer of [code, 'Tổ 3', name, '1961']) {
      await h.send(textFrom(officer, answer));
    }
    const categories = await h.send(choiceFrom(officer, `category:${category}`));
    await h.send(choiceFrom(officer, 'need:new_build'));
    await h.send(choiceFrom(officer, `foundationDurable:${structures[0]}`));
    await h.send(choiceFrom(officer, `frameDurable:${structures[1]}`));
    await h.send(choiceFrom(officer, `roofDurable:${structures[2]}`));
    await h.send(textFrom(officer, '40'));
    await h.send(textFrom(officer, '3'));
    await h.send(choiceFrom(officer, 'landLegal:yes'));
    await h.send(choiceFrom(officer, 'landDisputed:no'));
    await h.send(choiceFrom(officer, 'inLandslideZone:no'));
    const summary = await h.send(choiceFrom(officer, 'confirmedByCommune:yes'));
    return { categories, summary };
  }

  beforeAll(async () => {
    h = await createInboundHarness({ closeWithTest: false });
    officer = testUser('5101', { senderName: 'Lan' });
    await addMember(h, officer, h.demo.unit.id, { fullName: 'Đinh Thị Lan' });
    await setDefinition(h.db, h.demo.campaign.id, definition());
  });

  afterAll(async () => {
    await h.close();
  });

  it("offers the campaign's categories with their labels, and only those", async () => {
    const opened = await h.send(choiceFrom(officer, 'menu:hhadd'));
    expect(opened.text).toContain('Mã hộ');
    for (const answer of ['BK-101', 'Tổ 3', 'Hoàng Thị Mai']) {
      await h.send(textFrom(officer, answer));
    }
    const asked = await h.send(textFrom(officer, '1961'));
    expect(asked.buttons).toEqual([
      'category:poor',
      'category:near_poor',
      'category:ntp_poverty',
      'category:other',
    ]);
    expect(
      asked.replies
        .at(-1)
        ?.choices?.flat()
        .map((c) => c.label),
    ).toEqual(['Hộ nghèo', 'Hộ cận nghèo', 'Hộ thuộc Chương trình MTQG giảm nghèo', 'Khác']);
    // Người có công is a built-in category this campaign does not list: not an answer here.
    const refused = await h.send(choiceFrom(officer, 'category:merit'));
    expect(refused.buttons).toContain('category:ntp_poverty');
    expect((await h.flowOf(officer))?.step).toBe('category');
    await h.send(textFrom(officer, '/huy'));
  });

  it('assesses with the stricter rule (3 of 3 structures) and stores the campaign category', async () => {
    const two = await addHousehold('BK-102', 'Hoàng Thị Mai', 'ntp_poverty', ['no', 'no', 'yes']);
    expect(two.summary.text).toContain('Hộ thuộc Chương trình MTQG giảm nghèo');
    expect(two.summary.text).toContain('Kết luận: chưa đủ điều kiện hỗ trợ – nhà chưa thuộc diện nhà tạm');
    expect(two.summary.text).toContain('có 2/3 kết cấu chính');
    expect(two.summary.text).toContain('cần ít nhất 3');
    expect((await h.send(choiceFrom(officer, '@confirm:yes'))).text).toContain('Đã thêm hộ Hoàng Thị Mai');

    const three = await addHousehold('BK-103', 'Lục Văn Sính', 'ntp_poverty', ['no', 'no', 'no']);
    expect(three.summary.text).toContain('Kết luận: đủ điều kiện hỗ trợ xây mới.');
    expect(three.summary.text).not.toContain('chưa đủ điều kiện');
    await h.send(choiceFrom(officer, '@confirm:yes'));

    const rows = await h.db.kysely
      .selectFrom('Household')
      .select(['code', 'category', 'eligible'])
      .where('code', 'in', ['BK-102', 'BK-103'])
      .orderBy('code')
      .execute();
    expect(rows).toEqual([
      { code: 'BK-102', category: 'ntp_poverty', eligible: false },
      { code: 'BK-103', category: 'ntp_poverty', eligible: true },
    ]);
  });

  it('gives the norm in force on the allocation day: 50 million until 09/11/2024, 60 from 10/11/2024', async () => {
    const { campaign, unit } = h.demo;
    await h.uow.run(async (tx) => {
      await recordEntry(
        tx,
        campaign,
        { levelUnitId: unit.id, amount: 500_000_000n, occurredOn: '2024-10-15' },
        new Date('2024-10-15T03:00:00Z'),
      );
    });
    const ids = (
      await h.db.kysely
        .selectFrom('Household')
        .select('id')
        .where('code', 'in', ['BK-102', 'BK-103'])
        .orderBy('code')
        .execute()
    ).map((r) => r.id);
    const allocate = (householdId: number | undefined, amount: bigint, occurredOn: string) =>
      h.uow.run((tx) =>
        recordEntry(
          tx,
          campaign,
          {
            kind: 'allocation',
            levelUnitId: unit.id,
            householdId: householdId ?? 0,
            need: 'new_build',
            amount,
            occurredOn,
          },
          new Date(`${occurredOn}T03:00:00Z`),
        ),
      );
    await expect(allocate(ids[0], 60_000_000n, '2024-11-09')).rejects.toThrow('above_norm');
    await expect(allocate(ids[0], 50_000_000n, '2024-11-09')).resolves.toBeGreaterThan(0);
    await expect(allocate(ids[1], 60_000_000n, '2024-11-10')).resolves.toBeGreaterThan(0);

    const rules = await h.uow.run((tx) => campaignRules(tx, campaign));
    expect(rules.normOn('2024-11-09')).toEqual({ new_build: 50_000_000n, repair: 25_000_000n });
    expect(rules.normOn('2024-11-10')).toEqual({ new_build: 60_000_000n, repair: 30_000_000n });
    expect(rules.povertyStandardOn('2025-06-01')?.reference).toBe('Nghị định 07/2021/NĐ-CP');
    expect(rules.povertyStandardOn('2026-03-01')?.reference).toBe('Nghị định 351/2025/NĐ-CP');
  });

  it("keeps a campaign from before definitions on the national defaults and its row's norm", async () => {
    await setDefinition(h.db, h.demo.campaign.id, '{}');
    const rules = await h.uow.run((tx) => campaignRules(tx, h.demo.campaign));
    expect(rules.defined).toBe(false);
    expect(rules.normOn('2024-11-09')).toEqual({ new_build: 60_000_000n, repair: 30_000_000n });
    expect(rules.eligibility.minNonDurableStructures).toBe(2);
    expect(rules.categories.map((c) => c.code)).toEqual(['poor', 'near_poor', 'merit', 'other']);
    expect(rules.fundAccount('058')).toBeUndefined();
    const asked = await addHousehold('BK-104', 'Ma Thị Hiền', 'merit', ['no', 'no', 'yes']);
    // The national rule (2 of 3 structures) and the built-in category.
    expect(asked.categories.text).toContain('Nhu cầu');
    expect(asked.summary.text).toContain('Người có công');
    expect(asked.summary.text).not.toContain('chưa đủ điều kiện');
  });
});

describe('the fund account of the pledge level in the receipt and in /congkhai', () => {
  let chat: SqliteChat;
  const org = () => chat.user('org-phunu');

  beforeAll(async () => {
    chat = await startSqliteChat('2025-03-10T03:00:00Z');
    const [campaign] = await rawRows(chat.db, 'SELECT "id" FROM "Campaign" WHERE "code" = ?', [
      'BK-XNT-2025',
    ]);
    await setDefinition(chat.db, Number(campaign?.id), definition());
  });

  afterAll(async () => {
    await chat.close();
  });

  it('tells the donor where to transfer, with the pledge number as the transfer note', async () => {
    await chat.press(org(), 'menu:pledge');
    await chat.press(org(), 'kind:money');
    await chat.say(org(), '50 triệu');
    await chat.press(org(), 'target:0');
    await chat.say(org(), '31/3');
    await chat.press(org(), 'publicName:yes');
    const done = await chat.press(org(), '@confirm:yes');
    expect(done.text).toContain('Số đăng ký: UH-0001');
    expect(done.text).toContain(
      '🏦 Chuyển khoản về Quỹ «Vì người nghèo» thành phố Bắc Kạn: Ngân hàng Agribank chi nhánh Bắc Kạn, số tài khoản 8300201001234, chủ tài khoản Ủy ban MTTQ Việt Nam thành phố Bắc Kạn, nội dung: UH-0001',
    );
  });

  it('lists the accounts the campaign defines in /congkhai', async () => {
    const summary = await chat.command(chat.user('guest-congkhai-1'), 'congkhai');
    expect(summary.text).toContain('🏦 Tài khoản tiếp nhận ủng hộ:');
    expect(summary.text).toContain(
      '• Quỹ "Vì người nghèo" thành phố Bắc Kạn: Ngân hàng Agribank chi nhánh Bắc Kạn, số tài khoản 8300201001234',
    );
    // A ward the definition gives no account is not listed.
    expect(summary.text).not.toContain('Quỹ "Vì người nghèo" phường Đức Xuân: Ngân hàng');
  });
});
