import { type Locale, type MessageKey, t } from '../messaging/catalog.ts';
import { bold } from '../messaging/markup.ts';
import type { Choice, Outbound } from '../messaging/message.ts';
import { formatInteger, formatMoney } from '../shared/format.ts';
import {
  normalizeVi,
  type ParseErrorCode,
  parseDate,
  parseInteger,
  parseMoney,
  parseYesNo,
} from '../shared/parse.ts';
import { moneyAnswer } from './answers.ts';
import {
  CONFIRM_STEP,
  EDIT_STEP,
  type EngineResult,
  type FieldValue,
  type FlowData,
  type FlowDef,
  type FlowState,
  type StepDef,
  type Text,
  type UserInput,
} from './flow.ts';

/**
 * The conversation engine: a pure function of (flow definition, state, input) → next state and
 * replies. It never touches the database; the caller persists the state it returns and commits
 * the answers when it returns `submit`.
 */

const DEFAULT_MAX_INTEGER = 100_000;
const DEFAULT_MAX_TEXT = 1_000;
const DEFAULT_MAX_MONEY = 1_000_000_000_000n;

export function startFlow<C>(def: FlowDef<C>, ctx: C, locale: Locale, data: FlowData = {}): EngineResult<C> {
  const state: FlowState<C> = { flow: def.id, version: def.version, step: '', data, ctx, reviewing: false };
  return advance(def, state, locale);
}

/** Applies one answer to the current step of a flow; `refYear` completes dates typed without a year ("15/3"). */
export function applyInput<C>(
  def: FlowDef<C>,
  state: FlowState<C>,
  input: UserInput,
  locale: Locale,
  refYear: number,
): EngineResult<C> {
  const { ctx } = state;
  if (state.step === CONFIRM_STEP) {
    return onConfirm(def, state, input, locale);
  }
  if (state.step === EDIT_STEP) {
    return onEdit(def, state, input, locale);
  }
  const step = def.steps.find((s) => s.key === state.step);
  if (!step) {
    // The saved step no longer exists in this flow version: start the questions over.
    return advance(def, { ...state, step: '', reviewing: false }, locale);
  }
  const parsed = parseAnswer(step, ctx, state.data, input, locale, refYear);
  if (!parsed.ok) {
    return { kind: 'continue', state, replies: [withPrompt(def, state, step, locale, parsed.problem)] };
  }
  const problem = step.check?.(parsed.value, state.data, ctx);
  if (problem) {
    return {
      kind: 'continue',
      state,
      replies: [withPrompt(def, state, step, locale, render(locale, problem))],
    };
  }
  const data = { ...state.data, [step.key]: parsed.value };
  for (const key of step.clears?.(parsed.value, data) ?? []) {
    delete data[key];
  }
  if (step.ends?.(parsed.value, data, ctx)) {
    return { kind: 'submit', state: { ...state, data } };
  }
  return advance(def, { ...state, data }, locale);
}

/**
 * Re-evaluates a state whose context changed (a runner's `beforeSummary` found something): asks
 * the first applicable unanswered step, or shows the summary again.
 */
export function resume<C>(def: FlowDef<C>, state: FlowState<C>, locale: Locale): EngineResult<C> {
  return advance(def, state, locale);
}

/** Shows the current question again (after /help, a stale button or a resumed session). */
export function repeatPrompt<C>(
  def: FlowDef<C>,
  state: FlowState<C>,
  locale: Locale,
  note?: string,
): Outbound {
  if (state.step === CONFIRM_STEP) {
    return summary(def, state, locale, note);
  }
  if (state.step === EDIT_STEP) {
    return editMenu(def, state, locale, note);
  }
  const step = def.steps.find((s) => s.key === state.step);
  return step ? withPrompt(def, state, step, locale, note) : summary(def, state, locale, note);
}

/** The values of the steps that apply, in step order; the ones a condition turned off are dropped. */
export function answeredData<C>(def: FlowDef<C>, state: FlowState<C>): FlowData {
  const { ctx } = state;
  const out: FlowData = {};
  for (const step of def.steps) {
    const value = state.data[step.key];
    if (value !== undefined && isAsked(step, ctx, state.data)) {
      out[step.key] = value;
    }
  }
  return out;
}

function isAsked<C>(step: StepDef<C>, ctx: C, data: FlowData): boolean {
  return step.when ? step.when(ctx, data) : true;
}

/** Moves to the first applicable step without an answer, or to the summary. */
function advance<C>(def: FlowDef<C>, state: FlowState<C>, locale: Locale): EngineResult<C> {
  const { ctx } = state;
  const next = def.steps.find((s) => isAsked(s, ctx, state.data) && state.data[s.key] === undefined);
  if (next) {
    const moved = { ...state, step: next.key };
    return { kind: 'continue', state: moved, replies: [withPrompt(def, moved, next, locale)] };
  }
  if (def.confirm === false) {
    return { kind: 'submit', state };
  }
  const atSummary = { ...state, step: CONFIRM_STEP, reviewing: true };
  return { kind: 'continue', state: atSummary, replies: [summary(def, atSummary, locale)] };
}

function onConfirm<C>(
  def: FlowDef<C>,
  state: FlowState<C>,
  input: UserInput,
  locale: Locale,
): EngineResult<C> {
  const action = confirmAction(input);
  switch (action) {
    case 'yes':
      return { kind: 'submit', state };
    case 'edit':
      return {
        kind: 'continue',
        state: { ...state, step: EDIT_STEP },
        replies: [editMenu(def, state, locale)],
      };
    case 'cancel':
      return { kind: 'cancelled', replies: [] };
    default:
      return {
        kind: 'continue',
        state,
        replies: [summary(def, state, locale, t(locale, 'flow.confirm.unclear'))],
      };
  }
}

function confirmAction(input: UserInput): 'yes' | 'edit' | 'cancel' | undefined {
  if (input.kind === 'choice') {
    const [prefix, value] = splitChoice(input.id);
    if (prefix === CONFIRM_STEP && (value === 'yes' || value === 'edit' || value === 'cancel')) {
      return value;
    }
    return undefined;
  }
  if (input.kind !== 'text') {
    return undefined;
  }
  const text = normalizeVi(input.text);
  if (['1', 'gui', 'xac nhan', 'dong y', 'ok', 'co', 'c', 'yes'].includes(text)) {
    return 'yes';
  }
  if (['2', 'sua', 'thay doi', 'edit'].includes(text)) {
    return 'edit';
  }
  if (['3', 'huy', 'huy bo', 'cancel'].includes(text)) {
    return 'cancel';
  }
  return undefined;
}

function onEdit<C>(def: FlowDef<C>, state: FlowState<C>, input: UserInput, locale: Locale): EngineResult<C> {
  const fields = editOrder(def, state);
  let chosen: StepDef<C> | undefined;
  if (input.kind === 'choice') {
    const [prefix, value] = splitChoice(input.id);
    if (prefix === EDIT_STEP && value === 'back') {
      const back = { ...state, step: CONFIRM_STEP };
      return { kind: 'continue', state: back, replies: [summary(def, back, locale)] };
    }
    chosen = prefix === EDIT_STEP ? fields.find((s) => s.key === value) : undefined;
  } else if (input.kind === 'text') {
    const text = normalizeVi(input.text);
    const index = /^\d{1,3}$/.test(text) ? Number(text) - 1 : -1;
    if (index === fields.length) {
      // The last numbered option is "back to the review".
      const back = { ...state, step: CONFIRM_STEP };
      return { kind: 'continue', state: back, replies: [summary(def, back, locale)] };
    }
    chosen = fields[index] ?? fields.find((s) => normalizeVi(t(locale, s.label)) === text);
  }
  if (!chosen) {
    return {
      kind: 'continue',
      state,
      replies: [editMenu(def, state, locale, t(locale, 'flow.edit.unclear'))],
    };
  }
  const editing = { ...state, step: chosen.key };
  return { kind: 'continue', state: editing, replies: [withPrompt(def, editing, chosen, locale)] };
}

function editableSteps<C>(def: FlowDef<C>, state: FlowState<C>): StepDef<C>[] {
  const { ctx } = state;
  return def.steps.filter((s) => isAsked(s, ctx, state.data) && state.data[s.key] !== undefined);
}

/**
 * The answers in the "change an answer" list: in a numbered flow the numbered questions first, so
 * each keeps its question's number (typed or on Zalo's numbered list), the steps aside after them.
 */
function editOrder<C>(def: FlowDef<C>, state: FlowState<C>): StepDef<C>[] {
  const fields = editableSteps(def, state);
  return def.numbered ? [...fields.filter((s) => !s.aside), ...fields.filter((s) => s.aside)] : fields;
}

/** "n/N" of a numbered flow's question: its place among the questions that apply; none aside. */
function questionNumber<C>(def: FlowDef<C>, state: FlowState<C>, step: StepDef<C>): string | undefined {
  if (!def.numbered || step.aside) {
    return undefined;
  }
  const questions = def.steps.filter((s) => !s.aside && isAsked(s, state.ctx, state.data));
  const at = questions.indexOf(step);
  return at < 0 ? undefined : `${at + 1}/${questions.length}`;
}

type Parsed = { ok: true; value: FieldValue } | { ok: false; problem: string };

function parseAnswer<C>(
  step: StepDef<C>,
  ctx: C,
  data: FlowData,
  input: UserInput,
  locale: Locale,
  refYear: number,
): Parsed {
  if (input.kind === 'contact') {
    // A shared contact answers a phone question as the number typed would — the sender's own only.
    if (step.contact !== true) {
      return { ok: false, problem: t(locale, 'flow.expected_text') };
    }
    if (!input.own) {
      return { ok: false, problem: t(locale, 'flow.contact_not_own') };
    }
    return parseAnswer(step, ctx, data, { kind: 'text', text: input.phone }, locale, refYear);
  }
  if (input.kind === 'photo') {
    return step.kind === 'photo'
      ? { ok: true, value: input.fileId }
      : { ok: false, problem: t(locale, 'flow.expected_text') };
  }
  if (input.kind === 'choice') {
    const [prefix, value] = splitChoice(input.id);
    const offered =
      (step.choices?.(ctx, data) ?? []).some((c) => c.id === value) ||
      (step.optional === true && value === '') ||
      (step.kind === 'yesno' && (value === 'yes' || value === 'no'));
    if (prefix !== step.key || !offered) {
      return { ok: false, problem: t(locale, 'flow.stale_button') };
    }
    return fromChoice(step, value);
  }
  const text = input.text.trim();
  if (step.kind === 'choice') {
    const options = step.choices?.(ctx, data) ?? [];
    const key = normalizeVi(text);
    const index = /^\d{1,3}$/.test(key) ? Number(key) - 1 : -1;
    // A number is the option's position in the list (never an internal id, which may look like one).
    const match =
      index >= 0 ? options[index] : options.find((c) => normalizeVi(c.label) === key || c.id === text);
    return match ? fromChoice(step, match.id) : { ok: false, problem: t(locale, 'error.not_choice') };
  }
  // A yes/no step with its own button labels ("Có tranh chấp"): the label typed is that answer.
  const labelled = step.kind === 'yesno' ? step.choices?.(ctx, data) : undefined;
  const typedLabel = labelled?.find((c) => normalizeVi(c.label) === normalizeVi(text));
  if (typedLabel) {
    return fromChoice(step, typedLabel.id);
  }
  if (step.kind === 'yesno' && (text === '1' || text === '2')) {
    // Where the options are a numbered list (Zalo), 1 is "Có" and 2 is "Không".
    return { ok: true, value: text === '1' };
  }
  if (step.parse) {
    const own = step.parse(text, ctx, data);
    return own.ok ? own : { ok: false, problem: render(locale, own.problem) };
  }
  if (step.optional && isNone(text)) {
    return { ok: true, value: '' };
  }
  if (step.kind === 'photo') {
    return { ok: false, problem: t(locale, 'error.expected_photo') };
  }
  return parseText(step, text, locale, refYear);
}

/** Quick-answer buttons carry the value itself: a number, digits of đồng, 'yes'/'no' or '' for none. */
function fromChoice<C>(step: StepDef<C>, id: string): Parsed {
  switch (step.kind) {
    case 'integer':
      return { ok: true, value: Number(id) };
    case 'yesno':
      return { ok: true, value: id === 'yes' };
    default:
      return { ok: true, value: id };
  }
}

function isNone(text: string): boolean {
  return ['khong', 'khong co', 'k', 'ko', 'khong co gi', '-', 'bo qua', 'none', 'no'].includes(
    normalizeVi(text),
  );
}

function parseText<C>(step: StepDef<C>, text: string, locale: Locale, refYear: number): Parsed {
  switch (step.kind) {
    case 'integer': {
      const min = step.min ?? 0;
      const max = step.max ?? DEFAULT_MAX_INTEGER;
      const r = parseInteger(text, { min, max });
      return r.ok
        ? r
        : { ok: false, problem: parseProblem(locale, r.error, { min, max: formatInteger(max) }) };
    }
    case 'money': {
      const max = step.maxMoney ?? DEFAULT_MAX_MONEY;
      const r = parseMoney(text, { max });
      return r.ok
        ? { ok: true, value: r.value.toString() }
        : { ok: false, problem: parseProblem(locale, r.error, { max: formatMoney(max) }, 'money') };
    }
    case 'yesno': {
      const r = parseYesNo(text);
      return r.ok ? r : { ok: false, problem: parseProblem(locale, r.error, {}) };
    }
    case 'date': {
      const r = parseDate(text, { year: refYear });
      return r.ok
        ? { ok: true, value: `${r.value.year}-${pad(r.value.month)}-${pad(r.value.day)}` }
        : { ok: false, problem: parseProblem(locale, r.error, {}) };
    }
    default: {
      const maxLength = step.maxLength ?? DEFAULT_MAX_TEXT;
      if (text.length === 0) {
        return { ok: false, problem: t(locale, 'error.empty') };
      }
      if (text.length > maxLength) {
        return { ok: false, problem: t(locale, 'error.too_long', { max: formatInteger(maxLength) }) };
      }
      return { ok: true, value: text };
    }
  }
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

const PARSE_ERRORS: Record<ParseErrorCode, MessageKey> = {
  empty: 'error.empty',
  not_number: 'error.not_number',
  not_integer: 'error.not_integer',
  negative: 'error.negative',
  too_large: 'error.too_large',
  too_small: 'error.too_small',
  invalid_date: 'error.invalid_date',
  not_date: 'error.not_date',
  not_yes_no: 'error.not_yes_no',
};

function parseProblem(
  locale: Locale,
  error: ParseErrorCode,
  params: Record<string, string | number>,
  kind?: 'money',
): string {
  if (kind === 'money' && (error === 'not_number' || error === 'not_integer')) {
    return t(locale, 'error.not_money');
  }
  return t(locale, PARSE_ERRORS[error], params);
}

function render(locale: Locale, text: Text): string {
  return t(locale, text.key, text.params);
}

function splitChoice(id: string): [string, string] {
  const at = id.indexOf(':');
  return at < 0 ? ['', id] : [id.slice(0, at), id.slice(at + 1)];
}

/** The question of a step, with its quick answers as buttons and, when changing, the current value. */
function withPrompt<C>(
  def: FlowDef<C>,
  state: FlowState<C>,
  step: StepDef<C>,
  locale: Locale,
  note?: string,
): Outbound {
  const { ctx } = state;
  const lines: string[] = [];
  if (note) {
    lines.push(`⚠️ ${note}`);
  }
  const number = questionNumber(def, state, step);
  const question = render(locale, step.prompt(ctx, state.data));
  lines.push(number ? `${number}. ${question}` : question);
  const current = state.data[step.key];
  if (state.reviewing && current !== undefined) {
    lines.push(
      t(locale, 'flow.current_value', { value: displayValue(step, current, ctx, locale, state.data) }),
    );
  }
  lines.push(
    t(locale, step.hint ?? hintKey(step), { max: formatInteger(step.maxLength ?? DEFAULT_MAX_TEXT) }),
  );
  const buttons: Choice[] = (step.choices?.(ctx, state.data) ?? []).map((c) => ({
    id: `${step.key}:${c.id}`,
    label: c.label,
  }));
  if (step.kind === 'yesno' && buttons.length === 0) {
    buttons.push({ id: `${step.key}:yes`, label: t(locale, 'common.yes') });
    buttons.push({ id: `${step.key}:no`, label: t(locale, 'common.no') });
  }
  if (step.optional) {
    buttons.push({ id: `${step.key}:`, label: t(locale, 'flow.none') });
  }
  if (buttons.length === 0) {
    return step.contact
      ? { text: lines.join('\n'), requestContact: { label: t(locale, 'flow.share_contact') } }
      : { text: lines.join('\n') };
  }
  // Choice and yes/no answers are picked from a list; other quick answers only save typing.
  return step.kind === 'choice' || step.kind === 'yesno'
    ? { text: lines.join('\n'), choices: rows(buttons, step.kind === 'choice' ? 1 : 2) }
    : { text: lines.join('\n'), suggestions: buttons };
}

function hintKey<C>(step: StepDef<C>): MessageKey {
  switch (step.kind) {
    case 'integer':
      return 'hint.integer';
    case 'money':
      return 'hint.money';
    case 'yesno':
      return 'hint.yesno';
    case 'date':
      return 'hint.date';
    case 'choice':
      return 'hint.choice';
    case 'photo':
      return step.optional ? 'hint.photo_optional' : 'hint.photo';
    default:
      return step.optional ? 'hint.text_optional' : 'hint.text';
  }
}

function rows(choices: Choice[], perRow: number): Choice[][] {
  const out: Choice[][] = [];
  for (let i = 0; i < choices.length; i += perRow) {
    out.push(choices.slice(i, i + perRow));
  }
  return out;
}

/**
 * How an answer reads in the summary, the edit list and "current value". `data` is the answers so
 * far: a choice's options may depend on earlier answers (the pledge's ward depends on its level), so
 * its label is looked up among the options those answers give.
 */
export function displayValue<C>(
  step: StepDef<C>,
  value: FieldValue,
  ctx: C,
  locale: Locale,
  data: FlowData,
): string {
  if (step.display) {
    return step.display(value, ctx, locale);
  }
  switch (step.kind) {
    case 'integer':
      return typeof value === 'number' ? formatInteger(value) : String(value);
    case 'money':
      return formatMoney(moneyAnswer(value) ?? 0n);
    case 'yesno':
      return t(locale, value === true ? 'common.yes' : 'common.no');
    case 'choice':
      return step.choices?.(ctx, data).find((c) => c.id === value)?.label ?? String(value);
    case 'photo':
      return t(locale, value === '' ? 'flow.none' : 'flow.photo_received');
    default:
      return value === '' ? t(locale, 'flow.none') : String(value);
  }
}

function summary<C>(def: FlowDef<C>, state: FlowState<C>, locale: Locale, note?: string): Outbound {
  const { ctx } = state;
  const lines: string[] = [];
  if (note) {
    lines.push(`⚠️ ${note}`);
  }
  lines.push(bold(t(locale, 'flow.summary.title', { title: t(locale, def.title) })));
  for (const text of def.summaryHeader(ctx, state.data)) {
    lines.push(render(locale, text));
  }
  lines.push('');
  // Bullets, not numbers: a typed number answers the buttons below (1 send, 2 change, 3 cancel).
  for (const step of editableSteps(def, state)) {
    const value = state.data[step.key];
    if (value !== undefined) {
      lines.push(`• ${t(locale, step.label)}: ${displayValue(step, value, ctx, locale, state.data)}`);
    }
  }
  lines.push('');
  lines.push(t(locale, 'flow.summary.ask'));
  return {
    text: lines.join('\n'),
    choices: [
      [{ id: `${CONFIRM_STEP}:yes`, label: t(locale, 'flow.summary.confirm') }],
      [
        { id: `${CONFIRM_STEP}:edit`, label: t(locale, 'flow.summary.edit') },
        { id: `${CONFIRM_STEP}:cancel`, label: t(locale, 'flow.summary.cancel') },
      ],
    ],
  };
}

function editMenu<C>(def: FlowDef<C>, state: FlowState<C>, locale: Locale, note?: string): Outbound {
  const { ctx } = state;
  const fields = editOrder(def, state);
  const lines: string[] = [];
  if (note) {
    lines.push(`⚠️ ${note}`);
  }
  lines.push(t(locale, 'flow.edit.ask'));
  const buttons: Choice[] = fields.map((step, i) => {
    const value = state.data[step.key];
    const shown = value === undefined ? '' : `: ${displayValue(step, value, ctx, locale, state.data)}`;
    return { id: `${EDIT_STEP}:${step.key}`, label: `${i + 1}. ${t(locale, step.label)}${shown}` };
  });
  buttons.push({ id: `${EDIT_STEP}:back`, label: t(locale, 'flow.edit.back') });
  return { text: lines.join('\n'), choices: rows(buttons, 1) };
}
