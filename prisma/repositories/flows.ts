import type { FlowStateRepository } from '../../core/flows/flow-state.repository.ts';
import type { SqlDb } from '../database.ts';
import { type Param, prepared } from '../kysely-dialect.ts';

type ChatKey = { channel: string; chatId: string };

// Every answer reads and writes its chat's state: these three are prepared once.
const findState = prepared((db, $: Param<ChatKey>) =>
  db
    .selectFrom('FlowState')
    .select(['flow', 'version', 'step', 'data', 'expiresAt'])
    .where('channel', '=', $('channel'))
    .where('chatId', '=', $('chatId')),
);

const saveState = prepared(
  (
    db,
    $: Param<
      ChatKey & { flow: string; step: string; version: number; data: string; expiresAt: Date; at: Date }
    >,
  ) =>
    db
      .insertInto('FlowState')
      .values({
        channel: $('channel'),
        chatId: $('chatId'),
        flow: $('flow'),
        step: $('step'),
        version: $('version'),
        data: $('data'),
        expiresAt: $('expiresAt'),
        updatedAt: $('at'),
      })
      .onConflict((oc) =>
        oc.columns(['channel', 'chatId']).doUpdateSet((eb) => ({
          flow: eb.ref('excluded.flow'),
          step: eb.ref('excluded.step'),
          version: eb.ref('excluded.version'),
          data: eb.ref('excluded.data'),
          expiresAt: eb.ref('excluded.expiresAt'),
          updatedAt: eb.ref('excluded.updatedAt'),
        })),
      ),
);

const deleteState = prepared((db, $: Param<ChatKey>) =>
  db.deleteFrom('FlowState').where('channel', '=', $('channel')).where('chatId', '=', $('chatId')),
);

/** The conversation state of each chat (one row per channel and chat). */
export function createFlowStateRepository(t: SqlDb): FlowStateRepository {
  const db = t.kysely;
  return {
    find: (channel, chatId) => findState.first(db, { channel, chatId }),
    async save(channel, chatId, state, at) {
      await saveState.run(db, {
        channel,
        chatId,
        flow: state.flow,
        step: state.step,
        version: state.version,
        data: state.data,
        expiresAt: state.expiresAt,
        at,
      });
    },
    async delete(channel, chatId) {
      await deleteState.run(db, { channel, chatId });
    },
  };
}
