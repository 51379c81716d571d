import type { Campaign, PeriodKind } from '../campaigns/campaign.ts';
import { addressOf, campaignsByUnit, isOpenOrUpcoming } from '../campaigns/campaign-of.ts';
import { isFigurePeriod } from '../campaigns/figure-periods.ts';
import { servedTogether } from '../campaigns/same-day.ts';
import { oneReportWhenSameDay } from '../campaigns/same-day-reports.ts';
import { COMMITTEE_ROLES, committeeRecipient } from '../committee/obligation.ts';
import { isUnverified } from '../funds/ledger.ts';
import { t } from '../messaging/catalog.ts';
import type { Choice, Outbound, OutboundNotice } from '../messaging/message.ts';
import type { OutboxItem, OutboxPurpose } from '../messaging/outbox.repository.ts';
import { inheritBySuccession, loadOwesReports, reportsNotOwed } from '../people/area-view.ts';
import { addDays, dateInZone, fromIsoDate, startOfDay, toIsoDate } from '../shared/calendar.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import type { Tx } from '../unit-of-work.ts';
import { isLocalKind } from '../units/unit.repository.ts';
import {
  type CommitteeObligation,
  digestLateUnits,
  type LateUnit,
  type Officer,
  type PlannedReminder,
  type PlannerPeriod,
  planReminders,
  type ReminderInput,
  submissionKey,
  unitHeadsFromMemberships,
} from './planner.ts';
import { parseReminderPolicy, type ReminderPolicy } from './policy.ts';
import type { BulkMessage, MemberWithChats } from './reminder.repository.ts';
import { renderReminder } from './texts.ts';

/**
 * The scheduler's use case (issue 6 §2): read who still owes what, ask the pure planner what is due
 * now, and put each reminder in the outbox under its idempotency key — one row per chat. Run it
 * every few minutes, twice, after a crash or on two instances at once: a key already in the outbox
 * is skipped, so nobody is reminded twice.
 */

/** Reports are due *before* `dueOn` ("trước ngày 15"): the last day on time is the day before. */
export function lastDayOnTime(dueOn: string): string {
  return toIsoDate(addDays(fromIsoDate(dueOn), -1));
}

/** How far back sent reminders are read (their keys keep a restart from sending them again). */
const SENT_LOOKBACK_DAYS = 45;

export async function reminderPolicy(tx: Tx, campaignId: number): Promise<ReminderPolicy> {
  const settings = await tx.reminders.settings(campaignId);
  return parseReminderPolicy(settings.reminderPolicy);
}

export { oneReportWhenSameDay };

export interface ReminderContext {
  campaign: Campaign;
  input: ReminderInput;
}

/** The kinds of units a campaign's area is made of (its wards' ancestors find their campaign). */
const TREE_KINDS = ['nation', 'province', 'city', 'district', 'ward', 'commune'] as const;

/**
 * Everything the planner needs, read in one transaction, for each campaign still running: open, or
 * not started yet (its pledges are reminded; no report is due before its first period). A closed
 * campaign sends nothing — no report reminder, no escalation, no pledge reminder. Each campaign
 * reminds the wards and communes it covers (a unit belongs to the campaign `campaignsByUnit` picks
 * for it, as the chat does for its officers) and its own pledges, by its own schedule and policy.
 */
export async function loadReminderInputs(
  tx: Tx,
  now: Date,
  only?: { campaignCode?: string },
): Promise<ReminderContext[]> {
  const campaigns = await tx.campaigns.list();
  const running = campaigns.filter(
    (c) => isOpenOrUpcoming(c, now) && (only?.campaignCode === undefined || c.code === only.campaignCode),
  );
  if (running.length === 0) {
    return [];
  }
  const tree = await tx.units.listByKinds(TREE_KINDS);
  const successions = await tx.units.successions();
  // A successor outside every campaign's area carries on its predecessors' campaign (area-view.ts).
  const campaignOfUnit = inheritBySuccession(campaignsByUnit(campaigns, tree, now), successions);
  const locals = await tx.units.listByKinds(['ward', 'commune']);
  const datedLocals = (await tx.units.listAllDated()).filter((u) => isLocalKind(u.kind));
  const members = await tx.reminders.members(['unit_officer', 'leader', 'admin']);
  const pauses = await tx.reminders.pauses();
  const unitHeads = unitHeadsFromMemberships(
    tree.filter((u) => u.kind !== 'nation').map((u) => ({ id: u.id, parentId: u.parentId })),
    members.filter((m) => m.role !== 'unit_officer'),
  );
  const sent = await tx.reminders.bulkSince(new Date(now.getTime() - (SENT_LOOKBACK_DAYS + 1) * 86_400_000));
  const sentKeys = new Set(sent.map((m) => plannerKey(m.idempotencyKey)));
  const out: ReminderContext[] = [];
  for (const campaign of running) {
    const timeZone = campaign.timeZone;
    const policy = await reminderPolicy(tx, campaign.id);
    const kinds = ['weekly', 'monthly', 'quarterly', 'semiannual', 'final'] as const;
    const periods: PlannerPeriod[] = [];
    for (const kind of kinds) {
      for (const p of await tx.campaigns.listPeriods(campaign.id, kind)) {
        periods.push({
          id: p.id,
          kind: p.kind,
          code: p.code,
          label: p.label,
          opensOn: p.opensOn,
          dueOn: lastDayOnTime(p.dueOn),
        });
      }
    }
    // A ward merged into a successor owes no report from the merger on (its successor does).
    const todayIso = toIsoDate(dateInZone(now, timeZone));
    const ended = new Set(successions.filter((s) => s.effectiveOn <= todayIso).map((s) => s.predecessorId));
    const units = locals.filter((u) => !ended.has(u.id) && campaignOfUnit.get(u.id)?.id === campaign.id);
    const covered = new Set(units.map((u) => u.id));
    const periodDue = new Map(periods.map((p) => [p.id, p.dueOn]));
    const officers: Officer[] = members
      .filter((m) => m.role === 'unit_officer' && covered.has(m.unitId))
      .map((m) => {
        const until = pauses
          .filter((p) => p.personId === m.personId)
          .map((p) => p.until ?? (p.periodId === null ? undefined : periodDue.get(p.periodId)))
          .filter((d): d is string => d !== undefined)
          .sort()
          .at(-1);
        return {
          personId: m.personId,
          unitId: m.unitId,
          chats: m.chats,
          ...(until ? { pausedUntil: until } : {}),
        };
      });
    const submissions = new Set(
      (await tx.reminders.submitted(campaign.id)).map((s) => submissionKey(s.periodId, s.unitId)),
    );
    // Who is asked for a period: the units valid on its due day; a successor is not asked for a
    // period its predecessors all reported before the merger (area-view.ts, as the views count),
    // those from outside the campaign's area left out: they never owed it.
    // A report of a period counts for those one report serves with it (core/campaigns/same-day.ts).
    const oneReport = await oneReportWhenSameDay(tx, campaign.id);
    const servedBy = servedTogether(periods, oneReport);
    const owes = await loadOwesReports(tx, campaign.areaUnitId);
    for (const s of reportsNotOwed(
      datedLocals,
      successions,
      periods,
      (p, u) => (servedBy.get(p) ?? []).some((q) => submissions.has(submissionKey(q.id, u))),
      owes,
    )) {
      submissions.add(submissionKey(s.periodId, s.unitId));
    }
    const pledges = [];
    for (const p of await tx.pledges.listByCampaign(campaign.id)) {
      if (isUnverified(p)) {
        // Waiting for a fund officer's verification (issue 13 §6): nobody is asked to pay it yet.
        continue;
      }
      const chats = p.personId === null ? [] : await tx.people.identitiesOf(p.personId);
      pledges.push({
        id: p.id,
        ref: p.ref,
        personId: p.personId,
        chats: chats.map((c) => ({ channel: c.channel, chatId: c.externalUserId })),
        amount: p.amount,
        received: p.received,
        dueOn: p.dueOn,
        cancelled: p.cancelledAt !== null,
      });
    }
    out.push({
      campaign,
      input: {
        ...(await committeeOf(tx, campaign, members)),
        campaign,
        policy,
        periods,
        units: units.map((u) => ({ id: u.id, name: u.name })),
        officers,
        submissions,
        unitHeads: unitHeads.filter((h) => covered.has(h.unitId)),
        pledges,
        oneReportWhenSameDay: oneReport,
        alreadySentToday: sentToday(sent, now, timeZone),
        sentKeys,
      },
    });
  }
  return out;
}

/**
 * The campaign's own reports (issue 16 §2): owed by the staff of its area unit (its admins, leaders
 * and officers there), addressed as the campaign's documents say. None without an area unit.
 */
async function committeeOf(
  tx: Tx,
  campaign: Campaign,
  members: readonly MemberWithChats[],
): Promise<{ committee?: CommitteeObligation }> {
  const areaId = campaign.areaUnitId;
  const area = areaId === null ? undefined : await tx.units.findById(areaId);
  if (!area) {
    return {};
  }
  const staff = members.filter((m) => m.unitId === area.id && COMMITTEE_ROLES.includes(m.role));
  return {
    committee: {
      unitId: area.id,
      unitName: area.name,
      // One reminder per person, whatever roles they hold there.
      staff: staff.filter((m, i) => staff.findIndex((o) => o.personId === m.personId) === i),
      sendTo: await committeeRecipient(tx, campaign),
    },
  };
}

/** Capped reminders (report and pledge) each person got today, in the campaign's calendar. */
function sentToday(sent: readonly BulkMessage[], now: Date, timeZone: string): Map<number, number> {
  const today = startOfDay(dateInZone(now, timeZone), timeZone);
  const perPerson = new Map<number, Set<string>>();
  for (const m of sent) {
    if (
      m.personId !== null &&
      m.createdAt >= today &&
      (m.purpose === 'reminder' || m.purpose === 'pledge_reminder')
    ) {
      const keys = perPerson.get(m.personId) ?? new Set<string>();
      keys.add(plannerKey(m.idempotencyKey));
      perPerson.set(m.personId, keys);
    }
  }
  return new Map([...perPerson].map(([personId, keys]) => [personId, keys.size]));
}

/** One outbox row per chat: `<planner key>@<channel>`; the planner's key is what came before. */
function plannerKey(idempotencyKey: string): string {
  const at = idempotencyKey.lastIndexOf('@');
  return at < 0 ? idempotencyKey : idempotencyKey.slice(0, at);
}

const PURPOSES: Record<PlannedReminder['kind'], OutboxPurpose> = {
  report_due: 'reminder',
  escalation: 'escalation',
  pledge_due: 'pledge_reminder',
  pledge_overdue: 'pledge_reminder',
};

/** The message a reminder becomes: its text and the one-tap answers that go with it. */
export function reminderMessage(item: PlannedReminder, periodKind?: PeriodKind, address?: string): Outbound {
  const choices: Choice[][] = [];
  if (item.subject.kind === 'committee') {
    choices.push([
      { id: menuButtonId('committee', item.subject.periodId), label: '📑 Nhận dự thảo, ban hành báo cáo' },
    ]);
  } else if (item.subject.kind === 'report' && item.kind === 'report_due') {
    // Weekly and monthly reports are the figures form (/baocao); the others are narratives.
    choices.push([
      periodKind !== undefined && isFigurePeriod(periodKind)
        ? { id: menuButtonId('report', item.subject.unitId), label: '📝 Báo cáo ngay' }
        : { id: menuButtonId('narrative'), label: '📝 Báo cáo ngay' },
    ]);
    choices.push([{ id: menuButtonId('pause', item.subject.periodId), label: '🗒 Đã báo cáo bằng văn bản' }]);
  } else if (item.kind === 'escalation') {
    choices.push([{ id: menuButtonId('status'), label: '📊 Tình hình các đơn vị' }]);
  } else {
    choices.push([{ id: menuButtonId('mypledges'), label: '📄 Đăng ký của tôi' }]);
  }
  return { text: renderReminder(item.text, 'vi', address), choices, notice: reminderNotice(item) };
}

/** Params of a reminder that name catalog texts or commands, not what a template shows. */
const NOT_NOTICE_PARAMS = new Set(['hint', 'to', 'command']);

/**
 * What a reminder is for a template message (Zalo ZNS, issue 18 §4): `title` ("Báo cáo tháng
 * 3/2025", "Đăng ký ủng hộ số UH-0001"), and the reminder's own params (unit, period, due, days, ref,
 * remaining, area, count, units); an escalation of several units names them as "3 đơn vị".
 */
export function reminderNotice(item: PlannedReminder): OutboundNotice {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(item.text.params)) {
    if (!NOT_NOTICE_PARAMS.has(name)) {
      params[name] = value;
    }
  }
  const { period = '', ref = '', count } = item.text.params;
  if (item.kind === 'escalation') {
    if (count !== undefined) {
      params.unit = t('vi', 'notice.units', { count });
    }
    return {
      kind: 'escalation',
      params: { title: t('vi', 'notice.title.escalation', { period }), ...params },
    };
  }
  const title =
    item.subject.kind === 'pledge'
      ? t('vi', 'notice.title.pledge', { ref })
      : t('vi', 'notice.title.report', { period });
  return { kind: 'reminder', params: { title, ...params } };
}

/**
 * A head of several late units gets one message per period listing them, not one per unit; its key
 * is per head and period, so a unit found late later the same day is left to the digest.
 */
function escalationsByHead(planned: PlannedReminder[]): PlannedReminder[] {
  const groups = new Map<string, PlannedReminder[]>();
  for (const item of planned) {
    if (item.kind === 'escalation' && item.subject.kind === 'report') {
      const key = `${item.subject.periodId}:${item.personId}`;
      groups.set(key, [...(groups.get(key) ?? []), item]);
    }
  }
  return [...groups.values()].map((group) => {
    const first = group[0] as PlannedReminder;
    const units = group.map((g) => g.text.params.unit ?? '').join(', ');
    return {
      ...first,
      key: `${first.key.split(':').slice(0, 2).join(':')}:head-${first.personId}`,
      text:
        group.length === 1
          ? first.text
          : {
              template: 'escalation_many' as const,
              params: { ...first.text.params, units, count: String(group.length) },
            },
      reason: group.map((g) => g.reason).join('; '),
    };
  });
}

export interface ReminderRun {
  planned: PlannedReminder[];
  /** Outbox rows actually added (0 when another run or instance already added them). */
  enqueued: number;
  late: LateUnit[];
  timeZone: string;
  /** The campaigns planned for (open or not started yet), by code. */
  campaigns: string[];
}

/**
 * Plans and (unless `dryRun`) enqueues the reminders due at `now`, for every campaign still running
 * (or only the one with `campaignCode`); undefined when none is.
 */
export async function runReminders(
  tx: Tx,
  now: Date,
  opts: { dryRun?: boolean; campaignCode?: string } = {},
): Promise<ReminderRun | undefined> {
  // Two instances planning at once would both read "not sent yet"; the keys would still keep the
  // outbox free of duplicates, but one plan at a time keeps the per-person daily caps exact.
  await tx.lock('scheduler:reminders');
  const contexts = await loadReminderInputs(
    tx,
    now,
    opts.campaignCode === undefined ? undefined : { campaignCode: opts.campaignCode },
  );
  const first = contexts[0];
  if (!first) {
    return undefined;
  }
  const planned: PlannedReminder[] = [];
  const late: LateUnit[] = [];
  const items: OutboxItem[] = [];
  // A person reminded for one campaign has that much less of the day's cap for the next.
  const plannedToday = new Map<number, number>();
  for (const { campaign, input } of contexts) {
    const alreadySentToday = new Map(input.alreadySentToday);
    for (const [personId, n] of plannedToday) {
      alreadySentToday.set(personId, (alreadySentToday.get(personId) ?? 0) + n);
    }
    const own = planReminders({ ...input, alreadySentToday }, now);
    for (const item of own) {
      if (item.kind !== 'escalation') {
        plannedToday.set(item.personId, (plannedToday.get(item.personId) ?? 0) + 1);
      }
    }
    planned.push(...own);
    late.push(...digestLateUnits(input, now));
    const kindOf = new Map(input.periods.map((p) => [p.id, p.kind]));
    const address = addressOf(campaign);
    items.push(
      ...[...escalationsByHead(own), ...own.filter((i) => i.kind !== 'escalation')].flatMap((item) => {
        const message = reminderMessage(
          item,
          item.subject.kind === 'report' ? kindOf.get(item.subject.periodId) : undefined,
          address,
        );
        return item.chats.map((chat) => ({
          channel: chat.channel,
          chatId: chat.chatId,
          message,
          idempotencyKey: `${item.key}@${chat.channel}`,
          purpose: PURPOSES[item.kind],
          personId: item.personId,
        }));
      }),
    );
  }
  const result = {
    planned,
    late,
    timeZone: first.campaign.timeZone,
    campaigns: contexts.map((c) => c.campaign.code),
  };
  if (opts.dryRun) {
    return { ...result, enqueued: 0 };
  }
  const enqueued = items.length > 0 ? await tx.outbox.enqueue(items, now) : 0;
  return { ...result, enqueued };
}
