import { Api, InputFile } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import { renderChartSvg } from '../../core/digests/chart.ts';
import { bold, code } from '../../core/messaging/markup.ts';
import type { Outbound } from '../../core/messaging/message.ts';
import { type BotApiEmulator, startBotApiEmulator } from '../../test/support/bot-api-emulator.ts';
import { DOCX_MIME_TYPE, XLSX_MIME_TYPE } from '../exports/document-builder.ts';
import { createTelegramSender, TELEGRAM_CAPTION_LIMIT } from './telegram-sender.ts';

const PNG = Buffer.from('89504e470d0a1a0a', 'hex');
const DIGEST: Outbound = {
  text: '📊 Bản tin tuần\n\n🏠 Tiến độ theo phường, xã:\n• Đức Xuân: 3 duyệt · 1 KC · 0 HT · 0 BG (0% HT)',
  image: {
    svg: '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
    caption: '📊 Bản tin tuần',
  },
};

interface Call {
  method: string;
  payload: Record<string, unknown>;
}

/** An Api whose requests never leave the process: a transformer records them and answers ok. */
function fakeApi(
  fail?: (method: string, payload: Record<string, unknown>) => boolean,
  description = 'Bad Request: IMAGE_PROCESS_FAILED',
): { api: Api; calls: Call[] } {
  const api = new Api('123:TEST');
  const calls: Call[] = [];
  api.config.use(async (_prev, method, payload) => {
    calls.push({ method, payload: payload as Record<string, unknown> });
    if (fail?.(method, payload as Record<string, unknown>)) {
      return { ok: false, error_code: 400, description };
    }
    // biome-ignore lint/suspicious/noExplicitAny: the sender ignores the result; any message will do.
    return { ok: true, result: { message_id: calls.length } as any };
  });
  return { api, calls };
}

describe('createTelegramSender', () => {
  it('sends a picture as a PNG photo with its caption, then the text', async () => {
    const { api, calls } = fakeApi();
    const rendered: string[] = [];
    const sender = createTelegramSender(api, {
      renderPng: (image) => {
        rendered.push('svg' in image ? image.svg : '');
        return PNG;
      },
    });
    expect(await sender.send('-1001', DIGEST)).toEqual({ ok: true });
    expect(calls.map((c) => c.method)).toEqual(['sendPhoto', 'sendMessage']);
    expect(rendered).toEqual([DIGEST.image && 'svg' in DIGEST.image ? DIGEST.image.svg : undefined]);
    const photo = calls[0]?.payload;
    expect(photo?.chat_id).toBe('-1001');
    expect(photo?.caption).toBe('📊 Bản tin tuần');
    expect(photo?.photo).toBeInstanceOf(InputFile);
    expect((photo?.photo as InputFile | undefined)?.filename).toBe('bieu-do.png');
    expect(calls[1]?.payload.text).toBe(DIGEST.text);
  });

  it('a message without a picture is text only, and the renderer is not asked', async () => {
    const { api, calls } = fakeApi();
    const sender = createTelegramSender(api, {
      renderPng: () => {
        throw new Error('not expected');
      },
    });
    expect(await sender.send('42', { text: 'Xin chào' })).toEqual({ ok: true });
    expect(calls.map((c) => c.method)).toEqual(['sendMessage']);
  });

  it('keeps a caption within Telegram’s 1,024 characters', async () => {
    const { api, calls } = fakeApi();
    const sender = createTelegramSender(api, { renderPng: () => PNG });
    await sender.send('42', { text: 'x', image: { svg: '<svg/>', caption: 'a'.repeat(3000) } });
    expect(String(calls[0]?.payload.caption)).toHaveLength(TELEGRAM_CAPTION_LIMIT);
  });

  it('a chart that cannot be drawn fails for good, before anything is sent', async () => {
    const { api, calls } = fakeApi();
    const sender = createTelegramSender(api, {
      renderPng: () => {
        throw new Error('SVG data parsing failed');
      },
    });
    expect(await sender.send('42', DIGEST)).toEqual({
      ok: false,
      retry: false,
      error: 'chart: SVG data parsing failed',
    });
    expect(calls).toEqual([]);
  });

  it('a photo Telegram refuses is a permanent failure and the text is not sent alone', async () => {
    const { api, calls } = fakeApi((method) => method === 'sendPhoto');
    const sender = createTelegramSender(api, { renderPng: () => PNG });
    expect(await sender.send('42', DIGEST)).toMatchObject({ ok: false, retry: false });
    expect(calls.map((c) => c.method)).toEqual(['sendPhoto']);
  });
});

describe('createTelegramSender in HTML parse mode', () => {
  it('sends bold and code spans as HTML tags and escapes everything else', async () => {
    const { api, calls } = fakeApi();
    const text = `${bold('Đăng ký ủng hộ')}\nNgười ủng hộ: Bà <Tư> & con\nMã: ${code('UH-0001')}`;
    expect(await createTelegramSender(api).send('42', { text })).toEqual({ ok: true });
    expect(calls[0]?.payload).toMatchObject({
      parse_mode: 'HTML',
      text: '<b>Đăng ký ủng hộ</b>\nNgười ủng hộ: Bà &lt;Tư&gt; &amp; con\nMã: <code>UH-0001</code>',
    });
  });

  it('a button label shows no markers: Telegram takes plain text there', async () => {
    const { api, calls } = fakeApi();
    await createTelegramSender(api).send('42', {
      text: 'Chọn',
      choices: [[{ id: 'pledge:1', label: `Đăng ký ${code('UH-0001')}` }]],
    });
    expect(JSON.stringify(calls[0]?.payload.reply_markup)).toContain('"text":"Đăng ký UH-0001"');
  });

  it('a long text is cut into parts of at most 4,096 visible characters, no span cut', async () => {
    const { api, calls } = fakeApi();
    // One bold paragraph of 5,000 characters: the cut falls inside it.
    const text = `${bold(`${'Tiến độ '.repeat(625)}`.trim())}\n\nMã ${code('UH-0001')}`;
    await createTelegramSender(api).send('42', { text, choices: [[{ id: 'menu:main', label: 'Menu' }]] });
    const sent = calls.map((c) => String(c.payload.text));
    expect(sent).toHaveLength(2);
    for (const html of sent) {
      expect(html.match(/<b>/g)?.length).toBe(html.match(/<\/b>/g)?.length);
      expect(html.replace(/<[^>]+>/g, '').length).toBeLessThanOrEqual(4096);
    }
    expect(sent[0]).toMatch(/^<b>Tiến độ.*<\/b>$/s);
    expect(sent[1]).toMatch(/^<b>.*<\/b>\n\nMã <code>UH-0001<\/code>$/s);
    expect(calls[1]?.payload.reply_markup).toBeDefined();
  });

  it('a text whose HTML Telegram cannot parse goes again as plain text, keyboard and all', async () => {
    const warned: unknown[] = [];
    const { api, calls } = fakeApi(
      (method, payload) => method === 'sendMessage' && payload.parse_mode === 'HTML',
      'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 3',
    );
    const sender = createTelegramSender(api, { log: { warn: (...args: unknown[]) => warned.push(args) } });
    const message: Outbound = {
      text: `${bold('Mã')} ${code('UH-0001')} <x>`,
      choices: [[{ id: 'menu:main', label: 'Menu' }]],
    };
    expect(await sender.send('42', message)).toEqual({ ok: true });
    expect(calls.map((c) => c.payload.parse_mode)).toEqual(['HTML', undefined]);
    expect(calls[1]?.payload).toMatchObject({ text: 'Mã UH-0001 <x>', reply_markup: expect.anything() });
    expect(warned).toHaveLength(1);
  });

  it('a caption is HTML too, cut to 1,024 visible characters with its span closed', async () => {
    const { api, calls } = fakeApi();
    const sender = createTelegramSender(api, { renderPng: () => PNG });
    await sender.send('42', { text: 'x', image: { svg: '<svg/>', caption: bold('a & b '.repeat(300)) } });
    const caption = String(calls[0]?.payload.caption);
    expect(calls[0]?.payload.parse_mode).toBe('HTML');
    expect(caption).toMatch(/^<b>a &amp; b .*<\/b>$/s);
    expect(caption.replace(/<[^>]+>/g, '').replaceAll('&amp;', '&').length).toBeLessThanOrEqual(1024);
  });
});

describe('createTelegramSender with a document', () => {
  const EXPORT: Outbound = {
    text: '📎 Tiến độ theo đơn vị, kỳ tháng 2/2025 – Thành phố Bắc Kạn.',
    document: {
      kind: 'progress',
      params: { scope: [2], period: '2025-02' },
      fallbackText: 'npm run cli -- export progress …',
    },
  };
  const XLSX = Buffer.from('504b0304', 'hex');

  it('builds the file when sending and sends it as an .xlsx document with the text as caption', async () => {
    const { api, calls } = fakeApi();
    const asked: unknown[] = [];
    const sender = createTelegramSender(api, {
      buildDocument: async (document) => {
        asked.push(document);
        return { data: XLSX, fileName: 'tien-do-2025-02-2025-03-20.xlsx', mimeType: XLSX_MIME_TYPE };
      },
    });
    expect(await sender.send('42', EXPORT)).toEqual({ ok: true });
    expect(asked).toEqual([EXPORT.document]);
    expect(calls.map((c) => c.method)).toEqual(['sendDocument']);
    const file = calls[0]?.payload.document;
    expect(file).toBeInstanceOf(InputFile);
    expect((file as InputFile).filename).toMatch(/\.xlsx$/);
    expect(calls[0]?.payload.caption).toBe(EXPORT.text);
    expect(calls[0]?.payload.chat_id).toBe('42');
  });

  it('sends a Word document (an acknowledgement letter) the same way, under its .docx name', async () => {
    const { api, calls } = fakeApi();
    const letter: Outbound = {
      text: '📎 Giấy xác nhận ủng hộ số 7/GXN-BVĐ.',
      document: { kind: 'acknowledgement', params: { entryId: 12 }, fallbackText: '…' },
    };
    const DOCX = Buffer.from('504b030414', 'hex');
    const sender = createTelegramSender(api, {
      buildDocument: async () => ({ data: DOCX, fileName: 'giay-xac-nhan-7.docx', mimeType: DOCX_MIME_TYPE }),
    });
    expect(await sender.send('42', letter)).toEqual({ ok: true });
    expect(calls.map((c) => c.method)).toEqual(['sendDocument']);
    const file = calls[0]?.payload.document;
    expect(file).toBeInstanceOf(InputFile);
    expect((file as InputFile).filename).toBe('giay-xac-nhan-7.docx');
    expect(calls[0]?.payload.caption).toBe(letter.text);
  });

  it('a text with buttons follows the file as its own message, keyboard last', async () => {
    const { api, calls } = fakeApi();
    const sender = createTelegramSender(api, {
      buildDocument: async () => ({ data: XLSX, fileName: 'so-quy.xlsx', mimeType: XLSX_MIME_TYPE }),
    });
    await sender.send('42', { ...EXPORT, choices: [[{ id: 'menu:main', label: 'Menu' }]] });
    expect(calls.map((c) => c.method)).toEqual(['sendDocument', 'sendMessage']);
    expect(calls[0]?.payload.caption).toBeUndefined();
    expect(calls[1]?.payload.reply_markup).toBeDefined();
  });

  it('a file that cannot be built fails for good and nothing is sent', async () => {
    const { api, calls } = fakeApi();
    const sender = createTelegramSender(api, {
      buildDocument: async () => {
        throw new Error('export refused: unknown_period');
      },
    });
    expect(await sender.send('42', EXPORT)).toEqual({
      ok: false,
      retry: false,
      error: 'document: export refused: unknown_period',
    });
    expect(calls).toEqual([]);
  });
});

describe('createTelegramSender against the Bot API emulator', () => {
  let emulator: BotApiEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it('uploads the rendered chart as multipart, then sends the text, with the default renderer', async () => {
    emulator = await startBotApiEmulator();
    const api = new Api(emulator.token, { apiRoot: emulator.apiRoot });
    const svg = renderChartSvg({
      locale: 'vi',
      title: ['Bản tin tuần'],
      units: [{ name: 'Đức Xuân', percent: 50 }],
      organisations: [],
    });
    const result = await createTelegramSender(api).send('777', {
      ...DIGEST,
      image: { svg, caption: 'Biểu đồ' },
    });
    expect(result).toEqual({ ok: true });
    const sent = emulator.messagesTo(777);
    expect(sent.map((m) => m.method)).toEqual(['sendPhoto', 'sendMessage']);
    expect(sent[0]?.text).toBe('Biểu đồ');
    expect(String(sent[0]?.payload.photo)).toMatch(/^attach:\/\//);
    expect(sent[1]?.text).toBe(DIGEST.text);
  });

  it('the user reads the name as written and the reference in monospace', async () => {
    emulator = await startBotApiEmulator();
    const api = new Api(emulator.token, { apiRoot: emulator.apiRoot });
    const text = `${bold('Đã ghi nhận')}: Bà <Tư> & con, mã ${code('UH-0001')}`;
    expect(await createTelegramSender(api).send('777', { text })).toEqual({ ok: true });
    const shown = emulator.lastMessageTo(777);
    expect(shown?.text).toBe('Đã ghi nhận: Bà <Tư> & con, mã UH-0001');
    expect(shown?.entities).toEqual([
      { type: 'bold', offset: 0, length: 11 },
      { type: 'code', offset: 31, length: 7 },
    ]);
  });
});
