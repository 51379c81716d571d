import type { FlowStateRepository } from '../../core/flows/flow-state.repository.ts';
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

type StateRow = ChatKey & {
  flow: string;
  step: string;
  version: number;
  data: string;
  expiresAt: Date;
  updatedAt: Date;
};

/** Inserts the rows; a chat's existing row is replaced only when it holds the same flow. */
const insertUnlessOtherFlow = (db: SqlDb['kysely'], values: StateRow | StateRow[]) =>
  db
    .insertInto('FlowState')
    .values(values)
    .onConflict((oc) =>
      oc
        .columns(['channel', 'chatId'])
        .doUpdateSet((eb) => ({
          step: eb.ref('excluded.step'),
          version: eb.ref('excluded.version'),
          data: eb.ref('excluded.data'),
          expiresAt: eb.ref('excluded.expiresAt'),
          updatedAt: eb.ref('excluded.updatedAt'),
        }))
        .whereRef('FlowState.flow', '=', 'excluded.flow'),
    );

// The list shown with one reply (every answer that ends on a menu): prepared once.
const saveOneUnlessOtherFlow = prepared((db, $: Param<StateRow>) =>
  insertUnlessOtherFlow(db, {
    channel: $('channel'),
    chatId: $('chatId'),
    flow: $('flow'),
    step: $('step'),
    version: $('version'),
    data: $('data'),
    expiresAt: $('expiresAt'),
    updatedAt: $('updatedAt'),
  }),
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
    async saveUnlessOtherFlow(rows, at) {
      const values = rows.map(({ channel, chatId, state }) => ({
        channel,
        chatId,
        flow: state.flow,
        step: state.step,
        version: state.version,
        data: state.data,
        expiresAt: state.expiresAt,
        updatedAt: at,
      }));
      const [only] = values;
      if (values.length === 1 && only) {
        await saveOneUnlessOtherFlow.run(db, only);
        return;
      }
      for (const part of chunks(values)) {
        await insertUnlessOtherFlow(db, part).execute();
      }
    },
  };
}
