import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCampaign } from '../../core/campaigns/define-campaign.ts';
import { readCampaignDefinition } from '../../core/campaigns/definition-file.ts';
import { buildDigest } from '../../core/digests/digest.ts';
import { buildExport } from '../../core/exports/build-export.ts';
import { t } from '../../core/messaging/catalog.ts';
import { CLI_SOURCE } from '../../core/messaging/outbox.repository.ts';
import { runReminders } from '../../core/reminders/run-reminders.ts';
import type { TestUser } from '../../core/testing/builders.ts';
import { createStore } from '../../prisma/store.ts';
import { executeCommand, parseCommand } from '../../scripts/cli/commands.ts';
import { FIRST_REPORT_ANSWERS } from '../support/fixtures.ts';
import { type SqliteChat, startSqliteChat } from '../support/sqlite-chat.ts';

/**
 * The ward's figures report follows its campaign's reporting cadence (issue 15 §1), on the seeded
 * database (the Bắc Kạn campaign, monthly only, keeps running beside): a campaign created from a
 * definition file with weekly reports over an area the seed does not know — its officer is
 * reminded of the week, asked for it on /baocao, sends it with the same figures form, gets a
 * BC-2026W07-… reference, is not reminded of it again; `reports list --period 2026-W07`, the late
 * list, the progress export and the deadline digest all count the week. And a monthly report due
 * before day 25 of the same month (dueMonth: same), on time and late.
 */

const WEEKLY_YAML = `
code: ST-XNT-2026
name: Xóa nhà tạm tỉnh Thử Nghiệm 2026
area: "92"
startsOn: 2026-01-05
endsOn: 2026-06-30
addressForm: anh/chị
schedule:
  weekly: { dueWeekday: 3 }
  final: { dueOn: 2026-06-25 }
norms:
  - { from: 2026-01-01, newBuild: 60tr, repair: 30tr }
reminders:
  periodKinds: [weekly, final]
  offsetsDays: [1, 0]
`;

const SAME_MONTH_YAML = `
code: SM-XNT-2026
name: Xóa nhà tạm tỉnh Cùng Tháng 2026
area: "93"
startsOn: 2026-03-01
endsOn: 2026-12-31
addressForm: đồng chí
schedule:
  monthly: { dueDay: 25, dueMonth: same, opensDay: 20 }
  final: { dueOn: 2026-12-20 }
norms:
  - { from: 2026-01-01, newBuild: 60tr, repair: 30tr }
reminders:
  periodKinds: [monthly, final]
  offsetsDays: [2, 0]
`;

let chat: SqliteChat | undefined;

afterEach(async () => {
  await chat?.close();
  chat = undefined;
});

interface Area {
  province: number;
  wards: number[];
  officers: TestUser[];
}

/**
 * A province the seed does not know with two wards (codes `${code}01`, `${code}02`), a campaign over
 * it from `yaml`, and an officer in each ward.
 */
async function campaignOver(c: SqliteChat, code: string, yaml: string): Promise<Area> {
  const read = readCampaignDefinition(yaml);
  if (!read.ok) {
    throw new Error(JSON.stringify(read.problems));
  }
  const store = createStore(c.db);
  const at = c.clock.now();
  const { province, wards } = await store.run(async (tx) => {
    const province = await tx.units.create(
      { code, name: `Tỉnh Thử Nghiệm ${code}`, kind: 'province', parentId: null, validFrom: '2025-07-01' },
      at,
    );
    const wards: number[] = [];
    for (const [i, name] of ['Phường Thử Nghiệm A', 'Xã Thử Nghiệm B'].entries()) {
      wards.push(
        await tx.units.create(
          {
            code: `${code}0${i + 1}`,
            name,
            kind: i === 0 ? 'ward' : 'commune',
            parentId: province,
            validFrom: '2025-07-01',
          },
          at,
        ),
      );
    }
    const created = await createCampaign(tx, read.value, CLI_SOURCE, at);
    if (!created.ok) {
      throw new Error(JSON.stringify(created));
    }
    return { province, wards };
  });
  const officers: TestUser[] = [];
  for (const [i, unitId] of wards.entries()) {
    const officer = c.user(`officer-${code}-${i + 1}`);
    const person = await c.db.kysely
      .insertInto('Person')
      .values({ fullName: `Cán bộ ${code} ${i + 1}`, locale: 'vi', phone: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await c.db.kysely
      .insertInto('ChannelIdentity')
      .values({
        personId: person.id,
        channel: officer.channel,
        externalUserId: officer.senderId,
        displayName: null,
        lastInteractionAt: null,
      })
      .execute();
    await c.db.kysely
      .insertInto('Membership')
      .values({ personId: person.id, unitId, role: 'unit_officer', revokedAt: null })
      .execute();
    officers.push(officer);
  }
  return { province, wards, officers };
}

async function periodId(c: SqliteChat, campaignCode: string, code: string): Promise<number> {
  const row = await c.db.kysely
    .selectFrom('ReportingPeriod')
    .innerJoin('Campaign', 'Campaign.id', 'ReportingPeriod.campaignId')
    .select('ReportingPeriod.id')
    .where('Campaign.code', '=', campaignCode)
    .where('ReportingPeriod.code', '=', code)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Runs the reminder scheduler at `iso` and returns the texts each officer was sent by that pass. */
async function remindersAt(c: SqliteChat, iso: string): Promise<Map<string, string[]>> {
  const before = await c.db.kysely
    .selectFrom('Outbox')
    .select(c.db.kysely.fn.max('id').as('max'))
    .executeTakeFirst();
  await createStore(c.db).run((tx) => runReminders(tx, new Date(iso)));
  const rows = await c.db.kysely
    .selectFrom('Outbox')
    .select(['chatId', 'payload'])
    .where('purpose', '=', 'reminder')
    .where('id', '>', Number(before?.max ?? 0))
    .orderBy('id')
    .execute();
  const out = new Map<string, string[]>();
  for (const r of rows) {
    out.set(r.chatId, [...(out.get(r.chatId) ?? []), (JSON.parse(r.payload) as { text: string }).text]);
  }
  return out;
}

/** Answers the figures form and confirms; returns the receipt. */
async function sendFigures(c: SqliteChat, officer: TestUser): Promise<string> {
  for (const answer of FIRST_REPORT_ANSWERS) {
    await c.say(officer, answer);
  }
  return (await c.press(officer, '@confirm:yes')).text;
}

async function cli(c: SqliteChat, ...argv: string[]): Promise<string> {
  const out: string[] = [];
  await executeCommand(parseCommand(argv), {
    prisma: c.prisma,
    db: c.db,
    now: c.clock.now(),
    out: (line) => out.push(line),
    timeZone: 'Asia/Ho_Chi_Minh',
  });
  return out.join('\n');
}

describe('a campaign with weekly reports (issue 15 §1)', () => {
  it('reminds the week, asks for it on /baocao, takes it with the figures form and a BC-…W… reference', async () => {
    // Monday 16/02/2026, 10:00 in Hà Nội. Week 07 (09/02–15/02) is due before Wednesday 18/02.
    const c = await startSqliteChat('2026-02-16T03:00:00Z');
    chat = c;
    const area = await campaignOver(c, '92', WEEKLY_YAML);
    const [a, b] = area.officers as [TestUser, TestUser];
    const [wardA] = area.wards as [number, number];

    // 08:00 the day before the last day on time: both wards are reminded of week 07, to /baocao.
    const monday = await remindersAt(c, '2026-02-16T01:00:00Z');
    for (const officer of [a, b]) {
      const texts = monday.get(officer.chatId) ?? [];
      expect(texts.join('\n')).toContain('chưa gửi báo cáo tuần 07/2026 (09/02–15/02)');
      expect(texts.join('\n')).toContain('Anh/chị gõ /baocao');
    }
    const buttons = await c.db.kysely
      .selectFrom('Outbox')
      .select('payload')
      .where('chatId', '=', a.chatId)
      .where('purpose', '=', 'reminder')
      .execute();
    const choiceIds = buttons.flatMap(
      (r) =>
        (JSON.parse(r.payload) as { choices?: { id: string }[][] }).choices?.flat().map((ch) => ch.id) ?? [],
    );
    expect(choiceIds).toContain(`menu:report:${wardA}`);

    // The reminder's button opens the figures report: the officer picks the week among those offered.
    const asked = await c.press(a, `menu:report:${wardA}`);
    expect(asked.text).toContain('kỳ nào');
    const labels = asked.replies.flatMap((r) => (r.choices ?? []).flat().map((ch) => ch.label));
    expect(labels.some((l) => l.includes('tuần 08/2026 (16/02–22/02)'))).toBe(true);
    expect(labels.some((l) => l.includes('tuần 07/2026 (09/02–15/02)'))).toBe(true);
    // Week 06 was due before 11/02 and is still unreported: offered, marked overdue.
    expect(labels.some((l) => l.includes('tuần 06/2026') && l.includes('⏰'))).toBe(true);
    const week07 = await periodId(c, 'ST-XNT-2026', '2026-W07');
    const first = await c.press(a, `period:${week07}`);
    expect(first.text).toContain('XÂY MỚI');
    const receipt = await sendFigures(c, a);
    expect(receipt).toContain('Đã nhận báo cáo tuần 07/2026 (09/02–15/02) của Phường Thử Nghiệm A');
    expect(receipt).toContain('Số tham chiếu: BC-2026W07-9201-1');
    expect(receipt).toContain('đúng hạn');
    const saved = await c.db.kysely
      .selectFrom('Report')
      .select(['ref', 'periodId', 'late', 'approvedNew', 'moneyReceived'])
      .where('unitId', '=', wardA)
      .execute();
    expect(saved).toEqual([
      {
        ref: 'BC-2026W07-9201-1',
        periodId: week07,
        late: expect.anything(),
        approvedNew: 4,
        moneyReceived: 300_000_000n,
      },
    ]);
    expect(Boolean(saved[0]?.late)).toBe(false);

    // The last day on time: the ward that reported is not reminded of week 07 again, the other is.
    const tuesday = await remindersAt(c, '2026-02-17T01:00:00Z');
    expect((tuesday.get(a.chatId) ?? []).join('\n')).not.toContain('tuần 07/2026');
    expect((tuesday.get(b.chatId) ?? []).join('\n')).toContain(
      'tuần 07/2026 (09/02–15/02), hôm nay (17/02/2026) là hạn cuối',
    );

    // The operator's list of the week (the code typed in any case).
    const listed = await cli(c, 'reports', 'list', '--period', '2026-w07');
    expect(listed).toContain('BC-2026W07-9201-1');
    expect(listed).toContain('tuần 07/2026');
    expect(listed).not.toContain('BC-2025');
  });

  it('counts the week in the late list, the progress export and the deadline digest', async () => {
    const c = await startSqliteChat('2026-02-16T03:00:00Z');
    chat = c;
    const area = await campaignOver(c, '92', WEEKLY_YAML);
    const [a] = area.officers as [TestUser, TestUser];
    const [wardA] = area.wards as [number, number];
    await c.press(a, `menu:report:${wardA}`);
    await c.press(a, `period:${await periodId(c, 'ST-XNT-2026', '2026-W07')}`);
    await sendFigures(c, a);

    // Wednesday 18/02, 09:00: week 07 is now due.
    const now = new Date('2026-02-18T02:00:00Z');
    c.clock.set(now.toISOString());
    const store = createStore(c.db);
    const late = await store.run((tx) =>
      buildExport(tx, { kind: 'late', params: { scope: [area.province], period: '2026-W07' } }, now),
    );
    if (!late.ok) {
      throw new Error(JSON.stringify(late.refusal));
    }
    const lateSheet = late.workbook.sheets[0];
    expect(lateSheet?.subtitle).toContain('Kỳ báo cáo tuần 07/2026 (09/02–15/02)');
    expect(lateSheet?.rows.map((r) => r.unit)).toEqual(['Xã Thử Nghiệm B']);

    // Every weekly period due so far (weeks 02–07): week 07 late for B only, the others for both.
    const allLate = await store.run((tx) =>
      buildExport(tx, { kind: 'late', params: { scope: [area.province] } }, now),
    );
    const allSheet = allLate.ok ? allLate.workbook.sheets[0] : undefined;
    expect(allSheet?.subtitle).toContain('Các kỳ báo cáo tuần đã đến hạn');
    expect(allSheet?.notes[0]).toMatch(/^Báo cáo tuần phải gửi trước/);
    expect(
      allSheet?.rows.filter((r) => String(r.period).startsWith('tuần 07/2026')).map((r) => r.unit),
    ).toEqual(['Xã Thử Nghiệm B']);
    expect(allSheet?.rows.filter((r) => String(r.period).startsWith('tuần 06/2026'))).toHaveLength(2);

    // The progress export defaults to the latest period due: week 07.
    const progress = await store.run((tx) =>
      buildExport(tx, { kind: 'progress', params: { scope: [area.province] } }, now),
    );
    const progressSheet = progress.ok ? progress.workbook.sheets[0] : undefined;
    expect(progressSheet?.name).toBe('Tiến độ 2026-W07');
    expect(progressSheet?.subtitle).toContain('Kỳ báo cáo tuần 07/2026 (09/02–15/02)');
    expect(progressSheet?.rows.map((r) => [r.unit, r.approvedNew ?? null, r.onTime])).toEqual([
      ['Phường Thử Nghiệm A', 4, 'Đúng hạn'],
      ['Xã Thử Nghiệm B', null, 'Chưa báo cáo'],
    ]);

    // The CLI takes the week's code for both exports.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weekly-'));
    const file = path.join(dir, 'tien-do.xlsx');
    await cli(c, 'export', 'progress', file, '--period', '2026-W07', '--unit', '92');
    expect(fs.statSync(file).size).toBeGreaterThan(0);
    await expect(cli(c, 'export', 'late', file, '--period', '2026-W30', '--unit', '92')).rejects.toThrow(
      /không có kỳ báo cáo tháng hoặc tuần "2026-W30"/,
    );

    // The deadline digest of the morning week 07 fell due: one of two units in.
    const digest = await store.run((tx) =>
      buildDigest(tx, { areaUnitId: area.province, kind: 'deadline', now }),
    );
    const text = (digest?.lines ?? []).map((l) => t('vi', l.key, l.params)).join('\n');
    expect(text).toContain('📝 Báo cáo tuần 07/2026 (09/02–15/02) (hạn 18/02/2026): 1/2 đơn vị đã nộp.');
    expect(text).toContain('Thử Nghiệm B');
  });

  it('leaves the seed campaign monthly: its officer is asked for months, with refs as before', async () => {
    const c = await startSqliteChat('2025-03-10T03:00:00Z');
    chat = c;
    await campaignOver(c, '92', WEEKLY_YAML);
    const officer = c.user('officer-ducxuan');
    const asked = await c.command(officer, 'baocao');
    const labels = asked.replies.flatMap((r) => (r.choices ?? []).flat().map((ch) => ch.label));
    expect(labels.length).toBeGreaterThan(0);
    expect(labels.every((l) => l.includes('tháng'))).toBe(true);
  });
});

describe('a monthly report due the same month (dueMonth: same)', () => {
  it('opens on the 20th, is reminded before the 25th, on time before it and late after', async () => {
    // 19/03/2026: March's report opens on the 20th.
    const c = await startSqliteChat('2026-03-19T03:00:00Z');
    chat = c;
    const area = await campaignOver(c, '93', SAME_MONTH_YAML);
    const [a, b] = area.officers as [TestUser, TestUser];
    const [wardA] = area.wards as [number, number];
    expect((await c.press(a, `menu:report:${wardA}`)).text).toContain('Chưa đến kỳ báo cáo nào');

    // Two days before the last day on time (24/03), in the campaign's own words.
    const reminded = await remindersAt(c, '2026-03-22T01:00:00Z');
    expect((reminded.get(a.chatId) ?? []).join('\n')).toContain(
      'chưa gửi báo cáo tháng 3/2026, hạn 24/03/2026',
    );
    expect((reminded.get(a.chatId) ?? []).join('\n')).toContain('Đồng chí gõ /baocao');

    // 23/03: the only open period is March, asked no question about it.
    c.clock.set('2026-03-23T03:00:00Z');
    expect((await c.press(a, `menu:report:${wardA}`)).text).toContain('XÂY MỚI');
    const receipt = await sendFigures(c, a);
    expect(receipt).toContain('Đã nhận báo cáo tháng 3/2026 của Phường Thử Nghiệm A');
    expect(receipt).toContain('BC-202603-9301-1');
    expect(receipt).toContain('đúng hạn');
    const lastDay = await remindersAt(c, '2026-03-24T01:00:00Z');
    expect(lastDay.get(a.chatId)).toBeUndefined();
    expect((lastDay.get(b.chatId) ?? []).join('\n')).toContain(
      'chưa gửi báo cáo tháng 3/2026, hôm nay (24/03/2026) là hạn cuối',
    );

    // 26/04: April's report was due before 25/04: taken, recorded late.
    c.clock.set('2026-04-26T03:00:00Z');
    // April is the only period offered (March is in): straight to the form, March's figures beside.
    expect((await c.press(a, `menu:report:${wardA}`)).text).toContain(
      'XÂY MỚI (lũy kế đến nay) (kỳ trước: 4)',
    );
    const lateReceipt = await sendFigures(c, a);
    expect(lateReceipt).toContain('Đã nhận báo cáo tháng 4/2026 của Phường Thử Nghiệm A');
    expect(lateReceipt).toContain('BC-202604-9301-1');
    expect(lateReceipt).toContain('gửi sau hạn');
    expect(await cli(c, 'reports', 'list', '--period', '2026-04')).toContain('Trễ hạn');
  });

  it('refuses a definition whose window would open on the due day, naming the field and the fix', () => {
    const read = readCampaignDefinition(
      SAME_MONTH_YAML.replace(
        '{ dueDay: 25, dueMonth: same, opensDay: 20 }',
        '{ dueDay: 10, dueMonth: same }',
      ),
    );
    expect(read.ok).toBe(false);
    const problems = read.ok ? [] : read.problems;
    // The window's day is the default (20): the problem points at the monthly rule's line.
    expect(problems.map((p) => [p.line, p.field])).toEqual([[9, 'schedule.monthly.opensDay']]);
    expect(problems[0]?.message).toContain('đặt opensDay nhỏ hơn dueDay (10)');
  });
});
