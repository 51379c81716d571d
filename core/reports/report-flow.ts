import { z } from 'zod';
import {
  integerAnswer,
  moneyAnswer,
  zIdChoice,
  zMoney,
  zOptionalText,
  zTextWhenAsked,
} from '../flows/answers.ts';
import type { FieldValue, FlowData, FlowDef, StepDef, Text } from '../flows/flow.ts';
import type { MessageKey, Params } from '../messaging/catalog.ts';
import { formatInteger, formatMoney } from '../shared/format.ts';
import {
  COUNT_FIELDS,
  type CountField,
  MAX_HOUSEHOLDS,
  MAX_LABOUR_DAYS,
  MAX_MONEY,
  ZHouseCounts,
} from './report.ts';
import { periodHeader } from './report-texts.ts';

const digits = z.string().regex(/^\d{1,15}$/);

/** Previous figures as the flow keeps them (JSON: money as digit strings). */
const ZPreviousFigures = ZHouseCounts.extend({
  labourDays: z.number().int().min(0),
  moneyReceived: digits,
  moneyPaid: digits,
});
export type PreviousFigures = z.infer<typeof ZPreviousFigures>;

const ZReportPeriodOption = z.object({
  id: z.number().int(),
  code: z.string(),
  label: z.string(),
  dueOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  late: z.boolean(),
  /** The unit already sent a report for it: a new one becomes the next revision. */
  reported: z.boolean(),
  previous: ZPreviousFigures.nullable(),
  /** The counts the household registry gives as of the period's end; null when the unit has none. */
  registry: ZHouseCounts.nullable().default(null),
  /** The money the fund ledger shows for the unit up to the period's end (issue 5 §6); null: none. */
  ledger: z.object({ moneyReceived: digits, moneyPaid: digits }).nullable().default(null),
});
export type ReportPeriodOption = z.infer<typeof ZReportPeriodOption>;

/** What the report flow loads when it starts; checked again whenever it is read back. */
export const ZReportFlowContext = z.object({
  /** The campaign covering the unit (optional: a conversation saved before it was kept). */
  campaignId: z.number().int().optional(),
  unitId: z.number().int(),
  unitCode: z.string(),
  unitName: z.string(),
  periods: z.array(ZReportPeriodOption).min(1),
});
export type ReportFlowContext = z.infer<typeof ZReportFlowContext>;

/** The confirmed answers of the report flow, typed (money as bigint, none as '' or null). */
export const ZReportAnswers = ZHouseCounts.extend({
  period: zIdChoice.optional(),
  moneyReceived: zMoney,
  moneyPaid: zMoney,
  labourDays: z.number().int(),
  difficulties: z.string().default(''),
  proposals: z.string().default(''),
  photo: zOptionalText,
  decreaseReason: zTextWhenAsked,
  registryReason: zTextWhenAsked,
});
export type ReportAnswers = z.infer<typeof ZReportAnswers>;

export const REPORT_FLOW_ID = 'monthly-report';

function chosenPeriod(ctx: ReportFlowContext, data: FlowData): ReportPeriodOption | undefined {
  return (
    ctx.periods.find((p) => String(p.id) === data.period) ??
    (ctx.periods.length === 1 ? ctx.periods[0] : undefined)
  );
}

function previousOf(ctx: ReportFlowContext, data: FlowData): PreviousFigures | null {
  return chosenPeriod(ctx, data)?.previous ?? null;
}

const LABELS: Record<CountField, MessageKey> = {
  approvedNew: 'report.field.approvedNew',
  approvedRepair: 'report.field.approvedRepair',
  startedNew: 'report.field.startedNew',
  startedRepair: 'report.field.startedRepair',
  completedNew: 'report.field.completedNew',
  completedRepair: 'report.field.completedRepair',
  handedOverNew: 'report.field.handedOverNew',
  handedOverRepair: 'report.field.handedOverRepair',
};

const PROMPTS: Record<CountField, MessageKey> = {
  approvedNew: 'report.ask.approvedNew',
  approvedRepair: 'report.ask.approvedRepair',
  startedNew: 'report.ask.startedNew',
  startedRepair: 'report.ask.startedRepair',
  completedNew: 'report.ask.completedNew',
  completedRepair: 'report.ask.completedRepair',
  handedOverNew: 'report.ask.handedOverNew',
  handedOverRepair: 'report.ask.handedOverRepair',
};

/** Each stage of a house cannot exceed the one before it: handed over ≤ completed ≤ started ≤ approved. */
const STAGES = ['approved', 'started', 'completed', 'handedOver'] as const;

function stageCheck(field: CountField) {
  const need = field.endsWith('New') ? 'New' : 'Repair';
  const stage = STAGES.findIndex((s) => field === `${s}${need}`);
  return (value: FieldValue, data: FlowData): Text | undefined => {
    const n = integerAnswer(value) ?? 0;
    for (let i = stage - 1; i >= 0; i--) {
      const upper = `${STAGES[i]}${need}` as CountField;
      const limit = integerAnswer(data[upper]);
      if (limit !== undefined && n > limit) {
        return {
          key: 'report.rule.exceeds',
          params: { field: fieldName(field), other: fieldName(upper), limit: formatInteger(limit) },
        };
      }
    }
    for (let i = stage + 1; i < STAGES.length; i++) {
      const lower = `${STAGES[i]}${need}` as CountField;
      const floor = integerAnswer(data[lower]);
      if (floor !== undefined && n < floor) {
        return {
          key: 'report.rule.below',
          params: { field: fieldName(field), other: fieldName(lower), limit: formatInteger(floor) },
        };
      }
    }
    return undefined;
  };
}

function fieldName(field: CountField): { key: MessageKey } {
  return { key: LABELS[field] };
}

function keepPrevious(field: keyof PreviousFigures) {
  return (ctx: ReportFlowContext, data: FlowData) => {
    const previous = previousOf(ctx, data);
    const options = [];
    if (previous) {
      const before = previous[field];
      const shown = typeof before === 'string' ? formatMoney(BigInt(before)) : formatInteger(before);
      options.push({ id: String(before), label: `↩︎ ${shown}` });
    }
    if (!previous || String(previous[field]) !== '0') {
      options.push({ id: '0', label: '0' });
    }
    return options;
  };
}

/** The ledger's figure first (one tap confirms it), then the previous report's and 0. */
function ledgerOrPrevious(field: 'moneyReceived' | 'moneyPaid') {
  const previousOrZero = keepPrevious(field);
  return (ctx: ReportFlowContext, data: FlowData) => {
    const ledger = chosenPeriod(ctx, data)?.ledger;
    const options = previousOrZero(ctx, data);
    if (!ledger) {
      return options;
    }
    const value = ledger[field];
    return [
      { id: value, label: `📒 ${formatMoney(BigInt(value))}` },
      ...options.filter((o) => o.id !== value),
    ];
  };
}

function ledgerParam(ctx: ReportFlowContext, data: FlowData, field: 'moneyReceived' | 'moneyPaid'): Params {
  const ledger = chosenPeriod(ctx, data)?.ledger;
  return ledger
    ? { ledger: { key: 'report.ledger', params: { value: formatMoney(BigInt(ledger[field])) } } }
    : { ledger: '' };
}

function registryOf(ctx: ReportFlowContext, data: FlowData): Record<CountField, number> | null {
  return chosenPeriod(ctx, data)?.registry ?? null;
}

function countStep(field: CountField): StepDef<ReportFlowContext> {
  const previousOrZero = keepPrevious(field);
  return {
    key: field,
    kind: 'integer',
    label: LABELS[field],
    prompt: (ctx, data) => {
      const registry = registryOf(ctx, data);
      const params: Params = { ...previousParam(ctx, data, field), registry: '' };
      if (registry) {
        params.registry = { key: 'report.registry', params: { value: formatInteger(registry[field]) } };
      }
      return { key: PROMPTS[field], params };
    },
    max: MAX_HOUSEHOLDS,
    // The registry's count first: confirming it is one tap.
    choices: (ctx, data) => {
      const registry = registryOf(ctx, data);
      const options = previousOrZero(ctx, data);
      if (!registry) {
        return options;
      }
      const value = String(registry[field]);
      return [
        { id: value, label: `📋 ${formatInteger(registry[field])}` },
        ...options.filter((o) => o.id !== value),
      ];
    },
    check: stageCheck(field),
  };
}

/** The counts where the answer differs from the registry: they need a reason, which is kept. */
export function registryDifferences(ctx: ReportFlowContext, data: FlowData): CountField[] {
  const registry = registryOf(ctx, data);
  if (!registry) {
    return [];
  }
  return COUNT_FIELDS.filter((f) => {
    const answer = integerAnswer(data[f]);
    return answer !== undefined && answer !== registry[f];
  });
}

function previousParam(ctx: ReportFlowContext, data: FlowData, field: keyof PreviousFigures): Params {
  const previous = previousOf(ctx, data);
  if (!previous) {
    return { previous: '' };
  }
  const value = previous[field];
  const shown = typeof value === 'string' ? formatMoney(BigInt(value)) : formatInteger(value);
  return { previous: { key: 'report.previous', params: { value: shown } } };
}

/** The fields where the answer is lower than the previous report: they need a reason. */
export function decreasedFields(ctx: ReportFlowContext, data: FlowData): string[] {
  const previous = previousOf(ctx, data);
  if (!previous) {
    return [];
  }
  const fields: (keyof PreviousFigures)[] = [...COUNT_FIELDS, 'labourDays', 'moneyReceived', 'moneyPaid'];
  return fields.filter((f) => {
    const before = previous[f];
    // Money is kept as digits (moneyReceived, moneyPaid), everything else as whole numbers.
    const answer = typeof before === 'string' ? moneyAnswer(data[f]) : integerAnswer(data[f]);
    return answer !== undefined && BigInt(answer) < BigInt(before);
  });
}

export const reportFlow: FlowDef<ReportFlowContext> = {
  id: REPORT_FLOW_ID,
  version: 3,
  title: 'report.title',
  // "1/14." … "14/14.": the edit list gives each answer its question's number.
  numbered: true,
  summaryHeader: (ctx, data) => periodHeader(ctx.unitName, chosenPeriod(ctx, data)),
  steps: [
    {
      key: 'period',
      kind: 'choice',
      label: 'report.field.period',
      prompt: () => ({ key: 'report.ask.period' }),
      choices: (ctx) =>
        ctx.periods.map((p) => ({
          id: String(p.id),
          label: `${p.label}${p.late ? ' ⏰' : ''}${p.reported ? ' ✔︎' : ''}`,
        })),
      when: (ctx) => ctx.periods.length > 1,
      aside: true,
    },
    ...COUNT_FIELDS.map(countStep),
    {
      key: 'moneyReceived',
      kind: 'money',
      label: 'report.field.moneyReceived',
      prompt: (ctx, data) => ({
        key: 'report.ask.moneyReceived',
        params: { ...previousParam(ctx, data, 'moneyReceived'), ...ledgerParam(ctx, data, 'moneyReceived') },
      }),
      maxMoney: MAX_MONEY,
      choices: ledgerOrPrevious('moneyReceived'),
      check: (value, data) => {
        const paid = moneyAnswer(data.moneyPaid);
        return paid !== undefined && (moneyAnswer(value) ?? 0n) < paid
          ? { key: 'report.rule.received_below_paid', params: { paid: formatMoney(paid) } }
          : undefined;
      },
    },
    {
      key: 'moneyPaid',
      kind: 'money',
      label: 'report.field.moneyPaid',
      prompt: (ctx, data) => ({
        key: 'report.ask.moneyPaid',
        params: { ...previousParam(ctx, data, 'moneyPaid'), ...ledgerParam(ctx, data, 'moneyPaid') },
      }),
      maxMoney: MAX_MONEY,
      choices: ledgerOrPrevious('moneyPaid'),
      check: (value, data) => {
        const received = moneyAnswer(data.moneyReceived);
        return received !== undefined && (moneyAnswer(value) ?? 0n) > received
          ? { key: 'report.rule.paid_above_received', params: { received: formatMoney(received) } }
          : undefined;
      },
    },
    {
      key: 'labourDays',
      kind: 'integer',
      label: 'report.field.labourDays',
      prompt: (ctx, data) => ({
        key: 'report.ask.labourDays',
        params: previousParam(ctx, data, 'labourDays'),
      }),
      max: MAX_LABOUR_DAYS,
      choices: keepPrevious('labourDays'),
    },
    {
      key: 'difficulties',
      kind: 'text',
      label: 'report.field.difficulties',
      prompt: () => ({ key: 'report.ask.difficulties' }),
      optional: true,
      maxLength: 1000,
    },
    {
      key: 'proposals',
      kind: 'text',
      label: 'report.field.proposals',
      prompt: () => ({ key: 'report.ask.proposals' }),
      optional: true,
      maxLength: 1000,
    },
    {
      key: 'photo',
      kind: 'photo',
      label: 'report.field.photo',
      prompt: () => ({ key: 'report.ask.photo' }),
      optional: true,
    },
    {
      key: 'decreaseReason',
      kind: 'text',
      label: 'report.field.decreaseReason',
      prompt: (ctx, data) => ({
        key: 'report.ask.decreaseReason',
        params: { fields: decreasedFields(ctx, data).map((f) => ({ key: fieldLabel(f) })) },
      }),
      maxLength: 1000,
      when: (ctx, data) => decreasedFields(ctx, data).length > 0,
      aside: true,
    },
    {
      key: 'registryReason',
      kind: 'text',
      label: 'report.field.registryReason',
      prompt: (ctx, data) => ({
        key: 'report.ask.registryReason',
        params: { fields: registryDifferences(ctx, data).map((f) => ({ key: LABELS[f] })) },
      }),
      maxLength: 1000,
      when: (ctx, data) => registryDifferences(ctx, data).length > 0,
      aside: true,
    },
  ],
};

function fieldLabel(field: string): MessageKey {
  return field in LABELS ? LABELS[field as CountField] : (`report.field.${field}` as MessageKey);
}
