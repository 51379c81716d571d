import { describe, expect, it } from 'vitest';
import {
  CHART_WIDTH,
  type ChartData,
  COLORS,
  COMPLETION_BAR_MAX,
  COMPLETION_BAR_X,
  completionWidth,
  escapeXml,
  formatMillions,
  MONEY_BAR_MAX,
  renderChartSvg,
} from './chart.ts';

const CHART: ChartData = {
  locale: 'vi',
  title: ['Bản tin tuần: xóa nhà tạm, nhà dột nát', 'Thành phố Bắc Kạn – ngày 20/03/2025'],
  units: [
    { name: 'NT Minh Khai', percent: 100 },
    { name: 'Sông Cầu', percent: 75 },
    { name: 'Đức Xuân', percent: 0 },
    { name: 'Huyền Tụng', percent: undefined },
    { name: 'Tổ "A" & <B>', percent: 40 },
  ],
  organisations: [
    { name: 'Hội Liên hiệp Phụ nữ', pledged: 50_000_000n, received: 30_000_000n },
    { name: 'Hội Nông dân', pledged: 100_000_000n, received: 20_000_000n },
  ],
};

/** The attributes of every `<rect class="…">` of the kind, in document order. */
function bars(svg: string, kind: string): { x: number; y: number; width: number; fill: string }[] {
  const pattern = new RegExp(
    `<rect class="${kind}" x="([\\d.]+)" y="([\\d.]+)" width="([\\d.]+)" height="[\\d.]+" fill="(#[0-9a-f]+)"/>`,
    'g',
  );
  return [...svg.matchAll(pattern)].map((m) => ({
    x: Number(m[1]),
    y: Number(m[2]),
    width: Number(m[3]),
    fill: m[4] ?? '',
  }));
}

function texts(svg: string): string[] {
  return [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1] ?? '');
}

describe('renderChartSvg', () => {
  const svg = renderChartSvg(CHART);

  it('is an 800-wide SVG in DejaVu Sans with a white background', () => {
    expect(svg).toMatch(
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="800" height="\d+" viewBox="0 0 800 \d+"/,
    );
    expect(svg).toContain('font-family="DejaVu Sans"');
    expect(svg).toContain(`<rect width="${CHART_WIDTH}"`);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    // Big type only: a phone shows the picture about 360 wide.
    const sizes = [...svg.matchAll(/font-size="(\d+)"/g)].map((m) => Number(m[1]));
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(18);
  });

  it('draws one completion bar per unit with houses approved, its length proportional to the %', () => {
    const completion = bars(svg, 'bar-completion');
    expect(completion.map((b) => b.width)).toEqual([
      COMPLETION_BAR_MAX,
      completionWidth(75),
      0,
      completionWidth(40),
    ]);
    expect(completionWidth(75)).toBeCloseTo(COMPLETION_BAR_MAX * 0.75, 1);
    expect(completion.every((b) => b.x === COMPLETION_BAR_X && b.fill === COLORS.completion)).toBe(true);
    // Rows go down the page; every unit has a track, the unit without approved houses no bar.
    expect(completion.map((b) => b.y)).toEqual([...completion.map((b) => b.y)].sort((a, b) => a - b));
    expect(bars(svg, 'track')).toHaveLength(5);
  });

  it('writes the unit names and the % at the end of each bar', () => {
    const labels = texts(svg);
    for (const name of ['NT Minh Khai', 'Sông Cầu', 'Đức Xuân', 'Huyền Tụng']) {
      expect(labels).toContain(name);
    }
    expect(labels).toEqual(expect.arrayContaining(['100%', '75%', '0%', '40%', '–']));
    const seventyFive = svg.match(
      /<text x="([\d.]+)" y="[\d.]+" font-size="24" font-weight="bold" fill="#111111">75%</,
    );
    expect(Number(seventyFive?.[1])).toBeCloseTo(COMPLETION_BAR_X + completionWidth(75) + 8, 1);
  });

  it('escapes quotes, ampersands and angle brackets in labels', () => {
    expect(svg).toContain('Tổ &quot;A&quot; &amp; &lt;B&gt;');
    expect(svg).not.toContain('<B>');
    expect(escapeXml(`a'b\u0007c`)).toBe('a&apos;bc');
  });

  it('pairs pledged and received bars per organisation, scaled to the largest amount, in millions', () => {
    const pledged = bars(svg, 'bar-pledged');
    const received = bars(svg, 'bar-received');
    expect(pledged.map((b) => b.width)).toEqual([MONEY_BAR_MAX / 2, MONEY_BAR_MAX]);
    expect(received.map((b) => b.width)).toEqual([MONEY_BAR_MAX * 0.3, MONEY_BAR_MAX * 0.2]);
    expect(pledged.every((b) => b.fill === COLORS.pledged)).toBe(true);
    expect(received.every((b) => b.fill === COLORS.received)).toBe(true);
    const labels = texts(svg);
    expect(labels).toEqual(
      expect.arrayContaining(['Hội Liên hiệp Phụ nữ', 'Hội Nông dân', '50', '30', '100', '20']),
    );
    expect(labels).toEqual(
      expect.arrayContaining(['Quỹ theo tổ chức thành viên (triệu đồng)', 'Đăng ký', 'Đã nộp']),
    );
  });

  it('shortens a label too long for its place', () => {
    const long = renderChartSvg({
      ...CHART,
      organisations: [{ name: `Hội ${'rất '.repeat(40)}dài`, pledged: 1n, received: 0n }],
    });
    const label = texts(long).find((l) => l.startsWith('Hội rất'));
    expect(label?.endsWith('…')).toBe(true);
    expect([...(label ?? '')].length).toBeLessThan(60);
  });

  it('says so when there is nothing to draw', () => {
    const empty = renderChartSvg({ ...CHART, units: [], organisations: [] });
    expect(texts(empty)).toEqual(
      expect.arrayContaining(['Chưa có phường, xã nào.', 'Chưa có tổ chức thành viên đăng ký ủng hộ.']),
    );
    expect(empty).not.toContain('class="bar-');
  });

  it('is the same for the same data', () => {
    expect(renderChartSvg(CHART)).toBe(svg);
  });
});

describe('formatMillions', () => {
  it.each([
    [0n, 'vi', '0'],
    [300_000n, 'vi', '0,3'],
    [12_500_000n, 'vi', '12,5'],
    [85_000_000n, 'vi', '85'],
    [120_400_000n, 'vi', '120'],
    [1_250_000_000n, 'vi', '1.250'],
    [1_250_000_000n, 'en', '1,250'],
    [12_500_000n, 'en', '12.5'],
  ] as const)('%s đồng (%s) → %s', (amount, locale, expected) => {
    expect(formatMillions(amount, locale)).toBe(expected);
  });
});
