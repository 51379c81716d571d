import { z } from 'zod';
import type { CreatedInvite } from '../../core/people/create-invite.ts';
import { findDemoData, PLAYGROUND_CHANNEL } from '../../prisma/seed.ts';
import { createStore } from '../../prisma/store.ts';
import type { CliContext } from './context.ts';
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

/** Why `demo remove` cancels the demo people's pledges (shown with the pledge, kept in the audit). */
export const DEMO_PLEDGE_CANCEL_REASON = 'Dữ liệu mẫu (playground)';

/** `?, ?, …` for an IN list of n values (n > 0). */
const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/**
 * `demo remove`: the playground's demo out of a real deployment's database. Demo people (known
 * only on the playground) are deactivated, their roles revoked and their playground identities
 * deleted; their live pledges with nothing paid against them cancelled (through the fund
 * repository, so the pledged totals follow); their and the seed's unused invites revoked; the
 * seeded demo households nobody has worked on deleted. Nothing of a Telegram or Zalo user is
 * touched. One transaction, one audit row; running it again finds nothing.
 */
export async function demoRemove(ctx: CliContext): Promise<void> {
  const { prisma, now, out } = ctx;
  const db = ctx.db;
  if (!db) {
    throw new Error('demo remove needs the database connection');
  }
  const found = await findDemoData(prisma);
  if (found.people.length === 0 && found.invites.length === 0 && found.households.length === 0) {
    out('Không có dữ liệu mẫu (người dùng mẫu, mã mời mẫu, hộ mẫu) trong cơ sở dữ liệu: không có gì để gỡ.');
    return;
  }
  const personIds = found.people.map((p) => p.id);
  const inviteIds = found.invites.map((i) => i.id);
  const householdIds = found.households.map((h) => h.id);
  // The store runs inside a transaction of ours (its `run` joins it): the pledges are cancelled by
  // the fund repository (FundTotal kept as by a cancel in chat) and everything else is written on
  // the same handle `t`, so it all commits together.
  const removed = await db.transaction((t) =>
    createStore(t).run(async (tx) => {
      const cancelled: string[] = [];
      const paid: string[] = [];
      const pledges =
        personIds.length === 0
          ? []
          : await t.all(
              `SELECT id, ref FROM "Pledge" WHERE personId IN (${marks(personIds.length)}) AND cancelledAt IS NULL ORDER BY id`,
              personIds,
            );
      for (const p of pledges) {
        // Refused when money (or in kind) was recorded against it: that needs `funds reverse`.
        const done = await tx.pledges.cancel(Number(p.id), DEMO_PLEDGE_CANCEL_REASON, now);
        (done ? cancelled : paid).push(String(p.ref));
      }
      let roles = 0;
      let identities = 0;
      if (personIds.length > 0) {
        const people = marks(personIds.length);
        roles = await t.run(
          `UPDATE "Membership" SET revokedAt = ? WHERE personId IN (${people}) AND revokedAt IS NULL`,
          [now, ...personIds],
        );
        identities = await t.run(
          `DELETE FROM "ChannelIdentity" WHERE personId IN (${people}) AND channel = ?`,
          [...personIds, PLAYGROUND_CHANNEL],
        );
        await t.run(`UPDATE "Person" SET active = FALSE WHERE id IN (${people})`, personIds);
      }
      const invites =
        inviteIds.length === 0
          ? 0
          : await t.run(
              `UPDATE "Invite" SET revokedAt = ? WHERE id IN (${marks(inviteIds.length)}) AND usedAt IS NULL AND revokedAt IS NULL`,
              [now, ...inviteIds],
            );
      let households = 0;
      if (householdIds.length > 0) {
        const ids = marks(householdIds.length);
        await t.run(`DELETE FROM "HouseholdEvent" WHERE householdId IN (${ids})`, householdIds);
        households = await t.run(`DELETE FROM "Household" WHERE id IN (${ids})`, householdIds);
      }
      // The store's audit knows the chat channels only: the row of a CLI command is written here.
      await t.run(
        `INSERT INTO "AuditLog" (at, personId, channel, action, entity, entityId, before, after)
         VALUES (?, NULL, 'cli', 'demo.remove', 'Person', ?, ?, ?)`,
        [
          now,
          personIds.join(',') || '-',
          // Invite ids, not codes: a code is a credential.
          JSON.stringify({
            people: personIds,
            invites: inviteIds,
            households: found.households.map((h) => h.code),
            pledges: pledges.map((p) => String(p.ref)),
          }),
          JSON.stringify({
            active: false,
            rolesRevoked: roles,
            identitiesDeleted: identities,
            invitesRevoked: invites,
            householdsDeleted: households,
            pledgesCancelled: cancelled,
            pledgesPaid: paid,
            cancelReason: DEMO_PLEDGE_CANCEL_REASON,
          }),
        ],
      );
      return { roles, identities, households, cancelled, paid };
    }),
  );

  out('Đã gỡ dữ liệu mẫu khỏi cơ sở dữ liệu:');
  out(
    `  Người dùng mẫu đã ngừng hoạt động: ${found.people.length}${
      found.people.length > 0 ? ` (${found.people.map((p) => `${p.fullName} – ID ${p.id}`).join('; ')})` : ''
    }`,
  );
  out(
    `  Vai trò đã thu hồi: ${removed.roles}; tài khoản thử nghiệm (playground) đã xóa: ${removed.identities}`,
  );
  out(
    `  Mã mời mẫu đã thu hồi: ${found.invites.length}${
      found.invites.length > 0 ? ` (${found.invites.map((i) => i.code).join(', ')})` : ''
    }`,
  );
  out(
    `  Hộ mẫu đã xóa: ${removed.households}${
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
