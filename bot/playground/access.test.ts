import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlaygroundGuard, describePlaygroundStart, isLoopbackHost } from './access.ts';

describe('the password lock-out', () => {
  let app: FastifyInstance;
  let base: string;
  let now = Date.parse('2026-01-01T00:00:00Z');

  beforeAll(async () => {
    app = Fastify({ logger: false });
    app.addHook(
      'onRequest',
      createPlaygroundGuard({ listenHost: '127.0.0.1', password: 'right-password', now: () => now }),
    );
    app.get('/', async () => 'ok');
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await app.close();
  });

  const get = async (password: string) => {
    const response = await fetch(base, {
      headers: { authorization: `Basic ${Buffer.from(`x:${password}`).toString('base64')}` },
    });
    await response.arrayBuffer();
    return response.status;
  };

  it('ends when its 15 minutes have passed', async () => {
    for (let i = 0; i < 10; i++) {
      expect(await get(`guess-${i}`)).toBe(401);
    }
    expect(await get('right-password')).toBe(429);
    now += 14 * 60_000;
    expect(await get('right-password')).toBe(429);
    now += 60_000;
    expect(await get('right-password')).toBe(200);
    // A success clears the count: nine more wrong tries do not lock.
    for (let i = 0; i < 9; i++) {
      expect(await get(`guess-${i}`)).toBe(401);
    }
    expect(await get('right-password')).toBe(200);
  });
});

describe('the start line', () => {
  it('tells loopback from the network', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('192.168.1.10')).toBe(false);
    expect(describePlaygroundStart('127.0.0.1', 'http://127.0.0.1:3000', false)).toMatchObject({
      url: 'http://localhost:3000/',
      reachableFrom: 'this computer',
    });
    expect(describePlaygroundStart('::', 'http://127.0.0.1:3000', true)).toMatchObject({
      line: 'Môi trường thử nghiệm truy cập được từ mạng tại [::]:3000 / Playground reachable from the network at [::]:3000 — cần mật khẩu / password required: http://localhost:3000/',
      reachableFrom: 'network',
    });
    expect(describePlaygroundStart('10.0.0.11', 'http://10.0.0.11:3000', true).line).toContain(
      'reachable from the network at 10.0.0.11:3000',
    );
  });
});
