import { type Kysely, sql } from 'kysely';
import type { FlowStateRepository } from '../../core/flows/flow-state.repository.ts';
import { rememberShownChoices } from '../../core/flows/shown-choices.ts';
import type { Channel, Outbound } from '../../core/messaging/message.ts';
import type {
  ClaimedMessage,
  OutboxItem,
  OutboxPurpose,
  OutboxQueue,
  OutboxRepository,
} from '../../core/messaging/outbox.repository.ts';
import type { SqlDb } from '../database.ts';
import { type DB, type Param, prepared } from '../kysely-dialect.ts';
import { fromDbTime, toDbTime } from '../sqlite.ts';

type QueuedRow = {
  channel: string;
  chatId: string;
  payload: string;
  idempotencyKey: string;
  at: Date;
  purpose: string;
  personId: number | null;
};

const queuedValues = (r: QueuedRow) => ({
  channel: r.channel,
  chatId: r.chatId,
  payload: r.payload,
  idempotencyKey: r.idempotencyKey,
  status: 'pending',
  attempts: 0,
  nextAttemptAt: r.at,
  createdAt: r.at,
  purpose: r.purpose,
  personId: r.personId,
});

// An answer's reply: one row, prepared once.
const enqueueOne = prepared((db, $: Param<QueuedRow>) =>
  db
    .insertInto('Outbox')
    .values(
      queuedValues({
        channel: $('channel'),
        chatId: $('chatId'),
        payload: $('payload'),
        idempotencyKey: $('idempotencyKey'),
        at: $('at'),
        purpose: $('purpose'),
        personId: $('personId'),
      }),
    )
    .onConflict((oc) => oc.column('idempotencyKey').doNothing()),
);

// PostgreSQL compares text by the database's collation, which need not be code point order (a locale
// may weigh punctuation apart); the key range needs code point order, as SQLite compares. (It then
// cannot use the key's index; the status filter keeps it small.)
const cancelPending = prepared((db, $: Param<{ from: string; to: string; error: string }>, dialect) => {
  const key =
    dialect === 'postgres'
      ? sql<string>`${sql.ref('idempotencyKey')} COLLATE "C"`
      : sql.ref('idempotencyKey');
  return db
    .updateTable('Outbox')
    .set({ status: 'cancelled', lastError: $('error') })
    .where(key, '>=', $('from'))
    .where(key, '<', $('to'))
    .where('status', 'in', ['pending', 'held']);
});

const releaseHeld = prepared((db, $: Param<{ channel: string; chatId: string; at: Date }>) =>
  db
    .updateTable('Outbox')
    .set({ status: 'pending', nextAttemptAt: $('at') })
    .where('channel', '=', $('channel'))
    .where('chatId', '=', $('chatId'))
    .where('status', '=', 'held'),
);

/** The messages an answer or a job queues, in its transaction. */
export function createOutboxRepository(t: SqlDb, flows: FlowStateRepository): OutboxRepository {
  const db = t.kysely;
  // Rows per INSERT: one statement per row is cheapest on SQLite (prepared once, run in-process); on
  // PostgreSQL each statement is a round trip, so a fan-out is sent in chunks.
  const chunkSize = t.dialect === 'postgres' ? 500 : 1;
  return {
    async enqueue(items: OutboxItem[], at) {
      let added = 0;
      for (let start = 0; start < items.length; start += chunkSize) {
        const rows = items.slice(start, start + chunkSize).map(
          (item): QueuedRow => ({
            channel: item.channel,
            chatId: item.chatId,
            payload: JSON.stringify(item.message),
            idempotencyKey: item.idempotencyKey,
            at,
            purpose: item.purpose ?? 'reply',
            personId: item.personId ?? null,
          }),
        );
        const [first] = rows;
        if (first && rows.length === 1) {
          added += await enqueueOne.run(db, first);
        } else {
          const r = await db
            .insertInto('Outbox')
            .values(rows.map(queuedValues))
            .onConflict((oc) => oc.column('idempotencyKey').doNothing())
            .executeTakeFirst();
          added += Number(r.numInsertedOrUpdatedRows ?? 0n);
        }
      }
      await rememberShownChoices(flows, items, at);
      return added;
    },
    cancelPending: (keyPrefix, at) =>
      cancelPending.run(db, {
        from: keyPrefix,
        to: `${keyPrefix}\uffff`,
        error: `withdrawn ${toDbTime(at)}`,
      }),
    async releaseHeld(channel, chatId, at) {
      await releaseHeld.run(db, { channel, chatId, at });
    },
    async counts() {
      const rows = await db
        .selectFrom('Outbox')
        .select((eb) => ['purpose', 'status', eb.fn.countAll().as('n'), eb.fn.min('createdAt').as('oldest')])
        .groupBy(['purpose', 'status'])
        .orderBy('purpose')
        .orderBy('status')
        .execute();
      return rows.map((r) => ({
        purpose: r.purpose,
        status: r.status,
        count: Number(r.n),
        oldest: fromDbTime(r.oldest),
      }));
    },
  };
}

type ClaimRow = {
  id: number;
  channel: string;
  chatId: string;
  payload: string;
  idempotencyKey: string;
  attempts: number;
  purpose: string;
};

type Claim = { now: Date; staleBefore: Date; limit: number; instanceId: string };

// Chats with a reply due come first (all their due messages, so the chat stays in order): a person
// who is chatting does not wait behind a bulk send. Then the rest, oldest first. A message claimed
// long ago ('sending' before `staleBefore`) belongs to a dispatcher that died.
//
// SQLite: one writer at a time, so one UPDATE … WHERE id IN (lanes) is atomic on its own.
const claimSqlite = ({ now, staleBefore, limit, instanceId }: Claim) => sql<ClaimRow>`
  UPDATE "Outbox" SET status = 'sending', "claimedAt" = ${now}, "claimedBy" = ${instanceId}, attempts = attempts + 1
   WHERE id IN (
     SELECT id FROM (
       SELECT o.id AS id, 0 AS lane FROM "Outbox" r JOIN "Outbox" o ON o.channel = r.channel AND o."chatId" = r."chatId"
        WHERE r.purpose = 'reply' AND r.status = 'pending' AND r."nextAttemptAt" <= ${now}
          AND ((o.status = 'pending' AND o."nextAttemptAt" <= ${now}) OR (o.status = 'sending' AND o."claimedAt" < ${staleBefore}))
       UNION ALL
       SELECT id, 1 FROM (SELECT id FROM "Outbox"
                           WHERE (status = 'pending' AND "nextAttemptAt" <= ${now}) OR (status = 'sending' AND "claimedAt" < ${staleBefore})
                           ORDER BY id LIMIT ${limit}))
      GROUP BY id ORDER BY MIN(lane), id LIMIT ${limit})
   RETURNING id, channel, "chatId", payload, "idempotencyKey", attempts, purpose`;

// PostgreSQL: several dispatchers (bot instances) claim at once. Candidates are locked with FOR
// UPDATE SKIP LOCKED: a row another claim is taking is passed over, not claimed twice (one it
// already took fails the re-check of the WHERE once locked). The lanes as above: `head` is the
// oldest due rows nobody else is taking (lane 1), `replying` the chats with a reply due (lane 0, all
// their due rows). FOR UPDATE allows no UNION or GROUP BY in its own SELECT, so the final pick ranks
// the candidates with a CASE over EXISTS; it only ever looks at those candidates, so a claim stays
// cheap behind a fan-out of many thousand due rows.
// One chat's messages stay in order across instances: a chat with a message in flight at another
// instance (claimed, not stale) is left to that instance, and claims take turns (an advisory lock,
// held for the few milliseconds of the statement) so two cannot split a chat between them.
const claimPostgres = ({ now, staleBefore, limit, instanceId }: Claim) => sql<ClaimRow>`
  WITH head AS (
     SELECT id FROM "Outbox"
      WHERE (status = 'pending' AND "nextAttemptAt" <= ${now}) OR (status = 'sending' AND "claimedAt" < ${staleBefore})
      ORDER BY id LIMIT ${limit}
      FOR UPDATE SKIP LOCKED),
   replying AS (
     SELECT channel, "chatId" FROM "Outbox"
      WHERE purpose = 'reply' AND status = 'pending' AND "nextAttemptAt" <= ${now}),
   c AS (
     SELECT o.id FROM "Outbox" o
      WHERE o.id IN (SELECT id FROM head
                     UNION ALL
                     SELECT x.id FROM "Outbox" x JOIN replying r ON r.channel = x.channel AND r."chatId" = x."chatId")
        AND ((o.status = 'pending' AND o."nextAttemptAt" <= ${now}) OR (o.status = 'sending' AND o."claimedAt" < ${staleBefore}))
        AND NOT EXISTS (SELECT 1 FROM "Outbox" s
                         WHERE s.channel = o.channel AND s."chatId" = o."chatId" AND s.status = 'sending'
                           AND s."claimedAt" >= ${staleBefore} AND s."claimedBy" IS DISTINCT FROM ${instanceId})
      ORDER BY CASE WHEN EXISTS (SELECT 1 FROM replying r WHERE r.channel = o.channel AND r."chatId" = o."chatId")
                    THEN 0 ELSE 1 END, o.id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED)
   UPDATE "Outbox" u SET status = 'sending', "claimedAt" = ${now}, "claimedBy" = ${instanceId}, attempts = u.attempts + 1
     FROM c WHERE u.id = c.id
   RETURNING u.id, u.channel, u."chatId", u.payload, u."idempotencyKey", u.attempts, u.purpose`;

const markSent = prepared((db, $: Param<{ id: number; at: Date }>) =>
  db
    .updateTable('Outbox')
    .set({ status: 'sent', sentAt: $('at'), lastError: null })
    .where('id', '=', $('id')),
);

const markHeld = prepared((db, $: Param<{ id: number; error: string }>) =>
  db
    .updateTable('Outbox')
    .set({ status: 'held', lastError: $('error') })
    .where('id', '=', $('id')),
);

const markFailed = prepared(
  (db, $: Param<{ id: number; status: string; error: string; nextAttemptAt: Date | null }>) =>
    db
      .updateTable('Outbox')
      .set((eb) => ({
        status: $('status'),
        lastError: $('error'),
        nextAttemptAt: eb.fn.coalesce(eb.val($('nextAttemptAt')), eb.ref('nextAttemptAt')),
      }))
      .where('id', '=', $('id')),
);

/** The dispatcher's side of the outbox: claims due messages and records how sending went. */
export function createOutboxQueue(db: SqlDb, instanceId: string): OutboxQueue {
  const claimOn = async (k: Kysely<DB>, claim: Claim) =>
    (await (db.dialect === 'postgres' ? claimPostgres(claim) : claimSqlite(claim)).execute(k)).rows;
  return {
    async claim(now, limit, staleBefore) {
      const claim = { now, staleBefore, limit, instanceId };
      const rows =
        db.dialect === 'postgres'
          ? await db.transaction(async (t) => {
              await t.lock('outbox:claim');
              return claimOn(t.kysely, claim);
            })
          : await claimOn(db.kysely, claim);
      return rows
        .map(
          (r): ClaimedMessage => ({
            id: r.id,
            channel: r.channel as Channel,
            chatId: r.chatId,
            message: JSON.parse(r.payload) as Outbound,
            idempotencyKey: r.idempotencyKey,
            attempts: r.attempts,
            purpose: r.purpose as OutboxPurpose,
          }),
        )
        .sort((a, b) => a.id - b.id);
    },
    async backlog(now) {
      // The (status, nextAttemptAt) index holds both conditions.
      const rows = await db.kysely
        .selectFrom('Outbox')
        .where('status', 'in', ['pending', 'sending'])
        .select((eb) => [
          'channel',
          eb.fn.countAll().as('n'),
          eb.fn
            .min(eb.case().when('nextAttemptAt', '<=', now).then(eb.ref('nextAttemptAt')).end())
            .as('oldestDue'),
        ])
        .groupBy('channel')
        .execute();
      return rows.map((r) => ({
        channel: r.channel as Channel,
        pending: Number(r.n),
        oldestDueAt: r.oldestDue === null ? null : fromDbTime(r.oldestDue),
      }));
    },
    async releaseClaims(before, keep = []) {
      // Only this instance's own (a restarted process with the same INSTANCE_ID); another live
      // instance's claims are its own business until they go stale.
      const r = await db.kysely
        .updateTable('Outbox')
        .set({ status: 'pending' })
        .where('status', '=', 'sending')
        .where('claimedAt', '<', before)
        .where((eb) => eb.or([eb('claimedBy', '=', instanceId), eb('claimedBy', 'is', null)]))
        .$if(keep.length > 0, (q) => q.where('id', 'not in', keep))
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async markSent(id, at) {
      await markSent.run(db.kysely, { id, at });
    },
    async markHeld(id, error) {
      await markHeld.run(db.kysely, { id, error: error.slice(0, 500) });
    },
    async markFailed(id, error, nextAttemptAt) {
      await markFailed.run(db.kysely, {
        id,
        status: nextAttemptAt ? 'pending' : 'failed',
        error: error.slice(0, 500),
        nextAttemptAt,
      });
    },
  };
}
