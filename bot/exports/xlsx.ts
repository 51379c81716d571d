import ExcelJS from 'exceljs';
import {
  NATIONAL_MOTTO,
  NATIONAL_TITLE,
  RECIPIENTS_LABEL,
  recipientLines,
} from '../../core/exports/official-document.ts';
import type {
  CellValue,
  ColumnFormat,
  ExportColumn,
  ExportSheet,
  ExportWorkbook,
} from '../../core/exports/sheet.ts';
import { TOTALS_LABEL } from '../../core/exports/sheet.ts';

/**
 * Writes the export model (core/exports/sheet.ts) as an .xlsx in the layout Vietnamese officials
 * print: the heading of an administrative document (the issuing body and "BAN THƯỜNG TRỰC", "Số:",
 * the national title and motto, the place and date), the report's name and period centred, a
 * bordered table with wrapped headings, a row of column numbers (1), (2), …, a bold "Tổng cộng"
 * row of formulas, the notes, then "Nơi nhận:" and the signature block; the header frozen and
 * repeated on every printed page, A4 landscape one page wide.
 *
 * Money is a number of whole đồng with the format `#,##0`. In a number format "," means "group
 * thousands with the reader's separator", so Excel and LibreOffice in Vietnamese show 1.500.000
 * and an English install shows 1,500,000: the cells stay numbers that officials can sum and copy
 * into their own templates. (`#.##0` is not a valid grouping format, and a text "1.500.000"
 * could not be added up.) The column headings say "(đồng)", so no "đ" is repeated in every cell.
 */

/** Number formats per column format; see above for why money is `#,##0`. */
export const NUMBER_FORMATS: Record<ColumnFormat, string> = {
  text: '@',
  integer: '#,##0',
  year: '0',
  money: '#,##0',
  percent: '0.0%',
  date: 'dd/mm/yyyy',
};

export const A4_PAPER = 9;
/** How wide (in characters) the left block (issuer, "Số:", "Nơi nhận") and the right one (national title, signature) are at least. */
const LEFT_BLOCK_CHARS = 40;
const RIGHT_BLOCK_CHARS = 56;
/** The short rules under the standing body and under the motto (Decree 30/2020: a solid line). */
const SHORT_RULE = '\u2500'.repeat(8);
const MOTTO_RULE = '\u2500'.repeat(26);
/** Empty rows between the signer's title and name: room for the signature and the seal. */
const SIGNATURE_SPACE = 4;

const THIN: Partial<ExcelJS.Borders> = {
  top: { style: 'thin' },
  left: { style: 'thin' },
  bottom: { style: 'thin' },
  right: { style: 'thin' },
};
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } };
const TOTALS_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF3F3F3' } };
const FONT = 'Times New Roman';

/** The .xlsx bytes of an export; `created` is stamped in the file's properties. */
export async function workbookToXlsx(model: ExportWorkbook, created: Date): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Bot MTTQ – xóa nhà tạm';
  workbook.created = created;
  workbook.modified = created;
  // The totals carry their computed results; a full calculation on load keeps them honest if a
  // reader edits a figure.
  workbook.calcProperties.fullCalcOnLoad = true;
  const names = new Set<string>();
  for (const sheet of model.sheets) {
    writeSheet(workbook.addWorksheet(uniqueName(sheet.name, names)), sheet, model);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) {
    candidate = `${name.slice(0, 31 - ` (${n})`.length)} (${n})`;
  }
  taken.add(candidate.toLowerCase());
  return candidate;
}

function writeSheet(ws: ExcelJS.Worksheet, sheet: ExportSheet, model: ExportWorkbook): void {
  const { columns } = sheet;
  const n = columns.length;
  ws.columns = columns.map((c) => ({ width: c.width }));
  const headerRow = writeTitleBlock(ws, sheet, model);

  const grouped = columns.some((c) => c.group !== undefined);
  const headerRows: [number, number] = [headerRow, grouped ? headerRow + 1 : headerRow];
  writeHeader(ws, columns, headerRows);
  const numbersRow = headerRows[1] + 1;
  const numbers = ws.getRow(numbersRow);
  columns.forEach((_c, i) => {
    const cell = numbers.getCell(i + 1);
    cell.value = `(${i + 1})`;
    cell.font = { name: FONT, italic: true, size: 10 };
    cell.alignment = { horizontal: 'center', vertical: 'middle' };
    cell.border = THIN;
  });

  const firstDataRow = numbersRow + 1;
  sheet.rows.forEach((row, r) => {
    const excelRow = ws.getRow(firstDataRow + r);
    columns.forEach((column, i) => {
      const cell = excelRow.getCell(i + 1);
      cell.value = toCell(row[column.key] ?? null, column.format);
      styleDataCell(cell, column);
    });
  });
  const lastDataRow = firstDataRow + sheet.rows.length - 1;
  let next = firstDataRow + sheet.rows.length;
  if (sheet.totals) {
    writeTotals(ws, sheet, { row: next, first: firstDataRow, last: lastDataRow });
    next += 1;
  }
  next += 1;
  for (const note of sheet.notes) {
    ws.mergeCells(next, 1, next, n);
    const cell = ws.getCell(next, 1);
    cell.value = note;
    cell.font = { name: FONT, italic: true, size: 10 };
    cell.alignment = { horizontal: 'left', vertical: 'top', wrapText: true };
    const widthChars = columns.reduce((s, c) => s + c.width, 0);
    ws.getRow(next).height = 14 * Math.max(1, Math.ceil((note.length * 1.1) / widthChars));
    next += 1;
  }
  writeFooter(ws, sheet, model, next + 1);

  ws.views = [
    {
      state: 'frozen',
      xSplit: 0,
      ySplit: numbersRow,
      topLeftCell: `A${firstDataRow}`,
      activeCell: `A${firstDataRow}`,
    },
  ];
  ws.pageSetup = {
    paperSize: A4_PAPER,
    orientation: 'landscape',
    fitToPage: true,
    fitToWidth: 1,
    // 0: as many pages down as the rows need.
    fitToHeight: 0,
    horizontalCentered: true,
    margins: { left: 0.5, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    printTitlesRow: `${headerRows[0]}:${numbersRow}`,
  };
  ws.headerFooter.oddFooter = '&C&8Trang &P/&N';
}

/** The columns of the left and right blocks of the heading and footer: [last of the left, first of the right]. */
function blockColumns(sheet: ExportSheet): [number, number] {
  const widths = sheet.columns.map((c) => c.width);
  const left = spanFromStart(widths, LEFT_BLOCK_CHARS);
  return [left, Math.max(left + 1, spanFromEnd(widths, RIGHT_BLOCK_CHARS))];
}

/** Writes `value` over columns `from`–`to` of `row` (merged), with its font and alignment. */
function put(
  ws: ExcelJS.Worksheet,
  at: { row: number; from: number; to: number },
  value: string,
  font: Partial<ExcelJS.Font>,
  horizontal: ExcelJS.Alignment['horizontal'] = 'center',
): void {
  if (at.to > at.from) {
    ws.mergeCells(at.row, at.from, at.row, at.to);
  }
  const cell = ws.getCell(at.row, at.from);
  cell.value = value;
  cell.font = { name: FONT, ...font };
  cell.alignment = { horizontal, vertical: 'middle' };
}

/**
 * The heading of Decree 30/2020 over the sheet: on the left the issuing body, upper case, its last
 * line ("BAN THƯỜNG TRỰC") bold with a short rule under it, then "Số: …"; on the right the
 * national title and the motto (bold, a rule under the motto) when the campaign uses them, then
 * the place and date in italics. Then the sheet's title and its period, centred over the table.
 * Returns the first row after it (the table heading's).
 */
function writeTitleBlock(ws: ExcelJS.Worksheet, sheet: ExportSheet, model: ExportWorkbook): number {
  const n = sheet.columns.length;
  const [left, right] = blockColumns(sheet);
  const hasRight = right <= n;
  const { heading } = model;
  const lastIssuer = heading.issuer.length - 1;
  heading.issuer.forEach((line, i) => {
    put(ws, { row: 1 + i, from: 1, to: left }, line, { size: 12, bold: i === lastIssuer });
  });
  put(ws, { row: heading.issuer.length + 1, from: 1, to: left }, SHORT_RULE, { size: 8 });
  let rightLines = 0;
  if (heading.nationalTitle && hasRight) {
    put(ws, { row: 1, from: right, to: n }, NATIONAL_TITLE, { size: 12, bold: true });
    put(ws, { row: 2, from: right, to: n }, NATIONAL_MOTTO, { size: 13, bold: true });
    put(ws, { row: 3, from: right, to: n }, MOTTO_RULE, { size: 8 });
    rightLines = 2;
  }
  const numberRow = Math.max(heading.issuer.length, rightLines) + 2;
  put(ws, { row: numberRow, from: 1, to: left }, heading.number, { size: 12 });
  if (hasRight) {
    put(ws, { row: numberRow, from: right, to: n }, heading.placeAndDate, { size: 12, italic: true });
  }
  for (let r = 1; r < numberRow; r++) {
    ws.getRow(r).height = 16.5;
  }
  const titleRow = numberRow + 2;
  put(ws, { row: titleRow, from: 1, to: n }, sheet.title, { size: 14, bold: true });
  put(ws, { row: titleRow + 1, from: 1, to: n }, sheet.subtitle, { size: 12, italic: true });
  ws.getRow(titleRow).height = 22;
  return titleRow + 3;
}

/**
 * Under the table and its notes: "Nơi nhận:" (bold italic) and its "- …;" lines on the left, the
 * signature block on the right (on whose behalf and the title in bold capitals, room for the
 * signature and seal, the name in bold).
 */
function writeFooter(ws: ExcelJS.Worksheet, sheet: ExportSheet, model: ExportWorkbook, first: number): void {
  const n = sheet.columns.length;
  const [left, right] = blockColumns(sheet);
  const { recipients, signature } = model.footer;
  put(
    ws,
    { row: first, from: 1, to: left },
    RECIPIENTS_LABEL,
    { size: 12, bold: true, italic: true },
    'left',
  );
  recipientLines(recipients).forEach((line, i) => {
    put(ws, { row: first + 1 + i, from: 1, to: left }, line, { size: 11 }, 'left');
  });
  if (right > n) {
    return;
  }
  const block = [signature.authority, signature.title].filter((l): l is string => l !== undefined);
  block.forEach((line, i) => {
    put(ws, { row: first + i, from: right, to: n }, line.toUpperCase(), { size: 12, bold: true });
  });
  if (signature.name !== undefined) {
    put(ws, { row: first + block.length + SIGNATURE_SPACE, from: right, to: n }, signature.name, {
      size: 13,
      bold: true,
    });
  }
}

/** The smallest number of leading columns at least `chars` wide (the whole sheet at most). */
function spanFromStart(widths: number[], chars: number): number {
  let sum = 0;
  for (const [i, w] of widths.entries()) {
    sum += w;
    if (sum >= chars) {
      return i + 1;
    }
  }
  return widths.length;
}

/** The first column of the shortest tail at least `chars` wide. */
function spanFromEnd(widths: number[], chars: number): number {
  let sum = 0;
  for (let i = widths.length - 1; i >= 0; i--) {
    sum += widths[i] ?? 0;
    if (sum >= chars) {
      return i + 1;
    }
  }
  return 1;
}

/**
 * One heading row, or two when columns share a group heading: the group over its columns in the
 * first row, a column without a group spanning both rows.
 */
function writeHeader(ws: ExcelJS.Worksheet, columns: ExportColumn[], [top, bottom]: [number, number]): void {
  const style = (cell: ExcelJS.Cell) => {
    cell.font = { name: FONT, bold: true, size: 11 };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.border = THIN;
    cell.fill = HEADER_FILL;
  };
  for (let i = 0; i < columns.length; ) {
    const column = columns[i];
    if (!column) {
      break;
    }
    const col = i + 1;
    if (column.group === undefined) {
      if (bottom > top) {
        ws.mergeCells(top, col, bottom, col);
      }
      ws.getCell(top, col).value = column.header;
      style(ws.getCell(top, col));
      i += 1;
      continue;
    }
    let end = i;
    while (columns[end + 1]?.group === column.group) {
      end += 1;
    }
    if (end > i) {
      ws.mergeCells(top, col, top, end + 1);
    }
    ws.getCell(top, col).value = column.group;
    for (let j = i; j <= end; j++) {
      style(ws.getCell(top, j + 1));
      const sub = ws.getCell(bottom, j + 1);
      sub.value = columns[j]?.header ?? '';
      style(sub);
    }
    i = end + 1;
  }
  // Long headings wrap: leave room for three lines in one row, two per row when there are two.
  const longest = Math.max(...columns.map((c) => Math.ceil((c.header.length + 2) / Math.max(4, c.width))));
  if (bottom > top) {
    ws.getRow(top).height = 32;
    ws.getRow(bottom).height = Math.max(30, 15 * longest);
  } else {
    ws.getRow(top).height = Math.max(32, 15 * longest);
  }
}

function styleDataCell(cell: ExcelJS.Cell, column: ExportColumn): void {
  cell.border = THIN;
  cell.font = { name: FONT, size: 11 };
  cell.numFmt = NUMBER_FORMATS[column.format];
  const horizontal =
    column.format === 'text' ? 'left' : column.format === 'date' || column.key === 'stt' ? 'center' : 'right';
  cell.alignment = { horizontal, vertical: 'middle', wrapText: column.format === 'text' };
}

function toCell(value: CellValue, format: ColumnFormat): ExcelJS.CellValue {
  if (value === null) {
    return null;
  }
  if (typeof value === 'bigint') {
    // Whole đồng: exact as a double up to 9·10^15, far above any campaign's money (≤ 10^12 a figure).
    return Number(value);
  }
  if (format === 'date' && typeof value === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : value;
  }
  return value;
}

/**
 * The "Tổng cộng" row: the label over the columns before the first total, then a formula per
 * totalled column carrying the result the core computed (readers that do not recalculate, and
 * tests, see the right figure).
 */
function writeTotals(
  ws: ExcelJS.Worksheet,
  sheet: ExportSheet,
  at: { row: number; first: number; last: number },
): void {
  const { columns, totals = {} } = sheet;
  const firstTotal = columns.findIndex((c) => c.total !== undefined);
  const labelEnd = Math.max(1, firstTotal);
  if (labelEnd > 1) {
    ws.mergeCells(at.row, 1, at.row, labelEnd);
  }
  const letter = (key: string) => ws.getColumn(columns.findIndex((c) => c.key === key) + 1).letter;
  const range = (key: string) => `${letter(key)}${at.first}:${letter(key)}${at.last}`;
  const hasRows = at.last >= at.first;
  columns.forEach((column, i) => {
    const cell = ws.getCell(at.row, i + 1);
    cell.border = THIN;
    cell.fill = TOTALS_FILL;
    cell.font = { name: FONT, size: 11, bold: true };
    cell.numFmt = NUMBER_FORMATS[column.format];
    cell.alignment = { horizontal: column.format === 'text' ? 'center' : 'right', vertical: 'middle' };
    const spec = column.total;
    if (spec === undefined) {
      return;
    }
    const raw = totals[column.key] ?? null;
    const result = typeof raw === 'bigint' ? Number(raw) : raw;
    if (!hasRows) {
      cell.value = result ?? 0;
      return;
    }
    let formula: string;
    if (spec === 'sum') {
      formula = `SUM(${range(column.key)})`;
    } else if (spec === 'count') {
      formula = `COUNTA(${range(column.key)})`;
    } else {
      const sum = (keys: readonly string[]) => keys.map((k) => `SUM(${range(k)})`).join('+');
      const den = sum(spec.ratio.denominator);
      formula = `IF(${den}=0,"",(${sum(spec.ratio.numerator)})/(${den}))`;
    }
    cell.value = { formula, result: result ?? '' } as ExcelJS.CellFormulaValue;
  });
  if (firstTotal > 0) {
    const label = ws.getCell(at.row, 1);
    label.value = TOTALS_LABEL;
    label.alignment = { horizontal: 'center', vertical: 'middle' };
  }
}
