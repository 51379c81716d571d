import type { Text } from '../flows/flow.ts';
import type { Address, Channel, Outbound } from '../messaging/message.ts';
import type { OutboxItem } from '../messaging/outbox.repository.ts';
import type { Actor } from '../shared/actor.ts';
import { menuButtonId } from '../shared/menu-button.ts';
import type { Tx } from '../unit-of-work.ts';
import {
  APPEAL_AUDIENCES,
  type AppealAddress,
  type AppealAudience,
  type AppealPhoto,
  type AppealRecord,
} from './appeal.repository.ts';

/**
 * Appeals (Thư kêu gọi ủng hộ, issue 17 §4): an admin's letter sent through the outbox to the
 * audiences of their area, each message carrying what attributes a pledge to it; and the chats that
 * asked to hear no more, which are never sent another.
 */

/** The longest appeal text (a letter; Telegram splits it into messages of 4,096 characters). */
export const APPEAL_MAX_TEXT = 3_000;

/** Where an admin's appeal goes: their campaign, and the units of their area (theirs and below). */
export interface AppealArea {
  campaignId: number;
  /** The admin's own units (what confirming needs again). */
  unitIds: number[];
}

/** How many chats each chosen audience reaches once duplicates and stopped chats are left out. */
export interface AppealReach {
  counts: Record<AppealAudience, number>;
  total: number;
  /** Chats left out because they asked for no more appeals. */
  optedOut: number;
  /** Chats counted under an earlier audience already (a member who is also a consenting donor). */
  duplicates: number;
}

interface Recipient extends AppealAddress {
  audience: AppealAudience;
  group: boolean;
}

/** The chats of each audience in the admin's area, before duplicates and opt-outs are removed. */
async function audienceChats(
  tx: Tx,
  area: AppealArea,
): Promise<Record<AppealAudience, (AppealAddress & { group: boolean })[]>> {
  const below = await tx.units.listDescendantsDated(area.unitIds);
  const units = [...area.unitIds, ...below.map((u) => u.id)];
  const inArea = new Set(units);
  const orgs = below.filter((u) => u.kind === 'member_org' && u.validTo === null).map((u) => u.id);
  const groups = (await tx.groups.listActive()).filter((g) => inArea.has(g.unitId));
  const asPrivate = (list: AppealAddress[]) => list.map((a) => ({ ...a, group: false }));
  return {
    members: asPrivate(await tx.appeals.memberChats(orgs)),
    groups: groups.map((g) => ({ channel: g.channel, chatId: g.chatId, personId: null, group: true })),
    donors: asPrivate(await tx.appeals.consentingDonorChats(area.campaignId, units)),
  };
}

/** The chats an appeal to `audiences` goes to: each once, under the first audience that has it. */
async function recipientsOf(
  tx: Tx,
  area: AppealArea,
  audiences: readonly AppealAudience[],
): Promise<{ recipients: Recipient[]; reach: AppealReach }> {
  const chats = await audienceChats(tx, area);
  const seen = new Set<string>();
  const unique: Recipient[] = [];
  let duplicates = 0;
  for (const audience of APPEAL_AUDIENCES.filter((a) => audiences.includes(a))) {
    for (const chat of chats[audience]) {
      const key = `${chat.channel}\u0000${chat.chatId}`;
      if (seen.has(key)) {
        duplicates++;
        continue;
      }
      seen.add(key);
      unique.push({ ...chat, audience });
    }
  }
  const recipients = await tx.appeals.withoutOptedOut(unique);
  const counts = { members: 0, groups: 0, donors: 0 };
  for (const r of recipients) {
    counts[r.audience]++;
  }
  return {
    recipients,
    reach: {
      counts,
      total: recipients.length,
      optedOut: unique.length - recipients.length,
      duplicates,
    },
  };
}

/** How far an appeal to `audiences` would reach now (the compose flow's summary). */
export async function appealReach(
  tx: Tx,
  area: AppealArea,
  audiences: readonly AppealAudience[],
): Promise<AppealReach> {
  return (await recipientsOf(tx, area, audiences)).reach;
}

/** The reach as summary lines: one per audience chosen, then the total. */
export function reachLines(audiences: readonly AppealAudience[], reach: AppealReach): Text[] {
  return [
    ...APPEAL_AUDIENCES.filter((a) => audiences.includes(a)).map(
      (a): Text => ({ key: `appeal.reach.${a}`, params: { count: reach.counts[a] } }),
    ),
    { key: 'appeal.reach.total', params: { count: reach.total } },
    ...(reach.optedOut > 0 || reach.duplicates > 0
      ? [
          {
            key: 'appeal.reach.left_out' as const,
            params: { optedOut: reach.optedOut, duplicates: reach.duplicates },
          },
        ]
      : []),
  ];
}

/** The deep link that opens a pledge attributed to the appeal ("https://t.me/bot?start=ungho-KG1"). */
export function appealLink(botUsername: string, code: string): string {
  return `https://t.me/${botUsername}?start=ungho-${code}`;
}

/** Links the channels offer: the Telegram bot's username, when the deployment names it. */
export interface AppealLinks {
  telegramBot?: string;
}

/**
 * One recipient's message: the letter, its photo, and in a private chat the buttons to pledge (the
 * button carries the appeal) and to stop appeals; on Telegram a link to forward, which carries the
 * appeal too. A group gets no buttons (its members press nothing there) but how to stop.
 */
export function appealMessage(
  appeal: Pick<AppealRecord, 'id' | 'code' | 'text' | 'photo'>,
  to: { channel: Channel; group: boolean },
  links: AppealLinks,
  text: (key: Text['key'], params?: Text['params']) => string,
): Outbound {
  const lines = [text('appeal.message.header'), '', appeal.text.trim()];
  if (to.channel === 'telegram' && links.telegramBot) {
    lines.push('', text('appeal.message.link', { link: appealLink(links.telegramBot, appeal.code) }));
  }
  lines.push('', text(to.group ? 'appeal.message.group_stop' : 'appeal.message.code', { code: appeal.code }));
  const message: Outbound = { text: lines.join('\n') };
  if (!to.group) {
    message.choices = [
      [{ id: menuButtonId('appealpledge', appeal.id), label: text('appeal.button.pledge') }],
      [{ id: menuButtonId('appealstop'), label: text('appeal.button.stop') }],
    ];
  }
  if (appeal.photo) {
    message.image = { photo: appeal.photo };
  }
  return message;
}

/** The outbox key of an appeal's message to a chat: one per chat, so sending twice adds nothing. */
export function appealKey(appealId: number, to: Address): string {
  return `appeal:${appealId}:${to.channel}:${to.chatId}`;
}

/**
 * Sends an appeal: the Appeal row (its code), then one outbox message per chat the audiences reach
 * now — opted-out chats and duplicates left out — paced by the outbox like any bulk send (each
 * channel's rate limits; Zalo holds a message for a user outside its interaction window until they
 * write). Audited; returns the appeal's code and the reach.
 */
export async function sendAppeal(
  tx: Tx,
  actor: Actor,
  input: {
    area: AppealArea;
    text: string;
    photo: AppealPhoto | null;
    audiences: AppealAudience[];
    links: AppealLinks;
    render: (key: Text['key'], params?: Text['params']) => string;
  },
  now: Date,
  channel: Channel,
): Promise<{ id: number; code: string; reach: AppealReach }> {
  const { recipients, reach } = await recipientsOf(tx, input.area, input.audiences);
  const { id, code } = await tx.appeals.create(
    {
      campaignId: input.area.campaignId,
      text: input.text,
      photo: input.photo,
      audiences: input.audiences,
      createdBy: actor.personId,
    },
    now,
  );
  const appeal = { id, code, text: input.text, photo: input.photo };
  const items: OutboxItem[] = recipients.map((r) => ({
    channel: r.channel,
    chatId: r.chatId,
    message: appealMessage(appeal, r, input.links, input.render),
    idempotencyKey: appealKey(id, r),
    purpose: 'appeal',
    personId: r.personId,
  }));
  const queued = await tx.outbox.enqueue(items, now);
  await tx.appeals.markSent(id, queued, now);
  await tx.audit.record(
    {
      personId: actor.personId,
      channel,
      action: 'appeal.send',
      entity: 'Appeal',
      entityId: String(id),
      after: { code, audiences: input.audiences, recipients: queued, photo: input.photo !== null },
    },
    now,
  );
  return { id, code, reach: { ...reach, total: queued } };
}

/**
 * The chat asks for no more appeals: recorded for the chat (a stranger's too), and its appeal
 * messages still queued are withdrawn. Returns whether it was new and how many were withdrawn.
 */
export async function stopAppeals(
  tx: Tx,
  to: Address,
  personId: number | null,
  now: Date,
): Promise<{ stopped: boolean; withdrawn: number }> {
  const stopped = await tx.appeals.optOut(to.channel, to.chatId, personId, now);
  const withdrawn = await tx.appeals.cancelQueued(to.channel, to.chatId, now);
  await tx.audit.record(
    {
      personId,
      channel: to.channel,
      action: 'appeal.opt_out',
      entity: 'ContactOptOut',
      entityId: `${to.channel}:${to.chatId}`,
      after: { withdrawn },
    },
    now,
  );
  return { stopped, withdrawn };
}

/** Undoes `stopAppeals` (later appeals reach the chat again); false when it had not stopped them. */
export async function resumeAppeals(
  tx: Tx,
  to: Address,
  personId: number | null,
  now: Date,
): Promise<boolean> {
  const resumed = await tx.appeals.optIn(to.channel, to.chatId);
  if (resumed) {
    await tx.audit.record(
      {
        personId,
        channel: to.channel,
        action: 'appeal.opt_in',
        entity: 'ContactOptOut',
        entityId: `${to.channel}:${to.chatId}`,
      },
      now,
    );
  }
  return resumed;
}
