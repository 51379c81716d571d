import type { Selectable } from 'kysely';
import type { PledgeKind, PledgeVerification } from '../../core/funds/fund.repository.ts';
import type {
  StatementLineRecord,
  StatementRepository,
} from '../../core/funds/statements/statement.repository.ts';
import type { DB } from '../kysely-dialect.ts';
import type { SqlDb } from '../sql-db.ts';
import { chunks, inserted } from './mappers.ts';

function toLine(r: Selectable<DB['StatementLine']>): StatementLineRecord {
  return { ...r, direction: r.direction === 'debit' ? 'debit' : 'credit' };
}

/** Bank statements and their lines (core/funds/statements/statement.repository.ts). */
export function createStatementRepository(t: SqlDb): StatementRepository {
  const db = t.kysely;
  return {
    async levelPledges(campaignId, levelUnitId) {
      const rows = await db
        .selectFrom('Pledge')
        .select([
          'id',
          'ref',
          'donorName',
          'kind',
          'amount',
          'received',
          'verification',
          'cancelledAt',
          'personId',
        ])
        .where('campaignId', '=', campaignId)
        .where('fundUnitId', '=', levelUnitId)
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        ref: r.ref,
        donorName: r.donorName,
        kind: r.kind as PledgeKind,
        amount: r.amount,
        received: r.received,
        verification: r.verification as PledgeVerification | null,
        cancelled: r.cancelledAt !== null,
        personId: r.personId,
      }));
    },
    async seen(levelUnitId, fingerprints) {
      const found = new Map<string, number>();
      for (const part of chunks([...new Set(fingerprints)])) {
        const rows = await db
          .selectFrom('StatementLine')
          .select(['id', 'fingerprint'])
          .where('levelUnitId', '=', levelUnitId)
          .where('fingerprint', 'in', part)
          .execute();
        for (const r of rows) {
          found.set(r.fingerprint, r.id);
        }
      }
      return found;
    },
    async createImport(row, at) {
      const r = await db
        .insertInto('StatementImport')
        .values({ ...row, createdAt: at })
        .returning('id')
        .executeTakeFirst();
      return inserted(r, 'StatementImport');
    },
    async insertLines(lines, at) {
      const ids: number[] = [];
      for (const part of chunks(lines)) {
        const rows = await db
          .insertInto('StatementLine')
          .values(part.map((l) => ({ ...l, createdAt: at })))
          .returning('id')
          .execute();
        // Both databases return a multi-row INSERT's ids in the order of its VALUES; sorted to be sure.
        ids.push(...rows.map((r) => r.id).sort((a, b) => a - b));
      }
      return ids;
    },
    async findLine(id) {
      const r = await db.selectFrom('StatementLine').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toLine(r) : undefined;
    },
    async decide(id, from, to, by, at) {
      const r = await db
        .updateTable('StatementLine')
        .set({ status: to.status, entryId: to.entryId, pledgeId: to.pledgeId, decidedBy: by, decidedAt: at })
        .where('id', '=', id)
        .where('status', '=', from)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async listLines(filter, limit) {
      const { levelUnitId, status, importId } = filter;
      const rows = await db
        .selectFrom('StatementLine')
        .selectAll()
        .$if(levelUnitId !== undefined, (q) => q.where('levelUnitId', '=', levelUnitId ?? 0))
        .$if(importId !== undefined, (q) => q.where('importId', '=', importId ?? 0))
        .$if(status !== undefined, (q) => q.where('status', '=', status ?? ''))
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toLine);
    },
  };
}
