import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';

/**
 * What a phone's camera reads from a QR picture: the PNG decoded with pngjs and scanned with jsQR
 * (both independent of the `qrcode` package that drew it). Throws when no code is found.
 */
export function scanQrPng(png: Buffer): string {
  // jsqr is CommonJS and sets `default` on its export: Node's ESM import gives the export itself.
  const jsQR = jsQRModule.default;
  const image = PNG.sync.read(png);
  const code = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
  if (!code) {
    throw new Error(`no QR code found in the ${image.width}×${image.height} picture`);
  }
  return code.data;
}
