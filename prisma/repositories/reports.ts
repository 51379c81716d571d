import type { Insertable, Selectable } from 'kysely';
import type {
  NarrativeReportRepository,
  NarrativeReportRow,
} from '../../core/reports/narrative.repository.ts';
import type { ReportRepository } from '../../core/reports/report.ts';
import type { SqlDb } from '../database.ts';
import { type DB, type Param, prepared } from '../kysely-dialect.ts';
import { fromDbTime } from '../sqlite.ts';
import { inserted, toReport } from './mappers.ts';

type Slot = { periodId: number; unitId: number };

const lastReportRevision = prepared((db, $: Param<Slot>) =>
  db
    .selectFrom('Report')
    .select((eb) => eb.fn.max('revision').as('n'))
    .where('periodId', '=', $('periodId'))
    .where('unitId', '=', $('unitId')),
);

type NewReport = Omit<Insertable<DB['Report']>, 'id'> & { photos: string };

// Every column of a report, each a parameter: the last answer of a report writes it.
const createReport = prepared((db, $: Param<NewReport>) =>
  db
    .insertInto('Report')
    .values({
      ref: $('ref'),
      periodId: $('periodId'),
      unitId: $('unitId'),
      personId: $('personId'),
      revision: $('revision'),
      approvedNew: $('approvedNew'),
      approvedRepair: $('approvedRepair'),
      startedNew: $('startedNew'),
      startedRepair: $('startedRepair'),
      completedNew: $('completedNew'),
      completedRepair: $('completedRepair'),
      handedOverNew: $('handedOverNew'),
      handedOverRepair: $('handedOverRepair'),
      moneyReceived: $('moneyReceived'),
      moneyPaid: $('moneyPaid'),
      labourDays: $('labourDays'),
      difficulties: $('difficulties'),
      proposals: $('proposals'),
      decreaseReason: $('decreaseReason'),
      late: $('late'),
      channel: $('channel'),
      photos: $('photos'),
      registryReason: $('registryReason'),
      submittedAt: $('submittedAt'),
    })
    .returning('id'),
);

/** The monthly reports (figures), every revision kept. */
export function createReportRepository(t: SqlDb): ReportRepository {
  const db = t.kysely;
  return {
    async lastRevision(periodId, unitId) {
      // The next revision is numbered from this one: two officers of one ward submitting at once
      // through two instances take turns (held until the transaction ends).
      await t.lock(`report:${periodId}:${unitId}`);
      const r = await lastReportRevision.first(db, { periodId, unitId });
      return Number(r?.n ?? 0);
    },
    async reportedPeriodIds(unitId) {
      const rows = await db
        .selectFrom('Report')
        .select('periodId')
        .distinct()
        .where('unitId', '=', unitId)
        .execute();
      return rows.map((r) => r.periodId);
    },
    async findLatestBefore(unitId, dueOn) {
      const r = await db
        .selectFrom('Report as r')
        .innerJoin('ReportingPeriod as p', 'p.id', 'r.periodId')
        .selectAll('r')
        .where('r.unitId', '=', unitId)
        .where('p.dueOn', '<', dueOn)
        .orderBy('p.dueOn', 'desc')
        .orderBy('r.revision', 'desc')
        .limit(1)
        .executeTakeFirst();
      return r ? toReport(r) : undefined;
    },
    async latestByUnit(unitIds, periodId) {
      if (unitIds.length === 0) {
        return [];
      }
      const rows = await db
        .selectFrom('Report')
        .select((eb) => [
          'unitId',
          eb.fn.max('submittedAt').as('at'),
          eb.fn.max(eb.case().when('periodId', '=', periodId).then(1).else(0).end()).as('covers'),
        ])
        .where('unitId', 'in', unitIds)
        .groupBy('unitId')
        .execute();
      return rows.map((r) => ({
        unitId: r.unitId,
        // A computed column: text on SQLite, a Date on PostgreSQL.
        submittedAt: fromDbTime(r.at),
        coversPeriod: Number(r.covers) === 1,
      }));
    },
    async onTimeCounts(periodIds, unitIds) {
      if (periodIds.length === 0 || unitIds.length === 0) {
        return [];
      }
      const rows = await db
        .selectFrom('Report')
        .select((eb) => ['unitId', eb.fn.count('periodId').distinct().as('n')])
        .where('late', '=', false)
        .where('periodId', 'in', periodIds)
        .where('unitId', 'in', unitIds)
        .groupBy('unitId')
        .execute();
      return rows.map((r) => ({ unitId: r.unitId, periods: Number(r.n) }));
    },
    async listByPeriods(periodIds, unitIds) {
      if (periodIds.length === 0 || unitIds?.length === 0) {
        return [];
      }
      let query = db.selectFrom('Report').selectAll().where('periodId', 'in', periodIds);
      if (unitIds) {
        query = query.where('unitId', 'in', [...unitIds]);
      }
      const rows = await query
        .orderBy('periodId')
        .orderBy('unitId')
        .orderBy('revision')
        .orderBy('id')
        .execute();
      return rows.map(toReport);
    },
    async create(report) {
      const { photos, ...rest } = report;
      return inserted(await createReport.first(db, { ...rest, photos: JSON.stringify(photos) }), 'Report');
    },
  };
}

/** Quarterly, six-monthly and final reports: written answers, every revision kept. */
export function createNarrativeReportRepository(t: SqlDb): NarrativeReportRepository {
  const db = t.kysely;
  const select = () => db.selectFrom('NarrativeReport').selectAll();
  return {
    async lastRevision(periodId, unitId) {
      await t.lock(`narrative:${periodId}:${unitId}`);
      const r = await db
        .selectFrom('NarrativeReport')
        .select((eb) => eb.fn.max('revision').as('n'))
        .where('periodId', '=', periodId)
        .where('unitId', '=', unitId)
        .executeTakeFirst();
      return Number(r?.n ?? 0);
    },
    async create(report) {
      const row = await db
        .insertInto('NarrativeReport')
        .values({ ...report, answers: JSON.stringify(report.answers) })
        .returning('id')
        .executeTakeFirst();
      return inserted(row, 'NarrativeReport');
    },
    async findByRef(ref) {
      const row = await select().where('ref', '=', ref).executeTakeFirst();
      return row && toNarrative(row);
    },
    async findById(id) {
      const row = await select().where('id', '=', id).executeTakeFirst();
      return row && toNarrative(row);
    },
    async latest(periodIds, unitIds) {
      if (periodIds.length === 0 || unitIds?.length === 0) {
        return [];
      }
      let q = select().where('periodId', 'in', [...periodIds]);
      if (unitIds) {
        q = q.where('unitId', 'in', [...unitIds]);
      }
      const rows = await q.orderBy('periodId').orderBy('unitId').orderBy('revision', 'desc').execute();
      const seen = new Set<string>();
      return rows
        .filter((r) => {
          const key = `${r.periodId}:${r.unitId}`;
          return !seen.has(key) && seen.add(key) !== undefined;
        })
        .map(toNarrative);
    },
    async revisions(periodId, unitId) {
      const rows = await select()
        .where('periodId', '=', periodId)
        .where('unitId', '=', unitId)
        .orderBy('revision')
        .execute();
      return rows.map(toNarrative);
    },
  };
}

function toNarrative(row: Selectable<DB['NarrativeReport']>): NarrativeReportRow {
  return { ...row, answers: parseAnswers(row.answers) };
}

/** The stored answers: a JSON object of strings (anything else read as no answers). */
function parseAnswers(json: string): Record<string, string> {
  const value: unknown = JSON.parse(json);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {};
  }
  return Object.fromEntries(
    Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}
