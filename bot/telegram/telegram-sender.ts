import { type Api, GrammyError, HttpError, InlineKeyboard, InputFile } from 'grammy';
import { plainText, toTelegramHtml } from '../../core/messaging/markup.ts';
import { isChannelPhoto, type Outbound } from '../../core/messaging/message.ts';
import type { ChannelSender, SendResult } from '../../core/messaging/messenger.ts';
import { lazyRenderPng, type PngRenderer, pictureFileName, renderForSend } from '../digests/png-renderer.ts';
import { buildForSend, type DocumentBuilder } from '../exports/document-builder.ts';
import type { Logger } from '../logger.ts';
import { cutMarkedText, splitMarkedText } from '../split-text.ts';
import { partMarkup } from './reply-keyboard.ts';

export const TELEGRAM_TEXT_LIMIT = 4096;
export const TELEGRAM_CAPTION_LIMIT = 1024;

export interface TelegramSenderOptions {
  /** Default: bot/digests/render-png.ts, loaded on the first picture (tests pass a light fake). */
  renderPng?: PngRenderer;
  /** Builds a message's document (an Excel export) when it is sent; without it such messages fail. */
  buildDocument?: DocumentBuilder;
  /** Told when Telegram could not parse a text's HTML and it went as plain text. */
  log?: Pick<Logger, 'warn'>;
}

/** A text or caption in Telegram's HTML parse mode, or as plain text when that was refused. */
export interface TelegramText {
  text: string;
  parse_mode?: 'HTML';
}

/** Telegram's answer to HTML it cannot parse (an unbalanced or unknown tag, a bare "<"). */
export function isParseError(error: unknown): boolean {
  return (
    error instanceof GrammyError &&
    error.error_code === 400 &&
    /can't parse entities/i.test(error.description)
  );
}

/**
 * Sends a core text (with its bold and code spans, core/messaging/markup.ts) in HTML parse mode,
 * everything else escaped. Should Telegram refuse the HTML anyway, the same text goes again as
 * plain text: a message is never lost to its formatting.
 */
export async function sendMarked<T>(
  marked: string,
  send: (text: TelegramText) => Promise<T>,
  log?: Pick<Logger, 'warn'>,
): Promise<T> {
  try {
    return await send({ text: toTelegramHtml(marked), parse_mode: 'HTML' });
  } catch (error) {
    if (!isParseError(error)) {
      throw error;
    }
    log?.warn({ err: error }, 'telegram refused the HTML of a text: sent as plain text');
    return send({ text: plainText(marked) });
  }
}

/** The parse mode of a text, as the options of a send. */
export function modeOf(text: TelegramText): { parse_mode?: 'HTML' } {
  return text.parse_mode ? { parse_mode: text.parse_mode } : {};
}

function captionOf(text: TelegramText): { caption: string; parse_mode?: 'HTML' } {
  return { caption: text.text, ...modeOf(text) };
}

/**
 * Renders core messages for Telegram: the text in HTML parse mode (bold headings, references in
 * `<code>` to copy with a tap, everything else escaped) cut in parts of at most 4,096 visible
 * characters with no span cut, choices as an inline keyboard, a picture (a digest's chart) as a
 * photo sent before the text, a document (an Excel export, built now) as a file with the text as
 * its caption when the text fits one.
 */
export function createTelegramSender(api: Api, options: TelegramSenderOptions = {}): ChannelSender {
  const renderPng = options.renderPng ?? lazyRenderPng;
  const { log } = options;
  /** Sends a photo with its caption (cut to 1,024 visible characters), if it has one. */
  const sendPhoto = (chatId: string, photo: string | InputFile, caption: string | undefined) =>
    caption
      ? sendMarked(
          cutMarkedText(caption, TELEGRAM_CAPTION_LIMIT),
          (text) => api.sendPhoto(chatId, photo, captionOf(text)),
          log,
        )
      : api.sendPhoto(chatId, photo);
  return {
    async send(chatId, message): Promise<SendResult> {
      try {
        if (message.image && isChannelPhoto(message.image)) {
          // A user's photo (an appeal's) goes again by its Telegram file id; one from another
          // channel cannot be fetched here, and the text goes alone.
          if (message.image.photo.channel === 'telegram') {
            await sendPhoto(chatId, message.image.photo.fileId, message.image.caption);
          }
        } else if (message.image) {
          const png = await renderForSend(renderPng, message.image);
          if (!Buffer.isBuffer(png)) {
            return png;
          }
          await sendPhoto(chatId, new InputFile(png, pictureFileName(message.image)), message.image.caption);
        }
        const text = message.text;
        if (message.document) {
          const file = await buildForSend(options.buildDocument, message.document);
          if (!('data' in file)) {
            return file;
          }
          const asCaption =
            plainText(text).length <= TELEGRAM_CAPTION_LIMIT && !message.choices && !message.suggestions;
          const document = new InputFile(file.data, file.fileName);
          if (asCaption) {
            await sendMarked(text, (caption) => api.sendDocument(chatId, document, captionOf(caption)), log);
            return { ok: true };
          }
          await api.sendDocument(chatId, document);
        }
        const parts = splitMarkedText(text, TELEGRAM_TEXT_LIMIT);
        for (const [i, part] of parts.entries()) {
          const { thenInline, ...markup } = partMarkup(message, i, parts.length, () => keyboard(message));
          const sent = await sendMarked(
            part,
            (shown) => api.sendMessage(chatId, shown.text, { ...modeOf(shown), ...markup }),
            log,
          );
          if (thenInline) {
            // The message is delivered: a failed edit leaves it without buttons (answers can be typed).
            await api
              .editMessageReplyMarkup(chatId, sent.message_id, { reply_markup: thenInline })
              .catch((error: unknown) =>
                log?.warn({ err: error }, 'inline keyboard after a reply keyboard failed'),
              );
          }
        }
        return { ok: true };
      } catch (error) {
        return classify(error);
      }
    },
  };
}

/** The inline keyboard; a label shows no formatting (Telegram's buttons take plain text only). */
function keyboard(message: Outbound): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const row of message.choices ?? []) {
    for (const choice of row) {
      kb.text(plainText(choice.label), choice.id);
    }
    kb.row();
  }
  // Quick answers two to a row: short labels ("0", "↩︎ 12", "Không có").
  (message.suggestions ?? []).forEach((choice, i) => {
    kb.text(plainText(choice.label), choice.id);
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
