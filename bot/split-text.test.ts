import { describe, expect, it } from 'vitest';
import { bold, plainText } from '../core/messaging/markup.ts';
import { cutMarkedText, splitMarkedText, splitText } from './split-text.ts';

describe('splitText', () => {
  it('leaves a text within the limit alone', () => {
    expect(splitText('Xin chào', 10)).toEqual(['Xin chào']);
  });

  it('cuts at the last blank line of the window when it is in its second half', () => {
    const text = `${'a'.repeat(35)}\n\n${'b '.repeat(8)}\n${'c'.repeat(20)}`;
    expect(splitText(text, 60)).toEqual(['a'.repeat(35), `${'b '.repeat(8)}\n${'c'.repeat(20)}`]);
    // In the first half it is too early: the last line break is taken instead.
    const early = `${'a'.repeat(20)}\n\n${'b'.repeat(30)}\n${'c'.repeat(20)}`;
    expect(splitText(early, 60)).toEqual([`${'a'.repeat(20)}\n\n${'b'.repeat(30)}`, 'c'.repeat(20)]);
  });

  it('else at the last line break, never in the middle of a line that has a break before it', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `• Dòng số ${i + 1}: 3 duyệt · 1 KC · 0 HT`);
    const parts = splitText(lines.join('\n'), 200);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(200);
      expect(part.split('\n').every((line) => lines.includes(line))).toBe(true);
    }
    expect(parts.join('\n')).toBe(lines.join('\n'));
  });

  it('else at a space, and a word longer than the limit at the limit', () => {
    expect(splitText('một hai ba bốn năm', 10)).toEqual(['một hai', 'ba bốn năm']);
    expect(splitText('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  });
});

describe('splitMarkedText and cutMarkedText', () => {
  it('closes a span at the end of a part and opens it again in the next, as many parts as splitText', () => {
    const text = `${bold('một hai ba bốn năm sáu bảy tám')} chín`;
    const parts = splitMarkedText(text, 20);
    expect(parts).toHaveLength(splitText(text, 20).length);
    expect(parts.map(plainText)).toEqual(splitText(plainText(text), 20));
    for (const part of parts.slice(0, -1)) {
      expect(part).toMatch(/^\uE000.*\uE001$/);
      expect(plainText(part).length).toBeLessThanOrEqual(20);
    }
  });

  it('cuts a caption with its span closed, and leaves a short one alone', () => {
    expect(cutMarkedText(bold('abcdef'), 4)).toBe(bold('abc'));
    expect(cutMarkedText(bold('ab'), 4)).toBe(bold('ab'));
  });
});
