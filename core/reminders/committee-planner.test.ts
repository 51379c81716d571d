import { describe, expect, it } from 'vitest';
import { generatePeriods } from '../campaigns/periods.ts';
import { type CommitteeObligation, planReminders, type ReminderInput, submissionKey } from './planner.ts';
import { DEFAULT_REMINDER_POLICY, parseReminderPolicy } from './policy.ts';
import { renderReminder } from './texts.ts';

/**
 * The committee's own reports (issue 16 §2) in the pure planner: the staff of the campaign's area
 * unit are reminded of the six-monthly and final reports at the policy's days before, the wards
 * only of their own reports (the final results report, never the six-monthly one).
 */

const at = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);

// The planner's periods carry the last day on time (run-reminders.ts lastDayOnTime).
const PERIODS = generatePeriods({
  startsOn: '2024-10-01',
  endsOn: '2025-12-31',
  monthlyDueDay: 15,
  quarterlyDueDay: 15,
  finalDueOn: '2025-12-10',
}).map((p, i) => {
  const d = new Date(`${p.dueOn}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return { ...p, id: i + 1, dueOn: d.toISOString().slice(0, 10) };
});
const period = (code: string) => {
  const p = PERIODS.find((x) => x.code === code);
  if (!p) {
    throw new Error(code);
  }
  return p;
};

const CITY = 100;
const WARD = 1;
const COMMITTEE: CommitteeObligation = {
  unitId: CITY,
  unitName: 'Ủy ban MTTQ Việt Nam thành phố Bắc Kạn',
  staff: [
    { personId: 900, chats: [{ channel: 'telegram', chatId: 'admin' }] },
    { personId: 901, chats: [{ channel: 'zalo', chatId: 'leader' }] },
  ],
  sendTo: 'Thường trực Thành ủy',
};

function input(overrides: Partial<ReminderInput> = {}): ReminderInput {
  return {
    campaign: { timeZone: 'Asia/Ho_Chi_Minh' },
    policy: DEFAULT_REMINDER_POLICY,
    periods: PERIODS,
    units: [{ id: WARD, name: 'Phường Đức Xuân' }],
    officers: [{ personId: 11, unitId: WARD, chats: [{ channel: 'telegram', chatId: 'officer' }] }],
    submissions: new Set(),
    unitHeads: [{ personId: 900, unitId: WARD, chats: [{ channel: 'telegram', chatId: 'admin' }] }],
    pledges: [],
    committee: COMMITTEE,
    alreadySentToday: new Map(),
    ...overrides,
  };
}

describe('the committee’s own reports', () => {
  it('reminds the area’s staff of the six-monthly report 5, 2 and 0 days before; never the wards', () => {
    const h1 = period('2025-H1');
    const slots = ['2025-07-09 08:00', '2025-07-12 08:00', '2025-07-14 08:00'];
    for (const [i, slot] of slots.entries()) {
      const items = planReminders(input(), at(slot)).filter((r) => r.subject.kind === 'committee');
      expect(items.map((r) => r.key).sort()).toEqual(
        [900, 901].map((p) => `remind:2025-H1:${CITY}:${p}:${[5, 2, 0][i]}`).sort(),
      );
      expect(items.every((r) => r.subject.kind === 'committee' && r.subject.periodId === h1.id)).toBe(true);
    }
    const first = planReminders(input(), at(slots[0] ?? '')).find(
      (r) => r.personId === 900 && r.subject.kind === 'committee',
    );
    expect(first && renderReminder(first.text, 'vi', 'đồng chí')).toBe(
      '📑 Báo cáo 6 tháng đầu năm 2025 của Ban Thường trực Ủy ban MTTQ Việt Nam thành phố Bắc Kạn gửi Thường trực Thành ủy: ' +
        'hạn trước 15/07/2025 (còn 5 ngày), chưa ban hành. Bot đã soạn sẵn dự thảo từ số liệu, báo cáo của các đơn vị — ' +
        'đồng chí gõ /baocao6thang để nhận dự thảo, bổ sung nội dung và ban hành.',
    );
    const today = planReminders(input(), at(slots[2] ?? '')).find(
      (r) => r.personId === 900 && r.subject.kind === 'committee',
    );
    expect(today && renderReminder(today.text)).toContain(
      'phải ban hành trước 15/07/2025: hôm nay là ngày cuối',
    );
    // Even when the policy names six-monthly periods, the ward's officer is never reminded of one.
    const policy = parseReminderPolicy({ periodKinds: ['monthly', 'quarterly', 'semiannual', 'final'] });
    const all = slots.flatMap((s) => planReminders(input({ policy }), at(s)));
    expect(all.filter((r) => r.personId === 11 && r.key.includes('H1'))).toEqual([]);
    expect(all.filter((r) => r.kind === 'escalation' && r.key.includes('H1'))).toEqual([]);
  });

  it('stops once the area unit issued it, and when the policy turns it off', () => {
    const h1 = period('2025-H1');
    const issued = input({ submissions: new Set([submissionKey(h1.id, CITY)]) });
    expect(
      planReminders(issued, at('2025-07-09 08:00')).filter((r) => r.subject.kind === 'committee'),
    ).toEqual([]);
    // A ward's report of the period does not count for the committee.
    const ward = input({ submissions: new Set([submissionKey(h1.id, WARD)]) });
    expect(
      planReminders(ward, at('2025-07-09 08:00')).filter((r) => r.subject.kind === 'committee'),
    ).toHaveLength(2);
    const off = input({ policy: parseReminderPolicy({ committee: false }) });
    expect(planReminders(off, at('2025-07-09 08:00')).filter((r) => r.subject.kind === 'committee')).toEqual(
      [],
    );
  });

  it('reminds the final results report to the wards’ officers and, for its own, to the area’s staff', () => {
    const now = at('2025-12-04 08:00');
    const items = planReminders(input(), now);
    expect(items.map((r) => r.key).sort()).toEqual(
      ['remind:final:1:11:5', `remind:final:${CITY}:900:5`, `remind:final:${CITY}:901:5`].sort(),
    );
    const own = items.find((r) => r.key === `remind:final:${CITY}:900:5`);
    expect(own && renderReminder(own.text)).toContain('/baocaoketqua');
  });

  it('shares the daily cap with the person’s other reminders', () => {
    // 15/07 08:00 is not a committee slot; on 14/07 the admin is also a ward's head. Cap 1 a day.
    const policy = parseReminderPolicy({ maxPerPersonPerDay: 1 });
    const items = planReminders(
      input({ policy, alreadySentToday: new Map([[900, 1]]) }),
      at('2025-07-14 08:00'),
    );
    expect(items.filter((r) => r.personId === 900 && r.kind !== 'escalation')).toEqual([]);
    expect(items.filter((r) => r.personId === 901)).toHaveLength(1);
  });
});
