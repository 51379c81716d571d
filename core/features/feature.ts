import { type Action, can, type Need } from '../access/access.ts';
import type { FlowData, FlowState, Text } from '../flows/flow.ts';
import type { FlowRunner } from '../flows/flow-runner.ts';
import type { Locale, MessageKey, Params } from '../messaging/catalog.ts';
import type { Choice, Inbound, InboundMedia, Outbound } from '../messaging/message.ts';
import type { Actor } from '../shared/actor.ts';
import type { Tx } from '../unit-of-work.ts';

/**
 * A feature declares, in one module, everything the chat knows about it (issue 14 §1): its flows,
 * the commands it answers, its menu entries and the buttons it handles. The inbound handler derives
 * the commands, the menu, `/help`, the Telegram command lists and dispatch from the registry of
 * features (`registry.ts`), so adding a feature is adding a module and listing it there.
 */
export interface Feature {
  /** A short id, for messages and tests. */
  name: string;
  /** The multi-step flows the feature runs (a saved conversation finds its runner here). */
  flows?: readonly AnyRunner[];
  /** Of `flows`, those a stranger may be in (a donor's pledge, a citizen's feedback). */
  guestFlows?: readonly AnyRunner[];
  /**
   * What confirming each of its flows needs (actions of core/access at the units the answers are
   * about), re-checked against the roles read again when the flow takes effect (issue 13 §5).
   * Every flow has one: the registry refuses a flow without.
   */
  confirmations?: readonly FlowConfirmation[];
  commands?: readonly FeatureCommand[];
  menu?: readonly MenuEntry[];
  buttons?: readonly FeatureButton[];
  /**
   * What a stranger may type instead of a command ("ủng hộ", "phản ánh", an invite code): returns
   * true when the feature took the message. `typed` is the text normalized (no accents, lower case).
   */
  strangerText?(chat: FeatureChat, typed: string): Promise<boolean>;
  /**
   * A member sent a file that is not a picture (a bank statement): returns true when the feature
   * took it. Asked before the open conversation's question, which stays open.
   */
  document?(
    chat: FeatureChat,
    media: InboundMedia,
    actor: Actor,
    active: ActiveFlow | undefined,
  ): Promise<boolean>;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds runners of different context types.
export type AnyRunner = FlowRunner<any>;

/** What confirming a saved flow needs; undefined when what it needs to decide is gone. */
export type ConfirmRule = (tx: Tx, ctx: unknown, data: FlowData) => Promise<Need[] | undefined>;

export interface FlowConfirmation {
  flowId: string;
  needs: ConfirmRule;
}

/** A need at a unit that may be gone (a level no longer offered): undefined then. */
export const needAt = (action: Action, unit: number | undefined): Need[] | undefined =>
  unit === undefined ? undefined : [{ action, unit }];

/** A flow's confirmation rule, typed by its own context (parsed, so no cast). */
export function confirmation<C>(
  runner: FlowRunner<C>,
  needs: (tx: Tx, ctx: C, data: FlowData) => Need[] | undefined | Promise<Need[] | undefined>,
): FlowConfirmation {
  return {
    flowId: runner.def.id,
    needs: async (tx, raw, data) => {
      const ctx = runner.parseContext(raw);
      return ctx === undefined ? undefined : needs(tx, ctx, data);
    },
  };
}

/** A command: its names, its scope, who may use it and what it does. */
export type FeatureCommand = CommandInfo &
  (
    | {
        /** A stranger may use it too (`actor` undefined). */
        guests: true;
        handle(chat: FeatureChat, args: string, actor: Actor | undefined): Promise<void>;
      }
    | {
        /** Members only: a stranger gets the welcome (invite code) message instead. */
        guests?: false;
        handle(chat: FeatureChat, args: string, actor: Actor): Promise<void>;
      }
  );

export interface CommandInfo {
  /** The Vietnamese name (the one Vietnamese users see in command lists). */
  vi: string;
  /** The English name, when it has one of its own. */
  en?: string;
  /** Other names it answers to (never listed). */
  aliases?: readonly string[];
  scope: 'private' | 'group';
  /**
   * What it does in the access table (core/access): `/help` lists it to whom may do it, and the
   * authorization matrix covers it. Absent: open to everyone (the welcome, an invite code).
   * Refusing the others stays the handler's job, with its own reason (a role missing…).
   */
  action?: Action;
  /** What `/help` and Telegram's command list say about it; a command without one is not listed. */
  description?: MessageKey;
  /**
   * Its place in Telegram's command menus (the "/" button), smaller first; without one it comes after
   * the placed commands, in the registry's order. Every command with a `description` is listed to
   * whom may use it: the public list (open to guests), the groups' list, and each person's own list.
   */
  telegram?: number;
}

/** One place in the main menu: its buttons (usually one) shown to whom `visible` says. */
export interface MenuEntry {
  /** Position in the menu (smaller first). */
  order: number;
  /** Entries with the same `row` share one row of buttons (two side by side fit a phone). */
  row?: string;
  visible(actor: Actor): boolean;
  /** The entry's buttons, a row each (the monthly report has one per unit the officer reports for). */
  rows(actor: Actor, text: TextOf): Choice[][];
}

/**
 * A button `menu:<name>[:<arg>]`. `arg: 'id'` (or `'optionalId'`, where no argument is a choice of
 * its own) means the argument starts with a record id: a forged or garbled one ("NaN", 20 digits)
 * is refused before the handler, so it never reaches the database.
 */
export interface FeatureButton {
  name: string;
  /** What it does in the access table (core/access), for the authorization matrix. */
  action: Action;
  arg?: 'id' | 'optionalId';
  /**
   * A stranger's press, for the few buttons sent to people who may not be members (an appeal's);
   * without it, a stranger's press gets the welcome.
   */
  guest?(chat: FeatureChat, arg: string | undefined): Promise<void>;
  /** A member's press. */
  handle(
    chat: FeatureChat,
    press: { actor: Actor; arg: string | undefined; active: ActiveFlow | undefined },
  ): Promise<void>;
}

export interface ActiveFlow {
  runner: AnyRunner;
  state: FlowState;
}

export type TextOf = (key: MessageKey, params?: Params) => string;

/** What a feature's handler may do in the conversation of one message. */
export interface FeatureChat {
  readonly tx: Tx;
  /** The sender; undefined for a stranger. */
  readonly actor: Actor | undefined;
  readonly inbound: Inbound;
  readonly now: Date;
  readonly locale: Locale;
  /** The Telegram bot's username, when the deployment names it (an appeal's forwardable link). */
  readonly telegramBot?: string;
  text: TextOf;
  say(text: string, choices?: Choice[][]): void;
  sayLines(lines: Text[]): void;
  /** A view with buttons; without one (not allowed, not found) the menu with `refusal`. */
  sayView(view: { lines: Text[]; choices: Choice[][] } | undefined, refusal?: MessageKey): void;
  reply(message: Outbound): void;
  /** `intro`, then the main menu (with "resume" when `active` is given). */
  showMenu(intro: string, active?: ActiveFlow): void;
  /** The menu to a member, the plain text to a stranger (who has none). */
  sayOrMenu(text: string): void;
  beginFlow(runner: AnyRunner, arg: string | undefined): Promise<void>;
  /** The chat's open conversation (an expired or outdated one is discarded and said so). */
  loadFlow(): Promise<ActiveFlow | undefined>;
  /** Ends the chat's open conversation without saving anything. */
  endFlow(): Promise<void>;
  /** A stranger's message: the features' `strangerText`, else the welcome. */
  onStranger(): Promise<void>;
  /** Runs another private command (a button that does what a command does). */
  runCommand(name: string, args: string): Promise<void>;
  /** The menu shown again after an invite made the stranger a member. */
  becomeMember(): Promise<void>;
  /** Today in the campaign's time zone, `yyyy-mm-dd`. */
  today(): Promise<string>;
  /** `/help`: the general help and the commands the sender may use. */
  helpText(): string;
  /** A digest of an area now (text and chart), when the app builds digests. */
  digest?(areaUnitId: number): Promise<Outbound | undefined>;
}

/**
 * A button `menu:<name>:<id>` showing a record's card with its buttons; the menu with `refusal` when
 * `view` finds none the member may see.
 */
export function cardButton(
  name: string,
  action: Action,
  view: (tx: Tx, actor: Actor, id: number) => Promise<{ lines: Text[]; choices: Choice[][] } | undefined>,
  refusal: MessageKey,
): FeatureButton {
  return {
    name,
    action,
    arg: 'id',
    handle: async (chat, { actor, arg }) => chat.sayView(await view(chat.tx, actor, Number(arg)), refusal),
  };
}

/** Renders lines of catalog texts. */
export function render(chat: Pick<FeatureChat, 'text'>, lines: readonly Text[]): string {
  return lines.map((line) => chat.text(line.key, line.params)).join('\n');
}

/** Whom `/help` lists a command to: whoever may do its action. */
export function listsCommand(command: CommandInfo, actor: Actor): boolean {
  return command.action === undefined || can(actor, command.action);
}

/**
 * A menu entry of one button with a fixed id, shown to whoever may do `action` (or, for an entry
 * the access table cannot say alone, to whom `visible` says).
 */
export function menuButton(
  entry: { order: number; row?: string; id: string; label: MessageKey } & (
    | { action: Action }
    | { visible: (actor: Actor) => boolean }
  ),
): MenuEntry {
  return {
    order: entry.order,
    row: entry.row,
    visible: 'action' in entry ? (actor) => can(actor, entry.action) : entry.visible,
    rows: (_actor, text) => [[{ id: entry.id, label: text(entry.label) }]],
  };
}
