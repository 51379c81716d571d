import { createRequire } from 'node:module';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';

/**
 * The digest chart as a PNG for the messengers. Only the DejaVu fonts shipped with the npm package
 * are loaded (never the machine's), so the picture is the same on every server and in tests.
 */

/** The PNG is drawn at 1.5× the SVG's size: sharp on a phone's dense screen, still small. */
export const PNG_SCALE = 1.5;
/** Telegram refuses photos whose width and height add up to more than 10,000 pixels. */
const MAX_WIDTH_PLUS_HEIGHT = 9_600;

const fontDir = path.join(
  path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')),
  'ttf',
);
export const FONT_FILES = [path.join(fontDir, 'DejaVuSans.ttf'), path.join(fontDir, 'DejaVuSans-Bold.ttf')];

export function renderPng(svg: string): Buffer {
  return renderImage(svg).asPng();
}

/** The rendered image (PNG bytes, RGBA pixels, size): tests look at the pixels. */
export function renderImage(svg: string) {
  const size = new Resvg(svg, { font: { loadSystemFonts: false } });
  const zoom = Math.min(PNG_SCALE, MAX_WIDTH_PLUS_HEIGHT / (size.width + size.height));
  return new Resvg(svg, {
    font: {
      fontFiles: FONT_FILES,
      loadSystemFonts: false,
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
    fitTo: { mode: 'zoom', value: zoom },
    background: '#ffffff',
    logLevel: 'off',
  }).render();
}
