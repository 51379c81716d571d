import { describe, expect, it } from 'vitest';
import { parseCommendationCriteria, proposeCommendations } from './commendations.ts';

const units = [
  { name: 'Phường Đức Xuân', approved: 4, completed: 4, reportsDue: 6, reportsOnTime: 6 },
  { name: 'Phường Sông Cầu', approved: 4, completed: 3, reportsDue: 6, reportsOnTime: 6 },
  { name: 'Xã Nông Thượng', approved: 2, completed: 2, reportsDue: 6, reportsOnTime: 3 },
  { name: 'Xã Dương Quang', approved: 0, completed: 0, reportsDue: 6, reportsOnTime: 6 },
];
const orgs = [
  { name: 'Hội LHPN', pledged: 50_000_000n, received: 55_000_000n },
  { name: 'Hội Nông dân', pledged: 100_000_000n, received: 20_000_000n },
];
const donors = [
  { name: 'Công ty A', kind: 'enterprise', received: 80_000_000n, publicName: true },
  { name: 'Ông B', kind: 'individual', received: 90_000_000n, publicName: false },
  { name: 'Bà C', kind: 'individual', received: 5_000_000n, publicName: true },
];

describe('commendation proposals', () => {
  it('proposes by the default criteria, with the figures as the reason', () => {
    const proposals = proposeCommendations(parseCommendationCriteria(undefined), units, orgs, donors);
    expect(proposals.map((p) => p.name)).toEqual(['Phường Đức Xuân', 'Hội LHPN', 'Công ty A']);
    expect(proposals[0]?.reason).toBe('Hoàn thành 4/4 nhà (100%); báo cáo đúng hạn 6/6 kỳ');
    expect(proposals[1]?.reason).toContain('đã nộp 55 triệu đồng (110%)');
  });

  it('follows the criteria the admin sets', () => {
    const c = parseCommendationCriteria({
      minCompletedShare: 0.75,
      minOnTimeShare: 0.5,
      minDonorReceived: 1_000_000,
    });
    const names = proposeCommendations(c, units, orgs, donors).map((p) => p.name);
    expect(names).toEqual([
      'Phường Đức Xuân',
      'Phường Sông Cầu',
      'Xã Nông Thượng',
      'Hội LHPN',
      'Công ty A',
      'Bà C',
    ]);
    expect(() => parseCommendationCriteria({ minCompletedShare: 2 })).toThrow();
  });
});
