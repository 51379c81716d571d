import { describe, expect, it } from 'vitest';
import { clockMinutes, DEFAULT_REMINDER_POLICY, isQuietMinute, parseReminderPolicy } from './policy.ts';

describe('the reminder policy', () => {
  it('defaults to 5, 2 and 0 days before at 08:00, quiet 21:00–07:00, 2 a day, 12 hours of catch-up', () => {
    expect(DEFAULT_REMINDER_POLICY).toEqual({
      offsetsDays: [5, 2, 0],
      periodKinds: ['monthly', 'quarterly', 'final'],
      committee: true,
      sendAt: '08:00',
      quietHours: { from: '21:00', to: '07:00' },
      maxPerPersonPerDay: 2,
      catchUpHours: 12,
      escalation: { enabled: true, daysAfter: 1, catchUpHours: 24 },
      pledges: { enabled: true, daysBefore: 3, overdueEveryDays: 7, maxOverdue: 4 },
    });
    expect(parseReminderPolicy(null)).toEqual(DEFAULT_REMINDER_POLICY);
  });

  it('fills in what a stored policy leaves out and orders the offsets', () => {
    const p = parseReminderPolicy({ offsetsDays: [0, 3, 7, 3], pledges: { maxOverdue: 2 } });
    expect(p.offsetsDays).toEqual([7, 3, 0]);
    expect(p.pledges).toEqual({ enabled: true, daysBefore: 3, overdueEveryDays: 7, maxOverdue: 2 });
    expect(p.escalation.catchUpHours).toBe(24);
  });

  it.each([
    [{ offsetDays: [1] }],
    [{ sendAt: '8:00' }],
    [{ sendAt: '24:00' }],
    [{ maxPerPersonPerDay: 0 }],
    [{ offsetsDays: [-1] }],
    [{ escalation: { after: 2 } }],
  ])('refuses %j', (raw) => {
    expect(() => parseReminderPolicy(raw)).toThrow();
  });

  it.each([
    ['20:59', false],
    ['21:00', true],
    ['23:59', true],
    ['00:00', true],
    ['06:59', true],
    ['07:00', false],
  ])('treats %s as quiet: %s', (time, quiet) => {
    expect(isQuietMinute(clockMinutes(time), DEFAULT_REMINDER_POLICY.quietHours)).toBe(quiet);
  });

  it('handles quiet hours within a day and none at all', () => {
    expect(isQuietMinute(clockMinutes('13:00'), { from: '12:00', to: '14:00' })).toBe(true);
    expect(isQuietMinute(clockMinutes('14:00'), { from: '12:00', to: '14:00' })).toBe(false);
    expect(isQuietMinute(clockMinutes('03:00'), { from: '00:00', to: '00:00' })).toBe(false);
  });
});
