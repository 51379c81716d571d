import { buildExport } from '../../core/exports/build-export.ts';
import { ZExportRequest } from '../../core/exports/export-request.ts';
import { buildOfficialDocument, isOfficialDocumentKind } from '../../core/exports/official-documents.ts';
import type { OutboundDocument } from '../../core/messaging/message.ts';
import type { SendResult } from '../../core/messaging/messenger.ts';
import type { Clock } from '../../core/shared/clock.ts';
import type { UnitOfWork } from '../../core/unit-of-work.ts';

/** A built file, ready to upload. */
export interface BuiltDocument {
  data: Buffer;
  fileName: string;
  /** What the file is, for channels and downloads that say it (`documentMimeType`). */
  mimeType: string;
}

/** Builds a message's document at send time (the senders take one, so tests can pass a fake). */
export type DocumentBuilder = (document: OutboundDocument) => Promise<BuiltDocument>;

export const XLSX_MIME_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const DOCX_MIME_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** The MIME type of a built file by its name: .xlsx, .docx, else a plain byte stream. */
export function documentMimeType(fileName: string): string {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.xlsx')) {
    return XLSX_MIME_TYPE;
  }
  if (lower.endsWith('.docx')) {
    return DOCX_MIME_TYPE;
  }
  return 'application/octet-stream';
}

/**
 * True when a recipe builds a Word document (a report, an acknowledgement, a commendation
 * proposal): channels that take Word files but no spreadsheets (Zalo) send those as files.
 */
export function isWordDocument(document: Pick<OutboundDocument, 'kind'>): boolean {
  return isOfficialDocumentKind(document.kind);
}

/**
 * The files of a message from the database as it is at send time, in one transaction: a Word
 * document for the recipe kinds of core/exports/official-documents.ts (written with `docx`), else
 * an Excel export (the request is checked again, the outbox row may come from an older version;
 * written with exceljs). A refusal (unit, period or receipt gone) throws: the file will not
 * build next time either.
 */
export function createExportBuilder(deps: { uow: UnitOfWork; clock: Clock }): DocumentBuilder {
  return async (document) => {
    const now = deps.clock.now();
    if (isOfficialDocumentKind(document.kind)) {
      const outcome = await deps.uow.run((tx) => buildOfficialDocument(tx, document, now));
      if (!outcome.ok) {
        throw new Error(`document refused: ${outcome.reason}`);
      }
      // docx.ts (and the docx package) loaded on the first document, as xlsx.ts below.
      const { officialDocumentToDocx } = await import('./docx.ts');
      return {
        data: await officialDocumentToDocx(outcome.document),
        fileName: outcome.document.fileName,
        mimeType: DOCX_MIME_TYPE,
      };
    }
    const request = ZExportRequest.parse({ kind: document.kind, params: document.params });
    const outcome = await deps.uow.run((tx) => buildExport(tx, request, now));
    if (!outcome.ok) {
      throw new Error(`export refused: ${outcome.refusal.code}`);
    }
    // xlsx.ts (and exceljs, ~10 MB of resident memory) loaded on the first export, as lazyRenderPng
    // does for the chart renderer: a bot that is never asked for a file does not carry it.
    const { workbookToXlsx } = await import('./xlsx.ts');
    return {
      data: await workbookToXlsx(outcome.workbook, now),
      fileName: outcome.workbook.fileName,
      mimeType: XLSX_MIME_TYPE,
    };
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
