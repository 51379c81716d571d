import { z } from 'zod';
import type { CampaignChanges } from '../../core/campaigns/campaign.ts';
import {
  changeCampaign,
  changeSettingsSection,
  type SettingsSection,
} from '../../core/campaigns/campaign-admin.ts';
import { setGroupStatus } from '../../core/digests/group-admin.ts';
import { ZPledgeSafeguards } from '../../core/funds/pledge-verification.ts';
import { t } from '../../core/messaging/catalog.ts';
import { CLI_SOURCE } from '../../core/messaging/outbox.repository.ts';
import { changeRole, revokeInvite, setPersonActive } from '../../core/people/administration.ts';
import { isRole } from '../../core/shared/actor.ts';
import { formatMoney } from '../../core/shared/format.ts';
import { parseMoney } from '../../core/shared/parse.ts';
import { ZCommendationCriteria } from '../../core/summaries/commendations.ts';
import { campaignByOption, ZCampaignOption } from './campaign-option.ts';
import { fieldReason } from './command-spec.ts';
import { type CliContext, storeOf, UsageError } from './context.ts';
import { describeRoles } from './invite-create.ts';
import { formatIsoDate, renderTable } from './text.ts';

/**
 * Administration from the command line (issue 7 §1): revoke an invite, deactivate or reactivate a
 * person, give or take a role, list / confirm / stop leadership groups, change the campaign's
 * deadlines and norms. Every change writes an audit entry (`personId` null: the operator's shell).
 */

export const personId = z
  .string({ error: 'thiếu số ID của người (xem: npm run cli -- people list)' })
  .regex(/^\d{1,9}$/, 'ID của người là một số (xem: npm run cli -- people list)')
  .transform(Number);

export const ZInviteRevokeArgs = z.object({
  code: z.string({ error: 'thiếu mã mời: invite revoke <MÃ>' }).trim().min(1, 'thiếu mã mời'),
});
export type InviteRevokeArgs = z.output<typeof ZInviteRevokeArgs>;

/** `invite revoke <code>`: an unused invite stops working (a used one cannot be taken back). */
export async function inviteRevoke(ctx: CliContext, args: InviteRevokeArgs): Promise<void> {
  const outcome = await storeOf(ctx).run((tx) => revokeInvite(tx, args.code, CLI_SOURCE, ctx.now));
  switch (outcome) {
    case 'unknown':
      throw new UsageError(`không có mã mời ${args.code}`);
    case 'used':
      throw new UsageError(
        `mã mời ${args.code} đã được dùng; để thu hồi quyền, dùng: people role <ID> --remove ...`,
      );
    case 'already_revoked':
      ctx.out(`Mã mời ${args.code} đã bị thu hồi trước đó.`);
      return;
    case 'revoked':
      ctx.out(`Đã thu hồi mã mời ${args.code}.`);
  }
}

export const ZPersonActiveArgs = z.object({ id: personId });
export type PersonActiveArgs = z.output<typeof ZPersonActiveArgs>;

/** `people deactivate <id>` / `people activate <id>`: a deactivated person is a stranger to the bot. */
export async function personSetActive(
  ctx: CliContext,
  args: PersonActiveArgs,
  active: boolean,
): Promise<void> {
  const change = await storeOf(ctx).run((tx) => setPersonActive(tx, args.id, active, CLI_SOURCE, ctx.now));
  if (change.outcome === 'unknown') {
    throw new UsageError(`không có người có ID ${args.id}`);
  }
  if (change.outcome === 'unchanged') {
    ctx.out(`${change.fullName} đã ${active ? 'đang hoạt động' : 'ngừng hoạt động'} từ trước.`);
    return;
  }
  ctx.out(
    active
      ? `Đã kích hoạt lại ${change.fullName}.`
      : `Đã ngừng hoạt động ${change.fullName}: bot sẽ không nhận người này nữa.`,
  );
}

const roleAtUnit = z
  .string()
  .regex(/^[a-z_]+@[\w-]+$/, 'vai trò viết dạng <vai trò>@<mã đơn vị>, ví dụ unit_officer@01840')
  .transform((v) => {
    const [role, unit] = v.split('@') as [string, string];
    return { role, unit };
  })
  .transform((v, issue) => {
    if (!isRole(v.role)) {
      issue.addIssue({ code: 'custom', message: `vai trò không hợp lệ. Vai trò hợp lệ: ${describeRoles()}` });
      return z.NEVER;
    }
    return { role: v.role, unit: v.unit };
  });

export const ZPersonRoleArgs = z
  .object({ id: personId, add: roleAtUnit.optional(), remove: roleAtUnit.optional() })
  .refine((v) => (v.add === undefined) !== (v.remove === undefined), {
    message: 'dùng đúng một trong hai: --add <vai trò>@<mã đơn vị> hoặc --remove <vai trò>@<mã đơn vị>',
  });
export type PersonRoleArgs = z.output<typeof ZPersonRoleArgs>;

/** `people role <id> --add|--remove <role>@<unit>`: memberships are revoked, never deleted. */
export async function personRole(ctx: CliContext, args: PersonRoleArgs): Promise<void> {
  const change = args.add ?? args.remove;
  if (!change) {
    return;
  }
  const add = args.add !== undefined;
  const { unit, result } = await storeOf(ctx).run(async (tx) => {
    const unit = await tx.units.findByCode(change.unit);
    const request = unit && {
      personId: args.id,
      unitId: unit.id,
      unitCode: unit.code,
      role: change.role,
      add,
    };
    return { unit, result: request && (await changeRole(tx, request, CLI_SOURCE, ctx.now)) };
  });
  if (result?.outcome === 'unknown_person') {
    throw new UsageError(`không có người có ID ${args.id}`);
  }
  if (!unit || !result) {
    throw new UsageError(`không có đơn vị mã ${change.unit} (xem: npm run cli -- units list)`);
  }
  const name = result.fullName;
  if (result.outcome === 'unchanged') {
    if (add) {
      ctx.out(`${name} đã có vai trò ${change.role} tại ${unit.name}.`);
      return;
    }
    throw new UsageError(`${name} không có vai trò ${change.role} tại ${unit.name}`);
  }
  ctx.out(
    add
      ? `Đã giao vai trò ${change.role} tại ${unit.name} cho ${name}.`
      : `Đã thu hồi vai trò ${change.role} tại ${unit.name} của ${name}.`,
  );
}

/** A group's status in Vietnamese, its code beside it (what the database and the logs say). */
function groupStatusLabel(status: string): string {
  const known = ['pending', 'active', 'removed'] as const;
  const code = known.find((k) => k === status);
  return code === undefined ? status : `${t('vi', `group.status.${code}`)} (${code})`;
}

/** `groups list`: leadership groups, their area, digests and status. */
export async function groupsList(ctx: CliContext): Promise<void> {
  const groups = await ctx.prisma.leadershipGroup.findMany({ orderBy: { id: 'asc' } });
  if (groups.length === 0) {
    ctx.out('Chưa có nhóm lãnh đạo nào (trong nhóm, lãnh đạo gõ /dangkynhom để đăng ký).');
    return;
  }
  const units = new Map(
    (await ctx.prisma.unit.findMany({ where: { id: { in: groups.map((g) => g.unitId) } } })).map((u) => [
      u.id,
      u,
    ]),
  );
  for (const line of renderTable(
    ['Số', 'Kênh', 'Nhóm', 'Địa bàn', 'Bản tin', 'Trạng thái'],
    groups.map((g) => [
      String(g.id),
      g.channel,
      g.title ?? g.chatId,
      units.get(g.unitId)?.name ?? String(g.unitId),
      g.digests,
      groupStatusLabel(g.status),
    ]),
  )) {
    ctx.out(line);
  }
}

export const ZGroupArgs = z.object({
  id: z
    .string({ error: 'thiếu số nhóm (xem: npm run cli -- groups list)' })
    .regex(/^\d+$/, 'số nhóm là một số')
    .transform(Number),
});
export type GroupArgs = z.output<typeof ZGroupArgs>;

/** `groups confirm <id>` / `groups stop <id>`. */
export async function groupSetStatus(
  ctx: CliContext,
  args: GroupArgs,
  status: 'active' | 'removed',
): Promise<void> {
  const change = await storeOf(ctx).run((tx) => setGroupStatus(tx, args.id, status, CLI_SOURCE, ctx.now));
  if (change.outcome === 'unknown') {
    throw new UsageError(`không có nhóm số ${args.id}`);
  }
  const { group } = change;
  ctx.out(
    status === 'active'
      ? `Nhóm ${group.title ?? group.chatId} sẽ nhận bản tin.`
      : `Nhóm ${group.title ?? group.chatId} thôi nhận bản tin.`,
  );
}

const money = z
  .string()
  .transform((v, issue) => {
    const r = parseMoney(v, { max: 10_000_000_000n });
    if (!r.ok || r.value <= 0n) {
      issue.addIssue({ code: 'custom', message: `số tiền không hợp lệ: "${v}" (ví dụ 60tr, 60.000.000)` });
      return z.NEVER;
    }
    return r.value;
  })
  .optional();
const day = z
  .string()
  .regex(/^\d{1,2}$/, 'ngày hạn là số từ 1 đến 28')
  .transform(Number)
  .refine((n) => n >= 1 && n <= 28, 'ngày hạn là số từ 1 đến 28')
  .optional();

export const ZCampaignSetOptions = z
  .object({
    'norm-new-build': money,
    'norm-repair': money,
    'monthly-due-day': day,
    'quarterly-due-day': day,
    'final-due-on': z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, '--final-due-on dạng YYYY-MM-DD')
      .optional(),
  })
  .extend(ZCampaignOption.shape);
export type CampaignSetOptions = z.output<typeof ZCampaignSetOptions>;

/**
 * `campaign set [--campaign <code>]`: the norms and deadlines. Deadline days apply to periods whose
 * due date has not passed yet (the ones already due keep theirs, so no report turns late after
 * the fact).
 */
export async function campaignSet(ctx: CliContext, opts: CampaignSetOptions | undefined): Promise<void> {
  const changes: CampaignChanges = {
    normNewBuild: opts?.['norm-new-build'],
    normRepair: opts?.['norm-repair'],
    monthlyDueDay: opts?.['monthly-due-day'],
    quarterlyDueDay: opts?.['quarterly-due-day'],
    finalDueOn: opts?.['final-due-on'],
  };
  const changing = Object.values(changes).some((v) => v !== undefined);
  const campaign = await storeOf(ctx).run(async (tx) => {
    const chosen = await campaignByOption(tx, opts?.campaign, ctx.now);
    return changing ? changeCampaign(tx, chosen, changes, CLI_SOURCE, ctx.now) : chosen;
  });
  if (changing) {
    ctx.out('Đã lưu thay đổi của chiến dịch:');
  }
  ctx.out(`${campaign.name} (${campaign.code})`);
  ctx.out(
    `Định mức xây mới: ${formatMoney(campaign.normNewBuild)}; sửa chữa: ${formatMoney(campaign.normRepair)}`,
  );
  ctx.out(
    `Hạn báo cáo tháng: trước ngày ${campaign.monthlyDueDay}; quý: trước ngày ${campaign.quarterlyDueDay} tháng cuối quý; báo cáo kết quả: trước ngày ${formatIsoDate(campaign.finalDueOn)}`,
  );
}

export const ZCommendationOptions = z.object({ set: z.string().optional() }).extend(ZCampaignOption.shape);
export type CommendationOptions = z.output<typeof ZCommendationOptions>;

/** A section of the campaign's settings as the CLI shows it: the core section and its messages. */
interface CliSettingsSection<T> extends SettingsSection<T> {
  /** An example of `--set`, for the usage error. */
  example: string;
  invalid: string;
  saved: string;
}

/**
 * Shows a section of the campaign's settings, or with `--set '<JSON>'` merges the changes into it,
 * validates the result, saves it and audits before and after (core changeSettingsSection).
 */
export async function campaignSettingsSection<T>(
  ctx: CliContext,
  opts: { set?: string | undefined; campaign?: string | undefined },
  section: CliSettingsSection<T>,
): Promise<void> {
  let changes: object | undefined;
  if (opts.set !== undefined) {
    const parsed = jsonObject(opts.set);
    if (parsed === undefined) {
      throw new UsageError(`--set cần một đối tượng JSON, ví dụ ${section.example}`);
    }
    changes = parsed;
  }
  const result = await storeOf(ctx).run(async (tx) =>
    changeSettingsSection(
      tx,
      await campaignByOption(tx, opts.campaign, ctx.now),
      section,
      changes,
      CLI_SOURCE,
      ctx.now,
    ),
  );
  if (!result.ok) {
    throw new UsageError(`${section.invalid}: ${fieldReason(result.path, result.message)}`);
  }
  if (changes !== undefined) {
    ctx.out(section.saved);
  }
  for (const line of JSON.stringify(result.value, null, 2).split('\n')) {
    ctx.out(line);
  }
}

/** The object a `--set` JSON text holds; undefined when it is not JSON or not an object. */
function jsonObject(text: string): object | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** `campaign commendation [--set '<JSON>']`: the criteria of the proposed commendations (audited). */
export async function campaignCommendation(ctx: CliContext, opts: CommendationOptions): Promise<void> {
  await campaignSettingsSection(ctx, opts, {
    key: 'commendationCriteria',
    schema: ZCommendationCriteria,
    action: 'campaign.commendation',
    example: '{"minOnTimeShare":0.9}',
    invalid: 'tiêu chí không hợp lệ',
    saved: 'Đã lưu tiêu chí đề xuất khen thưởng:',
  });
}

export const ZPledgeSafeguardOptions = z.object({ set: z.string().optional() }).extend(ZCampaignOption.shape);
export type PledgeSafeguardOptions = z.output<typeof ZPledgeSafeguardOptions>;

/**
 * `campaign pledges [--set '<JSON>']`: the limits on pledges of donors with no invite (per chat a
 * day, all of them an hour) and the amount above which one waits for a fund officer (audited).
 */
export async function campaignPledges(ctx: CliContext, opts: PledgeSafeguardOptions): Promise<void> {
  await campaignSettingsSection(ctx, opts, {
    key: 'pledgeSafeguards',
    schema: ZPledgeSafeguards,
    action: 'campaign.pledges',
    example: '{"perChatPerDay":3,"anonymousPerHour":30,"verifyAbove":500000000}',
    invalid: 'giới hạn không hợp lệ',
    saved: 'Đã lưu giới hạn đăng ký ủng hộ của người chưa có mã mời:',
  });
}
