import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReminders } from '../core/reminders/run-reminders.ts';
import { createStore } from '../prisma/store.ts';
import { seededDatabase } from './support/app-harness.ts';
import { type SqliteChat, startSqliteChat } from './support/sqlite-chat.ts';

const exec = promisify(execFile);

/**
 * The reminder scheduler on the real seeded database: the March report is due before 15/04/2025,
 * so the officers of Đức Xuân and Sông Cầu are reminded at 08:00 on 09/04, 12/04 and 14/04; a run
 * repeated adds nothing; "đã báo cáo bằng văn bản" stops the reminders; the morning of 15/04 the
 * city admin gets one message listing the late wards.
 */

let chat: SqliteChat;
let store: ReturnType<typeof createStore>;

const reminders = () =>
  chat.db.kysely
    .selectFrom('Outbox')
    .select(['chatId', 'idempotencyKey', 'purpose', 'payload'])
    .where('purpose', '<>', 'reply')
    .orderBy('id')
    .execute();

const run = (iso: string) => store.run((tx) => runReminders(tx, new Date(iso)));

beforeAll(async () => {
  chat = await startSqliteChat('2025-04-09T01:00:00Z');
  store = createStore(chat.db);
});

afterAll(async () => {
  await chat.close();
});

describe('report reminders', () => {
  it('reminds each officer at 08:00 five days before the last day, once however often it runs', async () => {
    // 07:55 in Hà Nội: not yet.
    expect((await run('2025-04-09T00:55:00Z'))?.enqueued).toBe(0);
    const first = await run('2025-04-09T01:00:00Z');
    expect(first?.enqueued).toBe(2);
    expect((await reminders()).map((r) => r.chatId).sort()).toEqual(['officer-ducxuan', 'officer-songcau']);
    const text = JSON.parse((await reminders())[0]?.payload ?? '{}') as {
      text: string;
      choices: { id: string }[][];
    };
    expect(text.text).toContain('chưa gửi báo cáo tháng 3/2025, hạn 14/04/2025 (còn 5 ngày)');
    expect(text.choices.flat().map((c) => c.id)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^menu:report:\d+$/),
        expect.stringMatching(/^menu:pause:\d+$/),
      ]),
    );
    // The same pass again, and later the same morning: nothing new.
    expect((await run('2025-04-09T01:00:00Z'))?.enqueued).toBe(0);
    expect((await run('2025-04-09T03:10:00Z'))?.enqueued).toBe(0);
    expect(await reminders()).toHaveLength(2);
  });

  it('stops reminding an officer who reported on paper', async () => {
    const officer = chat.user('officer-ducxuan');
    const key = (
      JSON.parse((await reminders())[0]?.payload ?? '{}') as { choices: { id: string }[][] }
    ).choices
      .flat()
      .find((c) => c.id.startsWith('menu:pause:'))?.id;
    const reply = await chat.press(officer, key ?? 'menu:pause:0');
    expect(reply.text).toContain('đã báo cáo tháng 3/2025 bằng văn bản');
    const second = await run('2025-04-12T01:00:00Z');
    expect(second?.enqueued).toBe(1);
    expect((await reminders()).at(-1)?.chatId).toBe('officer-songcau');
    expect((await reminders()).at(-1)?.payload).toContain('còn 2 ngày');
    const last = await run('2025-04-14T01:00:00Z');
    expect(last?.enqueued).toBe(1);
    expect((await reminders()).at(-1)?.payload).toContain('hôm nay (14/04/2025) là hạn cuối');
  });

  it('withdraws a queued reminder once the report is in', async () => {
    const officer = chat.user('officer-songcau');
    let reply = await chat.command(officer, 'baocao');
    for (let i = 0; i < 25 && !reply.buttons.includes('@confirm:yes'); i++) {
      reply = await chat.press(officer, reply.buttons[0] ?? '');
    }
    expect((await chat.press(officer, '@confirm:yes')).text).toContain('tháng 3/2025');
    const statuses = await chat.db.kysely
      .selectFrom('Outbox')
      .select('status')
      .where('idempotencyKey', 'like', 'remind:2025-03:%')
      .where('chatId', '=', 'officer-songcau')
      .execute();
    expect(statuses.map((s) => s.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
  });

  it('escalates the next morning in one message per head, listing the late wards', async () => {
    const escalation = await run('2025-04-15T01:00:00Z');
    expect(escalation?.enqueued).toBe(1);
    const row = (await reminders()).at(-1);
    expect(row).toMatchObject({ chatId: 'admin', purpose: 'escalation' });
    expect(row?.payload).toContain('Phường Huyền Tụng');
    // Đức Xuân reported on paper and Sông Cầu in the bot: neither is late.
    expect(row?.payload).not.toContain('Đức Xuân');
    expect(row?.payload).not.toContain('Sông Cầu');
    expect((await run('2025-04-15T05:00:00Z'))?.enqueued).toBe(0);
  });

  it('plans nothing in the quiet hours and nothing stale after a long outage', async () => {
    // 22:00 local on 8 May: quiet hours.
    expect((await run('2025-05-08T15:00:00Z'))?.planned).toHaveLength(0);
    // Back after a month: the April report's reminders and escalation are not replayed.
    const after = await run('2025-05-10T01:00:00Z');
    expect(after?.planned.every((p) => !p.key.includes('2025-03'))).toBe(true);
  });
});

describe('two processes planning at once on one database', () => {
  it('enqueue each reminder once, however many passes run concurrently', async () => {
    const seeded = await seededDatabase(new Date('2025-04-01T00:00:00Z'));
    try {
      // More people to remind: every officer invite of the seed plus a few more chats per ward.
      const wards = await seeded.db.kysely
        .selectFrom('Unit')
        .select('id')
        .where('kind', 'in', ['ward', 'commune'])
        .execute();
      const at = new Date('2025-01-01T00:00:00Z');
      await seeded.db.transaction(async (tx) => {
        for (const [i, ward] of wards.entries()) {
          for (let k = 0; k < 25; k++) {
            const { id: personId } = await tx.kysely
              .insertInto('Person')
              .values({ fullName: `Cán bộ ${i}-${k}`, createdAt: at })
              .returning('id')
              .executeTakeFirstOrThrow();
            await tx.kysely
              .insertInto('Membership')
              .values({ personId, unitId: ward.id, role: 'unit_officer', createdAt: at })
              .execute();
            await tx.kysely
              .insertInto('ChannelIdentity')
              .values({
                channel: 'telegram',
                externalUserId: String(900_000 + personId),
                personId,
                createdAt: at,
              })
              .execute();
          }
        }
      });
      const env = { ...process.env, DATABASE_URL: seeded.url, LOG_LEVEL: 'silent' };
      const pass = () =>
        exec(
          process.execPath,
          ['--import', 'tsx', 'scripts/cli.ts', 'reminders', 'run', '--at', '2025-04-09T08:00:00+07:00'],
          {
            env,
          },
        );
      const outputs = await Promise.all([pass(), pass(), pass()]);
      const added = outputs.map((o) => Number(/Đã đưa (\d+) tin nhắn/.exec(o.stdout)?.[1] ?? -1));
      // COUNT is an integer on SQLite, a bigint on PostgreSQL.
      const rows = await seeded.db.kysely
        .selectFrom('Outbox')
        .select((eb) => ['idempotencyKey', eb.fn.countAll<number | bigint>().as('n')])
        .where('purpose', '=', 'reminder')
        .groupBy('idempotencyKey')
        .execute();
      // 8 wards × 25 officers + the two seeded officers, once each, whoever added them.
      expect(rows).toHaveLength(wards.length * 25 + 2);
      expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
      expect(added.reduce((a, b) => a + b, 0)).toBe(rows.length);
      // And again later that morning: nothing new.
      const again = await pass();
      expect(again.stdout).toContain('Đã đưa 0 tin nhắn');
    } finally {
      await seeded.close();
    }
  });
});
