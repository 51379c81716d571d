import { balanceParts } from '../core/messaging/markup.ts';

/**
 * Splits at paragraph, then line, then word boundaries so no part exceeds the limit: a part ends
 * at the last blank line of its window when there is one in its second half, else at the last line
 * break there, else at the last space (a digest's lines are never cut in the middle).
 */
export function splitText(text: string, limit: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    const cut = [window.lastIndexOf('\n\n'), window.lastIndexOf('\n'), window.lastIndexOf(' ')].find(
      (at) => at > limit / 2,
    );
    const at = cut ?? limit;
    parts.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  parts.push(rest);
  return parts;
}

/**
 * Splits a text marked with bold and code spans (core/messaging/markup.ts) like `splitText`, each
 * part closing the spans it cuts and the next opening them again. The markers count as characters
 * here, so no part shows more than `limit` characters once rendered; the parts are as many as
 * `splitText` makes (the outbox counts them so).
 */
export function splitMarkedText(text: string, limit: number): string[] {
  return balanceParts(splitText(text, limit));
}

/** The start of a marked text, at most `limit` characters shown, its spans closed (a caption). */
export function cutMarkedText(text: string, limit: number): string {
  return text.length <= limit ? text : (balanceParts([text.slice(0, limit)])[0] ?? '');
}
