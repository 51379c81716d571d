import { describe, expect, it } from 'vitest';
import { partMarkup } from './reply-keyboard.ts';

const inline = { inline_keyboard: [[{ text: 'Có', callback_data: 'a:yes' }]] };
const ask = { text: 'Số điện thoại?', requestContact: { label: '📱 Gửi số điện thoại của tôi' } };

describe('the share-contact keyboard of a Telegram message', () => {
  it('asks for the contact with a one-time button on the last part', () => {
    expect(partMarkup(ask, 0, 2, () => inline)).toEqual({});
    expect(partMarkup(ask, 1, 2, () => inline).reply_markup).toEqual({
      keyboard: [[{ text: '📱 Gửi số điện thoại của tôi', request_contact: true }]],
      one_time_keyboard: true,
      resize_keyboard: true,
    });
  });

  it('takes it away on the first part, the buttons of a one-part message coming by an edit', () => {
    const next = {
      text: 'Cơ quan?',
      suggestions: [{ id: 'workplace:', label: 'Không có' }],
      removeKeyboard: true as const,
    };
    expect(partMarkup(next, 0, 1, () => inline)).toEqual({
      reply_markup: { remove_keyboard: true },
      thenInline: inline,
    });
    expect(partMarkup(next, 0, 2, () => inline)).toEqual({ reply_markup: { remove_keyboard: true } });
    expect(partMarkup(next, 1, 2, () => inline)).toEqual({ reply_markup: inline });
    expect(partMarkup({ text: 'Xong', removeKeyboard: true }, 0, 1, () => inline)).toEqual({
      reply_markup: { remove_keyboard: true },
    });
  });

  it('leaves a plain message alone', () => {
    expect(partMarkup({ text: 'Chào' }, 0, 1, () => inline)).toEqual({});
    expect(
      partMarkup({ text: 'Chọn', choices: [[{ id: 'a:yes', label: 'Có' }]] }, 0, 1, () => inline),
    ).toEqual({
      reply_markup: inline,
    });
  });
});
