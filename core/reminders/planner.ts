/**
 * The reminder planner (issue 6 §1–2): a pure function of the campaign's rules, who still owes what,
 * and `now` → the reminders due at `now`. It never sends. The caller inserts each item into the
 * outbox under its `key` (unique), so planning every few minutes, after a crash or on two instances
 * at once sends each reminder once; the catch-up window keeps a restart from replaying every slot
 * it slept through.
 */

import type { Campaign, Period, PeriodKind } from '../campaigns/campaign.ts';
import {
  compareObligations,
  type Obligation,
  obligationOf,
  reportReminderPrefix,
  sameDayObligations,
} from '../campaigns/same-day.ts';
import { committeeCommand, isCommitteeKind } from '../committee/committee-kinds.ts';
import { pledgeStatus } from '../funds/ledger.ts';
import type { Channel } from '../messaging/message.ts';
import type { Role } from '../shared/actor.ts';
import {
  addDays,
  type CalendarDate,
  dateInZone,
  fromIsoDate,
  startOfDay,
  toIsoDate,
  zonedParts,
} from '../shared/calendar.ts';
import { formatDate, formatDateTime, formatMoney } from '../shared/format.ts';
import { committeeOf } from '../units/kinds.ts';
import { clockMinutes, isQuietMinute, type ReminderPolicy } from './policy.ts';
import { REPORT_HINTS, type ReminderText } from './texts.ts';

export interface ReminderChat {
  channel: Channel;
  chatId: string;
}

export interface Recipient {
  personId: number;
  chats: readonly ReminderChat[];
}

/** A person who owes a unit's reports. */
export interface Officer extends Recipient {
  unitId: number;
  /** No report reminders on days up to and including this ISO day ("đã báo cáo bằng văn bản"). */
  pausedUntil?: string;
}

/** A person told when a unit misses a deadline. */
export interface UnitHead extends Recipient {
  unitId: number;
}

export type PlannerPeriod = Pick<Period, 'id' | 'kind' | 'code' | 'label' | 'opensOn' | 'dueOn'>;

export interface PledgeToRemind {
  id: number;
  ref: string;
  /** The donor's person in the bot; pledges taken on paper (null) are not reminded. */
  personId: number | null;
  chats: readonly ReminderChat[];
  amount: bigint;
  received: bigint;
  dueOn: string | null;
  cancelled: boolean;
}

export interface ReminderInput {
  campaign: Pick<Campaign, 'timeZone'>;
  policy: ReminderPolicy;
  periods: readonly PlannerPeriod[];
  /** The units that owe every period's report. */
  units: readonly { id: number; name: string }[];
  officers: readonly Officer[];
  /** `submissionKey(periodId, unitId)` of every report already submitted. */
  submissions: ReadonlySet<string>;
  unitHeads: readonly UnitHead[];
  pledges: readonly PledgeToRemind[];
  /**
   * The area committee's own reports (issue 16 §2): the six-monthly and final periods, owed by the
   * staff of the campaign's area unit (not by the wards, who are never reminded of a six-monthly
   * report). Absent: none planned (a campaign without an area unit).
   */
  committee?: CommitteeObligation;
  /**
   * One report serves the obligations of a unit due the same day (the campaign definition's
   * schedule.oneReportWhenSameDay): the weekly, monthly and quarterly reports due that day are
   * reminded, escalated and listed late once, as one obligation with one key, and any of its reports
   * sent counts for all of them. Absent or false: each period on its own (campaigns without a definition).
   */
  oneReportWhenSameDay?: boolean;
  /** Capped reminders (report and pledge, not escalations) already sent to each person today (local day). */
  alreadySentToday: ReadonlyMap<number, number>;
  /**
   * Keys already in the outbox, if the caller has them: those items are left out and do not take
   * the day's cap twice. Without it they come out again (the unique key drops them) and the cap
   * errs on the side of sending less.
   */
  sentKeys?: ReadonlySet<string>;
}

/** Who owes the committee's reports of an area, and where they go. */
export interface CommitteeObligation {
  /** The campaign's area unit: its reports are stored and counted under it. */
  unitId: number;
  /** "Ủy ban MTTQ Việt Nam thành phố Bắc Kạn". */
  unitName: string;
  /** Its admins, leaders and officers (core/committee COMMITTEE_ROLES). */
  staff: readonly Recipient[];
  /** "Thường trực Thành ủy": the report's addressee from the campaign's documents, or ''. */
  sendTo: string;
}

export type ReminderKind = 'report_due' | 'escalation' | 'pledge_due' | 'pledge_overdue';

export type ReminderSubject =
  | {
      kind: 'report';
      /** The period whose report the unit sends (the first of a combined obligation: monthly before quarterly). */
      periodId: number;
      unitId: number;
      /** A combined obligation: every period the one report serves, `periodId` first. */
      periodIds?: readonly number[];
    }
  | { kind: 'pledge'; pledgeId: number }
  /** The committee's own six-monthly or final report (`unitId`: the area unit). */
  | { kind: 'committee'; periodId: number; unitId: number };

export interface PlannedReminder {
  /** The idempotency key: the outbox accepts one row per key. */
  key: string;
  kind: ReminderKind;
  personId: number;
  chats: readonly ReminderChat[];
  /** When it was due to go (its slot, moved out of the quiet hours). */
  slotAt: Date;
  text: ReminderText;
  subject: ReminderSubject;
  /** Why it is due, in Vietnamese, for the operator's dry run (`reminders plan`). */
  reason: string;
}

export interface LateUnit {
  periodId: number;
  periodCode: string;
  periodLabel: string;
  dueOn: string;
  unitId: number;
  unitName: string;
  daysLate: number;
  /** Every officer of the unit was paused on the due day (reported on paper): not escalated. */
  paused: boolean;
}

export function submissionKey(periodId: number, unitId: number): string {
  return `${periodId}:${unitId}`;
}

export type { Obligation };

/**
 * An obligation the planner reminds: the periods of its kinds the policy reminds, and every period
 * one report serves with them (`servedBy`: a report of any counts, even of a kind not reminded).
 */
export interface UnitObligation extends Obligation<PlannerPeriod> {
  servedBy: readonly PlannerPeriod[];
}

/** Reports the wards and communes owe; six-monthly summaries are the area's own staff's, never theirs. */
const UNIT_KINDS: readonly PeriodKind[] = ['weekly', 'monthly', 'quarterly', 'final'];

/**
 * The obligations the units owe among `periods`: the kinds the policy reminds, never six-monthly
 * summaries; with `oneReportWhenSameDay`, the weekly, monthly and quarterly periods due the same
 * day become one obligation (core/campaigns/same-day.ts, as the views count them). In due order,
 * then by code.
 */
export function unitObligations(
  periods: readonly PlannerPeriod[],
  policy: Pick<ReminderPolicy, 'periodKinds'>,
  oneReportWhenSameDay = false,
): UnitObligation[] {
  const owed = periods.filter((p) => UNIT_KINDS.includes(p.kind));
  return sameDayObligations(owed, oneReportWhenSameDay)
    .flatMap((o) => {
      const reminded = o.periods.filter((p) => policy.periodKinds.includes(p.kind));
      return reminded.length > 0 ? [{ ...obligationOf(reminded), servedBy: o.periods }] : [];
    })
    .sort(compareObligations);
}

/** Whether one of the obligation's reports is in for the unit. */
function hasReported(submissions: ReadonlySet<string>, obligation: UnitObligation, unitId: number): boolean {
  return obligation.servedBy.some((p) => submissions.has(submissionKey(p.id, unitId)));
}

function reportSubject(obligation: Obligation, unitId: number): ReminderSubject {
  return {
    kind: 'report',
    periodId: obligation.primary.id,
    unitId,
    ...(obligation.periods.length > 1 ? { periodIds: obligation.periods.map((p) => p.id) } : {}),
  };
}

/**
 * The instant a report stops being "due" for the planner: the end of its due day in the campaign's
 * zone. Reminders on the due day say "hôm nay là hạn cuối" and the escalation comes after it.
 */
export function reportDeadline(dueOn: string, timeZone: string): Date {
  return startOfDay(addDays(fromIsoDate(dueOn), 1), timeZone);
}

/**
 * Who hears about a unit's missed deadline: its `leader` members or, when it has none, the `admin`
 * members of its parent unit.
 */
export function unitHeadsFromMemberships(
  units: readonly { id: number; parentId: number | null }[],
  memberships: readonly { personId: number; unitId: number; role: Role; chats: readonly ReminderChat[] }[],
): UnitHead[] {
  const heads: UnitHead[] = [];
  for (const unit of units) {
    const leaders = memberships.filter((m) => m.unitId === unit.id && m.role === 'leader');
    const chosen =
      leaders.length > 0
        ? leaders
        : memberships.filter(
            (m) => unit.parentId !== null && m.unitId === unit.parentId && m.role === 'admin',
          );
    for (const m of chosen) {
      heads.push({ unitId: unit.id, personId: m.personId, chats: m.chats });
    }
  }
  return heads;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Whole days from one ISO day to another (negative when `to` is earlier). */
function daysBetween(from: string, to: string): number {
  const a = fromIsoDate(from);
  const b = fromIsoDate(to);
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / DAY_MS);
}

/**
 * The slot of a day: `sendAt` on that day, or the end of the quiet hours when `sendAt` falls in
 * them. Remembers each day's midnight, which costs two Intl calls.
 */
function createSlots(policy: ReminderPolicy, timeZone: string): (day: CalendarDate) => Date {
  let minutes = clockMinutes(policy.sendAt);
  let dayShift = 0;
  if (isQuietMinute(minutes, policy.quietHours)) {
    const to = clockMinutes(policy.quietHours.to);
    dayShift = minutes >= clockMinutes(policy.quietHours.from) && to < minutes ? 1 : 0;
    minutes = to;
  }
  const midnights = new Map<string, number>();
  return (day) => {
    const iso = toIsoDate(addDays(day, dayShift));
    let midnight = midnights.get(iso);
    if (midnight === undefined) {
      midnight = startOfDay(fromIsoDate(iso), timeZone).getTime();
      midnights.set(iso, midnight);
    }
    return new Date(midnight + minutes * 60_000);
  };
}

interface Candidate extends PlannedReminder {
  /** Within one person's day: escalations, then report reminders, then pledges. */
  rank: number;
  deadlineMs: number;
}

const RANK: Record<ReminderKind, number> = { escalation: 0, report_due: 1, pledge_overdue: 2, pledge_due: 3 };

function groupByUnit<T extends { unitId: number }>(rows: readonly T[]): Map<number, T[]> {
  const map = new Map<number, T[]>();
  for (const row of rows) {
    const list = map.get(row.unitId);
    if (list) {
      list.push(row);
    } else {
      map.set(row.unitId, [row]);
    }
  }
  return map;
}

function isPaused(officer: Officer, isoDay: string): boolean {
  return officer.pausedUntil !== undefined && isoDay <= officer.pausedUntil;
}

/** A unit whose officers all reported on paper for this deadline is not late in the chat's eyes. */
function isExcused(officers: readonly Officer[] | undefined, dueOn: string): boolean {
  return officers !== undefined && officers.length > 0 && officers.every((o) => isPaused(o, dueOn));
}

/**
 * The reminders due at `now`: each slot that has come (slot ≤ now), is younger than the policy's
 * catch-up window and, for reminders before a deadline, whose deadline has not passed; nothing
 * at all while `now` is in the quiet hours. Submitted reports and paid or cancelled pledges are
 * not reminded, paused officers are skipped, and each person's report and pledge reminders are
 * capped per local day (the earliest slots win). Deterministic: sorted by slotAt, then key.
 */
export function planReminders(input: ReminderInput, now: Date): PlannedReminder[] {
  const { policy } = input;
  const timeZone = input.campaign.timeZone;
  const local = zonedParts(now, timeZone);
  if (isQuietMinute(local.hour * 60 + local.minute, policy.quietHours)) {
    return [];
  }
  const today = toIsoDate(local);
  const nowMs = now.getTime();
  const slotOf = createSlots(policy, timeZone);
  const isDue = (slot: Date, windowHours: number): boolean =>
    slot.getTime() <= nowMs && nowMs - slot.getTime() < windowHours * HOUR_MS;
  // Slots move at most a day later out of the quiet hours; this bounds the days worth a look.
  const lookBackDays = Math.ceil(Math.max(policy.catchUpHours, policy.escalation.catchUpHours) / 24) + 2;

  const candidates = new Map<string, Candidate>();
  const add = (c: Candidate): void => {
    if (!candidates.has(c.key) && c.chats.length > 0 && !input.sentKeys?.has(c.key)) {
      candidates.set(c.key, c);
    }
  };

  const officersByUnit = groupByUnit(input.officers);
  const headsByUnit = groupByUnit(input.unitHeads);
  const maxOffset = Math.max(0, ...policy.offsetsDays);

  for (const period of unitObligations(input.periods, policy, input.oneReportWhenSameDay)) {
    const due = fromIsoDate(period.dueOn);
    const sinceDue = daysBetween(period.dueOn, today);
    const dueText = formatDate(due);

    // Before a deadline only: today ≤ dueOn is exactly "now < reportDeadline(dueOn)".
    if (sinceDue <= 0 && sinceDue >= -maxOffset) {
      const deadline = reportDeadline(period.dueOn, timeZone);
      for (const offset of policy.offsetsDays) {
        const day = addDays(due, -offset);
        if (toIsoDate(day) < period.opensOn) {
          continue;
        }
        const slotAt = slotOf(day);
        if (!isDue(slotAt, policy.catchUpHours)) {
          continue;
        }
        const slotDay = toIsoDate(dateInZone(slotAt, timeZone));
        const daysLeft = -sinceDue;
        for (const unit of input.units) {
          if (hasReported(input.submissions, period, unit.id)) {
            continue;
          }
          for (const officer of officersByUnit.get(unit.id) ?? []) {
            if (isPaused(officer, slotDay)) {
              continue;
            }
            add({
              key: `${reportReminderPrefix(period.code, unit.id)}${officer.personId}:${offset}`,
              kind: 'report_due',
              personId: officer.personId,
              chats: officer.chats,
              slotAt,
              text: {
                template: daysLeft === 0 ? 'report_due_today' : 'report_due',
                params: {
                  unit: unit.name,
                  period: period.label,
                  due: dueText,
                  days: String(daysLeft),
                  hint: REPORT_HINTS[period.primary.kind],
                },
              },
              subject: reportSubject(period, unit.id),
              reason: `Báo cáo ${period.label}, hạn ${dueText}, nhắc trước ${offset} ngày: ${unit.name} chưa gửi`,
              rank: RANK.report_due,
              deadlineMs: deadline.getTime(),
            });
          }
        }
      }
    }

    const escalationDay = addDays(due, policy.escalation.daysAfter);
    const sinceEscalation = daysBetween(toIsoDate(escalationDay), today);
    if (policy.escalation.enabled && sinceEscalation >= 0 && sinceEscalation <= lookBackDays) {
      const slotAt = slotOf(escalationDay);
      if (isDue(slotAt, policy.escalation.catchUpHours)) {
        for (const unit of input.units) {
          const officers = officersByUnit.get(unit.id);
          if (hasReported(input.submissions, period, unit.id) || isExcused(officers, period.dueOn)) {
            continue;
          }
          for (const head of headsByUnit.get(unit.id) ?? []) {
            add({
              key: `escalate:${period.code}:${unit.id}:${head.personId}`,
              kind: 'escalation',
              personId: head.personId,
              chats: head.chats,
              slotAt,
              text: {
                template: 'escalation',
                params: { unit: unit.name, period: period.label, due: dueText },
              },
              subject: reportSubject(period, unit.id),
              reason: `Báo cáo ${period.label}, hạn ${dueText}: ${unit.name} chưa gửi, báo lãnh đạo đơn vị`,
              rank: RANK.escalation,
              deadlineMs: slotAt.getTime(),
            });
          }
        }
      }
    }
  }

  if (policy.committee && input.committee) {
    planCommittee(input.committee, input, today, maxOffset, slotOf, isDue, add);
  }

  if (policy.pledges.enabled) {
    for (const pledge of input.pledges) {
      planPledge(pledge, today, lookBackDays, policy, slotOf, isDue, timeZone, add);
    }
  }

  return applyDailyCap([...candidates.values()], input);
}

/**
 * The committee's own reports: each six-monthly and final period not yet issued by the area unit,
 * reminded to each of its staff at the policy's days before the deadline, like a ward's report
 * (keys `remind:<code>:<area>:<person>:<offset>`, so issuing it withdraws those still queued). No
 * escalation: the staff are the ones escalations go to; the digest shows it late.
 */
function planCommittee(
  committee: CommitteeObligation,
  input: ReminderInput,
  today: string,
  maxOffset: number,
  slotOf: (day: CalendarDate) => Date,
  isDue: (slot: Date, windowHours: number) => boolean,
  add: (c: Candidate) => void,
): void {
  const { policy } = input;
  const timeZone = input.campaign.timeZone;
  for (const period of input.periods.filter((p) => isCommitteeKind(p.kind))) {
    const sinceDue = daysBetween(period.dueOn, today);
    if (
      sinceDue > 0 ||
      sinceDue < -maxOffset ||
      input.submissions.has(submissionKey(period.id, committee.unitId))
    ) {
      continue;
    }
    const due = fromIsoDate(period.dueOn);
    // The planner's dueOn is the last day on time; the document says "trước" the day after.
    const dueText = formatDate(addDays(due, 1));
    const deadline = reportDeadline(period.dueOn, timeZone);
    for (const offset of policy.offsetsDays) {
      const day = addDays(due, -offset);
      const slotAt = slotOf(day);
      if (toIsoDate(day) < period.opensOn || !isDue(slotAt, policy.catchUpHours)) {
        continue;
      }
      for (const person of committee.staff) {
        add({
          key: `${reportReminderPrefix(period.code, committee.unitId)}${person.personId}:${offset}`,
          kind: 'report_due',
          personId: person.personId,
          chats: person.chats,
          slotAt,
          text: {
            template: sinceDue === 0 ? 'committee_due_today' : 'committee_due',
            params: {
              period: period.label,
              area: committeeOf(committee.unitName),
              to: committee.sendTo,
              due: dueText,
              days: String(-sinceDue),
              command: committeeCommand(period.kind),
            },
          },
          subject: { kind: 'committee', periodId: period.id, unitId: committee.unitId },
          reason: `Báo cáo ${period.label} của Ban Thường trực ${committeeOf(committee.unitName)}, hạn trước ${dueText}, nhắc trước ${offset} ngày: chưa ban hành`,
          rank: RANK.report_due,
          deadlineMs: deadline.getTime(),
        });
      }
    }
  }
}

function planPledge(
  pledge: PledgeToRemind,
  today: string,
  lookBackDays: number,
  policy: ReminderPolicy,
  slotOf: (day: CalendarDate) => Date,
  isDue: (slot: Date, windowHours: number) => boolean,
  timeZone: string,
  add: (c: Candidate) => void,
): void {
  if (pledge.personId === null || pledge.dueOn === null) {
    return;
  }
  const status = pledgeStatus(pledge, pledge.received, today);
  if (status === 'paid' || status === 'cancelled') {
    return;
  }
  const { personId, dueOn } = pledge;
  const due = fromIsoDate(dueOn);
  const sinceDue = daysBetween(dueOn, today);
  const { daysBefore, overdueEveryDays, maxOverdue } = policy.pledges;
  const base = {
    ref: pledge.ref,
    remaining: formatMoney(pledge.amount - pledge.received),
    due: formatDate(due),
  };

  if (sinceDue <= 0 && sinceDue >= -daysBefore) {
    const day = addDays(due, -daysBefore);
    const slotAt = slotOf(day);
    if (isDue(slotAt, policy.catchUpHours)) {
      add({
        key: `pledge:${pledge.id}:${toIsoDate(day)}`,
        kind: 'pledge_due',
        personId,
        chats: pledge.chats,
        slotAt,
        text: {
          template: sinceDue === 0 ? 'pledge_due_today' : 'pledge_due',
          params: { ...base, days: String(-sinceDue) },
        },
        subject: { kind: 'pledge', pledgeId: pledge.id },
        reason: `Đăng ký ${pledge.ref} dự kiến nộp ${base.due}, nhắc trước ${daysBefore} ngày: còn ${base.remaining}`,
        rank: RANK.pledge_due,
        deadlineMs: reportDeadline(dueOn, timeZone).getTime(),
      });
    }
  }

  if (status === 'overdue') {
    const first = Math.max(1, Math.ceil((sinceDue - lookBackDays) / overdueEveryDays));
    const last = Math.min(maxOverdue, Math.floor(sinceDue / overdueEveryDays));
    for (let n = first; n <= last; n++) {
      const day = addDays(due, n * overdueEveryDays);
      const slotAt = slotOf(day);
      if (!isDue(slotAt, policy.catchUpHours)) {
        continue;
      }
      add({
        key: `pledge:${pledge.id}:${toIsoDate(day)}`,
        kind: 'pledge_overdue',
        personId,
        chats: pledge.chats,
        slotAt,
        text: { template: 'pledge_overdue', params: { ...base, days: String(sinceDue) } },
        subject: { kind: 'pledge', pledgeId: pledge.id },
        reason: `Đăng ký ${pledge.ref} quá hạn nộp từ ${base.due}, lần nhắc ${n}/${maxOverdue}: còn ${base.remaining}`,
        rank: RANK.pledge_overdue,
        deadlineMs: slotAt.getTime(),
      });
    }
  }
}

function compareCandidates(a: Candidate, b: Candidate): number {
  return (
    a.slotAt.getTime() - b.slotAt.getTime() ||
    a.rank - b.rank ||
    a.deadlineMs - b.deadlineMs ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  );
}

/** Keeps each person's earliest report and pledge reminders up to what today's cap leaves. */
function applyDailyCap(candidates: Candidate[], input: ReminderInput): PlannedReminder[] {
  const used = new Map(input.alreadySentToday);
  const kept: PlannedReminder[] = [];
  for (const c of candidates.sort(compareCandidates)) {
    if (c.kind !== 'escalation') {
      const count = used.get(c.personId) ?? 0;
      if (count >= input.policy.maxPerPersonPerDay) {
        continue;
      }
      used.set(c.personId, count + 1);
    }
    const { rank: _rank, deadlineMs: _deadlineMs, ...item } = c;
    kept.push(item);
  }
  return kept.sort(
    (a, b) => a.slotAt.getTime() - b.slotAt.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}

/**
 * The (period, unit) pairs past their deadline without a report, for the leaders' digest: oldest
 * deadline first, then by unit id. Units whose officers reported on paper come with `paused`.
 */
export function digestLateUnits(input: ReminderInput, now: Date): LateUnit[] {
  const today = toIsoDate(dateInZone(now, input.campaign.timeZone));
  const officersByUnit = groupByUnit(input.officers);
  const late: LateUnit[] = [];
  const obligations = unitObligations(input.periods, input.policy, input.oneReportWhenSameDay).filter(
    (o) => o.dueOn < today,
  );
  const units = [...input.units].sort((a, b) => a.id - b.id);
  for (const period of obligations) {
    for (const unit of units) {
      if (hasReported(input.submissions, period, unit.id)) {
        continue;
      }
      late.push({
        periodId: period.primary.id,
        periodCode: period.code,
        periodLabel: period.label,
        dueOn: period.dueOn,
        unitId: unit.id,
        unitName: unit.name,
        daysLate: daysBetween(period.dueOn, today),
        paused: isExcused(officersByUnit.get(unit.id), period.dueOn),
      });
    }
  }
  return late;
}

/** How the operator reads a reminder's kind in the dry run. */
const KIND_LABELS: Record<ReminderKind, string> = {
  report_due: 'nhắc báo cáo',
  escalation: 'chậm báo cáo',
  pledge_due: 'nhắc ủng hộ',
  pledge_overdue: 'quá hạn ủng hộ',
};

/**
 * The dry run, in Vietnamese for the operator: a header, then one row per item (send time, kind,
 * recipient — named when `names` knows them, with their id —, key, reason).
 */
export function planRows(
  items: readonly PlannedReminder[],
  timeZone: string,
  names: ReadonlyMap<number, string> = new Map(),
): { header: string[]; rows: string[][] } {
  const person = (id: number) => {
    const name = names.get(id);
    return name === undefined ? `#${id}` : `${name} (#${id})`;
  };
  return {
    header: ['Giờ gửi', 'Loại', 'Người nhận', 'Khóa', 'Lý do'],
    rows: items.map((i) => [
      formatDateTime(i.slotAt, timeZone),
      KIND_LABELS[i.kind],
      person(i.personId),
      i.key,
      i.reason,
    ]),
  };
}

/** The dry run as text: `planRows` in columns, or a line saying nothing is due. */
export function describePlan(
  items: readonly PlannedReminder[],
  timeZone: string,
  names: ReadonlyMap<number, string> = new Map(),
): string {
  if (items.length === 0) {
    return 'Không có lời nhắc nào đến hạn.';
  }
  const { header, rows: body } = planRows(items, timeZone, names);
  const rows = [header, ...body];
  const widths = [0, 1, 2, 3].map((col) => Math.max(...rows.map((r) => r[col]?.length ?? 0)));
  return rows
    .map((r) =>
      r
        .map((cell, col) => (col < widths.length ? cell.padEnd(widths[col] ?? 0) : cell))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
