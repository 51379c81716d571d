import type { AuditRepository } from '../../core/messaging/outbox.repository.ts';
import type { SqlDb } from '../database.ts';
import { type Param, prepared } from '../kysely-dialect.ts';
import { jsonText } from './mappers.ts';

type AuditRow = {
  at: Date;
  personId: number | null;
  channel: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  before: string | null;
  after: string | null;
};

const recordEntry = prepared((db, $: Param<AuditRow>) =>
  db.insertInto('AuditLog').values({
    at: $('at'),
    personId: $('personId'),
    channel: $('channel'),
    action: $('action'),
    entity: $('entity'),
    entityId: $('entityId'),
    before: $('before'),
    after: $('after'),
  }),
);

/** Who changed what, when: one row per change, written in the change's transaction. */
export function createAuditRepository(t: SqlDb): AuditRepository {
  return {
    async record(entry, at) {
      await recordEntry.run(t.kysely, {
        at,
        personId: entry.personId,
        channel: entry.channel,
        action: entry.action,
        entity: entry.entity,
        entityId: entry.entityId,
        before: entry.before === undefined ? null : jsonText(entry.before),
        after: entry.after === undefined ? null : jsonText(entry.after),
      });
    },
  };
}
