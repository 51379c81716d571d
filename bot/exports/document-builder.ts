import { buildExport } from '../../core/exports/build-export.ts';
import { ZExportRequest } from '../../core/exports/export-request.ts';
import type { OutboundDocument } from '../../core/messaging/message.ts';
import type { SendResult } from '../../core/messaging/messenger.ts';
import type { Clock } from '../../core/shared/clock.ts';
import type { UnitOfWork } from '../../core/unit-of-work.ts';

/** A built file, ready to upload. */
export interface BuiltDocument {
  data: Buffer;
  fileName: string;
}

/** Builds a message's document at send time (the senders take one, so tests can pass a fake). */
export type DocumentBuilder = (document: OutboundDocument) => Promise<BuiltDocument>;

export const XLSX_MIME_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * The Excel exports from the database as it is at send time: the request is checked again (the
 * outbox row may come from an older version), read in one transaction and written with exceljs.
 * A refusal (unit or period gone) throws: the file will not build next time either.
 */
export function createExportBuilder(deps: { uow: UnitOfWork; clock: Clock }): DocumentBuilder {
  return async (document) => {
    const request = ZExportRequest.parse({ kind: document.kind, params: document.params });
    const now = deps.clock.now();
    const outcome = await deps.uow.run((tx) => buildExport(tx, request, now));
    if (!outcome.ok) {
      throw new Error(`export refused: ${outcome.refusal.code}`);
    }
    // xlsx.ts (and exceljs, ~10 MB of resident memory) loaded on the first export, as lazyRenderPng
    // does for the chart renderer: a bot that is never asked for a file does not carry it.
    const { workbookToXlsx } = await import('./xlsx.ts');
    return { data: await workbookToXlsx(outcome.workbook, now), fileName: outcome.workbook.fileName };
  };
}

/** A file that cannot be built now will not be built on a retry either: a permanent failure. */
export async function buildForSend(
  build: DocumentBuilder | undefined,
  document: OutboundDocument,
): Promise<BuiltDocument | SendResult> {
  if (!build) {
    return { ok: false, retry: false, error: 'document: this channel has no document builder' };
  }
  try {
    return await build(document);
  } catch (error) {
    return {
      ok: false,
      retry: false,
      error: `document: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
