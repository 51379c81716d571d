import type { Text } from '../flows/flow.ts';
import { t } from '../messaging/catalog.ts';
import type { Outbound } from '../messaging/message.ts';
import type { OutboxItem } from '../messaging/outbox.repository.ts';
import type { Tx } from '../unit-of-work.ts';

/**
 * Notices the fund's work sends on its own: to the keepers of a fund level (a pledge to verify, an
 * acknowledgement to approve) and to one person's chats (the donor hears of a decision). Each goes
 * out once per chat: the key names the subject, so asking again enqueues nothing new.
 */

/** Catalog lines in Vietnamese, one per line (what a notice says). */
export const renderVi = (lines: readonly Text[]): string =>
  lines.map((l) => t('vi', l.key, l.params)).join('\n');

/**
 * The fund officers of a level hear of something to decide; a level without a fund officer, the
 * admins (who keep every level). `except`: the person the notice is about (a donor who is also an
 * officer is not asked to decide on their own gift).
 */
export async function noticeToKeepers(
  tx: Tx,
  notice: { levelUnitId: number; message: Outbound; key: string; except?: number | null },
  now: Date,
): Promise<void> {
  const officers = (await tx.reminders.members(['fund_officer'])).filter(
    (m) => m.unitId === notice.levelUnitId,
  );
  const keepers = officers.length > 0 ? officers : await tx.reminders.members(['admin']);
  const seen = new Set<string>();
  const items: OutboxItem[] = [];
  for (const member of keepers) {
    for (const c of member.chats) {
      const address = `${c.channel}:${c.chatId}`;
      if (seen.has(address) || member.personId === notice.except) {
        continue;
      }
      seen.add(address);
      items.push({
        channel: c.channel,
        chatId: c.chatId,
        message: notice.message,
        idempotencyKey: `${notice.key}:${address}`,
        purpose: 'notice',
        personId: member.personId,
      });
    }
  }
  await tx.outbox.enqueue(items, now);
}

/** A person's chats (every channel they wrote from) get the message; how many chats they have. */
export function noticeToPerson(
  tx: Tx,
  notice: { personId: number | null; message: Outbound; key: string },
  now: Date,
): Promise<number> {
  return noticesToPeople(tx, [notice], now);
}

/**
 * `noticeToPerson` for many notices at once (a bank statement's receipts): the chats of every person
 * read together and all the messages enqueued in one call. How many messages that was.
 */
export async function noticesToPeople(
  tx: Tx,
  notices: readonly { personId: number | null; message: Outbound; key: string }[],
  now: Date,
): Promise<number> {
  const people = [...new Set(notices.flatMap((n) => (n.personId === null ? [] : [n.personId])))];
  if (people.length === 0) {
    return 0;
  }
  const chatsOf = await tx.people.identitiesOfPeople(people);
  const items: OutboxItem[] = notices.flatMap(({ personId, message, key }) =>
    (personId === null ? [] : (chatsOf.get(personId) ?? [])).map((c) => ({
      channel: c.channel,
      chatId: c.externalUserId,
      message,
      idempotencyKey: `${key}:${c.channel}:${c.externalUserId}`,
      purpose: 'notice' as const,
      personId,
    })),
  );
  await tx.outbox.enqueue(items, now);
  return items.length;
}
