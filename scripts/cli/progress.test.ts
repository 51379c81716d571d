import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { formatInteger } from '../../core/shared/format.ts';
import { inPhase, PHASE, type ProgressUpdate, progressPhase } from '../../core/shared/progress.ts';
import type { PrismaClient } from '../../prisma/client.ts';
import type { SqlDb } from '../../prisma/sql-db.ts';
import { seededDatabase, tempDatabase } from '../../test/support/app-harness.ts';
import { recordingCliContext } from '../../test/support/cli-context.ts';
import { runCli } from '../../test/support/cli-process.ts';
import { testIdNumberHasher } from '../../test/support/id-hash-key.ts';
import { generateHouseholdRows, writeCsv } from '../dev/generate-household-file.ts';
import { executeCommand, parseCommand } from './commands.ts';
import { exportReport } from './export.ts';
import { householdsImport } from './households.ts';
import { createProgressLine, progressText, wantsPlainLines } from './progress.ts';

/** A stream that keeps what is written; a terminal of `columns` columns when `tty`. */
function recordingStream(tty: boolean, columns?: number) {
  const chunks: string[] = [];
  return {
    isTTY: tty,
    columns,
    write: (chunk: string) => chunks.push(chunk),
    chunks,
    text: () => chunks.join(''),
    lines: () => chunks.join('').split('\n').slice(0, -1),
  };
}

/** A clock the test moves. */
function testClock() {
  let ms = 0;
  return {
    now: () => ms,
    advance: (by: number) => {
      ms += by;
    },
  };
}

const write = (done: number, total?: number): ProgressUpdate => ({
  phase: PHASE.write,
  unit: 'hộ',
  done,
  ...(total === undefined ? {} : { total }),
});

describe('the progress line, not on a terminal (log files, CI)', () => {
  it('prints a plain line at the start, at every 10 % and at the end with its duration, never \\r', () => {
    const stream = recordingStream(false);
    const clock = testClock();
    const progress = createProgressLine(stream, { now: clock.now });
    for (let done = 0; done <= 40; done++) {
      progress.report(write(done, 40));
      clock.advance(50);
    }
    progress.end();
    expect(stream.text()).not.toContain('\r');
    expect(stream.text()).not.toContain('\u001b');
    expect(stream.lines()).toEqual([
      'Ghi vào cơ sở dữ liệu: 0/40 hộ (0%)',
      ...[4, 8, 12, 16, 20, 24, 28, 32, 36].map((n) => `Ghi vào cơ sở dữ liệu: ${n}/40 hộ (${n * 2.5}%)`),
      'Ghi vào cơ sở dữ liệu: xong 40 hộ (2,0 giây)',
    ]);
  });

  it('without a total, prints the first count, then one every few seconds, and each new phase', () => {
    const stream = recordingStream(false);
    const clock = testClock();
    const progress = createProgressLine(stream, { now: clock.now, everyMs: 5000 });
    for (let done = 500; done <= 12_000; done += 500) {
      progress.report({ phase: PHASE.read, unit: 'dòng', done });
      clock.advance(500);
    }
    progress.report({ phase: PHASE.read, unit: 'dòng', done: 12_000, total: 12_000 });
    progress.report(write(0, 12_000));
    expect(stream.lines()).toEqual([
      'Đọc và kiểm tra tệp: 500 dòng…',
      'Đọc và kiểm tra tệp: 5.500 dòng…',
      'Đọc và kiểm tra tệp: 10.500 dòng…',
      'Đọc và kiểm tra tệp: xong 12.000 dòng (12,0 giây)',
      'Ghi vào cơ sở dữ liệu: 0/12.000 hộ (0%)',
    ]);
  });

  it('is plain on a stream that is not a terminal, or on a terminal that cannot redraw', () => {
    expect(wantsPlainLines({ write: () => true }, {})).toBe(true);
    expect(wantsPlainLines({ write: () => true, isTTY: false }, {})).toBe(true);
    expect(wantsPlainLines({ write: () => true, isTTY: true }, { TERM: 'dumb' })).toBe(true);
    expect(wantsPlainLines({ write: () => true, isTTY: true }, { TERM: 'xterm-256color' })).toBe(false);
  });
});

describe('the progress line on a terminal', () => {
  it('updates one line in place, at most every redraw interval, and clears it at the end', () => {
    const stream = recordingStream(true, 80);
    const clock = testClock();
    const progress = createProgressLine(stream, { now: clock.now, plain: false, redrawMs: 100 });
    for (let done = 0; done <= 100; done++) {
      progress.report(write(done, 100));
      clock.advance(10);
    }
    progress.end();
    expect(stream.text()).not.toContain('\n');
    // The start, one redraw per 100 ms (every 10th update), the end; then the clearing.
    expect(stream.chunks).toHaveLength(1 + 9 + 1 + 1);
    expect(stream.chunks[0]).toBe('\rGhi vào cơ sở dữ liệu: 0/100 hộ (0%)\u001b[K');
    expect(stream.chunks[1]).toBe('\rGhi vào cơ sở dữ liệu: 10/100 hộ (10%)\u001b[K');
    expect(stream.chunks.at(-2)).toBe('\rGhi vào cơ sở dữ liệu: xong 100 hộ (1,0 giây)\u001b[K');
    expect(stream.chunks.at(-1)).toBe('\r\u001b[K');
  });

  it('gives way to other output and comes back at the next update; never wider than the terminal', () => {
    const stream = recordingStream(true, 24);
    const clock = testClock();
    const progress = createProgressLine(stream, { now: clock.now, plain: false });
    progress.report(write(1, 10));
    progress.clear();
    progress.clear();
    progress.report(write(2, 10));
    expect(stream.chunks).toEqual([
      '\rGhi vào cơ sở dữ liệu:…\u001b[K',
      '\r\u001b[K',
      '\rGhi vào cơ sở dữ liệu:…\u001b[K',
    ]);
    expect([...'Ghi vào cơ sở dữ liệu:…']).toHaveLength(23);
  });
});

describe('phases reported by the code doing the work', () => {
  it('a phase of known size: its start, its steps, its end once', () => {
    const seen: string[] = [];
    const phase = progressPhase((u) => seen.push(progressText(u)), PHASE.write, 'hộ', 3);
    phase.step(2);
    phase.at(7);
    phase.finish();
    phase.finish();
    expect(seen).toEqual([
      'Ghi vào cơ sở dữ liệu: 0/3 hộ (0%)',
      'Ghi vào cơ sở dữ liệu: 2/3 hộ (66%)',
      'Ghi vào cơ sở dữ liệu: 2/3 hộ (66%)',
      'Ghi vào cơ sở dữ liệu: 3/3 hộ (100%)',
    ]);
  });

  it('a step of unknown length: its start, then its end with what it did', async () => {
    const seen: ProgressUpdate[] = [];
    const result = await inPhase(
      (u) => seen.push(u),
      PHASE.file,
      'dòng',
      async () => [1, 2],
      (r) => r.length,
    );
    expect(result).toEqual([1, 2]);
    expect(seen).toEqual([
      { phase: PHASE.file, unit: 'dòng', done: 0 },
      { phase: PHASE.file, unit: 'dòng', done: 2, total: 2 },
    ]);
  });
});

describe('long commands report reading and writing', () => {
  const NOW = new Date('2025-03-10T03:00:00Z');
  let db: SqlDb;
  let prisma: PrismaClient;
  let dir: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, prisma, dir, close } = await seededDatabase(NOW));
  }, 60_000);

  afterAll(async () => {
    await close();
  });

  /** A CLI context whose progress goes to a non-terminal stream, as in a log file. */
  function logged() {
    const stream = recordingStream(false);
    const progress = createProgressLine(stream);
    const ctx = recordingCliContext(db, NOW, {
      prisma,
      hashIdNumber: testIdNumberHasher,
      progress: progress.report,
    });
    return { ctx, stream };
  }

  it('households import: lines while reading the file and while writing the households', async () => {
    const { rows } = generateHouseholdRows(2000, { seed: 11 });
    const file = path.join(dir, 'ds-2000.csv');
    await writeCsv(file, rows);
    const { ctx, stream } = logged();
    const outcome = await householdsImport(ctx, { file, unit: '01852', dryRun: false, acceptValid: true });
    expect(outcome.written).toBeGreaterThan(1500);
    const n = formatInteger(outcome.written);
    const lines = stream.lines();
    expect(stream.text()).not.toContain('\r');
    expect(lines[0]).toBe('Đọc và kiểm tra tệp: 500 dòng…');
    const read = lines.findIndex((l) => /^Đọc và kiểm tra tệp: xong 2\.000 dòng \(\d+,\d giây\)$/.test(l));
    expect(read).toBeGreaterThan(0);
    // Then writing: its start, lines as it goes, its end.
    const writing = lines.slice(read + 1);
    expect(writing[0]).toBe(`Ghi vào cơ sở dữ liệu: 0/${n} hộ (0%)`);
    expect(writing.length).toBeGreaterThanOrEqual(4);
    expect(
      writing.slice(1, -1).every((l) => /^Ghi vào cơ sở dữ liệu: [\d.]+\/[\d.]+ hộ \(\d+%\)$/.test(l)),
    ).toBe(true);
    expect(writing.at(-1)).toMatch(/^Ghi vào cơ sở dữ liệu: xong [\d.]+ hộ \(\d+,\d giây\)$/);
    expect(writing.at(-1)).toContain(`xong ${n} hộ`);
  });

  it('funds statement import and export: each phase starts and ends', async () => {
    const sample = path.join(import.meta.dirname, '../../docs/samples/statements/vietcombank.xlsx');
    const imported = logged();
    await executeCommand(
      parseCommand(['funds', 'statement', 'import', sample, '--level', '058']),
      imported.ctx,
    );
    // Each phase's start, its steps (as many as 10 % steps: the sample is small), its end.
    const shape = imported.stream
      .lines()
      .map((l) =>
        l
          .replace(/: xong .*/, ': xong')
          .replace(/: 0(\/\d+)? dòng.*/, ': bắt đầu')
          .replace(/: \d+\/\d+ dòng.*/, ': …'),
      )
      .filter((l, i, all) => l !== all[i - 1]);
    expect(shape).toEqual([
      'Đọc và kiểm tra tệp: bắt đầu',
      'Đọc và kiểm tra tệp: xong',
      'Đối chiếu: bắt đầu',
      'Đối chiếu: …',
      'Đối chiếu: xong',
      'Ghi vào cơ sở dữ liệu: bắt đầu',
      'Ghi vào cơ sở dữ liệu: xong',
    ]);

    const exported = logged();
    await exportReport(exported.ctx, { kind: 'households', file: path.join(dir, 'ho.xlsx') });
    expect(fs.existsSync(path.join(dir, 'ho.xlsx'))).toBe(true);
    expect(exported.stream.lines().map((l) => l.replace(/[\d.]+/g, 'N').replace(/N,N giây/, 'T'))).toEqual([
      'Tổng hợp số liệu: N dòng…',
      'Tổng hợp số liệu: xong N dòng (T)',
      'Ghi tệp: N dòng…',
      'Ghi tệp: xong N dòng (T)',
    ]);
  });
});

describe('the real CLI with its stderr in a log file', () => {
  it('prints plain progress lines, without \\r, for reading and for writing', {
    timeout: 120_000,
  }, async () => {
    const database = tempDatabase();
    onTestFinished(database.cleanup);
    const { rows } = generateHouseholdRows(1500, { seed: 3 });
    const list = path.join(database.dir, 'ds.csv');
    await writeCsv(list, rows);
    const run = await runCli(['households', 'import', list, '--unit', '01852', '--accept-valid'], database);
    expect(run.stdout).toMatch(/Đã nhập [\d.]+ hộ/);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('\r');
    expect(run.stderr).toMatch(/^Đọc và kiểm tra tệp: 500 dòng…$/m);
    expect(run.stderr).toMatch(/^Đọc và kiểm tra tệp: xong 1\.500 dòng \(\d+,\d giây\)$/m);
    expect(run.stderr).toMatch(/^Ghi vào cơ sở dữ liệu: 0\/[\d.]+ hộ \(0%\)$/m);
    expect(run.stderr).toMatch(/^Ghi vào cơ sở dữ liệu: [\d.]+\/[\d.]+ hộ \([1-9]\d%\)$/m);
    expect(run.stderr).toMatch(/^Ghi vào cơ sở dữ liệu: xong [\d.]+ hộ \(\d+,\d giây\)$/m);
  });
});
