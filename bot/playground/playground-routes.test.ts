import Fastify, { type FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bold, code } from '../../core/messaging/markup.ts';
import type { Inbound } from '../../core/messaging/message.ts';
import { launchBrowser } from '../../test/support/browser.ts';
import { decodeVietQr } from '../../test/support/emvco.ts';
import { scanQrPng } from '../../test/support/qr-scan.ts';
import { type BuiltDocument, DOCX_MIME_TYPE, XLSX_MIME_TYPE } from '../exports/document-builder.ts';
import {
  buildPlaygroundInbound,
  type PlaygroundDeps,
  type PlaygroundPersona,
  parseCommand,
  registerPlayground,
} from './playground-routes.ts';
import {
  createPlaygroundSender,
  type PlaygroundMessage,
  type PlaygroundSender,
} from './playground-sender.ts';

const BANNER_TEXT = 'Môi trường thử nghiệm cục bộ — không gửi tin nhắn thật';

const PERSONAS: PlaygroundPersona[] = [
  { id: 'http-officer', name: 'Nguyễn Văn An', roleLabel: 'Cán bộ MTTQ phường', unitName: 'Phường Bến Nghé' },
  {
    id: 'browser-officer',
    name: 'Trần Thị Bình',
    roleLabel: 'Chủ tịch UBMTTQ phường',
    unitName: 'Phường Đa Kao',
  },
  { id: 'retry-officer', name: 'Lê Văn Cường', roleLabel: 'Cán bộ MTTQ xã', unitName: 'Xã Tân Nhựt' },
];

/** What the fake core's receipt for "mã qr" asks the page to show. */
const PLAYGROUND_QR = {
  bin: '970436',
  accountNumber: '0000123456789',
  amount: '1500000',
  purpose: 'UH-0009 NGUYEN VAN AN',
};

const CHOICES = [
  [
    { id: 'yes', label: 'Đồng ý' },
    { id: 'no', label: 'Không đồng ý' },
  ],
];

/**
 * Stands in for the core: dedupes by externalId like the real inbound pipeline and echoes through
 * the sender with two choices, so the page has something to draw and press.
 */
function createFakeCore(sender: PlaygroundSender): { deps: PlaygroundDeps; received: Inbound[] } {
  const seen = new Set<string>();
  const received: Inbound[] = [];
  const deps: PlaygroundDeps = {
    sender,
    async listPersonas() {
      return PERSONAS;
    },
    async handleInbound(inbound) {
      if (inbound.text === 'lỗi máy chủ') {
        throw new Error('core exploded');
      }
      if (seen.has(inbound.externalId)) {
        return;
      }
      seen.add(inbound.externalId);
      received.push(inbound);
      if (inbound.text === 'in đậm') {
        // Inline emphasis as the core marks it, around text that looks like HTML.
        await sender.send(inbound.chatId, {
          text: `${bold('Đã nhận <b>báo cáo</b>')}\nSố: ${code('BC-202611-01840-1')} & ${bold(`tổng ${code('5')} hộ`)}`,
        });
        return;
      }
      if (inbound.text === 'mã qr') {
        await sender.send(inbound.chatId, {
          text: '✅ Đã ghi nhận đăng ký ủng hộ. Số đăng ký: UH-0009',
          image: { vietqr: PLAYGROUND_QR, caption: 'Quét mã để chuyển khoản 1.500.000 đ' },
        });
        return;
      }
      const text =
        inbound.kind === 'choice'
          ? `Bạn đã chọn: ${inbound.choiceId ?? ''}`
          : inbound.kind === 'command'
            ? `Lệnh: /${inbound.command ?? ''}`
            : `Bạn đã gửi: ${inbound.text ?? ''}`;
      await sender.send(inbound.chatId, { text, choices: CHOICES });
    },
  };
  return { deps, received };
}

async function startApp(): Promise<{
  app: FastifyInstance;
  sender: PlaygroundSender;
  received: Inbound[];
  baseUrl: string;
}> {
  const sender = createPlaygroundSender();
  const core = createFakeCore(sender);
  const app = Fastify({ logger: false });
  await registerPlayground(app, core.deps);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, sender, received: core.received, baseUrl: address };
}

let clientIdCounter = 0;
function clientId(): string {
  clientIdCounter += 1;
  return `test-client-${String(clientIdCounter).padStart(4, '0')}`;
}

interface ErrorBody {
  ok: boolean;
  error?: string;
}

describe('command parsing', () => {
  it('reads commands like Telegram does', () => {
    expect(parseCommand('/Start@MttqBot  abc def ')).toEqual({ command: 'start', args: 'abc def' });
    expect(parseCommand('/menu')).toEqual({ command: 'menu', args: '' });
    expect(parseCommand('/bao_cao 2025-05\nghi chú')).toEqual({
      command: 'bao_cao',
      args: '2025-05\nghi chú',
    });
    expect(parseCommand('/')).toBeNull();
    expect(parseCommand('/ xin chào')).toBeNull();
    expect(parseCommand('xin chào')).toBeNull();
  });

  it('builds the inbound the core expects', () => {
    const persona = PERSONAS[0] as PlaygroundPersona;
    const at = new Date('2025-05-01T00:00:00Z');
    expect(
      buildPlaygroundInbound(
        persona,
        { personaId: persona.id, clientMessageId: 'abcdefgh', text: ' hi ' },
        at,
      ),
    ).toEqual({
      channel: 'playground',
      chatId: 'http-officer',
      chatType: 'private',
      senderId: 'http-officer',
      senderName: 'Nguyễn Văn An',
      externalId: 'abcdefgh',
      kind: 'text',
      text: 'hi',
      receivedAt: at,
    });
    expect(
      buildPlaygroundInbound(
        persona,
        { personaId: persona.id, clientMessageId: 'abcdefgh', choiceId: 'yes' },
        at,
      ),
    ).toMatchObject({ kind: 'choice', choiceId: 'yes' });
    expect(
      buildPlaygroundInbound(
        persona,
        { personaId: persona.id, clientMessageId: 'abcdefgh', text: '/Help@Bot x' },
        at,
      ),
    ).toMatchObject({ kind: 'command', command: 'help', args: 'x', text: '/Help@Bot x' });
  });
});

describe('playground HTTP API', () => {
  let app: FastifyInstance;
  let sender: PlaygroundSender;
  let received: Inbound[];
  const persona = PERSONAS[0] as PlaygroundPersona;
  const chatId = persona.id;

  beforeAll(async () => {
    ({ app, sender, received } = await startApp());
  });

  afterAll(async () => {
    await app.close();
  });

  async function post(body: unknown): Promise<{ statusCode: number; body: ErrorBody }> {
    const res = await app.inject({
      method: 'POST',
      url: '/api/playground/messages',
      payload: body as object,
    });
    return { statusCode: res.statusCode, body: res.json<ErrorBody>() };
  }

  it('serves the page with the banner and a strict CSP', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.body).toContain(BANNER_TEXT);
    // Works offline: nothing is loaded from anywhere else.
    expect(res.body).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(res.body).not.toMatch(/<script[^>]+src=/);
  });

  it('lists the personas', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/playground/personas' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      personas: [
        ...PERSONAS.map((p) => ({ ...p, kind: 'person' })),
        expect.objectContaining({ id: 'khach-moi', kind: 'stranger', name: 'Khách mới' }),
      ],
      canReset: false,
    });
  });

  it.each([
    ['no body fields', {}],
    ['an array', [1, 2]],
    ['a missing clientMessageId', { personaId: persona.id, text: 'xin chào' }],
    ['a short clientMessageId', { personaId: persona.id, clientMessageId: 'abc', text: 'xin chào' }],
    [
      'a clientMessageId with odd characters',
      { personaId: persona.id, clientMessageId: 'abc def ghi', text: 'x' },
    ],
    ['a too long personaId', { personaId: 'p'.repeat(65), clientMessageId: clientId(), text: 'x' }],
    ['a too long text', { personaId: persona.id, clientMessageId: clientId(), text: 'a'.repeat(4001) }],
    ['neither text nor choiceId', { personaId: persona.id, clientMessageId: clientId() }],
    ['blank text', { personaId: persona.id, clientMessageId: clientId(), text: '   ' }],
    ['a too long choiceId', { personaId: persona.id, clientMessageId: clientId(), choiceId: 'c'.repeat(65) }],
    ['a number as text', { personaId: persona.id, clientMessageId: clientId(), text: 5 }],
  ])('rejects %s with a 400 in Vietnamese', async (_label, body) => {
    const res = await post(body);
    expect(res.statusCode).toBe(400);
    expect(res.body.ok).toBe(false);
    expect(res.body.error).toMatch(/[À-ỹ]/u);
  });

  it('explains which field is wrong', async () => {
    const res = await post({ personaId: persona.id, clientMessageId: 'abc', text: 'x' });
    expect(res.body.error).toContain('clientMessageId');
    const long = await post({ personaId: persona.id, clientMessageId: clientId(), text: 'a'.repeat(4001) });
    expect(long.body.error).toBe('Tin nhắn quá dài (tối đa 4000 ký tự).');
  });

  it('answers malformed JSON with the same error shape', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/playground/messages',
      headers: { 'content-type': 'application/json' },
      payload: '{"personaId": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorBody>()).toEqual({ ok: false, error: expect.stringContaining('JSON') });
  });

  it('accepts a UUID as clientMessageId', async () => {
    const res = await post({ personaId: persona.id, clientMessageId: crypto.randomUUID(), text: 'uuid' });
    expect(res.statusCode).toBe(202);
    expect(res.body).toEqual({ ok: true });
  });

  it('answers an unknown persona with 404', async () => {
    const res = await post({ personaId: 'nobody', clientMessageId: clientId(), text: 'xin chào' });
    expect(res.statusCode).toBe(404);
    expect(res.body.ok).toBe(false);
    expect(res.body.error).toContain('Không tìm thấy người dùng mẫu');

    const poll = await app.inject({ method: 'GET', url: '/api/playground/messages?personaId=nobody' });
    expect(poll.statusCode).toBe(404);
  });

  it('turns text, commands and choices into the right inbound', async () => {
    received.length = 0;
    const after = sender.lastSeq();
    expect(
      (await post({ personaId: persona.id, clientMessageId: clientId(), text: 'Báo cáo tháng 5' }))
        .statusCode,
    ).toBe(202);
    expect(
      (await post({ personaId: persona.id, clientMessageId: clientId(), text: '/Menu@MttqBot  nhanh ' }))
        .statusCode,
    ).toBe(202);
    expect(
      (await post({ personaId: persona.id, clientMessageId: clientId(), choiceId: 'no' })).statusCode,
    ).toBe(202);

    expect(
      received.map((inbound) => [
        inbound.kind,
        inbound.text,
        inbound.command,
        inbound.args,
        inbound.choiceId,
      ]),
    ).toEqual([
      ['text', 'Báo cáo tháng 5', undefined, undefined, undefined],
      ['command', '/Menu@MttqBot  nhanh', 'menu', 'nhanh', undefined],
      ['choice', undefined, undefined, undefined, 'no'],
    ]);
    expect(received[0]).toMatchObject({
      channel: 'playground',
      chatId,
      chatType: 'private',
      senderId: persona.id,
      senderName: persona.name,
    });
    expect(received[0]?.receivedAt).toBeInstanceOf(Date);

    const res = await app.inject({
      method: 'GET',
      url: `/api/playground/messages?personaId=${persona.id}&after=${after}`,
    });
    const { messages } = res.json<{ messages: PlaygroundMessage[] }>();
    expect(messages.map((m) => [m.from, m.text])).toEqual([
      ['user', 'Báo cáo tháng 5'],
      ['bot', 'Bạn đã gửi: Báo cáo tháng 5'],
      ['user', '/Menu@MttqBot  nhanh'],
      ['bot', 'Lệnh: /menu'],
      // The pressed button is shown by its label, as the person saw it.
      ['user', 'Không đồng ý'],
      ['bot', 'Bạn đã chọn: no'],
    ]);
    expect(messages[1]?.choices).toEqual(CHOICES);
    expect(messages.every((m, i) => i === 0 || m.seq > (messages[i - 1]?.seq ?? 0))).toBe(true);
  });

  it('processes the same clientMessageId once', async () => {
    received.length = 0;
    const after = sender.lastSeq();
    const body = { personaId: persona.id, clientMessageId: clientId(), text: 'gửi hai lần' };
    expect((await post(body)).statusCode).toBe(202);
    expect((await post(body)).statusCode).toBe(202);

    expect(received).toHaveLength(1);
    const messages = sender.list(chatId, after);
    expect(messages.map((m) => [m.from, m.text])).toEqual([
      ['user', 'gửi hai lần'],
      ['bot', 'Bạn đã gửi: gửi hai lần'],
    ]);
  });

  it('answers 500 in the same shape when the core fails, and a retry is not shown twice', async () => {
    const after = sender.lastSeq();
    const body = { personaId: persona.id, clientMessageId: clientId(), text: 'lỗi máy chủ' };
    const first = await post(body);
    expect(first.statusCode).toBe(500);
    expect(first.body).toEqual({ ok: false, error: expect.stringContaining('thử lại') });
    await post(body);
    expect(sender.list(chatId, after).filter((m) => m.from === 'user')).toHaveLength(1);
  });

  it('validates the poll query', async () => {
    for (const query of [
      '',
      `personaId=${persona.id}&wait=26`,
      `personaId=${persona.id}&after=-1`,
      `personaId=${persona.id}&wait=x`,
    ]) {
      const res = await app.inject({ method: 'GET', url: `/api/playground/messages?${query}` });
      expect(res.statusCode, query).toBe(400);
      expect(res.json<ErrorBody>().ok).toBe(false);
    }
  });

  it('long-polls until a message arrives', async () => {
    const after = sender.lastSeq();
    const started = Date.now();
    const poll = app.inject({
      method: 'GET',
      url: `/api/playground/messages?personaId=${persona.id}&after=${after}&wait=10`,
    });
    setTimeout(() => {
      void sender.send(chatId, { text: 'Nhắc nhở: hạn báo cáo là ngày 25.' });
    }, 150);
    const res = await poll;
    const elapsed = Date.now() - started;
    expect(res.statusCode).toBe(200);
    expect(res.json<{ messages: PlaygroundMessage[] }>().messages.map((m) => m.text)).toEqual([
      'Nhắc nhở: hạn báo cáo là ngày 25.',
    ]);
    expect(elapsed).toBeGreaterThanOrEqual(100);
    expect(elapsed).toBeLessThan(5_000);
  });

  it('ends an idle long poll after the wait with no messages', async () => {
    const started = Date.now();
    const res = await app.inject({
      method: 'GET',
      url: `/api/playground/messages?personaId=${persona.id}&after=${sender.lastSeq()}&wait=0.2`,
    });
    expect(res.json()).toEqual({ messages: [] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('sends the whole history for a cursor from before a restart', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/api/playground/messages?personaId=${persona.id}&after=${sender.lastSeq() + 1000}`,
    });
    expect(res.json<{ messages: PlaygroundMessage[] }>().messages).toEqual(sender.list(chatId, 0));
  });
});

describe('closing the server', () => {
  it('is not held up by a pending long poll', async () => {
    const { app, baseUrl } = await startApp();
    const poll = fetch(`${baseUrl}/api/playground/messages?personaId=http-officer&wait=25`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await app.close();
    expect(Date.now() - started).toBeLessThan(5_000);
    const res = await poll;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ messages: [] });
  });
});

describe('playground page in a browser', () => {
  let app: FastifyInstance;
  let received: Inbound[];
  let baseUrl: string;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ({ app, received, baseUrl } = await startApp());
    browser = await launchBrowser();
    // A small phone screen: most officials use cheap Android phones.
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
    page = await context.newPage();
    page.on('pageerror', (error) => {
      pageErrors.push(error.message);
    });
    page.on('console', (message) => {
      // Network errors are expected in the retry test; anything else (CSP, script errors) is not.
      if (message.type() === 'error' && !message.text().includes('net::ERR_FAILED')) {
        pageErrors.push(message.text());
      }
    });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const lastBot = (): ReturnType<Page['getByTestId']> => page.getByTestId('msg-bot').last();
  const lastUser = (): ReturnType<Page['getByTestId']> => page.getByTestId('msg-user').last();

  it('shows the banner and picks a persona', async () => {
    await page.goto(baseUrl);
    const banner = page.getByTestId('banner');
    expect(await banner.isVisible()).toBe(true);
    expect(await banner.textContent()).toContain(BANNER_TEXT);
    const fontSize = await page.evaluate(() => Number.parseFloat(getComputedStyle(document.body).fontSize));
    expect(fontSize).toBeGreaterThanOrEqual(17);

    const personaButton = page.getByTestId('persona-browser-officer');
    await personaButton.waitFor();
    expect(await personaButton.textContent()).toContain('Trần Thị Bình');
    expect(await personaButton.textContent()).toContain('Chủ tịch UBMTTQ phường');
    expect(await personaButton.textContent()).toContain('Phường Đa Kao');
    await personaButton.click();
    await page.getByTestId('chat-log').waitFor();
    expect(await page.getByTestId('input').isVisible()).toBe(true);
    expect(await banner.isVisible()).toBe(true);
  });

  it('sends typed text with Enter and shows the echo', async () => {
    await page.getByTestId('input').fill('Báo cáo tháng 5: đã xong 3 nhà');
    await page.getByTestId('input').press('Enter');
    await page
      .getByTestId('msg-bot')
      .filter({ hasText: 'Bạn đã gửi: Báo cáo tháng 5: đã xong 3 nhà' })
      .waitFor();
    await expect.poll(() => page.locator('[data-pending]').count()).toBe(0);
    expect(await page.getByTestId('msg-user').allTextContents()).toEqual([
      expect.stringContaining('Báo cáo tháng 5: đã xong 3 nhà'),
    ]);
    expect(await page.getByTestId('input').inputValue()).toBe('');
  });

  it('renders choices as buttons and sends the pressed one', async () => {
    expect(await lastBot().getByTestId('choice-yes').isEnabled()).toBe(true);
    await lastBot().getByTestId('choice-yes').click();
    await page.getByTestId('msg-bot').filter({ hasText: 'Bạn đã chọn: yes' }).waitFor();
    expect(await lastUser().locator('.bubble').textContent()).toBe('Đồng ý');
    // Buttons of older messages are disabled; the newest message's are live.
    expect(await page.getByTestId('msg-bot').first().getByTestId('choice-yes').isDisabled()).toBe(true);
    expect(await page.getByTestId('msg-bot').first().getByTestId('choice-no').isDisabled()).toBe(true);
    expect(await lastBot().getByTestId('choice-no').isEnabled()).toBe(true);
    expect(received.at(-1)).toMatchObject({ kind: 'choice', choiceId: 'yes', senderId: 'browser-officer' });
  });

  it('shows text as text, keeping line breaks, and sends with the button', async () => {
    const tricky = '<b>đậm</b> & <img src=x>\ndòng thứ hai';
    await page.getByTestId('input').fill(tricky);
    await page.getByTestId('send').click();
    await page.getByTestId('msg-bot').filter({ hasText: 'dòng thứ hai' }).waitFor();
    expect(await lastUser().locator('.bubble').textContent()).toBe(tricky);
    expect(await lastBot().locator('.bubble').textContent()).toBe(`Bạn đã gửi: ${tricky}`);
    expect(await page.getByTestId('chat-log').locator('b, img').count()).toBe(0);
    const whiteSpace = await lastBot()
      .locator('.bubble')
      .evaluate((node) => getComputedStyle(node).whiteSpace);
    expect(whiteSpace).toBe('pre-wrap');
  });

  it('sends the quick commands', async () => {
    await page.getByText('Danh mục', { exact: true }).click();
    await page.getByTestId('msg-bot').filter({ hasText: 'Lệnh: /menu' }).waitFor();
    await page.getByText('Trợ giúp', { exact: true }).click();
    await page.getByTestId('msg-bot').filter({ hasText: 'Lệnh: /help' }).waitFor();
    await page.getByText('Hủy', { exact: true }).click();
    await page.getByTestId('msg-bot').filter({ hasText: 'Lệnh: /cancel' }).waitFor();
    expect(received.slice(-3).map((inbound) => inbound.command)).toEqual(['menu', 'help', 'cancel']);
  });

  it('redraws the conversation after a reload', async () => {
    const bots = await page.getByTestId('msg-bot').count();
    const users = await page.getByTestId('msg-user').count();
    await page.reload();
    await expect.poll(() => page.getByTestId('msg-bot').count()).toBe(bots);
    expect(await page.getByTestId('msg-user').count()).toBe(users);
    expect(await page.getByTestId('persona-name').textContent()).toBe('Trần Thị Bình');
  });

  it('retries a failed send with the same clientMessageId', async () => {
    await page.getByTestId('switch-persona').click();
    await page.getByTestId('persona-retry-officer').click();
    const sentIds: string[] = [];
    let failuresLeft = 2;
    await page.route('**/api/playground/messages', async (route) => {
      if (route.request().method() !== 'POST') {
        await route.fallback();
        return;
      }
      const body = route.request().postDataJSON() as { clientMessageId: string };
      sentIds.push(body.clientMessageId);
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        await route.abort('failed');
        return;
      }
      await route.fallback();
    });
    await page.getByTestId('input').fill('mạng chập chờn');
    await page.getByTestId('send').click();
    await page.getByTestId('msg-bot').filter({ hasText: 'Bạn đã gửi: mạng chập chờn' }).waitFor();
    await page.unroute('**/api/playground/messages');

    expect(sentIds).toHaveLength(3);
    expect(new Set(sentIds).size).toBe(1);
    expect(received.filter((inbound) => inbound.text === 'mạng chập chờn')).toHaveLength(1);
    expect(await page.getByTestId('msg-user').count()).toBe(1);
  });

  it('says so when the network stays down, and the retry button sends it', async () => {
    await page.route('**/api/playground/messages', async (route) => {
      if (route.request().method() === 'POST') {
        await route.abort('failed');
        return;
      }
      await route.fallback();
    });
    await page.getByTestId('input').fill('mất mạng hẳn');
    await page.getByTestId('send').click();
    await page.getByTestId('status').getByText('Lỗi mạng, thử lại').waitFor({ timeout: 15_000 });
    await page.unroute('**/api/playground/messages');
    await page.getByTestId('retry').click();
    await page.getByTestId('msg-bot').filter({ hasText: 'Bạn đã gửi: mất mạng hẳn' }).waitFor();
    expect(received.filter((inbound) => inbound.text === 'mất mạng hẳn')).toHaveLength(1);
    expect(await page.getByTestId('status').textContent()).toBe('');
  });

  it('draws bold and code spans as elements, their text as text', async () => {
    await page.getByTestId('input').fill('in đậm');
    await page.getByTestId('send').click();
    const bubble = page.getByTestId('msg-text').filter({ hasText: 'BC-202611-01840-1' }).last();
    await bubble.waitFor();
    expect(await bubble.textContent()).toBe('Đã nhận <b>báo cáo</b>\nSố: BC-202611-01840-1 & tổng 5 hộ');
    expect(await bubble.evaluate((node) => node.innerHTML)).toBe(
      '<b>Đã nhận &lt;b&gt;báo cáo&lt;/b&gt;</b>\nSố: <code>BC-202611-01840-1</code> &amp; <b>tổng <code>5</code> hộ</b>',
    );
    const weight = await bubble
      .locator('b')
      .first()
      .evaluate((node) => getComputedStyle(node).fontWeight);
    expect(Number(weight)).toBeGreaterThanOrEqual(700);
  });

  it('shows a payment QR a phone can scan, its caption under it', async () => {
    await page.getByTestId('input').fill('mã qr');
    await page.getByTestId('send').click();
    const qr = page.getByTestId('msg-qr').last();
    await qr.waitFor();
    await expect.poll(() => qr.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    expect(await lastBot().textContent()).toContain('Quét mã để chuyển khoản 1.500.000 đ');
    // What is on the screen, not only what the server sent, reads back as the fund's VietQR.
    expect(decodeVietQr(scanQrPng(await qr.screenshot()))).toMatchObject({
      ...PLAYGROUND_QR,
      crcValid: true,
    });
    expect(pageErrors).toEqual([]);
  });

  it('switches back to the persona list', async () => {
    await page.getByTestId('switch-persona').click();
    expect(await page.getByTestId('persona-http-officer').isVisible()).toBe(true);
    expect(await page.getByTestId('chat-log').isVisible()).toBe(false);
    expect(pageErrors).toEqual([]);
  });
});

/** The playground's routes over `sender`, with the personas and a core that does nothing. */
async function bareApp(sender: PlaygroundSender): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await registerPlayground(app, {
    sender,
    listPersonas: async () => PERSONAS,
    handleInbound: async () => {},
  });
  return app;
}

describe('playground payment QR', () => {
  it('draws the QR of a pledge receipt as a PNG the page shows, by the link in its message', async () => {
    const sender = createPlaygroundSender();
    const app = await bareApp(sender);
    try {
      const vietqr = {
        bin: '970436',
        accountNumber: '0000123456789',
        amount: '2000000',
        purpose: 'UH-0007 LE VAN BINH',
      };
      await sender.send('pg:donor', {
        text: '✅ Đã ghi nhận đăng ký ủng hộ. Số đăng ký: UH-0007',
        image: { vietqr, caption: 'Quét mã để chuyển khoản 2.000.000 đ' },
      });
      await sender.send('pg:donor', {
        text: '📊 Bản tin',
        image: { svg: '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>' },
      });
      const [receipt, digest] = sender.list('pg:donor', 0);
      expect(receipt?.imageUrl).toBe(`/api/playground/images/${receipt?.seq}.png`);
      expect(receipt?.image).toEqual({ vietqr, caption: 'Quét mã để chuyển khoản 2.000.000 đ' });
      // A chart stays an SVG the page draws itself.
      expect(digest?.imageUrl).toBeUndefined();

      const png = await app.inject({ method: 'GET', url: receipt?.imageUrl ?? '' });
      expect(png.statusCode).toBe(200);
      expect(png.headers['content-type']).toBe('image/png');
      expect(decodeVietQr(scanQrPng(png.rawPayload))).toMatchObject({
        initiation: '12',
        bin: '970436',
        accountNumber: '0000123456789',
        amount: '2000000',
        purpose: 'UH-0007 LE VAN BINH',
        crcValid: true,
      });
      for (const url of [
        `/api/playground/images/${digest?.seq}.png`,
        '/api/playground/images/999.png',
        '/api/playground/images/x.png',
      ]) {
        expect((await app.inject({ method: 'GET', url })).statusCode).toBe(404);
      }
    } finally {
      await app.close();
    }
  });
});

describe('playground file downloads', () => {
  async function served(built: BuiltDocument, kind: string) {
    const sender = createPlaygroundSender({ buildDocument: async () => built });
    const app = await bareApp(sender);
    try {
      await sender.send('pg:leader', {
        text: '📎 Tệp',
        document: { kind, params: { scope: [2], period: '2025-02' }, fallbackText: '…' },
      });
      const url = sender.list('pg:leader', 0)[0]?.file?.url ?? '';
      const ok = await app.inject({ method: 'GET', url });
      const missing = await app.inject({ method: 'GET', url: '/api/playground/files/0000-unknown' });
      return { ok, missing };
    } finally {
      await app.close();
    }
  }

  it('serves a built export once, by the link in its message, and 404 for anything else', async () => {
    const { ok, missing } = await served(
      { data: Buffer.from('PK-xlsx'), fileName: 'tien-do-2025-02-2025-03-20.xlsx', mimeType: XLSX_MIME_TYPE },
      'progress',
    );
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(ok.headers['content-disposition']).toContain('filename="tien-do-2025-02-2025-03-20.xlsx"');
    expect(ok.body).toBe('PK-xlsx');
    expect(missing.statusCode).toBe(404);
  });

  it('serves a Word document as one, its Vietnamese name kept in filename*', async () => {
    const { ok } = await served(
      { data: Buffer.from('PK-docx'), fileName: 'bao-cao-2025-H1.docx', mimeType: DOCX_MIME_TYPE },
      'committee-report',
    );
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    expect(ok.headers['content-disposition']).toContain('filename="bao-cao-2025-H1.docx"');
    expect(ok.headers['content-disposition']).toContain("filename*=UTF-8''bao-cao-2025-H1.docx");
    expect(ok.body).toBe('PK-docx');
  });
});

describe('playground groups, strangers and starting over', () => {
  const GROUP: PlaygroundPersona = {
    id: 'nhom-thu',
    kind: 'group',
    name: 'Nhóm Thường trực',
    roleLabel: 'Nhóm chat',
    unitName: 'Tỉnh Thái Nguyên',
    members: [
      { id: 'leader', name: 'Lường Thị Hoa', roleLabel: 'Lãnh đạo' },
      { id: 'admin', name: 'Trần Văn Hùng', roleLabel: 'Quản trị' },
    ],
  };

  async function groupApp(reset?: () => Promise<void>) {
    const sender = createPlaygroundSender();
    const received: Inbound[] = [];
    const app = Fastify({ logger: false });
    await registerPlayground(app, {
      sender,
      listPersonas: async () => [...PERSONAS, GROUP],
      handleInbound: async (inbound) => {
        received.push(inbound);
      },
      demoInvite: async () => 'DEMOAB12',
      ...(reset ? { reset } : {}),
    });
    return { app, sender, received };
  }

  const post = (app: FastifyInstance, payload: object) =>
    app.inject({ method: 'POST', url: '/api/playground/messages', payload });

  it('sends a group message as a group chat of the member who writes (the first by default)', async () => {
    const { app, sender, received } = await groupApp();
    try {
      expect(
        (await post(app, { personaId: GROUP.id, clientMessageId: clientId(), text: '/digest' })).statusCode,
      ).toBe(202);
      expect(
        (await post(app, { personaId: GROUP.id, clientMessageId: clientId(), text: 'hi', senderId: 'admin' }))
          .statusCode,
      ).toBe(202);
      const stranger = await post(app, {
        personaId: GROUP.id,
        clientMessageId: clientId(),
        text: 'x',
        senderId: 'fund',
      });
      expect(stranger.statusCode).toBe(400);
      expect(stranger.json<ErrorBody>().error).toContain('không phải thành viên');
      expect(
        received.map((i) => [i.chatType, i.chatId, i.senderId, i.senderName, i.chatTitle, i.command]),
      ).toEqual([
        ['group', 'nhom-thu', 'leader', 'Lường Thị Hoa', 'Nhóm Thường trực', 'digest'],
        ['group', 'nhom-thu', 'admin', 'Trần Văn Hùng', 'Nhóm Thường trực', undefined],
      ]);
      expect(sender.list('nhom-thu', 0).map((m) => m.senderName)).toEqual(['Lường Thị Hoa', 'Trần Văn Hùng']);
    } finally {
      await app.close();
    }
  });

  it('makes a new stranger each time, known by id until they register, with a demo invite to try', async () => {
    const { app, received } = await groupApp();
    try {
      const made = await Promise.all(
        [1, 2].map(() => app.inject({ method: 'POST', url: '/api/playground/strangers' })),
      );
      const [a, b] = made.map((r) => r.json<{ persona: PlaygroundPersona }>().persona);
      expect(made.map((r) => r.statusCode)).toEqual([201, 201]);
      expect(a?.id).toMatch(/^khach-[0-9a-f]{12}$/);
      expect(a?.id).not.toBe(b?.id);
      expect(a?.roleLabel).toContain('mã mời DEMOAB12');
      expect(a?.name).toMatch(/^Khách [0-9A-F]{4}$/);
      expect(
        (await post(app, { personaId: a?.id, clientMessageId: clientId(), text: '/ungho' })).statusCode,
      ).toBe(202);
      expect(received[0]).toMatchObject({ chatType: 'private', chatId: a?.id, senderId: a?.id });
      // The list's entry is no chat; an id of another shape is no stranger.
      for (const id of ['khach-moi', 'khach-<b>', 'visitor']) {
        expect((await post(app, { personaId: id, clientMessageId: clientId(), text: 'x' })).statusCode).toBe(
          404,
        );
      }
    } finally {
      await app.close();
    }
  });

  it('starts over only where it may, when confirmed, and forgets every conversation', async () => {
    const none = await groupApp();
    try {
      const personas = await none.app.inject({ method: 'GET', url: '/api/playground/personas' });
      expect(personas.json<{ canReset: boolean }>().canReset).toBe(false);
      const refused = await none.app.inject({
        method: 'POST',
        url: '/api/playground/reset',
        payload: { confirm: true },
      });
      expect(refused.statusCode).toBe(409);
      expect(refused.json<ErrorBody>().error).toContain('dữ liệu mẫu');
    } finally {
      await none.app.close();
    }
    let resets = 0;
    const { app, sender } = await groupApp(async () => {
      resets += 1;
    });
    try {
      await sender.send('http-officer', { text: 'Nhắc hạn báo cáo' });
      const waiting = sender.waitFor('leader', sender.lastSeq(), 5_000);
      expect(
        (await app.inject({ method: 'GET', url: '/api/playground/personas' })).json<{ canReset: boolean }>()
          .canReset,
      ).toBe(true);
      const unconfirmed = await app.inject({ method: 'POST', url: '/api/playground/reset', payload: {} });
      expect(unconfirmed.statusCode).toBe(400);
      expect(resets).toBe(0);
      const done = await app.inject({
        method: 'POST',
        url: '/api/playground/reset',
        payload: { confirm: true },
      });
      expect(done.json()).toEqual({ ok: true });
      expect(resets).toBe(1);
      expect(sender.list('http-officer', 0)).toEqual([]);
      // A page waiting on a long poll is answered at once.
      expect(await waiting).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
