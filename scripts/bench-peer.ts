/**
 * The peer of the bot's monthly report (issue 19 §1): the same 14 questions written the way the
 * grammY documentation teaches — `@grammyjs/conversations` (v2) with the storage adapter its docs
 * list for the database, a `ctx.reply` per answer, one report row written at the end — driven by
 * the same officers and updates as ours in the `report` section of `npm run bench`, and tested for
 * the same guarantees in test/peer-guarantees.e2e.test.ts.
 *
 * Storage, by database:
 * - PostgreSQL: `@grammyjs/storage-psql` over a node-postgres pool (the `pg` we already use); the
 *   report row is one INSERT through the same pool.
 * - SQLite: `@grammyjs/storage-prisma`. grammY offers no SQLite adapter of its own (the official
 *   ones are file, free, MongoDB, Redis, PostgreSQL, Prisma, TypeORM, …); the file adapter keeps a
 *   JSON file per chat, not the database. Prisma is what a grammY developer on SQLite would use, so
 *   the peer has a Prisma client of its own (scripts/bench-peer.prisma: the adapter's Session model
 *   and the report row), generated on demand into node_modules/.bench-peer-prisma over the same
 *   better-sqlite3 driver adapter as ours — our schema and migrations stay as they are, and the
 *   peer's tables are made with raw SQL in the bench's database.
 *
 * What favours the peer (so that "ours ≥ peer" is not won by handicapping it): it answers at once
 * through an API transformer (no Telegram, no network, no outbox row — ours writes each reply to a
 * durable outbox row inside its transaction), it checks nobody's identity or ward (ours looks the
 * officer up and numbers the ward's report), and on SQLite its connection gets our pragmas
 * (synchronous = NORMAL in WAL mode) instead of the driver's default full sync.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  type Conversation,
  type ConversationData,
  type ConversationFlavor,
  conversations,
  createConversation,
  type VersionedState,
  type VersionedStateStorage,
} from '@grammyjs/conversations';
import { PrismaAdapter, type SessionDelegate } from '@grammyjs/storage-prisma';
import { PsqlAdapter } from '@grammyjs/storage-psql';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { Bot, type Context } from 'grammy';
import type { Message } from 'grammy/types';
import pg from 'pg';
import { normalizeVi, parseInteger, parseMoney } from '../core/shared/parse.ts';
import { isPostgresUrl, postgresConnection } from '../prisma/sql-db.ts';
import { sqlitePathFromUrl } from '../prisma/sqlite.ts';
import { answerReports, BENCH_BOT_INFO, percentile, type Timed, updateMaker } from './bench-inbound.ts';
import type { Figure } from './bench-memory.ts';

// ---------------------------------------------------------------------------------------------
// The report, as a grammY developer would write it

/** The eight cumulative counts, in the order ours asks them, each no more than the stage before. */
const COUNTS = [
  ['approvedNew', 'Số hộ được phê duyệt hỗ trợ XÂY MỚI (lũy kế đến nay)?'],
  ['approvedRepair', 'Số hộ được phê duyệt hỗ trợ SỬA CHỮA (lũy kế đến nay)?'],
  ['startedNew', 'Số nhà XÂY MỚI đã khởi công (lũy kế đến nay)?'],
  ['startedRepair', 'Số nhà SỬA CHỮA đã khởi công (lũy kế đến nay)?'],
  ['completedNew', 'Số nhà XÂY MỚI đã hoàn thành (lũy kế đến nay)?'],
  ['completedRepair', 'Số nhà SỬA CHỮA đã hoàn thành (lũy kế đến nay)?'],
  ['handedOverNew', 'Số nhà XÂY MỚI đã bàn giao cho hộ (lũy kế đến nay)?'],
  ['handedOverRepair', 'Số nhà SỬA CHỮA đã bàn giao cho hộ (lũy kế đến nay)?'],
] as const;
type CountKey = (typeof COUNTS)[number][0];

const ASK = {
  moneyReceived: 'Tổng số tiền đơn vị đã tiếp nhận (lũy kế, đồng)?',
  moneyPaid: 'Tổng số tiền đã chi hỗ trợ cho các hộ (lũy kế, đồng)?',
  labourDays: 'Số ngày công đã huy động (lũy kế)?',
  difficulties: 'Khó khăn, vướng mắc (nếu có)?',
  proposals: 'Đề xuất, kiến nghị (nếu có)?',
  photo: 'Ảnh công trình (gửi ảnh, hoặc gõ "Không có")?',
} as const;

/** The peer's 14 questions in order (then the summary, confirmed by "gửi"). */
export const PEER_QUESTIONS: readonly string[] = [
  ...COUNTS.map(([, question]) => question),
  ...Object.values(ASK),
];
export const PEER_CONFIRM = 'Gõ "gửi" để gửi báo cáo.';
export const PEER_SENT = 'Đã gửi';

const MAX_HOUSEHOLDS = 100_000;
const MAX_LABOUR_DAYS = 10_000_000;
const MAX_MONEY = 1_000_000_000_000n;
const NONE = new Set(['khong', 'khong co', 'k', 'ko', 'khong co gi', '-', 'bo qua']);

/** The peer's report row (table peer_report). */
export type PeerReportRow = Record<CountKey, number> & {
  officer: string;
  moneyReceived: bigint;
  moneyPaid: bigint;
  labourDays: number;
  difficulties: string;
  proposals: string;
  photo: string | null;
};

type PeerContext = ConversationFlavor<Context>;
type ReportConversation = Conversation<PeerContext, Context>;

/**
 * Asks `question`, then waits for a text until `parse` accepts it; a bad answer gets the reason and
 * the question again. Under the conversations plugin this function is replayed from the start at
 * every update, the replies already sent read back from the conversation's log.
 */
async function ask<T>(
  conversation: ReportConversation,
  ctx: Context,
  question: string,
  parse: (text: string) => { ok: true; value: T } | { ok: false; error: string },
): Promise<T> {
  await ctx.reply(question);
  for (;;) {
    const answer = await conversation.waitFor('message:text');
    const parsed = parse(answer.message.text);
    if (parsed.ok) {
      return parsed.value;
    }
    await answer.reply(`Chưa đúng (${parsed.error}). ${question}`);
  }
}

const count =
  (max: number, atMost?: { value: number; what: string }) =>
  (text: string): { ok: true; value: number } | { ok: false; error: string } => {
    const parsed = parseInteger(text, { max });
    if (parsed.ok && atMost && parsed.value > atMost.value) {
      return { ok: false, error: `không lớn hơn ${atMost.what} (${atMost.value})` };
    }
    return parsed;
  };

const money =
  (atMost?: bigint) =>
  (text: string): { ok: true; value: bigint } | { ok: false; error: string } => {
    const parsed = parseMoney(text, { max: MAX_MONEY });
    if (parsed.ok && atMost !== undefined && parsed.value > atMost) {
      return { ok: false, error: 'số tiền đã chi lớn hơn số đã tiếp nhận' };
    }
    return parsed;
  };

const optionalText = (text: string): { ok: true; value: string } =>
  ({ ok: true, value: NONE.has(normalizeVi(text)) ? '' : text.slice(0, 1000) }) as const;

/** The monthly report as one conversation: 14 questions, a summary, "gửi", one row, "Đã gửi". */
function monthlyReport(insertReport: (row: PeerReportRow) => Promise<void>) {
  return async (conversation: ReportConversation, ctx: Context): Promise<void> => {
    const counts = {} as Record<CountKey, number>;
    for (const [i, [key, question]] of COUNTS.entries()) {
      // Started ≤ approved, completed ≤ started, handed over ≤ completed (same kind: two back).
      const before = i >= 2 ? COUNTS[i - 2] : undefined;
      counts[key] = await ask(
        conversation,
        ctx,
        question,
        count(MAX_HOUSEHOLDS, before ? { value: counts[before[0]], what: before[1] } : undefined),
      );
    }
    const moneyReceived = await ask(conversation, ctx, ASK.moneyReceived, money());
    const moneyPaid = await ask(conversation, ctx, ASK.moneyPaid, money(moneyReceived));
    const labourDays = await ask(conversation, ctx, ASK.labourDays, count(MAX_LABOUR_DAYS));
    const difficulties = await ask(conversation, ctx, ASK.difficulties, optionalText);
    const proposals = await ask(conversation, ctx, ASK.proposals, optionalText);
    await ctx.reply(ASK.photo);
    let photo: string | null = null;
    for (;;) {
      const answer = await conversation.waitFor(['message:photo', 'message:text']);
      const sizes = answer.message.photo;
      if (sizes) {
        photo = sizes.at(-1)?.file_id ?? null;
        break;
      }
      if (NONE.has(normalizeVi(answer.message.text ?? ''))) {
        break;
      }
      await answer.reply(`Chưa đúng. ${ASK.photo}`);
    }
    const summary = [
      ...COUNTS.map(([key]) => `${key}: ${counts[key]}`),
      `moneyReceived: ${moneyReceived}`,
      `moneyPaid: ${moneyPaid}`,
      `labourDays: ${labourDays}`,
    ].join('\n');
    await ctx.reply(`${summary}\n${PEER_CONFIRM}`);
    await conversation.waitFor('message:text').and((c) => normalizeVi(c.message.text) === 'gui', {
      otherwise: (c) => c.reply(PEER_CONFIRM),
    });
    const officer = String(ctx.from?.id ?? ctx.chat?.id);
    // An external call runs once; replays read its outcome from the log.
    await conversation.external(() =>
      insertReport({
        officer,
        ...counts,
        moneyReceived,
        moneyPaid,
        labourDays,
        difficulties,
        proposals,
        photo,
      }),
    );
    await ctx.reply(PEER_SENT);
  };
}

/** A reply the transformer answered (or is about to): the chat and the text. */
export interface PeerReply {
  chatId: number;
  text: string;
}

/**
 * The peer bot over `storage`: `/baocao` enters the report. No Telegram: the API client's `fetch`
 * answers every sendMessage at once with an ok Message (no network) — which favours the peer, since
 * ours writes its replies to a durable outbox row inside the answer's transaction. It is the client's
 * `fetch` rather than a `bot.api.config.use` transformer because the conversations plugin gives each
 * conversation an Api of its own (same token and client options, not the bot's transformers), whose
 * calls it logs for replay: a fake underneath that log behaves as Telegram would. `onReply` sees each
 * reply before it is answered (a test makes it throw or never return, as a process dying there).
 */
export function peerBot(
  storage: PeerStorage,
  opts: { onReply?: (reply: PeerReply) => void | Promise<void> } = {},
): Bot<PeerContext> {
  let messageId = 0;
  const telegram = async (input: unknown, init?: { body?: unknown }): Promise<Response> => {
    const method = String(input).split('/').at(-1);
    if (method !== 'sendMessage' || typeof init?.body !== 'string') {
      throw new Error(`the peer has no Telegram: ${method}`);
    }
    const { chat_id, text } = JSON.parse(init.body) as { chat_id: number; text: string };
    await opts.onReply?.({ chatId: chat_id, text });
    const result: Message.TextMessage = {
      message_id: ++messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chat_id, type: 'private', first_name: 'Cán bộ' },
      text,
    };
    return new Response(JSON.stringify({ ok: true, result }), {
      headers: { 'content-type': 'application/json' },
    });
  };
  const bot = new Bot<PeerContext>('1:peer', {
    botInfo: BENCH_BOT_INFO,
    client: { apiRoot: 'http://127.0.0.1:9', fetch: telegram as unknown as typeof fetch },
  });
  bot.use(conversations<PeerContext, Context>({ storage: storage.conversations }));
  bot.use(createConversation<PeerContext, Context>(monthlyReport(storage.insertReport), 'report'));
  bot.command('baocao', (ctx) => ctx.conversation.enter('report'));
  return bot;
}

// ---------------------------------------------------------------------------------------------
// The peer's storage

export interface PeerStorage {
  /** psql or prisma, for the printed lines. */
  label: string;
  conversations: VersionedStateStorage<string, ConversationData>;
  insertReport: (row: PeerReportRow) => Promise<void>;
  /** The report rows: how many, by how many officers. */
  countReports: () => Promise<{ rows: number; officers: number }>;
  /** The report rows of one officer, oldest first. */
  reportsOf: (officer: string) => Promise<PeerReportRow[]>;
  close: () => Promise<void>;
}

const ROOT = path.dirname(import.meta.dirname);
const PEER_SCHEMA = path.join(import.meta.dirname, 'bench-peer.prisma');
const PEER_CLIENT = path.join(ROOT, 'node_modules', '.bench-peer-prisma', 'index.js');

/** The generated client's part the peer uses (typed here: it is generated on demand, untracked). */
interface PeerPrisma {
  session: SessionDelegate;
  peerReport: {
    create(args: { data: PeerReportRow }): Promise<unknown>;
    count(): Promise<number>;
    groupBy(args: { by: ['officer'] }): Promise<unknown[]>;
    findMany(args: { where: { officer: string }; orderBy: { id: 'asc' } }): Promise<PeerReportRow[]>;
  };
  $executeRawUnsafe(sql: string): Promise<number>;
  $disconnect(): Promise<void>;
}

/** Generates the peer's Prisma client when it is missing or older than its schema (about 1 s). */
function peerPrismaClient(url: string): PeerPrisma {
  const stale =
    !fs.existsSync(PEER_CLIENT) || fs.statSync(PEER_CLIENT).mtimeMs < fs.statSync(PEER_SCHEMA).mtimeMs;
  if (stale) {
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'prisma'), ['generate', '--schema', PEER_SCHEMA], {
      cwd: ROOT,
      stdio: 'ignore',
    });
  }
  const { PrismaClient } = createRequire(import.meta.url)(PEER_CLIENT) as {
    PrismaClient: new (opts: { adapter: unknown }) => PeerPrisma;
  };
  return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: `file:${sqlitePathFromUrl(url)}` }) });
}

const SQLITE_TABLES = [
  'CREATE TABLE IF NOT EXISTS "Session" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "key" TEXT NOT NULL, "value" TEXT NOT NULL)',
  'CREATE UNIQUE INDEX IF NOT EXISTS "Session_key_key" ON "Session"("key")',
];

/** The report table; the same on both databases (BIGINT is an INTEGER on SQLite). */
const REPORT_TABLE = `CREATE TABLE IF NOT EXISTS peer_report (
  id %ID%,
  officer TEXT NOT NULL,
  approved_new INTEGER NOT NULL, approved_repair INTEGER NOT NULL,
  started_new INTEGER NOT NULL, started_repair INTEGER NOT NULL,
  completed_new INTEGER NOT NULL, completed_repair INTEGER NOT NULL,
  handed_over_new INTEGER NOT NULL, handed_over_repair INTEGER NOT NULL,
  money_received BIGINT NOT NULL, money_paid BIGINT NOT NULL, labour_days INTEGER NOT NULL,
  difficulties TEXT NOT NULL, proposals TEXT NOT NULL, photo TEXT,
  created_at %TIME% NOT NULL DEFAULT CURRENT_TIMESTAMP
)`;

const COLUMNS = [
  'officer',
  ...COUNTS.map(([key]) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)),
  'money_received',
  'money_paid',
  'labour_days',
  'difficulties',
  'proposals',
  'photo',
];

/**
 * The peer's storage on the database at `url` (a `file:` URL or a `postgresql://…?schema=` one),
 * its tables made if missing.
 */
export async function openPeerStorage(url: string): Promise<PeerStorage> {
  if (isPostgresUrl(url)) {
    const { connectionString, schema } = postgresConnection(url);
    const pool = new pg.Pool({
      connectionString,
      max: 4,
      options: schema ? `-c search_path="${schema.replace(/"/g, '')}"` : undefined,
    });
    await pool.query(REPORT_TABLE.replace('%ID%', 'SERIAL PRIMARY KEY').replace('%TIME%', 'TIMESTAMPTZ'));
    // The adapter's own table ("sessions": key, value) is made by `create`. Its client type is pg's
    // Client; a pool has the same `query`.
    const adapter = await PsqlAdapter.create({
      client: pool as unknown as pg.Client,
      tableName: 'sessions',
    });
    const insert = `INSERT INTO peer_report (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;
    return {
      label: '@grammyjs/storage-psql',
      conversations: adapter as unknown as VersionedStateStorage<string, ConversationData>,
      insertReport: async (row) => {
        await pool.query(insert, rowValues(row));
      },
      countReports: async () => {
        const { rows } = await pool.query<{ n: string; people: string }>(
          'SELECT count(*) AS n, count(DISTINCT officer) AS people FROM peer_report',
        );
        return { rows: Number(rows[0]?.n), officers: Number(rows[0]?.people) };
      },
      reportsOf: async (officer) => {
        const { rows } = await pool.query<Record<string, unknown>>(
          `SELECT ${COLUMNS.join(', ')} FROM peer_report WHERE officer = $1 ORDER BY id`,
          [officer],
        );
        return rows.map(fromColumns);
      },
      close: () => pool.end(),
    };
  }
  const prisma = peerPrismaClient(url);
  // Our connection's settings (prisma/sqlite.ts); the driver's default would be a full sync per commit.
  for (const statement of [
    'PRAGMA journal_mode = WAL',
    'PRAGMA synchronous = NORMAL',
    'PRAGMA busy_timeout = 5000',
    ...SQLITE_TABLES,
    REPORT_TABLE.replace('%ID%', 'INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT').replace('%TIME%', 'DATETIME'),
  ]) {
    // PRAGMA journal_mode answers with a row: a query, not an execute, on this driver.
    await (statement.startsWith('PRAGMA journal_mode')
      ? (prisma as unknown as { $queryRawUnsafe(sql: string): Promise<unknown> }).$queryRawUnsafe(statement)
      : prisma.$executeRawUnsafe(statement));
  }
  return {
    label: '@grammyjs/storage-prisma',
    conversations: new PrismaAdapter<VersionedState<ConversationData>>(prisma.session),
    insertReport: async (row) => {
      await prisma.peerReport.create({ data: row });
    },
    countReports: async () => ({
      rows: await prisma.peerReport.count(),
      officers: (await prisma.peerReport.groupBy({ by: ['officer'] })).length,
    }),
    reportsOf: (officer) => prisma.peerReport.findMany({ where: { officer }, orderBy: { id: 'asc' } }),
    close: () => prisma.$disconnect(),
  };
}

function rowValues(row: PeerReportRow): unknown[] {
  return [
    row.officer,
    ...COUNTS.map(([key]) => row[key]),
    String(row.moneyReceived),
    String(row.moneyPaid),
    row.labourDays,
    row.difficulties,
    row.proposals,
    row.photo,
  ];
}

function fromColumns(r: Record<string, unknown>): PeerReportRow {
  const counts = Object.fromEntries(
    COUNTS.map(([key], i) => [key, Number(r[COLUMNS[i + 1] as string])]),
  ) as Record<CountKey, number>;
  return {
    officer: String(r.officer),
    ...counts,
    moneyReceived: BigInt(r.money_received as string),
    moneyPaid: BigInt(r.money_paid as string),
    labourDays: Number(r.labour_days),
    difficulties: String(r.difficulties),
    proposals: String(r.proposals),
    photo: (r.photo as string | null) ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// The peer in `npm run bench` (report section)

const perSecond = (t: Timed) => (t.samples.length / (t.endMs - t.startMs)) * 1000;
const fmt = (n: number) => n.toFixed(3);

/**
 * The peer on the database at `url` (ours has just run there: same file or schema, its own
 * tables), with the same officers and answers: each officer opens the report (not measured), the
 * warm-up officers answer, then the measured ones, `lanes` at a time as ours. Prints its lines
 * beside ours and records answers/s against ours.
 */
export async function benchPeer(opts: {
  url: string;
  name: string;
  warmup: number[];
  measured: number[];
  lanes: number;
  ours: Timed;
  record: (figure: Figure) => void;
}): Promise<void> {
  const { name, warmup, measured, lanes, ours, record } = opts;
  const storage = await openPeerStorage(opts.url);
  try {
    const bot = peerBot(storage);
    // Bot<PeerContext> handles updates as any Bot does.
    const driven = bot as unknown as Parameters<typeof answerReports>[0];
    const makeUpdate = updateMaker(1);
    for (const u of [...warmup, ...measured]) {
      await bot.handleUpdate(makeUpdate(u, '/baocao'));
    }
    await answerReports(driven, warmup, makeUpdate, lanes);
    const peer = await answerReports(driven, measured, makeUpdate, lanes);
    const expected = warmup.length + measured.length;
    const stored = await storage.countReports();
    const check = `${stored.rows} report rows by ${stored.officers} of ${expected} officers: ${expected - stored.officers} lost, ${stored.rows - stored.officers} doubled`;
    if (stored.rows !== expected || stored.officers !== expected) {
      throw new Error(`peer: ${check}`);
    }
    const sorted = [...peer.samples].sort((a, b) => a - b);
    const rate = perSecond(peer);
    const ourRate = perSecond(ours);
    console.log(
      `Peer on ${name} (grammY + @grammyjs/conversations + ${storage.label}, replies answered in process): ${peer.samples.length} measured`,
    );
    console.log(
      `  median ${fmt(percentile(sorted, 50))} ms, p99 ${fmt(percentile(sorted, 99))} ms, max ${fmt(sorted.at(-1) ?? 0)} ms`,
    );
    console.log(
      `  throughput: ${rate.toFixed(0)} answers/s (its CPU ${(peer.cpuMs / peer.samples.length).toFixed(3)} ms per answer; ours ${(ours.cpuMs / ours.samples.length).toFixed(3)} ms)`,
    );
    console.log(`  check: ${check}`);
    console.log(
      `  ${ourRate >= rate ? 'PASS' : 'FAIL'} ours ≥ peer: ${ourRate.toFixed(0)} / ${rate.toFixed(0)} answers/s`,
    );
    record({
      what: `${name}: peer (conversations + ${storage.label.replace('@grammyjs/', '')}) median / p99, CPU per answer`,
      value: `${fmt(percentile(sorted, 50))} / ${fmt(percentile(sorted, 99))} ms, ${(peer.cpuMs / peer.samples.length).toFixed(3)} ms`,
    });
    record({
      what: `${name}: answers/s ours / peer`,
      value: `${ourRate.toFixed(0)} / ${rate.toFixed(0)}`,
      goal: 'ours ≥ peer',
      pass: ourRate >= rate,
    });
  } finally {
    await storage.close();
  }
}
