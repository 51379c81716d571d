import { createHash, timingSafeEqual } from 'node:crypto';
import os from 'node:os';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Who may use the playground (issue 13 §2). The playground lets anyone who reaches it act as any
 * demo person, admins included, so:
 *
 * - Host header: only the names the server is really reached by — loopback (`localhost`,
 *   `127.0.0.1`, `[::1]`, any port so an SSH tunnel or a mapped port still works), the configured
 *   HOST, every address of this computer when HOST is a wildcard, and PUBLIC_URL's host. A web page
 *   on another domain that re-resolves to 127.0.0.1 (DNS rebinding) sends its own name and gets 421.
 * - Password (`PLAYGROUND_PASSWORD`, HTTP Basic; the user name is not checked): compared in
 *   constant time; after `maxFailures` wrong passwords from one address in `windowMs` that address
 *   gets 429 until the window has passed (the right password included).
 * - State-changing requests from a browser must come from the playground's own page: an `Origin`
 *   of another host, or `Sec-Fetch-Site: cross-site`/`same-site`, gets 403.
 *
 * Only the playground's routes go through this (it is a hook of their scope): the webhooks and
 * `/healthz` answer as before.
 */
export interface PlaygroundAccess {
  /** The HOST the server listens on. */
  listenHost: string;
  /** PUBLIC_URL, when set: its host name is accepted too (a reverse proxy that keeps Host). */
  publicUrl?: string;
  /** PLAYGROUND_PASSWORD; undefined = no password (loopback only, enforced by bot/config.ts). */
  password?: string;
  /** Wrong passwords allowed from one address per window. Default 10. */
  maxFailures?: number;
  /** Default 15 minutes. */
  windowMs?: number;
  now?: () => number;
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

/** The host name without brackets, lowercased: `[::1]` → `::1`. */
function bare(hostname: string): string {
  return hostname
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
}

/** True for names only this computer can reach: localhost, 127.0.0.0/8, ::1. */
export function isLoopbackHost(host: string): boolean {
  const h = bare(host);
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** The host names (bare, lowercase) the playground answers to. */
export function allowedHostnames(listenHost: string, publicUrl?: string): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '::1']);
  const listen = bare(listenHost);
  if (WILDCARD_HOSTS.has(listen)) {
    // Listening on every interface: any address of this computer is a legitimate name for it.
    for (const addresses of Object.values(os.networkInterfaces())) {
      for (const address of addresses ?? []) {
        names.add(bare(address.address));
      }
    }
    names.add(os.hostname().toLowerCase());
  } else {
    names.add(listen);
  }
  if (publicUrl) {
    names.add(bare(new URL(publicUrl).hostname));
  }
  return names;
}

/** `host[:port]` as URL parses it (lowercase, default port dropped), or undefined if it is not one. */
function parseHost(value: string | undefined): URL | undefined {
  if (!value || /[/?#@\s\\]/.test(value)) {
    return undefined;
  }
  try {
    return new URL(`http://${value}`);
  } catch {
    return undefined;
  }
}

const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** The password of an `Authorization: Basic …` header, or undefined. */
function basicPassword(header: string | undefined): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) {
    return undefined;
  }
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

const MESSAGES = {
  misdirected:
    'Địa chỉ truy cập không hợp lệ: chỉ mở được môi trường thử nghiệm bằng đúng địa chỉ của máy chủ (ví dụ http://localhost:3000). / Misdirected request: the playground answers only at its own address.',
  password:
    'Cần mật khẩu của môi trường thử nghiệm (PLAYGROUND_PASSWORD). / The playground password is required.',
  crossOrigin: 'Yêu cầu gửi từ trang web khác bị từ chối. / Refused: the request comes from another site.',
  tooMany: (minutes: number) =>
    `Nhập sai mật khẩu quá nhiều lần, anh/chị vui lòng thử lại sau ${minutes} phút. / Too many wrong passwords; try again in ${minutes} min.`,
};

function refuse(request: FastifyRequest, reply: FastifyReply, status: number, text: string): FastifyReply {
  reply.code(status).header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
  // The page reads JSON from the API; a person opening the page reads text.
  return request.url.startsWith('/api/')
    ? reply.send({ ok: false, error: text })
    : reply.type('text/plain; charset=utf-8').send(text);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The `onRequest` hook of the playground's routes. */
export function createPlaygroundGuard(access: PlaygroundAccess) {
  const hostnames = allowedHostnames(access.listenHost, access.publicUrl);
  const expected = access.password === undefined ? undefined : sha256(access.password);
  const maxFailures = access.maxFailures ?? 10;
  const windowMs = access.windowMs ?? 15 * 60_000;
  const now = access.now ?? Date.now;
  const failures = new Map<string, { count: number; since: number }>();

  function blockedFor(ip: string): number {
    const entry = failures.get(ip);
    if (!entry) {
      return 0;
    }
    const left = entry.since + windowMs - now();
    if (left <= 0) {
      failures.delete(ip);
      return 0;
    }
    return entry.count >= maxFailures ? left : 0;
  }

  function recordFailure(ip: string): void {
    if (failures.size >= 10_000) {
      // Many addresses at once: forget the ones whose window has passed (memory stays bounded).
      for (const [key, entry] of failures) {
        if (entry.since + windowMs <= now()) {
          failures.delete(key);
        }
      }
    }
    const entry = failures.get(ip);
    if (entry && entry.since + windowMs > now()) {
      entry.count += 1;
    } else {
      failures.set(ip, { count: 1, since: now() });
    }
  }

  return async function playgroundGuard(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const host = parseHost(request.headers.host);
    if (!host || !hostnames.has(bare(host.hostname))) {
      return refuse(request, reply, 421, MESSAGES.misdirected);
    }
    if (expected) {
      const waitMs = blockedFor(request.ip);
      if (waitMs > 0) {
        reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
        return refuse(request, reply, 429, MESSAGES.tooMany(Math.ceil(waitMs / 60_000)));
      }
      const given = basicPassword(request.headers.authorization);
      if (given === undefined || !timingSafeEqual(sha256(given), expected)) {
        if (given !== undefined) {
          // A browser's first request carries no credentials: only a wrong password counts.
          recordFailure(request.ip);
        }
        reply.header('www-authenticate', 'Basic realm="MTTQ playground", charset="UTF-8"');
        return refuse(request, reply, 401, MESSAGES.password);
      }
      failures.delete(request.ip);
    }
    if (!SAFE_METHODS.has(request.method)) {
      const origin = request.headers.origin;
      const site = request.headers['sec-fetch-site'];
      let sameOrigin = origin === undefined && site !== 'cross-site' && site !== 'same-site';
      if (origin !== undefined) {
        try {
          sameOrigin = new URL(origin).host === host.host;
        } catch {
          sameOrigin = false;
        }
      }
      if (!sameOrigin) {
        return refuse(request, reply, 403, MESSAGES.crossOrigin);
      }
    }
    return undefined;
  };
}

/** What `npm start` prints and logs about the playground: where it listens and who can reach it. */
export function describePlaygroundStart(
  listenHost: string,
  address: string,
  passwordSet: boolean,
): { line: string; url: string; reachableFrom: 'this computer' | 'network'; password: boolean } {
  const listening = new URL(address);
  const url = `${address.replace('127.0.0.1', 'localhost').replace(/\/$/, '')}/`;
  const password = passwordSet ? ' — cần mật khẩu / password required' : '';
  if (isLoopbackHost(listenHost)) {
    return {
      line: `Môi trường thử nghiệm trên máy này (không gửi tin nhắn thật; chỉ máy này truy cập được) / Local playground (no messages leave this computer; only this computer can reach it)${password}: ${url}`,
      url,
      reachableFrom: 'this computer',
      password: passwordSet,
    };
  }
  const where = `${listenHost.includes(':') ? `[${listenHost}]` : listenHost}:${listening.port}`;
  return {
    line: `Môi trường thử nghiệm truy cập được từ mạng tại ${where} / Playground reachable from the network at ${where}${password}: ${url}`,
    url,
    reachableFrom: 'network',
    password: passwordSet,
  };
}
