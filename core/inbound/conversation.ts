import { z } from 'zod';
import { addressOf } from '../campaigns/campaign.ts';
import { campaignOf, unitIdsOf } from '../campaigns/campaign-of.ts';
import type { DerivedChat } from '../features/derive.ts';
import { helpCommandLines, menuRows } from '../features/derive.ts';
import type { ActiveFlow, AnyRunner, FeatureChat } from '../features/feature.ts';
import { applyInput, repeatPrompt, resume, startFlow } from '../flows/engine.ts';
import { CONFIRM_STEP, type EngineResult, type FlowState, type Text, type UserInput } from '../flows/flow.ts';
import { type ShownChoice, shownChoicesOf } from '../flows/shown-choices.ts';
import { isLocale, type Locale, t } from '../messaging/catalog.ts';
import { bold } from '../messaging/markup.ts';
import type { Choice, Inbound, InboundMedia, Outbound } from '../messaging/message.ts';
import { type Actor, GUEST } from '../shared/actor.ts';
import { dateInZone } from '../shared/calendar.ts';
import { hasRecordId, isMenuButton, menuButtonId, parseMenuButton } from '../shared/menu-button.ts';
import { normalizeVi } from '../shared/parse.ts';
import type { Tx } from '../unit-of-work.ts';
import { confirmingActor } from './flow-access.ts';

/** What a conversation needs besides the message: the registry's derived tables and the settings. */
export interface ConversationDeps {
  chat: DerivedChat;
  /** How long an unanswered conversation is kept before it expires. */
  flowTtlMs: number;
  /** The campaign's time zone: dates typed without a year take this zone's current year. */
  timeZone: string;
  /**
   * The Telegram bot's username (TELEGRAM_BOT_USERNAME, or the bot's own once it asked Telegram),
   * for links that open a chat with it.
   */
  telegramBot?: string | (() => string | undefined);
  /** Builds a digest message for an area (text and chart), for `/digest` in a group. */
  digest?: (
    tx: Tx,
    opts: { areaUnitId: number; kind: 'on_demand'; now: Date },
  ) => Promise<Outbound | undefined>;
}

const ZSavedFlow = z.object({
  data: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
  ctx: z.unknown(),
  reviewing: z.boolean(),
});

/**
 * The work for one message: routing a command or a button to the feature that declares it,
 * onboarding a stranger, the menu, and the active flow (start, answer, confirm). What each feature
 * does lives in its module under core/features; this class is what they have in common.
 */
export class Conversation implements FeatureChat {
  readonly replies: Outbound[] = [];
  readonly locale: Locale;
  /** Set when the sender became a member by this message (an invite redeemed): their roles changed. */
  joined = false;
  /** Set when the chat's saved conversation was discarded (expired, outdated) by this message. */
  private discardedFlow = false;
  /** Set when the chat's saved conversation was asking the sender's phone (a share-contact button shown). */
  private askedContact = false;
  /** The choices last shown to the chat outside a conversation, read by `loadFlow`. */
  private shown: ShownChoice[] = [];

  constructor(
    readonly tx: Tx,
    readonly inbound: Inbound,
    private member: Actor | undefined,
    readonly now: Date,
    private readonly deps: ConversationDeps,
  ) {
    this.locale = member && isLocale(member.locale) ? member.locale : 'vi';
  }

  get actor(): Actor | undefined {
    return this.member;
  }

  get telegramBot(): string | undefined {
    const bot = this.deps.telegramBot;
    return typeof bot === 'function' ? bot() : bot;
  }

  /** A private chat's message. */
  async handle(): Promise<void> {
    await this.handlePrivate();
    if (this.askedContact && !this.replies.some((r) => r.requestContact)) {
      // The phone question is behind: its share-contact button goes with the first reply.
      const first = this.replies[0];
      if (first) {
        first.removeKeyboard = true;
      }
    }
  }

  private async handlePrivate(): Promise<void> {
    const { inbound } = this;
    if (inbound.kind === 'command') {
      return this.runCommand(inbound.command ?? '', inbound.args ?? '');
    }
    const active = await this.loadFlow();
    if (!this.member) {
      const guest = active && this.deps.chat.guestFlows.has(active.runner.def.id);
      if (active && guest && !isMenuButton(inbound.choiceId)) {
        return this.onAnswer(active);
      }
      if (active && !guest) {
        // Started by a person deactivated since: refused (and ended) like a role removed.
        return this.refuseConfirmation(active.runner);
      }
      if (await this.onGuestButton()) {
        return;
      }
      return this.onStranger();
    }
    if (inbound.kind === 'choice' && isMenuButton(inbound.choiceId)) {
      return this.onButton(inbound.choiceId, active);
    }
    if (inbound.kind === 'document' && inbound.media && (await this.onDocument(inbound.media, active))) {
      return;
    }
    if (active) {
      return this.onAnswer(active);
    }
    if (this.discardedFlow) {
      // The message answered a conversation that just expired: it is not a menu choice.
      return this.showMenu(bold(this.text('menu.title')));
    }
    return this.onIdleText();
  }

  /** A group's message: only the group commands are answered; anything else stays quiet. */
  async handleGroup(): Promise<void> {
    const { inbound, member } = this;
    const command =
      inbound.kind === 'command' ? this.deps.chat.command('group', inbound.command ?? '') : undefined;
    if (command?.guests) {
      return command.handle(this, inbound.args ?? '', member);
    }
    if (command && member) {
      return command.handle(this, inbound.args ?? '', member);
    }
  }

  async runCommand(name: string, args: string): Promise<void> {
    const command = this.deps.chat.command('private', name);
    if (command?.guests) {
      return command.handle(this, args, this.member);
    }
    if (!this.member) {
      return this.onStranger();
    }
    return command ? command.handle(this, args, this.member) : this.showMenu(this.text('command.unknown'));
  }

  /** A pressed (or typed, on Zalo) menu button, handed to the feature that declares it. */
  private async onButton(id: string, active: ActiveFlow | undefined): Promise<void> {
    const { name, arg } = parseMenuButton(id);
    const button = this.deps.chat.button(name);
    if (!button || !this.member || (button.arg && !hasRecordId(arg, button.arg === 'optionalId'))) {
      return this.showMenu(this.text('flow.stale_button'), active);
    }
    return button.handle(this, { actor: this.member, arg, active });
  }

  /** A file that is not a picture, offered to the features (a bank statement); false when none took it. */
  private async onDocument(media: InboundMedia, active: ActiveFlow | undefined): Promise<boolean> {
    if (!this.member || media.mimeType?.startsWith('image/')) {
      return false;
    }
    for (const feature of this.deps.chat.features) {
      if (await feature.document?.(this, media, this.member, active)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A stranger's press of a button that reaches strangers (an appeal's), or the number of one typed
   * on Zalo; false for anything else.
   */
  private async onGuestButton(): Promise<boolean> {
    const { inbound } = this;
    const typed = inbound.kind === 'text' ? normalizeVi(inbound.text ?? '') : '';
    const id =
      inbound.kind === 'choice'
        ? inbound.choiceId
        : /^\d{1,3}$/.test(typed)
          ? this.shown[Number(typed) - 1]?.id
          : undefined;
    if (!isMenuButton(id)) {
      return false;
    }
    const { name, arg } = parseMenuButton(id);
    const button = this.deps.chat.button(name);
    if (!button?.guest || (button.arg && !hasRecordId(arg, button.arg === 'optionalId'))) {
      return false;
    }
    await button.guest(this, arg);
    return true;
  }

  async onStranger(): Promise<void> {
    // A stranger may type what a feature understands ("ủng hộ", "phản ánh", an invite code).
    const typed = this.inbound.kind === 'text' ? normalizeVi(this.inbound.text ?? '') : '';
    for (const feature of this.deps.chat.features) {
      if (await feature.strangerText?.(this, typed)) {
        return;
      }
    }
    this.say(this.text('welcome.stranger'));
  }

  async becomeMember(): Promise<void> {
    this.joined = true;
    this.member = await this.tx.people.findActor(this.inbound.channel, this.inbound.senderId);
  }

  say(text: string, choices?: Choice[][]): void {
    this.replies.push(choices ? { text, choices } : { text });
  }

  reply(message: Outbound): void {
    this.replies.push(message);
  }

  text(key: Text['key'], params?: Text['params']): string {
    return t(this.locale, key, params);
  }

  sayLines(lines: Text[]): void {
    this.say(lines.map((line) => this.text(line.key, line.params)).join('\n'));
  }

  sayView(
    view: { lines: Text[]; choices: Choice[][] } | undefined,
    refusal: Text['key'] = 'flow.stale_button',
  ): void {
    if (!view) {
      this.showMenu(this.text(refusal));
      return;
    }
    this.say(view.lines.map((line) => this.text(line.key, line.params)).join('\n'), view.choices);
  }

  sayOrMenu(text: string): void {
    if (this.member) {
      this.showMenu(text);
    } else {
      this.say(text);
    }
  }

  showMenu(intro: string, active?: { runner: AnyRunner }): void {
    this.say(`${intro}\n\n${this.text('menu.prompt')}`, this.menuChoices(active));
  }

  helpText(): string {
    const commands = this.member ? helpCommandLines(this.deps.chat.features, this.member, this.locale) : [];
    return [this.text('help.general'), '', this.text('help.commands'), ...commands].join('\n');
  }

  /** How the bot addresses the sender: the campaign's form for its cadres ("đồng chí"), "anh/chị" for donors and citizens. */
  async address(): Promise<string> {
    const cadre = (this.member?.memberships ?? []).filter((m) => m.role !== 'donor' && m.role !== 'citizen');
    return cadre.length === 0 ? 'anh/chị' : addressOf(await campaignOf(this.tx, unitIdsOf(cadre), this.now));
  }

  /** Today in the sender's campaign's calendar (the latest campaign for a stranger). */
  async today(): Promise<string> {
    const campaign = await campaignOf(this.tx, unitIdsOf(this.member?.memberships ?? []), this.now);
    const d = dateInZone(this.now, campaign?.timeZone ?? this.deps.timeZone);
    return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
  }

  async digest(areaUnitId: number): Promise<Outbound | undefined> {
    return this.deps.digest?.(this.tx, { areaUnitId, kind: 'on_demand', now: this.now });
  }

  private menuChoices(active: { runner: AnyRunner } | undefined): Choice[][] {
    const resumeRow: Choice[][] = active
      ? [
          [
            {
              id: menuButtonId('resume'),
              label: this.text('menu.resume', { title: this.text(active.runner.def.title) }),
            },
          ],
        ]
      : [];
    const text = (key: Text['key'], params?: Text['params']) => this.text(key, params);
    return [...resumeRow, ...(this.member ? menuRows(this.deps.chat.features, this.member, text) : [])];
  }

  /** Without an open flow, a typed number or label picks from the menu (Zalo shows it as a numbered list). */
  private async onIdleText(): Promise<void> {
    if (this.inbound.kind !== 'text') {
      return this.showMenu(this.text('idle.unsupported'));
    }
    const typed = normalizeVi(this.inbound.text ?? '');
    const number = /^\d{1,3}$/.test(typed) ? Number(typed) : undefined;
    if (number !== undefined && this.shown.length > 0) {
      // A typed number answers the list last shown to this chat (Zalo numbers its choices).
      const chosen = this.shown[number - 1];
      if (!chosen) {
        return this.say(
          this.text('idle.choice_out_of_range', { number, count: this.shown.length }),
          this.shown.map((c) => [c]),
        );
      }
      return isMenuButton(chosen.id)
        ? this.onButton(chosen.id, undefined)
        : this.showMenu(this.text('flow.stale_button'));
    }
    const items = this.menuChoices(undefined).flat();
    const index = number !== undefined ? number - 1 : -1;
    const item =
      index >= 0
        ? items[index]
        : items.find((c) => normalizeVi(c.label).includes(typed) && typed.length >= 4);
    if (item) {
      return this.onButton(item.id, undefined);
    }
    this.showMenu(this.text('idle.unknown_text'));
  }

  /** The sender, or a guest for the flows a stranger may use. */
  private actorFor(runner: AnyRunner): Actor | undefined {
    return this.member ?? (this.deps.chat.guestFlows.has(runner.def.id) ? GUEST : undefined);
  }

  async beginFlow(runner: AnyRunner, arg: string | undefined): Promise<void> {
    const actor = this.actorFor(runner);
    if (!actor) {
      return this.onStranger();
    }
    const started = await runner.start(this.tx, actor, this.now, arg);
    if (!started.ok) {
      return this.sayOrMenu(this.text(started.reason.key, started.reason.params));
    }
    await this.apply(runner, startFlow(runner.def, started.ctx, this.locale, started.data));
  }

  private async onAnswer({ runner, state }: ActiveFlow): Promise<void> {
    const { inbound } = this;
    let input: UserInput;
    if (inbound.kind === 'choice' && inbound.choiceId) {
      input = { kind: 'choice', id: inbound.choiceId };
    } else if (inbound.kind === 'text') {
      input = { kind: 'text', text: inbound.text ?? '' };
    } else if (inbound.kind === 'contact' && inbound.contact) {
      input = { kind: 'contact', phone: inbound.contact.phone, own: inbound.contact.own };
    } else if (inbound.media && (inbound.kind === 'photo' || inbound.media.mimeType?.startsWith('image/'))) {
      // An image sent "as a file" is still a photo of the house.
      input = { kind: 'photo', fileId: inbound.media.fileId };
    } else {
      this.replies.push(repeatPrompt(runner.def, state, this.locale, this.text('flow.expected_text')));
      return;
    }
    await this.apply(
      runner,
      applyInput(runner.def, state, input, this.locale, dateInZone(this.now, this.deps.timeZone).year),
    );
  }

  private async apply(runner: AnyRunner, first: EngineResult): Promise<void> {
    const { channel, chatId } = this.inbound;
    let result = first;
    const actor = this.actorFor(runner);
    if (result.kind === 'continue' && runner.afterAnswer && actor) {
      const changed = await runner.afterAnswer(this.tx, actor, result.state);
      if (changed) {
        result = resume(runner.def, { ...result.state, ctx: changed.ctx, data: changed.data }, this.locale);
      }
    }
    if (result.kind === 'continue' && result.state.step === CONFIRM_STEP && runner.beforeSummary && actor) {
      const refreshed = await runner.beforeSummary(this.tx, actor, result.state);
      result = resume(runner.def, { ...result.state, ctx: refreshed.ctx, data: refreshed.data }, this.locale);
    }
    switch (result.kind) {
      case 'continue': {
        const { state } = result;
        await this.tx.flows.save(
          channel,
          chatId,
          {
            flow: state.flow,
            version: state.version,
            step: state.step,
            data: JSON.stringify({ data: state.data, ctx: state.ctx, reviewing: state.reviewing }),
            expiresAt: new Date(this.now.getTime() + this.deps.flowTtlMs),
          },
          this.now,
        );
        this.replies.push(...result.replies);
        return;
      }
      case 'cancelled':
        await this.endFlow();
        return this.sayOrMenu(this.text('flow.cancelled'));
      case 'submit': {
        if (!actor) {
          return;
        }
        // Permissions are checked when the action takes effect: roles read again in this transaction.
        const confirming = await confirmingActor(
          this.tx,
          runner,
          result.state,
          this.member?.personId,
          this.deps.chat.confirmation(runner.def.id),
        );
        if (!confirming) {
          return this.refuseConfirmation(runner);
        }
        const receipt = await runner.submit(this.tx, confirming, result.state, this.now, this.inbound);
        await this.endFlow();
        // A guest who registered a pledge is a donor from now on: the menu is theirs.
        this.member ??= await this.tx.people.findActor(this.inbound.channel, this.inbound.senderId);
        const lines = Array.isArray(receipt) ? receipt : receipt.lines;
        const text = lines.map((line) => this.text(line.key, line.params)).join('\n');
        if (!this.member) {
          // A guest (a citizen's feedback) has no menu.
          this.say(text);
        } else if (Array.isArray(receipt) || receipt.choices === undefined) {
          this.showMenu(text);
        } else {
          this.say(
            text,
            receipt.menu ? [...receipt.choices, ...this.menuChoices(undefined)] : receipt.choices,
          );
        }
        const image = Array.isArray(receipt) ? undefined : receipt.image;
        const last = this.replies.at(-1);
        if (image && last) {
          // The picture goes with the receipt (channels send it just before its text).
          const caption = Array.isArray(receipt) ? undefined : receipt.caption;
          last.image = caption ? { ...image, caption: this.text(caption.key, caption.params) } : image;
        }
        return;
      }
    }
  }

  /** The person may no longer confirm what they started: nothing is written, the conversation ends. */
  private async refuseConfirmation(runner: AnyRunner): Promise<void> {
    await this.endFlow();
    return this.sayOrMenu(this.text('flow.no_longer_allowed', { title: { key: runner.def.title } }));
  }

  async endFlow(): Promise<void> {
    await this.tx.flows.delete(this.inbound.channel, this.inbound.chatId);
  }

  /** The chat's flow, unless it expired or was written by another version (both said to the user). */
  async loadFlow(): Promise<ActiveFlow | undefined> {
    const { channel, chatId } = this.inbound;
    const stored = await this.tx.flows.find(channel, chatId);
    if (!stored) {
      return undefined;
    }
    const shown = shownChoicesOf(stored, this.now);
    if (shown) {
      // Not a conversation: the list last shown to the chat, which a typed number answers.
      this.shown = shown;
      return undefined;
    }
    const runner = this.deps.chat.runners.get(stored.flow);
    this.askedContact ||= runner?.def.steps.some((s) => s.key === stored.step && s.contact === true) === true;
    const saved = ZSavedFlow.safeParse(safeJson(stored.data));
    const ctx = saved.success ? runner?.parseContext(saved.data.ctx) : undefined;
    if (!runner || runner.def.version !== stored.version || !saved.success || ctx === undefined) {
      await this.endFlow();
      this.discardedFlow = true;
      this.say(this.text('flow.outdated', { address: await this.address() }));
      return undefined;
    }
    if (stored.expiresAt <= this.now) {
      await this.endFlow();
      this.discardedFlow = true;
      this.say(this.text('flow.expired', { title: this.text(runner.def.title) }));
      return undefined;
    }
    const state: FlowState = {
      flow: stored.flow,
      version: stored.version,
      step: stored.step,
      data: saved.data.data,
      ctx,
      reviewing: saved.data.reviewing,
    };
    return { runner, state };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
