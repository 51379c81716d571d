/**
 * No secret and no personal number in the logs. The real app is built with `createApp` (as
 * bot/main.ts and test/support/app-harness.ts do) with a pino logger at `trace` writing into a
 * buffer: Telegram in webhook mode against the Bot API emulator, Zalo against the Zalo emulator.
 * A representative session runs through it:
 * - a donor registers a pledge on Telegram and gives a phone number;
 * - an officer registers with an invite code and adds a household whose code is a CCCD number;
 * - a citizen sends feedback on Zalo quoting a CCCD and a phone number;
 * - the emulators fail: Telegram refuses a send (400) with a proxy-style description that echoes
 *   the request path (with the bot token) and the text (with the phone number); Zalo answers a send
 *   with error -501 whose message echoes the phone and CCCD numbers; the token endpoint fails once
 *   (HTTP 502); the Zalo access token is revoked, so the app refreshes it (twice in the session);
 * - forged and stale Zalo webhooks are refused, a forged Telegram webhook too.
 * Then every log line is scanned for the Telegram token and webhook secret, the Zalo app secret,
 * OA secret key and every access and refresh token seen in the session (issued, used in calls,
 * stored), the phone and ID numbers used, and any number that looks like a phone (0 + 9 digits,
 * 84 + 9 digits) or a CCCD (12 digits). Positive controls make sure the failures were logged.
 *
 * Load-bearing (checked by hand, then restored): made the scrubber of bot/logger.ts `createLogger`
 * return its input unchanged: "nothing secret or personal …" failed, listing the bot token and
 * 0912345678 in the "outbox send failed" line and 0987654321 / 001099012345 in "Zalo refused the
 * request".
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../bot/app.ts';
import { loadConfig } from '../../bot/config.ts';
import { createLogger } from '../../bot/logger.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import { bothChannelsEnv, freePort, seedFixture, tempDatabase } from '../support/app-harness.ts';
import { type BotApiEmulator, type EmulatorUser, startBotApiEmulator } from '../support/bot-api-emulator.ts';
import { type Row, rawRows } from '../support/raw-sql.ts';
import { startZaloEmulator, type ZaloEmulator } from '../support/zalo-emulator.ts';

// ---------------------------------------------------------------------------------------------
// The one door to the database (the app's `db` is becoming the async SqlDb: both shapes are
// accepted here and nowhere else).

function rows(db: SqlDb, text: string): Promise<Row[]> {
  return rawRows(db, text);
}

// ---------------------------------------------------------------------------------------------

const SECRET = 'log-scan-webhook-secret-42';
const DONOR_PHONE = '0912345678';
const CITIZEN_PHONE = '0987654321';
const HOUSEHOLD_CCCD = '001058012345';
const CITIZEN_CCCD = '001099012345';
const PERSONAL = [DONOR_PHONE, CITIZEN_PHONE, HOUSEHOLD_CCCD, CITIZEN_CCCD, '84912345678', '84987654321'];
const LOOKS_PERSONAL = [/(?<!\d)0\d{9}(?!\d)/, /(?<!\d)84\d{9}(?!\d)/, /(?<!\d)\d{12}(?!\d)/];

const donor: EmulatorUser = { id: 7301, first_name: 'Sáu', language_code: 'vi' };
const officer: EmulatorUser = { id: 7302, first_name: 'Bảy', language_code: 'vi' };
const citizen = '8100000000000000777';

let emulator: BotApiEmulator;
let zalo: ZaloEmulator;
let db: ReturnType<typeof tempDatabase>;
let app: App;
let base = '';
const lines: string[] = [];
const issued: string[] = [];

function buttons(user: EmulatorUser): string[] {
  const markup = emulator.lastMessageTo(user.id)?.replyMarkup as
    | { inline_keyboard?: { callback_data?: string }[][] }
    | undefined;
  return (markup?.inline_keyboard ?? []).flat().map((b) => b.callback_data ?? '');
}

async function say(user: EmulatorUser, text: string): Promise<string> {
  const before = emulator.messagesTo(user.id).length;
  emulator.sendText(user, text);
  return (await emulator.waitForMessages(user.id, before + 1, 8000)).at(-1)?.text ?? '';
}

/** Presses the first button of the last message whose data starts with `prefix`. */
async function press(user: EmulatorUser, prefix: string): Promise<string> {
  const last = emulator.lastMessageTo(user.id);
  const data = buttons(user).find((b) => b.startsWith(prefix)) ?? prefix;
  if (!last) {
    throw new Error('no message to press on');
  }
  const before = emulator.messagesTo(user.id).length;
  emulator.pressButton(user, last.messageId, data);
  return (await emulator.waitForMessages(user.id, before + 1, 8000)).at(-1)?.text ?? '';
}

async function waitFor(condition: () => boolean, timeoutMs = 8000): Promise<void> {
  for (const started = Date.now(); !condition(); ) {
    if (Date.now() - started > timeoutMs) {
      throw new Error('timed out');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function zaloSay(text: string): Promise<string> {
  const before = zalo.messagesTo(citizen).length;
  const { status } = await zalo.deliver(`${base}/zalo/webhook`, zalo.userSendText(citizen, text));
  expect(status).toBe(200);
  return (await zalo.waitForMessages(citizen, before + 1, 8000)).at(-1)?.text ?? '';
}

beforeAll(async () => {
  emulator = await startBotApiEmulator();
  zalo = await startZaloEmulator();
  db = tempDatabase();
  const port = await freePort();
  const tokens = zalo.issueTokens();
  issued.push(tokens.accessToken, tokens.refreshToken);
  const config = loadConfig({
    ...bothChannelsEnv({
      databaseUrl: db.url,
      port,
      secret: SECRET,
      refreshToken: tokens.refreshToken,
      telegram: emulator,
      zalo,
    }),
    LOG_LEVEL: 'trace',
  });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const log = createLogger({ level: 'trace', secrets: config.secrets }, sink);
  // The Bắc Kạn campaign as it ran, open for the pledge (a token bot would seed its closed history).
  await seedFixture(db.url, new Date());
  app = await createApp(config, log, {
    outboxPollMs: 200,
    scheduler: false,
    telegramBotInfo: emulator.botInfo,
  });
  await app.start();
  base = `http://127.0.0.1:${port}`;

  // A donor pledges on Telegram and gives a phone number.
  expect(await say(donor, '/ungho')).toContain('Người ủng hộ là');
  await press(donor, 'donorKind:individual');
  await say(donor, 'Lò Thị Sáu');
  await say(donor, DONOR_PHONE);
  await press(donor, 'workplace:');
  await press(donor, 'kind:money');
  await say(donor, '2tr');
  await press(donor, 'level:');
  if (buttons(donor).some((b) => b.startsWith('target:'))) {
    await press(donor, 'target:0');
  }
  await press(donor, 'dueOn:');
  await press(donor, 'publicName:no');
  expect(await press(donor, '@confirm:yes')).toContain('Số đăng ký: UH-');
  // The next send is refused by a proxy whose error page echoes the request (the path with the
  // token, the text with the phone). A 4xx is not retried: it goes straight to the outbox's log.
  emulator.failNext('sendMessage', 1, {
    error_code: 400,
    description: `Bad Request: proxy rejected POST /bot${emulator.token}/sendMessage (chat ${donor.id}, text "SĐT ${DONOR_PHONE}")`,
  });
  emulator.sendText(donor, '/help');
  await waitFor(() =>
    lines.some((l) => l.includes('outbox send failed') && l.includes('"channel":"telegram"')),
  );

  // An officer registers and adds a household whose code is a CCCD number.
  // A token bot refuses the demo invite: the officer's invite is made as the CLI makes one.
  const commune = await app.prisma.unit.findFirstOrThrow({
    orderBy: { validFrom: 'desc' },
    where: { code: '01852' },
  });
  await app.prisma.invite.create({
    data: {
      code: 'KQ7M2XPB',
      role: 'unit_officer',
      unitId: commune.id,
      createdBy: 'cli',
      expiresAt: new Date(Date.now() + 86_400_000),
    },
  });
  expect(await say(officer, '/start KQ7M2XPB')).toContain('Đăng ký thành công');
  expect(await press(officer, 'menu:hhadd')).toContain('Mã hộ');
  for (const answer of [HOUSEHOLD_CCCD, 'Thôn Nà Pài', 'Hà Văn Bảy', '1950']) {
    await say(officer, answer);
  }
  await press(officer, 'category:poor');
  await press(officer, 'need:new_build');
  for (const step of ['foundationDurable:no', 'frameDurable:no', 'roofDurable:no']) {
    await press(officer, step);
  }
  await say(officer, '24');
  await say(officer, '3');
  for (const step of ['landLegal:yes', 'landDisputed:no', 'inLandslideZone:no', 'confirmedByCommune:yes']) {
    await press(officer, step);
  }
  expect(await press(officer, '@confirm:yes')).toContain(HOUSEHOLD_CCCD);

  // A citizen sends feedback on Zalo quoting a CCCD and a phone; the access token is revoked on the
  // way (refreshed, after one failed refresh), and one send is refused with the numbers echoed.
  zalo.failNext(
    '/v4/oa/access_token',
    1,
    { error: -32, message: 'upstream proxy error' },
    { httpStatus: 502 },
  );
  expect(await zaloSay('phản ánh')).toContain('1.');
  await zaloSay('1');
  zalo.expireAccessToken();
  await zaloSay('1');
  await zaloSay(`Hộ bà Lý, CCCD ${CITIZEN_CCCD}, SĐT ${CITIZEN_PHONE}, nhà dột nát chưa được hỗ trợ`);
  await zaloSay('không');
  await zaloSay('không');
  zalo.failNext('/v3.0/oa/message/cs', 1, {
    error: -501,
    message: `Internal error sending to ${CITIZEN_PHONE} (CCCD ${CITIZEN_CCCD})`,
  });
  expect(await zaloSay('1')).toContain('PA-');

  // Forged and stale webhooks.
  const forged = await zalo.deliver(`${base}/zalo/webhook`, zalo.userSendText(citizen, CITIZEN_PHONE), {
    secret: 'wrong-key',
  });
  expect(forged.status).toBe(401);
  const stale = await zalo.deliver(
    `${base}/zalo/webhook`,
    zalo.userSendText(citizen, CITIZEN_CCCD, { timestamp: Date.now() - 3_600_000 }),
  );
  expect(stale.status).toBe(401);
  const telegramForged = await fetch(`${base}/telegram/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'nope-nope-nope' },
    body: JSON.stringify({ update_id: 1, message: { text: DONOR_PHONE } }),
  });
  expect(telegramForged.status).toBe(401);
  await app.processor.flush();
  await app.dispatcher.flush();
}, 90_000);

afterAll(async () => {
  await app?.stop();
  await emulator?.close();
  await zalo?.close();
  await db?.cleanup();
});

describe('the logs of a whole session at trace level', () => {
  it('logged the failures the session provoked (so the scan below reads something)', () => {
    const messages = lines.map((l) => String((JSON.parse(l) as { msg?: string }).msg));
    for (const expected of [
      'outbox send failed',
      'Zalo refused the request',
      'Zalo token refresh failed; will retry',
      'Zalo access token refreshed',
      'zalo webhook refused',
      'zalo webhook refused: timestamp outside the window',
      'telegram webhook set',
    ]) {
      expect(messages, expected).toContain(expected);
    }
    expect(messages.filter((m) => m === 'Zalo access token refreshed').length).toBeGreaterThanOrEqual(2);
    const failed = lines.filter((l) => l.includes('outbox send failed'));
    expect(failed.some((l) => l.includes('"channel":"telegram"') && l.includes('proxy rejected'))).toBe(true);
    expect(failed.some((l) => l.includes('"channel":"zalo"') && l.includes('Internal error sending'))).toBe(
      true,
    );
    expect(lines.length).toBeGreaterThan(20);
  });

  it('nothing secret or personal reaches a log line', async () => {
    const stored = await rows(app.db, 'SELECT "accessToken", "refreshToken" FROM "ZaloToken"');
    const tokens = new Set<string>([
      ...issued,
      ...zalo.refreshRequests.map((r) => r.refreshToken),
      ...zalo.calls.map((c) => c.headers.access_token ?? '').filter(Boolean),
      ...stored.flatMap((r) => [String(r.accessToken), String(r.refreshToken)]),
    ]);
    expect(tokens.size).toBeGreaterThanOrEqual(5);
    const secrets: [string, string][] = [
      ['telegram token', emulator.token],
      ['telegram token secret part', emulator.token.split(':')[1] ?? ''],
      ['webhook secret', SECRET],
      ['zalo app secret', zalo.appSecret],
      ['zalo oa secret key', zalo.oaSecretKey],
      ...[...tokens].map((t): [string, string] => ['zalo token', t]),
      ...PERSONAL.map((p): [string, string] => ['personal number', p]),
    ];
    const leaks: string[] = [];
    for (const line of lines) {
      for (const [what, value] of secrets) {
        if (value.length >= 6 && line.includes(value)) {
          leaks.push(`${what} ${value}: ${line.slice(0, 300)}`);
        }
      }
      for (const pattern of LOOKS_PERSONAL) {
        const found = pattern.exec(line);
        if (found) {
          leaks.push(`looks like a phone or CCCD (${found[0]}): ${line.slice(0, 300)}`);
        }
      }
    }
    expect(leaks).toEqual([]);
    // The scrubber did its work where the failures echoed them.
    expect(lines.join('\n')).toContain('[secret]');
    expect(lines.join('\n')).toContain('[number]');
  });
});
