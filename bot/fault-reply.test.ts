import { describe, expect, it } from 'vitest';
import { t } from '../core/messaging/catalog.ts';
import type { Inbound } from '../core/messaging/message.ts';
import type { OutboxItem, OutboxRepository } from '../core/messaging/outbox.repository.ts';
import { APP_ERROR_CODES, AppError } from '../core/shared/app-error.ts';
import { createFixedClock } from '../core/shared/clock.ts';
import { createFaultReplier, FAULT_MESSAGES } from './fault-reply.ts';

/** A unit of work whose only repository is an outbox that keeps the first item of each key. */
function outboxOnly() {
  const items: OutboxItem[] = [];
  const outbox: Pick<OutboxRepository, 'enqueue'> = {
    async enqueue(batch) {
      const fresh = batch.filter((i) => !items.some((o) => o.idempotencyKey === i.idempotencyKey));
      items.push(...fresh);
      return fresh.length;
    },
  };
  return {
    items,
    uow: { run: <T>(work: (tx: { outbox: typeof outbox }) => Promise<T>) => work({ outbox }) },
  };
}

const inbound: Inbound = {
  channel: 'zalo',
  chatId: 'z-42',
  chatType: 'private',
  senderId: 'z-42',
  externalId: 'evt-9',
  receivedAt: new Date('2025-03-10T03:00:00Z'),
  kind: 'text',
  text: '1',
};

describe('the bot translates a core fault into a reply', () => {
  it('has a Vietnamese and an English text for every code', () => {
    for (const code of APP_ERROR_CODES) {
      expect(t('vi', FAULT_MESSAGES[code])).toMatch(/lưu/);
      expect(t('en', FAULT_MESSAGES[code])).toMatch(/saved/);
    }
  });

  it('tells the chat once, through the outbox, whatever the number of tries', async () => {
    const { items, uow } = outboxOnly();
    let kicks = 0;
    const reply = createFaultReplier({
      uow,
      clock: createFixedClock('2025-03-10T03:00:01Z'),
      afterEnqueue: () => {
        kicks += 1;
      },
    });
    const fault = new AppError('NOT_FOUND', 'pledge 7 vanished inside its transaction');
    await reply(inbound, fault);
    await reply(inbound, fault);
    expect(items).toEqual([
      {
        channel: 'zalo',
        chatId: 'z-42',
        message: { text: t('vi', 'fault.not_found') },
        idempotencyKey: 'fault:zalo:evt-9',
      },
    ]);
    expect(kicks).toBe(1);
  });
});
