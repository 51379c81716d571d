/**
 * `npx tsx scripts/bench-store-answer.ts --root <tree> [--db sqlite|postgres] [--answers 3000]`:
 * the data layer alone of one chat answer — the store transaction a report answer runs (the chat's
 * lock, the dedupe row, held outbox rows, the sender, the identity's last contact, the flow state
 * read and written, the reply queued) — `--answers` times, with the store, `SqlDb` and migrations
 * of the source tree `root` (this one, or a `git worktree` of an older commit). Prints one JSON line:
 * CPU and wall milliseconds per answer. scripts/bench-compare.ts `--store` runs it on both trees in
 * turns: unlike the report section it leaves out grammY and the core engine, so it compares the
 * database layers alone.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const DEFAULT_PG_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
const AT = new Date('2024-11-05T03:00:00Z');
const PEOPLE = 50;
const WARMUP = 500;

/** What this script uses of a tree's data layer; both the SqlDb and the Kysely design have it. */
interface StoreTx {
  lock(key: string): Promise<void>;
  inbound: { markSeen(channel: 'telegram', externalId: string, at: Date): Promise<boolean> };
  people: {
    create(person: { fullName: string; locale: string }, at: Date): Promise<number>;
    addMembership(personId: number, unitId: number, role: 'ward_officer', at: Date): Promise<void>;
    addIdentity(
      identity: { channel: 'telegram'; externalUserId: string; personId: number; displayName: null },
      at: Date,
    ): Promise<void>;
    findActor(channel: 'telegram', externalUserId: string): Promise<unknown>;
    touchIdentity(channel: 'telegram', externalUserId: string, at: Date): Promise<void>;
  };
  flows: {
    find(channel: 'telegram', chatId: string): Promise<unknown>;
    save(
      channel: 'telegram',
      chatId: string,
      state: { flow: string; version: number; step: string; data: string; expiresAt: Date },
      at: Date,
    ): Promise<void>;
  };
  outbox: {
    releaseHeld(channel: 'telegram', chatId: string, at: Date): Promise<void>;
    enqueue(
      items: { channel: 'telegram'; chatId: string; message: { text: string }; idempotencyKey: string }[],
      at: Date,
    ): Promise<number>;
  };
}

interface TreeDb {
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

interface Tree {
  openSqlDb(url: string, opts?: { poolSize?: number }): TreeDb;
  applyMigrations(db: TreeDb): Promise<void>;
  createStore(db: TreeDb): { run<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> };
}

async function loadTree(root: string): Promise<Tree> {
  const [sqlDb, migrate, store] = await Promise.all([
    import(path.join(root, 'prisma', 'sql-db.ts')),
    import(path.join(root, 'prisma', 'migrate.ts')),
    import(path.join(root, 'prisma', 'store.ts')),
  ]);
  return {
    openSqlDb: sqlDb.openSqlDb,
    applyMigrations: migrate.applyMigrations,
    createStore: store.createStore,
  };
}

/** One report answer's store work, as the engine does it for a chat in a conversation. */
async function answer(store: ReturnType<Tree['createStore']>, n: number): Promise<void> {
  const chat = String(n % PEOPLE);
  const now = new Date(AT.getTime() + n * 1000);
  await store.run(async (tx) => {
    await tx.lock(`chat:telegram:${chat}`);
    await tx.inbound.markSeen('telegram', String(n), now);
    await tx.outbox.releaseHeld('telegram', chat, now);
    await tx.people.findActor('telegram', chat);
    await tx.people.touchIdentity('telegram', chat, now);
    await tx.flows.find('telegram', chat);
    const state = { flow: 'report', version: 1, step: `q${n % 14}`, data: '{"data":{}}', expiresAt: now };
    await tx.flows.save('telegram', chat, state, now);
    const reply = {
      channel: 'telegram' as const,
      chatId: chat,
      message: { text: 'next' },
      idempotencyKey: `r:${n}`,
    };
    await tx.outbox.enqueue([reply], now);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      root: { type: 'string' },
      db: { type: 'string', default: 'sqlite' },
      answers: { type: 'string', default: '3000' },
    },
  });
  if (!values.root) {
    throw new Error('--root <source tree> is required');
  }
  const tree = await loadTree(path.resolve(values.root));
  const answers = Number(values.answers);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mttq-store-bench-'));
  const schema = `bench_store_${randomBytes(4).toString('hex')}`;
  const pgUrl = process.env.BENCH_DATABASE_URL || DEFAULT_PG_URL;
  const url =
    values.db === 'postgres'
      ? `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}schema=${schema}`
      : `file:${path.join(dir, 'store.db')}`;
  const db = tree.openSqlDb(url, { poolSize: 4 });
  try {
    await tree.applyMigrations(db);
    // exec: the one way to write plain SQL that every version of SqlDb keeps (migrations use it).
    await db.exec(
      `INSERT INTO "Unit" (id, code, name, kind, "validFrom", "createdAt") VALUES (1, 'u', 'Ward', 'ward', '2024-01-01', '${AT.toISOString()}')`,
    );
    const store = tree.createStore(db);
    await store.run(async (tx) => {
      for (let i = 0; i < PEOPLE; i++) {
        const personId = await tx.people.create({ fullName: `Officer ${i}`, locale: 'vi' }, AT);
        await tx.people.addMembership(personId, 1, 'ward_officer', AT);
        const identity = {
          channel: 'telegram' as const,
          externalUserId: String(i),
          personId,
          displayName: null,
        };
        await tx.people.addIdentity(identity, AT);
      }
    });
    for (let n = 0; n < WARMUP; n++) {
      await answer(store, answers + n);
    }
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let n = 0; n < answers; n++) {
      await answer(store, n);
    }
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    console.log(
      JSON.stringify({
        cpuMsPerAnswer: (used.user + used.system) / 1000 / answers,
        wallMsPerAnswer: wallMs / answers,
      }),
    );
  } finally {
    if (values.db === 'postgres') {
      await db.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
