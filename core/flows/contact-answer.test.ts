import { describe, expect, it } from 'vitest';
import { t } from '../messaging/catalog.ts';
import { parsePhone } from '../shared/parse.ts';
import { applyInput, repeatPrompt, startFlow } from './engine.ts';
import type { EngineResult, FlowDef, FlowState, UserInput } from './flow.ts';

/** A flow asking a phone (the share-contact button's step) and then a name. */
const phoneFlow: FlowDef<null> = {
  id: 'phone-test',
  version: 1,
  title: 'pledge.field.phone',
  summaryHeader: () => [],
  steps: [
    {
      key: 'phone',
      kind: 'text',
      label: 'pledge.field.phone',
      prompt: () => ({ key: 'pledge.ask.phone' }),
      contact: true,
      check: (value) => (parsePhone(String(value)) ? undefined : { key: 'pledge.rule.phone' }),
    },
    {
      key: 'name',
      kind: 'text',
      label: 'pledge.field.donorName',
      prompt: () => ({ key: 'pledge.ask.personName' }),
    },
  ],
};

function continued(result: EngineResult<null>): { state: FlowState<null>; text: string; reply: unknown } {
  if (result.kind !== 'continue' || result.replies.length !== 1) {
    throw new Error(`expected one question, got ${result.kind}`);
  }
  const [reply] = result.replies;
  return { state: result.state, text: reply?.text ?? '', reply };
}

const contact = (phone: string, own: boolean): UserInput => ({ kind: 'contact', phone, own });
const atPhone = () => continued(startFlow(phoneFlow, null, 'vi')).state;

describe('a phone question and a shared contact', () => {
  it('asks with the share-contact button', () => {
    expect(repeatPrompt(phoneFlow, atPhone(), 'vi').requestContact).toEqual({
      label: t('vi', 'flow.share_contact'),
    });
    expect(repeatPrompt(phoneFlow, atPhone(), 'en').requestContact).toEqual({
      label: '📱 Share my phone number',
    });
  });

  it("takes the sender's own contact as the number typed", () => {
    const next = continued(applyInput(phoneFlow, atPhone(), contact('84912345678', true), 'vi', 2025));
    expect(next.state.data.phone).toBe('84912345678');
    expect(next.state.step).toBe('name');
    expect(next.reply).not.toHaveProperty('requestContact');
  });

  it("refuses someone else's contact politely, with the same question and button", () => {
    const again = continued(applyInput(phoneFlow, atPhone(), contact('84987654321', false), 'vi', 2025));
    expect(again.state.step).toBe('phone');
    expect(again.text).toContain(t('vi', 'flow.contact_not_own'));
    expect(again.text).toContain(t('vi', 'pledge.ask.phone'));
    expect(again.reply).toHaveProperty('requestContact');
  });

  it('checks a shared number as a typed one, and a typed one still answers', () => {
    const foreign = continued(applyInput(phoneFlow, atPhone(), contact('15551234567', true), 'vi', 2025));
    expect(foreign.text).toContain(t('vi', 'pledge.rule.phone'));
    const typed = continued(
      applyInput(phoneFlow, atPhone(), { kind: 'text', text: '0912 345 678' }, 'vi', 2025),
    );
    expect(typed.state.step).toBe('name');
  });

  it('does not take a contact for another question', () => {
    const atName = continued(
      applyInput(phoneFlow, atPhone(), contact('84912345678', true), 'vi', 2025),
    ).state;
    const refused = continued(applyInput(phoneFlow, atName, contact('84912345678', true), 'vi', 2025));
    expect(refused.state.step).toBe('name');
    expect(refused.text).toContain(t('vi', 'flow.expected_text'));
  });
});
