import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { MediaStore, PendingPhoto } from '../prisma/media-store.ts';
import { createDrainLoop } from './drain-loop.ts';
import type { Logger } from './logger.ts';

/**
 * Copies a photo a channel holds into `file` (written whole or not at all). Throws a
 * `PhotoRefused` when trying again cannot help (host not allowed, too large, not an image).
 */
export type PhotoFetcher = (fileId: string, file: string) => Promise<void>;

/** A photo that will never be archived: it is not retried. The message never holds the URL. */
export class PhotoRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PhotoRefused';
  }
}

export interface DownloadLimits {
  /** Hosts a download may reach, redirects included: "host", "host:port" or "*.domain". */
  allowedHosts: string[];
  maxBytes: number;
  /** The whole download; connecting gets at most 10 s of it. */
  timeoutMs: number;
}

/**
 * Keeps a local copy of every evidence photo under MEDIA_DIR: a channel's file ids and URLs do not
 * last for ever (Zalo's expire), the evidence must. Runs after each commit and every minute; a photo
 * that cannot be fetched is retried a few times and its error kept on the event.
 */
const BATCH = 20;

export function createMediaArchiver(deps: {
  store: MediaStore;
  dir: string;
  fetchers: Partial<Record<string, PhotoFetcher>>;
  log: Logger;
}) {
  async function archive(photo: PendingPhoto): Promise<void> {
    const fetcher = deps.fetchers[photo.channel];
    if (!fetcher) {
      await deps.store.failed(photo, `no downloader for channel ${photo.channel}`);
      return;
    }
    try {
      const name = createHash('sha256').update(`${photo.channel}:${photo.fileId}`).digest('hex').slice(0, 24);
      const relative = path.join(photo.channel, `${name}.jpg`);
      const file = path.join(deps.dir, relative);
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      await fetcher(photo.fileId, file);
      await deps.store.saved(photo, relative);
    } catch (error) {
      // Only our own messages are kept: an error from below could quote a URL (Telegram's holds
      // the bot token, Zalo's may hold a signature).
      const message = error instanceof PhotoRefused ? error.message : describeFailure(error);
      deps.log.warn({ eventId: photo.eventId, channel: photo.channel, error: message }, 'photo not archived');
      await deps.store.failed(photo, message, { final: error instanceof PhotoRefused });
    }
  }

  // Kicked after every commit: a pass looks only at events newer than the previous pass; every ten
  // minutes a pass starts from the beginning to retry photos that could not be fetched before.
  let watermark = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  const loop = createDrainLoop({
    drainOnce: async () => {
      const top = await deps.store.lastEventId();
      const batch = await deps.store.pending(BATCH, watermark);
      for (const photo of batch) {
        await archive(photo);
      }
      const more = batch.length === BATCH;
      watermark = more ? Math.max(watermark, ...batch.map((p) => p.eventId)) : top;
      return more;
    },
    pollMs: 60_000,
    log: deps.log,
    name: 'photo archiving',
  });
  return {
    kick: loop.kick,
    flush: loop.flush,
    start(): void {
      loop.start();
      retryTimer = setInterval(() => {
        watermark = 0;
        loop.kick();
      }, 10 * 60_000);
      retryTimer.unref();
    },
    async stop(): Promise<void> {
      if (retryTimer) {
        clearInterval(retryTimer);
      }
      await loop.stop();
    },
  };
}

/** An error as a short text without the URL it may carry: its code, or our own message. */
export function describeFailure(error: unknown): string {
  if (error instanceof DownloadError) {
    return error.message;
  }
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z_]+$/.test(code) ? `network error ${code}` : 'download failed';
}

/** A failed download that may succeed later (HTTP 5xx, timeout); the message holds no URL. */
class DownloadError extends Error {}

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'];
const MAX_REDIRECTS = 3;
const CONNECT_TIMEOUT_MS = 10_000;

/** Whether `url`'s host is one of `allowed` ("host", "host:port", "*.domain"). */
export function hostAllowed(url: URL, allowed: readonly string[]): boolean {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return false;
  }
  const host = url.hostname.toLowerCase();
  return allowed.some((entry) =>
    entry.startsWith('*.')
      ? host.endsWith(entry.slice(1)) && host.length > entry.length - 1
      : entry.includes(':')
        ? url.host.toLowerCase() === entry
        : host === entry,
  );
}

/** The image type the first bytes show (JPEG, PNG, GIF, WebP), if any. */
function sniffImage(head: Buffer): string | undefined {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) {
    return 'image/jpeg';
  }
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return 'image/png';
  }
  if (/^GIF8[79]a/.test(head.subarray(0, 6).toString('latin1'))) {
    return 'image/gif';
  }
  if (
    head.subarray(0, 4).toString('latin1') === 'RIFF' &&
    head.subarray(8, 12).toString('latin1') === 'WEBP'
  ) {
    return 'image/webp';
  }
  return undefined;
}

/**
 * Downloads an image into `file`, streaming: only from allowed hosts (a redirect is followed only
 * to an allowed host), at most `maxBytes` (the download stops there), only JPEG, PNG, WebP or GIF
 * (by its first bytes; a declared Content-Type must be an image or octet-stream), within
 * `timeoutMs` in all. The bytes go to `file.part`, renamed to `file` only when complete: a failure
 * or a crash never leaves a photo, whole or half, under the final name.
 */
export async function downloadImage(url: string, file: string, limits: DownloadLimits): Promise<void> {
  const deadline = AbortSignal.timeout(limits.timeoutMs);
  const response = await openDownload(url, limits, deadline, IMAGE_TYPES.join(', '));
  const type =
    String(response.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim()
      .toLowerCase() ?? '';
  if (type !== '' && type !== 'application/octet-stream' && !IMAGE_TYPES.includes(type)) {
    response.destroy();
    throw new PhotoRefused(`not an image (${type.slice(0, 40)})`);
  }
  await saveBody(response, file, limits.maxBytes, deadline);
}

/**
 * Downloads a file into memory (a bank statement sent to the bot), with the same limits as
 * `downloadImage` but any content: allowed hosts only, at most `maxBytes` (`PhotoRefused` beyond),
 * within `timeoutMs`.
 */
export async function downloadFile(url: string, limits: DownloadLimits): Promise<Buffer> {
  const deadline = AbortSignal.timeout(limits.timeoutMs);
  const response = await openDownload(url, limits, deadline, '*/*');
  const chunks: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > limits.maxBytes) {
        throw new PhotoRefused(`larger than ${limits.maxBytes} bytes`);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    response.destroy();
    throw deadline.aborted ? new DownloadError('timed out') : error;
  }
  if (!response.complete) {
    throw new DownloadError('connection closed early');
  }
  return Buffer.concat(chunks);
}

/**
 * One download's response, status 200: from allowed hosts only (redirects followed to allowed hosts,
 * at most three), refused when the declared length is above `maxBytes`; 4xx refused for good, other
 * failures worth trying again later.
 */
async function openDownload(
  url: string,
  limits: DownloadLimits,
  deadline: AbortSignal,
  accept: string,
): Promise<http.IncomingMessage> {
  let target = new URL(url);
  for (let hop = 0; ; hop++) {
    if (!hostAllowed(target, limits.allowedHosts)) {
      throw new PhotoRefused(`host not allowed: ${target.hostname}`);
    }
    const response = await request(target, deadline, limits.timeoutMs, accept);
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      if (hop >= MAX_REDIRECTS) {
        throw new PhotoRefused('too many redirects');
      }
      target = new URL(response.headers.location, target);
      continue;
    }
    if (status !== 200) {
      response.resume();
      if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
        throw new PhotoRefused(`HTTP ${status}`);
      }
      throw new DownloadError(`HTTP ${status}`);
    }
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      response.destroy();
      throw new PhotoRefused(`larger than ${limits.maxBytes} bytes`);
    }
    return response;
  }
}

/** One GET, resolved at the response headers; no redirect followed, connect and total timeouts. */
function request(
  url: URL,
  deadline: AbortSignal,
  timeoutMs: number,
  accept: string,
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.get(url, { signal: deadline, headers: { accept } }, resolve);
    const connectTimer = setTimeout(
      () => req.destroy(new DownloadError('connection timed out')),
      Math.min(CONNECT_TIMEOUT_MS, timeoutMs),
    );
    req.once('socket', (socket) => {
      if (!socket.connecting) {
        clearTimeout(connectTimer);
      }
      socket.once('connect', () => clearTimeout(connectTimer));
    });
    req.once('response', () => clearTimeout(connectTimer));
    req.once('error', (error) => {
      clearTimeout(connectTimer);
      reject(deadline.aborted ? new DownloadError('timed out') : error);
    });
  });
}

/** Streams the body to `file.part` (0600) and renames it to `file`; removes the part on any failure. */
async function saveBody(
  body: http.IncomingMessage,
  file: string,
  maxBytes: number,
  deadline: AbortSignal,
): Promise<void> {
  const partial = `${file}.part`;
  const out = fs.createWriteStream(partial, { mode: 0o600 });
  let received = 0;
  let head = Buffer.alloc(0);
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (error: Error): void => {
        body.destroy();
        reject(error);
      };
      const onAbort = (): void => fail(new DownloadError('timed out'));
      deadline.addEventListener('abort', onAbort, { once: true });
      body.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBytes) {
          fail(new PhotoRefused(`larger than ${maxBytes} bytes`));
          return;
        }
        if (head.length < 12) {
          head = Buffer.concat([head, chunk]).subarray(0, 12);
          // Decided on the first bytes: a page or a file is not downloaded to the end.
          if (head.length === 12 && !sniffImage(head)) {
            fail(new PhotoRefused('not an image'));
            return;
          }
        }
        if (!out.write(chunk)) {
          body.pause();
          out.once('drain', () => body.resume());
        }
      });
      body.once('error', (error) => fail(deadline.aborted ? new DownloadError('timed out') : error));
      body.once('close', () => {
        if (!body.complete) {
          fail(
            deadline.aborted ? new DownloadError('timed out') : new DownloadError('connection closed early'),
          );
        }
      });
      body.once('end', () => {
        deadline.removeEventListener('abort', onAbort);
        if (!sniffImage(head)) {
          reject(new PhotoRefused('not an image'));
          return;
        }
        out.end((error?: Error | null) => (error ? reject(error) : resolve()));
      });
      out.once('error', fail);
    });
    await fs.promises.rename(partial, file);
  } catch (error) {
    if (!out.closed) {
      const closed = new Promise<void>((resolve) => out.once('close', () => resolve()));
      out.destroy();
      await closed;
    }
    await fs.promises.rm(partial, { force: true });
    throw error;
  }
}
