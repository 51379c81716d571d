import type { SendResult } from '../../core/messaging/messenger.ts';

/** Turns a message's SVG picture into PNG bytes (the senders take one, so tests can pass a fake). */
export type PngRenderer = (svg: string) => Buffer | Promise<Buffer>;

/**
 * render-png.ts, loaded on the first picture: the native renderer and its fonts stay out of
 * processes that never send one.
 */
export const lazyRenderPng: PngRenderer = async (svg) => {
  const { renderPng } = await import('./render-png.ts');
  return renderPng(svg);
};

/** A picture that cannot be drawn will not be drawn next time either: a permanent failure. */
export async function renderForSend(renderPng: PngRenderer, svg: string): Promise<Buffer | SendResult> {
  try {
    return await renderPng(svg);
  } catch (error) {
    return {
      ok: false,
      retry: false,
      error: `chart: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
