import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInboundHandler } from '../../core/inbound/handle-inbound.ts';
import type { Inbound } from '../../core/messaging/message.ts';
import { createFixedClock } from '../../core/shared/clock.ts';
import { chatLockKey, type Tx } from '../../core/unit-of-work.ts';
import { createChatTurnRunner } from '../../prisma/chat-turn.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import { createStore } from '../../prisma/store.ts';
import {
  ANSWERS,
  countPostgresStatements,
  REPORT_CLOCK_AT,
  seedOfficers,
} from '../../scripts/bench-inbound.ts';
import { migratedDb, TEST_DIALECT } from '../support/app-harness.ts';

const at = new Date(REPORT_CLOCK_AT);

/** A private-chat message of `user` (a command when it starts with "/"). */
function message(user: number, n: number, text: string): Inbound {
  return {
    channel: 'telegram',
    chatId: String(user),
    chatType: 'private',
    senderId: String(user),
    senderName: 'Cán bộ',
    externalId: `${user}-${n}`,
    ...(text.startsWith('/')
      ? { kind: 'command', command: text.slice(1), args: '' }
      : { kind: 'text', text }),
    receivedAt: at,
  } as Inbound;
}

/** Statements node-postgres sends from this process while `work` runs (each one round trip). */
async function statementsOf<T>(work: () => Promise<T>): Promise<{ result: T; statements: number }> {
  const counter = countPostgresStatements();
  try {
    return { result: await work(), statements: counter.count() };
  } finally {
    counter.stop();
  }
}

/** What a chat's turns left in the database, without ids and the chat's own numbers. */
async function chatRecord(db: SqlDb, user: number) {
  const chatId = String(user);
  const flow = await db.kysely
    .selectFrom('FlowState')
    .select(['flow', 'step', 'version', 'data', 'expiresAt', 'updatedAt'])
    .where('chatId', '=', chatId)
    .execute();
  const outbox = await db.kysely
    .selectFrom('Outbox')
    .select(['payload', 'idempotencyKey', 'status', 'purpose', 'nextAttemptAt', 'createdAt'])
    .where('chatId', '=', chatId)
    .orderBy('id')
    .execute();
  const seen = await db.kysely
    .selectFrom('InboundSeen')
    .select(['externalId', 'receivedAt'])
    .where('externalId', 'like', `${user}-%`)
    .orderBy('externalId')
    .execute();
  const reports = await db.kysely
    .selectFrom('Report as r')
    .innerJoin('ChannelIdentity as ci', 'ci.personId', 'r.personId')
    .select([
      'r.approvedNew',
      'r.moneyReceived',
      'r.moneyPaid',
      'r.labourDays',
      'r.revision',
      'r.submittedAt',
    ])
    .where('ci.externalUserId', '=', chatId)
    .execute();
  const anyWard = (text: string) =>
    text.replaceAll(String(user), '<user>').replace(/menu:report:\d+/g, 'menu:report:<ward>');
  return {
    flow: flow.map((f) => ({ ...f, data: anyWard(f.data) })),
    // The officers' wards are named after them ("Phường thử 100000"); the report button carries the ward's id.
    outbox: outbox.map((o) => ({
      ...o,
      idempotencyKey: o.idempotencyKey.replaceAll(String(user), '<user>'),
      payload: anyWard(o.payload),
    })),
    seen: seen.map((s) => ({ ...s, externalId: s.externalId.replace(`${user}-`, '<user>-') })),
    reports,
  };
}

if (TEST_DIALECT === 'postgres') {
  describe('chat turns on PostgreSQL: one or two round trips, the same result as a full transaction', () => {
    let db: SqlDb;
    let close: () => Promise<void>;
    let users: number[];
    beforeEach(async () => {
      ({ db, close } = await migratedDb());
      users = await seedOfficers(db, 3, at);
    });
    afterEach(() => close());

    const handlerOn = (store: ReturnType<typeof createStore>) =>
      createInboundHandler({
        uow: store,
        clock: createFixedClock(REPORT_CLOCK_AT),
        flowTtlMs: 86_400_000,
        timeZone: 'Asia/Ho_Chi_Minh',
      });

    it('answers a whole report in one statement per answer and leaves what a full transaction leaves', async () => {
      const [fast, full] = users as [number, number];
      const turns: string[] = [];
      const withTurns = handlerOn(createStore(db, { onChatTurn: (how) => turns.push(how) }));
      const withoutTurns = handlerOn(createStore(db, { chatTurns: false }));
      const script = ['/baocao', ...ANSWERS, 'gửi lại', '/huy'];
      const perAnswer: number[] = [];
      for (const [i, text] of script.entries()) {
        const { statements } = await statementsOf(() => withTurns(message(fast, i, text)));
        perAnswer.push(statements);
        await withoutTurns(message(full, i, text));
      }
      // The first answer after the start reads the chat and commits (two statements); the next ones
      // commit what this instance left in the chat's last turn (one statement) — up to "gửi".
      const middle = perAnswer.slice(1, ANSWERS.length);
      expect(middle).toEqual([2, ...middle.slice(1).map(() => 1)]);
      expect(turns.slice(1, ANSWERS.length)).toEqual([
        'two-round-trips',
        ...middle.slice(1).map(() => 'one-round-trip'),
      ]);
      // Starting a report and submitting it need more than a chat turn covers: full transactions,
      // after which the chat is read afresh.
      expect(turns[0]).toBe('needs-transaction');
      expect(turns[ANSWERS.length]).toBe('needs-transaction');
      expect(turns[ANSWERS.length + 1]).toBe('two-round-trips');

      const a = await chatRecord(db, fast);
      const b = await chatRecord(db, full);
      expect(a.reports).toHaveLength(1);
      expect(a.outbox.length).toBe(script.length);
      expect(a).toEqual(b);
    });

    it('answers a redelivered update once: one statement, nothing written', async () => {
      const [user] = users as [number];
      const handle = handlerOn(createStore(db));
      await handle(message(user, 1, '/baocao'));
      await handle(message(user, 2, '12'));
      const before = await chatRecord(db, user);
      const { result, statements } = await statementsOf(() => handle(message(user, 2, '12')));
      expect(result).toEqual({ duplicate: true });
      expect(statements).toBe(1);
      expect(await chatRecord(db, user)).toEqual(before);
    });

    describe('the commit', () => {
      const chat = (user: number) => ({
        channel: 'telegram' as const,
        chatId: String(user),
        senderId: String(user),
      });
      /** A turn that reads the chat's state, waits for `gate`, then saves a step and queues a reply. */
      const stepTurn =
        (user: number, externalId: string, step: string, gate: Promise<void> = Promise.resolve()) =>
        async (tx: Tx) => {
          await tx.lock(chatLockKey(chat(user)));
          if (!(await tx.inbound.markSeen('telegram', externalId, at))) {
            return 'duplicate';
          }
          const state = await tx.flows.find('telegram', String(user));
          await gate;
          await tx.flows.save(
            'telegram',
            String(user),
            { flow: 'test', version: 1, step, data: `${state?.step ?? 'none'}→${step}`, expiresAt: at },
            at,
          );
          await tx.outbox.enqueue(
            [
              {
                channel: 'telegram',
                chatId: String(user),
                message: { text: step },
                idempotencyKey: `reply:${externalId}`,
              },
            ],
            at,
          );
          return step;
        };
      const stateOf = (user: number) =>
        db.kysely
          .selectFrom('FlowState')
          .select(['step', 'data'])
          .where('chatId', '=', String(user))
          .executeTakeFirst();
      const seenCount = async () =>
        Number(
          (
            await db.kysely
              .selectFrom('InboundSeen')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );

      it('refuses a turn whose chat state changed after it was read, writing nothing ("stale")', async () => {
        const [user] = users as [number];
        const runner = createChatTurnRunner(db);
        let open!: () => void;
        const gate = new Promise<void>((resolve) => {
          open = resolve;
        });
        const late = runner({ ...chat(user), externalId: 'a' }, stepTurn(user, 'a', 'A', gate));
        // Another instance's turn of the same chat reads and commits in between.
        await expect(runner({ ...chat(user), externalId: 'b' }, stepTurn(user, 'b', 'B'))).resolves.toEqual({
          done: true,
          result: 'B',
          roundTrips: 2,
        });
        open();
        await expect(late).resolves.toEqual({ done: false, why: 'stale' });
        expect(await stateOf(user)).toEqual({ step: 'B', data: 'none→B' });
        expect(await seenCount()).toBe(1);
        // The store then runs it in a full transaction, on the state as it is now.
        const store = createStore(db);
        await expect(
          store.runChatTurn?.({ ...chat(user), externalId: 'c' }, stepTurn(user, 'c', 'C')),
        ).resolves.toBe('C');
        expect(await stateOf(user)).toEqual({ step: 'C', data: 'B→C' });
      });

      it('finds an update another instance handled meanwhile ("duplicate"): writes nothing, answers as a redelivery', async () => {
        const [user] = users as [number];
        const runner = createChatTurnRunner(db);
        // A turn that leaves the state as it was: only the dedupe row tells the two apart.
        const replyOnly = (gate: Promise<void>) => async (tx: Tx) => {
          await tx.lock(chatLockKey(chat(user)));
          if (!(await tx.inbound.markSeen('telegram', 'same', at))) {
            return 'duplicate';
          }
          await gate;
          await tx.outbox.enqueue(
            [
              {
                channel: 'telegram',
                chatId: String(user),
                message: { text: 'x' },
                idempotencyKey: 'reply:same',
              },
            ],
            at,
          );
          return 'answered';
        };
        let open!: () => void;
        const gate = new Promise<void>((resolve) => {
          open = resolve;
        });
        const late = runner({ ...chat(user), externalId: 'same' }, replyOnly(gate));
        await expect(
          runner({ ...chat(user), externalId: 'same' }, replyOnly(Promise.resolve())),
        ).resolves.toEqual({
          done: true,
          result: 'answered',
          roundTrips: 2,
        });
        open();
        // The late copy's commit (its one statement from here) finds the dedupe row and writes
        // nothing; the turn is run again in memory knowing the update was seen, and answers as a
        // redelivery, with no further statement.
        const { result, statements } = await statementsOf(() => late);
        expect(result).toEqual({ done: true, result: 'duplicate', roundTrips: 2 });
        expect(statements).toBe(1);
        const outbox = await db.kysely.selectFrom('Outbox').select('idempotencyKey').execute();
        expect(outbox).toEqual([{ idempotencyKey: 'reply:same' }]);
      });

      it("computes a turn again when the sender's roles changed since this instance last saw them", async () => {
        const [user] = users as [number];
        const runner = createChatTurnRunner(db);
        // The turn answers with the number of roles it saw.
        const rolesTurn = (externalId: string) => async (tx: Tx) => {
          await tx.lock(chatLockKey(chat(user)));
          await tx.inbound.markSeen('telegram', externalId, at);
          const actor = await tx.people.findActor('telegram', String(user));
          const roles = actor?.memberships.length ?? 0;
          await tx.outbox.enqueue(
            [
              {
                channel: 'telegram',
                chatId: String(user),
                message: { text: `${roles}` },
                idempotencyKey: `reply:${externalId}`,
              },
            ],
            at,
          );
          return roles;
        };
        expect(await runner({ ...chat(user), externalId: 'r1' }, rolesTurn('r1'))).toEqual({
          done: true,
          result: 1,
          roundTrips: 2,
        });
        expect(await runner({ ...chat(user), externalId: 'r2' }, rolesTurn('r2'))).toEqual({
          done: true,
          result: 1,
          roundTrips: 1,
        });
        // An admin revokes the officer's role: the remembered sender is refused at the commit, and
        // the turn is computed again on a fresh read (three statements in all).
        const person = await db.kysely
          .selectFrom('ChannelIdentity')
          .select('personId')
          .where('externalUserId', '=', String(user))
          .executeTakeFirstOrThrow();
        await db.kysely
          .updateTable('Membership')
          .set({ revokedAt: at })
          .where('personId', '=', person.personId)
          .execute();
        expect(await runner({ ...chat(user), externalId: 'r3' }, rolesTurn('r3'))).toEqual({
          done: true,
          result: 0,
          roundTrips: 3,
        });
        const replies = await db.kysely.selectFrom('Outbox').select('payload').orderBy('id').execute();
        expect(replies.map((r) => JSON.parse(r.payload).text)).toEqual(['1', '1', '0']);
      });

      it("waits for a full transaction holding the chat's lock, then sees what it wrote", async () => {
        const [user] = users as [number];
        const runner = createChatTurnRunner(db);
        let release!: () => void;
        const held = new Promise<void>((resolve) => {
          release = resolve;
        });
        let locked!: () => void;
        const lockTaken = new Promise<void>((resolve) => {
          locked = resolve;
        });
        const store = createStore(db, { chatTurns: false });
        const full = store.run(async (tx) => {
          await tx.lock(chatLockKey(chat(user)));
          locked();
          await held;
          await tx.flows.save(
            'telegram',
            String(user),
            { flow: 'test', version: 1, step: 'F', data: 'full', expiresAt: at },
            at,
          );
        });
        await lockTaken;
        let settled = false;
        const turn = runner({ ...chat(user), externalId: 'w' }, stepTurn(user, 'w', 'W')).finally(() => {
          settled = true;
        });
        // The commit is blocked on the lock: PostgreSQL shows it waiting for an advisory lock.
        await expect
          .poll(async () =>
            Number(
              (
                await db.kysely
                  .selectFrom('pg_locks' as never)
                  .select((eb) => eb.fn.countAll().as('n'))
                  .where('locktype' as never, '=', 'advisory' as never)
                  .where('granted' as never, '=', false as never)
                  .executeTakeFirstOrThrow()
              ).n,
            ),
          )
          .toBe(1);
        expect(settled).toBe(false);
        release();
        await full;
        await expect(turn).resolves.toEqual({ done: false, why: 'stale' });
        expect(await stateOf(user)).toEqual({ step: 'F', data: 'full' });
        expect(await seenCount()).toBe(0);
      });

      it('stops a turn at the first call the read does not cover, before anything is written', async () => {
        const [user] = users as [number];
        const runner = createChatTurnRunner(db);
        const outcome = await runner({ ...chat(user), externalId: 'x' }, async (tx) => {
          await tx.lock(chatLockKey(chat(user)));
          await tx.inbound.markSeen('telegram', 'x', at);
          await tx.flows.save(
            'telegram',
            String(user),
            { flow: 'test', version: 1, step: 'S', data: '', expiresAt: at },
            at,
          );
          await tx.audit.record(
            { personId: null, channel: 'telegram', action: 'a', entity: 'e', entityId: null },
            at,
          );
          return 'written';
        });
        expect(outcome).toEqual({ done: false, why: 'needs-transaction' });
        expect(await stateOf(user)).toBeUndefined();
        expect(await seenCount()).toBe(0);
        // Through the store, the same work then runs in a full transaction.
        await expect(
          createStore(db).runChatTurn?.({ ...chat(user), externalId: 'x' }, async (tx) => {
            await tx.lock(chatLockKey(chat(user)));
            await tx.inbound.markSeen('telegram', 'x', at);
            await tx.audit.record(
              { personId: null, channel: 'telegram', action: 'a', entity: 'e', entityId: null },
              at,
            );
            return 'written';
          }),
        ).resolves.toBe('written');
        expect(await seenCount()).toBe(1);
      });
    });
  });
} else {
  describe('chat turns on SQLite', () => {
    it('are not offered: a whole transaction runs in-process in well under a millisecond', async () => {
      const { db, close } = await migratedDb();
      try {
        expect(createStore(db).runChatTurn).toBeUndefined();
      } finally {
        await close();
      }
    });
  });
}
