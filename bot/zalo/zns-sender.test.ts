import { describe, expect, it } from 'vitest';
import type { ChannelSender } from '../../core/messaging/messenger.ts';
import { createFixedClock } from '../../core/shared/clock.ts';
import type { ZnsStore } from '../../prisma/zns-store.ts';
import type { ZnsConfig } from '../config.ts';
import { ZaloApiError, ZaloHttpError } from './zalo-errors.ts';
import { templateData, withZnsFallback } from './zns-sender.ts';

/**
 * The branches the end-to-end tests (test/zalo.e2e.test.ts) cannot reach in time: a send that got
 * no answer is never repeated, a night refusal waits for the morning, a token refusal retries.
 */

const config: ZnsConfig = {
  url: 'https://zns.example/message/template',
  windowMs: 7 * 86_400_000,
  mode: undefined,
  templates: { reminder: { templateId: '1', params: undefined, costDong: 300, variable: 'V' } },
};
const message = { text: 'Nhắc', notice: { kind: 'reminder' as const, params: { title: 'Báo cáo' } } };

function world(refusal: Error) {
  const statuses = new Map<number, string>();
  let calls = 0;
  const alerts: string[] = [];
  const store: ZnsStore = {
    recipient: async () => ({
      personId: 1,
      fullName: 'A',
      phone: '0912345678',
      lastInteractionAt: new Date('2025-01-01T00:00:00Z'),
    }),
    begin: async (id) => {
      const s = statuses.get(id);
      if (s === undefined || s === 'refused') {
        statuses.set(id, 'sending');
        return 'go';
      }
      return s === 'sent' ? 'sent' : 'unknown';
    },
    sent: async (id) => void statuses.set(id, 'sent'),
    statusOf: async (id) => statuses.get(id),
    refused: async (id) => void statuses.set(id, 'refused'),
    unknown: async (id) => void statuses.set(id, 'unknown'),
  };
  const inner: ChannelSender = { send: async () => ({ ok: true }) };
  const sender = withZnsFallback(inner, {
    client: {
      sendTemplate: async () => {
        calls++;
        throw refusal;
      },
    },
    config,
    store,
    // 23:00 in Vietnam, weeks after the last message.
    clock: createFixedClock(new Date('2025-03-10T16:00:00Z')),
    timeZone: 'Asia/Ho_Chi_Minh',
    log: { info: () => {}, warn: () => {} },
    alert: (key) => alerts.push(key),
  });
  return { sender, calls: () => calls, alerts, statuses };
}

describe('ZNS fallback', () => {
  it('a send that got no answer is not sent again, and the admins are told', async () => {
    const w = world(new ZaloHttpError('zns', 'ECONNABORTED timeout of 10000ms exceeded'));
    expect(await w.sender.send('42', message, { outboxId: 7 })).toMatchObject({ ok: false, retry: false });
    expect(await w.sender.send('42', message, { outboxId: 7 })).toMatchObject({ ok: false, retry: false });
    expect(w.calls()).toBe(1);
    expect(w.statuses.get(7)).toBe('unknown');
    expect(w.alerts).toEqual(['zns:unknown:7']);
  });

  it('a refused connection sends nothing: tried again in a minute', async () => {
    const w = world(new ZaloHttpError('zns', 'ECONNREFUSED connect', { cause: new Error('x') }));
    expect(await w.sender.send('42', message, { outboxId: 8 })).toMatchObject({
      retry: true,
      retryAfterMs: 60_000,
    });
    expect(w.statuses.get(8)).toBe('refused');
  });

  it('at night waits for 06:00; a token refusal tries again in 10 minutes', async () => {
    const night = world(new ZaloApiError('zns', -133, 'not allowed at night'));
    expect(await night.sender.send('42', message, { outboxId: 9 })).toMatchObject({
      retry: true,
      retryAfterMs: 7 * 3_600_000,
    });
    const token = world(new ZaloApiError('zns', -124, 'Access token is invalid'));
    expect(await token.sender.send('42', message, { outboxId: 10 })).toMatchObject({
      retry: true,
      retryAfterMs: 600_000,
    });
    expect(token.alerts).toEqual(['zns:token:2025-03-10']);
  });

  it("maps our params to the template's, fills a missing one and cuts a long one", () => {
    const template = {
      templateId: '1',
      params: [
        ['ten', 'name'],
        ['han', 'due'],
        ['nd', 'title'],
      ] as [string, string][],
      costDong: 0,
      variable: 'V',
    };
    expect(templateData(template, { name: 'Lan', title: 'x'.repeat(150) })).toEqual({
      ten: 'Lan',
      han: '–',
      nd: `${'x'.repeat(99)}…`,
    });
  });
});
