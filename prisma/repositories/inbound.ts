import type { InboundRepository } from '../../core/messaging/outbox.repository.ts';
import type { SqlDb } from '../database.ts';
import { type Param, prepared } from '../kysely-dialect.ts';

const markSeen = prepared((db, $: Param<{ channel: string; externalId: string; at: Date }>) =>
  db
    .insertInto('InboundSeen')
    .values({ channel: $('channel'), externalId: $('externalId'), receivedAt: $('at') })
    .onConflict((oc) => oc.doNothing()),
);

/** The inbound ids already handled: a redelivered update is seen once. */
export function createInboundRepository(t: SqlDb): InboundRepository {
  return {
    async markSeen(channel, externalId, at) {
      return (await markSeen.run(t.kysely, { channel, externalId, at })) === 1;
    },
  };
}
