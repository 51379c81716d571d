import { z } from 'zod';
import { membershipsFor } from '../access/access.ts';
import { campaignOf, unitIdsOf } from '../campaigns/campaign-of.ts';
import { zOptionalText } from '../flows/answers.ts';
import type { FlowDef } from '../flows/flow.ts';
import { defineFlow, type FlowStart } from '../flows/flow-runner.ts';
import { t } from '../messaging/catalog.ts';
import { code } from '../messaging/markup.ts';
import { APPEAL_AUDIENCES, type AppealAudience } from './appeal.repository.ts';
import { APPEAL_MAX_TEXT, type AppealLinks, appealReach, reachLines, sendAppeal } from './appeals.ts';

/**
 * "📣 Gửi thư kêu gọi" (`/thukeugoi`): an admin writes the letter, may add a photo, chooses the
 * audiences, reads how many chats each reaches, and confirms; the messages go through the outbox.
 */

/** The audiences offered, alone and combined (one tap each; "all three" last). */
const AUDIENCE_CHOICES = [
  'members',
  'groups',
  'donors',
  'members+groups',
  'members+donors',
  'groups+donors',
  'members+groups+donors',
] as const;

function audiencesOf(choice: string | undefined): AppealAudience[] {
  const parts = (choice ?? '').split('+');
  return APPEAL_AUDIENCES.filter((a) => parts.includes(a));
}

const ZCounts = z.object({ members: z.number(), groups: z.number(), donors: z.number() });
const ZReach = z.object({ counts: ZCounts, total: z.number(), optedOut: z.number(), duplicates: z.number() });

export const ZAppealContext = z.object({
  campaignId: z.number(),
  /** The admin's units: the area the audiences are taken from, and what confirming needs again. */
  unitIds: z.array(z.number()),
  /** Each audience alone, when the flow started (chats that stopped appeals left out). */
  available: ZCounts,
  /** The chosen audiences' reach, counted again before the summary. */
  reach: ZReach.nullable(),
  /** The Telegram bot's username, for the forwardable link (none: the messages carry no link). */
  telegramBot: z.string().nullable().default(null),
});
export type AppealContext = z.infer<typeof ZAppealContext>;

const ZAppealAnswers = z.object({
  text: z.string(),
  photo: zOptionalText,
  audiences: z.enum(AUDIENCE_CHOICES),
});

export const appealFlow: FlowDef<AppealContext> = {
  id: 'appeal',
  version: 1,
  title: 'appeal.title',
  summaryHeader: (ctx, data) => [
    { key: 'appeal.summary.header' },
    ...(ctx.reach ? reachLines(audiencesOf(String(data.audiences ?? '')), ctx.reach) : []),
  ],
  steps: [
    {
      key: 'text',
      kind: 'text',
      label: 'appeal.field.text',
      prompt: () => ({ key: 'appeal.ask.text', params: { max: APPEAL_MAX_TEXT.toLocaleString('vi-VN') } }),
      maxLength: APPEAL_MAX_TEXT,
      check: (value) =>
        String(value).trim().length < 20 ? { key: 'appeal.rule.text_short', params: { min: 20 } } : undefined,
    },
    {
      key: 'photo',
      kind: 'photo',
      label: 'appeal.field.photo',
      prompt: () => ({ key: 'appeal.ask.photo' }),
      optional: true,
    },
    {
      key: 'audiences',
      kind: 'choice',
      label: 'appeal.field.audiences',
      prompt: (ctx) => ({ key: 'appeal.ask.audiences', params: { ...ctx.available } }),
      choices: () =>
        AUDIENCE_CHOICES.map((c) => ({
          id: c,
          label: audiencesOf(c)
            .map((a) => t('vi', `appeal.audience.${a}`))
            .join(' + '),
        })),
      display: (value, _ctx, locale) =>
        audiencesOf(String(value))
          .map((a) => t(locale, `appeal.audience.${a}`))
          .join(' + '),
    },
  ],
};

export const appealRunner = defineFlow({
  def: appealFlow,
  context: ZAppealContext,
  answers: ZAppealAnswers,
  /** `arg`: the Telegram bot's username, when the deployment names it (the link to forward). */
  async start(tx, actor, now, arg): Promise<FlowStart<AppealContext>> {
    const unitIds = unitIdsOf(membershipsFor(actor, 'appeal.send'));
    const campaign = await campaignOf(tx, unitIds, now);
    if (unitIds.length === 0 || !campaign) {
      return { ok: false, reason: { key: 'appeal.refused.not_admin' } };
    }
    const area = { campaignId: campaign.id, unitIds };
    const alone = async (a: AppealAudience) => (await appealReach(tx, area, [a])).total;
    return {
      ok: true,
      ctx: {
        ...area,
        available: {
          members: await alone('members'),
          groups: await alone('groups'),
          donors: await alone('donors'),
        },
        reach: null,
        telegramBot: arg ?? null,
      },
    };
  },
  async beforeSummary(tx, _actor, state) {
    const reach = await appealReach(tx, state.ctx, audiencesOf(String(state.data.audiences ?? '')));
    return { ctx: { ...state.ctx, reach }, data: state.data };
  },
  async submit(tx, actor, { ctx, answers }, now, inbound) {
    const audiences = audiencesOf(answers.audiences);
    const links: AppealLinks = ctx.telegramBot ? { telegramBot: ctx.telegramBot } : {};
    const sent = await sendAppeal(
      tx,
      actor,
      {
        area: ctx,
        text: answers.text.trim(),
        photo: answers.photo ? { channel: inbound.channel, fileId: answers.photo } : null,
        audiences,
        links,
        render: (key, params) => t('vi', key, params),
      },
      now,
      inbound.channel,
    );
    return [
      { key: 'appeal.sent', params: { code: code(sent.code), count: sent.reach.total } },
      ...reachLines(audiences, sent.reach).slice(0, -1),
      { key: 'appeal.sent.pace' },
    ];
  },
});
