import { createHash } from 'node:crypto';

/**
 * The Content-Security-Policy of a self-contained page (the playground, the live board): its one
 * inline script and style allowed by hash, so no injected markup could run a script or call out;
 * connections only to its own address, images only its own or inline.
 */
export function inlinePageCsp(script: string, style: string): string {
  return [
    "default-src 'none'",
    `script-src ${cspHash(script)}`,
    `style-src ${cspHash(style)}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function cspHash(source: string): string {
  return `'sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}'`;
}
