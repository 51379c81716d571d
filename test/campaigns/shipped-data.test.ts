import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, readCampaignDefinition } from '../../core/campaigns/definition-file.ts';
import { readUnitEvents } from '../../core/units/events-file.ts';
import {
  resolveRelativeDays,
  SHIPPED,
  SHIPPED_DIR,
  type ShippedFile,
  shippedText,
} from '../../prisma/shipped-data.ts';

/**
 * The data shipped in campaigns/ (issue 15 §3) read by the product's own readers: every file parses
 * and validates, and says what the sources say (campaigns/bac-kan-2024-2025/SOURCES.md).
 */

function definition(file: 'bacKanCampaign' | 'demoCampaign', today = { year: 2026, month: 12, day: 6 }) {
  const read = readCampaignDefinition(resolveRelativeDays(shippedText(file), today));
  if (!read.ok) {
    throw new Error(read.problems.map(formatProblem).join('\n'));
  }
  return read.value;
}

function csvRows(file: ShippedFile): Record<string, string>[] {
  const [header, ...lines] = shippedText(file).trim().split('\n');
  const names = (header ?? '').split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i] ?? '', v])));
}

describe('campaigns/bac-kan-2024-2025', () => {
  it('campaign.yaml is the 2024–2025 plan of Bắc Kạn city, closed from the day the city ended', () => {
    const d = definition('bacKanCampaign');
    expect(d).toMatchObject({
      code: 'BK-XNT-2025',
      area: '058',
      startsOn: '2024-10-01',
      endsOn: '2025-12-31',
      closedOn: '2025-07-01',
      addressForm: 'đồng chí',
      schedule: {
        monthly: { dueDay: 15, dueMonth: 'next', opensDay: 20 },
        quarterly: { dueDay: 15, dueMonth: 'last' },
        semiannual: { dueDay: 15, owner: 'area' },
        final: { dueOn: '2025-12-10' },
        oneReportWhenSameDay: true,
      },
      povertyStandards: [{ reference: 'Nghị định 07/2021/NĐ-CP', from: '2022-01-01', to: '2025-12-31' }],
      eligibility: {
        minNonDurableStructures: 2,
        familyMinArea: 30,
        eligibleCategories: ['poor', 'near_poor', 'merit'],
      },
    });
    expect(d.norms).toEqual([
      { from: '2024-10-01', to: '2024-11-09', newBuild: 50_000_000n, repair: 25_000_000n },
      { from: '2024-11-10', newBuild: 60_000_000n, repair: 30_000_000n },
    ]);
    expect(d.categories.map((c) => c.code)).toEqual(['poor', 'near_poor', 'merit', 'other']);
  });

  it('units-2024.csv holds province 06, city 058, its 8 wards and communes and 5 member organisations', () => {
    const rows = csvRows('bacKanUnits');
    expect(rows).toHaveLength(15);
    expect(rows.filter((r) => r.parent === '058' && r.kind !== 'member_org').map((r) => r.code)).toEqual([
      '01834',
      '01837',
      '01840',
      '01843',
      '01846',
      '01849',
      '01852',
      '01855',
    ]);
    expect(rows.filter((r) => r.kind === 'member_org')).toHaveLength(5);
    expect(rows.find((r) => r.code === '058')).toMatchObject({ parent: '06', validTo: '2025-06-30' });
    // SOURCES.md: the province's 1997-01-01 and the older wards' and communes' 2015-03-11 are assumed.
    const unverified = rows.filter((r) => r.note?.startsWith('chưa kiểm chứng: ngày hiệu lực'));
    expect(unverified.map((r) => `${r.code} ${r.validFrom}`)).toEqual([
      '06 1997-01-01',
      '01834 2015-03-11',
      '01837 2015-03-11',
      '01840 2015-03-11',
      '01843 2015-03-11',
      '01849 2015-03-11',
      '01852 2015-03-11',
    ]);
  });

  it('reform-2025-07-01.yaml reads as unit events: the three successors of Resolution 1683/NQ-UBTVQH15', () => {
    const read = readUnitEvents(shippedText('bacKanReform'));
    if (!read.ok) {
      throw new Error(read.problems.map(formatProblem).join('\n'));
    }
    const merges = read.value.events.flatMap((e) =>
      e.type === 'merge' ? [[e.into.code, e.from] as const] : [],
    );
    expect(merges).toEqual([
      ['19', ['06']],
      ['01840', ['01834', '01846', '01840']],
      ['01843', ['01837', '01843', '01855', '01852']],
      ['01849', ['01849', '01984']],
    ]);
    expect(read.value.on).toBe('2025-07-01');
    // Đôn Phong (of Bạch Thông, not of the city) is declared by the file itself, and marked.
    const added = read.value.events.filter((e) => e.type === 'add');
    expect(added.map((e) => e.type === 'add' && e.code)).toEqual(['063', '01984']);
    expect(added.every((e) => e.note?.startsWith('unverified: true'))).toBe(true);
  });

  it('SOURCES.md names every Bắc Kạn file and the resolution the reform follows', () => {
    const sources = fs.readFileSync(path.join(SHIPPED_DIR, 'bac-kan-2024-2025', 'SOURCES.md'), 'utf8');
    for (const file of Object.values(SHIPPED).filter((f) => f.startsWith('bac-kan-2024-2025/'))) {
      expect(sources).toContain(`\`${path.basename(file)}\``);
    }
    expect(sources).toContain('1683/NQ-UBTVQH15');
    expect(sources).toContain('1027/CTK-CSCL');
  });
});

describe('campaigns/demo', () => {
  it('campaign.yaml is a template whose days follow the day the database is made', () => {
    const d = definition('demoCampaign', { year: 2026, month: 12, day: 6 });
    expect(d).toMatchObject({
      area: '19',
      startsOn: '2026-08-01',
      endsOn: '2027-08-31',
      schedule: { monthly: { dueDay: 15 }, final: { dueOn: '2027-08-10' } },
    });
    expect(definition('demoCampaign', { year: 2026, month: 2, day: 28 })).toMatchObject({
      startsOn: '2025-10-01',
      endsOn: '2026-10-31',
      norms: [{ from: '2025-10-01' }],
    });
  });

  it('units.csv puts its units under province 19 from 01/07/2025', () => {
    const rows = csvRows('demoUnits');
    expect(rows.every((r) => r.parent === '19' && r.validFrom === '2025-07-01')).toBe(true);
    expect(rows.map((r) => r.code)).toContain('HLHPN-19');
  });
});
