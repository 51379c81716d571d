import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AxiosResponse } from 'axios';
import axios from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ZaloEmulator } from './zalo-emulator.ts';
import { startZaloEmulator } from './zalo-emulator.ts';

const ALICE = '2468101214161820222';
const BOB = '1357911131517192123';
const DAY_MS = 24 * 60 * 60 * 1000;

let emulator: ZaloEmulator;

beforeEach(async () => {
  emulator = await startZaloEmulator();
});

afterEach(async () => {
  vi.useRealTimers();
  await emulator.close();
});

type Body = Record<string, unknown>;

function sendCs(message: Body, userId: unknown, accessToken?: string): Promise<AxiosResponse<Body>> {
  return axios.post<Body>(
    `${emulator.apiBase}/v3.0/oa/message/cs`,
    { recipient: { user_id: userId }, message },
    { headers: accessToken === undefined ? {} : { access_token: accessToken } },
  );
}

function refresh(
  refreshToken: string,
  overrides: { secret?: string; appId?: string; grantType?: string } = {},
): Promise<AxiosResponse<Body>> {
  const form = new URLSearchParams({
    refresh_token: refreshToken,
    app_id: overrides.appId ?? emulator.appId,
    grant_type: overrides.grantType ?? 'refresh_token',
  });
  return axios.post<Body>(`${emulator.oauthBase}/v4/oa/access_token`, form.toString(), {
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      secret_key: overrides.secret ?? emulator.appSecret,
    },
  });
}

function upload(kind: 'image' | 'file', filename: string, bytes: number, accessToken: string) {
  const form = new FormData();
  const type = kind === 'image' ? 'image/png' : 'application/pdf';
  form.append('file', new Blob([new Uint8Array(bytes).fill(7)], { type }), filename);
  return axios.post<Body>(`${emulator.apiBase}/v2.0/oa/upload/${kind}`, form, {
    headers: { access_token: accessToken },
  });
}

function userDetail(userId: string, accessToken: string): Promise<AxiosResponse<Body>> {
  return axios.get<Body>(`${emulator.apiBase}/v3.0/oa/user/detail`, {
    params: { data: JSON.stringify({ user_id: userId }) },
    headers: { access_token: accessToken },
  });
}

function dataOf(response: AxiosResponse<Body>): Body {
  const data = response.data.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new Error(`no data in ${JSON.stringify(response.data)}`);
  }
  return data as Body;
}

describe('CS messages', () => {
  it('sends a text with the issued token and records it', async () => {
    const { accessToken } = emulator.issueTokens();
    emulator.userSendText(ALICE, 'xin chào');
    const waiting = emulator.waitForMessages(ALICE, 1);
    const response = await sendCs({ text: 'Chào anh/chị!' }, ALICE, accessToken);
    expect(response.status).toBe(200);
    expect(response.data).toMatchObject({ error: 0, message: 'Success' });
    const data = dataOf(response);
    expect(data.message_id).toMatch(/^[0-9a-f]{32}$/);
    expect(data.user_id).toBe(ALICE);
    expect(data.sent_time).toMatch(/^\d{13}$/);
    expect(data.quota).toEqual({ quota_type: 'reply', remain: '8', total: '8' });
    expect(response.headers['x-ratelimit-limit']).toBe('4000');

    const sent = await waiting;
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ userId: ALICE, text: 'Chào anh/chị!', messageId: data.message_id });
    expect(emulator.messagesTo(BOB)).toEqual([]);
    const call = emulator.calls.at(-1);
    expect(call?.method).toBe('POST');
    expect(call?.path).toBe('/v3.0/oa/message/cs');
    expect(call?.headers.access_token).toBe(accessToken);
    expect(call?.headers['content-type']).toContain('application/json');
    expect(call?.body).toEqual({ recipient: { user_id: ALICE }, message: { text: 'Chào anh/chị!' } });
  });

  it('answers -216 without a token, with an unknown token and after expireAccessToken()', async () => {
    const { accessToken } = emulator.issueTokens();
    emulator.userSendText(ALICE, 'hi');
    const missing = await sendCs({ text: 'a' }, ALICE);
    expect(missing.status).toBe(200);
    expect(missing.data).toEqual({ error: -216, message: 'Access token is invalid' });
    expect((await sendCs({ text: 'a' }, ALICE, 'not-a-token')).data.error).toBe(-216);
    expect((await sendCs({ text: 'a' }, ALICE, accessToken)).data.error).toBe(0);
    emulator.expireAccessToken();
    expect((await sendCs({ text: 'a' }, ALICE, accessToken)).data.error).toBe(-216);
    expect(emulator.sent).toHaveLength(1);
  });

  it('answers -220 for an expired token (explicitly or after the TTL)', async () => {
    const first = emulator.issueTokens();
    emulator.userSendText(ALICE, 'hi');
    emulator.expireAccessToken('expired');
    expect((await sendCs({ text: 'a' }, ALICE, first.accessToken)).data).toEqual({
      error: -220,
      message: 'access_token is expired or removed',
    });

    const second = emulator.issueTokens();
    expect((await sendCs({ text: 'a' }, ALICE, second.accessToken)).data.error).toBe(0);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 90_000 * 1000 + 1);
    emulator.setLastInteraction(ALICE, new Date());
    expect((await sendCs({ text: 'a' }, ALICE, second.accessToken)).data.error).toBe(-220);
  });

  it('answers -210 above 2000 characters and accepts exactly 2000', async () => {
    const { accessToken } = emulator.issueTokens();
    emulator.follow(ALICE);
    expect((await sendCs({ text: 'x'.repeat(2001) }, ALICE, accessToken)).data).toEqual({
      error: -210,
      message: 'Parameter exceeds allowable limit',
    });
    expect((await sendCs({ text: 'ệ'.repeat(2000) }, ALICE, accessToken)).data.error).toBe(0);
  });

  it('answers -230 outside the 7-day window', async () => {
    const { accessToken } = emulator.issueTokens();
    const never = await sendCs({ text: 'a' }, BOB, accessToken);
    expect(never.data).toEqual({
      error: -230,
      message: 'User has not interacted with the OA in the past 7 days',
    });

    emulator.setLastInteraction(ALICE, new Date(Date.now() - 8 * DAY_MS));
    expect((await sendCs({ text: 'a' }, ALICE, accessToken)).data.error).toBe(-230);
    emulator.setLastInteraction(ALICE, new Date(Date.now() - 6 * DAY_MS));
    expect((await sendCs({ text: 'a' }, ALICE, accessToken)).data.error).toBe(0);

    emulator.unfollow(BOB);
    expect((await sendCs({ text: 'a' }, BOB, accessToken)).data.error).toBe(-230);
    emulator.userSendText(BOB, 'lại đây');
    expect((await sendCs({ text: 'a' }, BOB, accessToken)).data.error).toBe(0);
  });

  it('answers -201 for a bad user_id or an empty message', async () => {
    const { accessToken } = emulator.issueTokens();
    emulator.userSendText(ALICE, 'hi');
    expect((await sendCs({ text: 'a' }, 'abc', accessToken)).data).toEqual({
      error: -201,
      message: 'user_id is invalid',
    });
    expect((await sendCs({ text: 'a' }, Number(ALICE.slice(0, 10)), accessToken)).data.error).toBe(-201);
    expect((await sendCs({}, ALICE, accessToken)).data.error).toBe(-201);
    expect((await sendCs({ text: '' }, ALICE, accessToken)).data.error).toBe(-201);
    expect(emulator.sent).toEqual([]);
  });

  it('failNext answers the given error once, then normal service resumes', async () => {
    const { accessToken } = emulator.issueTokens();
    emulator.userSendText(ALICE, 'hi');
    const error = { error: -32, message: 'Your application reached limit call api' };
    emulator.failNext('/v3.0/oa/message/cs', 1, error, { delayMs: 150 });
    const started = Date.now();
    const failed = await sendCs({ text: 'a' }, ALICE, accessToken);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(failed.status).toBe(200);
    expect(failed.data).toEqual(error);
    expect((await sendCs({ text: 'a' }, ALICE, accessToken)).data.error).toBe(0);

    emulator.failNext('/v3.0/oa/message/cs', 1, { error: -500, message: 'Internal' }, { httpStatus: 502 });
    const bad = await axios.post(
      `${emulator.apiBase}/v3.0/oa/message/cs`,
      { recipient: { user_id: ALICE }, message: { text: 'a' } },
      { headers: { access_token: accessToken }, validateStatus: () => true },
    );
    expect(bad.status).toBe(502);
    expect(emulator.sent).toHaveLength(1);
    expect(emulator.calls.filter((call) => call.path === '/v3.0/oa/message/cs')).toHaveLength(3);
  });

  it('setDelay slows every response of a path', async () => {
    const { accessToken } = emulator.issueTokens();
    emulator.userSendText(ALICE, 'hi');
    emulator.setDelay('/v3.0/oa/message/cs', 120);
    const started = Date.now();
    expect((await sendCs({ text: 'a' }, ALICE, accessToken)).data.error).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    emulator.setDelay('/v3.0/oa/message/cs', 0);
  });

  it('delayNext slows the next calls only, and carries one out even when the caller gave up', async () => {
    const { accessToken } = emulator.issueTokens();
    emulator.userSendText(ALICE, 'hi');
    emulator.delayNext('/v3.0/oa/message/cs', 1, 150);
    const timedOut = await axios
      .post(
        `${emulator.apiBase}/v3.0/oa/message/cs`,
        { recipient: { user_id: ALICE }, message: { text: 'late' } },
        { headers: { access_token: accessToken }, timeout: 50 },
      )
      .then(
        () => 'answered',
        (error: { code?: string }) => error.code,
      );
    expect(timedOut).toBe('ECONNABORTED');
    expect(emulator.sent).toHaveLength(0);
    expect((await emulator.waitForMessages(ALICE, 1, 1_000))[0]?.text).toBe('late');
    const started = Date.now();
    expect((await sendCs({ text: 'on time' }, ALICE, accessToken)).data.error).toBe(0);
    expect(Date.now() - started).toBeLessThan(100);
  });

  it('waitForMessages rejects listing what was sent', async () => {
    const { accessToken } = emulator.issueTokens();
    emulator.userSendText(ALICE, 'hi');
    await sendCs({ text: 'only one' }, ALICE, accessToken);
    await expect(emulator.waitForMessages(ALICE, 2, 50)).rejects.toThrow(/got 1:[\s\S]*"only one"/);
  });

  it('sends to a group and records it', async () => {
    const { accessToken } = emulator.issueTokens();
    const response = await axios.post<Body>(
      `${emulator.apiBase}/v3.0/oa/group/message`,
      { recipient: { group_id: 'f414c8f76fa586fbdfb4' }, message: { text: 'Báo cáo tuần' } },
      { headers: { access_token: accessToken } },
    );
    expect(response.data.error).toBe(0);
    expect(dataOf(response).group_id).toBe('f414c8f76fa586fbdfb4');
    expect(emulator.groupMessages).toMatchObject([{ groupId: 'f414c8f76fa586fbdfb4', text: 'Báo cáo tuần' }]);
  });
});

describe('OAuth refresh', () => {
  it('rotates single-use refresh tokens and invalidates the replaced access token', async () => {
    const first = emulator.issueTokens();
    emulator.userSendText(ALICE, 'hi');
    const rotated = await refresh(first.refreshToken);
    expect(rotated.status).toBe(200);
    expect(rotated.data.expires_in).toBe('90000');
    const accessToken = rotated.data.access_token;
    const refreshToken = rotated.data.refresh_token;
    expect(typeof accessToken).toBe('string');
    expect(typeof refreshToken).toBe('string');
    expect(accessToken).not.toBe(first.accessToken);
    expect(refreshToken).not.toBe(first.refreshToken);

    const again = await refresh(first.refreshToken);
    expect(again.status).toBe(200);
    expect(again.data).toEqual({
      error: -14014,
      error_name: 'invalid_grant',
      message: 'Invalid refresh token',
    });

    expect((await sendCs({ text: 'a' }, ALICE, first.accessToken)).data.error).toBe(-216);
    expect((await sendCs({ text: 'a' }, ALICE, String(accessToken))).data.error).toBe(0);
    expect(emulator.refreshRequests.map((request) => [request.refreshToken, request.ok])).toEqual([
      [first.refreshToken, true],
      [first.refreshToken, false],
    ]);
    const call = emulator.calls.find((candidate) => candidate.path === '/v4/oa/access_token');
    expect(call?.headers.secret_key).toBe(emulator.appSecret);
    expect(call?.body).toEqual({
      refresh_token: first.refreshToken,
      app_id: emulator.appId,
      grant_type: 'refresh_token',
    });
  });

  it('rejects killed or unknown refresh tokens, a wrong secret and a wrong app id', async () => {
    const { refreshToken } = emulator.issueTokens();
    expect((await refresh(refreshToken, { secret: 'wrong' })).data).toEqual({
      error: -14002,
      error_name: 'invalid_client',
      message: 'Invalid secret key',
    });
    expect((await refresh(refreshToken, { appId: '999' })).data.error).toBe(-14002);
    expect((await refresh(refreshToken, { grantType: 'authorization_code' })).data.error).toBe(-14001);
    expect((await refresh('made-up')).data.error).toBe(-14014);
    emulator.killRefreshToken();
    expect((await refresh(refreshToken)).data.error).toBe(-14014);
    expect(emulator.refreshRequests.every((request) => !request.ok)).toBe(true);
    const fresh = emulator.issueTokens();
    expect((await refresh(fresh.refreshToken)).data.access_token).toEqual(expect.any(String));
  });

  it('lets only one of two concurrent refreshes with the same token win', async () => {
    const { refreshToken } = emulator.issueTokens();
    const answers = await Promise.all([refresh(refreshToken), refresh(refreshToken)]);
    expect(answers.map((answer) => answer.data.error ?? 0).sort()).toEqual([-14014, 0]);
  });

  it('failNext on the token endpoint does not consume the refresh token', async () => {
    const { refreshToken } = emulator.issueTokens();
    emulator.failNext('/v4/oa/access_token', 1, {
      error: -32,
      message: 'Your application reached limit call api',
    });
    expect((await refresh(refreshToken)).data.error).toBe(-32);
    expect((await refresh(refreshToken)).data.access_token).toEqual(expect.any(String));
  });

  it('honours accessTtlSeconds in expires_in', async () => {
    const short = await startZaloEmulator({ accessTtlSeconds: 3600, appId: '42', appSecret: 's3cr3t' });
    try {
      const { refreshToken } = short.issueTokens();
      const response = await axios.post<Body>(
        `${short.oauthBase}/v4/oa/access_token`,
        new URLSearchParams({ refresh_token: refreshToken, app_id: '42', grant_type: 'refresh_token' }),
        { headers: { secret_key: 's3cr3t' } },
      );
      expect(response.data.expires_in).toBe('3600');
    } finally {
      await short.close();
    }
  });
});

describe('uploads', () => {
  it('uploads an image and a file via multipart and accepts them as attachments', async () => {
    const { accessToken } = emulator.issueTokens();
    emulator.userSendText(ALICE, 'hi');
    const image = await upload('image', 'bieu-do.png', 2048, accessToken);
    expect(image.data.error).toBe(0);
    const attachmentId = dataOf(image).attachment_id;
    expect(typeof attachmentId).toBe('string');
    const file = await upload('file', 'bao-cao-thang.pdf', 4096, accessToken);
    expect(file.data.error).toBe(0);
    const token = dataOf(file).token;
    expect(typeof token).toBe('string');
    expect(emulator.uploads).toEqual([
      { kind: 'image', filename: 'bieu-do.png', size: 2048, id: attachmentId },
      { kind: 'file', filename: 'bao-cao-thang.pdf', size: 4096, id: token },
    ]);

    const imageAttachment = {
      type: 'template',
      payload: { template_type: 'media', elements: [{ media_type: 'image', attachment_id: attachmentId }] },
    };
    expect(
      (await sendCs({ text: 'Biểu đồ', attachment: imageAttachment }, ALICE, accessToken)).data.error,
    ).toBe(0);
    const fileAttachment = { type: 'file', payload: { token } };
    expect((await sendCs({ attachment: fileAttachment }, ALICE, accessToken)).data.error).toBe(0);
    expect(emulator.messagesTo(ALICE).map((message) => message.attachment)).toEqual([
      imageAttachment,
      fileAttachment,
    ]);
    const unknown = { type: 'file', payload: { token: 'nope' } };
    expect((await sendCs({ attachment: unknown }, ALICE, accessToken)).data.error).toBe(-201);
  });

  it('enforces size limits, file types and the token', async () => {
    const { accessToken } = emulator.issueTokens();
    expect((await upload('image', 'big.png', 1024 * 1024 + 1, accessToken)).data.error).toBe(-210);
    expect((await upload('image', 'ok.jpg', 1024 * 1024, accessToken)).data.error).toBe(0);
    expect((await upload('file', 'big.pdf', 5 * 1024 * 1024 + 1, accessToken)).data.error).toBe(-210);
    expect((await upload('file', 'virus.exe', 10, accessToken)).data.error).toBe(-201);
    expect((await upload('file', 'bang.docx', 10, accessToken)).data.error).toBe(0);
    expect((await upload('file', 'so-lieu.csv', 10, 'bad-token')).data.error).toBe(-216);
    expect(emulator.uploads.map((entry) => entry.filename)).toEqual(['ok.jpg', 'bang.docx']);
  });
});

describe('user detail', () => {
  it('answers the profile of a known user and -201 for an unknown one', async () => {
    const { accessToken } = emulator.issueTokens();
    emulator.follow(ALICE);
    emulator.userSubmitInfo(ALICE, { name: 'Nguyễn Văn A', phone: '0912345678' });
    emulator.setUserProfile(ALICE, { displayName: 'Anh A' });
    const response = await userDetail(ALICE, accessToken);
    expect(response.data.error).toBe(0);
    const data = dataOf(response);
    expect(data).toMatchObject({
      user_id: ALICE,
      user_id_by_app: emulator.userIdByApp(ALICE),
      display_name: 'Anh A',
      user_is_follower: true,
      shared_info: { name: 'Nguyễn Văn A', phone: '0912345678' },
    });
    expect(data.user_last_interaction_date).toMatch(/^\d{2}\/\d{2}\/\d{4}$/);
    expect(typeof data.avatar).toBe('string');

    expect((await userDetail(BOB, accessToken)).data.error).toBe(-201);
    expect((await userDetail(ALICE, 'bad')).data.error).toBe(-216);
  });
});

describe('webhook events and signatures', () => {
  it('signs like Zalo: mac= + sha256(appId + body + timestamp + oaSecretKey)', () => {
    const event = emulator.userSendText(ALICE, 'Báo cáo tháng 5', {
      msgId: 'abc123',
      timestamp: 1_700_000_000_000,
    });
    const { body, headers } = emulator.sign(event);
    expect(body).toBe(JSON.stringify(event));
    const expected = createHash('sha256')
      .update(`${emulator.appId}${body}1700000000000${emulator.oaSecretKey}`)
      .digest('hex');
    expect(headers['X-ZEvent-Signature']).toBe(`mac=${expected}`);
    expect(headers['Content-Type']).toBe('application/json');

    expect(emulator.sign(event, { prefix: false }).headers['X-ZEvent-Signature']).toBe(expected);
    expect(emulator.sign(event, { secret: 'wrong' }).headers['X-ZEvent-Signature']).not.toBe(
      `mac=${expected}`,
    );
    expect(emulator.sign(event, { appId: emulator.oaId }).headers['X-ZEvent-Signature']).toBe(
      `mac=${createHash('sha256').update(`${emulator.oaId}${body}1700000000000${emulator.oaSecretKey}`).digest('hex')}`,
    );
    expect(emulator.sign(event, { omitHeader: true }).headers['X-ZEvent-Signature']).toBeUndefined();
    const tampered = emulator.sign(event, { tamper: true });
    expect(tampered.headers['X-ZEvent-Signature']).toBe(`mac=${expected}`);
    expect(tampered.body).not.toBe(body);
    expect(JSON.parse(tampered.body)).toMatchObject({ tampered: true });
  });

  it('builds events with the documented fields', () => {
    const text = emulator.userSendText(ALICE, 'xin chào');
    expect(text).toMatchObject({
      app_id: emulator.appId,
      event_name: 'user_send_text',
      sender: { id: ALICE },
      recipient: { id: emulator.oaId },
      user_id_by_app: emulator.userIdByApp(ALICE),
      message: { text: 'xin chào', msg_id: expect.stringMatching(/^[0-9a-f]+$/) },
      timestamp: expect.stringMatching(/^\d{13}$/),
    });
    const other = emulator.userSendText(ALICE, 'again');
    expect((other.message as Body).msg_id).not.toBe((text.message as Body).msg_id);

    const image = emulator.userSendImage(ALICE, 'https://photo-stal.zdn.vn/a.jpg', { caption: 'nhà bà B' });
    expect(image).toMatchObject({
      event_name: 'user_send_image',
      message: {
        text: 'nhà bà B',
        attachments: [{ type: 'image', payload: { url: 'https://photo-stal.zdn.vn/a.jpg' } }],
      },
    });
    const file = emulator.userSendFile(ALICE, 'https://f.zdn.vn/x.pdf', 'x.pdf');
    expect(file).toMatchObject({
      event_name: 'user_send_file',
      sender: { id: ALICE },
      message: { attachments: [{ type: 'file', payload: { url: 'https://f.zdn.vn/x.pdf', name: 'x.pdf' } }] },
    });

    const follow = emulator.follow(BOB);
    expect(follow).toMatchObject({
      app_id: emulator.appId,
      oa_id: emulator.oaId,
      event_name: 'follow',
      follower: { id: BOB },
      timestamp: expect.stringMatching(/^\d+$/),
    });
    expect(follow.sender).toBeUndefined();
    expect(emulator.follow(BOB, { variant: 'user_follow' }).event_name).toBe('user_follow');
    expect(emulator.unfollow(BOB)).toMatchObject({ event_name: 'unfollow', follower: { id: BOB } });

    expect(emulator.userSubmitInfo(ALICE, { name: 'A', phone: '0900000000' })).toMatchObject({
      event_name: 'user_submit_info',
      sender: { id: ALICE },
      recipient: { id: emulator.oaId },
      info: { name: 'A', phone: '0900000000' },
    });
    expect(emulator.oaSendTextEcho(ALICE, 'đã nhận')).toMatchObject({
      event_name: 'oa_send_text',
      sender: { id: emulator.oaId },
      recipient: { id: ALICE },
      message: { text: 'đã nhận' },
    });
    expect(emulator.userSeenMessage(ALICE, ['m1', 'm2'])).toMatchObject({
      event_name: 'user_seen_message',
      sender: { id: ALICE },
      message: { msg_ids: ['m1', 'm2'] },
    });
    expect(emulator.userSendText(ALICE, 'x', { timestamp: 1234 }).timestamp).toBe('1234');
  });

  it('echoes the message id of our own send', async () => {
    const { accessToken } = emulator.issueTokens();
    emulator.userSendText(ALICE, 'hi');
    const response = await sendCs({ text: 'đã nhận' }, ALICE, accessToken);
    const echo = emulator.oaSendTextEcho(ALICE, 'đã nhận');
    expect((echo.message as Body).msg_id).toBe(dataOf(response).message_id);
  });

  it('delivers signed events to a webhook with the raw body', async () => {
    const received: Array<{ body: string; signature: string | undefined }> = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const signature = req.headers['x-zevent-signature'];
        received.push({
          body: Buffer.concat(chunks).toString('utf8'),
          signature: Array.isArray(signature) ? signature[0] : signature,
        });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const event = emulator.userSendText(ALICE, 'Có gì mới?');
      const result = await emulator.deliver(`http://127.0.0.1:${port}/webhooks/zalo`, event);
      expect(result).toEqual({ status: 200, body: 'ok' });
      expect(received).toEqual(
        [emulator.sign(event)].map(({ body, headers }) => ({
          body,
          signature: headers['X-ZEvent-Signature'],
        })),
      );
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('HTTP behaviour', () => {
  it('answers 404 for unknown paths and records every call', async () => {
    const response = await axios.get(`${emulator.apiBase}/v9.9/nothing`, { validateStatus: () => true });
    expect(response.status).toBe(404);
    const outside = await axios.get(`${emulator.apiBase.replace('/openapi', '')}/x`, {
      validateStatus: () => true,
    });
    expect(outside.status).toBe(404);
    expect(emulator.calls.map((call) => call.path)).toEqual(['/v9.9/nothing', '/x']);
  });

  it('closes promptly with a slow request in flight', async () => {
    const { accessToken } = emulator.issueTokens();
    emulator.userSendText(ALICE, 'hi');
    emulator.setDelay('/v3.0/oa/message/cs', 10_000);
    const pending = sendCs({ text: 'a' }, ALICE, accessToken).then(
      () => 'answered',
      () => 'failed',
    );
    await vi.waitFor(() => {
      expect(emulator.calls).toHaveLength(1);
    });
    const started = Date.now();
    await emulator.close();
    expect(await pending).toBe('failed');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(emulator.sent).toEqual([]);
  });
});
