/**
 * The Word documents the committee issues (issue 16 §3), by recipe kind. A message carries the
 * recipe (kind + params, plain JSON) in the outbox, and the channel's document builder
 * (bot/exports/document-builder.ts) builds the document when it sends: it parses the params with
 * the kind's schema, builds the model in one read transaction, and writes it with `docx`
 * (bot/exports/docx.ts). The CLI and the sample script build the same models.
 *
 * Each kind is listed in KINDS below: 'committee-report' (the area's six-monthly or final report),
 * 'acknowledgement' (a letter for one receipt), 'commendation' (the proposal for commendation).
 */

import type { Tx } from '../unit-of-work.ts';
import { acknowledgementDocument } from './acknowledgement-document.ts';
import { commendationDocument } from './commendation-document.ts';
import { committeeReportDocument } from './committee-report.ts';
import type { OfficialDocumentKind, OfficialDocumentOutcome } from './document-kind.ts';

export type { OfficialDocumentKind, OfficialDocumentOutcome } from './document-kind.ts';

/** A kind's entry, its params' type erased (each builder checks its own params with its schema). */
export function kind<P>(spec: OfficialDocumentKind<P>): OfficialDocumentKind<unknown> {
  return spec as OfficialDocumentKind<unknown>;
}

/** The kinds, by recipe kind. An unknown kind is not a Word document (the Excel exports are not here). */
const KINDS: Record<string, OfficialDocumentKind<unknown>> = {
  'committee-report': kind(committeeReportDocument),
  acknowledgement: kind(acknowledgementDocument),
  commendation: kind(commendationDocument),
};

/** The registered kinds, in the table's order (the sample script builds each). */
export function officialDocumentKinds(): string[] {
  return Object.keys(KINDS);
}

/** True when the recipe's kind is a Word document of this module. */
export function isOfficialDocumentKind(recipeKind: string): boolean {
  return Object.hasOwn(KINDS, recipeKind);
}

/** Builds a recipe's document: the params parsed with its kind's schema. */
export async function buildOfficialDocument(
  tx: Tx,
  recipe: { kind: string; params: unknown },
  now: Date,
): Promise<OfficialDocumentOutcome> {
  const spec = Object.hasOwn(KINDS, recipe.kind) ? KINDS[recipe.kind] : undefined;
  if (!spec) {
    return { ok: false, reason: `unknown document kind ${recipe.kind}` };
  }
  const parsed = spec.params.safeParse(recipe.params);
  if (!parsed.success) {
    return { ok: false, reason: `bad params for ${recipe.kind}` };
  }
  return spec.build(tx, parsed.data, now);
}
