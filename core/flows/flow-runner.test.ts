import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Inbound } from '../messaging/message.ts';
import type { Actor } from '../shared/actor.ts';
import type { Tx } from '../unit-of-work.ts';
import { zIdChoice, zMoney, zOptionalText } from './answers.ts';
import { applyInput, startFlow } from './engine.ts';
import type { EngineResult, FlowDef, FlowState, Text } from './flow.ts';
import { defineFlow } from './flow-runner.ts';

/** defineFlow: the context is parsed by its schema, the confirmed answers arrive typed. */

const ZContext = z.object({ levels: z.array(z.object({ id: z.number(), name: z.string() })) });
type Context = z.infer<typeof ZContext>;

const def: FlowDef<Context> = {
  id: 'typed-test',
  version: 1,
  title: 'fund.receipt.title',
  summaryHeader: () => [],
  steps: [
    {
      key: 'level',
      kind: 'choice',
      label: 'fund.field.level',
      prompt: () => ({ key: 'fund.ask.level' }),
      choices: (ctx) => ctx.levels.map((l) => ({ id: String(l.id), label: l.name })),
      when: (ctx) => ctx.levels.length > 1,
    },
    { key: 'amount', kind: 'money', label: 'fund.field.amount', prompt: () => ({ key: 'fund.ask.receipt' }) },
    {
      key: 'note',
      kind: 'text',
      label: 'fund.field.note',
      prompt: () => ({ key: 'fund.ask.transfer_note' }),
      optional: true,
    },
  ],
};

const ZAnswers = z.object({ level: zIdChoice.optional(), amount: zMoney, note: zOptionalText });

function runner(seen: z.infer<typeof ZAnswers>[]) {
  return defineFlow({
    def,
    context: ZContext,
    answers: ZAnswers,
    start: async () => ({ ok: true, ctx: { levels: [{ id: 7, name: 'Quỹ phường' }] } }),
    async submit(_tx, _actor, { answers }): Promise<Text[]> {
      seen.push(answers);
      return [{ key: 'fund.receipt.done', params: { amount: answers.amount.toString() } }];
    },
  });
}

function answered(ctx: Context, inputs: string[]): FlowState<Context> {
  let result: EngineResult<Context> = startFlow(def, ctx, 'vi');
  for (const text of inputs) {
    if (result.kind !== 'continue') {
      throw new Error(`flow ended early: ${result.kind}`);
    }
    result = applyInput(def, result.state, { kind: 'text', text }, 'vi', 2025);
  }
  if (result.kind !== 'continue') {
    throw new Error(`flow ended: ${result.kind}`);
  }
  return result.state;
}

const tx = {} as Tx;
const actor: Actor = { personId: 1, fullName: 'A', locale: 'vi', memberships: [] };
const inbound = { channel: 'telegram' } as Inbound;
const now = new Date('2025-03-01T03:00:00Z');

describe('defineFlow', () => {
  it('parses a saved context with the schema and refuses one of another shape', () => {
    const flow = runner([]);
    expect(flow.parseContext({ levels: [{ id: 1, name: 'x' }] })).toEqual({ levels: [{ id: 1, name: 'x' }] });
    expect(flow.parseContext({ levels: 'x' })).toBeUndefined();
    expect(flow.parseContext(null)).toBeUndefined();
  });

  it('hands submit typed answers: money as bigint, a numeric choice as a number, none as null', async () => {
    const seen: z.infer<typeof ZAnswers>[] = [];
    const flow = runner(seen);
    const ctx = {
      levels: [
        { id: 7, name: 'Quỹ phường' },
        { id: 9, name: 'Quỹ thành phố' },
      ],
    };
    const state = answered(ctx, ['2', '1,5 tỷ', 'không']);
    expect(await flow.submit(tx, actor, state, now, inbound)).toEqual([
      { key: 'fund.receipt.done', params: { amount: '1500000000' } },
    ]);
    expect(seen).toEqual([{ level: 9, amount: 1_500_000_000n, note: null }]);
  });

  it('leaves out a step its condition turned off', () => {
    const flow = runner([]);
    const state = answered({ levels: [{ id: 7, name: 'Quỹ phường' }] }, ['60tr', 'tiền mặt']);
    expect(flow.answers(state)).toEqual({ amount: 60_000_000n, note: 'tiền mặt' });
  });

  it('throws rather than write answers its schema does not accept (steps and schema disagree)', async () => {
    const flow = runner([]);
    const state: FlowState<Context> = {
      flow: def.id,
      version: 1,
      step: '@confirm',
      data: { amount: 'abc' },
      ctx: { levels: [{ id: 7, name: 'Quỹ phường' }] },
      reviewing: true,
    };
    await expect(flow.submit(tx, actor, state, now, inbound)).rejects.toThrow(/typed-test/);
  });
});
