import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bot, GrammyError, InlineKeyboard, InputFile, webhookCallback } from 'grammy';
import type { Update } from 'grammy/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BotApiEmulator, EmulatorUser } from './bot-api-emulator.ts';
import { startBotApiEmulator } from './bot-api-emulator.ts';

const alice: EmulatorUser = { id: 1001, first_name: 'Alice', username: 'alice', language_code: 'vi' };
const bob: EmulatorUser = { id: 1002, first_name: 'Bob' };

const keyboard = () => new InlineKeyboard().text('Yes', 'answer:yes').text('No', 'answer:no');

let emulator: BotApiEmulator;
let cleanups: Array<() => Promise<void>> = [];

beforeEach(async () => {
  emulator = await startBotApiEmulator();
  cleanups = [];
});

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) {
    await cleanup();
  }
  await emulator.close();
});

function createBot(): { bot: Bot; errors: unknown[]; seenUpdateIds: number[] } {
  const bot = new Bot(emulator.token, { client: { apiRoot: emulator.apiRoot } });
  const errors: unknown[] = [];
  const seenUpdateIds: number[] = [];
  bot.use(async (ctx, next) => {
    seenUpdateIds.push(ctx.update.update_id);
    await next();
  });
  bot.command('start', async (ctx) => {
    await ctx.reply(`Xin chào ${ctx.from?.first_name ?? '?'}! payload=${ctx.match}`);
  });
  bot.on('message:photo', async (ctx) => {
    const largest = ctx.message.photo.at(-1);
    await ctx.reply(`photo ${largest?.file_id ?? '?'} caption=${ctx.message.caption ?? ''}`);
  });
  bot.on('message:text', async (ctx) => {
    await ctx.reply(`echo: ${ctx.message.text}`, { reply_markup: keyboard() });
  });
  bot.on('callback_query:data', async (ctx) => {
    await ctx.answerCallbackQuery({ text: `chose ${ctx.callbackQuery.data}` });
    await ctx.editMessageText(`You chose ${ctx.callbackQuery.data}`);
  });
  bot.catch((error) => {
    errors.push(error.error);
  });
  return { bot, errors, seenUpdateIds };
}

/** Starts long polling and resolves once grammY is polling; stops the bot in afterEach. */
async function startPolling(bot: Bot): Promise<void> {
  let startError: unknown;
  const started = new Promise<void>((resolve) => {
    const running = bot.start({ drop_pending_updates: false, onStart: () => resolve() });
    running.catch((error: unknown) => {
      startError = error;
      resolve();
    });
    cleanups.push(async () => {
      await bot.stop();
      await running.catch(() => undefined);
    });
  });
  await started;
  if (startError !== undefined) {
    throw startError;
  }
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve());
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const address = server.address() as AddressInfo;
  return `http://127.0.0.1:${address.port}/telegram`;
}

async function rawCall(method: string, payload: Record<string, unknown>, token = emulator.token) {
  const response = await fetch(`${emulator.apiRoot}/bot${token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  const body: unknown = await response.json();
  return { status: response.status, body };
}

function expectGrammyError(error: unknown): GrammyError {
  expect(error).toBeInstanceOf(GrammyError);
  if (!(error instanceof GrammyError)) {
    throw new Error('unreachable');
  }
  return error;
}

describe('bot API emulator with grammY long polling', () => {
  it('answers getMe with the bot info and records the startup calls', async () => {
    const { bot } = createBot();
    await startPolling(bot);
    expect(bot.botInfo).toEqual(emulator.botInfo);
    expect(bot.botInfo).toMatchObject({ id: 123456, is_bot: true, username: 'emulator_bot' });
    const methods = emulator.calls.map((call) => call.method);
    expect(methods).toContain('getMe');
    expect(methods).toContain('deleteWebhook');
  });

  it('replies to /start and text, sends an inline keyboard and answers callback queries', async () => {
    const { bot, errors } = createBot();
    await startPolling(bot);

    const start = emulator.sendText(alice, '/start abc');
    expect(start.message?.entities).toEqual([{ type: 'bot_command', offset: 0, length: 6 }]);
    expect(start.message?.chat).toMatchObject({ id: alice.id, type: 'private', first_name: 'Alice' });

    const [greeting] = await emulator.waitForMessages(alice.id, 1);
    expect(greeting).toMatchObject({
      method: 'sendMessage',
      chatId: alice.id,
      text: 'Xin chào Alice! payload=abc',
    });

    emulator.sendText(alice, 'hello');
    const afterText = await emulator.waitForMessages(alice.id, 2);
    const echo = afterText[1];
    expect(echo).toMatchObject({ method: 'sendMessage', text: 'echo: hello' });
    expect(echo?.replyMarkup).toEqual({
      inline_keyboard: [
        [
          { text: 'Yes', callback_data: 'answer:yes' },
          { text: 'No', callback_data: 'answer:no' },
        ],
      ],
    });
    // Message ids are per chat and shared with the user's messages: /start=1, greeting=2, hello=3, echo=4.
    expect(greeting?.messageId).toBe(2);
    expect(echo?.messageId).toBe(4);

    const press = emulator.pressButton(alice, echo?.messageId ?? -1, 'answer:yes');
    expect(press.callback_query?.message).toMatchObject({ message_id: 4, text: 'echo: hello' });
    await expect.poll(() => emulator.editsTo(alice.id).length).toBe(1);
    // An edit is no new message: the chat's messages stay two, the edited one shows its new text.
    expect(emulator.editsTo(alice.id)[0]).toMatchObject({
      method: 'editMessageText',
      messageId: 4,
      text: 'You chose answer:yes',
    });
    expect(emulator.callbackAnswers).toEqual([
      { callback_query_id: press.callback_query?.id, text: 'chose answer:yes' },
    ]);
    expect(emulator.messagesTo(alice.id)).toHaveLength(2);
    expect(emulator.messageIn(alice.id, 4)).toMatchObject({ text: 'You chose answer:yes' });
    expect(emulator.messageIn(alice.id, 4)?.reply_markup).toBeUndefined();
    expect(emulator.messagesTo(bob.id)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('delivers photos with the requested file id as the largest size', async () => {
    const { bot } = createBot();
    await startPolling(bot);
    const update = emulator.sendPhoto(bob, 'AgACphoto1', 'Nhà số 5');
    expect(update.message?.photo?.at(-1)?.file_id).toBe('AgACphoto1');
    const [reply] = await emulator.waitForMessages(bob.id, 1);
    expect(reply?.text).toBe('photo AgACphoto1 caption=Nhà số 5');
  });

  it('redelivers the very same update with the same update_id', async () => {
    const { bot, seenUpdateIds } = createBot();
    await startPolling(bot);
    const update = emulator.sendText(alice, 'once');
    await emulator.waitForMessages(alice.id, 1);
    emulator.redeliver(update);
    const replies = await emulator.waitForMessages(alice.id, 2);
    expect(replies.map((reply) => reply.text)).toEqual(['echo: once', 'echo: once']);
    expect(seenUpdateIds.filter((id) => id === update.update_id)).toHaveLength(2);

    // Later updates still flow normally after the redelivery.
    const next = emulator.sendText(alice, 'twice');
    expect(next.update_id).toBeGreaterThan(update.update_id);
    await emulator.waitForMessages(alice.id, 3);
  });

  it('injects failures that surface as GrammyError in bot.catch', async () => {
    const { bot, errors } = createBot();
    await startPolling(bot);
    emulator.failNext('sendMessage', 1, {
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    });
    emulator.sendText(alice, 'first');
    await vi.waitFor(() => expect(errors).toHaveLength(1), { timeout: 5000 });
    const error = expectGrammyError(errors[0]);
    expect(error.error_code).toBe(429);
    expect(error.method).toBe('sendMessage');
    expect(error.parameters.retry_after).toBe(1);
    expect(emulator.sent).toEqual([]);

    emulator.sendText(alice, 'second');
    const [reply] = await emulator.waitForMessages(alice.id, 1);
    expect(reply?.text).toBe('echo: second');
    expect(emulator.calls.filter((call) => call.method === 'sendMessage')).toHaveLength(2);
  });

  it('rejects waitForMessages with a clear error listing what was sent', async () => {
    const { bot } = createBot();
    await startPolling(bot);
    emulator.sendText(alice, 'ping');
    await emulator.waitForMessages(alice.id, 1);
    await expect(emulator.waitForMessages(alice.id, 2, 200)).rejects.toThrow(
      /timed out after 200 ms waiting for 2 message\(s\) to chat 1001; got 1:[\s\S]*echo: ping/,
    );
  });
});

describe('bot API emulator with grammY webhooks', () => {
  it('posts queued updates to the webhook with the secret token, retrying non-2xx answers', async () => {
    const { bot, seenUpdateIds } = createBot();
    const secretToken = 'webhook-secret_123';
    const handle = webhookCallback(bot, 'http', { secretToken });
    const secrets: Array<string | undefined> = [];
    let failFirst = true;
    const server = http.createServer((req, res) => {
      const header = req.headers['x-telegram-bot-api-secret-token'];
      secrets.push(Array.isArray(header) ? header[0] : header);
      if (failFirst) {
        failFirst = false;
        req.resume();
        res.writeHead(500).end();
        return;
      }
      handle(req, res).catch(() => {
        if (!res.headersSent) {
          res.writeHead(500);
        }
        res.end();
      });
    });
    const url = await listen(server);

    await bot.api.setWebhook(url, { secret_token: secretToken });
    expect(emulator.webhookUrl).toBe(url);
    const info = await bot.api.getWebhookInfo();
    expect(info.url).toBe(url);

    const update = emulator.sendText(alice, '/start web');
    const [reply] = await emulator.waitForMessages(alice.id, 1);
    expect(reply?.text).toBe('Xin chào Alice! payload=web');
    expect(secrets).toEqual([secretToken, secretToken]);
    expect(seenUpdateIds).toEqual([update.update_id]);

    // getUpdates is refused while a webhook is active, like Telegram does.
    const conflict = await bot.api.getUpdates().catch((error: unknown) => error);
    expect(expectGrammyError(conflict).error_code).toBe(409);

    emulator.sendText(alice, 'in order 1');
    emulator.sendText(alice, 'in order 2');
    const replies = await emulator.waitForMessages(alice.id, 3);
    expect(replies.map((message) => message.text)).toEqual([
      'Xin chào Alice! payload=web',
      'echo: in order 1',
      'echo: in order 2',
    ]);

    await bot.api.deleteWebhook();
    expect(emulator.webhookUrl).toBe('');
    expect((await bot.api.getWebhookInfo()).url).toBe('');
  });
});

describe('bot API emulator protocol details', () => {
  it('answers unknown methods with 404 and wrong tokens with 401', async () => {
    expect(await rawCall('fooBar', {})).toEqual({
      status: 404,
      body: { ok: false, error_code: 404, description: 'Not Found: method not found' },
    });
    expect(await rawCall('getMe', {}, '999:WRONG')).toEqual({
      status: 401,
      body: { ok: false, error_code: 401, description: 'Unauthorized' },
    });
    const wrongBot = new Bot('999:WRONG', { client: { apiRoot: emulator.apiRoot } });
    const error = await wrongBot.api.getMe().catch((caught: unknown) => caught);
    expect(expectGrammyError(error).error_code).toBe(401);
  });

  it('validates message length and callback data size', async () => {
    const bot = new Bot(emulator.token, { client: { apiRoot: emulator.apiRoot } });
    await expect(bot.api.sendMessage(alice.id, 'x'.repeat(4096))).resolves.toMatchObject({ message_id: 1 });
    // HTML tags do not count towards the limit.
    await expect(
      bot.api.sendMessage(alice.id, `<b>${'x'.repeat(4096)}</b>`, { parse_mode: 'HTML' }),
    ).resolves.toMatchObject({ message_id: 2 });
    const tooLong = await bot.api.sendMessage(alice.id, 'x'.repeat(4097)).catch((error: unknown) => error);
    expect(expectGrammyError(tooLong)).toMatchObject({
      error_code: 400,
      description: 'Bad Request: message is too long',
    });
    const badData = await bot.api
      .sendMessage(alice.id, 'choose', { reply_markup: new InlineKeyboard().text('x', 'y'.repeat(65)) })
      .catch((error: unknown) => error);
    expect(expectGrammyError(badData)).toMatchObject({
      error_code: 400,
      description: 'Bad Request: BUTTON_DATA_INVALID',
    });
    // 64 bytes is fine, also when multi-byte characters make up the bytes.
    await expect(
      bot.api.sendMessage(alice.id, 'choose', {
        reply_markup: new InlineKeyboard().text('x', 'ệ'.repeat(21)),
      }),
    ).resolves.toMatchObject({ message_id: 3 });
    expect(emulator.sent).toHaveLength(3);
  });

  it('parses HTML like Telegram: visible text, entities, and 400 for markup it cannot parse', async () => {
    const bot = new Bot(emulator.token, { client: { apiRoot: emulator.apiRoot } });
    const html = '<b>Mã 🏠</b> <code>UH-0001</code> &lt;Bà Tư &amp; con&gt; & <i>x</i>';
    const sent = await bot.api.sendMessage(alice.id, html, { parse_mode: 'HTML' });
    const visible = 'Mã 🏠 UH-0001 <Bà Tư & con> & x';
    expect(sent.text).toBe(visible);
    // Offsets count UTF-16 units: the emoji is two.
    expect(sent.entities).toEqual([
      { type: 'bold', offset: 0, length: 5 },
      { type: 'code', offset: 6, length: 7 },
      { type: 'italic', offset: 30, length: 1 },
    ]);
    expect(emulator.lastMessageTo(alice.id)).toMatchObject({ text: visible, raw: html });
    for (const [bad, reason] of [
      ['a < b', 'Unsupported start tag'],
      ['<b>open', 'Can\'t find end tag corresponding to start tag "b"'],
      ['<b><code>x</b></code>', 'Unmatched end tag'],
      ['<p>x</p>', 'Unsupported start tag "p"'],
    ] as const) {
      const error = await bot.api.sendMessage(alice.id, bad, { parse_mode: 'HTML' }).catch((e: unknown) => e);
      expect(expectGrammyError(error).description).toContain(`Bad Request: can't parse entities: ${reason}`);
    }
    // Without a parse mode the same text is shown as it is.
    await expect(bot.api.sendMessage(alice.id, 'a < b')).resolves.toMatchObject({ text: 'a < b' });
  });

  it('edits messages and rejects edits that change nothing', async () => {
    const bot = new Bot(emulator.token, { client: { apiRoot: emulator.apiRoot } });
    const sent = await bot.api.sendMessage(alice.id, 'pick', { reply_markup: keyboard() });
    expect(sent).toMatchObject({
      chat: { id: alice.id, type: 'private' },
      from: { id: emulator.botInfo.id, is_bot: true },
      text: 'pick',
      reply_markup: { inline_keyboard: [[{ text: 'Yes' }, { text: 'No' }]] },
    });
    const edited = await bot.api.editMessageReplyMarkup(alice.id, sent.message_id, {
      reply_markup: new InlineKeyboard().text('Done', 'done'),
    });
    expect(edited).toMatchObject({ message_id: sent.message_id, text: 'pick' });
    const same = await bot.api
      .editMessageReplyMarkup(alice.id, sent.message_id, {
        reply_markup: new InlineKeyboard().text('Done', 'done'),
      })
      .catch((error: unknown) => error);
    expect(expectGrammyError(same).description).toMatch(/^Bad Request: message is not modified/);
    const missing = await bot.api.editMessageText(alice.id, 999, 'nope').catch((error: unknown) => error);
    expect(expectGrammyError(missing).description).toBe('Bad Request: message to edit not found');
    expect(emulator.sent.map((message) => message.method)).toEqual(['sendMessage', 'editMessageReplyMarkup']);
  });

  it('accepts multipart uploads and records their non-file fields', async () => {
    const bot = new Bot(emulator.token, { client: { apiRoot: emulator.apiRoot } });
    const message = await bot.api.sendDocument(
      alice.id,
      new InputFile(Buffer.from('a,b\n1,2\n'), 'report.csv'),
      {
        caption: 'Báo cáo tuần',
        reply_markup: keyboard(),
      },
    );
    expect(message.document).toMatchObject({ file_name: 'report.csv', file_size: 8 });
    expect(message.caption).toBe('Báo cáo tuần');
    const recorded = emulator.lastMessageTo(alice.id);
    expect(recorded).toMatchObject({ method: 'sendDocument', chatId: alice.id, text: 'Báo cáo tuần' });
    expect(recorded?.replyMarkup).toEqual({ inline_keyboard: keyboard().inline_keyboard });
    expect(recorded?.payload.document).toMatch(/^attach:\/\//);

    const photo = await bot.api.sendPhoto(bob.id, 'AgACexisting', { caption: 'ảnh' });
    expect(photo.photo?.at(-1)?.file_id).toBe('AgACexisting');
    expect(emulator.lastMessageTo(bob.id)).toMatchObject({ method: 'sendPhoto', text: 'ảnh' });
  });

  it('honours offset and limit, and terminates an older pending getUpdates with 409', async () => {
    const first = emulator.sendText(alice, 'one');
    const second = emulator.sendText(bob, 'two');
    expect(second.update_id).toBe(first.update_id + 1);
    expect(await rawCall('getUpdates', { limit: 1 })).toMatchObject({ body: { ok: true, result: [first] } });
    expect(await rawCall('getUpdates', {})).toMatchObject({ body: { ok: true, result: [first, second] } });
    expect(await rawCall('getUpdates', { offset: second.update_id + 1 })).toMatchObject({
      body: { ok: true, result: [] },
    });
    expect(emulator.pendingUpdateCount).toBe(0);

    const older = rawCall('getUpdates', { offset: second.update_id + 1, timeout: 10 });
    await vi.waitFor(() =>
      expect(emulator.calls.filter((call) => call.method === 'getUpdates')).toHaveLength(4),
    );
    const newer = rawCall('getUpdates', { offset: second.update_id + 1, timeout: 10 });
    expect(await older).toMatchObject({ status: 409, body: { ok: false, error_code: 409 } });
    await vi.waitFor(() =>
      expect(emulator.calls.filter((call) => call.method === 'getUpdates')).toHaveLength(5),
    );
    const third = emulator.sendText(alice, 'three');
    expect(await newer).toMatchObject({ status: 200, body: { ok: true, result: [third] } });
  });

  it('ends pending long polls promptly on close', async () => {
    const pending = rawCall('getUpdates', { timeout: 30 });
    await vi.waitFor(() => expect(emulator.calls).toHaveLength(1));
    const started = Date.now();
    await emulator.close();
    expect(await pending).toEqual({ status: 200, body: { ok: true, result: [] } });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('keeps update ids increasing and returns Update objects', () => {
    const updates: Update[] = [
      emulator.sendText(alice, 'a'),
      emulator.sendPhoto(alice, 'file'),
      emulator.sendText(bob, '/help@emulator_bot now'),
    ];
    const ids = updates.map((update) => update.update_id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(3);
    expect(updates[2]?.message?.entities).toEqual([{ type: 'bot_command', offset: 0, length: 18 }]);
    expect(() => emulator.pressButton(alice, 42, 'x')).toThrow(/no message #42 in chat 1001/);
  });
});
