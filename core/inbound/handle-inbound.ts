import { z } from 'zod';
import { decideGroup, registerGroup } from '../digests/group-registration.ts';
import { exportKindsFor, exportReply } from '../exports/export-chat.ts';
import {
  feedbackAnswerRunner,
  feedbackRunner,
  isFeedbackHandler,
  markHandled,
  openFeedback,
  startFeedbackRefusal,
  trackFeedback,
} from '../feedback/feedback.ts';
import { applyInput, repeatPrompt, resume, startFlow } from '../flows/engine.ts';
import { CONFIRM_STEP, type EngineResult, type FlowState, type Text, type UserInput } from '../flows/flow.ts';
import type { FlowRunner } from '../flows/flow-runner.ts';
import { type ShownChoice, shownChoicesOf } from '../flows/shown-choices.ts';
import {
  allocationRunner,
  disbursementRunner,
  isFundKeeper,
  openPledges,
  pledgeSearchRunner,
  receiptRunner,
  transferRunner,
  unpaidHouseholds,
} from '../funds/fund-flows.ts';
import { acknowledgement, fundRollupFor, publicSummary } from '../funds/fund-reports.ts';
import { GUEST, myPledgeCard, myPledges, pledgeCancelRunner, pledgeRunner } from '../funds/pledge-flow.ts';
import { confirmPledgeFromChat, pledgeRejectRunner } from '../funds/pledge-verify-chat.ts';
import { householdAddRunner } from '../households/household-add.ts';
import {
  findOwnHousehold,
  householdCard,
  householdList,
  householdSearchRunner,
  householdStatusRunner,
} from '../households/household-flows.ts';
import { buildLeadersView, leaderUnitIds } from '../households/leaders-view.ts';
import { isLocale, type Locale, t } from '../messaging/catalog.ts';
import type { Choice, Inbound, Outbound } from '../messaging/message.ts';
import { normalizeInviteCode } from '../people/invite-code.ts';
import { inviteCreateRunner } from '../people/invite-flow.ts';
import { type RedeemOutcome, redeemInvite } from '../people/redeem-invite.ts';
import { narrativeReportRunner } from '../reports/narrative-report.ts';
import { reportRunner } from '../reports/report-runner.ts';
import type { Actor } from '../shared/actor.ts';
import { dateInZone } from '../shared/calendar.ts';
import type { Clock } from '../shared/clock.ts';
import { normalizeVi, stripHiddenControls } from '../shared/parse.ts';
import type { Tx, UnitOfWork } from '../unit-of-work.ts';
import { confirmingActor } from './flow-access.ts';

export interface InboundDeps {
  uow: UnitOfWork;
  clock: Clock;
  /** How long an unanswered conversation is kept before it expires. */
  flowTtlMs: number;
  /** The campaign's time zone: dates typed without a year take this zone's current year. */
  timeZone: string;
  /** Called after a message's transaction committed (wakes the outbox dispatcher). */
  afterCommit?: () => void;
  /** Builds a digest message for an area (text and chart), for `/digest` in a group. */
  digest?: (
    tx: Tx,
    opts: { areaUnitId: number; kind: 'on_demand'; now: Date },
  ) => Promise<Outbound | undefined>;
}

export type InboundOutcome = { duplicate: true } | { duplicate: false; replies: number };

// biome-ignore lint/suspicious/noExplicitAny: the registry holds runners of different context types.
type AnyRunner = FlowRunner<any>;

/** Every multi-step flow the dispatcher runs (the hardening fuzz test walks each of them). */
export const FLOW_RUNNERS: readonly AnyRunner[] = [
  reportRunner,
  narrativeReportRunner,
  householdSearchRunner,
  householdStatusRunner,
  householdAddRunner,
  pledgeRunner,
  pledgeCancelRunner,
  pledgeRejectRunner,
  receiptRunner,
  allocationRunner,
  disbursementRunner,
  transferRunner,
  pledgeSearchRunner,
  feedbackRunner,
  feedbackAnswerRunner,
  inviteCreateRunner,
];

const RUNNERS: Record<string, AnyRunner> = Object.fromEntries(FLOW_RUNNERS.map((r) => [r.def.id, r]));

/**
 * Menu actions whose argument starts with a record id (a household, a pledge, a feedback…); for
 * the optional ones, no argument is a choice of its own (a receipt without pledge, a search).
 */
const OPTIONAL_ID = new Set(['receipt', 'alloc']);
const ID_ACTIONS = new Set([
  'hh',
  'hhmove',
  'pledgecard',
  'pledgeedit',
  'pledgecancel',
  'pledgeok',
  'pledgeno',
  'receipt',
  'alloc',
  'disb',
  'ack',
  'acksend',
  'fbhandle',
  'fbanswer',
  'pause',
  'grpok',
  'grpno',
]);

/**
 * Flows a stranger may be in: a donor registers a pledge without an invite (issue 5 §1), a citizen
 * sends feedback (issue 7 §5).
 */
const GUEST_FLOWS = new Set([pledgeRunner.def.id, feedbackRunner.def.id]);

const ZSavedFlow = z.object({
  data: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
  ctx: z.unknown(),
  reviewing: z.boolean(),
});

/**
 * Handles one inbound message in one transaction (DESIGN.md §4): dedupe on the channel's event id,
 * load the sender and the chat's conversation, apply the message, save, audit, and put the
 * replies in the outbox. A redelivered message changes nothing.
 */
export function createInboundHandler(deps: InboundDeps) {
  return async function handleInbound(received: Inbound): Promise<InboundOutcome> {
    const inbound = withoutNul(received);
    const now = deps.clock.now();
    const outcome = await deps.uow.run(async (tx): Promise<InboundOutcome> => {
      // Two bot instances on one PostgreSQL may each get an update of the same chat: one at a time.
      await tx.lock(`chat:${inbound.channel}:${inbound.chatId}`);
      if (!(await tx.inbound.markSeen(inbound.channel, inbound.externalId, now))) {
        return { duplicate: true };
      }
      const replies =
        inbound.chatType === 'group'
          ? await groupReplies(tx, inbound, now, deps)
          : await privateReplies(tx, inbound, now, deps);
      await tx.outbox.enqueue(
        replies.map((message, i) => ({
          channel: inbound.channel,
          chatId: inbound.chatId,
          message,
          idempotencyKey: `reply:${inbound.channel}:${inbound.externalId}:${i}`,
        })),
        now,
      );
      return { duplicate: false, replies: replies.length };
    });
    deps.afterCommit?.();
    return outcome;
  };
}

/** A private chat: the sender's conversation (onboarding, the menu, the active flow). */
async function privateReplies(tx: Tx, inbound: Inbound, now: Date, deps: InboundDeps): Promise<Outbound[]> {
  // The user wrote: whatever could not reach them before may go now (Zalo's window reopens).
  await tx.outbox.releaseHeld(inbound.channel, inbound.chatId, now);
  const actor = await tx.people.findActor(inbound.channel, inbound.senderId);
  if (actor) {
    await tx.people.touchIdentity(inbound.channel, inbound.senderId, now);
  }
  const conversation = new Conversation(tx, inbound, actor, now, deps);
  await conversation.handle();
  return conversation.replies;
}

/** In a group the bot answers only its group commands and otherwise stays quiet. */
async function groupReplies(tx: Tx, inbound: Inbound, now: Date, deps: InboundDeps): Promise<Outbound[]> {
  const actor = await tx.people.findActor(inbound.channel, inbound.senderId);
  return groupCommand(tx, inbound, actor, now, deps);
}

/**
 * Commands a group understands: `/dangkynhom` (register it as a leadership group) and `/digest` or
 * `/baocao` (a digest of the sender's area now, for leaders). Anything else in a group is ignored.
 */
async function groupCommand(
  tx: Tx,
  inbound: Inbound,
  actor: Actor | undefined,
  now: Date,
  deps: InboundDeps,
): Promise<Outbound[]> {
  if (inbound.kind !== 'command') {
    return [];
  }
  const locale: Locale = actor && isLocale(actor.locale) ? actor.locale : 'vi';
  const render = (lines: Text[]) => lines.map((l) => t(locale, l.key, l.params)).join('\n');
  switch (inbound.command) {
    case 'dangkynhom':
      return [{ text: render(await registerGroup(tx, inbound, actor, inbound.args ?? '', now)) }];
    case 'digest':
    case 'baocao': {
      const area = actor ? leaderUnitIds(actor)[0] : undefined;
      if (area === undefined) {
        return [{ text: render([{ key: 'group.refused.not_leader' }]) }];
      }
      const digest = await deps.digest?.(tx, { areaUnitId: area, kind: 'on_demand', now });
      return digest ? [digest] : [];
    }
    default:
      return [];
  }
}

/** The work for one message: routing commands, onboarding, the menu and the active flow. */
class Conversation {
  readonly replies: Outbound[] = [];
  private readonly locale: Locale;
  /** Set when the chat's saved conversation was discarded (expired, outdated) by this message. */
  private discardedFlow = false;
  /** The choices last shown to the chat outside a conversation, read by `loadFlow`. */
  private shown: ShownChoice[] = [];

  constructor(
    private readonly tx: Tx,
    private readonly inbound: Inbound,
    private actor: Actor | undefined,
    private readonly now: Date,
    private readonly deps: InboundDeps,
  ) {
    this.locale = actor && isLocale(actor.locale) ? actor.locale : 'vi';
  }

  async handle(): Promise<void> {
    const { inbound } = this;
    if (inbound.kind === 'command') {
      return this.onCommand(inbound.command ?? '', inbound.args ?? '');
    }
    if (!this.actor) {
      const guestFlow = await this.loadFlow();
      if (guestFlow && GUEST_FLOWS.has(guestFlow.runner.def.id) && !inbound.choiceId?.startsWith('menu:')) {
        return this.onAnswer(guestFlow.runner, guestFlow.state);
      }
      if (guestFlow && !GUEST_FLOWS.has(guestFlow.runner.def.id)) {
        // Started by a person deactivated since: refused (and ended) like a role removed.
        return this.refuseConfirmation(guestFlow.runner);
      }
      return this.onStranger();
    }
    const active = await this.loadFlow();
    if (inbound.kind === 'choice' && inbound.choiceId?.startsWith('menu:')) {
      return this.onMenu(inbound.choiceId.slice('menu:'.length), active);
    }
    if (active) {
      return this.onAnswer(active.runner, active.state);
    }
    if (this.discardedFlow) {
      // The message answered a conversation that just expired: it is not a menu choice.
      return this.showMenu(this.text('menu.title'));
    }
    return this.onIdleText();
  }

  private say(text: string, choices?: Choice[][]): void {
    this.replies.push(choices ? { text, choices } : { text });
  }

  private text(key: Text['key'], params?: Text['params']): string {
    return t(this.locale, key, params);
  }

  private async onCommand(command: string, args: string): Promise<void> {
    switch (command) {
      case 'start':
        if (normalizeVi(args) === 'ungho') {
          return this.onCommand('ungho', '');
        }
        if (args) {
          return this.tryInvite(args);
        }
        if (!this.actor) {
          return this.say(this.text('welcome.stranger'));
        }
        return this.showMenu(this.text('welcome.back', { name: this.actor.fullName }));
      case 'ungho':
        return this.beginFlow(pledgeRunner, this.isOrgLeader() ? 'org' : 'donor');
      case 'phananh':
        return this.startFeedback();
      case 'tracuu':
        return this.sayLines(await trackFeedback(this.tx, this.actor, this.inbound, args));
      case 'congkhai':
        return this.sayLines(await publicSummary(this.tx, this.now));
      case 'quy': {
        const lines = this.actor ? await fundRollupFor(this.tx, this.actor) : undefined;
        return lines
          ? this.sayLines(lines)
          : this.actor
            ? this.showMenu(this.text('leaders.refused'))
            : this.onStranger();
      }
      case 'cancel':
      case 'huy': {
        const active = await this.loadFlow();
        if (active) {
          await this.tx.flows.delete(this.inbound.channel, this.inbound.chatId);
          return this.actor
            ? this.showMenu(this.text('flow.cancelled'))
            : this.say(this.text('flow.cancelled'));
        }
        return this.actor
          ? this.showMenu(this.text('flow.nothing_to_cancel'))
          : this.say(this.text('welcome.stranger'));
      }
      case 'help':
      case 'trogiup': {
        const active = await this.loadFlow();
        if (active) {
          const prompt = repeatPrompt(
            active.runner.def,
            active.state,
            this.locale,
            this.text('help.in_flow'),
          );
          this.replies.push(prompt);
          return;
        }
        return this.actor
          ? this.showMenu(this.text('help.general'))
          : this.say(this.text('welcome.stranger'));
      }
      case 'menu':
        return this.actor ? this.showMenu(this.text('menu.title'), await this.loadFlow()) : this.onStranger();
      case 'tinhhinh':
      case 'status': {
        const view = this.actor ? await buildLeadersView(this.tx, this.actor, this.now) : undefined;
        if (!view) {
          return this.actor ? this.showMenu(this.text('leaders.refused')) : this.onStranger();
        }
        return this.say(view.map((line) => this.text(line.key, line.params)).join('\n'));
      }
      case 'baocao':
        return this.actor ? this.beginFlow(reportRunner, undefined) : this.onStranger();
      case 'xuatbaocao':
        return this.actor ? this.sendExport(undefined) : this.onStranger();
      default:
        return this.actor ? this.showMenu(this.text('command.unknown')) : this.onStranger();
    }
  }

  private async onStranger(): Promise<void> {
    // A donor may simply write "ủng hộ" (Zalo users rarely type commands).
    if (
      this.inbound.kind === 'text' &&
      ['ung ho', 'ungho', 'dang ky ung ho'].includes(normalizeVi(this.inbound.text ?? ''))
    ) {
      return this.beginFlow(pledgeRunner, 'donor');
    }
    // A citizen may write "phản ánh" or "tra cứu PA-0001" instead of the commands.
    const typed = this.inbound.kind === 'text' ? normalizeVi(this.inbound.text ?? '') : '';
    if (['phan anh', 'phananh', 'gui phan anh'].includes(typed)) {
      return this.startFeedback();
    }
    const tracking = /^tra ?cuu\b\s*(.*)$/.exec(typed);
    if (tracking) {
      return this.sayLines(await trackFeedback(this.tx, undefined, this.inbound, tracking[1] ?? ''));
    }
    const code = this.inbound.kind === 'text' ? normalizeInviteCode(this.inbound.text ?? '') : undefined;
    if (code) {
      return this.tryInvite(code);
    }
    this.say(this.text('welcome.stranger'));
  }

  private async tryInvite(raw: string): Promise<void> {
    const code = normalizeInviteCode(raw);
    const outcome: RedeemOutcome = code
      ? await redeemInvite(this.tx, this.inbound, code, this.actor, this.now)
      : { ok: false, reply: { key: 'invite.malformed' } };
    if (!outcome.ok) {
      return this.say(this.text(outcome.reply.key, outcome.reply.params));
    }
    this.actor = await this.tx.people.findActor(this.inbound.channel, this.inbound.senderId);
    this.showMenu(this.text(outcome.reply.key, outcome.reply.params));
  }

  private menuChoices(active: { runner: AnyRunner } | undefined): Choice[][] {
    const rows: Choice[][] = [];
    if (active) {
      rows.push([
        { id: 'menu:resume', label: this.text('menu.resume', { title: this.text(active.runner.def.title) }) },
      ]);
    }
    const officerUnits = this.actor?.memberships.filter((m) => m.role === 'unit_officer') ?? [];
    for (const unit of officerUnits) {
      const label =
        officerUnits.length > 1
          ? this.text('menu.report_unit', { unit: unit.unitName })
          : this.text('menu.report');
      rows.push([{ id: `menu:report:${unit.unitId}`, label }]);
    }
    if (officerUnits.length > 0) {
      rows.push([
        { id: 'menu:hhsearch', label: this.text('menu.households') },
        { id: 'menu:hhlist', label: this.text('menu.household_list') },
      ]);
      rows.push([{ id: 'menu:hhadd', label: this.text('menu.household_add') }]);
      rows.push([{ id: 'menu:narrative', label: this.text('menu.narrative') }]);
    }
    const roles = new Set(this.actor?.memberships.map((m) => m.role));
    if (roles.has('org_leader') || roles.has('donor')) {
      rows.push([
        { id: 'menu:pledge', label: this.text('menu.pledge') },
        { id: 'menu:mypledges', label: this.text('menu.my_pledges') },
      ]);
    }
    if (this.actor && isFundKeeper(this.actor)) {
      rows.push([
        { id: 'menu:receiptpick', label: this.text('menu.fund_receipt') },
        { id: 'menu:alloc', label: this.text('menu.fund_allocate') },
      ]);
      rows.push([
        { id: 'menu:disbpick', label: this.text('menu.fund_disburse') },
        { id: 'menu:transfer', label: this.text('menu.fund_transfer') },
      ]);
      rows.push([
        { id: 'menu:ackpick', label: this.text('menu.fund_ack') },
        { id: 'menu:public', label: this.text('menu.fund_public') },
      ]);
    }
    if (this.actor && leaderUnitIds(this.actor).length > 0) {
      rows.push([{ id: 'menu:status', label: this.text('menu.status') }]);
    }
    if (this.actor?.memberships.some((m) => m.role === 'admin')) {
      rows.push([{ id: 'menu:invite', label: this.text('menu.invite') }]);
    }
    if (this.actor && (isFundKeeper(this.actor) || leaderUnitIds(this.actor).length > 0)) {
      rows.push([{ id: 'menu:fund', label: this.text('menu.fund_view') }]);
    }
    if (this.actor && isFeedbackHandler(this.actor)) {
      rows.push([{ id: 'menu:fblist', label: this.text('menu.feedback') }]);
    }
    rows.push([
      { id: 'menu:whoami', label: this.text('menu.whoami') },
      { id: 'menu:help', label: this.text('menu.help') },
    ]);
    return rows;
  }

  private showMenu(intro: string, active?: { runner: AnyRunner }): void {
    this.say(`${intro}\n\n${this.text('menu.prompt')}`, this.menuChoices(active));
  }

  private async onMenu(action: string, active: ActiveFlow | undefined): Promise<void> {
    const [name, ...rest] = action.split(':');
    const arg = rest.length > 0 ? rest.join(':') : undefined;
    const id = arg?.split(':')[0];
    if (
      ID_ACTIONS.has(name ?? '') &&
      !(id === undefined && OPTIONAL_ID.has(name ?? '')) &&
      !/^\d{1,9}$/.test(id ?? '')
    ) {
      // A forged or garbled id ("NaN", 20 digits) never reaches the database (PostgreSQL rejects it).
      return this.showMenu(this.text('flow.stale_button'), active);
    }
    switch (name) {
      case 'resume':
        if (active) {
          this.replies.push(repeatPrompt(active.runner.def, active.state, this.locale));
          return;
        }
        return this.showMenu(this.text('flow.nothing_to_resume'));
      case 'report':
        return this.beginFlow(reportRunner, arg);
      case 'hhsearch':
        return this.beginFlow(householdSearchRunner, undefined);
      case 'narrative':
        return this.beginFlow(narrativeReportRunner, undefined);
      case 'hhadd':
        return this.beginFlow(householdAddRunner, undefined);
      case 'hh':
        return this.showHousehold(Number(arg));
      case 'hhlist': {
        const list = this.actor ? await householdList(this.tx, this.actor, arg) : undefined;
        return list
          ? this.say(list.lines.map((l) => this.text(l.key, l.params)).join('\n'), list.choices)
          : this.showMenu(this.text('household.refused.not_officer'));
      }
      case 'hhmove':
        return this.beginFlow(householdStatusRunner, arg);
      case 'pledge':
        return this.beginFlow(pledgeRunner, this.isOrgLeader() ? 'org' : 'donor');
      case 'mypledges':
        return this.sayView(
          this.actor ? await myPledges(this.tx, this.actor, await this.today()) : undefined,
        );
      case 'pledgecard':
        return this.sayView(
          this.actor ? await myPledgeCard(this.tx, this.actor, Number(arg), await this.today()) : undefined,
          'pledge.refused.not_yours',
        );
      case 'pledgeedit':
        return this.beginFlow(pledgeRunner, `edit:${arg}`);
      case 'pledgecancel':
        return this.beginFlow(pledgeCancelRunner, arg);
      case 'pledgeok':
        return this.showMenu(
          this.actor
            ? (await confirmPledgeFromChat(this.tx, this.actor, Number(arg), this.now, this.inbound))
                .map((l) => this.text(l.key, l.params))
                .join('\n')
            : '',
        );
      case 'pledgeno':
        return this.beginFlow(pledgeRejectRunner, arg);
      case 'receiptpick':
        return this.sayView(
          this.actor ? await openPledges(this.tx, this.actor, this.now) : undefined,
          'fund.refused.not_fund_officer',
        );
      case 'receipt':
        return this.beginFlow(receiptRunner, arg);
      case 'pledgesearch':
        return this.beginFlow(pledgeSearchRunner, arg);
      case 'alloc':
        return arg === undefined
          ? this.beginFlow(householdSearchRunner, 'alloc')
          : this.beginFlow(allocationRunner, arg);
      case 'disbpick':
        return this.sayView(
          this.actor ? await unpaidHouseholds(this.tx, this.actor) : undefined,
          'fund.refused.not_fund_officer',
        );
      case 'disb':
        return this.beginFlow(disbursementRunner, arg);
      case 'transfer':
        return this.beginFlow(transferRunner, undefined);
      case 'fund':
        return this.onCommand('quy', '');
      case 'public':
        return this.onCommand('congkhai', '');
      case 'ackpick':
        return this.beginFlow(pledgeSearchRunner, 'ack');
      case 'ack':
      case 'acksend':
        return this.sayView(
          this.actor
            ? await acknowledgement(this.tx, this.actor, Number(arg), this.now, name === 'acksend')
            : undefined,
          'fund.refused.not_fund_officer',
        );
      case 'fblist':
        return this.sayView(this.actor ? await openFeedback(this.tx, this.actor) : undefined);
      case 'fbhandle':
        return this.showMenu(
          this.actor
            ? (await markHandled(this.tx, this.actor, Number(arg), this.now, this.inbound))
                .map((l) => this.text(l.key, l.params))
                .join('\n')
            : '',
        );
      case 'fbanswer':
        return this.beginFlow(feedbackAnswerRunner, arg);
      case 'invite':
        return this.beginFlow(inviteCreateRunner, undefined);
      case 'pause':
        return this.pauseReminders(Number(arg));
      case 'grpok':
      case 'grpno':
        return this.showMenu(
          this.actor
            ? (await decideGroup(this.tx, this.actor, Number(arg), name === 'grpok', this.now))
                .map((l) => this.text(l.key, l.params))
                .join('\n')
            : '',
        );
      case 'main':
        return this.showMenu(this.text('menu.title'), active);
      case 'status':
        return this.onCommand('tinhhinh', '');
      case 'export':
        return this.sendExport(arg);
      case 'whoami':
        return this.showMenu(this.whoami(), active);
      case 'help':
        return this.showMenu(this.text('help.general'), active);
      default:
        return this.showMenu(this.text('flow.stale_button'), active);
    }
  }

  /** `/xuatbaocao`: the exports as buttons; a pressed one is sent as a file built at send time. */
  private async sendExport(kind: string | undefined): Promise<void> {
    const actor = this.actor;
    const kinds = actor ? exportKindsFor(actor) : [];
    if (!actor || kinds.length === 0) {
      return this.showMenu(this.text('export.refused'));
    }
    if (kind === undefined) {
      const area = actor.memberships.find((m) => m.role === 'leader' || m.role === 'admin')?.unitName ?? '';
      return this.say(
        this.text('export.menu', { area }),
        kinds.map((k) => [{ id: `menu:export:${k}`, label: this.text(`export.kind.${k}`) }]),
      );
    }
    const reply = await exportReply(this.tx, actor, kind, this.now);
    if (!reply.ok) {
      return this.showMenu(this.text(reply.reason.key, reply.reason.params));
    }
    this.replies.push({
      text: this.text(reply.text.key, reply.text.params),
      document: { ...reply.request, fallbackText: this.text(reply.fallback.key, reply.fallback.params) },
    });
  }

  /** "Đã báo cáo bằng văn bản": no more reminders for that period. */
  private async pauseReminders(periodId: number): Promise<void> {
    const actor = this.actor;
    const campaign = await this.tx.campaigns.findCurrent();
    if (!actor || !campaign || !actor.memberships.some((m) => m.role === 'unit_officer')) {
      return this.showMenu(this.text('report.refused.not_officer'));
    }
    const periods = (
      await Promise.all(
        (['monthly', 'quarterly', 'semiannual', 'final'] as const).map((k) =>
          this.tx.campaigns.listPeriods(campaign.id, k),
        ),
      )
    ).flat();
    const period = periods.find((p) => p.id === periodId);
    if (!period) {
      return this.showMenu(this.text('flow.stale_button'));
    }
    await this.tx.reminders.addPause(
      { personId: actor.personId, periodId, until: null, reason: 'đã báo cáo bằng văn bản' },
      this.now,
    );
    await this.tx.audit.record(
      {
        personId: actor.personId,
        channel: this.inbound.channel,
        action: 'reminder.pause',
        entity: 'ReportingPeriod',
        entityId: String(periodId),
      },
      this.now,
    );
    this.showMenu(this.text('reminder.paused', { period: period.label }));
  }

  private isOrgLeader(): boolean {
    return this.actor?.memberships.some((m) => m.role === 'org_leader') ?? false;
  }

  private async today(): Promise<string> {
    const campaign = await this.tx.campaigns.findCurrent();
    const d = dateInZone(this.now, campaign?.timeZone ?? this.deps.timeZone);
    return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
  }

  private sayLines(lines: Text[]): void {
    this.say(lines.map((line) => this.text(line.key, line.params)).join('\n'));
  }

  /** A view with buttons; without one (not allowed, not found) the menu with `refusal`. */
  private sayView(
    view: { lines: Text[]; choices: Choice[][] } | undefined,
    refusal: Text['key'] = 'flow.stale_button',
  ): void {
    if (!view) {
      this.showMenu(this.text(refusal));
      return;
    }
    this.say(view.lines.map((line) => this.text(line.key, line.params)).join('\n'), view.choices);
  }

  private async showHousehold(id: number): Promise<void> {
    const actor = this.actor;
    const household = actor ? await findOwnHousehold(this.tx, actor, id) : undefined;
    if (!household) {
      return this.showMenu(this.text('household.refused.not_found'));
    }
    const card = householdCard(household);
    this.say(card.lines.map((line) => this.text(line.key, line.params)).join('\n'), card.choices);
  }

  private whoami(): string {
    const actor = this.actor;
    if (!actor) {
      return '';
    }
    const roles = actor.memberships.map((m) =>
      this.text('whoami.role', { role: { key: `role.${m.role}` }, unit: m.unitName }),
    );
    return [this.text('whoami.title', { name: actor.fullName }), ...roles].join('\n');
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
      return chosen.id.startsWith('menu:')
        ? this.onMenu(chosen.id.slice('menu:'.length), undefined)
        : this.showMenu(this.text('flow.stale_button'));
    }
    const items = this.menuChoices(undefined).flat();
    const index = number !== undefined ? number - 1 : -1;
    const item =
      index >= 0
        ? items[index]
        : items.find((c) => normalizeVi(c.label).includes(typed) && typed.length >= 4);
    if (item) {
      return this.onMenu(item.id.slice('menu:'.length), undefined);
    }
    this.showMenu(this.text('idle.unknown_text'));
  }

  /** The sender, or a guest for the flows a stranger may use. */
  private actorFor(runner: AnyRunner): Actor | undefined {
    return this.actor ?? (GUEST_FLOWS.has(runner.def.id) ? GUEST : undefined);
  }

  /** `/phananh`: a chat that already sent its share of feedback is told so before typing anything. */
  private async startFeedback(): Promise<void> {
    const refusal = await startFeedbackRefusal(this.tx, this.inbound, this.now);
    if (refusal) {
      const text = this.text(refusal.key, refusal.params);
      return this.actor ? this.showMenu(text) : this.say(text);
    }
    return this.beginFlow(feedbackRunner, undefined);
  }

  private async beginFlow(runner: AnyRunner, arg: string | undefined): Promise<void> {
    const actor = this.actorFor(runner);
    if (!actor) {
      return this.onStranger();
    }
    const started = await runner.start(this.tx, actor, this.now, arg);
    if (!started.ok) {
      const reason = this.text(started.reason.key, started.reason.params);
      return this.actor ? this.showMenu(reason) : this.say(reason);
    }
    await this.apply(runner, startFlow(runner.def, started.ctx, this.locale, started.data));
  }

  private async onAnswer(runner: AnyRunner, state: FlowState): Promise<void> {
    const { inbound } = this;
    let input: UserInput;
    if (inbound.kind === 'choice' && inbound.choiceId) {
      input = { kind: 'choice', id: inbound.choiceId };
    } else if (inbound.kind === 'text') {
      input = { kind: 'text', text: inbound.text ?? '' };
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
        await this.tx.flows.delete(channel, chatId);
        return this.actor
          ? this.showMenu(this.text('flow.cancelled'))
          : this.say(this.text('flow.cancelled'));
      case 'submit': {
        if (!actor) {
          return;
        }
        // Permissions are checked when the action takes effect: roles read again in this transaction.
        const confirming = await confirmingActor(this.tx, runner, result.state, this.actor?.personId);
        if (!confirming) {
          return this.refuseConfirmation(runner);
        }
        const receipt = await runner.submit(this.tx, confirming, result.state, this.now, this.inbound);
        await this.tx.flows.delete(channel, chatId);
        // A guest who registered a pledge is a donor from now on: the menu is theirs.
        this.actor ??= await this.tx.people.findActor(this.inbound.channel, this.inbound.senderId);
        const lines = Array.isArray(receipt) ? receipt : receipt.lines;
        const text = lines.map((line) => this.text(line.key, line.params)).join('\n');
        if (!this.actor) {
          // A guest (a citizen's feedback) has no menu.
          return this.say(text);
        }
        return Array.isArray(receipt) ? this.showMenu(text) : this.say(text, receipt.choices);
      }
    }
  }

  /** The person may no longer confirm what they started: nothing is written, the conversation ends. */
  private async refuseConfirmation(runner: AnyRunner): Promise<void> {
    await this.tx.flows.delete(this.inbound.channel, this.inbound.chatId);
    const text = this.text('flow.no_longer_allowed', { title: { key: runner.def.title } });
    return this.actor ? this.showMenu(text) : this.say(text);
  }

  /** The chat's flow, unless it expired or was written by another version (both said to the user). */
  private async loadFlow(): Promise<ActiveFlow | undefined> {
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
    const runner = RUNNERS[stored.flow];
    const saved = ZSavedFlow.safeParse(safeJson(stored.data));
    const ctx = saved.success ? runner?.parseContext(saved.data.ctx) : undefined;
    if (!runner || runner.def.version !== stored.version || !saved.success || ctx === undefined) {
      await this.tx.flows.delete(channel, chatId);
      this.discardedFlow = true;
      this.say(this.text('flow.outdated'));
      return undefined;
    }
    if (stored.expiresAt <= this.now) {
      await this.tx.flows.delete(channel, chatId);
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

interface ActiveFlow {
  runner: AnyRunner;
  state: FlowState;
}

/**
 * The one cleaning of what a sender typed (and their channel name, a group's title) before any
 * flow sees it: PostgreSQL stores no NUL character, and zero-width or direction controls would
 * reach other people in names, feedback and reports (stripHiddenControls).
 */
function withoutNul(inbound: Inbound): Inbound {
  const clean = { ...inbound };
  for (const key of ['text', 'args', 'choiceId', 'senderName', 'chatTitle'] as const) {
    const value = clean[key];
    if (value !== undefined) {
      clean[key] = stripHiddenControls(value.replaceAll('\u0000', ''));
    }
  }
  return clean;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
