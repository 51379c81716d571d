/**
 * The heading and footer blocks of an administrative document (Decree 30/2020/NĐ-CP), shared by
 * the Word documents (core/exports/official-document.ts) and the Excel tables
 * (core/exports/sheet.ts, `ExportWorkbook`). Its own file so that neither imports the other.
 */

import type { Signature } from '../campaigns/sections.ts';

/** The blocks above the title. */
export interface DocumentHeading {
  /** The issuing body, upper case, one line each; the last (the standing body) is bold, a short rule under it. */
  issuer: string[];
  /** "Số: 12/BC-MTTQ-BTT"; a draft leaves the number blank: "Số:      /BC-MTTQ-BTT". */
  number: string;
  /** Shown on the right: the national title and motto (Decree 30/2020), when the campaign uses them. */
  nationalTitle: boolean;
  /** "Thái Nguyên, ngày 06 tháng 12 năm 2026", italic on the right. */
  placeAndDate: string;
}

/** The blocks under the body. */
export interface DocumentFooter {
  /** "Nơi nhận:" lines, without the leading "- "; the last is "Lưu: VT.". */
  recipients: string[];
  signature: Signature;
}
