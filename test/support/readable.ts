import { plainText } from '../../core/messaging/markup.ts';
import type { Outbound } from '../../core/messaging/message.ts';

/**
 * A message as its reader sees it: the bold and code markers of its text and caption dropped
 * (core/messaging/markup.ts), so tests compare words, not formatting. A test about the formatting
 * reads the outbox row itself.
 */
export function readable(message: Outbound): Outbound {
  const text = plainText(message.text);
  const caption = message.image?.caption;
  if (caption === undefined || message.image === undefined) {
    return { ...message, text };
  }
  return { ...message, text, image: { ...message.image, caption: plainText(caption) } };
}
