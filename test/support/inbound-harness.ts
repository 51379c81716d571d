/**
 * The inbound use case on a real, empty database (SQLite or PostgreSQL as the suite runs) holding
 * only what a test puts in it — the demo campaign and one ward to start with — with a fixed clock,
 * helpers to send a message and read back exactly the replies it put in the outbox, the tables read
 * back as plain rows, and faults injected into a repository method inside the transaction.
 *
 * It replaces the in-memory store the core's inbound tests ran on: one implementation of the
 * repositories (the store the bot runs), so a test can not pass on semantics the database lacks.
 */

import type { Selectable } from 'kysely';
import { onTestFinished } from 'vitest';
import { z } from 'zod';
import type { Campaign, Period } from '../../core/campaigns/campaign.ts';
import { generatePeriods } from '../../core/campaigns/periods.ts';
import type { Feature } from '../../core/features/feature.ts';
import type { FlowState } from '../../core/flows/flow.ts';
import { SHOWN_CHOICES_FLOW } from '../../core/flows/shown-choices.ts';
import { createInboundHandler, type InboundOutcome } from '../../core/inbound/handle-inbound.ts';
import type { Channel, Inbound, Outbound } from '../../core/messaging/message.ts';
import type { ReportRecord } from '../../core/reports/report.ts';
import type { Role } from '../../core/shared/actor.ts';
import { createFixedClock } from '../../core/shared/clock.ts';
import { DEMO_CAMPAIGN, DEMO_NOW, DEMO_UNIT, type TestUser } from '../../core/testing/builders.ts';
import type { Tx, UnitOfWork } from '../../core/unit-of-work.ts';
import type { DB, SqlDb } from '../../prisma/sql-db.ts';
import { createStore } from '../../prisma/store.ts';
import { migratedDb } from './app-harness.ts';
import { readable } from './readable.ts';

export const DEFAULT_FLOW_TTL_MS = 60 * 60_000;

export interface Sent {
  outcome: InboundOutcome;
  replies: Outbound[];
  /** All reply texts as read (bold and code markers dropped) joined by blank lines, for `toContain`. */
  text: string;
  /** The same with the markers, for a test about formatting (core/messaging/markup.ts). */
  marked: string;
  /** Every option id offered by the replies (`choices`: one of them is the answer). */
  buttons: string[];
  /** Every quick-answer id offered by the replies (`suggestions` for a typed question). */
  suggestions: string[];
}

export interface Demo {
  campaign: Campaign;
  periods: Period[];
  unit: UnitRow;
  /** The period with this code ('2025-02', '2025-Q1', 'final'); throws when there is none. */
  period(code: string): Period;
}

export interface UnitRow {
  id: number;
  code: string;
  name: string;
  kind: string;
  parentId: number | null;
}

/** A repository method, e.g. 'reports.create': where a test can make the store fail. */
export type FaultPoint = {
  [K in Exclude<keyof Tx, 'lock'>]: `${K}.${Extract<keyof Tx[K], string>}`;
}[Exclude<keyof Tx, 'lock'>];

/** The tables the inbound tests read, as plain rows (JSON columns parsed). */
export interface Tables {
  units: Selectable<DB['Unit']>[];
  people: Selectable<DB['Person']>[];
  identities: Selectable<DB['ChannelIdentity']>[];
  memberships: Selectable<DB['Membership']>[];
  invites: Selectable<DB['Invite']>[];
  throttles: Map<string, Omit<Selectable<DB['Throttle']>, 'key'>>;
  reports: ReportRecord[];
  flows: Selectable<DB['FlowState']>[];
  inboundSeen: Selectable<DB['InboundSeen']>[];
  outbox: (Omit<Selectable<DB['Outbox']>, 'payload'> & { message: Outbound })[];
  audit: (Omit<Selectable<DB['AuditLog']>, 'before' | 'after'> & { before?: unknown; after?: unknown })[];
}

export interface InboundHarness {
  db: SqlDb;
  /** The store's unit of work with the injected faults. */
  uow: UnitOfWork;
  clock: ReturnType<typeof createFixedClock>;
  demo: Demo;
  /** How many transactions of `uow` failed (and so rolled back). */
  stats: { rollbacks: number };
  handle(inbound: Inbound): Promise<InboundOutcome>;
  /** Handles `inbound` and returns the replies it enqueued. */
  send(inbound: Inbound): Promise<Sent>;
  /** The replies an already handled inbound enqueued, in order. */
  repliesTo(inbound: Inbound): Promise<Outbound[]>;
  /** The chat's saved conversation, decoded; undefined when there is none. */
  flowOf(user: TestUser): Promise<FlowState | undefined>;
  /** Every table the tests look at, read now. */
  tables(): Promise<Tables>;
  /** The reports of one unit, read now (cheaper than `tables` in a long property run). */
  reportsOf(unitId: number): Promise<ReportRecord[]>;
  /** The audit rows after the one with id `afterId`, read now. */
  auditAfter(afterId: number): Promise<Tables['audit']>;
  /** Makes the next `times` calls of `point` throw `error` (inside the caller's transaction). */
  failOn(point: FaultPoint, error?: Error, times?: number): void;
  addUnit(unit: { code: string; name: string; kind?: string; parentId?: number | null }): Promise<UnitRow>;
  addPerson(person: { fullName: string; locale?: string }): Promise<{ id: number }>;
  addIdentity(identity: { personId: number; channel: Channel; externalUserId: string }): Promise<void>;
  addMembership(membership: {
    personId: number;
    unitId: number;
    role: Role;
    revokedAt?: Date | null;
  }): Promise<void>;
  addInvite(invite: {
    code: string;
    unitId: number;
    expiresAt: Date | string;
    role?: Role;
    fullName?: string | null;
    usedAt?: Date | null;
    revokedAt?: Date | null;
  }): Promise<{ id: number }>;
  addReport(report: Omit<ReportRecord, 'id'>): Promise<{ id: number }>;
  /** Saves a chat's conversation row as a bot of an older or newer version may have left it. */
  addFlow(row: {
    channel: Channel;
    chatId: string;
    flow: string;
    version: number;
    step: string;
    data: string;
    expiresAt: Date;
  }): Promise<void>;
  close(): Promise<void>;
}

const ZSaved = z.object({
  data: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
  ctx: z.unknown(),
  reviewing: z.boolean(),
});

const ZPhotos = z.array(z.object({ channel: z.string(), fileId: z.string() }));

/** An error a test injected, told apart from a real failure. */
export class InjectedFault extends Error {
  constructor(point: string) {
    super(`injected failure at ${point}`);
    this.name = 'InjectedFault';
  }
}

/**
 * A harness on a new database; closed when the test ends (`onTestFinished`), or by `close` when
 * one harness serves many runs of a property.
 */
export async function createInboundHarness(
  options: { now?: string; flowTtlMs?: number; features?: readonly Feature[]; closeWithTest?: boolean } = {},
): Promise<InboundHarness> {
  const migrated = await migratedDb();
  if (options.closeWithTest !== false) {
    onTestFinished(() => migrated.close());
  }
  const { db } = migrated;
  const store = createStore(db);
  const clock = createFixedClock(options.now ?? DEMO_NOW);
  const faults: { point: string; error: Error; remaining: number }[] = [];
  const stats = { rollbacks: 0 };

  /** The transaction's repositories, each method checked for an injected fault first. */
  function withFaults(tx: Tx): Tx {
    const wrapped: Record<string, unknown> = { lock: (key: string) => tx.lock(key) };
    for (const [name, repository] of Object.entries(tx)) {
      if (typeof repository !== 'object' || repository === null) {
        continue;
      }
      wrapped[name] = new Proxy(repository, {
        get(target, method, receiver) {
          const value: unknown = Reflect.get(target, method, receiver);
          const point = `${name}.${String(method)}`;
          const fault = faults.find((f) => f.point === point && f.remaining > 0);
          if (typeof value !== 'function' || fault === undefined) {
            return value;
          }
          return async () => {
            fault.remaining -= 1;
            throw fault.error;
          };
        },
      });
    }
    return { ...tx, ...wrapped };
  }

  const uow: UnitOfWork = {
    async run(work) {
      try {
        return await store.run((tx) => work(withFaults(tx)));
      } catch (error) {
        stats.rollbacks += 1;
        throw error;
      }
    },
  };

  const k = db.kysely;
  const campaignRow = await k
    .insertInto('Campaign')
    .values({ ...DEMO_CAMPAIGN })
    .returningAll()
    .executeTakeFirstOrThrow();
  const campaign: Campaign = { ...DEMO_CAMPAIGN, id: campaignRow.id };
  const periods: Period[] = [];
  for (const spec of generatePeriods(DEMO_CAMPAIGN)) {
    const row = await k
      .insertInto('ReportingPeriod')
      .values({ ...spec, campaignId: campaign.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    periods.push({ ...spec, id: row.id, campaignId: campaign.id });
  }

  async function addUnit(unit: {
    code: string;
    name: string;
    kind?: string;
    parentId?: number | null;
  }): Promise<UnitRow> {
    const row = await k
      .insertInto('Unit')
      .values({
        code: unit.code,
        name: unit.name,
        kind: unit.kind ?? 'ward',
        parentId: unit.parentId ?? null,
        validFrom: '2024-01-01',
        validTo: null,
      })
      .returning(['id', 'code', 'name', 'kind', 'parentId'])
      .executeTakeFirstOrThrow();
    return row;
  }
  const unit = await addUnit({ ...DEMO_UNIT });

  const demo: Demo = {
    campaign,
    periods,
    unit,
    period(code) {
      const found = periods.find((p) => p.code === code);
      if (!found) {
        throw new Error(`No demo period ${code}`);
      }
      return found;
    },
  };

  const handle = createInboundHandler({
    ...(options.features ? { features: options.features } : {}),
    uow,
    clock,
    flowTtlMs: options.flowTtlMs ?? DEFAULT_FLOW_TTL_MS,
    timeZone: 'Asia/Ho_Chi_Minh',
  });

  async function repliesTo(inbound: Inbound): Promise<Outbound[]> {
    const prefix = `reply:${inbound.channel}:${inbound.externalId}:`;
    const rows = await k
      .selectFrom('Outbox')
      .select(['idempotencyKey', 'payload'])
      .where('idempotencyKey', 'like', `${prefix}%`)
      .execute();
    return rows
      .sort(
        (a, b) =>
          Number(a.idempotencyKey.slice(prefix.length)) - Number(b.idempotencyKey.slice(prefix.length)),
      )
      .map((row) => JSON.parse(row.payload));
  }

  async function tables(): Promise<Tables> {
    const [units, people, identities, memberships, invites, throttles, reports, flows, seen, outbox, audit] =
      await Promise.all([
        k.selectFrom('Unit').selectAll().orderBy('id').execute(),
        k.selectFrom('Person').selectAll().orderBy('id').execute(),
        k.selectFrom('ChannelIdentity').selectAll().orderBy('id').execute(),
        k.selectFrom('Membership').selectAll().orderBy('id').execute(),
        k.selectFrom('Invite').selectAll().orderBy('id').execute(),
        k.selectFrom('Throttle').selectAll().orderBy('key').execute(),
        k.selectFrom('Report').selectAll().orderBy('id').execute(),
        k.selectFrom('FlowState').selectAll().orderBy('id').execute(),
        k.selectFrom('InboundSeen').selectAll().orderBy('channel').orderBy('externalId').execute(),
        k.selectFrom('Outbox').selectAll().orderBy('id').execute(),
        auditAfter(0),
      ]);
    return {
      units,
      people,
      identities,
      memberships,
      invites,
      throttles: new Map(throttles.map(({ key, ...rest }) => [key, rest])),
      reports: reports.map(reportRecord),
      flows,
      inboundSeen: seen,
      outbox: outbox.map(({ payload, ...rest }) => ({ ...rest, message: readable(JSON.parse(payload)) })),
      audit,
    };
  }

  async function auditAfter(afterId: number): Promise<Tables['audit']> {
    const rows = await k.selectFrom('AuditLog').selectAll().where('id', '>', afterId).orderBy('id').execute();
    return rows.map(({ before, after, ...rest }) => ({
      ...rest,
      ...(before === null ? {} : { before: JSON.parse(before) }),
      ...(after === null ? {} : { after: JSON.parse(after) }),
    }));
  }

  function reportRecord(row: Selectable<DB['Report']>): ReportRecord {
    return { ...row, photos: ZPhotos.parse(JSON.parse(row.photos)) };
  }

  const harness: InboundHarness = {
    db,
    uow,
    clock,
    demo,
    stats,
    handle,
    async send(inbound) {
      const outcome = await handle(inbound);
      const sent = await repliesTo(inbound);
      const replies = sent.map(readable);
      return {
        outcome,
        replies,
        text: replies.map((r) => r.text).join('\n\n'),
        marked: sent.map((r) => r.text).join('\n\n'),
        buttons: replies.flatMap((r) => (r.choices ?? []).flat().map((c) => c.id)),
        suggestions: replies.flatMap((r) => (r.suggestions ?? []).map((c) => c.id)),
      };
    },
    repliesTo,
    async flowOf(user) {
      const row = await k
        .selectFrom('FlowState')
        .select(['flow', 'version', 'step', 'data'])
        .where('channel', '=', user.channel)
        .where('chatId', '=', user.chatId)
        .executeTakeFirst();
      if (!row || row.flow === SHOWN_CHOICES_FLOW) {
        return undefined;
      }
      const saved = ZSaved.parse(JSON.parse(row.data));
      return { flow: row.flow, version: row.version, step: row.step, ...saved };
    },
    tables,
    auditAfter,
    async reportsOf(unitId) {
      const rows = await k
        .selectFrom('Report')
        .selectAll()
        .where('unitId', '=', unitId)
        .orderBy('id')
        .execute();
      return rows.map(reportRecord);
    },
    failOn(point, error = new InjectedFault(point), times = 1) {
      faults.push({ point, error, remaining: times });
    },
    addUnit,
    async addPerson(person) {
      return k
        .insertInto('Person')
        .values({ fullName: person.fullName, locale: person.locale ?? 'vi', phone: null })
        .returning('id')
        .executeTakeFirstOrThrow();
    },
    async addIdentity(identity) {
      await k
        .insertInto('ChannelIdentity')
        .values({ ...identity, displayName: null, lastInteractionAt: null })
        .execute();
    },
    async addMembership(membership) {
      await k
        .insertInto('Membership')
        .values({
          personId: membership.personId,
          unitId: membership.unitId,
          role: membership.role,
          revokedAt: membership.revokedAt ?? null,
        })
        .execute();
    },
    async addInvite(invite) {
      return k
        .insertInto('Invite')
        .values({
          code: invite.code,
          role: invite.role ?? 'unit_officer',
          unitId: invite.unitId,
          fullName: invite.fullName ?? null,
          createdBy: 'test',
          expiresAt: new Date(invite.expiresAt),
          usedAt: invite.usedAt ?? null,
          usedByPersonId: null,
          revokedAt: invite.revokedAt ?? null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    },
    async addReport(report) {
      return k
        .insertInto('Report')
        .values({ ...report, photos: JSON.stringify(report.photos) })
        .returning('id')
        .executeTakeFirstOrThrow();
    },
    async addFlow(row) {
      await k
        .insertInto('FlowState')
        .values({ ...row, updatedAt: clock.now() })
        .execute();
    },
    close: migrated.close,
  };
  return harness;
}

/** A person already bound to `user`'s chat identity, with `role` in `unitId`. */
export async function addMember(
  h: InboundHarness,
  user: TestUser,
  unitId: number,
  options: { fullName?: string; role?: Role; locale?: string } = {},
): Promise<{ id: number }> {
  const person = await h.addPerson({
    fullName: options.fullName ?? 'Nguyễn Văn An',
    locale: options.locale ?? 'vi',
  });
  await h.addIdentity({ personId: person.id, channel: user.channel, externalUserId: user.senderId });
  await h.addMembership({ personId: person.id, unitId, role: options.role ?? 'unit_officer' });
  return person;
}
