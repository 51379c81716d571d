import type { z } from 'zod';
import type { Choice, Inbound, OutboundImage } from '../messaging/message.ts';
import type { Actor } from '../shared/actor.ts';
import { AppError } from '../shared/app-error.ts';
import type { Tx } from '../unit-of-work.ts';
import { answeredData } from './engine.ts';
import type { FlowData, FlowDef, FlowState, Text } from './flow.ts';

export type FlowStart<C> = { ok: true; ctx: C; data?: FlowData } | { ok: false; reason: Text };

/** Receipt lines; with `choices`, those are offered next instead of the main menu. */
export type SubmitResult = Text[] | SubmitReply;

export interface SubmitReply {
  lines: Text[];
  /** Offered next; absent, the main menu is. */
  choices?: Choice[][];
  /** With `choices`: the main menu follows them (a question that may be left unanswered). */
  menu?: true;
  /** A picture sent with the receipt (a pledge's VietQR code, issue 17 §1). */
  image?: OutboundImage;
  /** The picture's caption, rendered in the reader's language (replaces `image.caption`). */
  caption?: Text;
}

/**
 * A flow definition with the two moments it touches the database: start and submit. The inbound
 * handler drives every flow through this shape; a flow builds it with `defineFlow`.
 */
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
  beforeSummary?(tx: Tx, actor: Actor, state: FlowState<C>): Promise<{ ctx: C; data: FlowData }>;
  /**
   * Called after every answer that leaves the flow open (the summary included): may look something
   * up as soon as the answers it needs are known (a likely duplicate right after the name) and return
   * a new context and answers, after which the engine asks the first step then unanswered; undefined
   * when nothing changed.
   */
  afterAnswer?(tx: Tx, actor: Actor, state: FlowState<C>): Promise<{ ctx: C; data: FlowData } | undefined>;
  /** Stores the confirmed answers and returns the receipt lines. */
  submit(tx: Tx, actor: Actor, state: FlowState<C>, now: Date, inbound: Inbound): Promise<SubmitResult>;
}

/** What a flow's submit reads: its context and its confirmed answers, both typed by its schemas. */
export interface Confirmed<C, A> {
  ctx: C;
  answers: A;
}

/**
 * One flow in one definition: its steps, a zod schema for the context it loads (plain JSON, saved
 * with the conversation and parsed once when read back) and one for its answers (parsed once when
 * the user confirms: money digits become bigint, numeric choices numbers, skipped optional texts
 * null), so `start`, the steps and `submit` work on typed values without casts or coercions.
 */
export interface FlowSpec<C, A> {
  def: FlowDef<C>;
  context: z.ZodType<C>;
  answers: z.ZodType<A>;
  // NoInfer: the context type comes from the schema and the definition, never from what start returns.
  start(tx: Tx, actor: Actor, now: Date, arg: string | undefined): Promise<FlowStart<NoInfer<C>>>;
  beforeSummary?(
    tx: Tx,
    actor: Actor,
    state: FlowState<NoInfer<C>>,
  ): Promise<{ ctx: NoInfer<C>; data: FlowData }>;
  afterAnswer?(
    tx: Tx,
    actor: Actor,
    state: FlowState<NoInfer<C>>,
  ): Promise<{ ctx: NoInfer<C>; data: FlowData } | undefined>;
  submit(
    tx: Tx,
    actor: Actor,
    flow: Confirmed<NoInfer<C>, NoInfer<A>>,
    now: Date,
    inbound: Inbound,
  ): Promise<SubmitResult>;
}

/** A defined flow: the runner the inbound handler drives, plus its typed reading of the answers. */
export interface DefinedFlow<C, A> extends FlowRunner<C> {
  /** The answers of the steps that apply, parsed by the flow's answer schema. */
  answers(state: FlowState<C>): A;
}

export function defineFlow<C, A>(spec: FlowSpec<C, A>): DefinedFlow<C, A> {
  const { def, context, submit } = spec;
  const answers = (state: FlowState<C>): A => {
    const parsed = spec.answers.safeParse(answeredData(def, state));
    if (!parsed.success) {
      // The engine validated every answer: a mismatch is a flow whose schema and steps disagree.
      throw new AppError(
        'INTERNAL',
        `flow ${def.id}: confirmed answers do not match its schema: ${parsed.error.message}`,
      );
    }
    return parsed.data;
  };
  return {
    def,
    parseContext(raw) {
      const parsed = context.safeParse(raw);
      return parsed.success ? parsed.data : undefined;
    },
    start: spec.start,
    ...(spec.beforeSummary ? { beforeSummary: spec.beforeSummary } : {}),
    ...(spec.afterAnswer ? { afterAnswer: spec.afterAnswer } : {}),
    answers,
    async submit(tx, actor, state, now, inbound) {
      return submit(tx, actor, { ctx: state.ctx, answers: answers(state) }, now, inbound);
    },
  };
}
