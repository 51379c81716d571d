import type { SqlDb } from './sql-db.ts';

/** Who a Zalo chat is, as a ZNS template message needs it. The phone never reaches a log. */
export interface ZnsRecipient {
  personId: number;
  fullName: string;
  /** The phone the person registered ("0912345678"), else the one given with their latest pledge. */
  phone: string | null;
  /** Their last message to the OA (minute precision); null when never recorded. */
  lastInteractionAt: Date | null;
}

/** What became of an outbox row's ZNS send before this attempt. */
export type ZnsBegin = 'go' | 'sent' | 'unknown';

export interface ZnsSendDone {
  msgId: string | null;
  costDong: number;
  /** The campaign month ("2026-03"). */
  month: string;
  dailyQuota?: number;
  remainingQuota?: number;
}

/**
 * The ZNS sends of outbox rows (table ZnsSend): one row per outbox row, written before Zalo is asked
 * (`sending`) and after it answered — so a retry of the row never sends it twice.
 */
export interface ZnsStore {
  recipient(chatId: string): Promise<ZnsRecipient | undefined>;
  /**
   * Starts the send of an outbox row: `go` (first time, or Zalo refused the last attempt: nothing
   * was sent), `sent` (it went before: do not send again), `unknown` (an attempt got no answer: it
   * may have gone, so it is not sent again).
   */
  begin(
    outboxId: number,
    send: { kind: string; templateId: string; personId: number | null },
    at: Date,
  ): Promise<ZnsBegin>;
  sent(outboxId: number, done: ZnsSendDone, at: Date): Promise<void>;
  /** The row's ZNS send so far (sending, sent, refused, unknown), if it was tried. */
  statusOf(outboxId: number): Promise<string | undefined>;
  /** Zalo said no: nothing was sent; a later attempt may try again. */
  refused(outboxId: number, error: string): Promise<void>;
  /** No answer came: it may have been sent; never sent again. */
  unknown(outboxId: number, error: string): Promise<void>;
}

export function createZnsStore(db: SqlDb): ZnsStore {
  const k = db.kysely;
  const setStatus = async (outboxId: number, status: string, error: string) => {
    await k
      .updateTable('ZnsSend')
      .set({ status, lastError: error.slice(0, 500) })
      .where('outboxId', '=', outboxId)
      .execute();
  };
  const statusOf = async (outboxId: number) =>
    (await k.selectFrom('ZnsSend').select('status').where('outboxId', '=', outboxId).executeTakeFirst())
      ?.status;
  return {
    statusOf,
    async recipient(chatId) {
      const row = await k
        .selectFrom('ChannelIdentity as ci')
        .innerJoin('Person as p', 'p.id', 'ci.personId')
        .select(['p.id', 'p.fullName', 'p.phone', 'ci.lastInteractionAt'])
        .where('ci.channel', '=', 'zalo')
        .where('ci.externalUserId', '=', chatId)
        .executeTakeFirst();
      if (!row) {
        return undefined;
      }
      let phone = row.phone;
      if (!phone) {
        const pledge = await k
          .selectFrom('Pledge')
          .select('donorPhone')
          .where('personId', '=', row.id)
          .where('donorPhone', 'is not', null)
          .orderBy('id', 'desc')
          .limit(1)
          .executeTakeFirst();
        phone = pledge?.donorPhone ?? null;
      }
      return {
        personId: row.id,
        fullName: row.fullName,
        phone,
        lastInteractionAt: row.lastInteractionAt,
      };
    },
    async begin(outboxId, send, at) {
      const inserted = await k
        .insertInto('ZnsSend')
        .values({
          outboxId,
          kind: send.kind,
          templateId: send.templateId,
          personId: send.personId,
          status: 'sending',
          createdAt: at,
        })
        .onConflict((oc) => oc.column('outboxId').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) {
        return 'go';
      }
      // Only a refused attempt is tried again, and only by the one who flips it back to sending.
      const retried = await k
        .updateTable('ZnsSend')
        .set({ status: 'sending', templateId: send.templateId, kind: send.kind })
        .where('outboxId', '=', outboxId)
        .where('status', '=', 'refused')
        .executeTakeFirst();
      if (Number(retried.numUpdatedRows) === 1) {
        return 'go';
      }
      return (await statusOf(outboxId)) === 'sent' ? 'sent' : 'unknown';
    },
    async sent(outboxId, done, at) {
      await k
        .updateTable('ZnsSend')
        .set({
          status: 'sent',
          msgId: done.msgId,
          costDong: done.costDong,
          month: done.month,
          dailyQuota: done.dailyQuota ?? null,
          remainingQuota: done.remainingQuota ?? null,
          lastError: null,
          sentAt: at,
        })
        .where('outboxId', '=', outboxId)
        .execute();
    },
    refused: (outboxId, error) => setStatus(outboxId, 'refused', error),
    unknown: (outboxId, error) => setStatus(outboxId, 'unknown', error),
  };
}
