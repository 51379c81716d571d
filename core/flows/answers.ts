import { z } from 'zod';
import type { FieldValue } from './flow.ts';

/**
 * Building blocks of the flows' answer schemas (`defineFlow`), one per way the engine stores a
 * field (flow.ts `FieldValue`): the conversion from the saved form to the typed one lives here.
 */

/** Money: digits of đồng in the saved state (JSON has no bigint), a bigint in the flow's hands. */
export const zMoney = z
  .string()
  .regex(/^\d+$/)
  .transform((digits) => BigInt(digits));

/** A choice whose option ids are database ids (a unit, a period, a fund level). */
export const zIdChoice = z
  .string()
  .regex(/^\d+$/)
  .transform((digits) => Number(digits));

/** A date answer: the engine stores it as yyyy-mm-dd. */
export const zIsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** An optional text (or photo) step: answered "none" ('') or not asked, it reads as null. */
export const zOptionalText = z
  .string()
  .optional()
  .transform((text) => (text ? text : null));

/** A text step asked only in some cases: null when it was not asked. */
export const zTextWhenAsked = z
  .string()
  .optional()
  .transform((text) => text ?? null);

/**
 * The money typed so far in a step's own callbacks (`prompt`, `when`, `check`), which see the raw
 * answers: undefined when the field is not answered (or answered "none").
 */
export function moneyAnswer(value: FieldValue | undefined): bigint | undefined {
  return typeof value === 'string' && /^\d+$/.test(value) ? BigInt(value) : undefined;
}

/** The whole number typed so far in a step's own callbacks; undefined when not answered. */
export function integerAnswer(value: FieldValue | undefined): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** The text typed so far in a step's own callbacks; undefined when not answered. */
export function textAnswer(value: FieldValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
