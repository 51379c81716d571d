import { z } from 'zod';
import type { Campaign, Period, PeriodKind } from '../core/campaigns/campaign.ts';
import type { StoredFlowState } from '../core/flows/flow-state.repository.ts';
import { rememberShownChoices } from '../core/flows/shown-choices.ts';
import type { IdNumberHasher } from '../core/households/id-number.ts';
import { type Channel, isChannel, type Outbound } from '../core/messaging/message.ts';
import type {
  ClaimedMessage,
  OutboxItem,
  OutboxPurpose,
  OutboxQueue,
} from '../core/messaging/outbox.repository.ts';
import type { InviteView } from '../core/people/people.ts';
import type { UnitView } from '../core/people/unit.repository.ts';
import type { ReportPhoto, ReportRecord } from '../core/reports/report.ts';
import { type Actor, isRole, type MembershipView } from '../core/shared/actor.ts';
import type { Tx, UnitOfWork } from '../core/unit-of-work.ts';
import { createFeedbackRepository } from './feedback-repository.ts';
import { createFundRepository, createPledgeRepository } from './fund-repository.ts';
import { createGroupRepository } from './group-repository.ts';
import { createHouseholdRepository } from './household-repository.ts';
import { createReminderRepository } from './reminder-repository.ts';
import { isDemoInvite, PLAYGROUND_CHANNEL } from './seed.ts';
import type { Row, SqlDb } from './sql-db.ts';
import { fromDbTime, toDbTime } from './sqlite.ts';

function toUnitView(r: Row): UnitView {
  return {
    id: Number(r.id),
    code: String(r.code),
    name: String(r.name),
    kind: String(r.kind),
    parentId: r.parentId === null ? null : Number(r.parentId),
  };
}

/**
 * The transactional store for the conversation hot path, on the `SqlDb` (SQLite or PostgreSQL).
 *
 * Why not the Prisma client here: one answer needs about eight statements in one transaction, and a
 * Prisma interactive transaction over the SQLite adapter manages ~670 of those per second on our
 * machines (DESIGN.md §7) against the goal of ≥1,000 answers/s at p99 ≤ 10 ms. Plain statements in
 * one transaction do it in well under a millisecond. The tables are Prisma's (same schema, same
 * migrations, same DateTime format), and Prisma serves the CLI and seed.
 *
 * On PostgreSQL every transaction runs on its own pooled connection, so the repositories of `Tx`
 * are made per transaction, bound to that transaction's `SqlDb` (`makeTx`).
 */
export function createStore(
  db: SqlDb,
  opts: {
    /** This process among several on one database (INSTANCE_ID): its outbox claims carry it. */
    instanceId?: string;
    /** A real deployment (a messenger token set): the demo's invite codes read as unknown. */
    refuseDemoInvites?: boolean;
    /** Hashes ID numbers with the deployment's key (ID_HASH_KEY); without it none can be stored. */
    hashId?: IdNumberHasher;
  } = {},
): UnitOfWork & { outbox: OutboxQueue; prune(before: Date): Promise<number> } {
  const instanceId = opts.instanceId ?? 'local';
  // PostgreSQL compares text by the database's collation, which need not be code point order (a
  // locale may weigh punctuation apart); the key range of `cancelPending` needs code point order,
  // as SQLite compares. (It then cannot use the key's index; the status filter keeps it small.)
  const byCodePoint = db.dialect === 'postgres' ? ' COLLATE "C"' : '';
  // Rows per INSERT when enqueueing: one statement per row is cheapest on SQLite (prepared once,
  // run in-process); on PostgreSQL each statement is a round trip, so a fan-out is sent in chunks.
  const enqueueChunk = db.dialect === 'postgres' ? 100 : 1;

  function makeTx(t: SqlDb): Tx {
    const tx: Tx = {
      lock: (key) => t.lock(key),
      inbound: {
        async markSeen(channel, externalId, at) {
          return (
            (await t.run(
              'INSERT INTO "InboundSeen" (channel, externalId, receivedAt) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
              [channel, externalId, at],
            )) === 1
          );
        },
      },
      people: {
        async findActor(channel, externalUserId) {
          const rows = await t.all(
            `SELECT p.id AS personId, p.fullName, p.locale, m.role, u.id AS unitId, u.code AS unitCode,
                    u.name AS unitName, u.kind AS unitKind
               FROM "ChannelIdentity" ci
               JOIN "Person" p ON p.id = ci.personId AND p.active = TRUE
               LEFT JOIN "Membership" m ON m.personId = p.id AND m.revokedAt IS NULL
               LEFT JOIN "Unit" u ON u.id = m.unitId
              WHERE ci.channel = ? AND ci.externalUserId = ?
              ORDER BY m.id`,
            [channel, externalUserId],
          );
          const first = rows[0];
          return first ? actorOf(first, rows) : undefined;
        },
        async currentActor(personId) {
          // PostgreSQL: held for share until this transaction ends (a revoke or a deactivation waits
          // for it, or is seen here); SQLite's write transaction already excludes other writers.
          const share = (of: string) => (t.dialect === 'postgres' ? ` FOR SHARE OF ${of}` : '');
          const person = await t.get(
            `SELECT p.id AS personId, p.fullName, p.locale FROM "Person" p
              WHERE p.id = ? AND p.active = TRUE${share('p')}`,
            [personId],
          );
          if (!person) {
            return undefined;
          }
          const rows = await t.all(
            `SELECT m.role, u.id AS unitId, u.code AS unitCode, u.name AS unitName, u.kind AS unitKind
               FROM "Membership" m
               JOIN "Unit" u ON u.id = m.unitId
              WHERE m.personId = ? AND m.revokedAt IS NULL
              ORDER BY m.id${share('m')}`,
            [personId],
          );
          return actorOf(person, rows);
        },
        async identitiesOf(personId) {
          const rows = await t.all(
            'SELECT channel, externalUserId FROM "ChannelIdentity" WHERE personId = ? ORDER BY id',
            [personId],
          );
          return rows.flatMap((r) => {
            const channel = String(r.channel);
            return isChannel(channel) ? [{ channel, externalUserId: String(r.externalUserId) }] : [];
          });
        },
        async touchIdentity(channel, externalUserId, at) {
          // Minute precision is plenty for Zalo's 48-hour window and saves a page write per message.
          await t.run(
            `UPDATE "ChannelIdentity" SET lastInteractionAt = ?
              WHERE channel = ? AND externalUserId = ? AND (lastInteractionAt IS NULL OR lastInteractionAt < ?)`,
            [at, channel, externalUserId, new Date(at.getTime() - 60_000)],
          );
        },
        async create(person, at) {
          return inserted(
            await t.insert(
              'INSERT INTO "Person" (fullName, locale, active, createdAt) VALUES (?, ?, TRUE, ?)',
              [person.fullName, person.locale, at],
            ),
            'Person',
          );
        },
        async addMembership(personId, unitId, role, at) {
          await t.run(
            `INSERT INTO "Membership" (personId, unitId, role, createdAt) VALUES (?, ?, ?, ?)
             ON CONFLICT (personId, unitId, role) DO UPDATE SET revokedAt = NULL`,
            [personId, unitId, role, at],
          );
        },
        async addIdentity(identity, at) {
          await t.run(
            `INSERT INTO "ChannelIdentity" (channel, externalUserId, personId, displayName, createdAt, lastInteractionAt)
             VALUES (?, ?, ?, ?, ?, ?)`,
            [identity.channel, identity.externalUserId, identity.personId, identity.displayName, at, at],
          );
        },
      },
      invites: {
        async create(invite, at) {
          const row = await t.get(
            `INSERT INTO "Invite" (code, role, unitId, fullName, createdBy, createdAt, expiresAt)
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING RETURNING id`,
            [invite.code, invite.role, invite.unitId, invite.fullName, invite.createdBy, at, invite.expiresAt],
          );
          return row === undefined ? undefined : Number(row.id);
        },
        async findByCode(code) {
          const r = await t.get(
            `SELECT i.*, u.name AS unitName FROM "Invite" i JOIN "Unit" u ON u.id = i.unitId WHERE i.code = ?`,
            [code],
          );
          if (!r || !isRole(String(r.role))) {
            return undefined;
          }
          if (
            opts.refuseDemoInvites &&
            (await isDemoInvite(
              { code: String(r.code), createdBy: String(r.createdBy) },
              async (personId) => {
                const demo = await t.get(
                  `SELECT 1 AS demo FROM "ChannelIdentity" WHERE personId = ? AND channel = ?`,
                  [personId, PLAYGROUND_CHANNEL],
                );
                return demo !== undefined;
              },
            ))
          ) {
            return undefined;
          }
          const invite: InviteView = {
            id: Number(r.id),
            code: String(r.code),
            role: String(r.role) as InviteView['role'],
            unitId: Number(r.unitId),
            unitName: String(r.unitName),
            fullName: r.fullName === null ? null : String(r.fullName),
            expiresAt: fromDbTime(r.expiresAt),
            usedAt: r.usedAt === null ? null : fromDbTime(r.usedAt),
            usedByPersonId: r.usedByPersonId === null ? null : Number(r.usedByPersonId),
            revokedAt: r.revokedAt === null ? null : fromDbTime(r.revokedAt),
          };
          return invite;
        },
        async markUsed(id, at) {
          return (
            (await t.run('UPDATE "Invite" SET usedAt = ? WHERE id = ? AND usedAt IS NULL', [at, id])) === 1
          );
        },
        async setUsedBy(id, personId) {
          await t.run('UPDATE "Invite" SET usedByPersonId = ? WHERE id = ?', [personId, id]);
        },
      },
      throttle: {
        async find(key) {
          const r = await t.get('SELECT * FROM "Throttle" WHERE key = ?', [key]);
          return r
            ? {
                failures: Number(r.failures),
                windowStart: fromDbTime(r.windowStart),
                blockedUntil: r.blockedUntil === null ? null : fromDbTime(r.blockedUntil),
              }
            : undefined;
        },
        async save(key, record) {
          await t.run(
            `INSERT INTO "Throttle" (key, failures, windowStart, blockedUntil) VALUES (?, ?, ?, ?)
             ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, windowStart = excluded.windowStart,
               blockedUntil = excluded.blockedUntil`,
            [key, record.failures, record.windowStart, record.blockedUntil ?? null],
          );
        },
        async delete(key) {
          await t.run('DELETE FROM "Throttle" WHERE key = ?', [key]);
        },
      },
      flows: {
        async find(channel, chatId) {
          const r = await t.get('SELECT * FROM "FlowState" WHERE channel = ? AND chatId = ?', [
            channel,
            chatId,
          ]);
          if (!r) {
            return undefined;
          }
          const state: StoredFlowState = {
            flow: String(r.flow),
            version: Number(r.version),
            step: String(r.step),
            data: String(r.data),
            expiresAt: fromDbTime(r.expiresAt),
          };
          return state;
        },
        async save(channel, chatId, state, at) {
          await t.run(
            `INSERT INTO "FlowState" (channel, chatId, flow, step, version, data, expiresAt, updatedAt)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (channel, chatId) DO UPDATE SET flow = excluded.flow, step = excluded.step,
               version = excluded.version, data = excluded.data, expiresAt = excluded.expiresAt,
               updatedAt = excluded.updatedAt`,
            [channel, chatId, state.flow, state.step, state.version, state.data, state.expiresAt, at],
          );
        },
        async delete(channel, chatId) {
          await t.run('DELETE FROM "FlowState" WHERE channel = ? AND chatId = ?', [channel, chatId]);
        },
      },
      campaigns: {
        async findCurrent() {
          const r = await t.get('SELECT * FROM "Campaign" ORDER BY id DESC LIMIT 1');
          if (!r) {
            return undefined;
          }
          const campaign: Campaign = {
            id: Number(r.id),
            code: String(r.code),
            name: String(r.name),
            timeZone: String(r.timeZone),
            startsOn: String(r.startsOn),
            endsOn: String(r.endsOn),
            monthlyDueDay: Number(r.monthlyDueDay),
            quarterlyDueDay: Number(r.quarterlyDueDay),
            finalDueOn: String(r.finalDueOn),
            normNewBuild: BigInt(r.normNewBuild as number | bigint),
            normRepair: BigInt(r.normRepair as number | bigint),
          };
          return campaign;
        },
        async listPeriods(campaignId: number, kind: PeriodKind) {
          const rows = await t.all(
            'SELECT * FROM "ReportingPeriod" WHERE campaignId = ? AND kind = ? ORDER BY dueOn',
            [campaignId, kind],
          );
          return rows.map(
            (r): Period => ({
              id: Number(r.id),
              campaignId: Number(r.campaignId),
              kind,
              code: String(r.code),
              label: String(r.label),
              startsOn: String(r.startsOn),
              endsOn: String(r.endsOn),
              opensOn: String(r.opensOn),
              dueOn: String(r.dueOn),
            }),
          );
        },
      },
      reports: {
        async lastRevision(periodId, unitId) {
          // The next revision is numbered from this one: two officers of one ward submitting at
          // once through two instances take turns (held until the transaction ends).
          await t.lock(`report:${periodId}:${unitId}`);
          const r = await t.get('SELECT MAX(revision) AS n FROM "Report" WHERE periodId = ? AND unitId = ?', [
            periodId,
            unitId,
          ]);
          return Number(r?.n ?? 0);
        },
        async reportedPeriodIds(unitId) {
          const rows = await t.all('SELECT DISTINCT periodId FROM "Report" WHERE unitId = ?', [unitId]);
          return rows.map((r) => Number(r.periodId));
        },
        async findLatestBefore(unitId, dueOn) {
          const r = await t.get(
            `SELECT r.* FROM "Report" r JOIN "ReportingPeriod" p ON p.id = r.periodId
              WHERE r.unitId = ? AND p.dueOn < ? ORDER BY p.dueOn DESC, r.revision DESC LIMIT 1`,
            [unitId, dueOn],
          );
          return r ? toReport(r) : undefined;
        },
        async latestByUnit(unitIds, periodId) {
          const marks = unitIds.map(() => '?').join(', ') || 'NULL';
          const rows = await t.all(
            `SELECT unitId, MAX(submittedAt) AS at, MAX(CASE WHEN periodId = ? THEN 1 ELSE 0 END) AS covers
               FROM "Report" WHERE unitId IN (${marks}) GROUP BY unitId`,
            [periodId, ...unitIds],
          );
          return rows.map((r) => ({
            unitId: Number(r.unitId),
            submittedAt: fromDbTime(r.at),
            coversPeriod: Number(r.covers) === 1,
          }));
        },
        async onTimeCounts(periodIds, unitIds) {
          const periods = periodIds.map(() => '?').join(', ') || 'NULL';
          const units = unitIds.map(() => '?').join(', ') || 'NULL';
          const rows = await t.all(
            `SELECT unitId, COUNT(DISTINCT periodId) AS n FROM "Report"
              WHERE late = FALSE AND periodId IN (${periods}) AND unitId IN (${units}) GROUP BY unitId`,
            [...periodIds, ...unitIds],
          );
          return rows.map((r) => ({ unitId: Number(r.unitId), periods: Number(r.n) }));
        },
        async listByPeriods(periodIds) {
          const marks = periodIds.map(() => '?').join(', ') || 'NULL';
          const rows = await t.all(
            `SELECT * FROM "Report" WHERE periodId IN (${marks}) ORDER BY periodId, unitId, revision, id`,
            periodIds,
          );
          return rows.map(toReport);
        },
        async create(report) {
          return inserted(
            await t.insert(
              `INSERT INTO "Report" (ref, periodId, unitId, personId, revision, approvedNew, approvedRepair,
                 startedNew, startedRepair, completedNew, completedRepair, handedOverNew, handedOverRepair,
                 moneyReceived, moneyPaid, labourDays, difficulties, proposals, decreaseReason, late, channel, photos,
                 registryReason, submittedAt)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
              [
                report.ref,
                report.periodId,
                report.unitId,
                report.personId,
                report.revision,
                report.approvedNew,
                report.approvedRepair,
                report.startedNew,
                report.startedRepair,
                report.completedNew,
                report.completedRepair,
                report.handedOverNew,
                report.handedOverRepair,
                report.moneyReceived,
                report.moneyPaid,
                report.labourDays,
                report.difficulties,
                report.proposals,
                report.decreaseReason,
                report.late,
                report.channel,
                JSON.stringify(report.photos),
                report.registryReason,
                report.submittedAt,
              ],
            ),
            'Report',
          );
        },
      },
      households: createHouseholdRepository(t, opts.hashId),
      pledges: createPledgeRepository(t),
      funds: createFundRepository(t),
      reminders: createReminderRepository(t),
      groups: createGroupRepository(t),
      feedback: createFeedbackRepository(t),
      narratives: {
        async lastRevision(periodId, unitId) {
          await t.lock(`narrative:${periodId}:${unitId}`);
          const r = await t.get(
            'SELECT MAX(revision) AS n FROM "NarrativeReport" WHERE periodId = ? AND unitId = ?',
            [periodId, unitId],
          );
          return Number(r?.n ?? 0);
        },
        async create(report) {
          return inserted(
            await t.insert(
              `INSERT INTO "NarrativeReport" (ref, periodId, unitId, personId, revision, answers, late, channel, submittedAt)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
              [
                report.ref,
                report.periodId,
                report.unitId,
                report.personId,
                report.revision,
                JSON.stringify(report.answers),
                report.late,
                report.channel,
                report.submittedAt,
              ],
            ),
            'NarrativeReport',
          );
        },
      },
      units: {
        async listChildren(parentIds) {
          const marks = parentIds.map(() => '?').join(', ') || 'NULL';
          const rows = await t.all(
            `SELECT id, code, name, kind, parentId FROM "Unit" WHERE parentId IN (${marks}) AND kind IN ('ward', 'commune')
              ORDER BY code`,
            parentIds,
          );
          return rows.map(toUnitView);
        },
        async listChildrenDated(parentIds) {
          const marks = parentIds.map(() => '?').join(', ') || 'NULL';
          const rows = await t.all(
            `SELECT id, code, name, kind, parentId, validFrom, validTo FROM "Unit"
              WHERE parentId IN (${marks}) AND kind IN ('ward', 'commune') ORDER BY code`,
            parentIds,
          );
          return rows.map((r) => ({
            ...toUnitView(r),
            validFrom: String(r.validFrom),
            validTo: r.validTo === null ? null : String(r.validTo),
          }));
        },
        async listDescendantsDated(rootIds) {
          const marks = rootIds.map(() => '?').join(', ') || 'NULL';
          const rows = await t.all(
            `WITH RECURSIVE below(id) AS (
               SELECT id FROM "Unit" WHERE parentId IN (${marks})
               UNION
               SELECT u.id FROM "Unit" u JOIN below b ON u.parentId = b.id)
             SELECT u.id, u.code, u.name, u.kind, u.parentId, u.validFrom, u.validTo
               FROM "Unit" u JOIN below b ON b.id = u.id`,
            rootIds,
          );
          return rows.map((r) => ({
            ...toUnitView(r),
            validFrom: String(r.validFrom),
            validTo: r.validTo === null ? null : String(r.validTo),
          }));
        },
        async successions() {
          const rows = await t.all(
            'SELECT predecessorId, successorId, effectiveOn FROM "UnitSuccession" ORDER BY effectiveOn, id',
          );
          return rows.map((r) => ({
            predecessorId: Number(r.predecessorId),
            successorId: Number(r.successorId),
            effectiveOn: String(r.effectiveOn),
          }));
        },
        async findById(id) {
          const r = await t.get('SELECT id, code, name, kind, parentId FROM "Unit" WHERE id = ?', [id]);
          return r ? toUnitView(r) : undefined;
        },
        async listByKinds(kinds) {
          const marks = kinds.map(() => '?').join(', ') || 'NULL';
          const rows = await t.all(
            `SELECT id, code, name, kind, parentId FROM "Unit" WHERE kind IN (${marks}) ORDER BY code`,
            kinds,
          );
          return rows.map(toUnitView);
        },
      },
      audit: {
        async record(entry, at) {
          await t.run(
            `INSERT INTO "AuditLog" (at, personId, channel, action, entity, entityId, before, after)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
            [
              at,
              entry.personId,
              entry.channel,
              entry.action,
              entry.entity,
              entry.entityId,
              entry.before === undefined ? null : jsonText(entry.before),
              entry.after === undefined ? null : jsonText(entry.after),
            ],
          );
        },
      },
      outbox: {
        async enqueue(items: OutboxItem[], at) {
          let added = 0;
          for (let start = 0; start < items.length; start += enqueueChunk) {
            const chunk = items.slice(start, start + enqueueChunk);
            added += await t.run(
              `INSERT INTO "Outbox" (channel, chatId, payload, idempotencyKey, status, attempts, nextAttemptAt,
                 createdAt, purpose, personId)
               VALUES ${chunk.map(() => "(?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)").join(', ')}
               ON CONFLICT (idempotencyKey) DO NOTHING`,
              chunk.flatMap((item) => [
                item.channel,
                item.chatId,
                JSON.stringify(item.message),
                item.idempotencyKey,
                at,
                at,
                item.purpose ?? 'reply',
                item.personId ?? null,
              ]),
            );
          }
          await rememberShownChoices(tx.flows, items, at);
          return added;
        },
        async cancelPending(keyPrefix, at) {
          return t.run(
            `UPDATE "Outbox" SET status = 'cancelled', lastError = ?
              WHERE idempotencyKey${byCodePoint} >= ? AND idempotencyKey${byCodePoint} < ?
                AND status IN ('pending', 'held')`,
            [`withdrawn ${toDbTime(at)}`, keyPrefix, `${keyPrefix}\uffff`],
          );
        },
        async releaseHeld(channel, chatId, at) {
          return t.run(
            `UPDATE "Outbox" SET status = 'pending', nextAttemptAt = ?
              WHERE channel = ? AND chatId = ? AND status = 'held'`,
            [at, channel, chatId],
          );
        },
      },
    };
    return tx;
  }

  // Chats with a reply due come first (all their due messages, so the chat stays in order): a
  // person who is chatting does not wait behind a bulk send. Then the rest, oldest first. A
  // message claimed long ago ('sending' before `staleBefore`) belongs to a dispatcher that died.
  //
  // SQLite: one writer at a time, so one UPDATE … WHERE id IN (lanes) is atomic on its own.
  const claimSqlite = `UPDATE "Outbox" SET status = 'sending', claimedAt = ?, claimedBy = ?, attempts = attempts + 1
      WHERE id IN (
        SELECT id FROM (
          SELECT o.id AS id, 0 AS lane FROM "Outbox" r JOIN "Outbox" o ON o.channel = r.channel AND o.chatId = r.chatId
           WHERE r.purpose = 'reply' AND r.status = 'pending' AND r.nextAttemptAt <= ?
             AND ((o.status = 'pending' AND o.nextAttemptAt <= ?) OR (o.status = 'sending' AND o.claimedAt < ?))
          UNION ALL
          SELECT id, 1 FROM (SELECT id FROM "Outbox"
                              WHERE (status = 'pending' AND nextAttemptAt <= ?) OR (status = 'sending' AND claimedAt < ?)
                              ORDER BY id LIMIT ?))
         GROUP BY id ORDER BY MIN(lane), id LIMIT ?)
      RETURNING id, channel, chatId, payload, idempotencyKey, attempts, purpose`;
  // PostgreSQL: several dispatchers (bot instances) claim at once. Candidates are locked with
  // FOR UPDATE SKIP LOCKED: a row another claim is taking is passed over, not claimed twice (one it
  // already took fails the re-check of the WHERE once locked). The lanes as above: `head` is the
  // oldest due rows nobody else is taking (lane 1), `replying` the chats with a reply due (lane 0,
  // all their due rows). FOR UPDATE allows no UNION or GROUP BY in its own SELECT, so the final
  // pick ranks the candidates with a CASE over EXISTS; it only ever looks at those candidates, so
  // a claim stays cheap behind a fan-out of many thousand due rows.
  // One chat's messages stay in order across instances: a chat with a message in flight at another
  // instance (claimed, not stale) is left to that instance, and claims take turns (an advisory
  // lock, held for the few milliseconds of the statement) so two cannot split a chat between them.
  const claimPostgres = `WITH head AS (
        SELECT id FROM "Outbox"
         WHERE (status = 'pending' AND nextAttemptAt <= ?) OR (status = 'sending' AND claimedAt < ?)
         ORDER BY id LIMIT ?
         FOR UPDATE SKIP LOCKED),
      replying AS (
        SELECT channel, chatId FROM "Outbox"
         WHERE purpose = 'reply' AND status = 'pending' AND nextAttemptAt <= ?),
      c AS (
        SELECT o.id FROM "Outbox" o
         WHERE o.id IN (SELECT id FROM head
                        UNION ALL
                        SELECT x.id FROM "Outbox" x JOIN replying r ON r.channel = x.channel AND r.chatId = x.chatId)
           AND ((o.status = 'pending' AND o.nextAttemptAt <= ?) OR (o.status = 'sending' AND o.claimedAt < ?))
           AND NOT EXISTS (SELECT 1 FROM "Outbox" s
                            WHERE s.channel = o.channel AND s.chatId = o.chatId AND s.status = 'sending'
                              AND s.claimedAt >= ? AND s.claimedBy IS DISTINCT FROM ?)
         ORDER BY CASE WHEN EXISTS (SELECT 1 FROM replying r WHERE r.channel = o.channel AND r.chatId = o.chatId)
                       THEN 0 ELSE 1 END, o.id
         LIMIT ?
         FOR UPDATE SKIP LOCKED)
      UPDATE "Outbox" u SET status = 'sending', claimedAt = ?, claimedBy = ?, attempts = u.attempts + 1
        FROM c WHERE u.id = c.id
      RETURNING u.id, u.channel, u.chatId, u.payload, u.idempotencyKey, u.attempts, u.purpose`;

  const outboxQueue: OutboxQueue = {
    async claim(now, limit, staleBefore) {
      const rows =
        db.dialect === 'postgres'
          ? await db.transaction(async (t) => {
              await t.lock('outbox:claim');
              return t.all(claimPostgres, [
                now,
                staleBefore,
                limit,
                now,
                now,
                staleBefore,
                staleBefore,
                instanceId,
                limit,
                now,
                instanceId,
              ]);
            })
          : await db.all(claimSqlite, [
              now,
              instanceId,
              now,
              now,
              staleBefore,
              now,
              staleBefore,
              limit,
              limit,
            ]);
      return rows
        .map(
          (r): ClaimedMessage => ({
            id: Number(r.id),
            channel: String(r.channel) as Channel,
            chatId: String(r.chatId),
            message: JSON.parse(String(r.payload)) as Outbound,
            idempotencyKey: String(r.idempotencyKey),
            attempts: Number(r.attempts),
            purpose: String(r.purpose) as OutboxPurpose,
          }),
        )
        .sort((a, b) => a.id - b.id);
    },
    async releaseClaims(before, keep = []) {
      // Only this instance's own (a restarted process with the same INSTANCE_ID); another live
      // instance's claims are its own business until they go stale.
      const kept = keep.length > 0 ? ` AND id NOT IN (${keep.map(() => '?').join(', ')})` : '';
      return db.run(
        `UPDATE "Outbox" SET status = 'pending'
          WHERE status = 'sending' AND claimedAt < ? AND (claimedBy = ? OR claimedBy IS NULL)${kept}`,
        [before, instanceId, ...keep],
      );
    },
    async markSent(id, at) {
      await db.run(`UPDATE "Outbox" SET status = 'sent', sentAt = ?, lastError = NULL WHERE id = ?`, [
        at,
        id,
      ]);
    },
    async markHeld(id, error) {
      await db.run(`UPDATE "Outbox" SET status = 'held', lastError = ? WHERE id = ?`, [
        error.slice(0, 500),
        id,
      ]);
    },
    async markFailed(id, error, nextAttemptAt) {
      await db.run(
        'UPDATE "Outbox" SET status = ?, lastError = ?, nextAttemptAt = COALESCE(?, nextAttemptAt) WHERE id = ?',
        [nextAttemptAt ? 'pending' : 'failed', error.slice(0, 500), nextAttemptAt ?? null, id],
      );
    },
  };

  return {
    outbox: outboxQueue,
    /** Forgets inbound ids and sent messages older than `before` (redeliveries stop within a day). */
    async prune(before) {
      const seen = await db.run('DELETE FROM "InboundSeen" WHERE receivedAt < ?', [before]);
      const sent = await db.run(`DELETE FROM "Outbox" WHERE status = 'sent' AND sentAt < ?`, [before]);
      return seen + sent;
    },
    run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
      // SQLite: one connection, one transaction at a time (later messages wait for the one before
      // to commit). PostgreSQL: each transaction on its own connection, `tx.lock` orders a chat's.
      return db.transaction((t) => work(makeTx(t)));
    },
  };
}

/** The id of a row just inserted (an INSERT without ON CONFLICT always returns one). */
function inserted(id: number | undefined, table: string): number {
  if (id === undefined) {
    throw new Error(`INSERT INTO "${table}" returned no id`);
  }
  return id;
}

function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

function toReport(r: Row): ReportRecord {
  const n = (v: unknown) => Number(v);
  return {
    id: n(r.id),
    ref: String(r.ref),
    periodId: n(r.periodId),
    unitId: n(r.unitId),
    personId: n(r.personId),
    revision: n(r.revision),
    approvedNew: n(r.approvedNew),
    approvedRepair: n(r.approvedRepair),
    startedNew: n(r.startedNew),
    startedRepair: n(r.startedRepair),
    completedNew: n(r.completedNew),
    completedRepair: n(r.completedRepair),
    handedOverNew: n(r.handedOverNew),
    handedOverRepair: n(r.handedOverRepair),
    moneyReceived: BigInt(r.moneyReceived as number | bigint),
    moneyPaid: BigInt(r.moneyPaid as number | bigint),
    labourDays: n(r.labourDays),
    difficulties: String(r.difficulties),
    proposals: String(r.proposals),
    decreaseReason: r.decreaseReason === null ? null : String(r.decreaseReason),
    late: n(r.late) === 1,
    channel: String(r.channel),
    photos: parsePhotos(r.photos),
    registryReason:
      r.registryReason === null || r.registryReason === undefined ? null : String(r.registryReason),
    submittedAt: fromDbTime(r.submittedAt),
  };
}

const ZPhotos = z.array(z.object({ channel: z.string(), fileId: z.string() }));

function parsePhotos(value: unknown): ReportPhoto[] {
  try {
    const parsed = ZPhotos.safeParse(JSON.parse(String(value ?? '[]')));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

/** An actor from its person row and its membership rows (a row without a role adds none). */
function actorOf(person: Row, rows: Row[]): Actor {
  const memberships: MembershipView[] = [];
  for (const r of rows) {
    const role = String(r.role ?? '');
    if (isRole(role)) {
      memberships.push({
        role,
        unitId: Number(r.unitId),
        unitCode: String(r.unitCode),
        unitName: String(r.unitName),
        unitKind: String(r.unitKind),
      });
    }
  }
  return {
    personId: Number(person.personId),
    fullName: String(person.fullName),
    locale: String(person.locale),
    memberships,
  };
}
