/**
 * A small, local emulator of the Zalo Official Account Open API and its OAuth v4 token endpoint, for
 * end-to-end tests of the Zalo channel.
 *
 * It is a plain `node:http` server on 127.0.0.1 (random port). Our client talks to
 * `${apiBase}/v3.0/oa/message/cs` etc. (instead of `https://openapi.zalo.me`) and to
 * `${oauthBase}/v4/oa/access_token` (instead of `https://oauth.zaloapp.com`). Like the real service it answers
 * API errors with HTTP 200 and `{ error: <negative code>, message }` (see `shared/reference/zalo-oa.md` §2.4).
 *
 * Tests build webhook events as Zalo would send them (`userSendText`, `follow`, ...; reference §5.5), sign them
 * like Zalo (`sign`, reference §5.3: `mac=` + plain SHA-256 of appId + rawBody + timestamp + OA secret key) and
 * post them to the bot (`deliver`), then inspect what the bot sent (`sent`, `waitForMessages`, `calls`).
 */

import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ZaloEmulatorOptions {
  /** Default `'1234567890123456789'`. */
  appId?: string;
  /** The App Secret Key (header `secret_key` on token calls). Default `'EmuAppSecretKey00001'`. */
  appSecret?: string;
  /** The OA Secret Key used for webhook signatures. Default `'EmuOaSecretKey000001'`. */
  oaSecretKey?: string;
  /** Default `'4318760281048123456'`. */
  oaId?: string;
  /** Access token lifetime in seconds (real time). Default 90000 (25 h), as Zalo's `expires_in`. */
  accessTtlSeconds?: number;
}

export type ZaloEvent = Record<string, unknown>;

export interface ZaloSentMessage {
  userId: string;
  text?: string;
  attachment?: unknown;
  /** The request body as received. */
  body: Record<string, unknown>;
  /** The `data.message_id` the emulator answered. */
  messageId: string;
}

/** A ZNS template message the OA sent (reference/zalo-oa.md §4). */
export interface ZaloZnsSend {
  /** As received: "84912345678". */
  phone: string;
  templateId: string;
  templateData: Record<string, string>;
  trackingId: string;
  /** `data.msg_id` the emulator answered. */
  msgId: string;
  body: Record<string, unknown>;
}

export interface ZaloGroupMessage {
  groupId: string;
  text?: string;
  attachment?: unknown;
  body: Record<string, unknown>;
  messageId: string;
}

export interface ZaloUpload {
  kind: 'image' | 'file';
  filename: string;
  size: number;
  /** `data.attachment_id` (image) or `data.token` (file). */
  id: string;
}

export interface ZaloRefreshRequest {
  refreshToken: string;
  ok: boolean;
  at: Date;
}

export interface ZaloCall {
  method: string;
  /** Path relative to its base, without query: `'/v3.0/oa/message/cs'`, `'/v4/oa/access_token'`. */
  path: string;
  /** The request URL as received (with the `/openapi` or `/oauth` prefix and the query string). */
  url: string;
  /** Lower-cased names; repeated headers joined with `', '`. */
  headers: Record<string, string>;
  /**
   * JSON bodies parsed; form bodies as a record of strings; multipart as `{ fields, files }`; for GET the
   * query as a record (a JSON-looking `data` parameter parsed); `undefined` for an empty body; otherwise the
   * raw text.
   */
  body: unknown;
}

export interface ZaloApiErrorBody {
  error: number;
  message: string;
  [key: string]: unknown;
}

export interface ZaloSignOptions {
  /** Sign with this key instead of the OA secret key (forge a wrong secret). */
  secret?: string;
  /** `false`: header value is the bare hex digest, without the `mac=` prefix. Default true. */
  prefix?: boolean;
  /** Use this app id as the first hashed term instead of the emulator's app id. */
  appId?: string;
  /** Leave out the `X-ZEvent-Signature` header. */
  omitHeader?: boolean;
  /**
   * Change the body after signing: `true` adds `"tampered": true` to the event (still valid JSON, same
   * timestamp); a function receives the signed body and returns the body to send.
   */
  tamper?: boolean | ((body: string) => string);
}

export interface ZaloUserProfile {
  displayName?: string;
  avatar?: string;
  isFollower?: boolean;
  sharedInfo?: Record<string, string>;
}

export interface ZaloEmulator {
  /** e.g. `http://127.0.0.1:PORT/openapi`; our client calls `${apiBase}/v3.0/oa/message/cs` etc. */
  readonly apiBase: string;
  /** e.g. `http://127.0.0.1:PORT/oauth`; our client calls `${oauthBase}/v4/oa/access_token`. */
  readonly oauthBase: string;
  /**
   * The ZNS template message endpoint, e.g. `http://127.0.0.1:PORT/zns/message/template` (Zalo's is
   * `https://business.openapi.zalo.me/message/template`). `failNext('/message/template', …)` makes it
   * refuse (quota -144, template -131, phone -118, …).
   */
  readonly znsUrl: string;
  /** Every ZNS template message sent successfully, in order. */
  readonly znsSends: ZaloZnsSend[];
  /**
   * Approved templates and their parameters: once any is registered, another template id answers
   * -109 and a missing or unknown parameter -132 (none registered: every template is accepted).
   */
  registerZnsTemplate(templateId: string, params: readonly string[]): void;
  /** After `count` ZNS sends (from now on) the OA's daily quota is spent: -144 until cleared with `undefined`. */
  setZnsDailyQuota(count: number | undefined): void;
  readonly appId: string;
  readonly appSecret: string;
  readonly oaSecretKey: string;
  readonly oaId: string;
  /** The pair an admin copies from the developer console: a fresh refresh token and access token. */
  issueTokens(): { accessToken: string; refreshToken: string };
  /** Make every live access token invalid: calls answer -216, or with kind `'expired'` -220. */
  expireAccessToken(kind?: 'invalid' | 'expired'): void;
  /** Make every live refresh token dead: refreshing answers -14014 `invalid_grant`. */
  killRefreshToken(): void;
  /**
   * The next `count` calls to `path` (relative to its base, e.g. `'/v3.0/oa/message/cs'` or
   * `'/v4/oa/access_token'`) answer `error` (HTTP `httpStatus`, default 200) without being processed,
   * after `delayMs` if given. `count <= 0` clears.
   */
  failNext(
    path: string,
    count: number,
    error: ZaloApiErrorBody,
    opts?: { delayMs?: number; httpStatus?: number },
  ): void;
  /** Delay every response of `path` by `ms` (0 clears). The request is handled after the delay. */
  setDelay(path: string, ms: number): void;
  /**
   * The next `count` calls to `path` are handled and answered `ms` late — handled even when the
   * caller gave up waiting meanwhile, as a send that timed out at the client but still reached the
   * user. `count <= 0` clears. (A `failNext` armed for the same call takes precedence.)
   */
  delayNext(path: string, count: number, ms: number): void;
  /**
   * Last interaction of a user with the OA. The event helpers that are interactions (userSendText,
   * userSendImage, userSendFile, follow, userSubmitInfo) set it to now. CS sends answer -230 when it is
   * older than 7 days or absent.
   */
  setLastInteraction(userId: string, at: Date): void;
  /** Override what `/v3.0/oa/user/detail` answers for a user (makes the user known). */
  setUserProfile(userId: string, profile: ZaloUserProfile): void;
  /** The app-scoped id (`user_id_by_app`) of a user, deterministic per app id and user id. */
  userIdByApp(userId: string): string;
  /** Every CS message the OA sent successfully, in order. */
  readonly sent: ZaloSentMessage[];
  messagesTo(userId: string): ZaloSentMessage[];
  /** Resolves once at least `count` messages were sent to `userId` in total (default timeout 5000 ms). */
  waitForMessages(userId: string, count: number, timeoutMs?: number): Promise<ZaloSentMessage[]>;
  readonly groupMessages: ZaloGroupMessage[];
  readonly uploads: ZaloUpload[];
  /** Every call to the token endpoint, ok or not. */
  readonly refreshRequests: ZaloRefreshRequest[];
  /** Every request, in order of arrival, including failed ones and unknown paths. */
  readonly calls: ZaloCall[];
  userSendText(userId: string, text: string, opts?: { msgId?: string; timestamp?: number }): ZaloEvent;
  userSendImage(
    userId: string,
    imageUrl: string,
    opts?: { msgId?: string; timestamp?: number; caption?: string },
  ): ZaloEvent;
  userSendFile(
    userId: string,
    fileUrl: string,
    name: string,
    opts?: { msgId?: string; timestamp?: number; size?: number },
  ): ZaloEvent;
  follow(userId: string, opts?: { variant?: 'follow' | 'user_follow'; timestamp?: number }): ZaloEvent;
  unfollow(userId: string, opts?: { variant?: 'unfollow' | 'user_unfollow'; timestamp?: number }): ZaloEvent;
  userSubmitInfo(
    userId: string,
    info: { name: string; phone: string },
    opts?: { timestamp?: number },
  ): ZaloEvent;
  /**
   * `oa_send_text` echo (sender = OA, recipient = user). Default `msg_id`: the message id of the latest CS
   * message sent to that user with the same text (as Zalo echoes our own send), else a fresh one.
   */
  oaSendTextEcho(userId: string, text: string, opts?: { msgId?: string; timestamp?: number }): ZaloEvent;
  userSeenMessage(userId: string, msgIds: string[], opts?: { timestamp?: number }): ZaloEvent;
  /**
   * Serialises an event and signs it like Zalo: header `X-ZEvent-Signature` =
   * `'mac=' + sha256_hex(appId + rawBody + timestamp + oaSecretKey)`, timestamp = the event's `timestamp`.
   */
  sign(event: ZaloEvent, opts?: ZaloSignOptions): { body: string; headers: Record<string, string> };
  /** Signs `event` (see `sign`) and POSTs it to `url` like Zalo's webhook delivery. */
  deliver(url: string, event: ZaloEvent, opts?: ZaloSignOptions): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

interface MultipartFile {
  field: string;
  filename: string;
  contentType: string;
  size: number;
}

interface MultipartData {
  fields: Record<string, string>;
  files: MultipartFile[];
}

interface ParsedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  contentType: string;
  body: unknown;
}

interface Reply {
  status: number;
  body: Json | string;
  headers?: Record<string, string>;
}

interface Route {
  method: 'GET' | 'POST';
  handle: (request: ParsedRequest) => Json;
}

interface AccessTokenState {
  state: 'live' | 'invalid' | 'expired';
  expiresAt: number;
}

interface RefreshTokenState {
  state: 'live' | 'used' | 'killed';
  accessToken: string;
}

interface UserState {
  lastInteraction: number | undefined;
  profile: ZaloUserProfile;
}

interface Failure {
  remaining: number;
  error: ZaloApiErrorBody;
  delayMs: number | undefined;
  httpStatus: number;
}

interface MessageWaiter {
  userId: string;
  count: number;
  resolve: (messages: ZaloSentMessage[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const API_PREFIX = '/openapi';
const OAUTH_PREFIX = '/oauth';
const ZNS_PREFIX = '/zns';
const ZNS_PATH = '/message/template';
const TOKEN_PATH = '/v4/oa/access_token';
const DEFAULT_ACCESS_TTL_SECONDS = 90_000;
const WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_TEXT_LENGTH = 2000;
const MAX_IMAGE_BYTES = 1024 * 1024;
const MAX_FILE_BYTES = 5 * 1024 * 1024;
const MAX_BODY_BYTES = 20 * 1024 * 1024;
const IMAGE_EXTENSIONS = new Set(['jpg', 'jpeg', 'png']);
const FILE_EXTENSIONS = new Set(['pdf', 'doc', 'docx', 'csv']);
const RATE_LIMIT_PER_MINUTE = 4000;
const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;
const DELIVERY_TIMEOUT_MS = 15_000;

const MSG_TOKEN_INVALID = 'Access token is invalid';
const MSG_TOKEN_EXPIRED = 'access_token is expired or removed';
const MSG_TOO_LONG = 'Parameter exceeds allowable limit';
const MSG_WINDOW = 'User has not interacted with the OA in the past 7 days';

/** An Open API error: answered with HTTP 200 and `{ error, message }`. */
class ApiError extends Error {
  readonly code: number;

  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

/** An OAuth error: answered with HTTP 200 and `{ error, error_name, message }`. */
class OAuthError extends Error {
  readonly code: number;
  readonly errorName: string;

  constructor(code: number, errorName: string, message: string) {
    super(message);
    this.code = code;
    this.errorName = errorName;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

function sha256Hex(input: string): string {
  return createHash('sha256').update(input, 'utf8').digest('hex');
}

function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) {
    length++;
  }
  return length;
}

function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot === -1 ? '' : filename.slice(dot + 1).toLowerCase();
}

/** `DD/MM/YYYY` in Vietnam time (UTC+7, no DST), as `user_last_interaction_date`. */
function formatVietnamDate(ms: number): string {
  const date = new Date(ms + VIETNAM_OFFSET_MS);
  const day = String(date.getUTCDate()).padStart(2, '0');
  const month = String(date.getUTCMonth() + 1).padStart(2, '0');
  return `${day}/${month}/${date.getUTCFullYear()}`;
}

function headerRecord(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) {
      continue;
    }
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** Strips an optional `/openapi` or `/oauth` prefix, the query and a trailing slash. */
function normalizePath(path: string): string {
  let result = path.split('?')[0] ?? '';
  for (const prefix of [API_PREFIX, OAUTH_PREFIX, ZNS_PREFIX]) {
    if (result === prefix || result.startsWith(`${prefix}/`)) {
      result = result.slice(prefix.length);
      break;
    }
  }
  if (result.length > 1 && result.endsWith('/')) {
    result = result.slice(0, -1);
  }
  return result.startsWith('/') ? result : `/${result}`;
}

function parseMultipart(body: Buffer, boundary: string): MultipartData {
  const fields: Record<string, string> = {};
  const files: MultipartFile[] = [];
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
      const partHeaders = part.subarray(0, headerEnd).toString('utf8');
      const content = part.subarray(headerEnd + 4);
      const name =
        /(?:^|[;:\s])name="([^"]*)"/i.exec(partHeaders)?.[1] ??
        /(?:^|[;:\s])name=([^;\s]+)/i.exec(partHeaders)?.[1];
      const filename =
        /filename="([^"]*)"/i.exec(partHeaders)?.[1] ?? /filename=([^;\r\n]+)/i.exec(partHeaders)?.[1];
      const contentType = /content-type:\s*([^\r\n]+)/i.exec(partHeaders)?.[1]?.trim() ?? '';
      if (name !== undefined) {
        if (filename === undefined) {
          fields[name] = content.toString('utf8');
        } else {
          files.push({
            field: name,
            filename: decodeFilename(filename.trim()),
            contentType,
            size: content.length,
          });
        }
      }
    }
    position = next;
  }
  return { fields, files };
}

/** Browsers/undici percent-encode `"`, CR and LF in multipart filenames. */
function decodeFilename(filename: string): string {
  return filename.replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n');
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    // Keep draining an oversized body so that the 413 answer reaches the client.
    if (size <= MAX_BODY_BYTES) {
      chunks.push(buffer);
    }
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks);
}

function decodeQuery(query: URLSearchParams): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of query) {
    const trimmed = value.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        result[key] = JSON.parse(trimmed);
        continue;
      } catch {
        // keep the raw text
      }
    }
    result[key] = value;
  }
  return result;
}

function parseBody(contentType: string, raw: Buffer): unknown {
  if (raw.length === 0) {
    return undefined;
  }
  const type = contentType.toLowerCase();
  if (type.startsWith('multipart/form-data')) {
    const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
    const boundary = match?.[1] ?? match?.[2];
    return boundary === undefined ? raw.toString('utf8') : parseMultipart(raw, boundary);
  }
  const text = raw.toString('utf8');
  if (type.startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function isMultipart(value: unknown): value is MultipartData {
  return isRecord(value) && isRecord(value.fields) && Array.isArray(value.files);
}

function describeSent(messages: ZaloSentMessage[]): string {
  if (messages.length === 0) {
    return '  (nothing)';
  }
  return messages
    .map((message, index) => {
      const attachment =
        message.attachment === undefined ? '' : ` attachment=${JSON.stringify(message.attachment)}`;
      return `  ${index + 1}. ${message.messageId}: ${JSON.stringify(message.text ?? null)}${attachment}`;
    })
    .join('\n');
}

function postRaw(
  url: string,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const transport = target.protocol === 'https:' ? https : http;
    const request = transport.request(
      target,
      {
        method: 'POST',
        agent: false,
        signal,
        timeout: DELIVERY_TIMEOUT_MS,
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
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
      request.destroy(new Error(`Zalo emulator: webhook delivery timed out after ${DELIVERY_TIMEOUT_MS} ms`));
    });
    request.on('error', reject);
    request.end(body);
  });
}

class Emulator implements ZaloEmulator {
  readonly appId: string;
  readonly appSecret: string;
  readonly oaSecretKey: string;
  readonly oaId: string;
  readonly sent: ZaloSentMessage[] = [];
  readonly groupMessages: ZaloGroupMessage[] = [];
  readonly uploads: ZaloUpload[] = [];
  readonly refreshRequests: ZaloRefreshRequest[] = [];
  readonly calls: ZaloCall[] = [];
  readonly znsSends: ZaloZnsSend[] = [];
  private readonly znsTemplates = new Map<string, readonly string[]>();
  private znsQuotaLeft: number | undefined;

  private readonly accessTtlMs: number;
  private readonly server: http.Server;
  private port = 0;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly shutdown = new AbortController();

  private readonly accessTokens = new Map<string, AccessTokenState>();
  private readonly refreshTokens = new Map<string, RefreshTokenState>();
  private readonly users = new Map<string, UserState>();
  private readonly imageIds = new Set<string>();
  private readonly fileTokens = new Set<string>();
  private readonly failures = new Map<string, Failure>();
  private readonly delays = new Map<string, number>();
  private readonly slowCalls = new Map<string, { remaining: number; ms: number }>();
  private readonly waiters = new Set<MessageWaiter>();
  private readonly recentCallTimes: number[] = [];
  private readonly apiRoutes: Map<string, Route>;

  constructor(options: ZaloEmulatorOptions) {
    this.appId = options.appId ?? '1234567890123456789';
    this.appSecret = options.appSecret ?? 'EmuAppSecretKey00001';
    this.oaSecretKey = options.oaSecretKey ?? 'EmuOaSecretKey000001';
    this.oaId = options.oaId ?? '4318760281048123456';
    this.accessTtlMs = (options.accessTtlSeconds ?? DEFAULT_ACCESS_TTL_SECONDS) * 1000;
    this.apiRoutes = new Map<string, Route>([
      ['/v3.0/oa/message/cs', { method: 'POST', handle: (request) => this.sendCs(request) }],
      ['/v3.0/oa/group/message', { method: 'POST', handle: (request) => this.sendGroup(request) }],
      ['/v2.0/oa/upload/image', { method: 'POST', handle: (request) => this.upload('image', request) }],
      ['/v2.0/oa/upload/file', { method: 'POST', handle: (request) => this.upload('file', request) }],
      ['/v3.0/oa/user/detail', { method: 'GET', handle: (request) => this.userDetail(request) }],
    ]);
    this.server = http.createServer((req, res) => {
      this.handleRequest(req, res).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.send(res, {
          status: 500,
          body: { error: -500, message: `Zalo emulator internal error: ${message}` },
        });
      });
    });
  }

  get apiBase(): string {
    return `http://127.0.0.1:${this.port}${API_PREFIX}`;
  }

  get oauthBase(): string {
    return `http://127.0.0.1:${this.port}${OAUTH_PREFIX}`;
  }

  get znsUrl(): string {
    return `http://127.0.0.1:${this.port}${ZNS_PREFIX}${ZNS_PATH}`;
  }

  registerZnsTemplate(templateId: string, params: readonly string[]): void {
    this.znsTemplates.set(templateId, [...params]);
  }

  setZnsDailyQuota(count: number | undefined): void {
    this.znsQuotaLeft = count;
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
      throw new Error('Zalo emulator: could not determine the listening port');
    }
    this.port = (address satisfies AddressInfo).port;
  }

  // ---------------------------------------------------------------- test controls

  issueTokens(): { accessToken: string; refreshToken: string } {
    return this.newPair();
  }

  expireAccessToken(kind: 'invalid' | 'expired' = 'invalid'): void {
    for (const token of this.accessTokens.values()) {
      if (token.state === 'live') {
        token.state = kind;
      }
    }
  }

  killRefreshToken(): void {
    for (const token of this.refreshTokens.values()) {
      if (token.state === 'live') {
        token.state = 'killed';
      }
    }
  }

  failNext(
    path: string,
    count: number,
    error: ZaloApiErrorBody,
    opts: { delayMs?: number; httpStatus?: number } = {},
  ): void {
    const key = normalizePath(path);
    if (count <= 0) {
      this.failures.delete(key);
      return;
    }
    this.failures.set(key, {
      remaining: count,
      error: structuredClone(error),
      delayMs: opts.delayMs,
      httpStatus: opts.httpStatus ?? 200,
    });
  }

  setDelay(path: string, ms: number): void {
    const key = normalizePath(path);
    if (ms <= 0) {
      this.delays.delete(key);
    } else {
      this.delays.set(key, ms);
    }
  }

  delayNext(path: string, count: number, ms: number): void {
    const key = normalizePath(path);
    if (count <= 0) {
      this.slowCalls.delete(key);
    } else {
      this.slowCalls.set(key, { remaining: count, ms });
    }
  }

  setLastInteraction(userId: string, at: Date): void {
    this.user(userId).lastInteraction = at.getTime();
  }

  setUserProfile(userId: string, profile: ZaloUserProfile): void {
    const user = this.user(userId);
    user.profile = { ...user.profile, ...profile };
  }

  userIdByApp(userId: string): string {
    const digest = sha256Hex(`${this.appId}:${userId}`);
    return (10n ** 18n + (BigInt(`0x${digest.slice(0, 16)}`) % 10n ** 18n)).toString();
  }

  messagesTo(userId: string): ZaloSentMessage[] {
    return this.sent.filter((message) => message.userId === userId);
  }

  waitForMessages(userId: string, count: number, timeoutMs = 5000): Promise<ZaloSentMessage[]> {
    const current = this.messagesTo(userId);
    if (current.length >= count) {
      return Promise.resolve(current);
    }
    if (this.closed) {
      return Promise.reject(new Error('Zalo emulator is closed'));
    }
    return new Promise<ZaloSentMessage[]>((resolve, reject) => {
      const waiter: MessageWaiter = {
        userId,
        count,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(this.describeTimeout(userId, count, timeoutMs)));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  // ---------------------------------------------------------------- webhook events

  userSendText(userId: string, text: string, opts: { msgId?: string; timestamp?: number } = {}): ZaloEvent {
    this.interact(userId);
    return {
      app_id: this.appId,
      sender: { id: userId },
      user_id_by_app: this.userIdByApp(userId),
      recipient: { id: this.oaId },
      event_name: 'user_send_text',
      message: { text, msg_id: opts.msgId ?? randomHex(16) },
      timestamp: this.timestamp(opts.timestamp),
    };
  }

  userSendImage(
    userId: string,
    imageUrl: string,
    opts: { msgId?: string; timestamp?: number; caption?: string } = {},
  ): ZaloEvent {
    this.interact(userId);
    return {
      app_id: this.appId,
      sender: { id: userId },
      user_id_by_app: this.userIdByApp(userId),
      recipient: { id: this.oaId },
      event_name: 'user_send_image',
      message: {
        ...(opts.caption === undefined ? {} : { text: opts.caption }),
        msg_id: opts.msgId ?? randomHex(16),
        attachments: [{ type: 'image', payload: { thumbnail: imageUrl, url: imageUrl } }],
      },
      timestamp: this.timestamp(opts.timestamp),
    };
  }

  userSendFile(
    userId: string,
    fileUrl: string,
    name: string,
    opts: { msgId?: string; timestamp?: number; size?: number } = {},
  ): ZaloEvent {
    this.interact(userId);
    return {
      app_id: this.appId,
      sender: { id: userId },
      user_id_by_app: this.userIdByApp(userId),
      recipient: { id: this.oaId },
      event_name: 'user_send_file',
      message: {
        msg_id: opts.msgId ?? randomHex(16),
        attachments: [
          {
            type: 'file',
            payload: {
              url: fileUrl,
              name,
              size: String(opts.size ?? 34_567),
              type: extensionOf(name),
              checksum: sha256Hex(fileUrl).slice(0, 32),
            },
          },
        ],
      },
      timestamp: this.timestamp(opts.timestamp),
    };
  }

  follow(userId: string, opts: { variant?: 'follow' | 'user_follow'; timestamp?: number } = {}): ZaloEvent {
    this.interact(userId);
    this.user(userId).profile.isFollower = true;
    return {
      oa_id: this.oaId,
      follower: { id: userId },
      user_id_by_app: this.userIdByApp(userId),
      event_name: opts.variant ?? 'follow',
      source: 'oa_profile',
      app_id: this.appId,
      timestamp: this.timestamp(opts.timestamp),
    };
  }

  unfollow(
    userId: string,
    opts: { variant?: 'unfollow' | 'user_unfollow'; timestamp?: number } = {},
  ): ZaloEvent {
    this.user(userId).profile.isFollower = false;
    return {
      oa_id: this.oaId,
      follower: { id: userId },
      user_id_by_app: this.userIdByApp(userId),
      event_name: opts.variant ?? 'unfollow',
      source: 'oa_profile',
      app_id: this.appId,
      timestamp: this.timestamp(opts.timestamp),
    };
  }

  userSubmitInfo(
    userId: string,
    info: { name: string; phone: string },
    opts: { timestamp?: number } = {},
  ): ZaloEvent {
    this.interact(userId);
    const user = this.user(userId);
    user.profile.sharedInfo = { ...user.profile.sharedInfo, name: info.name, phone: info.phone };
    return {
      app_id: this.appId,
      oa_id: this.oaId,
      user_id_by_app: this.userIdByApp(userId),
      event_name: 'user_submit_info',
      timestamp: this.timestamp(opts.timestamp),
      sender: { id: userId },
      recipient: { id: this.oaId },
      info: { address: '', phone: info.phone, city: '', district: '', name: info.name, ward: '' },
    };
  }

  oaSendTextEcho(userId: string, text: string, opts: { msgId?: string; timestamp?: number } = {}): ZaloEvent {
    this.user(userId);
    const echoed = this.messagesTo(userId)
      .filter((message) => message.text === text)
      .at(-1);
    return {
      app_id: this.appId,
      sender: { id: this.oaId },
      user_id_by_app: this.userIdByApp(userId),
      recipient: { id: userId },
      event_name: 'oa_send_text',
      message: { text, msg_id: opts.msgId ?? echoed?.messageId ?? randomHex(16) },
      timestamp: this.timestamp(opts.timestamp),
    };
  }

  userSeenMessage(userId: string, msgIds: string[], opts: { timestamp?: number } = {}): ZaloEvent {
    this.user(userId);
    return {
      app_id: this.appId,
      sender: { id: userId },
      user_id_by_app: this.userIdByApp(userId),
      recipient: { id: this.oaId },
      event_name: 'user_seen_message',
      message: { msg_ids: [...msgIds] },
      timestamp: this.timestamp(opts.timestamp),
    };
  }

  sign(event: ZaloEvent, opts: ZaloSignOptions = {}): { body: string; headers: Record<string, string> } {
    const signed = JSON.stringify(event);
    const timestamp =
      typeof event.timestamp === 'string' || typeof event.timestamp === 'number'
        ? String(event.timestamp)
        : '';
    const digest = sha256Hex(
      `${opts.appId ?? this.appId}${signed}${timestamp}${opts.secret ?? this.oaSecretKey}`,
    );
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (opts.omitHeader !== true) {
      headers['X-ZEvent-Signature'] = opts.prefix === false ? digest : `mac=${digest}`;
    }
    let body = signed;
    if (opts.tamper === true) {
      body = JSON.stringify({ ...event, tampered: true });
    } else if (typeof opts.tamper === 'function') {
      body = opts.tamper(signed);
    }
    return { body, headers };
  }

  deliver(
    url: string,
    event: ZaloEvent,
    opts: ZaloSignOptions = {},
  ): Promise<{ status: number; body: string }> {
    const { body, headers } = this.sign(event, opts);
    return postRaw(
      url,
      body,
      { ...headers, 'User-Agent': 'Zalo-Webhook/1.0 (emulator)' },
      this.shutdown.signal,
    );
  }

  close(): Promise<void> {
    if (this.closing !== undefined) {
      return this.closing;
    }
    this.closed = true;
    this.shutdown.abort();
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`Zalo emulator closed while waiting for messages to user ${waiter.userId}`));
    }
    this.waiters.clear();
    this.closing = new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  // ---------------------------------------------------------------- HTTP plumbing

  private async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const headers = headerRecord(req);
    const raw = await readBody(req);
    const rawPath = url.pathname;
    const base = rawPath === API_PREFIX || rawPath.startsWith(`${API_PREFIX}/`) ? 'api' : undefined;
    const oauth = rawPath === OAUTH_PREFIX || rawPath.startsWith(`${OAUTH_PREFIX}/`);
    const zns = rawPath === `${ZNS_PREFIX}${ZNS_PATH}`;
    const path = base === 'api' || oauth || zns ? normalizePath(rawPath) : rawPath;
    const contentType = headers['content-type'] ?? '';
    const body =
      method === 'GET' ? decodeQuery(url.searchParams) : parseBody(contentType, raw ?? Buffer.alloc(0));
    this.calls.push({ method, path, url: req.url ?? '/', headers, body });
    this.countCall();
    if (raw === undefined) {
      this.send(res, { status: 413, body: 'Request Entity Too Large' });
      return;
    }

    const route = zns
      ? { method: 'POST' as const, handle: (request: ParsedRequest) => this.sendZns(request) }
      : base === 'api'
        ? this.apiRoutes.get(path)
        : undefined;
    const isToken = oauth && path === TOKEN_PATH;
    let handle: (request: ParsedRequest) => Json;
    let allowed: 'GET' | 'POST';
    if (isToken) {
      handle = (request) => this.token(request);
      allowed = 'POST';
    } else if (route !== undefined) {
      handle = (request) => this.api(route, request);
      allowed = route.method;
    } else {
      this.send(res, { status: 404, body: '404 Not Found' });
      return;
    }
    if (method !== allowed) {
      this.send(res, { status: 405, body: '405 Method Not Allowed', headers: { allow: allowed } });
      return;
    }

    const failure = this.takeFailure(path);
    const slowMs = failure === undefined ? this.takeSlowCall(path) : undefined;
    const delayMs = failure?.delayMs ?? slowMs ?? this.delays.get(path) ?? 0;
    if (delayMs > 0) {
      try {
        await sleep(delayMs, undefined, { signal: this.shutdown.signal });
      } catch {
        res.destroy();
        return;
      }
    }
    if (this.closed) {
      res.destroy();
      return;
    }
    if (failure !== undefined) {
      if (isToken) {
        this.refreshRequests.push({
          refreshToken: this.formValue(body, 'refresh_token'),
          ok: false,
          at: new Date(),
        });
      }
      this.send(res, { status: failure.httpStatus, body: structuredClone(failure.error) });
      return;
    }
    this.send(res, {
      status: 200,
      body: handle({ method, path, query: url.searchParams, headers, contentType, body }),
    });
  }

  private api(route: Route, request: ParsedRequest): Json {
    try {
      return route.handle(request);
    } catch (error) {
      if (error instanceof ApiError) {
        return { error: error.code, message: error.message };
      }
      throw error;
    }
  }

  private send(res: ServerResponse, reply: Reply): void {
    if (res.writableEnded || res.destroyed) {
      return;
    }
    const isJson = typeof reply.body !== 'string';
    const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    res
      .writeHead(reply.status, {
        'content-type': isJson ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
        'content-length': Buffer.byteLength(text),
        'x-ratelimit-limit': String(RATE_LIMIT_PER_MINUTE),
        'x-ratelimit-remain': String(Math.max(RATE_LIMIT_PER_MINUTE - this.recentCallTimes.length, 0)),
        ...reply.headers,
      })
      .end(text);
  }

  private countCall(): void {
    const now = Date.now();
    this.recentCallTimes.push(now);
    while (this.recentCallTimes.length > 0 && (this.recentCallTimes[0] ?? now) <= now - 60_000) {
      this.recentCallTimes.shift();
    }
  }

  private takeFailure(path: string): Failure | undefined {
    const failure = this.failures.get(path);
    if (failure === undefined) {
      return undefined;
    }
    failure.remaining -= 1;
    if (failure.remaining <= 0) {
      this.failures.delete(path);
    }
    return failure;
  }

  private takeSlowCall(path: string): number | undefined {
    const slow = this.slowCalls.get(path);
    if (slow === undefined) {
      return undefined;
    }
    slow.remaining -= 1;
    if (slow.remaining <= 0) {
      this.slowCalls.delete(path);
    }
    return slow.ms;
  }

  private formValue(body: unknown, name: string): string {
    if (!isRecord(body)) {
      return '';
    }
    const value = body[name];
    return typeof value === 'string' ? value : '';
  }

  // ---------------------------------------------------------------- OAuth

  private token(request: ParsedRequest): Json {
    const refreshToken = this.formValue(request.body, 'refresh_token');
    try {
      const pair = this.refresh(request, refreshToken);
      this.refreshRequests.push({ refreshToken, ok: true, at: new Date() });
      return {
        access_token: pair.accessToken,
        refresh_token: pair.refreshToken,
        expires_in: String(Math.round(this.accessTtlMs / 1000)),
      };
    } catch (error) {
      if (error instanceof OAuthError) {
        this.refreshRequests.push({ refreshToken, ok: false, at: new Date() });
        return { error: error.code, error_name: error.errorName, message: error.message };
      }
      throw error;
    }
  }

  private refresh(
    request: ParsedRequest,
    refreshToken: string,
  ): { accessToken: string; refreshToken: string } {
    if (request.headers.secret_key !== this.appSecret) {
      throw new OAuthError(-14002, 'invalid_client', 'Invalid secret key');
    }
    if (!request.contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      throw new OAuthError(
        -14001,
        'invalid_request',
        'Content-Type must be application/x-www-form-urlencoded',
      );
    }
    const appId = this.formValue(request.body, 'app_id');
    if (appId === '') {
      throw new OAuthError(-14001, 'invalid_request', 'Missing app_id');
    }
    if (appId !== this.appId) {
      throw new OAuthError(-14002, 'invalid_client', 'Invalid app_id');
    }
    const grantType = this.formValue(request.body, 'grant_type');
    if (grantType !== 'refresh_token') {
      throw new OAuthError(-14001, 'unsupported_grant_type', `Unsupported grant_type: ${grantType}`);
    }
    if (refreshToken === '') {
      throw new OAuthError(-14001, 'invalid_request', 'Missing refresh_token');
    }
    const state = this.refreshTokens.get(refreshToken);
    if (state === undefined || state.state !== 'live') {
      throw new OAuthError(-14014, 'invalid_grant', 'Invalid refresh token');
    }
    state.state = 'used';
    const replaced = this.accessTokens.get(state.accessToken);
    if (replaced !== undefined && replaced.state === 'live') {
      replaced.state = 'invalid';
    }
    return this.newPair();
  }

  private newPair(): { accessToken: string; refreshToken: string } {
    const accessToken = randomToken(96);
    const refreshToken = randomToken(96);
    this.accessTokens.set(accessToken, { state: 'live', expiresAt: Date.now() + this.accessTtlMs });
    this.refreshTokens.set(refreshToken, { state: 'live', accessToken });
    return { accessToken, refreshToken };
  }

  // ---------------------------------------------------------------- Open API

  private requireAccessToken(request: ParsedRequest): void {
    const accessToken = request.headers.access_token;
    const state = accessToken === undefined ? undefined : this.accessTokens.get(accessToken);
    if (accessToken === undefined || state === undefined || state.state === 'invalid') {
      throw new ApiError(-216, MSG_TOKEN_INVALID);
    }
    if (state.state === 'expired' || Date.now() >= state.expiresAt) {
      throw new ApiError(-220, MSG_TOKEN_EXPIRED);
    }
    const proof = request.headers.appsecret_proof;
    if (proof !== undefined) {
      const expected = createHmac('sha256', this.appSecret).update(accessToken).digest('hex');
      if (proof.toLowerCase() !== expected) {
        throw new ApiError(-242, 'Invalid appsecret_proof provided');
      }
    }
  }

  private requireJson(request: ParsedRequest): Json {
    if (!request.contentType.toLowerCase().startsWith('application/json')) {
      throw new ApiError(-201, 'Content-Type must be application/json');
    }
    if (!isRecord(request.body)) {
      throw new ApiError(-201, 'Request body is invalid');
    }
    return request.body;
  }

  /** Validates `message` and returns its text and attachment. */
  private readMessage(body: Json): { text?: string; attachment?: unknown } {
    const message = body.message;
    if (!isRecord(message)) {
      throw new ApiError(-201, 'message is invalid');
    }
    const text = message.text;
    if (text !== undefined && typeof text !== 'string') {
      throw new ApiError(-201, 'text is invalid');
    }
    const attachment = message.attachment;
    const hasText = typeof text === 'string' && text !== '';
    if (!hasText && attachment === undefined) {
      throw new ApiError(-201, 'message is invalid');
    }
    if (typeof text === 'string' && codePointLength(text) > MAX_TEXT_LENGTH) {
      throw new ApiError(-210, MSG_TOO_LONG);
    }
    if (attachment !== undefined) {
      this.validateAttachment(attachment);
    }
    return {
      ...(typeof text === 'string' ? { text } : {}),
      ...(attachment === undefined ? {} : { attachment }),
    };
  }

  private validateAttachment(attachment: unknown): void {
    if (!isRecord(attachment) || typeof attachment.type !== 'string' || !isRecord(attachment.payload)) {
      throw new ApiError(-201, 'attachment is invalid');
    }
    const payload = attachment.payload;
    if (attachment.type === 'file') {
      if (typeof payload.token !== 'string' || !this.fileTokens.has(payload.token)) {
        throw new ApiError(-201, 'token is invalid');
      }
      return;
    }
    if (attachment.type !== 'template') {
      throw new ApiError(-201, 'attachment type is invalid');
    }
    if (typeof payload.template_type !== 'string') {
      throw new ApiError(-201, 'template_type is invalid');
    }
    if (payload.template_type !== 'media') {
      return;
    }
    const elements = payload.elements;
    if (!Array.isArray(elements) || elements.length === 0) {
      throw new ApiError(-201, 'elements is invalid');
    }
    for (const element of elements) {
      if (!isRecord(element) || typeof element.media_type !== 'string') {
        throw new ApiError(-201, 'media_type is invalid');
      }
      if (typeof element.attachment_id === 'string') {
        if (!this.imageIds.has(element.attachment_id)) {
          throw new ApiError(-201, 'attachment_id is invalid');
        }
      } else if (typeof element.url !== 'string' || !/^https?:\/\//i.test(element.url)) {
        throw new ApiError(-201, 'url is invalid');
      }
    }
  }

  private sendCs(request: ParsedRequest): Json {
    this.requireAccessToken(request);
    const body = this.requireJson(request);
    const recipient = body.recipient;
    const userId = isRecord(recipient) ? recipient.user_id : undefined;
    if (typeof userId !== 'string' || !/^\d+$/.test(userId)) {
      throw new ApiError(-201, 'user_id is invalid');
    }
    const content = this.readMessage(body);
    const last = this.users.get(userId)?.lastInteraction;
    if (last === undefined || Date.now() - last > WINDOW_MS) {
      throw new ApiError(-230, MSG_WINDOW);
    }
    const messageId = randomHex(16);
    this.recordSent({ userId, ...content, body, messageId });
    return {
      error: 0,
      message: 'Success',
      data: {
        message_id: messageId,
        user_id: userId,
        sent_time: String(Date.now()),
        quota: { quota_type: 'reply', remain: '8', total: '8' },
      },
    };
  }

  private sendZns(request: ParsedRequest): Json {
    const accessToken = request.headers.access_token;
    const state = accessToken === undefined ? undefined : this.accessTokens.get(accessToken);
    if (state === undefined || state.state !== 'live' || Date.now() >= state.expiresAt) {
      throw new ApiError(-124, 'Access token is invalid');
    }
    const body = this.requireJson(request);
    const { phone, template_id: templateId, template_data: data, tracking_id: trackingId } = body;
    if (typeof phone !== 'string' || !/^84\d{9,10}$/.test(phone)) {
      throw new ApiError(-108, 'Phone number is invalid');
    }
    if (typeof templateId !== 'string' || !/^\d+$/.test(templateId)) {
      throw new ApiError(-109, 'Template id is invalid');
    }
    if (!isRecord(data) || Object.values(data).some((v) => typeof v !== 'string' || v === '')) {
      throw new ApiError(-112, 'Template data is invalid');
    }
    if (typeof trackingId !== 'string' || trackingId === '' || trackingId.length > 48) {
      throw new ApiError(-201, 'tracking_id is invalid');
    }
    const params = this.znsTemplates.get(templateId);
    if (this.znsTemplates.size > 0 && params === undefined) {
      throw new ApiError(-109, 'Template id is invalid');
    }
    if (params !== undefined) {
      const given = Object.keys(data);
      if (given.length !== params.length || params.some((name) => !given.includes(name))) {
        throw new ApiError(-132, 'Param is invalid');
      }
    }
    if (this.znsQuotaLeft !== undefined && this.znsQuotaLeft <= 0) {
      throw new ApiError(-144, 'OA has exceeded the daily quota of ZNS messages');
    }
    if (this.znsQuotaLeft !== undefined) {
      this.znsQuotaLeft -= 1;
    }
    const msgId = randomHex(16);
    this.znsSends.push({
      phone,
      templateId,
      templateData: data as Record<string, string>,
      trackingId,
      msgId,
      body,
    });
    return {
      error: 0,
      message: 'Success',
      data: {
        msg_id: msgId,
        sent_time: String(Date.now()),
        quota: { dailyQuota: '500', remainingQuota: String(this.znsQuotaLeft ?? 500 - this.znsSends.length) },
      },
    };
  }

  private sendGroup(request: ParsedRequest): Json {
    this.requireAccessToken(request);
    const body = this.requireJson(request);
    const recipient = body.recipient;
    const groupId = isRecord(recipient) ? recipient.group_id : undefined;
    if (typeof groupId !== 'string' || groupId.trim() === '') {
      throw new ApiError(-201, 'group_id is invalid');
    }
    const content = this.readMessage(body);
    const messageId = randomHex(16);
    this.groupMessages.push({ groupId, ...content, body, messageId });
    return { error: 0, message: 'Success', data: { message_id: messageId, group_id: groupId } };
  }

  private upload(kind: 'image' | 'file', request: ParsedRequest): Json {
    this.requireAccessToken(request);
    if (!request.contentType.toLowerCase().startsWith('multipart/form-data') || !isMultipart(request.body)) {
      throw new ApiError(-201, 'Content-Type must be multipart/form-data');
    }
    const file = request.body.files.find((candidate) => candidate.field === 'file');
    if (file === undefined) {
      throw new ApiError(-201, 'file is invalid');
    }
    const extension = extensionOf(file.filename);
    const allowed = kind === 'image' ? IMAGE_EXTENSIONS : FILE_EXTENSIONS;
    if (!allowed.has(extension)) {
      throw new ApiError(-201, 'file type is invalid');
    }
    if (file.size === 0) {
      throw new ApiError(-201, 'file is empty');
    }
    if (file.size > (kind === 'image' ? MAX_IMAGE_BYTES : MAX_FILE_BYTES)) {
      throw new ApiError(-210, MSG_TOO_LONG);
    }
    const id = randomToken(kind === 'image' ? 48 : 64);
    this.uploads.push({ kind, filename: file.filename, size: file.size, id });
    if (kind === 'image') {
      this.imageIds.add(id);
      return { error: 0, message: 'Success', data: { attachment_id: id } };
    }
    this.fileTokens.add(id);
    return { error: 0, message: 'Success', data: { token: id } };
  }

  private userDetail(request: ParsedRequest): Json {
    this.requireAccessToken(request);
    let data: unknown;
    try {
      data = JSON.parse(request.query.get('data') ?? '');
    } catch {
      throw new ApiError(-201, 'data is invalid');
    }
    const userId = isRecord(data) ? data.user_id : undefined;
    const user = typeof userId === 'string' ? this.users.get(userId) : undefined;
    if (typeof userId !== 'string' || user === undefined) {
      throw new ApiError(-201, 'user_id is invalid');
    }
    const avatar = user.profile.avatar ?? `https://s120-ava-talk.zadn.vn/emu/${userId}.jpg`;
    return {
      error: 0,
      message: 'Success',
      data: {
        user_id: userId,
        user_id_by_app: this.userIdByApp(userId),
        user_external_id: '',
        display_name: user.profile.displayName ?? `Người dùng ${userId.slice(-4)}`,
        user_alias: '',
        is_sensitive: false,
        user_last_interaction_date:
          user.lastInteraction === undefined ? '' : formatVietnamDate(user.lastInteraction),
        user_is_follower: user.profile.isFollower ?? false,
        avatar,
        avatars: { '120': avatar, '240': avatar.replace('s120', 's240') },
        tags_and_notes_info: { notes: [], tag_names: [] },
        shared_info: { ...user.profile.sharedInfo },
      },
    };
  }

  // ---------------------------------------------------------------- internals

  private user(userId: string): UserState {
    let user = this.users.get(userId);
    if (user === undefined) {
      user = { lastInteraction: undefined, profile: {} };
      this.users.set(userId, user);
    }
    return user;
  }

  private interact(userId: string): void {
    this.user(userId).lastInteraction = Date.now();
  }

  private timestamp(given: number | undefined): string {
    return String(given ?? Date.now());
  }

  private recordSent(message: ZaloSentMessage): void {
    this.sent.push(message);
    for (const waiter of this.waiters) {
      if (waiter.userId !== message.userId) {
        continue;
      }
      const messages = this.messagesTo(waiter.userId);
      if (messages.length >= waiter.count) {
        this.waiters.delete(waiter);
        clearTimeout(waiter.timer);
        waiter.resolve(messages);
      }
    }
  }

  private describeTimeout(userId: string, count: number, timeoutMs: number): string {
    const toUser = this.messagesTo(userId);
    const others = new Map<string, number>();
    for (const message of this.sent) {
      if (message.userId !== userId) {
        others.set(message.userId, (others.get(message.userId) ?? 0) + 1);
      }
    }
    const otherSummary =
      others.size === 0 ? 'none' : [...others].map(([id, n]) => `user ${id}: ${n}`).join(', ');
    const recentCalls = this.calls
      .slice(-10)
      .map((call) => `  ${call.method} ${call.path} ${JSON.stringify(call.body ?? null).slice(0, 200)}`)
      .join('\n');
    return [
      `Zalo emulator: timed out after ${timeoutMs} ms waiting for ${count} message(s) to user ${userId}; got ${toUser.length}:`,
      describeSent(toUser),
      `Messages to other users: ${otherSummary}`,
      `Group messages: ${this.groupMessages.length}`,
      'Last API calls:',
      recentCalls === '' ? '  (none)' : recentCalls,
    ].join('\n');
  }
}

export async function startZaloEmulator(opts: ZaloEmulatorOptions = {}): Promise<ZaloEmulator> {
  const emulator = new Emulator(opts);
  await emulator.listen();
  return emulator;
}

/**
 * The bot's Zalo variables for this emulator, with a fresh refresh token as an admin copies it from
 * the developer console (the ZNS endpoint included: it is used only with a template configured).
 */
export function zaloAppEnv(zalo: ZaloEmulator): Record<string, string> {
  return {
    ZALO_APP_ID: zalo.appId,
    ZALO_APP_SECRET: zalo.appSecret,
    ZALO_OA_SECRET_KEY: zalo.oaSecretKey,
    ZALO_REFRESH_TOKEN: zalo.issueTokens().refreshToken,
    ZALO_API_BASE: zalo.apiBase,
    ZALO_OAUTH_BASE: zalo.oauthBase,
    ZALO_ZNS_URL: zalo.znsUrl,
  };
}
