/**
 * An administrative document as a Front committee issues it (Decree 30/2020/NĐ-CP, Appendix I, as
 * the MTTQ's format guide applies it), without any document library: core/exports/* build it from
 * the database, bot/exports/docx.ts writes it with `docx`, and the Excel writer puts the same
 * heading and footer around its tables. Keeping it pure lets tests check every block without
 * opening a file.
 *
 *   ỦY BAN MTTQ VIỆT NAM              CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
 *    TỈNH THÁI NGUYÊN                     Độc lập - Tự do - Hạnh phúc
 *    BAN THƯỜNG TRỰC                      ───────────────────────────
 *        ─────
 *  Số: 12/BC-MTTQ-BTT              Thái Nguyên, ngày 06 tháng 12 năm 2026
 *
 *                              BÁO CÁO
 *        Kết quả thực hiện Kế hoạch … 6 tháng đầu năm 2025
 *                               ─────
 *  body …
 *  Nơi nhận:                                    TM. BAN THƯỜNG TRỰC
 *  - …;                                             CHỦ TỊCH
 *  - Lưu: VT.                                    (chữ ký, đóng dấu)
 *                                                  Nguyễn Văn A
 */

import type { DocumentSettings } from '../campaigns/sections.ts';
import { fromIsoDate } from '../shared/calendar.ts';
import { formatDateLong } from '../shared/format.ts';
import type { DocumentFooter, DocumentHeading } from './document-blocks.ts';
import type { ExportColumn, ExportRow } from './sheet.ts';

export const NATIONAL_TITLE = 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM';
export const NATIONAL_MOTTO = 'Độc lập - Tự do - Hạnh phúc';
export const RECIPIENTS_LABEL = 'Nơi nhận:';
export const FILED_LINE = 'Lưu: VT.';

/** The type abbreviations used in numbers ("Số: 12/BC-MTTQ-BTT"). */
export const DOCUMENT_TYPES = {
  report: { code: 'BC', title: 'BÁO CÁO' },
  acknowledgement: { code: 'GXN', title: 'GIẤY XÁC NHẬN' },
  commendation: { code: 'TTr', title: 'TỜ TRÌNH' },
  table: { code: 'BC', title: 'BIỂU TỔNG HỢP' },
} as const;
export type DocumentType = keyof typeof DOCUMENT_TYPES;

export type { DocumentFooter, DocumentHeading } from './document-blocks.ts';

export type DocumentBlock =
  /** "I. KẾT QUẢ THỰC HIỆN" (level 1, bold), "1. Công tác vận động" (level 2, bold). */
  | { kind: 'heading'; text: string; level: 1 | 2 }
  | { kind: 'paragraph'; text: string; italic?: boolean; bold?: boolean }
  /** "- " items, each a paragraph. */
  | { kind: 'bullets'; items: string[] }
  /** A table in the export model: numbered columns, totals row when given. */
  | { kind: 'table'; columns: ExportColumn[]; rows: ExportRow[]; totals?: ExportRow };

export interface OfficialDocument {
  /** ASCII, ends in .docx. */
  fileName: string;
  type: DocumentType;
  heading: DocumentHeading;
  /** "BÁO CÁO", "GIẤY XÁC NHẬN", "TỜ TRÌNH": bold, centred. */
  title: string;
  /** The summary line under the title ("Kết quả thực hiện … 6 tháng đầu năm 2025"), bold. */
  summary?: string;
  /** "Kính gửi: …" under the summary, when the document is addressed. */
  addressee?: string;
  body: DocumentBlock[];
  footer: DocumentFooter;
  /** A draft for the committee to finish: "DỰ THẢO" above the title, the number left blank. */
  draft: boolean;
  /** Wide tables: A4 landscape. */
  landscape?: boolean;
}

/** "12/BC-MTTQ-BTT"; without a number, the blank a draft leaves for the clerk: "     /BC-MTTQ-BTT". */
export function documentNumberText(number: number | undefined, type: DocumentType, symbol: string): string {
  const code = DOCUMENT_TYPES[type].code;
  return `Số: ${number === undefined ? '      ' : String(number)}/${code}-${symbol}`;
}

/** The issuing unit as documents name it: its name and the settings that override it. */
export interface IssuerUnit {
  /** "Ủy ban MTTQ Việt Nam tỉnh Thái Nguyên" (the unit's stored name). */
  name: string;
}

/** "Ủy ban MTTQ Việt Nam thành phố Bắc Kạn" → "thành phố Bắc Kạn": the place the body stands for. */
export function plainUnitName(name: string): string {
  return name.replace(/^Ủy ban MTTQ Việt Nam\s+/iu, '').trim();
}

/** "thành phố Bắc Kạn" → "Bắc Kạn": the place name before ", ngày … tháng … năm …". */
export function placeOf(name: string): string {
  return plainUnitName(name)
    .replace(/^(thành phố|thị xã|thị trấn|tỉnh|huyện|quận|phường|xã|đặc khu)\s+/iu, '')
    .trim();
}

/** Which body issues: the standing committee (reports, proposals, tables) or the fund's board (letters). */
export type IssuingBody = 'standing' | 'fund';

/**
 * The heading of a document issued by `unit`'s committee on `today` (ISO day): the campaign's
 * settings where it gives them, else lines drawn from the unit's name.
 */
export function officialHeading(input: {
  settings: DocumentSettings;
  unit: IssuerUnit;
  body: IssuingBody;
  type: DocumentType;
  /** The register's number; undefined for a draft. */
  number: number | undefined;
  today: string;
}): DocumentHeading {
  const { settings, unit, body } = input;
  const issuer = settings.issuer ?? ['ỦY BAN MTTQ VIỆT NAM', plainUnitName(unit.name).toUpperCase()];
  const symbol = body === 'fund' ? settings.fundSymbol : settings.symbol;
  return {
    issuer: [...issuer, body === 'fund' ? settings.fundBody : settings.standingBody],
    number: documentNumberText(input.number, input.type, symbol),
    nationalTitle: settings.nationalTitle,
    placeAndDate: `${settings.place ?? placeOf(unit.name)}, ${formatDateLong(fromIsoDate(input.today))}`,
  };
}

/** The footer: the campaign's recipients for this type ("Lưu: VT." last) and the body's signer. */
export function officialFooter(
  settings: DocumentSettings,
  type: DocumentType,
  body: IssuingBody,
  defaultRecipients: readonly string[] = [],
): DocumentFooter {
  const listed = settings.recipients[type] ?? defaultRecipients;
  const recipients = listed.filter((r) => !/^lưu\b/iu.test(r.trim()));
  const filed = listed.find((r) => /^lưu\b/iu.test(r.trim())) ?? FILED_LINE;
  return {
    recipients: [...recipients, filed],
    signature: body === 'fund' ? settings.fundSigner : settings.signer,
  };
}

/** The "Nơi nhận" lines as printed: "- Như trên;" each, the last ending with "." ("- Lưu: VT."). */
export function recipientLines(recipients: readonly string[]): string[] {
  return recipients.map((line, i) => {
    const bare = line.trim().replace(/[;.,\s]+$/u, '');
    return `- ${bare}${i === recipients.length - 1 ? '.' : ';'}`;
  });
}
