import { describe, expect, it } from 'vitest';
import { normOn } from './definition.ts';
import { formatProblem, readCampaignDefinition } from './definition-file.ts';

const MINIMAL = `code: TN-NCC-2026
name: Hỗ trợ nhà ở cho người có công
area: "19"
startsOn: 2026-01-01
endsOn: 2026-12-31
schedule:
  monthly: { dueDay: 10 }
  final: { dueOn: 2026-12-10 }
norms:
  - { from: 2026-01-01, to: 2026-06-30, newBuild: 60tr, repair: 30tr }
  - { from: 2026-07-01, newBuild: "1,5 tỷ", repair: 35000000 }
`;

describe('a campaign definition file (issue 15 §1)', () => {
  it('reads the forms officials write: quoted codes, "60tr", "1,5 tỷ", unquoted days, defaults filled in', () => {
    const read = readCampaignDefinition(MINIMAL);
    expect(read.ok).toBe(true);
    if (!read.ok) {
      return;
    }
    const d = read.value;
    expect(d.area).toBe('19');
    expect(d.addressForm).toBe('đồng chí');
    expect(d.schedule.monthly).toEqual({ dueDay: 10, dueMonth: 'next', opensDay: 20 });
    expect(d.schedule.oneReportWhenSameDay).toBe(true);
    expect(d.norms.map((n) => [n.newBuild, n.repair])).toEqual([
      [60_000_000n, 30_000_000n],
      [1_500_000_000n, 35_000_000n],
    ]);
    expect(normOn(d.norms, '2026-06-30')?.newBuild).toBe(60_000_000n);
    expect(normOn(d.norms, '2026-07-01')?.newBuild).toBe(1_500_000_000n);
    expect(d.categories.map((c) => c.code)).toEqual(['poor', 'near_poor', 'merit', 'other']);
  });

  it('names every problem with its line, its field and the fix, and never returns half a definition', () => {
    const text = MINIMAL.replace('area: "19"', 'area: 19')
      .replace('endsOn: 2026-12-31', 'endsOn: 9999-12-31')
      .replace('dueDay: 10', 'dueDay: 32')
      .replace('to: 2026-06-30', 'to: 2026-07-15');
    const read = readCampaignDefinition(text);
    expect(read.ok).toBe(false);
    if (read.ok) {
      return;
    }
    expect(read.problems.map(formatProblem)).toEqual([
      'dòng 3, area: mã đơn vị phải viết trong dấu nháy để giữ số 0 ở đầu, ví dụ "058"',
      'dòng 5, endsOn: một cuộc vận động kéo dài tối đa 10 năm: kiểm tra lại năm kết thúc',
      'dòng 7, schedule.monthly.dueDay: Hạn nộp phải từ 1 đến 31',
      'dòng 10, norms[0].to: các mức hỗ trợ chồng lên nhau: mức này phải kết thúc trước 2026-07-01',
    ]);
  });

  it('refuses a file that is not YAML or JSON, and a field written twice, by line', () => {
    const broken = readCampaignDefinition('code: A\ncode: B\nname: [unclosed\n');
    expect(broken.ok).toBe(false);
    if (broken.ok) {
      return;
    }
    expect(broken.problems.every((p) => p.line > 0)).toBe(true);
    expect(broken.problems.map((p) => p.message).join(' ')).toContain('không đúng cú pháp YAML/JSON');
  });
});
