import { randomUUID } from 'node:crypto';
import {
  type Choice,
  isPaymentQr,
  type Outbound,
  type OutboundImage,
  type PaymentQrImage,
} from '../../core/messaging/message.ts';
import type { ChannelSender, SendResult } from '../../core/messaging/messenger.ts';
import { type BuiltDocument, buildForSend, type DocumentBuilder } from '../exports/document-builder.ts';

/** One line of a playground conversation, as the page draws it. */
export interface PlaygroundMessage {
  /** Global, strictly increasing across all chats: the page's long-poll cursor. */
  seq: number;
  from: 'bot' | 'user';
  text: string;
  choices?: Choice[][];
  /** A picture shown above the text: a digest's chart (its SVG source) or a payment QR (its recipe). */
  image?: OutboundImage;
  /** A payment QR's PNG, drawn when the page asks: `/api/playground/images/<seq>.png`. */
  imageUrl?: string;
  /** A file (an Excel export) the page offers as a download link. */
  file?: PlaygroundFile;
  /** ISO 8601 time the message was stored. */
  at: string;
  /** In a group chat: who of its members wrote this user message. */
  senderName?: string;
  /**
   * For user messages sent through the page: the id the page generated, so it can swap its
   * optimistic "sending" bubble for the stored one instead of showing the message twice.
   */
  clientMessageId?: string;
}

export interface PlaygroundFile {
  name: string;
  /** Same-origin path the page links to: `/api/playground/files/<id>`. */
  url: string;
}

/** Where the page downloads a built file. */
export const PLAYGROUND_FILES_PATH = '/api/playground/files';

/** Where the page fetches a payment QR's PNG, by the message's seq. */
export const PLAYGROUND_IMAGES_PATH = '/api/playground/images';

/** The playground channel: a `ChannelSender` that keeps messages in memory for the web page. */
export interface PlaygroundSender extends ChannelSender {
  /** Messages of a chat with `seq > afterSeq`, oldest first. */
  list(chatId: string, afterSeq: number): PlaygroundMessage[];
  /**
   * Resolves with the messages after `afterSeq` as soon as there is at least one, or with an
   * empty list after `timeoutMs` (or when `signal` aborts). This is what the long poll awaits.
   */
  waitFor(
    chatId: string,
    afterSeq: number,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<PlaygroundMessage[]>;
  /**
   * Stores what the person typed or pressed. With a `clientMessageId` the call is idempotent: a
   * retried request returns the message stored the first time instead of storing it again.
   */
  recordUser(chatId: string, text: string, clientMessageId?: string, senderName?: string): PlaygroundMessage;
  /** Forgets every conversation, file and QR (the demo started over); the seq goes on from where it was. */
  clear(): void;
  /** The highest `seq` handed out so far (0 when nothing was stored since start). */
  lastSeq(): number;
  /** Wakes every pending `waitFor` (with what it has) so a closing server is not held up by long polls. */
  releaseWaiters(): void;
  /** A file built for a message, by the id in its URL (only the newest few are kept). */
  file(id: string): BuiltDocument | undefined;
  /** The payment QR of the message `seq`, to draw (the newest MAX_IMAGES are kept). */
  paymentQr(seq: number): PaymentQrImage | undefined;
}

export interface PlaygroundSenderOptions {
  /** How many messages to keep per chat; older ones are dropped. Default 500. */
  maxPerChat?: number;
  /** Clock, for tests. */
  now?: () => Date;
  /** Builds a message's document; without it the page shows the document's fallback text. */
  buildDocument?: DocumentBuilder;
}

/** Built files kept for download; older ones are dropped (the playground is a training tool). */
const MAX_FILES = 20;

/** Payment QRs kept to draw; a page scrolled further back shows the QR's caption only. */
const MAX_IMAGES = 100;

interface ChatLog {
  messages: PlaygroundMessage[];
  /** clientMessageId → stored user message, for idempotent `recordUser`. Pruned with `messages`. */
  byClientId: Map<string, PlaygroundMessage>;
}

const DEFAULT_MAX_PER_CHAT = 500;

/** Deep-enough copy so callers can neither mutate the store nor be surprised by later changes. */
function copyMessage(message: PlaygroundMessage): PlaygroundMessage {
  const copy: PlaygroundMessage = {
    seq: message.seq,
    from: message.from,
    text: message.text,
    at: message.at,
  };
  if (message.choices) {
    copy.choices = message.choices.map((row) =>
      row.map((choice) => ({ id: choice.id, label: choice.label })),
    );
  }
  if (message.image) {
    copy.image = { ...message.image };
  }
  if (message.imageUrl !== undefined) {
    copy.imageUrl = message.imageUrl;
  }
  if (message.file) {
    copy.file = { ...message.file };
  }
  if (message.clientMessageId !== undefined) {
    copy.clientMessageId = message.clientMessageId;
  }
  if (message.senderName !== undefined) {
    copy.senderName = message.senderName;
  }
  return copy;
}

/**
 * Creates the in-memory sender behind the local playground. Nothing is persisted: the playground
 * is for training and trying the bot, and a restart simply starts a fresh conversation view
 * (the core's own state lives in the database as usual).
 */
export function createPlaygroundSender(options: PlaygroundSenderOptions = {}): PlaygroundSender {
  const maxPerChat = Math.max(1, options.maxPerChat ?? DEFAULT_MAX_PER_CHAT);
  const now = options.now ?? (() => new Date());
  const chats = new Map<string, ChatLog>();
  const waiters = new Map<string, Set<() => void>>();
  const files = new Map<string, BuiltDocument>();
  const paymentQrs = new Map<number, PaymentQrImage>();
  let seq = 0;

  function chatLog(chatId: string): ChatLog {
    let log = chats.get(chatId);
    if (!log) {
      log = { messages: [], byClientId: new Map() };
      chats.set(chatId, log);
    }
    return log;
  }

  function wake(chatId: string): void {
    const pending = waiters.get(chatId);
    if (!pending) {
      return;
    }
    // Copy first: each waiter removes itself from the set while we iterate.
    for (const finish of [...pending]) {
      finish();
    }
  }

  function wakeAll(): void {
    for (const chatId of [...waiters.keys()]) {
      wake(chatId);
    }
  }

  function append(chatId: string, message: Omit<PlaygroundMessage, 'seq' | 'at'>): PlaygroundMessage {
    const log = chatLog(chatId);
    seq += 1;
    const stored: PlaygroundMessage = { ...message, seq, at: now().toISOString() };
    log.messages.push(stored);
    while (log.messages.length > maxPerChat) {
      const dropped = log.messages.shift();
      if (dropped?.clientMessageId !== undefined) {
        log.byClientId.delete(dropped.clientMessageId);
      }
    }
    if (stored.clientMessageId !== undefined) {
      log.byClientId.set(stored.clientMessageId, stored);
    }
    wake(chatId);
    return copyMessage(stored);
  }

  function list(chatId: string, afterSeq: number): PlaygroundMessage[] {
    const log = chats.get(chatId);
    if (!log) {
      return [];
    }
    return log.messages.filter((message) => message.seq > afterSeq).map(copyMessage);
  }

  return {
    async send(chatId: string, message: Outbound): Promise<SendResult> {
      const stored: Omit<PlaygroundMessage, 'seq' | 'at'> = { from: 'bot', text: message.text };
      if (message.image) {
        stored.image = { ...message.image };
      }
      if (message.document && !options.buildDocument) {
        stored.text = `${message.text}\n\n${message.document.fallbackText}`;
      } else if (message.document) {
        const built = await buildForSend(options.buildDocument, message.document);
        if (!('data' in built)) {
          return built;
        }
        const id = randomUUID();
        files.set(id, built);
        for (const old of files.keys()) {
          if (files.size <= MAX_FILES) {
            break;
          }
          files.delete(old);
        }
        stored.file = { name: built.fileName, url: `${PLAYGROUND_FILES_PATH}/${id}` };
      }
      // The page shows options and quick answers alike as buttons, quick answers on one row.
      const rows = [
        ...(message.choices ?? []),
        ...(message.suggestions?.length ? [message.suggestions] : []),
      ];
      if (rows.length > 0) {
        stored.choices = rows.map((row) => row.map((choice) => ({ id: choice.id, label: choice.label })));
      }
      if (message.image && isPaymentQr(message.image)) {
        // Drawn when the page asks, as the messengers draw it when they send (bot/images/vietqr.ts).
        // `append` below takes the next seq, synchronously: nothing else runs in between.
        const next = seq + 1;
        stored.imageUrl = `${PLAYGROUND_IMAGES_PATH}/${next}.png`;
        paymentQrs.set(next, { ...message.image, vietqr: { ...message.image.vietqr } });
        for (const old of paymentQrs.keys()) {
          if (paymentQrs.size <= MAX_IMAGES) {
            break;
          }
          paymentQrs.delete(old);
        }
      }
      append(chatId, stored);
      return { ok: true };
    },

    list,

    waitFor(chatId, afterSeq, timeoutMs, signal) {
      const ready = list(chatId, afterSeq);
      if (ready.length > 0 || timeoutMs <= 0 || signal?.aborted) {
        return Promise.resolve(ready);
      }
      return new Promise((resolve) => {
        let set = waiters.get(chatId);
        if (!set) {
          set = new Set();
          waiters.set(chatId, set);
        }
        const own = set;
        let done = false;
        const finish = (): void => {
          if (done) {
            return;
          }
          done = true;
          clearTimeout(timer);
          signal?.removeEventListener('abort', finish);
          own.delete(finish);
          if (own.size === 0 && waiters.get(chatId) === own) {
            waiters.delete(chatId);
          }
          resolve(list(chatId, afterSeq));
        };
        const timer = setTimeout(finish, timeoutMs);
        // A pending long poll must never be the reason the process stays alive.
        timer.unref();
        signal?.addEventListener('abort', finish, { once: true });
        own.add(finish);
      });
    },

    recordUser(chatId, text, clientMessageId, senderName) {
      const message: Omit<PlaygroundMessage, 'seq' | 'at'> = { from: 'user', text };
      if (senderName !== undefined) {
        message.senderName = senderName;
      }
      if (clientMessageId === undefined) {
        return append(chatId, message);
      }
      const existing = chats.get(chatId)?.byClientId.get(clientMessageId);
      return existing ? copyMessage(existing) : append(chatId, { ...message, clientMessageId });
    },

    clear() {
      chats.clear();
      files.clear();
      paymentQrs.clear();
      wakeAll();
    },

    lastSeq() {
      return seq;
    },

    releaseWaiters: wakeAll,

    file(id) {
      return files.get(id);
    },

    paymentQr(at) {
      return paymentQrs.get(at);
    },
  };
}
