/**
 * The inbound use case wired to the memory store and a fixed clock, with helpers to send a
 * message and read back exactly the replies it put in the outbox.
 */

import { z } from 'zod';
import type { FlowState } from '../flows/flow.ts';
import { SHOWN_CHOICES_FLOW } from '../flows/shown-choices.ts';
import { createInboundHandler, type InboundDeps, type InboundOutcome } from '../inbound/handle-inbound.ts';
import type { Inbound, Outbound } from '../messaging/message.ts';
import { createFixedClock } from '../shared/clock.ts';
import { DEMO_NOW, type Demo, seedDemo, type TestUser } from './builders.ts';
import { createMemoryStore, type MemoryStore } from './memory-store.ts';

export const DEFAULT_FLOW_TTL_MS = 60 * 60_000;

export interface Sent {
  outcome: InboundOutcome;
  replies: Outbound[];
  /** All reply texts joined by blank lines, handy for `toContain`. */
  text: string;
  /** Every option id offered by the replies (`choices`: one of them is the answer). */
  buttons: string[];
  /** Every quick-answer id offered by the replies (`suggestions` for a typed question). */
  suggestions: string[];
}

export interface BotHarness {
  store: MemoryStore;
  clock: ReturnType<typeof createFixedClock>;
  demo: Demo;
  handle(inbound: Inbound): Promise<InboundOutcome>;
  /** Handles `inbound` and returns the replies it enqueued. */
  send(inbound: Inbound): Promise<Sent>;
  /** The replies an already handled inbound enqueued, in order. */
  repliesTo(inbound: Inbound): Outbound[];
  /** The chat's saved conversation, decoded; undefined when there is none. */
  flowOf(user: TestUser): FlowState | undefined;
}

const ZSaved = z.object({
  data: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
  ctx: z.unknown(),
  reviewing: z.boolean(),
});

export function createBotHarness(
  options: { now?: string; flowTtlMs?: number; features?: InboundDeps['features'] } = {},
): BotHarness {
  const store = createMemoryStore();
  const clock = createFixedClock(options.now ?? DEMO_NOW);
  const demo = seedDemo(store);
  const handle = createInboundHandler({
    uow: store.uow,
    clock,
    flowTtlMs: options.flowTtlMs ?? DEFAULT_FLOW_TTL_MS,
    timeZone: 'Asia/Ho_Chi_Minh',
    features: options.features,
  });

  function repliesTo(inbound: Inbound): Outbound[] {
    const prefix = `reply:${inbound.channel}:${inbound.externalId}:`;
    return store.state.outbox
      .filter((o) => o.idempotencyKey.startsWith(prefix))
      .sort(
        (a, b) =>
          Number(a.idempotencyKey.slice(prefix.length)) - Number(b.idempotencyKey.slice(prefix.length)),
      )
      .map((o) => o.message);
  }

  return {
    store,
    clock,
    demo,
    handle,
    async send(inbound) {
      const outcome = await handle(inbound);
      const replies = repliesTo(inbound);
      return {
        outcome,
        replies,
        text: replies.map((r) => r.text).join('\n\n'),
        buttons: replies.flatMap((r) => (r.choices ?? []).flat().map((c) => c.id)),
        suggestions: replies.flatMap((r) => (r.suggestions ?? []).map((c) => c.id)),
      };
    },
    repliesTo,
    flowOf(user) {
      const row = store.state.flows.find((f) => f.channel === user.channel && f.chatId === user.chatId);
      if (!row || row.flow === SHOWN_CHOICES_FLOW) {
        return undefined;
      }
      const saved = ZSaved.parse(JSON.parse(row.data));
      return { flow: row.flow, version: row.version, step: row.step, ...saved };
    },
  };
}
