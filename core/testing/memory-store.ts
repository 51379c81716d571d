/**
 * A hand-written in-memory database for tests: every repository of `Tx` with the semantics of the
 * Prisma schema (unique keys, foreign keys, "update where not yet used", upserts), and a
 * `UnitOfWork` whose `run` is a real transaction: the state is snapshotted before `work` and put
 * back if it throws, so a test can assert that a failed message wrote nothing.
 *
 * Rows are copied on the way in and on the way out, as a database would, so a caller can never
 * change stored data by mutating an object it passed or received. Where the ports leave a detail
 * open, the behaviour follows prisma/store.ts (addMembership restores a revoked membership,
 * touchIdentity has minute precision, findCurrent is the newest campaign, audit documents are JSON).
 */

import type { Campaign, CampaignRepository, Period, PeriodSpec } from '../campaigns/campaign.ts';
import { generatePeriods } from '../campaigns/periods.ts';
import type { GroupRepository } from '../digests/group.repository.ts';
import type { FeedbackRepository } from '../feedback/feedback.repository.ts';
import type { FlowStateRepository, StoredFlowState } from '../flows/flow-state.repository.ts';
import { rememberShownChoices } from '../flows/shown-choices.ts';
import type { FundRepository, PledgeRepository } from '../funds/fund.repository.ts';
import type { HouseholdRepository } from '../households/household.repository.ts';
import type { Channel, Outbound } from '../messaging/message.ts';
import type {
  AuditEntry,
  AuditRepository,
  InboundRepository,
  OutboxItem,
  OutboxRepository,
} from '../messaging/outbox.repository.ts';
import type {
  InviteRepository,
  PeopleRepository,
  ThrottleRecord,
  ThrottleRepository,
} from '../people/people.repository.ts';
import type { InviteView } from '../people/people.ts';
import type { UnitRepository, UnitView } from '../people/unit.repository.ts';
import type { ReminderRepository } from '../reminders/reminder.repository.ts';
import type { NarrativeReportRepository } from '../reports/narrative.repository.ts';
import type { ReportRecord, ReportRepository } from '../reports/report.ts';
import type { Actor, MembershipView, Role } from '../shared/actor.ts';
import type { Tx, UnitOfWork } from '../unit-of-work.ts';

export interface UnitRow {
  id: number;
  code: string;
  name: string;
  kind: string;
  parentId: number | null;
  validFrom: string;
  validTo: string | null;
}

export interface PersonRow {
  id: number;
  fullName: string;
  phone: string | null;
  locale: string;
  active: boolean;
  createdAt: Date;
}

export interface MembershipRow {
  id: number;
  personId: number;
  unitId: number;
  role: Role;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface IdentityRow {
  id: number;
  channel: Channel;
  externalUserId: string;
  personId: number;
  displayName: string | null;
  createdAt: Date;
  lastInteractionAt: Date | null;
}

export interface InviteRow {
  id: number;
  code: string;
  role: Role;
  unitId: number;
  fullName: string | null;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  usedByPersonId: number | null;
  revokedAt: Date | null;
}

export interface InboundSeenRow {
  channel: Channel;
  externalId: string;
  receivedAt: Date;
}

export interface FlowStateRow extends StoredFlowState {
  channel: Channel;
  chatId: string;
  updatedAt: Date;
}

export interface OutboxRow {
  id: number;
  channel: Channel;
  chatId: string;
  message: Outbound;
  idempotencyKey: string;
  status: 'pending' | 'sending' | 'sent' | 'failed' | 'held' | 'cancelled';
  attempts: number;
  nextAttemptAt: Date;
  createdAt: Date;
}

export interface AuditRow extends AuditEntry {
  id: number;
  at: Date;
}

/** Every table; plain arrays and maps so tests can read them directly. */
export interface MemoryState {
  units: UnitRow[];
  people: PersonRow[];
  memberships: MembershipRow[];
  identities: IdentityRow[];
  invites: InviteRow[];
  throttles: Map<string, ThrottleRecord>;
  campaigns: Campaign[];
  periods: Period[];
  reports: ReportRecord[];
  flows: FlowStateRow[];
  inboundSeen: InboundSeenRow[];
  outbox: OutboxRow[];
  audit: AuditRow[];
  /** The last id handed out per table (AUTOINCREMENT: rolled back with the transaction, never reused). */
  sequences: Record<SequenceName, number>;
}

export type SequenceName =
  | 'units'
  | 'people'
  | 'memberships'
  | 'identities'
  | 'invites'
  | 'campaigns'
  | 'periods'
  | 'reports'
  | 'outbox'
  | 'audit';

/** A repository method, e.g. 'reports.create': where a test can make the store fail. */
export type FaultPoint = {
  [K in keyof Tx]: `${K}.${Extract<keyof Tx[K], string>}`;
}[keyof Tx];

/** Thrown for what a database would refuse: a unique or foreign key violation, a closed transaction. */
export class MemoryStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MemoryStoreError';
  }
}

export interface MemoryStore {
  uow: UnitOfWork;
  /** The live tables. Read them as `store.state.reports`: a rollback replaces their contents in place. */
  state: MemoryState;
  /** How many transactions committed and rolled back. */
  stats: { commits: number; rollbacks: number };
  /** Makes the next `times` calls of `point` throw `error` (inside the caller's transaction). */
  failOn(point: FaultPoint, error?: Error, times?: number): void;
  addUnit(unit: {
    code: string;
    name: string;
    kind?: string;
    parentId?: number | null;
    validFrom?: string;
  }): UnitRow;
  addPerson(person: {
    fullName: string;
    locale?: string;
    phone?: string | null;
    active?: boolean;
  }): PersonRow;
  addIdentity(identity: {
    personId: number;
    channel: Channel;
    externalUserId: string;
    displayName?: string | null;
  }): IdentityRow;
  addMembership(membership: {
    personId: number;
    unitId: number;
    role: Role;
    revokedAt?: Date | null;
  }): MembershipRow;
  addInvite(invite: {
    code: string;
    unitId: number;
    expiresAt: Date | string;
    role?: Role;
    fullName?: string | null;
    usedAt?: Date | null;
    revokedAt?: Date | null;
  }): InviteRow;
  /** Adds a campaign and its periods (by default those `generatePeriods` derives from its plan). */
  addCampaign(
    campaign: Omit<Campaign, 'id'>,
    periods?: PeriodSpec[],
  ): { campaign: Campaign; periods: Period[] };
  addReport(report: Omit<ReportRecord, 'id'>): ReportRecord;
}

const SEQUENCES: readonly SequenceName[] = [
  'units',
  'people',
  'memberships',
  'identities',
  'invites',
  'campaigns',
  'periods',
  'reports',
  'outbox',
  'audit',
];

function emptyState(): MemoryState {
  return {
    units: [],
    people: [],
    memberships: [],
    identities: [],
    invites: [],
    throttles: new Map(),
    campaigns: [],
    periods: [],
    reports: [],
    flows: [],
    inboundSeen: [],
    outbox: [],
    audit: [],
    sequences: {
      units: 0,
      people: 0,
      memberships: 0,
      identities: 0,
      invites: 0,
      campaigns: 0,
      periods: 0,
      reports: 0,
      outbox: 0,
      audit: 0,
    },
  };
}

/** Puts `snapshot` back into `target` without replacing its arrays and maps (tests may hold them). */
function restoreInto(target: MemoryState, snapshot: MemoryState): void {
  target.units.splice(0, target.units.length, ...snapshot.units);
  target.people.splice(0, target.people.length, ...snapshot.people);
  target.memberships.splice(0, target.memberships.length, ...snapshot.memberships);
  target.identities.splice(0, target.identities.length, ...snapshot.identities);
  target.invites.splice(0, target.invites.length, ...snapshot.invites);
  target.throttles.clear();
  for (const [key, value] of snapshot.throttles) {
    target.throttles.set(key, value);
  }
  target.campaigns.splice(0, target.campaigns.length, ...snapshot.campaigns);
  target.periods.splice(0, target.periods.length, ...snapshot.periods);
  target.reports.splice(0, target.reports.length, ...snapshot.reports);
  target.flows.splice(0, target.flows.length, ...snapshot.flows);
  target.inboundSeen.splice(0, target.inboundSeen.length, ...snapshot.inboundSeen);
  target.outbox.splice(0, target.outbox.length, ...snapshot.outbox);
  target.audit.splice(0, target.audit.length, ...snapshot.audit);
  Object.assign(target.sequences, snapshot.sequences);
}

/** JSON as the SQLite store writes it (bigints as digit strings), read back. */
function jsonRoundTrip(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}

function copy<T>(value: T): T {
  return structuredClone(value);
}

function nextId(state: MemoryState, table: SequenceName): number {
  state.sequences[table] += 1;
  return state.sequences[table];
}

function unique(ok: boolean, what: string): void {
  if (!ok) {
    throw new MemoryStoreError(`Unique constraint failed: ${what}`);
  }
}

function foreignKey(ok: boolean, what: string): void {
  if (!ok) {
    throw new MemoryStoreError(`Foreign key constraint failed: ${what}`);
  }
}

function validDate(value: Date, what: string): Date {
  if (Number.isNaN(value.getTime())) {
    throw new MemoryStoreError(`Invalid date for ${what}`);
  }
  return new Date(value);
}

/**
 * Creates an empty store, optionally starting from `seed` (copied; id sequences continue after
 * the highest seeded id).
 */
export function createMemoryStore(seed?: Partial<Omit<MemoryState, 'sequences'>>): MemoryStore {
  const state = emptyState();
  if (seed) {
    restoreInto(state, { ...emptyState(), ...copy(seed), sequences: state.sequences });
    for (const table of SEQUENCES) {
      const rows: { id: number }[] = state[table];
      state.sequences[table] = rows.reduce((max, row) => Math.max(max, row.id), 0);
    }
  }

  const faults: { point: FaultPoint; error: Error; remaining: number }[] = [];
  const stats = { commits: 0, rollbacks: 0 };

  const repositories = createRepositories(state);

  /** Transactions run one at a time, as with SQLite's single writer: no interleaving. */
  let queue: Promise<unknown> = Promise.resolve();

  const uow: UnitOfWork = {
    run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
      const result = queue.then(async () => {
        const snapshot = copy(state);
        const live = { open: true };
        const tx = openTx(repositories, live, faults);
        try {
          const value = await work(tx);
          stats.commits += 1;
          return value;
        } catch (error) {
          restoreInto(state, snapshot);
          stats.rollbacks += 1;
          throw error;
        } finally {
          live.open = false;
        }
      });
      queue = result.catch(() => undefined);
      return result;
    },
  };

  return {
    uow,
    state,
    stats,
    failOn(point, error = new MemoryStoreError(`injected failure at ${point}`), times = 1) {
      faults.push({ point, error, remaining: times });
    },
    addUnit(unit) {
      unique(!state.units.some((u) => u.code === unit.code), `Unit.code ${unit.code}`);
      const row: UnitRow = {
        id: nextId(state, 'units'),
        code: unit.code,
        name: unit.name,
        kind: unit.kind ?? 'ward',
        parentId: unit.parentId ?? null,
        validFrom: unit.validFrom ?? '2024-01-01',
        validTo: null,
      };
      state.units.push(row);
      return copy(row);
    },
    addPerson(person) {
      const row: PersonRow = {
        id: nextId(state, 'people'),
        fullName: person.fullName,
        phone: person.phone ?? null,
        locale: person.locale ?? 'vi',
        active: person.active ?? true,
        createdAt: new Date(0),
      };
      state.people.push(row);
      return copy(row);
    },
    addIdentity(identity) {
      return insertIdentity(state, { ...identity, displayName: identity.displayName ?? null }, new Date(0));
    },
    addMembership(membership) {
      const row = insertMembership(
        state,
        membership.personId,
        membership.unitId,
        membership.role,
        new Date(0),
      );
      if (membership.revokedAt) {
        const stored = state.memberships.find((m) => m.id === row.id);
        if (stored) {
          stored.revokedAt = new Date(membership.revokedAt);
        }
        return { ...row, revokedAt: new Date(membership.revokedAt) };
      }
      return row;
    },
    addInvite(invite) {
      unique(!state.invites.some((i) => i.code === invite.code), `Invite.code ${invite.code}`);
      foreignKey(
        state.units.some((u) => u.id === invite.unitId),
        `Invite.unitId ${invite.unitId}`,
      );
      const row: InviteRow = {
        id: nextId(state, 'invites'),
        code: invite.code,
        role: invite.role ?? 'unit_officer',
        unitId: invite.unitId,
        fullName: invite.fullName ?? null,
        createdBy: 'test',
        createdAt: new Date(0),
        expiresAt: validDate(new Date(invite.expiresAt), 'Invite.expiresAt'),
        usedAt: invite.usedAt ?? null,
        usedByPersonId: null,
        revokedAt: invite.revokedAt ?? null,
      };
      state.invites.push(row);
      return copy(row);
    },
    addCampaign(campaign, periods) {
      unique(!state.campaigns.some((c) => c.code === campaign.code), `Campaign.code ${campaign.code}`);
      const row: Campaign = { ...copy(campaign), id: nextId(state, 'campaigns') };
      state.campaigns.push(row);
      const specs = periods ?? generatePeriods(campaign);
      const added: Period[] = [];
      for (const spec of specs) {
        unique(
          !state.periods.some((p) => p.campaignId === row.id && p.code === spec.code),
          `ReportingPeriod(campaignId, code) ${spec.code}`,
        );
        const period: Period = { ...copy(spec), id: nextId(state, 'periods'), campaignId: row.id };
        state.periods.push(period);
        added.push(copy(period));
      }
      return { campaign: copy(row), periods: added };
    },
    addReport(report) {
      const id = insertReport(state, report);
      const stored = state.reports.find((r) => r.id === id);
      if (!stored) {
        throw new MemoryStoreError('report vanished');
      }
      return copy(stored);
    },
  };
}

/** Transactions run one at a time here: `lock` has nothing to wait for. */
type Repositories = Omit<Tx, 'lock'>;

/** The Tx a `run` hands out: refuses calls after the transaction ended, and fires injected faults. */
function openTx(
  repositories: Repositories,
  live: { open: boolean },
  faults: { point: FaultPoint; error: Error; remaining: number }[],
): Tx {
  const before = (point: string): void => {
    if (!live.open) {
      throw new MemoryStoreError(`${point} called after its transaction ended`);
    }
    const fault = faults.find((f) => f.point === point && f.remaining > 0);
    if (fault) {
      fault.remaining -= 1;
      throw fault.error;
    }
  };
  return {
    async lock() {
      before('lock');
    },
    inbound: guarded('inbound', repositories.inbound, before),
    people: guarded('people', repositories.people, before),
    invites: guarded('invites', repositories.invites, before),
    throttle: guarded('throttle', repositories.throttle, before),
    flows: guarded('flows', repositories.flows, before),
    campaigns: guarded('campaigns', repositories.campaigns, before),
    reports: guarded('reports', repositories.reports, before),
    audit: guarded('audit', repositories.audit, before),
    outbox: guarded('outbox', repositories.outbox, before),
    households: guarded('households', repositories.households, before),
    units: guarded('units', repositories.units, before),
    narratives: guarded('narratives', repositories.narratives, before),
    pledges: guarded('pledges', repositories.pledges, before),
    funds: guarded('funds', repositories.funds, before),
    reminders: guarded('reminders', repositories.reminders, before),
    groups: guarded('groups', repositories.groups, before),
    feedback: guarded('feedback', repositories.feedback, before),
  };
}

function unitView(u: UnitRow): UnitView {
  return { id: u.id, code: u.code, name: u.name, kind: u.kind, parentId: u.parentId };
}

function guarded<R extends object>(name: string, repository: R, before: (point: string) => void): R {
  const out: Record<string, unknown> = {};
  for (const [method, fn] of Object.entries(repository)) {
    if (typeof fn === 'function') {
      out[method] = async (...args: unknown[]): Promise<unknown> => {
        before(`${name}.${method}`);
        return fn.apply(repository, args);
      };
    }
  }
  return out as R;
}

function insertIdentity(
  state: MemoryState,
  identity: { personId: number; channel: Channel; externalUserId: string; displayName: string | null },
  at: Date,
): IdentityRow {
  unique(
    !state.identities.some(
      (i) => i.channel === identity.channel && i.externalUserId === identity.externalUserId,
    ),
    `ChannelIdentity(channel, externalUserId) ${identity.channel}/${identity.externalUserId}`,
  );
  foreignKey(
    state.people.some((p) => p.id === identity.personId),
    `ChannelIdentity.personId ${identity.personId}`,
  );
  const row: IdentityRow = {
    id: nextId(state, 'identities'),
    channel: identity.channel,
    externalUserId: identity.externalUserId,
    personId: identity.personId,
    displayName: identity.displayName,
    createdAt: new Date(at),
    lastInteractionAt: new Date(at),
  };
  state.identities.push(row);
  return copy(row);
}

function insertMembership(
  state: MemoryState,
  personId: number,
  unitId: number,
  role: Role,
  at: Date,
): MembershipRow {
  unique(
    !state.memberships.some((m) => m.personId === personId && m.unitId === unitId && m.role === role),
    `Membership(personId, unitId, role) ${personId}/${unitId}/${role}`,
  );
  foreignKey(
    state.people.some((p) => p.id === personId),
    `Membership.personId ${personId}`,
  );
  foreignKey(
    state.units.some((u) => u.id === unitId),
    `Membership.unitId ${unitId}`,
  );
  const row: MembershipRow = {
    id: nextId(state, 'memberships'),
    personId,
    unitId,
    role,
    createdAt: new Date(at),
    revokedAt: null,
  };
  state.memberships.push(row);
  return copy(row);
}

function insertReport(state: MemoryState, report: Omit<ReportRecord, 'id'>): number {
  unique(!state.reports.some((r) => r.ref === report.ref), `Report.ref ${report.ref}`);
  unique(
    !state.reports.some(
      (r) => r.periodId === report.periodId && r.unitId === report.unitId && r.revision === report.revision,
    ),
    `Report(periodId, unitId, revision) ${report.periodId}/${report.unitId}/${report.revision}`,
  );
  foreignKey(
    state.periods.some((p) => p.id === report.periodId),
    `Report.periodId ${report.periodId}`,
  );
  foreignKey(
    state.units.some((u) => u.id === report.unitId),
    `Report.unitId ${report.unitId}`,
  );
  foreignKey(
    state.people.some((p) => p.id === report.personId),
    `Report.personId ${report.personId}`,
  );
  for (const field of ['moneyReceived', 'moneyPaid'] as const) {
    if (typeof report[field] !== 'bigint') {
      throw new MemoryStoreError(`Report.${field} must be a BigInt`);
    }
  }
  const id = nextId(state, 'reports');
  state.reports.push({
    ...copy(report),
    id,
    submittedAt: validDate(report.submittedAt, 'Report.submittedAt'),
  });
  return id;
}

function createRepositories(state: MemoryState): Repositories {
  const inbound: InboundRepository = {
    async markSeen(channel, externalId, at) {
      if (state.inboundSeen.some((s) => s.channel === channel && s.externalId === externalId)) {
        return false;
      }
      state.inboundSeen.push({ channel, externalId, receivedAt: new Date(at) });
      return true;
    },
  };

  const people: PeopleRepository = {
    async findActor(channel, externalUserId) {
      const identity = state.identities.find(
        (i) => i.channel === channel && i.externalUserId === externalUserId,
      );
      return identity ? people.currentActor(identity.personId) : undefined;
    },
    async currentActor(personId) {
      const person = state.people.find((p) => p.id === personId);
      if (!person?.active) {
        return undefined;
      }
      const memberships: MembershipView[] = [];
      for (const m of state.memberships) {
        const unit = state.units.find((u) => u.id === m.unitId);
        if (m.personId === person.id && m.revokedAt === null && unit) {
          memberships.push({
            role: m.role,
            unitId: unit.id,
            unitCode: unit.code,
            unitName: unit.name,
            unitKind: unit.kind,
          });
        }
      }
      const actor: Actor = {
        personId: person.id,
        fullName: person.fullName,
        locale: person.locale,
        memberships,
      };
      return copy(actor);
    },
    async identitiesOf(personId) {
      return state.identities
        .filter((i) => i.personId === personId)
        .map((i) => ({ channel: i.channel, externalUserId: i.externalUserId }));
    },
    async touchIdentity(channel, externalUserId, at) {
      const identity = state.identities.find(
        (i) => i.channel === channel && i.externalUserId === externalUserId,
      );
      // Like the SQLite store: minute precision, to save a write per message.
      const last = identity?.lastInteractionAt;
      if (identity && (!last || last.getTime() < at.getTime() - 60_000)) {
        identity.lastInteractionAt = new Date(at);
      }
    },
    async create(person, at) {
      const row: PersonRow = {
        id: nextId(state, 'people'),
        fullName: person.fullName,
        phone: null,
        locale: person.locale,
        active: true,
        createdAt: new Date(at),
      };
      state.people.push(row);
      return row.id;
    },
    async addMembership(personId, unitId, role, at) {
      // Like the SQLite store (ON CONFLICT … SET revokedAt = NULL): adding a revoked membership restores it.
      const existing = state.memberships.find(
        (m) => m.personId === personId && m.unitId === unitId && m.role === role,
      );
      if (existing) {
        existing.revokedAt = null;
        return;
      }
      insertMembership(state, personId, unitId, role, at);
    },
    async addIdentity(identity, at) {
      insertIdentity(state, identity, at);
    },
    async findPerson(personId) {
      const person = state.people.find((p) => p.id === personId);
      return person && { id: person.id, fullName: person.fullName, active: person.active };
    },
    async setActive(personId, active) {
      const person = state.people.find((p) => p.id === personId);
      if (!person || person.active === active) {
        return false;
      }
      person.active = active;
      return true;
    },
    async hasRole(personId, unitId, role) {
      return state.memberships.some(
        (m) => m.personId === personId && m.unitId === unitId && m.role === role && m.revokedAt === null,
      );
    },
    async liveMemberships(unitIds, roles) {
      return state.memberships
        .filter((m) => unitIds.includes(m.unitId) && roles.includes(m.role) && m.revokedAt === null)
        .sort((a, b) => a.id - b.id)
        .map((m) => ({
          personId: m.personId,
          fullName: state.people.find((p) => p.id === m.personId)?.fullName ?? '',
          unitId: m.unitId,
          role: m.role,
        }));
    },
    async revokeRole(personId, unitId, role, at) {
      for (const m of state.memberships) {
        if (m.personId === personId && m.unitId === unitId && m.role === role && m.revokedAt === null) {
          m.revokedAt = new Date(at);
        }
      }
    },
  };

  const invites: InviteRepository = {
    async create(invite, at) {
      if (state.invites.some((i) => i.code === invite.code)) {
        return undefined;
      }
      const id = nextId(state, 'invites');
      state.invites.push({
        ...invite,
        id,
        createdAt: new Date(at),
        usedAt: null,
        usedByPersonId: null,
        revokedAt: null,
      });
      return id;
    },
    async findByCode(code) {
      const invite = state.invites.find((i) => i.code === code);
      const unit = invite ? state.units.find((u) => u.id === invite.unitId) : undefined;
      if (!invite || !unit) {
        return undefined;
      }
      const view: InviteView = {
        id: invite.id,
        code: invite.code,
        role: invite.role,
        unitId: invite.unitId,
        unitName: unit.name,
        fullName: invite.fullName,
        expiresAt: invite.expiresAt,
        usedAt: invite.usedAt,
        usedByPersonId: invite.usedByPersonId,
        revokedAt: invite.revokedAt,
      };
      return copy(view);
    },
    async markUsed(id, at) {
      const invite = state.invites.find((i) => i.id === id);
      if (!invite || invite.usedAt !== null) {
        return false;
      }
      invite.usedAt = new Date(at);
      return true;
    },
    async revoke(id, at) {
      const invite = state.invites.find((i) => i.id === id);
      if (!invite || invite.usedAt !== null || invite.revokedAt !== null) {
        return false;
      }
      invite.revokedAt = new Date(at);
      return true;
    },
    async setUsedBy(id, personId) {
      foreignKey(
        state.people.some((p) => p.id === personId),
        `Invite.usedByPersonId ${personId}`,
      );
      const invite = state.invites.find((i) => i.id === id);
      if (invite) {
        invite.usedByPersonId = personId;
      }
    },
  };

  const throttle: ThrottleRepository = {
    async find(key) {
      const record = state.throttles.get(key);
      return record ? copy(record) : undefined;
    },
    async save(key, record) {
      state.throttles.set(key, copy(record));
    },
    async delete(key) {
      state.throttles.delete(key);
    },
  };

  const flows: FlowStateRepository = {
    async find(channel, chatId) {
      const row = state.flows.find((f) => f.channel === channel && f.chatId === chatId);
      if (!row) {
        return undefined;
      }
      const stored: StoredFlowState = {
        flow: row.flow,
        version: row.version,
        step: row.step,
        data: row.data,
        expiresAt: row.expiresAt,
      };
      return copy(stored);
    },
    async save(channel, chatId, flowState, at) {
      const row: FlowStateRow = {
        channel,
        chatId,
        flow: flowState.flow,
        version: flowState.version,
        step: flowState.step,
        data: flowState.data,
        expiresAt: validDate(flowState.expiresAt, 'FlowState.expiresAt'),
        updatedAt: new Date(at),
      };
      const index = state.flows.findIndex((f) => f.channel === channel && f.chatId === chatId);
      if (index < 0) {
        state.flows.push(row);
      } else {
        state.flows[index] = row;
      }
    },
    async delete(channel, chatId) {
      const index = state.flows.findIndex((f) => f.channel === channel && f.chatId === chatId);
      if (index >= 0) {
        state.flows.splice(index, 1);
      }
    },
  };

  const campaigns: CampaignRepository = {
    async findCurrent() {
      // Like the SQLite store: the campaign created last.
      const latest = [...state.campaigns].sort((a, b) => b.id - a.id)[0];
      return latest ? copy(latest) : undefined;
    },
    async listPeriods(campaignId, kind) {
      return copy(
        state.periods
          .filter((p) => p.campaignId === campaignId && p.kind === kind)
          .sort((a, b) => a.dueOn.localeCompare(b.dueOn) || a.id - b.id),
      );
    },
    async update(campaignId, changes) {
      const campaign = state.campaigns.find((c) => c.id === campaignId);
      if (campaign) {
        Object.assign(
          campaign,
          Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)),
        );
      }
    },
    async setPeriodDue(periodId, dueOn) {
      const period = state.periods.find((p) => p.id === periodId);
      if (period) {
        period.dueOn = dueOn;
      }
    },
  };

  const reports: ReportRepository = {
    async lastRevision(periodId, unitId) {
      return state.reports
        .filter((r) => r.periodId === periodId && r.unitId === unitId)
        .reduce((max, r) => Math.max(max, r.revision), 0);
    },
    async onTimeCounts(periodIds, unitIds) {
      const onTime = new Map<number, Set<number>>();
      for (const r of state.reports) {
        if (!r.late && periodIds.includes(r.periodId) && unitIds.includes(r.unitId)) {
          onTime.set(r.unitId, (onTime.get(r.unitId) ?? new Set()).add(r.periodId));
        }
      }
      return [...onTime].map(([unitId, periods]) => ({ unitId, periods: periods.size }));
    },
    async latestByUnit(unitIds, periodId) {
      return unitIds.flatMap((unitId) => {
        const own = state.reports.filter((r) => r.unitId === unitId);
        if (own.length === 0) {
          return [];
        }
        const latest = own.reduce((a, b) => (a.submittedAt >= b.submittedAt ? a : b));
        return [
          {
            unitId,
            submittedAt: new Date(latest.submittedAt),
            coversPeriod: own.some((r) => r.periodId === periodId),
          },
        ];
      });
    },
    async reportedPeriodIds(unitId) {
      return [...new Set(state.reports.filter((r) => r.unitId === unitId).map((r) => r.periodId))];
    },
    async findLatestBefore(unitId, dueOn) {
      // Like the SQLite store: ORDER BY period.dueOn DESC, revision DESC (then the newest row).
      const candidates: { report: ReportRecord; dueOn: string }[] = [];
      for (const report of state.reports) {
        const period = state.periods.find((p) => p.id === report.periodId);
        if (report.unitId === unitId && period && period.dueOn < dueOn) {
          candidates.push({ report, dueOn: period.dueOn });
        }
      }
      candidates.sort(
        (a, b) =>
          b.dueOn.localeCompare(a.dueOn) ||
          b.report.revision - a.report.revision ||
          b.report.id - a.report.id,
      );
      const latest = candidates[0]?.report;
      return latest ? copy(latest) : undefined;
    },
    async listByPeriods(periodIds) {
      return copy(
        state.reports
          .filter((r) => periodIds.includes(r.periodId))
          .sort(
            (a, b) =>
              a.periodId - b.periodId || a.unitId - b.unitId || a.revision - b.revision || a.id - b.id,
          ),
      );
    },
    async create(report) {
      return insertReport(state, report);
    },
  };

  const audit: AuditRepository = {
    async record(entry, at) {
      // `before` and `after` are JSON text in the database: store what a reader would get back.
      const row: AuditRow = { ...copy(entry), id: nextId(state, 'audit'), at: new Date(at) };
      if (entry.before !== undefined) {
        row.before = jsonRoundTrip(entry.before);
      }
      if (entry.after !== undefined) {
        row.after = jsonRoundTrip(entry.after);
      }
      state.audit.push(row);
    },
  };

  const outbox: OutboxRepository = {
    async enqueue(items: OutboxItem[], at) {
      let added = 0;
      for (const item of items) {
        if (state.outbox.some((o) => o.idempotencyKey === item.idempotencyKey)) {
          continue;
        }
        added += 1;
        state.outbox.push({
          id: nextId(state, 'outbox'),
          channel: item.channel,
          chatId: item.chatId,
          message: copy(item.message),
          idempotencyKey: item.idempotencyKey,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: new Date(at),
          createdAt: new Date(at),
        });
      }
      await rememberShownChoices(flows, items, at);
      return added;
    },
    async cancelPending(keyPrefix) {
      const rows = state.outbox.filter(
        (o) => o.idempotencyKey.startsWith(keyPrefix) && (o.status === 'pending' || o.status === 'held'),
      );
      for (const row of rows) {
        row.status = 'cancelled';
      }
      return rows.length;
    },
    async releaseHeld(channel, chatId, at) {
      const held = state.outbox.filter(
        (o) => o.channel === channel && o.chatId === chatId && o.status === 'held',
      );
      for (const row of held) {
        row.status = 'pending';
        row.nextAttemptAt = new Date(at);
      }
      return held.length;
    },
  };

  // The registry stays empty here: household flows are tested on a real SQLite file.
  const households: HouseholdRepository = {
    create: async () => {
      throw new Error('the memory store has no household registry');
    },
    codeExists: async () => false,
    duplicateCandidates: async () => [],
    search: async () => [],
    findById: async () => undefined,
    listByStatus: async () => [],
    listByUnits: async () => [],
    moveStatus: async () => false,
    addEvent: async () => {
      throw new Error('the memory store has no household registry');
    },
    statusCountsAsOf: async () => ({}),
    statusChangesSince: async () => [],
    countsByUnit: async () => [],
  };

  const childrenOf = (parentIds: number[]) =>
    state.units
      .filter(
        (u) =>
          u.parentId !== null &&
          parentIds.includes(u.parentId) &&
          (u.kind === 'ward' || u.kind === 'commune'),
      )
      .sort((a, b) => a.code.localeCompare(b.code));
  const units: UnitRepository = {
    async listChildren(parentIds) {
      return childrenOf(parentIds).map(unitView);
    },
    async listChildrenDated(parentIds) {
      return childrenOf(parentIds).map((u) => ({
        ...unitView(u),
        validFrom: u.validFrom,
        validTo: u.validTo,
      }));
    },
    async listDescendantsDated(rootIds) {
      const found: UnitRow[] = [];
      let level = state.units.filter((u) => u.parentId !== null && rootIds.includes(u.parentId));
      while (level.length > 0) {
        found.push(...level);
        const ids = level.map((u) => u.id);
        level = state.units.filter((u) => u.parentId !== null && ids.includes(u.parentId));
      }
      return found
        .sort((a, b) => a.code.localeCompare(b.code))
        .map((u) => ({ ...unitView(u), validFrom: u.validFrom, validTo: u.validTo }));
    },
    // The memory store keeps no merges or splits.
    successions: async () => [],
    async findById(id) {
      const u = state.units.find((x) => x.id === id);
      return u ? unitView(u) : undefined;
    },
    async listByKinds(kinds) {
      return state.units
        .filter((u) => kinds.includes(u.kind))
        .sort((a, b) => a.code.localeCompare(b.code))
        .map(unitView);
    },
    async listAllDated() {
      return copy([...state.units].sort((a, b) => a.code.localeCompare(b.code)));
    },
    async create(unit) {
      unique(!state.units.some((u) => u.code === unit.code), `Unit.code ${unit.code}`);
      const id = nextId(state, 'units');
      state.units.push({ ...unit, id, validTo: null });
      return id;
    },
    async end(unitIds, validTo) {
      let ended = 0;
      for (const u of state.units) {
        if (unitIds.includes(u.id) && u.validTo === null) {
          u.validTo = validTo;
          ended++;
        }
      }
      return ended;
    },
    addSuccession: async () => {
      throw new Error('the memory store keeps no unit successions');
    },
  };

  // Quarterly and final reports are tested on a real SQLite file.
  const narratives: NarrativeReportRepository = {
    lastRevision: async () => 0,
    create: async () => {
      throw new Error('the memory store keeps no quarterly or final reports');
    },
  };

  // Pledges and the ledger are tested on a real SQLite file; here they stay empty.
  const noLedger = (): never => {
    throw new Error('the memory store keeps no pledges or fund ledger');
  };
  const pledges: PledgeRepository = {
    create: noLedger,
    update: async () => false,
    cancel: async () => false,
    decide: async () => false,
    countSince: async () => 0,
    findById: async () => undefined,
    findByRef: async () => undefined,
    search: async () => [],
    listByPerson: async () => [],
    listByCampaign: async () => [],
  };
  const funds: FundRepository = {
    entriesTouching: async () => [],
    findEntry: async () => undefined,
    insert: noLedger,
    listByCampaign: async () => [],
    unitMoney: async () => ({ received: 0n, paid: 0n, entries: 0 }),
    rollupFigures: async () => ({
      levels: [],
      totals: [],
      pledged: 0n,
      unverified: 0n,
      organisations: [],
      donors: [],
    }),
  };

  // The scheduler is tested on a real SQLite file; here nobody is reminded.
  const reminders: ReminderRepository = {
    members: async () => [],
    // Monthly reports only: narrative ones are not kept here.
    async submitted(_campaignId, periodIds) {
      const pairs = new Map<string, { periodId: number; unitId: number }>();
      for (const r of state.reports) {
        if (!periodIds || periodIds.includes(r.periodId)) {
          pairs.set(`${r.periodId}:${r.unitId}`, { periodId: r.periodId, unitId: r.unitId });
        }
      }
      return [...pairs.values()];
    },
    pauses: async () => [],
    addPause: async () => undefined,
    bulkSince: async () => [],
    settings: async () => ({}),
    saveSettings: async () => undefined,
  };

  // Leadership groups are tested on a real SQLite file.
  const groups: GroupRepository = {
    findByChat: async () => undefined,
    findById: async () => undefined,
    request: async () => {
      throw new Error('the memory store keeps no leadership groups');
    },
    setStatus: async () => false,
    listActive: async () => [],
  };

  // Citizen feedback is tested on a real SQLite file.
  const feedback: FeedbackRepository = {
    create: async () => {
      throw new Error('the memory store keeps no feedback');
    },
    findById: async () => undefined,
    findByRef: async () => undefined,
    countByChatSince: async () => 0,
    listByChat: async () => [],
    listOpen: async () => [],
    setStatus: async () => false,
  };

  return {
    inbound,
    people,
    invites,
    throttle,
    flows,
    campaigns,
    reports,
    audit,
    outbox,
    households,
    units,
    narratives,
    pledges,
    funds,
    reminders,
    groups,
    feedback,
  };
}
