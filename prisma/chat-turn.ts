import { sql } from 'kysely';
import type { FlowStateRepository, StoredFlowState } from '../core/flows/flow-state.repository.ts';
import { rememberShownChoices } from '../core/flows/shown-choices.ts';
import type { Channel } from '../core/messaging/message.ts';
import type { InboundRepository, OutboxItem, OutboxRepository } from '../core/messaging/outbox.repository.ts';
import type { PeopleRepository } from '../core/people/people.repository.ts';
import type { Actor } from '../core/shared/actor.ts';
import { type ChatTurn, chatLockKey, type Tx } from '../core/unit-of-work.ts';
import type { SqlDb } from './database.ts';
import { actorOf, type MembershipRow, type PersonRow } from './repositories/mappers.ts';

/**
 * A chat turn on PostgreSQL in two round trips (issue 19 §2): one statement reads everything the
 * common turn reads (was the update seen, the sender and their memberships, the chat's flow state,
 * its held messages), the turn runs in memory against what was read, and one more statement — the
 * function `chat_turn_commit` (migration 20261207060000_chat_turn_commit) — takes the chat's lock,
 * checks that the flow state is still the one read, marks the update seen and writes what the turn
 * did, atomically. A full transaction costs about ten round trips of 0.2–0.35 ms each on our
 * machines; this is the same work and the same guarantees in two.
 *
 * The turn may use only what the read covers: the chat's own lock, marking the update seen,
 * releasing the chat's held messages, the sender, their last contact, the chat's flow state and
 * replies to the chat. Anything else (a report submitted, a household moved, a message to another
 * chat) stops the turn at that call (`NeedsTransaction`), before anything was written, and the
 * store runs it again in a full transaction — as it does when the commit finds the state changed
 * meanwhile ('stale': another instance's turn of the same chat) or the update already handled
 * ('duplicate'). A turn therefore has no effect but through `tx`, and may run twice.
 */
export function createChatTurnRunner(
  db: SqlDb,
): <T>(
  turn: ChatTurn,
  work: (tx: Tx) => Promise<T>,
) => Promise<{ done: true; result: T } | { done: false; why: TurnFallback }> {
  const read = readStatement(db);
  const commit = commitStatement(db);
  return async (turn, work) => {
    const { rows } = await db.kysely.executeQuery<ReadRow>({ ...read, parameters: readParams(turn) });
    const first = rows[0];
    if (!first) {
      throw new Error('the chat turn read returned no row');
    }
    const speculative = new SpeculativeTurn(turn, first, rows);
    let result: Awaited<ReturnType<typeof work>>;
    try {
      result = await work(speculative.tx);
    } catch (error) {
      // Either a call the read does not cover, or the turn failed: a full transaction decides
      // (and, for a real failure, fails the same way with the database's own answers).
      return { done: false, why: error instanceof NeedsTransaction ? 'needs-transaction' : 'failed' };
    }
    const writes = speculative.writes();
    if (!writes) {
      // Nothing to write (a redelivered update seen in the read): the turn is complete.
      return { done: true, result };
    }
    const { rows: outcome } = await db.kysely.executeQuery<{ outcome: string }>({
      ...commit,
      parameters: writes,
    });
    const said = outcome[0]?.outcome;
    if (said === 'ok') {
      return { done: true, result };
    }
    return { done: false, why: said === 'duplicate' ? 'duplicate' : 'stale' };
  };
}

/** Why a turn went on to a full transaction (counted by the benchmark). */
export type TurnFallback = 'needs-transaction' | 'failed' | 'stale' | 'duplicate';

/** Thrown by a call of the turn that the read does not cover. */
class NeedsTransaction extends Error {
  constructor(what: string) {
    super(`${what} needs a transaction`);
  }
}

interface ReadRow extends PersonRow, MembershipRow {
  seen: boolean;
  held: bigint | number;
  flow: string | null;
  version: number | null;
  step: string | null;
  data: string | null;
  expiresAt: Date | null;
  // PersonRow's columns are null for a sender without an identity.
}

/**
 * The read: one row per live membership of the sender (at least one row), each carrying the flow
 * state and the two facts; the actor's columns as `findActor` selects them, in its order. Compiled
 * once; its parameters are `readParams`.
 */
function readStatement(db: SqlDb) {
  return sql<ReadRow>`SELECT
      EXISTS (SELECT 1 FROM "InboundSeen" s WHERE s."channel" = ${''} AND s."externalId" = ${''}) AS "seen",
      (SELECT COUNT(*) FROM "Outbox" o WHERE o."channel" = ${''} AND o."chatId" = ${''} AND o."status" = 'held') AS "held",
      f."flow", f."version", f."step", f."data", f."expiresAt",
      a."personId", a."fullName", a."locale", a."role", a."unitId", a."unitCode", a."unitName", a."unitKind"
    FROM (SELECT 1) AS "one"
    LEFT JOIN "FlowState" f ON f."channel" = ${''} AND f."chatId" = ${''}
    LEFT JOIN LATERAL (
      SELECT p."id" AS "personId", p."fullName", p."locale", m."role", m."id" AS "membershipId",
        u."id" AS "unitId", u."code" AS "unitCode", u."name" AS "unitName", u."kind" AS "unitKind"
      FROM "ChannelIdentity" ci
      JOIN "Person" p ON p."id" = ci."personId" AND p."active" = true
      LEFT JOIN "Membership" m ON m."personId" = p."id" AND m."revokedAt" IS NULL
      LEFT JOIN "Unit" u ON u."id" = m."unitId"
      WHERE ci."channel" = ${''} AND ci."externalUserId" = ${''}
    ) a ON true
    ORDER BY a."membershipId"`.compile(db.kysely);
}

/** The read's parameters, in the order of its placeholders. */
const readParams = (t: ChatTurn) => [
  t.channel,
  t.externalId,
  t.channel,
  t.chatId,
  t.channel,
  t.chatId,
  t.channel,
  t.senderId,
];

/** `SELECT chat_turn_commit(…)`, compiled once; its parameters are `SpeculativeTurn.writes()`. */
function commitStatement(db: SqlDb) {
  const params = COMMIT_PARAMS.map((type) => sql`${null}${sql.raw(type)}`);
  return sql<{ outcome: string }>`SELECT "chat_turn_commit"(${sql.join(params)}) AS "outcome"`.compile(
    db.kysely,
  );
}

/** The function's parameters' types, in the order of the migration's signature. */
const COMMIT_PARAMS = [
  '::text', // the lock's key
  '::text', // channel
  '::text', // chat
  '::text', // update
  '::timestamp(3)', // the turn's time
  '::boolean', // the flow state read: was there one, and its five columns
  '::text',
  '::integer',
  '::text',
  '::text',
  '::timestamp(3)',
  '::text', // keep | save | delete, and the five columns to save
  '::text',
  '::integer',
  '::text',
  '::text',
  '::timestamp(3)',
  '::boolean', // release held messages
  '::text', // the sender to touch, and "older than"
  '::timestamp(3)',
  '::text[]', // the replies: payloads, keys, purposes, people
  '::text[]',
  '::text[]',
  '::integer[]',
];

/** Minute precision for the last contact, as `touchIdentity` does (prisma/repositories/people.ts). */
const TOUCH_EVERY_MS = 60_000;

/**
 * The turn's `Tx`: the calls the read covers answer from it and record what they would write;
 * every other call throws `NeedsTransaction`.
 */
class SpeculativeTurn {
  readonly tx: Tx;
  readonly #turn: ChatTurn;
  readonly #seen: boolean;
  readonly #held: number;
  readonly #actor: Actor | undefined;
  readonly #had: StoredFlowState | undefined;
  /** The chat's flow state as the turn leaves it so far. */
  #state: StoredFlowState | undefined;
  #stateChanged = false;
  /** The one time every write of the turn is stamped with (markSeen's). */
  #at: Date | undefined;
  #locked = false;
  #marked = false;
  #released = false;
  #touched = false;
  readonly #replies: OutboxItem[] = [];

  constructor(turn: ChatTurn, first: ReadRow, rows: readonly ReadRow[]) {
    this.#turn = turn;
    this.#seen = first.seen;
    this.#held = Number(first.held);
    this.#actor = first.personId === null || first.personId === undefined ? undefined : actorOf(first, rows);
    this.#had =
      first.flow === null
        ? undefined
        : {
            flow: first.flow,
            version: first.version ?? 0,
            step: first.step ?? '',
            data: first.data ?? '',
            expiresAt: first.expiresAt ?? new Date(0),
          };
    this.#state = this.#had;
    this.tx = this.#makeTx();
  }

  /** The commit's parameters, or undefined when the turn wrote nothing. */
  writes(): unknown[] | undefined {
    if (!this.#marked) {
      if (this.#stateChanged || this.#replies.length > 0 || this.#released || this.#touched) {
        // Writes without the update marked seen: not the shape of a turn; never expected.
        throw new Error('a chat turn wrote without marking its update seen');
      }
      return undefined;
    }
    const at = this.#at as Date;
    const had = this.#had;
    const state = this.#state;
    const write = !this.#stateChanged ? 'keep' : state ? 'save' : 'delete';
    return [
      this.#locked ? chatLockKey(this.#turn) : null,
      this.#turn.channel,
      this.#turn.chatId,
      this.#turn.externalId,
      at,
      had !== undefined,
      had?.flow ?? null,
      had?.version ?? null,
      had?.step ?? null,
      had?.data ?? null,
      had?.expiresAt ?? null,
      write,
      state?.flow ?? null,
      state?.version ?? null,
      state?.step ?? null,
      state?.data ?? null,
      state?.expiresAt ?? null,
      this.#released,
      this.#touched ? this.#turn.senderId : null,
      this.#touched ? new Date(at.getTime() - TOUCH_EVERY_MS) : null,
      this.#replies.map((r) => JSON.stringify(r.message)),
      this.#replies.map((r) => r.idempotencyKey),
      this.#replies.map((r) => r.purpose ?? 'reply'),
      this.#replies.map((r) => r.personId ?? null),
    ];
  }

  /** Every write of a turn carries the same time (the function stamps them all with it). */
  #stamp(at: Date, what: string): void {
    if (this.#at === undefined) {
      this.#at = at;
    } else if (this.#at.getTime() !== at.getTime()) {
      throw new NeedsTransaction(`${what} at another time`);
    }
  }

  #ownChat(channel: Channel, chatId: string, what: string): void {
    if (channel !== this.#turn.channel || chatId !== this.#turn.chatId) {
      throw new NeedsTransaction(`${what} of another chat`);
    }
  }

  #makeTx(): Tx {
    const inbound: InboundRepository = {
      markSeen: async (channel, externalId, at) => {
        if (channel !== this.#turn.channel || externalId !== this.#turn.externalId || this.#marked) {
          throw new NeedsTransaction('marking another update seen');
        }
        if (this.#seen) {
          return false;
        }
        this.#stamp(at, 'marking seen');
        this.#marked = true;
        return true;
      },
    };
    const people: Partial<PeopleRepository> = {
      findActor: async (channel, externalUserId) => {
        if (channel !== this.#turn.channel || externalUserId !== this.#turn.senderId) {
          throw new NeedsTransaction('another sender');
        }
        return this.#actor;
      },
      touchIdentity: async (channel, externalUserId, at) => {
        if (channel !== this.#turn.channel || externalUserId !== this.#turn.senderId) {
          throw new NeedsTransaction('touching another sender');
        }
        this.#stamp(at, 'touching the sender');
        this.#touched = true;
      },
    };
    const flows: FlowStateRepository = {
      find: async (channel, chatId) => {
        this.#ownChat(channel, chatId, 'the flow state');
        return this.#state;
      },
      save: async (channel, chatId, state, at) => {
        this.#ownChat(channel, chatId, 'saving the flow state');
        this.#stamp(at, 'saving the flow state');
        this.#state = { ...state };
        this.#stateChanged = true;
      },
      delete: async (channel, chatId) => {
        this.#ownChat(channel, chatId, 'deleting the flow state');
        this.#state = undefined;
        this.#stateChanged = true;
      },
      saveUnlessOtherFlow: async (rows, at) => {
        for (const { channel, chatId, state } of rows) {
          this.#ownChat(channel, chatId, 'saving the shown choices');
          this.#stamp(at, 'saving the shown choices');
          // As the upsert does: a row of another flow is left as it is.
          if (this.#state === undefined || this.#state.flow === state.flow) {
            this.#state = { ...state };
            this.#stateChanged = true;
          }
        }
      },
    };
    const outbox: Partial<OutboxRepository> = {
      enqueue: async (items, at) => {
        for (const item of items) {
          this.#ownChat(item.channel, item.chatId, 'a message');
        }
        if (items.length > 0) {
          this.#stamp(at, 'queueing replies');
        }
        const keys = new Set(this.#replies.map((r) => r.idempotencyKey));
        const fresh = items.filter((item) => !keys.has(item.idempotencyKey));
        this.#replies.push(...fresh);
        await rememberShownChoices(flows, items, at);
        // Keys are the update's own (reply:<channel>:<update>:<n>): none can exist before the update
        // is marked seen, which the commit checks first.
        return fresh.length;
      },
      releaseHeld: async (channel, chatId, at) => {
        this.#ownChat(channel, chatId, 'releasing held messages');
        this.#stamp(at, 'releasing held messages');
        const released = this.#released ? 0 : this.#held;
        this.#released = true;
        return released;
      },
    };
    const covered: Partial<Record<keyof Tx, unknown>> = {
      lock: async (key: string) => {
        if (key !== chatLockKey(this.#turn)) {
          throw new NeedsTransaction(`the lock ${key}`);
        }
        this.#locked = true;
      },
      inbound,
      people: uncoveredElse('people', people),
      flows,
      outbox: uncoveredElse('outbox', outbox),
    };
    return new Proxy({} as Tx, {
      get: (_, name: string) => {
        const repo = covered[name as keyof Tx];
        return repo ?? uncoveredElse(name, {});
      },
    });
  }
}

/** A repository whose methods other than `covered`'s throw `NeedsTransaction`. */
function uncoveredElse<T extends object>(repo: string, covered: T): T {
  return new Proxy(covered, {
    get: (target, method: string | symbol) => {
      if (method in target) {
        return target[method as keyof T];
      }
      if (typeof method === 'symbol' || method === 'then') {
        return undefined;
      }
      return () => {
        throw new NeedsTransaction(`${repo}.${method}`);
      };
    },
  });
}
