/**
 * The CSV dialect commune officers' files come in: RFC 4180 quoting (quoted delimiters, quoted
 * line breaks, `""` for a quote), Windows or Unix line endings, UTF-8 with or without a BOM.
 * Parsing is lenient and never throws: a stray quote inside an unquoted field is kept as text,
 * text after a closing quote is appended, an unterminated quote runs to the end of the file.
 */

/** The delimiters a household CSV may use; Excel in a Vietnamese locale writes `;`. */
export type CsvDelimiter = ',' | ';' | '\t';

/** Every delimiter `readHouseholdFile` tries, in order of preference on a tie. */
export const CSV_DELIMITERS: readonly CsvDelimiter[] = [',', ';', '\t'];

const QUOTE = 34;
const CR = 13;
const LF = 10;

/**
 * Yields the records of `text` one by one, each as its list of fields. A blank line is a record
 * with one empty field (so record numbers match the rows Excel shows); a final line break does
 * not start another record. Lazy, so a caller may stop after the first few records.
 */
export function* parseCsvRecords(text: string, delimiter: CsvDelimiter): Generator<string[]> {
  const delim = delimiter.charCodeAt(0);
  const length = text.length;
  let i = 0;
  while (i < length) {
    const record: string[] = [];
    let endOfRecord = false;
    while (!endOfRecord) {
      let field = '';
      if (text.charCodeAt(i) === QUOTE) {
        i += 1;
        for (;;) {
          const close = text.indexOf('"', i);
          if (close === -1) {
            field += text.slice(i);
            i = length;
            break;
          }
          field += text.slice(i, close);
          i = close + 1;
          if (text.charCodeAt(i) === QUOTE) {
            field += '"';
            i += 1;
          } else {
            break;
          }
        }
      }
      // Unquoted text, or whatever follows a closing quote, up to the next delimiter or line end.
      const start = i;
      while (i < length) {
        const c = text.charCodeAt(i);
        if (c === delim || c === CR || c === LF) {
          break;
        }
        i += 1;
      }
      field += text.slice(start, i);
      record.push(field);
      const c = text.charCodeAt(i);
      if (c === delim) {
        i += 1;
        if (i >= length) {
          record.push('');
          endOfRecord = true;
        }
      } else {
        if (c === CR) {
          i += 1;
          if (text.charCodeAt(i) === LF) {
            i += 1;
          }
        } else if (c === LF) {
          i += 1;
        }
        endOfRecord = true;
      }
    }
    yield record;
  }
}

/**
 * Decodes the bytes of a CSV file: UTF-8 (a BOM is dropped), UTF-16 with a BOM (Excel's
 * "Unicode Text"), and as a last resort Windows-1258, the code page Excel in a Vietnamese locale
 * uses for plain "CSV (Comma delimited)". The result is NFC, so decomposed tone marks compare
 * equal to precomposed ones.
 */
export function decodeCsvBytes(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    return new TextDecoder('utf-16le').decode(bytes.subarray(2)).normalize('NFC');
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    return new TextDecoder('utf-16be').decode(bytes.subarray(2)).normalize('NFC');
  }
  try {
    // TextDecoder drops a UTF-8 BOM by itself.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).normalize('NFC');
  } catch {
    try {
      return new TextDecoder('windows-1258').decode(bytes).normalize('NFC');
    } catch {
      throw new Error(
        'Tệp CSV không dùng bảng mã UTF-8. Trong Excel hãy chọn Lưu thành (Save As) → "CSV UTF-8 (Comma delimited)" rồi gửi lại.',
      );
    }
  }
}

function quoteField(field: string, delimiter: CsvDelimiter): string {
  if (field.includes('"') || field.includes(delimiter) || /[\r\n]/.test(field) || /^\s|\s$/.test(field)) {
    return `"${field.replace(/"/g, '""')}"`;
  }
  return field;
}

/**
 * Formats rows as CSV text: fields quoted only when needed (a quote, the delimiter, a line
 * break, or leading/trailing spaces), records ended by CRLF as Excel writes them.
 */
export function formatCsv(rows: readonly (readonly string[])[], delimiter: CsvDelimiter = ','): string {
  return rows
    .map((row) => `${row.map((field) => quoteField(field, delimiter)).join(delimiter)}\r\n`)
    .join('');
}
