/**
 * Inline emphasis in core texts (issue 18 §4): a heading in bold, a reference or a code to copy in
 * monospace. The core marks spans with four private-use characters that no keyboard types (and that
 * inbound text is cleaned of, see `withoutMarkup`); each channel renders them its own way — Telegram
 * as HTML (`<b>`, `<code>`, everything else escaped), the playground as HTML elements, Zalo and
 * files as the plain text. The texts stay plain strings, so the outbox, the catalogs and the tests
 * keep handling strings; `plainText` gives what a reader sees.
 */

export const BOLD_OPEN = '\uE000';
export const BOLD_CLOSE = '\uE001';
export const CODE_OPEN = '\uE002';
export const CODE_CLOSE = '\uE003';

const MARKERS = /[\uE000-\uE003]/g;

/** A span shown in bold (a heading, a total); a `code` span inside it stays. */
export function bold(text: string | number): string {
  const inner = String(text).replace(/[\uE000\uE001]/g, '');
  return inner === '' ? '' : `${BOLD_OPEN}${inner}${BOLD_CLOSE}`;
}

/** A span shown in monospace, copied with one tap on Telegram (a pledge reference, an invite code). */
export function code(text: string | number): string {
  const inner = withoutMarkup(String(text));
  return inner === '' ? '' : `${CODE_OPEN}${inner}${CODE_CLOSE}`;
}

/** The text as a reader sees it: the markers removed. */
export function plainText(text: string): string {
  return text.replace(MARKERS, '');
}

/** Text from outside (a user's message, a name, a file): any marker characters dropped. */
export function withoutMarkup(text: string): string {
  return text.replace(MARKERS, '');
}

export function hasMarkup(text: string): boolean {
  return /[\uE000-\uE003]/.test(text);
}

export interface MarkupRenderer {
  /** Escapes a run of plain text for the target (HTML: & < >). */
  escape(text: string): string;
  bold(inner: string): string;
  code(inner: string): string;
}

/**
 * Renders a marked text with `renderer`. Spans do not nest (a code span inside bold is rendered as
 * code inside bold; an unclosed span is closed at the end), so the output is always well formed.
 */
export function renderMarkup(text: string, renderer: MarkupRenderer): string {
  let out = '';
  let plain = '';
  let span: { kind: 'bold' | 'code'; inner: string } | undefined;
  let outer: { kind: 'bold'; inner: string } | undefined;
  const flushPlain = () => {
    if (plain !== '') {
      const escaped = renderer.escape(plain);
      if (span) {
        span.inner += escaped;
      } else {
        out += escaped;
      }
      plain = '';
    }
  };
  const close = (s: { kind: 'bold' | 'code'; inner: string }) =>
    s.inner === '' ? '' : s.kind === 'bold' ? renderer.bold(s.inner) : renderer.code(s.inner);
  for (const ch of text) {
    if (ch === BOLD_OPEN || ch === CODE_OPEN) {
      flushPlain();
      const kind = ch === BOLD_OPEN ? 'bold' : 'code';
      if (span?.kind === 'bold' && kind === 'code') {
        outer = { kind: 'bold', inner: span.inner };
        span = { kind: 'code', inner: '' };
      } else if (!span) {
        span = { kind, inner: '' };
      }
    } else if (ch === BOLD_CLOSE || ch === CODE_CLOSE) {
      flushPlain();
      const kind = ch === BOLD_CLOSE ? 'bold' : 'code';
      if (span?.kind === kind) {
        const rendered = close(span);
        if (outer) {
          span = { kind: 'bold', inner: outer.inner + rendered };
          outer = undefined;
        } else {
          out += rendered;
          span = undefined;
        }
      } else if (kind === 'bold' && outer && span) {
        // "<b>a<code>b</b>": the code closes with the bold.
        out += renderer.bold(outer.inner + close(span));
        outer = undefined;
        span = undefined;
      }
    } else {
      plain += ch;
    }
  }
  flushPlain();
  if (span) {
    const rendered = close(span);
    out += outer ? renderer.bold(outer.inner + rendered) : rendered;
  }
  return out;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Telegram's HTML parse mode: `<b>`, `<code>` and everything else escaped. */
export const TELEGRAM_HTML: MarkupRenderer = {
  escape: escapeHtml,
  bold: (inner) => `<b>${inner}</b>`,
  code: (inner) => `<code>${inner}</code>`,
};

export function toTelegramHtml(text: string): string {
  return renderMarkup(text, TELEGRAM_HTML);
}

/**
 * Cuts a marked text's parts (made by a splitter working on the text as it is) so that each part is
 * well formed on its own: a span open at the end of a part is closed there and opened again at the
 * start of the next.
 */
export function balanceParts(parts: readonly string[]): string[] {
  let carry = '';
  return parts.map((part) => {
    const text = carry + part;
    let bold = false;
    let code = false;
    for (const ch of text) {
      if (ch === BOLD_OPEN) {
        bold = true;
      } else if (ch === BOLD_CLOSE) {
        bold = false;
      } else if (ch === CODE_OPEN) {
        code = true;
      } else if (ch === CODE_CLOSE) {
        code = false;
      }
    }
    carry = (bold ? BOLD_OPEN : '') + (code ? CODE_OPEN : '');
    return text + (code ? CODE_CLOSE : '') + (bold ? BOLD_CLOSE : '');
  });
}
