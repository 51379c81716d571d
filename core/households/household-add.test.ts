import { describe, expect, it } from 'vitest';
import { applyInput, startFlow } from '../flows/engine.ts';
import { CONFIRM_STEP, EDIT_STEP, type EngineResult, type FlowState, type UserInput } from '../flows/flow.ts';
import type { Outbound } from '../messaging/message.ts';
import { householdAddRunner } from './household-add.ts';

/**
 * The household add flow driven through the engine: the questions as an officer reads them, the
 * answers as they are recorded. The look-ups (duplicates, codes) are the runner's; here the context
 * carries what they found.
 */

const def = householdAddRunner.def;
type Ctx = Parameters<typeof def.summaryHeader>[0];

const CTX: Ctx = {
  campaignId: 1,
  unitId: 1,
  unitName: 'Phường Đức Xuân',
  year: 2025,
  duplicates: [],
  checkedFor: '',
  nextCode: 'DX-005',
};

const text = (value: string): UserInput => ({ kind: 'text', text: value });
const button = (id: string): UserInput => ({ kind: 'choice', id });

function continued(result: EngineResult<Ctx>): { state: FlowState<Ctx>; reply: Outbound } {
  if (result.kind !== 'continue') {
    throw new Error(`expected the flow to continue, got ${result.kind}`);
  }
  const reply = result.replies.at(-1);
  if (!reply) {
    throw new Error('no reply');
  }
  return { state: result.state, reply };
}

function answer(state: FlowState<Ctx>, input: UserInput) {
  return applyInput(def, state, input, 'vi', 2025);
}

/** Answers in order from the start; the state and last reply. */
function run(inputs: UserInput[], ctx: Ctx = CTX) {
  let at = continued(startFlow(def, ctx, 'vi'));
  for (const input of inputs) {
    at = continued(answer(at.state, input));
  }
  return at;
}

const UP_TO_NAME = [text('DX-050'), text('Tổ 3'), text('Hà Thị Lan')];
const UP_TO_AREA = [
  ...UP_TO_NAME,
  text('1956'),
  button('category:poor'),
  button('need:new_build'),
  button('foundationDurable:no'),
  button('frameDurable:no'),
  button('roofDurable:yes'),
];
const UP_TO_LAND = [...UP_TO_AREA, text('24 m2'), text('3'), button('landLegal:yes')];

function labels(reply: Outbound): string[] {
  return [...(reply.choices ?? []).flat(), ...(reply.suggestions ?? [])].map((c) => c.label);
}

describe('the household add flow: questions numbered once, asked positively', () => {
  it('numbers the 15 questions and offers a new code for a household without one', () => {
    const { state, reply } = run([]);
    expect(state.step).toBe('code');
    expect(reply.text).toContain(
      '1/15. Mã hộ theo danh sách của xã, phường (ví dụ DX-015)? Hộ chưa có mã thì bấm "Chưa có mã — bot cấp mã mới".',
    );
    expect(labels(reply)).toEqual(['Chưa có mã — bot cấp mã mới']);
    expect(run(UP_TO_LAND).reply.text).toContain('13/15. Đất ở của hộ có đang bị tranh chấp không?');
  });

  it('asks about a dispute positively: "không" typed is no dispute, "có" is a dispute', () => {
    const asked = run(UP_TO_LAND);
    expect(asked.state.step).toBe('landDisputed');
    expect(labels(asked.reply)).toEqual(['Có tranh chấp', 'Không tranh chấp']);
    expect(asked.reply.text).toContain('Bấm một nút, hoặc gõ "có" hoặc "không"');
    for (const [typed, disputed] of [
      ['không', false],
      ['Không tranh chấp', false],
      ['2', false],
      ['có', true],
      ['Có tranh chấp', true],
      ['1', true],
    ] as const) {
      const next = continued(answer(asked.state, text(typed)));
      expect(next.state.data.landDisputed).toBe(disputed);
      expect(next.state.step).toBe('inLandslideZone');
    }
    const refused = continued(answer(asked.state, text('chắc là không sao')));
    expect(refused.state.step).toBe('landDisputed');
    expect(refused.reply.text).toContain('⚠️ Anh/chị vui lòng bấm một nút, hoặc trả lời "có" hoặc "không".');
  });

  it('states the outcome in words at the summary: eligible, or every reason it is not', () => {
    const eligible = run([
      ...UP_TO_LAND,
      text('không'),
      button('inLandslideZone:no'),
      button('confirmedByCommune:yes'),
    ]);
    expect(eligible.state.step).toBe(CONFIRM_STEP);
    expect(eligible.reply.text).toContain('✅ Kết luận: đủ điều kiện hỗ trợ xây mới.');
    expect(eligible.reply.text).toContain('• Tranh chấp đất ở: Không tranh chấp');
    expect(eligible.reply.text).toContain('• Vùng sạt lở: Không, ngoài vùng sạt lở');
    expect(eligible.reply.text).toContain('• Nền - móng: Không bền chắc');
    expect(eligible.reply.text).toContain('• Mái nhà: Có, bền chắc');
    expect(eligible.reply.text).toContain('• Xác nhận của UBND xã, phường: Đã xác nhận');
    expect(householdAddRunner.answers(eligible.state)).toMatchObject({
      landDisputed: false,
      inLandslideZone: false,
    });

    const refused = run([...UP_TO_LAND, text('có'), text('có'), text('chưa')]);
    expect(refused.reply.text).toContain(
      '⚠️ Kết luận: chưa đủ điều kiện hỗ trợ – đất ở của hộ đang có tranh chấp; nhà nằm trong vùng có nguy cơ sạt lở, ' +
        'không hỗ trợ xây dựng hoặc sửa chữa tại chỗ; hộ chưa được UBND xã, phường xác nhận đủ điều kiện hỗ trợ.',
    );
    expect(refused.reply.text).toContain('• Xác nhận của UBND xã, phường: Chưa xác nhận');
  });

  it('takes "rồi" and "chưa" for the confirmation by the commune or ward', () => {
    const asked = run([...UP_TO_LAND, text('không'), text('không')]);
    expect(asked.reply.text).toContain(
      '15/15. UBND xã, phường đã xác nhận hộ đủ điều kiện hỗ trợ xây dựng nhà ở chưa?',
    );
    expect(labels(asked.reply)).toEqual(['Đã xác nhận', 'Chưa xác nhận']);
    expect(continued(answer(asked.state, text('rồi'))).state.data.confirmedByCommune).toBe(true);
    expect(continued(answer(asked.state, text('Chưa'))).state.data.confirmedByCommune).toBe(false);
  });

  it('says "bền chắc" in the questions about the structures', () => {
    const asked = run([...UP_TO_NAME, text('1956'), button('category:poor'), button('need:repair')]);
    expect(asked.reply.text).toContain('7/15. Nền - móng nhà hiện tại có bằng vật liệu bền chắc không?');
    expect(asked.reply.text).not.toContain('bền vững');
    expect(labels(asked.reply)).toEqual(['Có, bền chắc', 'Không bền chắc']);
  });
});

describe('the household add flow: what an officer types', () => {
  it.each<[string, number]>([
    ['24', 24],
    ['24 m2', 24],
    ['24m2', 24],
    ['24 m²', 24],
    ['24,5 m2', 24.5],
    ['24.5', 24.5],
  ])('takes the area %j as %d m²', (typed, area) => {
    const next = run([...UP_TO_AREA, text(typed)]);
    expect(next.state.step).toBe('members');
    expect(next.state.data.area).toBe(area);
  });

  it.each<[string, string]>([
    ['hai mươi', 'Diện tích nhà phải là một số (m²), ví dụ 24,5.'],
    ['24 m3', 'Diện tích nhà phải là một số (m²), ví dụ 24,5.'],
    ['0', 'Diện tích nhà phải lớn hơn 0 và không quá 1.000 m².'],
    ['1500', 'Diện tích nhà phải lớn hơn 0 và không quá 1.000 m².'],
  ])('refuses the area %j clearly and asks it again', (typed, message) => {
    const asked = run(UP_TO_AREA);
    const refused = continued(answer(asked.state, text(typed)));
    expect(refused.state.step).toBe('area');
    expect(refused.reply.text).toBe(
      `⚠️ ${message}\n10/15. Diện tích nhà ở hiện tại (m²)?\nGõ số mét vuông, ví dụ: 24 hoặc 24,5 m2`,
    );
  });

  it('checks the head-name rule at the name question itself', () => {
    const asked = run(UP_TO_NAME.slice(0, 2));
    const refused = continued(answer(asked.state, text('Hà Thị 2')));
    expect(refused.state.step).toBe('headName');
    expect(refused.reply.text).toContain('⚠️ Họ tên chủ hộ chỉ gồm chữ cái');
    expect(refused.reply.text).toContain('3/15. Họ và tên chủ hộ?');
  });

  it('writes the birth year as a year (1956, never 1.956), and refuses one out of range', () => {
    const asked = run(UP_TO_NAME);
    expect(asked.reply.text).toBe('4/15. Năm sinh của chủ hộ?\nGõ năm sinh, ví dụ: 1958');
    const refused = continued(answer(asked.state, text('2031')));
    expect(refused.reply.text).toContain('⚠️ Năm sinh phải từ 1900 đến 2025.');
    const summary = run([...UP_TO_LAND, text('không'), text('không'), text('có')]);
    expect(summary.reply.text).toContain('• Năm sinh chủ hộ: 1956');
    expect(summary.reply.text).not.toContain('1.956');
    expect(summary.reply.text).toContain('• Diện tích (m²): 24');
  });

  it('shows the code the bot will give in the summary when the household has none', () => {
    const summary = run([button('code:'), ...UP_TO_LAND.slice(1), text('không'), text('không'), text('có')]);
    expect(summary.reply.text).toContain('• Mã hộ: DX-005 (bot cấp mã mới)');
    expect(householdAddRunner.answers(summary.state)).toMatchObject({ code: '' });
    // Typed too: "chưa có mã".
    expect(continued(answer(run([]).state, text('chưa có mã'))).state.data.code).toBe('');
  });

  it('numbers the edit list as the questions: 13 is the dispute, 15 the confirmation', () => {
    const summary = run([...UP_TO_LAND, text('không'), text('không'), text('có')]);
    const editing = continued(answer(summary.state, button('@confirm:edit')));
    expect(editing.state.step).toBe(EDIT_STEP);
    const rows = labels(editing.reply);
    expect(rows[0]).toBe('1. Mã hộ: DX-050');
    expect(rows[3]).toBe('4. Năm sinh chủ hộ: 1956');
    expect(rows[12]).toBe('13. Tranh chấp đất ở: Không tranh chấp');
    expect(rows[14]).toBe('15. Xác nhận của UBND xã, phường: Đã xác nhận');
    const dispute = continued(answer(editing.state, text('13')));
    expect(dispute.state.step).toBe('landDisputed');
    expect(dispute.reply.text).toContain('13/15. Đất ở của hộ có đang bị tranh chấp không?');
  });
});

describe('the household add flow: a likely duplicate', () => {
  const withDuplicate: Ctx = {
    ...CTX,
    duplicates: [
      {
        id: 7,
        name: 'Nông Văn Tư (mã DX-001, Tổ 1)',
        text: '• Nông Văn Tư (mã DX-001, Tổ 1): cùng họ tên (không dấu), cùng thôn, cùng năm sinh 1956',
      },
    ],
  };

  it('is asked right after the birth year, before the other questions, without a number', () => {
    const asked = run([...UP_TO_NAME, text('1956')], withDuplicate);
    expect(asked.state.step).toBe('sameHousehold');
    expect(asked.reply.text).toContain('⚠️ Hộ vừa nhập có thể TRÙNG với hộ đã có trong chương trình:');
    expect(asked.reply.text).toContain('Đây có phải là cùng một hộ không?');
    expect(asked.reply.text).not.toMatch(/\d+\/15\. ⚠️/);
    expect(labels(asked.reply)).toEqual(['Có, là cùng một hộ', 'Không, là hộ khác']);
  });

  it('goes on at "Không" (another household) and does not ask it again', () => {
    const asked = run([...UP_TO_NAME, text('1956')], withDuplicate);
    const next = continued(answer(asked.state, text('không')));
    expect(next.state.step).toBe('category');
    expect(next.reply.text).toContain('5/15. Hộ thuộc diện nào?');
  });

  it('ends at "Có" (the same household): submitted at once, as that answer', () => {
    const asked = run([...UP_TO_NAME, text('1956')], withDuplicate);
    const ended = answer(asked.state, button('sameHousehold:yes'));
    expect(ended.kind).toBe('submit');
    if (ended.kind === 'submit') {
      expect(householdAddRunner.answers(ended.state)).toEqual({ sameHousehold: true });
    }
  });
});
