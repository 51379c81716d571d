import axios, { AxiosError, type InternalAxiosRequestConfig } from 'axios';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logger.ts';
import { createZaloClient, type ZaloTokenSource } from './zalo-client.ts';
import { ZaloApiError, ZaloHttpError } from './zalo-errors.ts';

type Canned = { status: number; body: unknown } | Error;

const ok = (data: unknown): Canned => ({ status: 200, body: { error: 0, message: 'Success', data } });
const refused = (error: number, message: string): Canned => ({ status: 200, body: { error, message } });
const SENT = ok({ message_id: 'msg-1', user_id: '42' });

/** An axios instance whose adapter answers from a script (then SENT) and records every request. */
function fakeZalo(script: Canned[] = []) {
  const requests: InternalAxiosRequestConfig[] = [];
  const http = axios.create({
    baseURL: 'https://openapi.zalo.me',
    adapter: async (config) => {
      requests.push(config);
      const next = script.shift() ?? SENT;
      if (next instanceof Error) {
        throw next;
      }
      return { data: next.body, status: next.status, statusText: 'OK', headers: {}, config };
    },
  });
  return { http, requests };
}

/** Hands out access-1, and access-2, access-3… after each refresh, recording the rejected token. */
function fakeTokens(): ZaloTokenSource & { rejected: Array<string | undefined> } {
  let current = 'access-1';
  const rejected: Array<string | undefined> = [];
  return {
    rejected,
    async accessToken() {
      return current;
    },
    async refresh(token) {
      rejected.push(token);
      current = `access-${rejected.length + 1}`;
      return current;
    },
  };
}

const log = createLogger({ level: 'silent', secrets: [] });

function setup(script: Canned[] = [], requestsPerMinute?: number) {
  const zalo = fakeZalo(script);
  const tokens = fakeTokens();
  const client = createZaloClient({ http: zalo.http, tokens, log, requestsPerMinute });
  return { client, tokens, requests: zalo.requests };
}

function only(requests: InternalAxiosRequestConfig[]): InternalAxiosRequestConfig {
  expect(requests).toHaveLength(1);
  const [request] = requests;
  if (!request) {
    throw new Error('no request');
  }
  return request;
}

function jsonBody(request: InternalAxiosRequestConfig): unknown {
  return JSON.parse(String(request.data));
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('Zalo client request shapes', () => {
  it('sends text to /v3.0/oa/message/cs with the access_token header', async () => {
    const { client, requests } = setup();
    await expect(client.sendText('7000000000000000001', 'Xin chào')).resolves.toEqual({ messageId: 'msg-1' });
    const request = only(requests);
    expect(request.method).toBe('post');
    expect(request.baseURL).toBe('https://openapi.zalo.me');
    expect(request.url).toBe('/v3.0/oa/message/cs');
    expect(request.headers.get('access_token')).toBe('access-1');
    expect(String(request.headers.get('Content-Type'))).toContain('application/json');
    expect(request.timeout).toBe(10_000);
    expect(jsonBody(request)).toEqual({
      recipient: { user_id: '7000000000000000001' },
      message: { text: 'Xin chào' },
    });
  });

  it('sends an image by URL with a caption, or by attachment id without one', async () => {
    const { client, requests } = setup();
    await client.sendImage('42', { url: 'https://example.org/a.jpg' }, 'Ảnh công trình');
    await client.sendImage('42', { attachmentId: 'att-9' });
    expect(requests.map(jsonBody)).toEqual([
      {
        recipient: { user_id: '42' },
        message: {
          text: 'Ảnh công trình',
          attachment: {
            type: 'template',
            payload: {
              template_type: 'media',
              elements: [{ media_type: 'image', url: 'https://example.org/a.jpg' }],
            },
          },
        },
      },
      {
        recipient: { user_id: '42' },
        message: {
          attachment: {
            type: 'template',
            payload: { template_type: 'media', elements: [{ media_type: 'image', attachment_id: 'att-9' }] },
          },
        },
      },
    ]);
    expect(requests.map((r) => r.url)).toEqual(['/v3.0/oa/message/cs', '/v3.0/oa/message/cs']);
  });

  it('sends a file by its upload token', async () => {
    const { client, requests } = setup();
    await client.sendFile('42', 'file-token-1');
    const request = only(requests);
    expect(request.url).toBe('/v3.0/oa/message/cs');
    expect(jsonBody(request)).toEqual({
      recipient: { user_id: '42' },
      message: { attachment: { type: 'file', payload: { token: 'file-token-1' } } },
    });
  });

  it('sends group text to /v3.0/oa/group/message', async () => {
    const { client, requests } = setup([ok({ message_id: 'g-msg', group_id: 'grp-1' })]);
    await expect(client.sendGroupText('grp-1', 'Họp lúc 8 giờ')).resolves.toEqual({ messageId: 'g-msg' });
    const request = only(requests);
    expect(request.method).toBe('post');
    expect(request.url).toBe('/v3.0/oa/group/message');
    expect(request.headers.get('access_token')).toBe('access-1');
    expect(jsonBody(request)).toEqual({
      recipient: { group_id: 'grp-1' },
      message: { text: 'Họp lúc 8 giờ' },
    });
  });

  it('uploads an image as multipart field `file` and returns its attachment id', async () => {
    const { client, requests } = setup([ok({ attachment_id: 'att-1' })]);
    await expect(client.uploadImage(Buffer.from('PNG bytes'), 'photo.png')).resolves.toEqual({
      attachmentId: 'att-1',
    });
    const request = only(requests);
    expect(request.method).toBe('post');
    expect(request.url).toBe('/v2.0/oa/upload/image');
    expect(request.headers.get('access_token')).toBe('access-1');
    expect(request.data).toBeInstanceOf(FormData);
    const file = (request.data as FormData).get('file');
    expect(file).toBeInstanceOf(File);
    if (!(file instanceof File)) {
      throw new Error('no file part');
    }
    expect(file.name).toBe('photo.png');
    expect(file.type).toBe('image/png');
    expect(await file.text()).toBe('PNG bytes');
  });

  it('uploads a file and reads data.token, falling back to data.attachment_id', async () => {
    const { client, requests } = setup([ok({ token: 'tok-1' }), ok({ attachment_id: 'att-2' })]);
    await expect(client.uploadFile(Buffer.from('%PDF'), 'bao-cao.pdf')).resolves.toEqual({ token: 'tok-1' });
    await expect(client.uploadFile(Buffer.from('%PDF'), 'bao-cao.pdf')).resolves.toEqual({ token: 'att-2' });
    expect(requests.map((r) => r.url)).toEqual(['/v2.0/oa/upload/file', '/v2.0/oa/upload/file']);
    const form = requests[0]?.data;
    const file = form instanceof FormData ? form.get('file') : null;
    expect(file instanceof File ? file.type : undefined).toBe('application/pdf');
  });

  it('reads a profile with GET /v3.0/oa/user/detail?data={"user_id":…}', async () => {
    const { client, requests } = setup([
      ok({ user_id: '1234567890123456789', display_name: 'Chị Lan', user_is_follower: true }),
    ]);
    await expect(client.getProfile('1234567890123456789')).resolves.toEqual({
      userId: '1234567890123456789',
      displayName: 'Chị Lan',
      isFollower: true,
    });
    const request = only(requests);
    expect(request.method).toBe('get');
    expect(request.headers.get('access_token')).toBe('access-1');
    const url = new URL(axios.getUri(request));
    expect(url.origin + url.pathname).toBe('https://openapi.zalo.me/v3.0/oa/user/detail');
    expect(url.searchParams.get('data')).toBe('{"user_id":"1234567890123456789"}');
  });

  it('keeps ids as strings', async () => {
    const { client } = setup([
      ok({ message_id: '1234567890123456789' }),
      ok({ attachment_id: '9876543210987654321' }),
    ]);
    const sent = await client.sendText('42', 'x');
    expect(sent.messageId).toBe('1234567890123456789');
    expect(typeof sent.messageId).toBe('string');
    await expect(client.uploadImage(Buffer.from('x'), 'a.jpg')).resolves.toEqual({
      attachmentId: '9876543210987654321',
    });
  });
});

describe('Zalo client errors', () => {
  it('turns an error body on HTTP 200 into ZaloApiError with the code', async () => {
    const { client, tokens, requests } = setup([refused(-201, 'user_id is invalid!')]);
    const error = await failure(client.sendText('42', 'x'));
    expect(error).toBeInstanceOf(ZaloApiError);
    expect(error).toMatchObject({
      code: -201,
      endpoint: '/v3.0/oa/message/cs',
      apiMessage: 'user_id is invalid!',
    });
    expect(error).toMatchObject({ isTokenError: false, isRateLimit: false, isRetryable: false });
    expect(tokens.rejected).toEqual([]);
    expect(requests).toHaveLength(1);
  });

  it('refreshes once with the rejected token on -216 and retries with the new one', async () => {
    const { client, tokens, requests } = setup([refused(-216, 'Access token is invalid'), SENT]);
    await expect(client.sendText('42', 'x')).resolves.toEqual({ messageId: 'msg-1' });
    expect(tokens.rejected).toEqual(['access-1']);
    expect(requests.map((r) => r.headers.get('access_token'))).toEqual(['access-1', 'access-2']);
    expect(requests.map(jsonBody)).toEqual([
      { recipient: { user_id: '42' }, message: { text: 'x' } },
      { recipient: { user_id: '42' }, message: { text: 'x' } },
    ]);
  });

  it('throws when the refreshed token is refused too', async () => {
    const { client, tokens, requests } = setup([
      refused(-216, 'Access token is invalid'),
      refused(-220, 'access_token is expired or removed'),
    ]);
    const error = await failure(client.getProfile('42'));
    expect(error).toBeInstanceOf(ZaloApiError);
    expect(error).toMatchObject({ code: -220, isTokenError: true });
    expect(tokens.rejected).toEqual(['access-1']);
    expect(requests).toHaveLength(2);
  });

  it('reports -32 as a rate limit without retrying', async () => {
    const { client, tokens, requests } = setup([refused(-32, 'Your application reached limit call api')]);
    const error = await failure(client.sendGroupText('grp', 'x'));
    expect(error).toBeInstanceOf(ZaloApiError);
    expect(error).toMatchObject({ code: -32, isRateLimit: true, isRetryable: true });
    expect(tokens.rejected).toEqual([]);
    expect(requests).toHaveLength(1);
  });

  it('turns a network error into ZaloHttpError without the token in message or cause', async () => {
    const { client } = setup([
      new AxiosError('connect ECONNREFUSED 203.0.113.5:443', 'ECONNREFUSED', {
        headers: new axios.AxiosHeaders({ access_token: 'access-1' }),
      }),
    ]);
    const error = await failure(client.sendText('42', 'x'));
    expect(error).toBeInstanceOf(ZaloHttpError);
    expect(error).toMatchObject({ endpoint: '/v3.0/oa/message/cs' });
    if (!(error instanceof ZaloHttpError)) {
      throw error;
    }
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain('access-1');
    expect(error.cause).toBeInstanceOf(Error);
    expect(error.cause).not.toHaveProperty('config');
  });

  it('turns a timeout, HTTP 5xx and a non-JSON body into ZaloHttpError', async () => {
    const { client } = setup([
      new AxiosError('timeout of 10000ms exceeded', 'ECONNABORTED'),
      { status: 502, body: '<html>Bad gateway</html>' },
      { status: 200, body: '<html>maintenance</html>' },
    ]);
    await expect(client.sendText('42', 'x')).rejects.toBeInstanceOf(ZaloHttpError);
    await expect(client.sendText('42', 'x')).rejects.toMatchObject({ name: 'ZaloHttpError', status: 502 });
    await expect(client.sendText('42', 'x')).rejects.toMatchObject({ name: 'ZaloHttpError', status: 200 });
  });

  it.each([
    [-216, { isTokenError: true, isRateLimit: false, isWindowError: false, isRetryable: false }],
    [401, { isTokenError: true, isRateLimit: false, isWindowError: false, isRetryable: false }],
    [-32, { isTokenError: false, isRateLimit: true, isWindowError: false, isRetryable: true }],
    [-100, { isTokenError: false, isRateLimit: false, isWindowError: false, isRetryable: true }],
    [-230, { isTokenError: false, isRateLimit: false, isWindowError: true, isRetryable: false }],
    [-213, { isTokenError: false, isRateLimit: false, isWindowError: true, isRetryable: false }],
    [-503, { isTokenError: false, isRateLimit: false, isWindowError: false, isRetryable: true }],
    [-201, { isTokenError: false, isRateLimit: false, isWindowError: false, isRetryable: false }],
  ])('classifies error %i', (code, expected) => {
    expect(new ZaloApiError('/x', code, 'm')).toMatchObject(expected);
  });
});

describe('Zalo client rate limiter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('delays the third call in a minute when limited to two', async () => {
    vi.useFakeTimers({ now: new Date('2025-03-10T03:00:00Z') });
    const { client, requests } = setup([], 2);
    const calls = Promise.all([
      client.sendText('1', 'a'),
      client.sendText('2', 'b'),
      client.sendText('3', 'c'),
    ]);
    await vi.advanceTimersByTimeAsync(0);
    expect(requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(requests).toHaveLength(3);
    await expect(calls).resolves.toHaveLength(3);
  });
});
