import { describe, expect, it } from 'vitest';
import type { Period } from '../campaigns/campaign.ts';
import type { ReportRecord } from '../reports/report.ts';
import type { UnitView } from '../units/unit.repository.ts';
import { daysBetween, issuerLine, lastDayOnTime, placeAndDate } from './export-scope.ts';
import { lateSheet } from './late-export.ts';
import { type ExportColumn, sheet, sheetName, totalsOf } from './sheet.ts';

const COLUMNS: ExportColumn[] = [
  { key: 'name', header: 'Tên', width: 10, format: 'text' },
  { key: 'money', header: 'Tiền', width: 10, format: 'money', total: 'sum' },
  { key: 'done', header: 'Xong', width: 5, format: 'integer', total: 'sum' },
  { key: 'all', header: 'Tổng', width: 5, format: 'integer', total: 'sum' },
  { key: 'mark', header: 'x', width: 5, format: 'text', total: 'count' },
  {
    key: 'rate',
    header: '%',
    width: 5,
    format: 'percent',
    total: { ratio: { numerator: ['done'], denominator: ['all'] } },
  },
];

describe('totalsOf', () => {
  it('sums money exactly as bigint, counts marks, and divides the summed groups', () => {
    const rows = [
      { name: 'A', money: 9_007_199_254_740_993n, done: 1, all: 4, mark: 'x' },
      { name: 'B', money: 7n, done: 2, all: 2, mark: null },
      { name: 'C', money: null, done: null, all: 0, mark: '' },
    ];
    expect(totalsOf(COLUMNS, rows)).toEqual({
      money: 9_007_199_254_741_000n,
      done: 3,
      all: 6,
      mark: 1,
      rate: 0.5,
    });
  });

  it('no rows: zero sums, no ratio', () => {
    expect(totalsOf(COLUMNS, [])).toEqual({ money: 0, done: 0, all: 0, mark: 0, rate: null });
  });

  it('a sheet without totalled columns has no totals row', () => {
    const plain = sheet({
      name: 'a',
      title: 'A',
      subtitle: '',
      columns: [COLUMNS[0] as ExportColumn],
      rows: [],
    });
    expect(plain.totals).toBeUndefined();
    expect(plain.notes).toEqual([]);
  });
});

describe('names and dates', () => {
  it.each([
    ['Quỹ Phường Nguyễn Thị Minh Khai [cũ]', 'Quỹ Phường Nguyễn Thị Minh Khai'],
    ['Tiến độ 2025/02: tháng 2', 'Tiến độ 2025-02- tháng 2'],
  ])('sheet name %s → %s', (name, expected) => {
    expect(sheetName(name)).toBe(expected);
    expect(sheetName(name).length).toBeLessThanOrEqual(31);
  });

  it('the title block names the city and the place', () => {
    const city: UnitView = {
      id: 1,
      code: '058',
      name: 'Ủy ban MTTQ Việt Nam thành phố Bắc Kạn',
      kind: 'city',
      parentId: null,
    };
    expect(issuerLine(city)).toBe('THÀNH PHỐ BẮC KẠN');
    expect(placeAndDate(city, '2025-01-05')).toBe('Bắc Kạn, ngày 05 tháng 01 năm 2025');
  });

  it.each([
    ['2025-03-14', '2025-03-14', 0],
    ['2025-03-14', '2025-03-15', 1],
    ['2025-02-14', '2025-03-01', 15],
    ['2024-12-31', '2025-01-01', 1],
  ])('days from %s to %s: %i', (from, to, days) => {
    expect(daysBetween(from, to)).toBe(days);
  });
});

describe('lateSheet', () => {
  const period = (code: string, dueOn: string): Period => ({
    id: Number(code.slice(-2)),
    campaignId: 1,
    kind: 'monthly',
    code,
    label: `tháng ${Number(code.slice(-2))}/2025`,
    startsOn: `${code}-01`,
    endsOn: `${code}-28`,
    opensOn: `${code}-20`,
    dueOn,
  });
  const unit = (id: number, name: string): UnitView => ({
    id,
    code: `0${id}`,
    name,
    kind: 'ward',
    parentId: 9,
  });
  const sent = (periodId: number, unitId: number, at: string, late: boolean) =>
    ({ periodId, unitId, submittedAt: new Date(at), late, revision: 1 }) as ReportRecord;

  it('a report on the due day is one day late; a period not yet due lists nobody missing', () => {
    const feb = period('2025-02', '2025-03-15');
    const mar = period('2025-03', '2025-04-15');
    const s = lateSheet({
      periods: [feb, mar],
      units: [unit(1, 'Phường A'), unit(2, 'Phường B'), unit(3, 'Phường C')],
      reports: [
        sent(2, 1, '2025-03-14T16:59:00Z', false),
        // 15/03 00:30 in Vietnam: the due day itself.
        sent(2, 2, '2025-03-14T17:30:00Z', true),
      ],
      onPaper: new Set(['2:3']),
      timeZone: 'Asia/Ho_Chi_Minh',
      today: '2025-03-20',
    });
    expect(lastDayOnTime(feb.dueOn)).toBe('2025-03-14');
    expect(s.rows).toEqual([
      {
        stt: 1,
        period: 'tháng 2/2025',
        due: '2025-03-15',
        unit: 'Phường B',
        late: 'x',
        submitted: '2025-03-15',
        daysLate: 1,
        note: null,
      },
      {
        stt: 2,
        period: 'tháng 2/2025',
        due: '2025-03-15',
        unit: 'Phường C',
        missing: 'x',
        daysLate: 6,
        note: 'Đã báo cáo bằng văn bản',
      },
    ]);
    expect(s.totals).toEqual({ missing: 1, late: 1 });
  });
});
