import { describe, expect, it } from 'vitest';
import { t } from '../messaging/catalog.ts';
import { bold } from '../messaging/markup.ts';
import type { Outbound } from '../messaging/message.ts';
import { type PreviousFigures, type ReportFlowContext, reportFlow } from '../reports/report-flow.ts';
import { answeredData, applyInput, repeatPrompt, startFlow } from './engine.ts';
import {
  CONFIRM_STEP,
  EDIT_STEP,
  type EngineResult,
  type FlowDef,
  type FlowState,
  type UserInput,
} from './flow.ts';

const REF_YEAR = 2025;
const LONG = 'x'.repeat(5000);
const INJECTION = `'; DROP TABLE x; --"`;

// ---------------------------------------------------------------- helpers

function continued<C>(result: EngineResult<C>): { state: FlowState<C>; replies: Outbound[] } {
  if (result.kind !== 'continue') {
    throw new Error(`expected the flow to continue, got ${result.kind}`);
  }
  return result;
}

function text(value: string): UserInput {
  return { kind: 'text', text: value };
}

function button(id: string): UserInput {
  return { kind: 'choice', id };
}

function photo(fileId: string): UserInput {
  return { kind: 'photo', fileId };
}

function onlyReply(replies: Outbound[]): Outbound {
  expect(replies).toHaveLength(1);
  const [reply] = replies;
  if (!reply) {
    throw new Error('no reply');
  }
  return reply;
}

/** The ids of the options, one of which is the answer (choice steps, yes/no, summary, edit menu). */
function buttonIds(reply: Outbound): string[] {
  return (reply.choices ?? []).flat().map((c) => c.id);
}

/** The ids of the quick answers to a question that takes typed input (or a photo). */
function suggestionIds(reply: Outbound): string[] {
  return (reply.suggestions ?? []).map((c) => c.id);
}

function start<C>(def: FlowDef<C>, ctx: C): FlowState<C> {
  return continued(startFlow(def, ctx, 'vi')).state;
}

function apply<C>(def: FlowDef<C>, state: FlowState<C>, input: UserInput): EngineResult<C> {
  return applyInput(def, state, input, 'vi', REF_YEAR);
}

/** Answers the current step with `answers[step]` until the flow reaches `until`. */
function walk<C>(
  def: FlowDef<C>,
  state: FlowState<C>,
  answers: Record<string, string>,
  until: string,
): FlowState<C> {
  let current = state;
  for (let i = 0; current.step !== until; i++) {
    const answer = answers[current.step];
    if (answer === undefined || i > 50) {
      throw new Error(`no answer for step ${current.step} on the way to ${until}`);
    }
    const next = continued(apply(def, current, text(answer))).state;
    if (next.step === current.step) {
      throw new Error(`answer ${answer} refused at ${current.step}`);
    }
    current = next;
  }
  return current;
}

/** A refused answer keeps the step and the data, warns in Vietnamese and asks the same question again. */
function expectRefused<C>(def: FlowDef<C>, state: FlowState<C>, input: UserInput, warning: string): Outbound {
  const before = structuredClone(state);
  const result = continued(apply(def, state, input));
  expect(result.state.step).toBe(before.step);
  expect(result.state.data).toEqual(before.data);
  expect(result.state.reviewing).toBe(before.reviewing);
  const reply = onlyReply(result.replies);
  const question = repeatPrompt(def, before, 'vi');
  expect(reply.text).toBe(`⚠️ ${warning}\n${question.text}`);
  expect(reply.choices).toEqual(question.choices);
  expect(reply.suggestions).toEqual(question.suggestions);
  return reply;
}

// ---------------------------------------------------------------- a tiny flow of every input kind

interface TinyCtx {
  village: string;
}

const tinyFlow: FlowDef<TinyCtx> = {
  id: 'tiny',
  version: 1,
  title: 'report.title',
  summaryHeader: (ctx) => [{ key: 'report.summary.unit', params: { unit: ctx.village } }],
  steps: [
    {
      key: 'households',
      kind: 'integer',
      label: 'report.field.approvedNew',
      prompt: () => ({ key: 'report.ask.approvedNew', params: { previous: '', registry: '' } }),
      max: 500,
      choices: () => [{ id: '0', label: '0' }],
    },
    {
      key: 'note',
      kind: 'text',
      label: 'report.field.difficulties',
      prompt: () => ({ key: 'report.ask.difficulties' }),
      optional: true,
      maxLength: 50,
    },
  ],
};

const kindsFlow: FlowDef<null> = {
  id: 'kinds',
  version: 1,
  title: 'report.title',
  summaryHeader: () => [],
  steps: [
    {
      key: 'agreed',
      kind: 'yesno',
      label: 'report.field.period',
      prompt: () => ({ key: 'report.ask.difficulties' }),
    },
    {
      key: 'visitOn',
      kind: 'date',
      label: 'report.field.period',
      prompt: () => ({ key: 'report.ask.proposals' }),
    },
    {
      key: 'reason',
      kind: 'text',
      label: 'report.field.decreaseReason',
      prompt: () => ({ key: 'report.ask.decreaseReason', params: { fields: [] } }),
    },
  ],
};

describe('the engine with a tiny two-step flow', () => {
  const ctx: TinyCtx = { village: 'Thôn Đông' };

  it('asks the first question when it starts, with its quick answer', () => {
    const result = continued(startFlow(tinyFlow, ctx, 'vi'));
    expect(result.state).toEqual({
      flow: 'tiny',
      version: 1,
      step: 'households',
      data: {},
      ctx,
      reviewing: false,
    });
    const reply = onlyReply(result.replies);
    expect(reply.text).toBe(
      // Not a numbered flow: no "1/14." before its question.
      'Số hộ được phê duyệt hỗ trợ XÂY MỚI (lũy kế đến nay)?\nGõ một số nguyên, ví dụ: 12',
    );
    // A typed number is the answer; the button only saves typing, so it is a suggestion.
    expect(reply.suggestions).toEqual([{ id: 'households:0', label: '0' }]);
    expect(reply.choices).toBeUndefined();
  });

  it.each<[string, string]>([
    ['-5', 'Số không được âm.'],
    ['abc', 'Câu trả lời cần là một con số (ví dụ: 12).'],
    ['1e9', 'Câu trả lời cần là một con số (ví dụ: 12).'],
    ['12,5', 'Số này cần là số nguyên, không có phần lẻ (ví dụ: 12).'],
    ['1.5', 'Số này cần là số nguyên, không có phần lẻ (ví dụ: 12).'],
    [LONG, 'Câu trả lời cần là một con số (ví dụ: 12).'],
    ['👍', 'Câu trả lời cần là một con số (ví dụ: 12).'],
    [INJECTION, 'Câu trả lời cần là một con số (ví dụ: 12).'],
    ['99999999999', 'Số này lớn quá mức cho phép (tối đa 500). Anh/chị kiểm tra lại.'],
    ['501', 'Số này lớn quá mức cho phép (tối đa 500). Anh/chị kiểm tra lại.'],
    ['', 'Anh/chị chưa nhập gì.'],
    ['   ', 'Anh/chị chưa nhập gì.'],
  ])('refuses %j at the integer step', (answer, warning) => {
    expectRefused(tinyFlow, start(tinyFlow, ctx), text(answer), warning);
  });

  it.each<[string, number]>([
    ['0', 0],
    ['500', 500],
    [' 12 hộ ', 12],
    ['3 người', 3],
  ])('accepts %j at the integer step as %d', (answer, value) => {
    const next = continued(apply(tinyFlow, start(tinyFlow, ctx), text(answer))).state;
    expect(next.step).toBe('note');
    expect(next.data).toEqual({ households: value });
  });

  it.each<[string, string]>([
    [LONG, 'Nội dung dài quá (tối đa 50 ký tự). Anh/chị viết ngắn gọn lại.'],
    ['y'.repeat(51), 'Nội dung dài quá (tối đa 50 ký tự). Anh/chị viết ngắn gọn lại.'],
    ['', 'Anh/chị chưa nhập gì.'],
    [' \n ', 'Anh/chị chưa nhập gì.'],
  ])('refuses %j at the optional text step', (answer, warning) => {
    const state = continued(apply(tinyFlow, start(tinyFlow, ctx), text('3'))).state;
    expectRefused(tinyFlow, state, text(answer), warning);
  });

  it.each<[string, string]>([
    ['👍', '👍'],
    [INJECTION, INJECTION],
    ['-5', '-5'],
    ['  Thiếu cát  ', 'Thiếu cát'],
    ['Không có', ''],
    ['không', ''],
    ['-', ''],
    ['bỏ qua', ''],
  ])('stores %j at the optional text step as %j and shows the summary', (answer, stored) => {
    const state = continued(apply(tinyFlow, start(tinyFlow, ctx), text('3'))).state;
    const result = continued(apply(tinyFlow, state, text(answer)));
    expect(result.state.step).toBe(CONFIRM_STEP);
    expect(result.state.data).toEqual({ households: 3, note: stored });
    expect(onlyReply(result.replies).text).toContain(
      `• Khó khăn, vướng mắc: ${stored === '' ? 'Không có' : stored}`,
    );
  });

  it('offers a "Không có" button at an optional text step', () => {
    const result = continued(apply(tinyFlow, start(tinyFlow, ctx), text('3')));
    const reply = onlyReply(result.replies);
    expect(reply.suggestions).toEqual([{ id: 'note:', label: 'Không có' }]);
    expect(reply.choices).toBeUndefined();
  });

  it('accepts the "Không có" button it offers at an optional text step', () => {
    const state = continued(apply(tinyFlow, start(tinyFlow, ctx), text('3'))).state;
    const result = continued(apply(tinyFlow, state, button('note:')));
    expect(result.state.step).toBe(CONFIRM_STEP);
    expect(result.state.data).toEqual({ households: 3, note: '' });
  });

  it('takes the quick-answer button of the current step', () => {
    const result = continued(apply(tinyFlow, start(tinyFlow, ctx), button('households:0')));
    expect(result.state.step).toBe('note');
    expect(result.state.data).toEqual({ households: 0 });
  });

  it.each<string>([
    'note:',
    'households:7',
    'households:',
    '@confirm:yes',
    '@edit:households',
    'garbage',
    '',
  ])('refuses the button %j that the current question did not offer', (id) => {
    expectRefused(tinyFlow, start(tinyFlow, ctx), button(id), t('vi', 'flow.stale_button'));
  });
});

describe('the engine at yes/no, date and required text steps', () => {
  it.each<[string, string]>([
    ['abc', 'Anh/chị vui lòng trả lời Có hoặc Không.'],
    ['-5', 'Anh/chị vui lòng trả lời Có hoặc Không.'],
    ['1e9', 'Anh/chị vui lòng trả lời Có hoặc Không.'],
    ['0', 'Anh/chị vui lòng trả lời Có hoặc Không.'],
    ['3', 'Anh/chị vui lòng trả lời Có hoặc Không.'],
    ['12,5', 'Anh/chị vui lòng trả lời Có hoặc Không.'],
    [LONG, 'Anh/chị vui lòng trả lời Có hoặc Không.'],
    ['👍', 'Anh/chị vui lòng trả lời Có hoặc Không.'],
    [INJECTION, 'Anh/chị vui lòng trả lời Có hoặc Không.'],
    ['99999999999', 'Anh/chị vui lòng trả lời Có hoặc Không.'],
    ['', 'Anh/chị chưa nhập gì.'],
  ])('refuses %j at a yes/no step', (answer, warning) => {
    expectRefused(kindsFlow, start(kindsFlow, null), text(answer), warning);
  });

  it.each<[string, boolean]>([
    ['Có ạ!', true],
    ['ok', true],
    ['không', false],
    ['ko', false],
    // The options are choices: where they are shown as a numbered list, the number picks one.
    ['1', true],
    ['2', false],
  ])('reads %j at a yes/no step as %s', (answer, value) => {
    const next = continued(apply(kindsFlow, start(kindsFlow, null), text(answer))).state;
    expect(next.data).toEqual({ agreed: value });
    expect(next.step).toBe('visitOn');
  });

  it('offers Có/Không buttons at a yes/no step without choices', () => {
    const reply = onlyReply(continued(startFlow(kindsFlow, null, 'vi')).replies);
    expect(reply.choices).toEqual([
      [
        { id: 'agreed:yes', label: 'Có' },
        { id: 'agreed:no', label: 'Không' },
      ],
    ]);
    // One of the two is the answer: they are choices, not suggestions.
    expect(reply.suggestions).toBeUndefined();
  });

  it.each<[string, boolean]>([
    ['agreed:yes', true],
    ['agreed:no', false],
  ])('accepts the button %j it offers at a yes/no step', (id, value) => {
    const next = continued(apply(kindsFlow, start(kindsFlow, null), button(id))).state;
    expect(next).toMatchObject({ step: 'visitOn', data: { agreed: value } });
  });

  it.each<string>(['agreed:maybe', 'agreed:', 'visitOn:yes'])(
    'refuses the button %j at a yes/no step',
    (id) => {
      expectRefused(kindsFlow, start(kindsFlow, null), button(id), t('vi', 'flow.stale_button'));
    },
  );

  it.each<[string, string]>([
    ['abc', 'Chưa đọc được ngày. Anh/chị gõ ví dụ: 15/3 hoặc 15/03/2025.'],
    ['-5', 'Chưa đọc được ngày. Anh/chị gõ ví dụ: 15/3 hoặc 15/03/2025.'],
    ['1e9', 'Chưa đọc được ngày. Anh/chị gõ ví dụ: 15/3 hoặc 15/03/2025.'],
    ['12,5', 'Chưa đọc được ngày. Anh/chị gõ ví dụ: 15/3 hoặc 15/03/2025.'],
    [LONG, 'Chưa đọc được ngày. Anh/chị gõ ví dụ: 15/3 hoặc 15/03/2025.'],
    ['👍', 'Chưa đọc được ngày. Anh/chị gõ ví dụ: 15/3 hoặc 15/03/2025.'],
    [INJECTION, 'Chưa đọc được ngày. Anh/chị gõ ví dụ: 15/3 hoặc 15/03/2025.'],
    ['99999999999', 'Chưa đọc được ngày. Anh/chị gõ ví dụ: 15/3 hoặc 15/03/2025.'],
    ['30/2', 'Ngày này không có trên lịch. Anh/chị kiểm tra lại.'],
    ['29/2/2025', 'Ngày này không có trên lịch. Anh/chị kiểm tra lại.'],
    ['', 'Anh/chị chưa nhập gì.'],
  ])('refuses %j at a date step', (answer, warning) => {
    const state = continued(apply(kindsFlow, start(kindsFlow, null), text('có'))).state;
    expectRefused(kindsFlow, state, text(answer), warning);
  });

  it.each<[string, string]>([
    ['15/3', '2025-03-15'],
    ['ngày 05 tháng 7 năm 2023', '2023-07-05'],
    ['2024-02-29', '2024-02-29'],
  ])('stores the date %j as %j (year from refYear when missing)', (answer, iso) => {
    const state = continued(apply(kindsFlow, start(kindsFlow, null), text('có'))).state;
    expect(continued(apply(kindsFlow, state, text(answer))).state.data.visitOn).toBe(iso);
  });

  it.each<[string, string]>([
    [LONG, 'Nội dung dài quá (tối đa 1.000 ký tự). Anh/chị viết ngắn gọn lại.'],
    ['z'.repeat(1001), 'Nội dung dài quá (tối đa 1.000 ký tự). Anh/chị viết ngắn gọn lại.'],
    ['', 'Anh/chị chưa nhập gì.'],
    ['\t  ', 'Anh/chị chưa nhập gì.'],
  ])('refuses %j at a required text step', (answer, warning) => {
    const state = walk(kindsFlow, start(kindsFlow, null), { agreed: 'có', visitOn: '15/3' }, 'reason');
    expectRefused(kindsFlow, state, text(answer), warning);
  });

  it('has no "Không có" button at a required text step and keeps "không" as the answer', () => {
    const state = walk(kindsFlow, start(kindsFlow, null), { agreed: 'có', visitOn: '15/3' }, 'reason');
    const prompt = repeatPrompt(kindsFlow, state, 'vi');
    expect(prompt.choices).toBeUndefined();
    expect(prompt.suggestions).toBeUndefined();
    const done = continued(apply(kindsFlow, state, text('không')));
    expect(done.state.data.reason).toBe('không');
    expect(done.state.step).toBe(CONFIRM_STEP);
  });
});

// ---------------------------------------------------------------- a choice whose options depend on an earlier answer

/** Units per level: the second choice's options are those of the level picked first. */
const UNITS_BY_LEVEL: Record<string, { id: string; label: string }[]> = {
  city: [{ id: '1', label: 'Thành phố Bắc Kạn' }],
  ward: [
    { id: '5', label: 'Phường Đức Xuân' },
    { id: '6', label: 'Phường Sông Cầu' },
  ],
};

const dependentFlow: FlowDef<null> = {
  id: 'dependent',
  version: 1,
  title: 'report.title',
  summaryHeader: () => [],
  steps: [
    {
      key: 'level',
      kind: 'choice',
      label: 'report.field.period',
      prompt: () => ({ key: 'report.ask.difficulties' }),
      choices: () => [
        { id: 'city', label: 'Cấp thành phố' },
        { id: 'ward', label: 'Cấp phường, xã' },
      ],
    },
    {
      key: 'unit',
      kind: 'choice',
      label: 'report.field.decreaseReason',
      prompt: () => ({ key: 'report.ask.proposals' }),
      choices: (_ctx, data) => UNITS_BY_LEVEL[String(data.level)] ?? [],
    },
  ],
};

describe('the engine shows a choice by its label when its options depend on earlier answers', () => {
  function reviewed(unit: string): FlowState<null> {
    const atUnit = continued(apply(dependentFlow, start(dependentFlow, null), button('level:ward'))).state;
    const done = continued(apply(dependentFlow, atUnit, button(`unit:${unit}`)));
    expect(done.state.step).toBe(CONFIRM_STEP);
    return done.state;
  }

  it.each<[string, string]>([
    ['5', 'Phường Đức Xuân'],
    ['6', 'Phường Sông Cầu'],
  ])('lists unit %s in the summary as "%s", not as its id', (unit, label) => {
    const summary = repeatPrompt(dependentFlow, reviewed(unit), 'vi').text;
    expect(summary).toContain(`• ${t('vi', 'report.field.decreaseReason')}: ${label}`);
    expect(summary).toContain(`• ${t('vi', 'report.field.period')}: Cấp phường, xã`);
  });

  it('shows the label in the edit list and as the current value when the field is changed', () => {
    const editing = continued(apply(dependentFlow, reviewed('5'), button('@confirm:edit')));
    const labels = (onlyReply(editing.replies).choices ?? []).flat().map((c) => c.label);
    expect(labels).toContain(`2. ${t('vi', 'report.field.decreaseReason')}: Phường Đức Xuân`);
    const asked = continued(apply(dependentFlow, editing.state, button('@edit:unit')));
    expect(onlyReply(asked.replies).text).toContain(
      t('vi', 'flow.current_value', { value: 'Phường Đức Xuân' }),
    );
  });
});

// ---------------------------------------------------------------- the real report flow

const FEB = 14;
const JAN = 13;
const DEC = 12;

function reportCtx(previous: PreviousFigures | null = null): ReportFlowContext {
  return {
    unitId: 1,
    unitCode: '01840',
    unitName: 'Phường Đức Xuân',
    periods: [
      {
        id: FEB,
        code: '2025-02',
        label: 'tháng 2/2025',
        dueOn: '2025-03-15',
        late: false,
        reported: false,
        previous,
        registry: null,
        ledger: null,
      },
      {
        id: JAN,
        code: '2025-01',
        label: 'tháng 1/2025',
        dueOn: '2025-02-15',
        late: true,
        reported: false,
        previous: null,
        registry: null,
        ledger: null,
      },
      {
        id: DEC,
        code: '2024-12',
        label: 'tháng 12/2024',
        dueOn: '2025-01-15',
        late: true,
        reported: true,
        previous: null,
        registry: null,
        ledger: null,
      },
    ],
  };
}

/** A valid answer for every step, in order. */
const ANSWERS: Record<string, string> = {
  period: '1',
  approvedNew: '10',
  approvedRepair: '8',
  startedNew: '6',
  startedRepair: '5',
  completedNew: '4',
  completedRepair: '3',
  handedOverNew: '2',
  handedOverRepair: '1',
  moneyReceived: '60tr',
  moneyPaid: '30tr',
  labourDays: '1.200',
  difficulties: 'Thiếu vật liệu',
  proposals: 'Không có',
  photo: 'Không có',
  decreaseReason: 'Rà soát lại danh sách',
};

const COMPLETE_DATA = {
  period: String(FEB),
  approvedNew: 10,
  approvedRepair: 8,
  startedNew: 6,
  startedRepair: 5,
  completedNew: 4,
  completedRepair: 3,
  handedOverNew: 2,
  handedOverRepair: 1,
  moneyReceived: '60000000',
  moneyPaid: '30000000',
  labourDays: 1200,
  difficulties: 'Thiếu vật liệu',
  proposals: '',
  photo: '',
};

function reportAt(
  step: string,
  ctx: ReportFlowContext = reportCtx(),
  answers: Record<string, string> = ANSWERS,
) {
  return walk(reportFlow, start(reportFlow, ctx), answers, step);
}

const COUNT_WARNINGS: [string, string][] = [
  ['-5', 'Số không được âm.'],
  ['abc', 'Câu trả lời cần là một con số (ví dụ: 12).'],
  ['1e9', 'Câu trả lời cần là một con số (ví dụ: 12).'],
  ['12,5', 'Số này cần là số nguyên, không có phần lẻ (ví dụ: 12).'],
  [LONG, 'Câu trả lời cần là một con số (ví dụ: 12).'],
  ['👍', 'Câu trả lời cần là một con số (ví dụ: 12).'],
  [INJECTION, 'Câu trả lời cần là một con số (ví dụ: 12).'],
  ['99999999999', 'Số này lớn quá mức cho phép (tối đa 100.000). Anh/chị kiểm tra lại.'],
  ['60tr', 'Câu trả lời cần là một con số (ví dụ: 12).'],
];

const NOT_MONEY = 'Chưa đọc được số tiền. Anh/chị gõ ví dụ: 60tr, 60 triệu, 1,5 tỷ hoặc 1.500.000.';
const NOT_CHOICE = 'Không có lựa chọn này. Anh/chị bấm một nút hoặc gõ số thứ tự.';

describe('the engine with the report flow: bad answers', () => {
  it.each<[string, string]>([
    ['-5', NOT_CHOICE],
    ['abc', NOT_CHOICE],
    ['1e9', NOT_CHOICE],
    ['12,5', NOT_CHOICE],
    [LONG, NOT_CHOICE],
    ['👍', NOT_CHOICE],
    [INJECTION, NOT_CHOICE],
    ['99999999999', NOT_CHOICE],
    ['0', NOT_CHOICE],
    ['4', NOT_CHOICE],
    ['', NOT_CHOICE],
  ])('refuses %j at the period (choice) step', (answer, warning) => {
    expectRefused(reportFlow, start(reportFlow, reportCtx()), text(answer), warning);
  });

  // Options carry database ids (14, 13, 12): a typed number is a position, never an id.
  it('refuses a number that is not the position of an option ("13" with 3 options)', () => {
    expectRefused(reportFlow, start(reportFlow, reportCtx()), text('13'), NOT_CHOICE);
  });

  it.each<[string, string]>([
    ['1', String(FEB)],
    ['3', String(DEC)],
    ['tháng 1/2025 ⏰', String(JAN)],
  ])('takes %j at the period step', (answer, period) => {
    const next = continued(apply(reportFlow, start(reportFlow, reportCtx()), text(answer))).state;
    expect(next).toMatchObject({ step: 'approvedNew', data: { period } });
  });

  it.each(COUNT_WARNINGS)('refuses %j at a count step (approvedNew)', (answer, warning) => {
    const reply = expectRefused(reportFlow, reportAt('approvedNew'), text(answer), warning);
    expect(reply.text).toContain('1/14. Số hộ được phê duyệt hỗ trợ XÂY MỚI (lũy kế đến nay)?');
  });

  it.each(COUNT_WARNINGS)('refuses %j at a count step after others (handedOverRepair)', (answer, warning) => {
    expectRefused(reportFlow, reportAt('handedOverRepair'), text(answer), warning);
  });

  it.each<[string, string]>([
    ...COUNT_WARNINGS.filter(([answer]) => answer !== '99999999999'),
    ['99999999999', 'Số này lớn quá mức cho phép (tối đa 10.000.000). Anh/chị kiểm tra lại.'],
  ])('refuses %j at the labour-days step', (answer, warning) => {
    expectRefused(reportFlow, reportAt('labourDays'), text(answer), warning);
  });

  it.each<[string, string]>([
    ['-5', 'Số không được âm.'],
    ['abc', NOT_MONEY],
    ['1e9', NOT_MONEY],
    ['12,5', NOT_MONEY],
    [LONG, NOT_MONEY],
    ['👍', NOT_MONEY],
    [INJECTION, NOT_MONEY],
    ['1tr50', NOT_MONEY],
    ['9999999999999', 'Số này lớn quá mức cho phép (tối đa 1.000.000.000.000 đ). Anh/chị kiểm tra lại.'],
    ['', 'Anh/chị chưa nhập gì.'],
  ])('refuses %j at a money step', (answer, warning) => {
    const reply = expectRefused(reportFlow, reportAt('moneyReceived'), text(answer), warning);
    expect(reply.text).toContain('9/14. Tổng số tiền đơn vị đã tiếp nhận (lũy kế, đồng)?');
  });

  it.each<[string, string]>([
    [LONG, 'Nội dung dài quá (tối đa 1.000 ký tự). Anh/chị viết ngắn gọn lại.'],
    ['', 'Anh/chị chưa nhập gì.'],
    ['   ', 'Anh/chị chưa nhập gì.'],
  ])('refuses %j at a text step', (answer, warning) => {
    expectRefused(reportFlow, reportAt('difficulties'), text(answer), warning);
  });
});

describe('the engine with the report flow: values', () => {
  it.each<[string, string]>([
    ['60tr', '60000000'],
    ['1,5 tỷ', '1500000000'],
    ['1.500.000', '1500000'],
    ['60 triệu', '60000000'],
    ['500k', '500000'],
    ['7tr5', '7500000'],
    ['1 tỷ 200 triệu', '1200000000'],
    ['99999999999', '99999999999'],
    ['0', '0'],
  ])('stores the money answer %j as the digit string %j', (answer, digits) => {
    const next = continued(apply(reportFlow, reportAt('moneyReceived'), text(answer))).state;
    expect(next.step).toBe('moneyPaid');
    expect(next.data.moneyReceived).toBe(digits);
    expect(typeof next.data.moneyReceived).toBe('string');
  });

  it('takes the previous figure from its "↩︎" button', () => {
    const previous: PreviousFigures = {
      approvedNew: 12,
      approvedRepair: 3,
      startedNew: 2,
      startedRepair: 1,
      completedNew: 1,
      completedRepair: 0,
      handedOverNew: 0,
      handedOverRepair: 0,
      labourDays: 40,
      moneyReceived: '45000000',
      moneyPaid: '15000000',
    };
    const state = reportAt('approvedNew', reportCtx(previous));
    const prompt = repeatPrompt(reportFlow, state, 'vi');
    expect(prompt.text).toContain(
      '1/14. Số hộ được phê duyệt hỗ trợ XÂY MỚI (lũy kế đến nay) (kỳ trước: 12)?',
    );
    expect(prompt.suggestions).toEqual([
      { id: 'approvedNew:12', label: '↩︎ 12' },
      { id: 'approvedNew:0', label: '0' },
    ]);
    expect(prompt.choices).toBeUndefined();
    expect(continued(apply(reportFlow, state, button('approvedNew:12'))).state.data.approvedNew).toBe(12);
    const atMoney = reportAt('moneyReceived', reportCtx(previous), { ...ANSWERS, approvedNew: '12' });
    expect(suggestionIds(repeatPrompt(reportFlow, atMoney, 'vi'))).toEqual([
      'moneyReceived:45000000',
      'moneyReceived:0',
    ]);
    const next = continued(apply(reportFlow, atMoney, button('moneyReceived:45000000'))).state;
    expect(next.data.moneyReceived).toBe('45000000');
  });
});

describe('the engine with the report flow: cross-field rules', () => {
  it.each<[string, Record<string, string>, string, string]>([
    ['startedNew', {}, '11', '"Đã khởi công – xây mới" không được lớn hơn "Hộ được duyệt – xây mới" (10).'],
    [
      'startedRepair',
      {},
      '9',
      '"Đã khởi công – sửa chữa" không được lớn hơn "Hộ được duyệt – sửa chữa" (8).',
    ],
    ['completedNew', {}, '7', '"Đã hoàn thành – xây mới" không được lớn hơn "Đã khởi công – xây mới" (6).'],
    ['handedOverNew', {}, '5', '"Đã bàn giao – xây mới" không được lớn hơn "Đã hoàn thành – xây mới" (4).'],
    [
      'handedOverRepair',
      {},
      '4',
      '"Đã bàn giao – sửa chữa" không được lớn hơn "Đã hoàn thành – sửa chữa" (3).',
    ],
    ['moneyPaid', {}, '60.000.001', 'Số tiền đã chi không được lớn hơn số tiền đã tiếp nhận (60.000.000 đ).'],
    [
      'moneyPaid',
      { moneyReceived: '0' },
      '1',
      'Số tiền đã chi không được lớn hơn số tiền đã tiếp nhận (0 đ).',
    ],
  ])('at %s (other answers %o) refuses %j', (step, overrides, answer, warning) => {
    expectRefused(
      reportFlow,
      reportAt(step, reportCtx(), { ...ANSWERS, ...overrides }),
      text(answer),
      warning,
    );
  });

  it.each<[string, string]>([
    ['startedNew', '10'],
    ['handedOverNew', '4'],
    ['moneyPaid', '60tr'],
  ])('accepts %s equal to its limit (%j)', (step, answer) => {
    const next = continued(apply(reportFlow, reportAt(step), text(answer))).state;
    expect(next.step).not.toBe(step);
  });

  it('applies the rules to a quick-answer button too', () => {
    const previous: PreviousFigures = {
      approvedNew: 50,
      approvedRepair: 0,
      startedNew: 40,
      startedRepair: 0,
      completedNew: 0,
      completedRepair: 0,
      handedOverNew: 0,
      handedOverRepair: 0,
      labourDays: 0,
      moneyReceived: '0',
      moneyPaid: '0',
    };
    const state = reportAt('startedNew', reportCtx(previous));
    expectRefused(
      reportFlow,
      state,
      button('startedNew:40'),
      '"Đã khởi công – xây mới" không được lớn hơn "Hộ được duyệt – xây mới" (10).',
    );
  });
});

describe('the engine with the report flow: summary, confirm and edit', () => {
  function atSummary(): FlowState<ReportFlowContext> {
    return reportAt(CONFIRM_STEP);
  }

  it('shows a summary listing every field after the last step', () => {
    const before = reportAt('photo');
    const result = continued(apply(reportFlow, before, text('Không có')));
    expect(result.state.step).toBe(CONFIRM_STEP);
    expect(result.state.reviewing).toBe(true);
    expect(result.state.data).toEqual(COMPLETE_DATA);
    const reply = onlyReply(result.replies);
    expect(reply.text).toBe(
      [
        bold('📄 Xem lại báo cáo tiến độ tháng'),
        'Đơn vị: Phường Đức Xuân',
        'Kỳ: tháng 2/2025 (hạn trước ngày 15/03/2025)',
        '',
        '• Kỳ báo cáo: tháng 2/2025',
        '• Hộ được duyệt – xây mới: 10',
        '• Hộ được duyệt – sửa chữa: 8',
        '• Đã khởi công – xây mới: 6',
        '• Đã khởi công – sửa chữa: 5',
        '• Đã hoàn thành – xây mới: 4',
        '• Đã hoàn thành – sửa chữa: 3',
        '• Đã bàn giao – xây mới: 2',
        '• Đã bàn giao – sửa chữa: 1',
        '• Tiền đã tiếp nhận: 60.000.000 đ',
        '• Tiền đã chi cho hộ: 30.000.000 đ',
        '• Ngày công: 1.200',
        '• Khó khăn, vướng mắc: Thiếu vật liệu',
        '• Đề xuất, kiến nghị: Không có',
        '• Ảnh công trình: Không có',
        '',
        'Anh/chị kiểm tra lại. Nếu đúng, bấm "Xác nhận"; nếu cần sửa, bấm "Sửa một mục".',
      ].join('\n'),
    );
    expect(buttonIds(reply)).toEqual(['@confirm:yes', '@confirm:edit', '@confirm:cancel']);
    expect(reply.suggestions).toBeUndefined();
  });

  it('marks a late period in the summary header', () => {
    const state = reportAt(CONFIRM_STEP, reportCtx(), { ...ANSWERS, period: '2' });
    expect(repeatPrompt(reportFlow, state, 'vi').text).toContain(
      'Kỳ: tháng 1/2025 (hạn trước ngày 15/02/2025 – đã quá hạn)',
    );
  });

  it.each<UserInput>([button('@confirm:yes'), text('Gửi'), text('Đồng ý'), text('1'), text('ok')])(
    'submits on %o',
    (input) => {
      const state = atSummary();
      const result = apply(reportFlow, state, input);
      expect(result).toEqual({ kind: 'submit', state });
      expect(answeredData(reportFlow, state)).toEqual(COMPLETE_DATA);
    },
  );

  it.each<UserInput>([button('@confirm:cancel'), text('Hủy'), text('huỷ bỏ'), text('3')])(
    'cancels on %o',
    (input) => {
      expect(apply(reportFlow, atSummary(), input)).toEqual({ kind: 'cancelled', replies: [] });
    },
  );

  it.each<UserInput>([
    text('abc'),
    text(LONG),
    text('👍'),
    text('không'),
    button('approvedNew:0'),
    button('@edit:approvedNew'),
    button('@confirm:maybe'),
    photo('AgACAgIAAxkBAAIB'),
  ])('shows the summary again with a warning on %o', (input) => {
    const state = atSummary();
    const result = continued(apply(reportFlow, state, input));
    expect(result.state).toEqual(state);
    const reply = onlyReply(result.replies);
    expect(reply.text).toBe(
      `⚠️ Anh/chị vui lòng bấm một nút: Xác nhận, Sửa một mục hoặc Hủy.\n${repeatPrompt(reportFlow, state, 'vi').text}`,
    );
  });

  it('edits a field: edit → choose the field → answer → back at the summary with the new value', () => {
    const editing = continued(apply(reportFlow, atSummary(), button('@confirm:edit')));
    expect(editing.state.step).toBe(EDIT_STEP);
    const menu = onlyReply(editing.replies);
    expect(menu.text).toBe('Anh/chị muốn sửa mục nào? (bấm nút hoặc gõ số thứ tự)');
    // The numbered questions first, each with its question's number; the period, asked aside, after them.
    expect(buttonIds(menu)).toEqual([
      '@edit:approvedNew',
      '@edit:approvedRepair',
      '@edit:startedNew',
      '@edit:startedRepair',
      '@edit:completedNew',
      '@edit:completedRepair',
      '@edit:handedOverNew',
      '@edit:handedOverRepair',
      '@edit:moneyReceived',
      '@edit:moneyPaid',
      '@edit:labourDays',
      '@edit:difficulties',
      '@edit:proposals',
      '@edit:photo',
      '@edit:period',
      '@edit:back',
    ]);
    expect(menu.suggestions).toBeUndefined();
    expect((menu.choices ?? []).flat()[9]?.label).toBe('10. Tiền đã chi cho hộ: 30.000.000 đ');
    expect((menu.choices ?? []).flat()[13]?.label).toBe('14. Ảnh công trình: Không có');
    expect((menu.choices ?? []).flat()[14]?.label).toMatch(/^15\. Kỳ báo cáo: /);

    const field = continued(apply(reportFlow, editing.state, button('@edit:moneyPaid')));
    expect(field.state).toMatchObject({ step: 'moneyPaid', reviewing: true });
    expect(onlyReply(field.replies).text).toContain('(Giá trị hiện tại: 30.000.000 đ)');

    const back = continued(apply(reportFlow, field.state, text('45tr')));
    expect(back.state.step).toBe(CONFIRM_STEP);
    expect(back.state.data).toEqual({ ...COMPLETE_DATA, moneyPaid: '45000000' });
    const summary = onlyReply(back.replies).text;
    expect(summary).toContain('• Tiền đã chi cho hộ: 45.000.000 đ');
    expect(summary).not.toContain('30.000.000 đ');
  });

  it.each<[string, string]>([
    // The numbers of the questions ("2/14.", "14/14."); the period, asked aside, comes after them.
    ['1', 'approvedNew'],
    ['2', 'approvedRepair'],
    ['14', 'photo'],
    ['15', 'period'],
    ['Ngày công', 'labourDays'],
    ['Ảnh công trình', 'photo'],
  ])('chooses the field to edit by typing %j', (typed, step) => {
    const editing = continued(apply(reportFlow, atSummary(), text('sửa'))).state;
    expect(continued(apply(reportFlow, editing, text(typed))).state.step).toBe(step);
  });

  it.each<UserInput>([
    text('0'),
    text('17'),
    text('abc'),
    button('moneyPaid:0'),
    button('@confirm:yes'),
    photo('AgACAgIAAxkBAAIB'),
  ])('refuses %o in the edit menu and shows it again', (input) => {
    const editing = continued(apply(reportFlow, atSummary(), button('@confirm:edit'))).state;
    const result = continued(apply(reportFlow, editing, input));
    expect(result.state).toEqual(editing);
    expect(onlyReply(result.replies).text).toBe(
      '⚠️ Không có mục này. Anh/chị chọn một mục trong danh sách.\nAnh/chị muốn sửa mục nào? (bấm nút hoặc gõ số thứ tự)',
    );
  });

  it('goes back from the edit menu to the unchanged summary', () => {
    const summary = atSummary();
    const editing = continued(apply(reportFlow, summary, button('@confirm:edit'))).state;
    const back = continued(apply(reportFlow, editing, button('@edit:back')));
    expect(back.state).toEqual(summary);
  });

  it('goes back to the summary when the number of the last option ("back", 16) is typed', () => {
    const summary = atSummary();
    const editing = continued(apply(reportFlow, summary, button('@confirm:edit')));
    expect(buttonIds(onlyReply(editing.replies))).toHaveLength(16);
    expect(buttonIds(onlyReply(editing.replies))[15]).toBe('@edit:back');
    const back = continued(apply(reportFlow, editing.state, text('16')));
    expect(back.state).toEqual(summary);
    expect(onlyReply(back.replies)).toEqual(repeatPrompt(reportFlow, summary, 'vi'));
  });

  it('keeps the cross-field rules while editing (approved below started is refused)', () => {
    const editing = continued(apply(reportFlow, atSummary(), button('@confirm:edit'))).state;
    const field = continued(apply(reportFlow, editing, button('@edit:approvedNew'))).state;
    expectRefused(
      reportFlow,
      field,
      text('5'),
      '"Hộ được duyệt – xây mới" không được nhỏ hơn "Đã khởi công – xây mới" đã nhập (6).',
    );
    const received = continued(apply(reportFlow, editing, button('@edit:moneyReceived'))).state;
    expectRefused(
      reportFlow,
      received,
      text('10tr'),
      'Số tiền đã tiếp nhận không được nhỏ hơn số tiền đã chi (30.000.000 đ).',
    );
  });

  it.each<string>(['difficulties', 'proposals', 'photo'])(
    'accepts the "Không có" button at the optional step %s',
    (step) => {
      const state = reportAt(step);
      const prompt = repeatPrompt(reportFlow, state, 'vi');
      expect(prompt.suggestions).toEqual([{ id: `${step}:`, label: 'Không có' }]);
      expect(prompt.choices).toBeUndefined();
      const next = continued(apply(reportFlow, state, button(`${step}:`))).state;
      expect(next.data[step]).toBe('');
      expect(next.step).not.toBe(step);
    },
  );

  it('refuses a stale button from another step', () => {
    const state = reportAt('startedNew');
    for (const id of ['approvedNew:0', 'period:14', '@confirm:yes', '@edit:startedNew', 'menu:report:1']) {
      expectRefused(reportFlow, state, button(id), t('vi', 'flow.stale_button'));
    }
  });

  it('repeats the question with a note (as after /help)', () => {
    const state = reportAt('approvedRepair');
    expect(repeatPrompt(reportFlow, state, 'vi', 'Ghi chú').text).toBe(
      '⚠️ Ghi chú\n2/14. Số hộ được phê duyệt hỗ trợ SỬA CHỮA (lũy kế đến nay)?\nGõ một số nguyên, ví dụ: 12',
    );
  });

  it('starts the questions over when the saved step no longer exists', () => {
    const state: FlowState<ReportFlowContext> = { ...reportAt('startedNew'), step: 'removedStep' };
    const result = continued(apply(reportFlow, state, text('5')));
    expect(result.state.step).toBe('startedNew');
    expect(result.state.data).toEqual(state.data);
  });

  it('skips the period question when only one period is open', () => {
    const ctx = reportCtx();
    const single: ReportFlowContext = { ...ctx, periods: ctx.periods.slice(0, 1) };
    const result = continued(startFlow(reportFlow, single, 'vi', { period: String(FEB) }));
    expect(result.state.step).toBe('approvedNew');
    const done = walk(reportFlow, result.state, ANSWERS, CONFIRM_STEP);
    expect(repeatPrompt(reportFlow, done, 'vi').text).not.toContain('Kỳ báo cáo:');
    expect(answeredData(reportFlow, done)).not.toHaveProperty('period');
  });
});

describe('the engine with the report flow: a decrease needs a reason', () => {
  const previous: PreviousFigures = {
    approvedNew: 12,
    approvedRepair: 8,
    startedNew: 6,
    startedRepair: 5,
    completedNew: 4,
    completedRepair: 3,
    handedOverNew: 2,
    handedOverRepair: 1,
    labourDays: 1000,
    moneyReceived: '70000000',
    moneyPaid: '30000000',
  };

  it('asks why after the last question, naming the lower fields, and lists the reason', () => {
    const state = reportAt('photo', reportCtx(previous));
    const asked = continued(apply(reportFlow, state, text('Không có')));
    expect(asked.state.step).toBe('decreaseReason');
    expect(onlyReply(asked.replies).text).toBe(
      'Một số chỉ tiêu thấp hơn kỳ trước: Hộ được duyệt – xây mới, Tiền đã tiếp nhận. ' +
        'Anh/chị vui lòng ghi rõ lý do (ví dụ: rà soát lại danh sách).\nGõ câu trả lời (tối đa 1.000 ký tự)',
    );
    expectRefused(reportFlow, asked.state, text(''), 'Anh/chị chưa nhập gì.');
    const done = continued(apply(reportFlow, asked.state, text('Rà soát lại danh sách')));
    expect(done.state.step).toBe(CONFIRM_STEP);
    expect(onlyReply(done.replies).text).toContain('• Lý do giảm so với kỳ trước: Rà soát lại danh sách');
  });

  it('drops the reason when an edit removes the decrease', () => {
    const summary = reportAt(CONFIRM_STEP, reportCtx(previous), { ...ANSWERS, moneyReceived: '70tr' });
    expect(summary.data.decreaseReason).toBe('Rà soát lại danh sách');
    const editing = continued(apply(reportFlow, summary, button('@confirm:edit'))).state;
    const field = continued(apply(reportFlow, editing, button('@edit:approvedNew'))).state;
    const back = continued(apply(reportFlow, field, text('12')));
    expect(back.state.step).toBe(CONFIRM_STEP);
    expect(answeredData(reportFlow, back.state)).not.toHaveProperty('decreaseReason');
    expect(onlyReply(back.replies).text).not.toContain('Lý do giảm');
  });

  it('asks for a reason when an edit introduces a decrease', () => {
    const summary = reportAt(CONFIRM_STEP, reportCtx(previous), {
      ...ANSWERS,
      approvedNew: '12',
      moneyReceived: '70tr',
    });
    expect(summary.data).not.toHaveProperty('decreaseReason');
    const editing = continued(apply(reportFlow, summary, button('@confirm:edit'))).state;
    const field = continued(apply(reportFlow, editing, button('@edit:labourDays'))).state;
    const next = continued(apply(reportFlow, field, text('999')));
    expect(next.state.step).toBe('decreaseReason');
    expect(onlyReply(next.replies).text).toContain('Một số chỉ tiêu thấp hơn kỳ trước: Ngày công.');
  });
});

const EXPECTED_PHOTO = 'Câu hỏi này cần một ảnh. Anh/chị bấm biểu tượng ảnh để gửi, hoặc trả lời "Không có".';
const EXPECTED_TEXT = 'Câu hỏi này cần trả lời bằng chữ hoặc bấm nút.';
const STALE_BUTTON = t('vi', 'flow.stale_button');
const FILE_ID = 'AgACAgIAAxkBAAIBZ2d-photo';
const PHOTO_PROMPT =
  '14/14. Ảnh công trình (nếu có): anh/chị gửi 1 ảnh nhà đang xây hoặc đã hoàn thành, hoặc bấm "Không có".';

describe('the engine with the report flow: the photo step', () => {
  it('asks for a photo after the proposals, with a "Không có" suggestion', () => {
    const result = continued(apply(reportFlow, reportAt('proposals'), text('Không có')));
    expect(result.state.step).toBe('photo');
    const reply = onlyReply(result.replies);
    expect(reply.text).toBe(`${PHOTO_PROMPT}\nGửi một ảnh chụp, hoặc bấm "Không có"`);
    expect(reply.suggestions).toEqual([{ id: 'photo:', label: 'Không có' }]);
    expect(reply.choices).toBeUndefined();
  });

  it('stores the photo it is sent as its file id and shows "Đã nhận 1 ảnh" in the summary', () => {
    const result = continued(apply(reportFlow, reportAt('photo'), photo(FILE_ID)));
    expect(result.state.step).toBe(CONFIRM_STEP);
    expect(result.state.data).toEqual({ ...COMPLETE_DATA, photo: FILE_ID });
    expect(answeredData(reportFlow, result.state)).toEqual({ ...COMPLETE_DATA, photo: FILE_ID });
    const summary = onlyReply(result.replies).text;
    expect(summary).toContain('• Đề xuất, kiến nghị: Không có\n• Ảnh công trình: Đã nhận 1 ảnh\n');
    expect(summary).not.toContain(FILE_ID);
  });

  it.each<string>([
    'Đây là ảnh nhà ông Tư',
    'có',
    '1',
    '0',
    '',
    '   ',
    LONG,
    '👍',
    INJECTION,
    'https://example.com/anh.jpg',
  ])('refuses the text %j at the photo step with the same question', (answer) => {
    const reply = expectRefused(reportFlow, reportAt('photo'), text(answer), EXPECTED_PHOTO);
    expect(reply.text).toBe(`⚠️ ${EXPECTED_PHOTO}\n${PHOTO_PROMPT}\nGửi một ảnh chụp, hoặc bấm "Không có"`);
    expect(suggestionIds(reply)).toEqual(['photo:']);
  });

  it.each<string>(['Không có', 'không', 'ko', 'k', '-', 'bỏ qua', 'Không có gì'])(
    'takes %j at the optional photo step as "no photo"',
    (answer) => {
      const result = continued(apply(reportFlow, reportAt('photo'), text(answer)));
      expect(result.state.step).toBe(CONFIRM_STEP);
      expect(result.state.data.photo).toBe('');
      expect(onlyReply(result.replies).text).toContain('• Ảnh công trình: Không có\n');
    },
  );

  it.each<string>(['proposals:', 'approvedNew:0', 'photo:x', '@confirm:yes', '@edit:photo'])(
    'refuses the button %j at the photo step',
    (id) => {
      expectRefused(reportFlow, reportAt('photo'), button(id), STALE_BUTTON);
    },
  );

  const decrease: PreviousFigures = {
    approvedNew: 12,
    approvedRepair: 0,
    startedNew: 0,
    startedRepair: 0,
    completedNew: 0,
    completedRepair: 0,
    handedOverNew: 0,
    handedOverRepair: 0,
    labourDays: 0,
    moneyReceived: '0',
    moneyPaid: '0',
  };

  it.each<[string, ReportFlowContext]>([
    ['period', reportCtx()],
    ['approvedNew', reportCtx()],
    ['handedOverRepair', reportCtx()],
    ['moneyReceived', reportCtx()],
    ['labourDays', reportCtx()],
    ['difficulties', reportCtx()],
    ['proposals', reportCtx()],
    ['decreaseReason', reportCtx(decrease)],
  ])('refuses a photo at the %s step, which needs typed input or a button', (step, ctx) => {
    const state = reportAt(step, ctx);
    expect(state.step).toBe(step);
    expectRefused(reportFlow, state, photo(FILE_ID), EXPECTED_TEXT);
  });

  it('refuses the "Không có" button of the photo step at another step', () => {
    expectRefused(reportFlow, reportAt('approvedNew'), button('photo:'), STALE_BUTTON);
  });

  it('goes on to the reason for a decrease after the photo', () => {
    const asked = continued(apply(reportFlow, reportAt('photo', reportCtx(decrease)), photo(FILE_ID)));
    expect(asked.state.step).toBe('decreaseReason');
    expect(asked.state.data.photo).toBe(FILE_ID);
    const done = continued(apply(reportFlow, asked.state, text('Rà soát lại danh sách')));
    expect(done.state.step).toBe(CONFIRM_STEP);
    expect(onlyReply(done.replies).text).toContain(
      '• Ảnh công trình: Đã nhận 1 ảnh\n• Lý do giảm so với kỳ trước: Rà soát lại danh sách',
    );
  });

  it('changes the photo from the summary: shows the current value, then takes a new photo or "none"', () => {
    const withPhoto = continued(apply(reportFlow, reportAt('photo'), photo(FILE_ID))).state;
    const editing = continued(apply(reportFlow, withPhoto, button('@confirm:edit')));
    expect((onlyReply(editing.replies).choices ?? []).flat()[13]?.label).toBe(
      '14. Ảnh công trình: Đã nhận 1 ảnh',
    );
    const field = continued(apply(reportFlow, editing.state, button('@edit:photo')));
    expect(field.state).toMatchObject({ step: 'photo', reviewing: true });
    const prompt = onlyReply(field.replies);
    expect(prompt.text).toBe(
      `${PHOTO_PROMPT}\n(Giá trị hiện tại: Đã nhận 1 ảnh)\nGửi một ảnh chụp, hoặc bấm "Không có"`,
    );
    expect(suggestionIds(prompt)).toEqual(['photo:']);

    expectRefused(reportFlow, field.state, text('ảnh mới'), EXPECTED_PHOTO);
    const replaced = continued(apply(reportFlow, field.state, photo('second-photo')));
    expect(replaced.state.step).toBe(CONFIRM_STEP);
    expect(replaced.state.data).toEqual({ ...COMPLETE_DATA, photo: 'second-photo' });

    const removed = continued(apply(reportFlow, field.state, button('photo:')));
    expect(removed.state.step).toBe(CONFIRM_STEP);
    expect(removed.state.data).toEqual(COMPLETE_DATA);
    expect(onlyReply(removed.replies).text).toContain('• Ảnh công trình: Không có\n');
  });
});

describe('the engine at a required photo step', () => {
  const photoFlow: FlowDef<null> = {
    id: 'photos',
    version: 1,
    title: 'report.title',
    summaryHeader: () => [],
    steps: [
      {
        key: 'house',
        kind: 'photo',
        label: 'report.field.photo',
        prompt: () => ({ key: 'report.ask.photo' }),
      },
    ],
  };

  it('asks for a photo without any button', () => {
    const reply = onlyReply(continued(startFlow(photoFlow, null, 'vi')).replies);
    // A flow of its own, not numbered: the question without "14/14.".
    expect(reply.text).toBe(`${PHOTO_PROMPT.replace('14/14. ', '')}\nGửi một ảnh chụp`);
    expect(reply.choices).toBeUndefined();
    expect(reply.suggestions).toBeUndefined();
  });

  it.each<string>(['Không có', 'không', '-', 'abc', ''])(
    'refuses the text %j: only a photo will do',
    (answer) => {
      expectRefused(photoFlow, start(photoFlow, null), text(answer), EXPECTED_PHOTO);
    },
  );

  it('refuses a "none" button it did not offer', () => {
    expectRefused(photoFlow, start(photoFlow, null), button('house:'), STALE_BUTTON);
  });

  it('takes a photo and lists it in the summary', () => {
    const result = continued(apply(photoFlow, start(photoFlow, null), photo(FILE_ID)));
    expect(result.state).toMatchObject({ step: CONFIRM_STEP, data: { house: FILE_ID } });
    expect(onlyReply(result.replies).text).toContain('• Ảnh công trình: Đã nhận 1 ảnh');
  });
});

describe('the engine tells options apart from quick answers', () => {
  it('offers the periods as choices, one per row, and no suggestions', () => {
    const reply = repeatPrompt(reportFlow, start(reportFlow, reportCtx()), 'vi');
    expect(reply.choices).toEqual([
      [{ id: `period:${FEB}`, label: 'tháng 2/2025' }],
      [{ id: `period:${JAN}`, label: 'tháng 1/2025 ⏰' }],
      [{ id: `period:${DEC}`, label: 'tháng 12/2024 ⏰ ✔︎' }],
    ]);
    expect(reply.suggestions).toBeUndefined();
  });

  it.each<[string, string[]]>([
    ['approvedNew', ['approvedNew:0']],
    ['handedOverRepair', ['handedOverRepair:0']],
    ['moneyReceived', ['moneyReceived:0']],
    ['moneyPaid', ['moneyPaid:0']],
    ['labourDays', ['labourDays:0']],
    ['difficulties', ['difficulties:']],
    ['proposals', ['proposals:']],
    ['photo', ['photo:']],
  ])('offers the quick answers of the %s step as a flat list of suggestions', (step, ids) => {
    const reply = repeatPrompt(reportFlow, reportAt(step), 'vi');
    expect(suggestionIds(reply)).toEqual(ids);
    expect(reply.choices).toBeUndefined();
  });

  it('offers no button at all at a required text step (the reason for a decrease)', () => {
    const previous: PreviousFigures = {
      approvedNew: 12,
      approvedRepair: 0,
      startedNew: 0,
      startedRepair: 0,
      completedNew: 0,
      completedRepair: 0,
      handedOverNew: 0,
      handedOverRepair: 0,
      labourDays: 0,
      moneyReceived: '0',
      moneyPaid: '0',
    };
    const reply = repeatPrompt(reportFlow, reportAt('decreaseReason', reportCtx(previous)), 'vi');
    expect(reply.choices).toBeUndefined();
    expect(reply.suggestions).toBeUndefined();
  });

  it('keeps the summary and the edit menu as choices', () => {
    const summary = reportAt(CONFIRM_STEP);
    const shown = repeatPrompt(reportFlow, summary, 'vi');
    expect(shown.choices).toEqual([
      [{ id: '@confirm:yes', label: '✅ Xác nhận' }],
      [
        { id: '@confirm:edit', label: '✏️ Sửa một mục' },
        { id: '@confirm:cancel', label: '❌ Hủy' },
      ],
    ]);
    expect(shown.suggestions).toBeUndefined();
    const menu = onlyReply(continued(apply(reportFlow, summary, button('@confirm:edit'))).replies);
    expect((menu.choices ?? []).every((row) => row.length === 1)).toBe(true);
    expect(menu.suggestions).toBeUndefined();
  });
});

describe('the engine speaks English too', () => {
  it('renders the same question and warning in English', () => {
    const state = continued(startFlow(tinyFlow, { village: 'x' }, 'en')).state;
    const result = continued(applyInput(tinyFlow, state, text('-5'), 'en', REF_YEAR));
    expect(onlyReply(result.replies).text.startsWith(`⚠️ ${t('en', 'error.negative')}\n`)).toBe(true);
  });
});
