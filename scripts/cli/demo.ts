import { z } from 'zod';
import { CLI_SOURCE } from '../../core/messaging/outbox.repository.ts';
import type { CreatedInvite } from '../../core/people/create-invite.ts';
import { removeDemo } from '../../core/people/remove-demo.ts';
import { findDemoData, PLAYGROUND_CHANNEL } from '../../prisma/seed.ts';
import { type CliContext, storeOf } from './context.ts';
import { inviteCreate, ZInviteCreateOptions } from './invite-create.ts';

/**
 * A real deployment's first steps (issue 13 §1): its database holds no people, so the first admin
 * comes from `admin create` (a one-time admin invite); a database that was a playground before
 * loses its demo people, codes and households with `demo remove`.
 */

/** Options of `admin create`: those of `invite create` without --role, and --name required. */
export const ZAdminCreateOptions = ZInviteCreateOptions.omit({ role: true }).extend({
  name: z
    .string({ error: 'thiếu --name "<họ tên người quản trị>"' })
    .trim()
    .min(1, '--name không được để trống')
    .max(100, '--name dài tối đa 100 ký tự'),
});
export type AdminCreateOptions = z.output<typeof ZAdminCreateOptions>;

/**
 * The bot's username from Telegram (`getMe`), for the invite link when `--bot` is not given and a
 * token is configured; undefined when Telegram does not answer in 5 s (the URL holds the token:
 * never printed).
 */
export async function telegramBotUsername(telegram: {
  token: string;
  apiRoot: string;
}): Promise<string | undefined> {
  try {
    const response = await fetch(`${telegram.apiRoot.replace(/\/$/, '')}/bot${telegram.token}/getMe`, {
      signal: AbortSignal.timeout(5_000),
    });
    const body = (await response.json()) as { ok?: boolean; result?: { username?: unknown } };
    const username = body.ok ? body.result?.username : undefined;
    return typeof username === 'string' && /^\w{5,32}$/.test(username) ? username : undefined;
  } catch {
    return undefined;
  }
}

/** `admin create`: a single-use admin invite for the unit, printed with its link and how to use it. */
export async function adminCreate(ctx: CliContext, options: AdminCreateOptions): Promise<CreatedInvite> {
  ctx.out(`Mã mời quản trị viên cho ${options.name}:`);
  const created = await inviteCreate(ctx, { ...options, role: 'admin' });
  ctx.out(
    `Gửi mã hoặc liên kết cho ${options.name}: trên Telegram, mở liên kết hoặc gửi mã cho bot; trên Zalo, gửi mã cho Official Account.`,
  );
  ctx.out('Sau khi đăng ký, người quản trị tạo mã mời cho cán bộ ngay trong chat: /menu → "🔑 Tạo mã mời".');
  return created;
}

/**
 * `demo remove`: the playground's demo out of a real deployment's database (core removeDemo: one
 * transaction, one audit row). Nothing of a Telegram or Zalo user is touched; running it again
 * finds nothing.
 */
export async function demoRemove(ctx: CliContext): Promise<void> {
  const { now, out } = ctx;
  if (!ctx.db) {
    throw new Error('this command needs the database connection');
  }
  const found = await findDemoData(ctx.db);
  if (found.people.length === 0 && found.invites.length === 0 && found.households.length === 0) {
    out('Không có dữ liệu mẫu (người dùng mẫu, mã mời mẫu, hộ mẫu) trong cơ sở dữ liệu: không có gì để gỡ.');
    return;
  }
  const removed = await storeOf(ctx).run((tx) =>
    removeDemo(
      tx,
      {
        personIds: found.people.map((p) => p.id),
        inviteIds: found.invites.map((i) => i.id),
        households: found.households,
        playgroundChannel: PLAYGROUND_CHANNEL,
      },
      CLI_SOURCE,
      now,
    ),
  );

  out('Đã gỡ dữ liệu mẫu khỏi cơ sở dữ liệu:');
  out(
    `  Người dùng mẫu đã ngừng hoạt động: ${found.people.length}${
      found.people.length > 0 ? ` (${found.people.map((p) => `${p.fullName} – ID ${p.id}`).join('; ')})` : ''
    }`,
  );
  out(
    `  Vai trò đã thu hồi: ${removed.rolesRevoked}; tài khoản thử nghiệm (playground) đã xóa: ${removed.identitiesDeleted}`,
  );
  out(
    `  Mã mời mẫu đã thu hồi: ${found.invites.length}${
      found.invites.length > 0 ? ` (${found.invites.map((i) => i.code).join(', ')})` : ''
    }`,
  );
  out(
    `  Hộ mẫu đã xóa: ${removed.householdsDeleted}${
      found.households.length > 0 ? ` (${found.households.map((h) => h.code).join(', ')})` : ''
    }`,
  );
  out(
    `  Đăng ký ủng hộ của người dùng mẫu đã hủy: ${removed.cancelled.length}${listed(removed.cancelled)}${
      removed.paid.length > 0
        ? `; còn lại đã có khoản nộp, cần xử lý bằng funds reverse: ${removed.paid.length}${listed(removed.paid)}`
        : ''
    }`,
  );
  out('Đã ghi nhật ký. Dữ liệu của người dùng Telegram, Zalo không bị động đến.');
}

/** " (A, B)" after a count, or nothing when the list is empty. */
function listed(refs: readonly string[]): string {
  return refs.length > 0 ? ` (${refs.join(', ')})` : '';
}
