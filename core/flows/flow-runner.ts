import type { Choice, Inbound } from '../messaging/message.ts';
import type { Actor } from '../shared/actor.ts';
import type { Tx } from '../unit-of-work.ts';
import type { FlowData, FlowDef, FlowState, Text } from './flow.ts';

export type FlowStart<C> = { ok: true; ctx: C; data?: FlowData } | { ok: false; reason: Text };

/** A flow definition with the two moments it touches the database: start and submit. */
export interface FlowRunner<C> {
  def: FlowDef<C>;
  /** Checks a context read back from the database; undefined discards the saved conversation. */
  parseContext(raw: unknown): C | undefined;
  /** Loads what the questions need (periods, previous figures); `arg` comes from the menu choice. */
  start(tx: Tx, actor: Actor, now: Date, arg: string | undefined): Promise<FlowStart<C>>;
  /**
   * Called each time the answers are complete, before the summary: may return a new context (for
   * example the possible duplicates of a new household), after which the engine asks any step the
   * new context turns on. `data` may be returned changed too (an answer that no longer applies).
   */
  beforeSummary?(tx: Tx, actor: Actor, state: FlowState): Promise<{ ctx: C; data: FlowState['data'] }>;
  /**
   * Stores the confirmed answers and returns the receipt lines; with `choices`, those are offered
   * next instead of the main menu (a search showing what it found).
   */
  submit(tx: Tx, actor: Actor, state: FlowState, now: Date, inbound: Inbound): Promise<Text[] | SubmitReply>;
}

export interface SubmitReply {
  lines: Text[];
  choices: Choice[][];
}
