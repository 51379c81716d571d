import type { DocumentRegister } from '../../core/exports/document-register.ts';
import type {
  AcknowledgementRecord,
  AcknowledgementRepository,
} from '../../core/funds/acknowledgement.repository.ts';
import type { SqlDb } from '../sql-db.ts';
import { inserted } from './mappers.ts';

/** The numbering register (core/exports/document-register.ts). */
export function createDocumentRegister(t: SqlDb): DocumentRegister {
  const db = t.kysely;
  const find = (entity: string, entityId: string) =>
    db
      .selectFrom('DocumentNumber')
      .select(['number', 'docType', 'year', 'issuedOn', 'issuerUnitId'])
      .where('entity', '=', entity)
      .where('entityId', '=', entityId)
      .executeTakeFirst();
  return {
    find,
    async issue(request, now) {
      // One register at a time across instances; the entity's lock first, so a document asked for
      // twice at once gets one number.
      await t.lock(`docnum:${request.issuerUnitId}:${request.docType}:${request.year}`);
      const already = await find(request.entity, request.entityId);
      if (already) {
        return already;
      }
      const last = await db
        .selectFrom('DocumentNumber')
        .select((eb) => eb.fn.max('number').as('n'))
        .where('issuerUnitId', '=', request.issuerUnitId)
        .where('docType', '=', request.docType)
        .where('year', '=', request.year)
        .executeTakeFirst();
      const number = Number(last?.n ?? 0) + 1;
      await db
        .insertInto('DocumentNumber')
        .values({ ...request, personId: request.personId ?? null, number, createdAt: now })
        .execute();
      return {
        number,
        docType: request.docType,
        year: request.year,
        issuedOn: request.issuedOn,
        issuerUnitId: request.issuerUnitId,
      };
    },
  };
}

/** Acknowledgement letters (core/funds/acknowledgement.repository.ts). */
export function createAcknowledgementRepository(t: SqlDb): AcknowledgementRepository {
  const db = t.kysely;
  const select = () => db.selectFrom('Acknowledgement').selectAll();
  const one = async (rows: Promise<AcknowledgementRecord | undefined>) => rows;
  return {
    findByEntry: (entryId) => one(select().where('entryId', '=', entryId).executeTakeFirst()),
    findById: (id) => one(select().where('id', '=', id).executeTakeFirst()),
    async request(input, now) {
      await t.lock(`ack:${input.entryId}`);
      const existing = await select().where('entryId', '=', input.entryId).executeTakeFirst();
      if (existing) {
        return existing;
      }
      const row = await db
        .insertInto('Acknowledgement')
        .values({ ...input, requestedAt: now })
        .returning('id')
        .executeTakeFirst();
      const id = inserted(row, 'Acknowledgement');
      return {
        id,
        ...input,
        requestedAt: now,
        approvedBy: null,
        approvedAt: null,
        refusedAt: null,
        refusal: null,
      };
    },
    async approve(id, personId, now) {
      await db
        .updateTable('Acknowledgement')
        .set({ approvedBy: personId, approvedAt: now, refusedAt: null, refusal: null })
        .where('id', '=', id)
        .execute();
    },
    async refuse(id, personId, reason, now) {
      await db
        .updateTable('Acknowledgement')
        .set({ approvedBy: personId, refusedAt: now, refusal: reason })
        .where('id', '=', id)
        .where('approvedAt', 'is', null)
        .execute();
    },
    pending: (campaignId, limit) =>
      select()
        .where('campaignId', '=', campaignId)
        .where('approvedAt', 'is', null)
        .where('refusedAt', 'is', null)
        .orderBy('requestedAt')
        .orderBy('id')
        .limit(limit)
        .execute(),
  };
}
