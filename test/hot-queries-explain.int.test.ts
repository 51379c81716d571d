import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDigest } from '../core/digests/digest.ts';
import { createInboundHandler } from '../core/inbound/handle-inbound.ts';
import type { Inbound } from '../core/messaging/message.ts';
import { runReminders } from '../core/reminders/run-reminders.ts';
import { createFixedClock } from '../core/shared/clock.ts';
import type { Dialect, SqlDb } from '../prisma/sql-db.ts';
import { createStore } from '../prisma/store.ts';
import { ANSWERS, OFFICER_UNIT, REPORT_CLOCK_AT, seedOfficers } from '../scripts/bench-inbound.ts';
import { migratedDb } from './support/app-harness.ts';
import { queryRecorder, type RecordedQuery } from './support/query-recorder.ts';

/**
 * Issue 19 §3: an answer's cost must not grow with the data, so every hot query reads its rows
 * through an index. The statements are the ones the repositories really send (recorded under the
 * repository call that sent them: a report conversation through the core's inbound handler, the
 * dispatcher, the donors' pledges, household search, feedback, the digest and the reminder
 * planner), then EXPLAINed on this database with their own parameters, after the big tables were
 * filled with a few thousand rows (PostgreSQL: analysed, and run with `enable_seqscan = off`, so a
 * sequential scan left means no usable index).
 *
 * A table read counts as a scan when it reads the whole table or a whole index (SQLite `SCAN t`,
 * with or without `USING INDEX`; PostgreSQL `Seq Scan`, or an index scan that does not constrain
 * the index's first column), or only narrows it to the campaign (one campaign is the whole table
 * in a deployment). Each scan must be allowed below by query and table, with the reason; an
 * allowance no longer needed fails too, so the list stays true. The statements a PostgreSQL
 * function runs inside (chat_turn_commit) are not seen here: only the call is.
 *
 * HOT_QUERIES_PRINT=1 prints every statement with the tables it reads and the index of each.
 */

const NOW = new Date(REPORT_CLOCK_AT);

/** Rows added to each big table before EXPLAIN (enough for PostgreSQL's planner to pick an index). */
const ROWS = 3_000;

/** Tables small by nature: a scan of them costs the same at any scale. */
const SMALL_TABLES: Record<string, string> = {
  Campaign: 'a deployment runs a handful of campaigns',
  ReminderPause: 'a pause is set by hand for one officer and period; a few per campaign',
  ReportingPeriod: "a campaign's weeks, months, quarters and halves: about a hundred rows",
};

/**
 * Scans of big tables allowed, by `query table` (on one database only with `on`): why each does not
 * grow an answer's cost.
 */
const ALLOWED_SCANS: Record<string, { why: string; on?: Dialect }> = {
  // The reminder planner plans for every ward, officer and pledge at once, once per run (not per
  // answer); the digest of an area covers every unit under it. They read every row these return
  // (the test puts all its wards under one city), which an index would not make fewer.
  'units.listByKinds Unit': {
    on: 'postgres',
    // The digest's levels above wards are a search of Unit_kind_idx; SQLite reads the wards so too.
    why: 'planner: every ward and commune (nearly all units), read in code order off Unit_code_idx',
  },
  'units.listAllDated Unit': { why: 'planner: every unit with its dates, to follow mergers' },
  'units.successions UnitSuccession': { why: 'planner and digest: every merger, to follow successors' },
  'units.listDescendantsDated Unit': { on: 'postgres', why: 'digest: every unit under the area' },
  'reminders.members Membership': { why: 'planner: every live officer, leader and admin' },
  'reminders.members Person': { on: 'postgres', why: 'planner: every live officer, with their person' },
  'reminders.members ChannelIdentity': {
    on: 'postgres',
    why: 'planner: every live officer, with their chats',
  },
  'reminders.submitted Report': { on: 'postgres', why: "planner: every report of the campaign's periods" },
  'reminders.submitted NarrativeReport': {
    on: 'postgres',
    why: "planner: every report of the campaign's periods",
  },
  'pledges.listByCampaign Pledge': { why: 'planner: every pledge of the campaign, to remind those due' },
  'pledges.listByCampaign Unit': { on: 'postgres', why: 'planner: the fund levels of every pledge' },
  'pledges.listByCampaign Household': { on: 'postgres', why: 'planner: the households of every pledge' },
  // The next reference is the last id plus one: one row off the end of the rowid b-tree.
  'pledges.create Pledge': { on: 'sqlite', why: 'ORDER BY id DESC LIMIT 1 reads the last row' },
  'feedback.create Feedback': { on: 'sqlite', why: 'ORDER BY id DESC LIMIT 1 reads the last row' },
};

/** The hot queries that must be among those recorded (so a change of path cannot empty the test). */
const HOT = [
  // Every report answer.
  'inbound.markSeen',
  'outbox.releaseHeld',
  'people.findActor',
  'people.touchIdentity',
  'flows.find',
  'flows.save',
  'flows.delete',
  'outbox.enqueue',
  // The start of a report.
  'campaigns.covering',
  'reports.reportedPeriodIds',
  'campaigns.listPeriods',
  'reports.findLatestBefore',
  'households.statusCountsAsOf',
  'funds.unitMoney',
  // Its submission.
  'people.currentActor',
  'campaigns.findById',
  'reports.lastRevision',
  'reports.create',
  'outbox.cancelPending',
  'audit.record',
  // The outbox dispatcher.
  'dispatcher.claim',
  'dispatcher.markSent',
  // Donors (/ungho).
  'pledges.create',
  'pledges.findById',
  'pledges.findByRef',
  'pledges.listByPerson',
  'pledges.countSince',
  // Households of a unit.
  'households.search',
  'households.findByCode',
  'households.listByStatus',
  // Feedback.
  'feedback.create',
  'feedback.findByRef',
  'feedback.countByChatSince',
  // The digest's aggregates and the reminder planner.
  'households.countsByUnit',
  'households.statusChangesSince',
  'funds.rollupFigures',
  'reminders.members',
  'reminders.bulkSince',
  'reminders.submitted',
];

/** One table read in a plan. */
interface Read {
  table: string;
  /** The index it reads through (the primary key included), if any. */
  index?: string;
  /** Narrowed to a few rows by an index, or a scan of the table, of a whole index or of a campaign. */
  how: 'search' | 'scan' | 'full index' | 'campaign';
  /** The plan's own words for it. */
  line: string;
}

interface Explained {
  label: string;
  sql: string;
  reads: Read[];
  /** PostgreSQL: the unique index an INSERT … ON CONFLICT checks. */
  arbiters: string[];
}

describe('hot queries read through indexes', () => {
  let db: SqlDb;
  let close: () => Promise<void>;
  let explained: Explained[] = [];

  beforeAll(async () => {
    ({ db, close } = await migratedDb());
    const rec = queryRecorder();
    await runHotPaths(db, rec);
    await fill(db);
    const catalog = await catalogOf(db);
    const seen = new Set<string>();
    explained = [];
    for (const q of rec.recorded) {
      const key = `${q.label}\n${q.sql}`;
      if (!seen.has(key)) {
        seen.add(key);
        explained.push(await explain(db, q, catalog));
      }
    }
    if (process.env.HOT_QUERIES_PRINT === '1') {
      console.log(explained.map(describeQuery).join('\n'));
    }
  });
  afterAll(() => close());

  it('records every hot query', () => {
    const labels = new Set(explained.map((e) => e.label));
    expect(HOT.filter((label) => !labels.has(label))).toEqual([]);
  });

  it('reads no big table whole (or only narrowed to the campaign)', () => {
    const offending = explained.flatMap((e) =>
      e.reads
        .filter(
          (r) => r.how !== 'search' && !(r.table in SMALL_TABLES) && !allowed(db, `${e.label} ${r.table}`),
        )
        .map(
          (r) =>
            `${e.label}: ${r.how} of ${r.table} — ${r.line}\n    ${e.sql.replace(/\s+/g, ' ').slice(0, 300)}`,
        ),
    );
    expect(offending, offending.join('\n')).toEqual([]);
  });

  it('allows only scans that still happen', () => {
    const scanned = new Set(
      explained.flatMap((e) => e.reads.filter((r) => r.how !== 'search').map((r) => `${e.label} ${r.table}`)),
    );
    expect(Object.keys(ALLOWED_SCANS).filter((key) => allowed(db, key) && !scanned.has(key))).toEqual([]);
  });
});

function allowed(db: SqlDb, key: string): boolean {
  const allowance = ALLOWED_SCANS[key];
  return allowance !== undefined && (allowance.on === undefined || allowance.on === db.dialect);
}

/** The bot's hot paths on `db`, each statement recorded under the repository call that sent it. */
async function runHotPaths(db: SqlDb, rec: ReturnType<typeof queryRecorder>): Promise<void> {
  const [officer = 0, other = 0, third = 0] = await seedOfficers(db, 3, NOW);
  const store = createStore(rec.recording(db));
  const handler = (chatTurns: boolean) =>
    createInboundHandler({
      uow: rec.labelledUow(store, { chatTurns }),
      clock: createFixedClock(REPORT_CLOCK_AT),
      flowTtlMs: 86_400_000,
      timeZone: 'Asia/Ho_Chi_Minh',
    });
  let update = 1;
  const say = (handle: ReturnType<typeof handler>, userId: number, text: string) => {
    const command = text.startsWith('/') ? text.slice(1) : undefined;
    const inbound: Inbound = {
      channel: 'telegram',
      chatId: String(userId),
      chatType: 'private',
      senderId: String(userId),
      externalId: String(update++),
      kind: command ? 'command' : 'text',
      text,
      ...(command ? { command, args: '' } : {}),
      receivedAt: NOW,
    };
    return handle(inbound);
  };
  // A whole monthly report as the store runs it (PostgreSQL: in chat turns where it can), the same
  // in full transactions (what a chat turn falls back to), and one begun (its state stays).
  for (const [handle, userId] of [
    [handler(true), officer],
    [handler(false), other],
  ] as const) {
    for (const text of ['/baocao', ...ANSWERS]) {
      await say(handle, userId, text);
    }
  }
  await say(handler(true), third, '/baocao');
  const [sent] = await rec.as('dispatcher.claim', () =>
    store.outbox.claim(NOW, 50, new Date(NOW.getTime() - 60_000)),
  );
  await rec.as('dispatcher.markSent', () => store.outbox.markSent(sent?.id ?? 0, NOW));

  const ward = await db.kysely
    .selectFrom('Unit')
    .select(['id', 'parentId'])
    .where('code', '=', OFFICER_UNIT)
    .executeTakeFirstOrThrow();
  const campaign = await db.kysely
    .selectFrom('Campaign')
    .select('id')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  const person = await db.kysely.selectFrom('Person').select('id').orderBy('id').executeTakeFirstOrThrow();
  const household = await db.kysely
    .selectFrom('Household')
    .select(['code', 'headNameKey'])
    .where('unitId', '=', ward.id)
    .orderBy('id')
    .executeTakeFirstOrThrow();
  await store.run(async (untracked) => {
    const tx = rec.labelled(untracked);
    // Donors: a pledge registered, then looked up as /ungho and the receipts do.
    const pledge = await tx.pledges.create(
      {
        campaignId: campaign.id,
        donorKind: 'individual',
        donorName: 'Nhà hảo tâm',
        donorPhone: null,
        personId: person.id,
        orgUnitId: null,
        fundUnitId: ward.id,
        kind: 'money',
        description: null,
        quantity: null,
        quantityUnit: null,
        amount: 1_000_000n,
        householdId: null,
        targetUnitId: null,
        dueOn: null,
        publicName: true,
        channel: 'telegram',
      },
      NOW,
    );
    await tx.pledges.findById(pledge.id);
    await tx.pledges.findByRef(pledge.ref);
    await tx.pledges.listByPerson(person.id);
    await tx.pledges.countSince({ personId: person.id }, NOW);
    await tx.pledges.countSince({ anonymous: true }, NOW);
    // Households of a ward: by code, by name, by status.
    await tx.households.search([ward.id], household.code, 8);
    await tx.households.search([ward.id], household.headNameKey, 8);
    await tx.households.findByCode(campaign.id, household.code);
    await tx.households.listByStatus([ward.id], 'proposed', 8);
    // Feedback, and looking one up by its reference.
    const feedback = await tx.feedback.create(
      {
        channel: 'telegram',
        chatId: String(third),
        personId: null,
        name: null,
        unitId: ward.id,
        topic: 'other',
        text: 'Góp ý',
        photos: [],
      },
      NOW,
    );
    await tx.feedback.findByRef(feedback.ref);
    await tx.feedback.countByChatSince('telegram', String(third), NOW);
    // The digest of the city and of the ward; the reminder planner.
    await buildDigest(tx, { areaUnitId: ward.parentId ?? ward.id, kind: 'weekly', now: NOW });
    await buildDigest(tx, { areaUnitId: ward.id, kind: 'deadline', now: NOW });
    await runReminders(tx, NOW, { dryRun: true });
  });
}

/**
 * Adds `ROWS` rows to each big table, each a copy of a row the seed or the hot paths wrote with its
 * keys made new and spread over as many wards, people and chats (so no index looks useless to the
 * planner). Copying keeps every other column valid on both databases without listing its values.
 */
async function fill(db: SqlDb): Promise<void> {
  const n = ROWS;
  // The first id of the rows copied (each copy is one INSERT, its ids in turn).
  const first = async (table: string, column: string, like: string) => {
    const r = await sql<{
      id: number;
    }>`SELECT min(id) AS id FROM ${sql.table(table)} WHERE ${sql.ref(column)} LIKE ${like}`.execute(
      db.kysely,
    );
    return Number(r.rows[0]?.id);
  };
  const columns = await columnsOf(db);
  // A copy of the first row of `table` for i = 1..n, the columns of `set` given by SQL over i.
  const copy = async (table: string, set: Record<string, string>) => {
    const all = columns.get(table) ?? [];
    const cols = all.filter((c) => c !== 'id');
    const values = cols.map((c) => set[c] ?? `t."${c}"`);
    await db.exec(`
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${n})
      INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(', ')})
      SELECT ${values.join(', ')} FROM n CROSS JOIN (SELECT * FROM "${table}"${all.includes('id') ? ' ORDER BY id' : ''} LIMIT 1) t`);
  };
  const text = (expr: string) => (db.dialect === 'postgres' ? `(${expr})::text` : `(${expr})`);
  // Wards: nearly all of a deployment's units.
  await copy('Unit', { code: `'F' || n.i`, name: `'Phường ' || n.i`, kind: `'ward'` });
  const ward = await first('Unit', 'code', 'F%');
  const wardOf = `${ward} + n.i % ${n}`;
  await copy('Person', { fullName: `'Người ' || n.i` });
  const person = await first('Person', 'fullName', 'Người %');
  const personOf = `${person} + n.i % ${n}`;
  await copy('Membership', {
    personId: `${person} + n.i - 1`,
    unitId: `${ward} + n.i - 1`,
    role: `'unit_officer'`,
  });
  await copy('ChannelIdentity', { externalUserId: text(`'9' || n.i`), personId: `${person} + n.i - 1` });
  await copy('FlowState', { chatId: text(`'9' || n.i`) });
  await copy('InboundSeen', { externalId: text(`'x' || n.i`) });
  await copy('Outbox', {
    chatId: text(`'9' || (n.i % ${n})`),
    idempotencyKey: text(`'k' || n.i`),
    status: `'sent'`,
    personId: personOf,
  });
  await copy('Report', {
    ref: text(`'R' || n.i`),
    unitId: `${ward} + n.i - 1`,
    revision: '1',
    personId: personOf,
  });
  await copy('AuditLog', { entityId: text('n.i') });
  await copy('Household', {
    code: text(`'H' || n.i`),
    unitId: wardOf,
    headName: `'Hộ ' || n.i`,
    headNameKey: text(`'ho ' || n.i`),
  });
  const household = await first('Household', 'code', 'H%');
  // Status changes long past: the weekly digest's "changed since" finds few.
  await copy('HouseholdEvent', {
    householdId: `${household} + n.i - 1`,
    at: `'2024-01-01T00:00:00.000+00:00'`,
  });
  await copy('Pledge', { ref: text(`'UH-9' || n.i`), fundUnitId: wardOf, personId: personOf });
  // The hot paths write no ledger entry: one made here, copied as every kind of entry (a transfer to
  // the next ward, allocations and disbursements to households), so the planner sees a real ledger.
  const campaign = await db.kysely
    .selectFrom('Campaign')
    .select('id')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  await db.kysely
    .insertInto('FundEntry')
    .values({
      campaignId: campaign.id,
      kind: 'receipt',
      levelUnitId: ward,
      amount: 1_000_000n,
      occurredOn: '2024-10-01',
      createdAt: NOW,
    })
    .execute();
  const kinds = ['receipt', 'in_kind', 'transfer', 'allocation', 'disbursement'];
  const kindOf = (i: string) =>
    `(CASE ${i} % 5 ${kinds.map((k, j) => `WHEN ${j} THEN '${k}'`).join(' ')} END)`;
  await copy('FundEntry', {
    kind: kindOf('n.i'),
    levelUnitId: wardOf,
    toUnitId: `CASE WHEN n.i % 5 = 2 THEN ${ward} + (n.i + 1) % ${n} END`,
    householdId: `CASE WHEN n.i % 5 >= 3 THEN ${household} + n.i % ${n} END`,
    pledgeId: 'NULL',
    reversesId: 'NULL',
  });
  await copy('FundTotal', { levelUnitId: `${ward} + n.i - 1` });
  await copy('Feedback', { ref: text(`'PA-9' || n.i`), chatId: text(`'9' || n.i`), unitId: wardOf });
  // PostgreSQL plans by its statistics; SQLite has none unless ANALYZE runs, which the bot never does.
  if (db.dialect === 'postgres') {
    await db.exec('ANALYZE');
  }
}

async function columnsOf(db: SqlDb): Promise<Map<string, string[]>> {
  const query =
    db.dialect === 'postgres'
      ? `SELECT table_name AS "table", column_name AS "column" FROM information_schema.columns
          WHERE table_schema = current_schema() ORDER BY ordinal_position`
      : `SELECT m.name AS "table", c.name AS "column" FROM sqlite_master m, pragma_table_info(m.name) c
          WHERE m.type = 'table' ORDER BY c.cid`;
  const rows = (await db.kysely.executeQuery<{ table: string; column: string }>(CompiledQuery.raw(query)))
    .rows;
  const columns = new Map<string, string[]>();
  for (const { table, column } of rows) {
    columns.set(table, [...(columns.get(table) ?? []), column]);
  }
  return columns;
}

interface Catalog {
  tables: Set<string>;
  /** PostgreSQL: each index's first column. */
  leading: Map<string, string>;
}

async function catalogOf(db: SqlDb): Promise<Catalog> {
  const tables = new Set((await columnsOf(db)).keys());
  const leading = new Map<string, string>();
  if (db.dialect === 'postgres') {
    const r = await db.kysely.executeQuery<{ index: string; column: string }>(
      CompiledQuery.raw(`SELECT i.relname AS "index", a.attname AS "column"
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]
        WHERE i.relnamespace = to_regnamespace(current_schema())`),
    );
    for (const { index, column } of r.rows) {
      leading.set(index, column);
    }
  }
  return { tables, leading };
}

/** The plan of a recorded statement, as the table reads it makes. */
async function explain(db: SqlDb, q: RecordedQuery, catalog: Catalog): Promise<Explained> {
  const aliases = aliasesOf(q.sql);
  // A CTE or subquery is no table: only names of tables (or their aliases) count.
  const tableOf = (name: string) => {
    const table = aliases.get(name) ?? name;
    return catalog.tables.has(table) ? table : undefined;
  };
  if (db.dialect === 'sqlite') {
    const r = await db.kysely.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`EXPLAIN QUERY PLAN ${q.sql}`, [...q.parameters]),
    );
    return {
      label: q.label,
      sql: q.sql,
      reads: sqliteReads(
        r.rows.map((row) => row.detail),
        tableOf,
      ),
      arbiters: [],
    };
  }
  const plan = await db.transaction(async (t) => {
    await t.exec('SET LOCAL enable_seqscan = off');
    const r = await t.kysely.executeQuery<{ 'QUERY PLAN': [{ Plan: PgNode }] }>(
      CompiledQuery.raw(`EXPLAIN (FORMAT JSON) ${q.sql}`, [...q.parameters]),
    );
    return r.rows[0]?.['QUERY PLAN'][0].Plan;
  });
  const explained: Explained = { label: q.label, sql: q.sql, reads: [], arbiters: [] };
  if (plan) {
    pgReads(plan, false, catalog, explained);
  }
  return explained;
}

/** The tables a statement names, by their alias in it ("Outbox" o, "Person" as "p"). */
function aliasesOf(sql: string): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const m of sql.matchAll(/\b(?:from|join|update)\s+"(\w+)"(?:\s+(?:as\s+)?"?(\w+)"?)?/gi)) {
    const [, table = '', alias] = m;
    aliases.set(table, table);
    if (alias && !/^(set|where|on|inner|left|right|cross|join|group|order|limit|union|for)$/i.test(alias)) {
      aliases.set(alias, table);
    }
  }
  return aliases;
}

/** A search narrowed only by these columns reads a whole campaign: the table, in a deployment. */
const CAMPAIGN_WIDE = new Set(['campaignId']);

function sqliteReads(lines: string[], tableOf: (name: string) => string | undefined): Read[] {
  return lines.flatMap((line): Read[] => {
    const m =
      /^(SCAN|SEARCH) (\w+)(?: USING (?:COVERING )?INDEX (\S+)| USING (INTEGER PRIMARY KEY))?(?: \((.*)\))?/.exec(
        line,
      );
    const table = m?.[2] === undefined ? undefined : tableOf(m[2]);
    if (!m || !table) {
      return [];
    }
    const index = m[3] ?? (m[4] ? 'primary key' : undefined);
    if (m[1] === 'SCAN') {
      return [{ table, ...(index ? { index } : {}), how: index ? 'full index' : 'scan', line }];
    }
    const constrained = [...(m[5] ?? '').matchAll(/(\w+)[=<>]/g)].map((c) => c[1] ?? '');
    const how = constrained.every((c) => CAMPAIGN_WIDE.has(c)) ? 'campaign' : 'search';
    return [{ table, ...(index ? { index } : {}), how, line }];
  });
}

interface PgNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Filter?: string;
  'Conflict Arbiter Indexes'?: string[];
  Plans?: PgNode[];
}

/** The table reads of a PostgreSQL plan node and those below it; `limited`: under a Limit. */
function pgReads(node: PgNode, limited: boolean, catalog: Catalog, into: Explained): void {
  const table = node['Relation Name'];
  const type = node['Node Type'];
  into.arbiters.push(...(node['Conflict Arbiter Indexes'] ?? []));
  const under = limited || type === 'Limit';
  if (table && type === 'Seq Scan') {
    into.reads.push({
      table,
      how: 'scan',
      line: `Seq Scan on ${table}${node.Filter ? ` Filter: ${node.Filter}` : ''}`,
    });
  } else if (table && (type === 'Index Scan' || type === 'Index Only Scan')) {
    into.reads.push(pgIndexRead(table, node, under, catalog));
  } else if (table && type === 'Bitmap Heap Scan') {
    // Its bitmap index scans (under BitmapOr / BitmapAnd) read the table's indexes.
    const bitmaps = (n: PgNode): PgNode[] =>
      n['Node Type'] === 'Bitmap Index Scan' ? [n] : (n.Plans ?? []).flatMap(bitmaps);
    for (const b of (node.Plans ?? []).flatMap(bitmaps)) {
      into.reads.push(pgIndexRead(table, b, false, catalog));
    }
    return;
  }
  for (const child of node.Plans ?? []) {
    pgReads(child, under, catalog, into);
  }
}

function pgIndexRead(table: string, node: PgNode, limited: boolean, catalog: Catalog): Read {
  const index = node['Index Name'] ?? '?';
  const cond = node['Index Cond'];
  const line = `${node['Node Type']} using ${index} on ${table}${cond ? ` Index Cond: ${cond}` : ''}${node.Filter ? ` Filter: ${node.Filter}` : ''}`;
  if (!cond) {
    // The first rows of an index in its order (ORDER BY id DESC LIMIT 1) are a search; all of them are not.
    return { table, index, how: limited && !node.Filter ? 'search' : 'full index', line };
  }
  // The columns compared in the condition (its left-hand sides: `("unitId" = 16)`, `(id = m."unitId")`).
  const constrained = [...cond.matchAll(/\(\s*(?:\w+\.)?"?(\w+)"?\s*(?:=|<>|<=|>=|<|>|IS\b|~~)/g)].map(
    (c) => c[1] ?? '',
  );
  const leading = catalog.leading.get(index);
  if (leading === undefined || !constrained.includes(leading)) {
    return { table, index, how: 'full index', line };
  }
  return { table, index, how: constrained.every((c) => CAMPAIGN_WIDE.has(c)) ? 'campaign' : 'search', line };
}

/** One statement and how it reads, for HOT_QUERIES_PRINT=1. */
function describeQuery(e: Explained): string {
  const reads = e.reads.map((r) => `${r.how === 'search' ? '  ' : '! '}${r.table} ${r.how} ${r.index ?? ''}`);
  const arbiters = e.arbiters.map((a) => `  conflict on ${a}`);
  return [`${e.label}: ${e.sql.replace(/\s+/g, ' ').slice(0, 160)}`, ...reads, ...arbiters].join('\n');
}
