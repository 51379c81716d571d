import type { Channel } from '../messaging/message.ts';

export interface StoredFlowState {
  flow: string;
  version: number;
  step: string;
  /** The serialized `{ data, ctx, reviewing }` of the flow, validated when read. */
  data: string;
  expiresAt: Date;
}

export interface FlowStateRepository {
  find(channel: Channel, chatId: string): Promise<StoredFlowState | undefined>;
  save(channel: Channel, chatId: string, state: StoredFlowState, at: Date): Promise<void>;
  delete(channel: Channel, chatId: string): Promise<void>;
  /**
   * Saves each state in a few statements, except in a chat whose row holds another flow (a
   * conversation there is left as it is): the lists shown with bulk notices.
   */
  saveUnlessOtherFlow(
    rows: readonly { channel: Channel; chatId: string; state: StoredFlowState }[],
    at: Date,
  ): Promise<void>;
}
