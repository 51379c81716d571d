import { z } from 'zod';
import { zIdChoice, zMoney, zOptionalText } from '../flows/answers.ts';
import { DONOR_KINDS, PLEDGE_KINDS } from './fund.repository.ts';

/** What the pledge flow (pledge-flow.ts) keeps while it asks, and its confirmed answers (pledge-record.ts). */

const ZOption = z.object({ id: z.number(), name: z.string() });
/** A fund level, with the campaign it receives for when the donor chooses among several. */
const ZLevel = ZOption.extend({ campaignId: z.number().optional() });

export const ZPledgeContext = z.object({
  campaignId: z.number(),
  mode: z.enum(['org', 'donor']),
  /** A stranger: asked for a name and a phone number, registered as a donor on confirmation. */
  guest: z.boolean(),
  orgUnitId: z.number().nullable(),
  orgName: z.string().nullable(),
  levels: z.array(ZLevel),
  /** The open campaigns a donor with no unit chooses from (asked only when there are several). */
  campaigns: z.array(ZOption).default([]),
  /** Wards and communes a pledge may be meant for, per fund level id. */
  targets: z.record(z.string(), z.array(ZOption)),
  knownName: z.string().nullable(),
  today: z.string(),
  editing: z.object({ id: z.number(), ref: z.string() }).nullable(),
  /** A household code typed but not found (asked again with this note). */
  householdMissing: z.string().nullable(),
  household: z.object({ id: z.number(), label: z.string() }).nullable(),
  /** The appeal (Thư kêu gọi) whose link or button opened the flow: the pledge is attributed to it. */
  appeal: z.object({ id: z.number(), code: z.string() }).nullable().default(null),
});
export type PledgeContext = z.infer<typeof ZPledgeContext>;

/** The confirmed answers: which of them exist depends on the mode and the kind of pledge. */
export const ZPledgeAnswers = z.object({
  donorKind: z.enum(DONOR_KINDS).optional(),
  donorName: z.string().optional(),
  phone: z.string().optional(),
  workplace: z.string().optional(),
  kind: z.enum(PLEDGE_KINDS),
  amount: zMoney.optional(),
  description: z.string().optional(),
  quantity: z.number().int().optional(),
  quantityUnit: z.string().optional(),
  value: zMoney.optional(),
  campaign: zIdChoice.optional(),
  level: zIdChoice.optional(),
  target: zIdChoice.optional(),
  householdCode: z.string().optional(),
  dueOn: zOptionalText,
  publicName: z.boolean(),
});
export type PledgeAnswers = z.infer<typeof ZPledgeAnswers>;
