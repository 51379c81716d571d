import { z } from 'zod';
import type { Inbound } from '../../core/messaging/message.ts';

/** The envelope of a Zalo OA webhook event (reference/zalo-oa.md §5.5); ids are strings. */
export const ZZaloEvent = z.looseObject({
  app_id: z.string().optional(),
  oa_id: z.string().optional(),
  event_name: z.string().min(1),
  timestamp: z.union([z.string(), z.number()]).transform(String),
  sender: z.looseObject({ id: z.string() }).optional(),
  recipient: z.looseObject({ id: z.string() }).optional(),
  follower: z.looseObject({ id: z.string() }).optional(),
  message: z
    .looseObject({
      msg_id: z.string().optional(),
      text: z.string().optional(),
      attachments: z
        .array(
          z.looseObject({
            type: z.string(),
            payload: z.looseObject({ url: z.string().optional(), name: z.string().optional() }).optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  info: z.looseObject({ name: z.string().optional() }).optional(),
});
export type TZaloEvent = z.infer<typeof ZZaloEvent>;

const FOLLOW_EVENTS = new Set(['follow', 'user_follow']);

/**
 * The id Zalo redelivers an event under: the message id, or — for events without one (follow,
 * submit info) — the event, its user and its timestamp.
 */
export function zaloEventId(event: TZaloEvent): string {
  const msgId = event.message?.msg_id;
  if (msgId) {
    return msgId;
  }
  return `${event.event_name}:${zaloUserId(event) ?? '-'}:${event.timestamp}`;
}

function zaloUserId(event: TZaloEvent): string | undefined {
  return FOLLOW_EVENTS.has(event.event_name) || event.event_name.endsWith('unfollow')
    ? event.follower?.id
    : event.sender?.id;
}

/**
 * Translates a webhook event into the core's message. The OA's own echoes (`oa_send_*`), delivery
 * and seen receipts and unfollows carry nothing for the core and give undefined.
 */
export function zaloEventToInbound(event: TZaloEvent, receivedAt: Date): Inbound | undefined {
  const name = event.event_name;
  const userId = zaloUserId(event);
  if (
    !userId ||
    name.startsWith('oa_send_') ||
    name.startsWith('user_received') ||
    name.startsWith('user_seen')
  ) {
    return undefined;
  }
  const base = {
    channel: 'zalo' as const,
    chatId: userId,
    chatType: 'private' as const,
    senderId: userId,
    externalId: zaloEventId(event),
    receivedAt,
  };
  if (FOLLOW_EVENTS.has(name)) {
    // Following the OA is how a Zalo user opens the conversation: greet like Telegram's /start.
    return { ...base, kind: 'command', command: 'start', args: '' };
  }
  if (name.endsWith('unfollow')) {
    return undefined;
  }
  const text = event.message?.text?.trim() ?? '';
  switch (name) {
    case 'user_send_text': {
      const command = /^\/([a-zA-Z]+)(?:\s+(.*))?$/s.exec(text);
      return command
        ? {
            ...base,
            kind: 'command',
            command: (command[1] ?? '').toLowerCase(),
            args: (command[2] ?? '').trim(),
          }
        : { ...base, kind: 'text', text };
    }
    case 'user_send_image': {
      const url = event.message?.attachments?.find((a) => a.type === 'image')?.payload?.url;
      return {
        ...base,
        kind: 'photo',
        text,
        media: url ? { fileId: url, mimeType: 'image/jpeg' } : undefined,
      };
    }
    case 'user_send_file': {
      const payload = event.message?.attachments?.[0]?.payload;
      const url = payload?.url;
      return {
        ...base,
        kind: 'document',
        text,
        media: url ? { fileId: url, ...(payload?.name ? { fileName: payload.name } : {}) } : undefined,
      };
    }
    case 'user_submit_info':
      return { ...base, kind: 'contact', text: event.info?.name ?? '' };
    default:
      // Stickers, GIFs, locations, voice, links: the core answers that it cannot read them.
      return name.startsWith('user_send_') ? { ...base, kind: 'document' } : undefined;
  }
}

/** A stored webhook body back to the core's message (the webhook already checked its signature). */
export function parseZaloEvent(payload: string, receivedAt: Date): Inbound | undefined {
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return undefined;
  }
  const parsed = ZZaloEvent.safeParse(json);
  return parsed.success ? zaloEventToInbound(parsed.data, receivedAt) : undefined;
}
