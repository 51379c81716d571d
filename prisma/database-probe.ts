import type { SqlDb } from './sql-db.ts';

/**
 * A write that must reach the disk, to see whether the database takes writes: a row put in and
 * taken out in one transaction — pages written to the journal (SQLite's WAL) and committed,
 * leaving nothing behind. Each instance uses its own row.
 */
export async function probeWrite(db: SqlDb, instanceId: string, at: Date): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.kysely
      .insertInto('InboundSeen')
      .values({ channel: 'health', externalId: instanceId, receivedAt: at })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await tx.kysely
      .deleteFrom('InboundSeen')
      .where('channel', '=', 'health')
      .where('externalId', '=', instanceId)
      .execute();
  });
}
