import { describe, expect, it } from 'vitest';
import { dueDigests } from './digest-schedule.ts';
import type { LeadershipGroupRecord } from './group.repository.ts';

const ZONE = 'Asia/Ho_Chi_Minh';
const group = (id: number, digests: LeadershipGroupRecord['digests']): LeadershipGroupRecord => ({
  id,
  channel: 'telegram',
  chatId: `-100${id}`,
  title: null,
  unitId: 1,
  digests,
  status: 'active',
  requestedBy: null,
  requestedAt: new Date(0),
  confirmedBy: null,
  confirmedAt: null,
  pinned: { messageId: null, text: null, at: null },
});
const periods = [
  { kind: 'monthly' as const, code: '2025-03', dueOn: '2025-04-15' },
  { kind: 'quarterly' as const, code: '2025-Q2', dueOn: '2025-06-15' },
  { kind: 'monthly' as const, code: '2025-05', dueOn: '2025-06-15' },
  { kind: 'semiannual' as const, code: '2025-H1', dueOn: '2025-07-15' },
];
const at = (local: string) => new Date(`${local}+07:00`);

describe('when digests are due', () => {
  it('weekly on Monday from 07:30, not before, and not after the catch-up window', () => {
    const g = [group(1, ['weekly'])];
    // 14/04/2025 is a Monday.
    expect(dueDigests(g, periods, at('2025-04-14T07:29:00'), ZONE)).toEqual([]);
    expect(dueDigests(g, periods, at('2025-04-14T07:30:00'), ZONE).map((d) => d.key)).toEqual([
      'digest:1:weekly:2025-04-14',
    ]);
    expect(dueDigests(g, periods, at('2025-04-14T19:29:00'), ZONE)).toHaveLength(1);
    expect(dueDigests(g, periods, at('2025-04-14T19:31:00'), ZONE)).toEqual([]);
    expect(dueDigests(g, periods, at('2025-04-16T07:30:00'), ZONE)).toEqual([]);
  });

  it('the morning a deadline has passed, once for a monthly and a quarterly deadline on one day', () => {
    const g = [group(2, ['deadline', 'semiannual'])];
    expect(dueDigests(g, periods, at('2025-04-15T08:05:00'), ZONE).map((d) => d.key)).toEqual([
      'digest:2:deadline:2025-03',
    ]);
    expect(dueDigests(g, periods, at('2025-06-15T08:00:00'), ZONE)).toHaveLength(1);
    expect(dueDigests(g, periods, at('2025-07-15T09:00:00'), ZONE).map((d) => d.kind)).toEqual([
      'semiannual',
    ]);
  });

  it('only the kinds a group chose', () => {
    expect(dueDigests([group(3, ['weekly'])], periods, at('2025-04-15T08:05:00'), ZONE)).toEqual([]);
  });
});
