import { deriveChat, flowsOf } from '../features/derive.ts';
import type { AnyRunner, Feature } from '../features/feature.ts';
import { FEATURES } from '../features/registry.ts';
import type { Locale } from '../messaging/catalog.ts';
import { withoutMarkup } from '../messaging/markup.ts';
import type { Inbound } from '../messaging/message.ts';
import type { Clock } from '../shared/clock.ts';
import { stripHiddenControls } from '../shared/parse.ts';
import { chatLockKey, type Tx, type UnitOfWork } from '../unit-of-work.ts';
import { Conversation, type ConversationDeps } from './conversation.ts';

export interface InboundDeps extends Omit<ConversationDeps, 'chat'> {
  uow: UnitOfWork;
  clock: Clock;
  /**
   * Called after a message's transaction committed (wakes the outbox dispatcher and the workers;
   * `joined`: the sender became a member or took a new role, e.g. by an invite).
   */
  afterCommit?: (inbound: Inbound, outcome: InboundOutcome) => void;
  /** The features the chat offers; the app's registry (core/features/registry.ts) by default. */
  features?: readonly Feature[];
}

/** `locale`: the language the sender was answered in (a channel marking a tapped button uses it). */
export type InboundOutcome =
  | { duplicate: true }
  | { duplicate: false; replies: number; joined?: true; locale?: Locale };

/** Every multi-step flow the dispatcher runs (the hardening fuzz test walks each of them). */
export const FLOW_RUNNERS: readonly AnyRunner[] = flowsOf(FEATURES);

/**
 * Handles one inbound message in one transaction (DESIGN.md §4): dedupe on the channel's event id,
 * load the sender and the chat's conversation, apply the message, save, audit, and put the
 * replies in the outbox. A redelivered message changes nothing. What the chat understands —
 * commands, menu, buttons, flows — comes from the registry of features.
 */
export function createInboundHandler(deps: InboundDeps) {
  const conversationDeps: ConversationDeps = { ...deps, chat: deriveChat(deps.features ?? FEATURES) };
  return async function handleInbound(received: Inbound): Promise<InboundOutcome> {
    const inbound = withoutNul(received);
    const now = deps.clock.now();
    const work = async (tx: Tx): Promise<InboundOutcome> => {
      // Two bot instances on one PostgreSQL may each get an update of the same chat: one at a time.
      await tx.lock(chatLockKey(inbound));
      if (!(await tx.inbound.markSeen(inbound.channel, inbound.externalId, now))) {
        return { duplicate: true };
      }
      const conversation =
        inbound.chatType === 'group'
          ? await groupReplies(tx, inbound, now, conversationDeps)
          : await privateReplies(tx, inbound, now, conversationDeps);
      const { replies } = conversation;
      await tx.outbox.enqueue(
        replies.map((message, i) => ({
          channel: inbound.channel,
          chatId: inbound.chatId,
          message,
          idempotencyKey: `reply:${inbound.channel}:${inbound.externalId}:${i}`,
        })),
        now,
      );
      return {
        duplicate: false,
        replies: replies.length,
        locale: conversation.locale,
        ...(conversation.joined ? { joined: true } : {}),
      };
    };
    // The work touches the database only through `tx`: it may be run as a chat turn.
    const outcome = deps.uow.runChatTurn
      ? await deps.uow.runChatTurn(inbound, work)
      : await deps.uow.run(work);
    deps.afterCommit?.(inbound, outcome);
    return outcome;
  };
}

/** A private chat: the sender's conversation (onboarding, the menu, the active flow). */
async function privateReplies(
  tx: Tx,
  inbound: Inbound,
  now: Date,
  deps: ConversationDeps,
): Promise<Conversation> {
  // The user wrote: whatever could not reach them before may go now (Zalo's window reopens).
  await tx.outbox.releaseHeld(inbound.channel, inbound.chatId, now);
  const actor = await tx.people.findActor(inbound.channel, inbound.senderId);
  if (actor) {
    await tx.people.touchIdentity(inbound.channel, inbound.senderId, now);
  }
  const conversation = new Conversation(tx, inbound, actor, now, deps);
  await conversation.handle();
  return conversation;
}

/** In a group the bot answers only its group commands and otherwise stays quiet. */
async function groupReplies(
  tx: Tx,
  inbound: Inbound,
  now: Date,
  deps: ConversationDeps,
): Promise<Conversation> {
  const actor = await tx.people.findActor(inbound.channel, inbound.senderId);
  const conversation = new Conversation(tx, inbound, actor, now, deps);
  await conversation.handleGroup();
  return conversation;
}

/**
 * The one cleaning of what a sender typed (and their channel name, a group's title) before any
 * flow sees it: PostgreSQL stores no NUL character, and zero-width or direction controls would
 * reach other people in names, feedback and reports (stripHiddenControls), and the characters that
 * mark bold and code spans in the bot's texts (core/messaging/markup.ts) would let a name or a
 * feedback shape how the bot's messages are shown (withoutMarkup).
 */
function withoutNul(inbound: Inbound): Inbound {
  const clean = { ...inbound };
  for (const key of ['text', 'args', 'choiceId', 'senderName', 'chatTitle'] as const) {
    const value = clean[key];
    if (value !== undefined) {
      clean[key] = stripHiddenControls(withoutMarkup(value.replaceAll('\u0000', '')));
    }
  }
  return clean;
}
