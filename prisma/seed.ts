import { createCampaign } from '../core/campaigns/define-campaign.ts';
import type { CampaignDefinition } from '../core/campaigns/definition.ts';
import { formatProblem, readCampaignDefinition } from '../core/campaigns/definition-file.ts';
import { fundEntry } from '../core/funds/fund-service.ts';
import type { HouseholdCategory, HouseholdNeed, HouseholdStatus } from '../core/households/household.ts';
import type { AuditSource } from '../core/messaging/outbox.repository.ts';
import { cumulativeCounts } from '../core/reports/registry-counts.ts';
import { COUNT_FIELDS, type HouseCounts, ZReportFigures } from '../core/reports/report.ts';
import { addDays, dateInZone, fromIsoDate, toIsoDate } from '../core/shared/calendar.ts';
import type { Tx } from '../core/unit-of-work.ts';
import { type AppliedUnits, applyUnitsPlan, unitsState } from '../core/units/apply.ts';
import { planUnitEvents } from '../core/units/changes.ts';
import { eventDay, locateProblems, readUnitEvents } from '../core/units/events-file.ts';
import {
  classifyUnitHeader,
  planUnitList,
  type UnitListField,
  type UnitListRow,
} from '../core/units/unit-list.ts';
import { DEMO_INVITE_CODE, isDemoInvite, PLAYGROUND_CHANNEL, SEED_INVITE_CREATOR } from './demo-marks.ts';
import { insertHousehold } from './household-writer.ts';
import { resolveRelativeDays, SHIPPED, type ShippedFile, shippedText } from './shipped-data.ts';
import type { SqlDb } from './sql-db.ts';
import { createStore } from './store.ts';

export { DEMO_INVITE_CODE, isDemoInvite, PLAYGROUND_CHANNEL, SEED_INVITE_CREATOR };

/**
 * What an empty database is seeded with (issue 15 §3), always from the files shipped in campaigns/
 * (prisma/shipped-data.ts), read by the readers an operator's files go through:
 * - 'reference': what a real deployment's empty database gets (a messenger token set): the Bắc Kạn
 *   history only — the units of 2024, BK-XNT-2025 closed on its shipped `closedOn`, the
 *   reorganisation of 01/07/2025 applied (so the units valid today, province 19 Thái Nguyên and its
 *   wards, exist for a `campaign create`) — no open campaign, nobody in it, no invite, no household;
 * - 'fixture': the Bắc Kạn city campaign BK-XNT-2025 as it ran (open, without its `closedOn`, no
 *   reform) over the units of 2024, with the playground's demo people, the invite DEMO2025 and four
 *   households of Đức Xuân — the test suite's database (test/support/app-harness.ts);
 * - 'living': the playground of `npm start` without a messenger token: the reference data plus the
 *   demo campaign (campaigns/demo/) open today over the units after the reform, its people,
 *   households and the reports of the months already due.
 */
export type SeedProfile = 'reference' | 'fixture' | 'living';

/** Demo people of the fixture: its personas are these identities. */
export const DEMO_PEOPLE = [
  { key: 'officer-ducxuan', fullName: 'Nguyễn Thị Lan', role: 'unit_officer', unit: '01840' },
  { key: 'officer-songcau', fullName: 'Hoàng Văn Minh', role: 'unit_officer', unit: '01837' },
  { key: 'admin', fullName: 'Trần Văn Hùng', role: 'admin', unit: '058' },
  { key: 'leader', fullName: 'Lường Thị Hoa', role: 'leader', unit: '058' },
  { key: 'org-phunu', fullName: 'Nông Thị Mai', role: 'org_leader', unit: 'HLHPN-058' },
  { key: 'fund', fullName: 'Phạm Thị Thu', role: 'fund_officer', unit: '058' },
] as const;

/** The living demo's people, in the units after the reform (the playground lists them in this order). */
export const LIVING_DEMO_PEOPLE = [
  { key: 'officer-ducxuan', fullName: 'Nguyễn Thị Lan', role: 'unit_officer', unit: '01840' },
  { key: 'officer-phongquang', fullName: 'Hoàng Văn Minh', role: 'unit_officer', unit: '01849' },
  { key: 'admin', fullName: 'Trần Văn Hùng', role: 'admin', unit: '19' },
  { key: 'leader', fullName: 'Lường Thị Hoa', role: 'leader', unit: '19' },
  { key: 'org-phunu', fullName: 'Nông Thị Mai', role: 'org_leader', unit: 'HLHPN-19' },
  { key: 'fund', fullName: 'Phạm Thị Thu', role: 'fund_officer', unit: '19' },
  { key: 'donor', fullName: 'Lê Văn Bình', role: 'donor', unit: '19' },
] as const;

type DemoHousehold = readonly [
  code: string,
  village: string,
  headName: string,
  birthYear: number,
  category: HouseholdCategory,
  need: HouseholdNeed,
  status: HouseholdStatus,
];

/** The fixture's households (in Đức Xuân; names and villages are made up). */
export const DEMO_HOUSEHOLD_UNIT = '01840';
export const DEMO_HOUSEHOLDS = [
  ['DX-001', 'Tổ 1', 'Nông Văn Tư', 1956, 'poor', 'new_build', 'approved'],
  ['DX-002', 'Tổ 1', 'Hoàng Thị Mai', 1962, 'near_poor', 'repair', 'approved'],
  ['DX-003', 'Tổ 4', 'Lý Văn Sáng', 1949, 'merit', 'new_build', 'started'],
  ['DX-004', 'Tổ 7', 'Triệu Thị Hoa', 1970, 'poor', 'new_build', 'proposed'],
] as const satisfies readonly DemoHousehold[];

/** The living demo's households by unit code, in several statuses (names and villages are made up). */
export const LIVING_DEMO_HOUSEHOLDS: Readonly<Record<string, readonly DemoHousehold[]>> = {
  '01840': [
    ['DX-001', 'Tổ 1', 'Nông Văn Tư', 1956, 'poor', 'new_build', 'completed'],
    ['DX-002', 'Tổ 1', 'Hoàng Thị Mai', 1962, 'near_poor', 'repair', 'handed_over'],
    ['DX-003', 'Tổ 4', 'Lý Văn Sáng', 1949, 'merit', 'new_build', 'started'],
    ['DX-004', 'Tổ 7', 'Triệu Thị Hoa', 1970, 'poor', 'new_build', 'proposed'],
  ],
  '01843': [
    ['BK-001', 'Tổ 14', 'Ma Văn Thắng', 1958, 'poor', 'new_build', 'approved'],
    ['BK-002', 'Tổ 3', 'Hà Thị Nhung', 1966, 'near_poor', 'repair', 'started'],
    ['BK-003', 'Tổ 9', 'Lục Văn Phúc', 1975, 'poor', 'new_build', 'proposed'],
  ],
  '01849': [
    ['PQ-001', 'Thôn Nà Ỏi', 'Nông Thị Dung', 1961, 'poor', 'new_build', 'started'],
    ['PQ-002', 'Thôn Phiêng Luông', 'Hoàng Văn Khánh', 1952, 'merit', 'repair', 'completed'],
    ['PQ-003', 'Thôn Khuổi Chang', 'Đàm Văn Lợi', 1980, 'near_poor', 'new_build', 'approved'],
  ],
  '02014': [['BT-001', 'Thôn Nà Lẹng', 'Lý Thị Hạnh', 1968, 'poor', 'new_build', 'proposed']],
};

/** Where the demos' households are: unit code and household codes (the fixture's and the living demo's). */
const DEMO_HOUSEHOLD_PLACES: readonly (readonly [string, string[]])[] = Object.entries({
  ...LIVING_DEMO_HOUSEHOLDS,
  [DEMO_HOUSEHOLD_UNIT]: [...DEMO_HOUSEHOLDS, ...(LIVING_DEMO_HOUSEHOLDS[DEMO_HOUSEHOLD_UNIT] ?? [])],
}).map(([unit, households]) => [unit, [...new Set(households.map((h) => h[0]))]] as const);

const INVITE_UNIT: Record<Exclude<SeedProfile, 'reference'>, string> = { fixture: '01852', living: '01843' };

/**
 * Demo data belongs to the playground only: a bot with a Telegram or Zalo token is a real
 * deployment, whose empty database gets the reference data ('reference': the closed Bắc Kạn
 * history, no open campaign) and nobody in it (`START_CAMPAIGN_COMMANDS` start its campaign).
 */
export function wantsDemo(config: { telegram?: unknown; zalo?: unknown }): boolean {
  return config.telegram === undefined && config.zalo === undefined;
}

/**
 * The three commands that start a real deployment's campaign (README, "Starting a new campaign"): the
 * area's units when the database lacks them, the campaign from its definition file, its first admin.
 */
export const START_CAMPAIGN_COMMANDS = [
  'npm run cli -- units import --file <don-vi.csv>',
  'npm run cli -- campaign create --file <chien-dich.yaml>',
  'npm run cli -- admin create --name "<Họ tên>" --unit <mã đơn vị>',
] as const;

/** The commands numbered on one line, the first with `ifMissing` (when it is needed, in the words of the line). */
function startCommandsLine(ifMissing: string): string {
  return START_CAMPAIGN_COMMANDS.map((c, i) => `${i + 1}. ${c}${i === 0 ? ` (${ifMissing})` : ''}`).join(' ');
}

/** What the bot logs when it seeded an empty database, by profile (English, as its other log lines). */
export const SEEDED_LOG: Readonly<Record<SeedProfile, string>> = {
  reference: `empty database: reference data seeded for a real deployment: the history of the Bắc Kạn city campaign 2024–2025 (BK-XNT-2025, closed from 01/07/2025) and the units after the reorganisation of 01/07/2025 (province 19 Thái Nguyên, its wards Đức Xuân and Bắc Kạn, commune Phong Quang); no campaign is open, no people, no invite code. Start your campaign with three commands: ${startCommandsLine('only if its area is not in the database yet')} (README, "Starting a new campaign")`,
  fixture: 'empty database: demo campaign seeded (Bắc Kạn city 2024–2025)',
  living:
    'empty database: playground demo seeded: the Bắc Kạn city campaign 2024–2025 (closed, units reorganised on 01/07/2025) and the open demo campaign TN-XNT-DEMO of Thái Nguyên province',
};

/** What `npm run cli` prints when it seeded a real deployment's empty database (Vietnamese, as its notes). */
export const SEEDED_NOTE_VI = `Cơ sở dữ liệu trống: đã nạp dữ liệu tham chiếu cho triển khai thật — lịch sử cuộc vận động của thành phố Bắc Kạn 2024–2025 (BK-XNT-2025, đã khép lại từ 01/07/2025) và các đơn vị sau sắp xếp ngày 01/07/2025 (tỉnh Thái Nguyên mã 19, phường Đức Xuân, phường Bắc Kạn, xã Phong Quang); chưa có cuộc vận động nào đang chạy, chưa có người dùng, chưa có mã mời. Bắt đầu cuộc vận động bằng ba lệnh: ${startCommandsLine('chỉ khi địa bàn chưa có trong cơ sở dữ liệu')} (README, mục "Starting a new campaign").`;

/** The one command that takes demo people and codes out of a real deployment's database. */
export const DEMO_REMOVE_COMMAND = 'npm run cli -- demo remove';

/** The seed's own audit source: neither a chat nor the operator's shell. */
const SEED_SOURCE: AuditSource = { personId: null, channel: null };

/** The shipped campaigns' time zone (the units' days are read in it). */
const TIME_ZONE = 'Asia/Ho_Chi_Minh';

/** The fixture (the benchmarks' and the suite's demo), whatever the database holds. */
export async function seedDemo(db: SqlDb, now: Date): Promise<void> {
  await db.transaction((t) => seedInto(t, now, 'fixture'));
}

/** "No such file" is a developer's mistake in a shipped file: it stops the seed with the file's problems. */
function problemsError(file: ShippedFile, problems: readonly string[]): Error {
  return new Error(`campaigns/ ${file}: ${problems.join('; ')}`);
}

/** A shipped campaign definition (a template's relative days made real for `today`). */
export function shippedCampaign(
  file: 'bacKanCampaign' | 'demoCampaign',
  today: { year: number; month: number; day: number },
): CampaignDefinition {
  const read = readCampaignDefinition(resolveRelativeDays(shippedText(file), today));
  if (!read.ok) {
    throw problemsError(file, read.problems.map(formatProblem));
  }
  return read.value;
}

/** The rows of a shipped unit list (a CSV without quoted fields), as the unit list reader takes them. */
function shippedUnitRows(file: 'bacKanUnits' | 'demoUnits') {
  const [header = '', ...lines] = shippedText(file)
    .split('\n')
    .filter((l) => l.trim() !== '');
  const fields = header.split(',').map((h) => classifyUnitHeader(h));
  const columns: Partial<Record<UnitListField, string>> = {};
  header.split(',').forEach((h, i) => {
    const field = fields[i];
    if (field !== undefined) {
      columns[field] = h;
    }
  });
  const rows: UnitListRow[] = lines.map((line, i) => {
    const cells: UnitListRow['cells'] = {};
    line.split(',').forEach((value, k) => {
      const field = fields[k];
      if (field !== undefined && value.trim() !== '') {
        cells[field] = value.trim();
      }
    });
    return { rowNumber: i + 2, cells };
  });
  return { rows, columns };
}

/** A shipped unit list imported as `units import --file` imports one. */
async function importUnits(tx: Tx, file: 'bacKanUnits' | 'demoUnits', now: Date): Promise<void> {
  const { rows, columns } = shippedUnitRows(file);
  const planned = planUnitList(rows, columns, await unitsState(tx, now, TIME_ZONE));
  if (!planned.ok) {
    throw problemsError(
      file,
      planned.problems.map((p) => `dòng ${p.row}, ${p.column}: ${p.message}`),
    );
  }
  await applyUnitsPlan(
    tx,
    planned.plan,
    { by: SEED_SOURCE, action: 'units.import', details: { file: SHIPPED[file], added: planned.plan.added } },
    now,
  );
}

/** A shipped campaign created as `campaign create --file` creates one; its id. */
async function createShippedCampaign(tx: Tx, definition: CampaignDefinition, now: Date): Promise<number> {
  const created = await createCampaign(tx, definition, SEED_SOURCE, now);
  if (!created.ok) {
    throw new Error(`campaign ${definition.code}: ${created.problems.map(formatProblem).join('; ')}`);
  }
  return created.campaign.id;
}

/** Writes a profile into an empty database, in the caller's transaction `t`. */
export async function seedInto(t: SqlDb, now: Date, profile: SeedProfile): Promise<void> {
  // Inside the caller's transaction, the store's `run` runs in the same one.
  await createStore(t).run((tx) => seedProfile(t, tx, now, profile));
}

async function seedProfile(t: SqlDb, tx: Tx, now: Date, profile: SeedProfile): Promise<void> {
  await importUnits(tx, 'bacKanUnits', now);
  const bacKan = shippedCampaign('bacKanCampaign', dateInZone(now, TIME_ZONE));
  // The fixture runs the campaign as it was: open, no reform applied. A real deployment and the
  // living demo get its history: closed on its shipped `closedOn`, the units reorganised on 01/07/2025.
  const asItRan = profile === 'fixture';
  const campaignId = await createShippedCampaign(
    tx,
    asItRan ? { ...bacKan, closedOn: undefined } : bacKan,
    now,
  );
  if (!asItRan) {
    await applyShippedReform(tx, now);
  }
  if (profile === 'fixture') {
    await seedPeople(t, now, DEMO_PEOPLE);
    await seedInvite(t, now, INVITE_UNIT.fixture);
    await seedHouseholds(t, now, campaignId, { [DEMO_HOUSEHOLD_UNIT]: DEMO_HOUSEHOLDS });
  }
  if (profile === 'living') {
    await seedLiving(t, tx, now);
  }
  await t.kysely
    .insertInto('AuditLog')
    .values({
      at: now,
      action: profile === 'reference' ? 'seed.reference' : 'seed.demo',
      entity: 'Campaign',
      entityId: String(campaignId),
    })
    .execute();
}

/** The living demo after the Bắc Kạn history: the demo's units and campaign, its life. */
async function seedLiving(t: SqlDb, tx: Tx, now: Date): Promise<void> {
  await importUnits(tx, 'demoUnits', now);
  const today = dateInZone(now, TIME_ZONE);
  const definition = shippedCampaign('demoCampaign', today);
  const campaignId = await createShippedCampaign(tx, definition, now);
  const people = await seedPeople(t, now, LIVING_DEMO_PEOPLE);
  await seedInvite(t, now, INVITE_UNIT.living);
  await seedHouseholds(t, now, campaignId, LIVING_DEMO_HOUSEHOLDS, definition.startsOn);
  await seedReports(tx, now, campaignId, people);
  await seedPledges(tx, now, campaignId, people);
}

/** The persons of a demo, each with a role and a playground identity; their ids by key. */
async function seedPeople(
  t: SqlDb,
  now: Date,
  people: readonly { key: string; fullName: string; role: string; unit: string }[],
): Promise<Map<string, { personId: number; unitId: number; unitCode: string }>> {
  const ids = new Map<string, { personId: number; unitId: number; unitCode: string }>();
  for (const person of people) {
    const unitId = await unitIdOf(t, person.unit);
    const { id: personId } = await t.kysely
      .insertInto('Person')
      .values({ fullName: person.fullName, createdAt: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.kysely
      .insertInto('Membership')
      .values({ personId, unitId, role: person.role, createdAt: now })
      .execute();
    await t.kysely
      .insertInto('ChannelIdentity')
      .values({
        channel: PLAYGROUND_CHANNEL,
        externalUserId: person.key,
        displayName: person.fullName,
        personId,
        createdAt: now,
      })
      .execute();
    ids.set(person.key, { personId, unitId, unitCode: person.unit });
  }
  return ids;
}

/** The id of the latest unit with this code. */
async function unitIdOf(t: SqlDb, code: string): Promise<number> {
  const unit = await t.kysely
    .selectFrom('Unit')
    .select('id')
    .where('code', '=', code)
    .orderBy('validFrom', 'desc')
    .executeTakeFirstOrThrow();
  return unit.id;
}

async function seedInvite(t: SqlDb, now: Date, unitCode: string): Promise<void> {
  await t.kysely
    .insertInto('Invite')
    .values({
      code: DEMO_INVITE_CODE,
      role: 'unit_officer',
      unitId: await unitIdOf(t, unitCode),
      createdBy: SEED_INVITE_CREATOR,
      expiresAt: new Date(now.getTime() + 3650 * 86_400_000),
      createdAt: now,
    })
    .execute();
}

/** 09:00 in Vietnam on a day. */
function atNine(day: string): Date {
  return new Date(`${day}T02:00:00Z`);
}

/** The day `days` after `from` (an ISO date), never later than the day before `now`. */
function dayAfter(from: string, days: number, now: Date): string {
  const latest = toIsoDate(addDays(dateInZone(now, TIME_ZONE), -1));
  const day = toIsoDate(addDays(fromIsoDate(from), days));
  // ISO dates compare as strings.
  if (day < latest) {
    return day;
  }
  return latest;
}

/** The way a house goes, and the days from its proposal to each step (made up, a few months in all). */
const HOUSE_STEPS: readonly (readonly [HouseholdStatus, number])[] = [
  ['approved', 18],
  ['started', 40],
  ['completed', 75],
  ['handed_over', 88],
];

/**
 * A living demo household's history (issue 18 §1): proposed in the campaign's first weeks, then each
 * step up to its status on a day after, none later than yesterday. The registry "as of" a past
 * month's end (the report's figures, the digests) then counts what was done by then.
 */
async function seedHistory(
  t: SqlDb,
  householdId: number,
  status: HouseholdStatus,
  proposedOn: string,
  now: Date,
): Promise<void> {
  const steps = HOUSE_STEPS.slice(0, HOUSE_STEPS.findIndex(([s]) => s === status) + 1);
  await t.kysely
    .updateTable('HouseholdEvent')
    .set({ toStatus: 'proposed', at: atNine(proposedOn) })
    .where('householdId', '=', householdId)
    .execute();
  let from: HouseholdStatus = 'proposed';
  for (const [to, days] of steps) {
    await t.kysely
      .insertInto('HouseholdEvent')
      .values({
        householdId,
        kind: 'status',
        fromStatus: from,
        toStatus: to,
        note: null,
        photos: '[]',
        personId: null,
        channel: null,
        at: atNine(dayAfter(proposedOn, days, now)),
      })
      .execute();
    from = to;
  }
}

/**
 * Demo households by unit code, all created at the seed's instant (how `findDemoData` knows them);
 * with `since` (the living demo's campaign start) each with its history from then.
 */
async function seedHouseholds(
  t: SqlDb,
  now: Date,
  campaignId: number,
  byUnit: Readonly<Record<string, readonly DemoHousehold[]>>,
  since?: string,
): Promise<void> {
  let n = 0;
  for (const [unitCode, households] of Object.entries(byUnit)) {
    const unitId = await unitIdOf(t, unitCode);
    for (const [code, village, headName, birthYear, category, need, status] of households) {
      n += 1;
      const householdId = await insertHousehold(
        t,
        {
          campaignId,
          unitId,
          code,
          village,
          headName,
          birthYear,
          category,
          need,
          status,
          foundationDurable: false,
          frameDurable: false,
          roofDurable: true,
          area: 24,
          members: 3,
          landLegal: true,
          landUndisputed: true,
          outsideLandslideZone: true,
          confirmedByCommune: true,
        },
        now,
        null,
        null,
      );
      if (since !== undefined) {
        await seedHistory(t, householdId, status, dayAfter(since, 2 * n, now), now);
      }
    }
  }
}

/**
 * The events of 01/07/2025 (campaigns/bac-kan-2024-2025/reform-2025-07-01.yaml) on the units of
 * 2024, as `units reorganise --file` applies them (the reference data and the living demo; tests
 * replay it on the fixture).
 */
export async function applyShippedReform(tx: Tx, now: Date): Promise<AppliedUnits> {
  const text = shippedText('bacKanReform');
  const read = readUnitEvents(text);
  if (!read.ok) {
    throw problemsError('bacKanReform', read.problems.map(formatProblem));
  }
  const events = read.value.events.map((event, i) => ({
    event,
    on: eventDay(read.value, event),
    path: ['events', i],
  }));
  const outcome = planUnitEvents(events, await unitsState(tx, now, TIME_ZONE));
  if (!outcome.ok) {
    throw problemsError('bacKanReform', locateProblems(text, outcome.problems).map(formatProblem));
  }
  return applyUnitsPlan(
    tx,
    outcome.plan,
    {
      by: SEED_SOURCE,
      action: 'units.reorganise',
      details: { file: SHIPPED.bacKanReform, source: read.value.source },
    },
    now,
  );
}

/**
 * The reports of the demo's months due before this month, sent three days before each deadline: Đức
 * Xuân sent every one, Phong Quang all but the last on time and that one late, two days ago (the late
 * list, the reminders and this month's reports have something to show). The house counts are the
 * registry's at the month's end (what the report offers to confirm), the money made up.
 */
async function seedReports(
  tx: Tx,
  now: Date,
  campaignId: number,
  people: ReadonlyMap<string, { personId: number; unitId: number; unitCode: string }>,
): Promise<void> {
  // The months due before this month: whatever the day, the officers have a report to send (the one
  // due this month, open or late) and the late list something to show.
  const monthStart = toIsoDate({ ...dateInZone(now, TIME_ZONE), day: 1 });
  const due = (await tx.campaigns.listPeriods(campaignId, 'monthly')).filter((p) => p.dueOn < monthStart);
  // Two days ago, or an hour ago on the first days of a month (never before the seed's instant).
  const lately = new Date(
    Math.min(
      atNine(dayAfter(toIsoDate(dateInZone(now, TIME_ZONE)), -2, now)).getTime(),
      now.getTime() - 3_600_000,
    ),
  );
  const senders = [
    { key: 'officer-ducxuan', periods: due, lateFrom: due.length },
    { key: 'officer-phongquang', periods: due, lateFrom: due.length - 1 },
  ];
  for (const { key, periods, lateFrom } of senders) {
    const sender = people.get(key);
    if (!sender) {
      continue;
    }
    for (const [i, period] of periods.entries()) {
      const step = i + 1;
      const monthEnd = atNine(toIsoDate(addDays(fromIsoDate(period.endsOn), 1)));
      const houses = cumulativeCounts(await tx.households.statusCountsAsOf(sender.unitId, monthEnd));
      const figures = ZReportFigures.parse({
        ...(houses ?? NO_HOUSES),
        // Cumulative money that grows month by month (made up).
        moneyReceived: BigInt(120_000_000 * step),
        moneyPaid: BigInt(90_000_000 * step),
        labourDays: 40 * step,
        difficulties: step === 1 ? 'Một số hộ chưa hoàn thiện giấy tờ đất.' : '',
        proposals: '',
        decreaseReason: null,
      });
      const late = i >= lateFrom;
      await tx.reports.create({
        ...figures,
        ref: `BC-${period.code.replace('-', '')}-${sender.unitCode}-1`,
        periodId: period.id,
        unitId: sender.unitId,
        personId: sender.personId,
        revision: 1,
        late,
        channel: PLAYGROUND_CHANNEL,
        photos: [],
        registryReason: null,
        submittedAt: late ? lately : atNine(toIsoDate(addDays(fromIsoDate(period.dueOn), -3))),
      });
    }
  }
}

/** No house yet: each count of the report 0. */
const NO_HOUSES = Object.fromEntries(COUNT_FIELDS.map((f) => [f, 0])) as HouseCounts;

/**
 * The demo's pledges to the province's fund, made in the last weeks (issue 18 §1): a company's,
 * half received ten days ago; the women's union's, received three days ago; and the donor persona's,
 * made two days ago and not yet paid — the fund officer can record its receipt, and the donor sees
 * the notice. Made-up names.
 */
async function seedPledges(
  tx: Tx,
  now: Date,
  campaignId: number,
  people: ReadonlyMap<string, { personId: number; unitId: number; unitCode: string }>,
): Promise<void> {
  const fund = people.get('fund');
  const donor = people.get('donor');
  const union = people.get('org-phunu');
  if (!fund) {
    return;
  }
  const today = toIsoDate(dateInZone(now, TIME_ZONE));
  const daysAgo = (n: number) => dayAfter(today, -n, now);
  const pledges = [
    {
      donorKind: 'enterprise' as const,
      donorName: 'Công ty TNHH Xây dựng An Phú',
      personId: null,
      orgUnitId: null,
      amount: 200_000_000n,
      madeOn: daysAgo(24),
      paid: [{ amount: 100_000_000n, on: daysAgo(10) }],
    },
    {
      donorKind: 'organisation' as const,
      donorName: 'Hội Liên hiệp Phụ nữ tỉnh Thái Nguyên',
      personId: union?.personId ?? null,
      orgUnitId: union?.unitId ?? null,
      amount: 50_000_000n,
      madeOn: daysAgo(12),
      paid: [{ amount: 50_000_000n, on: daysAgo(3) }],
    },
    {
      donorKind: 'individual' as const,
      donorName: donor ? 'Lê Văn Bình' : 'Một nhà hảo tâm',
      personId: donor?.personId ?? null,
      orgUnitId: null,
      amount: 5_000_000n,
      madeOn: daysAgo(2),
      paid: [],
    },
  ];
  for (const { paid, madeOn, ...p } of pledges) {
    const made = new Date(Math.min(atNine(madeOn).getTime(), now.getTime()));
    const { id: pledgeId } = await tx.pledges.create(
      {
        ...p,
        campaignId,
        donorPhone: null,
        fundUnitId: fund.unitId,
        kind: 'money',
        description: null,
        quantity: null,
        quantityUnit: null,
        householdId: null,
        targetUnitId: null,
        dueOn: toIsoDate(addDays(fromIsoDate(madeOn), 30)),
        publicName: true,
        channel: PLAYGROUND_CHANNEL,
      },
      made,
    );
    for (const receipt of paid) {
      await tx.funds.insert(
        fundEntry({
          campaignId,
          kind: 'receipt',
          levelUnitId: fund.unitId,
          amount: receipt.amount,
          pledgeId,
          occurredOn: receipt.on,
          personId: fund.personId,
          channel: PLAYGROUND_CHANNEL,
        }),
        new Date(Math.min(atNine(receipt.on).getTime(), now.getTime())),
      );
    }
  }
}

/**
 * Whether the database holds a campaign or units, the test `seedIfEmpty` makes, without the Prisma
 * client: a start on an existing database need not load it (issue 14 §7, start-up time and memory).
 */
export async function hasCampaignData(db: SqlDb): Promise<boolean> {
  const campaign = await db.kysely.selectFrom('Campaign').select('id').limit(1).executeTakeFirst();
  const unit = campaign ?? (await db.kysely.selectFrom('Unit').select('id').limit(1).executeTakeFirst());
  return unit !== undefined;
}

/**
 * Seeds only an empty database, so restarts never duplicate it: `demo` false is the reference data
 * (a real deployment), true or 'fixture' the suite's demo, 'living' the playground's (see
 * `SeedProfile`). Two processes starting together on one database seed it once: the lock makes the
 * second wait for the first and then see the seeded data. True when this call seeded.
 */
export async function seedIfEmpty(
  db: SqlDb,
  now: Date,
  opts: { demo: boolean | 'fixture' | 'living' },
): Promise<boolean> {
  if (await hasCampaignData(db)) {
    return false;
  }
  const profile: SeedProfile = opts.demo === false ? 'reference' : opts.demo === true ? 'fixture' : opts.demo;
  return db.transaction(async (t) => {
    await t.lock('seed');
    if (await hasCampaignData(t)) {
      return false;
    }
    await seedInto(t, now, profile);
    return true;
  });
}

/** Demo people and usable demo invite codes found in a database. */
export interface DemoData {
  people: { id: number; fullName: string; active: boolean }[];
  invites: { id: number; code: string }[];
  /** The seeded demo households nobody has worked on since (no later event, pledge or fund entry). */
  households: { id: number; code: string }[];
}

/** The `createdBy` of an invite a person made in chat (core/people/invite-flow.ts). */
function personCreator(personId: number): string {
  return `person:${personId}`;
}

/**
 * The demo in a database: people known only on the playground (the seeded personas and whoever
 * redeemed an invite there), and the unused, unrevoked invites the seed or those people made.
 * People of a real deployment have Telegram or Zalo identities and are never counted.
 */
export async function findDemoData(db: SqlDb): Promise<DemoData> {
  // Through Kysely: with a messenger token the bot asks this at every start, and need not load the
  // Prisma client for it (issue 14 §7).
  const k = db.kysely;
  const people = await k
    .selectFrom('Person as p')
    .select(['p.id', 'p.fullName', 'p.active'])
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('ChannelIdentity as i')
          .select('i.id')
          .whereRef('i.personId', '=', 'p.id')
          .where('i.channel', '=', PLAYGROUND_CHANNEL),
      ),
    )
    .where(({ exists, not, selectFrom }) =>
      not(
        exists(
          selectFrom('ChannelIdentity as i')
            .select('i.id')
            .whereRef('i.personId', '=', 'p.id')
            .where('i.channel', '<>', PLAYGROUND_CHANNEL),
        ),
      ),
    )
    .orderBy('p.id')
    .execute();
  const creators = [SEED_INVITE_CREATOR, ...people.map((p) => personCreator(p.id))];
  const invites = await k
    .selectFrom('Invite')
    .select(['id', 'code'])
    .where('usedAt', 'is', null)
    .where('revokedAt', 'is', null)
    .where((eb) => eb.or([eb('code', '=', DEMO_INVITE_CODE), eb('createdBy', 'in', creators)]))
    .orderBy('id')
    .execute();
  // A demo household: one of the demo's codes in its ward, created at the instant the demo was seeded.
  const seededAt = (
    await k.selectFrom('AuditLog').select('at').where('action', '=', 'seed.demo').execute()
  ).map((a) => a.at);
  const candidates =
    seededAt.length === 0
      ? []
      : await k
          .selectFrom('Household as h')
          .innerJoin('Unit as u', 'u.id', 'h.unitId')
          .select(['h.id', 'h.code', 'h.createdAt'])
          .where((eb) =>
            eb.or(
              DEMO_HOUSEHOLD_PLACES.map(([unit, codes]) =>
                eb.and([eb('u.code', '=', unit), eb('h.code', 'in', codes)]),
              ),
            ),
          )
          .where('h.createdAt', 'in', seededAt)
          .orderBy('h.id')
          .execute();
  const households: DemoData['households'] = [];
  for (const h of candidates) {
    const count = async (table: 'Pledge' | 'FundEntry') =>
      Number(
        (
          await k
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .where('householdId', '=', h.id)
            .executeTakeFirstOrThrow()
        ).n,
      );
    // Worked on since the seed: an event after its creation (the living demo's history is dated before).
    const since = await k
      .selectFrom('HouseholdEvent')
      .select('id')
      .where('householdId', '=', h.id)
      .where('kind', '<>', 'created')
      .where('at', '>=', h.createdAt)
      .limit(1)
      .executeTakeFirst();
    const used = since !== undefined || (await count('Pledge')) > 0 || (await count('FundEntry')) > 0;
    if (!used) {
      households.push({ id: h.id, code: h.code });
    }
  }
  return { people, invites, households };
}
