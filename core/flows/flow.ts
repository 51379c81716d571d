import type { Locale, MessageKey, Params } from '../messaging/catalog.ts';
import type { Choice, Outbound } from '../messaging/message.ts';

/**
 * A flow is data (DESIGN.md §4): ordered steps with an input kind, limits, cross-field rules and a
 * condition. The engine (engine.ts) is a pure function over these definitions; a flow's own code
 * only loads its context when it starts and commits the answers when the user confirms.
 */

export type InputKind = 'integer' | 'money' | 'text' | 'choice' | 'yesno' | 'date' | 'photo';

/** What a flow stores per field. Money is a string of digits (JSON has no bigint). */
export type FieldValue = number | string | boolean;
export type FlowData = Record<string, FieldValue>;

/** A text from the catalog, rendered in the person's language at the edge of the engine. */
export interface Text {
  key: MessageKey;
  params?: Params;
}

export interface StepDef<C> {
  key: string;
  kind: InputKind;
  /** Short name of the field in the summary and in the "change a field" list. */
  label: MessageKey;
  prompt: (ctx: C, data: FlowData) => Text;
  /** Integers: inclusive bounds (default 0 and 100,000). */
  min?: number;
  max?: number;
  /** Money: the largest amount accepted, in đồng. */
  maxMoney?: bigint;
  /** Text: maximum length (default 1,000). */
  maxLength?: number;
  /** Text: the user may answer "none" with a button; stored as ''. */
  optional?: boolean;
  /** Choice steps: the options. Other kinds: quick answers, e.g. last period's figure. */
  choices?: (ctx: C, data: FlowData) => Choice[];
  /** The step is asked only when this holds; otherwise its value is dropped. */
  when?: (ctx: C, data: FlowData) => boolean;
  /** A cross-field rule over the answers given so far; returns what is wrong. */
  check?: (value: FieldValue, data: FlowData, ctx: C) => Text | undefined;
  /**
   * Answers that send the user back: the fields named are forgotten (this step's own answer too,
   * when named) so they are asked again — e.g. "type the amount again" after a warning.
   */
  clears?: (value: FieldValue, data: FlowData) => string[];
  /** How the value reads in the summary (default: numbers and money formatted, text as is). */
  display?: (value: FieldValue, ctx: C, locale: Locale) => string;
  /**
   * The step's own reading of typed text (an area "24,5 m2", a year), instead of its kind's: the
   * value, or what is wrong (asked again with it). Buttons still answer as for its kind.
   */
  parse?: (
    text: string,
    ctx: C,
    data: FlowData,
  ) => { ok: true; value: FieldValue } | { ok: false; problem: Text };
  /** The line under the question saying how to answer (default: its kind's). */
  hint?: MessageKey;
  /**
   * A text step asking the sender's phone number: the channel offers to share their own contact
   * (Telegram's button), which answers it as the number typed would; someone else's is refused.
   */
  contact?: true;
  /** In a numbered flow: a step outside the numbered questions (a period to pick, a warning). */
  aside?: boolean;
  /**
   * An answer that ends the flow at once (e.g. "this household is already listed"): the answers so
   * far are submitted without the remaining questions and the summary.
   */
  ends?: (value: FieldValue, data: FlowData, ctx: C) => boolean;
}

export interface FlowDef<C> {
  id: string;
  /** Bump when steps change: saved state of another version is discarded with a clear message. */
  version: number;
  title: MessageKey;
  steps: StepDef<C>[];
  /** False for a short flow (a search) that acts on its last answer without a summary. */
  confirm?: boolean;
  /**
   * The questions are numbered "n/N." by the engine (steps `aside` are not), and the "change an
   * answer" list gives each the same number.
   */
  numbered?: boolean;
  /** Lines shown above the summary fields (e.g. the period and the unit). */
  summaryHeader: (ctx: C, data: FlowData) => Text[];
}

/**
 * The persisted conversation state of a chat inside a flow. `C` is the flow's context: the engine
 * boundary (`FlowRunner.parseContext`) parses it once when the state is read back, so inside a
 * flow it is typed; code that handles every flow alike sees `unknown`.
 */
export interface FlowState<C = unknown> {
  flow: string;
  version: number;
  /** A step key, or one of the engine's own steps. */
  step: string;
  data: FlowData;
  /** What the flow loaded when it started; plain JSON so it survives a restart. */
  ctx: C;
  /** True once the summary was shown: answering a step returns to the summary. */
  reviewing: boolean;
}

export const CONFIRM_STEP = '@confirm';
export const EDIT_STEP = '@edit';

export type UserInput =
  | { kind: 'text'; text: string }
  | { kind: 'choice'; id: string }
  /** A photo the user sent; `fileId` is the channel's own id (or URL) for it. */
  | { kind: 'photo'; fileId: string }
  /** A contact the user shared: its phone number, and whether it is their own. */
  | { kind: 'contact'; phone: string; own: boolean };

export type EngineResult<C = unknown> =
  | { kind: 'continue'; state: FlowState<C>; replies: Outbound[] }
  | { kind: 'submit'; state: FlowState<C> }
  | { kind: 'cancelled'; replies: Outbound[] };

/**
 * A flow of one question, the reason for a decision (refusing a request, rejecting or cancelling a
 * pledge): free text up to 300 characters, shown under `header` in the summary.
 */
export function reasonFlow<C>(spec: {
  id: string;
  version: number;
  title: MessageKey;
  header: (ctx: C) => Text;
  label: MessageKey;
  prompt: (ctx: C) => Text;
  /** The reason may be left out (stored as ''). */
  optional?: boolean;
}): FlowDef<C> {
  return {
    id: spec.id,
    version: spec.version,
    title: spec.title,
    summaryHeader: (ctx) => [spec.header(ctx)],
    steps: [
      {
        key: 'reason',
        kind: 'text',
        label: spec.label,
        prompt: (ctx) => spec.prompt(ctx),
        maxLength: 300,
        ...(spec.optional ? { optional: true } : {}),
      },
    ],
  };
}
