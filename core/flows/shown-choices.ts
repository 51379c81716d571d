import { z } from 'zod';
import type { OutboxItem } from '../messaging/outbox.repository.ts';
import type { FlowStateRepository, StoredFlowState } from './flow-state.repository.ts';

/**
 * The choices last shown to a chat outside a conversation (a menu, search results, an export list,
 * a notice's actions) are kept in the chat's FlowState row under this pseudo flow, so a typed
 * number — Zalo's only way to choose — answers that list, after a restart too.
 */
export const SHOWN_CHOICES_FLOW = 'shown-choices';
const VERSION = 1;
/** A notice's actions stay answerable for a month; a stale action is refused by its handler anyway. */
const KEEP_MS = 30 * 24 * 3_600_000;

const ZShown = z.object({ choices: z.array(z.object({ id: z.string(), label: z.string() })) });

export type ShownChoice = z.infer<typeof ZShown>['choices'][number];

/**
 * Records, for each chat among `items`, the choices of the last message that has some (numbered
 * 1…n in the order the Zalo sender lists them). A chat in a conversation keeps its flow: there a
 * typed number answers the flow's question.
 */
export async function rememberShownChoices(
  flows: FlowStateRepository,
  items: readonly OutboxItem[],
  at: Date,
): Promise<void> {
  const last = new Map<string, OutboxItem>();
  for (const item of items) {
    if ((item.message.choices ?? []).flat().length > 0) {
      last.set(`${item.channel}\u0000${item.chatId}`, item);
    }
  }
  const data = (item: OutboxItem) =>
    JSON.stringify({
      choices: (item.message.choices ?? []).flat().map((c) => ({ id: c.id, label: c.label })),
    });
  const expiresAt = new Date(at.getTime() + KEEP_MS);
  await flows.saveUnlessOtherFlow(
    [...last.values()].map((item) => ({
      channel: item.channel,
      chatId: item.chatId,
      state: { flow: SHOWN_CHOICES_FLOW, version: VERSION, step: 'choices', data: data(item), expiresAt },
    })),
    at,
  );
}

/** The list a stored row holds, if it is one (and still current). */
export function shownChoicesOf(stored: StoredFlowState | undefined, now: Date): ShownChoice[] | undefined {
  if (!stored || stored.flow !== SHOWN_CHOICES_FLOW) {
    return undefined;
  }
  if (stored.version !== VERSION || stored.expiresAt <= now) {
    return [];
  }
  try {
    const parsed = ZShown.safeParse(JSON.parse(stored.data));
    return parsed.success ? parsed.data.choices : [];
  } catch {
    return [];
  }
}
