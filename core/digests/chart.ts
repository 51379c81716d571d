import { type Locale, t } from '../messaging/catalog.ts';

/** What a digest's picture shows; `renderChartSvg` draws it. */
export interface ChartData {
  /** The language of the headings and number formats. */
  locale: Locale;
  /** Heading lines at the top (no emoji: the chart's only font is DejaVu Sans). */
  title: string[];
  /** Completion per ward or commune; `percent` is undefined while none of its houses is approved. */
  units: { name: string; percent: number | undefined }[];
  /** Pledged and received per member organisation, in đồng. */
  organisations: { name: string; pledged: bigint; received: bigint }[];
}

/**
 * The geometry, in SVG units. The picture is 800 wide and a phone shows it about 360 wide, so
 * the smallest text is 24 (about 11 on the screen) and everything is dark on white.
 */
export const CHART_WIDTH = 800;
const MARGIN = 24;
const TITLE_SIZE = 30;
const HEADING_SIZE = 26;
const TEXT_SIZE = 24;
/** Room for a unit's short name (up to SHORT_NAME_MAX characters, core/households/unit-progress.ts). */
const LABEL_WIDTH = 236;
/** Room right of the longest bar for its value ("100%", "1.250"). */
const VALUE_ROOM = 96;
export const COMPLETION_BAR_X = MARGIN + LABEL_WIDTH;
export const COMPLETION_BAR_MAX = CHART_WIDTH - MARGIN - VALUE_ROOM - COMPLETION_BAR_X;
export const MONEY_BAR_X = MARGIN;
export const MONEY_BAR_MAX = CHART_WIDTH - MARGIN - VALUE_ROOM - 24 - MONEY_BAR_X;
const UNIT_ROW = 44;
const UNIT_BAR = 30;
const MONEY_BAR = 28;

export const COLORS = {
  text: '#111111',
  muted: '#444444',
  completion: '#1b5e20',
  pledged: '#e07b00',
  received: '#0b3d91',
  track: '#e4e4e4',
} as const;

/** DejaVu Sans is wide: an average Vietnamese character takes about this much of the font size. */
const CHAR_WIDTH = 0.6;

/**
 * One image with two panels: completion per unit (horizontal bars, % at the bar's end) and
 * pledged vs received per member organisation (paired bars, in millions of đồng). Pure: the same
 * data gives the same SVG, which the channels turn into a PNG when they send it.
 */
export function renderChartSvg(chart: ChartData): string {
  const parts: string[] = [];
  let y = MARGIN;

  for (const line of chart.title) {
    y += TITLE_SIZE + 6;
    parts.push(
      text(MARGIN, y, shorten(line, TITLE_SIZE, CHART_WIDTH - 2 * MARGIN), TITLE_SIZE, { bold: true }),
    );
  }

  y += 24 + HEADING_SIZE;
  parts.push(text(MARGIN, y, t(chart.locale, 'digest.chart.completion'), HEADING_SIZE, { bold: true }));
  y += 12;
  if (chart.units.length === 0) {
    y += TEXT_SIZE + 8;
    parts.push(text(MARGIN, y, t(chart.locale, 'digest.chart.no_units'), TEXT_SIZE, { color: COLORS.muted }));
  }
  for (const unit of chart.units) {
    const barY = y + (UNIT_ROW - UNIT_BAR) / 2;
    const baseline = y + UNIT_ROW / 2 + TEXT_SIZE * 0.36;
    parts.push(text(MARGIN, baseline, shorten(unit.name, TEXT_SIZE, LABEL_WIDTH - 12), TEXT_SIZE));
    // A light track to 100 %, so a short bar reads as short.
    parts.push(rect('track', COMPLETION_BAR_X, barY, COMPLETION_BAR_MAX, UNIT_BAR, COLORS.track));
    if (unit.percent === undefined) {
      parts.push(text(COMPLETION_BAR_X + 8, baseline, '–', TEXT_SIZE, { color: COLORS.muted }));
    } else {
      const width = completionWidth(unit.percent);
      parts.push(rect('bar-completion', COMPLETION_BAR_X, barY, width, UNIT_BAR, COLORS.completion));
      parts.push(
        text(COMPLETION_BAR_X + width + 8, baseline, `${formatPercent(unit.percent)}%`, TEXT_SIZE, {
          bold: true,
        }),
      );
    }
    y += UNIT_ROW;
  }

  y += 28 + HEADING_SIZE;
  parts.push(text(MARGIN, y, t(chart.locale, 'digest.chart.money'), HEADING_SIZE, { bold: true }));
  if (chart.organisations.length === 0) {
    y += TEXT_SIZE + 16;
    parts.push(text(MARGIN, y, t(chart.locale, 'digest.chart.no_orgs'), TEXT_SIZE, { color: COLORS.muted }));
  } else {
    y += 16;
    parts.push(...legend(chart.locale, y));
    y += TEXT_SIZE - 4;
    const largest = chart.organisations.reduce((m, o) => max(max(m, o.pledged), o.received), 0n);
    for (const org of chart.organisations) {
      y += TEXT_SIZE + 14;
      parts.push(text(MARGIN, y, shorten(org.name, TEXT_SIZE, CHART_WIDTH - 2 * MARGIN), TEXT_SIZE));
      y += 8;
      for (const [kind, amount] of [
        ['pledged', org.pledged],
        ['received', org.received],
      ] as const) {
        const width = moneyWidth(amount, largest);
        parts.push(rect(`bar-${kind}`, MONEY_BAR_X, y, width, MONEY_BAR, COLORS[kind]));
        parts.push(
          text(
            MONEY_BAR_X + width + 8,
            y + MONEY_BAR / 2 + TEXT_SIZE * 0.36,
            formatMillions(amount, chart.locale),
            TEXT_SIZE,
            { bold: true },
          ),
        );
        y += MONEY_BAR + 4;
      }
    }
  }
  y += MARGIN;

  return svgDocument(CHART_WIDTH, Math.ceil(y), parts);
}

/** An SVG document of `width` × `height` on white, in the font the PNG renderer ships, around `parts`. */
export function svgDocument(width: number, height: number, parts: readonly string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
  ].join('\n');
}

/** Bar length for a completion %, clamped to 0–100 %. */
export function completionWidth(percent: number): number {
  return round1((Math.min(Math.max(percent, 0), 100) / 100) * COMPLETION_BAR_MAX);
}

function moneyWidth(amount: bigint, largest: bigint): number {
  if (largest <= 0n || amount <= 0n) {
    return 0;
  }
  // Per mille of the largest amount: exact enough for a bar and safe for any bigint.
  return round1((Number((amount * 1000n) / largest) / 1000) * MONEY_BAR_MAX);
}

function legend(locale: Locale, y: number): string[] {
  const swatch = TEXT_SIZE - 4;
  const pledged = t(locale, 'digest.chart.pledged');
  const second = MARGIN + swatch + 10 + textWidth(pledged, TEXT_SIZE) + 32;
  return [
    rect('legend-pledged', MARGIN, y, swatch, swatch, COLORS.pledged),
    text(MARGIN + swatch + 10, y + swatch - 2, pledged, TEXT_SIZE),
    rect('legend-received', second, y, swatch, swatch, COLORS.received),
    text(second + swatch + 10, y + swatch - 2, t(locale, 'digest.chart.received'), TEXT_SIZE),
  ];
}

/** Millions of đồng: "1.250", "12,5", "0,3" (Vietnamese separators) or "1,250", "12.5" in English. */
export function formatMillions(amount: bigint, locale: Locale): string {
  const tenths = Number((amount + 50_000n) / 100_000n);
  const whole = Math.floor(tenths / 10);
  const [group, decimal] = locale === 'vi' ? ['.', ','] : [',', '.'];
  const grouped = String(whole).replace(/\B(?=(?:\d{3})+$)/g, group);
  // A decimal only where it tells something: below 100 million.
  return whole < 100 && tenths % 10 !== 0 ? `${grouped}${decimal}${tenths % 10}` : grouped;
}

function formatPercent(percent: number): string {
  return String(Math.round(percent));
}

function text(
  x: number,
  y: number,
  content: string,
  size: number,
  style: { bold?: boolean; color?: string } = {},
): string {
  const weight = style.bold ? ' font-weight="bold"' : '';
  return `<text x="${round1(x)}" y="${round1(y)}" font-size="${size}"${weight} fill="${style.color ?? COLORS.text}">${escapeXml(content)}</text>`;
}

function rect(kind: string, x: number, y: number, width: number, height: number, fill: string): string {
  return `<rect class="${kind}" x="${round1(x)}" y="${round1(y)}" width="${round1(width)}" height="${height}" fill="${fill}"/>`;
}

function textWidth(content: string, size: number): number {
  return [...content].length * size * CHAR_WIDTH;
}

/** Shortens a label that would run past `maxWidth`, ending it with "…". */
function shorten(content: string, size: number, maxWidth: number): string {
  const chars = [...content];
  const room = Math.floor(maxWidth / (size * CHAR_WIDTH));
  return chars.length <= room
    ? content
    : `${chars
        .slice(0, Math.max(room - 1, 1))
        .join('')
        .trimEnd()}…`;
}

/** Escapes text for an element or attribute; control characters XML cannot hold are dropped. */
export function escapeXml(value: string): string {
  const allowed = [...value].filter((c) => {
    const code = c.codePointAt(0) ?? 0;
    return code >= 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
  });
  return allowed.join('').replace(/[&<>"']/g, (c) => XML_ENTITIES[c] ?? c);
}

const XML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
