import { describe, expect, it } from 'vitest';
import type { Inbound } from '../core/messaging/message.ts';
import { AppError } from '../core/shared/app-error.ts';
import { withRetry } from './inbound-retry.ts';
import { createLogger } from './logger.ts';

const inbound: Inbound = {
  channel: 'telegram',
  chatId: '5001',
  chatType: 'private',
  senderId: '5001',
  externalId: 'evt-1',
  receivedAt: new Date('2025-03-10T03:00:00Z'),
  kind: 'text',
  text: 'Gửi',
};

/** A handler failing `failures` times with `error`, then answering; the database is never away. */
function harness(error: Error, failures: number) {
  let calls = 0;
  const faults: AppError[] = [];
  const handle = withRetry(
    async () => {
      calls += 1;
      if (calls <= failures) {
        throw error;
      }
      return { duplicate: false, replies: 1 };
    },
    createLogger({ level: 'silent', secrets: [] }),
    { mustWait: () => false, busy: () => undefined },
    async (_inbound, fault) => {
      faults.push(fault);
    },
  );
  return { handle, calls: () => calls, faults };
}

describe('the bot edge and the faults of the core', () => {
  it('does not retry a coded fault: the chat is told once and the message counts as answered', async () => {
    const fault = new AppError('NOT_FOUND', 'pledge 7 vanished inside its transaction');
    const h = harness(fault, 5);
    await expect(h.handle(inbound)).resolves.toEqual({ duplicate: false, replies: 1 });
    expect(h.calls()).toBe(1);
    expect(h.faults).toEqual([fault]);
  });

  it('retries a conflict, which a second try may get past, and tells the chat nothing', async () => {
    const h = harness(new AppError('CONFLICT', 'invite code taken meanwhile'), 1);
    await expect(h.handle(inbound)).resolves.toEqual({ duplicate: false, replies: 1 });
    expect(h.calls()).toBe(2);
    expect(h.faults).toEqual([]);
  });

  it('tries any other error three times, then leaves it to the channel', async () => {
    const h = harness(new Error('disk I/O error'), 5);
    await expect(h.handle(inbound)).rejects.toThrow('disk I/O error');
    expect(h.calls()).toBe(3);
    expect(h.faults).toEqual([]);
  });
});
