import { describe, expect, it } from 'vitest';
import {
  type ChartData,
  COLORS,
  COMPLETION_BAR_MAX,
  COMPLETION_BAR_X,
  completionWidth,
  renderChartSvg,
} from '../../core/digests/chart.ts';
import { PNG_SCALE, renderImage, renderPng } from './render-png.ts';

const CHART: ChartData = {
  locale: 'vi',
  title: ['Bản tin tuần: xóa nhà tạm, nhà dột nát', 'Thành phố Bắc Kạn – ngày 20/03/2025'],
  units: [
    { name: 'NT Minh Khai', percent: 100 },
    { name: 'Sông Cầu', percent: 75 },
    { name: 'Đức Xuân', percent: 0 },
  ],
  organisations: [{ name: 'Hội Liên hiệp Phụ nữ', pledged: 50_000_000n, received: 30_000_000n }],
};
const SVG = renderChartSvg(CHART);

/** Width and height from the IHDR chunk, which a valid PNG has first, right after the signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

function hex(color: string): [number, number, number] {
  return [1, 3, 5].map((i) => Number.parseInt(color.slice(i, i + 2), 16)) as [number, number, number];
}

describe('renderPng', () => {
  const png = renderPng(SVG);
  const svgHeight = Number(SVG.match(/height="(\d+)"/)?.[1]);

  it('is a PNG 1.5 times the SVG size', () => {
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(pngSize(png)).toEqual({ width: 800 * PNG_SCALE, height: Math.round(svgHeight * PNG_SCALE) });
    // Small enough for any messenger (Zalo takes images up to 1 MB).
    expect(png.length).toBeLessThan(300_000);
  });

  it('is not blank: the bars have their colour where the SVG puts them, and the text is drawn', () => {
    const image = renderImage(SVG);
    const pixels = image.pixels;
    const at = (x: number, y: number) => {
      const i = (Math.round(y * PNG_SCALE) * image.width + Math.round(x * PNG_SCALE)) * 4;
      return [pixels[i], pixels[i + 1], pixels[i + 2]];
    };
    const bar = SVG.match(
      /<rect class="bar-completion" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="(\d+)"/,
    );
    const y = Number(bar?.[1]) + Number(bar?.[2]) / 2;
    // Inside Minh Khai's full bar, near its end, and right of Sông Cầu's 75 % bar (the track).
    expect(at(COMPLETION_BAR_X + COMPLETION_BAR_MAX - 4, y)).toEqual(hex(COLORS.completion));
    expect(at(COMPLETION_BAR_X + completionWidth(75) - 4, y + 44)).toEqual(hex(COLORS.completion));
    expect(at(COMPLETION_BAR_X + COMPLETION_BAR_MAX - 4, y + 44)).toEqual(hex(COLORS.track));
    // Dark pixels (text) in the title line, where only glyphs can put them.
    let dark = 0;
    for (let py = Math.round(24 * PNG_SCALE); py < Math.round(70 * PNG_SCALE); py++) {
      for (let px = 0; px < image.width; px++) {
        const i = (py * image.width + px) * 4;
        if ((pixels[i] ?? 255) < 80 && (pixels[i + 1] ?? 255) < 80 && (pixels[i + 2] ?? 255) < 80) {
          dark += 1;
        }
      }
    }
    expect(dark).toBeGreaterThan(2_000);
  });

  it('draws Vietnamese text with the bundled DejaVu fonts only, the same on every machine', () => {
    expect(renderPng(SVG).equals(png)).toBe(true);
    // A glyph missing from the font would leave the line nearly empty; "Đức Xuân" is drawn.
    const onlyLabel = renderChartSvg({
      ...CHART,
      title: [],
      units: [{ name: 'Đức Xuân', percent: undefined }],
    });
    // `pixels` is a getter that copies the whole buffer: read it once.
    const pixels = renderImage(onlyLabel).pixels;
    let ink = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      ink += (pixels[i] ?? 255) < 128 ? 1 : 0;
    }
    expect(ink).toBeGreaterThan(1_000);
  });

  it('keeps a very tall chart within what Telegram accepts for a photo', () => {
    const tall = renderChartSvg({
      ...CHART,
      units: Array.from({ length: 250 }, (_, i) => ({ name: `Xã ${i + 1}`, percent: i % 101 })),
    });
    const { width, height } = pngSize(renderPng(tall));
    expect(width + height).toBeLessThanOrEqual(10_000);
    expect(height / width).toBeLessThanOrEqual(20);
  });
});
