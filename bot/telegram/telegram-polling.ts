import { type Bot, BotError, GrammyError } from 'grammy';
import type { Update } from 'grammy/types';
import type { ChatType } from '../../core/messaging/message.ts';
import type { Logger } from '../logger.ts';

export interface TelegramPollingDeps {
  bot: Bot;
  log: Logger;
  allowedUpdates: ('message' | 'callback_query')[];
  /** Whether a failed update must wait for the database (tried again) rather than be given up. */
  mustWait: (error: unknown) => boolean;
  /** The chat of an update waiting behind one the database cannot take yet (to tell it so). */
  onWaiting: (chat: { chatId: string; chatType: ChatType }) => void;
  /** Seconds a getUpdates call waits for updates. Default 30. */
  timeoutSeconds?: number;
}

/** How the loop is doing, for /healthz (bot/health.ts); times are `Date.now()` values. */
export interface PollingStatus {
  /** The loop ended without being stopped: nothing is fetched any more. */
  ended: boolean;
  /** The last sign of progress: a getUpdates answered, an update handled. */
  lastProgressAt: number;
  /** Since when getUpdates has failed without a success between (undefined: the last call worked). */
  failingSince: number | undefined;
  lastError: string | undefined;
  /** When the getUpdates call in flight started (undefined: none in flight). */
  callSince: number | undefined;
  /** How long a getUpdates call may rightly wait for updates (its long-poll timeout). */
  pollTimeoutMs: number;
}

/** Longest pause between two tries of an update waiting for the database. */
const MAX_WAIT_MS = 5_000;

/**
 * Long polling that never moves past an update the database could not take. grammY's own
 * `bot.start()` confirms an update (the next getUpdates' offset) once its error handler has seen
 * the error, so an answer taken while the database was down was gone. Here updates are handled one
 * at a time, in order; one whose handling failed because the database is unavailable is tried
 * again, with pauses up to 5 s, until it is recorded, and nothing is fetched past it meanwhile
 * (getUpdates only looks at the updates waiting behind it, without confirming them, so their chats
 * can be told to wait). Stopped meanwhile, the offset confirmed is that update's own, so the next
 * start handles it. An update that fails for another reason (a bug) is logged and left, as before.
 */
export function startTelegramPolling(deps: TelegramPollingDeps): {
  stop(): Promise<void>;
  status(): PollingStatus;
} {
  const { bot, log } = deps;
  const timeoutSeconds = deps.timeoutSeconds ?? 30;
  const state: PollingStatus = {
    ended: false,
    lastProgressAt: Date.now(),
    failingSince: undefined,
    lastError: undefined,
    callSince: undefined,
    pollTimeoutMs: timeoutSeconds * 1000,
  };
  const abort = new AbortController();
  // grammY types its signal after the abort-controller package; Node's is the same thing.
  const signal = abort.signal as unknown as Parameters<Bot['api']['getUpdates']>[1];
  let stopped = false;
  /** The first update not yet handled (0: whatever Telegram has). */
  let offset = 0;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        abort.signal.removeEventListener('abort', done);
        resolve();
      }
      abort.signal.addEventListener('abort', done);
    });

  /** Resolves true once the update is handled (or given up as a bug), false when stopped first. */
  async function handle(update: Update): Promise<boolean> {
    for (let attempt = 1; !stopped; attempt++) {
      try {
        await bot.handleUpdate(update);
        return true;
      } catch (thrown) {
        const error = thrown instanceof BotError ? thrown.error : thrown;
        if (!deps.mustWait(error)) {
          log.error({ err: error, update_id: update.update_id }, 'telegram update failed');
          return true;
        }
        if (attempt === 1 || attempt % 10 === 0) {
          log.warn(
            { err: error, update_id: update.update_id, attempt },
            'telegram update waits for the database',
          );
        }
        await lookBehind(update.update_id);
        await pause(Math.min(500 * 2 ** (attempt - 1), MAX_WAIT_MS));
      }
    }
    return false;
  }

  /** The chats of the updates queued behind `updateId`, fetched without confirming them. */
  async function lookBehind(updateId: number): Promise<void> {
    try {
      const waiting = await bot.api.getUpdates({ offset: updateId, limit: 100, timeout: 0 }, signal);
      for (const u of waiting) {
        const chat = chatOf(u);
        if (u.update_id > updateId && chat) {
          deps.onWaiting(chat);
        }
      }
    } catch (error) {
      if (!stopped) {
        log.warn({ err: error }, 'telegram getUpdates failed');
      }
    }
  }

  async function loop(): Promise<void> {
    let failures = 0;
    while (!stopped) {
      let updates: Update[];
      state.callSince = Date.now();
      try {
        updates = await bot.api.getUpdates(
          { offset, timeout: timeoutSeconds, allowed_updates: deps.allowedUpdates },
          signal,
        );
        failures = 0;
        state.callSince = undefined;
        state.failingSince = undefined;
        state.lastProgressAt = Date.now();
      } catch (error) {
        if (stopped) {
          break;
        }
        failures += 1;
        state.callSince = undefined;
        state.failingSince ??= Date.now();
        state.lastError = error instanceof Error ? error.message : String(error);
        const retryAfter = error instanceof GrammyError ? error.parameters.retry_after : undefined;
        log.warn({ err: error }, 'telegram getUpdates failed');
        await pause(retryAfter ? retryAfter * 1000 : Math.min(1_000 * 2 ** (failures - 1), 30_000));
        continue;
      }
      for (const update of updates) {
        if (stopped || !(await handle(update))) {
          break;
        }
        offset = update.update_id + 1;
        state.lastProgressAt = Date.now();
      }
    }
  }

  const running = loop()
    .catch((error: unknown) => log.error({ err: error }, 'telegram polling stopped'))
    .finally(() => {
      state.ended = !stopped;
    });
  return {
    status: () => ({ ...state }),
    async stop() {
      stopped = true;
      abort.abort();
      await running;
      if (offset > 0) {
        // Confirm what was handled, so the next start does not fetch it again.
        await bot.api
          .getUpdates({ offset, limit: 1, timeout: 0 })
          .catch((error: unknown) => log.warn({ err: error }, 'confirming telegram updates failed'));
      }
    },
  };
}

function chatOf(update: Update): { chatId: string; chatType: ChatType } | undefined {
  const chat = update.message?.chat ?? update.callback_query?.message?.chat;
  if (chat) {
    return { chatId: String(chat.id), chatType: chat.type === 'private' ? 'private' : 'group' };
  }
  const from = update.callback_query?.from;
  return from ? { chatId: String(from.id), chatType: 'private' } : undefined;
}
