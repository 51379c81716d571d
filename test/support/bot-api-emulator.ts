/**
 * A small, local emulator of the Telegram Bot API for end-to-end tests and benchmarks.
 *
 * It is a plain `node:http` server on 127.0.0.1 (random port) that the real grammY library talks to via
 * `new Bot(emulator.token, { client: { apiRoot: emulator.apiRoot } })`. Tests queue updates as if a user
 * did something (`sendText`, `sendPhoto`, `pressButton`), and inspect what the bot did (`sent`, `calls`,
 * `callbackAnswers`). Both long polling (`getUpdates`) and webhooks (`setWebhook`) are supported.
 * Optionally (`floodLimits`) it answers 429 like Telegram's flood control and counts deliveries per
 * chat (`deliveredPerChat`, `tooManyRequests`, `deliveryStats()`) for bulk-send tests and benchmarks.
 */

import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  BotCommand,
  Chat,
  Document,
  InlineKeyboardMarkup,
  Message,
  MessageEntity,
  PhotoSize,
  ReplyKeyboardMarkup,
  Update,
  User,
  UserFromGetMe,
} from 'grammy/types';

/** The start of a JPEG file (SOI and a JFIF APP0 marker) that the emulator's files begin with. */
export const EMULATED_JPEG_HEAD = Buffer.from([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01,
]);

export interface EmulatorUser {
  id: number;
  first_name: string;
  username?: string;
  language_code?: string;
}

export interface SentMessage {
  method: string;
  chatId: number;
  messageId: number;
  /**
   * The text as the user reads it (HTML/Markdown markup parsed away); the caption for media; the
   * current text for markup edits.
   */
  text?: string;
  /** The text or caption as the bot sent it, with its markup, when a parse mode was given. */
  raw?: string;
  /** The formatting Telegram parsed from the markup (bold, code…), when there is any. */
  entities?: MessageEntity[];
  /**
   * `reply_markup` as sent by the bot (parsed from JSON if it came as a string); for a message sent,
   * its inline keyboard as later edits left it (the buttons the user can tap now, none once removed).
   */
  replyMarkup?: unknown;
  payload: Record<string, unknown>;
  /** A file the bot uploaded with sendPhoto / sendDocument: its name and its bytes. */
  upload?: { filename: string; bytes: Buffer };
}

export interface ApiCall {
  method: string;
  payload: Record<string, unknown>;
}

export interface CallbackAnswer {
  callback_query_id: string;
  text?: string;
  show_alert?: boolean;
  url?: string;
}

export interface EmulatorError {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

/**
 * Telegram-like flood control (off unless given). A send (sendMessage, sendPhoto, sendDocument)
 * that would exceed a limit over its sliding window is answered HTTP 429
 * `{ok:false, error_code:429, description:'Too Many Requests: retry after N', parameters:{retry_after:N}}`
 * and not delivered. Only delivered messages count in the windows.
 */
export interface FloodLimits {
  /** Messages per any 1 s window over the whole bot. */
  globalPerSecond?: number;
  /** Messages per any 1 s window to one chat. */
  perChatPerSecond?: number;
  /** Messages per any 60 s window to one group chat (negative chat id). */
  perGroupPerMinute?: number;
  /** The `retry_after` answered; default: the seconds until the window has room again (at least 1). */
  retryAfterSeconds?: number;
  /**
   * Like a real flood wait: after a 429, every send in the same scope (the whole bot, the chat or
   * the group, whichever limit was hit) is answered 429 until its retry_after has passed. Default false.
   */
  enforceRetryAfter?: boolean;
}

export interface DeliveryStats {
  /** Messages delivered (send* answered ok), in total and per chat. */
  delivered: number;
  perChat: ReadonlyMap<number, number>;
  /** Sends answered 429 by the flood limits. */
  tooManyRequests: number;
  /** `performance.now()` of the first and the last delivery (undefined before any). */
  firstAt?: number;
  lastAt?: number;
}

/** A contact a user shares: a phone number and, when it is a Telegram user's, their id. */
export interface EmulatedContact {
  phoneNumber: string;
  firstName?: string;
  /** Default: the sender's own id; `null`: a contact without a Telegram account. */
  userId?: number | null;
}

/** A file a user sends as a document (a bank statement…). */
export interface EmulatedDocument {
  fileId: string;
  fileName: string;
  mimeType?: string;
  bytes: Buffer;
}

export interface BotApiEmulatorOptions {
  /** Default `'123456:TEST-TOKEN'`; the bot id is the part before the colon. */
  token?: string;
  /** Default `'emulator_bot'`. */
  botUsername?: string;
  /** Flood control; off by default (every send is delivered). */
  floodLimits?: FloodLimits;
}

export interface BotApiEmulator {
  /** e.g. `http://127.0.0.1:PORT`; pass as `client.apiRoot` to grammY. */
  readonly apiRoot: string;
  readonly token: string;
  readonly botInfo: UserFromGetMe;
  /** Queue a private-chat text message from `user`. A leading `/command` gets a `bot_command` entity. */
  sendText(user: EmulatorUser, text: string): Update;
  /** Queue a private-chat photo from `user`; the largest size carries `fileId`, the thumbnail `${fileId}-thumb`. */
  sendPhoto(user: EmulatorUser, fileId: string, caption?: string): Update;
  /**
   * Queue a private-chat document from `user`; `getFile` and the file URL then serve its `bytes`
   * (other file ids keep the emulated JPEG).
   */
  sendDocument(user: EmulatorUser, document: EmulatedDocument, caption?: string): Update;
  /** Queue a text message from `user` in the group chat `groupId` (negative, titled "Group <id>"). */
  sendGroupText(user: EmulatorUser, groupId: number, text: string): Update;
  /**
   * Queue a shared contact from `user` in their private chat (the share-contact button): their own
   * unless `contact.userId` names someone else (or is `null`: a contact not on Telegram).
   */
  sendContact(user: EmulatorUser, contact: EmulatedContact): Update;
  /** The reply keyboard the chat shows (sent with `keyboard`, until a `remove_keyboard`), if any. */
  replyKeyboardOf(chatId: number): ReplyKeyboardMarkup | undefined;
  /**
   * Resolves once the bot's message `messageId` of the chat has an inline keyboard (one sent taking a
   * reply keyboard away gets its buttons by an edit right after); default timeout 5000 ms.
   */
  waitForKeyboard(chatId: number, messageId: number, timeoutMs?: number): Promise<void>;
  /** Queue a callback query for the bot message `messageId` in the user's private chat (throws if unknown). */
  pressButton(user: EmulatorUser, messageId: number, data: string): Update;
  /** Queue the very same update (same `update_id`) again, as Telegram does when it was not confirmed. */
  redeliver(update: Update): void;
  /** sendMessage / sendPhoto / sendDocument / editMessageText / editMessageReplyMarkup, in order. */
  readonly sent: SentMessage[];
  /** The messages the bot sent to the chat (sendMessage / sendPhoto / sendDocument), edits left out. */
  messagesTo(chatId: number): SentMessage[];
  lastMessageTo(chatId: number): SentMessage | undefined;
  /** The bot's edits of messages in the chat (editMessageText / editMessageReplyMarkup), in order. */
  editsTo(chatId: number): SentMessage[];
  /** A message of the chat as the user sees it now (its text, entities and keyboard after edits). */
  messageIn(chatId: number, messageId: number): Message | undefined;
  /**
   * The command list set for a scope type (`default`, `all_private_chats`, `all_group_chats`…; a
   * chat's own: `chat:<chat id>`) and language ('' none).
   */
  commandsFor(scope?: string, language?: string): BotCommand[];
  /**
   * Resolves once at least `count` messages (edits left out) were sent to `chatId` in total
   * (default timeout 5000 ms).
   */
  waitForMessages(chatId: number, count: number, timeoutMs?: number): Promise<SentMessage[]>;
  readonly callbackAnswers: CallbackAnswer[];
  /** Every API call with a valid token, in order of arrival (including failed ones and getUpdates). */
  readonly calls: ApiCall[];
  /** The next `count` calls of `method` answer with `error` (HTTP status = `error_code`). */
  failNext(method: string, count: number, error: EmulatorError): void;
  /** Make send* calls to `chatId` fail with 403 "Forbidden: bot was blocked by the user" (or stop doing so). */
  setBlocked(chatId: number, blocked?: boolean): void;
  /** Make send* calls to `chatId` fail with 400 "Bad Request: chat not found" (or stop doing so). */
  setChatMissing(chatId: number, missing?: boolean): void;
  /** A member deletes the message `messageId` of `chatId` (the bot's edits of it then find nothing). */
  deleteMessageAsUser(chatId: number, messageId: number): void;
  /** The chat's pinned messages, the newest pin first (pinChatMessage / unpinChatMessage). */
  pinnedMessages(chatId: number): number[];
  /** Turn flood control on with these limits, or off with `undefined` (windows start empty). */
  setFloodLimits(limits: FloodLimits | undefined): void;
  /**
   * Called when a sendMessage is about to be delivered; returning `false` leaves it undelivered and
   * answers 500 (a test's way to crash the bot at a chosen send, before Telegram got it).
   */
  onBeforeSend: ((chatId: number) => boolean | undefined) | undefined;
  /** Sends answered 429 by the flood limits so far. */
  readonly tooManyRequests: number;
  /** Messages delivered per chat so far (send* answered ok). */
  readonly deliveredPerChat: ReadonlyMap<number, number>;
  /** Delivery counters and the times of the first and last delivery. */
  deliveryStats(): DeliveryStats;
  /** Zero the delivery counters (not `sent`). */
  resetDeliveryStats(): void;
  /** Updates queued but not yet confirmed (polling) or delivered (webhook). */
  readonly pendingUpdateCount: number;
  /** Current webhook URL, `''` in getUpdates mode. */
  readonly webhookUrl: string;
  close(): Promise<void>;
}

type Payload = Record<string, unknown>;

interface UploadedFile {
  filename: string;
  size: number;
  bytes: Buffer;
}

interface CallContext {
  files: Map<string, UploadedFile>;
}

type ApiResponse =
  | { ok: true; result: unknown; description?: string }
  | { ok: false; error_code: number; description: string; parameters?: EmulatorError['parameters'] };

interface QueuedUpdate {
  update: Update;
  /** Re-queued copies are exempt from offset confirmation until they have been handed out once. */
  redelivered: boolean;
  delivered: boolean;
}

interface PendingPoll {
  res: ServerResponse;
  limit: number;
  timer: NodeJS.Timeout;
}

interface MessageWaiter {
  chatId: number;
  count: number;
  resolve: (messages: SentMessage[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

interface WebhookConfig {
  url: string;
  secretToken?: string;
  maxConnections: number;
  allowedUpdates?: unknown;
}

type Handler = (payload: Payload, context: CallContext) => unknown;

const DEFAULT_TOKEN = '123456:TEST-TOKEN';
const MAX_TEXT_LENGTH = 4096;
const MAX_CAPTION_LENGTH = 1024;
const MAX_CALLBACK_DATA_BYTES = 64;
const MAX_BODY_BYTES = 60 * 1024 * 1024;
const WEBHOOK_RETRY_DELAY_MS = 100;
const WEBHOOK_MAX_RETRIES = 5;
const WEBHOOK_REQUEST_TIMEOUT_MS = 15_000;
const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a content and reply markup of the current message';

class ApiFailure extends Error {
  readonly errorCode: number;
  readonly description: string;
  readonly parameters: EmulatorError['parameters'];

  constructor(errorCode: number, description: string, parameters?: EmulatorError['parameters']) {
    super(description);
    this.errorCode = errorCode;
    this.description = description;
    this.parameters = parameters;
  }
}

/** A successful result that carries a `description`, like Telegram's "Webhook was set". */
class Described {
  readonly value: unknown;
  readonly description: string;

  constructor(value: unknown, description: string) {
    this.value = value;
    this.description = description;
  }
}

function badRequest(description: string): ApiFailure {
  return new ApiFailure(400, `Bad Request: ${description}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInlineKeyboard(value: unknown): value is InlineKeyboardMarkup {
  return (
    isRecord(value) &&
    Array.isArray(value.inline_keyboard) &&
    value.inline_keyboard.every((row) => Array.isArray(row) && row.every(isRecord))
  );
}

function toInteger(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) {
    return value;
  }
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) {
    return Number(value.trim());
  }
  return undefined;
}

function toOptionalString(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  return undefined;
}

function toBoolean(value: unknown): boolean {
  return value === true || value === 'true' || value === 1 || value === '1';
}

/** Form fields arrive as strings; grammY JSON-encodes objects and arrays. */
function decodeFormValue(value: string): unknown {
  const trimmed = value.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return value;
    }
  }
  return value;
}

/** Which command list a set/get/deleteMyCommands call is about: its scope type and language. */
function commandsKey(payload: Payload): string {
  const scope = parseReplyMarkup(payload.scope);
  const type = isRecord(scope) && typeof scope.type === 'string' ? scope.type : 'default';
  const language = typeof payload.language_code === 'string' ? payload.language_code : '';
  if (type === 'chat' || type === 'chat_administrators' || type === 'chat_member') {
    const chatId = isRecord(scope) ? toInteger(scope.chat_id) : undefined;
    if (chatId === undefined) {
      throw badRequest('chat_id is empty');
    }
    return `${type}:${chatId}:${language}`;
  }
  return `${type}:${language}`;
}

function parseReplyMarkup(value: unknown): unknown {
  if (typeof value === 'string') {
    try {
      return JSON.parse(value);
    } catch {
      throw badRequest("can't parse reply keyboard markup JSON object");
    }
  }
  return value;
}

function validateReplyMarkup(markup: unknown): void {
  if (!isRecord(markup) || markup.inline_keyboard === undefined) {
    return;
  }
  if (!isInlineKeyboard(markup)) {
    throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays');
  }
  for (const row of markup.inline_keyboard) {
    for (const button of row) {
      if (typeof button.text !== 'string' || button.text.length === 0) {
        throw badRequest('BUTTON_TEXT_EMPTY');
      }
      if ('callback_data' in button) {
        const data = button.callback_data;
        const bytes = Buffer.byteLength(data, 'utf8');
        if (bytes === 0 || bytes > MAX_CALLBACK_DATA_BYTES) {
          throw badRequest('BUTTON_DATA_INVALID');
        }
      }
    }
  }
}

function decodeHtmlEntity(entity: string): string {
  switch (entity.toLowerCase()) {
    case 'lt':
      return '<';
    case 'gt':
      return '>';
    case 'amp':
      return '&';
    case 'quot':
      return '"';
    default: {
      const code =
        entity.startsWith('#x') || entity.startsWith('#X')
          ? Number.parseInt(entity.slice(2), 16)
          : Number.parseInt(entity.slice(1), 10);
      return Number.isFinite(code) ? String.fromCodePoint(code) : `&${entity};`;
    }
  }
}

/** A text as Telegram shows it: what the user reads and its formatting. */
interface Formatted {
  text: string;
  entities: MessageEntity[];
}

/** Telegram's HTML tags (https://core.telegram.org/bots/api#html-style) and the entity of each. */
const HTML_TAGS: Record<string, MessageEntity['type']> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  'tg-spoiler': 'spoiler',
  span: 'spoiler',
  a: 'text_link',
  code: 'code',
  pre: 'pre',
  blockquote: 'blockquote',
};

function cantParse(reason: string): ApiFailure {
  return badRequest(`can't parse entities: ${reason}`);
}

function byteOffset(text: string, index: number): number {
  return Buffer.byteLength(text.slice(0, index), 'utf8');
}

/**
 * Telegram's HTML parse mode: the supported tags become entities (offsets in UTF-16 units of the
 * visible text), `&lt;` `&gt;` `&amp;` `&quot;` and numeric entities are decoded, and a `<` that
 * starts no supported tag or a tag left open is refused with 400 "can't parse entities" as
 * Telegram does (a bare `&` is taken literally, as Telegram does too).
 */
function parseHtml(html: string): Formatted {
  let text = '';
  const entities: MessageEntity[] = [];
  const open: { tag: string; offset: number; url?: string }[] = [];
  let i = 0;
  while (i < html.length) {
    const ch = html[i] ?? '';
    if (ch === '&') {
      const entity = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);/i.exec(html.slice(i, i + 12));
      text += entity ? decodeHtmlEntity(entity[1] ?? '') : '&';
      i += entity ? entity[0].length : 1;
      continue;
    }
    if (ch !== '<') {
      text += ch;
      i += 1;
      continue;
    }
    const tag =
      /^<(\/?)([a-z][a-z0-9-]*)((?:\s+[a-z-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?)*)\s*>/i.exec(
        html.slice(i),
      );
    const name = tag?.[2]?.toLowerCase() ?? '';
    if (!tag || HTML_TAGS[name] === undefined) {
      throw cantParse(`Unsupported start tag "${name}" at byte offset ${byteOffset(html, i)}`);
    }
    if (tag[1] === '/') {
      const top = open.pop();
      if (top?.tag !== name) {
        throw cantParse(
          `Unmatched end tag at byte offset ${byteOffset(html, i)}, expected "</${top?.tag ?? ''}>", found "</${name}>"`,
        );
      }
      const length = text.length - top.offset;
      if (length > 0) {
        const type = HTML_TAGS[name] ?? 'bold';
        entities.push(
          type === 'text_link'
            ? { type, offset: top.offset, length, url: top.url ?? '' }
            : ({ type, offset: top.offset, length } as MessageEntity),
        );
      }
    } else {
      const href = /\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))/i.exec(tag[3] ?? '');
      open.push({ tag: name, offset: text.length, url: href?.[1] ?? href?.[2] ?? href?.[3] });
    }
    i += tag[0].length;
  }
  const unclosed = open.pop();
  if (unclosed) {
    throw cantParse(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  }
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text, entities };
}

/** The text as the user sees it (Telegram's length limits apply to it) and its entities. */
function formatted(text: string, parseMode: unknown): Formatted {
  const mode = typeof parseMode === 'string' ? parseMode.toLowerCase() : '';
  if (mode === 'html') {
    return parseHtml(text);
  }
  if (mode === 'markdownv2') {
    return { text: text.replace(/\\(.)/g, '$1'), entities: [] };
  }
  return { text, entities: [] };
}

/** What a sent message records of its text: the visible text, and the raw text and entities if any. */
function shownFields(
  raw: string,
  shown: Formatted,
  parseMode: unknown,
): Pick<SentMessage, 'text' | 'raw' | 'entities'> {
  return {
    text: shown.text,
    ...(parseMode === undefined || parseMode === '' ? {} : { raw }),
    ...(shown.entities.length > 0 ? { entities: shown.entities } : {}),
  };
}

function parseMultipart(
  body: Buffer,
  boundary: string,
): { fields: Payload; files: Map<string, UploadedFile> } {
  const fields: Payload = {};
  const files = new Map<string, UploadedFile>();
  const delimiter = Buffer.from(`--${boundary}`);
  let position = body.indexOf(delimiter);
  while (position !== -1) {
    let start = position + delimiter.length;
    if (body[start] === 0x2d && body[start + 1] === 0x2d) {
      break;
    }
    if (body[start] === 0x0d && body[start + 1] === 0x0a) {
      start += 2;
    }
    const next = body.indexOf(delimiter, start);
    if (next === -1) {
      break;
    }
    let end = next;
    if (body[end - 2] === 0x0d && body[end - 1] === 0x0a) {
      end -= 2;
    }
    const part = body.subarray(start, end);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const content = part.subarray(headerEnd + 4);
      const name =
        /(?:^|[;:\s])name="([^"]*)"/i.exec(headers)?.[1] ?? /(?:^|[;:\s])name=([^;\s]+)/i.exec(headers)?.[1];
      const filename = /filename="([^"]*)"/i.exec(headers)?.[1] ?? /filename=([^;\r\n]+)/i.exec(headers)?.[1];
      if (name !== undefined) {
        if (filename === undefined) {
          fields[name] = decodeFormValue(content.toString('utf8'));
        } else {
          files.set(name, { filename: filename.trim(), size: content.length, bytes: Buffer.from(content) });
        }
      }
    }
    position = next;
  }
  return { fields, files };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      throw new ApiFailure(413, 'Request Entity Too Large');
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function parsePayload(
  contentType: string,
  body: Buffer,
  query: URLSearchParams,
): { payload: Payload; files: Map<string, UploadedFile> } {
  const payload: Payload = {};
  for (const [key, value] of query) {
    payload[key] = decodeFormValue(value);
  }
  const type = contentType.toLowerCase();
  if (body.length === 0) {
    return { payload, files: new Map() };
  }
  if (type.startsWith('multipart/form-data')) {
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
    const boundaryValue = boundary?.[1] ?? boundary?.[2];
    if (boundaryValue === undefined) {
      throw badRequest('multipart boundary is missing');
    }
    const { fields, files } = parseMultipart(body, boundaryValue);
    return { payload: { ...payload, ...fields }, files };
  }
  if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(body.toString('utf8'))) {
      payload[key] = decodeFormValue(value);
    }
    return { payload, files: new Map() };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest("can't parse JSON object");
  }
  if (!isRecord(parsed)) {
    throw badRequest("can't parse JSON object");
  }
  return { payload: { ...payload, ...parsed }, files: new Map() };
}

function sendJson(res: ServerResponse, status: number, body: ApiResponse): void {
  if (res.writableEnded || res.destroyed) {
    return;
  }
  const json = JSON.stringify(body);
  const headers: OutgoingHttpHeaders = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
  };
  res.writeHead(status, headers).end(json);
}

function httpStatusFor(errorCode: number): number {
  return Number.isInteger(errorCode) && errorCode >= 400 && errorCode <= 599 ? errorCode : 400;
}

function postJson(
  target: URL,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const transport = target.protocol === 'https:' ? https : http;
    const request = transport.request(
      target,
      {
        method: 'POST',
        agent: false,
        signal,
        timeout: WEBHOOK_REQUEST_TIMEOUT_MS,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          ...headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    request.on('timeout', () => {
      request.destroy(new Error(`Webhook request timed out after ${WEBHOOK_REQUEST_TIMEOUT_MS} ms`));
    });
    request.on('error', reject);
    request.end(body);
  });
}

function describeSent(messages: SentMessage[]): string {
  if (messages.length === 0) {
    return '  (nothing)';
  }
  return messages
    .map((message, index) => {
      const markup =
        message.replyMarkup === undefined ? '' : ` markup=${JSON.stringify(message.replyMarkup)}`;
      return `  ${index + 1}. ${message.method} #${message.messageId}: ${JSON.stringify(message.text ?? null)}${markup}`;
    })
    .join('\n');
}

class Emulator implements BotApiEmulator {
  readonly token: string;
  readonly botInfo: UserFromGetMe;
  readonly sent: SentMessage[] = [];
  readonly callbackAnswers: CallbackAnswer[] = [];
  readonly calls: ApiCall[] = [];

  private readonly server: http.Server;
  private port = 0;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly shutdown = new AbortController();

  private nextUpdateId = 100_000_001;
  private nextCallbackId = 1;
  private nextFileId = 1;
  private queue: QueuedUpdate[] = [];
  private pendingPoll: PendingPoll | undefined;
  private flushScheduled = false;

  private webhook: WebhookConfig | undefined;
  private webhookLoopRunning = false;
  private webhookLastError: { date: number; message: string } | undefined;

  private readonly users = new Map<number, EmulatorUser>();
  private readonly messages = new Map<number, Map<number, Message>>();
  private readonly messageCounters = new Map<number, number>();
  /** The bytes of documents users sent, by file id. */
  private readonly documents = new Map<string, Buffer>();
  private readonly openCallbackQueries = new Set<string>();
  private readonly blocked = new Set<number>();
  private readonly missingChats = new Set<number>();
  /** Pinned message ids per chat, the newest pin first. */
  private readonly pins = new Map<number, number[]>();
  private flood: FloodControl | undefined;
  private readonly delivered = new Map<number, number>();
  private deliveredTotal = 0;
  onBeforeSend: ((chatId: number) => boolean | undefined) | undefined;
  private firstDeliveryAt: number | undefined;
  private lastDeliveryAt: number | undefined;
  private tooManyRequestsCount = 0;
  private readonly failures = new Map<string, { remaining: number; error: EmulatorError }>();
  private readonly waiters = new Set<MessageWaiter>();
  /** setMyCommands' lists, by `<scope type>:<language code>` (a chat's: `chat:<chat id>:<language code>`). */
  private readonly commands = new Map<string, BotCommand[]>();
  /** The reply keyboard each chat shows. */
  private readonly replyKeyboards = new Map<number, ReplyKeyboardMarkup>();
  private readonly keyboardWaiters = new Set<{ chatId: number; messageId: number; resolve: () => void }>();

  private readonly handlers: Map<string, { name: string; handler: Handler }>;

  constructor(options: BotApiEmulatorOptions) {
    this.token = options.token ?? DEFAULT_TOKEN;
    this.flood = options.floodLimits === undefined ? undefined : new FloodControl(options.floodLimits);
    const botId = toInteger(this.token.split(':')[0]) ?? 123456;
    this.botInfo = {
      id: botId,
      is_bot: true,
      first_name: 'Emulator Bot',
      username: options.botUsername ?? 'emulator_bot',
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
    };
    this.handlers = this.buildHandlers();
    this.server = http.createServer((req, res) => {
      this.handleRequest(req, res).catch((error: unknown) => {
        const description = error instanceof Error ? error.message : String(error);
        sendJson(res, 500, {
          ok: false,
          error_code: 500,
          description: `Internal Server Error: ${description}`,
        });
      });
    });
  }

  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pendingUpdateCount(): number {
    return this.queue.length;
  }

  get webhookUrl(): string {
    return this.webhook?.url ?? '';
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address();
    if (address === null || typeof address === 'string') {
      throw new Error('Bot API emulator: could not determine the listening port');
    }
    this.port = (address satisfies AddressInfo).port;
  }

  // ---------------------------------------------------------------- user side

  sendText(user: EmulatorUser, text: string): Update {
    const message = this.userMessage(user);
    message.text = text;
    const command = /^\/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?/.exec(text);
    if (command !== null) {
      const entity: MessageEntity = { type: 'bot_command', offset: 0, length: command[0].length };
      message.entities = [entity];
    }
    return this.enqueue({ update_id: this.nextUpdateId++, message });
  }

  sendGroupText(user: EmulatorUser, groupId: number, text: string): Update {
    const message = this.userMessage(user, groupId);
    message.text = text;
    const command = /^\/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?/.exec(text);
    if (command !== null) {
      message.entities = [{ type: 'bot_command', offset: 0, length: command[0].length }];
    }
    return this.enqueue({ update_id: this.nextUpdateId++, message });
  }

  sendPhoto(user: EmulatorUser, fileId: string, caption?: string): Update {
    const message = this.userMessage(user);
    message.photo = [
      {
        file_id: `${fileId}-thumb`,
        file_unique_id: `${this.uniqueId(fileId)}-thumb`,
        width: 90,
        height: 68,
        file_size: 1_234,
      },
      {
        file_id: fileId,
        file_unique_id: this.uniqueId(fileId),
        width: 1280,
        height: 960,
        file_size: 123_456,
      },
    ];
    if (caption !== undefined) {
      message.caption = caption;
    }
    return this.enqueue({ update_id: this.nextUpdateId++, message });
  }

  sendDocument(user: EmulatorUser, document: EmulatedDocument, caption?: string): Update {
    this.documents.set(document.fileId, document.bytes);
    const message = this.userMessage(user);
    message.document = {
      file_id: document.fileId,
      file_unique_id: this.uniqueId(document.fileId),
      file_name: document.fileName,
      file_size: document.bytes.length,
      ...(document.mimeType === undefined ? {} : { mime_type: document.mimeType }),
    };
    if (caption !== undefined) {
      message.caption = caption;
    }
    return this.enqueue({ update_id: this.nextUpdateId++, message });
  }

  sendContact(user: EmulatorUser, contact: EmulatedContact): Update {
    const message = this.userMessage(user);
    const userId = contact.userId === undefined ? user.id : contact.userId;
    message.contact = {
      phone_number: contact.phoneNumber,
      first_name: contact.firstName ?? user.first_name,
      ...(userId === null ? {} : { user_id: userId }),
    };
    return this.enqueue({ update_id: this.nextUpdateId++, message });
  }

  replyKeyboardOf(chatId: number): ReplyKeyboardMarkup | undefined {
    return this.replyKeyboards.get(chatId);
  }

  waitForKeyboard(chatId: number, messageId: number, timeoutMs = 5000): Promise<void> {
    if (isInlineKeyboard(this.messages.get(chatId)?.get(messageId)?.reply_markup)) {
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        chatId,
        messageId,
        resolve: () => {
          clearTimeout(timer);
          this.keyboardWaiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.keyboardWaiters.delete(waiter);
        reject(
          new Error(
            `Bot API emulator: no inline keyboard on message #${messageId} of chat ${chatId} in ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.keyboardWaiters.add(waiter);
    });
  }

  pressButton(user: EmulatorUser, messageId: number, data: string): Update {
    this.rememberUser(user);
    const message = this.messages.get(user.id)?.get(messageId);
    if (message === undefined) {
      throw new Error(
        `Bot API emulator: pressButton: no message #${messageId} in chat ${user.id}; sent there:\n${describeSent(this.messagesTo(user.id))}`,
      );
    }
    const id = String(4_000_000_000_000 + this.nextCallbackId++);
    this.openCallbackQueries.add(id);
    return this.enqueue({
      update_id: this.nextUpdateId++,
      callback_query: {
        id,
        from: this.toTelegramUser(user),
        message: structuredClone(message),
        chat_instance: String(-7_000_000_000 - user.id),
        data,
      },
    });
  }

  redeliver(update: Update): void {
    this.queue.push({ update, redelivered: true, delivered: false });
    this.afterEnqueue();
  }

  // ---------------------------------------------------------------- bot side

  messagesTo(chatId: number): SentMessage[] {
    return this.sent.filter((message) => message.chatId === chatId && DELIVERY_METHODS.has(message.method));
  }

  editsTo(chatId: number): SentMessage[] {
    return this.sent.filter((message) => message.chatId === chatId && !DELIVERY_METHODS.has(message.method));
  }

  messageIn(chatId: number, messageId: number): Message | undefined {
    const message = this.messages.get(chatId)?.get(messageId);
    return message === undefined ? undefined : structuredClone(message);
  }

  lastMessageTo(chatId: number): SentMessage | undefined {
    return this.messagesTo(chatId).at(-1);
  }

  commandsFor(scope = 'default', language = ''): BotCommand[] {
    return this.commands.get(`${scope}:${language}`) ?? [];
  }

  waitForMessages(chatId: number, count: number, timeoutMs = 5000): Promise<SentMessage[]> {
    const current = this.messagesTo(chatId);
    if (current.length >= count) {
      return Promise.resolve(current);
    }
    if (this.closed) {
      return Promise.reject(new Error('Bot API emulator is closed'));
    }
    return new Promise<SentMessage[]>((resolve, reject) => {
      const waiter: MessageWaiter = {
        chatId,
        count,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(this.describeTimeout(chatId, count, timeoutMs)));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  failNext(method: string, count: number, error: EmulatorError): void {
    const key = method.toLowerCase();
    if (count <= 0) {
      this.failures.delete(key);
      return;
    }
    this.failures.set(key, { remaining: count, error: structuredClone(error) });
  }

  setBlocked(chatId: number, blocked = true): void {
    if (blocked) {
      this.blocked.add(chatId);
    } else {
      this.blocked.delete(chatId);
    }
  }

  setChatMissing(chatId: number, missing = true): void {
    if (missing) {
      this.missingChats.add(chatId);
    } else {
      this.missingChats.delete(chatId);
    }
  }

  deleteMessageAsUser(chatId: number, messageId: number): void {
    this.messages.get(chatId)?.delete(messageId);
    this.unpin(chatId, messageId);
  }

  pinnedMessages(chatId: number): number[] {
    return [...(this.pins.get(chatId) ?? [])];
  }

  private unpin(chatId: number, messageId: number): void {
    this.pins.set(
      chatId,
      (this.pins.get(chatId) ?? []).filter((id) => id !== messageId),
    );
  }

  setFloodLimits(limits: FloodLimits | undefined): void {
    this.flood = limits === undefined ? undefined : new FloodControl(limits);
  }

  get tooManyRequests(): number {
    return this.tooManyRequestsCount;
  }

  get deliveredPerChat(): ReadonlyMap<number, number> {
    return this.delivered;
  }

  deliveryStats(): DeliveryStats {
    return {
      delivered: this.deliveredTotal,
      perChat: new Map(this.delivered),
      tooManyRequests: this.tooManyRequestsCount,
      ...(this.firstDeliveryAt === undefined ? {} : { firstAt: this.firstDeliveryAt }),
      ...(this.lastDeliveryAt === undefined ? {} : { lastAt: this.lastDeliveryAt }),
    };
  }

  resetDeliveryStats(): void {
    this.delivered.clear();
    this.deliveredTotal = 0;
    this.firstDeliveryAt = undefined;
    this.lastDeliveryAt = undefined;
    this.tooManyRequestsCount = 0;
  }

  close(): Promise<void> {
    if (this.closing !== undefined) {
      return this.closing;
    }
    this.closed = true;
    this.shutdown.abort();
    const poll = this.pendingPoll;
    if (poll !== undefined) {
      this.pendingPoll = undefined;
      clearTimeout(poll.timer);
      sendJson(poll.res, 200, { ok: true, result: [] });
    }
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`Bot API emulator closed while waiting for messages to chat ${waiter.chatId}`));
    }
    this.waiters.clear();
    this.closing = new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  // ---------------------------------------------------------------- internals: updates

  private enqueue(update: Update): Update {
    this.queue.push({ update, redelivered: false, delivered: false });
    this.afterEnqueue();
    return update;
  }

  private afterEnqueue(): void {
    if (this.closed) {
      return;
    }
    if (this.webhook !== undefined) {
      void this.runWebhookLoop();
      return;
    }
    if (this.pendingPoll !== undefined && !this.flushScheduled) {
      // Batch updates queued in the same tick into one getUpdates answer.
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flushPendingPoll();
      });
    }
  }

  private flushPendingPoll(): void {
    const poll = this.pendingPoll;
    if (poll === undefined || this.queue.length === 0) {
      return;
    }
    this.pendingPoll = undefined;
    clearTimeout(poll.timer);
    sendJson(poll.res, 200, { ok: true, result: this.takeUpdates(poll.limit) });
  }

  private takeUpdates(limit: number): Update[] {
    const batch = this.queue.slice(0, limit);
    for (const entry of batch) {
      entry.delivered = true;
    }
    return batch.map((entry) => entry.update);
  }

  private confirmUpTo(offset: number): void {
    if (offset < 0) {
      this.queue = this.queue.slice(offset);
      return;
    }
    this.queue = this.queue.filter(
      (entry) => entry.update.update_id >= offset || (entry.redelivered && !entry.delivered),
    );
  }

  private handleGetUpdates(res: ServerResponse, payload: Payload): void {
    if (this.webhook !== undefined) {
      sendJson(res, 409, {
        ok: false,
        error_code: 409,
        description:
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      });
      return;
    }
    // Like Telegram: a newer getUpdates request terminates the pending one.
    this.terminatePendingPoll(
      'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
    );
    const offset = toInteger(payload.offset);
    if (offset !== undefined && offset !== 0) {
      this.confirmUpTo(offset);
    }
    const limit = Math.min(Math.max(toInteger(payload.limit) ?? 100, 1), 100);
    const timeout = Math.max(Number(payload.timeout ?? 0) || 0, 0);
    if (this.queue.length > 0 || timeout === 0 || this.closed) {
      sendJson(res, 200, { ok: true, result: this.takeUpdates(limit) });
      return;
    }
    if (res.socket === null || res.socket.destroyed) {
      return;
    }
    const poll: PendingPoll = {
      res,
      limit,
      timer: setTimeout(() => {
        if (this.pendingPoll === poll) {
          this.pendingPoll = undefined;
          sendJson(res, 200, { ok: true, result: this.takeUpdates(limit) });
        }
      }, timeout * 1000),
    };
    this.pendingPoll = poll;
    res.on('close', () => {
      if (this.pendingPoll === poll) {
        this.pendingPoll = undefined;
        clearTimeout(poll.timer);
      }
    });
  }

  private terminatePendingPoll(description: string): void {
    const poll = this.pendingPoll;
    if (poll === undefined) {
      return;
    }
    this.pendingPoll = undefined;
    clearTimeout(poll.timer);
    sendJson(poll.res, 409, { ok: false, error_code: 409, description });
  }

  // ---------------------------------------------------------------- internals: webhook

  private async runWebhookLoop(): Promise<void> {
    if (this.webhookLoopRunning) {
      return;
    }
    this.webhookLoopRunning = true;
    try {
      for (;;) {
        const hook = this.webhook;
        const entry = this.queue[0];
        if (this.closed || hook === undefined || entry === undefined) {
          return;
        }
        const outcome = await this.deliverToWebhook(hook, entry.update);
        if (outcome === 'aborted') {
          return;
        }
        const index = this.queue.indexOf(entry);
        if (index !== -1) {
          this.queue.splice(index, 1);
        }
      }
    } finally {
      this.webhookLoopRunning = false;
    }
  }

  private async deliverToWebhook(
    hook: WebhookConfig,
    update: Update,
  ): Promise<'delivered' | 'failed' | 'aborted'> {
    const headers: Record<string, string> = {};
    if (hook.secretToken !== undefined) {
      headers['X-Telegram-Bot-Api-Secret-Token'] = hook.secretToken;
    }
    const body = JSON.stringify(update);
    for (let attempt = 0; attempt <= WEBHOOK_MAX_RETRIES; attempt++) {
      if (attempt > 0) {
        try {
          await sleep(WEBHOOK_RETRY_DELAY_MS, undefined, { signal: this.shutdown.signal });
        } catch {
          return 'aborted';
        }
      }
      if (this.closed || this.webhook !== hook) {
        return 'aborted';
      }
      try {
        const response = await postJson(new URL(hook.url), body, headers, this.shutdown.signal);
        if (response.status >= 200 && response.status < 300) {
          await this.processWebhookReply(response.body);
          return 'delivered';
        }
        this.webhookLastError = {
          date: this.now(),
          message: `Wrong response from the webhook: ${response.status}`,
        };
      } catch (error) {
        if (this.closed) {
          return 'aborted';
        }
        const message = error instanceof Error ? error.message : String(error);
        this.webhookLastError = { date: this.now(), message: `Connection failed: ${message}` };
      }
    }
    return 'failed';
  }

  /** grammY may answer a webhook request with one API call in the response body (webhook reply). */
  private async processWebhookReply(body: string): Promise<void> {
    if (body.trim() === '') {
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return;
    }
    if (!isRecord(parsed) || typeof parsed.method !== 'string') {
      return;
    }
    const { method, ...payload } = parsed;
    await this.invoke(method, payload, { files: new Map() });
  }

  // ---------------------------------------------------------------- internals: HTTP

  private async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (fileMatch !== null) {
      await readBody(req);
      if (fileMatch[1] !== this.token) {
        sendJson(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
        return;
      }
      // A document a user sent, else a JPEG's first bytes and the file's path (the bot keeps only
      // what looks like an image).
      const filePath = fileMatch[2] ?? '';
      const content =
        this.documents.get(filePath.replace(/^files\//, '')) ??
        Buffer.concat([EMULATED_JPEG_HEAD, Buffer.from(`emulated file ${filePath}`)]);
      res
        .writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': content.length })
        .end(content);
      return;
    }
    const match = /^\/bot([^/]*)\/([^/]+)\/?$/.exec(url.pathname);
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      const failure = error instanceof ApiFailure ? error : badRequest('failed to read request body');
      sendJson(res, failure.errorCode, {
        ok: false,
        error_code: failure.errorCode,
        description: failure.description,
      });
      return;
    }
    if (match === null) {
      sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    const [, token = '', method = ''] = match;
    if (token !== this.token) {
      sendJson(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
      return;
    }
    let parsed: { payload: Payload; files: Map<string, UploadedFile> };
    try {
      parsed = parsePayload(String(req.headers['content-type'] ?? ''), body, url.searchParams);
    } catch (error) {
      const failure = error instanceof ApiFailure ? error : badRequest("can't parse request");
      this.calls.push({ method, payload: {} });
      sendJson(res, failure.errorCode, {
        ok: false,
        error_code: failure.errorCode,
        description: failure.description,
      });
      return;
    }
    if (method.toLowerCase() === 'getupdates') {
      this.calls.push({ method: 'getUpdates', payload: parsed.payload });
      const injected = this.takeInjectedFailure('getUpdates');
      if (injected !== undefined) {
        sendJson(res, httpStatusFor(injected.error_code), { ok: false, ...injected });
        return;
      }
      this.handleGetUpdates(res, parsed.payload);
      return;
    }
    const response = await this.invoke(method, parsed.payload, { files: parsed.files });
    sendJson(res, response.ok ? 200 : httpStatusFor(response.error_code), response);
  }

  private takeInjectedFailure(method: string): EmulatorError | undefined {
    const key = method.toLowerCase();
    const failure = this.failures.get(key);
    if (failure === undefined) {
      return undefined;
    }
    failure.remaining -= 1;
    if (failure.remaining <= 0) {
      this.failures.delete(key);
    }
    return structuredClone(failure.error);
  }

  private async invoke(method: string, payload: Payload, context: CallContext): Promise<ApiResponse> {
    const entry = this.handlers.get(method.toLowerCase());
    this.calls.push({ method: entry?.name ?? method, payload });
    if (entry === undefined) {
      return { ok: false, error_code: 404, description: 'Not Found: method not found' };
    }
    const injected = this.takeInjectedFailure(entry.name);
    if (injected !== undefined) {
      return { ok: false, ...injected };
    }
    const delivery = DELIVERY_METHODS.has(entry.name) ? toInteger(payload.chat_id) : undefined;
    if (delivery !== undefined && this.flood !== undefined) {
      const retryAfter = this.flood.check(delivery, performance.now());
      if (retryAfter !== undefined) {
        this.tooManyRequestsCount += 1;
        return {
          ok: false,
          error_code: 429,
          description: `Too Many Requests: retry after ${retryAfter}`,
          parameters: { retry_after: retryAfter },
        };
      }
    }
    try {
      const value = entry.handler(payload, context);
      if (delivery !== undefined) {
        // Counted in the same tick as the flood check (the send handlers are synchronous).
        this.countDelivery(delivery);
      }
      const result = await value;
      if (result instanceof Described) {
        return { ok: true, result: result.value, description: result.description };
      }
      return { ok: true, result };
    } catch (error) {
      if (error instanceof ApiFailure) {
        return {
          ok: false,
          error_code: error.errorCode,
          description: error.description,
          ...(error.parameters === undefined ? {} : { parameters: error.parameters }),
        };
      }
      throw error;
    }
  }

  private countDelivery(chatId: number): void {
    const at = performance.now();
    this.flood?.record(chatId, at);
    this.delivered.set(chatId, (this.delivered.get(chatId) ?? 0) + 1);
    this.deliveredTotal += 1;
    this.firstDeliveryAt ??= at;
    this.lastDeliveryAt = at;
  }

  // ---------------------------------------------------------------- internals: API methods

  private buildHandlers(): Map<string, { name: string; handler: Handler }> {
    const table: Record<string, Handler> = {
      getMe: () => this.botInfo,
      logOut: () => true,
      close: () => true,
      setWebhook: (payload) => this.setWebhook(payload),
      deleteWebhook: (payload) => {
        this.webhook = undefined;
        if (toBoolean(payload.drop_pending_updates)) {
          this.queue = [];
        }
        return new Described(true, 'Webhook was deleted');
      },
      getWebhookInfo: () => ({
        url: this.webhook?.url ?? '',
        has_custom_certificate: false,
        pending_update_count: this.queue.length,
        ...(this.webhook === undefined
          ? {}
          : { max_connections: this.webhook.maxConnections, ip_address: '127.0.0.1' }),
        ...(this.webhookLastError === undefined
          ? {}
          : {
              last_error_date: this.webhookLastError.date,
              last_error_message: this.webhookLastError.message,
            }),
        ...(this.webhook?.allowedUpdates === undefined
          ? {}
          : { allowed_updates: this.webhook.allowedUpdates }),
      }),
      sendMessage: (payload) => this.sendMessage(payload),
      sendPhoto: (payload, context) => this.sendPhotoOrDocument('sendPhoto', payload, context),
      sendDocument: (payload, context) => this.sendPhotoOrDocument('sendDocument', payload, context),
      editMessageText: (payload) => this.editMessage('editMessageText', payload),
      editMessageReplyMarkup: (payload) => this.editMessage('editMessageReplyMarkup', payload),
      deleteMessage: (payload) => {
        const chatId = this.requireChatId(payload);
        const messageId = toInteger(payload.message_id);
        const chatMessages = this.messages.get(chatId);
        if (messageId === undefined || chatMessages?.has(messageId) !== true) {
          throw badRequest('message to delete not found');
        }
        chatMessages.delete(messageId);
        this.unpin(chatId, messageId);
        return true;
      },
      pinChatMessage: (payload) => {
        const chatId = this.requireChatId(payload);
        this.assertReachable(chatId);
        const messageId = toInteger(payload.message_id);
        if (messageId === undefined || this.messages.get(chatId)?.has(messageId) !== true) {
          throw badRequest('message to pin not found');
        }
        this.unpin(chatId, messageId);
        this.pins.get(chatId)?.unshift(messageId);
        return true;
      },
      unpinChatMessage: (payload) => {
        const chatId = this.requireChatId(payload);
        const messageId = toInteger(payload.message_id) ?? this.pins.get(chatId)?.[0];
        if (messageId !== undefined) {
          this.unpin(chatId, messageId);
        }
        return true;
      },
      answerCallbackQuery: (payload) => {
        const id = toOptionalString(payload.callback_query_id);
        if (id === undefined || !this.openCallbackQueries.delete(id)) {
          throw badRequest('query is too old and response timeout expired or query ID is invalid');
        }
        const answer: CallbackAnswer = { callback_query_id: id };
        const text = toOptionalString(payload.text);
        if (text !== undefined) {
          answer.text = text;
        }
        if (payload.show_alert !== undefined) {
          answer.show_alert = toBoolean(payload.show_alert);
        }
        const url = toOptionalString(payload.url);
        if (url !== undefined) {
          answer.url = url;
        }
        this.callbackAnswers.push(answer);
        return true;
      },
      sendChatAction: (payload) => {
        this.assertReachable(this.requireChatId(payload));
        if (typeof payload.action !== 'string' || payload.action === '') {
          throw badRequest('wrong parameter action in request');
        }
        return true;
      },
      setMyCommands: (payload) => {
        const commands = parseReplyMarkup(payload.commands);
        if (!Array.isArray(commands)) {
          throw badRequest('parameter "commands" must be an array');
        }
        this.commands.set(
          this.commandsScopeKey(payload),
          commands.filter(isRecord).map((command) => ({
            command: String(command.command ?? ''),
            description: String(command.description ?? ''),
          })),
        );
        return true;
      },
      getMyCommands: (payload) => this.commands.get(commandsKey(payload)) ?? [],
      deleteMyCommands: (payload) => {
        this.commands.delete(this.commandsScopeKey(payload));
        return true;
      },
      setMyDescription: () => true,
      setMyShortDescription: () => true,
      setMyName: () => true,
      setChatMenuButton: () => true,
      getChat: (payload) => {
        const chatId = this.requireChatId(payload);
        const user = this.users.get(chatId);
        if (user === undefined) {
          throw badRequest('chat not found');
        }
        return {
          id: user.id,
          type: 'private',
          first_name: user.first_name,
          ...(user.username === undefined ? {} : { username: user.username }),
          accent_color_id: 0,
          max_reaction_count: 11,
          accepted_gift_types: {
            unlimited_gifts: true,
            limited_gifts: true,
            unique_gifts: true,
            premium_subscription: true,
            gifts_from_channels: true,
          },
        };
      },
      getFile: (payload) => {
        const fileId = toOptionalString(payload.file_id);
        if (fileId === undefined || fileId === '') {
          throw badRequest('file_id is empty');
        }
        return {
          file_id: fileId,
          file_unique_id: this.uniqueId(fileId),
          file_size: this.documents.get(fileId)?.length ?? 123_456,
          file_path: `files/${fileId}`,
        };
      },
    };
    return new Map(Object.entries(table).map(([name, handler]) => [name.toLowerCase(), { name, handler }]));
  }

  private setWebhook(payload: Payload): unknown {
    const url = toOptionalString(payload.url) ?? '';
    if (url === '') {
      this.webhook = undefined;
      return new Described(true, 'Webhook was deleted');
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw badRequest('bad webhook: Failed to resolve host: Name or service not known');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw badRequest('bad webhook: HTTPS url must be provided for webhook');
    }
    const secretToken = toOptionalString(payload.secret_token);
    if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) {
      throw badRequest('secret token contains unallowed characters');
    }
    if (toBoolean(payload.drop_pending_updates)) {
      this.queue = [];
    }
    this.terminatePendingPoll('Conflict: terminated by setWebhook request');
    const alreadySet = this.webhook?.url === url && this.webhook.secretToken === secretToken;
    if (!alreadySet) {
      this.webhook = {
        url,
        maxConnections: toInteger(payload.max_connections) ?? 40,
        ...(secretToken === undefined ? {} : { secretToken }),
        ...(payload.allowed_updates === undefined
          ? {}
          : { allowedUpdates: parseReplyMarkup(payload.allowed_updates) }),
      };
      this.webhookLastError = undefined;
    }
    setImmediate(() => {
      void this.runWebhookLoop();
    });
    return new Described(true, alreadySet ? 'Webhook is already set' : 'Webhook was set');
  }

  /** A list's key; a private chat's scope needs a chat the bot knows (one whose user wrote to it). */
  private commandsScopeKey(payload: Payload): string {
    const key = commandsKey(payload);
    const chatId = /^chat\w*:(\d+):/.exec(key)?.[1];
    if (chatId !== undefined && !this.users.has(Number(chatId))) {
      throw badRequest('chat not found');
    }
    return key;
  }

  private sendMessage(payload: Payload): Message {
    const chatId = this.requireChatId(payload);
    const text = toOptionalString(payload.text) ?? '';
    const shown = formatted(text, payload.parse_mode);
    const plain = shown.text;
    if (plain.trim() === '') {
      throw badRequest('message text is empty');
    }
    if (plain.length > MAX_TEXT_LENGTH) {
      throw badRequest('message is too long');
    }
    const replyMarkup = parseReplyMarkup(payload.reply_markup);
    validateReplyMarkup(replyMarkup);
    this.assertReachable(chatId);
    if (this.onBeforeSend?.(chatId) === false) {
      throw new ApiFailure(500, 'Internal Server Error: not delivered');
    }
    const message = this.botMessage(chatId, replyMarkup);
    message.text = plain;
    if (shown.entities.length > 0) {
      message.entities = shown.entities;
    }
    this.storeMessage(message);
    if (isRecord(replyMarkup) && Array.isArray(replyMarkup.keyboard)) {
      this.replyKeyboards.set(chatId, replyMarkup as unknown as ReplyKeyboardMarkup);
    } else if (isRecord(replyMarkup) && replyMarkup.remove_keyboard === true) {
      this.replyKeyboards.delete(chatId);
    }
    this.recordSent({
      method: 'sendMessage',
      chatId,
      messageId: message.message_id,
      ...shownFields(text, shown, payload.parse_mode),
      replyMarkup,
      payload,
    });
    return message;
  }

  private sendPhotoOrDocument(
    method: 'sendPhoto' | 'sendDocument',
    payload: Payload,
    context: CallContext,
  ): Message {
    const chatId = this.requireChatId(payload);
    const field = method === 'sendPhoto' ? 'photo' : 'document';
    const input = toOptionalString(payload[field]);
    if (input === undefined || input === '') {
      throw badRequest(`there is no ${field} in the request`);
    }
    const caption = toOptionalString(payload.caption);
    const shownCaption = caption === undefined ? undefined : formatted(caption, payload.parse_mode);
    if (shownCaption !== undefined && shownCaption.text.length > MAX_CAPTION_LENGTH) {
      throw badRequest('message caption is too long');
    }
    const replyMarkup = parseReplyMarkup(payload.reply_markup);
    validateReplyMarkup(replyMarkup);
    this.assertReachable(chatId);
    const upload = input.startsWith('attach://')
      ? context.files.get(input.slice('attach://'.length))
      : undefined;
    if (input.startsWith('attach://') && upload === undefined) {
      throw badRequest(`wrong file identifier/HTTP URL specified`);
    }
    const isFileId = upload === undefined && !/^https?:\/\//i.test(input);
    const fileId = isFileId ? input : `emu-file-${this.nextFileId++}`;
    const message = this.botMessage(chatId, replyMarkup);
    if (method === 'sendPhoto') {
      const photo: PhotoSize[] = [
        {
          file_id: `${fileId}-thumb`,
          file_unique_id: `${this.uniqueId(fileId)}-thumb`,
          width: 90,
          height: 68,
          file_size: 1_234,
        },
        {
          file_id: fileId,
          file_unique_id: this.uniqueId(fileId),
          width: 1280,
          height: 960,
          file_size: upload?.size ?? 123_456,
        },
      ];
      message.photo = photo;
    } else {
      const document: Document = {
        file_id: fileId,
        file_unique_id: this.uniqueId(fileId),
        file_name: upload?.filename ?? 'document.dat',
        mime_type: 'application/octet-stream',
        file_size: upload?.size ?? 123_456,
      };
      message.document = document;
    }
    if (shownCaption !== undefined && shownCaption.text !== '') {
      message.caption = shownCaption.text;
      if (shownCaption.entities.length > 0) {
        message.caption_entities = shownCaption.entities;
      }
    }
    this.storeMessage(message);
    this.recordSent({
      method,
      chatId,
      messageId: message.message_id,
      ...(caption === undefined || shownCaption === undefined
        ? {}
        : shownFields(caption, shownCaption, payload.parse_mode)),
      replyMarkup,
      payload,
      ...(upload === undefined ? {} : { upload: { filename: upload.filename, bytes: upload.bytes } }),
    });
    return message;
  }

  private editMessage(
    method: 'editMessageText' | 'editMessageReplyMarkup',
    payload: Payload,
  ): Message | true {
    const replyMarkup = parseReplyMarkup(payload.reply_markup);
    validateReplyMarkup(replyMarkup);
    const text = toOptionalString(payload.text);
    let shown: Formatted | undefined;
    if (method === 'editMessageText') {
      shown = formatted(text ?? '', payload.parse_mode);
      const plain = shown.text;
      if (plain.trim() === '') {
        throw badRequest('message text is empty');
      }
      if (plain.length > MAX_TEXT_LENGTH) {
        throw badRequest('message is too long');
      }
    }
    if (payload.inline_message_id !== undefined) {
      this.recordSent({
        method,
        chatId: 0,
        messageId: 0,
        ...(text === undefined || shown === undefined ? {} : shownFields(text, shown, payload.parse_mode)),
        replyMarkup,
        payload,
      });
      return true;
    }
    const chatId = this.requireChatId(payload);
    const messageId = toInteger(payload.message_id);
    const current = messageId === undefined ? undefined : this.messages.get(chatId)?.get(messageId);
    if (messageId === undefined || current === undefined) {
      throw badRequest('message to edit not found');
    }
    if (current.from?.id !== this.botInfo.id) {
      throw badRequest("message can't be edited");
    }
    if (method === 'editMessageText' && current.text === undefined) {
      throw badRequest('there is no text in the message to edit');
    }
    const newMarkup = isInlineKeyboard(replyMarkup) ? replyMarkup : undefined;
    const newText = shown?.text ?? current.text;
    const newEntities = shown ? shown.entities : (current.entities ?? []);
    const unchanged =
      newText === current.text &&
      JSON.stringify(newEntities) === JSON.stringify(current.entities ?? []) &&
      JSON.stringify(newMarkup ?? null) === JSON.stringify(current.reply_markup ?? null);
    if (unchanged) {
      throw badRequest(NOT_MODIFIED);
    }
    const edited: Message = { ...current, edit_date: this.now() };
    if (newText !== undefined) {
      edited.text = newText;
    }
    if (newEntities.length > 0) {
      edited.entities = newEntities;
    } else {
      delete edited.entities;
    }
    if (newMarkup === undefined) {
      delete edited.reply_markup;
    } else {
      edited.reply_markup = newMarkup;
    }
    this.storeMessage(edited);
    const original = this.sent.findLast(
      (m) => m.chatId === chatId && m.messageId === messageId && DELIVERY_METHODS.has(m.method),
    );
    if (original !== undefined && newMarkup === undefined) {
      delete original.replyMarkup;
    } else if (original !== undefined) {
      original.replyMarkup = newMarkup;
    }
    const shownText = edited.text ?? edited.caption;
    this.recordSent({
      method,
      chatId,
      messageId,
      ...(shownText === undefined ? {} : { text: shownText }),
      ...(text !== undefined && shown !== undefined ? shownFields(text, shown, payload.parse_mode) : {}),
      replyMarkup,
      payload,
    });
    return edited;
  }

  // ---------------------------------------------------------------- internals: helpers

  private now(): number {
    return Math.floor(Date.now() / 1000);
  }

  private uniqueId(fileId: string): string {
    return `AQAD${Buffer.from(fileId).toString('base64url').slice(0, 12)}`;
  }

  private nextMessageId(chatId: number): number {
    const next = (this.messageCounters.get(chatId) ?? 0) + 1;
    this.messageCounters.set(chatId, next);
    return next;
  }

  private rememberUser(user: EmulatorUser): void {
    this.users.set(user.id, { ...user });
  }

  private toTelegramUser(user: EmulatorUser): User {
    return {
      id: user.id,
      is_bot: false,
      first_name: user.first_name,
      ...(user.username === undefined ? {} : { username: user.username }),
      ...(user.language_code === undefined ? {} : { language_code: user.language_code }),
    };
  }

  private chatFor(chatId: number): Chat.PrivateChat | Chat.GroupChat {
    const user = this.users.get(chatId);
    if (chatId < 0) {
      return { id: chatId, type: 'group', title: `Group ${chatId}` };
    }
    return {
      id: chatId,
      type: 'private',
      first_name: user?.first_name ?? `User ${chatId}`,
      ...(user?.username === undefined ? {} : { username: user.username }),
    };
  }

  private userMessage(user: EmulatorUser, chatId = user.id): Message & Update.NonChannel {
    this.rememberUser(user);
    const message: Message & Update.NonChannel = {
      message_id: this.nextMessageId(chatId),
      from: this.toTelegramUser(user),
      chat: this.chatFor(chatId),
      date: this.now(),
    };
    this.storeMessage(message);
    return message;
  }

  private botMessage(chatId: number, replyMarkup: unknown): Message {
    const message: Message = {
      message_id: this.nextMessageId(chatId),
      from: {
        id: this.botInfo.id,
        is_bot: true,
        first_name: this.botInfo.first_name,
        username: this.botInfo.username,
      },
      chat: this.chatFor(chatId),
      date: this.now(),
    };
    if (isInlineKeyboard(replyMarkup)) {
      message.reply_markup = replyMarkup;
    }
    return message;
  }

  private storeMessage(message: Message): void {
    let chatMessages = this.messages.get(message.chat.id);
    if (chatMessages === undefined) {
      chatMessages = new Map();
      this.messages.set(message.chat.id, chatMessages);
    }
    chatMessages.set(message.message_id, message);
    if (isInlineKeyboard(message.reply_markup)) {
      for (const waiter of this.keyboardWaiters) {
        if (waiter.chatId === message.chat.id && waiter.messageId === message.message_id) {
          waiter.resolve();
        }
      }
    }
  }

  private requireChatId(payload: Payload): number {
    if (payload.chat_id === undefined || payload.chat_id === '') {
      throw badRequest('chat_id is empty');
    }
    const chatId = toInteger(payload.chat_id);
    if (chatId === undefined || chatId === 0) {
      throw badRequest('chat not found');
    }
    return chatId;
  }

  private assertReachable(chatId: number): void {
    if (this.blocked.has(chatId)) {
      throw new ApiFailure(403, 'Forbidden: bot was blocked by the user');
    }
    if (this.missingChats.has(chatId)) {
      throw badRequest('chat not found');
    }
  }

  private recordSent(message: SentMessage): void {
    const entry: SentMessage = { ...message };
    if (entry.replyMarkup === undefined) {
      delete entry.replyMarkup;
    }
    this.sent.push(entry);
    for (const waiter of this.waiters) {
      if (waiter.chatId !== entry.chatId) {
        continue;
      }
      const messages = this.messagesTo(waiter.chatId);
      if (messages.length >= waiter.count) {
        this.waiters.delete(waiter);
        clearTimeout(waiter.timer);
        waiter.resolve(messages);
      }
    }
  }

  private describeTimeout(chatId: number, count: number, timeoutMs: number): string {
    const toChat = this.messagesTo(chatId);
    const others = new Map<number, number>();
    for (const message of this.sent) {
      if (message.chatId !== chatId) {
        others.set(message.chatId, (others.get(message.chatId) ?? 0) + 1);
      }
    }
    const otherSummary =
      others.size === 0 ? 'none' : [...others].map(([id, n]) => `chat ${id}: ${n}`).join(', ');
    const recentCalls = this.calls
      .filter((call) => call.method !== 'getUpdates')
      .slice(-10)
      .map((call) => `  ${call.method} ${JSON.stringify(call.payload).slice(0, 200)}`)
      .join('\n');
    return [
      `Bot API emulator: timed out after ${timeoutMs} ms waiting for ${count} message(s) to chat ${chatId}; got ${toChat.length}:`,
      describeSent(toChat),
      `Messages to other chats: ${otherSummary}`,
      `Last API calls (excluding getUpdates):`,
      recentCalls === '' ? '  (none)' : recentCalls,
      `Queued updates not yet consumed: ${this.queue.length}`,
    ].join('\n');
  }
}

const DELIVERY_METHODS = new Set(['sendMessage', 'sendPhoto', 'sendDocument']);

/** Timestamps (ms, ascending) of deliveries within a sliding window. */
class SlidingWindow {
  private readonly times: number[] = [];
  private head = 0;

  constructor(private readonly windowMs: number) {}

  /** Deliveries within the window ending at `now`. */
  count(now: number): number {
    while (this.head < this.times.length && (this.times[this.head] ?? 0) <= now - this.windowMs) {
      this.head += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times.splice(0, this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }

  /** Milliseconds until one more delivery fits under `limit`. */
  waitMs(now: number, limit: number): number {
    const count = this.count(now);
    const oldest = this.times[this.head + Math.max(0, count - limit)];
    return oldest === undefined ? 0 : oldest + this.windowMs - now;
  }

  push(at: number): void {
    this.times.push(at);
  }
}

class FloodControl {
  private readonly global = new SlidingWindow(1_000);
  private readonly chats = new Map<number, SlidingWindow>();
  private readonly groups = new Map<number, SlidingWindow>();
  /** enforceRetryAfter: scope ('*', 'chat:ID', 'group:ID') → end of its flood wait. */
  private readonly waits = new Map<string, number>();

  constructor(private readonly limits: FloodLimits) {}

  /** The retry_after (seconds) to answer, or undefined when the send may be delivered. */
  check(chatId: number, now: number): number | undefined {
    const { globalPerSecond, perChatPerSecond, perGroupPerMinute } = this.limits;
    if (this.limits.enforceRetryAfter) {
      for (const scope of ['*', `chat:${chatId}`, `group:${chatId}`]) {
        const until = this.waits.get(scope);
        if (until !== undefined && until > now) {
          return Math.max(1, Math.ceil((until - now) / 1000));
        }
      }
    }
    const hits: Array<[string, SlidingWindow, number]> = [];
    if (globalPerSecond !== undefined) {
      hits.push(['*', this.global, globalPerSecond]);
    }
    if (perChatPerSecond !== undefined) {
      hits.push([`chat:${chatId}`, this.window(this.chats, chatId, 1_000), perChatPerSecond]);
    }
    if (perGroupPerMinute !== undefined && chatId < 0) {
      hits.push([`group:${chatId}`, this.window(this.groups, chatId, 60_000), perGroupPerMinute]);
    }
    for (const [scope, window, limit] of hits) {
      if (window.count(now) >= limit) {
        const retryAfter =
          this.limits.retryAfterSeconds ?? Math.max(1, Math.ceil(window.waitMs(now, limit) / 1000));
        if (this.limits.enforceRetryAfter) {
          this.waits.set(scope, now + retryAfter * 1000);
        }
        return retryAfter;
      }
    }
    return undefined;
  }

  record(chatId: number, at: number): void {
    this.global.push(at);
    this.window(this.chats, chatId, 1_000).push(at);
    if (chatId < 0) {
      this.window(this.groups, chatId, 60_000).push(at);
    }
  }

  private window(map: Map<number, SlidingWindow>, chatId: number, windowMs: number): SlidingWindow {
    let window = map.get(chatId);
    if (window === undefined) {
      window = new SlidingWindow(windowMs);
      map.set(chatId, window);
    }
    return window;
  }
}

export async function startBotApiEmulator(opts: BotApiEmulatorOptions = {}): Promise<BotApiEmulator> {
  const emulator = new Emulator(opts);
  await emulator.listen();
  return emulator;
}
