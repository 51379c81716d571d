import { cachedStatements, type SqliteDatabase } from './sqlite.ts';

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
export function createMediaStore(db: SqliteDatabase, maxAttempts = 5) {
  const stmt = cachedStatements(db);
  const read = (eventId: number): StoredPhoto[] => {
    const row = stmt('SELECT photos FROM "HouseholdEvent" WHERE id = ?').get(eventId) as
      | { photos: string }
      | undefined;
    return row ? (JSON.parse(row.photos) as StoredPhoto[]) : [];
  };
  const write = (eventId: number, photos: StoredPhoto[]) => {
    stmt('UPDATE "HouseholdEvent" SET photos = ? WHERE id = ?').run(JSON.stringify(photos), eventId);
  };
  return {
    /** Photos to copy among events after `afterId` (the primary key keeps this cheap on every commit). */
    pending(limit: number, afterId = 0): PendingPhoto[] {
      // Events carry one photo each in practice: "not yet copied and not given up on" fits in SQL.
      const rows = stmt(
        `SELECT id, photos FROM "HouseholdEvent"
          WHERE id > ? AND photos <> '[]' AND photos NOT LIKE '%"localPath"%' AND photos NOT LIKE ?
          ORDER BY id LIMIT ?`,
      ).all(afterId, `%"archiveAttempts":${maxAttempts}%`, limit) as { id: number; photos: string }[];
      return rows.flatMap((r) =>
        (JSON.parse(r.photos) as StoredPhoto[]).flatMap((p, index) => {
          const attempts = p.archiveAttempts ?? 0;
          return p.localPath || attempts >= maxAttempts
            ? []
            : [{ eventId: r.id, index, channel: p.channel, fileId: p.fileId, attempts }];
        }),
      );
    },
    /** The newest event id (primary key, cheap): where the next pass may start. */
    lastEventId(): number {
      const row = stmt('SELECT MAX(id) AS id FROM "HouseholdEvent"').get() as { id: number | null };
      return row.id ?? 0;
    },
    saved(photo: PendingPhoto, localPath: string): void {
      const photos = read(photo.eventId);
      const target = photos[photo.index];
      if (target) {
        target.localPath = localPath;
        delete target.archiveError;
        write(photo.eventId, photos);
      }
    },
    failed(photo: PendingPhoto, error: string): void {
      const photos = read(photo.eventId);
      const target = photos[photo.index];
      if (target) {
        target.archiveAttempts = (target.archiveAttempts ?? 0) + 1;
        target.archiveError = error.slice(0, 200);
        write(photo.eventId, photos);
      }
    },
  };
}

export type MediaStore = ReturnType<typeof createMediaStore>;
