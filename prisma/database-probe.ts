import type { SqlDb } from './sql-db.ts';

/**
 * A write that must reach the disk, to see whether the database takes writes: a row put in and
 * taken out in one transaction — pages written to the journal (SQLite's WAL) and committed,
 * leaving nothing behind. Each instance uses its own row.
 */
export async function probeWrite(db: SqlDb, instanceId: string, at: Date): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.run(
      `INSERT INTO "InboundSeen" (channel, externalId, receivedAt) VALUES ('health', ?, ?) ON CONFLICT DO NOTHING`,
      [instanceId, at],
    );
    await tx.run(`DELETE FROM "InboundSeen" WHERE channel = 'health' AND externalId = ?`, [instanceId]);
  });
}
