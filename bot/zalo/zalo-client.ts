import type { AxiosInstance, AxiosRequestConfig } from 'axios';
import { z } from 'zod';
import { type Clock, systemClock } from '../../core/shared/clock.ts';
import type { Logger } from '../logger.ts';
import { toZaloHttpError, ZaloApiError, ZaloHttpError } from './zalo-errors.ts';

const TIMEOUT_MS = 10_000;
const WINDOW_MS = 60_000;

/** Zalo ids exceed 2^53: they must stay strings. A number is accepted only to be turned back into one. */
const ZId = z.union([z.string().min(1), z.number()]).transform(String);
const ZEnvelope = z.object({
  error: z.number(),
  message: z.string().optional(),
  data: z.unknown().optional(),
});
const ZSent = z.object({ message_id: ZId });
const ZUploadedImage = z.object({ attachment_id: ZId });
/** Zalo's docs answer `data.token` for files; some integrations see `attachment_id` instead. */
const ZUploadedFile = z
  .object({ token: z.string().min(1).optional(), attachment_id: ZId.optional() })
  .transform((d) => d.token ?? d.attachment_id)
  .pipe(z.string().min(1));
/** ZNS answers `msg_id` (not `message_id`) and the OA's daily quota, numbers or strings. */
const ZQuotaNumber = z.union([z.number(), z.string().regex(/^\d+$/)]).transform(Number);
const ZTemplateSent = z.object({
  msg_id: ZId,
  quota: z
    .object({ dailyQuota: ZQuotaNumber.optional(), remainingQuota: ZQuotaNumber.optional() })
    .optional(),
});
const ZProfile = z.object({
  user_id: z.union([z.string(), z.number()]).optional(),
  display_name: z.string(),
  user_is_follower: z.boolean().optional(),
});

export type ZaloImage = { url: string } | { attachmentId: string };

export interface ZaloProfile {
  userId: string;
  displayName: string;
  isFollower: boolean;
}

/** What the client needs from the token manager (`createZaloTokens` provides it). */
export interface ZaloTokenSource {
  accessToken(): Promise<string>;
  refresh(rejected?: string): Promise<string>;
}

export interface ZaloClientDeps {
  /** baseURL = ZALO_API_BASE. */
  http: AxiosInstance;
  tokens: ZaloTokenSource;
  log: Logger;
  /** Zalo allows an app 4,000 OA API requests a minute and answers -32 beyond; default 4000. */
  requestsPerMinute?: number;
  clock?: Clock;
}

/** A ZNS template message to a phone number (reference/zalo-oa.md §4). */
export interface ZaloTemplateMessage {
  /** "84912345678". */
  phone: string;
  templateId: string;
  templateData: Record<string, string>;
  /** Ours, echoed in Zalo's delivery event: the outbox row. */
  trackingId: string;
  /** `development`: Zalo delivers only to the app's and OA's admins (testing a template). */
  mode?: 'development';
}

export interface ZaloTemplateSent {
  msgId: string;
  dailyQuota?: number;
  remainingQuota?: number;
}

export interface ZaloClient {
  sendText(userId: string, text: string): Promise<{ messageId: string }>;
  sendImage(userId: string, image: ZaloImage, caption?: string): Promise<{ messageId: string }>;
  sendFile(userId: string, fileToken: string): Promise<{ messageId: string }>;
  sendGroupText(groupId: string, text: string): Promise<{ messageId: string }>;
  uploadImage(data: Buffer, filename: string): Promise<{ attachmentId: string }>;
  uploadFile(data: Buffer, filename: string): Promise<{ token: string }>;
  getProfile(userId: string): Promise<ZaloProfile>;
  /** POSTs a ZNS template message to `url` (ZALO_ZNS_URL, on Zalo's business API host). */
  sendTemplate(url: string, message: ZaloTemplateMessage): Promise<ZaloTemplateSent>;
}

/**
 * The Zalo OA Open API over plain axios. Zalo says "no" with HTTP 200 and `error != 0`, so every
 * body is checked and turned into ZaloApiError; a refused access token is refreshed and the call
 * retried once; transport failures become ZaloHttpError. Tokens never reach a log line or message.
 */
export function createZaloClient(deps: ZaloClientDeps): ZaloClient {
  const { http, tokens, log } = deps;
  const limiter = createRateLimiter(deps.requestsPerMinute ?? 4000, deps.clock ?? systemClock);

  async function call<T>(
    endpoint: string,
    schema: z.ZodType<T>,
    request: Omit<AxiosRequestConfig, 'url' | 'headers'> & { headers?: Record<string, string> },
  ): Promise<T> {
    const first = await tokens.accessToken();
    try {
      return await attempt(endpoint, schema, request, first);
    } catch (error) {
      if (!(error instanceof ZaloApiError && error.isTokenError)) {
        throw error;
      }
      const second = await tokens.refresh(first);
      return attempt(endpoint, schema, request, second);
    }
  }

  async function attempt<T>(
    endpoint: string,
    schema: z.ZodType<T>,
    request: Omit<AxiosRequestConfig, 'url' | 'headers'> & { headers?: Record<string, string> },
    token: string,
  ): Promise<T> {
    await limiter.take();
    const started = performance.now();
    let status: number;
    let body: unknown;
    try {
      const response = await http.request<unknown>({
        ...request,
        url: endpoint,
        headers: { ...request.headers, access_token: token },
        timeout: TIMEOUT_MS,
        validateStatus: () => true,
      });
      status = response.status;
      body = response.data;
    } catch (error) {
      const failure = toZaloHttpError(endpoint, error);
      log.warn({ endpoint, ms: elapsed(started), err: failure }, 'Zalo request failed');
      throw failure;
    }
    const envelope = ZEnvelope.safeParse(body);
    if (status >= 500 || !envelope.success) {
      const what = status >= 500 ? `HTTP ${status}` : `HTTP ${status} without a Zalo response body`;
      log.warn({ endpoint, status, ms: elapsed(started) }, 'Zalo request failed');
      throw new ZaloHttpError(endpoint, what, { status });
    }
    const { error: code, message = '', data } = envelope.data;
    if (code !== 0) {
      const refusal = new ZaloApiError(endpoint, code, message);
      const fields = { endpoint, code, apiMessage: message, ms: elapsed(started) };
      if (refusal.isRateLimit) {
        log.warn(fields, 'Zalo rate limit reached');
      } else {
        log.info(fields, 'Zalo refused the request');
      }
      throw refusal;
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      log.warn({ endpoint, code, ms: elapsed(started) }, 'Zalo answered success with unexpected data');
      throw new ZaloHttpError(endpoint, 'success response with unexpected data', {
        status,
        cause: parsed.error,
      });
    }
    log.debug({ endpoint, code, ms: elapsed(started) }, 'Zalo request done');
    return parsed.data;
  }

  function sendToUser(userId: string, message: Record<string, unknown>): Promise<{ messageId: string }> {
    return call('/v3.0/oa/message/cs', ZSent, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      data: { recipient: { user_id: userId }, message },
    }).then((d) => ({ messageId: d.message_id }));
  }

  function upload<T>(endpoint: string, schema: z.ZodType<T>, data: Buffer, filename: string): Promise<T> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(data)], { type: mimeType(filename) }), filename);
    return call(endpoint, schema, { method: 'POST', data: form });
  }

  return {
    sendText(userId, text) {
      return sendToUser(userId, { text });
    },
    sendImage(userId, image, caption) {
      const element =
        'url' in image
          ? { media_type: 'image', url: image.url }
          : { media_type: 'image', attachment_id: image.attachmentId };
      return sendToUser(userId, {
        ...(caption === undefined ? {} : { text: caption }),
        attachment: { type: 'template', payload: { template_type: 'media', elements: [element] } },
      });
    },
    sendFile(userId, fileToken) {
      return sendToUser(userId, { attachment: { type: 'file', payload: { token: fileToken } } });
    },
    async sendGroupText(groupId, text) {
      const d = await call('/v3.0/oa/group/message', ZSent, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        data: { recipient: { group_id: groupId }, message: { text } },
      });
      return { messageId: d.message_id };
    },
    async uploadImage(data, filename) {
      const d = await upload('/v2.0/oa/upload/image', ZUploadedImage, data, filename);
      return { attachmentId: d.attachment_id };
    },
    async uploadFile(data, filename) {
      return { token: await upload('/v2.0/oa/upload/file', ZUploadedFile, data, filename) };
    },
    async sendTemplate(url, m) {
      const d = await call(url, ZTemplateSent, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        data: {
          phone: m.phone,
          template_id: m.templateId,
          template_data: m.templateData,
          tracking_id: m.trackingId,
          ...(m.mode ? { mode: m.mode } : {}),
        },
      });
      return {
        msgId: d.msg_id,
        ...(d.quota?.dailyQuota === undefined ? {} : { dailyQuota: d.quota.dailyQuota }),
        ...(d.quota?.remainingQuota === undefined ? {} : { remainingQuota: d.quota.remainingQuota }),
      };
    },
    async getProfile(userId) {
      const d = await call('/v3.0/oa/user/detail', ZProfile, {
        method: 'GET',
        params: { data: JSON.stringify({ user_id: userId }) },
      });
      return {
        // A numeric user_id has already lost digits in JSON.parse; the one we asked for has not.
        userId: typeof d.user_id === 'string' ? d.user_id : userId,
        displayName: d.display_name,
        isFollower: d.user_is_follower ?? false,
      };
    },
  };
}

/**
 * A sliding window over the last minute. Callers queue in order and wait for a slot rather than
 * fail, so a burst (a digest to every commune) is spread out instead of earning -32 from Zalo.
 */
function createRateLimiter(perMinute: number, clock: Clock): { take(): Promise<void> } {
  const stamps: number[] = [];
  let queue: Promise<void> = Promise.resolve();
  return {
    take() {
      const turn = queue.then(async () => {
        for (;;) {
          const now = clock.now().getTime();
          while (stamps.length > 0 && (stamps[0] ?? now) <= now - WINDOW_MS) {
            stamps.shift();
          }
          const oldest = stamps[0];
          if (stamps.length < perMinute || oldest === undefined) {
            stamps.push(now);
            return;
          }
          await sleep(oldest + WINDOW_MS - now);
        }
      });
      queue = turn;
      return turn;
    },
  };
}

/** Zalo checks the file type (images jpg/png, files pdf/doc/docx/csv), so the part says what it is. */
function mimeType(filename: string): string {
  const ext = filename.slice(filename.lastIndexOf('.') + 1).toLowerCase();
  return MIME_TYPES[ext] ?? 'application/octet-stream';
}

const MIME_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  csv: 'text/csv',
};

/** The global timer rather than node:timers/promises, so vitest's fake timers can drive the waits. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
