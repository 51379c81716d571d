import {
  finishStatementUpload,
  retryStatementUpload,
  type StatementRead,
} from '../../core/funds/statement-chat.ts';
import type { Channel, Inbound } from '../../core/messaging/message.ts';
import type { Clock } from '../../core/shared/clock.ts';
import { menuButtonId } from '../../core/shared/menu-button.ts';
import type { UnitOfWork } from '../../core/unit-of-work.ts';
import type { StatementUploadQueue, WaitingUpload } from '../../prisma/statement-uploads.ts';
import { createDrainLoop } from '../drain-loop.ts';
import type { Logger } from '../logger.ts';
import { describeFailure, PhotoRefused } from '../media-archiver.ts';
import { readStatementFile } from './statement-file.ts';

/**
 * Fetches a file a channel holds into memory. Throws `PhotoRefused` when trying again cannot help
 * (too large, host not allowed, gone); any other error is a passing failure, tried again.
 */
export type FileFetcher = (fileId: string) => Promise<Buffer>;

const BATCH = 5;
/** Queued uploads are looked for this often besides the kicks (a restart, a typed choice on Zalo). */
const POLL_MS = 5_000;
const LEVEL_BUTTON = menuButtonId('stmtlevel');

/**
 * Reads the bank statements fund officers send in the chat (core/funds/statement-chat.ts queues
 * them): claims an upload, downloads the file from its channel outside any transaction, reads it
 * (bot/statements/statement-file.ts) and hands the rows to the core, which imports them and puts
 * the result in the outbox in one transaction. A download that fails for a passing reason is tried
 * again a few times before the officer is told to send the file again.
 */
export function createStatementWorker(deps: {
  queue: StatementUploadQueue;
  uow: UnitOfWork;
  fetchers: Partial<Record<Channel, FileFetcher>>;
  clock: Clock;
  log: Logger;
  /** Wakes the outbox dispatcher. */
  afterEnqueue: () => void;
  /** Told how each statement read ended, with its rows (metrics). */
  observe?: (outcome: 'ok' | 'refused' | 'failed', rows: number) => void;
}) {
  async function fetchAndRead(item: WaitingUpload): Promise<StatementRead | 'retry'> {
    const fetcher = deps.fetchers[item.channel];
    let bytes: Buffer;
    try {
      if (!fetcher) {
        throw new PhotoRefused(`no downloader for channel ${item.channel}`);
      }
      bytes = await fetcher(item.upload.fileId);
    } catch (error) {
      if (!(error instanceof PhotoRefused)) {
        deps.log.warn(
          { channel: item.channel, error: describeFailure(error) },
          'statement not fetched, tried again',
        );
        return 'retry';
      }
      deps.log.warn({ channel: item.channel, error: error.message }, 'statement file refused');
      return { ok: false, reason: error.message.startsWith('larger than') ? 'too_large' : 'unavailable' };
    }
    try {
      const file = await readStatementFile(bytes, item.upload.fileName);
      return { ok: true, bank: file.bank, bankName: file.bankName, rows: file.rows, problems: file.problems };
    } catch (error) {
      // The reader refuses bad content with problems; a throw is a file it could not even open.
      deps.log.warn({ channel: item.channel, err: error }, 'statement file unreadable');
      return { ok: false, reason: 'unreadable', size: bytes.length };
    }
  }

  async function handle(item: WaitingUpload): Promise<void> {
    if (!(await deps.queue.claim(item, deps.clock.now()))) {
      return;
    }
    const address = { channel: item.channel, chatId: item.chatId };
    const { uploadId } = item.upload;
    const read = await fetchAndRead(item);
    if (read === 'retry') {
      await deps.uow.run((tx) => retryStatementUpload(tx, address, uploadId, deps.clock.now()));
    } else {
      try {
        await deps.uow.run((tx) => finishStatementUpload(tx, address, uploadId, read, deps.clock.now()));
        deps.observe?.(read.ok ? 'ok' : 'refused', read.ok ? read.rows.length : 0);
      } catch (error) {
        deps.observe?.('failed', 0);
        // Rolled back: nothing imported. The officer is told; if even that fails (the database is
        // down), the claim goes stale and the upload is read again later.
        deps.log.error({ channel: item.channel, err: error }, 'statement import failed');
        await deps.uow.run((tx) =>
          finishStatementUpload(tx, address, uploadId, { ok: false, reason: 'failed' }, deps.clock.now()),
        );
      }
    }
    deps.afterEnqueue();
  }

  const loop = createDrainLoop({
    drainOnce: async () => {
      const batch = await deps.queue.waiting(deps.clock.now(), BATCH);
      for (const item of batch) {
        await handle(item);
      }
      return batch.length === BATCH;
    },
    pollMs: POLL_MS,
    log: deps.log,
    name: 'statement reading',
  });
  return {
    ...loop,
    /** After a message's commit: a file sent, or the fund level of one chosen, is read at once. */
    notice(inbound: Inbound): void {
      if (inbound.kind === 'document' || inbound.choiceId?.startsWith(LEVEL_BUTTON)) {
        loop.kick();
      }
    },
  };
}
