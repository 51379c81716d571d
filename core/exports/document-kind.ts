/**
 * What a Word document kind is (core/exports/official-documents.ts lists them): its params' schema
 * and its builder. Its own file so that each kind's module (committee-report.ts,
 * acknowledgement-document.ts…) can declare itself without importing the table that imports it.
 */

import type { z } from 'zod';
import type { Tx } from '../unit-of-work.ts';
import type { OfficialDocument } from './official-document.ts';

export type OfficialDocumentOutcome =
  | { ok: true; document: OfficialDocument }
  /** The document cannot be built (its subject is gone): a permanent failure, said in `reason`. */
  | { ok: false; reason: string };

export interface OfficialDocumentKind<P> {
  params: z.ZodType<P>;
  build(tx: Tx, params: P, now: Date): Promise<OfficialDocumentOutcome>;
}
