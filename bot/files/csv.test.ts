import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvLimitError, CsvParser, decodeCsvBytes, formatCsv, parseCsvRecords } from './csv.ts';

function parse(text: string, delimiter: ',' | ';' = ','): string[][] {
  return [...parseCsvRecords(text, delimiter)];
}

describe('parseCsvRecords', () => {
  it('splits records on CRLF, LF and lone CR, without a record after the final line break', () => {
    expect(parse('a,b\r\nc,d\ne,f\rg,h\r\n')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
      ['g', 'h'],
    ]);
    expect(parse('a,b')).toEqual([['a', 'b']]);
    expect(parse('')).toEqual([]);
  });

  it('keeps blank lines as records so record numbers match Excel rows', () => {
    expect(parse('a\r\n\r\nb\r\n')).toEqual([['a'], [''], ['b']]);
  });

  it('reads RFC 4180 quotes: delimiters, line breaks and doubled quotes inside', () => {
    expect(parse('"Thôn Nà Cưởm, xã X";"dòng 1\r\ndòng 2";"nói ""có"""\r\nx;y;z', ';')).toEqual([
      ['Thôn Nà Cưởm, xã X', 'dòng 1\r\ndòng 2', 'nói "có"'],
      ['x', 'y', 'z'],
    ]);
  });

  it('keeps empty fields, including a trailing one', () => {
    expect(parse('a,,b,\r\n,\r\n')).toEqual([
      ['a', '', 'b', ''],
      ['', ''],
    ]);
    expect(parse('a,')).toEqual([['a', '']]);
  });

  it('is lenient with broken quoting instead of throwing', () => {
    expect(parse('ab"c,d')).toEqual([['ab"c', 'd']]);
    expect(parse('"ab"c,d')).toEqual([['abc', 'd']]);
    expect(parse('"abc,d\r\ne')).toEqual([['abc,d\r\ne']]);
  });

  it('reads back whatever formatCsv writes', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'ệ', ',', ';', '"', '\r', '\n', ' ', '\t', 'x') });
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 1, maxLength: 5 }), { maxLength: 5 }), (rows) => {
        expect(parse(formatCsv(rows, ','), ',')).toEqual(rows);
        expect(parse(formatCsv(rows, ';'), ';')).toEqual(rows);
      }),
      { numRuns: 300 },
    );
  });
});

describe('decodeCsvBytes', () => {
  it('drops a UTF-8 BOM and normalises to NFC', () => {
    const bytes = new TextEncoder().encode('\uFEFFTho\u0302n');
    expect(decodeCsvBytes(bytes)).toBe('Thôn');
  });

  it('reads UTF-16 LE with a BOM', () => {
    expect(decodeCsvBytes(new Uint8Array(Buffer.from('\uFEFFMã hộ', 'utf16le')))).toBe('Mã hộ');
  });

  it('falls back to Windows-1258 for bytes that are not UTF-8', () => {
    // "Thôn" in code page 1258: ô is 0xF4.
    expect(decodeCsvBytes(new Uint8Array([0x54, 0x68, 0xf4, 0x6e]))).toBe('Thôn');
  });
});

describe('CsvParser (streaming)', () => {
  it('reads the same records whatever the chunks', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'ệ', ',', '"', '\r', '\n', ' ', 'x') });
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), { maxLength: 5 }),
        fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 8 }),
        (rows, cuts) => {
          const text = formatCsv(rows, ',');
          const parser = new CsvParser(',');
          const records: string[][] = [];
          let at = 0;
          for (const cut of [...cuts].sort((a, b) => a - b)) {
            records.push(...parser.push(text.slice(at, Math.max(at, cut))));
            at = Math.max(at, cut);
          }
          records.push(...parser.push(text.slice(at)), ...parser.end());
          expect(records).toEqual(parse(text));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stops at a field or a record past the limits, after the records before it', () => {
    const limits = { maxFieldChars: 10, maxFields: 3 };
    const open = new CsvParser(',', limits);
    expect(open.push('a,b\r\nc,"unclosed\r\nd,e\r\n')).toEqual([['a', 'b']]);
    let error: unknown;
    try {
      open.push('f,g\r\n');
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ kind: 'field', record: 2, column: 2, quoted: true, limit: 10 });
    expect(error).toBeInstanceOf(CsvLimitError);
    expect(() => [...parseCsvRecords('a,b,c,d\r\n', ',', limits)]).toThrow(CsvLimitError);
    expect(() => [...parseCsvRecords('a,b,c\r\n0123456789\r\n', ',', limits)]).not.toThrow();
  });
});
