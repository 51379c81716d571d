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

/** One command list for Telegram's "/" menu: a scope (private chats, all groups) in one language. */
export interface TelegramCommandList {
  scope: FeatureCommand['scope'];
  locale: Locale;
  commands: { command: string; description: string }[];
}

/** Telegram's command lists, per scope and language: the commands flagged `telegram`. */
export function telegramCommandLists(features: readonly Feature[]): TelegramCommandList[] {
  const commands = features
    .flatMap((f) => f.commands ?? [])
    .filter((c) => c.telegram !== undefined && c.description)
    .sort((a, b) => (a.telegram ?? 0) - (b.telegram ?? 0));
  const lists: TelegramCommandList[] = [];
  for (const scope of ['private', 'group'] as const) {
    for (const locale of ['vi', 'en'] as const) {
      lists.push({
        scope,
        locale,
        commands: commands
          .filter((c) => c.scope === scope)
          .map((c) => ({
            command: locale === 'en' ? (c.en ?? c.vi) : c.vi,
            description: c.description ? t(locale, c.description) : '',
          })),
      });
    }
  }
  return lists;
}
