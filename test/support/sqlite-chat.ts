import { sql } from 'kysely';
import { createInboundHandler } from '../../core/inbound/handle-inbound.ts';
import type { Inbound, Outbound } from '../../core/messaging/message.ts';
import { createFixedClock } from '../../core/shared/clock.ts';
import {
  choiceFrom,
  commandFrom,
  photoFrom,
  type TestUser,
  testUser,
  textFrom,
} from '../../core/testing/builders.ts';
import type { PrismaClient } from '../../prisma/client.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import { createStore } from '../../prisma/store.ts';
import { seededDatabase } from './app-harness.ts';
import { readable } from './readable.ts';

/**
 * The inbound use case on a real, seeded database — the same store the bot runs on, SQLite or
 * PostgreSQL as the suite runs (TEST_DATABASE) — without a messenger in between: fast enough for
 * many conversations per test, real enough that every rule runs in the transaction that records it.
 * (The name is older than PostgreSQL support.)
 */
export interface ChatReply {
  /** The replies' texts as read (bold and code markers dropped), joined by blank lines. */
  text: string;
  /** The same with the markers, for a test about formatting (core/messaging/markup.ts). */
  marked: string;
  /** Every button id offered (choices and quick answers). */
  buttons: string[];
  replies: Outbound[];
}

export interface SqliteChat {
  /** The seeded database, in the suite's dialect: `await chat.db.kysely.selectFrom('Outbox')…`. */
  db: SqlDb;
  prisma: PrismaClient;
  clock: ReturnType<typeof createFixedClock>;
  /** A seeded demo person (playground identity) or any new chat id. */
  user(key: string): TestUser;
  say(user: TestUser, text: string): Promise<ChatReply>;
  press(user: TestUser, id: string): Promise<ChatReply>;
  command(user: TestUser, command: string, args?: string): Promise<ChatReply>;
  photo(user: TestUser, fileId: string): Promise<ChatReply>;
  /** A message in a group chat from a person (`chatId` the group's id). */
  inGroup(user: TestUser, groupId: string, inbound: Partial<Inbound>): Promise<ChatReply>;
  /** Presses the first offered button whose id starts with `prefix` in `reply`. */
  pressFirst(user: TestUser, reply: ChatReply, prefix: string): Promise<ChatReply>;
  close(): Promise<void>;
}

export async function startSqliteChat(now: string): Promise<SqliteChat> {
  const seeded = await seededDatabase(new Date(now));
  const store = createStore(seeded.db);
  const clock = createFixedClock(now);
  const handle = createInboundHandler({
    uow: store,
    clock,
    flowTtlMs: 3_600_000,
    timeZone: 'Asia/Ho_Chi_Minh',
  });
  async function send(inbound: Inbound): Promise<ChatReply> {
    await handle({ ...inbound, receivedAt: clock.now() });
    const prefix = `reply:${inbound.channel}:${inbound.externalId}:`;
    // In the order they were queued: the reply's number after the prefix.
    const rows = await seeded.db.kysely
      .selectFrom('Outbox')
      .select('payload')
      .where('idempotencyKey', 'like', `${prefix}%`)
      .orderBy(sql`CAST(substr(${sql.ref('idempotencyKey')}, ${prefix.length + 1}) AS INTEGER)`)
      .execute();
    const sent = rows.map((r) => JSON.parse(r.payload) as Outbound);
    const replies = sent.map(readable);
    return {
      replies,
      text: replies.map((r) => r.text).join('\n\n'),
      marked: sent.map((r) => r.text).join('\n\n'),
      buttons: replies.flatMap((r) => [
        ...(r.choices ?? []).flat().map((c) => c.id),
        ...(r.suggestions ?? []).map((c) => c.id),
      ]),
    };
  }

  const chat: SqliteChat = {
    db: seeded.db,
    prisma: seeded.prisma,
    clock,
    user: (key) => testUser(key, { channel: 'playground', senderName: key }),
    say: (user, text) => send(textFrom(user, text)),
    press: (user, id) => send(choiceFrom(user, id)),
    command: (user, command, args) => send(commandFrom(user, command, args)),
    photo: (user, fileId) => send(photoFrom(user, fileId)),
    inGroup(user, groupId, partial) {
      return send({
        ...textFrom(user, ''),
        chatId: groupId,
        chatType: 'group',
        chatTitle: 'Lãnh đạo MTTQ thành phố',
        ...partial,
      });
    },
    pressFirst(user, reply, prefix) {
      const id = reply.buttons.find((b) => b.startsWith(prefix));
      if (!id) {
        throw new Error(`no button ${prefix} among ${reply.buttons.join(', ')}\n${reply.text}`);
      }
      return send(choiceFrom(user, id));
    },
    close: seeded.close,
  };
  return chat;
}
