import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { plainText } from '../../core/messaging/markup.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import type { BotApiEmulator, EmulatorUser, SentMessage } from '../support/bot-api-emulator.ts';

/**
 * Helpers of the fault tests (test/faults/*): conversations driven one answer at a time through the
 * Bot API emulator, officers added for a reminder fan-out, and the "nothing lost, nothing doubled"
 * checks against the database and what the emulator delivered.
 */

/** What the bot answered to one update: the new messages' text and the last one's buttons. */
export interface Reply {
  text: string;
  buttons: string[];
}

/** One answer of a conversation: sends an update (given the previous reply) and says what it expects. */
type Step = (emulator: BotApiEmulator, user: EmulatorUser, last: Reply) => void;

const say =
  (text: string): Step =>
  (emulator, user) => {
    emulator.sendText(user, text);
  };

const press =
  (pick: string | ((last: Reply) => string | undefined)): Step =>
  (emulator, user, last) => {
    const data = typeof pick === 'string' ? pick : pick(last);
    const message = emulator.lastMessageTo(user.id);
    if (data === undefined || message === undefined) {
      throw new Error(`chat ${user.id}: no button to press in ${JSON.stringify(last)}`);
    }
    emulator.pressButton(user, message.messageId, data);
  };

/**
 * A conversation of one user, one update at a time: `send` puts the next answer on its way,
 * `reply` waits for the bot's answer to it. `updates` counts what the user sent.
 */
export class Conversation {
  updates = 0;
  private last: Reply = { text: '', buttons: [] };
  private next = 0;
  private before = 0;

  constructor(
    readonly emulator: BotApiEmulator,
    readonly user: EmulatorUser,
    private readonly steps: Step[],
  ) {}

  get done(): boolean {
    return this.next >= this.steps.length;
  }

  get lastReply(): Reply {
    return this.last;
  }

  /** Sends the next answer without waiting for the reply. */
  send(): void {
    const step = this.steps[this.next];
    if (!step) {
      throw new Error(`chat ${this.user.id}: the conversation is over`);
    }
    this.before = this.emulator.messagesTo(this.user.id).length;
    step(this.emulator, this.user, this.last);
    this.next += 1;
    this.updates += 1;
  }

  /** Waits for the bot's answer to what was sent last. */
  async reply(timeoutMs = 30_000): Promise<Reply> {
    const messages = await this.emulator.waitForMessages(this.user.id, this.before + 1, timeoutMs);
    this.last = toReply(messages.slice(this.before));
    return this.last;
  }

  async step(timeoutMs?: number): Promise<Reply> {
    this.send();
    return this.reply(timeoutMs);
  }

  /** Runs the steps left, or up to (not including) step `until`, waiting up to `timeoutMs` for each reply. */
  async run(until = this.steps.length, timeoutMs?: number): Promise<Reply> {
    while (this.next < until) {
      await this.step(timeoutMs);
    }
    return this.last;
  }
}

function toReply(messages: SentMessage[]): Reply {
  const last = messages.at(-1);
  const markup = last?.replyMarkup as { inline_keyboard?: { callback_data?: string }[][] } | undefined;
  return {
    text: messages.map((m) => m.text ?? '').join('\n'),
    buttons: (markup?.inline_keyboard ?? []).flat().map((b) => b.callback_data ?? ''),
  };
}

export function donor(i: number): EmulatorUser {
  return { id: 900_000 + i, first_name: `Donor ${i}`, language_code: 'vi' };
}

/**
 * A donor's money pledge through /ungho (11 updates, 11 replies): an enterprise, its phone, `i+1`
 * million at the first level offered, due `dueOn` (d/m/yyyy), not public, confirmed.
 */
export function pledgeConversation(emulator: BotApiEmulator, i: number, dueOn: string): Conversation {
  return new Conversation(emulator, donor(i), [
    say('/ungho'),
    press('donorKind:enterprise'),
    say(`Công ty số ${i}`),
    say(`09${String(10_000_000 + i).slice(-8)}`),
    press('kind:money'),
    say(`${i + 1}tr`),
    press((last) => last.buttons.find((b) => b.startsWith('level:'))),
    press('target:0'),
    say(dueOn),
    press('publicName:no'),
    press('@confirm:yes'),
  ]);
}

export const PLEDGE_UPDATES = 11;

/**
 * An officer's monthly report through /baocao (17 updates, 17 replies): the first period offered,
 * small figures (0 money, 0 labour days), the optional questions skipped, confirmed.
 */
export function reportConversation(emulator: BotApiEmulator, user: EmulatorUser): Conversation {
  return new Conversation(emulator, user, [
    say('/baocao'),
    press((last) => last.buttons.find((b) => b.startsWith('period:'))),
    ...['3', '2', '2', '1', '1', '1', '1', '0', '0', '0', '0'].map(say),
    press('difficulties:'),
    press('proposals:'),
    press('photo:'),
    press('@confirm:yes'),
  ]);
}

/** Adds an admin of the city reachable on Telegram as `user` (admin alerts go to them). */
export async function addAdmin(db: SqlDb, user: EmulatorUser): Promise<void> {
  const city = await db.kysely
    .selectFrom('Unit')
    .select('id')
    .where('kind', '=', 'city')
    .orderBy('id')
    .limit(1)
    .executeTakeFirstOrThrow();
  await db.transaction((tx) => addMember(tx, user.first_name, city.id, 'admin', user.id));
}

export function officer(i: number): EmulatorUser {
  return { id: 50_000 + i, first_name: `Officer ${i}`, language_code: 'vi' };
}

/**
 * Adds `count` unit officers with Telegram chats `officer(i).id` to the wards and communes, one per
 * unit in turn (each unit owes a monthly report, so the scheduler reminds each of them).
 */
export async function addOfficers(db: SqlDb, count: number): Promise<void> {
  const wards = await db.kysely
    .selectFrom('Unit')
    .select('id')
    .where('kind', 'in', ['ward', 'commune'])
    .orderBy('id')
    .execute();
  await db.transaction(async (tx) => {
    for (let i = 0; i < count; i++) {
      const ward = wards[i % wards.length];
      if (!ward) {
        throw new Error('no ward');
      }
      await addMember(tx, `Cán bộ ${i}`, ward.id, 'unit_officer', officer(i).id);
    }
  });
}

/** A person with `role` in the unit, reachable on Telegram in chat `chatId`. */
async function addMember(
  tx: SqlDb,
  fullName: string,
  unitId: number,
  role: string,
  chatId: number,
): Promise<void> {
  const at = new Date('2025-01-01T00:00:00Z');
  const { id: personId } = await tx.kysely
    .insertInto('Person')
    .values({ fullName, createdAt: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx.kysely.insertInto('Membership').values({ personId, unitId, role, createdAt: at }).execute();
  await tx.kysely
    .insertInto('ChannelIdentity')
    .values({ channel: 'telegram', externalUserId: String(chatId), personId, createdAt: at })
    .execute();
}

/** The outbox rows of a channel by status (the demo people's playground rows never go out here). */
export async function outboxStatus(db: SqlDb, channel = 'telegram'): Promise<Record<string, number>> {
  const rows = await db.kysely
    .selectFrom('Outbox')
    .select((eb) => ['status', eb.fn.countAll<number | bigint>().as('n')])
    .where('channel', '=', channel)
    .groupBy('status')
    .orderBy('status')
    .execute();
  // COUNT is an integer on SQLite, a bigint on PostgreSQL.
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** How many rows `query` (a `SELECT COUNT(*) AS n`) counted: a number on SQLite, a bigint on PostgreSQL. */
export async function counted(query: {
  executeTakeFirstOrThrow(): Promise<{ n: unknown }>;
}): Promise<number> {
  return Number((await query.executeTakeFirstOrThrow()).n);
}

/** How many pledges were recorded. */
export function pledgeCount(db: SqlDb): Promise<number> {
  return counted(db.kysely.selectFrom('Pledge').select((eb) => eb.fn.countAll().as('n')));
}

/** How many updates of `channel` were taken in (each is remembered once). */
export function seenCount(db: SqlDb, channel: string): Promise<number> {
  return counted(
    db.kysely
      .selectFrom('InboundSeen')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('channel', '=', channel),
  );
}

/**
 * Waits until the outbox has nothing pending or being sent, calling `tick` between looks (tests
 * with a fixed clock move it there, so retries fall due). `stuckClaims`: rows still claimed
 * ("sending") after everything else went out do not count — a test restarting the bot next lets
 * the restart show what becomes of them.
 */
export async function outboxSettled(
  db: SqlDb,
  timeoutMs: number,
  tick?: () => void,
  opts: { channel?: string; stuckClaims?: boolean } = {},
): Promise<void> {
  const channel = opts.channel ?? 'telegram';
  const deadline = Date.now() + timeoutMs;
  let stuckSince: number | undefined;
  for (;;) {
    const counts = await outboxStatus(db, channel);
    if (!counts.pending && !counts.sending) {
      return;
    }
    if (opts.stuckClaims && !counts.pending) {
      stuckSince ??= Date.now();
      if (Date.now() - stuckSince > 2_000) {
        return;
      }
    } else {
      stuckSince = undefined;
    }
    if (Date.now() > deadline) {
      const left = await db.kysely
        .selectFrom('Outbox')
        .select(['id', 'channel', 'chatId', 'status', 'attempts', 'lastError', 'nextAttemptAt', 'purpose'])
        .where('channel', '=', channel)
        .where('status', 'in', ['pending', 'sending'])
        .execute();
      throw new Error(
        `outbox not settled after ${timeoutMs} ms: ${JSON.stringify(counts)} ${JSON.stringify(left)}`,
      );
    }
    tick?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Nothing doubled, nothing lost on Telegram: every outbox row was sent, and each chat received
 * exactly its rows, once each, in order — and nothing the outbox does not hold.
 */
export async function expectEachRowDeliveredOnce(
  db: SqlDb,
  emulator: BotApiEmulator,
  /** Messages the bot sent directly, not through the outbox (busy replies, an outage alert). */
  direct: (m: SentMessage) => boolean = () => false,
): Promise<void> {
  const rows = await db.kysely
    .selectFrom('Outbox')
    .select(['id', 'chatId', 'payload', 'status'])
    .where('channel', '=', 'telegram')
    .orderBy('id')
    .execute();
  expect(rows.filter((r) => r.status !== 'sent').map((r) => `${r.id}: ${r.status}`)).toEqual([]);
  const expected = new Map<number, string[]>();
  for (const row of rows) {
    const chat = Number(row.chatId);
    const list = expected.get(chat) ?? [];
    list.push(firstLine((JSON.parse(row.payload) as { text: string }).text));
    expected.set(chat, list);
  }
  const delivered = new Map<number, string[]>();
  // Messages, not the edits marking a tapped keyboard's choice.
  for (const m of emulator.sent.filter((s) => s.method.startsWith('send') && !direct(s))) {
    const list = delivered.get(m.chatId) ?? [];
    list.push(firstLine(m.text ?? ''));
    delivered.set(m.chatId, list);
  }
  const wrong = [...new Set([...expected.keys(), ...delivered.keys()])]
    .filter((chat) => JSON.stringify(expected.get(chat)) !== JSON.stringify(delivered.get(chat)))
    .map((chat) => ({ chat, outbox: expected.get(chat), delivered: delivered.get(chat) }));
  expect(wrong).toEqual([]);
}

/** The first line as read (an outbox text's bold and code markers dropped). */
function firstLine(text: string): string {
  return plainText(text).split('\n')[0] ?? '';
}

/** Each update of each conversation got exactly one reply (the conversations are one-to-one). */
export function expectOneReplyPerUpdate(emulator: BotApiEmulator, conversations: Conversation[]): void {
  const wrong = conversations
    .filter((c) => emulator.messagesTo(c.user.id).length !== c.updates)
    .map((c) => `${c.user.id}: ${c.updates} updates, ${emulator.messagesTo(c.user.id).length} replies`);
  expect(wrong).toEqual([]);
}

/**
 * A TCP proxy in front of the PostgreSQL server, to take the database away as a restart does:
 * `refuseFor(ms)` closes new connections at once for `ms`, `cut()` drops the open ones.
 */
export interface PgProxy {
  /** `url` through the proxy. */
  url(url: string): string;
  refuseFor(ms: number): void;
  cut(): void;
  /** Connections refused so far. */
  readonly refused: number;
  close(): Promise<void>;
}

export async function startPgProxy(target: string): Promise<PgProxy> {
  const upstream = new URL(target);
  const sockets = new Set<net.Socket>();
  let refuseUntil = 0;
  let refused = 0;
  const server = net.createServer((client) => {
    if (Date.now() < refuseUntil) {
      refused += 1;
      client.destroy();
      return;
    }
    const db = net.connect(Number(upstream.port || 5432), upstream.hostname);
    for (const [a, b] of [
      [client, db],
      [db, client],
    ] as const) {
      sockets.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        sockets.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const cut = () => {
    for (const socket of sockets) {
      socket.destroy();
    }
  };
  return {
    url(url) {
      const through = new URL(url);
      through.hostname = '127.0.0.1';
      through.port = String(port);
      return through.toString();
    },
    refuseFor(ms) {
      refuseUntil = Date.now() + ms;
    },
    cut,
    get refused() {
      return refused;
    },
    async close() {
      cut();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * A clock set to `start` that runs on at the real pace (the demo campaign is in 2025, the retries
 * wait on the app's clock); `advance` jumps it ahead.
 */
export function runningClock(start: string): { now(): Date; advance(ms: number): void } {
  let offset = Date.parse(start) - Date.now();
  return {
    now: () => new Date(Date.now() + offset),
    advance(ms) {
      offset += ms;
    },
  };
}

/**
 * Whether this machine can make a file immutable (`chattr +i`, which holds even for root and for
 * handles already open: every write to an SQLite file fails, reads still work). Needs root on a file
 * system with the flag (ext4). On CI a missing chattr is a failure, never a skip; elsewhere the
 * test (`name`) is skipped, saying so.
 */
export function canMakeImmutable(name: string): boolean {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mttq-chattr-'));
  const file = path.join(dir, 'probe');
  fs.writeFileSync(file, '');
  try {
    execFileSync('chattr', ['+i', file], { stdio: 'ignore' });
    execFileSync('chattr', ['-i', file], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.CI === 'true') {
      throw new Error(`${name}: chattr +i is not available on this CI machine (root and ext4 needed)`);
    }
    console.warn(`${name}: chattr +i is not available here; the test is skipped`);
    return false;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Makes the SQLite database `file` and its WAL immutable (every write fails), or writable again. */
export function sqliteUnwritable(file: string, on: boolean): void {
  const files = [file, `${file}-wal`].filter((f) => fs.existsSync(f));
  if (files.length > 0) {
    execFileSync('chattr', [on ? '+i' : '-i', ...files]);
  }
}
