import type { Locale } from '../messaging/catalog.ts';
import { t } from '../messaging/catalog.ts';
import type { Choice } from '../messaging/message.ts';
import type { Actor } from '../shared/actor.ts';
import {
  type AnyRunner,
  type ConfirmRule,
  type Feature,
  type FeatureButton,
  type FeatureCommand,
  listsCommand,
  type TextOf,
} from './feature.ts';

/**
 * What the chat derives from the registry of features: the command and button tables, the flows,
 * the menu, `/help` and the Telegram command lists. Built once per registry (`deriveChat`).
 */
export interface DerivedChat {
  features: readonly Feature[];
  /** Every flow, by id (a saved conversation finds its runner here). */
  runners: ReadonlyMap<string, AnyRunner>;
  /** The flows a stranger may be in. */
  guestFlows: ReadonlySet<string>;
  command(scope: FeatureCommand['scope'], name: string): FeatureCommand | undefined;
  button(name: string): FeatureButton | undefined;
  /** The confirmation rule a feature declares for a flow. */
  confirmation(flowId: string): ConfirmRule | undefined;
}

export function deriveChat(features: readonly Feature[]): DerivedChat {
  const runners = new Map<string, AnyRunner>();
  for (const runner of features.flatMap((f) => f.flows ?? [])) {
    unique(runners, runner.def.id, runner, 'flow');
  }
  const commands = new Map<string, FeatureCommand>();
  for (const command of features.flatMap((f) => f.commands ?? [])) {
    for (const name of commandNames(command)) {
      unique(commands, `${command.scope}:${name}`, command, 'command');
    }
  }
  const buttons = new Map<string, FeatureButton>();
  for (const button of features.flatMap((f) => f.buttons ?? [])) {
    unique(buttons, button.name, button, 'button');
  }
  const confirmations = new Map<string, ConfirmRule>();
  for (const rule of features.flatMap((f) => f.confirmations ?? [])) {
    unique(confirmations, rule.flowId, rule.needs, 'confirmation rule of flow');
  }
  const unconfirmed = [...runners.keys()].filter((id) => !confirmations.has(id));
  if (unconfirmed.length > 0) {
    throw new Error(`flows without a confirmation rule: ${unconfirmed.join(', ')}`);
  }
  return {
    features,
    runners,
    guestFlows: new Set(features.flatMap((f) => f.guestFlows ?? []).map((r) => r.def.id)),
    command: (scope, name) => commands.get(`${scope}:${name}`),
    button: (name) => buttons.get(name),
    confirmation: (flowId) => confirmations.get(flowId),
  };
}

/** Two features claiming one name is a programming error: found at start, not by a user. */
function unique<V>(map: Map<string, V>, key: string, value: V, what: string): void {
  if (map.has(key)) {
    throw new Error(`two features declare the ${what} ${key}`);
  }
  map.set(key, value);
}

export function commandNames(command: FeatureCommand): string[] {
  return [command.vi, ...(command.en ? [command.en] : []), ...(command.aliases ?? [])];
}

/** Every flow of the registry (the hardening fuzz test walks each of them). */
export function flowsOf(features: readonly Feature[]): AnyRunner[] {
  return features.flatMap((f) => f.flows ?? []);
}

/** The main menu's rows for `actor`; entries sharing a `row` sit side by side. */
export function menuRows(features: readonly Feature[], actor: Actor, text: TextOf): Choice[][] {
  const entries = features
    .flatMap((f) => f.menu ?? [])
    .filter((entry) => entry.visible(actor))
    .sort((a, b) => a.order - b.order);
  const rows: Choice[][] = [];
  const shared = new Map<string, Choice[]>();
  for (const entry of entries) {
    const own = entry.rows(actor, text);
    const row = entry.row === undefined ? undefined : shared.get(entry.row);
    if (row) {
      row.push(...own.flat());
    } else if (entry.row !== undefined) {
      const first = own.flat();
      shared.set(entry.row, first);
      rows.push(first);
    } else {
      rows.push(...own);
    }
  }
  return rows;
}

/** `/help`'s list of the private commands `actor` may use, one line each. */
export function helpCommandLines(features: readonly Feature[], actor: Actor, locale: Locale): string[] {
  return features
    .flatMap((f) => f.commands ?? [])
    .filter((c) => c.scope === 'private' && c.description && listsCommand(c, actor))
    .map((c) => {
      const names = locale === 'en' ? [c.en ?? c.vi] : [c.vi, ...(c.en ? [c.en] : [])];
      const description = c.description ? t(locale, c.description) : '';
      return `• ${names.map((n) => `/${n}`).join(', ')} – ${description}`;
    });
}

/** One entry of a Telegram "/" menu: the command's name in the list's language and what it does. */
export interface TelegramCommand {
  command: string;
  description: string;
}

/**
 * One command list for Telegram's "/" menu, in one language: `public` is what anyone may use in a
 * private chat, a stranger too (the bot sets it as Telegram's default and for all private chats),
 * `group` the commands of group chats.
 */
export interface TelegramCommandList {
  scope: 'public' | 'group';
  locale: Locale;
  commands: TelegramCommand[];
}

/** The languages Telegram's lists are set in: Vietnamese as the default, English for English clients. */
export const TELEGRAM_LIST_LOCALES = ['vi', 'en'] as const satisfies readonly Locale[];

/**
 * Telegram's shared command lists, per scope and language: the private commands a stranger may use
 * (`guests`), and the group commands — each command that has a `description` (as for `/help`).
 */
export function telegramCommandLists(features: readonly Feature[]): TelegramCommandList[] {
  return TELEGRAM_LIST_LOCALES.flatMap((locale): TelegramCommandList[] => [
    {
      scope: 'public',
      locale,
      commands: telegramEntries(listedCommands(features, 'private', undefined), locale),
    },
    {
      scope: 'group',
      locale,
      commands: telegramEntries(listedCommands(features, 'group', undefined), locale),
    },
  ]);
}

/**
 * A person's own list for their private chat: the public commands and every private command their
 * roles may use (what `/help` lists them), so a feature a role gains shows there by itself.
 */
export function personCommandList(
  features: readonly Feature[],
  actor: Actor,
  locale: Locale,
): TelegramCommand[] {
  return telegramEntries(listedCommands(features, 'private', actor), locale);
}

/**
 * The commands of a scope with a description that `actor` may use (a stranger: those open to
 * guests), in their Telegram order: by `telegram` place, the others after them in registry order.
 */
function listedCommands(
  features: readonly Feature[],
  scope: FeatureCommand['scope'],
  actor: Actor | undefined,
) {
  return features
    .flatMap((f) => f.commands ?? [])
    .filter((c) => c.scope === scope && c.description)
    .filter((c) => scope === 'group' || c.guests === true || (actor !== undefined && listsCommand(c, actor)))
    .map((c, i) => ({ c, place: c.telegram ?? UNPLACED, i }))
    .sort((a, b) => a.place - b.place || a.i - b.i)
    .map(({ c }) => c);
}

/** Where a command without a `telegram` place goes: after the placed ones, before the closing ones (cancel, help). */
const UNPLACED = 50;

function telegramEntries(commands: readonly FeatureCommand[], locale: Locale): TelegramCommand[] {
  return commands.map((c) => ({
    command: locale === 'en' ? (c.en ?? c.vi) : c.vi,
    description: c.description ? t(locale, c.description) : '',
  }));
}
