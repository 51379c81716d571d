import { describe, expect, it } from 'vitest';
import type { PlannedReminder } from './planner.ts';
import { reminderMessage } from './run-reminders.ts';

const base = { key: 'k', personId: 7, chats: [], slotAt: new Date(0), reason: '' };

describe('what a reminder is, for a ZNS template (issue 18 §4)', () => {
  it('a report reminder: its title and own params, not the catalog hint', () => {
    const item: PlannedReminder = {
      ...base,
      kind: 'report_due',
      text: {
        template: 'report_due',
        params: {
          unit: 'Phường Đức Xuân',
          period: 'tháng 3/2025',
          due: '14/03/2025',
          days: '2',
          hint: 'reminder.hint.monthly',
        },
      },
      subject: { kind: 'report', periodId: 1, unitId: 2 },
    };
    expect(reminderMessage(item, 'monthly').notice).toEqual({
      kind: 'reminder',
      params: {
        title: 'Báo cáo tháng 3/2025',
        unit: 'Phường Đức Xuân',
        period: 'tháng 3/2025',
        due: '14/03/2025',
        days: '2',
      },
    });
  });

  it('an escalation of several units names them by count; a pledge reminder by its reference', () => {
    const escalation: PlannedReminder = {
      ...base,
      kind: 'escalation',
      text: {
        template: 'escalation_many',
        params: { period: 'tháng 3/2025', due: '14/03/2025', units: 'A, B, C', count: '3' },
      },
      subject: { kind: 'report', periodId: 1, unitId: 2 },
    };
    expect(reminderMessage(escalation).notice).toEqual({
      kind: 'escalation',
      params: {
        title: 'Chậm báo cáo tháng 3/2025',
        period: 'tháng 3/2025',
        due: '14/03/2025',
        units: 'A, B, C',
        count: '3',
        unit: '3 đơn vị',
      },
    });
    const pledge: PlannedReminder = {
      ...base,
      kind: 'pledge_due',
      text: {
        template: 'pledge_due',
        params: { ref: 'UH-0001', remaining: '5.000.000 đ', due: '01/04/2025', days: '3' },
      },
      subject: { kind: 'pledge', pledgeId: 1 },
    };
    expect(reminderMessage(pledge).notice?.params.title).toBe('Đăng ký ủng hộ số UH-0001');
  });
});
