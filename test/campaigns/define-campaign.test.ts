import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PeriodKind } from '../../core/campaigns/campaign.ts';
import { closeCampaign, createCampaign, updateCampaign } from '../../core/campaigns/define-campaign.ts';
import {
  type CampaignDefinitionInput,
  definitionFromJson,
  ZCampaignDefinition,
} from '../../core/campaigns/definition.ts';
import { schedulePeriods } from '../../core/campaigns/periods.ts';
import { pledgeSafeguards } from '../../core/funds/pledge-verification.ts';
import { CLI_SOURCE } from '../../core/messaging/outbox.repository.ts';
import { reminderPolicy } from '../../core/reminders/run-reminders.ts';
import type { Tx, UnitOfWork } from '../../core/unit-of-work.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import { createStore } from '../../prisma/store.ts';
import { migratedDb } from '../support/app-harness.ts';
import { rawNumber } from '../support/raw-sql.ts';

/** 10/08/2026, 10:00 in Vietnam. */
const NOW = new Date('2026-08-10T03:00:00Z');

const BASE: CampaignDefinitionInput = {
  code: 'TN-NCC-2026',
  name: 'Hỗ trợ nhà ở cho người có công tỉnh Thái Nguyên 2026',
  area: '19',
  startsOn: '2026-03-01',
  endsOn: '2026-12-31',
  schedule: {
    monthly: { dueDay: 15 },
    quarterly: { dueDay: 15 },
    final: { dueOn: '2026-12-10' },
  },
  norms: [
    { from: '2026-03-01', to: '2026-06-30', newBuild: '60tr', repair: '30tr' },
    { from: '2026-07-01', newBuild: '70tr', repair: '35tr' },
  ],
  funds: [
    { unit: '19', bank: 'Vietcombank', accountNumber: '0000000019', accountName: 'Quỹ Vì người nghèo' },
  ],
  reminders: { offsetsDays: [3, 0], sendAt: '07:30' },
  commendation: { minOnTimeShare: 0.9 },
  pledges: { perChatPerDay: 2 },
};

const definition = (changes: Partial<CampaignDefinitionInput> = {}) =>
  ZCampaignDefinition.parse({ ...BASE, ...changes });

const KINDS: PeriodKind[] = ['weekly', 'monthly', 'quarterly', 'semiannual', 'final'];

async function periodsOf(tx: Tx, campaignId: number) {
  const all = [];
  for (const kind of KINDS) {
    all.push(...(await tx.campaigns.listPeriods(campaignId, kind)));
  }
  return all;
}

/** Rows of the tables a refused definition must leave alone. */
async function counts(db: SqlDb) {
  return {
    campaigns: await rawNumber(db, 'SELECT COUNT(*) FROM "Campaign"'),
    periods: await rawNumber(db, 'SELECT COUNT(*) FROM "ReportingPeriod"'),
    audit: await rawNumber(db, 'SELECT COUNT(*) FROM "AuditLog"'),
  };
}

describe('a campaign from its definition (issue 15 §1)', () => {
  let db: SqlDb;
  let store: UnitOfWork;
  let close: () => Promise<void>;
  let units: Record<'nation' | 'province' | 'city' | 'oldWard' | 'newWard' | 'org', number>;

  beforeEach(async () => {
    ({ db, close } = await migratedDb());
    store = createStore(db);
    units = await store.run(async (tx) => {
      const unit = (code: string, name: string, kind: string, parentId: number | null, validFrom: string) =>
        tx.units.create({ code, name, kind, parentId, validFrom }, NOW);
      const nation = await unit('VN', 'Việt Nam', 'nation', null, '1976-07-02');
      const province = await unit('19', 'Tỉnh Thái Nguyên', 'province', nation, '2025-07-01');
      const city = await unit('058', 'Thành phố Bắc Kạn', 'city', nation, '2015-01-01');
      await tx.units.end([city], '2025-06-30');
      // A GSO code reused on 01/07/2025: the old ward until 30/06/2025, the new one from 01/07/2025.
      const oldWard = await unit('01840', 'Phường Đức Xuân (cũ)', 'ward', city, '2015-01-01');
      await tx.units.end([oldWard], '2025-06-30');
      const newWard = await unit('01840', 'Phường Đức Xuân', 'ward', province, '2025-07-01');
      const org = await unit('HLHPN-19', 'Hội LHPN tỉnh Thái Nguyên', 'member_org', province, '2025-07-01');
      return { nation, province, city, oldWard, newWard, org };
    });
  });

  afterEach(async () => {
    await close();
  });

  it('creates the row, its settings, its periods and an audit row', async () => {
    const created = await store.run((tx) => createCampaign(tx, definition(), CLI_SOURCE, NOW));
    if (!created.ok) {
      throw new Error(JSON.stringify(created.problems));
    }
    const { campaign } = created;
    expect(campaign).toMatchObject({
      code: 'TN-NCC-2026',
      areaUnitId: units.province,
      startsOn: '2026-03-01',
      endsOn: '2026-12-31',
      closedOn: null,
      addressForm: 'đồng chí',
      monthlyDueDay: 15,
      quarterlyDueDay: 15,
      finalDueOn: '2026-12-10',
      // Created in August: the norm in force today, not the one of the start.
      normNewBuild: 70_000_000n,
      normRepair: 35_000_000n,
    });
    await store.run(async (tx) => {
      const settings = await tx.reminders.settings(campaign.id);
      expect(Object.keys(settings).sort()).toEqual([
        'commendationCriteria',
        'pledgeSafeguards',
        'reminderPolicy',
      ]);
      // What runtime code reads: the file's values over the defaults.
      expect((await reminderPolicy(tx, campaign.id)).offsetsDays).toEqual([3, 0]);
      expect((await reminderPolicy(tx, campaign.id)).sendAt).toBe('07:30');
      expect(await pledgeSafeguards(tx, campaign.id)).toEqual({
        perChatPerDay: 2,
        anonymousPerHour: 30,
        verifyAbove: 500_000_000,
      });
      expect(settings.commendationCriteria).toMatchObject({ minOnTimeShare: 0.9, minHousesCompleted: 1 });
      expect(definitionFromJson(await tx.campaigns.definition(campaign.id))).toEqual(definition());
      const stored = await periodsOf(tx, campaign.id);
      const expected = schedulePeriods(definition());
      expect(stored.map((p) => p.code).sort()).toEqual(expected.map((p) => p.code).sort());
      expect(stored.find((p) => p.code === '2026-03')?.dueOn).toBe('2026-04-15');
      expect(stored.find((p) => p.code === '2026-Q2')?.dueOn).toBe('2026-06-15');
      expect(stored.find((p) => p.code === 'final')?.dueOn).toBe('2026-12-10');
    });
    expect(await rawNumber(db, `SELECT COUNT(*) FROM "AuditLog" WHERE action = 'campaign.create'`)).toBe(1);
  });

  it('takes the version of a reused code valid when the campaign starts', async () => {
    const before = await store.run((tx) =>
      createCampaign(
        tx,
        definition({
          code: 'DX-2025',
          area: '01840',
          startsOn: '2025-01-01',
          endsOn: '2025-06-30',
          schedule: { final: { dueOn: '2025-06-20' } },
          norms: [{ from: '2025-01-01', newBuild: '60tr', repair: '30tr' }],
          funds: [],
        }),
        CLI_SOURCE,
        NOW,
      ),
    );
    const after = await store.run((tx) =>
      createCampaign(tx, definition({ code: 'DX-2026', area: '01840', funds: [] }), CLI_SOURCE, NOW),
    );
    expect(before.ok && before.campaign.areaUnitId).toBe(units.oldWard);
    expect(after.ok && after.campaign.areaUnitId).toBe(units.newWard);
    // Without a monthly or quarterly rule the deadline columns keep the plan's day.
    expect(before.ok && [before.campaign.monthlyDueDay, before.campaign.quarterlyDueDay]).toEqual([15, 15]);
  });

  it('refuses a duplicate code, an unknown, ended, not yet valid or non-area unit, an unknown fund — writing nothing', async () => {
    await store.run((tx) => createCampaign(tx, definition(), CLI_SOURCE, NOW));
    const start = await counts(db);
    const refused = async (changes: Partial<CampaignDefinitionInput>) => {
      const result = await store.run((tx) => createCampaign(tx, definition(changes), CLI_SOURCE, NOW));
      expect(result.ok).toBe(false);
      return result.ok ? [] : result.problems.map((p) => `${p.field}: ${p.message}`);
    };
    expect(await refused({})).toEqual([
      expect.stringMatching(/^code: đã có cuộc vận động mã "TN-NCC-2026".*campaign update --file/),
    ]);
    expect(await refused({ code: 'X-1', area: '99' })).toEqual([
      expect.stringMatching(/^area: không có đơn vị mã "99"/),
    ]);
    expect(await refused({ code: 'X-2', area: '058' })).toEqual([
      expect.stringMatching(
        /^area: .*Thành phố Bắc Kạn.*đã hết hiệu lực sau ngày 30\/06\/2025.*đơn vị kế thừa/,
      ),
    ]);
    expect(
      await refused({
        code: 'X-3',
        startsOn: '2025-03-01',
        norms: [{ from: '2025-03-01', newBuild: '60tr', repair: '30tr' }],
      }),
    ).toEqual([
      expect.stringMatching(
        /^area: .*Tỉnh Thái Nguyên.*chỉ có hiệu lực từ 01\/07\/2025, sau ngày bắt đầu 01\/03\/2025/,
      ),
    ]);
    expect(await refused({ code: 'X-4', area: 'HLHPN-19' })).toEqual([
      expect.stringMatching(/^area: .*là tổ chức thành viên, không phải địa bàn/),
    ]);
    expect(
      await refused({
        code: 'X-5',
        funds: [
          { unit: '19', bank: 'VCB', accountNumber: '0000000019', accountName: 'Quỹ' },
          { unit: '77', bank: 'VCB', accountNumber: '0000000077', accountName: 'Quỹ' },
          { unit: 'HLHPN-19', bank: 'VCB', accountNumber: '0000000078', accountName: 'Quỹ' },
        ],
      }),
    ).toEqual([
      expect.stringMatching(/^funds\[1\]\.unit: không có đơn vị mã "77"/),
      expect.stringMatching(/^funds\[2\]\.unit: .*không có Quỹ "Vì người nghèo" riêng/),
    ]);
    expect(await counts(db)).toEqual(start);
  });

  it('updates the rules: periods not yet due move, those due keep their dates, vanished ones go unless reported', async () => {
    // 10/05/2026: the report of April (due 15/05) is not yet due; March's (due 15/04) is.
    const may = new Date('2026-05-10T03:00:00Z');
    const created = await store.run((tx) => createCampaign(tx, definition(), CLI_SOURCE, may));
    if (!created.ok) {
      throw new Error('not created');
    }
    const id = created.campaign.id;
    await store.run(async (tx) => {
      const q1 = (await tx.campaigns.listPeriods(id, 'quarterly')).find((p) => p.code === '2026-Q1');
      await tx.narratives.create({
        ref: 'BC-Q1',
        periodId: q1?.id ?? 0,
        unitId: units.newWard,
        personId: 1,
        revision: 1,
        answers: { summary: 'Đã khởi công 2 nhà' },
        late: false,
        channel: 'telegram',
        submittedAt: new Date('2026-03-10T03:00:00Z'),
      });
      await tx.reminders.saveSettings(id, { ...(await tx.reminders.settings(id)), note: 'kept' });
    });
    const next = definition({
      name: 'Hỗ trợ nhà ở cho người có công tỉnh Thái Nguyên 2026 (sửa đổi)',
      schedule: {
        monthly: { dueDay: 20 },
        semiannual: { dueDay: 10 },
        final: { dueOn: '2026-12-15' },
      },
      reminders: { offsetsDays: [1] },
    });
    const updated = await store.run((tx) => updateCampaign(tx, 'TN-NCC-2026', next, CLI_SOURCE, may));
    if (!updated.ok) {
      throw new Error(JSON.stringify(updated.problems));
    }
    expect(updated.campaign).toMatchObject({
      name: 'Hỗ trợ nhà ở cho người có công tỉnh Thái Nguyên 2026 (sửa đổi)',
      monthlyDueDay: 20,
      quarterlyDueDay: 15,
      finalDueOn: '2026-12-15',
      // In May the first norm is in force.
      normNewBuild: 60_000_000n,
    });
    const { periods } = updated;
    expect(periods.moved.map((m) => `${m.code} ${m.dueBefore}→${m.dueAfter}`)).toContain(
      '2026-04 2026-05-15→2026-05-20',
    );
    expect(periods.moved.map((m) => m.code)).toContain('final');
    expect(periods.keptDue.map((p) => p.code)).toEqual(['2026-03']);
    expect(periods.keptReported.map((p) => p.code)).toEqual(['2026-Q1']);
    expect(periods.removed.map((p) => p.code).sort()).toEqual(['2026-Q2', '2026-Q3', '2026-Q4']);
    expect(periods.added.map((p) => p.code)).toEqual(['2026-H1', '2026-H2']);
    await store.run(async (tx) => {
      const monthly = await tx.campaigns.listPeriods(id, 'monthly');
      expect(monthly.find((p) => p.code === '2026-03')?.dueOn).toBe('2026-04-15');
      expect(monthly.find((p) => p.code === '2026-04')?.dueOn).toBe('2026-05-20');
      expect(monthly.find((p) => p.code === '2026-10')?.dueOn).toBe('2026-11-20');
      expect((await tx.campaigns.listPeriods(id, 'quarterly')).map((p) => p.code)).toEqual(['2026-Q1']);
      expect((await tx.campaigns.listPeriods(id, 'semiannual')).map((p) => p.dueOn)).toEqual([
        '2026-07-10',
        '2027-01-10',
      ]);
      const settings = await tx.reminders.settings(id);
      expect(settings.note).toBe('kept');
      expect((await reminderPolicy(tx, id)).offsetsDays).toEqual([1]);
      expect(definitionFromJson(await tx.campaigns.definition(id)).schedule.monthly?.dueDay).toBe(20);
    });
    const audit = await rawNumber(db, `SELECT COUNT(*) FROM "AuditLog" WHERE action = 'campaign.update'`);
    expect(audit).toBe(1);
  });

  it('refuses to update an unknown campaign or to change its code', async () => {
    await store.run((tx) => createCampaign(tx, definition(), CLI_SOURCE, NOW));
    const start = await counts(db);
    const unknown = await store.run((tx) =>
      updateCampaign(tx, 'TN-XXX', definition({ code: 'TN-XXX' }), CLI_SOURCE, NOW),
    );
    expect(unknown.ok || unknown.problems[0]?.message).toMatch(
      /chưa có cuộc vận động mã "TN-XXX".*campaign create/,
    );
    const renamed = await store.run((tx) =>
      updateCampaign(tx, 'TN-NCC-2026', definition({ code: 'TN-NEW' }), CLI_SOURCE, NOW),
    );
    expect(renamed.ok || renamed.problems[0]?.message).toMatch(/mã cuộc vận động không đổi được/);
    expect(await counts(db)).toEqual(start);
  });

  it('closes from a day and reopens, audited; an update keeps it closed', async () => {
    await store.run((tx) => createCampaign(tx, definition(), CLI_SOURCE, NOW));
    const closed = await store.run((tx) => closeCampaign(tx, 'TN-NCC-2026', '2026-12-31', CLI_SOURCE, NOW));
    expect(closed).toMatchObject({ ok: true, before: null, campaign: { closedOn: '2026-12-31' } });
    expect(
      await store.run((tx) => closeCampaign(tx, 'TN-NCC-2026', '2026-12-31', CLI_SOURCE, NOW)),
    ).toMatchObject({
      ok: false,
      reason: 'unchanged',
    });
    expect(
      await store.run((tx) => closeCampaign(tx, 'TN-NCC-2026', '2026-01-01', CLI_SOURCE, NOW)),
    ).toMatchObject({
      ok: false,
      reason: 'before_start',
    });
    expect(await store.run((tx) => closeCampaign(tx, 'NONE', '2026-12-31', CLI_SOURCE, NOW))).toEqual({
      ok: false,
      reason: 'unknown',
    });
    await store.run((tx) => updateCampaign(tx, 'TN-NCC-2026', definition(), CLI_SOURCE, NOW));
    expect((await store.run((tx) => tx.campaigns.findByCode('TN-NCC-2026')))?.closedOn).toBe('2026-12-31');
    const reopened = await store.run((tx) => closeCampaign(tx, 'TN-NCC-2026', null, CLI_SOURCE, NOW));
    expect(reopened).toMatchObject({ ok: true, before: '2026-12-31', campaign: { closedOn: null } });
    expect((await store.run((tx) => tx.campaigns.findByCode('TN-NCC-2026')))?.closedOn).toBeNull();
    expect(await rawNumber(db, `SELECT COUNT(*) FROM "AuditLog" WHERE action = 'campaign.close'`)).toBe(1);
    expect(await rawNumber(db, `SELECT COUNT(*) FROM "AuditLog" WHERE action = 'campaign.reopen'`)).toBe(1);
  });
});
