import type { CampaignRepository, Period } from '../core/campaigns/campaign.ts';
import type { IdNumberHasher } from '../core/households/id-number.ts';
import type { OutboxQueue } from '../core/messaging/outbox.repository.ts';
import type { ChatTurn, Tx, UnitOfWork } from '../core/unit-of-work.ts';
import { createChatTurnRunner, type TurnFallback } from './chat-turn.ts';
import { createFeedbackRepository } from './feedback-repository.ts';
import { createFundRepository } from './fund-repository.ts';
import { createGroupRepository } from './group-repository.ts';
import { createHouseholdRepository } from './household-repository.ts';
import { createPledgeRepository } from './pledge-repository.ts';
import { createReminderRepository } from './reminder-repository.ts';
import { createAppealRepository } from './repositories/appeals.ts';
import { createAuditRepository } from './repositories/audit.ts';
import { createBoardRepository } from './repositories/board.ts';
import { createCampaignRepository } from './repositories/campaigns.ts';
import { createAcknowledgementRepository, createDocumentRegister } from './repositories/documents.ts';
import { createModelExampleRepository } from './repositories/examples.ts';
import { createFlowStateRepository } from './repositories/flows.ts';
import { createInboundRepository } from './repositories/inbound.ts';
import { createOutboxQueue, createOutboxRepository } from './repositories/outbox.ts';
import {
  createInviteRepository,
  createPeopleRepository,
  createThrottleRepository,
} from './repositories/people.ts';
import { createNarrativeReportRepository, createReportRepository } from './repositories/reports.ts';
import { createStatementRepository } from './repositories/statements.ts';
import { createUnitRepository } from './repositories/units.ts';
import type { SqlDb } from './sql-db.ts';

/**
 * The transactional store for the conversation hot path, on the `SqlDb` (SQLite or PostgreSQL),
 * one repository per file in prisma/repositories/ (and the older ones beside this file), each
 * querying through the transaction's typed `kysely`.
 *
 * Why not the Prisma client here: one answer needs about ten statements in one transaction, and a
 * Prisma interactive transaction over the SQLite adapter manages ~670 of those per second on our
 * machines (DESIGN.md §7) against the goal of ≥1,000 answers/s at p99 ≤ 10 ms. Plain statements in
 * one transaction do it in well under a millisecond; the hot ones are `prepared` (built and compiled
 * by Kysely once). The tables are Prisma's (same schema, same migrations, same DateTime format), and
 * Prisma serves the CLI and seed.
 *
 * On PostgreSQL every transaction runs on its own pooled connection, so the repositories of `Tx`
 * are made per transaction, bound to that transaction's `SqlDb` (`makeTx`).
 */
/** How a chat turn done in 0–2 statements is counted (a redelivery seen by the read takes one). */
const ROUND_TRIPS = ['one-round-trip', 'one-round-trip', 'two-round-trips'] as const;

export function createStore(
  db: SqlDb,
  opts: {
    /** This process among several on one database (INSTANCE_ID): its outbox claims carry it. */
    instanceId?: string;
    /** A real deployment (a messenger token set): the demo's invite codes read as unknown. */
    refuseDemoInvites?: boolean;
    /** Hashes ID numbers with the deployment's key (ID_HASH_KEY); without it none can be stored. */
    hashId?: IdNumberHasher;
    /**
     * PostgreSQL: run an inbound message as a chat turn in one or two round trips where it can
     * (prisma/chat-turn.ts); default true. False runs every message in a full transaction (the
     * benchmark's "before").
     */
    chatTurns?: boolean;
    /** Told how each chat turn ended: in one or two round trips, or why it went on to a full transaction. */
    onChatTurn?: (how: (typeof ROUND_TRIPS)[number] | 'three-round-trips' | TurnFallback) => void;
  } = {},
): UnitOfWork & { outbox: OutboxQueue; prune(before: Date): Promise<number> } {
  function makeTx(t: SqlDb): Tx {
    const flows = createFlowStateRepository(t);
    return {
      lock: (key) => t.lock(key),
      inbound: createInboundRepository(t),
      people: createPeopleRepository(t),
      invites: createInviteRepository(t, opts),
      throttle: createThrottleRepository(t),
      flows,
      campaigns: createCampaignRepository(t),
      reports: createReportRepository(t),
      households: createHouseholdRepository(t, opts.hashId),
      pledges: createPledgeRepository(t),
      funds: createFundRepository(t),
      statements: createStatementRepository(t),
      reminders: createReminderRepository(t),
      groups: createGroupRepository(t),
      board: createBoardRepository(t),
      feedback: createFeedbackRepository(t),
      narratives: createNarrativeReportRepository(t),
      documents: createDocumentRegister(t),
      acknowledgements: createAcknowledgementRepository(t),
      examples: createModelExampleRepository(t),
      appeals: createAppealRepository(t),
      units: createUnitRepository(t),
      audit: createAuditRepository(t),
      outbox: createOutboxRepository(t, flows),
    };
  }

  // The repositories keep no state between calls, so one Tx serves every transaction given the same
  // `t`: on SQLite (one connection, the same `t` each time) it is made once, not per message.
  const made = new WeakMap<SqlDb, Tx>();
  function txOn(t: SqlDb): Tx {
    let tx = made.get(t);
    if (!tx) {
      tx = makeTx(t);
      made.set(t, tx);
    }
    return tx;
  }

  const run = <T>(work: (tx: Tx) => Promise<T>): Promise<T> =>
    // SQLite: one connection, one transaction at a time (later messages wait for the one before
    // to commit). PostgreSQL: each transaction on its own connection, `tx.lock` orders a chat's.
    db.dialect === 'postgres'
      ? db.transaction((t) => work(withPeriodsKept(txOn(t))))
      : db.transaction((t) => work(txOn(t)));

  // SQLite runs a whole transaction in-process in well under a millisecond: only PostgreSQL, where
  // each statement is a round trip, gains from chat turns.
  const chatTurn =
    db.dialect === 'postgres' && opts.chatTurns !== false ? createChatTurnRunner(db) : undefined;

  return {
    outbox: createOutboxQueue(db, opts.instanceId ?? 'local'),
    /** Forgets inbound ids and sent messages older than `before` (redeliveries stop within a day). */
    async prune(before) {
      const seen = await db.kysely
        .deleteFrom('InboundSeen')
        .where('receivedAt', '<', before)
        .executeTakeFirst();
      const sent = await db.kysely
        .deleteFrom('Outbox')
        .where('status', '=', 'sent')
        .where('sentAt', '<', before)
        .executeTakeFirst();
      return Number(seen.numDeletedRows + sent.numDeletedRows);
    },
    run,
    ...(chatTurn && {
      async runChatTurn<T>(turn: ChatTurn, work: (tx: Tx) => Promise<T>): Promise<T> {
        const turned = await chatTurn(turn, work);
        opts.onChatTurn?.(turned.done ? (ROUND_TRIPS[turned.roundTrips] ?? 'three-round-trips') : turned.why);
        return turned.done ? turned.result : run(work);
      },
    }),
  };
}

/** The campaign repository's reads; every other method is taken to change campaigns. */
const CAMPAIGN_READS = new Set<string>([
  'findCurrent',
  'findById',
  'findByCode',
  'list',
  'covering',
  'below',
  'definition',
  'listPeriods',
]);

/**
 * PostgreSQL: a transaction's `Tx` whose campaign periods are read once per campaign and kind — a
 * report's submission asks for them three times, each a round trip — until the transaction calls
 * any method that is not a read (a new one is taken to be a change). SQLite reads them in-process in
 * microseconds.
 */
function withPeriodsKept(tx: Tx): Tx {
  const campaigns = tx.campaigns;
  const kept = new Map<string, Promise<Period[]>>();
  const keptCampaigns = Object.fromEntries(
    Object.entries(campaigns).map(([name, method]) => {
      if (typeof method !== 'function' || CAMPAIGN_READS.has(name)) {
        return [name, method];
      }
      return [
        name,
        (...args: unknown[]) => {
          kept.clear();
          return (method as (...a: unknown[]) => unknown).apply(campaigns, args);
        },
      ];
    }),
  ) as unknown as CampaignRepository;
  keptCampaigns.listPeriods = (campaignId, kind) => {
    const key = `${campaignId}:${kind}`;
    let periods = kept.get(key);
    if (!periods) {
      periods = campaigns.listPeriods(campaignId, kind);
      kept.set(key, periods);
      periods.catch(() => kept.delete(key));
    }
    // Each caller gets its own list (they may sort or filter it).
    return periods.then((list) => list.map((p) => ({ ...p })));
  };
  return { ...tx, campaigns: keptCampaigns };
}
