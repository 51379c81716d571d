import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PEOPLE } from '../prisma/seed.ts';
import { openSqlDb } from '../prisma/sql-db.ts';
import { seedFixture, tempDatabase } from './support/app-harness.ts';
import { type BotApiEmulator, startBotApiEmulator } from './support/bot-api-emulator.ts';

/**
 * Issue 6: the bot process is killed (SIGKILL) in the middle of a fan-out of reminders and
 * restarted; every reminder still owed is sent, each exactly once. The crash is placed where a
 * send had not reached Telegram (the emulator refuses it as the process dies): a send Telegram
 * accepted but whose answer the process never saw cannot be told apart from a lost one by any
 * client, and is sent again after a restart (at least once) — docs/architecture.md says so.
 */

const run = promisify(execFile);
const OFFICERS = 240;
const FIRST_CHAT = 50_000;
let emulator: BotApiEmulator;
let db: ReturnType<typeof tempDatabase>;
let bot: ChildProcess | undefined;

function env(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: db.url,
    PORT: '0',
    TELEGRAM_BOT_TOKEN: emulator.token,
    TELEGRAM_API_ROOT: emulator.apiRoot,
    // The test plans with the CLI at a chosen instant; the bot's own cron would use the wall clock.
    REMINDERS_CRON: 'off',
    LOG_LEVEL: 'info',
  };
}

async function startBot(): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bot/main.ts'], { env: env(), stdio: 'pipe' });
  bot = child;
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bot did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('telegram long polling started')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`bot exited (${code}):\n${output}`)));
  });
}

const officerChats = () => Array.from({ length: OFFICERS }, (_, i) => FIRST_CHAT + i);
const deliveredPerChat = () => officerChats().map((id) => emulator.messagesTo(id).length);

beforeAll(async () => {
  emulator = await startBotApiEmulator();
  db = tempDatabase();
  // The Bắc Kạn campaign as it ran (a process with a token would seed only its closed history),
  // then officers with Telegram chats in its eight wards.
  await seedFixture(db.url, new Date());
  const sql = openSqlDb(db.url);
  try {
    const wards = await sql.kysely
      .selectFrom('Unit')
      .select('id')
      .where('kind', 'in', ['ward', 'commune'])
      .orderBy('id')
      .execute();
    const at = new Date('2025-01-01T00:00:00Z');
    await sql.transaction(async (tx) => {
      for (let i = 0; i < OFFICERS; i++) {
        const { id: personId } = await tx.kysely
          .insertInto('Person')
          .values({ fullName: `Cán bộ ${i}`, createdAt: at })
          .returning('id')
          .executeTakeFirstOrThrow();
        const ward = wards[i % wards.length];
        if (!ward) {
          throw new Error('no ward');
        }
        await tx.kysely
          .insertInto('Membership')
          .values({ personId, unitId: ward.id, role: 'unit_officer', createdAt: at })
          .execute();
        await tx.kysely
          .insertInto('ChannelIdentity')
          .values({ channel: 'telegram', externalUserId: String(FIRST_CHAT + i), personId, createdAt: at })
          .execute();
      }
    });
  } finally {
    await sql.close();
  }
  const planned = await run(
    process.execPath,
    ['--import', 'tsx', 'scripts/cli.ts', 'reminders', 'run', '--at', '2025-04-09T08:00:00+07:00'],
    { env: env() },
  );
  // Theirs and the fixture's two ward officers' (playground people: the token bot sends them nothing).
  const fixtureOfficers = DEMO_PEOPLE.filter((p) => p.role === 'unit_officer').length;
  expect(planned.stdout).toContain(`Đã đưa ${OFFICERS + fixtureOfficers} tin nhắn`);
}, 120_000);

afterAll(async () => {
  emulator.onBeforeSend = undefined;
  const child = bot;
  if (child && child.exitCode === null && child.signalCode === null) {
    // Its connections must be gone before the database (a PostgreSQL schema) is dropped.
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  await emulator.close();
  await db.cleanup();
});

describe('a crash in the middle of a fan-out', () => {
  it('sends every remaining reminder exactly once after a restart', async () => {
    let sends = 0;
    const killed = new Promise<void>((resolve) => {
      emulator.onBeforeSend = (chatId) => {
        if (chatId < FIRST_CHAT) {
          return undefined;
        }
        sends += 1;
        if (sends === 80) {
          // The process dies as its 80th reminder is on the wire; that one never reaches the chat.
          bot?.once('exit', () => resolve());
          bot?.kill('SIGKILL');
          emulator.onBeforeSend = undefined;
          return false;
        }
        return undefined;
      };
    });
    await startBot();
    await killed;
    const atCrash = deliveredPerChat();
    expect(atCrash.filter((n) => n === 1)).toHaveLength(79);
    expect(atCrash.every((n) => n <= 1)).toBe(true);

    await startBot();
    const deadline = Date.now() + 60_000;
    while (deliveredPerChat().some((n) => n === 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Give any duplicate time to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const after = deliveredPerChat();
    expect(after.filter((n) => n === 0)).toHaveLength(0);
    expect(after.filter((n) => n > 1)).toHaveLength(0);
    expect(emulator.messagesTo(FIRST_CHAT)[0]?.text).toContain('Nhắc báo cáo');
  }, 120_000);
});
