import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadFile, PhotoRefused } from '../media-archiver.ts';

/**
 * A statement file fetched into memory (bot/statements/statement-worker.ts): any content, but only
 * from the channel's hosts and within the size cap, whether the server declares its length or
 * streams past it; a refusal (never worth a retry) is told from a passing failure.
 */

let server: http.Server;
let base: string;
const CAP = 64 * 1024;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    switch (req.url) {
      case '/statement.csv':
        res.writeHead(200, { 'content-type': 'text/csv' }).end('Ngày,Số tiền\n01/03/2025,1.000.000\n');
        return;
      case '/declared-huge':
        res.writeHead(200, { 'content-length': String(CAP * 10) }).end();
        return;
      case '/streamed-huge': {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(16 * 1024, 0x41);
        for (let i = 0; i < 10; i++) {
          res.write(chunk);
        }
        res.end();
        return;
      }
      case '/moved':
        res.writeHead(302, { location: '/statement.csv' }).end();
        return;
      case '/busy':
        res.writeHead(503).end();
        return;
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const limits = () => ({ allowedHosts: [new URL(base).host], maxBytes: CAP, timeoutMs: 5_000 });

describe('downloadFile', () => {
  it('returns the bytes of a file from an allowed host, redirects followed', async () => {
    expect((await downloadFile(`${base}/statement.csv`, limits())).toString('utf8')).toContain('1.000.000');
    expect((await downloadFile(`${base}/moved`, limits())).toString('utf8')).toContain('01/03/2025');
  });

  it('refuses for good: too large (declared or streamed), another host, not found', async () => {
    for (const url of [`${base}/declared-huge`, `${base}/streamed-huge`]) {
      await expect(downloadFile(url, limits())).rejects.toThrow(new PhotoRefused(`larger than ${CAP} bytes`));
    }
    await expect(
      downloadFile(`${base}/statement.csv`, { ...limits(), allowedHosts: ['example.org'] }),
    ).rejects.toBeInstanceOf(PhotoRefused);
    await expect(downloadFile(`${base}/gone`, limits())).rejects.toThrow(new PhotoRefused('HTTP 404'));
  });

  it('a busy server is a passing failure, tried again later', async () => {
    const failure = await downloadFile(`${base}/busy`, limits()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(PhotoRefused);
  });
});
