import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONFIRM_STEP, EDIT_STEP, type FlowData, type FlowState } from '../../core/flows/flow.ts';
import type { Inbound, Outbound } from '../../core/messaging/message.ts';
import { MAX_HOUSEHOLDS, MAX_LABOUR_DAYS, MAX_MONEY, ZReportFigures } from '../../core/reports/report.ts';
import { type ReportFlowContext, reportFlow } from '../../core/reports/report-flow.ts';
import { normalizeVi } from '../../core/shared/parse.ts';
import { choiceFrom, photoFrom, type TestUser, testUser, textFrom } from '../../core/testing/builders.ts';
import { addMember, createInboundHarness } from '../support/inbound-harness.ts';

/** One message of a random conversation. */
type Action =
  | { kind: 'text'; text: string }
  | { kind: 'button'; id: string }
  | { kind: 'photo'; fileId: string }
  | { kind: 'valid'; pick: number };

const EXPECTED_TEXT = '⚠️ Câu hỏi này cần trả lời bằng chữ hoặc bấm nút.';

const TRICKY = [
  '-5',
  'abc',
  '1e9',
  '12,5',
  '👍',
  `'; DROP TABLE x; --"`,
  '99999999999',
  '0',
  '1',
  '2',
  '3',
  '15',
  'co',
  'ok',
  'sửa',
  'hủy',
  'không',
  'Không có',
  '60tr',
  '1,5 tỷ',
  '1.500.000',
  '',
  ' ',
  '\u0000',
  '\ud800',
  'x'.repeat(5000),
];

const BUTTONS = [
  'period:1',
  'approvedNew:0',
  'startedNew:0',
  'moneyPaid:0',
  'labourDays:0',
  'difficulties:',
  'proposals:',
  'photo:',
  'photo:x',
  'decreaseReason:',
  '@confirm:yes',
  '@confirm:edit',
  '@confirm:cancel',
  '@confirm:',
  '@edit:approvedNew',
  '@edit:moneyReceived',
  '@edit:back',
  '@edit:nothing',
  'nonsense',
];

const arbText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...TRICKY),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.integer({ min: -10, max: 200_000 }).map(String),
  fc.string({ minLength: 990, maxLength: 1010 }),
);

/** Channel file ids: Telegram's opaque ids, Zalo's URLs, and odd ones. */
const arbFileId: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^AgAC[A-Za-z0-9_-]{4,60}$/),
  fc.webUrl(),
  fc.string({ minLength: 1, maxLength: 30 }),
);

const arbNoise: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: arbText.map((text): Action => ({ kind: 'text', text })), weight: 4 },
  { arbitrary: fc.constantFrom(...BUTTONS).map((id): Action => ({ kind: 'button', id })), weight: 1 },
  { arbitrary: arbFileId.map((fileId): Action => ({ kind: 'photo', fileId })), weight: 1 },
);

/**
 * Rounds of up to three random messages, usually followed by a valid answer, so that a run gets
 * through the questions to the summary (and past it) with noise at every step.
 */
const arbConversation: fc.Arbitrary<Action[]> = fc
  .array(
    fc.record({
      noise: fc.array(arbNoise, { maxLength: 3 }),
      valid: fc.integer({ min: 0, max: 9 }).map((n) => n < 8),
      pick: fc.nat(),
    }),
    { minLength: 15, maxLength: 45 },
  )
  .map((rounds) =>
    rounds.flatMap(({ noise, valid, pick }) =>
      valid ? [...noise, { kind: 'valid', pick } satisfies Action] : noise,
    ),
  );

const COUNT_CHAINS = [
  ['approvedNew', 'startedNew', 'completedNew', 'handedOverNew'],
  ['approvedRepair', 'startedRepair', 'completedRepair', 'handedOverRepair'],
] as const;

/**
 * A message the current step accepts given the answers so far, as a careful officer would send it.
 * At the summary and in the edit menu `pick` chooses between sending, editing and the fields.
 */
function validMessage(user: TestUser, state: FlowState, pick: number): Inbound {
  const ctx = state.ctx as ReportFlowContext;
  if (state.step === CONFIRM_STEP) {
    return pick % 4 === 0 ? choiceFrom(user, '@confirm:edit') : textFrom(user, 'Gửi');
  }
  if (state.step === EDIT_STEP) {
    const fields = reportFlow.steps.filter(
      (s) => state.data[s.key] !== undefined && isAsked(s.key, ctx, state.data),
    );
    const field = fields[pick % (fields.length + 1)];
    return choiceFrom(user, field ? `@edit:${field.key}` : '@edit:back');
  }
  if (state.step === 'photo') {
    // A photo, or no photo typed or pressed.
    return [photoFrom(user, `photo-${pick}`), textFrom(user, 'Không có'), choiceFrom(user, 'photo:')][
      pick % 3
    ] as Inbound;
  }
  return textFrom(user, validAnswer(state));
}

function validAnswer(state: FlowState): string {
  const { data } = state;
  for (const chain of COUNT_CHAINS) {
    const stage = (chain as readonly string[]).indexOf(state.step);
    if (stage === 0) {
      return '20';
    }
    if (stage > 0) {
      return String(data[chain[stage - 1] ?? ''] ?? 0);
    }
  }
  const fixed: Record<string, string> = {
    period: '1',
    moneyReceived: data.moneyPaid === undefined ? '90tr' : String(data.moneyPaid),
    moneyPaid: data.moneyReceived === undefined ? '0' : String(data.moneyReceived),
    labourDays: '300',
    difficulties: 'Không có',
    proposals: 'Xin thêm kinh phí',
    decreaseReason: 'Rà soát lại',
  };
  return fixed[state.step] ?? '';
}

function isAsked(key: string, ctx: ReportFlowContext, data: FlowData): boolean {
  const step = reportFlow.steps.find((s) => s.key === key);
  return step?.when ? step.when(ctx, data) : true;
}

/** Where the flow should be after `data` changed: the first question still open, else the summary. */
function nextStep(ctx: ReportFlowContext, data: FlowData): string {
  return (
    reportFlow.steps.find((s) => isAsked(s.key, ctx, data) && data[s.key] === undefined)?.key ?? CONFIRM_STEP
  );
}

/** Whether `value` is something the step may store (independent of how it was typed). */
function isValidValue(key: string, value: unknown, ctx: ReportFlowContext): boolean {
  const step = reportFlow.steps.find((s) => s.key === key);
  if (!step) {
    return false;
  }
  switch (step.kind) {
    case 'choice':
      return ctx.periods.some((p) => String(p.id) === value);
    case 'integer': {
      const max = key === 'labourDays' ? MAX_LABOUR_DAYS : MAX_HOUSEHOLDS;
      return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;
    }
    case 'money':
      return typeof value === 'string' && /^\d+$/.test(value) && BigInt(value) <= MAX_MONEY;
    case 'text':
      return (
        typeof value === 'string' &&
        value.length <= 1000 &&
        value === value.trim() &&
        (value !== '' || step.optional === true)
      );
    case 'photo':
      return typeof value === 'string' && (value !== '' || step.optional === true);
    default:
      return false;
  }
}

/** The cross-field rules hold for whatever has been answered. */
function isConsistent(data: FlowData): boolean {
  for (const chain of COUNT_CHAINS) {
    for (let i = 0; i < chain.length; i++) {
      for (let j = i + 1; j < chain.length; j++) {
        const upper = data[chain[i] ?? ''];
        const lower = data[chain[j] ?? ''];
        if (upper !== undefined && lower !== undefined && Number(lower) > Number(upper)) {
          return false;
        }
      }
    }
  }
  const { moneyReceived, moneyPaid } = data;
  return moneyReceived === undefined || moneyPaid === undefined || BigInt(moneyPaid) <= BigInt(moneyReceived);
}

const YES_WORDS = ['1', 'gui', 'xac nhan', 'dong y', 'ok', 'co', 'c', 'yes'];
const CANCEL_WORDS = ['3', 'huy', 'huy bo', 'cancel'];

function confirmIntent(inbound: Inbound): 'yes' | 'cancel' | 'other' {
  if (inbound.kind === 'photo') {
    return 'other';
  }
  if (inbound.kind === 'choice') {
    return inbound.choiceId === '@confirm:yes'
      ? 'yes'
      : inbound.choiceId === '@confirm:cancel'
        ? 'cancel'
        : 'other';
  }
  const said = normalizeVi(inbound.text ?? '');
  return YES_WORDS.includes(said) ? 'yes' : CANCEL_WORDS.includes(said) ? 'cancel' : 'other';
}

function checkTransition(
  before: FlowState,
  after: FlowState | undefined,
  sent: { inbound: Inbound; replies: Outbound[] },
  submitted: boolean,
): void {
  const { inbound } = sent;
  const ctx = before.ctx as ReportFlowContext;
  if (before.step === CONFIRM_STEP) {
    const intent = confirmIntent(inbound);
    if (after === undefined) {
      expect(intent).not.toBe('other');
      expect(submitted).toBe(intent === 'yes');
      return;
    }
    expect(submitted).toBe(false);
    expect(intent).toBe('other');
    expect(after.data).toEqual(before.data);
    expect([CONFIRM_STEP, EDIT_STEP]).toContain(after.step);
    return;
  }
  expect(submitted).toBe(false);
  expect(after).toBeDefined();
  if (after === undefined) {
    return;
  }
  expect(after.ctx).toEqual(before.ctx);
  if (before.step === EDIT_STEP) {
    // Choosing a field, going back, or staying in the menu; never a change of the answers.
    expect(after.data).toEqual(before.data);
    const editable = Object.keys(before.data).filter((k) => isAsked(k, ctx, before.data));
    expect([EDIT_STEP, CONFIRM_STEP, ...editable]).toContain(after.step);
    return;
  }
  const unchanged = after.step === before.step && JSON.stringify(after.data) === JSON.stringify(before.data);
  if (inbound.kind === 'photo' && before.step !== 'photo') {
    // Only the photo step takes a photo; any other question is asked again.
    expect(unchanged).toBe(true);
    expect(sent.replies.map((r) => r.text.split('\n')[0])).toEqual([EXPECTED_TEXT]);
  }
  if (unchanged) {
    expect(after.reviewing).toBe(before.reviewing);
    return;
  }
  // Advanced by exactly one valid answer to the step that was asked.
  const { [before.step]: answer, ...rest } = after.data;
  const { [before.step]: _previousAnswer, ...restBefore } = before.data;
  expect(rest).toEqual(restBefore);
  expect(isValidValue(before.step, answer, ctx)).toBe(true);
  if (before.step === 'photo') {
    // The file id of the photo sent, or '' for "none" typed or pressed.
    expect(answer).toBe(inbound.kind === 'photo' ? inbound.media?.fileId : '');
  }
  expect(isConsistent(after.data)).toBe(true);
  expect(after.step).toBe(nextStep(ctx, after.data));
}

describe('handleInbound with random answers at every step of the report flow (property)', () => {
  it('never throws, moves at most one valid step per message, and stores a report only when confirmed', {
    // Every message of 60 random conversations goes through a real database (~30 s on SQLite).
    timeout: 300_000,
  }, async () => {
    // One database for every run; each run has a ward and an officer of its own.
    const h = await createInboundHarness();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(arbConversation, async (actions) => {
        run += 1;
        const unit = await h.addUnit({ code: `P${run}`, name: `Phường Thử ${run}` });
        const officer = testUser(`5${String(run).padStart(3, '0')}`);
        const person = await addMember(h, officer, unit.id);
        const auditBefore = Math.max(0, ...(await h.auditAfter(0)).map((a) => a.id));
        // A January report, so that lower February figures ask for a reason.
        await h.addReport({
          approvedNew: 15,
          approvedRepair: 15,
          startedNew: 8,
          startedRepair: 8,
          completedNew: 4,
          completedRepair: 4,
          handedOverNew: 1,
          handedOverRepair: 1,
          moneyReceived: 80_000_000n,
          moneyPaid: 40_000_000n,
          labourDays: 250,
          difficulties: '',
          proposals: '',
          decreaseReason: null,
          ref: `BC-202501-${unit.code}-1`,
          periodId: h.demo.period('2025-01').id,
          unitId: unit.id,
          personId: person.id,
          revision: 1,
          late: false,
          channel: 'telegram',
          registryReason: null,
          photos: [],
          submittedAt: new Date('2025-02-10T03:00:00Z'),
        });
        const menuButton = `menu:report:${unit.id}`;

        for (const action of actions) {
          const before = await h.flowOf(officer);
          if (!before) {
            await h.send(choiceFrom(officer, menuButton));
            const opened = await h.flowOf(officer);
            expect(opened?.step).toBe('period');
            expect(opened?.data).toEqual({});
            continue;
          }
          let inbound: Inbound;
          if (action.kind === 'text') {
            inbound = textFrom(officer, action.text);
          } else if (action.kind === 'button') {
            inbound = choiceFrom(officer, action.id);
          } else if (action.kind === 'photo') {
            inbound = photoFrom(officer, action.fileId);
          } else {
            inbound = validMessage(officer, before, action.pick);
          }
          const reportsBefore = (await h.reportsOf(unit.id)).length;

          const sent = await h.send(inbound);

          expect(sent.outcome.duplicate).toBe(false);
          expect(sent.replies.length).toBeGreaterThan(0);
          for (const reply of sent.replies) {
            expect(reply.text.length).toBeGreaterThan(0);
          }
          const reports = await h.reportsOf(unit.id);
          const added = reports.length - reportsBefore;
          expect([0, 1]).toContain(added);
          checkTransition(before, await h.flowOf(officer), { inbound, replies: sent.replies }, added === 1);
          if (added === 1) {
            // The photo answered in the flow, if any, is on the report with the channel it came by.
            const photo = before.data.photo;
            expect(reports.at(-1)?.photos).toEqual(photo ? [{ channel: 'telegram', fileId: photo }] : []);
          }
        }

        // Whatever was stored passes the schema and is numbered revision after revision.
        const stored = await h.reportsOf(unit.id);
        const audit = await h.auditAfter(auditBefore);
        for (const report of stored) {
          expect(() => ZReportFigures.parse(report)).not.toThrow();
        }
        const feb = stored.filter((r) => r.periodId === h.demo.period('2025-02').id);
        expect(feb.map((r) => r.revision)).toEqual(feb.map((_, i) => i + 1));
        // Every audit row of the run is one of its reports (the seeded January one was not sent).
        const audited = audit.filter((a) => a.id > auditBefore && a.entity === 'Report');
        expect(audited).toHaveLength(stored.length - 1);
        for (const entry of audited) {
          const report = stored.find((r) => String(r.id) === entry.entityId);
          expect(entry.after).toMatchObject({ photos: report?.photos.length });
        }
      }),
      { numRuns: 60 },
    );
  });
});
