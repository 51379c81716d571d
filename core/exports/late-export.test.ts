import { describe, expect, it } from 'vitest';
import type { Period } from '../campaigns/campaign.ts';
import { lateSheet } from './late-export.ts';

const period = (kind: Period['kind'], code: string, label: string, dueOn: string): Period => ({
  id: code.length,
  campaignId: 1,
  kind,
  code,
  label,
  startsOn: '2025-01-01',
  endsOn: '2025-06-30',
  opensOn: '2025-06-20',
  dueOn,
});

describe('the late list', () => {
  it('lists wards late for their own reports, never for the committee’s six-monthly report', () => {
    const units = [{ id: 1, code: '01840', name: 'Phường Đức Xuân', kind: 'ward', parentId: 9 }];
    const input = {
      units,
      reports: [],
      onPaper: new Set<string>(),
      timeZone: 'Asia/Ho_Chi_Minh',
      today: '2025-08-01',
    };
    const sixMonthly = lateSheet({
      ...input,
      periods: [period('semiannual', '2025-H1', '6 tháng đầu năm 2025', '2025-07-15')],
    });
    expect(sixMonthly.rows).toEqual([]);
    const june = lateSheet({
      ...input,
      periods: [period('monthly', '2025-06', 'tháng 6/2025', '2025-07-15')],
    });
    expect(june.rows.map((r) => [r.period, r.unit, r.missing])).toEqual([
      ['tháng 6/2025', 'Phường Đức Xuân', 'x'],
    ]);
  });
});
