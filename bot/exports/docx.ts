import {
  AlignmentType,
  BorderStyle,
  Document,
  Header,
  type IBorderOptions,
  LineRuleType,
  Packer,
  PageNumber,
  PageOrientation,
  Paragraph,
  Table,
  TableBorders,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalAlign,
  WidthType,
} from 'docx';
import type { DocumentFooter, DocumentHeading } from '../../core/exports/document-blocks.ts';
import {
  type DocumentBlock,
  NATIONAL_MOTTO,
  NATIONAL_TITLE,
  type OfficialDocument,
  RECIPIENTS_LABEL,
  recipientLines,
} from '../../core/exports/official-document.ts';
import { type ExportColumn, type ExportRow, formatCell, TOTALS_LABEL } from '../../core/exports/sheet.ts';

/**
 * Writes an official document (core/exports/official-document.ts) as a .docx laid out as Decree
 * 30/2020/NĐ-CP, Appendix I prescribes and Front committees apply it: A4 (landscape for wide
 * tables), margins 20/20/30/15 mm, Times New Roman; the heading as a borderless two-column table
 * (issuing body and "Số:" left, national title, motto and the place and date right), the title
 * and summary line centred in bold, the body justified with a first-line indent, and the footer
 * as another borderless table ("Nơi nhận:" left, the signature block right). Pages after the
 * first are numbered at the top centre.
 */

/** Twips (1/20 pt) per millimetre. */
const MM = 56.7;
/** A4 in twips, portrait. */
export const A4 = { width: 11906, height: 16838 } as const;
/** Decree 30/2020: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm. */
export const MARGINS = {
  top: Math.round(20 * MM),
  bottom: Math.round(20 * MM),
  left: Math.round(30 * MM),
  right: Math.round(15 * MM),
} as const;

export const DOCX_FONT = 'Times New Roman';
/** Half-points, as Word counts font sizes. */
const pt = (points: number) => points * 2;
const BODY_SIZE = pt(14);
/** Line spacing 1.15 (240 = single) and 6 pt after each paragraph. */
const BODY_SPACING = { line: 276, after: 120 } as const;
/** First-line indent of body paragraphs: 1 cm. */
const FIRST_LINE = Math.round(10 * MM);
/** The short rules: under the standing body, under the motto, under the summary line. */
const ISSUER_RULE = Math.round(22 * MM);
const MOTTO_RULE = Math.round(60 * MM);
const TITLE_RULE = Math.round(30 * MM);
/** Empty lines between the signer's title and name: room for the signature and the seal. */
const SIGNATURE_SPACE = 4;

const SOLID: IBorderOptions = { style: BorderStyle.SINGLE, size: 6, color: '000000' };
const NO_BORDER: IBorderOptions = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };
const CELL_BORDERS = { top: SOLID, bottom: SOLID, left: SOLID, right: SOLID };

interface Line {
  text: string;
  size: number;
  bold?: boolean;
  italic?: boolean;
}

/** The .docx bytes of an official document. */
export async function officialDocumentToDocx(model: OfficialDocument): Promise<Buffer> {
  const landscape = model.landscape === true;
  const textWidth = (landscape ? A4.height : A4.width) - MARGINS.left - MARGINS.right;
  const children: (Paragraph | Table)[] = [
    ...(model.draft ? [draftMark(textWidth)] : []),
    headingTable(model.heading, textWidth),
    ...titleBlock(model),
    ...model.body.flatMap((block) => bodyBlock(block, textWidth)),
    new Paragraph({ spacing: { after: 120 } }),
    footerTable(model.footer, textWidth),
  ];
  const document = new Document({
    creator: 'Bot MTTQ – xóa nhà tạm',
    title: [model.title, model.summary].filter(Boolean).join(' – '),
    styles: {
      default: {
        document: {
          run: { font: DOCX_FONT, size: BODY_SIZE },
          paragraph: { spacing: { before: 0, after: 0, line: 240 } },
        },
      },
    },
    sections: [
      {
        properties: {
          titlePage: true,
          page: {
            size: {
              width: A4.width,
              height: A4.height,
              orientation: landscape ? PageOrientation.LANDSCAPE : PageOrientation.PORTRAIT,
            },
            margin: { ...MARGINS, header: Math.round(10 * MM), footer: Math.round(10 * MM) },
          },
        },
        headers: {
          // Decree 30/2020: page numbers at the top centre, from the second page.
          default: new Header({
            children: [
              new Paragraph({
                alignment: AlignmentType.CENTER,
                children: [new TextRun({ children: [PageNumber.CURRENT], size: pt(13) })],
              }),
            ],
          }),
          first: new Header({ children: [new Paragraph({})] }),
        },
        children,
      },
    ],
  });
  return Packer.toBuffer(document);
}

function run(line: Line): TextRun {
  return new TextRun({ text: line.text, size: line.size, bold: line.bold, italics: line.italic });
}

/** A centred line (heading, footer, title). */
function centred(line: Line, spacingAfter = 0): Paragraph {
  return new Paragraph({
    alignment: AlignmentType.CENTER,
    spacing: { after: spacingAfter },
    children: [run(line)],
  });
}

/** A solid rule `width` twips long, centred in a space `within` twips wide (a bordered empty paragraph). */
function rule(width: number, within: number): Paragraph {
  const side = Math.max(0, Math.round((within - width) / 2));
  return new Paragraph({
    indent: { left: side, right: side },
    border: { bottom: SOLID },
    spacing: { before: 0, after: 80, line: 80, lineRule: LineRuleType.EXACT },
    children: [new TextRun({ text: '', size: pt(4) })],
  });
}

/** "DỰ THẢO" boxed at the top right. */
function draftMark(textWidth: number): Paragraph {
  const box = Math.round(32 * MM);
  return new Paragraph({
    alignment: AlignmentType.CENTER,
    indent: { left: textWidth - box },
    border: { top: SOLID, bottom: SOLID, left: SOLID, right: SOLID },
    spacing: { after: 120 },
    children: [run({ text: 'DỰ THẢO', size: pt(13), bold: true })],
  });
}

/** A borderless table of two cells a row: the heading and the footer. */
function layoutTable(rows: [Paragraph[], Paragraph[]][], widths: [number, number]): Table {
  return new Table({
    width: { size: widths[0] + widths[1], type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    borders: TableBorders.NONE,
    rows: rows.map(
      (cells) =>
        new TableRow({
          children: cells.map(
            (children, i) =>
              new TableCell({
                width: { size: widths[i] ?? 0, type: WidthType.DXA },
                margins: { left: 0, right: 0 },
                borders: { top: NO_BORDER, bottom: NO_BORDER, left: NO_BORDER, right: NO_BORDER },
                children: children.length > 0 ? children : [new Paragraph({})],
              }),
          ),
        }),
    ),
  });
}

/**
 * Left: the issuing body (upper case, 12.5 pt; the standing body bold) with a short rule under
 * it, then "Số: …". Right: the national title (bold 12.5 pt) and the motto (bold 13.5 pt) with a
 * rule as long as the motto, then the place and date in italics. "Số" and the date share a row.
 */
function headingTable(heading: DocumentHeading, textWidth: number): Table {
  const left = Math.round(textWidth * 0.4);
  const right = textWidth - left;
  const last = heading.issuer.length - 1;
  // A line wider than the column breaks where a reader would: before a quoted name, else mid-way.
  const fits = Math.floor(left / (25 * 10 * 0.7));
  const issuer = heading.issuer.flatMap((text, i) =>
    splitLine(text.toUpperCase(), fits).map((part) => centred({ text: part, size: 25, bold: i === last })),
  );
  const national = heading.nationalTitle
    ? [
        centred({ text: NATIONAL_TITLE, size: 25, bold: true }),
        centred({ text: NATIONAL_MOTTO, size: 27, bold: true }),
        rule(MOTTO_RULE, right),
      ]
    : [];
  return layoutTable(
    [
      [[...issuer, rule(ISSUER_RULE, left)], national],
      [
        [centred({ text: heading.number, size: pt(13) })],
        [centred({ text: heading.placeAndDate, size: pt(13), italic: true })],
      ],
    ],
    [left, right],
  );
}

/**
 * A heading line as one or two lines of at most `fits` characters: "BAN VẬN ĐỘNG QUỸ "VÌ NGƯỜI
 * NGHÈO"" breaks before the quoted name, another line at the space nearest its middle.
 */
export function splitLine(text: string, fits: number): string[] {
  if (text.length <= fits) {
    return [text];
  }
  const quote = text.indexOf(' "');
  if (quote > 0 && quote <= fits && text.length - quote - 1 <= fits) {
    return [text.slice(0, quote), text.slice(quote + 1)];
  }
  const spaces = [...text.matchAll(/ /g)].map((m) => m.index);
  const middle = text.length / 2;
  const at = spaces.sort((a, b) => Math.abs(a - middle) - Math.abs(b - middle))[0];
  return at === undefined ? [text] : [text.slice(0, at), text.slice(at + 1)];
}

/** The title (bold 14 pt), the summary line (bold), a short rule, and "Kính gửi: …". */
function titleBlock(model: OfficialDocument): Paragraph[] {
  const paragraphs = [
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { before: 360 },
      children: [run({ text: model.title, size: pt(14), bold: true })],
    }),
  ];
  if (model.summary) {
    paragraphs.push(centred({ text: model.summary, size: pt(14), bold: true }));
  }
  const width = (model.landscape ? A4.height : A4.width) - MARGINS.left - MARGINS.right;
  paragraphs.push(rule(TITLE_RULE, width));
  if (model.addressee) {
    paragraphs.push(
      new Paragraph({
        alignment: AlignmentType.CENTER,
        spacing: { before: 120, after: 240 },
        children: [run({ text: model.addressee, size: BODY_SIZE })],
      }),
    );
  } else {
    paragraphs.push(new Paragraph({ spacing: { after: 120 } }));
  }
  return paragraphs;
}

/** A body paragraph: justified, first-line indent, 1.15 lines, 6 pt after; "\n" breaks the line. */
function bodyParagraph(text: string, style: { bold?: boolean; italic?: boolean } = {}): Paragraph {
  return new Paragraph({
    alignment: AlignmentType.JUSTIFIED,
    indent: { firstLine: FIRST_LINE },
    spacing: BODY_SPACING,
    children: text.split('\n').map(
      (part, i) =>
        new TextRun({
          text: part,
          size: BODY_SIZE,
          bold: style.bold,
          italics: style.italic,
          ...(i > 0 ? { break: 1 } : {}),
        }),
    ),
  });
}

function bodyBlock(block: DocumentBlock, textWidth: number): (Paragraph | Table)[] {
  switch (block.kind) {
    case 'heading':
      return [bodyParagraph(block.text, { bold: true })];
    case 'paragraph':
      return [bodyParagraph(block.text, { bold: block.bold, italic: block.italic })];
    case 'bullets':
      return block.items.map((item) => bodyParagraph(`- ${item}`));
    case 'table':
      return [
        dataTable(block.columns, block.rows, block.totals, textWidth),
        new Paragraph({ spacing: { after: 120 } }),
      ];
  }
}

/**
 * A bordered table in the export model: the heading (a group over its columns, a column without a
 * group spanning both rows), the row of column numbers (1), (2)…, the rows, and the bold totals
 * row ("Tổng cộng" over the columns before the first total). Widths in proportion to the model's.
 */
function dataTable(
  columns: readonly ExportColumn[],
  rows: readonly ExportRow[],
  totals: ExportRow | undefined,
  textWidth: number,
): Table {
  const size = columns.length > 8 ? pt(11) : pt(12);
  const widths = columnWidths(columns, [...rows, ...(totals ? [totals] : [])], size, textWidth);
  const cell = (
    text: string,
    options: {
      width: number;
      bold?: boolean;
      italic?: boolean;
      align?: (typeof AlignmentType)[keyof typeof AlignmentType];
      columnSpan?: number;
      rowSpan?: number;
    },
  ) =>
    new TableCell({
      width: { size: options.width, type: WidthType.DXA },
      borders: CELL_BORDERS,
      verticalAlign: VerticalAlign.CENTER,
      margins: { left: 60, right: 60, top: 20, bottom: 20 },
      ...(options.columnSpan && options.columnSpan > 1 ? { columnSpan: options.columnSpan } : {}),
      ...(options.rowSpan && options.rowSpan > 1 ? { rowSpan: options.rowSpan } : {}),
      children: [
        new Paragraph({
          alignment: options.align ?? AlignmentType.CENTER,
          children: [run({ text, size, bold: options.bold, italic: options.italic })],
        }),
      ],
    });
  const span = (from: number, count: number) => widths.slice(from, from + count).reduce((s, w) => s + w, 0);

  const grouped = columns.some((c) => c.group !== undefined);
  const top: TableCell[] = [];
  const bottom: TableCell[] = [];
  for (let i = 0; i < columns.length; ) {
    const column = columns[i] as ExportColumn;
    if (column.group === undefined) {
      top.push(cell(column.header, { width: widths[i] ?? 0, bold: true, rowSpan: grouped ? 2 : 1 }));
      i += 1;
      continue;
    }
    let end = i;
    while (columns[end + 1]?.group === column.group) {
      end += 1;
    }
    top.push(cell(column.group, { width: span(i, end - i + 1), bold: true, columnSpan: end - i + 1 }));
    for (let j = i; j <= end; j++) {
      bottom.push(cell(columns[j]?.header ?? '', { width: widths[j] ?? 0, bold: true }));
    }
    i = end + 1;
  }
  const header = [new TableRow({ tableHeader: true, children: top })];
  if (grouped) {
    header.push(new TableRow({ tableHeader: true, children: bottom }));
  }
  header.push(
    new TableRow({
      tableHeader: true,
      children: columns.map((_c, i) => cell(`(${i + 1})`, { width: widths[i] ?? 0, italic: true })),
    }),
  );
  const align = (column: ExportColumn) =>
    column.format === 'text'
      ? AlignmentType.LEFT
      : column.format === 'date' || column.key === 'stt'
        ? AlignmentType.CENTER
        : AlignmentType.RIGHT;
  const body = rows.map(
    (row) =>
      new TableRow({
        cantSplit: true,
        children: columns.map((column, i) =>
          cell(formatCell(row[column.key] ?? null, column.format), {
            width: widths[i] ?? 0,
            align: align(column),
          }),
        ),
      }),
  );
  if (totals) {
    const firstTotal = Math.max(
      1,
      columns.findIndex((c) => c.total !== undefined),
    );
    const cells = [cell(TOTALS_LABEL, { width: span(0, firstTotal), bold: true, columnSpan: firstTotal })];
    columns.slice(firstTotal).forEach((column, k) => {
      const i = firstTotal + k;
      const value = column.total === undefined ? '' : formatCell(totals[column.key] ?? null, column.format);
      cells.push(cell(value, { width: widths[i] ?? 0, bold: true, align: align(column) }));
    });
    body.push(new TableRow({ cantSplit: true, children: cells }));
  }
  return new Table({
    width: { size: widths.reduce((s, w) => s + w, 0), type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    rows: [...header, ...body],
  });
}

/**
 * Column widths in twips that fill the text width: each column at least as wide as its longest
 * figure and the longest word of its heading (so "156.000.000" and "STT" never break), the rest
 * shared in proportion to the model's widths; scaled down when even that does not fit.
 */
function columnWidths(
  columns: readonly ExportColumn[],
  rows: readonly ExportRow[],
  size: number,
  textWidth: number,
): number[] {
  // Times New Roman figures are half an em wide; bold heading letters (often capitals) about 0.7.
  const em = size * 10;
  const padding = 180;
  const needs = columns.map((column) => {
    const word = Math.max(...column.header.split(/\s+/u).map((w) => w.length)) * em * 0.7;
    const figures =
      column.format === 'text'
        ? 0
        : Math.max(0, ...rows.map((r) => formatCell(r[column.key] ?? null, column.format).length)) *
          em *
          0.55;
    return Math.ceil(Math.max(word, figures, em)) + padding;
  });
  const needed = needs.reduce((s, w) => s + w, 0);
  if (needed >= textWidth) {
    return needs.map((w) => Math.floor((w * textWidth) / needed));
  }
  const weight = columns.reduce((s, c) => s + c.width, 0);
  const ideal = columns.map((c) => (textWidth * c.width) / weight);
  // Columns below their need get it; the others share what is left by their ideal widths.
  const short = new Set(needs.flatMap((w, i) => (w > (ideal[i] ?? 0) ? [i] : [])));
  const left = textWidth - needs.reduce((s, w, i) => s + (short.has(i) ? w : 0), 0);
  const share = ideal.reduce((s, w, i) => s + (short.has(i) ? 0 : w), 0);
  return columns.map((_c, i) =>
    short.has(i) ? (needs[i] ?? 0) : Math.max(needs[i] ?? 0, Math.floor(((ideal[i] ?? 0) * left) / share)),
  );
}

/**
 * Left: "Nơi nhận:" (bold italic 12 pt) and "- …;" lines (11 pt), the last ending with ".".
 * Right, centred: on whose behalf and the title (bold capitals), room for the signature and the
 * seal, the signer's name (bold).
 */
function footerTable(footer: DocumentFooter, textWidth: number): Table {
  const left = Math.round(textWidth * 0.45);
  const right = textWidth - left;
  const recipients = [
    new Paragraph({ children: [run({ text: RECIPIENTS_LABEL, size: pt(12), bold: true, italic: true })] }),
    ...recipientLines(footer.recipients).map(
      (text) => new Paragraph({ children: [run({ text, size: pt(11) })] }),
    ),
  ];
  const { authority, title, name } = footer.signature;
  const signature = [
    ...[authority, title]
      .filter((line): line is string => line !== undefined)
      .map((text) => centred({ text: text.toUpperCase(), size: pt(13), bold: true })),
    ...Array.from(
      { length: SIGNATURE_SPACE },
      () => new Paragraph({ children: [run({ text: '', size: BODY_SIZE })] }),
    ),
    ...(name === undefined ? [] : [centred({ text: name, size: BODY_SIZE, bold: true })]),
  ];
  return layoutTable([[recipients, signature]], [left, right]);
}
