import { type Api, GrammyError, HttpError, InlineKeyboard, InputFile } from 'grammy';
import { isChannelPhoto, type Outbound } from '../../core/messaging/message.ts';
import type { ChannelSender, SendResult } from '../../core/messaging/messenger.ts';
import { lazyRenderPng, type PngRenderer, pictureFileName, renderForSend } from '../digests/png-renderer.ts';
import { buildForSend, type DocumentBuilder } from '../exports/document-builder.ts';
import { splitText } from '../split-text.ts';

export const TELEGRAM_TEXT_LIMIT = 4096;
export const TELEGRAM_CAPTION_LIMIT = 1024;

export interface TelegramSenderOptions {
  /** Default: bot/digests/render-png.ts, loaded on the first picture (tests pass a light fake). */
  renderPng?: PngRenderer;
  /** Builds a message's document (an Excel export) when it is sent; without it such messages fail. */
  buildDocument?: DocumentBuilder;
}

/**
 * Renders core messages for Telegram: plain text (no parse mode to escape), choices as an inline
 * keyboard, a picture (a digest's chart) as a photo sent before the text, a document (an Excel
 * export, built now) as a file with the text as its caption when the text fits one.
 */
export function createTelegramSender(api: Api, options: TelegramSenderOptions = {}): ChannelSender {
  const renderPng = options.renderPng ?? lazyRenderPng;
  return {
    async send(chatId, message): Promise<SendResult> {
      try {
        if (message.image && isChannelPhoto(message.image)) {
          // A user's photo (an appeal's) goes again by its Telegram file id; one from another
          // channel cannot be fetched here, and the text goes alone.
          if (message.image.photo.channel === 'telegram') {
            const caption = message.image.caption?.slice(0, TELEGRAM_CAPTION_LIMIT);
            await api.sendPhoto(chatId, message.image.photo.fileId, caption ? { caption } : {});
          }
        } else if (message.image) {
          const png = await renderForSend(renderPng, message.image);
          if (!Buffer.isBuffer(png)) {
            return png;
          }
          const caption = message.image.caption?.slice(0, TELEGRAM_CAPTION_LIMIT);
          await api.sendPhoto(
            chatId,
            new InputFile(png, pictureFileName(message.image)),
            caption ? { caption } : {},
          );
        }
        const text = message.text;
        if (message.document) {
          const file = await buildForSend(options.buildDocument, message.document);
          if (!('data' in file)) {
            return file;
          }
          const asCaption = text.length <= TELEGRAM_CAPTION_LIMIT && !message.choices && !message.suggestions;
          await api.sendDocument(
            chatId,
            new InputFile(file.data, file.fileName),
            asCaption ? { caption: text } : {},
          );
          if (asCaption) {
            return { ok: true };
          }
        }
        const parts = splitText(text, TELEGRAM_TEXT_LIMIT);
        for (const [i, part] of parts.entries()) {
          const last = i === parts.length - 1;
          await api.sendMessage(
            chatId,
            part,
            last && (message.choices || message.suggestions) ? { reply_markup: keyboard(message) } : {},
          );
        }
        return { ok: true };
      } catch (error) {
        return classify(error);
      }
    },
  };
}

function keyboard(message: Outbound): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const row of message.choices ?? []) {
    for (const choice of row) {
      kb.text(choice.label, choice.id);
    }
    kb.row();
  }
  // Quick answers two to a row: short labels ("0", "↩︎ 12", "Không có").
  (message.suggestions ?? []).forEach((choice, i) => {
    kb.text(choice.label, choice.id);
    if (i % 2 === 1) {
      kb.row();
    }
  });
  return kb;
}

function classify(error: unknown): SendResult {
  if (error instanceof GrammyError) {
    const description = `${error.error_code} ${error.description}`;
    if (error.error_code === 429) {
      return {
        ok: false,
        retry: true,
        error: description,
        retryAfterMs: (error.parameters.retry_after ?? 1) * 1000,
      };
    }
    if (error.error_code >= 500) {
      return { ok: false, retry: true, error: description };
    }
    // 400 (chat not found, message rejected), 403 (bot blocked): sending again will not help.
    return { ok: false, retry: false, error: description };
  }
  if (error instanceof HttpError) {
    return { ok: false, retry: true, error: `network: ${error.message}` };
  }
  return { ok: false, retry: true, error: error instanceof Error ? error.message : String(error) };
}
