import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, type Context } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { isLocale, type Locale } from '../../core/messaging/catalog.ts';
import type { Inbound } from '../../core/messaging/message.ts';
import type { Logger } from '../logger.ts';
import { markChosen } from './chosen-mark.ts';

export interface TelegramBotDeps {
  token: string;
  apiRoot: string;
  /** Given in tests and webhook mode so no getMe is needed per start. */
  botInfo?: UserFromGetMe;
  handleInbound: (inbound: Inbound) => Promise<unknown>;
  log: Logger;
}

/**
 * The grammY side of Telegram: turn each update into a core `Inbound` and hand it over. Replies
 * are not sent here but from the outbox after the core's transaction commits.
 */
export function createTelegramBot(deps: TelegramBotDeps): Bot {
  const bot = new Bot(deps.token, { botInfo: deps.botInfo, client: { apiRoot: deps.apiRoot } });
  // 429s, 5xx answers and network errors go back to the caller at once: the outbox dispatcher paces
  // sends, pauses the whole channel for `retry_after` and retries with backoff. Retrying inside a
  // send would hide the 429s it must see, and the plugin's doubling waits held a failing send for
  // ~45 s — near the 60 s after which another instance may take the message as abandoned.
  bot.api.config.use(
    autoRetry({
      maxRetryAttempts: 3,
      maxDelaySeconds: 0,
      rethrowHttpErrors: true,
      rethrowInternalServerErrors: true,
    }),
  );

  bot.on('callback_query:data', async (ctx) => {
    // Answer first so the phone stops its spinner even if handling takes a moment.
    await ctx
      .answerCallbackQuery()
      .catch((error: unknown) => deps.log.warn({ err: error }, 'answerCallbackQuery failed'));
    const outcome = await deps.handleInbound({
      ...base(ctx),
      kind: 'choice',
      choiceId: ctx.callbackQuery.data,
    });
    // Once handled (a failure leaves the keyboard to tap again), the keyboard goes and the message
    // shows what was chosen; not awaited, so the next update does not wait for the edit.
    void markChosen(ctx.api, ctx.callbackQuery.message, ctx.callbackQuery.data, localeOf(outcome), deps.log);
  });

  bot.on('message:text', async (ctx) => {
    const text = ctx.message.text;
    const command = ctx.message.entities?.find((e) => e.type === 'bot_command' && e.offset === 0);
    if (command) {
      const name = text.slice(1, command.length).split('@')[0]?.toLowerCase() ?? '';
      await deps.handleInbound({
        ...base(ctx),
        kind: 'command',
        command: name,
        args: text.slice(command.length).trim(),
      });
      return;
    }
    await deps.handleInbound({ ...base(ctx), kind: 'text', text });
  });

  bot.on('message:photo', async (ctx) => {
    const largest = ctx.message.photo.at(-1);
    await deps.handleInbound({
      ...base(ctx),
      kind: 'photo',
      text: ctx.message.caption,
      media: largest ? { fileId: largest.file_id, mimeType: 'image/jpeg' } : undefined,
    });
  });

  bot.on('message:document', async (ctx) => {
    await deps.handleInbound({
      ...base(ctx),
      kind: 'document',
      text: ctx.message.caption,
      media: {
        fileId: ctx.message.document.file_id,
        mimeType: ctx.message.document.mime_type,
        fileName: ctx.message.document.file_name,
        size: ctx.message.document.file_size,
      },
    });
  });

  bot.on('message:contact', async (ctx) => {
    // The share-contact button sends the sender's own contact; a contact card forwarded is someone else's.
    const { phone_number: phone, user_id: userId } = ctx.message.contact;
    await deps.handleInbound({
      ...base(ctx),
      kind: 'contact',
      contact: { phone, own: userId === ctx.from.id },
    });
  });

  bot.on('message', async (ctx) => {
    await deps.handleInbound({ ...base(ctx), kind: 'document' });
  });

  bot.catch((err) => {
    // One bad update must never stop the bot; it is logged and the next one is handled.
    deps.log.error({ err: err.error, update_id: err.ctx.update.update_id }, 'telegram update failed');
  });
  return bot;
}

function localeOf(outcome: unknown): Locale {
  const locale = (outcome as { locale?: unknown } | undefined)?.locale;
  return typeof locale === 'string' && isLocale(locale) ? locale : 'vi';
}

function base(ctx: Context): Omit<Inbound, 'kind'> {
  const chat = ctx.chat;
  const from = ctx.from;
  return {
    channel: 'telegram',
    chatId: String(chat?.id ?? from?.id ?? ''),
    chatType: chat && chat.type !== 'private' ? 'group' : 'private',
    senderId: String(from?.id ?? ''),
    senderName: [from?.first_name, from?.last_name].filter(Boolean).join(' ') || undefined,
    ...(chat && 'title' in chat && chat.title ? { chatTitle: chat.title } : {}),
    externalId: String(ctx.update.update_id),
    receivedAt: new Date(),
  };
}
