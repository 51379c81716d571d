import type { AuditSource } from '../messaging/outbox.repository.ts';
import { fromIsoDate } from '../shared/calendar.ts';
import { formatDate } from '../shared/format.ts';
import type { Tx } from '../unit-of-work.ts';
import { type DatedUnit, FUND_LEVEL_KINDS, isAreaKind } from '../units/unit.repository.ts';
import type { Campaign, CampaignRecord, Period, PeriodKind, PeriodSpec } from './campaign.ts';
import { campaignToday } from './coverage.ts';
import { type CampaignDefinition, definitionToJson, normOn, ZCampaignDefinition } from './definition.ts';
import { type DefinitionProblem, fieldPath } from './definition-file.ts';
import { schedulePeriods } from './periods.ts';

/**
 * A campaign is a definition file (issue 15 §1): these use cases create a campaign from a validated
 * definition, replace it with a new version of the file, and close or reopen it. Each runs in the
 * caller's transaction with its audit row; a refusal returns every problem and writes nothing.
 *
 * What the file says that runtime code reads from the row or the settings is written there: the
 * deadline days and the norm in force (Campaign columns), the reminder policy, the commendation
 * criteria and the pledge safeguards (the settings keys core/reminders/run-reminders.ts,
 * core/summaries/proposals.ts and core/funds/pledge-verification.ts read). The whole definition is
 * stored as JSON beside them.
 */

/** The due day a deadline column holds when the schedule has no such rule (the 2024–2025 plan's). */
const DEFAULT_DUE_DAY = 15;

const PERIOD_KINDS: readonly PeriodKind[] = ['weekly', 'monthly', 'quarterly', 'semiannual', 'final'];

/** What a create or an update did to the reporting periods. */
export interface PeriodChanges {
  added: PeriodSpec[];
  /** Periods not yet due whose dates follow the new rules. */
  moved: { code: string; label: string; dueBefore: string; dueAfter: string }[];
  /** Periods already due that the new rules would move: they keep their dates. */
  keptDue: Period[];
  /** Periods the new rules no longer have, removed (no report referred to them). */
  removed: Period[];
  /** Periods the new rules no longer have but reports refer to: kept. */
  keptReported: Period[];
}

export type CampaignWrite =
  | { ok: true; campaign: Campaign; periods: PeriodChanges }
  | { ok: false; problems: DefinitionProblem[] };

/** What a definition must agree with in the database: the units, the campaigns already there. */
export interface DefinitionContext {
  units: readonly DatedUnit[];
  campaigns: readonly Pick<Campaign, 'code' | 'name'>[];
}

export async function definitionContext(tx: Tx): Promise<DefinitionContext> {
  return { units: await tx.units.listAllDated(), campaigns: await tx.campaigns.list() };
}

/** One problem of a definition against the database, at a path of the file. */
export interface DefinitionIssue {
  path: (string | number)[];
  message: string;
}

/** A creation needs a new code; an update a code in use. */
export type DefinitionMode = 'create' | 'update';

const day = (iso: string) => formatDate(fromIsoDate(iso));

function validOn(unit: DatedUnit, on: string): boolean {
  return unit.validFrom <= on && (unit.validTo === null || unit.validTo >= on);
}

/** The unit the campaign covers: the version of the area's code valid when it starts. */
function areaOf(units: readonly DatedUnit[], definition: CampaignDefinition): DatedUnit | undefined {
  return units.find(
    (u) => u.code === definition.area && validOn(u, definition.startsOn) && isAreaKind(u.kind),
  );
}

/** Why the area's code names no area valid when the campaign starts; undefined when it does. */
function areaProblem(units: readonly DatedUnit[], definition: CampaignDefinition): string | undefined {
  const { area, startsOn } = definition;
  const versions = units.filter((u) => u.code === area);
  const unit = versions.find((u) => validOn(u, startsOn));
  if (unit) {
    return isAreaKind(unit.kind)
      ? undefined
      : `"${unit.name}" (${area}) là tổ chức thành viên, không phải địa bàn: ghi mã của tỉnh, thành phố, phường hoặc xã`;
  }
  if (versions.length === 0) {
    return `không có đơn vị mã "${area}": kiểm tra mã (npm run cli -- units list) hoặc thêm đơn vị trước (units import, units add)`;
  }
  const later = versions
    .filter((u) => u.validFrom > startsOn)
    .sort((a, b) => a.validFrom.localeCompare(b.validFrom))[0];
  if (later) {
    return `đơn vị mã "${area}" (${later.name}) chỉ có hiệu lực từ ${day(later.validFrom)}, sau ngày bắt đầu ${day(startsOn)}: sửa startsOn hoặc ghi mã đơn vị có hiệu lực khi đó`;
  }
  const ended = [...versions].sort((a, b) => b.validFrom.localeCompare(a.validFrom))[0] as DatedUnit;
  return `đơn vị mã "${area}" (${ended.name}) đã hết hiệu lực sau ngày ${day(ended.validTo ?? startsOn)}, trước ngày bắt đầu ${day(startsOn)}: ghi mã đơn vị kế thừa`;
}

/**
 * Every problem of a valid definition against the database: its code (new for a creation, in use
 * for an update), its area (a unit valid when the campaign starts), its fund units.
 */
export function definitionIssues(
  context: DefinitionContext,
  definition: CampaignDefinition,
  mode: DefinitionMode,
): DefinitionIssue[] {
  const issues: DefinitionIssue[] = [];
  const existing = context.campaigns.find((c) => c.code === definition.code);
  if (mode === 'create' && existing) {
    issues.push({
      path: ['code'],
      message: `đã có cuộc vận động mã "${definition.code}" (${existing.name}): đặt mã khác, hoặc sửa cuộc vận động đó bằng campaign update --file`,
    });
  }
  if (mode === 'update' && !existing) {
    issues.push({
      path: ['code'],
      message: `chưa có cuộc vận động mã "${definition.code}": để tạo mới, dùng campaign create --file`,
    });
  }
  const area = areaProblem(context.units, definition);
  if (area !== undefined) {
    issues.push({ path: ['area'], message: area });
  }
  const fundKinds: readonly string[] = FUND_LEVEL_KINDS;
  definition.funds.forEach((fund, i) => {
    const versions = context.units.filter((u) => u.code === fund.unit);
    if (versions.length === 0) {
      issues.push({
        path: ['funds', i, 'unit'],
        message: `không có đơn vị mã "${fund.unit}" để nhận Quỹ: kiểm tra mã (npm run cli -- units list)`,
      });
    } else if (!versions.some((u) => fundKinds.includes(u.kind))) {
      issues.push({
        path: ['funds', i, 'unit'],
        message: `"${versions[0]?.name}" không có Quỹ "Vì người nghèo" riêng: ghi mã của tỉnh, thành phố, phường hoặc xã`,
      });
    }
  });
  return issues;
}

/**
 * The definition schema checking the file against the database too, so that reading a file names
 * every problem with its line (readYamlWith), those of the database included.
 */
export function definitionSchemaFor(context: DefinitionContext, mode: DefinitionMode) {
  return ZCampaignDefinition.superRefine((definition, ctx) => {
    for (const issue of definitionIssues(context, definition, mode)) {
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }
  });
}

/** The area of a definition checked against the database, or its problems (no line: not read from a file). */
async function checked(
  tx: Tx,
  definition: CampaignDefinition,
  mode: DefinitionMode,
): Promise<{ ok: true; area: DatedUnit } | { ok: false; problems: DefinitionProblem[] }> {
  const context = await definitionContext(tx);
  const issues = definitionIssues(context, definition, mode);
  const area = areaOf(context.units, definition);
  if (issues.length > 0 || !area) {
    return {
      ok: false,
      problems: issues.map((i) => ({ line: 0, field: fieldPath(i.path), message: i.message })),
    };
  }
  return { ok: true, area };
}

/** The row a definition gives, with the norm in force when it starts (or today, when later). */
function recordOf(
  definition: CampaignDefinition,
  areaUnitId: number,
  closedOn: string | null,
  settings: Record<string, unknown>,
  now: Date,
): CampaignRecord {
  const today = campaignToday(definition, now);
  const norm = normOn(
    definition.norms,
    today.localeCompare(definition.startsOn) > 0 ? today : definition.startsOn,
  );
  return {
    code: definition.code,
    name: definition.name,
    timeZone: definition.timeZone,
    startsOn: definition.startsOn,
    endsOn: definition.endsOn,
    closedOn,
    addressForm: definition.addressForm,
    areaUnitId,
    monthlyDueDay: definition.schedule.monthly?.dueDay ?? DEFAULT_DUE_DAY,
    quarterlyDueDay: definition.schedule.quarterly?.dueDay ?? DEFAULT_DUE_DAY,
    finalDueOn: definition.schedule.final.dueOn,
    // The schema requires at least one norm.
    normNewBuild: norm?.newBuild ?? 0n,
    normRepair: norm?.repair ?? 0n,
    definition: definitionToJson(definition),
    settings: JSON.stringify({
      ...settings,
      reminderPolicy: definition.reminders,
      commendationCriteria: definition.commendation,
      pledgeSafeguards: definition.pledges,
    }),
  };
}

/** The definition as an audit entry holds it (money as strings of đồng). */
const auditable = (definition: CampaignDefinition): unknown => JSON.parse(definitionToJson(definition));

/**
 * Creates a campaign from a validated definition: the row, its settings, its reporting periods
 * and an audit row. Refused (nothing written) for a code already used, an unknown area or one not
 * valid when the campaign starts, or an unknown fund unit.
 */
export async function createCampaign(
  tx: Tx,
  definition: CampaignDefinition,
  by: AuditSource,
  now: Date,
): Promise<CampaignWrite> {
  const check = await checked(tx, definition, 'create');
  if (!check.ok) {
    return check;
  }
  const id = await tx.campaigns.create(
    recordOf(definition, check.area.id, definition.closedOn ?? null, {}, now),
  );
  const added = schedulePeriods(definition);
  await tx.campaigns.addPeriods(id, added);
  await tx.audit.record(
    {
      ...by,
      action: 'campaign.create',
      entity: 'Campaign',
      entityId: String(id),
      after: { definition: auditable(definition), periods: added.length },
    },
    now,
  );
  return {
    ok: true,
    campaign: await saved(tx, id),
    periods: { added, moved: [], keptDue: [], removed: [], keptReported: [] },
  };
}

/** The campaign as just written in this transaction. */
async function saved(tx: Tx, id: number): Promise<Campaign> {
  const campaign = await tx.campaigns.findById(id);
  if (!campaign) {
    throw new Error(`campaign ${id} vanished inside its transaction`);
  }
  return campaign;
}

function sameDates(a: PeriodSpec, b: PeriodSpec): boolean {
  return (
    a.label === b.label &&
    a.startsOn === b.startsOn &&
    a.endsOn === b.endsOn &&
    a.opensOn === b.opensOn &&
    a.dueOn === b.dueOn
  );
}

/**
 * Brings the stored periods to the new rules. A period whose code remains gets its new dates while
 * not yet due (on the campaign's calendar) — old and new due dates both still ahead — so no report
 * turns late after the fact, as with changeCampaign; new periods are added; a vanished period is
 * removed unless a report refers to it.
 */
async function reconcilePeriods(
  tx: Tx,
  campaignId: number,
  wanted: readonly PeriodSpec[],
  today: string,
): Promise<PeriodChanges> {
  const changes: PeriodChanges = { added: [], moved: [], keptDue: [], removed: [], keptReported: [] };
  const stored = new Map<string, Period>();
  for (const kind of PERIOD_KINDS) {
    for (const period of await tx.campaigns.listPeriods(campaignId, kind)) {
      stored.set(period.code, period);
    }
  }
  for (const spec of wanted) {
    const period = stored.get(spec.code);
    stored.delete(spec.code);
    if (!period) {
      changes.added.push(spec);
    } else if (!sameDates(period, spec)) {
      if (period.dueOn > today && spec.dueOn > today) {
        await tx.campaigns.setPeriodDates(period.id, spec);
        changes.moved.push({
          code: spec.code,
          label: spec.label,
          dueBefore: period.dueOn,
          dueAfter: spec.dueOn,
        });
      } else {
        changes.keptDue.push(period);
      }
    }
  }
  await tx.campaigns.addPeriods(campaignId, changes.added);
  for (const period of stored.values()) {
    ((await tx.campaigns.removePeriod(period.id)) ? changes.removed : changes.keptReported).push(period);
  }
  return changes;
}

/** The periods' changes as an audit entry holds them: codes only. */
function auditablePeriods(changes: PeriodChanges) {
  return {
    added: changes.added.map((p) => p.code),
    moved: changes.moved.map((p) => `${p.code}: ${p.dueBefore} → ${p.dueAfter}`),
    keptDue: changes.keptDue.map((p) => p.code),
    removed: changes.removed.map((p) => p.code),
    keptReported: changes.keptReported.map((p) => p.code),
  };
}

/**
 * Replaces campaign `code` with a new version of its definition: the same checks as a creation,
 * the row's fields and settings sections replaced (other settings kept), the periods brought to the
 * new rules (see reconcilePeriods), an audit row with the definitions before and after. The code
 * itself cannot change. A campaign closed with `campaign close` stays closed unless the file gives
 * its own closedOn.
 */
export async function updateCampaign(
  tx: Tx,
  code: string,
  definition: CampaignDefinition,
  by: AuditSource,
  now: Date,
): Promise<CampaignWrite> {
  if (definition.code !== code) {
    return {
      ok: false,
      problems: [{ line: 0, field: 'code', message: `mã cuộc vận động không đổi được: ghi lại "${code}"` }],
    };
  }
  const check = await checked(tx, definition, 'update');
  const campaign = await tx.campaigns.findByCode(code);
  if (!check.ok || !campaign) {
    return check.ok ? { ok: false, problems: [] } : check;
  }
  const before = await tx.campaigns.definition(campaign.id);
  const settings = await tx.reminders.settings(campaign.id);
  await tx.campaigns.replace(
    campaign.id,
    recordOf(definition, check.area.id, definition.closedOn ?? campaign.closedOn, settings, now),
  );
  const periods = await reconcilePeriods(
    tx,
    campaign.id,
    schedulePeriods(definition),
    campaignToday(definition, now),
  );
  await tx.audit.record(
    {
      ...by,
      action: 'campaign.update',
      entity: 'Campaign',
      entityId: String(campaign.id),
      before: { definition: JSON.parse(before), row: rowOf(campaign) },
      after: { definition: auditable(definition), periods: auditablePeriods(periods) },
    },
    now,
  );
  return { ok: true, campaign: await saved(tx, campaign.id), periods };
}

/** The row's fields for an audit entry (money as strings). */
function rowOf(campaign: Campaign): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(campaign).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]),
  );
}

export type CloseOutcome =
  | { ok: true; campaign: Campaign; before: string | null }
  | { ok: false; reason: 'unknown' }
  | { ok: false; reason: 'before_start'; campaign: Campaign }
  | { ok: false; reason: 'unchanged'; campaign: Campaign };

/**
 * Closes campaign `code` from day `on` (campaign calendar; from that day it sends no reminders and
 * accepts no pledge or report), or with `on` null reopens it. Audited with the day before and after.
 */
export async function closeCampaign(
  tx: Tx,
  code: string,
  on: string | null,
  by: AuditSource,
  now: Date,
): Promise<CloseOutcome> {
  const campaign = await tx.campaigns.findByCode(code);
  if (!campaign) {
    return { ok: false, reason: 'unknown' };
  }
  if (on !== null && on < campaign.startsOn) {
    return { ok: false, reason: 'before_start', campaign };
  }
  if (on === campaign.closedOn) {
    return { ok: false, reason: 'unchanged', campaign };
  }
  await tx.campaigns.setClosedOn(campaign.id, on);
  await tx.audit.record(
    {
      ...by,
      action: on === null ? 'campaign.reopen' : 'campaign.close',
      entity: 'Campaign',
      entityId: String(campaign.id),
      before: { closedOn: campaign.closedOn },
      after: { closedOn: on },
    },
    now,
  );
  return { ok: true, campaign: { ...campaign, closedOn: on }, before: campaign.closedOn };
}
