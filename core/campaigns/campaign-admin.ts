import type { z } from 'zod';
import type { AuditSource } from '../messaging/outbox.repository.ts';
import { dateInZone, toIsoDate } from '../shared/calendar.ts';
import { viZodError } from '../shared/zod-vi.ts';
import type { Tx } from '../unit-of-work.ts';
import type { Campaign, CampaignChanges, PeriodKind } from './campaign.ts';

/**
 * Changing a campaign (issue 7 §1, issue 14 §6): its norms and deadlines, and the sections of its
 * settings (commendation criteria, pledge limits, reminder policy), of the campaign the caller
 * chose (the CLI: `--campaign <code>`, else the only open one). Each runs in the caller's
 * transaction with its audit row.
 */

/** The period kinds whose due day follows a campaign deadline. */
const DUE_DAY_OF: Partial<Record<PeriodKind, 'monthlyDueDay' | 'quarterlyDueDay'>> = {
  monthly: 'monthlyDueDay',
  quarterly: 'quarterlyDueDay',
};

/** The due date `changes` give a period not yet due; undefined when it keeps its own. */
function newDueOn(kind: PeriodKind, dueOn: string, changes: CampaignChanges): string | undefined {
  if (kind === 'final') {
    return changes.finalDueOn;
  }
  const field = DUE_DAY_OF[kind];
  const day = field === undefined ? undefined : changes[field];
  return day === undefined ? undefined : `${dueOn.slice(0, 8)}${String(day).padStart(2, '0')}`;
}

function auditable(campaign: CampaignChanges): Record<string, string | number> {
  return Object.fromEntries(
    Object.entries(campaign).flatMap(([k, v]) =>
      v === undefined ? [] : [[k, typeof v === 'bigint' ? v.toString() : v]],
    ),
  );
}

/**
 * Saves new norms and deadlines. Deadline days apply to the periods whose due date has not passed
 * (on the campaign's calendar): the ones already due keep theirs, so no report turns late after
 * the fact. Returns the campaign as saved.
 */
export async function changeCampaign(
  tx: Tx,
  campaign: Campaign,
  changes: CampaignChanges,
  by: AuditSource,
  now: Date,
): Promise<Campaign> {
  const today = toIsoDate(dateInZone(now, campaign.timeZone));
  await tx.campaigns.update(campaign.id, changes);
  for (const kind of ['monthly', 'quarterly', 'final'] as const) {
    for (const period of await tx.campaigns.listPeriods(campaign.id, kind)) {
      const dueOn = period.dueOn > today ? newDueOn(kind, period.dueOn, changes) : undefined;
      if (dueOn !== undefined && dueOn !== period.dueOn) {
        await tx.campaigns.setPeriodDue(period.id, dueOn);
      }
    }
  }
  await tx.audit.record(
    {
      ...by,
      action: 'campaign.set',
      entity: 'Campaign',
      entityId: String(campaign.id),
      before: auditable({
        normNewBuild: campaign.normNewBuild,
        normRepair: campaign.normRepair,
        monthlyDueDay: campaign.monthlyDueDay,
        quarterlyDueDay: campaign.quarterlyDueDay,
        finalDueOn: campaign.finalDueOn,
      }),
      after: auditable(changes),
    },
    now,
  );
  return (await tx.campaigns.findById(campaign.id)) ?? campaign;
}

/** One section of the campaign's settings: its key, its schema (defaults filled in), its audit action. */
export interface SettingsSection<T> {
  key: string;
  schema: z.ZodType<T>;
  action: string;
}

export type SectionChange<T> =
  | { ok: true; value: T }
  | { ok: false; reason: 'invalid'; path: string; message: string };

/**
 * Reads a section of a campaign's settings or, with `changes`, merges them into it, validates the
 * result, saves it and audits before and after.
 */
export async function changeSettingsSection<T>(
  tx: Tx,
  campaign: Campaign,
  section: SettingsSection<T>,
  changes: object | undefined,
  by: AuditSource,
  now: Date,
): Promise<SectionChange<T>> {
  const settings = await tx.reminders.settings(campaign.id);
  const before = section.schema.parse(settings[section.key] ?? {});
  if (changes === undefined) {
    return { ok: true, value: before };
  }
  const merged = section.schema.safeParse({ ...(before as object), ...changes }, { error: viZodError });
  if (!merged.success) {
    const issue = merged.error.issues[0];
    return { ok: false, reason: 'invalid', path: issue?.path.join('.') ?? '', message: issue?.message ?? '' };
  }
  await tx.reminders.saveSettings(campaign.id, { ...settings, [section.key]: merged.data });
  await tx.audit.record(
    {
      ...by,
      action: section.action,
      entity: 'Campaign',
      entityId: String(campaign.id),
      before,
      after: merged.data,
    },
    now,
  );
  return { ok: true, value: merged.data };
}
