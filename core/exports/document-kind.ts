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

/**
 * A kind whose builder gives the document, or undefined when its subject is gone; `gone` says
 * which subject (the failure's reason).
 */
export function documentKind<P>(
  params: z.ZodType<P>,
  build: (tx: Tx, params: P, now: Date) => Promise<OfficialDocument | undefined>,
  gone: (params: P) => string,
): OfficialDocumentKind<P> {
  return {
    params,
    async build(tx, values, now) {
      const document = await build(tx, values, now);
      return document ? { ok: true, document } : { ok: false, reason: gone(values) };
    },
  };
}
