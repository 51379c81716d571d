import { describe, expect, it } from 'vitest';
import { balanceParts, bold, code, plainText, toTelegramHtml, withoutMarkup } from './markup.ts';

describe('markup', () => {
  it('renders bold and code as Telegram HTML and escapes the rest', () => {
    const text = `${bold('Đăng ký <ủng hộ> & cảm ơn')}\nMã: ${code('UH-0001')}`;
    expect(toTelegramHtml(text)).toBe('<b>Đăng ký &lt;ủng hộ&gt; &amp; cảm ơn</b>\nMã: <code>UH-0001</code>');
    expect(plainText(text)).toBe('Đăng ký <ủng hộ> & cảm ơn\nMã: UH-0001');
  });

  it('keeps code inside bold well formed and closes what is left open', () => {
    expect(toTelegramHtml(`${bold(`Mã ${code('X1')} đã gửi`)}`)).toBe('<b>Mã <code>X1</code> đã gửi</b>');
    const nested = `\uE000Mã \uE002X1\uE003 đã gửi\uE001`;
    expect(toTelegramHtml(nested)).toBe('<b>Mã <code>X1</code> đã gửi</b>');
    expect(toTelegramHtml('\uE000open')).toBe('<b>open</b>');
    expect(toTelegramHtml('stray\uE001 close')).toBe('stray close');
  });

  it('cleans markers out of text from outside', () => {
    expect(withoutMarkup('a\uE000b\uE003c')).toBe('abc');
    expect(bold('x\uE001y')).toBe('\uE000xy\uE001');
    expect(code('')).toBe('');
  });

  it('balances a span split across parts', () => {
    const parts = balanceParts(['a \uE000bold', 'still bold\uE001 end']);
    expect(parts.map(toTelegramHtml)).toEqual(['a <b>bold</b>', '<b>still bold</b> end']);
  });
});
