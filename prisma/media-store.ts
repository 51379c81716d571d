import { z } from 'zod';
import type { SqlDb } from './sql-db.ts';

export interface PendingPhoto {
  eventId: number;
  index: number;
  channel: string;
  fileId: string;
  attempts: number;
}

/** A photo as HouseholdEvent.photos holds it; other keys are kept as they are when written back. */
const ZStoredPhotos = z.array(
  z
    .object({
      channel: z.string(),
      fileId: z.string(),
      localPath: z.string().optional(),
      archiveAttempts: z.number().optional(),
      archiveError: z.string().optional(),
    })
    .loose(),
);
type StoredPhoto = z.infer<typeof ZStoredPhotos>[number];

/** The photos of an event's JSON; none when it does not hold a list of photos. */
function photosOf(json: string): StoredPhoto[] {
  try {
    const parsed = ZStoredPhotos.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
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
      const row = await t.kysely
        .selectFrom('HouseholdEvent')
        .select('photos')
        .where('id', '=', eventId)
        .$if(t.dialect === 'postgres', (q) => q.forUpdate())
        .executeTakeFirst();
      const photos = row ? photosOf(row.photos) : [];
      if (change(photos)) {
        await t.kysely
          .updateTable('HouseholdEvent')
          .set({ photos: JSON.stringify(photos) })
          .where('id', '=', eventId)
          .execute();
      }
    });
  return {
    /** Photos to copy among events after `afterId` (the primary key keeps this cheap on every commit). */
    async pending(limit: number, afterId = 0): Promise<PendingPhoto[]> {
      // Events carry one photo each in practice: "not yet copied and not given up on" fits in SQL.
      const rows = await db.kysely
        .selectFrom('HouseholdEvent')
        .select(['id', 'photos'])
        .where('id', '>', afterId)
        .where('photos', '<>', '[]')
        .where('photos', 'not like', '%"localPath"%')
        .where('photos', 'not like', `%"archiveAttempts":${maxAttempts}%`)
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.flatMap((r) =>
        photosOf(r.photos).flatMap((p, index) => {
          const attempts = p.archiveAttempts ?? 0;
          return p.localPath || attempts >= maxAttempts
            ? []
            : [{ eventId: r.id, index, channel: p.channel, fileId: p.fileId, attempts }];
        }),
      );
    },
    /** The newest event id (primary key, cheap): where the next pass may start. */
    async lastEventId(): Promise<number> {
      const row = await db.kysely
        .selectFrom('HouseholdEvent')
        .select('id')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row?.id ?? 0;
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
