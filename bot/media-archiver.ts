import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { MediaStore, PendingPhoto } from '../prisma/media-store.ts';
import { createDrainLoop } from './drain-loop.ts';
import type { Logger } from './logger.ts';

/** Fetches the bytes of a photo a channel holds; undefined when that channel keeps no files. */
export type PhotoFetcher = (fileId: string) => Promise<Buffer>;

/**
 * Keeps a local copy of every evidence photo under MEDIA_DIR: a channel's file ids and URLs do not
 * last for ever (Zalo's expire), the evidence must. Runs after each commit and every minute; a photo
 * that cannot be fetched is retried a few times and its error kept on the event.
 */
const BATCH = 20;

export function createMediaArchiver(deps: {
  store: MediaStore;
  dir: string;
  fetchers: Partial<Record<string, PhotoFetcher>>;
  log: Logger;
}) {
  async function archive(photo: PendingPhoto): Promise<void> {
    const fetcher = deps.fetchers[photo.channel];
    if (!fetcher) {
      await deps.store.failed(photo, `no downloader for channel ${photo.channel}`);
      return;
    }
    try {
      const bytes = await fetcher(photo.fileId);
      const name = createHash('sha256').update(`${photo.channel}:${photo.fileId}`).digest('hex').slice(0, 24);
      const relative = path.join(photo.channel, `${name}.jpg`);
      const file = path.join(deps.dir, relative);
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      // Write then rename: a crash never leaves half a photo under the final name.
      await fs.promises.writeFile(`${file}.part`, bytes);
      await fs.promises.rename(`${file}.part`, file);
      await deps.store.saved(photo, relative);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      deps.log.warn({ eventId: photo.eventId, channel: photo.channel, error: message }, 'photo not archived');
      await deps.store.failed(photo, message);
    }
  }

  // Kicked after every commit: a pass looks only at events newer than the previous pass; every ten
  // minutes a pass starts from the beginning to retry photos that could not be fetched before.
  let watermark = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  const loop = createDrainLoop({
    drainOnce: async () => {
      const top = await deps.store.lastEventId();
      const batch = await deps.store.pending(BATCH, watermark);
      for (const photo of batch) {
        await archive(photo);
      }
      const more = batch.length === BATCH;
      watermark = more ? Math.max(watermark, ...batch.map((p) => p.eventId)) : top;
      return more;
    },
    pollMs: 60_000,
    log: deps.log,
    name: 'photo archiving',
  });
  return {
    kick: loop.kick,
    flush: loop.flush,
    start(): void {
      loop.start();
      retryTimer = setInterval(() => {
        watermark = 0;
        loop.kick();
      }, 10 * 60_000);
      retryTimer.unref();
    },
    async stop(): Promise<void> {
      if (retryTimer) {
        clearInterval(retryTimer);
      }
      await loop.stop();
    },
  };
}

/** Downloads a file by URL with a timeout (Zalo gives photo URLs). */
export async function fetchUrl(url: string): Promise<Buffer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  if (!response.ok) {
    throw new Error(`HTTP ${response.status}`);
  }
  return Buffer.from(await response.arrayBuffer());
}
