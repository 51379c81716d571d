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
}
