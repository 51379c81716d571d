import { sql } from 'kysely';
import type { FlowStateRepository, StoredFlowState } from '../core/flows/flow-state.repository.ts';
import { rememberShownChoices } from '../core/flows/shown-choices.ts';
import type { Channel } from '../core/messaging/message.ts';
import type { InboundRepository, OutboxItem, OutboxRepository } from '../core/messaging/outbox.repository.ts';
import type { PeopleRepository } from '../core/people/people.repository.ts';
import type { Actor } from '../core/shared/actor.ts';
import { type ChatTurn, chatLockKey, type Tx } from '../core/unit-of-work.ts';
import type { SqlDb } from './database.ts';
import { actorOf, type MembershipRow } from './repositories/mappers.ts';

/**
 * A chat turn on PostgreSQL in one or two round trips (issue 19 §2). The turn runs in memory against
 * what is known of the chat, and one statement — the function `chat_turn_commit` (migrations
 * 20261207060000_chat_turn_commit, 20261207060100_chat_turn_known_chats) — takes the chat's lock,
 * checks that the chat's flow state and the sender (their roles and units) are still what the turn
 * saw, marks the update seen and writes what the turn did, atomically. What is known of the chat is
 * either what this instance committed in the chat's last turn (one round trip), or what one more
 * statement reads: was the update seen, the sender and their memberships, the chat's flow state (two).
 * A full transaction costs about eleven round trips of 0.2–0.35 ms each on our machines; this is the
 * same work with the same guarantees.
 *
 * The turn may use only what that covers: the chat's own lock, marking the update seen, releasing
 * the chat's held messages, the sender, their last contact, the chat's flow state and replies to the
 * chat. Anything else (a report submitted, a household moved, a message to another chat) stops the
 * turn at that call (`NeedsTransaction`), before anything was written, and the store runs it again in
 * a full transaction — as it does when the commit finds the update already handled ('duplicate'), or
 * the state or sender changed since they were read ('stale': another instance's turn of the same
 * chat, an admin's change of roles). A turn computed on what this instance remembered and found stale
 * is first tried once more on a fresh read. A turn therefore has no effect but through `tx`, and may
 * run more than once.
 */
export function createChatTurnRunner(
  db: SqlDb,
  opts: { rememberChats?: number } = {},
): <T>(turn: ChatTurn, work: (tx: Tx) => Promise<T>) => Promise<Turned<T>> {
  const read = readStatement(db);
  const commit = commitStatement(db);
  const known = new KnownChats(opts.rememberChats ?? KNOWN_CHATS);

  async function attempt<T>(
    turn: ChatTurn,
    work: (tx: Tx) => Promise<T>,
    seen: Seen,
    why: 'remembered' | 'read',
  ): Promise<Turned<T>> {
    const speculative = new SpeculativeTurn(turn, seen);
    let result: T;
    try {
      result = await work(speculative.tx);
    } catch (error) {
      known.forget(turn);
      // Either a call the turn cannot make here, or the turn failed: a full transaction decides
      // (and, for a real failure, fails the same way with the database's own answers).
      return { done: false, why: error instanceof NeedsTransaction ? 'needs-transaction' : 'failed' };
    }
    let writes: unknown[] | undefined;
    try {
      writes = speculative.writes();
    } catch {
      // Not the shape of a chat turn (see `writes`): a full transaction runs it as it is.
      known.forget(turn);
      return { done: false, why: 'failed' };
    }
    if (!writes) {
      // Nothing to write (a redelivered update seen in the read): the turn is complete.
      return { done: true, result, roundTrips: why === 'read' ? 1 : 0 };
    }
    const { rows } = await db.kysely.executeQuery<{ outcome: string }>({ ...commit, parameters: writes });
    const outcome = rows[0]?.outcome;
    if (outcome === 'ok') {
      known.remember(turn, speculative.left());
      return { done: true, result, roundTrips: why === 'read' ? 2 : 1 };
    }
    known.forget(turn);
    if (outcome === 'duplicate' && !seen.seen) {
      // Handled before (a redelivery, or at another instance meanwhile): the turn again, now knowing
      // so — it stops at marking the update seen, as a full transaction would, without a statement.
      const again = await attempt(turn, work, { ...seen, seen: true }, why);
      return again.done ? { ...again, roundTrips: why === 'read' ? 2 : 1 } : again;
    }
    return { done: false, why: outcome === 'duplicate' ? 'duplicate' : 'stale' };
  }

  return async (turn, work) => {
    const remembered = known.recall(turn);
    let refused = 0;
    if (remembered) {
      const turned = await attempt(turn, work, remembered, 'remembered');
      if (turned.done || turned.why !== 'stale') {
        return turned;
      }
      // Another instance (or an admin) changed the chat since: read it afresh and try once more.
      refused = 1;
    }
    const { rows } = await db.kysely.executeQuery<ReadRow>({ ...read, parameters: readParams(turn) });
    const first = rows[0];
    if (!first) {
      throw new Error('the chat turn read returned no row');
    }
    const turned = await attempt(turn, work, seenOf(turn, first, rows), 'read');
    return turned.done ? { ...turned, roundTrips: turned.roundTrips + refused } : turned;
  };
}

/** A turn done in `roundTrips` statements, or why it must run in a full transaction. */
export type Turned<T> = { done: true; result: T; roundTrips: number } | { done: false; why: TurnFallback };

/** Why a turn went on to a full transaction (counted by the benchmark). */
export type TurnFallback = 'needs-transaction' | 'failed' | 'stale' | 'duplicate';

/** Thrown by a call of the turn that the read does not cover. */
class NeedsTransaction extends Error {
  constructor(what: string) {
    super(`${what} needs a transaction`);
  }
}

interface ReadRow extends MembershipRow {
  seen: boolean;
  actorKey: string;
  flow: string | null;
  version: number | null;
  step: string | null;
  data: string | null;
  expiresAt: Date | null;
  // Null for a sender without an identity.
  personId: number | null;
  fullName: string | null;
  locale: string | null;
}

/** What a turn is computed on: what was read, or what this instance's last turn of the chat left. */
interface Seen {
  /** The update was handled before (known only from a read; a remembered chat assumes not). */
  seen: boolean;
  senderId: string;
  actor: Actor | undefined;
  /** `chat_actor_key` of the sender, as the commit checks it. */
  actorKey: string;
  state: StoredFlowState | undefined;
}

function seenOf(turn: ChatTurn, first: ReadRow, rows: readonly ReadRow[]): Seen {
  const { personId, fullName, locale } = first;
  return {
    seen: first.seen,
    senderId: turn.senderId,
    actor:
      personId === null
        ? undefined
        : actorOf({ personId, fullName: fullName ?? '', locale: locale ?? '' }, rows),
    actorKey: first.actorKey,
    state:
      first.flow === null
        ? undefined
        : {
            flow: first.flow,
            version: first.version ?? 0,
            step: first.step ?? '',
            data: first.data ?? '',
            expiresAt: first.expiresAt ?? new Date(0),
          },
  };
}

/**
 * How many chats an instance remembers (the least recent is dropped first): a report in progress
 * keeps about 1 KB of state, so at most a few MB; a nation has 3,321 communes.
 */
const KNOWN_CHATS = 5_000;
/** A remembered chat is read afresh after this long (an answer usually comes a minute after the last). */
const KNOWN_FOR_MS = 10 * 60_000;

/** The chats this instance answered last, with the state and sender its commit left. */
class KnownChats {
  readonly #chats = new Map<string, Seen & { at: number }>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  recall(turn: ChatTurn): Seen | undefined {
    const known = this.#chats.get(chatLockKey(turn));
    if (!known || known.senderId !== turn.senderId || Date.now() - known.at > KNOWN_FOR_MS) {
      return undefined;
    }
    return known;
  }

  remember(turn: ChatTurn, left: Seen): void {
    if (this.#max <= 0) {
      return;
    }
    const key = chatLockKey(turn);
    this.#chats.delete(key);
    this.#chats.set(key, { ...left, at: Date.now() });
    if (this.#chats.size > this.#max) {
      const oldest = this.#chats.keys().next().value;
      if (oldest !== undefined) {
        this.#chats.delete(oldest);
      }
    }
  }

  forget(turn: ChatTurn): void {
    this.#chats.delete(chatLockKey(turn));
  }
}

/**
 * The read: one row per live membership of the sender (at least one row), each carrying the flow
 * state, whether the update was seen and the sender's key; the actor's columns as `findActor` selects
 * them, in its order. Compiled once; its parameters are `readParams`.
 */
function readStatement(db: SqlDb) {
  return sql<ReadRow>`SELECT
      EXISTS (SELECT 1 FROM "InboundSeen" s WHERE s."channel" = ${''} AND s."externalId" = ${''}) AS "seen",
      "chat_actor_key"(${''}, ${''}) AS "actorKey",
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
  t.senderId,
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
  '::text', // the sender, and their key as the turn saw them
  '::text',
  '::boolean', // the flow state seen: was there one, and its five columns
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
  '::timestamp(3)', // note the sender's last contact if older than this (null: no)
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
  readonly #seen: Seen;
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

  constructor(turn: ChatTurn, seen: Seen) {
    this.#turn = turn;
    this.#seen = seen;
    this.#state = seen.state;
    this.tx = this.#makeTx();
  }

  /** What the chat is after the turn committed (for the next turn of the same chat). */
  left(): Seen {
    return { ...this.#seen, seen: false, state: this.#state };
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
    const had = this.#seen.state;
    const state = this.#state;
    const write = !this.#stateChanged ? 'keep' : state ? 'save' : 'delete';
    return [
      this.#locked ? chatLockKey(this.#turn) : null,
      this.#turn.channel,
      this.#turn.chatId,
      this.#turn.externalId,
      at,
      this.#turn.senderId,
      this.#seen.actorKey,
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
        if (this.#seen.seen) {
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
        return this.#seen.actor;
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
        this.#released = true;
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
