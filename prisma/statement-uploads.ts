import {
  parseUpload,
  STATEMENT_UPLOAD_FLOW,
  STATEMENT_UPLOAD_VERSION,
  type TStatementUpload,
} from '../core/funds/statement-chat.ts';
import type { Channel } from '../core/messaging/message.ts';
import { isChannel } from '../core/messaging/message.ts';
import type { SqlDb } from './sql-db.ts';

/** A statement upload waiting for the worker: where it came from and what to fetch. */
export interface WaitingUpload {
  channel: Channel;
  /** The chat the officer sent it in (the FlowState row is kept under `statement:<chatId>`). */
  chatId: string;
  /** The row's own chat id. */
  key: string;
  upload: TStatementUpload;
  /** The row's data as read: the claim takes the row only if nobody changed it since. */
  data: string;
}

/**
 * The statement uploads the chat queued (core/funds/statement-chat.ts keeps them as FlowState rows
 * of the flow `statement-upload`), for the bot's worker: the queued ones, and those claimed by a
 * worker that has not finished within `staleMs` (it died); a claim is a conditional update, so two
 * bot instances never read the same file at once.
 */
export function createStatementUploadQueue(db: SqlDb, staleMs = 5 * 60_000) {
  return {
    async waiting(now: Date, limit: number): Promise<WaitingUpload[]> {
      const rows = await db.kysely
        .selectFrom('FlowState')
        .select(['channel', 'chatId', 'data'])
        .where('flow', '=', STATEMENT_UPLOAD_FLOW)
        .where('version', '=', STATEMENT_UPLOAD_VERSION)
        .where('expiresAt', '>', now)
        .where((eb) =>
          eb.or([
            eb('step', '=', 'queued'),
            eb.and([eb('step', '=', 'reading'), eb('updatedAt', '<', new Date(now.getTime() - staleMs))]),
          ]),
        )
        .orderBy('updatedAt')
        .limit(limit)
        .execute();
      return rows.flatMap((row) => {
        const upload = parseUpload(row.data);
        const chatId = row.chatId.replace(/^statement:/, '');
        return upload && isChannel(row.channel) && chatId !== row.chatId
          ? [{ channel: row.channel, chatId, key: row.chatId, upload, data: row.data }]
          : [];
      });
    },

    /** Takes the upload for this worker; false when another took it (or it changed) first. */
    async claim(item: WaitingUpload, now: Date): Promise<boolean> {
      const result = await db.kysely
        .updateTable('FlowState')
        .set({ step: 'reading', updatedAt: now })
        .where('channel', '=', item.channel)
        .where('chatId', '=', item.key)
        .where('flow', '=', STATEMENT_UPLOAD_FLOW)
        .where('data', '=', item.data)
        .where((eb) =>
          eb.or([
            eb('step', '=', 'queued'),
            eb.and([eb('step', '=', 'reading'), eb('updatedAt', '<', new Date(now.getTime() - staleMs))]),
          ]),
        )
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

export type StatementUploadQueue = ReturnType<typeof createStatementUploadQueue>;
