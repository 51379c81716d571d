import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { z } from 'zod';
import { isLocale, type Locale } from '../../core/messaging/catalog.ts';
import { BOARD_PAGE_CSP, boardMissingHtml, boardPageHtml } from './board-page.ts';
import type { BoardKey, BoardMissing, BoardService, BoardSnapshot } from './board-service.ts';

/** The board's paths: Vietnamese first, and an English alias. */
export const BOARD_PATHS = ['/bang-tin', '/board'] as const;

/** How often an idle event stream gets a comment line (proxies close silent connections). */
const HEARTBEAT_MS = 15_000;
/** How long a browser waits before reconnecting a dropped event stream. */
const RETRY_MS = 2_000;

const ZQuery = z.object({
  campaign: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/)
    .optional()
    .catch(undefined),
  lang: z.string().optional().catch(undefined),
});

function keyOf(request: FastifyRequest): BoardKey {
  const query = ZQuery.parse(request.query ?? {});
  const locale: Locale = query.lang !== undefined && isLocale(query.lang) ? query.lang : 'vi';
  return { code: query.campaign, locale };
}

function isMissing(s: BoardSnapshot | BoardMissing): s is BoardMissing {
  return 'missing' in s;
}

/**
 * The public live board (issue 17 §3), read-only and without login: the page, its data as JSON
 * (cached a second, with an ETag) and its server-sent events (the new data on each change, a
 * comment line as heartbeat). Nothing here reads the database: the board service does, once for
 * every viewer.
 */
export function registerBoard(http: FastifyInstance, service: BoardService): { close(): void } {
  const streams = new Set<ServerResponse>();
  const qrCache = new Map<string, Promise<string>>();
  const qrSvg = (url: string): Promise<string> => {
    let svg = qrCache.get(url);
    if (!svg) {
      svg = QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      qrCache.set(url, svg);
    }
    return svg;
  };

  const heartbeat = setInterval(() => {
    for (const stream of streams) {
      stream.write(': ping\n\n');
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  async function page(request: FastifyRequest, reply: FastifyReply) {
    const key = keyOf(request);
    const snapshot = await service.snapshot(key);
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', BOARD_PAGE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer');
    if (isMissing(snapshot)) {
      return reply
        .code(snapshot.missing === 'not_found' ? 404 : 200)
        .send(boardMissingHtml(key.locale, `board.${snapshot.missing}`));
    }
    const { telegram, zalo } = snapshot.data.links;
    return reply.send(
      boardPageHtml({
        locale: key.locale,
        data: snapshot.data,
        qr: {
          telegram: telegram === null ? undefined : await qrSvg(telegram),
          zalo: zalo === null ? undefined : await qrSvg(zalo),
        },
      }),
    );
  }

  async function data(request: FastifyRequest, reply: FastifyReply) {
    const snapshot = await service.snapshot(keyOf(request));
    reply.header('cache-control', 'public, max-age=1').header('x-content-type-options', 'nosniff');
    if (isMissing(snapshot)) {
      return reply.code(404).send({ error: snapshot.missing });
    }
    reply.header('etag', snapshot.etag);
    if (request.headers['if-none-match'] === snapshot.etag) {
      return reply.code(304).send();
    }
    return reply.type('application/json; charset=utf-8').send(snapshot.json);
  }

  async function events(request: FastifyRequest, reply: FastifyReply) {
    const key = keyOf(request);
    const snapshot = await service.snapshot(key);
    if (isMissing(snapshot)) {
      return reply.code(404).send({ error: snapshot.missing });
    }
    reply.hijack();
    const raw = reply.raw;
    // The stream stays open: the server's idle timeout is for requests, not for this.
    request.raw.socket.setTimeout(0);
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const send = (s: BoardSnapshot) => raw.write(`event: board\nid: ${s.etag}\ndata: ${s.json}\n\n`);
    raw.write(`retry: ${RETRY_MS}\n\n`);
    send(snapshot);
    streams.add(raw);
    const unsubscribe = service.subscribe(key, send);
    const close = () => {
      streams.delete(raw);
      unsubscribe();
    };
    request.raw.on('close', close);
    raw.on('error', close);
  }

  for (const path of BOARD_PATHS) {
    http.get(path, page);
    http.get(`${path}/data.json`, data);
    http.get(`${path}/events`, events);
  }
  return {
    close() {
      clearInterval(heartbeat);
      for (const stream of streams) {
        stream.end();
      }
      streams.clear();
    },
  };
}
