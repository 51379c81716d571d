/**
 * Small builders for tests: inbound messages with unique event ids, test users, and the demo
 * campaign (the seed plan of DESIGN.md) with one ward, which test/support/inbound-harness.ts puts
 * in a real database.
 */

import type { Campaign } from '../campaigns/campaign.ts';
import type { Channel, ChatType, Inbound } from '../messaging/message.ts';

/** 10:00 on 10 March 2025 in Vietnam: the February report is open and not yet due (15/03). */
export const DEMO_NOW = '2025-03-10T03:00:00Z';

export interface TestUser {
  channel: Channel;
  chatId: string;
  chatType: ChatType;
  senderId: string;
  senderName?: string;
}

/** A person chatting privately with the bot: the chat id is the user id, as on Telegram. */
export function testUser(id: string, options: { channel?: Channel; senderName?: string } = {}): TestUser {
  const user: TestUser = {
    channel: options.channel ?? 'telegram',
    chatId: id,
    chatType: 'private',
    senderId: id,
  };
  if (options.senderName !== undefined) {
    user.senderName = options.senderName;
  }
  return user;
}

let lastExternalId = 0;

/** A fresh event id, unique within the test process. */
export function nextExternalId(): string {
  lastExternalId += 1;
  return `evt-${lastExternalId}`;
}

function base(user: TestUser): Omit<Inbound, 'kind'> {
  const inbound: Omit<Inbound, 'kind'> = {
    channel: user.channel,
    chatId: user.chatId,
    chatType: user.chatType,
    senderId: user.senderId,
    externalId: nextExternalId(),
    receivedAt: new Date(DEMO_NOW),
  };
  if (user.senderName !== undefined) {
    inbound.senderName = user.senderName;
  }
  return inbound;
}

export function textFrom(user: TestUser, text: string): Inbound {
  return { ...base(user), kind: 'text', text };
}

/** `/command args`, as a channel delivers it: command without the slash, in lower case. */
export function commandFrom(user: TestUser, command: string, args?: string): Inbound {
  const inbound: Inbound = {
    ...base(user),
    kind: 'command',
    command,
    text: args === undefined ? `/${command}` : `/${command} ${args}`,
  };
  if (args !== undefined) {
    inbound.args = args;
  }
  return inbound;
}

/** A pressed button. */
export function choiceFrom(user: TestUser, id: string): Inbound {
  return { ...base(user), kind: 'choice', choiceId: id };
}

/** A photo sent to the chat; `fileId` is the channel's own id for the file. */
export function photoFrom(user: TestUser, fileId = 'photo-1'): Inbound {
  return { ...base(user), kind: 'photo', media: { fileId, mimeType: 'image/jpeg' } };
}

/** The seed plan: 01/10/2024–31/12/2025, reports due on the 15th, final report on 10/12/2025. */
export const DEMO_CAMPAIGN: Omit<Campaign, 'id'> = {
  code: 'XNT-2025',
  name: 'Xóa nhà tạm, nhà dột nát',
  timeZone: 'Asia/Ho_Chi_Minh',
  startsOn: '2024-10-01',
  endsOn: '2025-12-31',
  monthlyDueDay: 15,
  quarterlyDueDay: 15,
  finalDueOn: '2025-12-10',
  areaUnitId: null,
  addressForm: 'đồng chí',
  closedOn: null,
  normNewBuild: 60_000_000n,
  normRepair: 30_000_000n,
};

export const DEMO_UNIT = { code: '01840', name: 'Phường Đức Xuân', kind: 'ward' } as const;
