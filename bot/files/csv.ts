/**
 * The CSV dialect officers' files come in (household lists, units, bank statements): RFC 4180
 * quoting (quoted delimiters, quoted line breaks, `""` for a quote), Windows or Unix line endings,
 * UTF-8 with or without a BOM.
 * Parsing is lenient: a stray quote inside an unquoted field is kept as text, text after a closing
 * quote is appended, an unterminated quote runs to the end of the file — but never past
 * `CSV_LIMITS`: a field or record longer than that throws `CsvLimitError` (an unclosed quote in a
 * large file fails there instead of reading the rest of the file into one field).
 */

/** The delimiters a household CSV may use; Excel in a Vietnamese locale writes `;`. */
export type CsvDelimiter = ',' | ';' | '\t';

/** Every delimiter `readHouseholdFile` tries, in order of preference on a tie. */
export const CSV_DELIMITERS: readonly CsvDelimiter[] = [',', ';', '\t'];

const QUOTE = 34;
const CR = 13;
const LF = 10;

/** Bounds on one record, so a broken file fails at once instead of filling the memory. */
export interface CsvLimits {
  /** Characters in one field; an unclosed quote reaches it first. */
  maxFieldChars: number;
  /** Fields in one record. */
  maxFields: number;
}

/** No household cell is near 10,000 characters; no household list has 1,000 columns. */
export const CSV_LIMITS: CsvLimits = { maxFieldChars: 10_000, maxFields: 1_000 };

/** A record went past `CsvLimits`; `record` and `column` are 1-based. */
export class CsvLimitError extends Error {
  constructor(
    readonly kind: 'field' | 'fields',
    readonly record: number,
    readonly column: number,
    /** The field began with a quote that was not closed within the limit. */
    readonly quoted: boolean,
    readonly limit: number,
  ) {
    super(`CSV ${kind} limit ${limit} passed in record ${record}, column ${column}`);
    this.name = 'CsvLimitError';
  }
}

const START_RECORD = 0;
const START_FIELD = 1;
const UNQUOTED = 2;
const QUOTED = 3;
/** A quote inside a quoted field: a doubled quote or the closing one, told by the next character. */
const QUOTE_SEEN = 4;
const AFTER_CR = 5;

/**
 * An incremental CSV parser: `push` text in pieces of any size (a stream's chunks), `end` at the end
 * of the input; each returns the records completed so far, each as its list of fields. Parsing is
 * lenient (see the module comment) but bounded by `limits`: a field or a record past them throws
 * a `CsvLimitError` naming the record, so memory never holds more than one record.
 * A blank line is a record with one empty field (record numbers match the rows Excel shows); a
 * final line break does not start another record.
 */
export class CsvParser {
  readonly #delim: number;
  readonly #limits: CsvLimits;
  #state = START_RECORD;
  #record: string[] = [];
  #field = '';
  /** Records completed so far. */
  #records = 0;
  /** A limit passed while records before it were returned: thrown by the next call. */
  #pending: CsvLimitError | undefined;

  constructor(delimiter: CsvDelimiter, limits: CsvLimits = CSV_LIMITS) {
    this.#delim = delimiter.charCodeAt(0);
    this.#limits = limits;
  }

  push(text: string): string[][] {
    this.#throwPending();
    const out: string[][] = [];
    try {
      this.#parse(text, out);
    } catch (error) {
      // The records before the broken one come first; the error with the next call.
      if (!(error instanceof CsvLimitError) || out.length === 0) {
        throw error;
      }
      this.#pending = error;
    }
    return out;
  }

  #throwPending(): void {
    const pending = this.#pending;
    if (pending !== undefined) {
      this.#pending = undefined;
      throw pending;
    }
  }

  #parse(text: string, out: string[][]): void {
    const length = text.length;
    let i = 0;
    while (i < length) {
      switch (this.#state) {
        case START_RECORD:
        case START_FIELD:
          if (text.charCodeAt(i) === QUOTE) {
            i += 1;
            this.#state = QUOTED;
          } else {
            this.#state = UNQUOTED;
          }
          break;
        case QUOTED: {
          const close = text.indexOf('"', i);
          this.#append(text.slice(i, close === -1 ? length : close));
          if (close === -1) {
            i = length;
          } else {
            i = close + 1;
            this.#state = QUOTE_SEEN;
          }
          break;
        }
        case QUOTE_SEEN:
          if (text.charCodeAt(i) === QUOTE) {
            this.#append('"');
            i += 1;
            this.#state = QUOTED;
          } else {
            // Whatever follows a closing quote is kept as text, up to the delimiter or line end.
            this.#state = UNQUOTED;
          }
          break;
        case AFTER_CR:
          if (text.charCodeAt(i) === LF) {
            i += 1;
          }
          this.#state = START_RECORD;
          break;
        default: {
          const start = i;
          let c = 0;
          while (i < length) {
            c = text.charCodeAt(i);
            if (c === this.#delim || c === CR || c === LF) {
              break;
            }
            i += 1;
          }
          this.#append(text.slice(start, i));
          if (i < length) {
            i += 1;
            this.#endField();
            if (c === this.#delim) {
              this.#state = START_FIELD;
            } else {
              out.push(this.#endRecord());
              this.#state = c === CR ? AFTER_CR : START_RECORD;
            }
          }
        }
      }
    }
  }

  /** The last record, if the input does not end with a line break. */
  end(): string[][] {
    this.#throwPending();
    const state = this.#state;
    this.#state = START_RECORD;
    if (state === START_RECORD || state === AFTER_CR) {
      return [];
    }
    this.#endField();
    return [this.#endRecord()];
  }

  #append(text: string): void {
    if (text === '') {
      return;
    }
    this.#field += text;
    if (this.#field.length > this.#limits.maxFieldChars) {
      throw new CsvLimitError(
        'field',
        this.#records + 1,
        this.#record.length + 1,
        this.#state === QUOTED || this.#state === QUOTE_SEEN,
        this.#limits.maxFieldChars,
      );
    }
  }

  #endField(): void {
    if (this.#record.length >= this.#limits.maxFields) {
      throw new CsvLimitError(
        'fields',
        this.#records + 1,
        this.#record.length + 1,
        false,
        this.#limits.maxFields,
      );
    }
    this.#record.push(this.#field);
    this.#field = '';
  }

  #endRecord(): string[] {
    const record = this.#record;
    this.#record = [];
    this.#records += 1;
    return record;
  }
}

/**
 * Yields the records of `text` one by one, each as its list of fields (see `CsvParser`).
 */
export function* parseCsvRecords(
  text: string,
  delimiter: CsvDelimiter,
  limits: CsvLimits = CSV_LIMITS,
): Generator<string[]> {
  const parser = new CsvParser(delimiter, limits);
  yield* parser.push(text);
  yield* parser.end();
}

/** The encoding a byte order mark at the start of `bytes` announces, if any. */
export function bomEncoding(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    return 'utf-16le';
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    return 'utf-16be';
  }
  return undefined;
}

/**
 * The encoding of a CSV file read as a stream of chunks, as `decodeCsvBytes` chooses it: a BOM's
 * UTF-16, else UTF-8 if every byte decodes, else Windows-1258. Reads the whole stream, holding
 * one chunk at a time.
 */
export async function detectCsvEncoding(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let first = true;
  try {
    for await (const chunk of chunks) {
      if (first) {
        first = false;
        const bom = bomEncoding(chunk);
        if (bom !== undefined) {
          return bom;
        }
      }
      utf8.decode(chunk, { stream: true });
    }
    utf8.decode();
    return 'utf-8';
  } catch (error) {
    if (error instanceof TypeError) {
      return 'windows-1258';
    }
    throw error;
  }
}

/** A streaming decoder for `encoding`; the Vietnamese "save as UTF-8" advice when there is none. */
export function csvDecoder(encoding: string): TextDecoder {
  try {
    return new TextDecoder(encoding);
  } catch {
    throw new Error(NOT_UTF8);
  }
}

const NOT_UTF8 =
  'Tệp CSV không dùng bảng mã UTF-8. Trong Excel hãy chọn Lưu thành (Save As) → "CSV UTF-8 (Comma delimited)" rồi gửi lại.';

/**
 * Decodes the bytes of a CSV file: UTF-8 (a BOM is dropped), UTF-16 with a BOM (Excel's
 * "Unicode Text"), and as a last resort Windows-1258, the code page Excel in a Vietnamese locale
 * uses for plain "CSV (Comma delimited)". The result is NFC, so decomposed tone marks compare
 * equal to precomposed ones.
 */
export function decodeCsvBytes(bytes: Uint8Array): string {
  const bom = bomEncoding(bytes);
  if (bom !== undefined) {
    return new TextDecoder(bom).decode(bytes.subarray(2)).normalize('NFC');
  }
  try {
    // TextDecoder drops a UTF-8 BOM by itself.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).normalize('NFC');
  } catch {
    try {
      return new TextDecoder('windows-1258').decode(bytes).normalize('NFC');
    } catch {
      throw new Error(NOT_UTF8);
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
