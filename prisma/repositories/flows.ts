import type { FlowStateRepository, StoredFlowState } from '../../core/flows/flow-state.repository.ts';
import type { SqlDb } from '../database.ts';
import { type Param, prepared } from '../kysely-dialect.ts';
import { chunks } from './mappers.ts';

type ChatKey = { channel: string; chatId: string };

// Every answer reads and writes its chat's state: these three are prepared once.
const findState = prepared((db, $: Param<ChatKey>) =>
  db
    .selectFrom('FlowState')
    .select(['flow', 'version', 'step', 'data', 'expiresAt'])
    .where('channel', '=', $('channel'))
    .where('chatId', '=', $('chatId')),
);

type StateRow = ChatKey & {
  flow: string;
  step: string;
  version: number;
  data: string;
  expiresAt: Date;
  updatedAt: Date;
};

/**
 * Inserts the rows, replacing a chat's existing row — with `sameFlowOnly`, only a row that holds the
 * same flow (a conversation there is left as it is).
 */
const upsertState = (db: SqlDb['kysely'], values: StateRow | StateRow[], sameFlowOnly: boolean) =>
  db
    .insertInto('FlowState')
    .values(values)
    .onConflict((oc) => {
      const replace = oc.columns(['channel', 'chatId']).doUpdateSet((eb) => ({
        flow: eb.ref('excluded.flow'),
        step: eb.ref('excluded.step'),
        version: eb.ref('excluded.version'),
        data: eb.ref('excluded.data'),
        expiresAt: eb.ref('excluded.expiresAt'),
        updatedAt: eb.ref('excluded.updatedAt'),
      }));
      return sameFlowOnly ? replace.whereRef('FlowState.flow', '=', 'excluded.flow') : replace;
    });

/** One state row's values as placeholders of a prepared statement. */
const stateParams = ($: Param<StateRow>): StateRow => ({
  channel: $('channel'),
  chatId: $('chatId'),
  flow: $('flow'),
  step: $('step'),
  version: $('version'),
  data: $('data'),
  expiresAt: $('expiresAt'),
  updatedAt: $('updatedAt'),
});

const saveState = prepared((db, $: Param<StateRow>) => upsertState(db, stateParams($), false));

// The list shown with one reply (every answer that ends on a menu): prepared once.
const saveOneUnlessOtherFlow = prepared((db, $: Param<StateRow>) => upsertState(db, stateParams($), true));

const deleteState = prepared((db, $: Param<ChatKey>) =>
  db.deleteFrom('FlowState').where('channel', '=', $('channel')).where('chatId', '=', $('chatId')),
);

/** A chat's state as the row that stores it. */
function stateRow(channel: string, chatId: string, state: StoredFlowState, at: Date): StateRow {
  const { flow, step, version, data, expiresAt } = state;
  return { channel, chatId, flow, step, version, data, expiresAt, updatedAt: at };
}

/** The conversation state of each chat (one row per channel and chat). */
export function createFlowStateRepository(t: SqlDb): FlowStateRepository {
  const db = t.kysely;
  return {
    find: (channel, chatId) => findState.first(db, { channel, chatId }),
    async save(channel, chatId, state, at) {
      await saveState.run(db, stateRow(channel, chatId, state, at));
    },
    async delete(channel, chatId) {
      await deleteState.run(db, { channel, chatId });
    },
    async saveUnlessOtherFlow(rows, at) {
      const values = rows.map(({ channel, chatId, state }) => stateRow(channel, chatId, state, at));
      const [only] = values;
      if (values.length === 1 && only) {
        await saveOneUnlessOtherFlow.run(db, only);
        return;
      }
      for (const part of chunks(values)) {
        await upsertState(db, part, true).execute();
      }
    },
  };
}
