import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Schedule } from '../campaigns/definition.ts';
import { schedulePeriods } from '../campaigns/periods.ts';
import { zonedParts } from '../shared/calendar.ts';
import { arbScheduleRules } from '../testing/schedule-arbitrary.ts';
import {
  type Officer,
  type PlannedReminder,
  type PlannerPeriod,
  planReminders,
  type ReminderInput,
  submissionKey,
  unitHeadsFromMemberships,
} from './planner.ts';
import { isQuietMinute, parseReminderPolicy, type ReminderPolicy } from './policy.ts';

/**
 * The reminder planner over random schedule rules and policies (issue 15 acceptance): no reminder
 * for a report already in or in the quiet hours, one key per obligation, and a monthly and a
 * quarterly report due the same day asked once when one report serves both, twice when not.
 */

const TZ = 'Asia/Ho_Chi_Minh';
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const at = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
const plusDays = (day: string, n: number) => iso(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS);
const localMinute = (instant: Date) => {
  const p = zonedParts(instant, TZ);
  return p.hour * 60 + p.minute;
};

const CITY = 100;
const UNITS = [
  { id: 1, name: 'Phường Đức Xuân', parentId: CITY },
  { id: 2, name: 'Xã Nông Thượng', parentId: CITY },
];
const OFFICERS: Officer[] = [
  { personId: 11, unitId: 1, chats: [{ channel: 'telegram', chatId: 'c11' }] },
  { personId: 12, unitId: 1, chats: [{ channel: 'zalo', chatId: 'c12' }] },
  { personId: 21, unitId: 2, chats: [{ channel: 'telegram', chatId: 'c21' }] },
];
const HEADS = unitHeadsFromMemberships(UNITS, [
  { personId: 101, unitId: 1, role: 'leader', chats: [{ channel: 'telegram', chatId: 'c101' }] },
  { personId: 900, unitId: CITY, role: 'admin', chats: [{ channel: 'zalo', chatId: 'c900' }] },
]);

const clock = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

const arbPolicy = fc
  .record({
    offsetsDays: fc.uniqueArray(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 4 }),
    periodKinds: fc.oneof(
      fc.constant(['monthly', 'quarterly', 'final']),
      fc.constant(['weekly', 'monthly', 'quarterly', 'semiannual', 'final']),
      fc.subarray(['weekly', 'monthly', 'quarterly', 'semiannual', 'final'], { minLength: 1 }),
    ),
    sendAt: clock,
    quietHours: fc.oneof(fc.constant({ from: '21:00', to: '07:00' }), fc.record({ from: clock, to: clock })),
    maxPerPersonPerDay: fc.integer({ min: 1, max: 20 }),
    catchUpHours: fc.integer({ min: 1, max: 48 }),
    escalation: fc.record({ daysAfter: fc.integer({ min: 1, max: 3 }) }),
  })
  .map((raw) => parseReminderPolicy(raw));

const dayOfMonth = fc.integer({ min: 1, max: 31 });
const arbSchedule: fc.Arbitrary<Schedule> = fc
  .tuple(arbScheduleRules, fc.integer({ min: 0, max: 60 }))
  .map(([rules, opensDaysBefore]) => ({ ...rules, final: { dueOn: '2025-12-10', opensDaysBefore } }));

/** A campaign of 2025 by random rules; its periods numbered from 1. */
function periodsOf(schedule: Schedule): PlannerPeriod[] {
  return schedulePeriods({ startsOn: '2025-01-01', endsOn: '2025-12-31', schedule }).map((p, i) => ({
    ...p,
    id: i + 1,
  }));
}

/** The periods a report item is about: the combined obligation's, or its one period. */
function periodsOfItem(item: PlannedReminder): readonly number[] {
  return item.subject.kind === 'report' ? (item.subject.periodIds ?? [item.subject.periodId]) : [];
}

function input(
  periods: readonly PlannerPeriod[],
  policy: ReminderPolicy,
  oneReportWhenSameDay: boolean,
  submissions: ReadonlySet<string>,
): ReminderInput {
  return {
    campaign: { timeZone: TZ },
    policy,
    periods,
    units: UNITS,
    officers: OFFICERS,
    submissions,
    unitHeads: HEADS,
    pledges: [],
    alreadySentToday: new Map(),
    oneReportWhenSameDay,
  };
}

describe('the planner over random schedules and policies', () => {
  it('never reminds of a report in, in the quiet hours, or of a six-monthly summary; one key per obligation', () => {
    fc.assert(
      fc.property(
        // Often the 2024–2025 plan's shape: the monthly report of the quarter's second month and the
        // quarterly report due the same day.
        fc.tuple(arbSchedule, fc.boolean(), dayOfMonth).map(([schedule, sameDay, dueDay]) => {
          if (!sameDay) {
            return schedule;
          }
          const monthly = schedule.monthly ?? { dueDay, dueMonth: 'next' as const, opensDay: 20 };
          return {
            ...schedule,
            monthly: { ...monthly, dueMonth: 'next' as const },
            quarterly: { dueDay: monthly.dueDay, dueMonth: 'last' as const },
          };
        }),
        arbPolicy,
        fc.nat(),
        fc.nat(),
        fc.integer({ min: -12, max: 4 }),
        fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
        fc.integer({ min: 0, max: 24 * 60 - 1 }),
        fc.array(fc.integer({ min: -15, max: 5 }), { minLength: 200, maxLength: 200 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 200, maxLength: 200 }),
        (schedule, policy, pick, pickOffset, dayShift, afterSlot, minute, reportShift, reports) => {
          const periods = periodsOf(schedule);
          // Around a deadline, where reminders are: just after one of its reminder slots, or at any
          // minute some days before or after it.
          // Half the time a quarterly deadline (often shared with a monthly one), else any reminded one.
          const quarterly = periods.filter(
            (p) => p.kind === 'quarterly' && policy.periodKinds.includes(p.kind),
          );
          const reminded =
            pick % 2 === 0 && quarterly.length > 0
              ? quarterly
              : periods.filter((p) => policy.periodKinds.includes(p.kind));
          const near = (reminded[Math.floor(pick / 2) % Math.max(1, reminded.length)] ??
            periods[0]) as PlannerPeriod;
          const offset = policy.offsetsDays[pickOffset % policy.offsetsDays.length] ?? 0;
          const now =
            afterSlot === undefined
              ? new Date(at(`${plusDays(near.dueOn, dayShift)} 00:00`).getTime() + minute * 60_000)
              : new Date(
                  at(`${plusDays(near.dueOn, -offset)} ${policy.sendAt}`).getTime() +
                    Math.floor(afterSlot * policy.catchUpHours * 60) * 60_000,
                );
          // A quarter of the (period, unit) reports come in some days before or after the due day.
          const submissions = new Set<string>();
          periods.forEach((p, i) => {
            UNITS.forEach((u, j) => {
              const k = (i * UNITS.length + j) % 200;
              if (reports[k] === 0 && at(`${plusDays(p.dueOn, reportShift[k] ?? 0)} 12:00`) <= now) {
                submissions.add(submissionKey(p.id, u.id));
              }
            });
          });
          const combine = schedule.oneReportWhenSameDay;
          const items = planReminders(input(periods, policy, combine, submissions), now);

          if (isQuietMinute(localMinute(now), policy.quietHours)) {
            expect(items).toEqual([]);
          }
          expect(new Set(items.map((i) => i.key)).size).toBe(items.length);
          const byId = new Map(periods.map((p) => [p.id, p]));
          const asked = new Map<string, string>();
          for (const item of items) {
            expect(item.slotAt.getTime()).toBeLessThanOrEqual(now.getTime());
            expect(isQuietMinute(localMinute(item.slotAt), policy.quietHours), item.key).toBe(false);
            if (item.subject.kind !== 'report') {
              continue;
            }
            const ids = periodsOfItem(item);
            const own = ids.map((id) => byId.get(id) as PlannerPeriod);
            const { unitId } = item.subject;
            for (const p of own) {
              expect(submissions.has(submissionKey(p.id, unitId)), `${item.key}: ${p.code} is in`).toBe(
                false,
              );
              expect(p.kind).not.toBe('semiannual');
              expect(policy.periodKinds).toContain(p.kind);
              expect(p.dueOn).toBe(own[0]?.dueOn);
            }
            // The key names the obligation: every period it stands for, and nothing else.
            expect(item.key.split(':')[1]).toBe(own.map((p) => p.code).join('+'));
            // Combined: every progress report due that day is in the one obligation; not: one period each.
            const sameDay = periods.filter(
              (p) =>
                p.dueOn === own[0]?.dueOn &&
                ['weekly', 'monthly', 'quarterly'].includes(p.kind) &&
                policy.periodKinds.includes(p.kind),
            );
            if (combine && own[0]?.kind !== 'final') {
              expect(ids).toEqual(expect.arrayContaining(sameDay.map((p) => p.id)));
              expect(ids).toHaveLength(sameDay.length);
            } else {
              expect(ids).toHaveLength(1);
            }
            // Asked once per obligation, unit, person and reminder slot.
            const parts = item.key.split(':');
            const slot = `${item.kind} ${own[0]?.dueOn} ${own[0]?.kind === 'final'} ${unitId} ${item.personId} ${parts[4] ?? ''}`;
            if (combine) {
              expect(asked.get(slot), `${item.key} and ${asked.get(slot)}`).toBeUndefined();
            }
            asked.set(slot, item.key);
          }
        },
      ),
      { numRuns: 250 },
    );
  });

  it('asks a ward once for the monthly and quarterly report due the same day when one report serves both, twice when not', () => {
    fc.assert(
      fc.property(
        dayOfMonth,
        fc.constantFrom(3, 6, 9, 12),
        fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.option(fc.integer({ min: 0, max: 14 * 24 - 1 }), { nil: undefined }),
        (dueDay, quarterEnd, offsetsDays, combine, reportedAfterHours) => {
          const schedule: Schedule = {
            monthly: { dueDay, dueMonth: 'next', opensDay: 1 },
            quarterly: { dueDay, dueMonth: 'last' },
            final: { dueOn: '2025-12-31', opensDaysBefore: 30 },
            oneReportWhenSameDay: combine,
          };
          const periods = periodsOf(schedule);
          const quarterly = periods.find(
            (p) => p.kind === 'quarterly' && p.dueOn.slice(5, 7) === String(quarterEnd).padStart(2, '0'),
          );
          const monthly = periods.find((p) => p.kind === 'monthly' && p.dueOn === quarterly?.dueOn);
          if (!quarterly || !monthly) {
            throw new Error('the rules put both reports on one day');
          }
          const policy = parseReminderPolicy({ offsetsDays, maxPerPersonPerDay: 20 });
          // Ward 1 sends its monthly report at some hour of the fortnight before the deadline, or never.
          const from = at(`${plusDays(quarterly.dueOn, -10)} 00:00`).getTime();
          const reportedAt =
            reportedAfterHours === undefined ? undefined : from + reportedAfterHours * HOUR_MS;
          const sent = new Map<string, { item: PlannedReminder; at: number }>();
          for (let t = from; t < from + 14 * DAY_MS; t += HOUR_MS) {
            const submissions = new Set<string>();
            if (reportedAt !== undefined && reportedAt <= t) {
              submissions.add(submissionKey(monthly.id, 1));
            }
            for (const item of planReminders(input(periods, policy, combine, submissions), new Date(t))) {
              if (!sent.has(item.key)) {
                sent.set(item.key, { item, at: t });
              }
            }
          }
          // The reminders each officer should get when nobody reports: each offset whose day is in the
          // report's window (combined: from the earlier window), as "code:offset".
          const expected = (codes: string, opensOn: string) =>
            policy.offsetsDays
              .filter((o) => plusDays(quarterly.dueOn, -o) >= opensOn)
              .map((o) => `${codes}:${o}`);
          const expectedKeys = combine
            ? expected(
                `${monthly.code}+${quarterly.code}`,
                [monthly.opensOn, quarterly.opensOn].sort()[0] as string,
              )
            : [...expected(monthly.code, monthly.opensOn), ...expected(quarterly.code, quarterly.opensOn)];
          for (const officer of [11, 12, 21]) {
            const unit = officer === 21 ? 2 : 1;
            const reminders = [...sent.values()].filter(
              (s) =>
                s.item.kind === 'report_due' &&
                s.item.personId === officer &&
                periodsOfItem(s.item).some((id) => id === monthly.id || id === quarterly.id),
            );
            const perSlot = new Map<number, number>();
            for (const r of reminders) {
              perSlot.set(r.item.slotAt.getTime(), (perSlot.get(r.item.slotAt.getTime()) ?? 0) + 1);
              if (unit === 1 && reportedAt !== undefined) {
                // Once the monthly report is in, the quarterly one is asked for only when it is separate.
                if (r.at >= reportedAt) {
                  expect(combine, r.item.key).toBe(false);
                  expect(periodsOfItem(r.item)).toEqual([quarterly.id]);
                }
              }
            }
            if (unit === 2 || reportedAt === undefined) {
              // Nobody reported: one message per reminder slot, or one per report when they are apart.
              expect(
                reminders.map((r) => `${r.item.key.split(':')[1]}:${r.item.key.split(':')[4]}`).sort(),
              ).toEqual([...expectedKeys].sort());
              for (const count of perSlot.values()) {
                expect(count).toBeLessThanOrEqual(combine ? 1 : 2);
              }
            }
          }
          const ofThatDay = (item: PlannedReminder) =>
            periodsOfItem(item).some((id) => id === monthly.id || id === quarterly.id);
          // The unit head hears once about a late combined obligation, twice about two late reports.
          const escalations = [...sent.values()].filter(
            (s) => s.item.kind === 'escalation' && s.item.personId === 900 && ofThatDay(s.item),
          );
          expect(escalations).toHaveLength(combine ? 1 : 2);
          if (
            reportedAt !== undefined &&
            reportedAt < at(`${plusDays(quarterly.dueOn, 1)} 00:00`).getTime()
          ) {
            // Ward 1 reported in time: its head (101) hears nothing when combined, of the quarterly report when not.
            const head = [...sent.values()].filter(
              (s) => s.item.kind === 'escalation' && s.item.personId === 101 && ofThatDay(s.item),
            );
            expect(head.map((s) => periodsOfItem(s.item))).toEqual(combine ? [] : [[quarterly.id]]);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
