import { describe, expect, it } from 'vitest';
import type { CampaignRecord } from '../../core/campaigns/campaign.ts';
import { generatePeriods } from '../../core/campaigns/periods.ts';
import { CONFIRM_STEP } from '../../core/flows/flow.ts';
import { runReminders } from '../../core/reminders/run-reminders.ts';
import {
  choiceFrom,
  commandFrom,
  DEMO_NOW,
  type TestUser,
  testUser,
  textFrom,
} from '../../core/testing/builders.ts';
import {
  addMember,
  createInboundHarness,
  type InboundHarness,
  type Sent,
} from '../support/inbound-harness.ts';

/**
 * Several campaigns at once, each over its own area (issue 15 §1): the demo campaign over the city
 * of Bắc Kạn (due day 15, officers addressed "đồng chí") and a second one over a province the seed
 * does not know (due day 10, "anh/chị"). Each officer's report lands in their own campaign's
 * period, each is reminded by their own campaign's schedule; a closed campaign refuses reports and
 * pledges with a message naming whom to contact and reminds nobody; a stranger giving money chooses
 * among the campaigns that run.
 */

const ANSWERS: Record<string, string> = {
  period: '1',
  approvedNew: '4',
  approvedRepair: '2',
  startedNew: '3',
  startedRepair: '1',
  completedNew: '2',
  completedRepair: '1',
  handedOverNew: '1',
  handedOverRepair: '0',
  moneyReceived: '20tr',
  moneyPaid: '10tr',
  labourDays: '40',
  difficulties: 'Không có',
  proposals: 'Không có',
  photo: 'Không có',
  decreaseReason: 'Rà soát lại danh sách',
};

interface World {
  h: InboundHarness;
  city: number;
  province: number;
  ward: number;
  second: number;
  ducXuanOfficer: TestUser;
  thaiNguyenOfficer: TestUser;
}

async function twoCampaigns(): Promise<World> {
  const h = await createInboundHarness();
  const k = h.db.kysely;
  // The demo campaign covers the city its ward belongs to.
  const city = await h.addUnit({ code: '058', name: 'Thành phố Bắc Kạn', kind: 'city' });
  await k.updateTable('Unit').set({ parentId: city.id }).where('id', '=', h.demo.unit.id).execute();
  await k.updateTable('Campaign').set({ areaUnitId: city.id }).where('id', '=', h.demo.campaign.id).execute();
  const built = await h.uow.run(async (tx) => {
    const at = new Date(DEMO_NOW);
    const province = await tx.units.create(
      { code: '19', name: 'Tỉnh Thái Nguyên', kind: 'province', parentId: null, validFrom: '2025-01-01' },
      at,
    );
    const ward = await tx.units.create(
      {
        code: '05500',
        name: 'Phường Phan Đình Phùng',
        kind: 'ward',
        parentId: province,
        validFrom: '2025-01-01',
      },
      at,
    );
    const record: CampaignRecord = {
      code: 'TN-NCC-2025',
      name: 'Hỗ trợ nhà ở cho người có công tỉnh Thái Nguyên',
      timeZone: 'Asia/Ho_Chi_Minh',
      startsOn: '2025-01-01',
      endsOn: '2025-12-31',
      monthlyDueDay: 10,
      quarterlyDueDay: 10,
      finalDueOn: '2025-12-05',
      normNewBuild: 60_000_000n,
      normRepair: 30_000_000n,
      areaUnitId: province,
      addressForm: 'anh/chị',
      closedOn: null,
      definition: '{}',
      settings: '{}',
    };
    const second = await tx.campaigns.create(record);
    await tx.campaigns.addPeriods(second, generatePeriods(record));
    return { province, ward, second };
  });
  const ducXuanOfficer = testUser('7001');
  await addMember(h, ducXuanOfficer, h.demo.unit.id, { fullName: 'Trần Thị Bình' });
  const thaiNguyenOfficer = testUser('7002');
  await addMember(h, thaiNguyenOfficer, built.ward, { fullName: 'Đỗ Văn Cường' });
  return { h, city: city.id, ...built, ducXuanOfficer, thaiNguyenOfficer };
}

/** Opens the report for the officer's unit and answers every step, then confirms. */
async function report(h: InboundHarness, user: TestUser, unitId: number): Promise<Sent> {
  let sent = await h.send(choiceFrom(user, `menu:report:${unitId}`));
  for (let i = 0; i < 30; i++) {
    const step = (await h.flowOf(user))?.step;
    if (step === undefined) {
      return sent;
    }
    if (step === CONFIRM_STEP) {
      return h.send(choiceFrom(user, '@confirm:yes'));
    }
    const answer = ANSWERS[step];
    if (answer === undefined) {
      throw new Error(`no answer for step ${step}`);
    }
    sent = await h.send(textFrom(user, answer));
  }
  throw new Error('the report never ended');
}

async function periodCampaign(h: InboundHarness, periodId: number): Promise<number> {
  const row = await h.db.kysely
    .selectFrom('ReportingPeriod')
    .select(['campaignId'])
    .where('id', '=', periodId)
    .executeTakeFirstOrThrow();
  return row.campaignId;
}

async function remindersAt(h: InboundHarness, iso: string) {
  await h.uow.run((tx) => runReminders(tx, new Date(iso)));
  return (await h.tables()).outbox.filter((m) => m.purpose === 'reminder' || m.purpose === 'escalation');
}

describe('two campaigns over different areas at once', () => {
  it("puts each officer's report in their own campaign's period", async () => {
    const w = await twoCampaigns();
    const dx = await report(w.h, w.ducXuanOfficer, w.h.demo.unit.id);
    expect(dx.text).toContain('BC-202502-01840-1');
    const tn = await report(w.h, w.thaiNguyenOfficer, w.ward);
    expect(tn.text).toContain('BC-202502-05500-1');
    const [ducXuan] = await w.h.reportsOf(w.h.demo.unit.id);
    const [thaiNguyen] = await w.h.reportsOf(w.ward);
    expect(ducXuan && (await periodCampaign(w.h, ducXuan.periodId))).toBe(w.h.demo.campaign.id);
    expect(thaiNguyen && (await periodCampaign(w.h, thaiNguyen.periodId))).toBe(w.second);
    // February's report: due before 15/03 in the city (on time on 10/03), before 10/03 in the province.
    expect(ducXuan?.late).toBe(false);
    expect(thaiNguyen?.late).toBe(true);
  });

  it("reminds each officer by their own campaign's schedule and form of address", async () => {
    const w = await twoCampaigns();
    // March's report: last day 09/04 in the province (first reminder 04/04), 14/04 in the city (09/04).
    const early = await remindersAt(w.h, '2025-04-04T01:00:00Z');
    expect(early.map((m) => m.chatId)).toEqual([w.thaiNguyenOfficer.chatId]);
    expect(early[0]?.message.text).toContain(
      'Phường Phan Đình Phùng chưa gửi báo cáo tháng 3/2025, hạn 09/04/2025',
    );
    expect(early[0]?.message.text).toContain('Anh/chị gõ /baocao');
    const later = (await remindersAt(w.h, '2025-04-09T01:00:00Z')).filter(
      (m) => !early.some((e) => e.id === m.id),
    );
    const ducXuan = later.find((m) => m.chatId === w.ducXuanOfficer.chatId);
    expect(ducXuan?.message.text).toContain('Phường Đức Xuân chưa gửi báo cáo tháng 3/2025, hạn 14/04/2025');
    expect(ducXuan?.message.text).toContain('Đồng chí gõ /baocao');
    // The province's last day: its officer is told so, by the province's campaign.
    const thaiNguyen = later.find((m) => m.chatId === w.thaiNguyenOfficer.chatId);
    expect(thaiNguyen?.message.text).toContain('hôm nay (09/04/2025) là hạn cuối');
  });

  it('lets a stranger choose which running campaign to give to, and records the pledge there', async () => {
    const w = await twoCampaigns();
    const stranger = testUser('7100');
    const asked = await w.h.send(commandFrom(stranger, 'ungho'));
    expect(asked.text).toContain('Anh/chị muốn ủng hộ cuộc vận động nào?');
    expect(asked.replies.flatMap((r) => (r.choices ?? []).flat().map((c) => c.label)).sort()).toEqual([
      'Hỗ trợ nhà ở cho người có công tỉnh Thái Nguyên',
      'Xóa nhà tạm, nhà dột nát',
    ]);
    await w.h.send(choiceFrom(stranger, `campaign:${w.second}`));
    await w.h.send(choiceFrom(stranger, 'donorKind:enterprise'));
    await w.h.send(textFrom(stranger, 'Công ty TNHH Gang Thép'));
    await w.h.send(textFrom(stranger, '0912 345 678'));
    const level = await w.h.send(choiceFrom(stranger, 'kind:money'));
    expect(level.text).not.toContain('cấp nào');
    const levels = await w.h.send(textFrom(stranger, '5tr'));
    // Only the levels of the campaign chosen: the province and its ward, not the city of Bắc Kạn.
    expect(levels.buttons.sort()).toEqual([`level:${w.province}`, `level:${w.ward}`].sort());
    await w.h.send(choiceFrom(stranger, `level:${w.province}`));
    await w.h.send(choiceFrom(stranger, 'target:0'));
    await w.h.send(choiceFrom(stranger, 'dueOn:'));
    const summary = await w.h.send(choiceFrom(stranger, 'publicName:no'));
    expect(summary.text).toContain('Hỗ trợ nhà ở cho người có công tỉnh Thái Nguyên');
    await w.h.send(choiceFrom(stranger, '@confirm:yes'));
    const pledges = await w.h.db.kysely
      .selectFrom('Pledge')
      .select(['campaignId', 'fundUnitId', 'amount'])
      .execute();
    expect(pledges).toEqual([{ campaignId: w.second, fundUnitId: w.province, amount: 5_000_000n }]);
  });

  it("asks nothing when one campaign runs, and an organisation's leader gives to their own unit's campaign", async () => {
    const w = await twoCampaigns();
    await w.h.uow.run((tx) => tx.campaigns.setClosedOn(w.second, '2025-03-01'));
    const stranger = testUser('7101');
    const first = await w.h.send(commandFrom(stranger, 'ungho'));
    expect(first.text).not.toContain('cuộc vận động nào');
    expect(first.buttons).toContain('donorKind:enterprise');

    await w.h.uow.run((tx) => tx.campaigns.setClosedOn(w.second, null));
    const org = await w.h.addUnit({
      code: 'HLHPN-19',
      name: 'Hội LHPN tỉnh Thái Nguyên',
      kind: 'member_org',
      parentId: w.province,
    });
    const leader = testUser('7102');
    await addMember(w.h, leader, org.id, { role: 'org_leader', fullName: 'Hà Thị Lan' });
    const asked = await w.h.send(commandFrom(leader, 'ungho'));
    expect(asked.text).not.toContain('cuộc vận động nào');
    await w.h.send(choiceFrom(leader, 'kind:money'));
    await w.h.send(textFrom(leader, '50tr'));
    await w.h.send(choiceFrom(leader, 'target:0'));
    await w.h.send(choiceFrom(leader, 'dueOn:'));
    await w.h.send(choiceFrom(leader, 'publicName:yes'));
    await w.h.send(choiceFrom(leader, '@confirm:yes'));
    const pledges = await w.h.db.kysely
      .selectFrom('Pledge')
      .select(['campaignId', 'fundUnitId', 'orgUnitId'])
      .execute();
    expect(pledges).toEqual([{ campaignId: w.second, fundUnitId: w.province, orgUnitId: org.id }]);
  });
});

describe('a closed campaign', () => {
  async function closedSecond() {
    const w = await twoCampaigns();
    await w.h.uow.run((tx) => tx.campaigns.setClosedOn(w.second, '2025-03-01'));
    const admin = testUser('7200');
    await addMember(w.h, admin, w.province, { role: 'admin', fullName: 'Lê Văn Quản' });
    return w;
  }

  it('refuses a report with a clear message naming whom to contact, and saves nothing', async () => {
    const w = await closedSecond();
    const sent = await w.h.send(choiceFrom(w.thaiNguyenOfficer, `menu:report:${w.ward}`));
    expect(sent.text).toContain(
      'Cuộc vận động «Hỗ trợ nhà ở cho người có công tỉnh Thái Nguyên» đã khép lại từ ngày 01/03/2025, ' +
        'nên bot không nhận thêm báo cáo. Mọi số liệu vẫn xem và xuất được. ' +
        'Cần hỗ trợ, anh/chị liên hệ Lê Văn Quản (Tỉnh Thái Nguyên).',
    );
    expect(await w.h.flowOf(w.thaiNguyenOfficer)).toBeUndefined();
    expect(await w.h.reportsOf(w.ward)).toEqual([]);
    // The other campaign carries on: Đức Xuân reports as before.
    expect((await report(w.h, w.ducXuanOfficer, w.h.demo.unit.id)).text).toContain('BC-202502-01840-1');
  });

  it('refuses a report confirmed after it closed', async () => {
    const w = await twoCampaigns();
    await w.h.send(choiceFrom(w.thaiNguyenOfficer, `menu:report:${w.ward}`));
    for (let i = 0; i < 30; i++) {
      const step = (await w.h.flowOf(w.thaiNguyenOfficer))?.step;
      if (step === CONFIRM_STEP) {
        break;
      }
      await w.h.send(textFrom(w.thaiNguyenOfficer, ANSWERS[step ?? ''] ?? ''));
    }
    expect((await w.h.flowOf(w.thaiNguyenOfficer))?.step).toBe(CONFIRM_STEP);
    await w.h.uow.run((tx) => tx.campaigns.setClosedOn(w.second, '2025-03-01'));
    const done = await w.h.send(choiceFrom(w.thaiNguyenOfficer, '@confirm:yes'));
    expect(done.text).toContain('đã khép lại từ ngày 01/03/2025, nên bot không nhận thêm báo cáo');
    expect(await w.h.reportsOf(w.ward)).toEqual([]);
  });

  it("refuses a pledge from an organisation's leader of its area", async () => {
    const w = await closedSecond();
    const org = await w.h.addUnit({
      code: 'HLHPN-19',
      name: 'Hội LHPN tỉnh Thái Nguyên',
      kind: 'member_org',
      parentId: w.province,
    });
    const leader = testUser('7201');
    await addMember(w.h, leader, org.id, { role: 'org_leader', fullName: 'Hà Thị Lan' });
    const sent = await w.h.send(commandFrom(leader, 'ungho'));
    expect(sent.text).toContain('đã khép lại từ ngày 01/03/2025, nên bot không nhận thêm đăng ký ủng hộ');
    expect(sent.text).toContain('Lê Văn Quản (Tỉnh Thái Nguyên)');
    expect(await w.h.db.kysely.selectFrom('Pledge').select('id').execute()).toEqual([]);
  });

  it('sends no reminder and no escalation, while the open campaign still reminds', async () => {
    const w = await closedSecond();
    const leader = testUser('7202');
    await addMember(w.h, leader, w.province, { role: 'leader', fullName: 'Phạm Văn Đông' });
    await remindersAt(w.h, '2025-04-04T01:00:00Z');
    await remindersAt(w.h, '2025-04-09T01:00:00Z');
    // Past the province's deadline: an open campaign would now escalate to its leader.
    const sent = await remindersAt(w.h, '2025-04-12T01:00:00Z');
    expect(sent.map((m) => m.chatId)).not.toContain(w.thaiNguyenOfficer.chatId);
    expect(sent.map((m) => m.chatId)).not.toContain(leader.chatId);
    expect(sent.map((m) => m.chatId)).toContain(w.ducXuanOfficer.chatId);
  });
});
