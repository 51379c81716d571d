import { z } from 'zod';
import { CLI_SOURCE } from '../../core/messaging/outbox.repository.ts';
import { planRows } from '../../core/reminders/planner.ts';
import { parseReminderPolicy, ZReminderPolicy } from '../../core/reminders/policy.ts';
import { reminderPolicy, runReminders } from '../../core/reminders/run-reminders.ts';
import { fromIsoDate } from '../../core/shared/calendar.ts';
import { formatDate } from '../../core/shared/format.ts';
import { viZodError } from '../../core/shared/zod-vi.ts';
import { campaignByOption, ZCampaignOption } from './campaign-option.ts';
import { fieldReason } from './command-spec.ts';
import { type CliContext, DEFAULT_TIME_ZONE, storeOf, UsageError } from './context.ts';
import { formatInstant, renderTable } from './text.ts';

/** `--at <ISO time>`: the instant to plan for (default now). */
export const ZAtOption = z.object({
  at: z
    .string()
    .optional()
    .transform((v, issue) => {
      if (v === undefined) {
        return undefined;
      }
      const d = new Date(v);
      if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(v)) {
        issue.addIssue({
          code: 'custom',
          message: `--at cần thời điểm ISO, ví dụ 2025-04-09T08:00:00+07:00 (nhận được "${v}")`,
        });
        return z.NEVER;
      }
      return d;
    }),
});
export type AtOption = z.output<typeof ZAtOption>;

/** `reminders plan|run`: the instant and, optionally, the one campaign to plan for. */
export const ZRemindersRunOptions = ZAtOption.extend(ZCampaignOption.shape);
export type RemindersRunOptions = z.output<typeof ZRemindersRunOptions>;

export const ZPolicyOptions = z.object({ set: z.string().optional() }).extend(ZCampaignOption.shape);
export type PolicyOptions = z.output<typeof ZPolicyOptions>;

/**
 * `reminders plan --at`: a dry run — what the planner would send at that instant and why — and the
 * units late for a past deadline. `reminders run --at`: the same, enqueued (safe to repeat: a
 * reminder already in the outbox is not added again).
 */
export async function remindersPlanOrRun(
  ctx: CliContext,
  opts: RemindersRunOptions,
  run: boolean,
): Promise<void> {
  const at = opts.at ?? ctx.now;
  const result = await storeOf(ctx).run(async (tx) => {
    // Every campaign still running, or the one named (refused when there is no such code).
    const only = opts.campaign === undefined ? undefined : await campaignByOption(tx, opts.campaign, at);
    const done = await runReminders(tx, at, { dryRun: !run, ...(only ? { campaignCode: only.code } : {}) });
    // The recipients by name, for the operator to read the plan.
    const names = new Map<number, string>();
    for (const id of new Set(done?.planned.map((p) => p.personId))) {
      const person = await tx.people.findPerson(id);
      if (person) {
        names.set(id, person.fullName);
      }
    }
    return done && { ...done, names };
  });
  if (!result) {
    throw new UsageError(
      opts.campaign === undefined
        ? 'không có cuộc vận động nào đang chạy (các cuộc đã khép lại không nhắc nữa)'
        : `cuộc vận động ${opts.campaign} đã khép lại: không nhắc nữa`,
    );
  }
  ctx.out(`Cuộc vận động: ${result.campaigns.join(', ')}`);
  const zone = result.timeZone ?? ctx.timeZone ?? DEFAULT_TIME_ZONE;
  if (result.planned.length === 0) {
    ctx.out('Không có lời nhắc nào đến hạn vào thời điểm này.');
  } else {
    const { header, rows } = planRows(result.planned, zone, result.names);
    for (const line of renderTable(header, rows)) {
      ctx.out(line);
    }
  }
  const late = result.late.filter((l) => !l.paused).slice(-20);
  if (late.length > 0) {
    ctx.out('');
    ctx.out('Đơn vị chậm báo cáo (gần nhất):');
    for (const line of renderTable(
      ['Kỳ', 'Hạn', 'Đơn vị', 'Chậm (ngày)'],
      late.map((l) => [l.periodLabel, formatDate(fromIsoDate(l.dueOn)), l.unitName, String(l.daysLate)]),
    )) {
      ctx.out(line);
    }
  }
  ctx.out('');
  ctx.out(
    run
      ? `Đã đưa ${result.enqueued} tin nhắn vào hàng đợi (${result.planned.length} lời nhắc đến hạn; tin đã có không thêm lại).`
      : `Chạy thử: ${result.planned.length} lời nhắc sẽ được gửi; không ghi gì.`,
  );
}

/** `reminders policy [--set '<json>']`: shows the campaign's policy, or changes it (audited). */
export async function remindersPolicy(ctx: CliContext, opts: PolicyOptions): Promise<void> {
  await storeOf(ctx).run(async (tx) => {
    const campaign = await campaignByOption(tx, opts.campaign, ctx.now);
    if (opts.set !== undefined) {
      let changes: unknown;
      try {
        changes = JSON.parse(opts.set);
      } catch {
        throw new UsageError('--set cần một đối tượng JSON, ví dụ {"offsetsDays":[7,3,0]}');
      }
      const before = await reminderPolicy(tx, campaign.id);
      const merged = ZReminderPolicy.safeParse({ ...before, ...(changes as object) }, { error: viZodError });
      if (!merged.success) {
        const issue = merged.error.issues[0];
        throw new UsageError(
          `chính sách nhắc không hợp lệ: ${fieldReason(issue?.path.join('.'), issue?.message)}`,
        );
      }
      const settings = await tx.reminders.settings(campaign.id);
      await tx.reminders.saveSettings(campaign.id, { ...settings, reminderPolicy: merged.data });
      await tx.audit.record(
        {
          ...CLI_SOURCE,
          action: 'reminder.policy',
          entity: 'Campaign',
          entityId: String(campaign.id),
          before,
          after: merged.data,
        },
        ctx.now,
      );
      ctx.out('Đã lưu chính sách nhắc mới:');
    }
    const policy = parseReminderPolicy((await tx.reminders.settings(campaign.id)).reminderPolicy);
    for (const line of JSON.stringify(policy, null, 2).split('\n')) {
      ctx.out(line);
    }
  });
}

const WAITING = new Set(['pending', 'sending']);

/** What each queue purpose and status means, for the operator (the codes stay in their columns). */
const PURPOSE_LABELS: Record<string, string> = {
  reply: 'trả lời',
  reminder: 'nhắc báo cáo',
  escalation: 'báo lãnh đạo đơn vị chậm',
  pledge_reminder: 'nhắc đăng ký ủng hộ',
  digest: 'bản tin tổng hợp',
  notice: 'thông báo',
};
const STATUS_LABELS: Record<string, string> = {
  pending: 'chờ gửi',
  sending: 'đang gửi',
  sent: 'đã gửi',
  failed: 'không gửi được',
  held: 'chờ người dùng nhắn lại',
  cancelled: 'đã hủy',
};

/** `outbox status`: messages by purpose and status, and the oldest still waiting. */
export async function outboxStatus(ctx: CliContext): Promise<void> {
  const zone = ctx.timeZone ?? DEFAULT_TIME_ZONE;
  const rows = (await storeOf(ctx).run((tx) => tx.outbox.counts())).map((r) => ({
    ...r,
    n: r.count,
    // Only messages still on their way have been waiting since a time worth showing.
    oldest: WAITING.has(r.status) ? formatInstant(r.oldest, zone) : null,
  }));
  if (rows.length === 0) {
    ctx.out('Hàng đợi tin nhắn trống.');
    return;
  }
  for (const line of renderTable(
    ['Loại', 'Trạng thái', 'Số tin', 'Chờ từ', 'Diễn giải'],
    rows.map((r) => [
      r.purpose,
      r.status,
      String(r.n),
      r.oldest ?? '',
      `${PURPOSE_LABELS[r.purpose] ?? r.purpose}, ${STATUS_LABELS[r.status] ?? r.status}`,
    ]),
  )) {
    ctx.out(line);
  }
}
