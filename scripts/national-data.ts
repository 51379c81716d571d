/**
 * A national-scale data set for benchmarks and tests (issue acceptance: the digest and the leaders'
 * views at the size of the whole country): the central MTTQ committee as the root unit, the 34
 * provinces and centrally-run cities, 3,321 communes and wards under them, the five member
 * organisations at central and provincial level, one campaign with its reporting periods, 335,000
 * households with their history, 100,000 pledges, 1,000,000 fund ledger entries that obey the
 * ledger's rules, 40,000 people with memberships and chats, the reports of past periods and the
 * reminders of the last days.
 *
 *   npx tsx scripts/national-data.ts --url file:./data/national.db [--scale 0.01] [--seed 1]
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test?schema=national npx tsx scripts/national-data.ts
 *
 * Deterministic: the same scale and seed give the same rows. The units go through the unit list
 * import (core/units/unit-list.ts, as `units import --file`) and the campaign is a definition
 * validated by ZCampaignDefinition and created by `createCampaign` (as `campaign create --file`);
 * the bulk rows are written with explicit ids in multi-row INSERTs, all in one transaction (a failed
 * run leaves nothing behind); the ids continue after whatever the database already holds, so it may
 * sit beside the demo seed. A database that
 * already holds the national data set is left alone (`findNational`).
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { type CompiledQuery, type Insertable, sql } from 'kysely';
import { createCampaign } from '../core/campaigns/define-campaign.ts';
import {
  type CampaignDefinition,
  type CampaignDefinitionInput,
  ZCampaignDefinition,
} from '../core/campaigns/definition.ts';
import { schedulePeriods } from '../core/campaigns/periods.ts';
import { householdNameKey } from '../core/households/duplicate-keys.ts';
import { assessEligibility } from '../core/households/eligibility.ts';
import { idNumberHasher, idNumberLast4 } from '../core/households/id-number.ts';
import type { AuditSource } from '../core/messaging/outbox.repository.ts';
import type { ProgressReporter } from '../core/shared/progress.ts';
import type { Tx } from '../core/unit-of-work.ts';
import { applyUnitsPlan, unitsState } from '../core/units/apply.ts';
import { planUnitList, type UnitListRow } from '../core/units/unit-list.ts';
import { rebuildFundTotals } from '../prisma/fund-totals.ts';
import type { DB } from '../prisma/kysely-dialect.ts';
import { applyMigrations } from '../prisma/migrate.ts';
import { openSqlDb, type SqlDb } from '../prisma/sql-db.ts';
import { createStore } from '../prisma/store.ts';
import { createProgressLine } from './cli/progress.ts';
import {
  enterpriseName,
  ORGANISATIONS,
  PROVINCES,
  personName,
  placeName,
  provinceSuffix,
} from './national/names.ts';
import { mulberry32 } from './random.ts';

export const NATIONAL_CAMPAIGN_CODE = 'VN-XNT-2025';
export const NATION_CODE = 'VN';
/** The data set's "now": Thursday 18/09/2025, 10:00 in Vietnam (August's report fell due on the 15th). */
export const NATIONAL_AS_OF = new Date('2025-09-18T03:00:00Z');
/** The audit row that marks a complete data set (written last, in the same transaction). */
const MARKER_ACTION = 'seed.national';

export const FULL_SCALE = {
  communes: 3_321,
  households: 335_000,
  pledges: 100_000,
  fundEntries: 1_000_000,
  people: 40_000,
} as const;

export interface NationalCounts {
  units: number;
  provinces: number;
  communes: number;
  organisations: number;
  periods: number;
  households: number;
  householdEvents: number;
  pledges: number;
  fundEntries: number;
  people: number;
  memberships: number;
  identities: number;
  reports: number;
  narrativeReports: number;
  outbox: number;
  groups: number;
}

export interface NationalDataSet {
  campaignId: number;
  nationId: number;
  scale: number;
  seed: number;
  counts: NationalCounts;
}

export interface NationalOptions {
  /** 1 = the national figures above; 0.01 for a quick run (communes shrink with the square root). */
  scale?: number;
  seed?: number;
  log?: (line: string) => void;
  /** Told how many rows of the big tables are written so far (the progress line). */
  progress?: ProgressReporter;
  /** The key the made-up ID numbers are hashed with (as ID_HASH_KEY would); default: a random one. */
  idHashKey?: Uint8Array;
}

// ---------------------------------------------------------------------------------------------
// Small tools

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** A separate stream per part of the data set: changing one part leaves the others as they were. */
function stream(seed: number, part: number): () => number {
  return mulberry32(Math.imul(seed, 0x9e3779b1) ^ Math.imul(part, 0x85ebca6b));
}

function int(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Log-uniform between min and max, rounded to `step` đồng. */
function money(random: () => number, min: number, max: number, step = 100_000): number {
  const v = Math.exp(Math.log(min) + random() * (Math.log(max) - Math.log(min)));
  return Math.max(step, Math.round(v / step) * step);
}

const dayOf = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
const isoCache = new Map<number, string>();
function isoDay(day: number): string {
  let s = isoCache.get(day);
  if (s === undefined) {
    s = new Date(day * DAY_MS).toISOString().slice(0, 10);
    isoCache.set(day, s);
  }
  return s;
}

/** An instant during office hours in Vietnam (08:00–17:00, i.e. 01:00–10:00 UTC) on the day. */
function during(day: number, random: () => number): Date {
  return new Date(day * DAY_MS + HOUR_MS + Math.floor(random() * 9 * HOUR_MS));
}

function bump(series: Float64Array, index: number, amount: number): void {
  series[index] = (series[index] ?? 0) + amount;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

function pickIndex(random: () => number, length: number): number {
  return Math.floor(random() * length);
}

function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) {
    throw new Error(`no item ${index} of ${items.length}`);
  }
  return item;
}

/** Splits `total` into parts proportional to `weights` (largest remainder), each at least `min`. */
function apportion(total: number, weights: readonly number[], min = 0): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const free = Math.max(0, total - min * weights.length);
  const raw = weights.map((w) => (free * w) / sum);
  const parts = raw.map((r) => min + Math.floor(r));
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0]);
  for (let k = 0; left > 0 && order.length > 0; k = (k + 1) % order.length, left--) {
    const i = at(order, k)[1];
    parts[i] = (parts[i] ?? 0) + 1;
  }
  return parts;
}

/** 'id code name' → ['id', 'code', 'name']: an Inserter's column list, at the type level too. */
type Words<S extends string> = S extends `${infer Head} ${infer Rest}` ? [Head, ...Words<Rest>] : [S];

/** The values of one row, in the order of `Columns`, each of its column's type in the generated DB types. */
type RowValues<T extends keyof DB, Columns extends readonly string[]> = {
  [I in keyof Columns]: Columns[I] extends keyof Insertable<DB[T]> ? Insertable<DB[T]>[Columns[I]] : never;
};

/**
 * Multi-row INSERTs with explicit columns: rows are buffered and written a statement at a time,
 * as many rows per statement as stay well under SQLite's 32,766 parameters. Each row's values are
 * typed by the table's generated types (a column that is not the table's takes no value); the
 * statement is written with Kysely's `sql` (table and column names as identifiers, values as
 * parameters) and compiled once per number of rows: a national data set is millions of rows, and
 * building them into Kysely's query tree would cost more than writing them.
 */
class Inserter<T extends Table, const C extends string> {
  private readonly rowsPerStatement: number;
  private readonly columns: readonly string[];
  private buffer: unknown[] = [];
  private buffered = 0;
  private readonly compiled = new Map<number, CompiledQuery>();
  private report: ProgressReporter | undefined;
  count = 0;

  constructor(
    private readonly db: SqlDb,
    private readonly table: T,
    columnList: C,
    /** Rows this table refers to (foreign keys): written first. */
    private readonly after: { flush(): Promise<void> }[] = [],
  ) {
    this.columns = columnList.split(' ');
    this.rowsPerStatement = Math.max(1, Math.floor(30_000 / this.columns.length));
  }

  async add(...values: RowValues<T, Words<C>>): Promise<void> {
    if (values.length !== this.columns.length) {
      throw new Error(`${this.table}: ${values.length} values for ${this.columns.length} columns`);
    }
    for (const v of values) {
      this.buffer.push(v);
    }
    this.buffered++;
    this.count++;
    if (this.buffered >= this.rowsPerStatement) {
      await this.flush();
    }
  }

  async flush(): Promise<void> {
    if (this.buffered === 0) {
      return;
    }
    for (const parent of this.after) {
      await parent.flush();
    }
    const statement = this.compiled.get(this.buffered) ?? this.compile(this.buffered);
    await this.db.kysely.executeQuery({ ...statement, parameters: this.buffer });
    this.buffer = [];
    this.buffered = 0;
    this.report?.({ phase: `Ghi bảng ${this.table}`, unit: 'dòng', done: this.count });
  }

  /** Reports the rows written after each statement (a big table, the progress line shows it). */
  showingProgress(report: ProgressReporter | undefined): this {
    this.report = report;
    return this;
  }

  /** The INSERT of `rows` rows, its parameters in row order then column order (as `buffer` holds them). */
  private compile(rows: number): CompiledQuery {
    const columns = sql.join(this.columns.map((c) => sql.ref(c)));
    const values = sql.join(
      Array.from(
        { length: rows },
        (_, r) => sql`(${sql.join(this.columns.map((_c, i) => this.buffer[r * this.columns.length + i]))})`,
      ),
    );
    const statement = sql`INSERT INTO ${sql.table(this.table)} (${columns}) VALUES ${values}`.compile(
      this.db.kysely,
    );
    this.compiled.set(rows, statement);
    return statement;
  }
}

const TABLES = [
  'Unit',
  'Campaign',
  'ReportingPeriod',
  'Person',
  'Membership',
  'ChannelIdentity',
  'Household',
  'HouseholdEvent',
  'Pledge',
  'FundEntry',
  'Report',
  'NarrativeReport',
  'Outbox',
  'LeadershipGroup',
  'AuditLog',
] as const;
type Table = (typeof TABLES)[number];

// ---------------------------------------------------------------------------------------------
// Finding a data set already there

/** The national data set the database holds (complete: its marker row is written last), if any. */
export async function findNational(db: SqlDb): Promise<NationalDataSet | undefined> {
  const marker = await db.kysely
    .selectFrom('AuditLog')
    .select('after')
    .where('action', '=', MARKER_ACTION)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!marker) {
    return undefined;
  }
  // Written by generateNational below, in the same transaction as the data set.
  return JSON.parse(marker.after ?? 'null') as NationalDataSet;
}

// ---------------------------------------------------------------------------------------------
// The generator

interface UnitRow {
  id: number;
  code: string;
  name: string;
  kind: string;
  parentId: number | null;
}

interface Commune extends UnitRow {
  province: number;
  officer: number;
  officerChannel: string;
  leader: number;
  fundOfficer: number | null;
}

interface Province extends UnitRow {
  leader: number;
  admin: number;
  fundOfficer: number;
  communes: Commune[];
  orgs: UnitRow[];
}

// Household status codes in the typed arrays.
const S = { proposed: 0, approved: 1, started: 2, completed: 3, handed_over: 4, rejected: 5, withdrawn: 6 };
const STATUS_NAMES = ['proposed', 'approved', 'started', 'completed', 'handed_over', 'rejected', 'withdrawn'];
/** The share of each final status: most houses of a campaign in its last months are built. */
const STATUS_SHARES: readonly [number, number][] = [
  [S.handed_over, 0.38],
  [S.completed, 0.17],
  [S.started, 0.2],
  [S.approved, 0.15],
  [S.proposed, 0.06],
  [S.rejected, 0.03],
  [S.withdrawn, 0.01],
];
const NORM = { new_build: 60_000_000, repair: 30_000_000 };

/** The national campaign as a definition (core/campaigns/definition.ts), validated like a file. */
function nationalDefinition(startsOn: string): CampaignDefinition {
  return ZCampaignDefinition.parse({
    code: NATIONAL_CAMPAIGN_CODE,
    name: 'Chung tay xóa nhà tạm, nhà dột nát trên phạm vi cả nước 2024–2025',
    area: NATION_CODE,
    startsOn,
    endsOn: '2025-12-31',
    schedule: {
      monthly: { dueDay: 15 },
      quarterly: { dueDay: 15 },
      semiannual: { dueDay: 15 },
      final: { dueOn: '2025-12-10' },
      // The data set's reports and reminders were made per obligation (as campaigns from before
      // definition files run): the monthly and quarterly reports due the same day stay two.
      oneReportWhenSameDay: false,
    },
    norms: [{ from: startsOn, newBuild: NORM.new_build, repair: NORM.repair }],
  } satisfies CampaignDefinitionInput);
}

/**
 * Writes the generated units through the unit list planner and its writer, then gives each row the
 * id written (placeholder ids → real ones, parents too). Refuses with the planner's problems.
 */
async function importUnitRows(tx: Tx, unitRows: UnitRow[], at: Date): Promise<{ count: number }> {
  const codeOf = new Map(unitRows.map((u) => [u.id, u.code]));
  const rows: UnitListRow[] = unitRows.map((u, i) => ({
    rowNumber: i + 2,
    cells: {
      code: u.code,
      name: u.name,
      kind: u.kind,
      validFrom: '2024-01-01',
      ...(u.parentId === null ? {} : { parent: codeOf.get(u.parentId) ?? '' }),
    },
  }));
  // In one call, as `units import --file` imports the whole list (one plan, one audit row).
  const planned = planUnitList(rows, {}, await unitsState(tx, at, 'Asia/Ho_Chi_Minh'));
  if (!planned.ok) {
    const problems = planned.problems.slice(0, 5).map((p) => `row ${p.row} ${p.column}: ${p.message}`);
    throw new Error(`units: ${problems.join('; ')}`);
  }
  await applyUnitsPlan(
    tx,
    planned.plan,
    { by: GENERATOR, action: 'units.import', details: { generator: 'national', rows: rows.length } },
    at,
  );
  const added = planned.plan.added;
  const written = new Map(
    (await tx.units.listAllDated()).filter((u) => u.validFrom === '2024-01-01').map((u) => [u.code, u.id]),
  );
  const idOf = new Map(unitRows.map((u) => [u.id, written.get(u.code)]));
  for (const u of unitRows) {
    const id = idOf.get(u.id);
    if (id === undefined) {
      throw new Error(`unit ${u.code} was not written`);
    }
    u.parentId = u.parentId === null ? null : (idOf.get(u.parentId) ?? null);
    u.id = id;
  }
  return { count: added };
}

/** The campaign created from its definition, and its periods (in the schedule's order) with their ids. */
async function createNationalCampaign(tx: Tx, definition: CampaignDefinition, at: Date) {
  const created = await createCampaign(tx, definition, GENERATOR, at);
  if (!created.ok) {
    throw new Error(`campaign: ${created.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
  }
  const campaignId = created.campaign.id;
  const stored = new Map<string, number>();
  for (const kind of ['weekly', 'monthly', 'quarterly', 'semiannual', 'final'] as const) {
    for (const p of await tx.campaigns.listPeriods(campaignId, kind)) {
      stored.set(`${p.kind}:${p.code}`, p.id);
    }
  }
  const periods = schedulePeriods(definition).map((p) => ({
    ...p,
    id: stored.get(`${p.kind}:${p.code}`) ?? 0,
  }));
  return { campaignId, periods };
}

/** The generator's audit source: the operator's command line. */
const GENERATOR: AuditSource = { personId: null, channel: 'cli' };

/**
 * Generates the national data set into `db` (migrated). Returns what it wrote; throws when the
 * database already holds a national campaign.
 */
export async function generateNational(db: SqlDb, opts: NationalOptions = {}): Promise<NationalDataSet> {
  const scale = opts.scale ?? 1;
  const seed = opts.seed ?? 1;
  const started = performance.now();
  const say = opts.log ?? (() => undefined);
  const hashId = idNumberHasher(opts.idHashKey ?? randomBytes(32));
  const log = (line: string) =>
    say(`${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s  ${line}`);
  if (!(scale > 0 && scale <= 1)) {
    throw new Error(`--scale must be in (0, 1], not ${scale}`);
  }
  const existing = await db.kysely
    .selectFrom('Campaign')
    .select('id')
    .where('code', '=', NATIONAL_CAMPAIGN_CODE)
    .executeTakeFirst();
  if (existing) {
    throw new Error(`the database already holds campaign ${NATIONAL_CAMPAIGN_CODE}`);
  }

  const target = {
    communes:
      scale >= 1
        ? FULL_SCALE.communes
        : Math.max(2 * PROVINCES.length, Math.round(FULL_SCALE.communes * Math.sqrt(scale))),
    households: Math.round(FULL_SCALE.households * scale),
    pledges: Math.round(FULL_SCALE.pledges * scale),
    fundEntries: Math.round(FULL_SCALE.fundEntries * scale),
    people: Math.round(FULL_SCALE.people * scale),
  };

  if (db.dialect === 'sqlite') {
    // A page cache of 256 MB instead of 2 MB: the indexes being filled stay in memory.
    await db.exec('PRAGMA cache_size = -262144');
  }
  const result = await db.transaction(async (tx) => {
    const next = new Map<Table, number>();
    /** Explicit ids continue after the rows already there (those the use cases below wrote too). */
    const continueIds = async () => {
      for (const table of TABLES) {
        const last = await tx.kysely
          .selectFrom(table)
          .select('id')
          .orderBy('id', 'desc')
          .limit(1)
          .executeTakeFirst();
        next.set(table, last?.id ?? 0);
      }
    };
    await continueIds();
    const newId = (table: Table): number => {
      const id = (next.get(table) ?? 0) + 1;
      next.set(table, id);
      return id;
    };

    const campaignStart = '2024-10-01';
    const startDay = dayOf(campaignStart);
    const asOfDay = Math.floor(NATIONAL_AS_OF.getTime() / DAY_MS);
    const lastDay = asOfDay - 1;
    const createdAt = new Date((startDay - 20) * DAY_MS + 2 * HOUR_MS);

    // -- Units -------------------------------------------------------------------------------
    const r = stream(seed, 1);
    const unitRows: UnitRow[] = [];
    const nation: UnitRow = {
      id: newId('Unit'),
      code: NATION_CODE,
      name: 'Ủy ban Trung ương MTTQ Việt Nam',
      kind: 'nation',
      parentId: null,
    };
    unitRows.push(nation);
    const centralOrgs: UnitRow[] = ORGANISATIONS.map((o) => ({
      id: newId('Unit'),
      code: `${o.code}-TW`,
      name: o.national,
      kind: 'member_org',
      parentId: nation.id,
    }));
    unitRows.push(...centralOrgs);
    const perProvince = apportion(
      target.communes,
      PROVINCES.map((p) => p.communes),
      1,
    );
    const provinces: Province[] = [];
    const communes: Commune[] = [];
    let communeSeq = 0;
    for (const [i, spec] of PROVINCES.entries()) {
      const code = `P${pad(i + 1, 2)}`;
      const province: Province = {
        id: newId('Unit'),
        code,
        name: `${spec.city ? 'Thành phố' : 'Tỉnh'} ${spec.name}`,
        kind: 'province',
        parentId: nation.id,
        leader: 0,
        admin: 0,
        fundOfficer: 0,
        communes: [],
        orgs: [],
      };
      provinces.push(province);
      unitRows.push(province);
      for (const o of ORGANISATIONS) {
        const org: UnitRow = {
          id: newId('Unit'),
          code: `${o.code}-${code}`,
          name: `${o.local} ${provinceSuffix(spec)}`,
          kind: 'member_org',
          parentId: province.id,
        };
        province.orgs.push(org);
        unitRows.push(org);
      }
      const used = new Set<string>();
      const wardShare = spec.city ? 0.45 : 0.15;
      for (let k = 0; k < (perProvince[i] ?? 1); k++) {
        const ward = r() < wardShare;
        communeSeq++;
        const commune: Commune = {
          id: newId('Unit'),
          code: `X${pad(communeSeq, 5)}`,
          name: `${ward ? 'Phường' : 'Xã'} ${placeName(r, used)}`,
          kind: ward ? 'ward' : 'commune',
          parentId: province.id,
          province: i,
          officer: 0,
          officerChannel: 'telegram',
          leader: 0,
          fundOfficer: null,
        };
        province.communes.push(commune);
        communes.push(commune);
        unitRows.push(commune);
      }
    }
    // Through the unit list import (core/units/unit-list.ts), as `units import --file` writes an
    // official list; the ids above were placeholders, replaced by the ones the import wrote.
    const store = createStore(tx);
    const units = await store.run((t) => importUnitRows(t, unitRows, createdAt));
    log(`units: ${units.count} (${provinces.length} provinces, ${communes.length} communes and wards)`);

    // -- Campaign and periods ------------------------------------------------------------------
    // A definition file's campaign, created as `campaign create --file` creates one.
    const definition = nationalDefinition(campaignStart);
    const { campaignId, periods } = await store.run((t) => createNationalCampaign(t, definition, createdAt));
    await continueIds();

    // -- People --------------------------------------------------------------------------------
    const rp = stream(seed, 2);
    const persons = new Inserter(tx, 'Person', 'id fullName phone locale active createdAt').showingProgress(
      opts.progress,
    );
    const memberships = new Inserter(tx, 'Membership', 'id personId unitId role createdAt', [persons]);
    const identities = new Inserter(
      tx,
      'ChannelIdentity',
      'id channel externalUserId personId displayName createdAt lastInteractionAt',
      [persons],
    );
    const personNames = new Map<number, string>();
    const personChannel = new Map<number, { channel: string; chatId: string }>();
    const addPerson = async (unitId: number, role: string, playground?: string): Promise<number> => {
      const id = newId('Person');
      const fullName = personName(rp);
      const joined = new Date(createdAt.getTime() + int(rp, 0, 300) * DAY_MS);
      const phone = rp() < 0.7 ? `09${pad(int(rp, 0, 99_999_999), 8)}` : null;
      await persons.add(id, fullName, phone, 'vi', true, joined);
      await memberships.add(newId('Membership'), id, unitId, role, joined);
      const seen = new Date((lastDay - int(rp, 0, 20)) * DAY_MS + 3 * HOUR_MS);
      const zalo = rp() < 0.4;
      const telegramId = String(7_000_000_000 + id);
      const zaloId = `30${pad(id, 17)}`;
      const first = zalo ? { channel: 'zalo', chatId: zaloId } : { channel: 'telegram', chatId: telegramId };
      await identities.add(newId('ChannelIdentity'), first.channel, first.chatId, id, fullName, joined, seen);
      if (rp() < 0.1) {
        const second = zalo
          ? { channel: 'telegram', chatId: telegramId }
          : { channel: 'zalo', chatId: zaloId };
        await identities.add(
          newId('ChannelIdentity'),
          second.channel,
          second.chatId,
          id,
          fullName,
          joined,
          seen,
        );
      }
      if (playground) {
        await identities.add(newId('ChannelIdentity'), 'playground', playground, id, fullName, joined, seen);
      }
      personNames.set(id, fullName);
      personChannel.set(id, first);
      return id;
    };
    const nationLeader = await addPerson(nation.id, 'leader', 'national-leader');
    await addPerson(nation.id, 'leader');
    const nationAdmin = await addPerson(nation.id, 'admin', 'national-admin');
    const nationFund = await addPerson(nation.id, 'fund_officer', 'national-fund');
    const orgLeaders = new Map<number, number>();
    for (const org of centralOrgs) {
      orgLeaders.set(org.id, await addPerson(org.id, 'org_leader'));
    }
    for (const [i, province] of provinces.entries()) {
      province.leader = await addPerson(province.id, 'leader', i === 0 ? 'province-leader' : undefined);
      await addPerson(province.id, 'leader');
      province.admin = await addPerson(province.id, 'admin');
      province.fundOfficer = await addPerson(province.id, 'fund_officer');
      for (const org of province.orgs) {
        orgLeaders.set(org.id, await addPerson(org.id, 'org_leader'));
      }
      for (const commune of province.communes) {
        commune.officer = await addPerson(commune.id, 'unit_officer');
        commune.officerChannel = personChannel.get(commune.officer)?.channel ?? 'telegram';
        if (rp() < 0.2) {
          await addPerson(commune.id, 'unit_officer');
        }
        commune.leader = await addPerson(commune.id, 'leader');
        if (rp() < 0.6) {
          commune.fundOfficer = await addPerson(commune.id, 'fund_officer');
        }
      }
    }
    const donors: { id: number; unit: Commune }[] = [];
    while (persons.count < target.people) {
      const unit = at(communes, pickIndex(rp, communes.length));
      donors.push({ id: await addPerson(unit.id, 'donor'), unit });
    }
    await persons.flush();
    await memberships.flush();
    await identities.flush();
    log(`people: ${persons.count} (${memberships.count} memberships, ${identities.count} chats)`);

    // -- Households and their history ----------------------------------------------------------
    const rh = stream(seed, 3);
    const H = target.households;
    const hId = new Int32Array(H);
    const hCommune = new Int32Array(H);
    const hNeed = new Uint8Array(H); // 0 new_build, 1 repair
    const hStatus = new Uint8Array(H);
    // The day each stage was reached (-1: not reached); rejected/withdrawn are final.
    const hApproved = new Int32Array(H).fill(-1);
    const hStarted = new Int32Array(H).fill(-1);
    const hCompleted = new Int32Array(H).fill(-1);
    const hHanded = new Int32Array(H).fill(-1);
    const hEnded = new Int32Array(H).fill(-1);
    const weights = communes.map(() => 0.3 + rh() * 1.4);
    const perCommune = apportion(H, weights);
    const households = new Inserter(
      tx,
      'Household',
      'id campaignId unitId code village headName headNameKey birthYear idNumberHash idNumberLast4 category need foundationDurable frameDurable roofDurable area members landLegal landUndisputed outsideLandslideZone confirmedByCommune eligible status overrideReason createdAt updatedAt',
    ).showingProgress(opts.progress);
    const events = new Inserter(
      tx,
      'HouseholdEvent',
      'id householdId kind fromStatus toStatus note photos personId channel at',
      [households],
    );
    const byCommune: number[][] = communes.map(() => []);
    let h = 0;
    for (const [c, commune] of communes.entries()) {
      for (let k = 1; k <= (perCommune[c] ?? 0); k++, h++) {
        const id = newId('Household');
        hId[h] = id;
        hCommune[h] = c;
        byCommune[c]?.push(h);
        let u = rh();
        let status = S.proposed;
        for (const [s, share] of STATUS_SHARES) {
          if (u < share) {
            status = s;
            break;
          }
          u -= share;
        }
        hStatus[h] = status;
        const need = rh() < 0.6 ? 'new_build' : 'repair';
        hNeed[h] = need === 'new_build' ? 0 : 1;
        // The steps after it was proposed, with their gaps in days.
        const steps: [number, number][] =
          status === S.rejected
            ? [[S.rejected, int(rh, 10, 40)]]
            : status === S.withdrawn
              ? [
                  [S.approved, int(rh, 7, 45)],
                  [S.withdrawn, int(rh, 10, 60)],
                ]
              : (
                  [
                    [S.approved, int(rh, 7, 45)],
                    [S.started, int(rh, 5, 60)],
                    [S.completed, int(rh, 25, 100)],
                    [S.handed_over, int(rh, 1, 25)],
                  ] as [number, number][]
                ).slice(0, status);
        let span = steps.reduce((n, [, g]) => n + g, 0);
        const room = lastDay - startDay;
        if (span > room) {
          const f = room / span;
          for (const step of steps) {
            step[1] = Math.floor(step[1] * f);
          }
          span = steps.reduce((n, [, g]) => n + g, 0);
        }
        const created = startDay + Math.floor((room - span) * rh() ** 1.4);
        const officer = commune.officer;
        const channel = commune.officerChannel;
        const category = rh() < 0.03 ? 'other' : rh() < 0.57 ? 'poor' : rh() < 0.65 ? 'near_poor' : 'merit';
        const facts = {
          category: category as 'poor' | 'near_poor' | 'merit' | 'other',
          foundationDurable: rh() < 0.5,
          frameDurable: false,
          roofDurable: false,
          area: int(rh, 12, 40),
          members: int(rh, 1, 7),
          landLegal: true,
          landUndisputed: status !== S.rejected,
          outsideLandslideZone: true,
          confirmedByCommune: true,
        };
        const eligible = assessEligibility(facts).eligible;
        let day = created;
        let when = during(day, rh);
        let seq = 0;
        // Written after the household (its foreign key).
        const history: Parameters<typeof events.add>[] = [];
        history.push([
          newId('HouseholdEvent'),
          id,
          'created',
          null,
          'proposed',
          null,
          '[]',
          officer,
          channel,
          when,
        ]);
        let from = 'proposed';
        for (const [s, gap] of steps) {
          day += gap;
          seq++;
          when = new Date(Math.max(during(day, rh).getTime(), when.getTime() + 60_000 * seq));
          const to = at(STATUS_NAMES, s);
          const photos =
            s === S.started || s === S.completed || s === S.handed_over
              ? `[{"channel":"${channel}","fileId":"AgACAgUAAx${pad(id, 8)}${s}"}]`
              : '[]';
          const note = s === S.rejected ? 'Đất ở đang có tranh chấp, chưa đủ điều kiện hỗ trợ' : null;
          history.push([
            newId('HouseholdEvent'),
            id,
            'status',
            from,
            to,
            note,
            photos,
            officer,
            channel,
            when,
          ]);
          from = to;
          if (s === S.approved) {
            hApproved[h] = day;
          } else if (s === S.started) {
            hStarted[h] = day;
          } else if (s === S.completed) {
            hCompleted[h] = day;
          } else if (s === S.handed_over) {
            hHanded[h] = day;
          } else {
            hEnded[h] = day;
          }
        }
        const hasId = rh() < 0.5;
        const idNumber = hasId ? `0${pad(int(rh, 1, 96), 2)}${pad(int(rh, 0, 999_999_999), 9)}` : null;
        const headName = personName(rh);
        await households.add(
          id,
          campaignId,
          commune.id,
          `${commune.code}-${pad(k, 4)}`,
          commune.kind === 'ward' ? `Tổ dân phố ${int(rh, 1, 15)}` : `Thôn ${int(rh, 1, 15)}`,
          headName,
          householdNameKey(headName),
          int(rh, 1935, 1990),
          idNumber ? hashId(idNumber) : null,
          idNumberLast4(idNumber),
          facts.category,
          need,
          facts.foundationDurable,
          facts.frameDurable,
          facts.roofDurable,
          facts.area,
          facts.members,
          facts.landLegal,
          facts.landUndisputed,
          facts.outsideLandslideZone,
          facts.confirmedByCommune,
          eligible,
          at(STATUS_NAMES, status),
          !eligible && status !== S.proposed && status !== S.rejected
            ? 'Hoàn cảnh đặc biệt khó khăn, Ban Thường trực đề nghị hỗ trợ'
            : null,
          during(created, rh),
          when,
        );
        for (const event of history) {
          await events.add(...event);
        }
      }
    }
    await households.flush();
    await events.flush();
    log(`households: ${households.count} (${events.count} history events)`);

    // -- Pledges -------------------------------------------------------------------------------
    const rg = stream(seed, 4);
    const P = target.pledges;
    const pledgeInserter = new Inserter(
      tx,
      'Pledge',
      'id ref campaignId donorKind donorName donorPhone personId orgUnitId fundUnitId kind description quantity quantityUnit amount householdId targetUnitId dueOn publicName channel cancelledAt cancelReason createdAt updatedAt',
    ).showingProgress(opts.progress);
    const enterprises = Array.from({ length: Math.max(20, Math.round(P / 16)) }, () => enterpriseName(rg));
    interface PlannedPledge {
      id: number;
      level: number;
      kind: 'money' | 'materials' | 'labour';
      amount: number;
      created: number;
      due: number | null;
      cancelled: boolean;
    }
    const pledges: PlannedPledge[] = [];
    let donorCursor = 0;
    const fundLevel = (province: Province, commune: Commune | undefined, u: number): number =>
      u < 0.1 ? nation.id : u < 0.4 || !commune ? province.id : commune.id;
    for (let i = 0; i < P; i++) {
      const id = newId('Pledge');
      // Most pledges come at the launch and the campaign's peak months.
      const created = startDay + Math.floor((lastDay - 1 - startDay) * rg() ** 1.8);
      const who = rg();
      let donorKind: string;
      let donorName: string;
      let personId: number | null = null;
      let orgUnitId: number | null = null;
      let level: number;
      let amount: number;
      let publicName: boolean;
      const province = at(provinces, pickIndex(rg, provinces.length));
      const commune = province.communes[pickIndex(rg, province.communes.length)];
      if (who < 0.15) {
        donorKind = 'organisation';
        const central = rg() < 0.15;
        const org = central
          ? at(centralOrgs, pickIndex(rg, centralOrgs.length))
          : at(province.orgs, pickIndex(rg, province.orgs.length));
        donorName = org.name;
        orgUnitId = org.id;
        personId = orgLeaders.get(org.id) ?? null;
        level = central ? nation.id : province.id;
        amount = central ? money(rg, 500_000_000, 20_000_000_000) : money(rg, 20_000_000, 3_000_000_000);
        publicName = true;
      } else if (who < 0.4) {
        donorKind = 'enterprise';
        donorName = at(enterprises, pickIndex(rg, enterprises.length));
        level = fundLevel(province, commune, rg());
        amount = money(rg, 10_000_000, 2_000_000_000);
        publicName = rg() < 0.8;
      } else {
        donorKind = 'individual';
        const donor = donors.length > 0 ? donors[donorCursor++ % donors.length] : undefined;
        if (donor && donorCursor <= donors.length) {
          personId = donor.id;
          donorName = personNames.get(donor.id) ?? personName(rg);
          level =
            rg() < 0.75 ? donor.unit.id : rg() < 0.8 ? at(provinces, donor.unit.province).id : nation.id;
        } else {
          donorName = `${rg() < 0.5 ? 'Ông' : 'Bà'} ${personName(rg)}`;
          level = fundLevel(province, commune, rg() * 0.6 + 0.4);
        }
        if (rg() < 0.1) {
          orgUnitId = at(province.orgs, pickIndex(rg, province.orgs.length)).id;
        }
        amount = money(rg, 200_000, 20_000_000);
        publicName = rg() < 0.6;
      }
      const k = rg();
      const kind: PlannedPledge['kind'] = k < 0.9 ? 'money' : k < 0.97 ? 'materials' : 'labour';
      let description: string | null = null;
      let quantity: number | null = null;
      let quantityUnit: string | null = null;
      if (kind === 'materials') {
        quantity = int(rg, 5, 80) * 10;
        description = 'xi măng';
        quantityUnit = 'bao';
        amount = quantity * 95_000;
      } else if (kind === 'labour') {
        quantity = int(rg, 10, 200);
        description = 'ngày công xây dựng';
        quantityUnit = 'ngày công';
        amount = quantity * 250_000;
      }
      const due = rg() < 0.6 ? created + int(rg, 15, 120) : null;
      const cancelled = rg() < 0.02;
      const cancelDay = Math.min(lastDay, created + int(rg, 3, 30));
      const householdTarget = rg() < 0.03 && H > 0 ? hId[pickIndex(rg, H)] : undefined;
      const targetUnit = rg() < 0.05 ? at(communes, pickIndex(rg, communes.length)).id : null;
      const when = during(created, rg);
      pledges.push({ id, level, kind, amount, created, due, cancelled });
      await pledgeInserter.add(
        id,
        `UH-${pad(id, 4)}`,
        campaignId,
        donorKind,
        donorName,
        rg() < 0.4 ? `09${pad(int(rg, 0, 99_999_999), 8)}` : null,
        personId,
        orgUnitId,
        level,
        kind,
        description,
        quantity,
        quantityUnit,
        BigInt(amount),
        householdTarget ?? null,
        targetUnit,
        due === null ? null : isoDay(due),
        publicName,
        rg() < 0.5 ? 'telegram' : rg() < 0.8 ? 'zalo' : null,
        cancelled ? during(cancelDay, rg) : null,
        cancelled ? 'Đơn vị đăng ký trùng, đã hủy theo đề nghị' : null,
        when,
        cancelled ? during(cancelDay, rg) : when,
      );
    }
    await pledgeInserter.flush();
    log(`pledges: ${pledgeInserter.count}`);

    // -- The fund ledger -----------------------------------------------------------------------
    const ledger = await writeLedger(tx, {
      seed,
      target: target.fundEntries,
      campaignId,
      newId: () => newId('FundEntry'),
      startDay,
      lastDay,
      nation,
      provinces,
      communes,
      pledges,
      households: {
        id: hId,
        commune: hCommune,
        need: hNeed,
        status: hStatus,
        approved: hApproved,
        started: hStarted,
        completed: hCompleted,
        handed: hHanded,
      },
      fundOfficers: { nation: nationFund },
      log,
      progress: opts.progress,
    });
    await rebuildFundTotals(tx);
    log(`fund ledger: ${ledger.count} entries, running totals summed`);

    // -- Reports of past periods ---------------------------------------------------------------
    const rr = stream(seed, 6);
    const reports = new Inserter(
      tx,
      'Report',
      'id ref periodId unitId personId revision approvedNew approvedRepair startedNew startedRepair completedNew completedRepair handedOverNew handedOverRepair moneyReceived moneyPaid labourDays difficulties proposals photos late channel submittedAt',
    ).showingProgress(opts.progress);
    const narratives = new Inserter(
      tx,
      'NarrativeReport',
      'id ref periodId unitId personId revision answers late channel submittedAt',
    );
    const due = periods.filter((p) => dayOf(p.dueOn) <= asOfDay);
    const latestMonthly = due.filter((p) => p.kind === 'monthly').at(-1);
    /** Units that had not reported the latest monthly period by each day (for the reminders). */
    const lateFor = new Map<number, number>();
    for (const period of due) {
      const dueDay = dayOf(period.dueOn);
      const endDay = dayOf(period.endsOn);
      const latest = period.id === latestMonthly?.id;
      for (const [c, commune] of communes.entries()) {
        if (rr() > (latest ? 0.8 : 0.95)) {
          if (latest) {
            lateFor.set(c, lastDay + 1);
          }
          continue;
        }
        const onTime = rr() < 0.88;
        const submitted = onTime ? dueDay - int(rr, 1, 12) : dueDay + int(rr, 0, 10);
        if (submitted > lastDay) {
          if (latest) {
            lateFor.set(c, lastDay + 1);
          }
          continue;
        }
        if (latest) {
          lateFor.set(c, submitted);
        }
        const revisions = rr() < 0.04 ? 2 : 1;
        for (let revision = 1; revision <= revisions; revision++) {
          const day = Math.min(lastDay, submitted + revision - 1);
          const when = during(day, rr);
          if (period.kind === 'monthly') {
            const counts: [number, number, number, number, number, number, number, number] = [
              0, 0, 0, 0, 0, 0, 0, 0,
            ];
            for (const i of byCommune[c] ?? []) {
              const need = hNeed[i] ?? 0;
              const stages = [hApproved[i] ?? -1, hStarted[i] ?? -1, hCompleted[i] ?? -1, hHanded[i] ?? -1];
              for (const [s, reached] of stages.entries()) {
                if (reached >= 0 && reached <= endDay) {
                  counts[s * 2 + need] = (counts[s * 2 + need] ?? 0) + 1;
                }
              }
            }
            await reports.add(
              newId('Report'),
              `BC-${period.code.replace('-', '')}-${commune.code}-${revision}`,
              period.id,
              commune.id,
              commune.officer,
              revision,
              ...counts,
              BigInt(ledger.heldThrough(c, endDay)),
              BigInt(ledger.paidThrough(c, endDay)),
              int(rr, 0, 400),
              rr() < 0.2 ? 'Giá vật liệu tăng, một số hộ chưa đối ứng đủ phần kinh phí' : '',
              rr() < 0.1 ? 'Đề nghị cấp trên hỗ trợ thêm kinh phí cho hộ đặc biệt khó khăn' : '',
              '[]',
              day >= dueDay,
              commune.officerChannel,
              when,
            );
          } else {
            const prefix = period.kind === 'final' ? 'BCTK' : `BCQ-${period.code.replace('-', '')}`;
            await narratives.add(
              newId('NarrativeReport'),
              `${prefix}-${commune.code}-${revision}`,
              period.id,
              commune.id,
              commune.officer,
              revision,
              JSON.stringify({
                achievements: 'Hoàn thành phần lớn số nhà theo kế hoạch; các hộ đã vào ở.',
                obstacles: rr() < 0.3 ? 'Mưa lũ làm chậm tiến độ ở một số thôn.' : '',
                proposals: rr() < 0.2 ? 'Đề nghị bổ sung kinh phí hỗ trợ.' : '',
              }),
              day >= dueDay,
              commune.officerChannel,
              when,
            );
          }
        }
      }
    }
    await reports.flush();
    await narratives.flush();
    log(`reports: ${reports.count} monthly, ${narratives.count} quarterly, six-monthly and final`);

    // -- Reminders of the last days ------------------------------------------------------------
    const ro = stream(seed, 7);
    const outbox = new Inserter(
      tx,
      'Outbox',
      'id channel chatId payload idempotencyKey status attempts nextAttemptAt sentAt lastError createdAt purpose personId',
    );
    if (latestMonthly) {
      const dueDay = dayOf(latestMonthly.dueOn);
      const send = async (personId: number, purpose: string, day: number, text: string, key: string) => {
        const chat = personChannel.get(personId);
        if (!chat || day > lastDay) {
          return;
        }
        const u = ro();
        const status = u < 0.9 ? 'sent' : u < 0.96 ? 'failed' : 'held';
        const when = during(day, ro);
        await outbox.add(
          newId('Outbox'),
          chat.channel,
          chat.chatId,
          JSON.stringify({ text }),
          key,
          status,
          1,
          when,
          status === 'sent' ? new Date(when.getTime() + 2_000) : null,
          status === 'failed'
            ? '403: Forbidden: bot was blocked by the user'
            : status === 'held'
              ? 'Zalo: ngoài thời hạn 48 giờ tương tác'
              : null,
          when,
          purpose,
          personId,
        );
      };
      for (const [c, commune] of communes.entries()) {
        const reported = lateFor.get(c) ?? dueDay;
        for (const offset of [-3, -1, 1, 3]) {
          const day = dueDay + offset;
          if (reported > day) {
            await send(
              commune.officer,
              'reminder',
              day,
              `Nhắc báo cáo ${latestMonthly.label} của ${commune.name} (hạn ${latestMonthly.dueOn}).`,
              `reminder:${latestMonthly.id}:${commune.id}:${commune.officer}:${isoDay(day)}`,
            );
            if (offset === 3) {
              const leader = at(provinces, commune.province).leader;
              await send(
                leader,
                'escalation',
                day,
                `${commune.name} chưa gửi báo cáo ${latestMonthly.label}.`,
                `escalation:${latestMonthly.id}:${commune.id}:${leader}:${isoDay(day)}`,
              );
            }
          }
        }
      }
    }
    await outbox.flush();

    // -- Leadership groups ---------------------------------------------------------------------
    const groups = new Inserter(
      tx,
      'LeadershipGroup',
      'id channel chatId title unitId status requestedBy requestedAt confirmedBy confirmedAt',
    );
    const groupAt = new Date((startDay + 5) * DAY_MS + 2 * HOUR_MS);
    await groups.add(
      newId('LeadershipGroup'),
      'telegram',
      `-100${pad(nation.id, 10)}`,
      'Ban Chỉ đạo Trung ương – xóa nhà tạm',
      nation.id,
      'active',
      nationLeader,
      groupAt,
      nationAdmin,
      groupAt,
    );
    for (const province of provinces) {
      await groups.add(
        newId('LeadershipGroup'),
        'telegram',
        `-100${pad(province.id, 10)}`,
        `Ban Chỉ đạo ${province.name}`,
        province.id,
        'active',
        province.leader,
        groupAt,
        province.admin,
        groupAt,
      );
    }
    await groups.flush();

    const counts: NationalCounts = {
      units: units.count,
      provinces: provinces.length,
      communes: communes.length,
      organisations: centralOrgs.length + provinces.length * ORGANISATIONS.length,
      periods: periods.length,
      households: households.count,
      householdEvents: events.count,
      pledges: pledgeInserter.count,
      fundEntries: ledger.count,
      people: persons.count,
      memberships: memberships.count,
      identities: identities.count,
      reports: reports.count,
      narrativeReports: narratives.count,
      outbox: outbox.count,
      groups: groups.count,
    };
    const set: NationalDataSet = { campaignId, nationId: nation.id, scale, seed, counts };
    await tx.kysely
      .insertInto('AuditLog')
      .values({
        id: newId('AuditLog'),
        at: new Date(),
        action: MARKER_ACTION,
        entity: 'Campaign',
        entityId: String(campaignId),
        after: JSON.stringify(set),
      })
      .execute();
    if (db.dialect === 'postgres') {
      // Explicit ids do not move PostgreSQL's sequences: the next row the bot inserts must follow on.
      for (const table of TABLES) {
        await sql`SELECT setval(pg_get_serial_sequence(${`"${table}"`}, 'id'), GREATEST((SELECT MAX(id) FROM ${sql.table(table)}), 1))`.execute(
          tx.kysely,
        );
      }
    }
    return set;
  });

  // Planner statistics: the aggregates choose their indexes by them.
  if (db.dialect === 'postgres') {
    await db.exec(`VACUUM ANALYZE ${TABLES.map((t) => `"${t}"`).join(', ')}`);
  } else {
    await db.exec('ANALYZE');
  }
  log('statistics analysed: done');
  return result;
}

// ---------------------------------------------------------------------------------------------
// The ledger

interface LedgerInput {
  seed: number;
  target: number;
  campaignId: number;
  newId: () => number;
  startDay: number;
  lastDay: number;
  nation: UnitRow;
  provinces: Province[];
  communes: Commune[];
  pledges: {
    id: number;
    level: number;
    kind: 'money' | 'materials' | 'labour';
    amount: number;
    created: number;
    due: number | null;
    cancelled: boolean;
  }[];
  households: {
    id: Int32Array;
    commune: Int32Array;
    need: Uint8Array;
    status: Uint8Array;
    approved: Int32Array;
    started: Int32Array;
    completed: Int32Array;
    handed: Int32Array;
  };
  fundOfficers: { nation: number };
  log: (line: string) => void;
  progress: ProgressReporter | undefined;
}

// What happens on a day, in this order: money comes in, then it is allocated, then paid out.
const RECEIPT = 0;
const IN_KIND = 1;
const ALLOCATION = 2;
const DISBURSEMENT = 3;
const FILLER = 4;

interface Planned {
  type: number;
  /** Pledge index (receipts), household index (allocations, disbursements), level id (fillers). */
  ref: number;
  amount: number;
  /** Receipts: beyond what the pledge owed. Allocations: above the norm. Others: the last tranche. */
  flag: boolean;
  /** Typed wrong first: recorded, reversed with a reason, then recorded right. */
  wrong: boolean;
  /** Allocations: the fund level (a commune's or its province's). */
  level: number;
}

/**
 * Plans the ledger's events by day and plays them through, keeping each level's balance and each
 * household's allocation, so every entry would pass `check` (core/funds/ledger.ts) in id order:
 * an allocation the level cannot pay for is preceded by a transfer from the province (and the
 * province's by one from the centre) or, failing those, by a receipt collected locally. Wrong
 * entries are reversed at once, before the money could be used. Receipts without a pledge
 * ("hòm ủng hộ") fill the ledger up to the target number of rows.
 */
async function writeLedger(db: SqlDb, input: LedgerInput) {
  const { startDay, lastDay, nation, provinces, communes, pledges, households: hh } = input;
  const days = lastDay - startDay + 1;
  const H = hh.id.length;
  const provinceOf = new Map<number, Province>();
  const communeIndex = new Map<number, number>();
  for (const p of provinces) {
    provinceOf.set(p.id, p);
  }
  for (const [i, c] of communes.entries()) {
    provinceOf.set(c.id, at(provinces, c.province));
    communeIndex.set(c.id, i);
  }
  const officerOf = (level: number): number | null => {
    if (level === nation.id) {
      return input.fundOfficers.nation;
    }
    const ci = communeIndex.get(level);
    if (ci !== undefined) {
      const c = at(communes, ci);
      return c.fundOfficer ?? c.officer;
    }
    return provinceOf.get(level)?.fundOfficer ?? null;
  };

  /** The plan is the same whatever the number of filler receipts (their own random stream). */
  function plan(fillers: number): Planned[][] {
    const rl = stream(input.seed, 5);
    const byDay: Planned[][] = Array.from({ length: days }, () => []);
    const put = (day: number, p: Planned) => {
      if (day >= startDay && day <= lastDay) {
        byDay[day - startDay]?.push(p);
      }
    };
    for (const [i, pledge] of pledges.entries()) {
      if (pledge.cancelled) {
        continue;
      }
      const first = pledge.created + 1;
      const until = Math.min(lastDay, (pledge.due ?? pledge.created + 90) + 20);
      if (until < first) {
        continue;
      }
      const when = () => int(rl, first, until);
      if (pledge.kind !== 'money') {
        if (rl() < 0.7) {
          put(when(), { type: IN_KIND, ref: i, amount: pledge.amount, flag: false, wrong: false, level: 0 });
        }
        continue;
      }
      const u = rl();
      const share = u < 0.15 ? 0 : u < 0.4 ? 0.2 + rl() * 0.6 : 1;
      const total = Math.round((pledge.amount * share) / 100_000) * 100_000;
      const parts = total <= 0 ? 0 : int(rl, 1, 3);
      const dates = Array.from({ length: parts }, when).sort((a, b) => a - b);
      let left = total;
      for (const [k, day] of dates.entries()) {
        const amount =
          k === parts - 1
            ? left
            : Math.max(100_000, Math.round((left * (0.3 + rl() * 0.4)) / 100_000) * 100_000);
        if (amount <= 0 || amount > left) {
          break;
        }
        left -= amount;
        put(day, { type: RECEIPT, ref: i, amount, flag: false, wrong: rl() < 0.007, level: 0 });
      }
      if (share === 1 && rl() < 0.01) {
        const extra = Math.max(100_000, Math.round(pledge.amount / 10 / 100_000) * 100_000);
        put(Math.min(lastDay, (dates.at(-1) ?? first) + 1), {
          type: RECEIPT,
          ref: i,
          amount: extra,
          flag: true,
          wrong: false,
          level: 0,
        });
      }
    }
    for (let i = 0; i < H; i++) {
      const approved = hh.approved[i] ?? -1;
      const status = hh.status[i] ?? 0;
      if (approved < 0 || status === S.withdrawn || rl() > 0.9) {
        continue;
      }
      const need = (hh.need[i] ?? 0) === 0 ? 'new_build' : 'repair';
      const norm = NORM[need];
      const over = rl() < 0.003;
      const amount = over
        ? norm + int(rl, 5, 15) * 1_000_000
        : Math.round((norm * (0.6 + rl() * 0.4)) / 1_000_000) * 1_000_000;
      const commune = at(communes, hh.commune[i] ?? 0);
      const level = rl() < 0.85 ? commune.id : at(provinces, commune.province).id;
      const allocDay = approved + int(rl, 2, 20);
      if (allocDay > lastDay) {
        continue;
      }
      put(allocDay, { type: ALLOCATION, ref: i, amount, flag: over, wrong: rl() < 0.002, level });
      // Paid in two tranches: 60% when building starts, the rest when it is completed.
      const startedDay = hh.started[i] ?? -1;
      const completedDay = hh.completed[i] ?? -1;
      if (startedDay < 0) {
        continue;
      }
      const first = Math.round((amount * 0.6) / 100_000) * 100_000;
      const d1 = Math.max(allocDay + 1, startedDay + int(rl, 1, 10));
      put(d1, { type: DISBURSEMENT, ref: i, amount: first, flag: false, wrong: rl() < 0.005, level });
      if (completedDay >= 0) {
        const d2 = Math.max(d1 + 1, completedDay + int(rl, 1, 10));
        put(d2, {
          type: DISBURSEMENT,
          ref: i,
          amount: amount - first,
          flag: true,
          wrong: rl() < 0.005,
          level,
        });
      }
    }
    const rf = stream(input.seed, 8);
    for (let k = 0; k < fillers; k++) {
      const commune = at(communes, pickIndex(rf, communes.length));
      const u = rf();
      const level = u < 0.8 ? commune.id : u < 0.95 ? at(provinces, commune.province).id : nation.id;
      put(startDay + Math.floor(rf() * days), {
        type: FILLER,
        ref: level,
        amount: money(rf, 200_000, 20_000_000),
        flag: false,
        wrong: false,
        level,
      });
    }
    for (const list of byDay) {
      list.sort((a, b) => (a.type === FILLER ? RECEIPT : a.type) - (b.type === FILLER ? RECEIPT : b.type));
    }
    return byDay;
  }

  /** Plays the plan; with `write`, inserts the rows. Returns the number of entries. */
  async function play(byDay: Planned[][], write: boolean) {
    const rows = write
      ? new Inserter(
          db,
          'FundEntry',
          'id campaignId kind levelUnitId toUnitId amount pledgeId householdId need overrideReason overpayment reversesId reason documentRef note occurredOn personId channel createdAt',
        ).showingProgress(input.progress)
      : undefined;
    const rt = stream(input.seed, 9);
    const balance = new Map<number, number>();
    const allocated = new Int32Array(H).fill(-1); // the live allocation's level
    const unpaid = new Float64Array(H);
    const paid = new Float64Array(communes.length * days);
    const held = new Float64Array(communes.length * days);
    let count = 0;
    let receivedTotal = 0;
    let day = startDay;

    const entry = async (
      kind: string,
      level: number,
      amount: number,
      more: {
        to?: number;
        pledge?: number;
        household?: number;
        need?: string;
        override?: string;
        overpayment?: boolean;
        reverses?: number;
        reason?: string;
        note?: string;
      } = {},
    ): Promise<number> => {
      count++;
      if (!rows) {
        return 0;
      }
      const id = input.newId();
      const person = officerOf(level);
      const when = during(day, rt);
      await rows.add(
        id,
        input.campaignId,
        kind,
        level,
        more.to ?? null,
        BigInt(amount),
        more.pledge ?? null,
        more.household ?? null,
        more.need ?? null,
        more.override ?? null,
        more.overpayment ?? false,
        more.reverses ?? null,
        more.reason ?? null,
        kind === 'reversal'
          ? null
          : `${kind === 'receipt' || kind === 'in_kind' ? 'PT' : 'PC'}-${pad(id, 7)}`,
        more.note ?? null,
        isoDay(day),
        person,
        rt() < 0.6 ? 'telegram' : 'zalo',
        when,
      );
      return id;
    };
    const credit = (level: number, amount: number) => {
      balance.set(level, (balance.get(level) ?? 0) + amount);
      const ci = communeIndex.get(level);
      if (ci !== undefined) {
        bump(held, ci * days + (day - startDay), amount);
      }
    };
    const transfer = async (from: number, to: number, amount: number) => {
      balance.set(from, (balance.get(from) ?? 0) - amount);
      credit(to, amount);
      await entry('transfer', from, amount, { to, note: 'Điều chuyển kinh phí hỗ trợ làm nhà' });
    };
    /** Makes `level` hold at least `amount`: from the province, the centre, or a local collection. */
    const fund = async (level: number, amount: number) => {
      const short = amount - (balance.get(level) ?? 0);
      if (short <= 0) {
        return;
      }
      const province = provinceOf.get(level);
      if (level !== nation.id && province && province.id !== level) {
        const chunk = Math.max(short, Math.min(balance.get(province.id) ?? 0, 800_000_000));
        if ((balance.get(province.id) ?? 0) < chunk) {
          await pull(province.id, chunk);
        }
        if ((balance.get(province.id) ?? 0) >= chunk) {
          await transfer(province.id, level, chunk);
          return;
        }
      } else if (level !== nation.id) {
        await pull(level, short);
        if ((balance.get(level) ?? 0) >= amount) {
          return;
        }
      }
      const need = amount - (balance.get(level) ?? 0);
      // A collection day brings in more than this one house needs.
      const step = level === nation.id || provinceOf.get(level)?.id === level ? 1_000_000_000 : 50_000_000;
      const collected = Math.ceil(need / step) * step + step;
      credit(level, collected);
      receivedTotal += collected;
      await entry('receipt', level, collected, { note: 'Các tổ chức, cá nhân ủng hộ tại địa phương' });
    };
    /** A province takes money from the centre when the centre has it. */
    const pull = async (provinceId: number, amount: number) => {
      const short = amount - (balance.get(provinceId) ?? 0);
      const central = balance.get(nation.id) ?? 0;
      if (short > 0 && central > 0) {
        await transfer(
          nation.id,
          provinceId,
          Math.min(central, Math.max(short, Math.min(central, 20_000_000_000))),
        );
      }
    };

    for (const list of byDay) {
      for (const p of list) {
        if (p.type === RECEIPT || p.type === IN_KIND || p.type === FILLER) {
          const pledge = p.type === FILLER ? undefined : at(pledges, p.ref);
          const level = pledge ? pledge.level : p.level;
          const kind = p.type === IN_KIND ? 'in_kind' : 'receipt';
          const more = pledge
            ? { pledge: pledge.id, overpayment: p.flag }
            : { note: 'Hòm ủng hộ "Vì người nghèo"' };
          if (p.wrong) {
            const wrong = await entry(kind, level, p.amount * 10, more);
            await entry('reversal', level, p.amount * 10, {
              ...more,
              reverses: wrong,
              reason: 'Nhập nhầm số tiền (thừa một chữ số 0)',
            });
          }
          await entry(kind, level, p.amount, more);
          if (kind === 'receipt') {
            credit(level, p.amount);
            receivedTotal += p.amount;
          }
          continue;
        }
        const i = p.ref;
        const householdId = hh.id[i] ?? 0;
        const need = (hh.need[i] ?? 0) === 0 ? 'new_build' : 'repair';
        const ci = hh.commune[i] ?? 0;
        if (p.type === ALLOCATION) {
          await fund(p.level, p.amount + (p.wrong ? p.amount : 0));
          const override = p.flag
            ? 'Hộ đặc biệt khó khăn, nhà ở vùng lũ: Ban Thường trực đồng ý vượt định mức'
            : undefined;
          if (p.wrong) {
            const wrongAmount = Math.max(1_000_000, p.amount - 5_000_000);
            const wrong = await entry('allocation', p.level, wrongAmount, {
              household: householdId,
              need,
              override,
            });
            await entry('reversal', p.level, wrongAmount, {
              household: householdId,
              need,
              reverses: wrong,
              reason: 'Phân bổ sai số tiền, lập lại',
            });
          }
          balance.set(p.level, (balance.get(p.level) ?? 0) - p.amount);
          allocated[i] = p.level;
          unpaid[i] = p.amount;
          await entry('allocation', p.level, p.amount, { household: householdId, need, override });
          continue;
        }
        // A disbursement, against the household's allocation.
        if (allocated[i] !== p.level) {
          continue;
        }
        const amount = p.flag ? (unpaid[i] ?? 0) : Math.min(p.amount, unpaid[i] ?? 0);
        if (amount <= 0) {
          continue;
        }
        if (p.wrong && amount > 100_000) {
          const wrongAmount = amount - 100_000 * int(rt, 1, Math.min(9, amount / 100_000 - 1));
          const wrong = await entry('disbursement', p.level, wrongAmount, { household: householdId, need });
          await entry('reversal', p.level, wrongAmount, {
            household: householdId,
            need,
            reverses: wrong,
            reason: 'Chi nhầm số tiền, lập lại phiếu chi',
          });
        }
        unpaid[i] = (unpaid[i] ?? 0) - amount;
        bump(paid, ci * days + (day - startDay), amount);
        if (p.level !== at(communes, ci).id) {
          // Paid by a higher level straight to the household: the commune counts it as received.
          bump(held, ci * days + (day - startDay), amount);
        }
        await entry('disbursement', p.level, amount, { household: householdId, need });
      }
      day++;
    }
    await rows?.flush();
    return { count, paid, held, receivedTotal };
  }

  // Count without the fillers, then adjust their number until the ledger has the target size
  // (more money in the funds means fewer transfers and local collections, so it takes a few rounds).
  let fillers = Math.max(0, input.target - (await play(plan(0), false)).count);
  for (let round = 0; round < 8; round++) {
    const count = (await play(plan(fillers), false)).count;
    input.log(`fund ledger: ${fillers} collection-box receipts make ${count} entries`);
    if (count === input.target) {
      break;
    }
    fillers = Math.max(0, fillers + input.target - count);
  }
  const played = await play(plan(fillers), true);

  const cumulative = (series: Float64Array) => {
    const out = new Float64Array(series.length);
    for (let c = 0; c < communes.length; c++) {
      let sum = 0;
      for (let d = 0; d < days; d++) {
        sum += series[c * days + d] ?? 0;
        out[c * days + d] = sum;
      }
    }
    return out;
  };
  const paidUpTo = cumulative(played.paid);
  const heldUpTo = cumulative(played.held);
  const through = (series: Float64Array, commune: number, day: number) =>
    day < startDay ? 0 : (series[commune * days + Math.min(days - 1, day - startDay)] ?? 0);
  return {
    count: played.count,
    /** Paid to the commune's households up to the day (what its monthly report states). */
    paidThrough: (commune: number, day: number) => through(paidUpTo, commune, day),
    /** Received by the commune up to the day: at its own fund, transferred in, paid to its households from above. */
    heldThrough: (commune: number, day: number) => through(heldUpTo, commune, day),
  };
}

// ---------------------------------------------------------------------------------------------
// The command line

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const url = argValue(args, '--url') ?? process.env.DATABASE_URL ?? 'file:./data/national.db';
  const scale = Number(argValue(args, '--scale') ?? '1');
  const seed = Number(argValue(args, '--seed') ?? '1');
  const db = openSqlDb(url);
  // One updating line on a terminal, plain lines in a log file; cleared before each stage's line.
  const progress = createProgressLine(process.stderr);
  const log = (line: string) => {
    progress.clear();
    console.log(line);
  };
  try {
    await applyMigrations(db);
    const found = await findNational(db);
    if (found) {
      console.log(`${url} already holds the national data set (scale ${found.scale}):`);
      console.table(found.counts);
      return;
    }
    const started = performance.now();
    const set = await generateNational(db, { scale, seed, log, progress: progress.report });
    progress.end();
    console.table(set.counts);
    console.log(`Generated in ${((performance.now() - started) / 1000).toFixed(1)} s into ${url}`);
  } finally {
    progress.end();
    await db.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  });
}
