import type { SqlDb } from './sql-db.ts';

export interface PendingPhoto {
  eventId: number;
  index: number;
  channel: string;
  fileId: string;
  attempts: number;
}

interface StoredPhoto {
  channel: string;
  fileId: string;
  localPath?: string;
  archiveAttempts?: number;
  archiveError?: string;
}

/**
 * Photos of household events that have no local copy yet. The photos stay in the event's JSON
 * (channel, file id, and once archived the local path), so no second table can drift from it.
 */
export function createMediaStore(db: SqlDb, maxAttempts = 5) {
  // Read, change and write back one event's photos in one transaction: on PostgreSQL another
  // instance may archive the same event at once, and neither may undo the other's change.
  const update = (eventId: number, change: (photos: StoredPhoto[]) => boolean): Promise<void> =>
    db.transaction(async (t) => {
      const row = await t.get(
        `SELECT photos FROM "HouseholdEvent" WHERE id = ?${db.dialect === 'postgres' ? ' FOR UPDATE' : ''}`,
        [eventId],
      );
      const photos = row ? (JSON.parse(String(row.photos)) as StoredPhoto[]) : [];
      if (change(photos)) {
        await t.run('UPDATE "HouseholdEvent" SET photos = ? WHERE id = ?', [JSON.stringify(photos), eventId]);
      }
    });
  return {
    /** Photos to copy among events after `afterId` (the primary key keeps this cheap on every commit). */
    async pending(limit: number, afterId = 0): Promise<PendingPhoto[]> {
      // Events carry one photo each in practice: "not yet copied and not given up on" fits in SQL.
      const rows = await db.all(
        `SELECT id, photos FROM "HouseholdEvent"
          WHERE id > ? AND photos <> '[]' AND photos NOT LIKE '%"localPath"%' AND photos NOT LIKE ?
          ORDER BY id LIMIT ?`,
        [afterId, `%"archiveAttempts":${maxAttempts}%`, limit],
      );
      return rows.flatMap((r) =>
        (JSON.parse(String(r.photos)) as StoredPhoto[]).flatMap((p, index) => {
          const attempts = p.archiveAttempts ?? 0;
          return p.localPath || attempts >= maxAttempts
            ? []
            : [{ eventId: Number(r.id), index, channel: p.channel, fileId: p.fileId, attempts }];
        }),
      );
    },
    /** The newest event id (primary key, cheap): where the next pass may start. */
    async lastEventId(): Promise<number> {
      const row = await db.get('SELECT MAX(id) AS id FROM "HouseholdEvent"');
      return row?.id === null || row?.id === undefined ? 0 : Number(row.id);
    },
    async saved(photo: PendingPhoto, localPath: string): Promise<void> {
      await update(photo.eventId, (photos) => {
        const target = photos[photo.index];
        if (!target) {
          return false;
        }
        target.localPath = localPath;
        delete target.archiveError;
        return true;
      });
    },
    /** A failed copy: tried again later, up to `maxAttempts` times; never again when `final`. */
    async failed(photo: PendingPhoto, error: string, opts: { final?: boolean } = {}): Promise<void> {
      await update(photo.eventId, (photos) => {
        const target = photos[photo.index];
        if (!target) {
          return false;
        }
        target.archiveAttempts = opts.final ? maxAttempts : (target.archiveAttempts ?? 0) + 1;
        target.archiveError = error.slice(0, 200);
        return true;
      });
    },
  };
}

export type MediaStore = ReturnType<typeof createMediaStore>;
