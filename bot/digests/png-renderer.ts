import { type ChannelPhoto, isPaymentQr, type OutboundImage } from '../../core/messaging/message.ts';
import type { SendResult } from '../../core/messaging/messenger.ts';

/** A picture drawn at send time (a chart, a payment QR); a user's photo is sent by its own id. */
export type DrawnImage = Exclude<OutboundImage, ChannelPhoto>;

/** Turns a message's picture into PNG bytes (the senders take one, so tests can pass a fake). */
export type PngRenderer = (image: DrawnImage) => Buffer | Promise<Buffer>;

/**
 * render-png.ts, loaded on the first picture: the native renderer and its fonts stay out of
 * processes that never send one.
 */
export const lazyRenderPng: PngRenderer = async (image) => {
  if (isPaymentQr(image)) {
    const { vietQrPng } = await import('../images/vietqr.ts');
    return vietQrPng(image.vietqr);
  }
  const { renderPng } = await import('./render-png.ts');
  return renderPng(image.svg);
};

/** The file name a picture is sent under. */
export function pictureFileName(image: DrawnImage): string {
  return isPaymentQr(image) ? 'ma-qr-chuyen-khoan.png' : 'bieu-do.png';
}

/** A picture that cannot be drawn will not be drawn next time either: a permanent failure. */
export async function renderForSend(renderPng: PngRenderer, image: DrawnImage): Promise<Buffer | SendResult> {
  try {
    return await renderPng(image);
  } catch (error) {
    return {
      ok: false,
      retry: false,
      error: `chart: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
