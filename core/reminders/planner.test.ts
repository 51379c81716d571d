import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generatePeriods, schedulePeriods } from '../campaigns/periods.ts';
import { zonedParts } from '../shared/calendar.ts';
import {
  describePlan,
  digestLateUnits,
  type Officer,
  type PlannedReminder,
  type PledgeToRemind,
  planReminders,
  type ReminderChat,
  type ReminderInput,
  submissionKey,
  unitHeadsFromMemberships,
} from './planner.ts';
import { DEFAULT_REMINDER_POLICY, parseReminderPolicy, type ReminderPolicy } from './policy.ts';
import { renderReminder } from './texts.ts';

const TZ = 'Asia/Ho_Chi_Minh';

/** '2025-04-10 08:00' on the campaign's wall clock (UTC+7, no DST). */
function at(local: string): Date {
  return new Date(`${local.replace(' ', 'T')}:00+07:00`);
}

function localTime(instant: Date): string {
  const p = zonedParts(instant, TZ);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}`;
}

// The seed plan: monthly reports due on the 15th of the next month, quarterly ones on the 15th of
// the quarter's last month.
const PERIODS = generatePeriods({
  startsOn: '2024-10-01',
  endsOn: '2025-12-31',
  monthlyDueDay: 15,
  quarterlyDueDay: 15,
  finalDueOn: '2025-12-10',
}).map((p, i) => ({ ...p, id: i + 1 }));

function period(code: string) {
  const p = PERIODS.find((x) => x.code === code);
  if (!p) {
    throw new Error(`no period ${code}`);
  }
  return p;
}

const CITY = 100;
const UNITS = [
  { id: 1, name: 'Phường Đức Xuân', parentId: CITY },
  { id: 2, name: 'Phường Sông Cầu', parentId: CITY },
  { id: 3, name: 'Xã Nông Thượng', parentId: CITY },
  { id: 4, name: 'Phường Huyền Tụng', parentId: CITY },
];

function chats(personId: number): ReminderChat[] {
  return [{ channel: personId % 2 === 0 ? 'zalo' : 'telegram', chatId: `chat-${personId}` }];
}

const OFFICERS: Officer[] = [
  { personId: 11, unitId: 1, chats: chats(11) },
  { personId: 12, unitId: 1, chats: chats(12) },
  { personId: 21, unitId: 2, chats: chats(21) },
  // Reported March and April on paper: paused through April's deadline.
  { personId: 31, unitId: 3, chats: chats(31), pausedUntil: '2025-05-15' },
  { personId: 41, unitId: 4, chats: chats(41) },
];

// Wards 1 and 2 have leaders; 3 and 4 fall back to the city's admin.
const HEADS = unitHeadsFromMemberships(UNITS, [
  { personId: 101, unitId: 1, role: 'leader', chats: chats(101) },
  { personId: 102, unitId: 2, role: 'leader', chats: chats(102) },
  { personId: 900, unitId: CITY, role: 'admin', chats: chats(900) },
  { personId: 11, unitId: 1, role: 'unit_officer', chats: chats(11) },
]);

/** When each report of the simulated quarter comes in; everything due before April already has. */
const SUBMITTED_AT: [string, number, string][] = [
  ['2025-03', 1, '2025-04-11 10:00'],
  ['2025-03', 2, '2025-04-14 15:00'],
  ['2025-03', 4, '2025-04-16 10:00'],
  ['2025-04', 2, '2025-05-01 09:00'],
  ['2025-04', 4, '2025-05-15 07:00'],
  ['2025-05', 4, '2025-06-05 10:00'],
  ['2025-Q2', 4, '2025-06-05 10:30'],
  ['2025-05', 1, '2025-06-12 16:00'],
  ['2025-Q2', 2, '2025-06-14 20:00'],
];

function submissionsAt(now: Date, plan = SUBMITTED_AT): Set<string> {
  const done = new Set<string>();
  for (const p of PERIODS.filter((x) => x.dueOn < '2025-04-01')) {
    for (const u of UNITS) {
      done.add(submissionKey(p.id, u.id));
    }
  }
  for (const [code, unitId, when] of plan) {
    if (at(when) <= now) {
      done.add(submissionKey(period(code).id, unitId));
    }
  }
  return done;
}

/** Officer 31 also pledged 10 triệu, due 18/06, never paid. */
const PLEDGE: PledgeToRemind = {
  id: 7,
  ref: 'UH-0007',
  personId: 31,
  chats: chats(31),
  amount: 10_000_000n,
  received: 0n,
  dueOn: '2025-06-18',
  cancelled: false,
};

type Scenario = Omit<ReminderInput, 'alreadySentToday' | 'sentKeys'>;

function scenario(now: Date, overrides: Partial<Scenario> = {}): Scenario {
  return {
    campaign: { timeZone: TZ },
    policy: DEFAULT_REMINDER_POLICY,
    periods: PERIODS,
    units: UNITS,
    officers: OFFICERS,
    submissions: submissionsAt(now),
    unitHeads: HEADS,
    pledges: [PLEDGE],
    ...overrides,
  };
}

interface Sent {
  item: PlannedReminder;
  at: Date;
}

/**
 * Calls the planner every `stepMinutes` and "sends" what it returns the way the outbox does: one
 * row per key, later attempts at a sent key counted as duplicates. `down` skips a stretch of time.
 */
function simulate(options: {
  from: string;
  to: string;
  stepMinutes?: number;
  input: (now: Date) => Scenario;
  useSentKeys?: boolean;
  down?: [string, string];
}): { sent: Map<string, Sent>; duplicates: number; calls: number; firstAfterDowntime: PlannedReminder[] } {
  const sent = new Map<string, Sent>();
  let duplicates = 0;
  let calls = 0;
  let firstAfterDowntime: PlannedReminder[] = [];
  const step = (options.stepMinutes ?? 10) * 60_000;
  const end = at(options.to).getTime();
  let wasDown = false;
  for (let t = at(options.from).getTime(); t < end; t += step) {
    const now = new Date(t);
    if (options.down && now >= at(options.down[0]) && now < at(options.down[1])) {
      wasDown = true;
      continue;
    }
    const today = localTime(now).slice(0, 10);
    const alreadySentToday = new Map<number, number>();
    for (const s of sent.values()) {
      if (s.item.kind !== 'escalation' && localTime(s.at).startsWith(today)) {
        alreadySentToday.set(s.item.personId, (alreadySentToday.get(s.item.personId) ?? 0) + 1);
      }
    }
    const input: ReminderInput = {
      ...options.input(now),
      alreadySentToday,
      ...(options.useSentKeys ? { sentKeys: new Set(sent.keys()) } : {}),
    };
    const planned = planReminders(input, now);
    calls++;
    if (wasDown) {
      firstAfterDowntime = planned;
      wasDown = false;
    }
    for (const item of planned) {
      if (sent.has(item.key)) {
        duplicates++;
      } else {
        sent.set(item.key, { item, at: now });
      }
    }
  }
  return { sent, duplicates, calls, firstAfterDowntime };
}

function sentTable(sent: Map<string, Sent>): Record<string, string> {
  return Object.fromEntries(
    [...sent.values()].map((s) => [s.item.key, `${localTime(s.at)} ${s.item.kind}`]).sort(),
  );
}

/** For each deadline, the policy's reminders to each officer who still owed the report. */
const EXPECTED_QUARTER: Record<string, string> = {
  // March report, due 15/04: ward 1 reported on 11/04, ward 2 on 14/04, ward 4 late on 16/04.
  'remind:2025-03:1:11:5': '2025-04-10 08:00 report_due',
  'remind:2025-03:1:12:5': '2025-04-10 08:00 report_due',
  'remind:2025-03:2:21:5': '2025-04-10 08:00 report_due',
  'remind:2025-03:2:21:2': '2025-04-13 08:00 report_due',
  'remind:2025-03:4:41:5': '2025-04-10 08:00 report_due',
  'remind:2025-03:4:41:2': '2025-04-13 08:00 report_due',
  'remind:2025-03:4:41:0': '2025-04-15 08:00 report_due',
  'escalate:2025-03:4:900': '2025-04-16 08:00 escalation',
  // April report, due 15/05: ward 1 never reports, ward 4 on the morning of the 15th before 08:00.
  'remind:2025-04:1:11:5': '2025-05-10 08:00 report_due',
  'remind:2025-04:1:12:5': '2025-05-10 08:00 report_due',
  'remind:2025-04:1:11:2': '2025-05-13 08:00 report_due',
  'remind:2025-04:1:12:2': '2025-05-13 08:00 report_due',
  'remind:2025-04:1:11:0': '2025-05-15 08:00 report_due',
  'remind:2025-04:1:12:0': '2025-05-15 08:00 report_due',
  'escalate:2025-04:1:101': '2025-05-16 08:00 escalation',
  'remind:2025-04:4:41:5': '2025-05-10 08:00 report_due',
  'remind:2025-04:4:41:2': '2025-05-13 08:00 report_due',
  // May and Q2 reports, both due 15/06; ward 3's officer is no longer paused.
  'remind:2025-05:1:11:5': '2025-06-10 08:00 report_due',
  'remind:2025-05:1:12:5': '2025-06-10 08:00 report_due',
  'remind:2025-Q2:1:11:5': '2025-06-10 08:00 report_due',
  'remind:2025-Q2:1:12:5': '2025-06-10 08:00 report_due',
  'remind:2025-Q2:1:11:2': '2025-06-13 08:00 report_due',
  'remind:2025-Q2:1:12:2': '2025-06-13 08:00 report_due',
  'remind:2025-Q2:1:11:0': '2025-06-15 08:00 report_due',
  'remind:2025-Q2:1:12:0': '2025-06-15 08:00 report_due',
  'escalate:2025-Q2:1:101': '2025-06-16 08:00 escalation',
  'remind:2025-05:2:21:5': '2025-06-10 08:00 report_due',
  'remind:2025-05:2:21:2': '2025-06-13 08:00 report_due',
  'remind:2025-05:2:21:0': '2025-06-15 08:00 report_due',
  'escalate:2025-05:2:102': '2025-06-16 08:00 escalation',
  'remind:2025-Q2:2:21:5': '2025-06-10 08:00 report_due',
  'remind:2025-Q2:2:21:2': '2025-06-13 08:00 report_due',
  'remind:2025-05:3:31:5': '2025-06-10 08:00 report_due',
  'remind:2025-05:3:31:2': '2025-06-13 08:00 report_due',
  'remind:2025-05:3:31:0': '2025-06-15 08:00 report_due',
  'remind:2025-Q2:3:31:5': '2025-06-10 08:00 report_due',
  'remind:2025-Q2:3:31:2': '2025-06-13 08:00 report_due',
  'remind:2025-Q2:3:31:0': '2025-06-15 08:00 report_due',
  'escalate:2025-05:3:900': '2025-06-16 08:00 escalation',
  'escalate:2025-Q2:3:900': '2025-06-16 08:00 escalation',
  // The pledge's "3 days before" (15/06) lost to the cap: 31 had two report reminders that day.
  'pledge:7:2025-06-25': '2025-06-25 08:00 pledge_overdue',
};

describe('a full quarter, planned every 10 minutes', () => {
  it.each([
    ['without', false],
    ['with', true],
  ])('sends each officer exactly the policy reminders (%s sent keys)', (_label, useSentKeys) => {
    const { sent, duplicates, calls } = simulate({
      from: '2025-04-01 00:00',
      to: '2025-07-01 00:00',
      input: (now) => scenario(now),
      useSentKeys,
    });
    expect(calls).toBe(91 * 24 * 6);
    expect(sentTable(sent)).toEqual(
      Object.fromEntries(Object.entries(EXPECTED_QUARTER).sort(([a], [b]) => (a < b ? -1 : 1))),
    );
    // The outbox's unique key absorbs repeats; knowing the sent keys, the planner makes none.
    if (useSentKeys) {
      expect(duplicates).toBe(0);
    } else {
      expect(duplicates).toBeGreaterThan(0);
    }

    for (const { item, at: sentAt } of sent.values()) {
      const hour = zonedParts(sentAt, TZ).hour;
      expect(hour >= 7 && hour < 21, `${item.key} at ${localTime(sentAt)}`).toBe(true);
      if (item.subject.kind === 'report') {
        const { periodId, unitId } = item.subject;
        expect(submissionsAt(sentAt).has(submissionKey(periodId, unitId)), item.key).toBe(false);
      }
    }

    const perPersonDay = new Map<string, number>();
    for (const { item, at: sentAt } of sent.values()) {
      if (item.kind !== 'escalation') {
        const k = `${item.personId} ${localTime(sentAt).slice(0, 10)}`;
        perPersonDay.set(k, (perPersonDay.get(k) ?? 0) + 1);
      }
    }
    expect(Math.max(...perPersonDay.values())).toBe(2);
    expect(perPersonDay.get('31 2025-06-15')).toBe(2);
    expect(sent.has('pledge:7:2025-06-15')).toBe(false);
  });

  it('writes the reminders in Vietnamese with the unit, period, deadline and days left', () => {
    const { sent } = simulate({
      from: '2025-04-01 00:00',
      to: '2025-06-17 00:00',
      input: (now) => scenario(now),
    });
    const text = (key: string) => {
      const s = sent.get(key);
      return s ? renderReminder(s.item.text) : undefined;
    };
    expect(text('remind:2025-03:2:21:2')).toBe(
      'Nhắc báo cáo: Phường Sông Cầu chưa gửi báo cáo tháng 3/2025, hạn 15/04/2025 (còn 2 ngày). ' +
        'Anh/chị gõ /baocao để gửi báo cáo qua bot.',
    );
    expect(text('remind:2025-Q2:3:31:0')).toBe(
      'Nhắc báo cáo: Xã Nông Thượng chưa gửi báo cáo quý II/2025, hôm nay (15/06/2025) là hạn cuối. ' +
        'Anh/chị gõ /menu và chọn "Báo cáo quý, báo cáo kết quả" để gửi.',
    );
    expect(text('escalate:2025-04:1:101')).toBe(
      'Chậm báo cáo: đến nay Phường Đức Xuân vẫn chưa gửi báo cáo tháng 4/2025 (hạn 15/05/2025). ' +
        'Đề nghị anh/chị đôn đốc cán bộ phụ trách gửi báo cáo sớm.',
    );
    expect(sent.get('remind:2025-03:2:21:2')?.item.chats).toEqual([
      { channel: 'telegram', chatId: 'chat-21' },
    ]);
  });

  it('lists the units still late for the leaders’ digest', () => {
    const now = at('2025-06-20 12:00');
    const late = digestLateUnits({ ...scenario(now), alreadySentToday: new Map() }, now);
    expect(late.map((l) => [l.periodCode, l.unitName, l.daysLate, l.paused])).toEqual([
      ['2025-03', 'Xã Nông Thượng', 66, true],
      ['2025-04', 'Phường Đức Xuân', 36, false],
      ['2025-04', 'Xã Nông Thượng', 36, true],
      ['2025-05', 'Phường Sông Cầu', 5, false],
      ['2025-05', 'Xã Nông Thượng', 5, false],
      ['2025-Q2', 'Phường Đức Xuân', 5, false],
      ['2025-Q2', 'Xã Nông Thượng', 5, false],
    ]);
  });
});

describe('unit heads', () => {
  it('are the unit’s leaders or, failing that, the admins of its parent', () => {
    expect(HEADS.map((h) => [h.unitId, h.personId])).toEqual([
      [1, 101],
      [2, 102],
      [3, 900],
      [4, 900],
    ]);
  });
});

describe('idempotence and determinism', () => {
  const moments = [
    '2025-04-10 08:00',
    '2025-04-13 19:50',
    '2025-05-16 08:00',
    '2025-06-10 08:30',
    '2025-06-15 09:00',
    '2025-06-16 08:00',
    '2025-06-25 10:00',
  ];

  it.each(moments)('gives the same items twice at %s, with unique keys', (local) => {
    const now = at(local);
    const input: ReminderInput = { ...scenario(now), alreadySentToday: new Map() };
    const first = planReminders(input, now);
    const second = planReminders(input, now);
    expect(first.length).toBeGreaterThan(0);
    expect(second).toEqual(first);
    expect(new Set(first.map((i) => i.key)).size).toBe(first.length);
  });

  it('does not depend on the order of its input', () => {
    for (const local of moments) {
      const now = at(local);
      const input: ReminderInput = { ...scenario(now), alreadySentToday: new Map([[31, 1]]) };
      const shuffled: ReminderInput = {
        ...input,
        periods: [...input.periods].reverse(),
        units: [...input.units].reverse(),
        officers: [...input.officers].reverse(),
        unitHeads: [...input.unitHeads].reverse(),
      };
      expect(planReminders(shuffled, now)).toEqual(planReminders(input, now));
    }
  });

  it('sorts by slot, then key', () => {
    const now = at('2025-06-16 09:00');
    const items = planReminders(
      {
        ...scenario(now, { policy: parseReminderPolicy({ catchUpHours: 48 }) }),
        alreadySentToday: new Map(),
      },
      now,
    );
    const order = items.map((i) => `${i.slotAt.toISOString()} ${i.key}`);
    expect(order).toEqual([...order].sort());
    // With a 48-hour window the pledge's slot of yesterday (its due date is 18/06) still counts.
    expect(items.map((i) => i.key)).toEqual([
      'pledge:7:2025-06-15',
      'escalate:2025-05:2:102',
      'escalate:2025-05:3:900',
      'escalate:2025-Q2:1:101',
      'escalate:2025-Q2:3:900',
    ]);
  });
});

describe('catch-up after downtime', () => {
  it('sends only the slots still fresh, for deadlines not yet passed', () => {
    // Down from the morning of 12/04 until 09:00 on 15/04: the 13/04 reminders are 73 hours old.
    const { sent, firstAfterDowntime } = simulate({
      from: '2025-04-01 00:00',
      to: '2025-04-20 00:00',
      input: (now) => scenario(now),
      down: ['2025-04-12 06:00', '2025-04-15 09:00'],
    });
    expect(firstAfterDowntime.map((i) => `${localTime(i.slotAt)} ${i.key}`)).toEqual([
      '2025-04-15 08:00 remind:2025-03:4:41:0',
    ]);
    expect(sent.has('remind:2025-03:2:21:2')).toBe(false);
    expect(sent.has('remind:2025-03:4:41:2')).toBe(false);
    expect(sent.get('escalate:2025-03:4:900')?.at).toEqual(at('2025-04-16 08:00'));
  });

  it('drops a reminder whose deadline passed even inside a wide window', () => {
    const policy = parseReminderPolicy({ catchUpHours: 48 });
    const { sent, firstAfterDowntime } = simulate({
      from: '2025-04-01 00:00',
      to: '2025-04-20 00:00',
      input: (now) => scenario(now, { policy }),
      down: ['2025-04-14 06:00', '2025-04-16 07:30'],
    });
    // The due-day slot (15/04 08:00) is 23.5 hours old, but 15/04 is over.
    expect(firstAfterDowntime).toEqual([]);
    expect(sent.has('remind:2025-03:4:41:0')).toBe(false);
    expect(sent.get('escalate:2025-03:4:900')?.at).toEqual(at('2025-04-16 08:00'));
  });

  it('still escalates within 24 hours, and not after', () => {
    const stillLate = SUBMITTED_AT.filter(([code, unit]) => !(code === '2025-03' && unit === 4));
    const input = (now: Date): ReminderInput => ({
      ...scenario(now, { submissions: submissionsAt(now, stillLate) }),
      alreadySentToday: new Map(),
    });
    const keys = (local: string) => planReminders(input(at(local)), at(local)).map((i) => i.key);
    expect(keys('2025-04-17 07:50')).toEqual(['escalate:2025-03:4:900']);
    expect(keys('2025-04-17 08:00')).toEqual([]);
  });

  it('brings no storm after ten days down', () => {
    const now = at('2025-06-16 12:00');
    const items = planReminders({ ...scenario(now), alreadySentToday: new Map() }, now);
    expect(items.map((i) => i.key)).toEqual([
      'escalate:2025-05:2:102',
      'escalate:2025-05:3:900',
      'escalate:2025-Q2:1:101',
      'escalate:2025-Q2:3:900',
    ]);
  });

  it('sends nothing during the quiet hours; a slot that waited goes at their end', () => {
    const policy = parseReminderPolicy({ sendAt: '06:00' });
    const at0659 = at('2025-06-10 06:59');
    const at0700 = at('2025-06-10 07:00');
    expect(planReminders({ ...scenario(at0659, { policy }), alreadySentToday: new Map() }, at0659)).toEqual(
      [],
    );
    const items = planReminders({ ...scenario(at0700, { policy }), alreadySentToday: new Map() }, at0700);
    expect(items.length).toBeGreaterThan(0);
    expect(new Set(items.map((i) => localTime(i.slotAt)))).toEqual(new Set(['2025-06-10 07:00']));

    const evening = parseReminderPolicy({ sendAt: '22:30' });
    const next = at('2025-06-11 07:00');
    const waited = planReminders(
      { ...scenario(next, { policy: evening }), alreadySentToday: new Map() },
      next,
    );
    // 22:30 on 10/06 (the offset-5 slot of 15/06) waits for 07:00 on 11/06.
    expect(waited.map((i) => [localTime(i.slotAt), i.key])).toContainEqual([
      '2025-06-11 07:00',
      'remind:2025-05:2:21:5',
    ]);
  });
});

describe('pledge reminders', () => {
  function pledgeRun(
    pledge: (now: Date) => PledgeToRemind,
    policy: ReminderPolicy = DEFAULT_REMINDER_POLICY,
  ) {
    const { sent } = simulate({
      from: '2025-06-01 00:00',
      to: '2025-09-01 00:00',
      stepMinutes: 30,
      input: (now) => ({
        ...scenario(now, { policy }),
        units: [],
        officers: [],
        unitHeads: [],
        pledges: [pledge(now)],
      }),
    });
    return sentTable(sent);
  }

  it('reminds 3 days before the due date, then weekly while overdue, at most 4 times', () => {
    expect(pledgeRun(() => PLEDGE)).toEqual({
      'pledge:7:2025-06-15': '2025-06-15 08:00 pledge_due',
      'pledge:7:2025-06-25': '2025-06-25 08:00 pledge_overdue',
      'pledge:7:2025-07-02': '2025-07-02 08:00 pledge_overdue',
      'pledge:7:2025-07-09': '2025-07-09 08:00 pledge_overdue',
      'pledge:7:2025-07-16': '2025-07-16 08:00 pledge_overdue',
    });
    expect(pledgeRun(() => PLEDGE, parseReminderPolicy({ pledges: { maxOverdue: 1 } }))).toEqual({
      'pledge:7:2025-06-15': '2025-06-15 08:00 pledge_due',
      'pledge:7:2025-06-25': '2025-06-25 08:00 pledge_overdue',
    });
  });

  it('keeps reminding a partly paid pledge of what is left, and stops once it is paid', () => {
    const paid = (now: Date): PledgeToRemind => ({
      ...PLEDGE,
      received: now >= at('2025-07-03 12:00') ? 10_000_000n : now >= at('2025-06-10 09:00') ? 3_000_000n : 0n,
    });
    expect(pledgeRun(paid)).toEqual({
      'pledge:7:2025-06-15': '2025-06-15 08:00 pledge_due',
      'pledge:7:2025-06-25': '2025-06-25 08:00 pledge_overdue',
      'pledge:7:2025-07-02': '2025-07-02 08:00 pledge_overdue',
    });
    const now = at('2025-06-25 08:00');
    const [item] = planReminders(
      { ...scenario(now, { pledges: [paid(now)] }), alreadySentToday: new Map() },
      now,
    );
    expect(item && renderReminder(item.text)).toBe(
      'Khoản đăng ký ủng hộ số UH-0007 dự kiến nộp ngày 18/06/2025 hiện còn 7.000.000 đ chưa nhận được. ' +
        'Nếu anh/chị đã nộp, xin bỏ qua tin nhắn này; nếu cần thay đổi, xin liên hệ Ban Vận động. ' +
        'Trân trọng cảm ơn anh/chị!',
    );
  });

  it('says nothing about a cancelled pledge, one without a date or one taken on paper', () => {
    expect(pledgeRun((now) => ({ ...PLEDGE, cancelled: now >= at('2025-06-14 00:00') }))).toEqual({});
    expect(pledgeRun(() => ({ ...PLEDGE, dueOn: null }))).toEqual({});
    expect(pledgeRun(() => ({ ...PLEDGE, personId: null }))).toEqual({});
  });

  it('drops the "before" reminder once the due date has passed, however wide the window', () => {
    const policy = parseReminderPolicy({ catchUpHours: 96 });
    const plan = (local: string) =>
      planReminders(
        { ...scenario(at(local), { policy, units: [], officers: [] }), alreadySentToday: new Map() },
        at(local),
      ).map((i) => i.key);
    expect(plan('2025-06-18 20:00')).toEqual(['pledge:7:2025-06-15']);
    expect(plan('2025-06-19 07:30')).toEqual([]);
  });

  it('counts days before in the text', () => {
    const now = at('2025-06-15 08:00');
    const items = planReminders(
      { ...scenario(now, { units: [], officers: [] }), alreadySentToday: new Map() },
      now,
    );
    expect(items.map((i) => renderReminder(i.text))).toEqual([
      'Nhắc ủng hộ: khoản đăng ký ủng hộ số UH-0007 (còn 10.000.000 đ) dự kiến nộp ngày 18/06/2025, ' +
        'còn 3 ngày. Ban Vận động trân trọng cảm ơn tấm lòng của anh/chị!',
    ]);
  });
});

describe('the daily cap', () => {
  it('keeps the earliest slots when later ones would exceed it', () => {
    // 31 owes two reports on 15/06 and has a pledge reminder the same morning: the reports win.
    const now = at('2025-06-15 08:00');
    const keys = (sentToday: number) =>
      planReminders({ ...scenario(now), alreadySentToday: new Map([[31, sentToday]]) }, now)
        .filter((i) => i.personId === 31)
        .map((i) => i.key);
    expect(keys(0)).toEqual(['remind:2025-05:3:31:0', 'remind:2025-Q2:3:31:0']);
    expect(keys(1)).toEqual(['remind:2025-05:3:31:0']);
    expect(keys(2)).toEqual([]);
  });

  it('does not count sent keys twice when the caller gives them', () => {
    const now = at('2025-06-15 08:10');
    const items = planReminders(
      {
        ...scenario(now),
        alreadySentToday: new Map([[31, 1]]),
        sentKeys: new Set(['remind:2025-05:3:31:0']),
      },
      now,
    );
    expect(items.filter((i) => i.personId === 31).map((i) => i.key)).toEqual(['remind:2025-Q2:3:31:0']);
  });
});

describe('describePlan', () => {
  it('renders one line per item for the dry run', () => {
    const now = at('2025-04-16 08:00');
    const items = planReminders({ ...scenario(now), alreadySentToday: new Map() }, now);
    expect(describePlan(items, TZ).split('\n')).toEqual([
      'Giờ gửi                Loại          Người nhận  Khóa                    Lý do',
      '08:00 ngày 16/04/2025  chậm báo cáo  #900        escalate:2025-03:4:900  Báo cáo tháng 3/2025, hạn 15/04/2025: Phường Huyền Tụng chưa gửi, báo lãnh đạo đơn vị',
    ]);
    // The operator reads the recipient by name when the caller knows it.
    expect(describePlan(items, TZ, new Map([[900, 'Nguyễn Văn An']])).split('\n')[1]).toContain(
      'Nguyễn Văn An (#900)',
    );
    expect(describePlan([], TZ)).toBe('Không có lời nhắc nào đến hạn.');
  });
});

describe('planner properties', () => {
  const relevant = PERIODS.filter((p) => p.dueOn >= '2025-04-01' && p.dueOn <= '2025-07-15');
  const pairs = relevant.flatMap((p) => UNITS.map((u) => submissionKey(p.id, u.id)));
  const people = [11, 12, 21, 31, 41, 101, 102, 900];

  it('never plans for a submitted report, a future slot or the quiet hours, and respects the cap', () => {
    fc.assert(
      fc.property(
        fc.subarray(pairs),
        fc.integer({ min: 0, max: 92 * 24 * 60 - 1 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: people.length, maxLength: people.length }),
        fc.option(fc.constantFrom('2025-04-14', '2025-05-15', '2025-06-13', '2025-06-30'), {
          nil: undefined,
        }),
        (submitted, minute, sentCounts, pausedUntil) => {
          const now = new Date(at('2025-04-01 00:00').getTime() + minute * 60_000);
          const submissions = submissionsAt(at('2025-04-01 00:00'), []);
          for (const k of submitted) {
            submissions.add(k);
          }
          const alreadySentToday = new Map(people.map((p, i) => [p, sentCounts[i] ?? 0]));
          const officers = OFFICERS.map((o) => (o.personId === 31 ? { ...o, pausedUntil } : o));
          const items = planReminders({ ...scenario(now, { submissions, officers }), alreadySentToday }, now);

          const local = zonedParts(now, TZ);
          const quiet = (h: number) => h >= 21 || h < 7;
          if (items.length > 0) {
            expect(quiet(local.hour)).toBe(false);
          }
          expect(new Set(items.map((i) => i.key)).size).toBe(items.length);
          const capped = new Map<number, number>();
          for (const item of items) {
            expect(item.slotAt.getTime()).toBeLessThanOrEqual(now.getTime());
            expect(quiet(zonedParts(item.slotAt, TZ).hour)).toBe(false);
            const ageHours = (now.getTime() - item.slotAt.getTime()) / 3_600_000;
            expect(ageHours).toBeLessThan(item.kind === 'escalation' ? 24 : 12);
            if (item.subject.kind === 'report') {
              expect(submissions.has(submissionKey(item.subject.periodId, item.subject.unitId))).toBe(false);
            }
            if (item.kind === 'report_due' && item.subject.kind === 'report') {
              const { periodId } = item.subject;
              const dueOn = PERIODS.find((p) => p.id === periodId)?.dueOn ?? '';
              expect(localTime(now).slice(0, 10) <= dueOn).toBe(true);
              if (item.personId === 31 && pausedUntil !== undefined) {
                expect(localTime(item.slotAt).slice(0, 10) > pausedUntil).toBe(true);
              }
            }
            if (item.kind !== 'escalation') {
              capped.set(item.personId, (capped.get(item.personId) ?? 0) + 1);
            }
          }
          for (const [person, count] of capped) {
            expect(count).toBeLessThanOrEqual(2 - (alreadySentToday.get(person) ?? 0));
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('one report for the obligations due the same day', () => {
  const combined = (now: Date, overrides: Partial<Scenario> = {}): ReminderInput => ({
    ...scenario(now, overrides),
    oneReportWhenSameDay: true,
    alreadySentToday: new Map(),
  });

  it('asks once for the May and second-quarter reports, both due 15/06, under one key', () => {
    const now = at('2025-06-10 08:00');
    const keys = planReminders(combined(now), now)
      .filter((i) => i.kind === 'report_due')
      .map((i) => i.key);
    expect(keys).toEqual([
      'remind:2025-05+2025-Q2:1:11:5',
      'remind:2025-05+2025-Q2:1:12:5',
      'remind:2025-05+2025-Q2:2:21:5',
      'remind:2025-05+2025-Q2:3:31:5',
    ]);
    const [first] = planReminders(combined(now), now);
    expect(first?.subject).toEqual({
      kind: 'report',
      periodId: period('2025-05').id,
      unitId: 1,
      periodIds: [period('2025-05').id, period('2025-Q2').id],
    });
    expect(first && renderReminder(first.text)).toBe(
      'Nhắc báo cáo: Phường Đức Xuân chưa gửi báo cáo tháng 5/2025 và quý II/2025, hạn 15/06/2025 (còn 5 ngày). ' +
        'Anh/chị gõ /baocao để gửi báo cáo qua bot.',
    );
  });

  it('takes either report as both: the ward that sent May’s (12/06) or the quarter’s (14/06) is not asked again', () => {
    const { sent } = simulate({
      from: '2025-06-01 00:00',
      to: '2025-06-20 00:00',
      input: (now) => ({ ...scenario(now), oneReportWhenSameDay: true }),
    });
    expect(sentTable(sent)).toEqual({
      'escalate:2025-05+2025-Q2:3:900': '2025-06-16 08:00 escalation',
      'remind:2025-05+2025-Q2:1:11:5': '2025-06-10 08:00 report_due',
      'remind:2025-05+2025-Q2:1:12:5': '2025-06-10 08:00 report_due',
      'remind:2025-05+2025-Q2:2:21:5': '2025-06-10 08:00 report_due',
      'remind:2025-05+2025-Q2:2:21:2': '2025-06-13 08:00 report_due',
      'remind:2025-05+2025-Q2:3:31:5': '2025-06-10 08:00 report_due',
      'remind:2025-05+2025-Q2:3:31:2': '2025-06-13 08:00 report_due',
      'remind:2025-05+2025-Q2:3:31:0': '2025-06-15 08:00 report_due',
      // The pledge's reminder of 15/06 now fits under the cap: 31 was asked for one report that day.
      'pledge:7:2025-06-15': '2025-06-15 08:00 pledge_due',
    });
    const now = at('2025-06-20 12:00');
    const late = digestLateUnits(combined(now), now);
    expect(
      late.filter((l) => l.dueOn === '2025-06-15').map((l) => [l.periodCode, l.periodLabel, l.unitName]),
    ).toEqual([['2025-05+2025-Q2', 'tháng 5/2025 và quý II/2025', 'Xã Nông Thượng']]);
  });

  it('never asks the wards for six-monthly summaries, even when the policy names them', () => {
    const policy = parseReminderPolicy({ periodKinds: ['monthly', 'quarterly', 'semiannual', 'final'] });
    const h1 = period('2025-H1');
    const now = at(`${h1.dueOn} 08:00`);
    const items = planReminders(combined(now, { policy, submissions: new Set() }), now);
    expect(items.length).toBeGreaterThan(0);
    expect(items.some((i) => i.subject.kind === 'report' && i.subject.periodId === h1.id)).toBe(false);
    expect(
      digestLateUnits(combined(at('2025-08-01 08:00'), { policy }), at('2025-08-01 08:00')).map(
        (l) => l.periodCode,
      ),
    ).not.toContain('2025-H1');
  });
});

describe('weekly reports', () => {
  const weeks = schedulePeriods({
    startsOn: '2025-02-03',
    endsOn: '2025-03-31',
    schedule: {
      weekly: { dueWeekday: 2 },
      final: { dueOn: '2025-03-31', opensDaysBefore: 10 },
      oneReportWhenSameDay: true,
    },
  }).map((p, i) => ({ ...p, id: 500 + i }));

  it('are reminded by the policy, in officials’ words', () => {
    const now = at('2025-02-18 08:00');
    const items = planReminders(
      {
        ...scenario(now, {
          policy: parseReminderPolicy({ periodKinds: ['weekly'], offsetsDays: [1, 0] }),
          periods: weeks,
          submissions: new Set(),
          pledges: [],
        }),
        alreadySentToday: new Map(),
      },
      now,
    );
    expect(items.map((i) => i.key)).toContain('remind:2025-W07:1:11:0');
    const item = items.find((i) => i.key === 'remind:2025-W07:2:21:0');
    expect(item && renderReminder(item.text)).toBe(
      'Nhắc báo cáo: Phường Sông Cầu chưa gửi báo cáo tuần 07/2025 (10/02–16/02), hôm nay (18/02/2025) là hạn cuối. ' +
        'Anh/chị gõ /baocao để gửi báo cáo tuần qua bot.',
    );
    expect(item && renderReminder(item.text, 'en')).toContain(
      'Send /baocao to send the weekly report through the bot.',
    );
  });
});
