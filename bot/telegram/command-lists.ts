import { setTimeout as sleep } from 'node:timers/promises';
import { type Api, GrammyError } from 'grammy';
import type { BotCommandScope } from 'grammy/types';
import {
  personCommandList,
  TELEGRAM_LIST_LOCALES,
  type TelegramCommand,
  type TelegramCommandList,
} from '../../core/features/derive.ts';
import type { Feature } from '../../core/features/feature.ts';
import type { Locale } from '../../core/messaging/catalog.ts';
import type { Role } from '../../core/shared/actor.ts';
import type { UnitOfWork } from '../../core/unit-of-work.ts';
import type { Logger } from '../logger.ts';

/**
 * Telegram's "/" menus (issue 18 §4), derived from the registry of features (core/features):
 * - the public list — what anyone may use, a stranger too (/start, /ungho, /phananh, /tracuu…) — as
 *   Telegram's default and for all private chats;
 * - the groups' own list (/dangkynhom, /digest…) for all group chats;
 * - for each cadre's private chat, their own list: the public commands and every command their roles
 *   may use (a leader's /tinhhinh, /xuatbaocao…), set at start, again when their roles change (an
 *   invite redeemed in chat: `kick`; the CLI: the periodic pass) and taken back when they have none.
 * Each in Vietnamese (no language code: everyone else) and English (`en` clients). A list that fails
 * is logged; the bot works without.
 */

/** Telegram's scopes each shared list is set for. */
const SHARED_SCOPES: Record<TelegramCommandList['scope'], readonly BotCommandScope[]> = {
  public: [{ type: 'default' }, { type: 'all_private_chats' }],
  group: [{ type: 'all_group_chats' }],
};

/** The roles whose people get a list of their own; donors and citizens use the public one. */
export const CADRE_ROLES = [
  'admin',
  'leader',
  'unit_officer',
  'org_leader',
  'fund_officer',
] as const satisfies Role[];

/** Sets the shared lists (public and groups), each in every language. */
export async function setTelegramCommands(
  api: Api,
  lists: readonly TelegramCommandList[],
  log: Logger,
  signal?: AbortSignal,
): Promise<void> {
  for (const list of lists.filter((l) => l.commands.length > 0)) {
    for (const scope of SHARED_SCOPES[list.scope]) {
      const ok = await withRetryAfter(
        () => api.setMyCommands(list.commands, { scope, ...languageOf(list.locale) }),
        signal,
      );
      if (ok !== true) {
        log.warn({ err: ok.error, scope: scope.type, locale: list.locale }, 'setMyCommands failed');
      }
    }
  }
}

/** One call's tries on 429 (after its `retry_after`) before it is given up. */
const MAX_TRIES = 3;
/** The longest `retry_after` waited; longer, the call is given up (a chat's list: until the next pass). */
const MAX_RETRY_AFTER_S = 60;

/** A call to Telegram, tried again after a 429's `retry_after`: true, or the error it ended with. */
async function withRetryAfter(
  what: () => Promise<unknown>,
  signal?: AbortSignal,
): Promise<true | { error: unknown }> {
  for (let tries = 1; ; tries++) {
    try {
      await what();
      return true;
    } catch (error) {
      const retryAfter = error instanceof GrammyError ? error.parameters.retry_after : undefined;
      if (
        signal?.aborted ||
        retryAfter === undefined ||
        retryAfter > MAX_RETRY_AFTER_S ||
        tries >= MAX_TRIES
      ) {
        return { error };
      }
      const waited = await sleep(retryAfter * 1000, true, { signal }).catch(() => false);
      if (!waited) {
        return { error };
      }
    }
  }
}

/** Vietnamese is the list without a language code (whoever has no list of their own language). */
function languageOf(locale: Locale): { language_code?: 'en' } {
  return locale === 'vi' ? {} : { language_code: locale };
}

export interface ChatCommandListsDeps {
  api: Api;
  features: readonly Feature[];
  uow: UnitOfWork;
  log: Logger;
  /** The pause between two calls to Telegram, to stay far below its limits. Default 100 ms. */
  spacingMs?: number;
  /** A full pass this often, for roles changed elsewhere (the CLI). Default 10 minutes; 0: none. */
  refreshMs?: number;
}

export interface ChatCommandLists {
  start(): void;
  /** Someone's roles changed: a pass soon (each chat's list is sent only when it changed). */
  kick(): void;
  /** Resolves once no pass runs or is asked for (tests). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The per-chat lists. What was set is remembered per chat (for this process), so a pass sends only
 * the lists that changed; a pass reads the cadres' Telegram chats in one query.
 */
export function createChatCommandLists(deps: ChatCommandListsDeps): ChatCommandLists {
  const spacingMs = deps.spacingMs ?? 100;
  const refreshMs = deps.refreshMs ?? 600_000;
  const sent = new Map<string, string>();
  const stopping = new AbortController();
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  async function call(what: () => Promise<unknown>): Promise<boolean> {
    const ok = await withRetryAfter(what, stopping.signal);
    if (ok !== true) {
      if (stopping.signal.aborted) {
        return false;
      }
      deps.log.warn({ err: ok.error }, 'setMyCommands for a chat failed');
      // A chat the bot cannot reach (blocked, deleted) is not asked again until its list changes;
      // anything else (a 5xx, the network, a long 429) at the next pass.
      const refused =
        ok.error instanceof GrammyError && ok.error.error_code >= 400 && ok.error.error_code < 429;
      return refused;
    }
    return sleep(spacingMs, true, { signal: stopping.signal }).catch(() => false);
  }

  async function pass(): Promise<void> {
    const chats = await deps.uow.run((tx) => tx.people.chatsOfRoleHolders('telegram', CADRE_ROLES));
    let changed = 0;
    for (const { chatId, actor } of chats) {
      if (stopping.signal.aborted) {
        return;
      }
      const cadre = actor.memberships.some((m) => (CADRE_ROLES as readonly Role[]).includes(m.role));
      const lists = TELEGRAM_LIST_LOCALES.map((locale) => ({
        locale,
        commands: cadre ? personCommandList(deps.features, actor, locale) : [],
      }));
      const signature = JSON.stringify(lists);
      if (sent.get(chatId) === signature) {
        continue;
      }
      const scope: BotCommandScope = { type: 'chat', chat_id: chatIdOf(chatId) };
      let ok = true;
      for (const list of lists) {
        ok = (await call(() => setOrDelete(deps.api, scope, list.locale, list.commands))) && ok;
      }
      if (ok) {
        sent.set(chatId, signature);
        changed++;
      }
    }
    if (changed > 0) {
      deps.log.info({ chats: changed }, 'telegram command lists of cadres set');
    }
  }

  function run(): void {
    if (running !== undefined) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await pass().catch((error: unknown) =>
          deps.log.warn({ err: error }, 'telegram command lists of cadres could not be read'),
        );
      } while (again && !stopping.signal.aborted);
    })().finally(() => {
      running = undefined;
    });
  }

  return {
    start() {
      run();
      if (refreshMs > 0) {
        timer = setInterval(run, refreshMs);
        timer.unref();
      }
    },
    kick: run,
    async idle() {
      while (running !== undefined) {
        await running;
      }
    },
    async stop() {
      clearInterval(timer);
      stopping.abort();
      await running;
    },
  };
}

/** A chat without commands of its own has its list taken back (it then sees the public one). */
function setOrDelete(api: Api, scope: BotCommandScope, locale: Locale, commands: TelegramCommand[]) {
  return commands.length > 0
    ? api.setMyCommands(commands, { scope, ...languageOf(locale) })
    : api.deleteMyCommands({ scope, ...languageOf(locale) });
}

/** Telegram's chat ids are numbers; a private chat's is the user's id. */
function chatIdOf(chatId: string): number | string {
  return /^-?\d+$/.test(chatId) ? Number(chatId) : chatId;
}
