import { type Api, GrammyError } from 'grammy';
import type { LeadershipGroupRecord } from '../../core/digests/group.repository.ts';
import {
  buildPinnedTotals,
  type PinnedTotals,
  pinnedTotalsText,
  showsTotals,
} from '../../core/digests/pinned-totals.ts';
import type { Clock } from '../../core/shared/clock.ts';
import type { UnitOfWork } from '../../core/unit-of-work.ts';
import type { Logger } from '../logger.ts';
import { modeOf, sendMarked } from './telegram-sender.ts';

export interface PinnedTotalsDeps {
  store: UnitOfWork;
  api: Pick<Api, 'sendMessage' | 'editMessageText' | 'pinChatMessage'>;
  clock: Clock;
  log: Logger;
  /** At most one send or edit per group in this many ms (PINNED_TOTALS_EDIT_SECONDS). */
  editIntervalMs: number;
  /** How often the change check runs when nothing kicks it (default 5 s). */
  pollMs?: number;
}

export interface PinnedTotalsPass {
  sent: number;
  edited: number;
  /** Groups whose message is behind and waits for its next slot (the edits' pace, a 429). */
  waiting: number;
}

export interface PinnedTotalsLoop {
  /** One pass now; waits for a pass already running. Tests drive the loop with it. */
  runOnce(): Promise<PinnedTotalsPass>;
  /** Something may have changed (an inbound message committed): look soon. */
  kick(): void;
  start(): void;
  stop(): Promise<void>;
}

/**
 * A first message not yet recorded belongs to the instance that claimed it this long: sending and
 * pinning take a second or two, so a claim older than this is of an instance that died meanwhile.
 */
const FIRST_SEND_LEASE_MS = 60_000;
/** A full pass at least this often, even when the change check sees nothing (a campaign opening). */
const FULL_PASS_MS = 5 * 60_000;
const KICK_DELAY_MS = 100;

type Failure =
  | { kind: 'not_modified' }
  | { kind: 'gone' }
  | { kind: 'retry_after'; ms: number }
  | { kind: 'refused'; reason: string }
  | { kind: 'transient'; reason: string };

/** What a Bot API error means for the pinned message (grammY's auto-retry rethrows 429s at once). */
function failureOf(error: unknown): Failure {
  if (!(error instanceof GrammyError)) {
    return { kind: 'transient', reason: error instanceof Error ? error.message : String(error) };
  }
  const text = error.description;
  if (error.error_code === 429) {
    return { kind: 'retry_after', ms: (error.parameters.retry_after ?? 5) * 1000 };
  }
  if (/message is not modified/i.test(text)) {
    return { kind: 'not_modified' };
  }
  if (/message to edit not found|message can't be edited|MESSAGE_ID_INVALID/i.test(text)) {
    return { kind: 'gone' };
  }
  if (error.error_code === 403 || /chat not found|upgraded to a supergroup|not enough rights/i.test(text)) {
    return { kind: 'refused', reason: text };
  }
  return { kind: 'transient', reason: text };
}

/**
 * The pinned totals message of each active Telegram leadership group (issue 17 §3): sent and pinned
 * once, then edited in place when the figures change — at most once per group per `editIntervalMs`
 * (Telegram allows about 20 messages a minute in a group, shared with the digests), changes that
 * arrive meanwhile going into the next edit. A cheap change check (the board's stamp of each
 * campaign, the list of groups) runs every `pollMs` or when kicked after an inbound commit, so an
 * idle bot reads a few sums, not the totals of every group.
 *
 * Several instances: before sending or editing, an instance claims the group's turn by moving its
 * `pinnedAt` from the value it read (`claimPinned`); the one whose update changed nothing leaves
 * it. The pace and the lease are that one column, so a restart neither sends a second message nor
 * edits sooner than the pace allows.
 *
 * Zalo groups are left out: the Official Account API cannot edit or pin a message it sent, and a
 * new message on every pledge would flood the group; they get the digests.
 *
 * A message deleted in the group (or that can no longer be edited) is replaced by a new one, pinned.
 * A member who unpins it is not overruled: Telegram's getChat names only the newest pin, so the
 * bot cannot tell "unpinned" from "another message pinned since", and re-pinning would bury the
 * leaders' own pins. A group where the bot may not pin gets the message unpinned (logged once).
 */
export function createPinnedTotals(deps: PinnedTotalsDeps): PinnedTotalsLoop {
  const pollMs = deps.pollMs ?? 5_000;
  let lastStamp: string | undefined;
  let lastFullPass = Number.NEGATIVE_INFINITY;
  let dirty = true;
  /** The earliest moment a waiting group may be sent or edited, and how many wait. */
  let dueAt: number | undefined;
  let waiting = 0;
  /** Per group, a 429's retry_after. */
  const notBefore = new Map<number, number>();
  /** Campaigns of the groups' areas at the last full pass: their stamps are the change check. */
  let campaignIds: number[] = [];
  const warned = new Set<string>();
  let running: Promise<PinnedTotalsPass> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let started = false;

  /** Logs a group's lasting problem once per process (a group without pin rights, a removed bot). */
  function warnOnce(group: LeadershipGroupRecord, what: string, reason: string): void {
    const key = `${group.id}:${what}`;
    if (!warned.has(key)) {
      warned.add(key);
      deps.log.warn({ groupId: group.id, chatId: group.chatId, reason }, `pinned totals: ${what}`);
    }
  }

  async function changeStamp(): Promise<{ groups: LeadershipGroupRecord[]; stamp: string }> {
    return deps.store.run(async (tx) => {
      const groups = (await tx.groups.listActive()).filter((g) => g.channel === 'telegram');
      const stamps = await Promise.all(campaignIds.map((id) => tx.board.stamp(id)));
      const list = groups.map((g) => `${g.id}:${g.unitId}:${g.pinned.messageId ?? ''}`);
      return { groups, stamp: `${list.join(',')}|${stamps.join(',')}` };
    });
  }

  async function pass(): Promise<PinnedTotalsPass> {
    const result: PinnedTotalsPass = { sent: 0, edited: 0, waiting: 0 };
    const now = deps.clock.now();
    const at = now.getTime();
    // Taken before reading: a kick that arrives while the stamp is read marks the next pass (a
    // group registered meanwhile is not left to the poll).
    const kicked = dirty;
    dirty = false;
    const { groups, stamp } = await changeStamp();
    const due = dueAt !== undefined && dueAt <= at;
    if (!kicked && !due && stamp === lastStamp && at - lastFullPass < FULL_PASS_MS) {
      return { ...result, waiting };
    }
    dueAt = undefined;
    lastStamp = stamp;
    lastFullPass = at;
    const totals = await deps.store.run(async (tx) => {
      const byUnit = new Map<number, PinnedTotals | undefined>();
      for (const unitId of new Set(groups.map((g) => g.unitId))) {
        byUnit.set(unitId, await buildPinnedTotals(tx, unitId, now));
      }
      return byUnit;
    });
    campaignIds = [...new Set([...totals.values()].flatMap((t) => (t ? [t.campaignId] : [])))];
    for (const group of groups) {
      const shown = totals.get(group.unitId);
      if (!shown || (group.pinned.messageId !== null && showsTotals(group.pinned.text, shown))) {
        continue;
      }
      const lease = group.pinned.messageId === null ? FIRST_SEND_LEASE_MS : deps.editIntervalMs;
      const readyAt = Math.max(
        (group.pinned.at?.getTime() ?? Number.NEGATIVE_INFINITY) + lease,
        notBefore.get(group.id) ?? Number.NEGATIVE_INFINITY,
      );
      if (readyAt > at) {
        wait(result, readyAt);
        continue;
      }
      // The group's turn, taken from the `pinnedAt` read: another instance that read it too finds
      // its update changing nothing and leaves the group to this one.
      if (!(await deps.store.run((tx) => tx.groups.claimPinned(group.id, group.pinned.at, now)))) {
        wait(result, at + deps.editIntervalMs);
        continue;
      }
      const outcome = await update(group, pinnedTotalsText(shown, now), now);
      if (outcome === 'waiting') {
        wait(result, Math.max(at + deps.editIntervalMs, notBefore.get(group.id) ?? 0));
      } else if (outcome !== 'refused') {
        result[outcome] += 1;
      }
    }
    waiting = result.waiting;
    return result;
  }

  function wait(result: PinnedTotalsPass, readyAt: number): void {
    result.waiting += 1;
    dueAt = Math.min(dueAt ?? readyAt, readyAt);
  }

  /** Edits the group's message, or sends (and pins) a new one; records what it now shows. */
  async function update(
    group: LeadershipGroupRecord,
    text: string,
    now: Date,
  ): Promise<'sent' | 'edited' | 'waiting' | 'refused'> {
    let messageId = group.pinned.messageId;
    let outcome: 'sent' | 'edited' = 'edited';
    try {
      if (messageId !== null) {
        try {
          const id = Number(messageId);
          await sendMarked(
            text,
            (shown) => deps.api.editMessageText(group.chatId, id, shown.text, modeOf(shown)),
            deps.log,
          );
        } catch (error) {
          const failure = failureOf(error);
          if (failure.kind === 'gone') {
            deps.log.info({ groupId: group.id }, 'pinned totals message gone: sending a new one');
            messageId = null;
          } else if (failure.kind !== 'not_modified') {
            throw error;
          }
        }
      }
      if (messageId === null) {
        const sent = await sendMarked(
          text,
          (shown) =>
            deps.api.sendMessage(group.chatId, shown.text, { ...modeOf(shown), disable_notification: true }),
          deps.log,
        );
        messageId = String(sent.message_id);
        outcome = 'sent';
        await pin(group, sent.message_id);
      }
    } catch (error) {
      const failure = failureOf(error);
      if (failure.kind === 'retry_after') {
        notBefore.set(group.id, now.getTime() + failure.ms);
        return 'waiting';
      }
      if (failure.kind === 'refused') {
        // Removed from the group, or the group is gone: tried again at the next change.
        warnOnce(group, 'the group refuses the bot', failure.reason);
        return 'refused';
      }
      deps.log.warn({ groupId: group.id, err: error }, 'pinned totals: send failed, trying again');
      return 'waiting';
    }
    notBefore.delete(group.id);
    const id = messageId;
    await deps.store.run((tx) => tx.groups.setPinned(group.id, { messageId: id, text }, now));
    deps.log.info({ groupId: group.id, messageId: id, outcome }, 'pinned totals message updated');
    return outcome;
  }

  /** Pins without a notification; a group where the bot may not pin keeps the message unpinned. */
  async function pin(group: LeadershipGroupRecord, messageId: number): Promise<void> {
    try {
      await deps.api.pinChatMessage(group.chatId, messageId, { disable_notification: true });
    } catch (error) {
      const failure = failureOf(error);
      if (failure.kind === 'retry_after') {
        throw error;
      }
      warnOnce(group, 'the message could not be pinned', 'reason' in failure ? failure.reason : failure.kind);
    }
  }

  async function runOnce(): Promise<PinnedTotalsPass> {
    while (running !== undefined) {
      await running.catch(() => undefined);
    }
    running = pass();
    try {
      return await running;
    } finally {
      running = undefined;
    }
  }

  function schedule(delayMs: number): void {
    if (!started) {
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      runOnce()
        .catch((error: unknown) => deps.log.error({ err: error }, 'pinned totals pass failed'))
        .finally(() => {
          const wake = dueAt === undefined ? pollMs : Math.max(0, dueAt - deps.clock.now().getTime());
          if (timer === undefined) {
            schedule(dirty ? KICK_DELAY_MS : Math.min(pollMs, wake));
          }
        });
    }, delayMs);
    timer.unref();
  }

  return {
    runOnce,
    kick() {
      dirty = true;
      if (running === undefined) {
        schedule(KICK_DELAY_MS);
      }
    },
    start() {
      started = true;
      schedule(0);
    },
    async stop() {
      started = false;
      clearTimeout(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}
