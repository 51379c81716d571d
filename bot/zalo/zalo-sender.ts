import { plainText } from '../../core/messaging/markup.ts';
import { isChannelPhoto, type Outbound, type OutboundDocument } from '../../core/messaging/message.ts';
import type { ChannelSender, SendResult } from '../../core/messaging/messenger.ts';
import { lazyRenderPng, type PngRenderer, pictureFileName, renderForSend } from '../digests/png-renderer.ts';
import { buildForSend, type DocumentBuilder, isWordDocument } from '../exports/document-builder.ts';
import type { Logger } from '../logger.ts';
import { splitText } from '../split-text.ts';
import type { ZaloClient } from './zalo-client.ts';
import { ZaloApiError, ZaloHttpError, ZaloTokenDeadError } from './zalo-errors.ts';

export const ZALO_TEXT_LIMIT = 2000;

/**
 * Renders a core message as Zalo text: options become a numbered list answered by typing the
 * number (buttons on /message/cs are not documented for v3, reference/zalo-oa.md §2.2), quick
 * answers become a hint line. The list always travels in the last part of a long message. Zalo
 * shows no bold or monospace: the core's spans are dropped (plain text).
 */
export function renderZaloText(message: Outbound, fileSent = false): string {
  const lines = [message.text];
  if (message.document && !fileSent) {
    // Zalo's file upload takes PDF and Word files only (reference/zalo-oa.md §8): no .xlsx.
    lines.push('', message.document.fallbackText);
  }
  const options = (message.choices ?? []).flat();
  if (options.length > 0) {
    lines.push('', 'Trả lời bằng số:');
    options.forEach((option, i) => {
      lines.push(`${i + 1}. ${option.label}`);
    });
  }
  if (message.suggestions && message.suggestions.length > 0) {
    lines.push('', `Gợi ý: ${message.suggestions.map((s) => s.label).join(' · ')}`);
  }
  return plainText(lines.join('\n'));
}

/** Chat ids of Zalo group chats carry this prefix; the rest is the group id. */
export const ZALO_GROUP_PREFIX = 'group:';

export interface ZaloSenderOptions {
  /** Default: bot/digests/render-png.ts, loaded on the first picture (tests pass a light fake). */
  renderPng?: PngRenderer;
  /** Told when a picture cannot be sent to a chat (group chats take text only). */
  log?: Pick<Logger, 'info'>;
  /**
   * Builds a message's Word document (a report, an acknowledgement letter) when it is sent, to
   * upload as a file; without it, and for Excel exports (Zalo takes no .xlsx), the text says how
   * to get the file instead.
   */
  buildDocument?: DocumentBuilder;
  /** Which documents go as files: Word documents (`isWordDocument`, the default); tests choose. */
  asFile?: (document: OutboundDocument) => boolean;
}

/**
 * Sends to a user (`/message/cs`) or, for a chat id `group:<id>`, to a group chat. A picture (a
 * digest's chart) is uploaded as a PNG and sent before the text; a Word document is built, uploaded
 * and sent as a file before the text. The client has no picture or file message for groups, so a
 * group gets the text only (with the document's fallback line).
 */
export function createZaloSender(client: ZaloClient, options: ZaloSenderOptions = {}): ChannelSender {
  const renderPng = options.renderPng ?? lazyRenderPng;
  const asFile = options.asFile ?? isWordDocument;
  return {
    async send(chatId, message): Promise<SendResult> {
      const groupId = chatId.startsWith(ZALO_GROUP_PREFIX)
        ? chatId.slice(ZALO_GROUP_PREFIX.length)
        : undefined;
      try {
        if (message.image && groupId !== undefined) {
          options.log?.info({ chatId }, 'Zalo group chats take no picture: sending the text only');
        } else if (message.image && isChannelPhoto(message.image)) {
          // A user's photo (an appeal's) goes again by its Zalo URL; one from another channel
          // cannot be fetched here, and the text goes alone.
          if (message.image.photo.channel === 'zalo') {
            await client.sendImage(chatId, { url: message.image.photo.fileId }, plainCaption(message));
          }
        } else if (message.image) {
          const png = await renderForSend(renderPng, message.image);
          if (!Buffer.isBuffer(png)) {
            return png;
          }
          const { attachmentId } = await client.uploadImage(png, pictureFileName(message.image));
          await client.sendImage(chatId, { attachmentId }, plainCaption(message)?.slice(0, ZALO_TEXT_LIMIT));
        }
        let fileSent = false;
        if (message.document && groupId === undefined && options.buildDocument && asFile(message.document)) {
          const file = await buildForSend(options.buildDocument, message.document);
          if (!('data' in file)) {
            return file;
          }
          const { token } = await client.uploadFile(file.data, file.fileName);
          await client.sendFile(chatId, token);
          fileSent = true;
        }
        for (const part of splitText(renderZaloText(message, fileSent), ZALO_TEXT_LIMIT)) {
          if (groupId === undefined) {
            await client.sendText(chatId, part);
          } else {
            await client.sendGroupText(groupId, part);
          }
        }
        return { ok: true };
      } catch (error) {
        return classify(error);
      }
    },
  };
}

function plainCaption(message: Outbound): string | undefined {
  const caption = message.image?.caption;
  return caption === undefined ? undefined : plainText(caption);
}

function classify(error: unknown): SendResult {
  if (error instanceof ZaloApiError) {
    const description = `${error.code} ${error.apiMessage}`;
    if (error.isWindowError) {
      // Outside the 7-day consultation window (or blocked): deliverable once the user writes again.
      return { ok: false, hold: true, error: description };
    }
    if (error.isRateLimit) {
      return { ok: false, retry: true, error: description, retryAfterMs: 60_000 };
    }
    if (error.isRetryable || error.isTokenError) {
      return { ok: false, retry: true, error: description };
    }
    return { ok: false, retry: false, error: description };
  }
  if (error instanceof ZaloTokenDeadError) {
    // Nothing can be sent until an admin gives a new refresh token; keep trying slowly.
    return { ok: false, retry: true, error: 'zalo refresh token is dead', retryAfterMs: 10 * 60_000 };
  }
  if (error instanceof ZaloHttpError) {
    return { ok: false, retry: true, error: error.message };
  }
  return { ok: false, retry: true, error: error instanceof Error ? error.message : String(error) };
}
