import fs from 'node:fs';
import { z } from 'zod';
import type { OfficialDocument } from '../../core/exports/official-document.ts';
import { buildOfficialDocument, officialDocumentKinds } from '../../core/exports/official-documents.ts';
import { type CliContext, storeOf, UsageError } from './context.ts';

/**
 * Writes the Word document a recipe describes (core/exports/official-documents.ts: its kind and
 * params, as a message's document carries them) to `outPath`: built with `buildOfficialDocument`
 * in one transaction at `ctx.now`, written by bot/exports/docx.ts. Returns the document's model
 * (its title, number and draft flag, for the command's own message). A document that cannot be
 * built (unknown kind, bad params, its subject gone) is a UsageError with the builder's reason.
 *
 * For the lanes' commands: `await writeOfficialDocument(ctx, { kind: 'acknowledgement', params },
 * file)`.
 */
export async function writeOfficialDocument(
  ctx: CliContext,
  recipe: { kind: string; params: unknown },
  outPath: string,
): Promise<OfficialDocument> {
  const outcome = await storeOf(ctx).run((tx) => buildOfficialDocument(tx, recipe, ctx.now));
  if (!outcome.ok) {
    throw new UsageError(`không lập được văn bản ${recipe.kind}: ${outcome.reason}`);
  }
  // Loaded here, not with the CLI: the docx package costs every other command its start-up time.
  const { officialDocumentToDocx } = await import('../../bot/exports/docx.ts');
  fs.writeFileSync(outPath, await officialDocumentToDocx(outcome.document));
  return outcome.document;
}

/** The lines a command prints after writing a document: where, what, its number, a draft's note. */
export function documentWrittenLines(document: OfficialDocument, outPath: string): string[] {
  const what = [document.title, document.summary].filter(Boolean).join(' – ');
  return [
    `Đã ghi văn bản ra ${outPath}:`,
    `  ${what}`,
    `  ${document.heading.number}; ${document.heading.placeAndDate}`,
    ...(document.draft
      ? ['  Đây là DỰ THẢO: số văn bản để trống, Ban Thường trực hoàn thiện trước khi ký.']
      : []),
  ];
}

/** `document <kind> --params '<json>' --out <file.docx>`. */
export const ZDocumentArgs = z.object({
  kind: z.string({ error: 'thiếu loại văn bản sau "document"' }).trim().min(1, 'thiếu loại văn bản'),
  params: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) {
        return {};
      }
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `--params phải là JSON, ví dụ '{"unitId": 2}'` });
        return z.NEVER;
      }
    }),
  out: z
    .string({
      error: "thiếu --out <tệp.docx>: npm run cli -- document <loại> --params '<json>' --out <tệp.docx>",
    })
    .trim()
    .regex(/\.docx$/i, 'tệp văn bản phải có đuôi .docx'),
});
export type DocumentArgs = z.output<typeof ZDocumentArgs>;

/**
 * `document <kind> --params '<json>' --out <file.docx>`: any registered Word document (the
 * committee's report, an acknowledgement letter, the commendation proposal) from its recipe, as
 * the bot would send it now.
 */
export async function documentCommand(ctx: CliContext, args: DocumentArgs): Promise<void> {
  const kinds = officialDocumentKinds();
  if (!kinds.includes(args.kind)) {
    throw new UsageError(`không có loại văn bản "${args.kind}". Dùng: ${kinds.join(', ') || '(chưa có)'}`);
  }
  const document = await writeOfficialDocument(ctx, { kind: args.kind, params: args.params }, args.out);
  for (const line of documentWrittenLines(document, args.out)) {
    ctx.out(line);
  }
}
