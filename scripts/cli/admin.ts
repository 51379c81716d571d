import { z } from 'zod';
import { ZPledgeSafeguards } from '../../core/funds/pledge-verification.ts';
import { normalizeInviteCode } from '../../core/people/invite-code.ts';
import { ROLES } from '../../core/shared/actor.ts';
import { dateInZone, toIsoDate } from '../../core/shared/calendar.ts';
import { formatMoney } from '../../core/shared/format.ts';
import { parseMoney } from '../../core/shared/parse.ts';
import { ZCommendationCriteria } from '../../core/summaries/commendations.ts';
import { type CliContext, DEFAULT_TIME_ZONE, UsageError } from './context.ts';
import { describeRoles } from './invite-create.ts';
import { renderTable } from './text.ts';

/**
 * Administration from the command line (issue 7 §1): revoke an invite, deactivate or reactivate a
 * person, give or take a role, list / confirm / stop leadership groups, change the campaign's
 * deadlines and norms. Every change writes an audit entry (`personId` null: the operator's shell).
 */

async function audit(
  ctx: CliContext,
  action: string,
  entity: string,
  entityId: string,
  before: unknown,
  after: unknown,
) {
  await ctx.prisma.auditLog.create({
    data: {
      at: ctx.now,
      channel: 'cli',
      action,
      entity,
      entityId,
      before: JSON.stringify(before),
      after: JSON.stringify(after),
    },
  });
}

const personId = z
  .string({ error: 'thiếu số ID của người (xem: npm run cli -- people list)' })
  .regex(/^\d{1,9}$/, 'ID của người là một số (xem: npm run cli -- people list)')
  .transform(Number);

export const ZInviteRevokeArgs = z.object({
  code: z.string({ error: 'thiếu mã mời: invite revoke <MÃ>' }).trim().min(1, 'thiếu mã mời'),
});
export type InviteRevokeArgs = z.output<typeof ZInviteRevokeArgs>;

/** `invite revoke <code>`: an unused invite stops working (a used one cannot be taken back). */
export async function inviteRevoke(ctx: CliContext, args: InviteRevokeArgs): Promise<void> {
  const code = normalizeInviteCode(args.code) ?? args.code.toUpperCase();
  const invite = await ctx.prisma.invite.findUnique({ where: { code } });
  if (!invite) {
    throw new UsageError(`không có mã mời ${args.code}`);
  }
  if (invite.usedAt !== null) {
    throw new UsageError(
      `mã mời ${args.code} đã được dùng; để thu hồi quyền, dùng: people role <ID> --remove ...`,
    );
  }
  if (invite.revokedAt !== null) {
    ctx.out(`Mã mời ${args.code} đã bị thu hồi trước đó.`);
    return;
  }
  await ctx.prisma.invite.update({ where: { id: invite.id }, data: { revokedAt: ctx.now } });
  await audit(ctx, 'invite.revoke', 'Invite', String(invite.id), { revokedAt: null }, { revokedAt: ctx.now });
  ctx.out(`Đã thu hồi mã mời ${args.code}.`);
}

export const ZPersonActiveArgs = z.object({ id: personId });
export type PersonActiveArgs = z.output<typeof ZPersonActiveArgs>;

/** `people deactivate <id>` / `people activate <id>`: a deactivated person is a stranger to the bot. */
export async function personSetActive(
  ctx: CliContext,
  args: PersonActiveArgs,
  active: boolean,
): Promise<void> {
  const person = await ctx.prisma.person.findUnique({ where: { id: args.id } });
  if (!person) {
    throw new UsageError(`không có người có ID ${args.id}`);
  }
  if (person.active === active) {
    ctx.out(`${person.fullName} đã ${active ? 'đang hoạt động' : 'ngừng hoạt động'} từ trước.`);
    return;
  }
  await ctx.prisma.person.update({ where: { id: person.id }, data: { active } });
  await audit(
    ctx,
    active ? 'person.activate' : 'person.deactivate',
    'Person',
    String(person.id),
    { active: !active },
    { active },
  );
  ctx.out(
    active
      ? `Đã kích hoạt lại ${person.fullName}.`
      : `Đã ngừng hoạt động ${person.fullName}: bot sẽ không nhận người này nữa.`,
  );
}

const roleAtUnit = z
  .string()
  .regex(/^[a-z_]+@[\w-]+$/, 'vai trò viết dạng <vai trò>@<mã đơn vị>, ví dụ unit_officer@01840')
  .transform((v) => {
    const [role, unit] = v.split('@') as [string, string];
    return { role, unit };
  })
  .refine((v) => (ROLES as readonly string[]).includes(v.role), {
    message: `vai trò không hợp lệ. Vai trò hợp lệ: ${describeRoles()}`,
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
  const person = await ctx.prisma.person.findUnique({ where: { id: args.id } });
  const unit = await ctx.prisma.unit.findUnique({ where: { code: change.unit } });
  if (!person) {
    throw new UsageError(`không có người có ID ${args.id}`);
  }
  if (!unit) {
    throw new UsageError(`không có đơn vị mã ${change.unit} (xem: npm run cli -- units list)`);
  }
  const existing = await ctx.prisma.membership.findFirst({
    where: { personId: person.id, unitId: unit.id, role: change.role },
    orderBy: { id: 'desc' },
  });
  if (args.add) {
    if (existing && existing.revokedAt === null) {
      ctx.out(`${person.fullName} đã có vai trò ${change.role} tại ${unit.name}.`);
      return;
    }
    if (existing) {
      await ctx.prisma.membership.update({ where: { id: existing.id }, data: { revokedAt: null } });
    } else {
      await ctx.prisma.membership.create({
        data: { personId: person.id, unitId: unit.id, role: change.role },
      });
    }
    await audit(ctx, 'membership.add', 'Person', String(person.id), null, change);
    ctx.out(`Đã giao vai trò ${change.role} tại ${unit.name} cho ${person.fullName}.`);
    return;
  }
  if (!existing || existing.revokedAt !== null) {
    throw new UsageError(`${person.fullName} không có vai trò ${change.role} tại ${unit.name}`);
  }
  await ctx.prisma.membership.update({ where: { id: existing.id }, data: { revokedAt: ctx.now } });
  await audit(ctx, 'membership.remove', 'Person', String(person.id), change, null);
  ctx.out(`Đã thu hồi vai trò ${change.role} tại ${unit.name} của ${person.fullName}.`);
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
      g.status,
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
  const group = await ctx.prisma.leadershipGroup.findUnique({ where: { id: args.id } });
  if (!group) {
    throw new UsageError(`không có nhóm số ${args.id}`);
  }
  await ctx.prisma.leadershipGroup.update({
    where: { id: group.id },
    data: { status, confirmedAt: ctx.now },
  });
  await audit(
    ctx,
    status === 'active' ? 'group.confirm' : 'group.stop',
    'LeadershipGroup',
    String(group.id),
    { status: group.status },
    { status },
  );
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

export const ZCampaignSetOptions = z.object({
  'norm-new-build': money,
  'norm-repair': money,
  'monthly-due-day': day,
  'quarterly-due-day': day,
  'final-due-on': z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, '--final-due-on dạng YYYY-MM-DD')
    .optional(),
});
export type CampaignSetOptions = z.output<typeof ZCampaignSetOptions>;

/**
 * `campaign show` / `campaign set`: the norms and deadlines. Deadline days apply to periods whose
 * due date has not passed yet (the ones already due keep theirs, so no report turns late after
 * the fact).
 */
export async function campaignSet(ctx: CliContext, opts: CampaignSetOptions | undefined): Promise<void> {
  const campaign = await ctx.prisma.campaign.findFirst({ orderBy: { id: 'desc' } });
  if (!campaign) {
    throw new UsageError('chưa có chiến dịch nào trong cơ sở dữ liệu');
  }
  if (opts && Object.values(opts).some((v) => v !== undefined)) {
    const data = {
      ...(opts['norm-new-build'] === undefined ? {} : { normNewBuild: opts['norm-new-build'] }),
      ...(opts['norm-repair'] === undefined ? {} : { normRepair: opts['norm-repair'] }),
      ...(opts['monthly-due-day'] === undefined ? {} : { monthlyDueDay: opts['monthly-due-day'] }),
      ...(opts['quarterly-due-day'] === undefined ? {} : { quarterlyDueDay: opts['quarterly-due-day'] }),
      ...(opts['final-due-on'] === undefined ? {} : { finalDueOn: opts['final-due-on'] }),
    };
    const today = toIsoDate(dateInZone(ctx.now, ctx.timeZone ?? DEFAULT_TIME_ZONE));
    await ctx.prisma.$transaction(async (db) => {
      await db.campaign.update({ where: { id: campaign.id }, data });
      const periods = await db.reportingPeriod.findMany({
        where: { campaignId: campaign.id, dueOn: { gt: today } },
      });
      for (const p of periods) {
        const dueDay =
          p.kind === 'monthly'
            ? opts['monthly-due-day']
            : p.kind === 'quarterly'
              ? opts['quarterly-due-day']
              : undefined;
        const dueOn =
          p.kind === 'final' && opts['final-due-on']
            ? opts['final-due-on']
            : dueDay !== undefined
              ? `${p.dueOn.slice(0, 8)}${String(dueDay).padStart(2, '0')}`
              : undefined;
        if (dueOn !== undefined && dueOn !== p.dueOn) {
          await db.reportingPeriod.update({ where: { id: p.id }, data: { dueOn } });
        }
      }
    });
    await audit(
      ctx,
      'campaign.set',
      'Campaign',
      String(campaign.id),
      {
        normNewBuild: campaign.normNewBuild.toString(),
        normRepair: campaign.normRepair.toString(),
        monthlyDueDay: campaign.monthlyDueDay,
        quarterlyDueDay: campaign.quarterlyDueDay,
        finalDueOn: campaign.finalDueOn,
      },
      Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v])),
    );
    ctx.out('Đã lưu thay đổi của chiến dịch:');
  }
  const now = await ctx.prisma.campaign.findUniqueOrThrow({ where: { id: campaign.id } });
  ctx.out(`${now.name} (${now.code})`);
  ctx.out(`Định mức xây mới: ${formatMoney(now.normNewBuild)}; sửa chữa: ${formatMoney(now.normRepair)}`);
  ctx.out(
    `Hạn báo cáo tháng: trước ngày ${now.monthlyDueDay}; quý: trước ngày ${now.quarterlyDueDay} tháng cuối quý; tổng kết: ${now.finalDueOn}`,
  );
}

export const ZCommendationOptions = z.object({ set: z.string().optional() });
export type CommendationOptions = z.output<typeof ZCommendationOptions>;

/** One section of `Campaign.settings`: its key, its schema (defaults filled in) and the audit action. */
interface SettingsSection<T> {
  key: string;
  schema: z.ZodType<T>;
  action: string;
  /** An example of `--set`, for the usage error. */
  example: string;
  invalid: string;
  saved: string;
}

/**
 * Shows a section of the campaign's settings, or with `--set '<JSON>'` merges the changes into it,
 * validates the result, saves it and audits before and after.
 */
async function campaignSettingsSection<T>(
  ctx: CliContext,
  opts: { set?: string | undefined },
  section: SettingsSection<T>,
): Promise<void> {
  const campaign = await ctx.prisma.campaign.findFirst({ orderBy: { id: 'desc' } });
  if (!campaign) {
    throw new UsageError('chưa có chiến dịch nào trong cơ sở dữ liệu');
  }
  const settings = JSON.parse(campaign.settings || '{}') as Record<string, unknown>;
  const before = section.schema.parse(settings[section.key] ?? {});
  let current = before;
  if (opts.set !== undefined) {
    let changes: unknown;
    try {
      changes = JSON.parse(opts.set);
    } catch {
      throw new UsageError(`--set cần một đối tượng JSON, ví dụ ${section.example}`);
    }
    const merged = section.schema.safeParse({ ...(before as object), ...(changes as object) });
    if (!merged.success) {
      const issue = merged.error.issues[0];
      throw new UsageError(`${section.invalid}: ${issue?.path.join('.')} – ${issue?.message}`);
    }
    current = merged.data;
    await ctx.prisma.campaign.update({
      where: { id: campaign.id },
      data: { settings: JSON.stringify({ ...settings, [section.key]: current }) },
    });
    await audit(ctx, section.action, 'Campaign', String(campaign.id), before, current);
    ctx.out(section.saved);
  }
  for (const line of JSON.stringify(current, null, 2).split('\n')) {
    ctx.out(line);
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

export const ZPledgeSafeguardOptions = z.object({ set: z.string().optional() });
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
