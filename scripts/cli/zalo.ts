import { z } from 'zod';
import { CLI_SOURCE } from '../../core/messaging/outbox.repository.ts';
import { addDays, dateInZone, fromIsoDate, toIsoDate } from '../../core/shared/calendar.ts';
import { formatMoney } from '../../core/shared/format.ts';
import { parsePhone } from '../../core/shared/parse.ts';
import { createAuditRepository } from '../../prisma/repositories/audit.ts';
import { createZaloTokenStore } from '../../prisma/zalo-token-store.ts';
import { personId } from './admin.ts';
import { type CliContext, DEFAULT_TIME_ZONE, UsageError } from './context.ts';
import { maskPhone } from './pledges.ts';
import { formatInstant, renderFields } from './text.ts';

/**
 * `zalo status`: whether the Zalo channel can send — the access token's expiry, the last refresh,
 * a dead refresh token — when Zalo last delivered a webhook event, and what is not delivered yet.
 */
export async function zaloStatus(ctx: CliContext): Promise<void> {
  const timeZone = ctx.timeZone ?? DEFAULT_TIME_ZONE;
  const when = (d: Date | null | undefined) => (d ? formatInstant(d, timeZone) : '—');
  const token = await ctx.prisma.zaloToken.findUnique({ where: { id: 1 } });
  const lastEvent = await ctx.prisma.inboundEvent.findFirst({
    where: { channel: 'zalo' },
    orderBy: { receivedAt: 'desc' },
    select: { receivedAt: true },
  });
  const pendingEvents = await ctx.prisma.inboundEvent.count({
    where: { channel: 'zalo', processedAt: null },
  });
  const byStatus = await ctx.prisma.outbox.groupBy({
    by: ['status'],
    where: { channel: 'zalo', status: { in: ['pending', 'held', 'failed', 'sending'] } },
    _count: { _all: true },
  });
  const count = (status: string) => byStatus.find((s) => s.status === status)?._count._all ?? 0;
  const state = !token
    ? 'chưa cấu hình (chưa có ZALO_REFRESH_TOKEN nào được dùng)'
    : token.deadSince
      ? `NGỪNG GỬI từ ${when(token.deadSince)}: refresh token bị từ chối — chạy "zalo set-token <token>"`
      : token.accessExpiresAt <= ctx.now
        ? 'access token đã hết hạn; sẽ làm mới ở lần gửi tới'
        : 'hoạt động';
  const lines = renderFields([
    ['Trạng thái', state],
    ['Access token hết hạn', when(token?.accessExpiresAt)],
    ['Làm mới lần cuối', when(token?.refreshedAt)],
    ['Lỗi gần nhất', token?.lastError ?? '—'],
    ['Sự kiện webhook cuối', when(lastEvent?.receivedAt)],
    ['Sự kiện chờ xử lý', String(pendingEvents)],
    ['Tin chưa gửi được', String(count('pending') + count('sending') + count('held') + count('failed'))],
    ['  – đang chờ gửi/gửi lại', String(count('pending') + count('sending'))],
    ['  – chờ người dùng nhắn lại (quá 7 ngày)', String(count('held'))],
    ['  – đã bỏ (lỗi vĩnh viễn)', String(count('failed'))],
    ...(await znsFields(ctx, timeZone)),
  ]);
  ctx.out('Kênh Zalo OA');
  for (const line of lines) {
    ctx.out(line);
  }
}

const ZNS_KINDS: Record<string, string> = {
  reminder: 'nhắc việc',
  escalation: 'báo chậm báo cáo',
  acknowledgement: 'xác nhận ủng hộ',
};

/**
 * The ZNS template messages (issue 18 §4): how many were sent this month and what they cost, per
 * template (the price in đồng each had when sent, ZALO_ZNS_COST_*), last month's total, Zalo's last
 * word on the day's quota, and sends whose outcome is not known.
 */
async function znsFields(ctx: CliContext, timeZone: string): Promise<[string, string][]> {
  const today = toIsoDate(dateInZone(ctx.now, timeZone));
  const month = today.slice(0, 7);
  const lastMonth = toIsoDate(addDays(fromIsoDate(`${month}-01`), -1)).slice(0, 7);
  const sent = await ctx.prisma.znsSend.groupBy({
    by: ['month', 'kind', 'templateId', 'costDong'],
    where: { status: 'sent', month: { in: [month, lastMonth] } },
    _count: { _all: true },
    orderBy: [{ kind: 'asc' }, { templateId: 'asc' }, { costDong: 'asc' }],
  });
  const total = (m: string) =>
    sent
      .filter((r) => r.month === m)
      .reduce((sum, r) => ({ n: sum.n + r._count._all, cost: sum.cost + r._count._all * r.costDong }), {
        n: 0,
        cost: 0,
      });
  const shown = (m: string) => `${m.slice(5)}/${m.slice(0, 4)}`;
  const sum = (t: { n: number; cost: number }) => `${t.n} tin, ${formatMoney(BigInt(t.cost))}`;
  const latest = await ctx.prisma.znsSend.findFirst({
    where: { status: 'sent', remainingQuota: { not: null } },
    orderBy: { sentAt: 'desc' },
    select: { remainingQuota: true, dailyQuota: true, sentAt: true },
  });
  const unknown = await ctx.prisma.znsSend.count({ where: { status: { in: ['unknown', 'sending'] } } });
  const rows: [string, string][] = [[`Tin ZNS tháng ${shown(month)}`, sum(total(month))]];
  for (const r of sent.filter((x) => x.month === month)) {
    rows.push([
      `  – ${ZNS_KINDS[r.kind] ?? r.kind} (mẫu ${r.templateId})`,
      `${r._count._all} tin × ${formatMoney(BigInt(r.costDong))} = ${formatMoney(BigInt(r._count._all * r.costDong))}`,
    ]);
  }
  rows.push([`Tin ZNS tháng ${shown(lastMonth)}`, sum(total(lastMonth))]);
  rows.push([
    'Hạn mức ZNS còn lại trong ngày',
    latest?.remainingQuota == null
      ? '—'
      : `${latest.remainingQuota}/${latest.dailyQuota ?? '?'} (theo Zalo, lúc ${formatInstant(latest.sentAt ?? ctx.now, timeZone)})`,
  ]);
  rows.push(['Tin ZNS không rõ đã gửi chưa', String(unknown)]);
  return rows;
}

export const ZZaloSetTokenArgs = z.object({
  token: z
    .string({ error: 'thiếu refresh token: npm run cli -- zalo set-token <refresh_token>' })
    .regex(/^[A-Za-z0-9_\-.]{20,2048}$/, 'refresh token không hợp lệ (chỉ gồm chữ, số, "-", "_", ".")'),
});
export type ZaloSetTokenArgs = z.infer<typeof ZZaloSetTokenArgs>;

/** `zalo set-token <refresh token>`: an admin supplies a new refresh token after the old one died. */
export async function zaloSetToken(ctx: CliContext, args: ZaloSetTokenArgs): Promise<void> {
  if (!ctx.zaloTokenKey) {
    throw new UsageError(
      'cần cấu hình Zalo như khi chạy bot (các biến ZALO_* và ZALO_TOKEN_KEY) để lưu refresh token đã mã hoá',
    );
  }
  const key = ctx.zaloTokenKey;
  if (!ctx.db) {
    throw new Error('this command needs the database connection');
  }
  // The token and its audit row in one transaction.
  await ctx.db.transaction(async (t) => {
    await createZaloTokenStore(t, key).replaceRefreshToken(args.token, ctx.now);
    await createAuditRepository(t).record(
      { ...CLI_SOURCE, action: 'zalo.set-token', entity: 'ZaloToken', entityId: '1' },
      ctx.now,
    );
  });
  ctx.out('Đã lưu refresh token mới. Bot sẽ lấy access token mới ở lần gửi tin Zalo tới.');
}

export const ZPeoplePhoneArgs = z.object({
  id: personId,
  phone: z
    .string({ error: 'thiếu số điện thoại: npm run cli -- people phone <ID> <số điện thoại>' })
    .transform((v, issue) => {
      const phone = parsePhone(v);
      if (phone === undefined) {
        issue.addIssue({ code: 'custom', message: 'số điện thoại không hợp lệ (ví dụ: 0912 345 678)' });
        return z.NEVER;
      }
      return phone;
    }),
});
export type PeoplePhoneArgs = z.output<typeof ZPeoplePhoneArgs>;

/**
 * `people phone <ID> <phone>`: the phone number a person registers, to which Zalo's ZNS template
 * messages go once they stop writing to the OA (issue 18 §4). Audited; the number is never printed
 * in full.
 */
export async function peoplePhone(ctx: CliContext, args: PeoplePhoneArgs): Promise<void> {
  if (!ctx.db) {
    throw new Error('this command needs the database connection');
  }
  const name = await ctx.db.transaction(async (t) => {
    const person = await t.kysely
      .selectFrom('Person')
      .select(['fullName', 'phone'])
      .where('id', '=', args.id)
      .executeTakeFirst();
    if (!person) {
      return undefined;
    }
    await t.kysely.updateTable('Person').set({ phone: args.phone }).where('id', '=', args.id).execute();
    // The audit says that it changed, not the numbers.
    await createAuditRepository(t).record(
      {
        ...CLI_SOURCE,
        action: 'person.phone',
        entity: 'Person',
        entityId: String(args.id),
        after: { phone: maskPhone(args.phone) },
      },
      ctx.now,
    );
    return person.fullName;
  });
  if (name === undefined) {
    throw new UsageError(`không có người có ID ${args.id}`);
  }
  ctx.out(`Đã lưu số điện thoại ${maskPhone(args.phone)} của ${name}: tin ZNS của Zalo sẽ gửi tới số này.`);
}
