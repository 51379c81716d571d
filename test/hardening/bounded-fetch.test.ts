/**
 * Bounded work on hostile URLs and slow clients (issue 13 §7).
 *
 * - The photo archiver, through the real app (MEDIA_DIR, ZALO_MEDIA_HOSTS = one local "CDN"
 *   server): household events whose Zalo photo URL points to another local server, redirects
 *   there, streams a 400 MB "photo", is a JSON page (like /healthz) or stalls, are refused with a
 *   recorded reason that holds no URL; no file is left; only a real image is copied. The size cap
 *   (1 MiB here) stops the 400 MB download after a few MB; a timeout is retried later, a refusal
 *   is final.
 * - The HTTP server closes a connection whose body trickles in past HTTP_REQUEST_TIMEOUT_SECONDS.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../bot/app.ts';
import { startApp, tempDatabase } from '../support/app-harness.ts';
import { EMULATED_JPEG_HEAD } from '../support/bot-api-emulator.ts';

interface TestServer {
  port: number;
  requests: string[];
  /** Bytes of body written per path (the 400 MB stream stops when the client goes). */
  written: Map<string, number>;
  closed: Map<string, Promise<void>>;
  close(): Promise<void>;
}

const HUGE = 400 * 1024 * 1024;

async function startServer(route: (url: string, res: http.ServerResponse, server: TestServer) => void) {
  const server: TestServer = {
    port: 0,
    requests: [],
    written: new Map(),
    closed: new Map(),
    close: async () => undefined,
  };
  const sockets = new Set<net.Socket>();
  const httpServer = http.createServer((req, res) => {
    const url = req.url ?? '/';
    server.requests.push(url);
    server.closed.set(url, new Promise((resolve) => res.once('close', () => resolve())));
    route(url, res, server);
  });
  httpServer.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const address = httpServer.address();
  server.port = typeof address === 'object' && address ? address.port : 0;
  server.close = () =>
    new Promise((resolve) => {
      for (const socket of sockets) {
        socket.destroy();
      }
      httpServer.close(() => resolve());
    });
  return server;
}

/** Writes `total` bytes of a "JPEG" as fast as the client takes them, counting what went out. */
function streamHuge(url: string, res: http.ServerResponse, server: TestServer): void {
  res.writeHead(200, { 'content-type': 'image/jpeg' });
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  EMULATED_JPEG_HEAD.copy(chunk);
  let sent = 0;
  const pump = (): void => {
    while (sent < HUGE && !res.destroyed) {
      sent += chunk.length;
      server.written.set(url, sent);
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
}

let db: ReturnType<typeof tempDatabase>;
let app: App | undefined;
const servers: TestServer[] = [];

beforeEach(() => {
  db = tempDatabase();
});

afterEach(async () => {
  await app?.stop();
  app = undefined;
  for (const server of servers.splice(0)) {
    await server.close();
  }
  await db.cleanup();
});

interface StoredPhoto {
  channel: string;
  fileId: string;
  localPath?: string;
  archiveAttempts?: number;
  archiveError?: string;
}

describe('photo archiver', () => {
  it('fetches only images from the channel hosts, within the size cap and the timeout', async () => {
    const other = await startServer((_url, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end(EMULATED_JPEG_HEAD);
    });
    servers.push(other);
    const photo = Buffer.concat([EMULATED_JPEG_HEAD, Buffer.from('a real photo')]);
    const cdn = await startServer((url, res, server) => {
      if (url === '/ok.jpg') {
        res.writeHead(200, { 'content-type': 'image/jpeg' }).end(photo);
      } else if (url === '/redirect.jpg') {
        res.writeHead(302, { location: `http://127.0.0.1:${other.port}/inside.jpg` }).end();
      } else if (url === '/huge.jpg') {
        streamHuge(url, res, server);
      } else if (url === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      } else if (url === '/stall.jpg') {
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        res.write(EMULATED_JPEG_HEAD);
      }
    });
    servers.push(cdn);
    const mediaDir = path.join(db.dir, 'media');
    app = await startApp({
      DATABASE_URL: db.url,
      MEDIA_DIR: mediaDir,
      ZALO_MEDIA_HOSTS: `photo-stal-1.zdn.vn, 127.0.0.1:${cdn.port}`,
      MEDIA_MAX_BYTES: String(1024 * 1024),
      MEDIA_FETCH_TIMEOUT_SECONDS: '1',
    });
    const target = app;
    const household = await target.prisma.household.findFirstOrThrow();
    const urls = {
      ok: `http://127.0.0.1:${cdn.port}/ok.jpg`,
      otherHost: `http://127.0.0.1:${other.port}/photo.jpg?token=secret-token-123`,
      redirect: `http://127.0.0.1:${cdn.port}/redirect.jpg`,
      huge: `http://127.0.0.1:${cdn.port}/huge.jpg`,
      healthz: `http://127.0.0.1:${cdn.port}/healthz`,
      stall: `http://127.0.0.1:${cdn.port}/stall.jpg`,
    };
    const ids: Record<string, number> = {};
    for (const [key, url] of Object.entries(urls)) {
      const event = await target.prisma.householdEvent.create({
        data: {
          householdId: household.id,
          kind: 'status',
          photos: JSON.stringify([{ channel: 'zalo', fileId: url }]),
          channel: 'zalo',
          at: new Date(),
        },
      });
      ids[key] = event.id;
    }
    // Any committed message wakes the archiver.
    await target.handleInbound({
      channel: 'playground',
      chatId: 'visitor',
      chatType: 'private',
      senderId: 'visitor',
      externalId: 'wake-archiver',
      kind: 'text',
      text: 'xin chào',
      receivedAt: new Date(),
    });

    const photoOf = async (key: string): Promise<StoredPhoto> => {
      const event = await target.prisma.householdEvent.findUniqueOrThrow({ where: { id: ids[key] ?? 0 } });
      return (JSON.parse(event.photos) as StoredPhoto[])[0] as StoredPhoto;
    };
    const settled = async (): Promise<boolean> => {
      for (const key of Object.keys(urls)) {
        const p = await photoOf(key);
        if (!p.localPath && !p.archiveError) {
          return false;
        }
      }
      return true;
    };
    const deadline = Date.now() + 30_000;
    while (!(await settled())) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const ok = await photoOf('ok');
    expect(ok.localPath).toBeDefined();
    expect(fs.readFileSync(path.join(mediaDir, ok.localPath ?? ''))).toEqual(photo);

    // Another host, directly or by redirect: refused for good, and never asked.
    expect(await photoOf('otherHost')).toMatchObject({
      archiveError: 'host not allowed: 127.0.0.1',
      archiveAttempts: 5,
    });
    expect(await photoOf('redirect')).toMatchObject({
      archiveError: 'host not allowed: 127.0.0.1',
      archiveAttempts: 5,
    });
    expect(other.requests).toEqual([]);

    // 400 MB: stopped at the cap; the server sent a few MB (socket buffers), not 400.
    expect(await photoOf('huge')).toMatchObject({
      archiveError: 'larger than 1048576 bytes',
      archiveAttempts: 5,
    });
    await cdn.closed.get('/huge.jpg');
    expect(cdn.written.get('/huge.jpg') ?? 0).toBeLessThan(32 * 1024 * 1024);

    // A JSON page is not an image.
    expect(await photoOf('healthz')).toMatchObject({
      archiveError: 'not an image (application/json)',
      archiveAttempts: 5,
    });

    // A stalled download times out and is tried again later.
    expect(await photoOf('stall')).toMatchObject({ archiveError: 'timed out', archiveAttempts: 1 });

    // No URL (nor its token) in any recorded reason; no file but the one photo, no part left.
    for (const key of Object.keys(urls)) {
      expect((await photoOf(key)).archiveError ?? '').not.toMatch(/http|token|127\.0\.0\.1:/);
    }
    const files = fs.readdirSync(path.join(mediaDir, 'zalo'));
    expect(files).toEqual([path.basename(ok.localPath ?? '')]);
  });
});

describe('HTTP server timeouts', () => {
  it('closes a connection whose body trickles in past the request timeout', async () => {
    app = await startApp({
      DATABASE_URL: db.url,
      HTTP_REQUEST_TIMEOUT_SECONDS: '0.5',
      HTTP_IDLE_TIMEOUT_SECONDS: '0.5',
    });
    const address = app.http.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let answer = '';
    socket.on('data', (data: Buffer) => {
      answer += data.toString();
    });
    const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
    socket.on('error', () => undefined);
    const started = Date.now();
    socket.write(
      `POST /api/playground/messages HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{`,
    );
    // One byte every 100 ms: the idle timeout never fires, only the whole-request one can.
    const trickle = setInterval(() => {
      if (!socket.destroyed) {
        socket.write(' ');
      }
    }, 100);
    const limit = new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), 10_000));
    const outcome = await Promise.race([closed, limit]);
    clearInterval(trickle);
    socket.destroy();
    expect(outcome).not.toBe('open');
    expect((outcome as number) - started).toBeLessThan(5_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });
});
