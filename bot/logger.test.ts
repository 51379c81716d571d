import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, limitRepeats } from './logger.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  const token = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';

  it('scrubs secrets, phone numbers and ID numbers from messages, fields and errors', () => {
    const { lines, stream } = capture();
    const log = createLogger({ level: 'info', secrets: [token, 'webhook-secret-value'] }, stream);
    log.info(`calling https://api.telegram.org/bot${token}/getMe for 0912345678`);
    log.warn({ phone: '+84912345678', cccd: '001099012345', nested: { url: `x/${token}` } }, 'contact');
    log.error({ err: new Error(`failed with webhook-secret-value for 0987654321`) }, 'boom');
    log.info('typed as 0912 345 678, +84 912.345.678 or 001 099 012345');
    const out = lines.join('');
    expect(out).not.toContain(token);
    expect(out).not.toContain('webhook-secret-value');
    expect(out).not.toMatch(/0912345678|84912345678|001099012345|0987654321/);
    expect(out).not.toMatch(/0912 345 678|912\.345\.678|001 099 012345/);
    expect(out).toContain('[secret]');
    expect(out).toContain('[number]');
    expect(lines).toHaveLength(4);
  });

  it('keeps ordinary numbers such as amounts and update ids', () => {
    const { lines, stream } = capture();
    createLogger({ level: 'info', secrets: [] }, stream).info(
      { update_id: 512345678, amount: '60000000', typed: '60 000 000', money: '1.500.000.000' },
      'ok',
    );
    expect(lines.join('')).toContain('512345678');
    expect(lines.join('')).toContain('60000000');
    expect(lines.join('')).toContain('60 000 000');
    expect(lines.join('')).toContain('1.500.000.000');
  });

  it('writes dates as ISO text, at the top and nested', () => {
    const { lines, stream } = capture();
    const at = new Date('2025-04-14T02:00:00.000Z');
    createLogger({ level: 'info', secrets: [] }, stream).info({ at, nested: { since: at } }, 'dated');
    const line = JSON.parse(lines[0] ?? '{}');
    expect(line.at).toBe('2025-04-14T02:00:00.000Z');
    expect(line.nested.since).toBe('2025-04-14T02:00:00.000Z');
  });
});

describe('limitRepeats', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('logs the first warning, then one line a minute with the count of the others', () => {
    vi.useFakeTimers();
    const { lines, stream } = capture();
    const warn = limitRepeats(createLogger({ level: 'info', secrets: [] }, stream), 'webhook refused');
    for (let i = 0; i < 500; i++) {
      warn({ reason: 'signature mismatch' });
    }
    expect(lines).toHaveLength(1);
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1] ?? '{}')).toMatchObject({ repeated: 499, msg: 'webhook refused (repeated)' });
    warn({ reason: 'signature mismatch' });
    vi.advanceTimersByTime(60_000);
    expect(JSON.parse(lines[2] ?? '{}')).toMatchObject({ repeated: 1 });
    // A quiet minute: the next one is logged at once again.
    vi.advanceTimersByTime(60_000);
    warn({ reason: 'missing signature' });
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[3] ?? '{}')).toMatchObject({
      reason: 'missing signature',
      msg: 'webhook refused',
    });
  });
});

describe('log formats', () => {
  it('writes JSON lines with ISO times in production, readable lines with LOG_FORMAT=pretty, both scrubbed', () => {
    const json = capture();
    createLogger({ level: 'info', secrets: [] }, json.stream).info({ phone: '0912345678' }, 'started');
    const line = JSON.parse(json.lines[0] ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, msg: 'started', phone: '[number]' });
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const pretty = capture();
    createLogger({ level: 'info', secrets: [], format: 'pretty' }, pretty.stream).warn(
      { phone: '0912345678', part: 'outbox' },
      'database failing',
    );
    const out = pretty.lines.join('');
    expect(out).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] WARN: database failing\n/);
    expect(out).toContain('part: "outbox"');
    expect(out).toContain('[number]');
    expect(out).not.toContain('{"');
  });
});
