/**
 * Keep less, and keep it closed (issue 13 §8), on the real app with Telegram in webhook mode
 * against the Bot API emulator and Zalo against the Zalo emulator, logging to a captured stream:
 *
 * - the Zalo tokens in the database are encrypted (the row holds none of the tokens Zalo issued)
 *   and still work (the bot answers on Zalo after refreshing); `zalo set-token` stores the new
 *   refresh token encrypted as well, and the bot spends it;
 * - raw Zalo webhook bodies are deleted ZALO_RAW_RETENTION_DAYS after processing by the scheduler
 *   pass, and an unprocessed one is kept;
 * - 40 forged webhooks (Zalo bad signature, Telegram wrong secret token) give one warning line each
 *   kind, not 40.
 */
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../bot/app.ts';
import { loadConfig } from '../../bot/config.ts';
import { createLogger } from '../../bot/logger.ts';
import { createFixedClock } from '../../core/shared/clock.ts';
import { executeCommand, parseCommand } from '../../scripts/cli/commands.ts';
import { bothChannelsEnv, freePort, TEST_ZALO_TOKEN_KEY, tempDatabase } from '../support/app-harness.ts';
import { type BotApiEmulator, startBotApiEmulator } from '../support/bot-api-emulator.ts';
import { startZaloEmulator, type ZaloEmulator } from '../support/zalo-emulator.ts';

const SECRET = 'keep-less-secret-0001';
const DAY = 86_400_000;
const zaloUser = '8100000000000000777';

let emulator: BotApiEmulator;
let zalo: ZaloEmulator;
let db: ReturnType<typeof tempDatabase>;
let app: App | undefined;
let base = '';
let lines: string[] = [];
// Near the wall clock: Zalo events are signed with the current time and checked against the app's.
const clock = createFixedClock(new Date());
const issued: string[] = [];

beforeEach(async () => {
  lines = [];
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
    LOG_LEVEL: 'info',
    ZALO_RAW_RETENTION_DAYS: '7',
  });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  app = await createApp(config, createLogger({ level: 'info', secrets: config.secrets }, sink), {
    clock,
    outboxPollMs: 200,
    scheduler: false,
    telegramBotInfo: emulator.botInfo,
  });
  await app.start();
  base = `http://127.0.0.1:${port}`;
});

afterEach(async () => {
  await app?.stop();
  app = undefined;
  await emulator.close();
  await zalo.close();
  await db.cleanup();
});

function current(): App {
  if (!app) {
    throw new Error('app not started');
  }
  return app;
}

/** A follow delivered signed, answered by the bot (which needs a working access token). */
async function followAndWait(): Promise<void> {
  const before = zalo.messagesTo(zaloUser).length;
  expect((await zalo.deliver(`${base}/zalo/webhook`, zalo.follow(zaloUser))).status).toBe(200);
  await zalo.waitForMessages(zaloUser, before + 1);
  await current().processor.flush();
}

describe('keep less, and keep it closed', () => {
  it('stores the Zalo tokens encrypted, and they still work', async () => {
    await followAndWait();
    const rows = await current()
      .db.kysely.selectFrom('ZaloToken')
      .select(['accessToken', 'refreshToken'])
      .execute();
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows);
    const used = [
      ...issued,
      ...zalo.refreshRequests.map((r) => r.refreshToken),
      ...zalo.calls.map((c) => c.headers.access_token ?? '').filter(Boolean),
    ];
    expect(used.length).toBeGreaterThanOrEqual(3);
    for (const token of used) {
      expect(stored).not.toContain(token);
    }
    expect(String(rows[0]?.accessToken)).toMatch(/^enc:v1:/);
    expect(String(rows[0]?.refreshToken)).toMatch(/^enc:v1:/);
    // Read back and decrypted from the row: the next answer needs no new refresh.
    const refreshes = zalo.refreshRequests.length;
    const before = zalo.messagesTo(zaloUser).length;
    expect((await zalo.deliver(`${base}/zalo/webhook`, zalo.userSendText(zaloUser, '/help'))).status).toBe(
      200,
    );
    await zalo.waitForMessages(zaloUser, before + 1);
    expect(zalo.refreshRequests).toHaveLength(refreshes);

    // `zalo set-token` stores the admin's new refresh token encrypted too, and the bot spends it.
    const fresh = zalo.issueTokens().refreshToken;
    await executeCommand(parseCommand(['zalo', 'set-token', fresh]), {
      prisma: current().prisma,
      db: current().db,
      now: clock.now(),
      out: () => undefined,
      zaloTokenKey: Buffer.from(TEST_ZALO_TOKEN_KEY, 'hex'),
    });
    const replaced = await current().db.kysely.selectFrom('ZaloToken').select('refreshToken').execute();
    expect(replaced[0]?.refreshToken).toMatch(/^enc:v1:/);
    expect(JSON.stringify(replaced)).not.toContain(fresh);
    const count = zalo.messagesTo(zaloUser).length;
    expect((await zalo.deliver(`${base}/zalo/webhook`, zalo.userSendText(zaloUser, '/help'))).status).toBe(
      200,
    );
    await zalo.waitForMessages(zaloUser, count + 1);
    expect(zalo.refreshRequests.at(-1)?.refreshToken).toBe(fresh);
  });

  it('deletes processed raw webhook bodies after ZALO_RAW_RETENTION_DAYS and keeps unprocessed ones', async () => {
    const target = current();
    await followAndWait();
    // An event that could not be processed (given up on): kept for the operator.
    await target.db.kysely
      .insertInto('InboundEvent')
      .values({
        channel: 'zalo',
        externalId: 'stuck-1',
        payload: '{"raw":"body"}',
        receivedAt: clock.now(),
        attempts: 99,
        lastError: 'failed',
      })
      .execute();
    const raw = () =>
      target.db.kysely
        .selectFrom('InboundEvent')
        .select(['externalId', 'processedAt'])
        .orderBy('id')
        .execute();
    const all = await raw();
    expect(all.filter((r) => r.processedAt !== null)).toHaveLength(1);
    expect(all).toHaveLength(2);

    await target.scheduler.runOnce(new Date(clock.now().getTime() + 6 * DAY));
    expect(await raw()).toHaveLength(2);

    await target.scheduler.runOnce(new Date(clock.now().getTime() + 7 * DAY + 60_000));
    expect((await raw()).map((r) => r.externalId)).toEqual(['stuck-1']);
    expect(
      lines.some((l) => l.includes('processed raw webhook bodies deleted') && l.includes('"pruned":1')),
    ).toBe(true);
  });

  it('logs one warning for 20 forged Zalo events and one for 20 forged Telegram updates', async () => {
    for (let i = 0; i < 20; i++) {
      const zaloStatus = (
        await zalo.deliver(`${base}/zalo/webhook`, zalo.userSendText(zaloUser, `giả ${i}`), {
          secret: 'not-the-oa-secret',
        })
      ).status;
      expect(zaloStatus).toBe(401);
      const response = await fetch(`${base}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': `wrong-${i}` },
        body: JSON.stringify({ update_id: 700 + i }),
      });
      await response.arrayBuffer();
      expect(response.status).toBe(401);
    }
    const zaloWarnings = lines.filter((l) => l.includes('zalo webhook refused'));
    const telegramWarnings = lines.filter((l) => l.includes('telegram webhook refused'));
    expect(zaloWarnings).toHaveLength(1);
    expect(telegramWarnings).toHaveLength(1);
    expect(JSON.parse(zaloWarnings[0] ?? '{}')).toMatchObject({ level: 40, reason: 'signature mismatch' });
  });
});
