import { z } from 'zod';
import { t } from '../../core/messaging/catalog.ts';
import { CLI_SOURCE } from '../../core/messaging/outbox.repository.ts';
import { type CreatedInvite, createInvite } from '../../core/people/create-invite.ts';
import { displayInviteCode } from '../../core/people/invite-code.ts';
import { ROLES, type Role } from '../../core/shared/actor.ts';
import { dateInZone, toIsoDate } from '../../core/shared/calendar.ts';
import { type CliContext, DEFAULT_TIME_ZONE, storeOf, UsageError } from './context.ts';
import { clean, formatInstant, formatIsoDate } from './text.ts';

export const DEFAULT_INVITE_DAYS = 7;
export const MAX_INVITE_DAYS = 90;

/** The role list shown when a role is wrong: "admin (quản trị), leader (lãnh đạo), …". */
export function describeRoles(): string {
  return ROLES.map((role) => `${role} (${roleLabel(role)})`).join(', ');
}

function roleLabel(role: Role): string {
  return t('vi', `role.${role}`);
}

/** Options of `invite create`, as parseArgs gives them (strings), validated and converted. */
export const ZInviteCreateOptions = z.object({
  role: z.enum(ROLES, {
    error: (issue) =>
      issue.input === undefined
        ? `thiếu --role. Vai trò hợp lệ: ${describeRoles()}`
        : `vai trò không hợp lệ: "${String(issue.input)}". Vai trò hợp lệ: ${describeRoles()}`,
  }),
  unit: z
    .string({ error: 'thiếu --unit <mã đơn vị> (xem mã bằng: npm run cli -- units list)' })
    .trim()
    .min(1, '--unit không được để trống (xem mã bằng: npm run cli -- units list)')
    .max(64, '--unit quá dài'),
  days: z
    .string()
    .trim()
    .regex(/^\d{1,3}$/, `--days phải là số nguyên từ 1 đến ${MAX_INVITE_DAYS}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(1, `--days phải là số nguyên từ 1 đến ${MAX_INVITE_DAYS}`)
        .max(MAX_INVITE_DAYS, `--days phải là số nguyên từ 1 đến ${MAX_INVITE_DAYS}`),
    )
    .default(DEFAULT_INVITE_DAYS),
  name: z
    .string()
    .trim()
    .min(1, '--name không được để trống')
    .max(100, '--name dài tối đa 100 ký tự')
    .optional(),
  bot: z
    .string()
    .trim()
    .transform((v) => v.replace(/^@/, ''))
    .pipe(
      z
        .string()
        .regex(
          /^[A-Za-z][A-Za-z0-9_]{3,30}bot$/i,
          '--bot phải là username của bot Telegram (5–32 ký tự, kết thúc bằng "bot"), ví dụ: mttq_backan_bot',
        ),
    )
    .optional(),
});
export type InviteCreateOptions = z.output<typeof ZInviteCreateOptions>;

/**
 * `invite create`: a single-use invite for `role` at the unit with code `unit`, valid `days` days
 * from `now`, made by the same use case as the chat's invite flow (core createInvite: the invite
 * and its audit row 'invite.create' in one transaction). Prints the code as ABCD-EFGH, the role,
 * unit, expiry and the Telegram deep link. Throws UsageError for an unknown unit code.
 */
export async function inviteCreate(ctx: CliContext, options: InviteCreateOptions): Promise<CreatedInvite> {
  const { now, out } = ctx;
  const timeZone = ctx.timeZone ?? DEFAULT_TIME_ZONE;
  const fullName = options.name ?? null;
  const { unit, created } = await storeOf(ctx).run(async (tx) => {
    const unit = await tx.units.findByCode(options.unit);
    const request = unit && { role: options.role, unitId: unit.id, fullName, days: options.days };
    return { unit, created: request && (await createInvite(tx, request, CLI_SOURCE, now)) };
  });
  if (!unit || !created) {
    throw new UsageError(
      `không có đơn vị mã "${options.unit}". Xem các mã đơn vị bằng: npm run cli -- units list`,
    );
  }

  out(`Đã tạo mã mời: ${displayInviteCode(created.code)}`);
  out(`  Vai trò:    ${options.role} (${roleLabel(options.role)})`);
  out(`  Đơn vị:     ${clean(unit.name)} (${unit.code})`);
  if (fullName !== null) {
    out(`  Họ tên:     ${clean(fullName)}`);
  }
  out(`  Hết hạn:    ${formatInstant(created.expiresAt, timeZone)} (${timeZone}, sau ${options.days} ngày)`);
  if (options.bot !== undefined) {
    out(`  Liên kết:   https://t.me/${options.bot}?start=${created.code}`);
  } else {
    out(`  Liên kết:   https://t.me/<tên_bot>?start=${created.code}`);
    out('  (Thêm --bot <tên_bot> để in sẵn liên kết đầy đủ, ví dụ: --bot mttq_backan_bot)');
  }
  out('Mã chỉ dùng được một lần. Người nhận mở liên kết hoặc gửi mã cho bot.');
  const today = toIsoDate(dateInZone(now, timeZone));
  if (unit.validTo !== null && unit.validTo < today) {
    out(`⚠ Lưu ý: đơn vị này chỉ có hiệu lực đến hết ngày ${formatIsoDate(unit.validTo)}.`);
  } else if (unit.validFrom > today) {
    out(`⚠ Lưu ý: đơn vị này chỉ có hiệu lực từ ngày ${formatIsoDate(unit.validFrom)}.`);
  }
  return created;
}
