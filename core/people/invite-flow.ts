import { z } from 'zod';
import { can, unitsFor } from '../access/access.ts';
import { zIdChoice, zOptionalText } from '../flows/answers.ts';
import type { FlowDef, Text } from '../flows/flow.ts';
import { defineFlow } from '../flows/flow-runner.ts';
import { code as markCode } from '../messaging/markup.ts';
import type { Role } from '../shared/actor.ts';
import { createInvite } from './create-invite.ts';
import { displayInviteCode, inviteLink } from './invite-code.ts';

/**
 * An admin invites someone from the chat (issue 7 §1): role, unit (only units of the admin's own
 * area), validity. The CLI's `invite create` does the same for the operator; both are audited.
 */

const INVITABLE = ['unit_officer', 'leader', 'org_leader', 'fund_officer', 'admin'] as const satisfies Role[];
const ROLE_LABELS: Record<string, string> = {
  unit_officer: '📝 Cán bộ báo cáo phường, xã',
  leader: '📊 Lãnh đạo',
  org_leader: '🤝 Lãnh đạo tổ chức thành viên',
  fund_officer: '💰 Cán bộ Quỹ',
  admin: '🔑 Quản trị viên',
};

const ZInviteContext = z.object({
  units: z.array(z.object({ id: z.number(), name: z.string(), kind: z.string() })),
  /** The Telegram bot's username, for the one-tap link (a saved flow from before has none). */
  telegramBot: z.string().nullable().default(null),
});
type InviteContext = z.infer<typeof ZInviteContext>;

const ZInviteAnswers = z.object({
  role: z.enum(INVITABLE),
  unit: zIdChoice,
  name: zOptionalText,
  days: z.number().int(),
});

const inviteFlow: FlowDef<InviteContext> = {
  id: 'invite-create',
  version: 1,
  title: 'invite.flow.title',
  summaryHeader: () => [{ key: 'invite.flow.header' }],
  steps: [
    {
      key: 'role',
      kind: 'choice',
      label: 'invite.field.role',
      prompt: () => ({ key: 'invite.ask.role' }),
      choices: () => INVITABLE.map((r) => ({ id: r, label: ROLE_LABELS[r] ?? r })),
    },
    {
      key: 'unit',
      kind: 'choice',
      label: 'invite.field.unit',
      prompt: () => ({ key: 'invite.ask.unit' }),
      // Officers belong to a ward or commune, organisation leaders to an organisation, the others anywhere.
      choices: (ctx, data) =>
        ctx.units
          .filter((u) =>
            data.role === 'unit_officer'
              ? u.kind === 'ward' || u.kind === 'commune'
              : data.role === 'org_leader'
                ? u.kind === 'member_org'
                : u.kind !== 'member_org',
          )
          .map((u) => ({ id: String(u.id), label: u.name })),
    },
    {
      key: 'name',
      kind: 'text',
      label: 'invite.field.name',
      prompt: () => ({ key: 'invite.ask.name' }),
      maxLength: 100,
      optional: true,
    },
    {
      key: 'days',
      kind: 'integer',
      label: 'invite.field.days',
      prompt: () => ({ key: 'invite.ask.days' }),
      min: 1,
      max: 90,
      choices: () => [
        { id: '7', label: '7' },
        { id: '14', label: '14' },
        { id: '30', label: '30' },
      ],
    },
  ],
};

export const inviteCreateRunner = defineFlow({
  def: inviteFlow,
  context: ZInviteContext,
  answers: ZInviteAnswers,
  /** `arg`: the Telegram bot's username, when known (the invite then comes with its t.me link). */
  async start(tx, actor, _now, arg) {
    if (!can(actor, 'invite.create')) {
      return { ok: false, reason: { key: 'invite.flow.refused' } };
    }
    // The admin's area: their units, the wards and communes under them, and the member organisations there.
    const area = unitsFor(actor, 'invite.create');
    const all = await tx.units.listByKinds(['province', 'city', 'district', 'ward', 'commune', 'member_org']);
    const within = (id: number | null): boolean => {
      for (let u = all.find((x) => x.id === id); u; u = all.find((x) => x.id === u?.parentId)) {
        if (area.includes(u.id)) {
          return true;
        }
      }
      return false;
    };
    const units = all.filter((u) => within(u.id)).map((u) => ({ id: u.id, name: u.name, kind: u.kind }));
    return { ok: true, ctx: { units, telegramBot: arg ?? null } };
  },
  async submit(tx, actor, { ctx, answers: { role, name, days, ...answers } }, now, inbound) {
    const unit = ctx.units.find((u) => u.id === answers.unit);
    if (!unit) {
      return [{ key: 'invite.flow.refused' }];
    }
    const created = await createInvite(
      tx,
      { role, unitId: unit.id, fullName: name, days },
      { personId: actor.personId, channel: inbound.channel },
      now,
    );
    if (!created) {
      return [{ key: 'invite.flow.refused' }];
    }
    const { code } = created;
    const done: Text = {
      key: 'invite.flow.done',
      params: {
        code: markCode(displayInviteCode(code)),
        role: { key: `role.${role}` },
        unit: unit.name,
        days: String(days),
      },
    };
    // One tap on Telegram opens the bot with `/start CODE`; the code stays for typing on Zalo.
    return ctx.telegramBot
      ? [done, { key: 'invite.flow.link', params: { link: inviteLink(ctx.telegramBot, code) } }]
      : [done];
  },
});
