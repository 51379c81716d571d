import type { MessageKey } from '../core/messaging/catalog.ts';
import { t } from '../core/messaging/catalog.ts';
import type { Inbound } from '../core/messaging/message.ts';
import type { OutboxRepository } from '../core/messaging/outbox.repository.ts';
import type { AppError, AppErrorCode } from '../core/shared/app-error.ts';
import type { Clock } from '../core/shared/clock.ts';

/** What the chat is told for each code of a fault; the log keeps the English message. */
export const FAULT_MESSAGES: Readonly<Record<AppErrorCode, MessageKey>> = {
  INVALID_ARGUMENT: 'fault.invalid_argument',
  NOT_FOUND: 'fault.not_found',
  CONFLICT: 'fault.conflict',
  FORBIDDEN: 'fault.forbidden',
  INTERNAL: 'fault.internal',
};

/**
 * Tells the chat whose message met a coded fault that nothing was saved, in Vietnamese (the
 * person's language is not known outside the rolled-back transaction). The reply goes through the
 * outbox under a key made of the message's id, so a message processed again (a Zalo event retried)
 * is answered once.
 */
export function createFaultReplier(deps: {
  /** The store's unit of work; the reply needs its outbox alone. */
  uow: { run<T>(work: (tx: { outbox: Pick<OutboxRepository, 'enqueue'> }) => Promise<T>): Promise<T> };
  clock: Clock;
  afterEnqueue?: () => void;
}) {
  return async (inbound: Inbound, error: AppError): Promise<void> => {
    const now = deps.clock.now();
    const added = await deps.uow.run((tx) =>
      tx.outbox.enqueue(
        [
          {
            channel: inbound.channel,
            chatId: inbound.chatId,
            message: { text: t('vi', FAULT_MESSAGES[error.code]) },
            idempotencyKey: `fault:${inbound.channel}:${inbound.externalId}`,
          },
        ],
        now,
      ),
    );
    if (added > 0) {
      deps.afterEnqueue?.();
    }
  };
}
