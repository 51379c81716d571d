import fc from 'fast-check';
import type { Schedule } from '../campaigns/definition.ts';

/**
 * Random reporting-schedule rules (every kind present or not, any day numbers, either due month,
 * one report for same-day obligations or not), for the property tests of the period generator and
 * of the reminder planner. The final report is each test's own.
 */
const dayOfMonth = fc.integer({ min: 1, max: 31 });
export const arbScheduleRules: fc.Arbitrary<Omit<Schedule, 'final'>> = fc.record({
  weekly: fc.option(fc.record({ dueWeekday: fc.integer({ min: 1, max: 7 }) }), { nil: undefined }),
  monthly: fc.option(
    fc.record({
      dueDay: dayOfMonth,
      dueMonth: fc.constantFrom('next' as const, 'same' as const),
      opensDay: dayOfMonth,
    }),
    { nil: undefined },
  ),
  quarterly: fc.option(
    fc.record({ dueDay: dayOfMonth, dueMonth: fc.constantFrom('last' as const, 'next' as const) }),
    { nil: undefined },
  ),
  semiannual: fc.option(fc.record({ dueDay: dayOfMonth, owner: fc.constant('area' as const) }), {
    nil: undefined,
  }),
  oneReportWhenSameDay: fc.boolean(),
});
